"""`digitize eval`: accuracy of a run against the generator's ground truth.

Cell accuracy counts every canonical cell of the truth (blank cells too); a cell is right when
its value equals the true value. Relation failures expected are computed from the true values
with the same relations the digitizer uses, so an injected inconsistency is expected to fail.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import load
from .batch import run_batch
from .checks import run_checks
from .layouts import get_layout
from .numbers import parse_number
from .report import Report
from .settings import Settings
from .types import CheckStatus, ValueCell


@dataclass
class DocScore:
    document: str
    condition: str
    renderer: str = ""  # which renderer drew the document (foreign sets)
    cells: int = 0
    right: int = 0
    pages: int = 0
    expected_failures: set[tuple[str, str]] = field(default_factory=set)
    found_failures: set[tuple[str, str]] = field(default_factory=set)
    wrong: list[str] = field(default_factory=list)
    misread: int = 0  # cells of the relations' tables whose first reading was wrong
    fixed: int = 0  # ...that a re-reading corrected to the true value
    wrongly_changed: int = 0  # corrections that did not end on the true value


@dataclass
class EvalResult:
    docs: list[DocScore]
    seconds: float

    def _totals(self, docs: list[DocScore]) -> dict[str, float]:
        cells = sum(d.cells for d in docs)
        right = sum(d.right for d in docs)
        expected = sum(len(d.expected_failures) for d in docs)
        found = sum(len(d.found_failures) for d in docs)
        hit = sum(len(d.expected_failures & d.found_failures) for d in docs)
        return {
            "documents": len(docs),
            "cells": cells,
            "accuracy": right / cells if cells else 0.0,
            "all_right": sum(1 for d in docs if d.cells and d.right == d.cells),
            "precision": hit / found if found else 1.0,
            "recall": hit / expected if expected else 1.0,
            "expected": expected,
            "found": found,
            "misread": sum(d.misread for d in docs),
            "fixed": sum(d.fixed for d in docs),
            "wrongly_changed": sum(d.wrongly_changed for d in docs),
        }

    def summary(self) -> dict[str, float]:
        """The totals over all documents, with pages and pages per second."""
        totals = self._totals(self.docs)
        pages = sum(d.pages for d in self.docs)
        totals["pages"] = pages
        totals["pages_per_second"] = pages / self.seconds if self.seconds else 0.0
        return totals

    def render(self) -> str:
        """The evaluation as the text `digitize eval` prints: totals, then per condition and renderer."""
        t = self.summary()
        lines = [
            f"documents           {t['documents']}",
            f"cell accuracy       {t['accuracy'] * 100:.2f} %  ({int(t['accuracy'] * t['cells'] + 0.5)}/{t['cells']})",
            f"documents all right {t['all_right']}/{t['documents']}",
            f"failing relations   precision {t['precision']:.3f}  recall {t['recall']:.3f}  "
            f"(expected {t['expected']}, reported {t['found']})",
            f"re-reading          {t['misread']} cells misread at first, {t['fixed']} fixed, "
            f"{t['wrongly_changed']} wrongly changed",
            f"speed               {t['pages_per_second']:.3f} pages/s ({t['pages']} pages in {self.seconds:.1f} s)",
            "",
            f"{'condition':<18}{'docs':>5}{'cells':>7}{'accuracy':>10}{'all right':>10}{'precision':>10}{'recall':>8}",
        ]
        groups: dict[str, list[DocScore]] = defaultdict(list)
        for doc in self.docs:
            groups[doc.condition].append(doc)
        renderers: dict[str, list[DocScore]] = defaultdict(list)
        for doc in self.docs:
            if doc.renderer:
                renderers[f"renderer {doc.renderer}"].append(doc)
        for name, docs in [*sorted(groups.items()), *sorted(renderers.items())]:
            c = self._totals(docs)
            lines.append(
                f"{name:<18}{c['documents']:>5}{c['cells']:>7}{c['accuracy'] * 100:>9.2f}%"
                f"{c['all_right']:>6}/{c['documents']:<3}{c['precision']:>10.3f}{c['recall']:>8.3f}"
            )
        wrong = [w for d in self.docs for w in d.wrong]
        if wrong:
            lines += ["", f"wrong cells ({len(wrong)}):"] + [f"  {w}" for w in wrong[:40]]
        missed = [(d.document, sorted(d.expected_failures - d.found_failures)) for d in self.docs]
        extra = [(d.document, sorted(d.found_failures - d.expected_failures)) for d in self.docs]
        lines += [f"  missed failure {doc}: {m}" for doc, m in missed if m]
        lines += [f"  false failure {doc}: {m}" for doc, m in extra if m]
        return "\n".join(lines)


def expected_failures(truth: dict) -> set[tuple[str, str]]:
    """The (rule, key) of every relation the ground truth's own numbers break."""
    layout = get_layout(truth["layout"])
    tables = {
        key: [ValueCell(key, c["row"], c["col"], c["value"], c.get("text", ""), 1.0, None, None) for c in t["cells"]]
        for key, t in truth["tables"].items()
    }
    return {(c.rule, c.key) for c in run_checks(layout, tables) if c.status == CheckStatus.FAIL}


