"""The label matcher: printed labels, misread by OCR, still find their canonical keys."""

from __future__ import annotations

from digitizer.layouts import get_layout, load_layouts
from digitizer.mapping import choose_layout, map_table, similarity, view
from digitizer.reconstruct import classify
from digitizer.types import CellReading, Table, TableCell


def _cell(row, col, text, rs=1, cs=1):
    numeric = text if text and all(ch.isdigit() for ch in text) else None
    reading = CellReading(text, 0.9, numeric, 0.9, 1 if text else 0)
    return TableCell(row, col, rs, cs, text, 0.9, 1, (col * 10, row * 10, col * 10 + 9, row * 10 + 9), reading)


def applications_table(labels: dict[str, str], parents: dict[int, tuple[str, int]]) -> Table:
    """A table 三 body: 3 label columns + 7 value columns under a two-row header."""
    header = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其它", "总计"]  # 其它: a misread of 其他
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
