"""Which way up a page is.

A ruled grid looks like a grid in every orientation, so the decision rests on the text:
1. horizontal or vertical (`text_is_vertical`, geometry only): a cell of Chinese print splits into
   few long lines along its text direction and into many short runs across it;
2. the right way or upside down (`upright_confidence`): the recognizer's confidence on the words
   it read; the pipeline reads the page turned half round when that is low, and keeps the turn
   read more confidently (upside-down print comes out as low-confidence noise).
"""

from __future__ import annotations

import re

import numpy as np

from .ocr.read import ink_mask, split_lines, stroke_length
from .types import BBox, CellReading, Grid

SAMPLE_CELLS = 80
SURE = 0.9
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _sample(gray: np.ndarray, grids: list[Grid]) -> list[tuple[BBox, np.ndarray]]:
    """Boxes and ink masks of (up to SAMPLE_CELLS) inked cells of the page's tables."""
    cells = [c for g in grids for c in g.cells]
    out = []
    for cell in cells:
        x0, y0, x1, y1 = cell.bbox
        mask = ink_mask(gray[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2], stroke_length(gray.shape[1]))
        if mask is not None and mask.sum() > 50:
            out.append((cell.bbox, mask))
        if len(out) == SAMPLE_CELLS:
            break
    return out


def _sample_masks(gray: np.ndarray, grids: list[Grid]) -> list[np.ndarray]:
    return [mask for _, mask in _sample(gray, grids)]


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
    votes = 0
    for mask in _sample_masks(gray, grids):
        along, across = len(split_lines(mask)), len(split_lines(mask.T))
        votes += (across < along) - (along < across)
    return votes > 0


def upright_confidence(readings: list[CellReading]) -> float:
    """Length-weighted recognizer confidence over the cells that read as words."""
    words = [r for r in readings if _CJK.search(r.text)]
    if not words:
        return 1.0
    weights = np.array([len(r.text) for r in words], dtype=float)
    return float(np.average([r.confidence for r in words], weights=weights))
