"""Run many documents: in this process or in a pool of worker processes, each loading the models
once. Results land in per-document files and in the archive as each document finishes, so a
killed run loses nothing finished; a rerun skips what the archive already holds with the same
engine and settings (the run key). A document that fails gets its JSON with status failed; the
batch always goes on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, export
from .errors import ExitCode
from .pipeline import Digitizer
from .report import Report
from .settings import Settings
from .types import DocumentSource

_worker: Digitizer | None = None

# Settings that change what is read; the others (workers, threads, device) only change speed.
_RESULT_SETTINGS = ("engine", "paddle_model_dir", "pdf_dpi", "max_page_pixels", "max_pages", "max_file_bytes", "deskew", "orientation",
                    "max_skew_degrees", "label_score", "reread")


def run_key(settings: Settings) -> str:
    from .ocr.models import versions

    wanted = {k: v for k, v in asdict(settings).items() if k in _RESULT_SETTINGS}
    blob = json.dumps({"digitizer": __version__, "settings": wanted, "models": versions()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


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
    skipped: int = 0
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
            "skipped": self.skipped,
            "pages": self.pages,
            "cells": self.cells,
            "seconds": round(self.seconds, 2),
            "failed": [{"document": d, "reason": r} for d, r in self.failed],
            "inconsistent": [{"document": d, "failing": f} for d, f in self.inconsistent],
        }

    def add(self, report: dict) -> None:
        self.documents += 1
        self.pages += report.get("pages") or 0
        self.cells += sum(len(t["cells"]) for t in report["tables"].values())
        self.seconds += report.get("seconds") or 0.0
        if report["status"] == "failed":
            self.failed.append((report["document"], "; ".join(report["errors"])))
        failing = [f"{c['rule']}:{c['key']}" for c in report["checks"] if c["status"] == "fail"]
        if failing:
            self.inconsistent.append((report["document"], failing))


def _hash_or_none(source: DocumentSource) -> str | None:
    from .archive import sha256_of

    try:
        return sha256_of(list(source.paths))
    except OSError:
        return None  # unreadable: the loader reports why


def run_batch(
    sources: list[DocumentSource],
    out_dir: Path,
    settings: Settings,
    xlsx: bool = True,
    on_report: Callable[[dict], None] | None = None,
    archive_url: str | None = None,
    force: bool = False,
    executor: str = "local",
    ray_address: str | None = None,
) -> BatchSummary:
    from .archive import Archive
    from .ocr.models import versions

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".*.tmp"):  # left by a run killed mid-write; never a result
        stale.unlink()
    key = run_key(settings)
    models = json.dumps(versions(), sort_keys=True)
    summary = BatchSummary()
    reports: dict[str, dict] = {}
    with Archive(archive_url or out_dir / "archive.sqlite") as archive:
        hashes = {s.document: _hash_or_none(s) for s in sources}
        todo = []
        for source in sources:
            sha = hashes[source.document]
            done_json = out_dir / f"{source.document}.json"
            if not force and sha and archive.has(sha, key) and done_json.exists():
                reports[source.document] = json.loads(done_json.read_text(encoding="utf-8"))
                summary.skipped += 1
                if on_report is not None:
                    on_report(reports[source.document] | {"skipped": True})
            else:
                todo.append(source)
        if executor == "ray":
            from .ray_executor import run_documents as run_on_ray

            reports_in_order = run_on_ray(todo, settings, address=ray_address)
        else:
            reports_in_order = run_documents(todo, settings)
        for source, report in zip(todo, reports_in_order):
            export.write_json(report, out_dir)
            if xlsx:
                export.write_xlsx(report, out_dir)
            data = report.to_json()
            sha = hashes[source.document] or hashlib.sha256(source.document.encode()).hexdigest()
            archive.record(data, str(source.paths[0]), sha, key, models=models,
                           agency=report.agency, year=report.year)
            reports[source.document] = data
            if on_report is not None:
                on_report(data)
        _cross_year_checks(reports, archive, out_dir, key, models, {s.document: s for s in sources}, hashes)
    for source in sources:
        summary.add(reports[source.document])
    ordered = [reports[s.document] for s in sources]
    export.write_csv((row for r in ordered for row in export.cell_rows(r)), export.CELL_COLUMNS, out_dir / "cells.csv")
    export.write_csv((row for r in ordered for row in export.check_rows(r)), export.CHECK_COLUMNS, out_dir / "checks.csv")
    with export.atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def _values(report: dict) -> dict[tuple[str, str, str], float | None]:
    return {(t, c["row"], c["col"]): c["value"] for t, table in report["tables"].items() for c in table["cells"]}


def _cross_year_checks(reports: dict[str, dict], archive, out_dir: Path, key: str, models: str,
                       sources: dict[str, DocumentSource], hashes: dict[str, str | None]) -> None:
    """Warnings between an agency's report and its previous year's, found in this run or the
    archive; added to the report's checks (JSON rewritten, archive row replaced)."""
    from .checks import history_checks
    from .layouts import get_layout

    by_year = {(r.get("agency"), r.get("year")): r for r in reports.values() if r.get("agency") and r.get("year")}
    for (agency, year), report in by_year.items():
        if not report.get("layout"):
            continue
        previous = by_year.get((agency, year - 1))
        values = _values(previous) if previous is not None else archive.values_of(agency, year - 1)
        if not values:
            continue
        found = [c.to_json() for c in history_checks(get_layout(report["layout"]), _values(report), values)]
        kept = [c for c in report["checks"] if not c["rule"].startswith("history.")]
        if found and kept + found != report["checks"]:
            report["checks"] = kept + found
            document = report["document"]
            with export.atomic_path(out_dir / f"{document}.json") as tmp:
                tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
            sha = hashes.get(document) or hashlib.sha256(document.encode()).hexdigest()
            archive.record(report, str(sources[document].paths[0]), sha, key, models=models,
                           agency=agency, year=year)
