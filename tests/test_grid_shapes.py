"""Grid finding on drawn pages of shapes other renderers print (real PIL drawings, printed and
scanned at a lower resolution with JPEG, through the real OpenCV rule and grid finders):
- a section heading set tight on a table's top rule (the stems of its characters touch it);
- small per-block tables ruled only in dots, without an outer border (Word's "dotted" inner
  borders with the outer borders removed), each under its caption (a guard: the reports of this
  shape that lost rows also had a 仿宋 header and a scan's blur, see test_foreign_variants);
- a table ruled in dashes without an outer border, the next section's bold heading a line below
  its last row (the heading's stems are no rule to carry the table's columns down to);
- a table without an outer border whose first row is drawn by shading alone (no rule above it),
  and the same table's page darkening towards its top edge (no band there);
- the last row of table 三 alone at the top of a page, its bottom rule only under its label:
  the column rules that hang from the rule above its numbers are rules, not strokes of print;
- a small ruled fragment inside a cell, no table of its own;
- a frame of rows whose one (dashed) column rule the line finder missed, completed;
- the last row of table 三 alone on a page, its column rules dashed and a row high, completed;
- tall 仿宋 brackets between dotted row rules at 300 dpi, no column rules;
- words stacked a character a line in narrow cells, no reason to turn the page.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitizer.bands import shaded_header
from digitizer.grid import find_grids
from digitizer.types import Grid, GridCell
from digitizer_tools.synth.render import font_file

from .conftest import FONT, ROOT

DATA = ROOT / "tests" / "data"

SCALE = 0.5


def _scanned(image: Image.Image, jpeg: int = 75) -> np.ndarray:
    page = cv2.resize(np.asarray(image), None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    _, data = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def _dots(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int], step: int = 9, size: int = 3) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for t in range(0, length, step):
        x, y = x0 + (x1 - x0) * t // length, y0 + (y1 - y0) * t // length
        draw.rectangle([x, y, x + size, y + size], fill=60)


def test_heading_on_the_top_rule_is_not_a_row():
    """A section heading set tight on a table's top rule: the stems of some of its characters
    reach the rule. The table still starts at its top rule, with no row of heading above it.
    (Where every character's stems reach it, as far as the heading's horizontal strokes run
    together, the heading still comes out as a row: see the README's known limits.)"""
    image = Image.new("L", (2000, 1400), 250)
    draw = ImageDraw.Draw(image)
    heading = ImageFont.truetype(FONT, 64)
    body = ImageFont.truetype(FONT, 40)
    xs, ys = [150, 700, 1050, 1400, 1850], [300 + 110 * i for i in range(6)]
    # Set close above the rule; the stems of two characters (set lower) reach down onto it.
    draw.text((170, ys[0] - 120), "（三）收到和处理政府信息公开申请情况", font=heading, fill=0)
    draw.text((1420, ys[0] - 66), "干", font=heading, fill=0)
    draw.text((1560, ys[0] - 64), "十", font=heading, fill=0)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=5)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=5)
    for r in range(5):
        draw.text((xs[0] + 20, ys[r] + 30), f"第{'一二三四五'[r]}行", font=body, fill=0)
        for c in range(1, 4):
            draw.text((xs[c] + 40, ys[r] + 30), str(10 * r + c), font=body, fill=0)
    gray = _scanned(image)
    [table] = [g for g in find_grids(gray, 1) if g.n_cols >= 3]
    assert (table.n_rows, table.n_cols) == (5, 4)
    assert abs(table.bbox[1] - ys[0] * SCALE) <= 6


def test_dotted_blocks_without_a_border():
    """Three blocks of table 二 on a 300-dpi page, each a 3 x 4 table ruled only in fine dots
    (about two pixels, five apart, as Word prints a dotted border) with no outer border and a
    shaded header row: each
    comes out whole, header row included: no frame of solid rules encloses them, so their rows
    are found beside their column rules alone."""
    image = Image.new("L", (2480, 2600), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 50)
    left, right, xs = 265, 2215, [640, 1160, 1680]
    tops = [250, 1050, 1850]
    for b, top in enumerate(tops):
        draw.text((950, top - 100), f"第二十条第（{'一五六'[b]}）项", font=font, fill=0)
        ys = [top + 130 * i for i in range(4)]
        draw.rectangle([left, ys[0] + 3, right, ys[1] - 2], fill=217)  # the header row shaded
        for y in ys:
            _dots(draw, (left, y), (right, y), step=5, size=1)
        for x in xs:
            _dots(draw, (x, ys[0]), (x, ys[-1]), step=5, size=1)
        texts = [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                 ["规章", "—", "3", "12"], ["规范性文件", "5", "—", "40"]]
        for r, row in enumerate(texts):
            for c, text in enumerate(row):
                draw.text((([left] + xs)[c] + 30, ys[r] + 40), text, font=font, fill=0)
    _, data = cv2.imencode(".jpg", np.asarray(image), [cv2.IMWRITE_JPEG_QUALITY, 80])
    gray = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    grids = [g for g in find_grids(gray, 1) if g.n_cols >= 3]
    assert len(grids) == 3
    for g, top in zip(grids, tops):
        assert (g.n_rows, g.n_cols) == (3, 4), g.bbox
        assert abs(g.bbox[1] - top) <= 10


