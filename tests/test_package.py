"""The built wheel works from any folder: model pins, layouts and the JSON Schema are package data.

The wheel is built from this checkout and installed into a fresh virtual environment, away from
the checkout (the dependencies come from the test's own environment through a .pth line, so
nothing is downloaded); `digitize` then reads a sample scan from another folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .conftest import SCANS, truth
from .test_schema import assert_valid

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv holding only the wheel."""
    wheels = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources: a build in place leaves build/ behind, which the next
    # in-place build trips over ("File exists").
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "digitizer", source / "digitizer", ignore=shutil.ignore_patterns("__pycache__"))
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, source)
    wheel = next(wheels.glob("digitizer-*.whl"))
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # The dependencies, not the digitizer: the test environment's site-packages is read after the
    # venv's own (a .pth line adds a folder, not the editable install's own .pth finder).
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    return env / "bin"


def test_the_installed_package_is_the_wheel_and_finds_its_data(installed, tmp_path):
    where = _run(installed / "python", "-c", "import digitizer; print(digitizer.__file__)", cwd=tmp_path).stdout
    assert where.startswith(str(installed.parent)) and str(ROOT) not in where
    version = _run(installed / "digitize", "--version", cwd=tmp_path).stdout
    assert "model PP-OCRv6_small_rec: rapidocr==3.10.0 sha256:" in version
    schema = json.loads(_run(installed / "digitize", "schema", cwd=tmp_path).stdout)
    assert schema["$id"].startswith("urn:digitizer:schema:report:")


def test_the_installed_command_reads_a_scan_from_another_folder(installed, tmp_path):
    document = "r05-2021-pdf-blank"
    out = tmp_path / "out"
    _run(installed / "digitize", SCANS / f"{document}.pdf", "--out", out, "--no-review", "--quiet", cwd=tmp_path)
    report = json.loads((out / f"{document}.json").read_text(encoding="utf-8"))
    assert_valid(report)
    assert report["status"] == "ok" and report["layout"] == truth(document)["layout"]
