"""Run many documents: in this process or in a pool of worker processes, each loading the models
once. Results land in per-document files and in the archive as each document finishes, so a
killed run loses nothing finished; a rerun skips what the archive already holds with the same
engine and settings (the run key). A document that fails gets its JSON with status failed; the
batch always goes on (the one failure policy: digitizer.failures). One run at a time writes an
output folder (output_lock); a second says so and stops before reading anything."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, export, load
from .errors import ExitCode, LoadError, SetupError
from .failures import failed_report, read_document
from .pipeline import Digitizer
from .report import Report
from .settings import Settings
from .types import DocumentSource

_worker: Digitizer | None = None
log = logging.getLogger("digitizer.batch")
LOG_NAME = "digitize.log"

# Settings that change what is read; the others (workers, threads, device) only change speed.
_RESULT_SETTINGS = ("engine", "paddle_model_dir", "pdf_dpi", "max_page_pixels", "max_pages", "max_file_bytes",
                    "min_page_side", "max_page_aspect", "deskew", "orientation",
                    "max_skew_degrees", "label_score", "reread")


def run_key(settings: Settings) -> str:
    from .ocr.models import versions

    wanted = {k: v for k, v in asdict(settings).items() if k in _RESULT_SETTINGS}
    blob = json.dumps({"digitizer": __version__, "settings": wanted, "models": versions()}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _init_worker(settings: Settings) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle, once
    _worker = Digitizer(settings)
    _worker.engine  # load the models once, before the first document


def _run_in_worker(source: DocumentSource) -> Report:
    assert _worker is not None
    return read_document(_worker, source)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C, a dead worker or an error in the driver: drop the documents not started and end
    the workers now (each would otherwise finish its document first); a worker writes nothing,
    so nothing is left half-written. (The futures are left to the pool to cancel: cancelling one
    itself makes Python 3.11's pool raise InvalidStateError when it then finds a dead worker.)"""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle to them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _read_alone(source: DocumentSource, settings: Settings) -> Report:
    """A document that was being read when a worker died, read again in a pool of its own: if it
    kills that worker too, it is the culprit, and fails (a pool of one blames nobody else)."""
    with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(settings,)) as pool:
        try:
            return pool.submit(_run_in_worker, source).result()
        except BrokenProcessPool:
            return failed_report(source, "the worker process died while reading it "
                                         "(killed, out of memory, or a crash in native code)")


def _pooled(sources: list[DocumentSource], settings: Settings) -> Iterator[Report]:
    """Reports in input order from a pool of worker processes. A worker that dies breaks the
    pool: the documents that were being read are read again one by one, alone, then a new pool
    takes up the rest, so a crash costs at most its own document."""
    index = 0
    while index < len(sources):
        pool = ProcessPoolExecutor(settings.workers, initializer=_init_worker, initargs=(settings,))
        futures = [pool.submit(_run_in_worker, source) for source in sources[index:]]
        try:
            for future in futures:
                report = future.result()
                yield report
                index += 1
        except BrokenProcessPool:
            pass
        finally:
            _stop(pool)
        for source in sources[index:index + settings.workers]:
            yield _read_alone(source, settings)
            index += 1


