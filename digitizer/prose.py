"""Read the free text above the first table of page 1: the title (agency and year) and the prose
of section 一, whose numbers are checked against table 三.

No page-wide text detection: the lines of print are found by the ink's row profile (the page is
already level), and each line is recognised as one crop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from .ocr.engines import RecognitionEngine
from .ocr.read import recognise_lines
from .rules import solid_rows

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_RECEIVED = re.compile(r"收到[^。；]{0,24}?申请\D{0,3}?(\d+)\s*[件个]")


@dataclass
class FrontMatter:
    lines: list[str]  # the lines read, top to bottom: reading stops once title and count are found
    title: str = ""
    agency: str | None = None
    year: int | None = None
    received: int | None = None  # 共收到政府信息公开申请N件


def text_lines(gray: np.ndarray) -> list[np.ndarray]:
    """Crops of the lines of print in a region, top to bottom (ruling lines removed)."""
    if gray.shape[0] < 10:
        return []
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 20)
    binary = cv2.subtract(binary, solid_rows(binary, gray.shape[1] // 8))
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks
    rows = np.flatnonzero(binary.sum(axis=1) > 255 * 3)
    if rows.size == 0:
        return []
    bands, start, prev = [], int(rows[0]), int(rows[0])
    for r in rows[1:]:
        if r - prev > 3:
            bands.append((start, prev + 1))
            start = int(r)
        prev = int(r)
    bands.append((start, prev + 1))
    tallest = max(b - a for a, b in bands)
    crops = []
    for a, b in bands:
        if b - a < 0.4 * tallest or b - a < 8:
            continue
        cols = np.flatnonzero(binary[a:b].sum(axis=0) > 0)
        pad = max(3, (b - a) // 4)
        y0, y1 = max(0, a - pad), min(gray.shape[0], b + pad)
        x0, x1 = max(0, int(cols[0]) - pad), min(gray.shape[1], int(cols[-1]) + 1 + pad)
        crops.append(gray[y0:y1, x0:x1])
    return crops


# Lines read per step: the title is within the first three lines, and the count of requests is
# in section 一's first paragraphs; the rest of a long section 一 is not read.
_STEP = 2


def read_front_matter(gray: np.ndarray, engine: RecognitionEngine) -> FrontMatter:
    """The title and the prose of section 一 read from the lines of print above the first table."""
    crops = text_lines(gray)
    front = FrontMatter([])
    for start in range(0, len(crops), _STEP):
        front.lines += [r.text for r in recognise_lines(crops[start : start + _STEP], engine, _STEP)]
        if front.title == "":
            _find_title(front)
        received = _RECEIVED.search("".join(front.lines))
        if received:
            front.received = int(received.group(1))
            if front.title:
                break
    return front


def front_matter(lines: list[str]) -> FrontMatter:
    """Title, agency, year and count of requests from lines already read (a text layer's)."""
    front = FrontMatter(list(lines))
    _find_title(front)
    received = _RECEIVED.search("".join(front.lines))
    front.received = int(received.group(1)) if received else None
    return front


def _find_title(front: FrontMatter) -> None:
    lines = front.lines
    for index, line in enumerate(lines[:3]):
        year = _YEAR.search(line)
        if year and ("报告" in line or "政府信息" in line):
            front.title = line
            front.year = int(year.group(1))
            agency = line[: year.start()].strip(" ：:")
            front.agency = agency or (lines[index - 1] if index else None)
            return


CAPTION_REACH = 1 / 30  # of the page's height: how far above a table its caption line may stand


def read_captions(bands: list[np.ndarray], engine: RecognitionEngine, batch_size: int) -> list[str]:
    """For each band above a table, the text of its lowest line of print (the table's caption),
    or "": the lines of a page's bands recognised together."""
    lowest = [text_lines(band)[-1:] for band in bands]
    read = iter(recognise_lines([c for crops in lowest for c in crops], engine, batch_size))
    return [next(read).text if crops else "" for crops in lowest]
