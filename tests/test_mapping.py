"""The label matcher: printed labels, misread by OCR, still find their canonical keys."""

from __future__ import annotations

from digitizer.layouts import get_layout, load_layouts
from digitizer.mapping import choose_layout, map_table, similarity, view
from digitizer.reconstruct import classify
from digitizer.types import CellReading, Table, TableCell, ValueCell


def _cell(row, col, text, rs=1, cs=1):
    numeric = text if text and all(ch.isdigit() for ch in text) else None
    reading = CellReading(text, 0.9, numeric, 0.9, 1 if text else 0)
    return TableCell(row, col, rs, cs, text, 0.9, 1, (col * 10, row * 10, col * 10 + 9, row * 10 + 9), reading)


HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其它", "总计"]  # 其它: a misread of 其他


def applications_table(labels: dict[str, str], parents: dict[int, tuple[str, int]],
                       header: list[str] = HEADER) -> Table:
    """A table 三 body: 3 label columns + 7 value columns under a two-row header."""
    cells = [_cell(0, 0, "（本列数据的勾稽关系为）", 2, 3), _cell(0, 3, "申请人情况", 1, 7)]
    cells += [_cell(1, 3 + i, h) for i, h in enumerate(header)]
    for i, label in enumerate(labels.values()):
        row = 2 + i
        cells.append(_cell(row, 2 if i in parents else 0, label, 1, 1 if i in parents else 3))
        cells += [_cell(row, 3 + j, str((i + j) % 4)) for j in range(7)]
    for i, (label, span) in parents.items():
        cells.append(_cell(2 + i, 0, label, span, 2))
    table = Table([1], 2 + len(labels), 10, cells)
    classify(table)
    return table


MISREAD = {
    "new_received": "一、本年新收政府信总公开申请数星",  # 息→总, 量→星
    "carried_over": "二、上年结转政府信息公开申请数量",
    "r3_1": "1.属于国家秘蜜",  # 密→蜜
    "r3_2": "2.其他法律行政法规禁止公幵",  # 开→幵
    "r3_3": "3.危及三安全一稳定",  # quotes lost
    "r7_total": "（七）总汁",  # 计→汁
}


def test_similarity_ignores_punctuation_and_width():
    assert similarity("（一）予以公开", "(一)予以公开") == 100
    assert similarity("1.属于国家秘密", "1. 属于国家秘密") == 100


def test_misread_labels_map_to_their_keys():
    parents = {2: ("（三）不予公开", 3)}
    table = applications_table(MISREAD, parents)
    assert table.header_rows == [0, 1] and table.label_cols == 3
    layout = get_layout("2021")
    cells = map_table(layout.tables["applications"], [view(table)], layout, 62.0)
    found = {(c.row, c.col): c for c in cells if c.value is not None}
    for i, key in enumerate(MISREAD):
        for j, col in enumerate(["natural_person", "commercial", "research", "public_interest",
                                 "legal_services", "other_org", "total"]):
            assert found[(key, col)].value == (i + j) % 4, (key, col)
    # Rows the table does not print are listed unread, never invented.
    assert all(c.value is None for c in cells if c.row == "r5_1")


def test_the_layout_is_chosen_by_its_labels_not_guessed():
    table = applications_table(MISREAD, {2: ("（三）不予公开", 3)})
    mapping = choose_layout([table])
    assert mapping.layout is None  # one table of three is not a report
    assert {layout.name for layout in load_layouts()} == {"2019", "2021"}