def run_documents(sources: list[DocumentSource], settings: Settings) -> Iterator[Report]:
    """Reports in input order, each through the failure policy (digitizer.failures)."""
    if settings.workers <= 1 or len(sources) <= 1:
        digitizer = Digitizer(settings)
        for source in sources:
            yield read_document(digitizer, source)
        return
    threads = max(1, settings.cpu_threads // settings.workers)
    yield from _pooled(sources, settings.with_(cpu_threads=threads))


@dataclass
class BatchSummary:
    documents: int = 0
    skipped: int = 0
    pages: int = 0
    cells: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    inconsistent: list[tuple[str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C: only the documents that finished are counted

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.interrupted
        return ExitCode.some_failed if self.failed else ExitCode.ok

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "skipped": self.skipped,
            "pages": self.pages,
            "cells": self.cells,
            "seconds": round(self.seconds, 2),
            "interrupted": self.interrupted,
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


def _hash_or_none(source: DocumentSource, settings: Settings) -> str | None:
    """The content hash, unless the files are missing, empty or over the size limit (checked
    first, so a 3 GB file is never read whole): the loader then says why."""
    from .archive import sha256_of

    try:
        load.check_files(source, settings)
        return sha256_of(list(source.paths))
    except (LoadError, OSError):
        return None


def _prepare_output(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".digitize-probe.{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as err:
        raise SetupError(f"--out {out_dir} is not a folder this run can write to: {err.strerror or err}") from err


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold OUT for the whole run: a second run into the same folder stops at once with one
    line instead of interleaving its outputs. The lock is the kernel's (flock), so a killed run
    never leaves a stale one."""
    _prepare_output(out_dir)
    with open(out_dir / ".digitize.lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise SetupError(f"another digitize run (pid {holder}) is writing to {out_dir}; "
                             "wait for it to finish or choose another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


@contextmanager
def _failure_log(out_dir: Path) -> Iterator[None]:
    """Tracebacks of unexpected errors go to OUT/digitize.log, not to the console."""
    handler = logging.FileHandler(out_dir / LOG_NAME, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        handler.close()


def _log_failure(report: Report) -> None:
    if report.traceback:
        log.error("%s failed: %s\n%s", report.document, "; ".join(report.errors), report.traceback.rstrip())


def _stand_in_hash(source: DocumentSource) -> str:
    """Archive key of a document whose content was not hashed (missing, empty, over the size
    limit): never counts as already archived, so the next run checks the file again."""
    return hashlib.sha256(f"unhashed:{source.relative or source.document}".encode()).hexdigest()


def _reports(todo: list[DocumentSource], settings: Settings, executor: str, ray_address: str | None) -> Iterator[Report]:
    if executor == "ray":
        from .ray_executor import run_documents as run_on_ray

        return run_on_ray(todo, settings, address=ray_address)
    return run_documents(todo, settings)


def _write_batch_files(out_dir: Path, ordered: list[dict], summary: BatchSummary) -> None:
    export.write_csv((row for r in ordered for row in export.cell_rows(r)), export.CELL_COLUMNS, out_dir / "cells.csv")
    export.write_csv((row for r in ordered for row in export.check_rows(r)), export.CHECK_COLUMNS, out_dir / "checks.csv")
    with export.atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


@contextmanager
def _uninterruptible() -> Iterator[None]:
    """Ctrl-C waits until the current document's files and archive row are all written, so a
    document is either finished everywhere or not at all."""
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    except ValueError:  # not the main thread: signals are not this code's to handle
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _store(report: Report, source: DocumentSource, out_dir: Path, xlsx: bool, archive,
           keys: tuple[str, str, str]) -> dict:
    """One finished document: its traceback (if any) to the log, its files, its archive row.
    keys: its content hash, the run key and the model versions."""
    sha, key, models = keys
    _log_failure(report)
    export.write_json(report, out_dir)
    if xlsx:
        export.write_xlsx(report, out_dir)
    data = report.to_json()
    archive.record(data, str(source.paths[0]), sha, key, models=models, agency=report.agency, year=report.year)
    return data


def _already_read(sources: list[DocumentSource], hashes: dict[str, str | None], archive, key: str,
                  out_dir: Path) -> dict[str, dict]:
    """Reports of the documents archived with this content, id and run key whose JSON is in
    out_dir: a rerun skips them (resume)."""
    done = {}
    for source in sources:
        sha, path = hashes[source.document], out_dir / f"{source.document}.json"
        if sha and archive.has(sha, key, source.document) and path.exists():
            done[source.document] = json.loads(path.read_text(encoding="utf-8"))
    return done


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
    """Read the sources into out_dir and the archive. Setup errors (SetupError: --out, archive)
    are raised before any document is read. Ctrl-C stops reading: what finished is written and
    archived, the batch files list it, and the summary says `interrupted` (exit code 130)."""
    from .archive import Archive
    from .ocr.models import versions

    _prepare_output(out_dir)
    export.remove_stale_temps(out_dir)
    key = run_key(settings)
    models = json.dumps(versions(), sort_keys=True)
    summary = BatchSummary()
    with Archive(archive_url or out_dir / "archive.sqlite") as archive, _failure_log(out_dir):
        hashes = {s.document: _hash_or_none(s, settings) for s in sources}
        reports = {} if force else _already_read(sources, hashes, archive, key, out_dir)
        summary.skipped = len(reports)
        for report in reports.values():
            if on_report is not None:
                on_report(report | {"skipped": True})
        todo = [s for s in sources if s.document not in reports]
        try:
            # closing: on Ctrl-C the executor's workers are stopped now, not when garbage-collected
            with closing(_reports(todo, settings, executor, ray_address)) as reports_in_order:
                for source, report in zip(todo, reports_in_order):
                    sha = hashes[source.document] or _stand_in_hash(source)
                    with _uninterruptible():
                        reports[source.document] = _store(report, source, out_dir, xlsx, archive, (sha, key, models))
                    if on_report is not None:
                        on_report(reports[source.document])
        except KeyboardInterrupt:
            summary.interrupted = True
        _cross_year_checks(reports, archive, out_dir, key, models, {s.document: s for s in sources}, hashes)
    ordered = [reports[s.document] for s in sources if s.document in reports]
    for report in ordered:
        summary.add(report)
    _write_batch_files(out_dir, ordered, summary)
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
            sha = hashes.get(document) or _stand_in_hash(sources[document])
            archive.record(report, str(sources[document].paths[0]), sha, key, models=models,
                           agency=agency, year=year)