def _dashes(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int]) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for t in range(0, length, 20):
        u = min(length, t + 12)
        draw.line([(x0 + (x1 - x0) * t // length, y0 + (y1 - y0) * t // length),
                   (x0 + (x1 - x0) * u // length, y0 + (y1 - y0) * u // length)], fill=0, width=3)


def test_heading_under_a_table_without_a_bottom_border_is_not_a_row():
    """Table 四 ruled in dashes with no outer border, the bold heading of section 五 set a line
    under its row of counts: the last row ends where the column rules end, and holds the counts
    alone (the heading's stems once carried the columns down to it, merging it into the row)."""
    image = Image.new("L", (2480, 3508), 250)  # A4 at 300 dpi, read at 150
    draw = ImageDraw.Draw(image)
    body, heading = ImageFont.truetype(FONT, 44), ImageFont.truetype(FONT, 64)
    xs = [180 + 300 * i for i in range(8)]
    ys = [300, 400, 600, 690]
    for y in ys[1:-1]:
        _dashes(draw, (xs[0], y), (xs[-1], y))
    for x in xs[1:-1]:
        _dashes(draw, (x, ys[0]), (x, ys[-1]))
    for c in range(7):
        draw.text((xs[c] + 60, ys[0] + 25), "行政复议" if c < 3 else "行政诉讼", font=body, fill=0)
        draw.text((xs[c] + 60, ys[1] + 70), ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"][c % 5], font=body, fill=0)
        draw.text((xs[c] + 130, ys[2] + 20), str(c + 1), font=body, fill=0)
    # Set a character apart, so that the long stems of every fourth one (中 十 申 干) stand under
    # the column rules, as the stems of some heading's characters do.
    for k, character in enumerate("中、政府十项工作申报问题干部情况"):
        draw.text((xs[1] - 32 + 75 * k, ys[-1] + 36), character, font=heading, fill=0, stroke_width=2, stroke_fill=0)
    gray = _scanned(image)
    [table] = [g for g in find_grids(gray, 1) if g.n_cols >= 5]
    assert table.bbox[3] < (ys[-1] + 36) * SCALE, table.bbox  # above the heading
    assert table.n_rows == 3, (table.n_rows, table.row_lines)


def _split_table_four(shade_header: bool, light_falls: bool = False,
                      tinted: bool = False) -> tuple[np.ndarray, list[int]]:
    """Table 四's review half as Word's split layout draws it: no outer border, solid rules inside,
    the 行政复议 caption row shaded (or not) above the first rule. `tinted`: the page a little
    darker than the table's cells, filled white, with a running head over the table."""
    image = Image.new("L", (2480, 3508), 232 if tinted else 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    xs, ys = [180 + 424 * i for i in range(6)], [400, 580, 680]
    if tinted:
        draw.rectangle([xs[0], ys[0], xs[-1], ys[-1]], fill=250)
        draw.text((1000, 120), "政府信息公开工作年度报告", font=font, fill=0)
    if shade_header:
        draw.rectangle([xs[0], 300, xs[-1], ys[0] - 2], fill=222)
    draw.text((1120, 325), "行政复议", font=font, fill=0)
    for y in ys[:2]:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=4)
    for x in xs[1:-1]:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=4)
    for c, label in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
        draw.text((xs[c] + 120, ys[0] + 60), label, font=font, fill=0)
        draw.text((xs[c] + 20, ys[1] + 25), str(c + 1), font=font, fill=0)
    page = np.asarray(image).astype(np.float32)
    if light_falls:  # darker towards the top edge, by 30 gray levels over the top fifth
        ramp = np.clip(1 - np.arange(page.shape[0]) / (page.shape[0] / 5), 0, 1)[:, None]
        page = page - 30 * ramp
    return _scanned(Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))), ys


def test_a_header_row_drawn_by_shading_alone_is_a_row():
    """The shaded 行政复议 row above the first rule is the table's first row, one cell across it;
    without the shading, or where the page only darkens towards its edge, or where the page
    itself is darker than the table's white cells, nothing is added."""
    gray, ys = _split_table_four(shade_header=True)
    [table] = [g for g in find_grids(gray, 1) if g.n_cols >= 5]
    assert table.n_rows == 2 and abs(table.bbox[1] - ys[0] * SCALE) <= 6
    shaded = shaded_header(gray, table)
    assert shaded.n_rows == 3 and abs(shaded.bbox[1] - 300 * SCALE) <= 6
    first = [c for c in shaded.cells if c.row == 0]
    assert len(first) == 1 and first[0].col_span == table.n_cols
    for plain in (_split_table_four(shade_header=False)[0], _split_table_four(False, light_falls=True)[0],
                  _split_table_four(False, tinted=True)[0]):
        [table] = [g for g in find_grids(plain, 1) if g.n_cols >= 5]
        assert shaded_header(plain, table) is table


def _strip_on_page(name: str, top: int, page_shape: tuple[int, int]) -> np.ndarray:
    """A strip of a straightened page (tests/data/`name`, full width) put back at `top` on a sheet
    of its paper: the rule finder's lengths are measured from the page's size."""
    strip = cv2.imread(str(DATA / name), cv2.IMREAD_GRAYSCALE)
    page = np.full(page_shape, int(np.median(strip)), np.uint8)
    page[top : top + strip.shape[0]] = strip
    return page


def test_a_header_row_shaded_under_its_dashed_top_rule_keeps_its_columns_and_its_band():
    """Table 二's first block as an HTML report draws it without an outer border: dashed rules, a
    shaded header row (信息内容 | 本年新制作数量 | …). The dashes of the row rules over and under
    the header lay on the lines of its dashed column rules, one row high, and spoilt their
    chains, so the header's column rules were not found and the block began at the rule under
    its header. Its row rules' dashes are no pieces of a column rule: the header is the grid's
    first row. Where a top rule is still lost, the shaded band above the first rule found is the
    header (bands.shaded_header), although the row line lies on the rule's light fringe, which
    passes for fill, and the header's bold print interrupts the fill for a few rows."""
    page = _strip_on_page("html-l1-block-header-shaded-under-dashed-rule.png", 600, (2339, 1653))
    [block] = find_grids(page, 1)
    assert block.n_rows == 3 and block.n_cols == 4 and abs(block.row_lines[0] - 700) <= 6
    # The grid as found without the header's top rule: from the rule under the header.
    cells = [GridCell(c.row - 1, c.col, c.row_span, c.col_span, c.bbox) for c in block.cells if c.row >= 1]
    x0, _, x1, y1 = block.bbox
    top = block.row_lines[1] + 2
    headless = Grid(1, (x0, top - 7, x1, y1), [top, *block.row_lines[2:]], list(block.col_lines), cells, [])
    shaded = shaded_header(page, headless)
    assert shaded.n_rows == 3 and abs(shaded.bbox[1] - 700) <= 6


def test_a_word_between_two_dashed_row_rules_grows_no_dashed_column_rule():
    """The same block as another HTML report draws it, at 300 dpi: 对外公开总数量 in the header,
    between the header's dashed top and bottom rules. A dash of the top rule, a dot of 总 (its 丷)
    under it and a piece by the bottom rule lay on one vertical line, evenly spaced, and passed
    for a dashed column rule one row high: the header split into "对外公开" and "数量", and the
    column of 对外公开总数量 was lost with its counts."""
    page = _strip_on_page("html-l0-dashed-rules-header-word-with-dots.png", 1420, (3508, 2479))
    [block] = find_grids(page, 1)
    assert block.n_cols == 4 and len([c for c in block.cells if c.row == 1]) == 4


def test_a_borderless_tables_last_row_alone_on_a_page_keeps_its_column_rules():
    """Table 四 of a Word report without an outer border, its header at the foot of one page and
    its row of counts alone at the top of the next: a rule over the counts and fourteen column
    rules hanging from it, a row high, ending free (no bottom rule). Each is no longer than a
    stroke of a big heading, so each was dropped as print hanging from a rule: no table on the
    page, and the fifteen counts of table 四 were lost. Hanging alike, level, a cell apart, they
    are a row's column rules."""
    page = _strip_on_page("docx-l0-borderless-table-four-counts-row-alone.png", 330, (3508, 2481))
    [row] = find_grids(page, 1)
    assert (row.n_rows, row.n_cols) == (1, 15)


def test_a_last_row_without_a_bottom_rule_under_its_numbers_keeps_its_columns():
    """Word's borderless table 三 carried over: 申请人情况 repeated, then 四、结转下年度继续办理
    with its numbers; the rule under the row is drawn under the label only. The seven value
    columns' rules hang from the rule above and end level with that bottom rule."""
    image = Image.new("L", (2480, 3508), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    label_end, right, top, middle, bottom = 940, 2130, 300, 390, 480
    xs = [label_end + 170 * i for i in range(8)]
    draw.line([(label_end, top), (label_end, bottom)], fill=0, width=4)
    draw.line([(250, middle), (right, middle)], fill=0, width=4)
    draw.line([(250, bottom), (label_end, bottom)], fill=0, width=4)
    for x in xs[1:-1]:
        draw.line([(x, middle), (x, bottom)], fill=0, width=4)
    draw.text((1300, top + 25), "申请人情况", font=font, fill=0)
    draw.text((270, middle + 20), "四、结转下年度继续办理", font=font, fill=0)
    for c, text in enumerate(["2", "", "", "", "", "", "2"]):
        draw.text((xs[c] + 20, middle + 20), text, font=font, fill=0)
    gray = _scanned(image)
    [table] = [g for g in find_grids(gray, 1) if g.n_cols >= 2]
    last = [c for c in table.cells if c.row == table.n_rows - 1]
    assert len(last) == 8, [(c.col, c.col_span) for c in last]


def test_the_caption_over_each_table_is_read(tmp_path, settings):
    """Table 四 printed as two tables, 行政复议 and 行政诉讼 each centred on a line of its own just
    above its table (outside its rules): read through the real pipeline, each table keeps the line
    over it as its caption, and the section heading further up is no table's caption."""
    from digitizer.pipeline import digitize

    image = Image.new("L", (2480, 3508), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 48)
    draw.text((300, 200), "四、政府信息公开行政复议、行政诉讼情况", font=font, fill=0)
    for top, caption in ((500, "行政复议"), (1100, "行政诉讼")):
        draw.text((1140, top - 80), caption, font=font, fill=0)
        xs, ys = [300 + 380 * i for i in range(6)], [top, top + 110, top + 200]
        for y in ys:
            draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=4)
        for x in xs:
            draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=4)
        for c, label in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
            draw.text((xs[c] + 90, ys[0] + 30), label, font=font, fill=0)
            draw.text((xs[c] + 170, ys[1] + 20), str(c + 1), font=font, fill=0)
    image.save(tmp_path / "split.png", dpi=(300, 300))
    report = digitize(tmp_path / "split.png", settings)
    assert [t.caption for t in report.grids] == ["行政复议", "行政诉讼"]


def test_a_tall_narrow_table_is_a_table():
    """Table 四 printed in a column (项目 | 数量, sixteen rows), an eighth of the page wide: a
    table as much as a wide one (and a wide table on a page turned a quarter looks the same to
    the orientation check, which reads both ways up)."""
    image = Image.new("L", (2480, 3508), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    xs, ys = [300, 560, 660], [400 + 90 * i for i in range(17)]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=4)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=4)
    for r in range(16):
        draw.text((xs[0] + 20, ys[r] + 20), ["结果维持", "结果纠正", "其他结果", "尚未审结"][r % 4], font=font, fill=0)
        draw.text((xs[1] + 35, ys[r] + 20), str(r % 7), font=font, fill=0)
    grids = find_grids(_scanned(image), 1)
    assert [(g.n_rows, g.n_cols) for g in grids] == [(16, 2)]