COLUMNS = ["natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total"]
COLUMN_HEADERS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_a_label_read_as_nothing_is_placed_by_its_neighbours():
    """总计 read as "ait" (blurred 130-dpi print), in the header and in the （七） row: the column
    after the five organisation columns and the row between （六）其他处理 and 四、结转 are still
    总计, as the layout's order says. The 2021 sub-rows of （六） that the printed 2019 row stands
    for are not rows missing between them."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "r1": "（一）予以公开", "r6": "（六）其他处理", "r7_total": "(t) ait",
              "carry_forward": "四、结转下年度继续办理"}
    header = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "ait"]
    table = applications_table(labels, {}, header)
    layout = get_layout("2019")
    cells = map_table(layout.tables["applications"], [view(table)], layout, 62.0)
    found = {(c.row, c.col): c.value for c in cells}
    for i, key in enumerate(labels):
        for j, col in enumerate(COLUMNS):
            assert found[(key, col)] == (i + j) % 4, (key, col)


def test_the_one_label_of_a_run_that_resembles_nothing_is_placed_by_its_neighbours():
    """A blurred 65-dpi scan: 其他 reads "Ⅱ他" (still like 其他) and 总计 reads "at" (like
    nothing) after the sure 法律服务机构. Two columns left, two entries left: "Ⅱ他" takes 其他 by
    resemblance, and "at", the only one of the run that resembles nothing, takes 总计 by its
    place. Two row labels that resemble nothing are not guessed (a report may leave rows out or
    add its own)."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "r1": "（一）予以公开", "carry_forward": "四、结转下年度继续办理"}
    _assert_all_placed(labels, ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "Ⅱ他", "at"])
    unread_rows = {"new_received": labels["new_received"], "carried_over": "蠶整", "r1": "科翰",
                   "r2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}
    found = _mapped_under(unread_rows, COLUMN_HEADERS)
    assert found[("r2", "natural_person")] == 3
    assert found.get(("carried_over", "natural_person")) is None and found.get(("r1", "natural_person")) is None


def test_columns_whose_headers_all_read_as_noise_are_the_templates_in_its_order():
    """Table 三 of a 75-dpi scan, its header of 申请人情况 repeated over every column and the
    organisation names stacked a character a line: every header reads as noise ("enW", "«l盟",
    "62D0心O"), and its 183 counts went unread. Its columns are the template's, in its order: seven
    value columns under seven entries are those entries. Where the counts differ (总计 read in
    the third column: two columns before it for six entries, four after it for none), nothing is
    guessed."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "r1": "（一）予以公开"}
    noise = ["enW", "«l盟", "通留", "en4", "eaN", "Hg", "1N"]
    _assert_all_placed(labels, noise)
    found = _mapped_under(labels, ["enW", "«l盟", "总计", "en4", "eaN", "Hg", "1N"])
    assert found[("r1", "total")] == 3
    assert all(found.get(("r1", col)) is None for col in COLUMNS[:-1])


def _mapped_under(labels: dict[str, str], header: list[str]) -> dict[tuple[str, str], float | None]:
    layout = get_layout("2021")
    cells = map_table(layout.tables["applications"], [view(applications_table(labels, {}, header))], layout, 62.0)
    return {(c.row, c.col): c.value for c in cells}


def _assert_all_placed(labels: dict[str, str], header: list[str]) -> None:
    found = _mapped_under(labels, header)
    for i, key in enumerate(labels):
        for j, col in enumerate(COLUMNS):
            assert found.get((key, col)) == (i + j) % 4, (key, col)


def test_two_columns_under_one_header_cell_where_a_faint_rule_was_lost_keep_their_order():
    """A Word report in faint rules: the rule between 科研机构 and 社会公益组织 lost in the header
    only, one header cell over both columns, so both read the two names and tie for both keys.
    The assignment gave them crosswise; the order of print puts each under its own (a fresh set's
    table 三 lost 17 counts of 科研机构 this way)."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "r1": "（一）予以公开", "r2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}
    for both in ("科研机构社会公益组织", "科研机构 社会公益组织"):
        _assert_all_placed(labels, ["自然人", "商业企业", both, both, "法律服务机构", "其他", "总计"])


def test_labels_that_resemble_nothing_each_alone_between_placed_ones_are_placed():
    """A Word report scanned 1-bit: the five organisation columns' headers, stacked in narrow
    cells, read "整" (商业企业), "科翰", "社会議" and "蠶" (法律服务机构). The two that still
    resemble their entries take their places; each of the other two is then alone between two
    placed columns, and is placed by its place (46 counts were left unread)."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "r1": "（一）予以公开"}
    _assert_all_placed(labels, ["自然人", "整", "科翰", "社会議", "蠶", "其他", "总计"])


def test_columns_whose_header_went_to_the_page_before_are_placed_by_their_neighbours():
    """Table 三 split by the page inside its header: 自然人 and 总计 span both header rows, and
    their print stayed with the upper row on the page before; this page's part shows only the
    five organisation labels, over seven value columns. The blank-headed columns either side are
    自然人 and 总计, as the layout's order says."""
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "r1": "（一）予以公开", "carry_forward": "四、结转下年度继续办理"}
    header = ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    table = applications_table(labels, {}, header)
    table.cells = [c for c in table.cells if c.text != "申请人情况"]  # on the page before
    classify(table)
    layout = get_layout("2021")
    cells = map_table(layout.tables["applications"], [view(table)], layout, 62.0)
    found = {(c.row, c.col): c.value for c in cells}
    for i, key in enumerate(labels):
        for j, col in enumerate(COLUMNS):
            assert found.get((key, col)) == (i + j) % 4, (key, col)


def test_columns_under_their_group_header_alone_are_placed_by_the_layouts_order():
    """Table 三 continued on the next page of a Word report, its header repeated without its last
    row: 申请人情况 over 自然人 | 法人或其他组织 (across five columns) | 总计, no organisation
    labels. The five columns under the group's header are its five organisations in the layout's
    order, between 自然人 and 总计 (before, all five went unmapped)."""
    labels = {"r6": "（六）其他处理", "r7_total": "（七）总计", "carry_forward": "四、结转下年度继续办理"}
    table = applications_table(labels, {})
    table.cells = [c for c in table.cells if not (c.row == 1 and 4 <= c.col <= 8)]
    table.cells.append(_cell(1, 4, "法人或其他组织", 1, 5))
    classify(table)
    layout = get_layout("2019")
    cells = map_table(layout.tables["applications"], [view(table)], layout, 62.0)
    found = {(c.row, c.col): c.value for c in cells}
    for i, key in enumerate(labels):
        for j, col in enumerate(COLUMNS):
            assert found.get((key, col)) == (i + j) % 4, (key, col)


