"""Stage 3c: a header row a table draws by shading alone.

A table without an outer border whose first row is shaded (Word's table styles: a gray caption
row 行政复议 over table 四's split halves, a gray header over a block of table 二) has no rule
above that row: the grid finder, which closes cells between rules, starts the table at the rule
under it, and the row is lost with its words. Such a row is still there as a band of fill as wide
as the table, sitting on its top rule: found here, it is added to the grid as one cell across the
table (whatever columns it has are not drawn; its words stay the header of every column below).
"""

from __future__ import annotations

import numpy as np

from .types import Grid, GridCell

SHADE = 10  # gray levels under the paper at least: the fill of a shaded row
RULE = 60  # gray levels under the paper: darker than this, a row of pixels is a rule's
ACROSS = 0.8  # share of the table's width the fill covers in a shaded row of pixels
LOWEST = 0.5  # a band at least this share of the table's median row high (a row of print)
RULE_ROWS = 4  # pixels of rule (and its blur) between the band and the table's top line
HIGHEST = 3  # ... and at most this many rows high
EDGE = 6  # pixels of paper above the band
MARGIN = 0.02  # of the page's height: a band reaching this near the page's top is the page's own tint


def _shaded(row: np.ndarray, paper: float) -> bool:
    """A row of pixels across the table that is fill: most of it a little darker than paper
    (print inside the band is darker still, and a narrow share of it)."""
    fill = (row <= paper - SHADE) & (row > paper - RULE)
    return float(np.mean(row <= paper - SHADE)) >= ACROSS and float(np.mean(fill)) >= 0.5


def shaded_header(gray: np.ndarray, grid: Grid) -> Grid:
    """The grid with a shaded band directly above its top line added as its first row, or the grid
    itself where there is none."""
    x0, y0, x1, y1 = grid.bbox
    if grid.n_rows < 1 or y0 < 2:
        return grid
    inside = gray[y0:y1, x0:x1]
    paper = float(np.percentile(inside, 95))
    top = grid.row_lines[0]
    # Up over the top rule's own dark rows (the row line may lie on the rule's light fringe, which
    # passes for fill), then over the band of fill. Rows of print across the band (a bold header
    # blurred: more print than fill), and a rule drawn on its top edge, interrupt the fill for a
    # few rows; the band goes on where fill resumes above them.
    y = next((top - k for k in range(RULE_ROWS, 0, -1)
              if top - k > 0 and not _shaded(gray[top - k, x0:x1], paper)), top)
    band_bottom = y
    while (step := next((k for k in range(1, RULE_ROWS + 2)
                         if y - k > 0 and _shaded(gray[y - k, x0:x1], paper)), None)) is not None:
        y -= step
    usual = float(np.median(np.diff(grid.row_lines)))
    # A band up to the page's edge is no row's fill: the paper itself is darker than the table's
    # white-filled cells (a tinted page, a dim scan), and the space above the table reads as fill.
    if not max(8, LOWEST * usual) <= band_bottom - y <= HIGHEST * usual or y < max(EDGE, MARGIN * gray.shape[0]):
        return grid
    # A band that ends in paper, not a page darkening towards its edge (uneven light, a photo).
    band = float(np.median(gray[y:band_bottom, x0:x1]))
    if float(np.median(gray[y - EDGE : y, x0:x1])) < band + SHADE / 2:
        return grid
    cells = [GridCell(c.row + 1, c.col, c.row_span, c.col_span, c.bbox, c.flags) for c in grid.cells]
    cells.insert(0, GridCell(0, 0, 1, grid.n_cols, (x0, y, x1, band_bottom)))
    return Grid(grid.page, (x0, y, x1, y1), [y, *grid.row_lines], list(grid.col_lines), cells,
                list(grid.open_areas))
