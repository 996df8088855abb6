"""Run many documents: in this process or in a pool of worker processes, each loading the models
once. Results land in per-document files and in the archive as each document finishes, so a
killed run loses nothing finished; a rerun skips what the archive already holds with the same
engine and settings (the run key). A document that fails gets its JSON with status failed; the
batch always goes on (the one failure policy: digitizer.failures), also when a document's outputs
cannot be written. The batch-wide files (cells.csv, checks.csv, summary.json) are written from the
archive at the end of every run: every document archived with this run key, its latest version.
One run at a time writes an output folder (output_lock); a second says so and stops before
reading anything."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import signal
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, export, load
from .errors import ExitCode, LoadError, RunError, SetupError
from .failures import failed_report, note_write_failure, read_document, write_failed, writing
from .pipeline import Digitizer
from .report import Report
from .settings import Settings
from .types import CheckStatus, DocumentSource, ReportStatus

_worker: Digitizer | None = None
log = logging.getLogger("digitizer.batch")
LOG_NAME = "digitize.log"

def run_key(settings: Settings) -> str:
    """What a result was read with: the code's version, the settings that change what is read
    (Settings.result_settings) and the models' versions. A document archived under the same key
    is not read again."""
    from .ocr.models import versions

    wanted = settings.result_settings()
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


def run_documents(sources: list[DocumentSource], settings: Settings) -> Generator[Report]:
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
    # Read, but not whole: tables or cells unread, or not recognised as a report (exit code 0).
    partial: list[tuple[str, str]] = field(default_factory=list)
    # Read whole, but without a title, agency or year found: archive searches by them miss it.
    unnamed: list[tuple[str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C: only the documents that finished are counted
    review: Path | None = None  # OUT/review/index.html when written

    @property
    def exit_code(self) -> ExitCode:
        """The command's exit code for this run: interrupted, some documents failed, or ok."""
        if self.interrupted:
            return ExitCode.interrupted
        return ExitCode.some_failed if self.failed else ExitCode.ok

    def to_json(self) -> dict:
        """The run's totals and its failed and partial documents with their reasons (summary.json)."""
        return {
            "documents": self.documents,
            "skipped": self.skipped,
            "pages": self.pages,
            "cells": self.cells,
            "seconds": round(self.seconds, 2),
            "interrupted": self.interrupted,
            "failed": [{"document": d, "reason": r} for d, r in self.failed],
            "inconsistent": [{"document": d, "failing": f} for d, f in self.inconsistent],
            "partial": [{"document": d, "reason": r} for d, r in self.partial],
            "unnamed": [{"document": d, "missing": m} for d, m in self.unnamed],
        }

    def add(self, report: Report) -> None:
        """Count one finished document into the totals."""
        self.documents += 1
        self.pages += report.pages
        self.cells += sum(len(cells) for cells in report.tables.values())
        self.seconds += report.seconds
        if report.status == ReportStatus.FAILED:
            self.failed.append((report.document, "; ".join(report.errors)))
        elif report.status == ReportStatus.PARTIAL:
            self.partial.append((report.document, "; ".join(report.errors) or "cells unread"))
        if report.status != ReportStatus.FAILED and report.layout:
            missing = [k for k in ("title", "agency", "year") if not getattr(report, k)]
            if missing:
                self.unnamed.append((report.document, missing))
        failing = [f"{c.rule}:{c.key}" for c in report.checks if c.status == CheckStatus.FAIL]
        if failing:
            self.inconsistent.append((report.document, failing))


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


def _reports(todo: list[DocumentSource], settings: Settings, executor: str, ray_address: str | None) -> Generator[Report]:
    if executor == "ray":
        from .ray_executor import run_documents as run_on_ray

        return run_on_ray(todo, settings, address=ray_address)
    return run_documents(todo, settings)


@contextmanager
def _batch_wide(target: Path) -> Iterator[None]:
    """A batch-wide file that cannot be written is no document's failure: the run stops (RunError)."""
    try:
        yield
    except OSError as err:
        raise RunError(f"cannot write {err.filename or target}: {err.strerror or err}; every document is written and "
                       "archived: free the space or fix the folder and run the same command again") from err


