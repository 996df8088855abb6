"""One settings object for the whole pipeline: every option a stage reads lives here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEVICES = ("cpu", "cuda")


def _changes_result(default: Any) -> Any:
    """A field whose value changes what is read (it goes into a result's run key); the others
    (workers, threads, device, batch size, model cache) change only how fast or where it is read."""
    return field(default=default, metadata={"result": True})


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    # OCR engine, found by name in digitizer.ocr.engines (paddleocr = PaddleOCR/PaddleX on ONNX Runtime).
    engine: str = _changes_result("paddleocr")
    device: str = "cpu"  # cpu | cuda
    cpu_threads: int = 2
    # Where assembled PaddleOCR model folders are cached (None: $DIGITIZER_MODEL_DIR or ~/.cache).
    model_dir: Path | None = None
    # engine="paddle" only: a Paddle-format recognizer folder the user brings (e.g. PaddleOCR's
    # official PP-OCRv5 server model); None converts the pinned ONNX model once (digitizer[paddle]).
    paddle_model_dir: Path | None = _changes_result(None)
    rec_batch_size: int = 32
    # Loading limits: a page or document past them is refused with a plain reason.
    pdf_dpi: int = _changes_result(200)
    max_page_pixels: int = _changes_result(80_000_000)
    max_pages: int = _changes_result(60)
    max_file_bytes: int = _changes_result(500_000_000)
    # Page shape: a side under min_page_side pixels, or one over max_page_aspect times the other,
    # is no page (no room for a ruled table; it would shrink to nothing in preprocessing).
    min_page_side: int = _changes_result(50)
    max_page_aspect: float = _changes_result(20.0)
    # A PDF page with a usable text layer (born-digital) is read from it, not by OCR (digitizer.textlayer).
    text_layer: bool = _changes_result(True)
    # Preprocessing.
    deskew: bool = _changes_result(True)
    orientation: bool = _changes_result(True)  # try quarter turns on pages whose text does not read upright
    # Draw in the rules a found grid's cells still show (dotted, dashed, faint), where PP-OCR's text
    # detector says no print lies; flag cells whose text lies across a rule (digitizer.completion).
    complete_grids: bool = _changes_result(True)
    reread: bool = _changes_result(True)  # read the cells of failing relations again, harder (digitizer.verify)
    max_skew_degrees: float = _changes_result(15.0)
    # Layout matching: minimum fuzzy score (0-100) for a printed label to count as a match.
    label_score: float = _changes_result(62.0)
    workers: int = field(default_factory=_default_workers)

    def __post_init__(self) -> None:
        """A setting no run could honour is a plain ValueError naming it and its choices: an
        unknown engine or device (not a silent CPU run), a limit that admits no page."""
        from .ocr.engines import ENGINES  # the engines' registry is the one list of their names

        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(sorted(ENGINES))}, not {self.engine!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        for name in ("cpu_threads", "rec_batch_size", "workers", "pdf_dpi", "max_page_pixels", "max_pages", "max_file_bytes", "min_page_side"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
        if isinstance(self.max_page_aspect, bool) or not isinstance(self.max_page_aspect, int | float) \
                or not 1.0 <= self.max_page_aspect < float("inf"):
            raise ValueError(f"max_page_aspect must be a finite number of at least 1, not {self.max_page_aspect!r}")
        if self.min_page_side ** 2 > self.max_page_pixels:
            raise ValueError(f"min_page_side {self.min_page_side} admits no page within max_page_pixels "
                             f"{self.max_page_pixels}")

    def result_settings(self) -> dict[str, Any]:
        """The settings that change what is read, by name: what a result's run key is made of."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("result")}

    def with_(self, **changes: object) -> Settings:
        """A copy with these settings changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def resolved_model_dir(self) -> Path:
        """Where the assembled model folders are cached: model_dir, $DIGITIZER_MODEL_DIR, or
        ~/.cache/digitizer/models."""
        if self.model_dir is not None:
            return Path(self.model_dir)
        env = os.environ.get("DIGITIZER_MODEL_DIR")
        if env:
            return Path(env)
        return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "digitizer" / "models"