def test_table_four_in_a_column_beside_a_blank_column_maps_every_count():
    """Table 四 printed in a column (项目 | 数量), its labels three levels deep, a blank column
    between them and the counts, 行政诉讼 read unsurely: transposed to read it, the blank column
    is a blank row above the counts, not the counts, and every block keeps its parent."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    blocks = [("行政复议", None), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉")]
    counts = {}
    cells = [_cell(0, 0, "项目", 1, 4), _cell(0, 5, "数量")]
    for b, (group, sub) in enumerate(blocks):
        first = 1 + 5 * b
        if b == 0:
            cells.append(_cell(first, 0, group, 5, 3))
        elif b == 1:
            cells.append(TableCell(first, 0, 10, 1, group, 0.45, 1, (0, first * 10, 9, first * 10 + 9)))
        if sub:
            cells.append(_cell(first, 1, sub, 5, 2))
        for i, leaf in enumerate(leaves):
            value = str((3 * b + i) % 5)
            counts[(b, i)] = int(value)
            cells += [_cell(first + i, 3, leaf), _cell(first + i, 4, ""), _cell(first + i, 5, value)]
    table = Table([1], 16, 6, cells)
    classify(table)
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["review_litigation"], [view(table)], layout, 62.0)}
    rows = ["review", "litigation_direct", "litigation_after_review"]
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for (b, i), value in counts.items():
        assert found[(rows[b], cols[i])] == value, (rows[b], cols[i])


def test_a_half_of_table_four_drawn_alone_is_known_by_its_caption():
    """Table 四 split into two tables, each under a caption line outside its rules (行政复议,
    行政诉讼): the review half's header says only 结果维持 … 总计, its caption says whose they are."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    review = Table([3], 2, 5, [_cell(0, c, leaf) for c, leaf in enumerate(leaves)]
                   + [_cell(1, c, str(c + 1)) for c in range(5)], caption="行政复议")
    litigation = Table([3], 3, 10, [_cell(0, 0, "未经复议直接起诉", 1, 5), _cell(0, 5, "复议后起诉", 1, 5)]
                       + [_cell(1, c, leaves[c % 5]) for c in range(10)]
                       + [_cell(2, c, str(c + 6)) for c in range(10)], caption="行政诉讼")
    for table in (review, litigation):
        classify(table)
    layout = get_layout("2021")
    spec = layout.tables["review_litigation"]
    found = {(c.row, c.col): c.value for c in map_table(spec, [view(review), view(litigation)], layout, 62.0)}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for b, row in enumerate(["review", "litigation_direct", "litigation_after_review"]):
        for i, col in enumerate(cols):
            assert found[(row, col)] == 5 * b + i + 1, (row, col)
    review.caption = ""
    found = {(c.row, c.col): c.value for c in map_table(spec, [view(review)], layout, 62.0)}
    assert all(found[("review", col)] is None for col in cols)  # nothing says whose they are


def _mapped_with_one_label_over_two_rows(labels: list[str | None]) -> dict[tuple[str, str], float | None]:
    """Table 三's rows under one header, a label followed by Nones over as many rows more (their
    row rules not printed); row i's counts 10(i+1), 10(i+1)+1, …"""
    cells = [_cell(0, 0, "（本列数据的勾稽关系为）", 1, 3)] + [_cell(0, 3 + i, h) for i, h in enumerate(
        ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])]
    for i, label in enumerate(labels):
        if label:
            span = 1
            while i + span < len(labels) and labels[i + span] is None:
                span += 1
            cells.append(_cell(1 + i, 0, label, span, 3))
        cells += [_cell(1 + i, 3 + j, str(10 * (i + 1) + j)) for j in range(7)]
    table = Table([1], 1 + len(labels), 10, cells)
    classify(table)
    layout = get_layout("2021")
    return {(c.row, c.col): c.value for c in map_table(layout.tables["applications"], [view(table)], layout, 62.0)}


def test_two_rows_under_one_label_cell_take_their_keys_in_print_order():
    """The rule between 5.属于三类内部事务信息 and 6.属于四类过程性信息 was not printed: one
    label cell over two rows of numbers. Its text matches both keys alike; the upper row is 5,
    the lower 6."""
    found = _mapped_with_one_label_over_two_rows(
        ["4.保护第三方合法权益", "5.属于三类内部事务信息6.属于四类过程性信息", None, "7.属于行政执法案卷"])
    for i, key in enumerate(["r3_4", "r3_5", "r3_6", "r3_7"]):
        assert found[(key, "natural_person")] == 10 * (i + 1), key


