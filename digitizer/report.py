"""The result for one document: what the JSON contract (shared/spec/output-contract.md) holds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd

from .types import CheckResult, CheckStatus, ReportStatus, Table, ValueCell

# The version of the JSON each document gets (digitizer/schema/report.schema.json). A new key
# raises the minor number; renaming or dropping one (which the contract forbids) the major.
SCHEMA_VERSION = "1.1"


@lru_cache(maxsize=1)
def json_schema() -> dict:
    """The JSON Schema of the report JSON (package data: digitizer/schema/report.schema.json)."""
    text = (resources.files("digitizer") / "schema" / "report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass
class Report:
    document: str
    source: list[str]
    status: ReportStatus = ReportStatus.OK
    layout: str | None = None
    tables: dict[str, list[ValueCell]] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    grids: list[Table] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    engine: str = ""
    title: str = ""
    agency: str | None = None
    year: int | None = None
    prose_received: int | None = None  # 共收到…申请N件 in section 一
    page_sources: list[str] = field(default_factory=list)  # per page: "text" (its text layer) or "ocr"
    traceback: str = ""  # an unexpected error's traceback, for the log (not in the JSON)

    def unread_cells(self) -> list[ValueCell]:
        """The canonical cells of the tables found whose value could not be read."""
        return [c for cells in self.tables.values() for c in cells if c.value is None]

    @property
    def failed_checks(self) -> list[CheckResult]:
        """The checks whose relation fails."""
        return [c for c in self.checks if c.status == CheckStatus.FAIL]

    @property
    def table_keys(self) -> list[str]:
        """The keys of the layout's tables this report holds (found or not), in print order."""
        return list(self.tables)

    def table(self, key: str) -> pd.DataFrame:
        """One table as a DataFrame indexed by the canonical row keys, columns the column keys;
        counts as nullable integers (Int64), amounts as Float64, an unread cell <NA>.
        A table of a layout's that was not found is an empty frame; an unknown key a KeyError."""
        if key not in self.tables:
            known = ", ".join(self.tables) or "none: no layout was recognised"
            raise KeyError(f"no table {key!r} in {self.document}; its tables: {known}")
        cells = self.tables[key]
        rows = list(dict.fromkeys(c.row for c in cells))
        cols = list(dict.fromkeys(c.col for c in cells))
        frame = pd.DataFrame(index=pd.Index(rows, name="row"), columns=pd.Index(cols, name="col"), dtype=object)
        for cell in cells:
            frame.loc[cell.row, cell.col] = cell.value
        return frame.apply(_typed)

    @classmethod
    def from_json(cls, data: dict) -> Report:
        """A Report read back from its JSON (to_json), for the writers and for programs that read
        results; the generic grids are not read back."""
        return cls(
            document=data["document"], source=list(data.get("source") or []), status=ReportStatus(data.get("status", "ok")),
            layout=data.get("layout"),
            tables={key: [ValueCell.from_json(key, c) for c in table.get("cells") or []]
                    for key, table in (data.get("tables") or {}).items()},
            checks=[CheckResult.from_json(c) for c in data.get("checks") or []],
            errors=list(data.get("errors") or []), pages=data.get("pages") or 0, seconds=data.get("seconds") or 0.0,
            engine=data.get("engine") or "", title=data.get("title") or "", agency=data.get("agency"),
            year=data.get("year"), prose_received=(data.get("prose") or {}).get("new_received"),
            page_sources=list(data.get("page_sources") or []),
        )

    def to_json(self) -> dict:
        """The report as the output contract's JSON data."""
        return {
            "schema_version": SCHEMA_VERSION,
            "document": self.document,
            "source": self.source,
            "status": str(self.status),
            "layout": self.layout,
            "tables": {key: {"cells": [c.to_json() for c in cells]} for key, cells in self.tables.items()},
            "checks": [c.to_json() for c in self.checks],
            "errors": self.errors,
            "pages": self.pages,
            "page_sources": self.page_sources,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            # Figures the prose of section 一 states (共收到…申请N件), for the prose checks.
            "prose": {"new_received": self.prose_received},
            "grids": [grid_json(t) for t in self.grids],
        }


def _typed(column: pd.Series) -> pd.Series:
    """A column of counts as Int64, of any fraction as Float64 (None becomes <NA>)."""
    numbers = pd.to_numeric(column, errors="coerce")
    whole = numbers.dropna()
    return numbers.astype("Int64" if (whole == whole.round()).all() else "Float64")


def grid_json(table: Table) -> dict:
    """Any ruled table, as a generic grid of spanned cells."""
    return {
        "pages": table.pages,
        "n_rows": table.n_rows,
        "n_cols": table.n_cols,
        "header_rows": table.header_rows,
        "label_cols": table.label_cols,
        "cells": [
            {
                "row": c.row,
                "col": c.col,
                "row_span": c.row_span,
                "col_span": c.col_span,
                "text": c.text,
                "confidence": round(float(c.confidence), 4),
                "page": c.page,
                "bbox": list(c.bbox),
                **({"flags": list(c.flags)} if c.flags else {}),
            }
            for c in table.cells
        ],
    }
