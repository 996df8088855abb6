"""The `digitize` command end to end over real sample scans: JSON contract, CSV, Excel, accuracy
against the ground truth, the relations that fail, a non-report table and a broken file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from digitizer.evaluate import expected_failures

from .conftest import SCANS, ruled_table, truth
from .test_schema import assert_valid

DOCUMENTS = ["yueqing-2020", "r07-2021-tif1bit-zero"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    scans = tmp_path_factory.mktemp("in")
    for document in DOCUMENTS:
        for name in truth(document)["source"]:
            shutil.copy(SCANS / name, scans / name)
    ruled_table(scans / "timetable.png", rows=4)
    ruled_table(scans / "titled.png", rows=3, title="某县交通运输局2023年政府信息公开工作年度报告")
    (scans / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out = tmp_path_factory.mktemp("out")
    done = subprocess.run(
        [sys.executable, "-m", "digitizer.cli", str(scans), "--out", str(out)], capture_output=True, text=True,
        umask=0o022,
    )
    return done, out


def test_every_json_written_follows_the_schema(run):
    """ok, partial (a table that is no report) and failed (a broken file) documents alike."""
    _, out = run
    written = [p for p in out.glob("*.json") if p.name != "summary.json"]
    assert len(written) == 5
    for path in written:
        assert_valid(json.loads(path.read_text()))


def test_exit_code_and_summary(run):
    done, out = run
    assert done.returncode == 1, done.stderr  # one document could not be read
    assert "5 documents" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert [f["document"] for f in summary["failed"]] == ["broken"]
    # Read in part (titled as a report, no table of a layout found): named at the end and in summary.json.
    assert [p["document"] for p in summary["partial"]] == ["titled"]
    assert "partial titled:" in done.stdout and "failed broken:" in done.stdout
    assert summary["unnamed"] == [] and "warning" not in done.stdout  # both reports' titles were read


def test_results_are_readable_by_others_as_any_new_file_is(run):
    """Written with the run's umask (022 here): 0644, not the 0600 of a temporary file."""
    _, out = run
    written = [p for p in out.iterdir() if p.is_file() and p.suffix in (".json", ".csv", ".xlsx")]
    assert {p.suffix for p in written} == {".json", ".csv", ".xlsx"}
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(0o644)}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_cells_match_the_ground_truth(run, document):
    _, out = run
    report = json.loads((out / f"{document}.json").read_text())
    expected = truth(document)
    assert report["document"] == document and report["layout"] == expected["layout"]
    assert report["source"] == expected["source"] and report["status"] == "ok"
    got = {(t, c["row"], c["col"]): c for t, table in report["tables"].items() for c in table["cells"]}
    cells = [(t, c) for t, table in expected["tables"].items() for c in table["cells"]]
    assert len(got) == len(cells)
    right = sum(1 for t, c in cells if got[(t, c["row"], c["col"])]["value"] == c["value"])
    assert right / len(cells) >= 0.99
    for cell in got.values():
        assert set(cell) >= {"row", "col", "value", "text", "confidence", "page", "bbox"}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_failing_relations_are_exactly_the_printed_ones(run, document):
    _, out = run
    report = json.loads((out / f"{document}.json").read_text())
    failing = {(c["rule"], c["key"]) for c in report["checks"] if c["status"] == "fail"}
    assert failing == expected_failures(truth(document))


def test_the_real_2020_report_breaks_exactly_its_two_relations(run):
    _, out = run
    report = json.loads((out / "yueqing-2020.json").read_text())
    failing = {(c["rule"], c["key"]): c for c in report["checks"] if c["status"] == "fail"}
    assert set(failing) == {("applications.results_sum", "natural_person"), ("applications.results_sum", "total")}
    assert (failing[("applications.results_sum", "natural_person")]["expected"],
            failing[("applications.results_sum", "natural_person")]["actual"]) == (101, 102)
    assert (failing[("applications.results_sum", "total")]["expected"],
            failing[("applications.results_sum", "total")]["actual"]) == (106, 107)