def test_two_rows_under_one_label_cell_of_unlike_length_each_take_their_item():
    """The rule between （五）4.无正当理由大量反复申请 and 5.要求行政机关确认或重新出具已获取信息
    was left out (a Word report typed by an office): one label cell over two rows of counts, its
    text much nearer the longer label than the shorter, so only one row was placed and the other's
    seven counts went unread. A label cell over n rows holding n numbered items gives each row its
    item."""
    found = _mapped_with_one_label_over_two_rows(
        ["3.要求提供公开出版物", "4.无正当理由大量反复申请5.要求行政机关确认或重新出具已获取信息", None, "（六）其他处理"])
    for i, key in enumerate(["r5_3", "r5_4", "r5_5", "r6"]):
        assert [found[(key, col)] for col in COLUMNS] == [10 * (i + 1) + j for j in range(7)], key


def test_table_four_is_known_by_header_words_run_together():
    """A landscape table 四 whose stacked one-character headers read as noise ("案维", "荣结"):
    its group headers, 行政复议 and 行政诉讼 run together with the block's name
    ("行政诉讼（未经复议直接起诉）"), still say which table it is."""
    from digitizer.mapping import MIN_EVIDENCE, table_evidence

    cells = [_cell(0, 0, "行政复议", 1, 5), _cell(0, 5, "行政诉讼（未经复议直接起诉）", 1, 5),
             _cell(0, 10, "行政诉讼（复议后起诉）", 1, 5)]
    cells += [_cell(1, c, ["案维", "案正", "他案", "荣结", "异"][c % 5]) for c in range(15)]
    cells += [_cell(2, c, str(c % 4)) for c in range(15)]
    table = Table([4], 3, 15, cells)
    classify(table)
    layout = get_layout("2019")
    assert table_evidence(view(table), layout.tables["review_litigation"]) >= MIN_EVIDENCE


def _labels_2021(first: str, last: str) -> dict[str, str]:
    entries = get_layout("2021").tables["applications"].row_entries()
    keys = [e.key for e in entries if not e.instead_of]  # the 2021 rows, not the 2019 （六） they replace
    span = keys[keys.index(first):keys.index(last) + 1]
    return {e.key: e.label for e in entries if e.key in span}


def test_a_continued_row_whose_label_reads_nothing_is_the_one_row_left_between_its_neighbours():
    """Table 三 continued on the next page under its repeated header, whose first cell's print
    overflows onto the first row and covers its label "3.其他": the row reads no label but holds
    counts, and r6_3 is the one row of the layout not placed before （七）总计 — whether the two
    parts are joined into one table or mapped as two."""
    layout = get_layout("2021")
    spec = layout.tables["applications"]
    before = _labels_2021("new_received", "r6_2")
    after = {"r6_3": "", "r7_total": "（七）总计", "carry_forward": "四、结转下年度继续办理"}
    joined = applications_table({**before, **after}, {})
    parts = [applications_table(before, {}), applications_table(after, {})]
    for views in ([view(joined)], [view(t) for t in parts]):
        found = {(c.row, c.col): c.value for c in map_table(spec, views, layout, 62.0)}
        part = list(after) if len(views) == 2 else list({**before, **after})
        for j, col in enumerate(COLUMNS):
            assert found[("r6_3", col)] == (part.index("r6_3") + j) % 4, col
            assert found[("r7_total", col)] == (part.index("r7_total") + j) % 4, col


def test_one_row_left_where_the_other_template_prints_one_row_is_that_row():
    """A 2021 table 三 that keeps the 2019 （六）其他处理 row (one row where 2021 has three), its
    label misread ("也处理": the label's first characters cut off into the cell beside it). One
    row is left between （五）5 and （七）总计: the drawing that prints one row there says it is
    （六）其他处理, not one of the three rows it stands for."""
    layout = get_layout("2021")
    labels = {**_labels_2021("new_received", "r5_5"), "r6": "也处理", "r7_total": "（七）总计",
              "carry_forward": "四、结转下年度继续办理"}
    found = {(c.row, c.col): c.value
             for c in map_table(layout.tables["applications"], [view(applications_table(labels, {}))], layout, 62.0)}
    order = list(labels)
    for j, col in enumerate(COLUMNS):
        assert found[("r6", col)] == (order.index("r6") + j) % 4, col
        assert found.get(("r6_1", col)) is None


