"""Plain data passed between the stages. Everything here is small and picklable."""

from __future__ import annotations

from dataclasses import dataclass, field
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
class Page:
    number: int  # 1-based, in document order
    image: np.ndarray  # uint8, as loaded: grayscale (H, W) or RGB (H, W, 3)
    source: str


@dataclass
class StraightPage:
    number: int
    image: np.ndarray  # grayscale uint8, deskewed
    to_original: np.ndarray  # 3x3 homography: straightened pixel -> loaded-page pixel
    skew_degrees: float = 0.0


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
        return len(self.row_lines) - 1

    @property
    def n_cols(self) -> int:
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

    def to_json(self) -> dict:
        out = {
            "row": self.row,
            "col": self.col,
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


@dataclass
class CheckResult:
    rule: str
    key: str
    status: str  # pass | fail | skip | warn
    expected: int | float | None
    actual: int | float | None
    cells: list[tuple[str, str, str]]
    suspects: list[tuple[str, str, str]] | None = None  # for a failure: likeliest culprit cells first

    def to_json(self) -> dict:
        out = {
            "rule": self.rule,
            "key": self.key,
            "status": self.status,
            "expected": self.expected,
            "actual": self.actual,
            "cells": [list(c) for c in self.cells],
        }
        if self.suspects is not None:
            out["suspects"] = [list(c) for c in self.suspects]
        return out
