"""Stage 5 on its own (digitizer.reconstruct): tables continued over a page break and tables of
labels beside blank values, from cells as the grid and the recognizer hand them over. Each case
is a page-break shape that other renderers' reports show (see tests/test_foreign_variants.py),
cut down to the cells that decide it."""

from __future__ import annotations

from digitizer.mapping import view
from digitizer.reconstruct import classify, continues, join_continued
from digitizer.types import Table, TableCell

RULES = [0.0, 0.14, 0.28, 0.53, 0.6, 0.66, 0.73, 0.8, 0.87, 0.93, 1.0]  # table 三: 3 label, 7 value columns
VALUES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def cell(row: int, col: int, text: str, page: int, row_span: int = 1, col_span: int = 1) -> TableCell:
    return TableCell(row, col, row_span, col_span, text, 0.99, page, (0, 0, 1, 1))


def table(page: int, n_rows: int, cells: list[TableCell]) -> Table:
    t = Table([page], n_rows, 10, cells, col_rules=list(RULES))
    classify(t)
    return t


def body_row(row: int, label: str, page: int, start: int = 0) -> list[TableCell]:
    return [cell(row, 0, label, page, col_span=3)] + [cell(row, 3 + i, str(start + i), page) for i in range(7)]


def test_repeated_header_with_a_row_lost_still_continues():
    """Page 2's grid lost the 申请人情况 / 法人或其他组织 rows under the shading; page 3 repeats
    the whole header: the same words in another order, some missing, still the same header."""
    corner = "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)"
    first = table(2, 3, [cell(0, 0, corner, 2, col_span=3)] + [cell(0, 3 + i, v, 2) for i, v in enumerate(VALUES)]
                  + body_row(1, "一、本年新收政府信息公开申请数量", 2) + body_row(2, "二、上年结转政府信息公开申请数量", 2))
    second = table(3, 4, [
        cell(0, 0, corner, 3, row_span=3, col_span=3), cell(0, 3, "申请人情况", 3, col_span=7),
        cell(1, 3, "自然人", 3, row_span=2), cell(1, 4, "法人或其他组织", 3, col_span=5), cell(1, 9, "总计", 3, row_span=2),
        *[cell(2, 4 + i, v, 3) for i, v in enumerate(VALUES[1:6])],
        *body_row(3, "（六）其他处理", 3),
    ])
    assert continues(first, second)
    [joined] = join_continued([[first], [second]])
    labels = [r.leaf for r in view(joined).rows]
    assert labels == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（六）其他处理"]


def test_a_different_table_does_not_continue():
    first = table(2, 2, [cell(0, 0, "信息内容", 2, col_span=3)] + [cell(0, 3 + i, v, 2) for i, v in enumerate(VALUES)]
                  + body_row(1, "一、本年新收政府信息公开申请数量", 2))
    other = table(3, 2, [cell(0, 0, "行政复议", 3, col_span=3)] + [cell(0, 3 + i, v, 3) for i, v in
                                                                 enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "结果维持", "结果纠正"])]
                  + body_row(1, "", 3))
    assert not continues(first, other)


def test_header_whose_next_rows_begin_the_next_page():
    """Table 三 starts at the foot of page 1 with only its first header row (the corner cell and
    申请人情况); page 2 begins with the header's next rows, whose cells lie under no cell of that
    row of the same columns: they are added as rows, not glued into it as a broken row."""
    first = table(1, 1, [cell(0, 0, "(本列数据的勾稽关系为：", 1, col_span=3), cell(0, 3, "申请人情况", 1, col_span=7)])
    second = table(2, 4, [
        cell(0, 0, "", 2, col_span=3), cell(0, 3, "自然人", 2, row_span=2), cell(0, 4, "法人或其他组织", 2, col_span=5),
        cell(0, 9, "总计", 2, row_span=2), cell(1, 0, "", 2, col_span=3),
        *[cell(1, 4 + i, v, 2) for i, v in enumerate(VALUES[1:6])],
        *body_row(2, "一、本年新收政府信息公开申请数量", 2, start=18),
        *body_row(3, "二、上年结转政府信息公开申请数量", 2),
    ])
    [joined] = join_continued([[first], [second]])
    assert all(c.row >= 0 for c in joined.cells)
    columns = {c.leaf: c.parents for c in view(joined).columns}
    assert set(VALUES) <= set(columns)
    assert "申请人情况" in columns["自然人"] and "法人或其他组织" in columns["商业企业"]
    first_body = joined.n_rows - 2
    assert joined.at(first_body, 3).text == "18"


