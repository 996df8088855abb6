"""The Ray executor gives the same archive as the local one: a real local Ray (2 CPUs) over real
sample scans and a broken file, and a document whose pipeline raises comes back failed."""

from __future__ import annotations

import os
import pickle
import shutil

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'digitizer[ray]'")

from digitizer import ray_executor
from digitizer.archive import Archive
from digitizer.batch import run_batch
from digitizer.load import discover
from digitizer.ray_executor import DigitizerActor
from digitizer.settings import Settings

from .conftest import SCANS

FILES = ["r01-2021-jpg-blank_p1.jpg", "r01-2021-jpg-blank_p2.jpg", "r01-2021-jpg-blank_p3.jpg",
         "r05-2021-pdf-blank.pdf"]


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    for name in FILES:
        shutil.copy(SCANS / name, folder / name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return discover([folder])


def test_ray_archive_equals_local(scans, tmp_path):
    # One recognizer thread per process in both runs, so the arithmetic is the same.
    local = run_batch(scans, tmp_path / "local", Settings(workers=1, cpu_threads=1), xlsx=False)
    on_ray = run_batch(scans, tmp_path / "ray", Settings(workers=2, cpu_threads=2), xlsx=False, executor="ray")
    for summary in (local, on_ray):
        assert summary.documents == 3 and summary.pages == 6
        assert [d for d, _ in summary.failed] == ["broken"]
    want, got = (Archive(tmp_path / name / "archive.sqlite").dump() for name in ("local", "ray"))
    for table in want:
        differ = [(a, b) for a, b in zip(want[table], got[table]) if a != b]
        diffs = [{k: (a[k], b[k]) for k in a if a[k] != b.get(k)} for a, b in differ[:3]]
        assert len(want[table]) == len(got[table]) and not differ, (table, diffs)
    assert (tmp_path / "ray" / "cells.csv").read_bytes() == (tmp_path / "local" / "cells.csv").read_bytes()


def test_pipeline_error_is_a_failed_report(scans):
    class Boom:
        engine = type("Engine", (), {"describe": lambda self: "stub"})()

        def run(self, source):
            raise RuntimeError("bug in a stage")

    actor = object.__new__(DigitizerActor)  # no models: the pipeline is replaced
    actor.digitizer = Boom()
    out = actor({"index": [0], "document": ["broken"], "paths": [[str(scans[0].paths[0])]]})
    report = pickle.loads(out["report"][0])
    assert out["index"] == [0]
    assert report.status == "failed" and report.errors == ["unexpected error: RuntimeError: bug in a stage"]
    assert report.source == ["broken.jpg"] and report.engine == "stub"


class _Crashing(DigitizerActor):
    """Kills its actor process on the document named crash (defined here, so Ray ships it by value)."""

    def __call__(self, batch):
        if "crash" in list(batch["document"]):
            os._exit(1)
        return DigitizerActor.__call__(self, batch)  # not super(): the class travels by value


def test_dead_actor_document_is_failed_and_the_rest_goes_on(tmp_path, monkeypatch):
    for name in ("a-broken.jpg", "crash.jpg", "z-broken.jpg"):
        (tmp_path / name).write_bytes(b"garbage")
    monkeypatch.setattr(ray_executor, "DigitizerActor", _Crashing)
    _Crashing.__module__ = "__main__"  # pickled by value: the actor processes cannot import tests.*
    reports = list(ray_executor.run_documents(discover([tmp_path]), Settings(workers=2)))
    assert [r.document for r in reports] == ["a-broken", "crash", "z-broken"]
    errors = [r.errors[0] if r.status == "failed" else r.status for r in reports]
    assert "Pillow" in errors[0] and "died" in errors[1] and "Pillow" in errors[2], errors