def test_a_ruled_fragment_inside_a_cell_is_no_table_of_its_own():
    """Strokes of a label line that run together into "rules" (the 一 of 一、本年新收… and its
    characters' stems, on a blurred scan) were found as a small grid of their own inside table
    三, ordered after it; the next page's continuation was then compared with that fragment and
    not joined. Drawn here as a small two-box frame inside a label cell: one table comes out."""
    image = Image.new("L", (2480, 3508), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    xs, ys = [250, 1000, 1400, 1800, 2200], [600 + 150 * i for i in range(6)]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=4)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=4)
    for r in range(5):
        for c in range(1, 4):
            draw.text((xs[c] + 60, ys[r] + 50), str(r + c), font=font, fill=0)
    # The fragment: a frame divided in two, about a label line's size, inside row 2's label cell.
    box = (300, ys[2] + 40, 900, ys[2] + 110)
    draw.rectangle(box, outline=0, width=4)
    draw.line([(600, box[1]), (600, box[3])], fill=0, width=4)
    grids = find_grids(_scanned(image), 1)
    assert [(g.n_rows, g.n_cols) for g in grids] == [(5, 4)]


def _read_where_it_lay(tmp_path, settings, name: str, page_shape: tuple[int, int], at: tuple[int, int]) -> list:
    """The tables read end to end from a piece of a real page (tests/data/`name`) put back where
    it lay (`at`: its left, top) on a page of `page_shape` filled with its paper."""
    from digitizer.pipeline import digitize

    piece = cv2.imread(str(DATA / name), cv2.IMREAD_GRAYSCALE)
    page = np.full(page_shape, int(np.median(piece)), dtype=np.uint8)
    left, top = at
    page[top : top + piece.shape[0], left : left + piece.shape[1]] = piece
    cv2.imwrite(str(tmp_path / name), page)
    return digitize(tmp_path / name, settings).grids


def test_a_frame_whose_column_rule_was_missed_is_completed(tmp_path, settings):
    """The last blocks of table 二 on an HTML report's page, degraded (level 2): solid frame, dashed
    row rules, and the one column rule dashed, two dashes a row between the crosses it makes with
    the row rules: too few for the line finder, which finds a frame of rows and no column. The
    frame still goes to completion, which finds the rule in its cells (a real page of a report
    drawn by the HTML renderer, tests/data/dashed-fee-block.png, put back where it lay on its page)."""
    [table] = _read_where_it_lay(tmp_path, settings, "dashed-fee-block.png", (1754, 1240), (140, 185))
    assert (table.n_rows, table.n_cols) == (4, 2)
    assert table.at(3, 1).text == "814.64" and table.at(2, 1).text.startswith("本年收费金额")


def test_a_last_row_alone_with_dashed_columns_is_a_row_of_the_table(tmp_path, settings):
    """Table 三's last row, 四、结转下年度继续办理, alone at the top of the next page of an HTML
    report (solid frame, dashed top rule and column rules, its zeros printed blank): the column
    rules are a row high, too short for the line finder, and a frame of one cell has no second
    cell to bear them out; they cross it from wall to wall, which does (a real page of a report
    drawn by the HTML renderer, tests/data/dashed-last-row.png, put back where it lay)."""
    [table] = _read_where_it_lay(tmp_path, settings, "dashed-last-row.png", (2339, 1653), (178, 228))
    assert (table.n_rows, table.n_cols) == (1, 8)
    assert table.at(0, 0).text == "四、结转下年度继续办理"


def test_rows_whose_label_rule_went_unseen_are_split_by_their_print(tmp_path, settings):
    """Table 三's last rows on an HTML report's page (level 2): the rule between （七）总计 and
    四、结转下年度继续办理 is thin and gray, with print close to it on both sides, and was not
    found across the label columns (where a rule may also be missing, two cells merged by hand):
    the two labels fell into one cell, and both rows lost their keys. The grid's own row line
    runs between the two lines of words, each in the middle of its row, and none of the print
    crosses it: the cell is split there. (tests/data/hand-merged-last-rows.png: the label
    columns and two value columns of the real page, put back where they lay.)"""
    [table] = _read_where_it_lay(tmp_path, settings, "hand-merged-last-rows.png", (2339, 1654), (190, 492))
    last = table.n_rows - 1
    assert table.at(last, 0).text.startswith("四、结转下年度继续办理")
    assert table.at(last - 1, 1).text.endswith("总计") and table.at(last - 1, 1) is not table.at(last, 0)
    assert [table.at(r, table.n_cols - 2).text for r in range(last - 2, last + 1)] == ["11", "413", "1"]
    # The label of （六） over its three rows keeps its cell whole.
    assert table.at(0, 1) is table.at(2, 1) and table.at(0, 1).text.startswith("(六)")


