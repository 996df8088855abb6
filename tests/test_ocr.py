"""Real cells through the real PP-OCRv6 recognizer (PaddleOCR on ONNX Runtime)."""

from __future__ import annotations

import json

import pytest

from digitizer.load import discover, load_pages
from digitizer.mapping import similarity
from digitizer.numbers import parse_number
from digitizer.ocr.engines import ENGINES, get_engine
from digitizer.ocr.read import read_cells
from digitizer.preprocess import to_gray
from digitizer.settings import Settings

from .conftest import SCANS, requires_paddle, source, truth

INSET = 6
HARD = SCANS / "hard"


def _value_cells(document: str, page: int):
    cells = [c for t in truth(document)["tables"].values() for c in t["cells"] if c["page"] == page]
    boxes = [(x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET) for x0, y0, x1, y1 in (c["bbox"] for c in cells)]
    return cells, boxes


@pytest.mark.parametrize("document", ["r02-2019-jpg-zero", "r01-2021-jpg-blank"])
def test_value_cells_read_right(engine, document):
    gray = to_gray(load_pages(source(document), Settings())[1].image)
    cells, boxes = _value_cells(document, 2)
    readings = read_cells(gray, boxes, engine)
    values = [parse_number(r.numeric_text if r.numeric_text is not None else r.text) for r in readings]
    right = sum(1 for v, c in zip(values, cells) if v is not None and v.value == c["value"])
    assert right / len(cells) >= 0.98


def test_lone_zero_reads_as_a_digit(engine):
    document = "r02-2019-jpg-zero"  # prints 0 in every empty cell
    gray = to_gray(load_pages(source(document), Settings())[1].image)
    cells, boxes = _value_cells(document, 2)
    zeros = [(b, c) for b, c in zip(boxes, cells) if c["text"] == "0"]
    readings = read_cells(gray, [b for b, _ in zeros], engine)
    assert len(zeros) > 20
    assert all(r.numeric_text == "0" for r in readings)


def test_blank_cells_are_blank(engine):
    document = "r01-2021-jpg-blank"
    gray = to_gray(load_pages(source(document), Settings())[1].image)
    cells, boxes = _value_cells(document, 2)
    blanks = [b for b, c in zip(boxes, cells) if c["text"] == ""]
    assert blanks and all(r.lines == 0 and r.text == "" for r in read_cells(gray, blanks, engine))


def test_label_cell_text(engine):
    from digitizer.grid import find_grids

    gray = to_gray(load_pages(source("r01-2021-jpg-blank"), Settings())[1].image)
    table = find_grids(gray, 2)[0]
    # The first body row's label spans the three label columns, below the three header rows.
    label = next(c for c in table.cells if c.row == 3 and c.col == 0)
    assert label.col_span == 3
    reading = read_cells(gray, [label.bbox], engine)[0]
    assert similarity(reading.text, "一、本年新收政府信息公开申请数量") >= 90


@pytest.mark.parametrize("name", [pytest.param(n, marks=requires_paddle) if n == "paddle" else n for n in sorted(ENGINES)])
def test_every_engine_reads_the_same_digits(name):
    engine = get_engine(Settings(engine=name))
    gray = to_gray(load_pages(source("r02-2019-jpg-zero"), Settings())[0].image)
    cells, boxes = _value_cells("r02-2019-jpg-zero", 1)
    readings = read_cells(gray, boxes, engine)
    values = [parse_number(r.numeric_text or r.text) for r in readings]
    assert sum(1 for v, c in zip(values, cells) if v is not None and v.value == c["value"]) / len(cells) >= 0.95