def test_broken_header_row_is_glued():
    """A header row cut by the page break: its lower part, cell under cell, joins the upper."""
    first = table(1, 1, [cell(0, 0, "(本列数据的勾稽", 1, col_span=3), cell(0, 3, "申请人", 1, col_span=7)])
    second = table(2, 3, [cell(0, 0, "关系为：…)", 2, col_span=3), cell(0, 3, "情况", 2, col_span=7),
                          *[cell(1, 3 + i, v, 2) for i, v in enumerate(VALUES)],
                          *body_row(2, "一、本年新收政府信息公开申请数量", 2)])
    [joined] = join_continued([[first], [second]])
    assert joined.at(0, 3).text == "申请人情况"
    assert joined.n_rows == 3


def test_labels_beside_one_blank_value_column():
    """Table 四 printed in a column, every count 0 printed as nothing: the rows are body rows
    (labels in three columns, a blank value), only 项目 | 数量 is the header."""
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [cell(0, 0, "项目", 5, col_span=3), cell(0, 3, "数量", 5),
             cell(1, 0, "行政复议", 5, row_span=5, col_span=2)]
    cells += [c for i, label in enumerate(labels) for c in (cell(1 + i, 2, label, 5), cell(1 + i, 3, "", 5))]
    t = Table([5], 6, 4, cells)
    classify(t)
    assert t.header_rows == [0]
    assert t.label_cols == 3


def test_a_header_word_misread_as_letters_is_no_number():
    """A page ends with table 三's first header rows, 总计 read as "aif" in blurred print: the row
    is still a header (a misread word is no number), so the fragment is all header and the next
    page's table is its body."""
    corner = "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)"
    top = table(2, 2, [cell(0, 0, corner, 2, row_span=2, col_span=3)]
                + [cell(0, 3 + i, "申请人情况", 2) for i in range(7)]
                + [cell(1, 3, "自然人", 2), cell(1, 4, "法人或其他组织", 2, col_span=5), cell(1, 9, "aif", 2)])
    assert top.header_rows == [0, 1]
    rest = table(3, 3, [cell(0, 0, "", 3, col_span=3)] + [cell(0, 4 + i, v, 3) for i, v in enumerate(VALUES[1:6])]
                 + body_row(1, "一、本年新收政府信息公开申请数量", 3) + body_row(2, "二、上年结转政府信息公开申请数量", 3))
    assert continues(top, rest)
    [joined] = join_continued([[top], [rest]])
    assert [r.leaf for r in view(joined).rows] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]


def test_parts_with_as_many_rules_but_other_ones_keep_their_columns():
    """Page 2 draws table 三's right border double (a sliver column at the edge); page 3 divides the
    label column where its rows have sub-items. As many rules on each page, not the same ones: each
    value stays under its own header once the parts are joined."""
    first_rules = [0.0, 0.32, 0.42, 0.51, 0.61, 0.71, 0.80, 0.89, 0.95, 0.99, 1.0]  # 2 label, 7 value, sliver
    second_rules = [0.0, 0.09, 0.32, 0.42, 0.51, 0.61, 0.71, 0.80, 0.89, 0.95, 1.0]  # 3 label, 7 value
    first = Table([2], 2, 10, [cell(0, 0, "", 2), cell(0, 1, "", 2)]
                  + [cell(0, 2 + i, v, 2) for i, v in enumerate(VALUES)] + [cell(0, 9, "", 2)]
                  + [cell(1, 0, "一、本年新收政府信息公开申请数量", 2, col_span=2)]
                  + [cell(1, 2 + i, str(10 + i), 2) for i in range(7)] + [cell(1, 9, "", 2)], col_rules=first_rules)
    classify(first)
    second = Table([3], 1, 10, [cell(0, 0, "三、本年度办理结果", 3), cell(0, 1, "（一）予以公开", 3, col_span=2)]
                   + [cell(0, 3 + i, str(20 + i), 3) for i in range(7)], col_rules=second_rules)
    classify(second)
    [joined] = join_continued([[first], [second]])
    columns = {c.leaf: c.col for c in view(joined).columns}
    for row, start in ((1, 10), (2, 20)):
        for i, header in enumerate(VALUES):
            assert joined.at(row, columns[header]).text == str(start + i), (row, header)


