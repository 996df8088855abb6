"""Stage 8: write results. Every file is written to a temporary name and renamed into place, so a
killed run never leaves a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .layouts import get_layout
from .report import Report

# The process's umask, read once (os.umask can only be read by setting it). mkstemp makes its file
# 0600 and the rename keeps that mode: results get the mode any new file of this user would.
_UMASK = os.umask(0o022)
os.umask(_UMASK)

CELL_COLUMNS = ["document", "table", "row", "col", "row_label", "col_label", "value", "unit", "text", "read_as",
                "corrected_by", "confidence", "page", "flags"]
CHECK_COLUMNS = ["document", "rule", "key", "status", "relation", "expected", "actual", "cells", "suspects"]


@contextmanager
def atomic_path(target: Path):
    """Yields a temporary path beside `target`; renames it onto `target` if the block succeeds.
    The temporary name holds this process's id (`.<name>.<pid>.<random>.tmp`), so a run cleaning
    up after a killed one never deletes the file of a run still writing (remove_stale_temps)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _owner(temp: Path) -> int | None:
    parts = temp.name.split(".")
    return int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files of runs that no longer live (killed mid-write; never a result).
    A file whose owner is alive, or unknown to this machine's process table, is another run's."""
    removed = []
    for temp in folder.glob(".*.tmp"):
        pid = _owner(temp)
        if pid is not None and not _alive(pid):
            temp.unlink(missing_ok=True)
            removed.append(temp)
    return removed


def write_json(report: Report, out_dir: Path) -> Path:
    """Write the report's JSON (the output contract) as out_dir/<document>.json, atomically."""
    target = out_dir / f"{report.document}.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _number(value: object) -> int | float | None:
    """A count as an int (34, never 34.0), an amount as it was (1792.0873), nothing as None."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


def _refs(refs: list | None) -> str:
    return ";".join("/".join(ref) for ref in refs or [])


def cell_rows(report: dict) -> list[dict]:
    """Tidy rows of a report's JSON: one per cell, with the layout's labels of its row and
    column and, where a correction changed the printed reading, what was read and why."""
    labels: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    rows = []
    for key, table in report["tables"].items():
        if report.get("layout") and key not in labels:
            try:
                labels[key] = _labels(report["layout"], key)
            except KeyError:
                labels[key] = ({}, {})
        row_labels, col_labels = labels.get(key, ({}, {}))
        for c in table["cells"]:
            rows.append({
                "document": report["document"], "table": key, "row": c["row"], "col": c["col"],
                "row_label": c.get("row_label") or row_labels.get(c["row"], ""),
                "col_label": c.get("col_label") or col_labels.get(c["col"], ""),
                "value": _number(c.get("value")), "unit": c.get("unit") or "", "text": c.get("text") or "",
                "read_as": c.get("read_as"), "corrected_by": c.get("corrected_by"),
                "confidence": c.get("confidence"), "page": c.get("page"),
                "flags": ";".join(c.get("flags") or []),
            })
    return rows


def check_rows(report: dict) -> list[dict]:
    """One row per check: the relation written out with its values, the cells it adds up and,
    for a failure, the likeliest culprits first."""
    return [
        {
            "document": report["document"], "rule": c["rule"], "key": c["key"], "status": c["status"],
            "relation": c.get("relation") or "", "expected": _number(c.get("expected")),
            "actual": _number(c.get("actual")), "cells": _refs(c.get("cells")), "suspects": _refs(c.get("suspects")),
        }
        for c in report["checks"]
    ]


# Columns of whole numbers or nothing: nullable integers, so a count is written 34 and not 34.0.
_INTEGER_COLUMNS = ("page",)


def write_csv(rows: Iterable[dict], columns: list[str], target: Path) -> Path:
    """Write rows as a CSV file with these columns, atomically; counts stay whole numbers."""
    # Object columns: a count stays 34 and an amount 1792.0873 in one column (pandas would make
    # both floats); page numbers as nullable integers.
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    for column in _INTEGER_COLUMNS:
        if column in frame:
            frame[column] = pd.array(frame[column], dtype="Int64")
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8")
    return target


def _labels(layout_name: str, table: str) -> tuple[dict[str, str], dict[str, str]]:
    spec = get_layout(layout_name).tables[table]
    return {e.key: e.label for e in spec.row_entries()}, {e.key: e.label for e in spec.col_entries()}


def write_xlsx(report: Report, out_dir: Path) -> Path | None:
    """One workbook per document, each table laid out as the report prints it (digitizer.workbook)."""
    from .workbook import build_workbook

    book = build_workbook(report)
    if book is None:
        return None
    target = out_dir / f"{report.document}.xlsx"
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target
