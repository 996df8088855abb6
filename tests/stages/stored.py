"""Stage inputs stored as JSON, recorded from scans/ through OpenCV and the OCR models, so that
the stages after them are tested without models:

- data/DOC.json: one document's page tables as the reconstruct stage rebuilt them (for joining
  continued tables, layout mapping, checks, export);
- data/DOC.cells.json: each page's grids (the grid stage's, completed) and cell readings (the
  OCR stage's), with the captions read over its tables and the map back to the loaded page (for
  the reconstruct stage).

    python -m tests.stages.stored DOC...    record both for scans/DOC

Recording runs the real pipeline; the tests compare what the later stages make of the record with
the document's ground truth (scans/truth), never with a recorded output."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from digitizer.load import discover, load_pages
from digitizer.pipeline import Digitizer
from digitizer.settings import Settings
from digitizer.types import CellReading, Grid, GridCell, Table, TableCell

DATA = Path(__file__).resolve().parent / "data"
SCANS = Path(__file__).resolve().parents[2] / "scans"


def recorded() -> list[str]:
    """The documents whose page tables are recorded."""
    return sorted(p.stem for p in DATA.glob("*.json") if not p.name.endswith(".cells.json"))


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


def grid_to_json(grid: Grid) -> dict:
    assert not grid.open_areas, "a completed grid's open areas are not recorded"
    out = asdict(grid)
    del out["open_areas"]
    for cell in out["cells"]:
        cell["bbox"], cell["flags"] = list(cell["bbox"]), list(cell["flags"])
    return out


def grid_from_json(data: dict) -> Grid:
    cells = [GridCell(**{**c, "bbox": tuple(c["bbox"]), "flags": tuple(c["flags"])}) for c in data["cells"]]
    return Grid(**{**data, "bbox": tuple(data["bbox"]), "cells": cells})


def load_cells(document: str) -> list[dict]:
    """A recorded document's pages: each with `grids`, `readings` (one list per grid), `captions`
    (of the tables reconstruct keeps, in order) and `to_original` (3x3)."""
    data = json.loads((DATA / f"{document}.cells.json").read_text(encoding="utf-8"))
    return [{"grids": [grid_from_json(g) for g in page["grids"]],
             "readings": [[CellReading(**r) for r in rs] for rs in page["readings"]],
             "captions": page["captions"], "to_original": np.array(page["to_original"])}
            for page in data["pages"]]


def record(document: str) -> Path:
    source = next(s for s in discover([SCANS]) if s.document == document)
    digitizer = Digitizer(Settings(workers=1))
    read, cells = [], []
    for page in load_pages(source, digitizer.settings):
        straight, grids = digitizer.prepare(page)
        readings = digitizer.read_cells(straight, grids)
        tables, read_from = digitizer.rebuild(straight, grids, readings)
        assert read_from is straight, "a page read turned round: its grids are not those recorded"
        read.append((tables, straight))
        per_grid, start = [], 0
        for g in grids:
            per_grid.append([asdict(r) for r in readings[start : start + len(g.cells)]])
            start += len(g.cells)
        cells.append({"grids": [grid_to_json(g) for g in grids], "readings": per_grid,
                      "captions": [t.caption for t in tables], "to_original": straight.to_original.tolist()})
    pages = [tables for tables, _ in read]
    year = digitizer.front_matter(read[0][1], read[0][0]).year if read else None
    (DATA / f"{document}.cells.json").write_text(json.dumps({"document": document, "pages": cells},
                                                            ensure_ascii=False, separators=(",", ":")),
                                                 encoding="utf-8")
    target = DATA / f"{document}.json"
    target.write_text(json.dumps({"document": document, "year": year,
                                  "pages": [[table_to_json(t) for t in page] for page in pages]},
                                 ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return target


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(record(name))
