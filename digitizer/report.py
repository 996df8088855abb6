"""The result for one document: what the JSON contract (shared/spec/output-contract.md) holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .types import CheckResult, Table, ValueCell


@dataclass
class Report:
    document: str
    source: list[str]
    status: str = "ok"  # ok | partial | failed
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
    traceback: str = ""  # an unexpected error's traceback, for the log (not in the JSON)

    def unread_cells(self) -> list[ValueCell]:
        """The canonical cells of the tables found whose value could not be read."""
        return [c for cells in self.tables.values() for c in cells if c.value is None]

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "fail"]

    def table(self, key: str) -> pd.DataFrame:
        """One table as a DataFrame indexed by the canonical row keys, columns the column keys."""
        cells = self.tables.get(key, [])
        rows = list(dict.fromkeys(c.row for c in cells))
        cols = list(dict.fromkeys(c.col for c in cells))
        frame = pd.DataFrame(index=pd.Index(rows, name="row"), columns=pd.Index(cols, name="col"), dtype=object)
        for cell in cells:
            frame.loc[cell.row, cell.col] = cell.value
        return frame

    def to_json(self) -> dict:
        return {
            "document": self.document,
            "source": self.source,
            "status": self.status,
            "layout": self.layout,
            "tables": {key: {"cells": [c.to_json() for c in cells]} for key, cells in self.tables.items()},
            "checks": [c.to_json() for c in self.checks],
            "errors": self.errors,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "grids": [grid_json(t) for t in self.grids],
        }


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
