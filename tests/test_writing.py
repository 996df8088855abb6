"""Writing is part of the one failure policy (issue 13): a document whose outputs cannot be
written fails alone, the archive lost mid-run stops the run with what finished kept, the
batch-wide files describe the whole archive, and a document renamed by a clash is moved, not
read again. Real files and real OCR; only a writer is made to fail where a disk cannot be."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from digitizer import batch, export
from digitizer.archive import Archive
from digitizer.batch import LOG_NAME, run_batch
from digitizer.errors import RunError
from digitizer.load import discover
from digitizer.settings import Settings

from .conftest import SCANS, ruled_table
from .pg import Unavailable, postgres_server, required

FAST = Settings(workers=1, cpu_threads=1)


def _digitize(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digitizer.cli", *args], capture_output=True, text=True)


def _tables(folder: Path, names: list[str], seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        ruled_table(folder / f"{name}.png", seed=seed + i, rows=3)
    return folder


def _archived(url: Path | str) -> dict[str, str]:
    with Archive(url) as archive:
        return {r["document"]: r["status"] for r in archive.dump()["documents"]}


def test_a_workbook_that_cannot_be_written_fails_its_document_only(tmp_path, monkeypatch):
    scans = _tables(tmp_path / "scans", ["t0", "t1", "t2"], seed=200)
    out = tmp_path / "out"
    real = export.write_xlsx

    def disk_full_for_t1(report, out_dir):
        if report.document == "t1":
            (out_dir / "t1.xlsx").write_bytes(b"an older workbook")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(report, out_dir)

    monkeypatch.setattr(export, "write_xlsx", disk_full_for_t1)
    summary = run_batch(discover([scans]), out, FAST)
    assert summary.exit_code == 1
    assert summary.failed == [("t1", "could not write its outputs: Excel workbook: OSError: "
                                     "[Errno 28] No space left on device")]
    t1 = json.loads((out / "t1.json").read_text())
    assert t1["status"] == "failed" and t1["grids"]  # what was read is kept in its JSON
    assert not (out / "t1.xlsx").exists() and (out / "t0.xlsx").exists() and (out / "t2.xlsx").exists()
    assert _archived(out / "archive.sqlite") == {"t0": "ok", "t1": "failed", "t2": "ok"}
    assert "No space left on device" in (out / LOG_NAME).read_text()
    assert not list(out.glob(".*.tmp"))
    monkeypatch.setattr(export, "write_xlsx", real)  # the disk has room again: t1 is read again
    again = run_batch(discover([scans]), out, FAST)
    assert again.skipped == 2 and again.exit_code == 0
    assert (out / "t1.xlsx").exists() and _archived(out / "archive.sqlite")["t1"] == "ok"


def test_a_json_or_review_page_that_cannot_be_written_fails_its_document_only(tmp_path):
    scans = _tables(tmp_path / "scans", ["t0", "t1", "t2"], seed=210)
    out = tmp_path / "out"
    (out / "t1.json").mkdir(parents=True)  # the JSON cannot be renamed into place
    (out / "review" / "t2.html").mkdir(parents=True)  # nor t2's review page
    done = _digitize(str(scans), "--out", str(out), "--workers", "1", "--no-xlsx", "--quiet")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads((out / "summary.json").read_text())
    reasons = {f["document"]: f["reason"] for f in summary["failed"]}
    assert reasons["t1"].startswith("could not write its outputs: JSON: IsADirectoryError")
    assert reasons["t2"].startswith("could not write its outputs: review page: IsADirectoryError")
    assert set(reasons) == {"t1", "t2"} and summary["documents"] == 3
    assert _archived(out / "archive.sqlite") == {"t0": "ok", "t1": "failed", "t2": "failed"}
    t2 = json.loads((out / "t2.json").read_text())
    assert t2["status"] == "failed" and "review page" in t2["errors"][-1]
    index = (out / "review" / "index.html").read_text()
    assert 'href="t0.html"' in index and ">t2<" in index and 'href="t2.html"' not in index
    assert (out / "review" / "t0.html").is_file()
    log = (out / LOG_NAME).read_text()
    assert log.count("Traceback (most recent call last)") == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_record_the_archive_refuses_fails_its_document(tmp_path, backend):
    """PostgreSQL refuses a NUL byte in text; SQLite an integer past 64 bits. The document's JSON
    says why it failed, and the archive holds its failure, not half of its cells."""
    def persist(url: str) -> None:
        with Archive(url) as archive:
            report = {"document": "odd", "source": ["odd.png"], "status": "ok", "layout": None, "errors": [],
                      "tables": {"t": {"cells": [{"row": "r", "col": "c", "value": 1.0, "text": "1\x00",
                                                  "confidence": 0.9, "page": 1}]}},
                      "checks": [], "grids": [], "pages": 2**70 if backend == "sqlite" else 1, "seconds": 1.0,
                      "engine": "e", "title": "", "agency": None, "year": None}
            batch._persist(report, "odd.png", ("sha", "key", ""), out, archive)
            assert report["status"] == "failed"
            assert report["errors"][0].startswith("could not write its outputs: archive row: ")
            assert json.loads((out / "odd.json").read_text()) == report
            rows = archive.dump()
            assert [(r["document"], r["status"]) for r in rows["documents"]] == [("odd", "failed")]
            assert rows["cells"] == [] and rows["errors"][0]["message"] == report["errors"][0].replace("\x00", "\\x00")

    out = tmp_path / "out"
    out.mkdir()
    if backend == "sqlite":
        persist(str(tmp_path / "a.sqlite"))
        return
    try:
        with postgres_server() as server:
            persist(server.url)
    except Unavailable as why:
        if required():
            raise
        pytest.skip(str(why))


def test_an_archive_lost_mid_run_stops_the_run_and_keeps_what_finished(tmp_path):
    """The PostgreSQL server is stopped after the first document: the run ends with a RunError
    (the CLI prints it as one line, exit 2); the first document is archived and written, and no
    document has a JSON without its archive row."""
    scans = _tables(tmp_path / "scans", ["t0", "t1", "t2"], seed=220)
    out = tmp_path / "out"
    try:
        with postgres_server() as server:
            seen = []

            def stop_after_first(report, skipped: bool) -> None:
                seen.append(report.document)
                with Archive(server.url) as archive:
                    assert [r["document"] for r in archive.dump()["documents"]] == ["t0"]
                server.stop()

            with pytest.raises(RunError, match="cannot be reached or written any more.*run the same command again") as err:
                run_batch(discover([scans]), out, FAST, xlsx=False, archive_url=server.url, on_report=stop_after_first)
    except Unavailable as why:
        if required():
            raise
        pytest.skip(str(why))
    assert seen == ["t0"]
    assert sorted(p.name for p in out.glob("t*.json")) == ["t0.json"]
    assert "\n" not in str(err.value) and not (out / "summary.json").exists()


def test_batch_files_list_every_archived_document_whichever_run_finished_last(tmp_path):
    first = _tables(tmp_path / "first", ["a0"], seed=230)
    for page in SCANS.glob("r10-2019-png-blank-00?.png"):  # a real report: cells and checks
        shutil.copy(page, first)
    (first / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    second = _tables(tmp_path / "second", ["b0"], seed=240)
    out = tmp_path / "out"
    for scans, code in ((first, 1), (second, 0)):
        done = _digitize(str(scans), "--out", str(out), "--workers", "1", "--no-xlsx", "--no-review", "--quiet")
        assert done.returncode == code, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 4 and summary["run"] == {"documents": 1, "skipped": 0, "failed": 0,
                                                            "interrupted": False}
    assert [f["document"] for f in summary["failed"]] == ["broken"]  # failed in the first run
    report = json.loads((out / "r10-2019-png-blank.json").read_text())
    cells, checks = pd.read_csv(out / "cells.csv"), pd.read_csv(out / "checks.csv")
    assert set(cells["document"]) == set(checks["document"]) == {"r10-2019-png-blank"}
    assert len(cells) == summary["cells"] == sum(len(t["cells"]) for t in report["tables"].values())
    assert len(checks) == len(report["checks"])
    assert cells["value"].tolist() == pytest.approx([c["value"] for t in report["tables"].values()
                                                     for c in t["cells"]], nan_ok=True)


def test_a_document_renamed_by_a_clash_is_moved_not_read_again(tmp_path):
    scans = _tables(tmp_path / "scans" / "p", ["rep"], seed=250).parent
    out = tmp_path / "out"
    args = ["--out", str(out), "--workers", "1", "--no-review", "--log-json"]
    assert _digitize(str(scans), *args).returncode == 0
    before = json.loads((out / "rep.json").read_text())
    _tables(scans / "q", ["rep"], seed=251)  # a same-named report appears: ids become p__rep, q__rep
    done = _digitize(str(scans), *args)
    assert done.returncode == 0, done.stderr
    lines = {line["document"]: line["skipped"] for line in map(json.loads, done.stderr.splitlines())}
    assert lines == {"p__rep": True, "q__rep": False}  # p's report was not read again
    assert not (out / "rep.json").exists() and not (out / "rep.xlsx").exists()
    assert (out / "p__rep.xlsx").exists()
    moved = json.loads((out / "p__rep.json").read_text())
    assert moved == before | {"document": "p__rep"}
    assert _archived(out / "archive.sqlite") == {"p__rep": "ok", "q__rep": "ok"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 2 and summary["skipped"] == 1
