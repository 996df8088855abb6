"""Plain data passed between the stages. Everything here is small and picklable."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive) in pixels


def bbox_inside(inner: BBox, outer: BBox, slack: float = 0) -> bool:
    """Whether box `inner` lies within `outer`, `slack` pixels past its sides allowed."""
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


@dataclass(frozen=True)
class DocumentSource:
    """One document: a file, or loose page images grouped by their shared stem."""

    document: str  # the id: the file stem, made longer only where two documents share one
    paths: tuple[Path, ...]
    # Path from the input folder without extension (`p/rep`; loose pages: `p/rep`): where the
    # document is, which tells two same-named documents apart.
    relative: str = ""


@dataclass
class TextLayer:
    """The characters a born-digital PDF page holds (digitizer.textlayer), each with its box."""

    chars: str  # one character per box, in the PDF's order
    boxes: np.ndarray  # (N, 4) float32: x0, y0, x1, y1 in pixels of the page as loaded
    # The page's drawn rules (thin dark path objects: table borders, dots and dashes of dotted
    # ones), boxes in the same pixels; empty where it draws none.
    rules: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))


@dataclass
class Page:
    number: int  # 1-based, in document order
    image: np.ndarray  # uint8, as loaded: grayscale (H, W) or RGB (H, W, 3)
    source: str
    text: TextLayer | None = None  # a PDF page's usable text layer, or None (read by OCR)


@dataclass
class StraightPage:
    number: int
    image: np.ndarray  # grayscale uint8, deskewed
    to_original: np.ndarray  # 3x3 homography: straightened pixel -> loaded-page pixel
    skew_degrees: float = 0.0
    text: TextLayer | None = None  # in loaded-page pixels: read through to_original
    # Where grids were drawn from the text positions (digitizer.textgrid): each box of print the
    # detector found, in these pixels, with what it reads; the cells are read from them.
    words: list[tuple[BBox, CellReading]] | None = None


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox  # interior of the cell (inside its ruling lines), straightened-page pixels
    flags: tuple[str, ...] = ()  # where the grid and the text positions disagree (digitizer.completion)


@dataclass
class Grid:
    """A ruled table found on one page: its line positions and its (possibly merged) cells."""

    page: int
    bbox: BBox
    row_lines: list[int]
    col_lines: list[int]
    cells: list[GridCell]
    # Enclosed areas that are no rectangle (an L or a U of cells whose rules were not found), as
    # (bbox, boolean mask of the bbox): not cells, but where digitizer.completion looks for rules.
    open_areas: list[tuple[BBox, np.ndarray]] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Rows of the grid's finest division."""
        return len(self.row_lines) - 1

    @property
    def n_cols(self) -> int:
        """Columns of the grid's finest division."""
        return len(self.col_lines) - 1


@dataclass(frozen=True)
class CellReading:
    """What the recognizer read in one cell: the full-alphabet text and a digits-only reading."""

    text: str
    confidence: float
    numeric_text: str | None = None  # decoding restricted to digits, signs, separators, units
    numeric_confidence: float = 0.0
    lines: int = 0  # text lines found in the cell (0 = blank)


@dataclass
class TableCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    confidence: float
    page: int
    bbox: BBox  # loaded-page pixels
    reading: CellReading | None = None
    straight_bbox: BBox | None = None  # straightened-page pixels, for reading the cell again
    flags: tuple[str, ...] = ()  # the grid's doubts about this cell (GridCell.flags)


