"""The benchmark's full-page baseline, on a real sample page with the real models (no mocks)."""

from pathlib import Path

import numpy as np
import pytest

from digitizer import grid, load, preprocess
from digitizer.settings import Settings

SCANS = Path(__file__).resolve().parents[1] / "scans"

pytestmark = pytest.mark.skipif(not (SCANS / "truth").is_dir(), reason="no sample scans with truth")


def _box(text, x0, y0, x1, y1):
    return (text, 0.9, np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32))


def test_assign_to_cells_uses_box_centres_and_reading_order():
    from digitizer.ocr.fullpage import assign_to_cells

    cells = [(0, 0, 100, 50), (100, 0, 200, 50), (0, 50, 200, 100)]
    boxes = [
        _box("b", 50, 5, 90, 20),  # right half of line 1 of cell 0
        _box("a", 5, 5, 45, 20),  # left half of the same line
        _box("c", 5, 28, 60, 45),  # line 2 of cell 0
        _box("12", 120, 10, 180, 40),
        _box("title", 10, -40, 190, -10),  # outside every cell: dropped
        _box("x", 90, 55, 130, 95),  # centre (110, 75) in cell 2 although it starts in column 0
    ]
    assert assign_to_cells(boxes, cells) == ["abc", "12", "x"]
    assert assign_to_cells([], cells) == ["", "", ""]


def test_baseline_bench_reads_a_real_document():
    from digitizer.ocr.fullpage import assign_to_cells, read_page_boxes
    from digitizer_tools.bench import run_bench

    result = run_bench(SCANS, docs=1, variants=("baseline",), isolate=False, warmup=False)
    assert {"documents", "pages", "variants", "settings", "machine"} <= result.keys()
    baseline = result["variants"]["baseline"]
    for key in ("pages_per_second", "accuracy", "cells", "cells_right", "peak_rss_mb", "load_seconds"):
        assert key in baseline
    assert baseline["pages"] == result["pages"] > 0
    assert baseline["pages_per_second"] > 0
    assert baseline["cells"] > 50
    assert baseline["accuracy"] > 0.5

    # The reader itself on the first page (models already loaded above).
    source = next(s for s in load.discover([SCANS]) if s.document == result["documents"][0])
    page = load.load_pages(source, Settings())[0]
    straight = preprocess.straighten(page, Settings())
    boxes = read_page_boxes(straight.image)
    assert len(boxes) > 20
    text, confidence, polygon = boxes[0]
    assert isinstance(text, str) and 0.0 <= confidence <= 1.0 and polygon.shape[1] == 2
    cells = [c.bbox for g in grid.find_grids(straight.image, page.number) for c in g.cells]
    texts = assign_to_cells(boxes, cells)
    assert len(texts) == len(cells)
    assert sum(1 for t in texts if any(ch.isdigit() for ch in t)) >= 5
