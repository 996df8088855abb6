"""The batch's one failure policy, the same for the local process pool and the Ray executor.

A document is read inside `read_document`, the only place where any exception is caught: a
LoadError (a bad file) is already a failed report with its plain reason (pipeline); anything else
raised while reading makes that one document `failed` with the exception's type and message, its
traceback travels with the report to the driver, which writes it to OUT/digitize.log, not to the
console; and the batch goes on. What stops a run is raised before any document (SetupError,
ModelError: one line, exit 2) or is Ctrl-C (exit 130), never a document.
"""

from __future__ import annotations

import traceback

from .errors import ModelError
from .report import Report
from .types import DocumentSource


def one_line(text: str) -> str:
    return " ".join(text.split())


def failed_report(source: DocumentSource, reason: str, engine: str = "", trace: str = "") -> Report:
    report = Report(source.document, [p.name for p in source.paths], status="failed", errors=[reason], engine=engine)
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