def test_the_next_page_carries_on_the_table_printed_lowest():
    """A small grid found inside table 三 (strokes of a label line run together into rules) comes
    after the table in the page's order, which goes by tops. The next page carries on the table
    printed lowest, not that fragment."""
    start = table(2, 2, [cell(0, 0, "", 2, col_span=3)] + [cell(0, 3 + i, v, 2) for i, v in enumerate(VALUES)]
                  + body_row(1, "一、本年新收政府信息公开申请数量", 2))
    for c in start.cells:
        c.straight_bbox = (100 + 80 * c.col, 600 + 100 * c.row, 180 + 80 * c.col, 700 + 100 * c.row)
    fragment = Table([2], 1, 2, [cell(0, 0, "一、本年新收", 2), cell(0, 1, "政府信息公开", 2)], col_rules=[0.0, 0.5, 1.0])
    for c in fragment.cells:
        c.straight_bbox = (120 + 100 * c.col, 720, 220 + 100 * c.col, 745)
    rest = table(3, 1, body_row(0, "二、上年结转政府信息公开申请数量", 3))
    joined = join_continued([[start, fragment], [rest]])
    assert [r.leaf for r in view(joined[0]).rows] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]


def test_a_repeated_header_joins_parts_whose_rules_differ():
    """Table 三 over two pages of a warped scan: page 3's grid found one value column's rule as
    two (a sliver column), page 2's divided its label column. Not the same rules, but the header
    repeats over columns most of whose rules line up: one table, each value under its header."""
    divided = [0.0, 0.07] + RULES[1:]  # the label column divided
    first = Table([2], 2, 11, [cell(0, 0, "", 2, col_span=4)] + [cell(0, 4 + i, v, 2) for i, v in enumerate(VALUES)]
                  + [cell(1, 0, "一、本年新收政府信息公开申请数量", 2, col_span=4)]
                  + [cell(1, 4 + i, str(10 + i), 2) for i in range(7)], col_rules=divided)
    classify(first)
    split = [0.0, 0.14, 0.28, 0.53, 0.6, 0.66, 0.73, 0.765, 0.8, 0.87, 0.93, 1.0]  # 社会公益组织 in two
    cells = [cell(0, 0, "", 3, col_span=3)] + [cell(0, 3 + i + (i > 3), v, 3, col_span=1 + (i == 3))
                                               for i, v in enumerate(VALUES)]
    cells += [cell(1, 0, "二、上年结转政府信息公开申请数量", 3, col_span=3)]
    cells += [cell(1, 3 + i + (i > 3), str(20 + i), 3, col_span=1 + (i == 3)) for i in range(7)]
    second = Table([3], 2, 11, cells, col_rules=split)
    classify(second)
    assert continues(first, second)
    [joined] = join_continued([[first], [second]])
    columns = {c.leaf: c.col for c in view(joined).columns}
    assert joined.at(joined.n_rows - 1, columns["法律服务机构"]).text == "24"
    assert joined.at(joined.n_rows - 1, columns["总计"]).text == "26"


def test_a_dark_page_edge_framed_like_a_table_does_not_stop_a_join():
    """A scan's dark page edge is found as a small grid reaching lower than the table above the
    page break (its noise read as text). The next page still carries on the table."""
    start = table(2, 2, [cell(0, 0, "", 2, col_span=3)] + [cell(0, 3 + i, v, 2) for i, v in enumerate(VALUES)]
                  + body_row(1, "一、本年新收政府信息公开申请数量", 2))
    for c in start.cells:
        c.straight_bbox = (200 + 80 * c.col, 1800 + 100 * c.row, 280 + 80 * c.col, 1900 + 100 * c.row)
    edge = Table([2], 2, 2, [cell(0, 0, "", 2), cell(1, 0, "l", 2), cell(1, 1, "", 2)], col_rules=[0.0, 0.02, 1.0])
    for c in edge.cells:
        c.straight_bbox = (2 + 300 * c.col, 1500 + 400 * c.row, 300 + 300 * c.col, 1900 + 430 * c.row)
    rest = table(3, 1, body_row(0, "二、上年结转政府信息公开申请数量", 3))
    joined = join_continued([[edge, start], [rest]])
    assert [r.leaf for r in view(joined[1]).rows] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]


def test_a_one_value_block_drawn_as_three_cells_keeps_its_header():
    """Table 二's 第二十条第（六）项 block as a table of its own under its caption, its one value
    column drawn as three cells of which the last two stay blank: nothing is printed right of the
    table's middle, but the first row's words stand over numbers, so it is the header."""
    block = Table([2], 3, 4, [
        cell(0, 0, "信息内容", 2), cell(0, 1, "本年处理决定数量", 2), cell(0, 2, "", 2), cell(0, 3, "", 2),
        cell(1, 0, "行政处罚", 2), cell(1, 1, "852", 2), cell(1, 2, "", 2), cell(1, 3, "", 2),
        cell(2, 0, "行政强制", 2), cell(2, 1, "41", 2), cell(2, 2, "", 2), cell(2, 3, "", 2),
    ])
    classify(block)
    assert block.header_rows == [0] and block.label_cols == 1
    labels = Table([2], 3, 4, [
        cell(0, 0, "规章", 2), cell(0, 1, "一", 2), cell(0, 2, "", 2), cell(0, 3, "5", 2),
        cell(1, 0, "行政规范性文件", 2), cell(1, 1, "", 2), cell(1, 2, "", 2), cell(1, 3, "11", 2),
    ])
    classify(labels)
    assert labels.header_rows == []  # a continued part's first body row is no header


