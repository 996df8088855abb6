"""Stage 1 (born-digital PDFs): the characters a PDF page holds, each with its box.

A report exported from Word, WPS or a browser carries its text: PDFium gives every character and
its box (pypdfium2's text page). Where a page's text layer is usable, its cells, captions and
title are read from it (exact, and without the recognizer); the rules are still found in the
rendered page, so the grid, the mapping and the checks are the same as for a scan. A page with no
text layer (a scan), one whose text is garbage (fonts without a Unicode map give private-use or
replacement characters), or a rotated page is read by OCR.
"""

from __future__ import annotations

import ctypes
import unicodedata

import cv2
import numpy as np

from .types import BBox, CellReading, TextLayer

MIN_CHARACTERS = 10  # fewer on a page: no text layer to speak of (a scan's stray OCR layer, a stamp)
READABLE_SHARE = 0.9  # of its characters that must be letters, digits or punctuation
LINE_OVERLAP = 0.5  # of the shorter character's height two characters of one line share
# Points: a path this thin is a rule or a piece of one (a dot of a dotted rule); a path up to
# THICK_RULE thick is one where it is four times as long (a thick border, drawn as a polygon).
RULE_THICKNESS = 2.0
THICK_RULE = 6.0
LIGHT = 200  # a path lighter than this (every channel) is no rule: white borders, pale shading
INVISIBLE = 0.5  # share of a page's characters drawn invisible over a scan: a scanner's OCR layer
INKED = 0.8  # share of the drawn rules the rendered page must show in ink to be trusted
DOT = 1.5  # a piece no longer than this many times its width is a dot, of a rule either way
LONE_DOT = 9  # pixels: a piece of a mask shorter than this after joining is a dot of the other way
PAPER = 235  # gray level: a pixel of a rule (antialiased, light gray) is darker than this


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
    if _scanned_with_ocr_text(page):
        return None  # a scan with a scanner's invisible OCR text over it: read it ourselves
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
    layer = TextLayer("".join(chars), np.array(boxes, dtype=np.float32).reshape(-1, 4),
                      _rules(page, scale, left, top))
    return layer if usable(layer) else None


def _scanned_with_ocr_text(page) -> bool:
    """Whether most of the page's text objects are drawn invisible (render mode 3), as the OCR
    layer a scanner lays over its image is: text nobody checked, over pixels the reader can read."""
    import pypdfium2.raw as pdfium_c

    modes = [pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw)
             for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT])]
    return bool(modes) and sum(m == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE for m in modes) > INVISIBLE * len(modes)


def _colour(obj) -> tuple[int, int, int]:
    """The colour a path is painted in: its fill where it is filled, else its stroke."""
    import pypdfium2.raw as pdfium_c

    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke))
    getter = pdfium_c.FPDFPageObj_GetFillColor if fill_mode.value else pdfium_c.FPDFPageObj_GetStrokeColor
    rgba = [ctypes.c_uint() for _ in range(4)]
    getter(obj.raw, *(ctypes.byref(c) for c in rgba))
    return rgba[0].value, rgba[1].value, rgba[2].value


def _rules(page, scale: float, left: float, top: float) -> np.ndarray:
    """Boxes of the page's thin dark paths, in rendered pixels. Only the page's own objects: a
    form's lie in the form's space."""
    import pypdfium2.raw as pdfium_c

    out = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=0):
        x0, y0, x1, y1 = obj.get_bounds()
        thin, long = sorted((x1 - x0, y1 - y0))
        if thin > THICK_RULE or (thin > RULE_THICKNESS and long < 4 * thin) or min(_colour(obj)) > LIGHT:
            continue
        out.append(((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale))
    return np.array(out, dtype=np.float32).reshape(-1, 4)


def rule_masks(layer: TextLayer, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Masks of the horizontal and vertical rules the page draws (as rules.find_lines gives them
    for a scan), from its path objects: exact, and without looking for rules in the pixels.
    None where the page draws none, or where the rendered page does not show most of them in ink
    (paths that are no rules): then the rules are found in the pixels."""
    if not len(layer.rules):
        return None
    height, width = gray.shape
    rows, columns = np.zeros_like(gray), np.zeros_like(gray)
    inked = 0
    for x0, y0, x1, y1 in layer.rules:
        a, b = max(0, int(np.floor(x0))), min(width, int(np.ceil(x1)) + 1)
        c, d = max(0, int(np.floor(y0))), min(height, int(np.ceil(y1)) + 1)
        if a >= b or c >= d:
            continue
        inked += int(gray[c:d, a:b].min()) < PAPER
        # A dot belongs to whichever way its neighbours run: it goes into both masks, and the
        # closing below joins it to them in one, the opening leaves it alone in the other.
        dot = max(x1 - x0, y1 - y0) <= DOT * min(x1 - x0, y1 - y0)
        if dot or x1 - x0 > y1 - y0:
            middle = int(round((y0 + y1) / 2))
            rows[max(0, middle - 1) : middle + 1, a:b] = 255
        if dot or y1 - y0 > x1 - x0:
            middle = int(round((x0 + x1) / 2))
            columns[c:d, max(0, middle - 1) : middle + 1] = 255
    if inked < INKED * len(layer.rules):
        return None
    # The dots and dashes of a dotted or dashed rule joined, as find_lines joins short gaps.
    span = max(9, width // 50)
    rows = cv2.morphologyEx(rows, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (span, 1)))
    columns = cv2.morphologyEx(columns, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, span)))
    rows = cv2.morphologyEx(rows, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (LONE_DOT, 1)))
    columns = cv2.morphologyEx(columns, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, LONE_DOT)))
    return rows, columns


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
