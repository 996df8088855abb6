"""PP-OCR text detection: where the text lines of a table region lie.

PaddleOCR 3.x's TextDetection module runs the pinned PP-OCRv6 small detector (DB) on PaddleX's
ONNX Runtime engine, from the project's own model folder (nothing downloaded). The pipeline uses
it only where a table's ruled grid looks incomplete (digitizer.completion): the text positions
tell a broken rule from print, and check the grid.
"""

from __future__ import annotations

import os
from functools import lru_cache

import cv2
import numpy as np

from ..errors import EngineUnavailable
from ..settings import Settings
from ..types import BBox
from . import models

DET_MODEL = "PP-OCRv6_small_det"
# Longest side the detector sees: table text at 150 dpi stays about 15 pixels high at this size.
LIMIT_SIDE = 1600


class TextDetector:
    """Axis-aligned boxes of the text lines in a region of a straightened page."""

    def __init__(self, settings: Settings):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            from paddleocr import TextDetection
        except ImportError as err:
            raise EngineUnavailable("text detection needs PaddleOCR: pip install 'paddleocr==3.7.0' onnxruntime") from err
        folder = models.model_folder(DET_MODEL, settings.resolved_model_dir())
        threads = max(1, settings.cpu_threads)
        self._module = TextDetection(
            model_name=DET_MODEL,
            model_dir=str(folder),
            engine="onnxruntime",
            engine_config={"intra_op_num_threads": threads, "inter_op_num_threads": 1},
            device="gpu" if settings.device == "cuda" else "cpu",
            limit_side_len=LIMIT_SIDE,
            limit_type="max",
        )

    def boxes(self, gray: np.ndarray, region: BBox, margin: int = 8) -> list[BBox]:
        """Text-line boxes inside `region` (page pixels, x0, y0, x1, y1 exclusive)."""
        x0, y0 = max(0, region[0] - margin), max(0, region[1] - margin)
        x1, y1 = min(gray.shape[1], region[2] + margin), min(gray.shape[0], region[3] + margin)
        crop = gray[y0:y1, x0:x1]
        if crop.size == 0:
            return []
        image = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop
        out: list[BBox] = []
        for result in self._module.predict(image):
            for poly in result["dt_polys"]:
                points = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
                bx0, by0 = points.min(axis=0)
                bx1, by1 = points.max(axis=0)
                out.append((int(bx0) + x0, int(by0) + y0, int(np.ceil(bx1)) + x0 + 1, int(np.ceil(by1)) + y0 + 1))
        return out


@lru_cache(maxsize=2)
def get_detector(settings: Settings) -> TextDetector:
    """One detector per process and settings."""
    return TextDetector(settings)