def test_cuda_request_without_a_gpu_runs_the_same_code_on_the_cpu():
    """--device cuda takes the CUDA provider path of the onnxruntime engine; with no usable GPU
    (as here and in CI) it says so once and reads on the CPU with the same batching."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine = get_engine(Settings(engine="onnxruntime", device="cuda"))
    gpu_usable = "CUDAExecutionProvider" in engine.describe()
    assert gpu_usable or any("CUDA is not usable" in str(w.message) for w in caught)
    gray = to_gray(load_pages(source("r02-2019-jpg-zero"), Settings())[1].image)
    cells, boxes = _value_cells("r02-2019-jpg-zero", 2)
    values = [parse_number(r.numeric_text or r.text) for r in read_cells(gray, boxes, engine)]
    assert sum(1 for v, c in zip(values, cells) if v is not None and v.value == c["value"]) / len(cells) >= 0.98


def test_a_thin_slash_reads_as_a_slash(engine):
    """Four cells of a report typed by the HTML renderer in 仿宋 (zero printed "/"), at 200 dpi
    between dashed rules: a thin light "/" alone read "八". One straight leaning stroke is a
    slash, whatever the recognizer says (a character has more than one stroke)."""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "slashes-fangsong.png"), cv2.IMREAD_GRAYSCALE)
    boxes = [(26, 16, 114, 73), (146, 16, 232, 118), (264, 16, 350, 118), (382, 16, 468, 162)]
    assert [r.text for r in read_cells(strip, boxes, engine)] == ["/"] * 4


def test_light_slashes_broken_by_jpeg_blocks_are_slashes(engine):
    """Zeros printed as a light-gray "/" in an HTML report saved as JPEG quality 30 at 150 dpi:
    the blur leaves each slash about five times as long as wide, and the JPEG's blocks break a
    speck or two off it, so the geometry check (one piece, ten to one) let the recognizer's "7",
    "1" or "4" stand: 33 zeros of one table read as counts, and its checks failed falsely.
    (tests/data/slashes-jpeg30.png: a piece of table 三 as loaded.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "slashes-jpeg30.png"), cv2.IMREAD_GRAYSCALE)
    boxes = [(9, 393, 63, 421), (65, 230, 120, 257), (121, 9, 175, 37), (122, 73, 177, 101), (244, 260, 300, 287),
             (64, 166, 119, 193)]
    assert [r.text for r in read_cells(strip, boxes, engine)] == ["/"] * 6


def test_narrow_digits_that_touch_a_low_cell_are_read(engine):
    """Table 三's first row of an HTML report scanned at 100 dpi: the print fills its low cells,
    so a "1" at the end of "101" touches the cell's top and bottom. It was taken for a remnant of
    a ruling line (a thin piece at the crop's edge) and dropped: "101" read "10". A rule's remnant
    runs along the side it touches. (tests/data/low-cells-100dpi.png: the row's value cells.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "low-cells-100dpi.png"), cv2.IMREAD_GRAYSCALE)
    boxes = [(8, 9, 47, 26), (275, 8, 314, 26)]
    assert [r.text for r in read_cells(strip, boxes, engine)] == ["101", "106"]


def test_thin_digits_on_a_page_printed_light_are_read(engine):
    """Four rows of table 三 of a Word report, printed light and scanned (level 2): its thin
    serif digits stand barely 55-60 gray levels above the paper, under the fixed floor a cell's
    ink had to reach, and "25" and "2" were read as blank cells (counts of 0). The floor follows
    the page's own print; the blank cells beside them stay blank. (tests/data/faint-print.png)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "faint-print.png"), cv2.IMREAD_GRAYSCALE)
    columns = [(288, 358), (364, 435), (441, 512), (518, 589), (595, 666), (672, 742), (749, 818)]
    rows = [(114, 150), (156, 191), (198, 226), (233, 288)]
    boxes = [(x0, y0, x1, y1) for y0, y1 in rows for x0, x1 in columns]
    texts = [r.text for r in read_cells(strip, boxes, engine)]
    assert [texts[i:i + 7] for i in range(0, 28, 7)] == [
        ["194", "25", "", "1", "4", "1", "225"],
        ["", "3", "", "", "", "", "3"],
        ["91", "19", "", "", "1", "1", "112"],
        ["17", "7", "", "", "2", "", "26"],
    ]


