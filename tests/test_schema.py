"""The output contract as a JSON Schema shipped in the package: it is a valid schema, its version
is the one the reports carry, and reports of every status validate against it (the end-to-end
tests validate every JSON a real run writes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from digitizer.report import SCHEMA_VERSION, Report, json_schema
from digitizer.types import CheckResult, ValueCell

DATA = Path(__file__).parent / "data"


def assert_valid(report: dict) -> None:
    jsonschema.Draft202012Validator(json_schema()).validate(report)


def test_the_schema_is_a_schema_of_the_version_reports_carry():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f":{SCHEMA_VERSION}") and SCHEMA_VERSION in schema["title"]
    assert Report("d", ["d.png"]).to_json()["schema_version"] == SCHEMA_VERSION


def test_the_cli_prints_the_schema_it_ships():
    done = subprocess.run([sys.executable, "-m", "digitizer.cli", "schema"], capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout) == json_schema()


def test_a_report_written_by_an_earlier_version_still_validates():
    """Version 1.0 reports (no labels, relations or prose) are valid: keys are only ever added."""
    assert_valid(json.loads((DATA / "archive_report.json").read_text(encoding="utf-8")))


def test_reports_of_each_status_validate_and_a_broken_one_does_not():
    cell = ValueCell("applications", "new_received", "total", None, "", 0.0, None, None,
                     row_label="一、本年新收政府信息公开申请数量", col_label="总计")
    check = CheckResult("applications.balance", "total", "skip", None, None,
                        [("applications", "new_received", "total")], relation="total: new_received (?) = r7_total (?)")
    partial = Report("p", ["p.pdf"], status="partial", layout="2021", tables={"applications": [cell]},
                     checks=[check], errors=["1 cells could not be read"], year=2021, prose_received=12)
    failed = Report("f", ["f.pdf"], status="failed", errors=["not an image or PDF"])
    for report in (partial, failed):
        assert_valid(report.to_json())
    broken = partial.to_json()
    broken["tables"]["applications"]["cells"][0]["value"] = "12"  # a number as text
    with pytest.raises(jsonschema.ValidationError):
        assert_valid(broken)
    missing = partial.to_json()
    del missing["checks"]
    with pytest.raises(jsonschema.ValidationError):
        assert_valid(missing)