def _write_batch_files(out_dir: Path, archive, key: str, this_run: BatchSummary) -> None:
    """cells.csv, checks.csv and summary.json from the archive: every document archived with this
    run key (the latest version of each), whichever run into OUT or the archive finished last.
    summary.json's `run` block, `skipped` and `interrupted` are this run's."""
    everything = BatchSummary()
    archived = archive.latest_reports(key)
    for report in archived:
        everything.add(Report.from_json(report))
    body = everything.to_json()
    body["skipped"], body["interrupted"] = this_run.skipped, this_run.interrupted
    body["run"] = {"documents": this_run.documents, "skipped": this_run.skipped, "failed": len(this_run.failed),
                   "interrupted": this_run.interrupted}
    for name, rows, columns in (("cells.csv", export.cell_rows, export.CELL_COLUMNS),
                                ("checks.csv", export.check_rows, export.CHECK_COLUMNS)):
        with _batch_wide(out_dir / name):
            export.write_csv((row for r in archived for row in rows(r)), columns, out_dir / name)
    with _batch_wide(out_dir / "summary.json"), export.atomic_path(out_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")


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


def _write_json(data: dict, out_dir: Path) -> None:
    with export.atomic_path(out_dir / f"{data['document']}.json") as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _bare(data: dict) -> dict:
    """A failed report reduced to what any database takes: no cells, checks or grids, no NUL
    bytes, numbers in range (for the archive row of a document whose full row was refused)."""
    def clean(text: object) -> str:
        return str(text).replace("\x00", "\\x00")

    pages = data.get("pages")
    return data | {"tables": {}, "checks": [], "grids": [], "agency": None, "year": None,
                   "pages": pages if isinstance(pages, int) and 0 <= pages < 2**31 else None,
                   "seconds": None, "engine": clean(data.get("engine") or ""),
                   "errors": [clean(e) for e in data.get("errors") or []],
                   "source": [clean(name) for name in data.get("source") or []]}


def _persist(data: dict, path: str, keys: tuple[str, str, str], out_dir: Path, archive) -> dict:
    """A document's JSON and archive row, through the failure policy for writing: an error fails
    the document (its JSON, if it can be written, and its archive row say so), not the run. Only
    the archive itself going away (RunError) stops the run. keys: content hash, run key, models."""
    sha, key, models = keys
    json_written = False
    with writing(data, "JSON", log):
        _write_json(data, out_dir)
        json_written = True
    try:
        archive.record(data, path, sha, key, models=models, agency=data.get("agency"), year=data.get("year"))
        return data
    except RunError:
        if json_written:  # no JSON without its archive row: the next run reads this document again
            (out_dir / f"{data['document']}.json").unlink(missing_ok=True)
        raise
    except Exception as err:  # noqa: BLE001 - the failure policy for writing (failures.writing)
        note_write_failure(data, "archive row", err, log)
    if json_written:
        with writing(data, "JSON", log):
            _write_json(data, out_dir)
    try:
        archive.record(_bare(data), path, sha, key, models=models)
    except RunError:
        raise
    except Exception as err:  # noqa: BLE001 - an archive that takes no record at all cannot go on
        raise RunError(f"the archive refuses even the failure record of {data['document']}: "
                       f"{type(err).__name__}: {' '.join(str(err).split())}") from err
    return data


def _store(report: Report, source: DocumentSource, out_dir: Path, xlsx: bool, archive,
           keys: tuple[str, str, str]) -> dict:
    """One finished document: its traceback (if any) to the log, its files, its archive row.
    keys: its content hash, the run key and the model versions."""
    _log_failure(report)
    data = report.to_json()
    if xlsx:
        with writing(data, "Excel workbook", log):
            try:
                export.write_xlsx(report, out_dir)
            except Exception:
                (out_dir / f"{report.document}.xlsx").unlink(missing_ok=True)  # no stale workbook left
                raise
    return _persist(data, str(source.paths[0]), keys, out_dir, archive)


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing, unreadable or damaged: the document is read again
    return data if isinstance(data, dict) and not write_failed(data) else None


def _renamed(source: DocumentSource, sha: str, archive, key: str, models: str, out_dir: Path,
             ids: set[str]) -> dict | None:
    """A document archived under another id from the same path with the same content and run key
    (its id grew because a same-named document appeared): its report moves to the new id (JSON,
    workbook, archive row) instead of being read again, and the old id's files and row go."""
    old = archive.moved(sha, key, str(source.paths[0]), source.document)
    if old is None or old in ids:
        return None
    data = _read_json(out_dir / f"{old}.json")
    if data is None or data.get("document") != old:
        return None
    data["document"] = source.document
    with _uninterruptible():
        _persist(data, str(source.paths[0]), (sha, key, models), out_dir, archive)
        if write_failed(data):
            return None
        archive.forget(old, sha, key)
        (out_dir / f"{old}.json").unlink(missing_ok=True)
        if (out_dir / f"{old}.xlsx").exists():
            os.replace(out_dir / f"{old}.xlsx", out_dir / f"{source.document}.xlsx")
    return data


def _already_read(sources: list[DocumentSource], hashes: dict[str, str | None], archive, key: str,
                  models: str, out_dir: Path) -> dict[str, dict]:
    """Reports of the documents archived with this content, id and run key whose JSON is in
    out_dir: a rerun skips them (resume). A document that failed only in writing its outputs is
    read again; one archived under an older id (see _renamed) is moved, not read again."""
    done = {}
    ids = {s.document for s in sources}
    for source in sources:
        sha = hashes[source.document]
        if not sha:
            continue
        if archive.has(sha, key, source.document):
            data = _read_json(out_dir / f"{source.document}.json")
        else:
            data = _renamed(source, sha, archive, key, models, out_dir, ids)
        if data is not None:
            done[source.document] = data
    return done


def _review(out_dir: Path, sources: list[DocumentSource], reports: dict[str, dict], archive,
            keys: dict[str, tuple[str, str, str]]) -> Path:
    """OUT/review/: a document whose page cannot be written fails (JSON and archive row updated)."""
    from .review import write_review

    def failed(data: dict, err: Exception) -> None:
        source = by_id[data["document"]]
        note_write_failure(data, "review page", err, log)
        with _uninterruptible():
            _persist(data, str(source.paths[0]), keys[source.document], out_dir, archive)

    by_id = {s.document: s for s in sources}
    items = [(reports[s.document], s) for s in sources if s.document in reports]
    with _batch_wide(out_dir / "review" / "index.html"):
        return write_review(out_dir, items, on_error=failed)


def run_batch(
    sources: list[DocumentSource],
    out_dir: Path,
    settings: Settings,
    xlsx: bool = True,
    on_report: Callable[[Report, bool], None] | None = None,
    archive_url: str | None = None,
    force: bool = False,
    executor: str = "local",
    ray_address: str | None = None,
    review: bool = False,
) -> BatchSummary:
    """Read the sources into out_dir and the archive (and OUT/review/ with review=True). Setup
    errors (SetupError: --out, archive) are raised before any document is read; a document that
    cannot be read or written fails alone; the archive going away mid-run, or a batch-wide file
    that cannot be written, stops the run (RunError) with what finished kept. Ctrl-C stops reading:
    what finished is written and archived, the batch files list it, and the summary says
    `interrupted` (exit code 130). `on_report(report, skipped)` hears of each document as it is
    done (skipped: archived by an earlier run, not read again). The returned summary counts this
    run's documents."""
    from .archive import Archive
    from .ocr.models import versions

    _prepare_output(out_dir)
    export.remove_stale_temps(out_dir)
    key = run_key(settings)
    models = json.dumps(versions(), sort_keys=True)
    summary = BatchSummary()
    with Archive(archive_url or out_dir / "archive.sqlite") as archive, _failure_log(out_dir):
        hashes = {s.document: _hash_or_none(s, settings) for s in sources}
        keys = {s.document: (hashes[s.document] or _stand_in_hash(s), key, models) for s in sources}
        reports = {} if force else _already_read(sources, hashes, archive, key, models, out_dir)
        summary.skipped = len(reports)
        for report in reports.values():
            if on_report is not None:
                on_report(Report.from_json(report), True)
        todo = [s for s in sources if s.document not in reports]
        try:
            # closing: on Ctrl-C the executor's workers are stopped now, not when garbage-collected
            with closing(_reports(todo, settings, executor, ray_address)) as reports_in_order:
                for source, read in zip(todo, reports_in_order):
                    with _uninterruptible():
                        reports[source.document] = _store(read, source, out_dir, xlsx, archive, keys[source.document])
                    if on_report is not None:
                        on_report(Report.from_json(reports[source.document]), False)
        except KeyboardInterrupt:
            summary.interrupted = True
        _cross_year_checks(reports, archive, out_dir, {s.document: s for s in sources}, keys)
        if review and not summary.interrupted:
            summary.review = _review(out_dir, sources, reports, archive, keys)
        for source in sources:
            if source.document in reports:
                summary.add(Report.from_json(reports[source.document]))
        _write_batch_files(out_dir, archive, key, summary)
    return summary


def _values(report: dict) -> dict[tuple[str, str, str], float | None]:
    return {(t, c["row"], c["col"]): c["value"] for t, table in report["tables"].items() for c in table["cells"]}


def _cross_year_checks(reports: dict[str, dict], archive, out_dir: Path, sources: dict[str, DocumentSource],
                       keys: dict[str, tuple[str, str, str]]) -> None:
    """Warnings between an agency's report and its previous year's, found in this run or the
    archive; added to the report's checks (JSON rewritten, archive row replaced)."""
    from .checks import history_checks
    from .layouts import get_layout

    by_year: dict[tuple[str, int], dict] = {(r["agency"], r["year"]): r for r in reports.values()
                                            if r.get("agency") and r.get("year")}
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
            with _uninterruptible():
                _persist(report, str(sources[document].paths[0]), keys[document], out_dir, archive)