FANGSONG = font_file("cwTeXFangSong")  # Debian's fonts-cwtex-fs


def test_tall_brackets_between_dotted_rules_are_no_rules():
    """Table 三's result rows at 300 dpi, ruled in dots, their labels set in 仿宋 at 14 pt: each
    "（" and "）" is a tall thin stroke between two dotted row rules, as long as a cell is high.
    Taken for dotted column rules they cut "（一）予以公开" into three cells; a bracket is curved,
    a rule straight."""
    image = Image.new("L", (2480, 3508), 248)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FANGSONG, 58)
    left, label_end, right = 350, 1300, 2130
    xs, ys = [label_end + 120 * i for i in range(8)], [600 + 90 * i for i in range(6)]
    draw.rectangle([left, ys[0], right, ys[-1]], outline=0, width=6)
    for y in ys[1:-1]:
        _dots(draw, (left, y), (right, y))
    for x in [left + 250] + xs[:-1]:
        _dots(draw, (x, ys[0]), (x, ys[-1]))
    for r, label in enumerate(["（一）予以公开", "（二）部分公开", "（三）不予公开", "（四）无法提供", "（五）不予处理"]):
        draw.text((left + 270, ys[r] + 18), label, font=font, fill=0)
        for c in range(7):
            draw.text((xs[c] + 45, ys[r] + 18), str((r + c) % 3), font=font, fill=0)
    gray = cv2.GaussianBlur(np.asarray(image), (0, 0), 0.8)
    [table] = find_grids(gray, 1)
    assert (table.n_rows, table.n_cols) == (5, 9)


@pytest.mark.parametrize("upside_down", [False, True])
def test_words_stacked_in_narrow_cells_do_not_turn_the_page(tmp_path, settings, upside_down):
    """Table 四's last header row carried over to the next page of a Word report: fifteen narrow
    cells, each word wrapped a character a line, then the values. Such cells
    look like text written top to bottom, and the recognizer reads the page turned a quarter
    about as well as upright (common characters on their side still read): the page stays as it
    lies unless the turn reads clearly better. Scanned upside down, it is turned half round, not
    a quarter (a quarter turn read better than the page as it lay)."""
    from digitizer.pipeline import digitize

    image = Image.new("L", (1655, 2339), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 34)
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    xs, ys = [200 + 84 * i for i in range(16)], [250, 430, 490]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=3)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=3)
    for c, word in enumerate(words):
        for i, char in enumerate(word):
            draw.text((xs[c] + 25, ys[0] + 12 + 40 * i), char, font=font, fill=0)
        draw.text((xs[c] + 30, ys[1] + 12), str(c % 4), font=font, fill=0)
    if upside_down:
        image = image.rotate(180)
    image.save(tmp_path / "page5.png", dpi=(200, 200))
    [table] = digitize(tmp_path / "page5.png", settings).grids
    assert (table.n_rows, table.n_cols) == (2, 15)
    assert [table.at(1, c).text for c in range(4)] == ["0", "1", "2", "3"]


def test_a_heavy_border_outside_the_grid_is_no_line_of_print_running_down(settings):
    """Table 三 of an HTML report carried over to the next page: its first column (三、本年度办理
    结果) is empty there and has no row rules, so the grid starts at the next column and the
    table's heavy left border lies outside it, alone, as tall as the page's print. Taken for a
    line of print running down the page, it said the page lay on its side: the page was turned
    a quarter and its 77 cells went unread. A rule is thinner than a line of characters."""
    [table] = _read_page(settings, "html-l1-heavy-border-outside-grid.jpg")
    assert (table.n_rows, table.n_cols) == (11, 9)
    assert table.at(0, 1).text == "1、本机关不掌握相关政府信息"
    assert [table.at(0, c).text for c in range(2, 9)] == ["18", "0", "0", "0", "0", "0", "18"]


def test_a_frame_whose_dotted_inner_rules_were_lost_at_75_dpi_is_a_table(settings):
    """Table 四 of a Word report scanned at 75 dpi: a heavy outer border, dotted rules inside,
    zeros printed as nothing. The rule finder keeps the border alone, with no piece of an inner
    rule: a frame round nothing but print. Round no other table and no sheet's edge, it is kept
    for completion, which finds the dotted rules in it."""
    [table] = _read_page(settings, "docx-75dpi-dotted-table-four.jpg")
    assert (table.n_rows, table.n_cols) == (4, 15)
    assert [table.at(3, c).text for c in range(15)] == ["5", "", "1", "", "6", "", "", "", "", "3"] + [""] * 5


def test_a_half_turn_that_finds_no_table_is_no_better_reading(settings):
    """Table 三 of the same report carried over to the next page, framed the same way. Its blank
    cells and misread dotted rules read with low confidence, so the page was read again turned
    half round; that reading went through the grid finder that drops frames without a found
    inner rule, found no table, read no word, and with no word to doubt (confidence 1) won: the
    page's table was lost."""
    [table] = _read_page(settings, "docx-75dpi-dotted-table-three-continued.jpg")
    assert table.n_cols == 10
    last = [c.text for c in table.cells if c.row == table.n_rows - 1]
    assert last == ["四、结转下年度继续办理", "4", "", "", "", "", "", "4"]


@pytest.mark.parametrize("name, label", [("html-65dpi-dashes-for-zeros-table-two.jpg", "行政事业性"),
                                         ("html-65dpi-dashes-for-zeros-table-three.jpg", "其他处理")])
def test_dashes_for_zeros_do_not_turn_a_coarse_page_half_round(settings, name, label):
    """Tables 二 and 三 of an HTML report scanned at 65 dpi, every count printed as a dash (a
    report of nothing). Its small print reads with low confidence, so each page was read again
    turned half round, and kept so: upside down, table 三's dashes still read as 一, confidently,
    in 170 cells, while its labels read as noise; table 二's read no word at all, which counted
    as nothing to doubt. One character says little of which way up it lies; a turn that reads no
    word is no evidence for it. The labels stay in the left column, upright."""
    table = max(_read_page(settings, name), key=lambda t: len(t.cells))
    labels = [c.text for c in table.cells if c.col < table.label_cols]
    assert any(label in text for text in labels), labels


def test_dotted_rules_the_blur_ran_together_are_rules(settings):
    """Table 三 of an HTML report carried over to the next page, level 2 (heavy blur): its dotted
    rules blurred into nearly solid runs a few pixels thinner than the blurred line, whose fringe
    (the dots' blur just above and below the run) was taken for print beside it, so most row
    rules were dropped as strokes of characters. With its rows lost and the heavy left border and
    a dotted rule outside the grid taken for lines of print running down, the page was turned on
    its side and its 85 cells went unread. Ink touching a run that ends within two pixels is the
    rule's own blur; a stroke of print goes on. (tests/data/html-l2-dotted-rows-run-together.jpg,
    the page as loaded, margins cut.)"""
    table = max(_read_page(settings, "html-l2-dotted-rows-run-together.jpg"), key=lambda t: len(t.cells))
    assert table.label_cols == 2 and table.n_cols == 9

    def text(row: int, col: int) -> str:
        cell = table.at(row, col)
        return cell.text if cell else "^"

    def row(label: str) -> int:
        [found] = [r for r in range(table.n_rows) if text(r, 1).replace(" ", "").startswith(label)]
        return found

    for label in ("1.本机关不掌握", "4.无正当理由"):
        assert [text(row(label), c) for c in range(2, 9)] == ["2", "", "", "", "", "", "2"]
    assert [text(row("2.重复申请"), c) for c in range(2, 9)] == [""] * 7
    assert row("1.申请人无正当理由") > row("2.重复申请")


