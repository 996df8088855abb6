"""Warnings across years of one agency, end to end: two generated reports of the same agency for
consecutive years, digitized in one batch; the later one carries the history checks, computed
from the printed numbers of both."""

from __future__ import annotations

import json

import cv2

from digitizer.batch import run_batch
from digitizer.checks import history_checks
from digitizer.layouts import get_layout
from digitizer.load import discover
from digitizer.settings import Settings
from digitizer_tools.synth.content import make_report
from digitizer_tools.synth.render import render_report


def _write(folder, stem, report):
    pages, _ = render_report(report, dpi=150)
    for number, page in enumerate(pages, 1):
        cv2.imwrite(str(folder / f"{stem}_p{number}.png"), page)


def _values(report):
    return {(t, r, c): v for t, cells in report["values"].items() for (r, c), v in cells.items()}


def test_history_warnings_between_two_years_of_one_agency(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    reports = {}
    for stem, seed, year in (("earlier", 31, 2021), ("later", 32, 2022)):
        report = make_report(seed, "2021")
        report.update(agency="云岭市审计局", year=year, title=f"云岭市审计局{year}年政府信息公开工作年度报告")
        reports[stem] = report
        _write(scans, stem, report)
    out = tmp_path / "out"
    run_batch(discover([scans]), out, Settings(workers=1), xlsx=False)
    later = json.loads((out / "later.json").read_text())
    earlier = json.loads((out / "earlier.json").read_text())
    assert (later["agency"], later["year"]) == ("云岭市审计局", 2022) and earlier["year"] == 2021
    found = {(c["rule"], c["key"]): c["status"] for c in later["checks"] if c["rule"].startswith("history.")}
    expected = {
        (c.rule, c.key): c.status
        for c in history_checks(get_layout("2021"), _values(reports["later"]), _values(reports["earlier"]))
    }
    assert found == expected and len(found) >= 8
    assert not [c for c in earlier["checks"] if c["rule"].startswith("history.")]
    prose = [c for c in later["checks"] if c["rule"] == "prose.new_received"]
    assert prose and prose[0]["status"] == "pass"