def test_table_four_in_a_double_border_with_its_review_header_cut_by_a_false_rule():
    """Table 四 in a double outer border (its gap cut into an empty column of slivers each side)
    whose 行政复议 header a false rule cut into "" | "行政复" | "": the review columns 结果维持 and
    结果纠正 have nothing over them but the empty column before them lengthened the run that order
    pairs up, and they went unread."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [_cell(0, 0, "", 1, 6), _cell(0, 6, "", 1, 11),
             _cell(2, 1, "", 1, 2), _cell(2, 3, "行政复"), _cell(2, 4, "", 1, 2), _cell(2, 6, "行政诉讼", 1, 10)]
    cells += [_cell(3, 1 + c, leaf, 2, 1) for c, leaf in enumerate(leaves)]
    cells += [_cell(3, 6, "未经复议直接起诉", 1, 5), _cell(3, 11, "复议后起诉", 1, 5)]
    cells += [_cell(4, 6 + c, leaves[c % 5]) for c in range(10)]
    cells += [_cell(5, 1 + c, str(c + 1)) for c in range(15)]
    table = Table([3], 6, 17, cells)
    table.header_rows = [2, 3, 4]
    layout = get_layout("2021")
    spec = layout.tables["review_litigation"]
    found = {(c.row, c.col): c.value for c in map_table(spec, [view(table)], layout, 62.0)}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for b, row in enumerate(["review", "litigation_direct", "litigation_after_review"]):
        for i, col in enumerate(cols):
            assert found[(row, col)] == 5 * b + i + 1, (row, col)


def test_table_four_in_a_column_with_its_review_counts_blank_and_its_group_misread():
    """Table 四 printed in a column (项目 | 数量), zeros printed as nothing and every review count
    0, 行政诉讼 read as Latin letters: transposed to read it, the row of group headers was no
    header (no word right of the middle), so 行政复议 over five blank columns read as a label
    and the five review columns went unread."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [_cell(0, 0, "项目", 1, 3), _cell(0, 3, "数量"), _cell(1, 0, "行政复议", 5, 2)]
    cells += [TableCell(6, 0, 5, 1, "eaen", 0.52, 1, (0, 60, 9, 69)), _cell(6, 1, "未经复议直接起诉", 5, 1),
              TableCell(11, 0, 5, 1, "LRAFTEG", 0.62, 1, (0, 110, 9, 119)), _cell(11, 1, "复议后起诉", 5, 1)]
    counts = {}
    for b in range(3):
        for i, leaf in enumerate(leaves):
            value = "" if b == 0 else str((3 * b + i) % 5 or "")
            counts[(b, i)] = int(value or 0)
            cells += [_cell(1 + 5 * b + i, 2, leaf), _cell(1 + 5 * b + i, 3, value)]
    table = Table([1], 16, 4, cells)
    classify(table)
    layout = get_layout("2019")
    found = {(c.row, c.col): c for c in map_table(layout.tables["review_litigation"], [view(table)], layout, 62.0)}
    rows = ["review", "litigation_direct", "litigation_after_review"]
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for (b, i), value in counts.items():
        cell = found[(rows[b], cols[i])]
        assert cell.page is not None and (cell.value or 0) == value, (rows[b], cols[i])


def test_a_block_of_table_two_carried_alone_to_the_next_page_is_known_by_its_corner():
    """The fees block of an HTML table 二 (one row, its value and two empty cells) went to the
    next page alone, without its 第二十条第（八）项 title row, its unit misread ("万兀"). Its row
    label said it was table 二's, its header nearly, and nothing else did: less evidence than a
    table needs, so it was left unassigned and the fee went unread. Its corner, 信息内容, heads
    every block of table 二. (The texts as read from the page, a fresh seed-120261 report.)"""
    block = Table([2], 2, 4, [_cell(0, 0, "信息内容"), _cell(0, 1, "本年收费金额（单位：万兀)"), _cell(0, 2, ""),
                              _cell(0, 3, ""), _cell(1, 0, "行政事业性收费"), _cell(1, 1, "0"), _cell(1, 2, ""),
                              _cell(1, 3, "")])
    classify(block)
    assert block.header_rows == [0] and block.label_cols == 1
    mapping = choose_layout([applications_table(dict(MISREAD), {}), block], year=2023)
    assert [tv.table for tv in mapping.assigned.get("active", [])] == [block]
    spec = mapping.layout.tables["active"]
    found = {(c.row, c.col): c.value for c in map_table(spec, mapping.assigned["active"], mapping.layout, 62.0)}
    assert found[("fees", "amount_10k_yuan")] == 0


def test_a_block_of_one_row_whose_value_is_blank_is_headed_by_its_first_row():
    """The fees block of a Word table 二 drawn as a table of its own, its fee 0 printed as
    nothing: no number anywhere, so its first row was no header, its header cell was taken for
    a second label column, and the fee went unread. Words over columns blank in every row below,
    beside a label below, are the block's header. (The texts as read, a seed-120261 1-bit scan.)"""
    block = Table([1], 2, 4, [_cell(0, 0, "信息内容"), _cell(0, 1, "本年收费金额（单位：万元)"), _cell(0, 2, ""),
                              _cell(0, 3, ""), _cell(1, 0, "行政事业性收费"), _cell(1, 1, ""), _cell(1, 2, ""),
                              _cell(1, 3, "")])
    classify(block)
    assert block.header_rows == [0] and block.label_cols == 1
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["active"], [view(block)], layout, 62.0)}
    assert found[("fees", "amount_10k_yuan")] == 0