def test_rules_and_their_blur_are_no_lines_of_print_running_down():
    """The same page: its heavy left border, blurred to two strokes thick, stands outside the
    grid (the column beside it is empty on this page and has no row rules), as tall as the page's
    print, and passed for a line of print running down, which says a page lies on its side. The
    ink of the page's rules (as the rule finder finds them), and its blur, is no print."""
    from digitizer import grid, orientation
    from digitizer.rules import find_lines

    gray = cv2.imread(str(DATA / "html-l2-dotted-rows-run-together.jpg"), cv2.IMREAD_GRAYSCALE)
    rows, columns = find_lines(gray)
    grids = [g for g in grid.grids_from_lines(rows, columns, 1, fewest_columns=1) if g.n_cols >= 2]
    assert orientation.prose_lines(gray, grids, rows | columns)["down"] == []
    assert orientation.prose_direction(gray, grids, rows | columns) != "down"


def test_a_table_two_rows_high_inside_a_page_edge_frame_is_a_table():
    """A photographed page whose dark edges and a fold line frame most of it, and at its top the
    last two rows of a table carried over from the page before (行政处罚, 行政强制): small beside
    the frame, the table was taken for strokes of print inside a cell and dropped. No line of
    print in a cell is as wide as the page's print."""
    image = Image.new("L", (1654, 2339), 225)
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 20, 1650, 1400), outline=40, width=4)  # the page's edges
    draw.line((1560, 20, 1560, 1400), fill=60, width=3)  # a fold
    draw.line((10, 980, 1650, 980), fill=60, width=3)
    columns, rows = [187, 616, 896, 1175, 1451], [282, 364, 446]
    for x in columns:
        draw.line((x, rows[0], x, rows[-1]), fill=30, width=3)
    for y in rows:
        draw.line((columns[0], y, columns[-1], y), fill=30, width=3)
    font = ImageFont.truetype(FONT, 36)
    for r, label in enumerate(["行政处罚", "行政强制"]):
        draw.text((205, rows[r] + 20), label, font=font, fill=20)
    grids = find_grids(np.array(image), 1)
    assert any((g.n_rows, g.n_cols) == (2, 4) for g in grids), [(g.n_rows, g.n_cols, g.bbox) for g in grids]


def test_a_block_two_rows_high_ruled_in_dashes_is_a_table(tmp_path, settings):
    """The last two rows of a table 二 block carried over to the next page of a Word report
    scanned 1-bit (200 dpi): a solid frame, a dashed rule between the rows, and three dashed column
    rules of two dashes a row. The line finder sees a frame of two rows and no column; the dashes
    run from wall to wall in both rows, each row's two the same length as the other's, and they
    are the rules (before, the frame was dropped and six values with it). (tests/data/
    dashed-two-row-block.png, a piece of the real page put back where it lay.)"""
    [table] = _read_where_it_lay(tmp_path, settings, "dashed-two-row-block.png", (2339, 1654), (165, 240))
    assert (table.n_rows, table.n_cols) == (2, 4)
    assert [table.at(1, c).text.replace(" ", "") for c in range(1, 4)] == ["1291", "-105件", "1186件"]


def test_dashes_cut_short_by_a_low_rows_walls_are_a_rule(tmp_path, settings):
    """Blocks of table 二 photographed by a phone: the column rule between 上一年项目数量 and
    本年增/减 is dashed, and a row 30 px high holds two pieces of it, each cut short by a wall, or
    one dash and a part of the next; the number set against the rule ("▮142") makes the text
    detector take the dash in with it. Where the grid has the rule in other rows, two pieces from
    wall to wall are the rule, whatever part of a dash each is; a piece at a text box's edge, no
    thicker than a blurred rule and taller than the print, is the rule's, not print (before, each
    row's two values were read as one cell, "1"). Still weak: a row holding one dash that stops a
    few pixels short of a wall (行政强制 here). (tests/data/photo-dashed-values.png, a piece of
    the flattened page put back where it lay.)"""
    [table] = _read_where_it_lay(tmp_path, settings, "photo-dashed-values.png", (2356, 1588), (165, 455))
    values = {table.at(r, 0).text: [table.at(r, c).text for c in range(1, table.n_cols)] for r in range(table.n_rows)
              if table.at(r, 0).text in ("行政许可", "行政处罚")}
    assert values == {"行政许可": ["1715", "减少11", "1601"], "行政处罚": ["556", "142", "703"]}


def test_a_header_row_lower_than_the_walls_margins_is_completed_without_error(tmp_path, settings):
    """Table 二 drawn as five small tables in dashed rules with shaded header rows, blurred by a
    heavy scan (a Word report, level 2): a header row whose box is lower than the two margins
    completion leaves off its walls clipped a text box to nothing, and the document failed with
    an OpenCV error. (tests/data/dashed-blocks-shaded-headers.png, a piece of the page put back
    where it lay.) Still weak: at this blur, some dashed column rules are lost and cells merge."""
    tables = _read_where_it_lay(tmp_path, settings, "dashed-blocks-shaded-headers.png", (2339, 1654), (200, 250))
    assert len(tables) == 5 and all(t.n_rows >= 2 for t in tables)


def test_a_row_carried_over_with_dotted_column_rules_taken_for_text_is_a_row(tmp_path, settings):
    """Table 二's last row alone at the top of the next page (a Word report, clean scan): a thick
    frame one row high whose two column rules are dotted. The text detector takes each dotted
    rule for a line of text, and its dots' blur is wider than a dash's, so the box was kept as
    print and hid the rule: the row was read as one cell and block (九) went unread."""
    [table] = _read_where_it_lay(tmp_path, settings, "dotted-one-row-carried-over.png", (2339, 1655), (150, 190))
    assert [table.at(0, c).text for c in range(table.n_cols)] == ["政府集中采购", "34", "266400元"]


def _read_page(settings, name: str) -> list:
    """The tables read end to end from a whole page (tests/data/`name`)."""
    from digitizer.pipeline import digitize

    return digitize(DATA / name, settings).grids


def test_labels_written_down_a_column_in_blurred_dashed_rules_stay_labels(settings):
    """Table 三 of an HTML report at level 2 (heavy blur, 150 dpi JPEG): its dashed rules are
    mostly lost, so completion draws them from the cells' ink. The two label columns written a
    character a line (三、本年度办理结果 and （三）不予公开) lay in one area whose rule between
    them was found only in part, and a character of each side by side read as a line of words:
    rows were drawn through both columns, their pieces read as "1", and with more numbers than
    words in the first column the table had no label column and went unmapped (159 cells lost).
    The blank cells of 二、上年结转 hold the dashes of the rule under them (the grid's rule lies a
    few pixels off the drawn one): they read as "mmm" and "me", and are blank.
    (tests/data/html-l2-table-three.jpg, the page as drawn: a piece of it put back on plain paper
    straightens otherwise and reads right either way.)
    Still weak: a false column rule cuts "二、" off 上年结转's label, and 9 in table 四 reads "g"."""
    from digitizer.numbers import looks_numeric

    [table] = _read_page(settings, "html-l2-table-three.jpg")
    assert table.n_cols - table.label_cols == 7  # 自然人, five kinds of organisation, 总计
    group = [c for c in table.cells if c.col == 0 and c.row not in table.header_rows]
    assert not any(looks_numeric(c.text) for c in group if c.text)
    [carried] = [r for r in range(table.n_rows)
                 if any("上年结转" in table.at(r, c).text for c in range(table.label_cols))]
    assert [table.at(carried, c).text for c in range(table.label_cols, table.n_cols)] == ["18", "", "", "", "", "", "18"]


