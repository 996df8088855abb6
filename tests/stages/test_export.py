"""The export stage from stored page tables (data/): a report mapped from them, written as the
JSON contract and read back, then as tidy CSV and as the Excel workbook, carries every true value
of the document (ground truth: scans/truth)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from digitizer import checks, export
from digitizer.layouts import get_layout
from digitizer.report import Report
from digitizer.workbook import build_workbook

from .stored import SCANS
from .test_mapping_and_checks import RECORDED, _mapped


def _report(document: str) -> Report:
    layout, tables = _mapped(document)
    report = Report(document, [f"{document}.jpg"], layout=layout, tables=tables)
    report.checks = checks.run_checks(get_layout(layout), tables)
    return report


def _true_values(document: str) -> dict[tuple[str, str, str], float]:
    truth = json.loads((SCANS / "truth" / f"{document}.json").read_text(encoding="utf-8"))
    return {(key, c["row"], c["col"]): c["value"] for key, t in truth["tables"].items() for c in t["cells"]}


@pytest.mark.parametrize("document", RECORDED)
def test_the_json_read_back_and_the_tidy_csv_carry_every_true_value(document, tmp_path):
    written = export.write_json(_report(document), tmp_path)
    back = Report.from_json(json.loads(written.read_text(encoding="utf-8")))
    assert [c.to_json() for c in back.checks] == [c.to_json() for c in _report(document).checks]
    target = export.write_csv(export.cell_rows(back.to_json()), export.CELL_COLUMNS, tmp_path / "cells.csv")
    frame = pd.read_csv(target, dtype={"row": str, "col": str})
    got = {(t, r, c): v for t, r, c, v in frame[["table", "row", "col", "value"]].itertuples(index=False)}
    true = _true_values(document)
    assert set(got) == set(true)
    assert all(float(got[k]) == float(v) for k, v in true.items())


@pytest.mark.parametrize("document", ["yueqing-2020"])
def test_the_workbook_holds_every_true_value(document):
    report = _report(document)
    book = build_workbook(report)
    assert book is not None
    numbers = sorted(float(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
                     for cell in row if isinstance(cell.value, int | float) and not isinstance(cell.value, bool))
    true = sorted(float(v) for v in _true_values(document).values())
    # Every true value appears on the sheets (row numbers of a checks sheet may add more).
    remaining = list(numbers)
    for value in true:
        assert value in remaining, value
        remaining.remove(value)