@dataclass
class Table:
    """A logical table: one ruled grid, or several joined across pages."""

    pages: list[int]
    n_rows: int
    n_cols: int
    cells: list[TableCell]
    header_rows: list[int] = field(default_factory=list)
    label_cols: int = 0
    # Column rule positions as fractions of the table's width (0 = left border, 1 = right border).
    col_rules: list[float] = field(default_factory=list)
    # The line of print just above the table, outside its rules ("行政复议" over table 四's
    # review half drawn as a table of its own), or "".
    caption: str = ""

    def at(self, row: int, col: int) -> TableCell | None:
        """The cell covering (row, col), a spanned cell included; None where there is none."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.row_span and cell.col <= col < cell.col + cell.col_span:
                return cell
        return None


@dataclass
class ValueCell:
    """A cell mapped onto the layout's canonical keys, with its parsed value."""

    table: str
    row: str
    col: str
    value: int | float | None
    text: str
    confidence: float
    page: int | None
    bbox: BBox | None
    unit: str | None = None
    read_as: str | None = None  # the first reading, when a re-reading corrected the cell
    corrected_by: str | None = None
    straight_bbox: BBox | None = None  # not exported: where to read the cell again
    # Where the ruled grid and the text positions disagree about this cell, or a rule was inferred
    # (digitizer.completion): the value may belong to a neighbour.
    flags: list[str] = field(default_factory=list)
    # The layout's labels of the row and the column, as the template prints them.
    row_label: str = ""
    col_label: str = ""

    def to_json(self) -> dict:
        """The cell as the output contract's JSON data."""
        out: dict[str, object] = {
            "row": self.row,
            "col": self.col,
            "row_label": self.row_label,
            "col_label": self.col_label,
            "value": self.value,
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox else None,
        }
        if self.unit:
            out["unit"] = self.unit
        if self.read_as is not None:
            out["read_as"] = self.read_as
            out["corrected_by"] = self.corrected_by
        if self.flags:
            out["flags"] = list(self.flags)
        return out

    @classmethod
    def from_json(cls, table: str, data: dict) -> ValueCell:
        """A cell as to_json wrote it (older reports without labels too)."""
        bbox = data.get("bbox")
        return cls(table, data["row"], data["col"], data.get("value"), data.get("text") or "",
                   float(data.get("confidence") or 0.0), data.get("page"), tuple(bbox) if bbox else None,
                   data.get("unit"), data.get("read_as"), data.get("corrected_by"),
                   flags=list(data.get("flags") or []), row_label=data.get("row_label") or "",
                   col_label=data.get("col_label") or "")


class CheckStatus(StrEnum):
    """How one relation came out for one key (written to the JSON as its value)."""

    PASS = "pass"
    FAIL = "fail"  # the printed numbers do not add up
    SKIP = "skip"  # a cell of it could not be read
    WARN = "warn"  # a relation that may fail in a true report (last year's carried over, the prose's count)


class ReportStatus(StrEnum):
    """How one document came out (written to the JSON as its value)."""

    OK = "ok"
    PARTIAL = "partial"  # read, but a table was not found or cells were left unread
    FAILED = "failed"  # not read at all: the error says why


@dataclass
class CheckResult:
    rule: str
    key: str
    status: CheckStatus
    expected: int | float | None
    actual: int | float | None
    cells: list[tuple[str, str, str]]
    suspects: list[tuple[str, str, str]] | None = None  # for a failure: likeliest culprit cells first
    # The relation written out with this key's values: "natural_person: new_received + carried_over
    # (101 + 0) = r7_total + carry_forward (100 + 2)".
    relation: str = ""

    def to_json(self) -> dict:
        """The check as the output contract's JSON data."""
        out = {
            "rule": self.rule,
            "key": self.key,
            "relation": self.relation,
            "status": str(self.status),
            "expected": self.expected,
            "actual": self.actual,
            "cells": [list(c) for c in self.cells],
        }
        if self.suspects is not None:
            out["suspects"] = [list(c) for c in self.suspects]
        return out

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        """A check read back from the output contract's JSON data."""
        suspects = data.get("suspects")
        return cls(data["rule"], data["key"], CheckStatus(data["status"]), data.get("expected"), data.get("actual"),
                   [tuple(ref) for ref in data.get("cells") or []],
                   [tuple(ref) for ref in suspects] if suspects is not None else None,
                   relation=data.get("relation") or "")
