"""OCR engines behind one small interface: a batch of normalised text-line images in,
per-timestep character probabilities out. Decoding, batching and cell logic are engine-neutral
(digitizer.ocr.read), so the pipeline never imports an engine.

Engines, found by name:
- "paddleocr": PaddleOCR 3.x's TextRecognition module on PaddleX's ONNX Runtime engine
  (engine="onnxruntime", no paddlepaddle), PP-OCRv6 small recognizer from a local model folder.
- "onnxruntime": the same ONNX model run directly by onnxruntime (CPU or CUDA provider);
  this is how the rapidocr package runs it.
- "paddle": PaddleOCR's TextRecognition on native PaddlePaddle (extra digitizer[paddle]), with a
  Paddle-format model folder: the user's own (Settings.paddle_model_dir, e.g. PaddleOCR's official
  server models) or one converted from the pinned ONNX model (digitizer.ocr.paddle_convert).
"""

from __future__ import annotations

import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from ..errors import EngineUnavailable, ModelError
from ..settings import Settings
from . import models

REC_MODEL = "PP-OCRv6_small_rec"
REC_HEIGHT = 48


class RecognitionEngine(Protocol):
    name: str
    characters: list[str]  # index i+1 of the model output; index 0 is the CTC blank
    # How many calls of `probabilities` may run at once (from threads). On the CPU the ONNX
    # engines run each batch on one thread and several batches side by side: small recognizer
    # ops keep two threads of one run waiting on each other, two one-thread runs do not
    # (1.5x faster on 2 cores). One on a GPU, and for Paddle predictors (not thread-safe).
    concurrent_runs: int

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """batch: float32 (N, 3, 48, W) normalised to [-1, 1]; returns (N, T, classes)."""
        ...

    def describe(self) -> str:
        """The engine and its runtime, for the report's `engine` field."""
        ...


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
        self.concurrent_runs = settings.cpu_threads if settings.device == "cpu" else 1
        threads = max(1, settings.cpu_threads // self.concurrent_runs)
        self._module = TextRecognition(
            model_name=REC_MODEL,
            model_dir=str(folder),
            engine="onnxruntime",
            cpu_threads=threads,
            # PaddleOCR 3.7 passes cpu_threads only to Paddle engines; ONNX Runtime would start
            # one thread per core in every session (and four threads on two cores run slower).
            engine_config={"intra_op_num_threads": threads, "inter_op_num_threads": 1},
            device="gpu" if settings.device == "cuda" else "cpu",
        )
        self._runner = _model_runner(self._module)
        self.characters = models.characters(REC_MODEL)
        self._version = paddleocr.__version__

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """Per-timestep character probabilities of a batch of text-line images."""
        return np.asarray(self._runner(x=[batch])[0])

    def describe(self) -> str:
        """PaddleOCR's version and runtime."""
        return f"paddleocr {self._version} (onnxruntime)"


class OnnxRuntimeEngine:
    name = "onnxruntime"

    def __init__(self, settings: Settings):
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise EngineUnavailable("the onnxruntime engine needs ONNX Runtime: pip install onnxruntime") from err
        folder = models.model_folder(REC_MODEL, settings.resolved_model_dir())
        providers = ["CPUExecutionProvider"]
        if settings.device == "cuda":
            if "CUDAExecutionProvider" in ort.get_available_providers():
                providers.insert(0, "CUDAExecutionProvider")
            else:
                warnings.warn("CUDA is not usable here (install digitizer[gpu]); running on the CPU", stacklevel=2)
        self.concurrent_runs = settings.cpu_threads if len(providers) == 1 else 1
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, settings.cpu_threads // self.concurrent_runs)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / "inference.onnx"), options, providers=providers)
        self._input = self._session.get_inputs()[0].name
        self.characters = models.characters(REC_MODEL)
        self._version = ort.__version__
        self._providers = self._session.get_providers()

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """Per-timestep character probabilities of a batch of text-line images."""
        return self._session.run(None, {self._input: batch})[0]

    def describe(self) -> str:
        """onnxruntime's version and the provider it runs on."""
        return f"onnxruntime {self._version} ({self._providers[0]})"


class PaddleEngine:
    name = "paddle"
    concurrent_runs = 1

    def __init__(self, settings: Settings):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            import paddle
            from paddleocr import TextRecognition
        except ImportError as err:
            raise EngineUnavailable("the paddle engine needs PaddlePaddle: pip install -e '.[paddle]'") from err
        if settings.paddle_model_dir is not None:
            folder = Path(settings.paddle_model_dir)
        else:
            from .paddle_convert import paddle_model_folder

            folder = paddle_model_folder(REC_MODEL, settings.resolved_model_dir())
        config = _rec_config(folder)
        device = "cpu"
        if settings.device == "cuda":
            if paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0:
                device = "gpu"
            else:
                warnings.warn("CUDA is not usable by PaddlePaddle here (install paddlepaddle-gpu); running on the CPU",
                              stacklevel=2)
        self._module = TextRecognition(model_name=config["Global"]["model_name"], model_dir=str(folder),
                                       engine="paddle", cpu_threads=settings.cpu_threads, device=device)
        self._runner = _model_runner(self._module)
        self._lock = threading.Lock()  # a Paddle predictor runs one batch at a time
        self.characters = list(config["PostProcess"]["character_dict"])
        self._description = f"paddlepaddle {paddle.__version__} ({device}, {config['Global']['model_name']} from {folder.name})"

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """Per-timestep character probabilities of a batch of text-line images (one batch at a time)."""
        with self._lock:
            return np.asarray(self._runner(x=[batch])[0])

    def describe(self) -> str:
        """PaddleOCR's version, PaddlePaddle and the model folder it runs."""
        return self._description


def _model_runner(module):
    """The model runner inside a PaddleOCR TextRecognition module: the one place this project uses
    PaddleOCR's internals. PaddleOCR's public predict() decodes over the whole alphabet; the runner
    takes our own batches (cell crops normalised like PaddleOCR's RecResizeImg) and gives the raw
    probabilities, so that a numeric cell can be decoded over digits only and its runner-up
    readings weighed. PaddleX's predictor holds it as `paddlex_predictor.runner` (PaddleOCR 3.x)."""
    return module.paddlex_predictor.runner


def _rec_config(folder: Path) -> dict:
    """A Paddle-format recognizer folder's inference.yml, checked for what the cell reader assumes."""
    missing = [f for f in ("inference.yml", "inference.pdiparams") if not (folder / f).exists()]
    if missing or not any((folder / f).exists() for f in ("inference.json", "inference.pdmodel")):
        raise ModelError(f"{folder} is not a PaddleOCR recognition model folder (inference.json or .pdmodel, "
                         "inference.pdiparams and inference.yml)")
    config = yaml.safe_load((folder / "inference.yml").read_text(encoding="utf-8"))
    if config.get("PostProcess", {}).get("name") != "CTCLabelDecode" or not config["PostProcess"].get("character_dict"):
        raise ModelError(f"{folder}: only CTC recognizers with their character_dict in inference.yml are supported")
    shapes = [op["RecResizeImg"]["image_shape"] for op in config.get("PreProcess", {}).get("transform_ops", [])
              if isinstance(op, dict) and "RecResizeImg" in op]
    if shapes and shapes[0][1] != REC_HEIGHT:
        raise ModelError(f"{folder}: the recognizer expects {shapes[0][1]}-pixel lines; the cell reader makes {REC_HEIGHT}")
    return config


ENGINES: dict[str, type] = {"paddleocr": PaddleOCREngine, "onnxruntime": OnnxRuntimeEngine, "paddle": PaddleEngine}


@lru_cache(maxsize=4)
def _cached(name: str, settings: Settings) -> RecognitionEngine:
    return ENGINES[name](settings)


def get_engine(settings: Settings) -> RecognitionEngine:
    """The engine a settings object names, loaded once per process."""
    if settings.engine not in ENGINES:
        raise EngineUnavailable(f"unknown OCR engine {settings.engine!r}; choose one of {', '.join(ENGINES)}")
    return _cached(settings.engine, settings)
