"""Stage 3b: complete a found grid where its rules are broken, and check it against the text.

The line finder (digitizer.rules) keeps only what is surely a rule; a dotted, dashed or faint
rule it misses leaves two cells merged into one. Inside each found cell such a rule is still
there as ink that runs from wall to wall, in pieces (dotted, dashed) or whole (faint), in a place
where no text lies. Where text is is what PP-OCR's detector says (digitizer.ocr.detect), so that
the strokes of a "1" or of characters aligned line under line are never taken for a rule.

A cheap first look, without the detector, decides whether a grid has anything to complete (an
enclosed area that is no rectangle, light-gray rules, thin pieces of ink lined up in its cells):
on most pages it has not, and the detector never runs. Then, a few rounds of
  cells -> candidate rules inside them (text masked out, never through print) -> those borne out
  by two cells, by a rule the grid already has on that line, or sure by themselves -> the cells
  split along them -> the grid found again.

The text boxes then check the grid: print that a rule cuts, or two pieces of print side by side
in one merged cell across a column rule, means the grid and the text disagree, and the cells are
flagged in the output (GridCell.flags), as are the cells an inferred rule made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .grid import find_cells
from .rules import binarize
from .types import BBox, Grid

FAINT_CONTRAST = 8  # gray levels under the local mean: a light-gray rule still counts as ink
FAINT_RULES = 90  # gray levels: found rules fainter than this under the paper are light gray
MIN_SIDE = 8  # pixels: a cell narrower than this holds no rule
COVER = 0.25  # share of a cell's side (where seen) the pieces of a broken rule cover at least
SOLID = 0.9  # ... or, whole, nearly all of it
WALL_SLACK = 0.1  # share of a cell's side (two pixels at least): a piece this near a wall starts at it
PIECES = 3  # a dotted or dashed rule crosses a cell in at least this many pieces (two where
# the grid has the rule elsewhere on its line: a dashed rule across a low cell)
MANY = 10  # ... and this many even pieces in a row, ALIKE of the spaces between them about
ALIKE = 0.9  # one length, are a rule by themselves (the strokes of print are spaced unevenly)
TYPICAL = 0.75  # share of those pieces of about their usual length
BREAK = 3  # a gap this many times the usual one ends a stretch of dots or dashes
SPAN = 0.4  # share of the cell's side such a stretch covers at least
REACH = 0.15  # share of the cell's side: the most a stretch is carried on to a wall
SEEN_INSET = 0.15  # of a text box's short side: of the margin the detector adds around print,
# what is taken off where ink is judged (the ends of strokes stay under the box)
VISIBLE = 1 / 3  # share of a line that must lie outside text boxes for it to be judged
BESIDE = 3  # pixels either side of a rule that are the rule's (its dots, their blur)
RULE_INK = 4 * BESIDE  # pixels: the widest a rule's blurred ink is (a stroke of print lies further off)
TALLER = 1.15  # a rule's piece at the edge of a text box is this much longer than its print is high
NEAR = 3  # pixels beyond those: where the strokes of a character a rule cuts lie on both sides
WALL = 3  # pixels: how near a cell's walls a rule through it comes
WALL_EDGE = 2  # pixels: the most of a wall a cell's box takes in at its end
THROUGH = 0.1  # share of a line's rows with print on both sides of it: it runs through print
ROUNDS = 12  # of finding rules and splitting cells (a frame whose inner rules all stop short of it
# takes one for its first row rule, one for the column rules below it, more for the rows there;
# a block of cells merged by lost dotted rules gives up one crossing of its rules a round)
CROSSING = 0.25  # share of a text box's ink in each of two cells for it to lie across them
ALONE = 0.9  # share of a box's ink a rule standing alone in it holds (the rest: a crossing, specks)
NEARLY_SOLID = 0.8  # share of a merged cell's width a rule on the grid's row line through it covers
NUMBER_WIDE = 3  # a count's print is no wider than this many times its height
PIECE_GAP = 0.8  # of the print's height: a wider gap between strokes parts two pieces of print
SPECK = 6  # pixels of ink: less is a speck, no stroke
STROKE_SHARE = 0.4  # of the tallest stroke's height in a cell: a lower piece of ink is a dot or speck
BLOT = 0.6  # share of its box a blot of ink fills at least
WORDS = 1.5  # a piece of print this many times as wide as high is a line of words
CENTRED = 0.25  # of a row's height: how far off its middle the print of a row's label lies at most

FLAG_INFERRED = "rule inferred from broken ink between text"
FLAG_CROSSING = "text lies across this cell's rule"
FLAG_RUN_TOGETHER = "two cells' texts may have run together over a broken rule"


@dataclass(frozen=True)
class Candidate:
    vertical: bool
    position: int  # page x of a vertical rule, page y of a horizontal one
    cell: int  # index into the grid's cells
    start: int  # where it runs in the cell: page y of a vertical rule's ends, x of a horizontal's
    end: int
    whole: bool = False  # sure by itself: ink from wall to wall, or a long row of even dots
    pieces: int = 1  # how many dots or dashes (1: whole)


Memo = dict[tuple[BBox, int], np.ndarray]


def _box_ink(gray: np.ndarray, box: BBox, memo: Memo, contrast: int = 15) -> np.ndarray:
    """The ink of a box of the page as booleans, thresholded once per box and contrast for the
    whole completion of a grid (cells recur from round to round, text boxes from check to check)."""
    key = (box, contrast)
    if key not in memo:
        x0, y0, x1, y1 = box
        memo[key] = binarize(gray[y0:y1, x0:x1], contrast) > 0
    return memo[key]


def _area_ink(gray: np.ndarray, grid: Grid, box: BBox, ink: np.ndarray | None, memo: Memo) -> np.ndarray:
    """An area's ink: its own (faint rules counted), or its part of the region's `ink` if given."""
    if ink is None:
        return _box_ink(gray, box, memo, FAINT_CONTRAST)
    x0, y0, x1, y1 = box
    return ink[y0 - grid.bbox[1] : y1 - grid.bbox[1], x0 - grid.bbox[0] : x1 - grid.bbox[0]]


def _region_ink(gray: np.ndarray, grid: Grid) -> np.ndarray:
    """The ink of the grid's region as booleans, on a threshold low enough for light-gray rules."""
    x0, y0, x1, y1 = grid.bbox
    return binarize(gray[y0:y1, x0:x1], FAINT_CONTRAST) > 0