def test_a_unit_wrapped_onto_its_own_line_reads_as_the_unit(engine):
    """Table 二's block (九) of a Word report (the 乐清 2020 numbers): the amount's cell is too
    narrow for "1792.0873 万元", and 元 wraps onto a line of its own, where alone it reads "π".
    Decoded over digits and units line by line, the cell reads as the amount in 万元.
    (tests/data/wrapped-unit.png: the block as scanned.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "wrapped-unit.png"), cv2.IMREAD_GRAYSCALE)
    items, amount = read_cells(strip, [(442, 114, 607, 162), (612, 114, 777, 162)], engine)
    assert parse_number(items.text).value == 21
    parsed = parse_number(amount.numeric_text)
    assert (parsed.value, parsed.unit) == (pytest.approx(1792.0873), "万元")


def test_a_count_wrapped_onto_two_lines_reads_whole(engine):
    """Table 三 of a Word report (L1) whose narrow columns wrap three digits: 125 as "12" over
    "5", 136 as "13" over "6". The top bar of the 5 stands apart from its faint stem, a sliver of
    ink that was folded into the line above: "12" read with it, the rest of the 5 as "D", and the
    count as 12 (two relations broken). A sliver goes with the line it lies nearer to.
    (tests/data/docx-count-wrapped-onto-two-lines.png: the row as scanned.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "docx-count-wrapped-onto-two-lines.png"), cv2.IMREAD_GRAYSCALE)
    natural, commercial, total = read_cells(strip, [(41, 83, 109, 173), (113, 84, 182, 174), (477, 88, 545, 178)], engine)
    assert [parse_number(r.text).value for r in (natural, commercial, total)] == [125, 11, 136]


def test_a_light_minus_before_the_digits_is_read(engine):
    """A fee's 本年增/减 of −1 in an HTML report at level 2: the minus prints lighter than the 1
    and stands a little before it, left out of the line's ink, and the change read "1" — a
    number silently changed in sign. A short flat run of faint ink at mid-height just before the
    digits is the line's too. (tests/data/light-minus.png: the cell with its neighbour's end.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "light-minus.png"), cv2.IMREAD_GRAYSCALE)
    [reading] = read_cells(strip, [(140, 8, 269, 43)], engine)
    assert parse_number(reading.text).value == -1


def test_a_border_slanting_inside_a_blank_cells_box_is_no_print(engine):
    """A blank cell at the foot of table 三's first label column, in an HTML report at level 2
    (heavy blur, 150 dpi JPEG) left a little skewed: the table's solid left border slants past
    the grid's straight line, so the cell's box took it in a few pixels from its side, not
    touching it, and it read as "1" (a number in the label column). A rule runs along nearly
    all of a side and is longer than any character; a "1" is no taller than one.
    (tests/data/blank-cell-with-slanting-border-inside.png: the cell as straightened, with 20
    pixels round its box.)"""
    import cv2

    from .conftest import ROOT

    crop = cv2.imread(str(ROOT / "tests" / "data" / "blank-cell-with-slanting-border-inside.png"), cv2.IMREAD_GRAYSCALE)
    assert [r.text for r in read_cells(crop, [(20, 20, 98, 109)], engine)] == [""]


def test_dots_run_together_round_blank_cells_are_no_print(engine):
    """Table 三 of a Word report in dotted rules at 75 dpi, enlarged: each blank cell's box takes
    in the dots of its rules, and the blur runs two or three of them together (a piece 12 to 19
    pixels long among 6-pixel dots) and into the blot where two rules cross at a corner. Those
    pieces were print, and the cells read "m", "mm", "日", "d". The cells that hold 23 and 1 keep
    them. (tests/data/docx-75dpi-dots-run-together-round-blank-cells.png: the straightened page
    from 自然人 to 总计, rows 一、本年新收 to (三)6.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "docx-75dpi-dots-run-together-round-blank-cells.png"),
                       cv2.IMREAD_GRAYSCALE)
    boxes = [(441, 8, 510, 79), (441, 83, 510, 153), (12, 468, 79, 546), (304, 550, 373, 615), (12, 691, 79, 769),
             (152, 691, 220, 769), (304, 691, 373, 769)]
    assert [r.text for r in read_cells(strip, boxes, engine)] == ["23", "1", "", "", "", "", ""]


