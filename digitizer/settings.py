"""One settings object for the whole pipeline: every option a stage reads lives here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    # OCR engine, found by name in digitizer.ocr.engines (paddleocr = PaddleOCR/PaddleX on ONNX Runtime).
    engine: str = "paddleocr"
    device: str = "cpu"  # cpu | cuda
    cpu_threads: int = 2
    # Where assembled PaddleOCR model folders are cached (None: $DIGITIZER_MODEL_DIR or ~/.cache).
    model_dir: Path | None = None
    # engine="paddle" only: a Paddle-format recognizer folder the user brings (e.g. PaddleOCR's
    # official PP-OCRv5 server model); None converts the pinned ONNX model once (digitizer[paddle]).
    paddle_model_dir: Path | None = None
    rec_batch_size: int = 32
    # Loading limits: a page or document past them is refused with a plain reason.
    pdf_dpi: int = 200
    max_page_pixels: int = 80_000_000
    max_pages: int = 60
    max_file_bytes: int = 500_000_000
    # Page shape: a side under min_page_side pixels, or one over max_page_aspect times the other,
    # is no page (no room for a ruled table; it would shrink to nothing in preprocessing).
    min_page_side: int = 50
    max_page_aspect: float = 20.0
    # A PDF page with a usable text layer (born-digital) is read from it, not by OCR (digitizer.textlayer).
    text_layer: bool = True
    # Preprocessing.
    deskew: bool = True
    orientation: bool = True  # try quarter turns on pages whose text does not read upright
    # Draw in the rules a found grid's cells still show (dotted, dashed, faint), where PP-OCR's text
    # detector says no print lies; flag cells whose text lies across a rule (digitizer.completion).
    complete_grids: bool = True
    reread: bool = True  # read the cells of failing relations again, harder (digitizer.verify)
    max_skew_degrees: float = 15.0
    # Layout matching: minimum fuzzy score (0-100) for a printed label to count as a match.
    label_score: float = 62.0
    workers: int = field(default_factory=_default_workers)

    def __post_init__(self) -> None:
        """The loading limits must be able to admit a page: a plain ValueError names the one that cannot."""
        for name in ("pdf_dpi", "max_page_pixels", "max_pages", "max_file_bytes", "min_page_side"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
        if isinstance(self.max_page_aspect, bool) or not isinstance(self.max_page_aspect, int | float) \
                or not 1.0 <= self.max_page_aspect < float("inf"):
            raise ValueError(f"max_page_aspect must be a finite number of at least 1, not {self.max_page_aspect!r}")
        if self.min_page_side ** 2 > self.max_page_pixels:
            raise ValueError(f"min_page_side {self.min_page_side} admits no page within max_page_pixels "
                             f"{self.max_page_pixels}")

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def resolved_model_dir(self) -> Path:
        if self.model_dir is not None:
            return Path(self.model_dir)
        env = os.environ.get("DIGITIZER_MODEL_DIR")
        if env:
            return Path(env)
        return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "digitizer" / "models"