def _thin_pieces(ink: np.ndarray, grid: Grid, upright: bool = False) -> np.ndarray:
    """The pieces of ink thin one way (dots, dashes, lines), as _thin keeps them; `upright`: thin
    across, as the dashes of a column rule are (a "—" printed for 0 is no piece of one)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    thin = max(4, (grid.bbox[2] - grid.bbox[0]) // 150)
    width = stats[:, cv2.CC_STAT_WIDTH]
    keep = (width if upright else np.minimum(width, stats[:, cv2.CC_STAT_HEIGHT])) <= thin
    keep[0] = False
    return keep[labels]


def _thin(ink: np.ndarray, grid: Grid) -> np.ndarray:
    """Only the pieces of ink inside the cells that could belong to a rule (thin one way: dots,
    dashes, lines); the strokes of a character join into blobs thicker than that. (The found
    rules are left out first: a missed rule that meets them would be one blob with them.)"""
    x0, y0 = grid.bbox[:2]
    inside = np.zeros_like(ink)
    for (bx0, by0, bx1, by1), shape in _areas(grid):
        view = inside[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0]
        view |= True if shape is None else shape
    return _thin_pieces(ink & inside, grid)


def _faint(gray: np.ndarray, grid: Grid) -> bool:
    """Whether the grid's found rules are light gray: their darkest tenth less than FAINT_RULES
    gray levels under the paper of the region."""
    x0, y0, x1, y1 = grid.bbox
    region = gray[y0:y1, x0:x1]
    walls = np.ones(region.shape, dtype=bool)
    for bx0, by0, bx1, by1 in (c.bbox for c in grid.cells):
        walls[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = False
    rules = region[walls & (region < np.median(region))]
    return rules.size > 0 and float(np.median(region)) - float(np.percentile(rules, 10)) < FAINT_RULES


def _seen(box: BBox, text: list[BBox]) -> np.ndarray:
    """Where a box's ink is judged: everywhere but under text boxes."""
    x0, y0, x1, y1 = box
    seen = np.ones((y1 - y0, x1 - x0), dtype=bool)
    for tx0, ty0, tx1, ty1 in text:
        seen[max(0, ty0 - y0 - 1) : max(0, ty1 - y0 + 1), max(0, tx0 - x0 - 1) : max(0, tx1 - x0 + 1)] = False
    return seen


def rule_columns(ink: np.ndarray, seen: np.ndarray, margin: int, shape: np.ndarray | None = None,
                 longest: bool = False) -> list[tuple[int, int, int, bool, int]]:
    """Columns of a cell's ink (booleans, rows x columns) where a rule runs, judged where the
    column is seen (not under text): whole from wall to wall, or as a stretch of even dots or
    dashes over much of the cell. One (column, start, end, whole, pieces) per run of such columns; a
    stretch that comes near a wall is carried to it. `shape`: the area's own pixels, where it is
    no rectangle (an L-shaped area: its lost rule runs across its narrow arm, wall to wall there).
    `longest`: of a run of columns, the one whose rule runs longest (else the best covered that
    reads as a rule: down a tall area, print beside the rule may cover a column next to it more)."""
    height, width = ink.shape
    if height < MIN_SIDE or width <= 2 * margin:
        return []
    band = ink.copy()  # a rule one pixel off straight across the cell is still one column
    band[:, 1:] |= ink[:, :-1]
    band[:, :-1] |= ink[:, 1:]
    visible = seen.sum(axis=0)
    cover = (band & seen).sum(axis=0) / np.maximum(visible, 1)
    room = shape.sum(axis=0) if shape is not None else np.full(width, height)
    found = (cover >= COVER) & (visible >= VISIBLE * room) & (room >= MIN_SIDE)
    found[:margin] = found[width - margin :] = False
    columns, x = [], 0
    while x < width:
        if found[x]:
            end = x
            while end + 1 < width and found[end + 1]:
                end += 1
            # The best covered column of the run that reads as a rule (dots blurred into the
            # column beside may read as uneven pieces there).
            readings = []
            for best in x + np.argsort(-cover[x : end + 1], kind="stable"):
                inside = np.flatnonzero(shape[:, best]) if shape is not None else np.array([0, height - 1])
                top, bottom = int(inside[0]), int(inside[-1]) + 1
                stretch = _rule(band[top:bottom, best], seen[top:bottom, best])
                if stretch is not None:
                    start, stop, whole, pieces = stretch
                    readings.append((int(best), top + start, top + stop, whole, pieces))
                    if not longest:
                        break
            if readings:
                columns.append(max(readings, key=lambda r: r[2] - r[1]))
            x = end + 1
        else:
            x += 1
    return columns


def _even(lengths: np.ndarray, share: float = TYPICAL) -> bool:
    """Most lengths about the usual one (dots or dashes and the spaces between them; the strokes
    of a line of print that a row cuts are of all lengths and all spacings)."""
    usual = float(np.median(lengths))
    # Half the usual length either way, and two pixels of slack for dots a pixel or two apart.
    return float(np.mean(np.abs(lengths - usual) <= max(2.0, 0.5 * usual))) >= share


def _dashes_even(pieces: np.ndarray, spaces: np.ndarray, cut_at_start: bool, cut_at_end: bool) -> bool:
    """Whether the dots or dashes of a line that the walls did not cut short are of one length: a
    dashed rule is drawn without regard to the cells it crosses, so its first and last dash in a
    cell may be any part of a dash."""
    whole = pieces[int(cut_at_start) : len(pieces) - int(cut_at_end)]
    if len(whole):
        return _even(whole)
    # Two pieces, both cut: a rule broken once, where the space between them is no longer than
    # the longer piece.
    return (len(pieces) == 2 and spaces[0] <= max(pieces)) or _even(pieces)