def test_the_blurred_dots_of_the_rule_over_blank_cells_are_no_print(engine):
    """Table 四 of an HTML report at level 2, its rules dotted: the grid's row rule lies a few
    pixels under the drawn one, so each blank cell of the count row took in a row of the rule's
    dots along its top. Blurred, the dots are as long as thick (six pixels square), thicker than
    the flat pieces of a dashed rule, and they read as "m…", "mmme" or, re-read as numbers, "1"
    and "8": four cells unread and two false counts. The two cells that hold a "1" keep it.
    (tests/data/blurred-dotted-rule-over-blank-cells.png: the straightened page's 其他结果 to
    总计 of 行政诉讼, header and count rows, 20 pixels round.)"""
    import cv2

    from .conftest import ROOT

    strip = cv2.imread(str(ROOT / "tests" / "data" / "blurred-dotted-rule-over-blank-cells.png"), cv2.IMREAD_GRAYSCALE)
    boxes = [(20, 210, 144, 290), (148, 210, 273, 290), (277, 210, 406, 290), (410, 210, 538, 290), (543, 210, 671, 290)]
    assert [r.text for r in read_cells(strip, boxes, engine)] == ["1", "", "1", "", ""]


def _strip_on_page(name: str):
    """A strip of a page (tests/data/NAME.*) set where it lay on a page of the size it came from
    (the reader's stroke length is the page's), with its cell boxes and their true values."""
    import json

    import cv2
    import numpy as np

    from .conftest import ROOT

    data = ROOT / "tests" / "data"
    spec = json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
    image_file = next(p for p in data.glob(f"{name}.*") if p.suffix != ".json")
    strip = cv2.imread(str(image_file), cv2.IMREAD_UNCHANGED)
    if strip.ndim == 3:
        strip = strip[:, :, ::-1]  # OpenCV's BGR to the loader's RGB
    page = np.full((*spec["page_shape"], *strip.shape[2:]), 255, dtype=np.uint8)
    page[: strip.shape[0], : strip.shape[1]] = strip
    return page, [tuple(b) for b in spec["boxes"]], spec["values"]


def _values(readings) -> list:
    parsed = [parse_number(r.numeric_text or r.text) for r in readings]
    return [p.value if p is not None else None for p in parsed]


def test_a_red_seal_over_empty_cells_reads_as_paper(engine):
    """Table 三 of an HTML report under a red seal, colour JPEG at 150 dpi (a fresh foreign set's
    seal condition, drawn after the reader was written): in the red channel the seal's characters
    stay a light gray, and the empty cells under them read "9", "A", "一扇" (false failures).
    The page's coloured ink is paper to the reader; the print under the seal is still read."""
    page, boxes, values = _strip_on_page("seal-table")
    assert _values(read_cells(to_gray(page), boxes, engine)) == values


def test_print_on_yellowed_jpeg_paper_keeps_its_light_strokes(engine):
    """A JPEG-30 page on yellowed paper (scans/hard h10): all its print is as coloured as the
    paper, and the coarse JPEG colour bleeds into thin strokes. Lightening every coloured pixel
    (a seal's treatment) took the light minus of "-1" away ("/", read 0); measured against the
    paper's own colour the page has no coloured ink, and every value cell of page 1 reads right."""
    document = next(s for s in discover([HARD]) if s.document == "h10-lowquality-2019-jpg")
    expected = json.loads((HARD / "truth" / f"{document.document}.json").read_text(encoding="utf-8"))
    cells = [c for t in expected["tables"].values() for c in t["cells"] if c["page"] == 1]
    boxes = [(x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET) for x0, y0, x1, y1 in (c["bbox"] for c in cells)]
    gray = to_gray(load_pages(document, Settings())[0].image)
    assert any(c["value"] < 0 for c in cells)
    assert _values(read_cells(gray, boxes, engine)) == [c["value"] for c in cells]


def test_a_count_wrapped_in_a_narrow_cell_reads_whole(engine):
    """Table 三's total row of a Word report at 300 dpi: "422" wraps in its narrow cell as "4 2"
    over "2", and the faint diagonal of that "2" splits it in two. Its curve was joined to the
    line above as one glyph ("42" + "U"); a line whole in itself is not part of a split glyph."""
    page, boxes, values = _strip_on_page("wrapped-counts")
    assert _values(read_cells(to_gray(page), boxes, engine)) == values
