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

CELL_COLUMNS = ["document", "table", "row", "col", "value", "text", "confidence", "page"]
CHECK_COLUMNS = ["document", "rule", "key", "status", "expected", "actual", "cells"]


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
    target = out_dir / f"{report.document}.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def cell_rows(report: dict) -> list[dict]:
    """Tidy rows of a report's JSON: one per cell."""
    return [
        {"document": report["document"], "table": key, **{k: c[k] for k in CELL_COLUMNS[2:]}}
        for key, table in report["tables"].items()
        for c in table["cells"]
    ]


def check_rows(report: dict) -> list[dict]:
    return [
        {
            "document": report["document"],
            **{k: c[k] for k in CHECK_COLUMNS[1:-1]},
            "cells": ";".join("/".join(ref) for ref in c["cells"]),
        }
        for c in report["checks"]
    ]


def write_csv(rows: Iterable[dict], columns: list[str], target: Path) -> Path:
    with atomic_path(target) as tmp:
        pd.DataFrame(list(rows), columns=columns).to_csv(tmp, index=False, encoding="utf-8")
    return target


def _labels(layout_name: str, table: str) -> tuple[dict[str, str], dict[str, str]]:
    spec = get_layout(layout_name).tables[table]
    return {e.key: e.label for e in spec.row_entries()}, {e.key: e.label for e in spec.col_entries()}


def write_xlsx(report: Report, out_dir: Path) -> Path | None:
    """One workbook per document, one sheet per table, rows and columns labelled as printed."""
    if not report.tables and not report.grids:
        return None
    target = out_dir / f"{report.document}.xlsx"
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for key in report.tables:
                frame = report.table(key)
                if report.layout:
                    rows, cols = _labels(report.layout, key)
                    frame = frame.rename(index={k: f"{rows.get(k, k)} [{k}]" for k in frame.index},
                                         columns={k: f"{cols.get(k, k)} [{k}]" for k in frame.columns})
                frame.to_excel(writer, sheet_name=key[:31])
            if not report.tables:
                for index, grid in enumerate(report.grids, 1):
                    sheet = pd.DataFrame("", index=range(grid.n_rows), columns=range(grid.n_cols))
                    for cell in grid.cells:
                        sheet.iat[cell.row, cell.col] = cell.text
                    sheet.to_excel(writer, sheet_name=f"table_{index}", index=False, header=False)
    return target
