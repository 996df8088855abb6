"""The batch's one failure policy, the same for the local process pool and the Ray executor, and
the same for reading a document and for writing its outputs.

Reading: a document is read inside `read_document`: a LoadError (a bad file) is already a failed
report with its plain reason (pipeline); anything else raised while reading makes that one
document `failed` with the exception's type and message, its traceback travels with the report to
the driver, which writes it to OUT/digitize.log, not to the console; and the batch goes on.

Writing: each of a document's outputs (Excel workbook, JSON, archive row, review page) is written
inside `writing`: an error there (disk full, a read-only or vanished folder, a value the database
refuses) makes that document `failed` with "could not write its outputs: <what>: <error>", its
traceback to the log, and the batch goes on. Such a document is read again by the next run.

These two are the only places where any exception is caught. What stops a run is raised before
any document (SetupError, ModelError: one line, exit 2), is the archive going away mid-run or a
batch-wide file that cannot be written (RunError: one line, exit 2, what finished is kept), or is
Ctrl-C (exit 130), never a document.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ModelError, RunError
from .report import Report
from .types import DocumentSource, ReportStatus


def one_line(text: str) -> str:
    """The text with its whitespace, line breaks included, folded to single spaces."""
    return " ".join(text.split())


WRITE_FAILED = "could not write its outputs"


def failed_report(source: DocumentSource, reason: str, engine: str = "", trace: str = "") -> Report:
    """The report of a document that could not be read: status failed, the reason as its error."""
    report = Report(source.document, [p.name for p in source.paths], status=ReportStatus.FAILED, errors=[reason], engine=engine)
    report.traceback = trace
    return report


def read_document(digitizer, source: DocumentSource) -> Report:
    """digitizer.run(source), with every unexpected exception turned into a failed report."""
    try:
        return digitizer.run(source)
    except ModelError:
        raise  # no model, no document can be read: a setup error, not this document's
    except Exception as err:  # noqa: BLE001 - the documented boundary: a bug fails this document only
        reason = one_line(f"unexpected error: {type(err).__name__}: {err}")
        return failed_report(source, reason, digitizer.engine.describe(), traceback.format_exc())


def note_write_failure(data: dict, what: str, err: BaseException, log: logging.Logger) -> None:
    """Mark a document's JSON data failed because its `what` could not be written."""
    reason = one_line(f"{WRITE_FAILED}: {what}: {type(err).__name__}: {err}")
    data["status"] = str(ReportStatus.FAILED)
    data["errors"] = [*(data.get("errors") or []), reason]
    trace = "".join(traceback.format_exception(err)).rstrip()
    log.error("%s failed: %s\n%s", data.get("document"), reason, trace)


@contextmanager
def writing(data: dict, what: str, log: logging.Logger) -> Iterator[None]:
    """Write one output of a document; an error fails the document (note_write_failure), not the
    run. A RunError (the archive gone) and Ctrl-C pass through."""
    try:
        yield
    except RunError:
        raise
    except Exception as err:  # noqa: BLE001 - the documented boundary: a write error fails this document only
        note_write_failure(data, what, err, log)


def write_failed(data: dict) -> bool:
    """Whether a document failed only in writing (the next run reads it again, not skips it)."""
    return any(str(e).startswith(WRITE_FAILED) for e in data.get("errors") or [])
