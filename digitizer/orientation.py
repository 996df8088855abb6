"""Which way up a page is.

A ruled grid looks like a grid in every orientation, so the decision rests on the text:
1. horizontal or vertical, by geometry: the lines of print outside the tables (a heading, a
   paragraph: `prose_direction`) run along the text, many characters long; where a page has none,
   its cells vote (`text_is_vertical`): a cell of Chinese print splits into few long lines along
   its text direction and into many short runs across it;
2. the right way or upside down (`upright_confidence`): the recognizer's confidence on the words
   it read; the pipeline reads the page turned half round when that is low, and keeps the turn
   read more confidently (upside-down print comes out as low-confidence noise). Of the quarter
   turns, confidence alone cannot choose: a short word read on its side comes out as its
   characters, each read confidently, in reverse order ("织组他其或人法"). What the words say can
   (`upright_score`): turned right, they are words the page is known to print.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from .mapping import similarity
from .ocr.read import CHARACTER_HEIGHT, ink_mask, split_lines, stroke_length
from .types import BBox, CellReading, Grid

SAMPLE_CELLS = 80
SURE = 0.9
WEAK_VOTE = 4  # cells' votes: a margin smaller than this between the two directions decides nothing
BLOCK = (12, 6)  # characters wide and high: a cell this large is a block of cells (see _block)
BLOCK_LINES = 4  # ... as is one whose print splits into more lines than this both ways
KNOWN = 70.0  # similarity to a known word at which a reading is that word
PROSE_LINE = 5  # a run of print this many times as long as it is thick is a line of text
PROSE_LEAST = 40  # strokes (stroke_length) of lines, about eight characters, for prose to have a say
PROSE_SAY = 3.0  # lines one way this many times as long as the other way decide
WORD_WEIGHT = 12  # characters: the most a reading weighs in the scores below (a cell holding a
# whole block of print, its rules lost, reads as one long line of noise whichever way up it lies,
# and would outweigh every word the page's other cells read)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _sample(gray: np.ndarray, grids: list[Grid]) -> list[tuple[BBox, np.ndarray]]:
    """Boxes and ink masks of (up to SAMPLE_CELLS) inked cells of the page's tables."""
    cells = [c for g in grids for c in g.cells]
    out = []
    stroke = stroke_length(gray)
    for cell in cells:
        x0, y0, x1, y1 = cell.bbox
        mask = ink_mask(gray[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2], stroke)
        if mask is not None and mask.sum() > 50:
            out.append((cell.bbox, mask))
        if len(out) == SAMPLE_CELLS:
            break
    return out


def _block(bbox: BBox, stroke: int) -> bool:
    """Whether a cell is a block of many cells (their dashed rules not found before completion):
    its rows and columns of counts say nothing of which way text runs."""
    x0, y0, x1, y1 = bbox
    wide, high = BLOCK
    return x1 - x0 >= wide * CHARACTER_HEIGHT * stroke and y1 - y0 >= high * CHARACTER_HEIGHT * stroke


def word_cells(gray: np.ndarray, grids: list[Grid], count: int = 12) -> list[BBox]:
    """The most inked cells of the page's tables (labels, mostly): what the recognizer reads to
    tell which way up the print is."""
    sample = sorted(_sample(gray, grids), key=lambda s: -int(s[1].sum()))
    return [bbox for bbox, _ in sample[:count]]


def text_is_vertical(gray: np.ndarray, grids: list[Grid]) -> bool:
    """Whether the page's table text may run top to bottom (the page lies on its side).

    Each cell votes; a few cells of narrow, wrapped or vertically written labels are outvoted by
    the many ordinary ones. A table of narrow columns with headers written one character per
    line (table 四) votes vertical too: the pipeline then lets the recognizer decide."""
    votes, voters = 0, 0
    stroke = stroke_length(gray)
    for bbox, mask in _sample(gray, grids):
        if _block(bbox, stroke):
            continue
        along, across = len(split_lines(mask)), len(split_lines(mask.T))
        if min(along, across) > BLOCK_LINES:
            continue  # a block of cells' counts (see _block)
        votes += (across < along) - (along < across)
        voters += along != across
    # A near tie is no answer (the rest of table 三 lying on its side, its organisation headers
    # written a character a line: their lines run across, its labels' along): the recognizer
    # decides.
    return votes > 0 or (voters > 0 and votes > -WEAK_VOTE)


