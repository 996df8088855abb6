"""Grid completion (digitizer.completion): rules the line finder misses (dotted, faint) drawn in
where the real PP-OCR detector says no text lies, and text lying across a rule flagged. Real
images (drawn with PIL, blurred like a print), the real OpenCV grid and the real detector."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitizer import completion, grid
from digitizer.ocr.detect import get_detector
from digitizer.pipeline import Digitizer
from digitizer.rules import find_lines

from .conftest import FONT, ROOT

COLUMNS = [80, 330, 560, 790, 1020]
ROWS = 6
TOP, ROW_HEIGHT = 60, 56
SCALE = 0.6


def _dotted(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int], shade: int, step: int) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for t in range(0, length, step):
        x, y = x0 + (x1 - x0) * t // length, y0 + (y1 - y0) * t // length
        draw.rectangle([x, y, x + 1, y + 1], fill=shade)


def draw_table(style: str, seed: int, across: int = 0, jpeg: int = 70, ones: bool = False) -> tuple[np.ndarray, list[list[str]]]:
    """A table with a solid frame and `style` inner rules ("dotted": gray dots; "faint": light
    gray solid), numbers in its cells, printed and scanned at 0.6 of the drawing's resolution
    (JPEG); `across`: the text of row 2's cell in that column drawn across the rule on its
    right (the label column's rule is solid, the others `style`); `ones`: the third column
    "11" and "——" in turn, one under the other."""
    rng = random.Random(seed)
    texts = [["项目", "上年", "本年", "合计"]] + [
        [f"第{'一二三四五六七八九'[r]}项"] + [str(rng.randint(0, 999)) for _ in range(3)] for r in range(ROWS - 1)
    ]
    if ones:
        for r in range(1, ROWS):
            texts[r][2] = "11" if r % 2 else "——"
    ys = [TOP + ROW_HEIGHT * i for i in range(ROWS + 1)]
    image = Image.new("L", (1100, ys[-1] + 60), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 26)
    draw.rectangle([COLUMNS[0], ys[0], COLUMNS[-1], ys[-1]], outline=0, width=3)
    # The label column's rule solid (as many reports draw it), the others `style`.
    draw.line([(COLUMNS[1], ys[0]), (COLUMNS[1], ys[-1])], fill=0, width=3)
    for x in COLUMNS[2:-1]:
        if style == "dotted":
            _dotted(draw, (x, ys[0]), (x, ys[-1]), 120, 4)
        else:
            draw.line([(x, ys[0]), (x, ys[-1])], fill=200, width=1)
    for y in ys[1:-1]:
        if style == "dotted":
            _dotted(draw, (COLUMNS[0], y), (COLUMNS[-1], y), 120, 4)
        else:
            draw.line([(COLUMNS[0], y), (COLUMNS[-1], y)], fill=200, width=1)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            x = COLUMNS[c] + 40
            if across and r == 2 and c == across - 1:
                x = COLUMNS[c + 1] - int(draw.textlength(text, font=font)) // 2  # over the rule...
            if across and r == 2 and c == across:
                continue  # ... which is blank
            draw.text((x, ys[r] + 13), text, font=font, fill=20)
    page = cv2.resize(np.asarray(image), None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    _, data = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE), texts


@pytest.fixture(scope="module")
def detect(settings):
    detector = get_detector(settings)
    return detector.boxes


@pytest.mark.parametrize("style,seed", [("dotted", 1), ("faint", 2)])
def test_missed_rules_are_drawn_in(style, seed, detect):
    page, _ = draw_table(style, seed)
    (found,) = grid.find_grids(page, 1)
    assert len(found.cells) < ROWS * 4, "the line finder already sees these rules: the test measures nothing"
    completed = completion.complete_grid(page, found, detect)
    assert (completed.n_rows, completed.n_cols) == (ROWS, 4)
    assert len(completed.cells) == ROWS * 4
    assert any(completion.FLAG_INFERRED in c.flags for c in completed.cells)


def test_digits_are_not_taken_for_rules(detect):
    """Columns of "1"s and rows of "—" line up like broken rules; the text boxes keep them out."""
    page, _ = draw_table("dotted", 3, ones=True)
    completed = completion.complete_grid(page, grid.find_grids(page, 1)[0], detect)
    assert (completed.n_rows, completed.n_cols) == (ROWS, 4)


def test_text_across_a_rule_is_flagged(detect):
    """A label printed over the solid rule of its column: the rule cuts its text box, and both
    cells say so."""
    page, _ = draw_table("dotted", 4, across=1)
    completed = completion.complete_grid(page, grid.find_grids(page, 1)[0], detect)
    flagged = {(c.row, c.col) for c in completed.cells if completion.FLAG_CROSSING in c.flags}
    assert flagged == {(2, 0), (2, 1)}


def test_text_over_a_dotted_rule_is_flagged(detect):
    """A number printed over a dotted rule, its neighbour blank: whether the grid keeps the rule
    through the number (the number cut in two) or not (two cells merged), the cells say so."""
    page, _ = draw_table("dotted", 6, across=2)
    completed = completion.complete_grid(page, grid.find_grids(page, 1)[0], detect)
    doubts = {completion.FLAG_CROSSING, completion.FLAG_RUN_TOGETHER}
    flagged = {(c.row, c.col) for c in completed.cells if doubts & set(c.flags)}
    assert flagged and all(row == 2 and col in (1, 2) for row, col in flagged)


def test_completed_cells_read_end_to_end(tmp_path, settings):
    """Through the whole pipeline: every number in its own cell, as drawn; without completion
    the dotted table's numbers run together."""
    page, texts = draw_table("dotted", 5)
    path = tmp_path / "dotted.png"
    cv2.imwrite(str(path), page)
    from digitizer.load import discover

    (document,) = discover([path])

    def cells_read(report):
        (table,) = report.grids
        return [[(table.at(r, c).text if table.at(r, c) else None) for c in range(table.n_cols)]
                for r in range(table.n_rows)]

    assert cells_read(Digitizer(settings).run(document)) == texts
    assert cells_read(Digitizer(settings.with_(complete_grids=False)).run(document)) != texts


def test_print_the_detector_missed_is_no_rule():
    """Label cells of table 三 of a Word report at level 2 (blurred, light print): on its page the
    detector found no text box over "（1）属于国家秘密" nor over "三安全一稳定", and the strokes of
    their characters, lined up in pieces from row to row, were taken for dotted column rules borne
    out by two cells: the labels were cut in three and two rows of table 三 went unmapped. Here no
    text boxes are given, as the detector gave none there: a line with print close on both sides
    along it runs down through print, and is no column rule. (tests/data/docx-l2-light-print-labels.jpg, a
    piece of the page as straightened; on its own the detector does see that print.)"""
    page = cv2.imread(str(ROOT / "tests" / "data" / "docx-l2-light-print-labels.jpg"), cv2.IMREAD_GRAYSCALE)
    (found,) = grid.find_grids(page, 1)
    assert found.n_cols == 4  # two columns of labels written down, the labels, one column of values
    groups = completion._borne_out(completion.candidates(page, found, []), found)
    assert [position for position, run in groups if run[0].vertical] == []


def _piece_on_page(name: str, shape: tuple[int, int], at: tuple[int, int]):
    """A piece of a straightened page (tests/data/`name`) put back where it lay (top, left) on a
    page of its size and paper, and the one grid the line finder frames there."""
    piece = cv2.imread(str(ROOT / "tests" / "data" / name), cv2.IMREAD_GRAYSCALE)
    page = np.full(shape, int(np.median(piece)), dtype=np.uint8)
    top, left = at
    page[top : top + piece.shape[0], left : left + piece.shape[1]] = piece
    (found,) = grid.grids_from_lines(*find_lines(page), 1, fewest_columns=1)
    return page, found


def test_long_dashes_the_detector_boxed_with_a_bit_of_wall_are_a_rule(detect):
    """Block (八) of table 二 in a Word report at level 1, drawn as a table of its own: solid
    frame, dashed inner rules of long dashes, two to a row. The line finder kept the row rules
    only; the detector took each column rule's dashes in the value row for a line of text, its box
    reaching a pixel or two over the walls, and the wall's pixel at a cell's end made the two
    dashes uneven: no column was found, the frame was dropped and the block with it. A box of a
    dashed rule and a bit of the walls is no print; the wall's edge is no dash. (tests/data/docx-
    l1-dashed-lone-block.jpg, the block as straightened, put back where it lay on its page.)"""
    page, found = _piece_on_page("docx-l1-dashed-lone-block.jpg", (2339, 1654), (1828, 140))
    assert found.n_cols == 1, "the line finder already sees the column rules: the test measures nothing"
    completed = completion.complete_grid(page, found, detect)
    assert (completed.n_rows, completed.n_cols) == (3, 3)


def test_a_dotted_row_rule_the_detector_boxed_as_text_is_no_print():
    """The 总计 column of table 三 in a Word report at level 1 (300 dpi, dotted rules): on its
    page the detector took the dotted rule between "6" (（一）予以公开) and "9" (（二）部分公开)
    for a line of text, its box lying along the rule. Counted as print, the rule was never
    seen, the two cells stayed one, read "69" for both rows, and two relations failed that hold.
    A box of nothing but a row of even dots is no print; a digit's box is. (tests/data/docx-l1-
    dotted-row-rule-boxed.png, the cell as straightened; the boxes are those the detector gave
    on the whole page, where it reads them so.)"""
    gray = cv2.imread(str(ROOT / "tests" / "data" / "docx-l1-dotted-row-rule-boxed.png"), cv2.IMREAD_GRAYSCALE)
    memo: completion.Memo = {}
    x0, y0, x1, y1 = completion._print_box(gray, (18, 93, 131, 112), memo)
    assert x1 <= x0 or y1 <= y0  # the dotted rule's box: nothing of it is print
    for digit in ((53, 30, 97, 89), (53, 162, 97, 221)):
        x0, y0, x1, y1 = completion._print_box(gray, digit, memo)
        assert x1 > x0 and y1 > y0


def test_dashed_column_rules_too_long_for_low_rows_are_found_down_the_stack(detect):
    """Table 四's litigation half of the 乐清 2020 report as the Word renderer drew it (300 dpi,
    long dashes): under each group header, the rules between 结果纠正, 其他结果 and 尚未审结 leave
    two dashes in the header cell and one or two in the row of counts, and the detector boxes
    the header's words on both sides of a rule as one line. No cell showed enough of a rule:
    three columns stayed one cell, their "/"s read "ii" and "7", and a relation failed that
    holds. Down the header cell and the cell under it, between the same walls, the dashes are
    many and even. (tests/data/docx-table-four-dashed-low-rows.jpg, the table as straightened,
    put back where it lay on its page.)"""
    page, found = _piece_on_page("docx-table-four-dashed-low-rows.jpg", (3508, 2481), (1055, 294))
    assert found.n_cols == 6, "the line finder sees other rules than it did: the test measures something else"
    completed = completion.complete_grid(page, found, detect)
    assert (completed.n_rows, completed.n_cols) == (4, 10)
    assert all(c.col_span == 1 for c in completed.cells if c.row == 3)


def test_a_dash_printed_for_zero_down_a_stack_is_no_dashed_rule(detect):
    """Block (一) of table 二 in a Word report at level 2 (solid rules, a page left a little
    skewed): down the stack of 对外公开总数量 over "—" (0) over "2", a line crossing the row rules,
    the "—" and the walls' given-back ink read as a row of even dashes, and a column rule was
    drawn through the header's words and the "2" (read "Z"): the column lost its key and its two
    counts. A column rule's dashes are thin across; a "—" is flat. (tests/data/docx-l2-dash-for-
    zero-down-a-stack.png, the table as straightened, put back where it lay.)"""
    page, found = _piece_on_page("docx-l2-dash-for-zero-down-a-stack.png", (2339, 1655), (1280, 175))
    completed = completion.complete_grid(page, found, detect)
    assert found.n_cols == 4
    assert completed.n_cols == 4  # no column rule drawn down the stack