def _rule(line: np.ndarray, seen: np.ndarray, cut_short: bool = False) -> tuple[int, int, bool, int] | None:
    """Where a line of ink is a rule (start, end, whole, pieces): nearly whole where seen, or its longest
    stretch of dots or dashes mostly of one length and evenly spaced. Print that happens to line up
    (a "—" in each of two merged cells and the dotted rule between them) is of all lengths; a
    dotted rule crossing the line is one dot far from the next. `cut_short`: the line lies where
    the grid has the rule in other rows, and dashes cut short by the walls count (see
    _dashes_even); elsewhere a thick rule's edge, slanting out of the wall's margin, would."""
    where = np.flatnonzero(seen)
    ink = line[where]
    if ink.mean() >= SOLID:
        return 0, len(line), True, 1
    edges = np.diff(np.concatenate(([0], ink.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    # A pixel or two of the wall at an end of the line (the cell's box reaches into it) is no
    # dash of the rule: it would make two long dashes uneven.
    if len(starts) > 2 and ends[-1] == len(ink) and ends[-1] - starts[-1] <= WALL_EDGE:
        starts, ends = starts[:-1], ends[:-1]
    if len(starts) > 2 and starts[0] == 0 and ends[0] <= WALL_EDGE:
        starts, ends = starts[1:], ends[1:]
    if len(starts) < 2:
        return None
    gaps = starts[1:] - ends[:-1]
    breaks = np.flatnonzero(gaps > BREAK * max(float(np.median(gaps)), 1.0))
    bounds = np.concatenate(([0], breaks + 1, [len(starts)]))
    first, last = max(zip(bounds[:-1], bounds[1:]), key=lambda b: ends[b[1] - 1] - starts[b[0]])
    pieces = ends[first:last] - starts[first:last]
    spaces = starts[first + 1 : last] - ends[first : last - 1]
    if last - first < 2 or not _even(spaces):
        return None
    if cut_short:
        slack = max(2.0, WALL_SLACK * len(ink))  # a wall is drawn a pixel or two off the cell's box
        if not _dashes_even(pieces, spaces, starts[first] <= slack, len(ink) - ends[last - 1] <= slack):
            return None
    elif not _even(pieces):
        return None
    start, end = int(where[starts[first]]), int(where[ends[last - 1] - 1]) + 1
    if end - start < SPAN * len(line):
        return None
    # Dots stop a dot or two short of the rule they meet: as far as that, carried to the wall.
    # Counted in rows seen: the dashes next to a wall may lie under a text box (the detector took
    # them in with the print beside them), and where nothing is seen nothing says the rule stops.
    period = float(np.median(pieces) + np.median(spaces))
    reach = min(REACH * len(line), 2 * period)
    if cut_short:
        # Where the grid has the rule in other rows, a dash's length and space short of a wall is
        # where the dashes' phase left it (two dashes across a low row, their next one cut off).
        reach = max(reach, min(period, 2 * REACH * len(line)))
    to_start = starts[first] <= reach
    to_end = len(where) - ends[last - 1] <= reach
    # So many pieces in a row, spaced nearly alike, are a rule by themselves.
    whole = last - first >= MANY and _even(spaces, ALIKE)
    return (0 if to_start else start), (len(line) if to_end else end), whole, last - first


def _cuts(gray: np.ndarray, box: BBox, position: int, vertical: bool, memo: Memo,
          near: int | None = None) -> bool:
    """Whether a rule at `position` (x of a vertical one, y of a horizontal one) would cut the
    print of a text box in two: print on both sides of it, a little way off the rule (a number
    set against a dotted rule has its box across the rule, but no print beyond it). A rule never
    runs through print. `near`: print within so many pixels beyond that on both sides (the
    strokes of a character it would cut; two numbers set either side of a rule that the detector
    took for one line of text keep their distance)."""
    x0, y0, x1, y1 = box
    if not (x0 < position < x1 if vertical else y0 < position < y1):
        return False
    ink = _box_ink(gray, box, memo)
    at = position - (x0 if vertical else y0)
    if not vertical:
        ink = ink.T
    ink = _without_crossing_rules(ink)
    low, high = _own_ink(np.asarray(ink.any(axis=0)), at)
    before = ink[:, : max(0, low)]
    after = ink[:, high:]
    if near is not None:
        before, after = before[:, before.shape[1] - near :], after[:, :near]
    return bool(before.any() and after.any())


def _clipped(boxes: list[BBox], to: BBox) -> list[BBox]:
    """The parts of `boxes` inside box `to`, those that have one."""
    x0, y0, x1, y1 = to
    parts = [(max(b[0], x0), max(b[1], y0), min(b[2], x1), min(b[3], y1)) for b in boxes]
    return [b for b in parts if b[0] < b[2] and b[1] < b[3]]


def _areas(grid: Grid) -> list[tuple[BBox, np.ndarray | None]]:
    """Where rules may be missing: every cell, and every enclosed area that is no rectangle."""
    return [(cell.bbox, None) for cell in grid.cells] + list(grid.open_areas)


def candidates(gray: np.ndarray, grid: Grid, text: list[BBox], ink: np.ndarray | None = None,
               prints: list[BBox] | None = None, memo: Memo | None = None) -> list[Candidate]:
    """Rules inside the grid's cells (and open areas) the line finder did not keep, given the text
    boxes (and `prints`, the extent of their print, where ink is not judged). Each cell's ink is
    found on its own (the dark walls around it would lift a threshold taken over the whole region),
    unless `ink` gives the region's. Candidate.cell indexes _areas(grid)."""
    found = []
    memo = {} if memo is None else memo
    margin = _tolerance(grid)  # nearer a wall, ink is the wall (or what a drawn rule left of it)
    cores = prints if prints is not None else [_core(t, SEEN_INSET) for t in text]
    for index, (box, shape) in enumerate(_areas(grid)):
        x0, y0, x1, y1 = box
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            continue
        seen = _seen(box, cores)
        ink_of = _area_ink(gray, grid, box, ink, memo)
        if shape is not None:
            seen &= shape
        # A rule never runs through print: a line that would cut a text box in two is none (the
        # box without its margin: a rule may run through that).
        # Within the cell, off its walls by the margin: a box reaching over them (the corner of
        # a rule the detector took in with the print) would count the wall's ink as print either
        # side of the line.
        # (A cell lower or narrower than the two margins has no inside.)
        # (A box whose print is none, a rule or its dots alone, holds nothing to cut.)
        printed = [t for t, core in zip(text, cores) if core[0] < core[2] and core[1] < core[3]]
        inside = _clipped(printed, (x0 + margin, y0 + margin, x1 - margin, y1 - margin))
        # ... nor down through print the detector missed (light print in a blurred scan): the
        # upright strokes of its characters would line up as the pieces of a rule. (Not across:
        # at 75 dpi a row rule lies a pixel or two under its header's print.)
        for x, start, end, whole, pieces in rule_columns(ink_of, seen, margin, shape):
            if _through_print(ink_of[start:end], x):
                continue
            if not any(_cuts(gray, t, x0 + x, True, memo) for t in inside if t[1] < y0 + end and t[3] > y0 + start):
                found.append(Candidate(True, x0 + x, index, y0 + start, y0 + end, whole, pieces))
        across = shape.T if shape is not None else None
        for y, start, end, whole, pieces in rule_columns(ink_of.T, seen.T, margin, across):
            if not any(_cuts(gray, t, y0 + y, False, memo) for t in inside if t[0] < x0 + end and t[2] > x0 + start):
                found.append(Candidate(False, y0 + y, index, x0 + start, x0 + end, whole, pieces))
    return (found + _down_stacked_cells(gray, grid, text, cores, ink, memo)
            + _on_grid_lines(gray, grid, text, ink, memo) + _apart_on_grid_lines(gray, grid, memo)
            + _solid_on_grid_rows(gray, grid, ink, memo) + _rules_carried_on(gray, grid, memo)
            + (_apart_side_by_side(grid, prints) if prints is not None else []))


def _stacks(grid: Grid) -> list[list[int]]:
    """Runs of two or more cells stacked one on another between the same two walls (indexes
    into the grid's cells, top first)."""
    tolerance = _tolerance(grid)
    by_row: dict[int, list[int]] = {}
    for i, cell in enumerate(grid.cells):
        by_row.setdefault(cell.row, []).append(i)
    below: dict[int, int] = {}
    for i, upper in enumerate(grid.cells):
        for j in by_row.get(upper.row + upper.row_span, []):
            lower = grid.cells[j].bbox
            if abs(lower[0] - upper.bbox[0]) <= tolerance and abs(lower[2] - upper.bbox[2]) <= tolerance:
                below[i] = j
    stacks = []
    for top in sorted(set(below) - set(below.values())):
        stack = [top]
        while stack[-1] in below:
            stack.append(below[stack[-1]])
        stacks.append(stack)
    return stacks


def _down_stacked_cells(gray: np.ndarray, grid: Grid, text: list[BBox], cores: list[BBox],
                        ink: np.ndarray | None, memo: Memo) -> list[Candidate]:
    """Column rules down a stack of cells between the same two walls, judged down the whole
    stack: dashes longer than the rows are low leave one or two pieces in each cell (a Word
    table's dashed rules across a header row and its row of counts), too few to tell from print
    there; down the stack they are a row of even dashes. As on the grid's own lines, the ink is
    judged text boxes or not (a header's words either side of the rule are one box of the
    detector's), but never through print. A rule found from top to bottom of the stack (the
    stretch most of a run of columns shows: print beside a rule covers the column next to it
    more) is a candidate in each of its cells."""
    found = []
    margin = _tolerance(grid)
    for stack in _stacks(grid):
        boxes = [grid.cells[i].bbox for i in stack]
        x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
        y0, y1 = boxes[0][1], boxes[-1][3]
        if x1 - x0 <= 2 * margin:
            continue
        box = (x0, y0, x1, y1)
        # Print the detector missed is looked for where it found none, off the walls (a row
        # rule's dashes lie on both sides of the line).
        walls = np.zeros(y1 - y0, dtype=bool)
        for _, top, _, _ in boxes[1:]:
            walls[max(0, top - y0 - margin) : top - y0 + margin] = True
        walls[:margin] = walls[-margin:] = True
        untexted = _seen(box, cores)
        untexted[walls] = False
        area = _area_ink(gray, grid, box, ink, memo)
        # Text boxes within each cell: a box reaching over a wall between them would count its ink.
        inside = [t for b in boxes for t in _clipped(text, b)]
        # Judged on the thin pieces of ink alone: dashes are; the strokes of a character join in
        # a blob (the wrapped labels of a column of label cells line up in pieces from row to row).
        # A dash across a wall is cut from the wall's rule first, and given its piece of it back.
        off_walls = area.copy()
        off_walls[walls] = False
        dashes = _thin_pieces(off_walls, grid, upright=True)
        thin = dashes | (area & walls[:, None])
        everywhere = np.ones(area.shape, dtype=bool)
        untexted_ink = area & untexted
        for x, start, end, _, pieces in rule_columns(thin, everywhere, margin, longest=True):
            if pieces < PIECES or start > margin or end < (y1 - y0) - margin:
                continue
            # Its dashes run on where no text is (a column of counts, one a row, is all in text):
            # dashes, not the walls every line down the stack crosses, nor print the detector missed.
            clear = untexted[:, x]
            if not clear.any() or dashes[clear, max(0, x - 1) : x + 2].any(axis=1).mean() < COVER:
                continue
            if _through_print(untexted_ink, x) or any(_cuts(gray, t, x0 + x, True, memo, NEAR) for t in inside):
                continue
            found += [Candidate(True, x0 + x, i, b[1], b[3], False, pieces) for i, b in zip(stack, boxes)]
    return found


def _apart_side_by_side(grid: Grid, prints: list[BBox]) -> list[Candidate]:
    """The grid's column lines through a merged cell where short pieces of print stand side by
    side on one line, some each side of the line and none across it: two counts whose column
    rule was left undrawn ("3" and "/" read as one, "31"). Each piece is no wider than a few
    characters are high (a number, a dash); words across two columns ("（二）部分公开") are
    wider, and a number centred in a merged cell has print on one side of each line only."""
    found = []
    for index, cell in enumerate(grid.cells):
        if cell.col_span < 2:
            continue
        x0, y0, x1, y1 = cell.bbox
        inside = [p for p in prints if p[0] < p[2] and x0 <= (p[0] + p[2]) / 2 < x1 and y0 <= (p[1] + p[3]) / 2 < y1]
        if len(inside) < 2:
            continue
        high = max(p[3] - p[1] for p in inside)
        top, bottom = max(p[1] for p in inside), min(p[3] for p in inside)
        if bottom <= top or any(p[2] - p[0] > NUMBER_WIDE * high for p in inside):
            continue  # not one line of short pieces
        for line in grid.col_lines[cell.col + 1 : cell.col + cell.col_span]:
            sides = {p[2] < line for p in inside if p[2] < line or p[0] > line}
            if sides == {True, False} and not any(p[0] <= line <= p[2] for p in inside):
                found.append(Candidate(True, line, index, y0, y1, whole=True))
    return found


def _apart_in_ink(gray: np.ndarray, grid: Grid, memo: Memo) -> bool:
    """Whether a merged cell holds short pieces of print side by side on one line with a column
    line of the grid in the gap between two of them: what _apart_side_by_side looks for in the
    text boxes, seen by the first look in the ink alone ("101" and "5" under two column headers,
    the rule between them left undrawn in that row), so that the detector runs. A label across
    two columns is one piece of words, wider than a count; a lost rule's dots are no print."""
    margin = _tolerance(grid)
    for cell in grid.cells:
        x0, y0, x1, y1 = cell.bbox
        if cell.col_span < 2 or x1 - x0 <= 2 * margin + MIN_SIDE or y1 - y0 <= 2 * margin + MIN_SIDE:
            continue
        pieces = _pieces_of_print(_box_ink(gray, cell.bbox, memo)[margin:-margin, margin:-margin])
        gaps = [(a[1] + x0 + margin, b[0] + x0 + margin) for a, b in zip(pieces, pieces[1:])]
        if any(left < line < right for line in grid.col_lines[cell.col + 1 : cell.col + cell.col_span]
               for left, right in gaps):
            return True
    return False


def _pieces_of_print(ink: np.ndarray) -> list[tuple[int, int]]:
    """The x extents of the pieces of print on one line of a cell's ink, each no wider than a
    count; none where the print is no such line (two lines, a piece of words, nothing)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    strokes = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= SPECK]
    tallest = max((s[3] for s in strokes), default=0)
    # Dots and specks (a lost rule's, noise) are far lower than the strokes of print.
    strokes = sorted((s for s in strokes if s[3] >= STROKE_SHARE * tallest), key=lambda s: s[0])
    if len(strokes) < 2:
        return []
    top, bottom = max(s[1] for s in strokes), min(s[1] + s[3] for s in strokes)
    high = max(s[1] + s[3] for s in strokes) - min(s[1] for s in strokes)
    if bottom <= top:
        return []  # not one line
    pieces: list[list[int]] = []
    for x, _, w, _, _ in strokes:
        if pieces and x - pieces[-1][1] < PIECE_GAP * high:
            pieces[-1][1] = max(pieces[-1][1], x + w)
        else:
            pieces.append([x, x + w])
    if len(pieces) < 2 or any(b - a > NUMBER_WIDE * high for a, b in pieces):
        return []
    return [(a, b) for a, b in pieces]


def _on_grid_lines(gray: np.ndarray, grid: Grid, text: list[BBox], ink: np.ndarray | None,
                   memo: Memo) -> list[Candidate]:
    """Rules on the grid's own lines through its merged cells, judged on all the ink along the
    line, text boxes or not: numbers set against a dotted rule have their boxes over it (and
    hide it from `candidates`), but their print stops short of it, and the dots between them run
    on, evenly, where the grid has its rule in other rows. Never through print."""
    found = []
    reach = 2  # pixels either side of the grid's line: a slanting or blurred rule
    wall = _tolerance(grid)  # the ends of the line: the cell's walls (their dots), not its rule
    for index, cell in enumerate(grid.cells):
        x0, y0, x1, y1 = cell.bbox
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            continue
        ink_of = _area_ink(gray, grid, cell.bbox, ink, memo)
        # Text boxes within the cell: a box reaching over the cell's walls would count their ink.
        inside = _clipped(text, cell.bbox)
        # Column rules only: numbers are set against the side of their cell, not its top, and the
        # row lines through a merged label cell run between the lines of its wrapped text (whose
        # strokes at the baseline look like dots).
        height = y1 - y0
        # ... no more than an eighth of a low row, whose dashes would else be left out with them.
        ends = min(wall, max(2, height // 8))
        for line in grid.col_lines[cell.col + 1 : cell.col + cell.col_span]:
            at = line - x0
            if not reach <= at < x1 - x0 - reach:
                continue
            band = ink_of[ends : height - ends, at - reach : at + reach + 1]
            if band.shape[0] < MIN_SIDE:
                continue
            # The middle of the most inked columns: a blurred rule is several columns wide.
            sums = band.sum(axis=0)
            best = int(np.median(np.flatnonzero(sums == sums.max())))
            if sums[best] < COVER * band.shape[0]:
                continue
            stretch = _rule(band[:, best], np.ones(band.shape[0], bool), cut_short=True)
            if stretch is None:
                continue
            start, end, whole, pieces = stretch
            # Carried to the walls where it reaches their margin (as _rule carries a stretch).
            start = 0 if start == 0 else start + ends
            end = height if end == band.shape[0] else end + ends
            column = at - reach + best
            candidate = Candidate(True, x0 + column, index, y0 + start, y0 + end, whole, pieces)
            # Two dashes from wall to wall where the grid has the rule elsewhere on its line:
            # a dashed rule across a low row; not across the whole table (a block's title row,
            # whose characters may stand on the line).
            low_row = cell.col_span < grid.n_cols and _wall_to_wall(candidate, grid)
            if not (whole or pieces >= PIECES or low_row):
                continue
            # A solid stretch is a rule that meets the cell's walls; a glyph's stroke as tall as a
            # low cell (a "）") stops short of them.
            if whole and not (ink_of[:WALL, column].any() and ink_of[-WALL:, column].any()):
                continue
            if _through_print(ink_of, column) or any(_cuts(gray, t, x0 + column, True, memo, NEAR) for t in inside):
                continue
            found.append(candidate)
    return found


def _solid_on_grid_rows(gray: np.ndarray, grid: Grid, ink: np.ndarray | None, memo: Memo) -> list[Candidate]:
    """Row rules on the grid's own row lines through merged cells where the ink is nearly solid
    along them: a light rule that print set close over it broke in the threshold (the strokes
    lower the local mean; 机构 of a header written a line a word, on the rule over its count).
    Nearly solid only, and not through print: the foot of a wrapped label's line of text, on
    such a line, is broken far more."""
    found = []
    reach = 2  # pixels either side of the grid's line: a slanting or blurred rule
    margin = _tolerance(grid)
    for index, cell in enumerate(grid.cells):
        x0, y0, x1, y1 = cell.bbox
        if cell.row_span < 2 or x1 - x0 <= 2 * margin + MIN_SIDE:
            continue
        ink_of = _area_ink(gray, grid, cell.bbox, ink, memo)
        for line in grid.row_lines[cell.row + 1 : cell.row + cell.row_span]:
            at = line - y0
            if not reach <= at < y1 - y0 - reach:
                continue
            cover = ink_of[at - reach : at + reach + 1, margin : x1 - x0 - margin].mean(axis=1)
            row = at - reach + int(np.argmax(cover))
            if cover.max() >= NEARLY_SOLID and not _through_print(ink_of.T, row):
                found.append(Candidate(False, y0 + row, index, x0, x1, whole=True))
    return found


def _apart_on_grid_lines(gray: np.ndarray, grid: Grid, memo: Memo) -> list[Candidate]:
    """The grid's row lines through a merged cell (or an enclosed area) where a rule was not
    drawn (two rows' cells merged by hand) or not found (faint, with print close to it), judged by
    the print either side: a line of words in the middle of each of the two rows, none crossing
    the line ("（七）总计" over "四、结转下年度继续办理"). The lines of one label wrapped in a cell
    over many rows are not each in the middle of a row; characters written one a line are no
    line of words."""
    found = []
    margin = _tolerance(grid)
    half = RULE_INK // 2
    for index, (box, shape) in enumerate(_areas(grid)):
        x0, y0, x1, y1 = box
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            continue
        ink = _box_ink(gray, box, memo, FAINT_CONTRAST)
        if shape is not None:
            ink = ink & shape
        lines = [y0] + [y for y in grid.row_lines if y0 + margin < y < y1 - margin] + [y1]
        for above, at, below in zip(lines, lines[1:-1], lines[2:]):
            at -= y0
            if _through_print(ink.T, at, half):
                continue
            # Each stretch of the area the line crosses is judged on its own: an area whose rule
            # was found only in part (an L round two columns of characters written one a line)
            # would else show a character of each column side by side as a line of words.
            for left, right in _stretches(shape[at]) if shape is not None else [(0, x1 - x0)]:
                sides = [ink[above - y0 + margin : at - half, left + margin : right - margin],
                         ink[at + half : below - y0 - margin, left + margin : right - margin]]
                if all(side.size and _line_of_words(side) for side in sides):
                    found.append(Candidate(False, y0 + at, index, x0 + left, x0 + right, whole=True))
    return found


def _rules_carried_on(gray: np.ndarray, grid: Grid, memo: Memo) -> list[Candidate]:
    """Row rules carried on through an enclosed area that is no rectangle, where a rule of the
    grid's row line ends at the area: a rule does not end in mid-air. The area (the label cells
    of two rows and the group label column under them, their light rules lost over the narrow
    group column only) crosses the row line in a stretch beside which the line's rule bounds it,
    the area on one side of the rule at least; the rule goes on across the stretch, unless that
    would cut print."""
    found = []
    margin = _tolerance(grid)
    probe = RULE_INK
    for index, (box, shape) in enumerate(_areas(grid)):
        if shape is None:
            continue
        x0, y0, x1, y1 = box
        ink = _box_ink(gray, box, memo, FAINT_CONTRAST)
        height, width = shape.shape
        for line in (y for y in grid.row_lines if y0 + margin < y < y1 - margin):
            at = line - y0
            if not probe <= at < height - probe or _through_print(ink.T, at, RULE_INK // 2):
                continue
            for left, right in _stretches(shape[at]):
                beside = [x for x in (left - probe, right + probe) if 0 <= x < width and not shape[at, x]]
                if any(shape[at - probe, x] or shape[at + probe, x] for x in beside):
                    found.append(Candidate(False, line, index, x0 + left, x0 + right, whole=True))
    return found


def _stretches(row: np.ndarray) -> list[tuple[int, int]]:
    """The runs of True in a row of booleans, as (start, end) with end exclusive."""
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _line_of_words(side: np.ndarray) -> bool:
    """Whether the print of one row's band is a line of words in the middle of it."""
    rows, cols = np.flatnonzero(side.any(axis=1)), np.flatnonzero(side.any(axis=0))
    if rows.size == 0:
        return False
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    middle = (rows[0] + rows[-1]) / 2
    return width >= WORDS * height and abs(middle - side.shape[0] / 2) <= CENTRED * side.shape[0]


def _through_print(ink: np.ndarray, at: int, rule: int = BESIDE) -> bool:
    """Whether a line down column `at` of a cell's ink runs through print: on many of its rows ink
    lies just beside it on both sides (the strokes of the characters it would cut; a number set
    against a rule lies on one side only, and a rule's dots are narrower than that). `rule`:
    pixels either side of the line that are its own ink."""
    left = ink[:, max(0, at - rule - NEAR) : max(0, at - rule)].any(axis=1)
    right = ink[:, at + rule + 1 : at + rule + 1 + NEAR].any(axis=1)
    return bool(np.mean(left & right) > THROUGH)


def _tolerance(grid: Grid) -> int:
    """How far apart two findings of one rule may lie (its thickness, blur and slant)."""
    return max(4, (grid.bbox[2] - grid.bbox[0]) // 100)


def _borne_out(found: list[Candidate], grid: Grid, fewest: int = 2) -> list[tuple[int, list[Candidate]]]:
    """Candidates grouped by position along each axis, with the position each group's rule is
    drawn at; a group stands where two cells show the rule, or where the grid already has a rule
    at that place (a rule broken in one cell only: drawn on it), or where the rule is sure by
    itself (a faint rule from wall to wall under a spanning header, a long row of dots between a
    group label and its rows). `fewest`: the fewest pieces a rule on a grid line may show."""
    tolerance = _tolerance(grid)
    groups = []
    for vertical, lines in ((True, grid.col_lines), (False, grid.row_lines)):
        ordered = sorted((c for c in found if c.vertical == vertical), key=lambda c: c.position)
        runs: list[list[Candidate]] = []
        for c in ordered:
            if runs and c.position - runs[-1][-1].position <= tolerance:
                runs[-1].append(c)
            else:
                runs.append([c])
        for run in runs:
            centre = float(np.median([c.position for c in run]))
            nearest = min(lines, key=lambda line: abs(line - centre))
            if abs(nearest - centre) <= tolerance:
                if any(c.pieces >= fewest or c.whole for c in run):
                    groups.append((nearest, run))
            elif any(c.whole for c in run) or (len({c.cell for c in run}) >= 2
                                               and max(c.pieces for c in run) >= PIECES):
                groups.append((int(round(centre)), run))
            elif len({c.cell for c in run}) >= 2 and all(_wall_to_wall(c, grid) for c in run):
                # Dashes longer than a low row is high leave two pieces in each of its cells:
                # a rule where they run from wall to wall in two cells or more.
                groups.append((int(round(centre)), run))
            elif vertical and grid.n_rows == 1 and any(c.pieces >= PIECES and _wall_to_wall(c, grid) for c in run):
                # A frame one row high (a table's last row carried over to the next page) has no
                # second cell to bear a column rule out: its dashes from wall to wall do.
                groups.append((int(round(centre)), run))
    return groups


def _wall_to_wall(candidate: Candidate, grid: Grid) -> bool:
    """Whether a candidate crosses its cell (not an open area) from one wall to the other."""
    if candidate.cell >= len(grid.cells):
        return False
    x0, y0, x1, y1 = grid.cells[candidate.cell].bbox
    low, high = (y0, y1) if candidate.vertical else (x0, x1)
    return candidate.start <= low and candidate.end >= high


def _split(grid: Grid, groups: list[tuple[int, list[Candidate]]], shape: tuple[int, int]) -> Grid | None:
    """The grid found again with the borne-out rules drawn through their cells."""
    x0, y0, x1, y1 = grid.bbox
    mask = np.zeros(shape, dtype=np.uint8)
    mask[y0:y1, x0:x1] = 255
    for (bx0, by0, bx1, by1), area in grid.open_areas:
        mask[by0:by1, bx0:bx1][area] = 0
    # Each cell's walls one pixel thick, a pixel outside its box: find_cells thickens lines by a
    # pixel either way, so the cells come back the size they were (round after round), and a
    # cell inside another's box (an L-shaped merged cell around it) keeps its walls.
    for cell in grid.cells:
        bx0, by0, bx1, by1 = cell.bbox
        mask[max(0, by0 - 1) : by1 + 1, max(0, bx0 - 1) : bx1 + 1] = 0
    for cell in grid.cells:
        bx0, by0, bx1, by1 = cell.bbox
        cv2.rectangle(mask, (bx0 - 2, by0 - 2), (bx1 + 1, by1 + 1), 255, 1)
    for position, group in groups:
        for c in group:
            if c.vertical:
                mask[c.start : c.end, position : position + 2] = 255
            else:
                mask[position : position + 2, c.start : c.end] = 255
    return find_cells(mask, grid.bbox, grid.page)


def _flag(grid: Grid, flagged: dict[int, str]) -> Grid:
    if not flagged:
        return grid
    return replace(grid, cells=[replace(c, flags=c.flags + (flagged[i],)) if i in flagged else c
                                for i, c in enumerate(grid.cells)])


def _flag_crossings(gray: np.ndarray, grid: Grid, text: list[BBox], memo: Memo) -> Grid:
    """Cells that the print of a text box lies across (a share of its ink in each), flagged. The
    ink, not the box: a detected box reaches past its print, over a rule set close to it."""
    if not text or not grid.cells:
        return grid
    cells = np.asarray([c.bbox for c in grid.cells], dtype=np.int64)
    crossed: dict[int, str] = {}
    for tx0, ty0, tx1, ty1 in text:
        near = np.flatnonzero((cells[:, 0] < tx1) & (cells[:, 2] > tx0) & (cells[:, 1] < ty1) & (cells[:, 3] > ty0))
        if len(near) < 2:
            continue
        ink = _box_ink(gray, (tx0, ty0, tx1, ty1), memo)
        counts = []
        for i in near:
            bx0, by0, bx1, by1 = cells[i]
            counts.append(int(ink[max(0, by0 - ty0) : max(0, by1 - ty0), max(0, bx0 - tx0) : max(0, bx1 - tx0)].sum()))
        total = max(1, sum(counts))
        holding = [int(i) for i, n in zip(near, counts) if n / total >= CROSSING]
        if len(holding) >= 2:
            crossed.update((i, FLAG_CROSSING) for i in holding)
    return _flag(grid, crossed)


def _flag_run_together(grid: Grid, text: list[BBox]) -> Grid:
    """Merged cells holding two pieces of print side by side on one line with a column rule of
    the grid between them: two cells' texts that may read as one (print over a broken rule)."""
    flagged: dict[int, str] = {}
    for index, cell in enumerate(grid.cells):
        if cell.col_span < 2:
            continue
        x0, y0, x1, y1 = cell.bbox
        lines = grid.col_lines[cell.col + 1 : cell.col + cell.col_span]
        inside = sorted(t for t in text if x0 <= (t[0] + t[2]) / 2 < x1 and y0 <= (t[1] + t[3]) / 2 < y1)
        for a, b in zip(inside, inside[1:]):
            one_line = min(a[3], b[3]) - max(a[1], b[1]) >= 0.5 * min(a[3] - a[1], b[3] - b[1])
            if one_line and a[2] <= b[0] + BESIDE and any(a[0] < line < b[2] for line in lines):
                flagged[index] = FLAG_RUN_TOGETHER
    return _flag(grid, flagged)


def _flag_new(grid: Grid, before: Grid) -> Grid:
    """Cells that are pieces of a cell of the grid before (split by an inferred rule), flagged."""
    old = np.asarray([c.bbox for c in before.cells], dtype=np.int64)
    tolerance = _tolerance(grid)
    out = []
    for cell in grid.cells:
        cx, cy = (cell.bbox[0] + cell.bbox[2]) / 2, (cell.bbox[1] + cell.bbox[3]) / 2
        holding = np.flatnonzero((old[:, 0] <= cx) & (cx < old[:, 2]) & (old[:, 1] <= cy) & (cy < old[:, 3]))
        width, height = cell.bbox[2] - cell.bbox[0], cell.bbox[3] - cell.bbox[1]
        piece = any(old[i, 2] - old[i, 0] > width + 2 * tolerance or old[i, 3] - old[i, 1] > height + 2 * tolerance
                    for i in holding)
        out.append(replace(cell, flags=cell.flags + (FLAG_INFERRED,)) if piece else cell)
    return replace(grid, cells=out)


def _own_ink(inked: np.ndarray, at: int) -> tuple[int, int]:
    """The columns of a box (`inked`: which hold ink) that are the rule's at `at` itself: BESIDE
    either way, and the whole run of inked columns it lies in where that run is no wider than a
    blurred rule (the detector takes a dashed rule standing alone for a line of text; its box then
    holds the rule and nothing else, which the rule does not cut)."""
    low, high = max(0, at - BESIDE), at + BESIDE + 1
    near = np.flatnonzero(inked[low:high])
    if not len(near):
        return low, high
    start, end = low + int(near[0]), low + int(near[-1]) + 1
    while start > 0 and inked[start - 1]:
        start -= 1
    while end < len(inked) and inked[end]:
        end += 1
    if end - start <= RULE_INK:
        low, high = min(low, start), max(high, end)
    return low, high


def _print_box(gray: np.ndarray, box: BBox, memo: Memo) -> BBox:
    """Where a detected text box's print lies: the box less its margin (_core), and less a thin
    rule that runs along its edge, apart from the print (a number set against a dotted rule: the
    box takes in the rule, which must stay seen to be found)."""
    x0, y0, x1, y1 = _core(box, SEEN_INSET)
    if x1 <= x0 or y1 <= y0:
        return x0, y0, x1, y1
    ink = _box_ink(gray, (x0, y0, x1, y1), memo)
    if _dot(ink):
        # Where two dotted rules cross, their dots blur into one blot, which the detector takes
        # for a character; no character is that small.
        return x0, y0, x0, y0
    if _rule_alone(ink) or _rule_alone(ink.T, dotted_only=True):
        # A dashed or dotted column rule standing alone, which the detector reads as a line of
        # text (a word processor's borders in a cell of a comb of them), or a dotted row rule
        # lying across a cell. It is no print: the rule there must stay seen to be found.
        return x0, y0, x0, y0
    bounds = [x0, y0, x1, y1]
    for axis, (low, high) in ((0, (0, 2)), (1, (1, 3))):
        runs = _stretches(np.asarray(ink.any(axis=axis)))
        if len(runs) > 1 and _rule_at_edge(ink, axis, runs[-1], (runs[0][0], runs[-2][1])):
            bounds[high] = bounds[low] + int(runs[-1][0]) - 1
        if len(runs) > 1 and _rule_at_edge(ink, axis, runs[0], (runs[1][0], runs[-1][1])):
            bounds[low] += int(runs[0][1]) + 1
    return bounds[0], bounds[1], bounds[2], bounds[3]


def _dot(ink: np.ndarray) -> bool:
    """Whether a box's ink is one blot about as wide as high, filled, and no larger than two
    blurred rules crossing (a "1" is narrow, a "0" hollow, a character larger)."""
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return False
    high, wide = int(np.ptp(rows)) + 1, int(np.ptp(columns)) + 1
    filled = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1].mean()
    return max(high, wide) <= RULE_INK + BESIDE and 0.75 <= high / wide <= 4 / 3 and filled >= BLOT


def _rule_alone(ink: np.ndarray, dotted_only: bool = False) -> bool:
    """Whether a box's ink is nothing but a narrow upright run: a rule's dashes, or its dots,
    whose blur spreads a fringe a few pixels either side and whose gaps leave rows without ink.
    A row or two of a crossing rule at the box's top or bottom (the box reaching over the cell's
    wall) is left out. `dotted_only`: only a row of even dots or dashes, PIECES at least (a row
    rule lying across the box; one long dash, or two, may be a "—" or "——" printed for 0)."""
    ink = _without_crossing_rules(ink)
    counts = ink.sum(axis=0)
    if len(counts) > RULE_INK and counts.any():
        # Nearly all of it within a blurred rule's width: the blot where a row rule crosses it,
        # or a speck of the wall at a corner, is no print beside it.
        within = np.convolve(counts, np.ones(RULE_INK, dtype=int), mode="valid")
        start = int(within.argmax())
        if within[start] < ALONE * counts.sum():
            return False
        ink = ink[:, start : start + RULE_INK]
        counts = ink.sum(axis=0)
    columns = np.flatnonzero(counts)
    if not len(columns) or columns[-1] - columns[0] + 1 > RULE_INK:
        return False
    rows = ink.any(axis=1)
    if not dotted_only and rows.sum() >= 3 * len(columns):
        return True
    core = np.flatnonzero(counts >= counts.max() / 2)
    edges = np.diff(np.concatenate(([0], rows.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return (core[-1] - core[0] + 1 <= 2 * BESIDE + 1 and len(starts) >= PIECES
            and ends[-1] - starts[0] >= 3 * (core[-1] - core[0] + 1)
            and _even(ends - starts) and _even(starts[1:] - ends[:-1]))


def _without_crossing_rules(ink: np.ndarray) -> np.ndarray:
    """A box's ink less the rows at its top and bottom (BESIDE at most each) whose ink spreads
    wider than a blurred rule: the wall a box reaching over it took in."""
    def wide(row: np.ndarray) -> bool:
        inked = np.flatnonzero(row)
        return len(inked) > 0 and inked[-1] - inked[0] + 1 > RULE_INK

    top, bottom = 0, len(ink)
    while top < min(BESIDE, bottom) and (wide(ink[top]) or (top and not ink[top].any())):
        top += 1
    while bottom > max(len(ink) - BESIDE, top) and (wide(ink[bottom - 1]) or
                                                    (bottom < len(ink) and not ink[bottom - 1].any())):
        bottom -= 1
    return ink[top:bottom]


def _rule_at_edge(ink: np.ndarray, axis: int, edge: tuple[int, int], rest: tuple[int, int]) -> bool:
    """Whether the run of ink at a box's edge (columns where axis is 0, rows where 1) is a rule's:
    a pixel-thin one, or one no thicker than a blurred rule and longer than the print beside it
    is high (a dash of a column rule beside a number set against it)."""
    if edge[1] - edge[0] <= BESIDE:
        return True
    if edge[1] - edge[0] > RULE_INK:
        return False
    runs_across = 1 - axis  # the runs were of columns (axis 0 summed over) or of rows
    piece = np.take(ink, range(edge[0], edge[1]), axis=runs_across).any(axis=runs_across)
    beside = np.take(ink, range(rest[0], rest[1]), axis=runs_across).any(axis=runs_across)
    return int(np.ptp(np.flatnonzero(piece))) > TALLER * int(np.ptp(np.flatnonzero(beside)))


def _core(box: BBox, inset_share: float) -> BBox:
    """A detected text box without the margin DB's post-processing adds around the print (its
    "unclip" grows a box by about a third of the text's height on every side: up to the rules)."""
    x0, y0, x1, y1 = box
    inset = int(inset_share * min(x1 - x0, y1 - y0))
    return x0 + inset, y0 + inset, x1 - inset, y1 - inset


def _interiors(gray: np.ndarray, grid: Grid) -> np.ndarray:
    """The page with the grid's found rules painted over with paper: the detector sees the cells'
    print (and the rules still to find), not thousands of dashes, each a candidate box of its own
    (PaddleOCR's DB post-processing keeps the first 1,000)."""
    x0, y0, x1, y1 = grid.bbox
    out = gray.copy()
    out[y0:y1, x0:x1] = int(np.median(gray[y0:y1, x0:x1]))
    for (bx0, by0, bx1, by1), shape in _areas(grid):
        if shape is None:
            out[by0:by1, bx0:bx1] = gray[by0:by1, bx0:bx1]
        else:
            out[by0:by1, bx0:bx1][shape] = gray[by0:by1, bx0:bx1][shape]
    return out


def complete_grid(gray: np.ndarray, grid: Grid, detect: Callable[[np.ndarray, BBox], list[BBox]],
                  always: bool = False) -> Grid:
    """The grid with the rules its cells still show drawn in, its cells checked against the text.
    `detect(image, region)` gives the text boxes of a region of a page image; it is called only for
    a grid with an open area, or where a first look, at the thin pieces of ink only (no character
    is that thin), finds a rule to complete (`always`: for every grid)."""
    # An enclosed area that is no rectangle has lost a rule for sure; light-gray rules have likely
    # lost some of their kind.
    memo: Memo = {}  # the cells' ink, shared by the first look and the rounds
    if not always and not grid.open_areas and not _faint(gray, grid):
        thin = _thin(_region_ink(gray, grid), grid)
        if not _borne_out(candidates(gray, grid, [], thin), grid, fewest=PIECES) \
                and not _apart_on_grid_lines(gray, grid, memo) and not _apart_in_ink(gray, grid, memo):
            return grid
    text = detect(_interiors(gray, grid), grid.bbox)
    prints = [_print_box(gray, t, memo) for t in text]
    # A rule that crosses only part of a merged cell (under a spanning header, say) runs from wall
    # to wall only once the rule it stops at is drawn: a few rounds, while cells split (a frame of
    # one column split into rows alone goes on: its column rules come next).
    completed = grid
    for _ in range(ROUNDS):
        groups = _borne_out(candidates(gray, completed, text, prints=prints, memo=memo), completed)
        split = _split(completed, groups, gray.shape[:2]) if groups else None
        if split is None or len(split.cells) <= len(completed.cells):
            break
        completed = split
    if completed is not grid:
        completed = _flag_new(completed, grid)
    return _flag_run_together(_flag_crossings(gray, completed, text, memo), prints)
