"""Bulk runs: a batch with bad files goes on, exit codes, resume after SIGKILL gives the same
archive as an uninterrupted run, and the loader never crashes on arbitrary bytes."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitizer.archive import Archive
from digitizer.errors import LoadError
from digitizer.load import load_pages
from digitizer.settings import Settings
from digitizer.types import DocumentSource

from .conftest import SCANS, ruled_table
from .test_load import _png_claiming

BAD = {
    "zero-byte.jpg": lambda p: p.write_bytes(b""),
    "truncated.jpg": lambda p: p.write_bytes((SCANS / "r02-2019-jpg-zero_p1.jpg").read_bytes()[:5000]),
    "truncated.png": lambda p: p.write_bytes((SCANS / "r10-2019-png-blank-001.png").read_bytes()[:3000]),
    "text.jpg": lambda p: p.write_text("a text file, not a scan"),
    "corrupt.pdf": lambda p: p.write_bytes(b"%PDF-1.4\n%garbage\n" + os.urandom(300)),
    "bomb.png": lambda p: p.write_bytes(_png_claiming(100000, 100000)),
}


def _digitize(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digitizer.cli", *args], capture_output=True, text=True)


def test_sixty_documents_with_ten_percent_bad(tmp_path):
    scans = tmp_path / "scans"
    (scans / "sub").mkdir(parents=True)
    for i in range(54):
        ruled_table((scans if i % 2 else scans / "sub") / f"table{i:02d}.png", seed=i, rows=3)
    for name, make in BAD.items():
        make(scans / name)
    out = tmp_path / "out"
    done = _digitize(str(scans), "--out", str(out), "--no-xlsx", "--no-review", "--workers", "2", "--quiet")
    assert done.returncode == 1, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 60
    assert sorted(f["document"] for f in summary["failed"]) == sorted(n if n.startswith("truncated") else Path(n).stem for n in BAD)
    assert all(f["reason"] for f in summary["failed"])
    with Archive(out / "archive.sqlite") as archive:
        rows = archive.dump()["documents"]
    assert len(rows) == 60
    statuses = {r["document"]: r["status"] for r in rows}
    assert all(statuses[f"table{i:02d}"] == "ok" for i in range(54))
    assert all(statuses[n if n.startswith("truncated") else Path(n).stem] == "failed" for n in BAD)
    for i in range(54):
        report = json.loads((out / f"table{i:02d}.json").read_text())
        assert report["grids"] and report["layout"] is None


def _batch_input(root: Path) -> Path:
    scans = root / "scans"
    scans.mkdir()
    for i in range(8):
        ruled_table(scans / f"table{i}.png", seed=100 + i, rows=4)
    shutil.copy(SCANS / "r05-2021-pdf-blank.pdf", scans)
    (scans / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    return scans


def test_sigkill_then_resume_gives_the_same_archive(tmp_path):
    scans = _batch_input(tmp_path)
    clean = tmp_path / "clean"
    assert _digitize(str(scans), "--out", str(clean), "--no-review", "--workers", "1", "--quiet").returncode == 1
    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "digitizer.cli", str(scans), "--out", str(killed),
                                "--no-review", "--workers", "1", "--quiet"])
    time.sleep(random.uniform(4.0, 12.0))
    process.send_signal(signal.SIGKILL)
    process.wait()
    leftovers = [p.name for p in killed.glob("*.json") if p.name != "summary.json"]
    for name in leftovers:  # whatever was written is whole
        json.loads((killed / name).read_text())
    resumed = _digitize(str(scans), "--out", str(killed), "--no-review", "--workers", "1", "--quiet")
    assert resumed.returncode == 1, resumed.stderr
    with Archive(clean / "archive.sqlite") as a, Archive(killed / "archive.sqlite") as b:
        assert a.dump() == b.dump()
    assert not list(killed.glob(".*.tmp"))
    summary = json.loads((killed / "summary.json").read_text())
    assert summary["documents"] == 10


def test_rerun_skips_archived_documents_and_force_redoes_them(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    ruled_table(scans / "a.png", seed=1)
    ruled_table(scans / "b.png", seed=2)
    out = tmp_path / "out"
    assert _digitize(str(scans), "--out", str(out), "--no-review", "--quiet").returncode == 0
    again = _digitize(str(scans), "--out", str(out), "--no-review", "--log-json")
    lines = [json.loads(line) for line in again.stderr.splitlines() if line.startswith("{")]
    assert [line["skipped"] for line in lines] == [True, True]
    forced = _digitize(str(scans), "--out", str(out), "--no-review", "--log-json", "--force")
    lines = [json.loads(line) for line in forced.stderr.splitlines() if line.startswith("{")]
    assert [line["skipped"] for line in lines] == [False, False]
    with Archive(out / "archive.sqlite") as archive:
        assert len(archive.dump()["documents"]) == 2


def test_usage_error_exit_code(tmp_path):
    assert _digitize(str(tmp_path / "missing"), "--out", str(tmp_path / "o")).returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _digitize(str(empty), "--out", str(tmp_path / "o")).returncode == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".png", ".jpg", ".tif", ".bmp", ".webp", ".pdf"]))
def test_loader_never_crashes_on_arbitrary_bytes(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        pages = load_pages(DocumentSource("fuzz", (path,)), Settings())
    except LoadError as err:
        assert str(err)
    else:
        assert pages and all(p.image.size > 0 for p in pages)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0.01, max_value=0.99))
def test_loader_on_truncated_real_scans(tmp_path, cut):
    for name in ("r01-2021-jpg-blank_p1.jpg", "r10-2019-png-blank-001.png", "r05-2021-pdf-blank.pdf"):
        data = (SCANS / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(data[: int(len(data) * cut)])
        try:
            load_pages(DocumentSource("cut", (path,)), Settings())
        except LoadError as err:
            assert str(err)