def test_a_table_that_is_not_a_report_comes_out_as_a_grid(run):
    _, out = run
    report = json.loads((out / "timetable.json").read_text())
    assert report["layout"] is None and report["status"] == "ok" and report["tables"] == {}
    grid = report["grids"][0]
    assert (grid["n_rows"], grid["n_cols"]) == (4, 3)
    texts = {(c["row"], c["col"]): c["text"] for c in grid["cells"]}
    assert texts[(0, 1)] == "首班车" and texts[(0, 2)] == "末班车"
    assert all(texts[(r, c)].isdigit() and len(texts[(r, c)]) == 4 for r in (1, 2, 3) for c in (1, 2))


def test_a_titled_report_whose_tables_are_not_recognised_says_so(run):
    """Its title names it an annual report, yet no table of a layout was found: that is a failure
    to read it (status partial, the reason given), not a document of another kind."""
    _, out = run
    report = json.loads((out / "titled.json").read_text())
    assert report["layout"] is None and report["status"] == "partial"
    assert any("titled as an annual report" in e for e in report["errors"]), report["errors"]
    assert report["year"] == 2023


def test_broken_file_gets_a_failed_json_with_a_reason(run):
    _, out = run
    report = json.loads((out / "broken.json").read_text())
    assert report["status"] == "failed" and report["layout"] is None
    assert "corrupt" in report["errors"][0] or "not an image" in report["errors"][0]


def test_tidy_csv_and_excel(run):
    _, out = run
    cells = pd.read_csv(out / "cells.csv", dtype={"page": "Int64", "value": str})
    assert set(cells["document"]) == set(DOCUMENTS)
    counts = cells.loc[cells["table"] == "applications", "value"].dropna()
    assert len(counts) and all(v.isdigit() for v in counts)  # counts as counts: 34, never 34.0
    received = cells[(cells["document"] == "yueqing-2020") & (cells["row"] == "new_received")]
    assert set(received["row_label"]) == {"一、本年新收政府信息公开申请数量"}
    assert "自然人" in set(received["col_label"])
    assert {"read_as", "corrected_by", "unit", "text"} <= set(cells.columns)
    checks = pd.read_csv(out / "checks.csv", keep_default_na=False)
    failing = checks[checks["status"] == "fail"]
    assert len(failing) == sum(len(expected_failures(truth(d))) for d in DOCUMENTS)
    # The relation spelled out with its values, and the suspects of a failure.
    row = failing[(failing["document"] == "yueqing-2020") & (failing["key"] == "natural_person")].iloc[0]
    assert row["relation"].startswith("natural_person: r7_total (101) = r1 + r2 + ") and row["relation"].endswith(")")
    assert row["suspects"].startswith("applications/")
    import openpyxl

    book = openpyxl.load_workbook(out / "yueqing-2020.xlsx")
    assert book.sheetnames == ["active", "applications", "review_litigation", "checks"]
    sheet = book["applications"]
    # Laid out as printed: 23 rows of layout 2019 under a title and two header rows, 7 value columns.
    values = [[c.value for c in row[-7:]] for row in sheet.iter_rows(min_row=4)]
    assert len(values) == 23 and all(isinstance(v, int) for row in values for v in row)
    red = [c for row in sheet.iter_rows() for c in row if c.comment and "failing relation" in c.comment.text]
    assert red and all(c.fill.fgColor.rgb.endswith(("FF7C80", "F8CBAD")) for c in red)


def test_python_api_gives_dataframes_by_canonical_keys():
    from digitizer import digitize

    report = digitize(SCANS / "r05-2021-pdf-blank.pdf")
    frame = report.table("applications")
    expected = {(c["row"], c["col"]): c["value"] for c in truth("r05-2021-pdf-blank")["tables"]["applications"]["cells"]}
    assert frame.loc["r7_total", "total"] == expected[("r7_total", "total")]
    assert frame.loc["new_received", "natural_person"] == expected[("new_received", "natural_person")]
    assert list(frame.columns)[-1] == "total" and len(frame) == 25  # layout 2021: 25 data rows
    assert set(frame.dtypes.astype(str)) == {"Int64"}  # counts, typed
    assert report.table_keys == ["active", "applications", "review_litigation"]
    assert str(report.table("active").dtypes["amount_10k_yuan"]) in ("Int64", "Float64")
    with pytest.raises(KeyError, match="its tables: active, applications, review_litigation"):
        report.table("applicatons")
