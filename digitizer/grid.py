"""Stage 3: find ruled tables on a straightened page with OpenCV morphology.

The fixed skeleton (after camelot's lattice parser):
  rules.find_lines (solid, dashed and dotted rules) -> find_table_regions -> find_cells.
Cells are the connected regions enclosed by ruling lines, so a merged cell is simply one region
that spans several rows or columns of the line grid.
"""

from __future__ import annotations

import cv2
import numpy as np

from .rules import find_lines
from .types import BBox, Grid, GridCell, bbox_inside

EDGE_SLIVER = 0.025  # of a table's width
STUB_TOUCH = 4  # pixels: how near a rule a stroke's end lies when it touches it
STUB_LONGEST = 20  # of the page's short side: the longest stroke of print (bridged to a rule) taken for a stub


def drop_stubs(horizontal: np.ndarray, vertical: np.ndarray) -> np.ndarray:
    """The vertical rules less the strokes of print standing on a table's top rule or hanging from
    its bottom one (a section heading set tight above a table: the stems of its characters reach
    the rule, and the table would grow a row of heading). Such a piece is no longer than a
    character, touches a long rule with one end and no rule with the other (nor is that end level
    with a rule elsewhere), and no column rule
    goes on beyond the rule from where it stands (a borderless table's column rules above its
    first rule go on below it; a rule of the table is held by a rule at its other end)."""
    height, width = horizontal.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    if count <= 1:
        return vertical
    kernel = cv2.getStructuringElement
    long_rows = cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, kernel(cv2.MORPH_RECT, (width // 6, 1)))
    if not long_rows.any():
        return vertical
    # What holds a rule's other end: a rule across a cell at least, longer than a stroke of print.
    held_rows = cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, kernel(cv2.MORPH_RECT, (width // 15, 1)))
    tol, longest = STUB_TOUCH, min(height, width) // STUB_LONGEST
    stubs = np.zeros(count, dtype=bool)
    hanging = np.zeros(count, dtype=bool)  # stubs whose top end touches the rule
    for label in np.flatnonzero(stats[1:, 3] <= longest) + 1:
        x, y, w, h, _ = stats[label]
        x1, y1 = x + w, y + h
        for end, other, down in ((y1, y, True), (y, y1, False)):
            touched = long_rows[max(0, end - tol) : end + tol, x:x1]
            if not touched.any():
                continue
            if held_rows[max(0, other - tol) : other + tol].any():
                # Held at both ends (a rule of the table), or its other end level with a rule
                # elsewhere: the bottom of a row whose bottom rule runs only under some of its
                # cells (a table's last row without a bottom border under its numbers).
                break
            rule = max(0, end - tol) + int(np.flatnonzero(touched.any(axis=1))[0])
            beyond = slice(rule + 2 * tol, rule + 5 * tol) if down else slice(max(0, rule - 5 * tol), max(0, rule - 2 * tol))
            stubs[label] = not vertical[beyond, max(0, x - tol) : x1 + tol].any()
            hanging[label] = stubs[label] and not down
            break
    stubs[_row_of_columns(stats, np.flatnonzero(hanging), tol)] = False
    return np.where(stubs[labels], 0, vertical).astype(vertical.dtype)


ROW_COLUMNS = 3  # column rules hanging alike from one rule: a row's, not strokes of print


def _row_of_columns(stats: np.ndarray, hanging: np.ndarray, tol: int) -> list[int]:
    """Of the stubs hanging from a rule, those that are the column rules of a row without a bottom
    rule: three or more hanging from one rule, as long as each other, their free ends level, each
    at least half its length from the next (a borderless table's last row, alone at the top of a
    page: table 四's fourteen column rules, a row high, hang from the rule over its counts).
    Strokes of print under a rule are of unequal length, or close together."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i in sorted(hanging, key=lambda i: (stats[i, 1], stats[i, 3])):
        key = next((k for k in groups if abs(k[0] - stats[i, 1]) <= tol and abs(k[1] - stats[i, 3]) <= tol),
                   (int(stats[i, 1]), int(stats[i, 3])))
        groups.setdefault(key, []).append(i)
    rows = []
    for (_, length), members in groups.items():
        xs = sorted(int(stats[i, 0]) for i in members)
        if len(members) >= ROW_COLUMNS and min(np.diff(xs)) >= length / 2:
            rows += members
    return rows


def drop_crossbars(horizontal: np.ndarray, vertical: np.ndarray) -> np.ndarray:
    """The horizontal rules less the crossbars: a piece shorter than a cell is wide that a column
    rule crosses or meets inside it while neither of its ends meets one. It is the bit of a
    dashed row rule found where a column rule meets it (the column's stroke and the dash over it
    read as one); the rest of that rule was not found, and alone the bit closes no cell but cuts
    an area of the table into an L that completion cannot split right (a leaf header row's
    columns drawn up through the group header over them)."""
    height, width = horizontal.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    tol = STUB_TOUCH
    crossbars = np.zeros(count, dtype=bool)
    for label in np.flatnonzero(stats[1:, 2] < width // 15) + 1:
        x, y, w, h, _ = stats[label]
        band = vertical[max(0, y - tol) : y + h + tol]
        left, right = band[:, max(0, x - tol) : x + tol].any(), band[:, max(0, x + w - tol) : x + w + tol].any()
        crossbars[label] = not left and not right and band[:, x + tol : x + w - tol].any()
    return np.where(crossbars[labels], 0, horizontal).astype(horizontal.dtype)


def find_table_regions(horizontal: np.ndarray, vertical: np.ndarray) -> list[tuple[BBox, np.ndarray]]:
    """Groups of crossing lines big enough to be a table, top to bottom: each one's bounding box
    and a mask of its own lines (boxes may overlap: a photo's page edge around a table, say)."""
    height, width = horizontal.shape
    vertical = drop_stubs(horizontal, vertical)
    horizontal = drop_crossbars(horizontal, vertical)
    lines = horizontal | vertical
    joined = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    regions = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        # A lone rule (under a title, say) is too flat; find_cells drops what encloses no cells.
        # Tall and narrow is a table too: table 四 printed in a column, or a table on a page
        # turned a quarter (the orientation check reads both ways up).
        if (w >= width // 6 and h >= height // 80) or (h >= height // 6 and w >= width // 12):
            box = (int(x), int(y), int(x + w), int(y + h))
            own = np.zeros_like(lines)
            own[y : y + h, x : x + w] = lines[y : y + h, x : x + w] & (labels[y : y + h, x : x + w] == label) * 255
            regions.append((box, own))
    return sorted(regions, key=lambda r: (r[0][1], r[0][0]))


def _cluster(values: list[int] | list[float], tolerance: float) -> list[int]:
    """Centres of groups of nearby positions."""
    if not values:
        return []
    ordered = sorted(values)
    groups = [[ordered[0]]]
    for value in ordered[1:]:
        if value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [int(round(float(np.median(g)))) for g in groups]


def _nearest(lines: list[int], value: float) -> int:
    return int(np.argmin([abs(line - value) for line in lines]))


def _reach_edges(mask: np.ndarray, gap: int) -> None:
    """Carry lines whose ends stop within `gap` of the mask's edges on to those edges (in place)."""
    for view in (mask, mask.T):
        ink = view > 0
        held = ink.any(axis=1)
        first = np.argmax(ink, axis=1)
        last = view.shape[1] - 1 - np.argmax(ink[:, ::-1], axis=1)
        for row in np.flatnonzero(held & (first > 0) & (first <= gap)):
            view[row, : first[row]] = 255
        for row in np.flatnonzero(held & (last < view.shape[1] - 1) & (last >= view.shape[1] - 1 - gap)):
            view[row, last[row] + 1 :] = 255


FREE_ENDS = 3  # column rules ending free at one height: a rule there was not drawn


def _join_free_ends(mask: np.ndarray, tolerance: int) -> None:
    """Draw the row rule that column rules ending free at one height imply (in place): three or
    more column rules that hang from a row rule and stop at the same height, with no rule there
    for them to meet, stop where a rule was not drawn (a header's rule under 法人或其他组织 left
    out: its leaf columns' rules end under it). An end is free where no rule meets it and the
    rule does not go on beyond it (a gap in a broken rule is no end); a piece free at both ends
    hangs from nothing. The rule is drawn from the first of them to the last and on to the nearest
    rule either side. (Row rules are not joined so: a dashed row rule's dashes stop short of the
    column rules they cross.)"""
    height, width = mask.shape
    pieces = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3 * tolerance)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces, connectivity=8)

    def free(at: int, step: int, x: int, w: int, y: int, h: int) -> bool:
        band = mask[max(0, at - 2) : at + 3]
        beside = band[:, max(0, x - tolerance) : x].any() or band[:, x + w : x + w + tolerance].any()
        beyond = (mask[max(0, at + step * 3) : at + step * (tolerance + 3) : step, x : x + w].any()
                  or (pieces[:y, x : x + w].any() if step < 0 else pieces[y + h :, x : x + w].any()))
        return not beside and not beyond

    ends: list[tuple[int, int, int]] = []  # (height, left, right) of each free end
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        top, bottom = y, y + h - 1
        # An end at the region's edge meets its border.
        top_free = top > tolerance and free(top, -1, x, w, y, h)
        bottom_free = bottom < height - 1 - tolerance and free(bottom, 1, x, w, y, h)
        if top_free != bottom_free:
            ends.append((top if top_free else bottom, x, x + w))
    ends.sort()
    groups: list[list[tuple[int, int, int]]] = []
    for end in ends:
        if groups and end[0] - groups[-1][-1][0] <= tolerance:
            groups[-1].append(end)
        else:
            groups.append([end])
    for group in groups:
        if len(group) < FREE_ENDS:
            continue
        at = int(np.median([e[0] for e in group]))
        left, right = min(e[1] for e in group), max(e[2] for e in group)
        inked_left, inked_right = np.flatnonzero(mask[at, :left]), np.flatnonzero(mask[at, right:])
        start = int(inked_left[-1]) if inked_left.size else 0
        stop = right + int(inked_right[0]) if inked_right.size else width
        mask[max(0, at - 1) : at + 2, start:stop] = 255


def find_cells(lines: np.ndarray, region: BBox, page: int) -> Grid | None:
    """Cells of one table region: the enclosed areas between its lines, snapped to a line grid."""
    x0, y0, x1, y1 = region
    mask = lines[y0:y1, x0:x1].copy()
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    # Both sides of a rule belong to it: thick or dashed rules (whose masks are wider) included.
    tolerance = max(4.0, (x1 - x0) / 120)
    # A missing outer border still closes the table, and rules that stop a little short of where
    # it would be still reach it (in a region as tall as a table: not in a page edge's stair of
    # short rules, say); column rules ending free at one height meet the rule left out there.
    if y1 - y0 >= lines.shape[0] // 40:
        _reach_edges(mask, int(tolerance))
        _join_free_ends(mask, int(tolerance))
    cv2.rectangle(mask, (0, 0), (mask.shape[1] - 1, mask.shape[0] - 1), 255, 2)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(mask), connectivity=4)
    min_side = max(6, (x1 - x0) // 200)
    # Along the table's sides, a column this narrow lies within its border (a thick or doubled
    # border split into lines on one page and not on the next), not a column of the table.
    sliver = EDGE_SLIVER * (x1 - x0)
    boxes, open_areas = [], []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if w < min_side or h < min_side:
            continue
        if w < sliver and (x <= 3 or x + w >= mask.shape[1] - 3):
            continue
        box = (int(x), int(y), int(x + w), int(y + h))
        if area < 0.5 * w * h:
            if area >= 4 * min_side * min_side:
                open_areas.append(((box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0), labels[y : y + h, x : x + w] == label))
            continue
        boxes.append(box)
    if not boxes:
        return None
    row_lines = _cluster([b[1] - 1 for b in boxes] + [b[3] + 1 for b in boxes], tolerance)
    col_lines = _cluster([b[0] - 1 for b in boxes] + [b[2] + 1 for b in boxes], tolerance)
    cells = []
    for bx0, by0, bx1, by1 in boxes:
        row, row_end = _nearest(row_lines, by0 - 1), _nearest(row_lines, by1 + 1)
        col, col_end = _nearest(col_lines, bx0 - 1), _nearest(col_lines, bx1 + 1)
        if row_end <= row or col_end <= col:
            continue
        cells.append(GridCell(row, col, row_end - row, col_end - col, (bx0 + x0, by0 + y0, bx1 + x0, by1 + y0)))
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(page, region, [v + y0 for v in row_lines], [v + x0 for v in col_lines], cells, open_areas)


def find_grids(gray: np.ndarray, page: int) -> list[Grid]:
    """Every ruled table on a straightened grayscale page, top to bottom."""
    return grids_from_lines(*find_lines(gray), page)


def grids_from_lines(horizontal: np.ndarray, vertical: np.ndarray, page: int, fewest_columns: int = 2) -> list[Grid]:
    """Every ruled table of a page whose ruling lines are found (rules.find_lines), top to bottom.
    `fewest_columns=1` keeps frames of rows without a found column rule too (a table whose only
    column rule is dashed and was missed: digitizer.completion may still find it in its cells)."""
    grids = []
    regions = find_table_regions(horizontal, vertical)
    for region, own_lines in regions:
        grid = find_cells(own_lines, region, page)
        if grid is None or len(grid.cells) == 1 and not _table_frame(region, own_lines, regions, horizontal.shape):
            continue
        if _sheet_edge(grid, region, regions, horizontal.shape):
            continue
        if grid.n_cols >= fewest_columns and (grid.n_rows >= (1 if grid.n_cols >= 2 else 2)
                                              or _one_row(grid.bbox) or len(grid.cells) == 1):
            grids.append(grid)
    return [g for g in grids if not any(_nested(g.bbox, other.bbox) for other in grids if other is not g)]


PAGE_EDGE = 0.8  # of the page's width and height: a frame this big is the sheet's edge in a photo


def _table_frame(region: BBox, lines: np.ndarray, regions: list[tuple[BBox, np.ndarray]],
                 page_shape: tuple[int, int]) -> bool:
    """Whether a frame that encloses no cell may be a table whose inner rules were not found
    (dotted at 75 dpi, blurred; digitizer.completion may still find them in it): one row of a
    table, or one holding pieces of rules joined to it, or any frame round no other table that
    is not the sheet's edge. A photo's page edge round the page's tables is none of these."""
    if _one_row(region) or _pieces_inside(lines, region):
        return True
    x0, y0, x1, y1 = region
    if x1 - x0 >= PAGE_EDGE * page_shape[1] and y1 - y0 >= PAGE_EDGE * page_shape[0]:
        return False
    return not any(other != region and x0 <= other[0] and y0 <= other[1] and other[2] <= x1 and other[3] <= y1
                   for other, _ in regions)


SHEET_CELLS = 4  # the most cells the sheet's edges and a running head's rule close
SHEET_BORDER = 0.01  # of the page's side: a sheet's edge found this near the image's border


def _sheet_edge(grid: Grid, region: BBox, regions: list[tuple[BBox, np.ndarray]], page_shape: tuple[int, int]) -> bool:
    """Whether a grid is the edge of the sheet in a photo or scan (closed by the rule under the
    running head, or by a table's border), not a table: a few cells, reaching the image's border,
    lying round or across a table of the page. Taken for a table, it hid the page's heading from
    the orientation check (a landscape page of table 四 turned on its side), or was taken for the
    table the page ends with (the next page's carried-over row was not joined to table 二)."""
    x0, y0, x1, y1 = region
    height, width = page_shape
    near = SHEET_BORDER * max(height, width)
    at_border = min(x0, y0, width - x1, height - y1) <= near
    if len(grid.cells) > SHEET_CELLS or not at_border:
        return False
    return any(other != region and other[0] < x1 and x0 < other[2] and other[1] < y1 and y0 < other[3]
               for other, _ in regions)


def _pieces_inside(lines: np.ndarray, region: BBox) -> bool:
    """Whether a frame that encloses no cell holds pieces of rules joined to it, together as long as
    the frame is wide: a table whose inner rules (dashed, blurred) were found only in bits, which
    digitizer.completion may find whole. A page's edge or a box round prose holds none."""
    x0, y0, x1, y1 = region
    inset = max(4, (x1 - x0) // 100)
    inner = lines[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
    return bool(np.count_nonzero(inner) >= (x1 - x0))


ROW_SHAPE = 8  # a frame this many times as wide as high is one row of a table


def title_row(grid: Grid) -> bool:
    """Whether a grid is one wide cell alone: a table's title row (a block's 行政复议 over the
    block) that the page break left at the foot of a page, its block on the next page; joined
    to it there (reconstruct.continues), it is the block's header."""
    return grid.n_rows == 1 and grid.n_cols == 1 and _one_row(grid.bbox)


def _one_row(box: BBox) -> bool:
    """Whether a frame with nothing found inside is shaped like one row of a table: the last row
    of table 三 carried over to the next page, its column rules dashed and too short to be found
    (digitizer.completion may find them; a frame left without a column is dropped then)."""
    return box[2] - box[0] >= ROW_SHAPE * (box[3] - box[1])


INSIDE_MARGIN = 4  # pixels: a box this far past another's side still lies inside it


def without_parts(grids: list[Grid]) -> list[Grid]:
    """The grids less any lying inside another that has more cells: such a grid is no table of
    its own but a part of the other (bits of a blurred table's inner rules, found apart from its
    frame, completed into a grid of their own over the table's cells), or a frame round it."""
    return [g for g in grids if not any(other is not g and len(other.cells) > len(g.cells)
                                        and bbox_inside(g.bbox, other.bbox, INSIDE_MARGIN) for other in grids)]



NESTED_AREA = 0.1  # of the enclosing table's area
NESTED_WIDTH = 0.5  # of the enclosing table's width


def _nested(inner: BBox, outer: BBox) -> bool:
    """Whether a grid is a small fragment inside another table: strokes of a cell's print joined
    into "rules" (the 一 and the stems of a label line), not a table of its own. (A table inside
    a page edge's frame is not small beside it, or, two rows of it at the top of the page, it is
    as wide as the page's print: no line of print in a cell is that wide.)"""
    def area(b: BBox) -> int:
        return (b[2] - b[0]) * (b[3] - b[1])

    small = area(inner) < NESTED_AREA * area(outer) and inner[2] - inner[0] < NESTED_WIDTH * (outer[2] - outer[0])
    return bbox_inside(inner, outer) and small