def test_a_frame_whose_inner_rules_were_found_only_in_bits_is_a_table(settings):
    """Table 四 of the same report: solid frame, dashed inner rules blurred so that the line
    finder kept only bits of them, joined to the frame, which enclosed no cell. Such a frame was
    no table (the report said "table 四 not found"); holding pieces of rules, it now goes to
    completion, which finds its rules in its ink. A page edge or a box round prose holds none.
    (tests/data/html-l2-table-four.jpg, the page as drawn.)"""
    [table] = _read_page(settings, "html-l2-table-four.jpg")
    assert (table.n_rows, table.n_cols) == (4, 15)
    assert [table.at(2, c).text for c in range(5)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [table.at(3, c).text for c in range(9)] == ["5", "", "", "2件", "7件", "8", "", "", "1件"]


def test_a_header_rule_left_out_is_drawn_where_the_leaf_columns_rules_end(settings):
    """Table 三 of a Word report on 1-bit paper, dashed rules: the rule under 法人或其他组织 was
    not drawn, so its five leaf headers were one area with it, their column rules hanging from
    the row rule below and ending under it. The header cells were read as "法人或其他业研" and
    "织机取共他", and every organisation column went unmapped (117 cells). Three or more column
    rules ending free at one height imply the rule there. (tests/data/docx-bilevel-header-rule-
    left-out.png, the page as drawn.) Still weak: the corner cell reaches down over 一、本年新收's
    label, whose rule is lost at the left, and 科研机构 runs into the cell under it. (Table 二's
    last row, carried over above it, is a table of its own: its dashed column rules are found
    down the header cell and the row under it.)"""
    table = max(_read_page(settings, "docx-bilevel-header-rule-left-out.png"), key=lambda t: t.n_rows)
    leaves = [table.at(2, c).text for c in range(table.n_cols)]
    assert table.at(1, 4).text.startswith("法人或其他") and table.at(1, 4).row_span == 1
    assert {"商业企业", "社会公益组织", "法律服务机构", "其他"} <= set(leaves)


def test_table_four_in_a_column_with_its_group_cells_cut_keeps_its_labels(settings):
    """Table 四 in a column (项目 | 数量) of the 乐清 2020 report as the HTML renderer drew it,
    scanned at level 1: false rules cut its group cells (行政复议, 行政诉讼, 未经复议直接起诉) into
    pieces, mostly blank, and a stray mark in one read "1". That number made the first column a
    column of values: the table had no label columns and was not found. Then, 未经复议直接起诉
    unread, its 结果维持 and 复议后起诉's swapped their counts. A column of more words than
    numbers does not stop the label columns, and columns of one label (the table is read
    transposed) take their places in print order, the layout's. (tests/data/table-four-in-a-
    column-html.pdf, the page as scanned: a piece of it put back on plain paper reads right
    either way.)"""
    from digitizer.layouts import get_layout
    from digitizer.mapping import map_table, view

    [table] = _read_page(settings, "table-four-in-a-column-html.pdf")
    assert table.label_cols == 3
    layout = get_layout("2019")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["review_litigation"], [view(table)], layout, 62.0)}
    # The report's counts: 3 cases taken to court without review, all upheld; nothing else.
    assert found == {(row, col): 3 if row == "litigation_direct" and col in ("upheld", "total") else 0
                     for row in ("review", "litigation_direct", "litigation_after_review")
                     for col in ("upheld", "corrected", "other", "pending", "total")}


def test_the_sheets_edge_in_a_scan_is_no_table(settings):
    """A landscape page of table 四 in a Word report, scanned at level 2: the sheet's left and
    bottom edges and the rule under the running head closed a frame of two cells as big as much
    of the page, across the table. Taken for a table, it hid the page's heading from the
    orientation check, the stacked headers (结果维持 a character a line) voted the page vertical,
    and it was turned a quarter: table 四 read on its side ("诉起接直议复经未"), its "—" as "1"
    (15 cells wrong). A few cells reaching the image's border, lying round or across another
    table, are the sheet's edge. (tests/data/docx-l2-landscape-table-four-sheet-edge.jpg, the
    page as loaded.)"""
    [table] = _read_page(settings, "docx-l2-landscape-table-four-sheet-edge.jpg")
    assert (table.n_rows, table.n_cols) == (4, 15)
    assert [table.at(1, c).text for c in (5, 10)] == ["未经复议直接起诉", "复议后起诉"]
    assert [table.at(3, c).text for c in (4, 6, 7, 9)] == ["2", "5", "3", "8"]


def test_the_sheets_corner_across_a_table_is_no_table(settings):
    """A photographed page of a Word report at level 2 (keystone, shadowed edges): the sheet's
    bottom and right edges and the table's own border closed a frame of two cells from the
    middle of table 二 to the corner of the image. Taken for the table the page ends with, it
    was the table the next page's carried-over row (行政事业性收费 | 0) was tried against, and the
    row was left alone, unmapped. (tests/data/docx-l2-photo-sheet-corner.jpg, the page as loaded.)"""
    tables = _read_page(settings, "docx-l2-photo-sheet-corner.jpg")
    assert [(t.n_rows, t.n_cols) for t in tables] == [(13, 4)]


def test_a_title_row_left_at_the_foot_of_a_page_heads_its_block_on_the_next(tmp_path, settings):
    """Table 四 of a Word report drawn as two tables (行政复议, 行政诉讼): the page break left the
    行政复议 title row alone at the foot of a page, one wide cell, and its leaf headers and counts
    began the next page. A grid of one cell was dropped, and without its title the block's
    columns could be anyone's: the five 行政复议 counts went unmapped in a clean (level 0)
    report. A title row alone is kept, and joined to the table the next page starts with, header
    first and as wide. (tests/data/docx-title-row-at-page-foot.jpg and docx-title-row-block-next-
    page.jpg, pieces of the two pages put back where they lay.)"""
    from digitizer import load
    from digitizer.layouts import get_layout
    from digitizer.mapping import map_table, view
    from digitizer.pipeline import Digitizer

    for name, top, page_name in (("docx-title-row-at-page-foot.jpg", 1960, "doc_p1.png"),
                                 ("docx-title-row-block-next-page.jpg", 150, "doc_p2.png")):
        piece = cv2.imread(str(DATA / name), cv2.IMREAD_GRAYSCALE)
        page = np.full((2339, 1654), int(np.median(piece)), dtype=np.uint8)
        page[top : top + piece.shape[0]] = piece
        cv2.imwrite(str(tmp_path / page_name), page)
    [source] = load.discover([tmp_path])
    tables = Digitizer(settings).run(source).grids
    assert [(t.pages, t.n_rows, t.n_cols) for t in tables] == [([1, 2], 3, 5), ([2], 4, 10)]
    layout = get_layout("2019")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["review_litigation"],
                                                         [view(t) for t in tables], layout, 62.0)}
    # The report's counts: nothing taken to review; 6 to court without review (5 other, 1 pending).
    assert {col: found["review", col] for col in ("upheld", "corrected", "other", "pending", "total")} == \
        dict.fromkeys(("upheld", "corrected", "other", "pending", "total"), 0)
    assert found["litigation_direct", "total"] == 6


