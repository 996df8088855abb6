"""Deskew on real generated pages: a known extra rotation is measured and undone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitizer.grid import find_grids
from digitizer.load import load_pages
from digitizer.preprocess import level, measure_skew, straighten, to_original_bbox, turn
from digitizer.settings import Settings
from digitizer.types import Page

from .conftest import ROOT, source

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def straight_page():
    page = load_pages(source("r11-2021-jpg300-blank"), Settings())[1]
    return straighten(page, Settings()).image


@pytest.mark.parametrize("angle", [-3.0, -1.2, 0.7, 2.5])
def test_known_rotation_is_measured(straight_page, angle):
    h, w = straight_page.shape
    rotated = cv2.warpAffine(straight_page, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=255)
    assert measure_skew(rotated, 15.0) == pytest.approx(-angle, abs=0.15)


def test_straighten_maps_boxes_back_to_the_loaded_page(straight_page):
    h, w = straight_page.shape
    angle = 2.0
    rotated = cv2.warpAffine(straight_page, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=255)
    page = straighten(Page(1, rotated, "x"), Settings())
    assert page.skew_degrees == pytest.approx(-angle, abs=0.15)
    # A point of the straightened page lands where the rotation put it on the loaded page.
    forward = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    x0, y0, x1, y1 = to_original_bbox(page, (1000, 1000, 1001, 1001))
    expected = forward @ np.array([1000, 1000, 1.0])
    assert abs(x0 - expected[0]) < 4 and abs(y0 - expected[1]) < 4


def test_a_page_on_its_side_is_levelled_once_turned_upright():
    """A page scanned turned a quarter clockwise and askew, its table a short one (table 四 of a
    Word report, dotted inner rules): lying on its side, the table's long rules run down it, so no
    level rule measured its skew and the upright page was read askew (its litigation half found
    as a grid of 2 x 3). Turned upright, it is levelled, and its grid is the upright one's."""
    crop = cv2.imread(str(DATA / "docx-dotted-rules-under-spanning-header-words.png"), cv2.IMREAD_GRAYSCALE)
    upright = np.full((3508, 2481), 255, np.uint8)
    upright[400 : 400 + crop.shape[0], 100 : 100 + crop.shape[1]] = crop
    h, w = upright.shape
    askew = cv2.warpAffine(upright, cv2.getRotationMatrix2D((w / 2, h / 2), 1.6, 1.0), (w, h), borderValue=255)
    page = straighten(Page(1, np.ascontiguousarray(np.rot90(askew, -1)), "x"), Settings())
    assert abs(page.skew_degrees) < 0.3  # on its side: nothing level to measure it by
    levelled = level(turn(page, 1), Settings())
    assert levelled.skew_degrees == pytest.approx(-1.6, abs=0.15)
    [grid] = find_grids(levelled.image, 1)
    [as_scanned_upright] = find_grids(straighten(Page(1, askew, "x"), Settings()).image, 1)
    assert (grid.n_rows, grid.n_cols) == (as_scanned_upright.n_rows, as_scanned_upright.n_cols)


def test_only_a_sheet_shaped_like_paper_is_enlarged_to_the_working_resolution(straight_page, tmp_path):
    from .conftest import ruled_table

    # A 300-dpi page brought down to 75 dpi: its paper says how coarse it is.
    h, w = straight_page.shape
    coarse = cv2.resize(straight_page, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    page = straighten(Page(1, coarse, "x"), Settings())
    assert min(page.image.shape) >= 1600
    x0, y0, _, _ = to_original_bbox(page, (800, 800, 801, 801))
    assert abs(x0 - 800 * coarse.shape[1] / page.image.shape[1]) < 3
    # A picture of a table alone is no sheet of paper: nothing says it is coarse.
    ruled_table(tmp_path / "table.png", rows=4)
    table = cv2.imread(str(tmp_path / "table.png"), cv2.IMREAD_GRAYSCALE)
    assert straighten(Page(1, table, "x"), Settings()).image.shape == table.shape


def _column_rule_lean(image: np.ndarray) -> float:
    """How far (pixels) the long column rules' x moves from their top quarter to their bottom,
    at most."""
    from digitizer.rules import find_lines

    _, vertical = find_lines(image)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    leans = []
    for label in np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > image.shape[0] // 4)[1:]:
        x, y, w, h = stats[label, :4]
        ys, xs = np.nonzero(labels == label)
        leans.append(abs(xs[ys > y + 3 * h / 4].mean() - xs[ys < y + h / 4].mean()))
    return max(leans)


@pytest.mark.parametrize("distortion", ["shear", "keystone"])
def test_leaning_or_converging_column_rules_are_squared_up(straight_page, distortion):
    """A sheet that slid as it was fed leans every column rule the same way while its row rules
    lie level (deskewing, which levels the rows, leaves it so); a sheet askew under a lens makes
    them converge. Either way the rules come out upright: a column of a table without side
    borders otherwise ran out of its grid, and its cells merged (a 总计 column read as 7 rows in
    one cell)."""
    from digitizer.preprocess import square_up
    from digitizer.rules import find_lines

    h, w = straight_page.shape
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    moved = corners + (np.float32([[0, 0], [0, 0], [-20, 0], [-20, 0]]) if distortion == "shear"
                       else np.float32([[40, 0], [-40, 0], [0, 0], [0, 0]]))
    warped = cv2.warpPerspective(straight_page, cv2.getPerspectiveTransform(corners, moved), (w, h), borderValue=255)
    page = straighten(Page(1, warped, "x"), Settings())
    assert _column_rule_lean(page.image) > 6
    squared = square_up(page, *find_lines(page.image))
    assert squared is not None and _column_rule_lean(squared.image) < 2.5
    # Rules already square are left as they are.
    assert square_up(straighten(Page(1, straight_page, "x"), Settings()), *find_lines(straight_page)) is None


@pytest.mark.parametrize("number, tables", [(1, 0), (2, 1)])
def test_the_white_round_a_gray_sheet_draws_no_rules(number, tables):
    """Pages of an HTML report scanned at 65 dpi, the sheet gray under uneven light and turned a
    little on a white surround. The local threshold made ink of the sheet's edge along the
    white: on the first page a frame over the title and the prose (taken for a table, the title
    went unread and the report unrecognised), on the second a table beside the real one."""
    path = DATA / f"html-l2-65dpi-gray-sheet-on-white-{number}.jpg"
    page = straighten(Page(number, cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), "x"), Settings())
    grids = find_grids(page.image, number)
    assert len(grids) == tables, [(g.n_rows, g.n_cols, g.bbox) for g in grids]
    height, width = page.image.shape
    for grid in grids:
        x0, y0, x1, y1 = grid.bbox
        assert 0.05 * width < x0 < x1 < 0.95 * width and 0.1 * height < y0 < y1 < 0.6 * height
