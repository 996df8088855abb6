"""The Excel writer on a stored report (a real scan's reading, tests/data/archive_report.json):
each table laid out as the report prints it, numbers as numbers, failing, suspect, corrected and
unread cells marked, a checks sheet. No OCR: the workbook is built from the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from digitizer.export import write_xlsx
from digitizer.report import Report

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    data = json.loads((DATA / "archive_report.json").read_text(encoding="utf-8"))
    report = Report.from_json(data)
    cells = {(c.row, c.col): c for c in report.tables["applications"]}
    # One relation made to fail, its suspect named; one cell corrected; one unread.
    balance = next(c for c in report.checks if (c.rule, c.key) == ("applications.balance", "natural_person"))
    balance.status, balance.relation = "fail", "natural_person: new_received + carried_over (34 + 0) = r7_total + carry_forward (33 + 0)"
    balance.suspects = [("applications", "r7_total", "natural_person")]
    cells[("r1", "total")].read_as, cells[("r1", "total")].corrected_by = "2Z", "Z read for 2 (the relation holds with 22)"
    cells[("r3_1", "total")].value, cells[("r3_1", "total")].text = None, "@"
    out = tmp_path_factory.mktemp("xlsx")
    return openpyxl.load_workbook(write_xlsx(report, out)), report


def _find(sheet, text):
    return next(c for row in sheet.iter_rows() for c in row if c.value == text)


def _merged_over(sheet, cell) -> str | None:
    """The range a cell lies in, if merged."""
    return next((str(r) for r in sheet.merged_cells.ranges if cell.coordinate in r), None)


def test_one_sheet_per_table_then_the_checks(book):
    workbook, report = book
    assert workbook.sheetnames == [*report.tables, "checks"]
    checks = workbook["checks"]
    assert checks.max_row == len(report.checks) + 1
    assert [c.value for c in checks[1]] == ["rule", "key", "status", "relation", "expected", "actual", "suspects"]


def test_table_four_is_one_row_of_fifteen_under_its_three_header_rows(book):
    sheet = book[0]["review_litigation"]
    assert sheet["A1"].value.startswith("四、")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # 行政复议 over two header rows and its five columns; 行政诉讼 over ten, split in two.
    assert {"A2:E3", "F2:O2", "F3:J3", "K3:O3"} <= merged
    assert (sheet["A2"].value, sheet["F2"].value, sheet["F3"].value, sheet["K3"].value) == (
        "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")
    assert [sheet.cell(row=4, column=c).value for c in (1, 5, 6, 15)] == ["结果维持", "总计", "结果维持", "总计"]
    values = [sheet.cell(row=5, column=c).value for c in range(1, 16)]
    assert all(isinstance(v, int) for v in values) and sheet.max_row == 5


def test_table_three_group_labels_are_merged_down_their_rows(book):
    sheet = book[0]["applications"]
    secret = _find(sheet, "1.属于国家秘密")
    group = sheet.cell(row=secret.row, column=secret.column - 1)
    assert group.value == "（三）不予公开"
    last = _find(sheet, "8.属于行政查询事项")
    assert _merged_over(sheet, group) == f"{group.coordinate}:{group.column_letter}{last.row}"
    # （三）不予公开 sits inside 三、本年度办理结果, which spans from （一）予以公开 to （七）总计.
    outer = sheet.cell(row=_find(sheet, "（一）予以公开").row, column=1)
    assert outer.value == "三、本年度办理结果"
    assert _merged_over(sheet, outer).endswith(f"A{_find(sheet, '（七）总计').row}")
    header = _find(sheet, "法人或其他组织")
    assert _merged_over(sheet, header) == f"{header.coordinate}:{sheet.cell(row=header.row, column=header.column + 4).coordinate}"


def test_marked_cells_say_why(book):
    workbook, report = book
    sheet = workbook["applications"]
    columns = {sheet.cell(row=r, column=c).value: c for r in (2, 3) for c in range(1, sheet.max_column + 1)}

    def at(label, column):
        return sheet.cell(row=_find(sheet, label).row, column=columns[column])

    suspect, failing = at("（七）总计", "自然人"), at("一、本年新收政府信息公开申请数量", "自然人")
    assert suspect.fill.fgColor.rgb.endswith("FF7C80") and "suspect in a failing relation" in suspect.comment.text
    assert failing.fill.fgColor.rgb.endswith("F8CBAD") and "34 + 0" in failing.comment.text
    corrected = at("（一）予以公开", "总计")
    assert corrected.fill.fgColor.rgb.endswith("FFD966") and "read '2Z'" in corrected.comment.text
    unread = at("1.属于国家秘密", "总计")
    assert unread.value is None and unread.fill.fgColor.rgb.endswith("D9D9D9") and "'@'" in unread.comment.text
    plain = at("二、上年结转政府信息公开申请数量", "总计")
    assert plain.comment is None and isinstance(plain.value, int)


def test_columns_are_fitted_to_what_they_hold(book):
    sheet = book[0]["applications"]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert widths[2] > widths[3] >= 8  # a label column is wider than a column of counts
