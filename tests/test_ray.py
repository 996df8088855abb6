"""The Ray executor gives the same archive as the local one: a real local Ray (2 CPUs) over real
sample scans and a broken file, and a document whose pipeline raises comes back failed."""

from __future__ import annotations

import pickle
import shutil

import pytest

pytest.importorskip("ray", reason="Ray is not installed: pip install 'digitizer[ray]'")

from digitizer.archive import Archive  # noqa: E402
from digitizer.batch import run_batch  # noqa: E402
from digitizer.load import discover  # noqa: E402
from digitizer.ray_executor import DigitizerActor  # noqa: E402
from digitizer.settings import Settings  # noqa: E402

from .conftest import SCANS  # noqa: E402

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
    local = run_batch(scans, tmp_path / "local", Settings(workers=1), xlsx=False)
    on_ray = run_batch(scans, tmp_path / "ray", Settings(workers=2), xlsx=False, executor="ray")
    for summary in (local, on_ray):
        assert summary.documents == 3 and summary.pages == 6
        assert [d for d, _ in summary.failed] == ["broken"]
    assert Archive(tmp_path / "ray" / "archive.sqlite").dump() == Archive(tmp_path / "local" / "archive.sqlite").dump()
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
