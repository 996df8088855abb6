"""The paddle engine: PaddleOCR on native PaddlePaddle with a model converted from the pinned ONNX
file (digitizer[paddle]). Skipped, with the reason, where PaddlePaddle is not installed."""

from __future__ import annotations

import json

import pytest

from digitizer.errors import ModelError
from digitizer.load import load_pages
from digitizer.ocr.engines import PaddleEngine, get_engine
from digitizer.ocr.paddle_convert import drop_copies, paddle_model_folder
from digitizer.ocr.read import read_cells
from digitizer.preprocess import to_gray
from digitizer.settings import Settings

from .conftest import requires_paddle, source, truth

pytestmark = requires_paddle


@pytest.fixture(scope="module")
def converted():
    settings = Settings()
    return paddle_model_folder("PP-OCRv6_small_rec", settings.resolved_model_dir())


def _page_cells(document: str, page: int):
    """Every grid cell of a real generated page, labels and headers included, inset from the rules."""
    from digitizer.grid import find_grids

    gray = to_gray(load_pages(source(document), Settings())[page - 1].image)
    boxes = [c.bbox for t in find_grids(gray, page) for c in t.cells]
    return gray, [(x0 + 3, y0 + 3, x1 - 3, y1 - 3) for x0, y0, x1, y1 in boxes]


def test_converted_model_has_no_copy_ops(converted):
    """x2paddle wraps op outputs in paddle.assign copies; the converter turns them into names."""
    program = json.dumps(json.loads((converted / "inference.json").read_text()))
    assert '"1.conv2d"' in program
    assert '"1.assign"' not in program
    assert drop_copies("        a_1 = paddle.assign(x=b_2)\n") == "        a_1 = b_2\n"


def test_paddle_reads_every_cell_as_onnxruntime_does(converted):
    """Same model, two runtimes: every cell of a table page (Chinese labels and digits) reads the
    same text, and the values match the ground truth."""
    paddle_engine = get_engine(Settings(engine="paddle"))
    onnx_engine = get_engine(Settings(engine="onnxruntime"))
    assert "paddlepaddle" in paddle_engine.describe()
    gray, boxes = _page_cells("r01-2021-jpg-blank", 2)
    assert len(boxes) > 100
    by_paddle = read_cells(gray, boxes, paddle_engine)
    by_onnx = read_cells(gray, boxes, onnx_engine)
    same = sum(a.text == b.text and a.numeric_text == b.numeric_text for a, b in zip(by_paddle, by_onnx))
    assert same / len(boxes) >= 0.99
    chinese = sum(1 for r in by_paddle for ch in r.text if "\u4e00" <= ch <= "\u9fff")
    assert chinese > 150  # labels were read, not only digits

    cells = [c for t in truth("r01-2021-jpg-blank")["tables"].values() for c in t["cells"] if c["page"] == 2]
    inner = [(x0 + 6, y0 + 6, x1 - 6, y1 - 6) for x0, y0, x1, y1 in (c["bbox"] for c in cells)]
    readings = read_cells(gray, inner, paddle_engine)
    right = sum(1 for r, c in zip(readings, cells) if (r.numeric_text or r.text) == c["text"])
    assert right / len(cells) >= 0.98


def test_a_users_model_folder_is_used_and_checked(converted, tmp_path):
    """--paddle-model-dir takes the user's own Paddle-format folder; a folder that is not one is a
    plain error naming what is missing."""
    engine = PaddleEngine(Settings(engine="paddle", paddle_model_dir=converted))
    assert converted.name in engine.describe()
    assert len(engine.characters) > 18000
    (tmp_path / "inference.yml").write_text("Global: {model_name: x}\n")
    with pytest.raises(ModelError, match="not a PaddleOCR recognition model folder"):
        PaddleEngine(Settings(engine="paddle", paddle_model_dir=tmp_path))
