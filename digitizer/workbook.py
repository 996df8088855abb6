"""Stage 8 (Excel): one workbook per document, each table laid out as the report prints it.

A layout table becomes a sheet with its title, its printed header rows (a parent header merged
over its columns), its label columns (a group label such as （三）不予公开 merged down its rows,
inside the group that holds it), and the values as numbers. Blocks (table 二's 第二十条 items) are
stacked as the report stacks them; a table whose keys come from its header (table 四) is one row
of values under three header rows. Everything is read from the layout's data, so a new layout
needs no code here.

Colours: a cell of a failing relation light red, a suspect of a failure red, a corrected cell
amber with a comment saying what was read, an unread cell gray. A "checks" sheet lists every
relation written out. A document without a recognised layout gets its ruled grids as printed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .layouts import AxisEntry, TableSpec, get_layout
from .report import Report
from .types import CheckStatus, Table, ValueCell

FAILING = PatternFill("solid", fgColor="F8CBAD")
SUSPECT = PatternFill("solid", fgColor="FF7C80")
CORRECTED = PatternFill("solid", fgColor="FFD966")
UNREAD = PatternFill("solid", fgColor="D9D9D9")
HEADER = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
WIDEST = 40  # characters: a longer label wraps


@dataclass
class _Section:
    """One block of a table as a grid: header paths of its value columns, label paths of its
    rows, and the cell of each (row, column)."""

    caption: str | None
    columns: list[list[str]]
    rows: list[list[str]]
    cells: list[list[ValueCell | None]] = field(default_factory=list)


def _nesting(entries: Sequence[AxisEntry]) -> list[list[str]]:
    """Each entry's label path, outermost first. A parent whose rows lie inside another parent's
    rows is nested in it (（三）不予公开 inside 三、本年度办理结果), as the report draws it."""
    spans: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(entries):
        if entry.parent:
            first, _ = spans.get(entry.parent, (i, i))
            spans[entry.parent] = (first, i)

    def outer(group: str) -> str | None:
        first, last = spans[group]
        holders = [g for g, (f, t) in spans.items() if g != group and f < first and last < t]
        return max(holders, key=lambda g: spans[g][0]) if holders else None

    paths = []
    for entry in entries:
        path, group = [entry.label], entry.parent
        while group is not None and group not in path:
            path.insert(0, group)
            group = outer(group)
        paths.append(path)
    return paths


def _sections(spec: TableSpec, cells: list[ValueCell]) -> list[_Section]:
    by_key = {(c.row, c.col): c for c in cells}
    printed_rows = {c.row for c in cells}
    sections = []
    if spec.keys_from == "column_header":
        pairs = [(r, c) for block in spec.blocks for r in block.rows for c in block.cols if r.key in printed_rows]
        row_paths = dict(zip([r.key for r, _ in pairs], _nesting([r for r, _ in pairs]), strict=True))
        columns = [[*row_paths[r.key], c.label] for r, c in pairs]
        values = [[by_key.get((r.key, c.key)) for r, c in pairs]]
        return [_Section(None, columns, [[]], values)]
    for block in spec.blocks:
        rows = [r for r in block.rows if r.key in printed_rows]
        if not rows:
            continue
        section = _Section(block.caption or None, _nesting(block.cols), _nesting(rows))
        section.cells = [[by_key.get((r.key, c.key)) for c in block.cols] for r in rows]
        sections.append(section)
    return sections


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _put(sheet: Worksheet, row: int, col: int, value, rows: int = 1, cols: int = 1, *, header: bool = False) -> None:
    """A value at (row, col), merged over rows x cols, boxed; headers shaded and centred."""
    cell = sheet.cell(row=row, column=col, value=value)
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            sheet.cell(row=r, column=c).border = BOX
            if header:
                sheet.cell(row=r, column=c).fill = HEADER
    cell.alignment = CENTRE if header else WRAP
    if rows > 1 or cols > 1:
        sheet.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)


def _paths_down(sheet: Worksheet, paths: list[list[str]], top: int, left: int, depth: int, *, across: bool,
                header: bool, widths: list[int] | None = None, stretch_first: bool = False) -> None:
    """Label paths laid out from (top, left): one line per path (a row when `across`, else a
    column, `widths` places wide), its labels over `depth` levels; a group shared by neighbouring
    lines merged over them. A path shorter than `depth` stretches its first label (a header: 行政复议
    over the two rows that 行政诉讼 splits) or its last (a row label: （一）予以公开 beside the
    group labels of its neighbours)."""
    widths = widths or [1] * len(paths)
    offsets = [sum(widths[:i]) for i in range(len(paths))]

    def levels(path: list[str]) -> list[tuple[int, int]]:
        extra = depth - len(path)
        if stretch_first:
            return [(0, 1 + extra)] + [(i + extra, 1) for i in range(1, len(path))]
        return [(i, 1) for i in range(len(path) - 1)] + [(len(path) - 1, 1 + extra)]

    for k in range(depth):
        line = 0
        while line < len(paths):
            path = paths[line]
            if k >= len(path):
                line += 1
                continue
            run = 1
            if k < len(path) - 1:  # a group: as many neighbours as share it, drawn alike
                while (line + run < len(paths) and len(paths[line + run]) > k + 1
                       and paths[line + run][: k + 1] == path[: k + 1]
                       and levels(paths[line + run])[k] == levels(path)[k]):
                    run += 1
            start, span = levels(path)[k]
            breadth = sum(widths[line : line + run])
            if across:
                _put(sheet, top + offsets[line], left + start, path[k], breadth, span, header=header)
            else:
                _put(sheet, top + start, left + offsets[line], path[k], span, breadth, header=header)
            line += run


def _checks_by_cell(report: Report) -> tuple[dict, dict]:
    failing: dict[tuple[str, ...], list[str]] = {}
    suspects: dict[tuple[str, ...], list[str]] = {}
    for check in report.failed_checks:
        written = check.relation or f"{check.rule} {check.key}"
        for ref in check.cells:
            failing.setdefault(tuple(ref), []).append(written)
        for ref in check.suspects or []:
            suspects.setdefault(tuple(ref), []).append(written)
    return failing, suspects


def _value(sheet: Worksheet, row: int, col: int, cell: ValueCell | None, span: int, marks: tuple[dict, dict]) -> None:
    failing, suspects = marks
    _put(sheet, row, col, None if cell is None else cell.value, 1, span)
    target = sheet.cell(row=row, column=col)
    target.alignment = Alignment(horizontal="right", vertical="center")
    if cell is None:
        return
    ref = (cell.table, cell.row, cell.col)
    notes = []
    if cell.value is None:
        target.fill = UNREAD
        notes.append(f"not read (printed: {cell.text!r})" if cell.text else "not read")
    if cell.read_as is not None:
        target.fill = CORRECTED
        notes.append(f"read {cell.read_as!r}, written {cell.value}: {cell.corrected_by}")
    if ref in failing:
        target.fill = SUSPECT if ref in suspects else FAILING
        notes += [f"{'suspect in' if ref in suspects else 'in'} a failing relation: {w}" for w in failing[ref]]
    if notes:
        target.comment = Comment("\n".join(notes), "digitizer", width=360, height=120)


def _table_sheet(sheet: Worksheet, spec: TableSpec, cells: list[ValueCell], marks: tuple[dict, dict]) -> None:
    sections = _sections(spec, cells)
    labels = max((len(p) for s in sections for p in s.rows), default=0)
    width = max((len(s.columns) for s in sections), default=1)
    _put(sheet, 1, 1, spec.title, 1, labels + width)
    sheet.cell(row=1, column=1).font = Font(bold=True)
    top = 2
    for section in sections:
        if section.caption:
            _put(sheet, top, 1, section.caption, 1, labels + width, header=True)
            top += 1
        depth = max(len(p) for p in section.columns)
        stretch = width - len(section.columns) + 1  # a narrower block's last column reaches the edge
        widths = [1] * (len(section.columns) - 1) + [stretch]
        if labels:
            _put(sheet, top, 1, None, depth, labels, header=True)
        _paths_down(sheet, section.columns, top, labels + 1, depth, across=False, header=True, widths=widths,
                    stretch_first=True)
        top += depth
        if labels:
            _paths_down(sheet, section.rows, top, 1, labels, across=True, header=False)
        for i, row in enumerate(section.cells):
            for j, cell in enumerate(row):
                span = stretch if j == len(row) - 1 else 1
                _value(sheet, top + i, labels + 1 + j, cell, span, marks)
        top += len(section.cells)
    sheet.freeze_panes = f"{get_column_letter(labels + 1)}2"


def _grid_sheet(sheet: Worksheet, grid: Table) -> None:
    for cell in grid.cells:
        _put(sheet, cell.row + 1, cell.col + 1, cell.text, cell.row_span, cell.col_span,
             header=cell.row in grid.header_rows)


def _checks_sheet(sheet: Worksheet, report: Report) -> None:
    columns = ["rule", "key", "status", "relation", "expected", "actual", "suspects"]
    for j, name in enumerate(columns, 1):
        _put(sheet, 1, j, name, header=True)
    for i, check in enumerate(report.checks, 2):
        values = [check.rule, check.key, check.status, check.relation, check.expected, check.actual,
                  "; ".join("/".join(ref) for ref in check.suspects or [])]
        for j, value in enumerate(values, 1):
            _put(sheet, i, j, value)
        if check.status in (CheckStatus.FAIL, CheckStatus.WARN):
            sheet.cell(row=i, column=3).fill = SUSPECT if check.status == CheckStatus.FAIL else CORRECTED
    sheet.freeze_panes = "A2"


def fit_columns(sheet: Worksheet) -> None:
    """Each column as wide as its widest single cell (CJK characters count two), at most WIDEST."""
    merged = {cell for rng in sheet.merged_cells.ranges for row in sheet[rng.coord] for cell in row}
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or (cell in merged and len(str(cell.value)) > 8):
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _width(str(cell.value)))
    for column in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(widths.get(column, 6), 6), WIDEST) + 2


def build_workbook(report: Report) -> Workbook | None:
    """The document's workbook, or None when nothing was read."""
    if not report.tables and not report.grids:
        return None
    book = Workbook()
    book.remove(book.active)
    if report.tables and report.layout:
        layout = get_layout(report.layout)
        marks = _checks_by_cell(report)
        for key, cells in report.tables.items():
            sheet = book.create_sheet(key[:31])
            _table_sheet(sheet, layout.tables[key], cells, marks)
        _checks_sheet(book.create_sheet("checks"), report)
    else:
        for index, grid in enumerate(report.grids, 1):
            _grid_sheet(book.create_sheet(f"table_{index}"), grid)
    for sheet in book.worksheets:
        fit_columns(sheet)
    return book