def test_a_header_cut_in_two_by_a_rule_through_its_lines_still_names_its_column():
    """Table 二's procurement block in a Word report of the 2019 layout (gray dotted rules, 300 dpi): a rule was found
    between the two lines of "采购项目数量", so its column's header read "采购项目数" over "量",
    and the count under it went unread. The header cell above runs on into the leaf."""
    block = Table([1], 4, 3, [_cell(0, 0, "第二十条第（九）项", 1, 3), _cell(1, 0, "信息内容", 2, 1),
                              _cell(1, 1, "采购项目数"), _cell(2, 1, "量"), _cell(1, 2, "采购总金额", 2, 1),
                              _cell(3, 0, "政府集中采购"), _cell(3, 1, "4"), _cell(3, 2, "27785805")])
    classify(block)
    assert block.header_rows[-1] == 2 and block.label_cols == 1
    layout = get_layout("2019")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["active"], [view(block)], layout, 62.0)}
    assert found[("procurement", "items")] == 4


def test_a_repeated_header_read_worse_keeps_the_columns_of_the_part_before():
    """Table 三 continued on the next page with its header repeated, and the repeat read worse: its
    merged cells cut into pieces ("法" | "或其他" | "眼" of 法人或其他组织; "或其他" alone reads as
    the 其他 column) and the organisation labels lost. The columns keep the keys the first
    header gave them (before, the part after the repeat mapped three columns of seven, one of them
    wrong)."""
    first = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量"}
    after = {"r1": "（一）予以公开", "r7_total": "（七）总计", "carry_forward": "四、结转下年度继续办理"}
    table = applications_table({**first, **after}, {})
    repeat = 2 + len(first)
    cells = [c for c in table.cells if c.row < repeat]
    cells += [_cell(repeat, 0, "", 1, 3)]
    cells += [_cell(repeat, 3 + j, text) for j, text in enumerate(["自然人", "", "法", "或其他", "眼", "", "总计"])]
    for c in table.cells:
        if c.row >= repeat:
            c.row += 1
            cells.append(c)
    table = Table([1, 2], table.n_rows + 1, 10, cells)
    classify(table)
    table.header_rows = sorted({*table.header_rows, repeat})
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["applications"], [view(table)], layout, 62.0)}
    for i, key in enumerate([*first, *after]):
        for j, col in enumerate(COLUMNS):
            assert found.get((key, col)) == (i + j) % 4, (key, col)


def test_a_block_of_table_two_keeps_its_own_column_after_a_block_of_two():
    """Table 二's blocks drawn as tables of their own: after one whose header names two columns
    (处理决定数量 and 收费金额), the fee block names its one column, and a blank column stands
    beside it. Its own header places its column; the carried two are not zipped onto its two
    columns (the fee was read from the blank column)."""
    layout = get_layout("2021")
    two = Table([1], 2, 3, [_cell(0, 0, "信息内容"), _cell(0, 1, "本年处理决定数量"), _cell(0, 2, "本年收费金额（单位：万元）"),
                            _cell(1, 0, "行政处罚"), _cell(1, 1, "13"), _cell(1, 2, "")])
    fee = Table([1], 2, 3, [_cell(0, 0, "信息内容"), _cell(0, 1, "本年收费金额（单位：万元）"), _cell(0, 2, ""),
                            _cell(1, 0, "行政事业性收费"), _cell(1, 1, "319"), _cell(1, 2, "")])
    for table in (two, fee):
        classify(table)
        table.header_rows = [0]
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["active"], [view(two), view(fee)], layout, 62.0)}
    assert found[("penalty", "decisions")] == 13
    assert found[("fees", "amount_10k_yuan")] == 319


def test_a_cell_over_two_columns_holding_a_count_each_gives_each_column_its_own():
    """A Word report that left out the rule between 自然人 and 商业企业 in one row of table 三: one
    cell over both columns reads "1 /". Each column takes its own reading, in order, and the
    output records what was read and why; a cell over two columns with one reading is left as
    read (neither column's count is known)."""
    from dataclasses import replace

    layout = get_layout("2021")
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "r1": "（一）予以公开"}
    table = applications_table(labels, {})

    def mapped(text: str) -> dict[str, ValueCell]:
        merged = replace(table.at(3, 3), text=text, col_span=2)
        cells = [c for c in table.cells if not (c.row == 3 and c.col in (3, 4))] + [merged]
        joined = Table([1], table.n_rows, table.n_cols, sorted(cells, key=lambda c: (c.row, c.col)))
        classify(joined)
        return {c.col: c for c in map_table(layout.tables["applications"], [view(joined)], layout, 62.0)
                if c.row == "r1"}

    found = mapped("1 /")
    assert (found["natural_person"].value, found["commercial"].value, found["research"].value) == (1, 0, 3)
    assert found["commercial"].read_as == "1 /" and found["commercial"].corrected_by
    unsplit = mapped("1")
    assert unsplit["commercial"].text == "1" and unsplit["commercial"].corrected_by is None


