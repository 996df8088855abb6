"""Tables ruled with light-gray dashed or dotted lines (scans/hard, condition faintlines): the value
cells of the ground truth are found as grid cells, and print is not taken for a rule."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

from digitizer.load import discover, load_pages
from digitizer.preprocess import straighten, to_original_bbox
from digitizer.rules import find_lines
from digitizer.settings import Settings

from .conftest import SCANS, source

HARD = SCANS / "hard"


@functools.cache
def _digitizer():
    from digitizer.pipeline import Digitizer

    return Digitizer(Settings())


def _overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


@pytest.mark.parametrize(
    "document, page, share",
    [
        ("h14-faintlines-2019-png", 2, 1.0),  # dotted, 150 dpi: every cell
        ("h13-faintlines-2021-jpg", 2, 1.0),  # dashed, 200 dpi, thick and thin mixed
        ("h14-faintlines-2019-png", 3, 1.0),  # very light dots, rows of them broken by gaps
        # a rule of two dashes between two crossings is still missed now and then
        ("h13-faintlines-2021-jpg", 3, 0.95),
        # dashed, dotted and solid mixed, no outer border: the weakest case
        ("h15-faintlines-2021-jpg-noborder", 2, 0.98),
        ("h15-faintlines-2021-jpg-noborder", 3, 0.95),
    ],
)
def test_value_cells_of_a_dashed_table_are_grid_cells(document, page, share):
    doc = next(s for s in discover([HARD]) if s.document == document)
    # The grid stage whole: the rules found, then completed where the cells still show them (a
    # scan under 160 dpi is enlarged first, and dots a pixel apart may part into specks).
    straight, grids = _digitizer().prepare(load_pages(doc, Settings())[page - 1])
    found = [to_original_bbox(straight, c.bbox) for g in grids for c in g.cells]
    truth = json.loads((HARD / "truth" / f"{document}.json").read_text(encoding="utf-8"))
    cells = [c for t in truth["tables"].values() for c in t["cells"] if c["page"] == page]
    assert len(cells) > 50
    missed = [c for c in cells if not any(_overlap(c["bbox"], box) >= 0.6 for box in found)]
    assert len(missed) <= (1 - share) * len(cells), missed


def test_prose_is_not_taken_for_dashed_rules():
    # The closing prose page: strokes of print lie in rows too, but not as regular dashes.
    page = load_pages(source("r03-2021-png-zero"), Settings())[3]
    rows, columns = find_lines(straighten(page, Settings()).image)
    assert np.count_nonzero(rows) == 0 and np.count_nonzero(columns) == 0