def known_share(readings: list[CellReading], vocabulary: list[str]) -> float:
    """Length-weighted share of the readings with words that are (near enough) words of the
    vocabulary."""
    words = [r for r in readings if _CJK.search(r.text)]
    if not words or not vocabulary:
        return 0.0
    known = [max(similarity(r.text, v) for v in vocabulary) >= KNOWN for r in words]
    return float(np.average(known, weights=_weights(words)))


def upright_score(readings: list[CellReading], vocabulary: list[str]) -> float:
    """How surely a page turned one way reads the right way up: the recognizer's confidence
    plus the share of words it knows (for a table of no known layout, confidence alone)."""
    return upright_confidence(readings) + known_share(readings, vocabulary)


def upright_confidence(readings: list[CellReading], unread: float = 1.0) -> float:
    """Length-weighted recognizer confidence over the cells that read as words; `unread` where
    none does (nothing in doubt for a page as it lies; no evidence for a turn of it).

    A word here is two characters or more where any reads so: one character alone says little of
    which way up it lies, and the dashes that print a zero ("—") read as 一 either way,
    confidently, in every count cell of a table."""
    words = ([r for r in readings if len(_CJK.findall(r.text)) >= 2]
             or [r for r in readings if _CJK.search(r.text)])
    if not words:
        return unread
    return float(np.average([r.confidence for r in words], weights=_weights(words)))


def _weights(readings: list[CellReading]) -> np.ndarray:
    return np.array([min(len(r.text), WORD_WEIGHT) for r in readings], dtype=float)


def prose_lines(gray: np.ndarray, grids: list[Grid], rules: np.ndarray | None = None) -> dict[str, list[BBox]]:
    """Lines of print outside the page's tables, longest first: those running across the page
    ("across") and those running down it ("down").

    Print is closed along each direction over gaps between characters (but not between lines);
    a closed run many times as long as it is thick, and at least two strokes thick, is a line (a
    character is about five strokes tall). Rules, however heavy (a table's outer border left
    outside its grid), and scattered marks (a seal's ring, a page number) are neither. `rules`:
    the mask of the page's ruling lines (rules.find_lines); their ink, and its blurred halo, is
    no print (a blurred border or dotted rule of label columns the grid left out is thick enough
    to pass for a line of print running down)."""
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    for g in grids:
        x0, y0, x1, y1 = g.bbox
        ink[max(0, y0 - 3) : y1 + 3, max(0, x0 - 3) : x1 + 3] = 0
    gap = 2 * stroke_length(gray)
    if rules is not None and rules.any():
        halo = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, gap)))
        ink[halo > 0] = 0
    out: dict[str, list[BBox]] = {}
    for direction, kernel in (("across", (gap, 1)), ("down", (1, gap))):
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        _, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
        lines = []
        for x, y, w, h, _ in stats[1:]:
            along, thick = (w, h) if direction == "across" else (h, w)
            if along >= PROSE_LINE * thick and thick >= gap:
                lines.append((int(x), int(y), int(x + w), int(y + h)))
        out[direction] = sorted(lines, key=lambda b: -max(b[2] - b[0], b[3] - b[1]))
    return out


def prose_boxes(gray: np.ndarray, grids: list[Grid], count: int = 4) -> list[BBox]:
    """The longest lines of print across the page outside its tables, framed with a margin: with
    word_cells, what the recognizer reads to tell which way up the page is."""
    margin = stroke_length(gray)
    height, width = gray.shape
    return [(max(0, x0 - margin), max(0, y0 - margin), min(width, x1 + margin), min(height, y1 + margin))
            for x0, y0, x1, y1 in prose_lines(gray, grids)["across"][:count]]


def prose_direction(gray: np.ndarray, grids: list[Grid], rules: np.ndarray | None = None) -> str | None:
    """"across" or "down": which way the lines of print outside the tables run, where they are
    long enough and clearly one way; None where the page has too little such print. `rules`: as
    for prose_lines."""
    lines = prose_lines(gray, grids, rules)
    length = {d: sum(max(b[2] - b[0], b[3] - b[1]) for b in boxes) for d, boxes in lines.items()}
    least = PROSE_LEAST * stroke_length(gray)
    for direction, other in (("across", "down"), ("down", "across")):
        if length[direction] >= least and length[direction] >= PROSE_SAY * length[other]:
            return direction
    return None