def test_leaf_headers_read_unsurely_under_a_header_row_are_a_header():
    """Table 四 on a heavily degraded page: its leaf headers, written a character a line, come
    out of the recognizer as unsure, half-wrong words ("精黑M特" for 结果维持) that do not count
    as words surely read; right under the header row of 未经复议直接起诉 / 复议后起诉 and over
    the counts, with no number among them, they are the header's last row, not a row of values."""
    def unsure(row: int, col: int, text: str, row_span: int = 1) -> TableCell:
        return TableCell(row, col, row_span, 1, text, 0.3, 5, (0, 0, 1, 1))

    leaves = ["精黑M特", "精黑国正", "Ⅱ他精黑", "爾素Ⅲ精", "Q计"]
    cells = [cell(0, 0, "行政复议", 5, col_span=5), cell(0, 5, "行政诉讼", 5, col_span=10),
             *[unsure(1, i, t, row_span=2) for i, t in enumerate(leaves)],
             cell(1, 5, "未经复议直接起诉", 5, col_span=5), cell(1, 10, "复议后起诉", 5, col_span=5),
             *[unsure(2, 5 + i, t) for i, t in enumerate(leaves + leaves)],
             *[cell(3, i, str(i % 3), 5) for i in range(15)]]
    t = Table([5], 4, 15, cells)
    classify(t)
    assert t.header_rows == [0, 1, 2]


def _block(page: int, first: int, caption: str, header: list[str], rows: list[list[str]]) -> list[TableCell]:
    """One block of table 二 (信息内容 + three value columns) from row `first`."""
    cells = [cell(first, 0, caption, page, col_span=4), *[cell(first + 1, i, h, page) for i, h in enumerate(header)]]
    for r, row in enumerate(rows):
        cells += [cell(first + 2 + r, i, text, page) for i, text in enumerate(row)]
    return cells


FEES = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]


def block_table(page: int, n_rows: int, cells: list[TableCell]) -> Table:
    t = Table([page], n_rows, 4, cells, col_rules=[0.0, 0.45, 0.63, 0.81, 1.0])
    classify(t)
    return t


def test_a_new_block_at_the_top_of_the_next_page_is_no_repeated_header():
    """Table 二 drawn as one table of blocks, its page ending after block (八) and the next page
    starting with block (九): the caption 第二十条第（九）项 is like 第二十条第（一）项 at the head of
    the table but for its number; it is a block of its own, not the header repeated, and keeps its
    caption and header. Its amount reads "1792.0873万π" (万元 wrapped, 元 misread): still a
    number, not words that would make its row a header."""
    first = block_table(1, 8, _block(1, 0, "第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                                     [["规章", "2", "2", "2"], ["规范性文件", "1", "1", "9"]])
                        + _block(1, 4, "第二十条第（八）项", FEES, [["行政事业性收费", "4", "0", "4"], ["其他", "1", "0", "1"]]))
    second = block_table(2, 3, _block(2, 0, "第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额", ""],
                                      [["政府集中采购", "21", "1792.0873万π", ""]]))
    assert second.header_rows == [0, 1]
    tables = join_continued([[first], [second]])
    [holder] = [t for t in tables if any(c.text == "政府集中采购" for c in t.cells)]
    procurement = next(c.row for c in holder.cells if c.text == "政府集中采购")
    assert procurement not in holder.header_rows
    assert any(c.text == "第二十条第（九）项" and c.row in holder.header_rows for c in holder.cells)


