"""The steps that make real-world scans readable, on real generated pages: quarter turns,
a phone photo's perspective, and a red seal stamped over value cells."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from digitizer.load import discover, load_pages
from digitizer.pipeline import Digitizer
from digitizer.preprocess import find_page_quad
from digitizer.settings import Settings
from digitizer.types import Page

from .conftest import SCANS, source

HARD = SCANS / "hard"


@pytest.fixture(scope="module")
def digitizer():
    return Digitizer(Settings())


@pytest.fixture(scope="module")
def table_page():
    return load_pages(source("r02-2019-jpg-zero"), Settings())[1].image  # table 三, upright


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_turned_page_is_read_upright(digitizer, table_page, turns):
    turned = np.ascontiguousarray(np.rot90(table_page, turns))
    tables, straight = digitizer.page_tables(Page(2, turned, "turned"))
    assert straight.image.shape == table_page.shape  # back to portrait
    first = tables[0]
    assert first.n_cols == 10 and first.label_cols == 3
    assert "勾稽关系" in first.at(0, 0).text


def test_photographed_sheet_corners_are_found(table_page):
    h, w = table_page.shape
    corners = np.float32([[90, 60], [w + 30, 120], [w + 110, h + 150], [40, h + 90]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), corners)
    photo = cv2.warpPerspective(table_page, warp, (w + 200, h + 250), borderValue=40)  # a dark desk
    quad = find_page_quad(photo)
    assert quad is not None
    assert np.abs(quad - corners).max() < 0.01 * max(w, h)


def test_flat_scan_is_not_taken_for_a_photo(table_page):
    assert find_page_quad(table_page) is None


def test_digits_under_a_red_seal_are_read(digitizer):
    truth = json.loads((HARD / "truth" / "h16-seal-2019-jpg.json").read_text(encoding="utf-8"))
    seal = truth["seal"]
    (cx, cy), radius = seal["center"], seal["diameter"] / 2
    under = [
        (key, c) for key, t in truth["tables"].items() for c in t["cells"]
        if c["page"] == seal["page"]
        and np.hypot((c["bbox"][0] + c["bbox"][2]) / 2 - cx, (c["bbox"][1] + c["bbox"][3]) / 2 - cy) < radius
    ]
    assert len(under) >= 3
    report = digitizer.run(next(s for s in discover([HARD]) if s.document == "h16-seal-2019-jpg"))
    got = {(k, c.row, c.col): c.value for k, cells in report.tables.items() for c in cells}
    assert all(got[(key, c["row"], c["col"])] == c["value"] for key, c in under)
    assert any(c["value"] != 0 for _, c in under)  # the seal covers printed digits, not only blanks
