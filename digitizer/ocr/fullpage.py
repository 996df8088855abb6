"""The naive baseline for the benchmark: PaddleOCR's whole OCR pipeline over the whole page.

PaddleOCR detects every text line of the page (PP-OCRv6 small det), recognises each line
(PP-OCRv6 small rec, full alphabet), and each text box is then put into the grid cell that holds
its centre. The grid, reconstruction, mapping and checks are the project's own, so the only thing
that differs from digitizer.pipeline.Digitizer is how cell text is read:
  project:  grid cells -> ink lines per cell -> batched recognition, digits-only decoding of numbers
  baseline: full-page detection + recognition -> boxes assigned to cells by their centre
"""

from __future__ import annotations

import os
from functools import lru_cache

import cv2
import numpy as np

from ..errors import EngineUnavailable
from ..settings import Settings
from ..types import BBox, CellReading
from . import models
from .detect import DET_MODEL

REC_MODEL = "PP-OCRv6_small_rec"

Box = tuple[str, float, np.ndarray]  # text, score, polygon (K, 2) in page pixels


class FullPageOCR:
    """PaddleOCR(...) over a whole page, offline, on PaddleX's ONNX Runtime engine."""

    def __init__(self, settings: Settings):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            import paddleocr
            from paddleocr import PaddleOCR
        except ImportError as err:
            raise EngineUnavailable(
                "the full-page baseline needs PaddleOCR: pip install 'paddleocr==3.7.0' onnxruntime"
            ) from err
        model_dir = settings.resolved_model_dir()
        self._pipeline = PaddleOCR(
            text_detection_model_name=DET_MODEL,
            text_detection_model_dir=str(models.model_folder(DET_MODEL, model_dir)),
            text_recognition_model_name=REC_MODEL,
            text_recognition_model_dir=str(models.model_folder(REC_MODEL, model_dir)),
            # These three would download their own models; the baseline does not need them.
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            engine="onnxruntime",
            cpu_threads=settings.cpu_threads,
            device="gpu" if settings.device == "cuda" else "cpu",
        )
        self._version = paddleocr.__version__

    def read(self, gray: np.ndarray) -> list[Box]:
        """Every text box PaddleOCR finds on the page: (text, score, polygon in page pixels)."""
        image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR) if gray.ndim == 2 else gray
        results = self._pipeline.predict(image)
        boxes: list[Box] = []
        for result in results:
            polys = result["rec_polys"] if len(result.get("rec_polys", [])) else result.get("dt_polys", [])
            for text, score, poly in zip(result["rec_texts"], result["rec_scores"], polys):
                boxes.append((str(text), float(score), np.asarray(poly, dtype=np.float32).reshape(-1, 2)))
        return boxes

    def describe(self) -> str:
        """PaddleOCR's version and pipeline, for the benchmark."""
        return f"paddleocr {self._version} full-page pipeline (onnxruntime)"


@lru_cache(maxsize=2)
def get_fullpage_ocr(settings: Settings) -> FullPageOCR:
    """One full-page OCR pipeline per process and settings."""
    return FullPageOCR(settings)


def read_page_boxes(gray_page: np.ndarray, settings: Settings | None = None) -> list[Box]:
    """Every text box PaddleOCR finds on a page: (text, score, polygon)."""
    return get_fullpage_ocr(settings or Settings()).read(gray_page)


def _reading_order(boxes: list[Box]) -> list[Box]:
    """Top to bottom by text line, left to right within a line."""
    items = []
    for box in boxes:
        poly = box[2]
        items.append((float(poly[:, 1].min()), float(poly[:, 1].max()), float(poly[:, 0].min()), box))
    items.sort(key=lambda t: (t[0] + t[1]) / 2)
    lines: list[list[tuple]] = []
    for item in items:
        centre = (item[0] + item[1]) / 2
        if lines:
            top = min(i[0] for i in lines[-1])
            bottom = max(i[1] for i in lines[-1])
            if top <= centre <= bottom:
                lines[-1].append(item)
                continue
        lines.append([item])
    return [i[3] for line in lines for i in sorted(line, key=lambda i: i[2])]


def assign_to_cells(boxes: list[Box], cell_bboxes: list[BBox]) -> list[str]:
    """The text of each cell: the boxes whose centre lies inside it, joined in reading order.

    A box whose centre is in no cell (a title, a footnote, text outside the tables) is dropped;
    where cells overlap, the smallest cell holding the centre wins.
    """
    return [text for text, _, _ in _assign(boxes, cell_bboxes)]


def _assign(boxes: list[Box], cell_bboxes: list[BBox]) -> list[tuple[str, float, int]]:
    """(text, lowest score, box count) per cell."""
    per_cell: list[list[Box]] = [[] for _ in cell_bboxes]
    if cell_bboxes:
        cells = np.asarray(cell_bboxes, dtype=np.float64).reshape(-1, 4)
        areas = (cells[:, 2] - cells[:, 0]) * (cells[:, 3] - cells[:, 1])
        for box in boxes:
            cx, cy = box[2].mean(axis=0)
            inside = (cells[:, 0] <= cx) & (cx < cells[:, 2]) & (cells[:, 1] <= cy) & (cy < cells[:, 3])
            hits = np.flatnonzero(inside)
            if hits.size:
                per_cell[int(hits[np.argmin(areas[hits])])].append(box)
    out = []
    for found in per_cell:
        ordered = _reading_order(found)
        text = "".join(t for t, _, _ in ordered).strip()
        out.append((text, min((s for _, s, _ in ordered), default=1.0), len(ordered)))
    return out


class FullPageCellReader:
    """A CellReader by full-page OCR: PaddleOCR's detection + recognition over the page, each
    text box assigned to the cell holding its centre (the benchmark's naive baseline)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def ocr(self) -> FullPageOCR:
        """The full-page OCR pipeline of these settings, loaded once per process."""
        return get_fullpage_ocr(self.settings)

    def read(self, gray: np.ndarray, boxes: list[BBox]) -> list[CellReading]:
        """One CellReading per box: the text of the boxes whose centre lies in it."""
        found = _assign(self.ocr.read(gray), boxes)
        # numeric_text None: the baseline has no digits-only decoding; lines = boxes in the cell.
        return [CellReading(text, score if count else 1.0, None, 0.0, count) for text, score, count in found]