def test_a_block_caption_like_the_first_but_for_its_number_is_no_repeated_header():
    """The next page starts with block (九)'s caption right over its row (the block drawn without
    a 信息内容 row): alike to the table's first caption 第二十条第（一）项 but for its number, it
    was taken for the first header row repeated and dropped, and the block lost its caption."""
    first = block_table(1, 4, _block(1, 0, "第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                                     [["规章", "2", "2", "2"], ["规范性文件", "1", "1", "9"]]))
    second = block_table(2, 2, [cell(0, 0, "第二十条第（九）项", 2, col_span=4),
                                *[cell(1, i, t, 2) for i, t in enumerate(["政府集中采购", "21", "1792.0873万元", ""])]])
    tables = join_continued([[first], [second]])
    [holder] = [t for t in tables if any(c.text == "政府集中采购" for c in t.cells)]
    assert any(c.text == "第二十条第（九）项" for c in holder.cells)


def test_a_block_header_row_broken_by_the_page_break_is_glued_and_its_rows_follow():
    """A Word table allowed to break rows across pages: the page ends in block (九)'s header row
    ("采购项目数" over the page), the next page starts with the rest of that row ("量") and then the
    block's one row. The parts draw their columns differently (the upper part's last value
    column is divided for the blocks above), so the cells are compared by position. Before, the
    part on the next page was taken for a table of its own and block (九) went unread."""
    first = block_table(1, 5, _block(1, 0, "第二十条第（八）项", FEES, [["行政事业性收费", "4", "0", "4"]])
                        + [cell(3, 0, "第二十条第（九）项", 1, col_span=4),
                           cell(4, 0, "信息内容", 1), cell(4, 1, "采购项目数", 1), cell(4, 2, "采购总金额", 1, col_span=2)])
    second = Table([2], 2, 3, [cell(0, 0, "", 2), cell(0, 1, "量", 2), cell(0, 2, "", 2),
                               cell(1, 0, "政府集中采购", 2), cell(1, 1, "34", 2), cell(1, 2, "26.64", 2)],
                   col_rules=[0.0, 0.45, 0.63, 1.0])
    classify(second)
    assert continues(first, second)
    [joined] = join_continued([[first], [second]])
    assert joined.at(4, 1).text == "采购项目数量"
    assert [joined.at(5, c).text for c in (0, 1, 2)] == ["政府集中采购", "34", "26.64"]
    assert 5 not in joined.header_rows


def test_a_repeated_block_header_after_a_page_ending_in_a_header_row_is_not_glued():
    """The same page end, the next page repeating the whole header row: not a broken row (its
    words are the row's own again), so the words are not doubled."""
    first = block_table(1, 2, [cell(0, 0, "第二十条第（九）项", 1, col_span=4),
                               cell(1, 0, "信息内容", 1), cell(1, 1, "采购项目数量", 1), cell(1, 2, "采购总金额", 1, col_span=2)])
    second = Table([2], 2, 3, [cell(0, 0, "信息内容", 2), cell(0, 1, "采购项目数量", 2), cell(0, 2, "采购总金额", 2),
                               cell(1, 0, "政府集中采购", 2), cell(1, 1, "34", 2), cell(1, 2, "26.64", 2)],
                   col_rules=[0.0, 0.45, 0.63, 1.0])
    classify(second)
    [joined] = join_continued([[first], [second]])
    assert not any("量采购" in c.text or c.text.count("信息内容") > 1 for c in joined.cells)
    assert any(c.text == "政府集中采购" for c in joined.cells)


def test_full_width_zeros_read_as_a_character_leave_a_body_row_a_body_row():
    """Table 三 of an HTML report that prints its counts in full-width digits: at level 2 a "０"
    reads as "日", surely. The row 7.属于行政执法案卷, with four of them among its seven counts,
    was taken for a header row and went unmapped. (The readings as they came.)"""
    counts = ["0", "日", "0", "日", "日", "0", "日"]
    t = table(2, 3, body_row(0, "6. 属于四类过程性信息", 2)
              + [cell(1, 0, "7. 属于行政执法案悲", 2, col_span=3)] + [cell(1, 3 + i, v, 2) for i, v in enumerate(counts)]
              + body_row(2, "8. 属于行政查询事项", 2))
    assert 1 not in t.header_rows
    assert [r.leaf for r in view(t).rows] == ["6. 属于四类过程性信息", "7. 属于行政执法案悲", "8. 属于行政查询事项"]


def test_a_group_label_down_many_rows_misread_as_a_dash_does_not_end_the_label_columns():
    """The 乐清 2020 report typed in HTML and scanned at half resolution: table 三's group label
    三、本年度办理结果, one cell down twenty rows of the first column, reads as "一" (a dash, a
    zero) — counted once per row it outweighed the column's three labels, the label columns
    ended before it, and no row of the table was mapped. A cell counts once. (Its readings.)"""
    rows = ["（一）予以公开", "（二）部分公开", "（三）不予公开", "（四）无法提供", "（五）不予处理"]
    cells = [cell(0, 0, "", 3, col_span=3), *[cell(0, 3 + i, v, 3) for i, v in enumerate(VALUES)],
             *body_row(1, "本年新收政府信息公开申请数量", 3), *body_row(2, "上年结转政府信息公开申请数量", 3),
             cell(3, 0, "一", 3, row_span=20)]
    for i in range(20):
        cells += [cell(3 + i, 1, rows[i % 5] if i < 5 else "", 3, col_span=2)] + [cell(3 + i, 3 + j, "0", 3) for j in range(7)]
    cells += body_row(23, "四、结转下年度继续办理", 3)
    t = Table([3], 24, 10, cells, col_rules=list(RULES))
    classify(t)
    assert t.header_rows == [0]
    assert t.label_cols == 3


def _values_row(row: int, label: str, page: int, values: list[str]) -> list[TableCell]:
    return [cell(row, 0, label, page, col_span=3)] + [cell(row, 3 + i, v, page) for i, v in enumerate(values)]


def test_a_body_row_broken_by_the_page_break_is_glued():
    """A Word table allowed to break rows across pages (its default): the page ends in the upper
    part of row 5.要求行政机关确认或重新出具已获取信息, its label cut after "行政机" and its counts
    in it; the next page starts with the rest of the label over blank cells. Before, the two parts
    were two rows, the lower one (blank) took the row's key, and its 8 read as 0."""
    upper = ["8", "", "", "", "", "", "8"]
    first = table(2, 3, _values_row(0, "3.要求提供公开出版物", 2, ["5", "", "", "", "", "", "5"])
                  + _values_row(1, "4.无正当理由大量反复申请", 2, [""] * 7)
                  + _values_row(2, "5.要求行政机", 2, upper))
    second = table(3, 2, _values_row(0, "关确认或重新出具已获取信息", 3, [""] * 7)
                   + _values_row(1, "（六）其他处理", 3, ["1", "", "", "", "", "", "1"]))
    [joined] = join_continued([[first], [second]])
    assert joined.n_rows == 4
    assert joined.at(2, 0).text == "5.要求行政机关确认或重新出具已获取信息"
    assert [joined.at(2, c).text for c in range(3, 10)] == upper
    assert joined.at(3, 0).text == "（六）其他处理"


def test_a_next_row_at_the_top_of_the_page_is_not_glued():
    """A page break between two rows: the next page's first row starts an item of its own, or
    prints a count where the row above printed one; it stays a row."""
    for label, values in (("（六）其他处理", [""] * 7), ("关确认或重新出具已获取信息", ["3"] + [""] * 6)):
        first = table(2, 2, _values_row(0, "4.无正当理由大量反复申请", 2, [""] * 7)
                      + _values_row(1, "5.要求行政机", 2, ["8", "", "", "", "", "", "8"]))
        second = table(3, 1, _values_row(0, label, 3, values))
        [joined] = join_continued([[first], [second]])
        assert joined.n_rows == 3 and joined.at(2, 0).text == label


def test_a_header_written_a_character_a_line_broken_by_the_page_break_is_glued():
    """Table 四 drawn as two tables (行政复议, then 行政诉讼), its leaf headers written a character
    a line: the page ends after the first character of each ("结 结 其 尚 总"), the next page
    starts with the rest ("果维持" …) over the row of counts. Nothing under the first part's last
    row on its page shows it to be a header, so the part was not carried on and the counts were
    lost; a row of words with no digit anywhere is the header's too."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    rules = [i / 10 for i in range(11)]
    first = Table([2], 2, 10, [cell(0, 0, "行政诉讼（未经复议直接起诉）", 2, col_span=5),
                               cell(0, 5, "行政诉讼（复议后起诉）", 2, col_span=5)]
                  + [cell(1, c, leaf[0], 2) for c, leaf in enumerate(leaves)], col_rules=list(rules))
    classify(first)
    second = Table([3], 2, 10, [cell(0, c, leaf[1:], 3) for c, leaf in enumerate(leaves)]
                   + [cell(1, c, "0", 3) for c in range(10)], col_rules=list(rules))
    classify(second)
    assert continues(first, second)
    [joined] = join_continued([[first], [second]])
    assert [joined.at(1, c).text for c in range(10)] == leaves
    assert [joined.at(2, c).text for c in range(10)] == ["0"] * 10
    assert joined.n_rows == 3


def test_a_header_broken_by_the_page_break_with_a_character_misread_is_glued():
    """The same break in a Word report scanned at 100 dpi, its counts all blank: the last 总 of
    the row "结 结 其 尚 总 …" read "Q". One letter among the header's characters leaves the row
    a row of words (the 15 counts of table 四 were lost)."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    rules = [i / 10 for i in range(11)]
    tops = [leaf[0] for leaf in leaves[:-1]] + ["Q"]
    first = Table([3], 2, 10, [cell(0, 0, "未经复议直接起诉", 3, col_span=5), cell(0, 5, "复议后起诉", 3, col_span=5)]
                  + [cell(1, c, top, 3) for c, top in enumerate(tops)], col_rules=list(rules))
    classify(first)
    second = Table([4], 2, 10, [cell(0, c, leaf[1:], 4) for c, leaf in enumerate(leaves)]
                   + [cell(1, c, "", 4) for c in range(10)], col_rules=list(rules))
    classify(second)
    [joined] = join_continued([[first], [second]])
    assert joined.n_rows == 3
    assert [joined.at(1, c).text for c in range(9)] == leaves[:9]


def test_the_row_under_a_caption_cut_in_two_by_a_rule_is_the_blocks_header():
    """Table 二 of an HTML report in dotted rules, each one-value block drawn as its value in the
    first column and the other two merged: a dotted column rule was found through the captions,
    cutting "第二十条第（五）项" into "第二十条第" | "五）项". Its row was then no caption, the
    row under it (信息内容 | 本年处理决定数量 | blank) no header, and the block's count unread."""
    rows = [("第二十条第", "五）项"), ("信息内容", "本年处理决定数量"), ("行政许可", "40"),
            ("第二十条第", "六）项"), ("信息内容", "本年处理决定数量"), ("行政处罚", "4"), ("行政强制", "18")]
    cells = []
    for r, (first, second) in enumerate(rows):
        if first.startswith("第二十条"):
            cells += [cell(r, 0, first, 2, col_span=2), cell(r, 2, second, 2, col_span=2)]
        else:
            cells += [cell(r, 0, first, 2), cell(r, 1, second, 2), cell(r, 2, "", 2, col_span=2)]
    block = Table([2], len(rows), 4, cells, col_rules=[0, 0.3, 0.55, 0.8, 1])
    classify(block)
    assert block.header_rows == [0, 1, 3, 4] and block.label_cols == 1


def test_a_body_row_under_a_repeated_header_top_is_no_header():
    """Table 三 continued on the next page with only its header's top row repeated (the corner
    note and 申请人情况, two wide cells of words across the table): the row of counts under it is
    a body row, not the header a caption cut in two would have under it."""
    cells = [cell(0, 0, "本列数据的勾稽关系为第一项加第二项之和", 3, col_span=3), cell(0, 3, "申请人情况", 3, col_span=7),
             cell(1, 0, "", 3), cell(1, 1, "其他处理", 3), cell(1, 2, "3、其他", 3)]
    cells += [cell(1, 3 + c, text, 3) for c, text in enumerate(["2", "", "", "", "1", "", "3"])]
    cells += [cell(2, 0, "", 3), cell(2, 1, "(七) 总计", 3, col_span=2)]
    cells += [cell(2, 3 + c, text, 3) for c, text in enumerate(["86", "4", "", "", "1", "", "91"])]
    part = table(3, 3, cells)
    assert part.header_rows == [0]


def test_blank_counts_of_table_four_printed_in_a_column_are_no_headers():
    """Table 四 printed in a column (labels in three columns, the counts in the fourth) and carried
    over to the next page, its counts a mix of 0, 一, / and nothing: the right half of the table
    is its leaf labels and its counts, so each row whose count was blank had words there and
    was taken for a header (行政复议's 其他结果 went unread). The counts' column is the one
    that reads numbers."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    counts = ["", "/", "一", "0", "", "0", "", "", "0", ""]
    cells = [cell(0, 0, "行政诉讼", 4, row_span=10), cell(0, 1, "未经复议直接起诉", 4, row_span=5),
             cell(5, 1, "复议后起诉", 4, row_span=5)]
    for r, count in enumerate(counts):
        cells += [cell(r, 2, leaves[r % 5], 4), cell(r, 3, count, 4)]
    part = Table([4], 10, 4, cells, col_rules=[0, 0.2, 0.5, 0.8, 1])
    classify(part)
    assert part.header_rows == [] and part.label_cols == 3


def test_a_caption_cut_by_a_rule_after_its_first_column_heads_its_block():
    """Table 二 of an HTML report in dotted rules, every count 0 printed as nothing: an inferred
    column rule cut the fees block's caption after the label column ("第二十条第" | "八）项"), so
    the caption's first piece was one column wide and the row no caption; with hardly a number in
    the table, the words of the row under it (本年收费金额(单位：万元)) made no header, and the
    block's amount went unread. The piece is the caption's where its words lie across the rule
    (completion flags it); a row of label and header words one column wide stays no caption."""
    from dataclasses import replace

    from digitizer.completion import FLAG_CROSSING

    def fees_block(flags: tuple[str, ...]) -> Table:
        cells = [replace(cell(0, 0, "第二十条第", 1), flags=flags), replace(cell(0, 1, "八）项", 1, col_span=3), flags=flags)]
        for r, row in enumerate([["信息内容", "本年收费金额(单位：万元)", "", ""], ["行政事业性收费", "77.03", "", ""],
                                 ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "", "", ""]]):
            cells += [cell(r + 1, c, text, 1) for c, text in enumerate(row)]
        return block_table(1, 5, cells)

    assert fees_block((FLAG_CROSSING,)).header_rows[:2] == [0, 1]
    assert 1 not in fees_block(()).header_rows


def test_a_block_whose_zeros_are_printed_as_wu_ends_in_a_body_row():
    """A Word report printing every zero as 无: table 二's fees block (行政事业性收费 | 无) last on
    one page, table 三 first on the next, its label columns as wide as the block's. The block's
    last row read as words only, so it passed for a header row the page break cut, and table 三
    was glued on as the rest of it: the fee went unread. 无 is a count."""
    prev = Table([2], 3, 2, [cell(0, 0, "第二十条第（八）项", 2, col_span=2), cell(1, 0, "信息内容", 2),
                             cell(1, 1, "本年收费金额", 2), cell(2, 0, "行政事业性收费", 2), cell(2, 1, "无", 2)],
                 col_rules=[0.0, 0.46, 1.0])
    classify(prev)
    cells = [cell(0, 0, "", 3, row_span=3, col_span=3), cell(0, 3, "申请人情况", 3, col_span=7),
             cell(1, 3, "自然人", 3, row_span=2), cell(1, 4, "法人或其他组织", 3, col_span=5),
             cell(1, 9, "总计", 3, row_span=2), *[cell(2, 4 + i, v, 3) for i, v in enumerate(VALUES[1:6])],
             *body_row(3, "一、本年新收政府信息公开申请数量", 3)]
    following = Table([3], 4, 10, cells, col_rules=[0.0, 0.13, 0.26, 0.45, 0.53, 0.61, 0.69, 0.77, 0.84, 0.92, 1.0])
    classify(following)
    assert prev.header_rows == [0, 1] and following.header_rows == [0, 1, 2]
    assert not continues(prev, following)


def test_a_body_row_of_blank_counts_under_a_repeated_header_top_is_no_header():
    """Table 三 of a Word report carried over with only its header's top row repeated (the corner
    note and 申请人情况), the next page starting with (3)补正后申请内容仍不明确, every count
    printed as nothing: a row of words under a caption-like row, so it was taken for the header
    and dropped as the repeated one (its 7 counts unread). Its words stand left of every column
    that reads a count: labels."""
    cells = [cell(0, 0, "(本列数据的勾稽关系为:第一项加第二项之和，等于第三项加第四项之和)", 3, col_span=3),
             cell(0, 3, "申请人情况", 3, col_span=7),
             cell(1, 0, "", 3), cell(1, 1, ")无法提供", 3), cell(1, 2, "3.补正后申请内容仍不明确", 3)]
    cells += [cell(1, 3 + c, "", 3) for c in range(7)]
    cells += [cell(2, 0, "", 3), cell(2, 1, "(五)不予处理", 3), cell(2, 2, "2.重复申请", 3)]
    cells += [cell(2, 3 + c, text, 3) for c, text in enumerate(["3", "", "", "", "", "", "3"])]
    part = table(3, 3, cells)
    assert part.header_rows == [0]


def test_a_group_label_a_character_a_line_cut_by_the_rows_is_no_value_column():
    """Table 三's group label （五）不予处理 written a character a line, its tall cell cut by the
    rows' rules: its pieces read "(", "五", "/", "/", "不予处理", two zero marks against two words,
    so its column passed for a value column and the rows with its words ((四)无法提供 beside
    (3)补正后申请内容仍不明确, blank counts) for headers. A zero mark weighs half a number there."""
    pieces = ["四)无法提供", "(", "五", "/", "/", "不予处理"]
    labels = ["(3)补正后申请内容仍不明确", "(1)信访举报投诉类申请", "(2)重复申请", "(3)要求提供公开出版物",
              "(4)无正当理由大量反复申请", "(5)要求行政机关确认或重新出具已获取信息"]
    cells = [cell(0, 0, "(本列数据的勾稽关系为:第一项加第二项之和，等于第三项加第四项之和)", 3, col_span=3),
             cell(0, 3, "申请人情况", 3, col_span=7)]
    for r, (piece, label) in enumerate(zip(pieces, labels), start=1):
        counts = ["3", "", "", "", "", "", "3"] if r == 3 else [""] * 7
        cells += [cell(r, 0, "", 3), cell(r, 1, piece, 3), cell(r, 2, label, 3)]
        cells += [cell(r, 3 + c, text, 3) for c, text in enumerate(counts)]
    cells += [cell(7, 0, "", 3), cell(7, 1, "(七) 总计", 3, col_span=2)]
    cells += [cell(7, 3 + c, text, 3) for c, text in enumerate(["101", "5", "", "", "", "", "106"])]
    part = table(3, 8, cells)
    assert part.header_rows == [0] and part.label_cols == 3
