"""Stage inputs stored as JSON: one document's page tables as the reconstruct stage rebuilt them
from the grids and the cell readings (OpenCV and the OCR models behind them), so that the stages
after it (joining continued tables, layout mapping, checks, export) are tested without models.

    python -m tests.stages.stored DOC...    record scans/DOC's page tables into data/DOC.json

Recording runs the real pipeline; the tests compare what the later stages make of the record with
the document's ground truth (scans/truth), never with a recorded output."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from digitizer.load import discover, load_pages
from digitizer.pipeline import Digitizer
from digitizer.settings import Settings
from digitizer.types import CellReading, Table, TableCell

DATA = Path(__file__).resolve().parent / "data"
SCANS = Path(__file__).resolve().parents[2] / "scans"


def table_to_json(table: Table) -> dict:
    out = asdict(table)
    for cell in out["cells"]:
        cell["bbox"] = list(cell["bbox"])
        cell["straight_bbox"] = list(cell["straight_bbox"]) if cell["straight_bbox"] else None
        cell["flags"] = list(cell["flags"])
    return out


def table_from_json(data: dict) -> Table:
    cells = [TableCell(**{**c, "bbox": tuple(c["bbox"]),
                          "straight_bbox": tuple(c["straight_bbox"]) if c["straight_bbox"] else None,
                          "reading": CellReading(**c["reading"]) if c["reading"] else None,
                          "flags": tuple(c["flags"])})
             for c in data["cells"]]
    return Table(**{**data, "cells": cells})


def load_record(document: str) -> tuple[list[list[Table]], int | None]:
    """A recorded document's tables page by page, and the year its title gives."""
    data = json.loads((DATA / f"{document}.json").read_text(encoding="utf-8"))
    return [[table_from_json(t) for t in page] for page in data["pages"]], data["year"]


def record(document: str) -> Path:
    source = next(s for s in discover([SCANS]) if s.document == document)
    digitizer = Digitizer(Settings(workers=1))
    pages = [digitizer.page_tables(page)[0] for page in load_pages(source, digitizer.settings)]
    year = digitizer.run(source).year
    target = DATA / f"{document}.json"
    target.write_text(json.dumps({"document": document, "year": year,
                                  "pages": [[table_to_json(t) for t in page] for page in pages]},
                                 ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return target


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(record(name))
