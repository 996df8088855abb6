"""Stage 1 (born-digital PDFs): the characters a PDF page holds, each with its box.

A report exported from Word, WPS or a browser carries its text: PDFium gives every character and
its box (pypdfium2's text page). Where a page's text layer is usable, its cells, captions and
title are read from it (exact, and without the recognizer); the rules are still found in the
rendered page, so the grid, the mapping and the checks are the same as for a scan. A page with no
text layer (a scan), one whose text is garbage (fonts without a Unicode map give private-use or
replacement characters), or a rotated page is read by OCR.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .types import BBox, CellReading, TextLayer

MIN_CHARACTERS = 10  # fewer on a page: no text layer to speak of (a scan's stray OCR layer, a stamp)
READABLE_SHARE = 0.9  # of its characters that must be letters, digits or punctuation
LINE_OVERLAP = 0.5  # of the shorter character's height two characters of one line share


def _readable(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNPS" and category != "Co" and char != "\ufffd"


def extract(page, scale: float) -> TextLayer | None:
    """The text layer of a pypdfium2 page rendered at `scale` pixels per point, in that image's
    pixels (top-left origin); None where it is missing, garbage, or the page is rotated."""
    import pypdfium2.raw as pdfium_c

    if page.get_rotation() % 360:
        return None  # its boxes are in the unrotated page's space: read the page by OCR
    left, _bottom, _right, top = page.get_cropbox()
    textpage = page.get_textpage()
    try:
        chars, boxes = [], []
        for index in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(textpage.raw, index):
                continue  # spaces and line breaks PDFium inferred
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
            if char.isspace() or not char.isprintable():
                continue
            x0, y0, x1, y1 = textpage.get_charbox(index, loose=False)
            chars.append(char)
            boxes.append(((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale))
    finally:
        textpage.close()
    layer = TextLayer("".join(chars), np.array(boxes, dtype=np.float32).reshape(-1, 4))
    return layer if usable(layer) else None


def usable(layer: TextLayer) -> bool:
    """Enough characters, nearly all of them readable."""
    if len(layer.chars) < MIN_CHARACTERS:
        return False
    return sum(map(_readable, layer.chars)) >= READABLE_SHARE * len(layer.chars)


def _inside(layer: TextLayer, region: BBox) -> np.ndarray:
    """Indexes of the characters whose centre lies in region."""
    if not len(layer.chars):
        return np.zeros(0, dtype=int)
    cx = (layer.boxes[:, 0] + layer.boxes[:, 2]) / 2
    cy = (layer.boxes[:, 1] + layer.boxes[:, 3]) / 2
    x0, y0, x1, y1 = region
    return np.flatnonzero((cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1))


def lines_in(layer: TextLayer, region: BBox) -> list[str]:
    """The lines of text in region, top to bottom, each left to right: characters are one line
    where their heights overlap by half the shorter one's."""
    index = _inside(layer, region)
    lines: list[list[int]] = []
    for i in sorted(index, key=lambda k: (layer.boxes[k, 1] + layer.boxes[k, 3]) / 2):
        top, bottom = layer.boxes[i, 1], layer.boxes[i, 3]
        if lines:
            last = lines[-1]
            line_top = float(np.median(layer.boxes[last, 1]))
            line_bottom = float(np.median(layer.boxes[last, 3]))
            shared = min(bottom, line_bottom) - max(top, line_top)
            if shared >= LINE_OVERLAP * min(bottom - top, line_bottom - line_top):
                last.append(i)
                continue
        lines.append([i])
    return ["".join(layer.chars[k] for k in sorted(line, key=lambda k: layer.boxes[k, 0])) for line in lines]


def read_cell(layer: TextLayer, bbox: BBox) -> CellReading:
    """A cell's text from the text layer: its lines joined, as the recognizer joins them."""
    lines = lines_in(layer, bbox)
    return CellReading("".join(lines), 1.0, None, 0.0, len(lines))


def word_boxes(layer: TextLayer, region: BBox) -> list[BBox]:
    """Boxes of the runs of print in region: characters of one line closer than a character's
    height, as a text detector would box them."""
    index = _inside(layer, region)
    boxes = layer.boxes[index]
    order = np.lexsort((boxes[:, 0], np.round((boxes[:, 1] + boxes[:, 3]) / 2 / max(1.0, float(np.median(
        boxes[:, 3] - boxes[:, 1])) if len(boxes) else 1.0))))
    runs: list[list[float]] = []
    for x0, y0, x1, y1 in boxes[order]:
        if runs:
            run = runs[-1]
            height = run[3] - run[1]
            same_line = min(y1, run[3]) - max(y0, run[1]) >= LINE_OVERLAP * min(y1 - y0, height)
            if same_line and x0 - run[2] < height:
                run[:] = [min(run[0], x0), min(run[1], y0), max(run[2], x1), max(run[3], y1)]
                continue
        runs.append([x0, y0, x1, y1])
    return [(int(a), int(b), int(np.ceil(c)), int(np.ceil(d))) for a, b, c, d in runs]