def test_a_frame_whose_light_gray_rules_stop_short_of_it_is_completed_round_by_round(tmp_path, settings):
    """Table 四 of a Word report at level 2: light-gray rules on shaded header rows inside a dark
    frame. The line finder kept the frame alone (its inner rules, found in pieces, stop short of
    it), and completion found the rule under 行政复议 first: a frame of one column split into two
    rows, which ended the rounds (a split had to leave two columns), so the column rules that
    then run wall to wall in the lower row were never drawn and table 四 was not found (16 cells).
    Rounds go on while cells split, and take as many as such a table needs.
    (tests/data/docx-l2-gray-rules-shaded-table-four.jpg, a piece of the page put back where it
    lay.)"""
    from digitizer.pipeline import digitize

    piece = cv2.imread(str(DATA / "docx-l2-gray-rules-shaded-table-four.jpg"), cv2.IMREAD_GRAYSCALE)
    page = np.full((1075, 1521), int(np.median(piece)), dtype=np.uint8)
    page[150 : 150 + piece.shape[0], 100 : 100 + piece.shape[1]] = piece
    cv2.imwrite(str(tmp_path / "page.png"), page)  # lossless: a second JPEG pass would blur it more
    [table] = [t for t in digitize(tmp_path / "page.png", settings).grids if t.n_cols > 3]
    assert (table.n_rows, table.n_cols) == (4, 15)
    assert [table.at(2, c).text for c in range(5, 15)] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    assert [table.at(3, c).text for c in range(5, 15)] == ["无"] * 10


def test_dotted_rules_blotted_where_they_cross_split_the_cells_they_bound(settings):
    """Table 三 of a Word report in dotted rules, scanned at 75 dpi and enlarged: where two rules
    cross, their dots blur into a blot that the text detector boxes as a character, and it boxes
    the dots of a column rule (with the blot of a row rule crossing it) as a line of text. Taken
    for print, a rule never cut through them: the rules met there were not drawn, and two rows
    of 其他 and 总计 stayed one cell that read "日士十11" for four counts; the blank cells read
    their border's dots, run together in twos and threes, as "a", "m", "HS". Zeros are printed
    as nothing. (The straightened page's table, cropped.)"""
    [table] = _read_page(settings, "docx-75dpi-dotted-rules-blotted-at-crossings.jpg")
    printed = [[17, 3, 1, 0, 2, 0, 23], [1, 0, 0, 0, 0, 0, 1], [7, 2, 1, 0, 1, 0, 11], [0, 0, 0, 0, 1, 0, 1]] \
        + [[0] * 7] * 6  # 一、本年新收 … 6.属于四类过程性信息, 自然人 … 总计, from the generator's numbers
    assert not [c for c in table.cells if c.col >= 3 and c.row >= 3 and (c.row_span, c.col_span) != (1, 1)]
    assert [[table.at(r, c).text for c in range(3, 10)] for r in range(3, 13)] == \
        [[str(n) if n else "" for n in row] for row in printed]


def test_counts_side_by_side_where_a_column_rule_was_left_out_are_two_cells(settings):
    """The 乐清 2020 report typed in Word with light-gray dotted rules, one of them left out (as
    offices' copies of the template leave one out), scanned at 150 dpi: page 3's table 三 rows
    (五)不予处理. In the row 2.重复申请 no rule stands between 自然人's "3" and 商业企业's "/", nor
    between 社会公益组织's "—" and 法律服务机构's "0": each pair was one cell across two columns,
    read as one number ("31", "-0") for both. Short pieces of print, one each side of the grid's
    column line and none across it, are two cells."""
    [table] = _read_page(settings, "docx-dotted-column-rule-left-out-between-counts.jpg")
    [row] = {c.row for c in table.cells if "重复申请" in c.text}
    values = sorted((c.col, c.col_span, c.text) for c in table.cells if c.row == row and c.col >= table.n_cols - 7)
    assert values == [(table.n_cols - 7 + i, 1, text) for i, text in enumerate(["3", "/", "", "—", "0", "", "3"])]


def test_a_light_rule_broken_under_the_print_set_close_over_it_is_drawn(settings):
    """A Word report in light-gray rules scanned at 150 dpi: the rule between the header
    法律服务机构 (written a word a line) and the count 1 under it lies a pixel or two under 机构,
    and the strokes lower the local mean enough that the threshold keeps only pieces of it (85 %
    of the cell's width, unevenly): the header cell ran into the count's, which read
    "法律服务机构" and lost the 1. Nearly solid on the grid's own row line and through no print,
    it is that row's rule."""
    [table] = [t for t in _read_page(settings, "docx-faint-rule-broken-under-a-stacked-header.jpg") if t.n_cols == 10]
    [row] = {c.row for c in table.cells if c.text.startswith("一、本年新收")}
    assert [table.at(row, c).text for c in (3, 4, 6, 7, 9)] == ["149", "30", "1", "1", "181"]
    assert table.at(row - 1, 7).text == "法律服务机构" and table.at(row - 1, 7).row + table.at(row - 1, 7).row_span == row


def test_counts_side_by_side_in_a_solid_ruled_row_missing_one_rule_are_two_cells(settings):
    """The 乐清 2020 report typed in Word in solid black rules, one column rule left out of the
    row （七）总计 (as offices' copies of the template leave one out), scanned at 200 dpi: 自然人's
    "101" and 商业企业's "5" stood in one cell across two columns and read "1015" for both. No rule
    of the grid looked broken, so completion never ran: short pieces of print on one line, a
    column line of the grid in the gap between them, are now cue enough for it to look."""
    [table] = [t for t in _read_page(settings, "docx-l1-column-rule-left-out-in-the-total-row.jpg") if t.n_cols >= 9]
    [row] = {c.row for c in table.cells if "总计" in c.text and c.col < table.label_cols}
    values = [(c.col, c.col_span, c.text) for c in sorted(table.cells, key=lambda c: c.col)
              if c.row == row and c.col >= table.label_cols]
    first = values[0][0]
    assert values[:2] == [(first, 1, "101"), (first + 1, 1, "5")]
    assert values[-1][2] == "106"


def test_a_page_turned_clockwise_whose_table_lost_rules_reads_upright(settings):
    """A Word report's page 2 scanned turned a quarter clockwise (its page 1 the other way): the
    rest of table 二 and the start of table 三. The rules of table 二's remainder were lost in part,
    so one of its cells held the whole block, which read as one long line of noise whichever way
    the page was turned; weighed by its length it outweighed every word, and the page was read on
    its side (171 cells lost). A reading now weighs no more than a line of words."""
    tables = _read_page(settings, "docx-page-turned-clockwise-table-rules-lost-in-part.png")
    texts = {c.text for t in tables for c in t.cells}
    assert "法人或其他组织" in texts and "48" in texts and "56" in texts
    assert any("本年新收政府信息公开申请数" in text for text in texts)


