"""Paddle-format model folders for native PaddlePaddle, converted from the pinned ONNX models.

The `paddle` engine runs PaddleOCR on native PaddlePaddle (extra `digitizer[paddle]`). Users with
PaddleOCR's official Paddle-format models (inference.json + inference.pdiparams + inference.yml)
point --paddle-model-dir at them; everyone else, CI included, gets a folder converted here from
the ONNX file that models/models.yaml pins, because the official weights cannot be downloaded
where this tool is built.

The conversion is x2paddle's ONNX front end (decoder, op mapper, graph optimiser, code generator),
with fixes found by trying it:
- x2paddle 1.6 imports `onnx.mapping`, which newer onnx releases dropped: the extra pins onnx 1.17.
- its `onnx2paddle` entry point phones home (a "feedback" request): its steps are called directly.
- the generated code wraps nearly every op's output in `paddle.assign` (the ONNX file is itself a
  paddle2onnx export, whose renamings come back as copies): 135 copies that slow the model down,
  so they are turned into plain Python names before the static graph is exported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
from pathlib import Path

from ..errors import EngineUnavailable
from . import models

_ASSIGN = re.compile(r"^(\s+)(\w+) = paddle\.assign\(x=(\w+)\)$", re.MULTILINE)
PADDLE_FILES = ("inference.json", "inference.pdiparams", "inference.yml")


def drop_copies(code: str) -> str:
    """x2paddle's model code with `a = paddle.assign(x=b)` made a plain `a = b`."""
    return _ASSIGN.sub(r"\1\2 = \3", code)


def _import_paddle():
    try:
        import paddle
        import x2paddle  # noqa: F401
    except ImportError as err:
        raise EngineUnavailable(
            "converting models for the paddle engine needs PaddlePaddle and x2paddle: pip install -e '.[paddle]'"
        ) from err
    return paddle


def _generate(onnx_file: Path, work: Path) -> None:
    """x2paddle's model code (x2paddle_code.py) and weights (model.pdparams) for an ONNX file."""
    from x2paddle.decoder.onnx_decoder import ONNXDecoder
    from x2paddle.op_mapper.onnx2paddle.onnx_op_mapper import ONNXOpMapper
    from x2paddle.optimizer.optimizer import GraphOptimizer

    with contextlib.redirect_stdout(io.StringIO()):  # a progress line per node
        mapper = ONNXOpMapper(ONNXDecoder(str(onnx_file), True, None))
        mapper.paddle_graph.build()
        GraphOptimizer(source_frame="onnx").optimize(mapper.paddle_graph)
        work.mkdir(parents=True, exist_ok=True)
        mapper.paddle_graph.gen_code(str(work))
        mapper.paddle_graph.dump_parameter(str(work))


def _export(paddle, work: Path, target: Path) -> None:
    code = work / "x2paddle_code.py"
    code.write_text(drop_copies(code.read_text(encoding="utf-8")), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"_x2paddle_code_{id(work)}", code)
    assert spec is not None and spec.loader is not None  # a .py file always has a spec and a loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paddle.disable_static()
    model = module.ONNXModel()
    model.set_dict(paddle.load(str(work / "model.pdparams")))
    model.eval()
    # Batch and width vary (cell crops are bucketed by width); height and channels are fixed.
    spec_in = [paddle.static.InputSpec(shape=[-1, 3, 48, -1], name="x", dtype="float32")]
    static = paddle.jit.to_static(model, input_spec=spec_in, full_graph=True)
    paddle.jit.save(static, str(target / "inference"))


def paddle_model_folder(name: str, cache_dir: Path) -> Path:
    """A PaddleOCR Paddle-format folder for a pinned model, converted once and cached beside the
    ONNX folders (named by the ONNX file's sha256, so a new pin converts again)."""
    onnx_folder = models.model_folder(name, cache_dir)
    folder = cache_dir / f"{onnx_folder.name}-paddle"
    if models.is_complete(folder, PADDLE_FILES):
        return folder
    paddle = _import_paddle()
    with models.staged_folder(folder, PADDLE_FILES) as staging:
        work = staging / "x2paddle"
        _generate(onnx_folder / "inference.onnx", work)
        _export(paddle, work, staging)
        shutil.copyfile(onnx_folder / "inference.yml", staging / "inference.yml")
        shutil.rmtree(work)
        for extra in staging.iterdir():
            if extra.name not in PADDLE_FILES:
                extra.unlink()
    return folder
