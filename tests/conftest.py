"""Shared fixtures: the committed sample scans and their ground truth (made by digitizer_tools.synth)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from digitizer.load import discover
from digitizer.settings import Settings
from digitizer_tools.synth.render import font_file

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "scans"


FONT = font_file()  # WenQuanYi Micro Hei, wherever fontconfig finds it


def ruled_table(path: Path, seed: int = 0, rows: int = 4, title: str | None = None) -> list[list[str]]:
    """Draw a small ruled table that is not a report (a bus timetable) and return its texts;
    `title`: a line printed above it."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    texts = [["线路", "首班车", "末班车"]] + [
        [f"{'一二三四五六七八九'[i % 9]}路", f"{rng.randint(500, 800):04d}", f"{rng.randint(2000, 2300):04d}"]
        for i in range(rows - 1)
    ]
    top = 160 if title else 60
    image = Image.new("L", (1000, top + 60 + 60 * rows), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 26)
    if title:
        draw.text((80, 60), title, font=ImageFont.truetype(FONT, 30), fill=0)
    xs, ys = [80, 360, 640, 920], [top + 60 * i for i in range(rows + 1)]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=3)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=3)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            draw.text((xs[c] + 30, ys[r] + 14), text, font=font, fill=0)
    image.save(path)
    return texts


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


requires_paddle = pytest.mark.skipif(
    importlib.util.find_spec("paddle") is None or importlib.util.find_spec("x2paddle") is None,
    reason="PaddlePaddle is not installed here (pip install -e '.[paddle]'), so the paddle engine is not tested",
)


# Modules whose tests are independent of each other, each building its own document: spread over
# the xdist workers one test at a time. Every other module runs whole on one worker, since its
# tests share what a module fixture made once (a batch run, a database server, a Ray cluster).
SPREAD = {"test_foreign_variants.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name not in SPREAD:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
