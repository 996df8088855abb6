"""OCR engines behind one small interface: a batch of normalised text-line images in,
per-timestep character probabilities out. Decoding, batching and cell logic are engine-neutral
(digitizer.ocr.read), so the pipeline never imports an engine.

Engines, found by name:
- "paddleocr": PaddleOCR 3.x's TextRecognition module on PaddleX's ONNX Runtime engine
  (engine="onnxruntime", no paddlepaddle), PP-OCRv6 small recognizer from a local model folder.
- "onnxruntime": the same ONNX model run directly by onnxruntime (CPU or CUDA provider);
  this is how the rapidocr package runs it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Protocol

import numpy as np

from ..errors import EngineUnavailable
from ..settings import Settings
from . import models

REC_MODEL = "PP-OCRv6_small_rec"
REC_HEIGHT = 48


class RecognitionEngine(Protocol):
    name: str
    characters: list[str]  # index i+1 of the model output; index 0 is the CTC blank

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """batch: float32 (N, 3, 48, W) normalised to [-1, 1]; returns (N, T, classes)."""
        ...

    def describe(self) -> str: ...


class PaddleOCREngine:
    name = "paddleocr"

    def __init__(self, settings: Settings):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            import paddleocr
            from paddleocr import TextRecognition
        except ImportError as err:
            raise EngineUnavailable("the paddleocr engine needs PaddleOCR: pip install 'paddleocr==3.7.0' onnxruntime") from err
        folder = models.model_folder(REC_MODEL, settings.resolved_model_dir())
        self._module = TextRecognition(
            model_name=REC_MODEL,
            model_dir=str(folder),
            engine="onnxruntime",
            cpu_threads=settings.cpu_threads,
            device="gpu" if settings.device == "cuda" else "cpu",
        )
        # PaddleX's predictor holds the ONNX Runtime runner the module built; we feed it our own
        # batches (cell crops normalised like PaddleOCR's RecResizeImg) and decode ourselves, so
        # numeric cells can be decoded over a restricted alphabet.
        self._runner = self._module.paddlex_predictor.runner
        self.characters = models.characters(REC_MODEL)
        self._version = paddleocr.__version__

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self._runner(x=[batch])[0])

    def describe(self) -> str:
        return f"paddleocr {self._version} (onnxruntime)"


class OnnxRuntimeEngine:
    name = "onnxruntime"

    def __init__(self, settings: Settings):
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise EngineUnavailable("the onnxruntime engine needs ONNX Runtime: pip install onnxruntime") from err
        folder = models.model_folder(REC_MODEL, settings.resolved_model_dir())
        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.cpu_threads
        options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        if settings.device == "cuda":
            if "CUDAExecutionProvider" in ort.get_available_providers():
                providers.insert(0, "CUDAExecutionProvider")
            else:
                import warnings

                warnings.warn("CUDA is not usable here (install digitizer[gpu]); running on the CPU", stacklevel=2)
        self._session = ort.InferenceSession(str(folder / "inference.onnx"), options, providers=providers)
        self._input = self._session.get_inputs()[0].name
        self.characters = models.characters(REC_MODEL)
        self._version = ort.__version__
        self._providers = self._session.get_providers()

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: batch})[0]

    def describe(self) -> str:
        return f"onnxruntime {self._version} ({self._providers[0]})"


ENGINES: dict[str, type] = {"paddleocr": PaddleOCREngine, "onnxruntime": OnnxRuntimeEngine}


@lru_cache(maxsize=4)
def _cached(name: str, settings: Settings) -> RecognitionEngine:
    return ENGINES[name](settings)


def get_engine(settings: Settings) -> RecognitionEngine:
    """The engine a settings object names, loaded once per process."""
    if settings.engine not in ENGINES:
        raise EngineUnavailable(f"unknown OCR engine {settings.engine!r}; choose one of {', '.join(ENGINES)}")
    return _cached(settings.engine, settings)