def score(truth: dict, report: Report | dict) -> DocScore:
    """Score one report (a Report or its JSON) against its ground truth."""
    if isinstance(report, Report):
        report = report.to_json()
    doc = DocScore(truth["document"], truth.get("condition", "default"), truth.get("renderer", ""),
                   pages=report.get("pages") or 0)
    found = (
        {(k, c["row"], c["col"]): c for k, t in report["tables"].items() for c in t["cells"]}
        if report["layout"] == truth["layout"]
        else {}
    )
    for key, table in truth["tables"].items():
        for cell in table["cells"]:
            doc.cells += 1
            got = found.get((key, cell["row"], cell["col"]))
            _score_rereading(doc, key, got, cell["value"])
            if got is not None and got["value"] is not None and abs(float(got["value"]) - float(cell["value"])) < 1e-6:
                doc.right += 1
            else:
                read = "missing" if got is None else f"{got['value']!r} (text {got['text']!r}, page {got['page']})"
                doc.wrong.append(f"{doc.document} {key}.{cell['row']}.{cell['col']}: true {cell['value']!r}, read {read}")
    doc.expected_failures = expected_failures(truth)
    doc.found_failures = {(c["rule"], c["key"]) for c in report["checks"] if c["status"] == CheckStatus.FAIL}
    return doc


_RELATION_TABLES = ("applications", "review_litigation")


def _score_rereading(doc: DocScore, table: str, got: dict | None, true: float) -> None:
    """Misreads are cells whose first reading is a number other than the true one (a cell not
    found or not read at all is a layout or grid failure, not a misread)."""
    if got is None or table not in _RELATION_TABLES:
        return
    first = got["value"]
    if "read_as" in got:
        parsed = parse_number(got["read_as"] or "")
        first = parsed.value if parsed is not None else None
    if first is None:
        return
    misread = abs(float(first) - float(true)) > 1e-6
    doc.misread += int(misread)
    if "read_as" in got:
        right_now = got["value"] is not None and abs(float(got["value"]) - float(true)) < 1e-6
        doc.fixed += int(right_now and misread)
        doc.wrongly_changed += int(not right_now)


def evaluate(scans: Path, truth_dir: Path, out_dir: Path, settings: Settings) -> EvalResult:
    """Read every document of `scans` that has a ground truth (a batch run into `out_dir`) and
    score each report against it."""
    truths = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(truth_dir.glob("*.json"))}
    sources = [s for s in load.discover([scans]) if s.document in truths]
    reports: dict[str, Report] = {}
    started = time.perf_counter()
    run_batch(sources, out_dir, settings, xlsx=False, force=True,
              on_report=lambda report, skipped: reports.__setitem__(report.document, report))
    seconds = time.perf_counter() - started
    docs = [score(truths[name], reports[name]) for name in truths if name in reports]
    return EvalResult(docs, seconds)
