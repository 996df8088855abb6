"""Tables whose rules are lost: grids drawn from the positions of their text.

A table printed in light gray rules and scanned 1-bit, or in gray dotted rules at a coarse
resolution, keeps almost none of its rules; its numbers still stand in rows and columns. From the
PP-OCR text detector's boxes on the page and what they read: lines of print with two numbers or
more are rows of values, consecutive ones a table; the numbers' centres fall into its value
columns; the print above its first row of values, up to a heading or a wide gap, is its header,
split into a row under each header that spans columns (申请人情况, 法人或其他组织); and one label column
holds the rest. Rules are drawn between them, never through a piece of print (a spanning header
keeps its cell whole), into masks as rules.find_lines gives them, so that the grid, cell reading,
mapping and checks are those of a ruled table. Used only where a document read by its rules is
not recognised or lacks a table (digitizer.pipeline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .rules import binarize
from .types import BBox, CellReading

# A count, a dash or slash for zero, or a 0 the recognizer read as a letter, with a unit after.
_NUMERIC = re.compile(r"[\dUuOoD一—–\-/／.,，]{1,9}[件个项万元]{0,2}")
_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十]+[、）)]")
LINE = 0.5  # of a character's height: two boxes whose centres lie closer are on one line
COLUMN_GAP = 1.2  # characters' heights between the centres of two numbers of different columns
TABLE_GAP = 2.5  # characters' heights of empty page between two rows of values of different tables
HEADER_REACH = 12  # characters' heights above its first row of values a table's header may reach
SPANNING = 0.5  # characters' heights a piece of print reaches past a column line: it spans it
SUPPORT = 0.3  # share of a table's rows of values a value column must print a number in
REMAINS = 0.04  # share of a line's length in ink, outside any print: what is left of a rule there


@dataclass
class _Token:
    box: BBox
    text: str
    numeric: bool

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def _lines(tokens: list[_Token], height: float) -> list[list[_Token]]:
    lines: list[list[_Token]] = []
    for token in sorted(tokens, key=lambda t: t.centre[1]):
        if lines and abs(token.centre[1] - np.mean([t.centre[1] for t in lines[-1]])) < LINE * height:
            lines[-1].append(token)
        else:
            lines.append([token])
    return lines


def _columns(band: list[list[_Token]], height: float) -> list[tuple[int, int]]:
    """The x extents of the value columns the band's numbers stand in, left to right: only those
    that a third of its rows print in (a speck read as a 1 makes no column)."""
    groups: list[list[tuple[_Token, int]]] = []
    last = None
    numbers = [(t, i) for i, line in enumerate(band) for t in line if t.numeric]
    for token, row in sorted(numbers, key=lambda n: n[0].centre[0]):
        if last is None or token.centre[0] - last > COLUMN_GAP * height:
            groups.append([])
        groups[-1].append((token, row))
        last = token.centre[0]
    least = max(1, int(np.ceil(SUPPORT * len(band))))
    return [(min(t.box[0] for t, _ in g), max(t.box[2] for t, _ in g)) for g in groups
            if len({row for _, row in g}) >= least]


def _in_columns(line: list[_Token], columns: list[tuple[int, int]]) -> int:
    return sum(1 for t in line if t.numeric and any(a <= t.centre[0] <= b for a, b in columns))


def _free_middle(tokens: list[_Token], top: int, bottom: int, left: int, right: int) -> int:
    """A y between top and bottom through no print between left and right: the middle of the
    widest free run (a wrapped label's second line is not cut off from its first)."""
    if bottom <= top:
        return (top + bottom) // 2
    taken = np.zeros(bottom - top, dtype=bool)
    for t in tokens:
        if t.box[2] > left and t.box[0] < right:
            taken[max(0, t.box[1] - top) : max(0, min(bottom, t.box[3]) - top)] = True
    free = np.flatnonzero(~taken)
    if not free.size:
        return (top + bottom) // 2
    runs = np.split(free, np.flatnonzero(np.diff(free) > 1) + 1)
    widest = max(runs, key=len)
    return top + int(widest[len(widest) // 2])


def _snap(positions: list[int], profile: np.ndarray, reach: int, length: int,
          blocked: list[tuple[int, int]]) -> list[int]:
    """Each line moved to the strongest remains of a rule within reach of it, if any, and never
    into a piece of print (`blocked`: the spans the print takes on this axis)."""
    out = []
    for p in positions:
        a, b = max(0, p - reach), min(len(profile), p + reach + 1)
        window = profile[a:b].copy() if b > a else profile[:0]
        for lo, hi in blocked:
            window[max(0, lo - a) : max(0, hi - a)] = 0
        if window.size and window.max() >= REMAINS * 255 * max(1, length):
            out.append(a + int(np.argmax(window)))
        else:
            out.append(p)
    return out


def _table(band: list[list[_Token]], tokens: list[_Token], height: float, shape: tuple[int, int],
           remains: np.ndarray | None = None) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]] | None:
    """Rules for one table from its rows of values: horizontal (y, x0, x1) and vertical (x, y0, y1)."""
    columns = _columns(band, height)
    band = [line for line in band if _in_columns(line, columns) >= 2]
    if len(columns) < 2 or not band:
        return None
    pad = int(height / 2)
    body_top = min(t.box[1] for t in band[0])
    body_bottom = max(t.box[3] for t in band[-1])
    labels = [t for line in band for t in line if not t.numeric and t.box[2] <= columns[0][0] + pad]
    left = min([t.box[0] for line in band for t in line]) - pad
    right = max(columns[-1][1], max(t.box[2] for line in band for t in line)) + pad
    first = (max(t.box[2] for t in labels) + columns[0][0]) // 2 if labels else columns[0][0] - pad
    xs = [left, first] + [(a[1] + b[0]) // 2 for a, b in zip(columns, columns[1:])] + [right]
    # The header: print above the first row of values, within the table's width, up to a heading
    # or a gap of empty page.
    above = sorted((t for t in tokens if t.box[3] <= body_top + pad and t.box[2] > left and t.box[0] < right
                    and t.centre[1] < body_top and body_top - t.box[3] < HEADER_REACH * height),
                   key=lambda t: -t.box[3])
    header: list[_Token] = []
    reach = body_top
    for t in above:
        if _HEADING.match(t.text) and not any(a.box[3] <= t.box[1] for a in above) or reach - t.box[3] > TABLE_GAP * height:
            break
        header.append(t)
        reach = min(reach, t.box[1])
    top = (min(t.box[1] for t in header) if header else body_top) - pad
    pitch = float(np.median(np.diff(xs[1:]))) if len(xs) > 2 else float(right - left)

    def spans(t: _Token) -> bool:
        """Print wider than a column across a column line (a word written down a narrow column,
        centred where the numbers are set right, only seems to cross one)."""
        return t.box[2] - t.box[0] > pitch and any(
            t.box[0] < x - SPANNING * height and t.box[2] > x + SPANNING * height for x in xs[2:-1])

    # A header row under each line of spanning headers; the rest of the header one row.
    spanning = sorted({t.box[3] for t in header if spans(t)})
    cuts: list[int] = []
    for bottom in spanning:
        below = [t.box[1] for t in header if t.box[1] >= bottom - pad / 2]
        if below and (not cuts or bottom > cuts[-1]):
            cuts.append(_free_middle(header, bottom, min(below) + 1, left, right) if min(below) > bottom else bottom + 1)
    body_cut = _free_middle(tokens, max([t.box[3] for t in header], default=top), body_top, left, right) \
        if header else body_top - pad
    ys = [top, *[c for c in cuts if top < c < body_cut], body_cut]
    for upper, lower in zip(band, band[1:]):
        ys.append(_free_middle(tokens, max(t.box[3] for t in upper), min(t.box[1] for t in lower), left, right))
    ys.append(body_bottom + pad)
    height_px, width_px = shape
    if remains is not None:
        # Where what is left of a rule (a dash, a few dots) stands near a line, the line is there.
        inside = [t for line in band for t in line]
        xs = _snap(xs, remains[max(0, top) : ys[-1], :].sum(axis=0), int(COLUMN_GAP * height / 2), ys[-1] - top,
                   [(t.box[0], t.box[2]) for t in inside])
        ys = _snap(ys, remains[:, max(0, left) : right].sum(axis=1), int(height / 2), right - left,
                   [(t.box[1], t.box[3]) for t in inside])
    clip_x = [min(max(0, x), width_px - 1) for x in xs]
    clip_y = [min(max(0, y), height_px - 1) for y in ys]
    horizontal = [(y, clip_x[0], clip_x[-1]) for y in clip_y]
    vertical = []
    wide = [t.box for t in tokens if t.box[2] > left and t.box[0] < right and t.box[3] > top and t.box[1] < ys[-1]
            and spans(t)]
    for i, x in enumerate(clip_x):
        outer = i in (0, len(clip_x) - 1)
        for y0, y1 in zip(clip_y, clip_y[1:]):
            # Not through a header that spans the line: it keeps its cell whole.
            if outer or not any(b[0] < x < b[2] and b[1] < y1 and b[3] > y0 for b in wide):
                vertical.append((x, y0, y1))
    return horizontal, vertical


def text_rules(gray: np.ndarray, boxes: list[BBox], texts: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Masks of rules for the tables the text of a page sets out in rows and columns (as
    rules.find_lines gives them), or None where no table is set out."""
    tokens = [_Token(b, t.strip(), bool(_NUMERIC.fullmatch(t.strip()))) for b, t in zip(boxes, texts) if t.strip()]
    if not tokens:
        return None
    height = float(np.median([t.box[3] - t.box[1] for t in tokens if t.numeric] or
                             [t.box[3] - t.box[1] for t in tokens]))
    lines = _lines(tokens, height)
    values = [line for line in lines if sum(t.numeric for t in line) >= 2]
    bands: list[list[list[_Token]]] = []
    for line in values:
        if bands and min(t.box[1] for t in line) - max(t.box[3] for t in bands[-1][-1]) <= TABLE_GAP * height:
            bands[-1].append(line)
        else:
            bands.append([line])
    # The page's ink outside its print: what is left of the rules.
    remains = binarize(gray)
    for t in tokens:
        remains[max(0, t.box[1] - 2) : t.box[3] + 2, max(0, t.box[0] - 2) : t.box[2] + 2] = 0
    rows, columns = np.zeros_like(gray), np.zeros_like(gray)
    drawn = False
    for band in bands:
        rules = _table(band, tokens, height, gray.shape, remains.astype(np.float32))
        if rules is None:
            continue
        drawn = True
        for y, x0, x1 in rules[0]:
            rows[max(0, y - 1) : y + 1, x0 : x1 + 1] = 255
        for x, y0, y1 in rules[1]:
            columns[y0 : y1 + 1, max(0, x - 1) : x + 1] = 255
    return (rows, columns) if drawn else None


def read_cell(words: list[tuple[BBox, CellReading]], bbox: BBox) -> CellReading:
    """A cell's reading from the boxes of print inside it (their centres), line by line: a word
    written down a narrow column reads as one box where the cell, with the remains of its rules
    in it, reads as noise."""
    inside = [(b, r) for b, r in words if bbox[0] <= (b[0] + b[2]) / 2 < bbox[2] and bbox[1] <= (b[1] + b[3]) / 2 < bbox[3]
              and r.text.strip()]
    if not inside:
        return CellReading("", 1.0, "", 1.0, 0)
    height = float(np.median([b[3] - b[1] for b, _ in inside]))
    tokens = [_Token(b, r.text, False) for b, r in inside]
    reading_of = {id(t): r for t, (_, r) in zip(tokens, inside)}
    lines = _lines(tokens, height)
    ordered = [reading_of[id(t)] for line in lines for t in sorted(line, key=lambda t: t.box[0])]
    text = "".join(r.text for r in ordered)
    numeric = "".join(r.numeric_text or "" for r in ordered)
    return CellReading(text, min(r.confidence for r in ordered), numeric or None,
                       min(r.numeric_confidence for r in ordered), len(lines))
