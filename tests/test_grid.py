"""Grid finding on real generated pages: merged header cells of table 三 and every value cell."""

from __future__ import annotations

import pytest

from digitizer.grid import find_grids
from digitizer.load import load_pages
from digitizer.preprocess import straighten, to_original_bbox
from digitizer.settings import Settings

from .conftest import source, truth


@pytest.fixture(scope="module")
def page2():
    page = load_pages(source("r06-2019-jpg300-blank"), Settings())[1]
    straight = straighten(page, Settings())
    return straight, find_grids(straight.image, 2)


def test_table_three_header_spans(page2):
    _, grids = page2
    table = grids[0]
    assert table.n_cols == 10  # 3 label columns + 7 applicant columns
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in table.cells}
    assert spans[(0, 0)] == (3, 3)  # the 勾稽关系 note: three header rows, three label columns
    assert spans[(0, 3)] == (1, 7)  # 申请人情况
    assert spans[(1, 4)] == (1, 5)  # 法人或其他组织
    assert spans[(1, 3)] == (2, 1) and spans[(1, 9)] == (2, 1)  # 自然人, 总计


def test_every_value_cell_of_the_page_is_one_grid_cell(page2):
    straight, grids = page2
    cells = [(to_original_bbox(straight, c.bbox), c) for g in grids for c in g.cells]
    truth_cells = [c for t in truth("r06-2019-jpg300-blank")["tables"].values() for c in t["cells"] if c["page"] == 2]
    assert len(truth_cells) > 50
    for cell in truth_cells:
        x0, y0, x1, y1 = cell["bbox"]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hits = [g for (bx0, by0, bx1, by1), g in cells if bx0 <= cx <= bx1 and by0 <= cy <= by1]
        assert len(hits) == 1, cell
        assert hits[0].row_span == 1 and hits[0].col_span == 1


def test_page_without_table_has_no_grid():
    page = load_pages(source("r03-2021-png-zero"), Settings())[3]  # the closing prose page
    assert find_grids(straighten(page, Settings()).image, 4) == []