def test_a_row_broken_across_the_page_break_keeps_its_counts(settings):
    """A Word report (2021 layout) whose table 三 row 5.要求行政机关确认或重新出具已获取信息 breaks
    across the page: its label's first line and its counts (8 … 8) end page 1, the rest of the
    label begins page 2 over blank cells. The two parts are one row of the joined table."""
    from digitizer.pipeline import digitize

    report = digitize(DATA / "docx-row-broken-across-pages", settings)
    [table] = [t for t in report.grids if any("确认或重新出具" in c.text for c in t.cells)]
    [row] = {c.row for c in table.cells if "确认或重新出具" in c.text}
    label = table.at(row, table.label_cols - 1).text
    assert label.startswith("(5)") and label.endswith("已获取信息")
    values = [table.at(row, c).text for c in range(table.label_cols, table.n_cols)]
    assert values[0] == "8" and values[-1] == "8"


def test_row_rules_lost_over_the_group_column_are_carried_on(settings):
    """Table 三 of a Word report in thin light-gray rules, scanned at 75 dpi: the row rules under
    一、本年新收… and 二、上年结转… were lost over the narrow column that 三、本年度办理结果 is
    written down below them, so both rows' labels and that column were one enclosed area, no
    rectangle, and both rows lost their labels (14 counts unread). Where a rule of the grid's row
    line bounds such an area and ends at it, the rule goes on across it."""
    [table] = [t for t in _read_page(settings, "docx-75dpi-gray-rules-lost-over-the-group-column.png")
               if any("本年新收" in c.text for c in t.cells)]
    rows = {c.text[:4]: c.row for c in table.cells if c.col < table.label_cols and c.text[:2] in ("一、", "二、")}
    assert set(rows) == {"一、本年", "二、上年"}
    assert [table.at(rows["一、本年"], c).text for c in (table.label_cols, table.n_cols - 1)] == ["170", "173"]
    assert table.at(rows["二、上年"], table.n_cols - 1).row == rows["二、上年"]


def test_counts_set_against_dashed_column_rules_two_dashes_a_row_are_apart(settings):
    """Table 三 of an HTML report at level 2 (200 dpi, keystoned), ruled in dashes, its counts set
    left against the column rules: beside the print the rules were lost in most rows, the five
    organisation columns one cell ("35 10 10 12 11", its dashes read as 1s). Completion found two
    dashes from the top wall in each such row, their next one cut off by the row's bottom: a
    dash's length and space short of the wall, where the grid has the rule in other rows, is where
    the dashes' phase left the rule."""
    [table] = [t for t in _read_page(settings, "html-l2-left-aligned-counts-against-dashed-rules.jpg") if t.n_cols >= 9]
    [row] = {c.row for c in table.cells if "本年新收" in c.text}
    values = [table.at(row, c) for c in range(table.label_cols, table.n_cols)]
    assert [c.text for c in values] == ["821", "35", "0", "0", "2", "1", "859"]


def test_a_page_on_its_side_whose_cells_vote_no_direction_is_turned_by_the_recognizer(settings):
    """A Word report's page 3 scanned turned a quarter counter-clockwise: the rest of table 三,
    its organisation headers written a character a line. Lying so, the headers' lines run across
    and the labels' along: the cells' vote came out nearly even (3 against 6), was taken for
    "upright", and the page was read as it lay (88 counts lost). A near tie decides nothing: the
    recognizer, which reads the page better turned, decides."""
    tables = _read_page(settings, "docx-page-on-its-side-stacked-headers.jpg")
    [table] = [t for t in tables if any("总计" in c.text for c in t.cells)]
    [row] = {c.row for c in table.cells if "总计" in c.text and c.col < table.label_cols}
    assert [table.at(row, c).text for c in range(table.label_cols, table.n_cols)] == ["46", "4", "0", "0", "7", "0", "57"]


def test_a_continued_part_starting_on_a_row_of_blank_counts_starts_with_that_row(settings):
    """Table 三 of a Word report (JPEG at quality 30) carried over to the next page with only its
    header's top row repeated (the corner note and 申请人情况), the first row under it
    (3)补正后申请内容仍不明确 with every count printed as nothing: that row of words under a
    caption-like row was taken for the header's next row, dropped with the repeated header when
    the parts were joined, and its 7 counts went unread."""
    [part] = [t for t in _read_page(settings, "docx-jpeg30-table-three-continued-on-a-row-of-blank-counts.jpg")
              if any("补正后" in c.text for c in t.cells)]
    [row] = {c.row for c in part.cells if "补正后" in c.text}
    assert part.header_rows == [0] and row == 1
    assert [part.at(row, c).text for c in range(part.label_cols, part.n_cols)] == [""] * 7


@pytest.mark.parametrize("name,words", [("html-l2-dashed-table-three-p3.jpg", "法人或其他组织"),
                                         ("html-l2-dashed-table-three-p4.jpg", "下年度继续办理")])
def test_a_table_whose_dashed_rules_are_lost_is_not_turned_on_its_side(settings, name, words):
    """Table 三 of an HTML report at level 2 (130 dpi, dashed inner rules) carried over two
    pages: before completion, the line finder's grid is a few blocks of many cells each. Their
    rows and columns of counts voted the text vertical, and read as one line each they were
    noise, so the page read "better" a quarter turned: its words came out reversed
    ("织组他其成人法") and 119 cells of table 三 went unread. A cell as large as a block of cells
    says nothing of which way text runs, and a quarter turn that reads no word the layouts print
    is no better reading of a page that may lie as it is. (tests/data/html-l2-dashed-table-three-
    p3/p4.jpg, the pages as scanned.)"""
    texts = "".join(c.text for t in _read_page(settings, name) for c in t.cells)
    assert words in texts
    assert "况情人" not in texts and "织组他" not in texts


def test_a_low_last_row_between_thick_borders_keeps_its_column_rules():
    """Table 三's last row, 四、结转下年度继续办理, alone at the top of the next page of a Word
    report (thick outer border, thin solid column rules, zeros printed "—"): the thick top and
    bottom borders the column rules meet are a quarter of their length, and were taken for print
    beside them, so every other column rule was dropped and two cells' dashes read as one "1"
    between them (a real page of a report drawn by the Word renderer,
    tests/data/docx-thick-border-last-row-carried-over.png, put back where it lay)."""
    piece = cv2.imread(str(DATA / "docx-thick-border-last-row-carried-over.png"), cv2.IMREAD_GRAYSCALE)
    page = np.full((2339, 1655), int(np.median(piece)), dtype=np.uint8)
    page[235 : 235 + piece.shape[0], 205 : 205 + piece.shape[1]] = piece
    [grid] = find_grids(page, 1)
    assert (grid.n_rows, grid.n_cols) == (1, 8)
    widths = [cell.bbox[2] - cell.bbox[0] for cell in grid.cells[1:]]
    assert max(widths) < 1.5 * min(widths)  # seven count cells alike, none two cells wide
