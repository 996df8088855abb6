"""Run many documents: in this process or in a pool of worker processes, each loading the models
once. A document that fails gets its JSON with status failed; the batch always goes on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import export
from .errors import ExitCode
from .pipeline import Digitizer
from .report import Report
from .settings import Settings
from .types import DocumentSource

_worker: Digitizer | None = None


def _init_worker(settings: Settings) -> None:
    global _worker
    _worker = Digitizer(settings)
    _worker.engine  # load the models once, before the first document


def _run_in_worker(source: DocumentSource) -> Report:
    assert _worker is not None
    return _worker.run(source)


def run_documents(sources: list[DocumentSource], settings: Settings) -> Iterator[Report]:
    """Reports in input order."""
    if settings.workers <= 1 or len(sources) <= 1:
        digitizer = Digitizer(settings)
        for source in sources:
            yield digitizer.run(source)
        return
    threads = max(1, settings.cpu_threads // settings.workers)
    worker_settings = settings.with_(cpu_threads=threads)
    with ProcessPoolExecutor(settings.workers, initializer=_init_worker, initargs=(worker_settings,)) as pool:
        yield from pool.map(_run_in_worker, sources)


@dataclass
class BatchSummary:
    documents: int = 0
    pages: int = 0
    cells: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    inconsistent: list[tuple[str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.some_failed if self.failed else ExitCode.ok

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "pages": self.pages,
            "cells": self.cells,
            "seconds": round(self.seconds, 2),
            "failed": [{"document": d, "reason": r} for d, r in self.failed],
            "inconsistent": [{"document": d, "failing": f} for d, f in self.inconsistent],
        }


def run_batch(
    sources: list[DocumentSource],
    out_dir: Path,
    settings: Settings,
    xlsx: bool = True,
    on_report: Callable[[Report], None] | None = None,
) -> BatchSummary:
    summary = BatchSummary()
    cells: list[dict] = []
    check_rows: list[dict] = []
    for report in run_documents(sources, settings):
        export.write_json(report, out_dir)
        if xlsx:
            export.write_xlsx(report, out_dir)
        cells.extend(export.cell_rows(report))
        check_rows.extend(export.check_rows(report))
        summary.documents += 1
        summary.pages += report.pages
        summary.cells += sum(len(c) for c in report.tables.values())
        summary.seconds += report.seconds
        if report.status == "failed":
            summary.failed.append((report.document, "; ".join(report.errors)))
        if report.failed_checks:
            summary.inconsistent.append((report.document, [f"{c.rule}:{c.key}" for c in report.failed_checks]))
        if on_report is not None:
            on_report(report)
    export.write_csv(cells, export.CELL_COLUMNS, out_dir / "cells.csv")
    export.write_csv(check_rows, export.CHECK_COLUMNS, out_dir / "checks.csv")
    with export.atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return summary