def test_a_group_header_cut_by_a_false_rule_still_heads_its_columns_right_of_the_cut():
    """Table 四's 行政诉讼 half drawn alone (a Word report, L1): a rule found through 复议后起诉
    cut its header cell into "复议后起诉" over three columns and a blank over the last two. Those
    two (尚未审结, 总计) read like litigation_direct's and took its keys in print order: its
    pending 5 and total 11 read "/", and litigation_after_review's unread. The blank is the rest
    of the group header on its left, over leaf headers of its own."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [_cell(0, 0, "行政诉讼", 1, 10), _cell(1, 0, "未经复议直接起诉", 1, 5), _cell(1, 5, "复议后起诉", 1, 3),
             _cell(1, 8, "", 1, 2)]
    cells += [_cell(2, c, leaves[c % 5]) for c in range(10)]
    cells += [_cell(3, c, str(c + 6)) for c in range(10)]
    litigation = Table([3], 4, 10, cells)
    classify(litigation)
    assert litigation.header_rows == [0, 1, 2]
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["review_litigation"], [view(litigation)], layout, 62.0)}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for b, row in enumerate(["litigation_direct", "litigation_after_review"]):
        for i, col in enumerate(cols):
            assert found[(row, col)] == 5 * b + i + 6, (row, col)


def test_a_blank_header_cell_right_of_a_group_over_a_blank_is_no_part_of_the_group():
    """The blank right of 法人或其他组织 over a blank (总计's header cell cut by a rule) keeps no
    group: the total column is still placed as the total."""
    cells = [_cell(0, 0, "（本列数据的勾稽关系为）", 3, 3), _cell(0, 3, "申请人情况", 1, 7),
             _cell(1, 3, "自然人", 2, 1), _cell(1, 4, "法人或其他组织", 1, 5), _cell(1, 9, "总计"), _cell(2, 9, "")]
    cells += [_cell(2, 4 + i, h) for i, h in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])]
    cells += [_cell(3, 0, "一、本年新收政府信息公开申请数量", 1, 3)] + [_cell(3, 3 + j, str(j + 1)) for j in range(7)]
    table = Table([1], 4, 10, cells)
    classify(table)
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["applications"], [view(table)], layout, 62.0)}
    assert found[("new_received", "total")] == 7 and found[("new_received", "other_org")] == 6


def test_table_four_in_a_column_its_group_cells_cut_into_pieces_under_a_seal_maps_in_print_order():
    """Table 四 printed in a column in dashed rules (an HTML report), a red seal over its 行政诉讼
    cells: false rules cut each group cell (行政复议, 未经复议直接起诉, 复议后起诉) into a piece a
    row, the group's words in one piece, and the seal's print read "に政込", "a政府", "AYE2".
    Transposed, the row of the pieces was no header (words, but none over a count), so the
    groups' columns fell into two header runs and none was read (15 counts); and 政 of "に政込"
    (shared with 行政复议) made the 总计 under it review's, across surer columns printed in the
    template's order. (The cells as read from the scan.)"""
    printed = [(0, 0, '项目', 1, 4), (0, 4, '数量', 1, 2), (1, 0, '', 1, 2), (1, 2, '结果维持', 1, 1), (1, 3, '', 1, 1),
               (1, 4, '3', 1, 2), (2, 0, '', 1, 2), (2, 2, '结果纠正', 1, 1), (2, 3, '', 1, 1), (2, 4, '一', 1, 2),
               (3, 0, '行政复议', 1, 2), (3, 2, '其他结果', 1, 1), (3, 3, '', 1, 1), (3, 4, '1', 1, 2), (4, 0, '', 2, 2),
               (4, 2, '尚未审结', 1, 1), (4, 3, 'a政府', 1, 1), (4, 4, '/', 1, 2), (5, 2, '总计', 1, 1), (5, 3, 'AYE2', 1, 1),
               (5, 4, '4', 1, 2), (6, 0, '', 1, 1), (6, 1, '', 1, 1), (6, 2, '结果维持', 1, 2), (6, 4, '', 1, 1),
               (6, 5, '■', 1, 1), (7, 0, '', 1, 1), (7, 1, '', 1, 1), (7, 2, '结果纠E', 1, 2), (7, 4, '', 1, 1),
               (7, 5, '1', 1, 1), (8, 0, '', 1, 1), (8, 1, '未经复议直接起诉', 1, 1), (8, 2, '其他结果', 1, 2),
               (8, 4, '', 1, 2), (9, 0, '', 1, 1), (9, 1, '', 1, 1), (9, 2, '尚未审结', 1, 2), (9, 4, '1', 1, 2),
               (10, 0, 'に政込', 1, 1), (10, 1, '', 1, 1), (10, 2, '总计', 1, 2), (10, 4, '3', 1, 2), (11, 0, '', 1, 1),
               (11, 1, '', 1, 1), (11, 2, '结果维持', 1, 1), (11, 3, '', 1, 1), (11, 4, '/', 1, 2), (12, 0, '', 1, 1),
               (12, 1, '', 1, 1), (12, 2, '结果纠正', 1, 1), (12, 3, '', 1, 1), (12, 4, '0', 1, 2), (13, 0, '', 1, 1),
               (13, 1, '复议后起诉', 1, 1), (13, 2, '其他结果', 1, 1), (13, 3, '', 1, 1), (13, 4, '', 1, 2),
               (14, 0, '', 1, 1), (14, 1, '', 1, 1), (14, 2, '尚未审结', 1, 1), (14, 3, '', 1, 1), (14, 4, '0', 1, 2),
               (15, 0, '', 1, 1), (15, 1, '', 1, 1), (15, 2, '总计', 1, 2), (15, 4, '', 1, 1), (15, 5, '0', 1, 1)]
    table = Table([4], 16, 6, [_cell(*cell) for cell in printed])
    classify(table)
    layout = get_layout("2021")
    found = {(c.row, c.col): c.value for c in map_table(layout.tables["review_litigation"], [view(table)], layout, 62.0)}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    assert [found[("review", col)] for col in cols] == [3, 0, 1, 0, 4]
    assert [found[("litigation_direct", col)] for col in cols[2:]] == [0, 1, 3]
    assert [found[("litigation_after_review", col)] for col in cols] == [0, 0, 0, 0, 0]


def test_one_label_cell_over_seven_rows_numbered_in_brackets_across_two_groups_gives_each_row_its_item():
    """A Word report at level 2: the row rules under (3) … (8) of （三）不予公开 lost in the label
    column, and the one under (8) too, so one label cell over seven rows read "(3)危及“三安全一
    稳定”(4)保护第三方合法权益 … (8)属于行政查询事项(1)本机关不掌握相关政府信息". Numbered in
    brackets, its items were not found, and the rows of (7) and (8) went unread (14 counts)."""
    labels = ["(1)属于国家秘密", "(2)其他法律行政法规禁止公开",
              "(3)危及“三安全一稳定”(4)保护第三方合法权益(5)属于三类内部事务信息(6) 属于四类过程性信息"
              "(7) 属于行政执法案卷(8)属于行政查询事项(1)本机关不掌握相关政府信息",
              None, None, None, None, None, None, "(2)没有现成信息需要另行制作"]
    found = _mapped_with_one_label_over_two_rows(labels)
    for i, key in enumerate(["r3_1", "r3_2", "r3_3", "r3_4", "r3_5", "r3_6", "r3_7", "r3_8", "r4_1", "r4_2"]):
        assert [found[(key, col)] for col in COLUMNS] == [10 * (i + 1) + j for j in range(7)], key



def test_table_four_under_group_headers_cut_to_pieces_maps_by_order():
    """Table 四 of a Word report scanned without its outer border (fresh foreign set 120441, its
    cells as read): a false rule through its group headers leaves their top row blank and cuts
    the rest into pieces that read "了政复1", "尺经复1", "吕起诉）"; its fifteen leaves read for
    sure. Every group's columns are printed, so the leaves repeated three times are the three
    groups in the layout's order (10 of the 15 were left unmapped)."""
    leaves = ["结果维持", "结果纠正", "其他结果", "尚末审结", "总计"]
    groups = [(0, 0, 5, ""), (0, 5, 5, ""), (0, 10, 5, ""), (1, 0, 2, ""), (1, 2, 1, "了政复1"), (1, 3, 2, ""),
              (1, 5, 2, "行政诉讼（"), (1, 7, 1, "尺经复1"), (1, 8, 1, "直接赵"), (1, 9, 1, "诉)"),
              (1, 10, 2, "行政诉↓"), (1, 12, 1, "(复议"), (1, 13, 2, "吕起诉）")]
    table = Table([4], 4, 15, [_cell(r, c, text, 1, span) for r, c, span, text in groups]
                  + [_cell(2, c, leaves[c % 5]) for c in range(15)]
                  + [_cell(3, c, str(c + 1)) for c in range(15)])
    classify(table)
    layout = get_layout("2019")
    found = {(c.row, c.col): c.value
             for c in map_table(layout.tables["review_litigation"], [view(table)], layout, 62.0)}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    for b, row in enumerate(["review", "litigation_direct", "litigation_after_review"]):
        for i, col in enumerate(cols):
            assert found[(row, col)] == 5 * b + i + 1, (row, col)
