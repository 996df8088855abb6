"""Shared fixtures: the committed sample scans and their ground truth (made by digitizer.synth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digitizer.load import discover
from digitizer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "scans"


def truth(document: str) -> dict:
    return json.loads((SCANS / "truth" / f"{document}.json").read_text(encoding="utf-8"))


def source(document: str):
    return next(s for s in discover([SCANS]) if s.document == document)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(workers=1)


@pytest.fixture(scope="session")
def engine(settings):
    from digitizer.ocr.engines import get_engine

    return get_engine(settings)
