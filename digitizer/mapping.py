"""Stage 6: decide the layout of a document and map its tables onto the canonical keys.

Rows and columns are found by their printed labels, fuzzily (OCR misreads labels too), and
assigned one-to-one (Hungarian assignment on the similarity matrix), never by position alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from opencc import OpenCC
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from .layouts import AxisEntry, Layout, TableSpec, load_layouts
from .numbers import as_comma_point, as_separator_count, parse_number, strip_specks
from .reconstruct import transpose
from .types import Table, TableCell, ValueCell

_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)


# The recognizer's alphabet holds both scripts, and bold print ("上一年项目数量" in 黑体 on a 1-bit
# scan) often reads in traditional forms ("上一年項日數量"): labels compare in simplified ones.
_TO_SIMPLIFIED = OpenCC("t2s")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """A label reduced to what is compared: NFKC (full-width to half-width), simplified forms, no
    spaces or punctuation."""
    return _NOT_WORD.sub("", _TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text)))


def similarity(a: str, b: str) -> float:
    """How alike two labels are, 0-100 (rapidfuzz ratio of their normalised forms)."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b))


@dataclass
class ObservedRow:
    row: int
    leaf: str
    parents: list[str]
    run: int  # which header run (block) the row sits under


@dataclass
class ObservedColumn:
    col: int
    run: int
    leaf: str
    parents: list[str]


@dataclass
class TableView:
    """A table as the matcher sees it: labelled body rows and header paths per block."""

    table: Table
    rows: list[ObservedRow]
    columns: list[ObservedColumn]
    runs: int

    def labels(self) -> list[str]:
        """The leaf labels of the table's rows and columns."""
        return [r.leaf for r in self.rows if r.leaf] + [c.leaf for c in self.columns if c.leaf]


def _distinct(cells: list[TableCell | None]) -> list[TableCell]:
    out: list[TableCell] = []
    for cell in cells:
        if cell is not None and all(cell is not c for c in out):
            out.append(cell)
    return out


def view(table: Table) -> TableView:
    """A table as rows and columns with their labels: each column's header path (a group header
    over its leaves), each row's label cells, spans carried over the rows and columns they cover."""
    headers = set(table.header_rows)
    rows: list[ObservedRow] = []
    columns: list[ObservedColumn] = []
    run_rows: list[int] = []
    run = -1
    previous_was_header = False
    for r in range(table.n_rows):
        if r in headers:
            if not previous_was_header:
                run += 1
                run_rows = []
            run_rows.append(r)
            previous_was_header = True
            continue
        if previous_was_header or run < 0:
            if run < 0:
                run = 0
            # The caption over the table heads every column of its first header (table 四's
            # halves drawn as tables of their own under 行政复议 and 行政诉讼).
            caption = [table.caption] if table.caption and run == 0 else []
            for c in range(table.label_cols, table.n_cols):
                path = [text for cell in _distinct([table.at(h, c) for h in run_rows])
                        if (text := cell.text or _group_text(table, cell, run_rows))]
                path = caption + path if path else path
                # A column under a header run with nothing printed over it is still a column (its
                # header cell spanned rows that went to the page before): _assign pairs it by its
                # place between the columns whose headers read.
                # ... but not a column with nothing in it at all (the gap of a double border,
                # cut into a sliver of cells): it would lengthen the run the order pairs up.
                if not path and not any(cell.text for cell in _distinct([table.at(b, c) for b in range(table.n_rows)
                                                                          if b not in headers])):
                    continue
                if (path or run_rows) and not any(col.run == run and col.col == c for col in columns):
                    columns.append(ObservedColumn(c, run, path[-1] if path else "", path[:-1]))
        previous_was_header = False
        cells = [c for c in _distinct([table.at(r, c) for c in range(table.label_cols)]) if c.text]
        labels = [c.text for c in cells]
        if cells and cells[-1].row_span > 1:
            # One label cell over rows whose rule between them was not printed: it holds an item
            # for each ("4.无正当理由大量反复申请5.要求行政机关确认或重新出具已获取信息").
            items = _items(cells[-1].text, cells[-1].row_span)
            labels[-1] = items[r - cells[-1].row] if items else labels[-1]
        rows.append(ObservedRow(r, labels[-1] if labels else "", labels[:-1], run))
    return TableView(table, rows, columns, run + 1)


def _group_text(table: Table, blank: TableCell, run_rows: list[int]) -> str:
    """The words of the group header a blank header cell is the rest of: a rule found through a
    group header cell ("复议后起诉" | blank, over its five leaf columns) leaves its right part
    blank. Such a part lies right of a group header cell of the same header row spanning two
    columns or more, and has leaf headers under it (the blank right of 法人或其他组织, over a
    blank, is 总计's header cell split by a rule, no part of the group)."""
    row = blank.row
    if blank.row_span != 1 or row + 1 not in run_rows or blank.col <= table.label_cols:
        return ""
    under = _distinct([table.at(row + 1, c) for c in range(blank.col, blank.col + blank.col_span)])
    if not under or not all(cell.row == row + 1 and cell.text.strip() for cell in under):
        return ""
    left = table.at(row, blank.col - 1)
    if left is None or left.row != row or left.row_span != 1 or left.col_span < 2 or not left.text.strip():
        return ""
    return left.text


_NUMBERED = re.compile(r"(?<![\d.．])(?:[(（]\s*(\d{1,2})\s*[)）]|(\d{1,2})\s*[.．、])")


def _items(text: str, count: int) -> list[str] | None:
    """`text` cut into `count` numbered items, where it holds exactly so many numbered one after
    another (2., 3., 4. or (2), (3), (4); a group's numbering may start again at 1 within it: the
    rule under (8)属于行政查询事项 lost, the cell runs on into (四)'s (1)本机关不掌握…) and starts
    with the first; else None."""
    marks = list(_NUMBERED.finditer(text))
    numbers = [int(m.group(1) or m.group(2)) for m in marks]
    if len(marks) != count or marks[0].start() != len(text) - len(text.lstrip()) or \
            any(n != before + 1 and n != 1 for before, n in zip(numbers, numbers[1:])):
        return None
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [text[m.start():end].strip() for m, end in zip(marks, ends)]


PLACED_BY_ORDER = 30.0  # similarity from which a label between two sure matches takes its place
# ... for a column, any: a report may leave rows out or add its own, but its columns are the
# template's, in the template's order; as many columns between two sure ones (or the table's ends)
# as entries left there are those entries, however their headers read (a header of words stacked
# a character a line, at 75 dpi, reads as noise).
COLUMNS_BY_ORDER = 0.0
# A column label read this surely keeps its key out of the template's order (a label or alias
# spelled out, a misread character at most).
SURE_ORDER_BREAK = 90.0
LEAF_ALONE = 0.65  # share of its leaf's similarity a column header scores whatever its group reads
TIE_BY_PLACE = 1e-3  # similarity a column gives up per unit of place (0..1) away from its entry's


def _increasing(pairs: list[tuple[int, int]], scores: np.ndarray) -> list[tuple[int, int]]:
    """Of pairs (observed, entry), the ones in the same order on both sides that score most
    together, and every pair whose label is read for sure: columns are printed in the template's
    order, so a doubtful pair that crosses surer ones is a misreading's (the 总计 under a seal's
    "に政込", which shares 政 with 行政复议, taken for review's; 尚未审结 under a group header cut
    to "妾起诉" taken for 复议后起诉's, and its neighbour's left out of the order that places it);
    but a report may print a block's columns in an order of its own, in words it spells out
    (肖村乡 2021: 现行有效数量 before 本年新制发数量)."""
    sure = [p for p in pairs if scores[p] >= SURE_ORDER_BREAK]
    pairs = sorted(pairs)
    best = [float(scores[o, e]) for o, e in pairs]
    before = [-1] * len(pairs)
    for i, (o, e) in enumerate(pairs):
        for j in range(i):
            if pairs[j][1] < e and best[j] + scores[o, e] > best[i]:
                best[i], before[i] = best[j] + float(scores[o, e]), j
    kept = []
    i = int(np.argmax(best)) if pairs else -1
    while i >= 0:
        kept.append(pairs[i])
        i = before[i]
    return sorted(set(kept) | set(sure))


def _assign(scores: np.ndarray, threshold: float, floor: float = PLACED_BY_ORDER,
            rivals: list[set[int]] | None = None, taken: set[int] | None = None,
            in_order: bool = False) -> list[tuple[int, int]]:
    """One-to-one pairs (observed, entry) by label similarity.

    Labels matched at `threshold` are anchors; between two anchors, a run of unmatched printed
    labels exactly as long as the run of unmatched layout entries is paired in order, if each pair
    still resembles (>= floor): a two-character label with one misread character ("其它") scores
    only 50, but its place between two sure matches settles it. One label in such a run (alone
    there, or the only one that does not resemble its entry) is paired by its place however it
    reads: "总计" misread as "ait" after the five sure organisation columns, or as "at" after
    "Ⅱ他" (其他) in a blurred scan. `rivals[e]`: entries that are not
    printed where entry e is (the other template's drawing of the same rows), left out of a run
    once e is matched. `taken`: entries placed elsewhere (an earlier part of the table), left out
    of a run too. `in_order`: the entries are printed in their order (columns), so the anchors are
    the surest pairs that keep it.
    """
    if scores.size == 0:
        return []
    ranked = scores
    if in_order:
        # Columns whose headers read alike (one header cell over two where a faint rule between
        # them was lost) tie for the same entries: of tied assignments, the one in print order.
        n_observed, n_entries = scores.shape
        place = np.abs(np.arange(n_observed)[:, None] / max(n_observed - 1, 1)
                       - np.arange(n_entries)[None, :] / max(n_entries - 1, 1))
        ranked = scores - TIE_BY_PLACE * place
    observed, entries = linear_sum_assignment(-ranked)
    pairs = sorted((int(o), int(e)) for o, e in zip(observed, entries) if scores[o, e] >= threshold)
    if in_order:
        pairs = _increasing(pairs, scores)
    used = {e for _, e in pairs} | (taken or set())
    # Labels placed by their place are anchors in turn: the one label left alone between two of
    # them is placed however it reads (two of 商业企业 … 法律服务机构 stacked in narrow cells of a
    # 1-bit scan read "整" and "蠶", the two between them "科翰" and "社会議").
    placed = -1
    while len(pairs) > placed:
        placed = len(pairs)
        anchors = [(-1, -1), *sorted(pairs), (scores.shape[0], scores.shape[1])]
        blocked = {r for e in used for r in (rivals[e] if rivals else ())}
        for (o1, e1), (o2, e2) in zip(anchors, anchors[1:]):
            printed = list(range(o1 + 1, o2))
            free = _drawing_that_fits([e for e in range(e1 + 1, e2) if e not in used and e not in blocked],
                                      len(printed), rivals)
            if not printed or len(free) != len(printed):
                continue
            unlike = sum(scores[o, e] < floor for o, e in zip(printed, free))
            for o, e in zip(printed, free):
                if unlike <= 1 or scores[o, e] >= floor:
                    pairs.append((o, e))
                    used.add(e)
    return sorted(pairs)


def _drawing_that_fits(free: list[int], printed: int, rivals: list[set[int]] | None) -> list[int]:
    """Of the entries free between two anchors, the ones one template's drawing prints there, if
    only one drawing has as many rows as were printed (one row left between the 2021 rows (五)5
    and (七)总计 is the 2019 （六）其他处理, not one of the three rows it stands for)."""
    if len(free) == printed or not rivals:
        return free
    fits = []
    for e in free:
        others = rivals[e] & set(free)
        drawing = [f for f in free if f not in others]
        if others and len(drawing) == printed and drawing not in fits:
            fits.append(drawing)
    return fits[0] if len(fits) == 1 else free


def _in_print_order(pairs: list[tuple[int, int]],
                    rows: list[ObservedRow] | list[ObservedColumn]) -> list[tuple[int, int]]:
    """Rows (or columns) that read the same label take their entries in print order, which is
    the layout's: their labels alone cannot say which is which (one label cell over two rows
    whose rule between them was not printed: "5.属于三类内部事务信息6.属于四类过程性信息"; table
    四's three 结果维持 where a group label went unread)."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for o, e in pairs:
        groups.setdefault(rows[o].leaf, []).append((o, e))
    out = []
    for leaf, members in groups.items():
        if leaf and len(members) > 1:
            members = list(zip(sorted(o for o, _ in members), sorted(e for _, e in members)))
        out += members
    return sorted(out)


def _rivals(entries: list[AxisEntry]) -> list[set[int]]:
    """For each entry, the entries printed instead of it or that it is printed instead of."""
    return [{j for j, other in enumerate(entries)
             if other.key in entry.instead_of or entry.key in other.instead_of} for entry in entries]


def label_similarity(entry: AxisEntry, text: str) -> float:
    """Best similarity of a printed text to the entry's label or one of its printed variants."""
    return max(similarity(label, text) for label in entry.labels())


def _entry_score(entry: AxisEntry, leaf: str, parents: list[str]) -> float:
    score = label_similarity(entry, leaf)
    if entry.parent and parents:
        score += 5.0 * max(similarity(entry.parent, p) for p in parents) / 100.0
    # A column under its group's header alone (the header repeated on the next page without its
    # leaf row: 法人或其他组织 over five columns) is one of the group's: never a sure match, but
    # _assign places it by its order between sure ones when as many columns as entries lie there.
    if entry.parent and score < PLACED_BY_ORDER and similarity(entry.parent, leaf) >= SURE_LABEL:
        score = PLACED_BY_ORDER
    return score


def _leaf_texts(column: ObservedColumn) -> list[str]:
    """What a column's own header may read: its leaf, or the header cell above run on into it (a
    header's second line cut off by a rule drawn through the cell: "采购项目数" over "量")."""
    return [column.leaf, column.parents[-1] + column.leaf] if column.parents and column.leaf else [column.leaf]


SURE_LABEL = 75.0  # similarity at which a printed text is evidence for a table
MIN_EVIDENCE = 2.0  # sure labels a table needs to be taken for one of the layout's tables
WORD_INSIDE = 4  # characters: a table's own header word this long inside a printed text is evidence


def _printed_texts(tv: TableView) -> list[str]:
    """Every distinct text the table prints in its label cells and headers (leaves and parents),
    the corner over its label columns included (信息内容 heads each block of table 二: a block
    of one row carried alone to the next page says little else)."""
    texts = [r.leaf for r in tv.rows] + [p for r in tv.rows for p in r.parents]
    texts += [c.leaf for c in tv.columns] + [p for c in tv.columns for p in c.parents]
    table = tv.table
    texts += [cell.text for r in table.header_rows for c in range(table.label_cols) if (cell := table.at(r, c))]
    return list(dict.fromkeys(t for t in texts if norm(t)))


def table_evidence(tv: TableView, spec: TableSpec) -> float:
    """How surely the table is `spec`, by what it says: the sum of the similarities of its printed
    texts that match one of the spec's labels, aliases, parents, captions or header words (each
    text counted once). A table is found by its words, not its shape: a block of table 二 drawn as
    its own small table, or table 三 without its header, still says what it is."""
    vocabulary = spec.vocabulary()
    words = [norm(w) for w in spec.words if len(norm(w)) >= WORD_INSIDE]
    score = 0.0
    for text in _printed_texts(tv):
        best = max(similarity(word, text) for word in vocabulary)
        # A header that runs two of them together says each ("行政诉讼（未经复议直接起诉）").
        if best < SURE_LABEL and any(w in norm(text) for w in words):
            best = SURE_LABEL
        if best >= SURE_LABEL:
            score += best / 100.0
    return score


@dataclass
class Mapping:
    layout: Layout | None
    assigned: dict[str, list[TableView]] = field(default_factory=dict)
    unassigned: list[Table] = field(default_factory=list)


def _assign_tables(views: list[TableView], layout: Layout) -> tuple[Mapping, float]:
    mapping = Mapping(layout)
    total = 0.0
    for tv in views:
        evidence, key = max((table_evidence(tv, spec), key) for key, spec in layout.tables.items())
        if evidence >= MIN_EVIDENCE:
            mapping.assigned.setdefault(key, []).append(tv)
            total += evidence
        else:
            mapping.unassigned.append(tv.table)
    return mapping, total


def choose_layout(tables: list[Table], year: int | None = None) -> Mapping:
    """The layout whose tables the document's tables say they are, most surely; on a tie (the
    tables the two layouts share), the layout in force in the report's year."""
    views = [view(t) for t in tables]
    candidates = []
    for layout in load_layouts():
        mapping, total = _assign_tables(views, layout)
        # A report shows most of its layout's tables; a stray table that resembles one is not enough.
        if len(mapping.assigned) * 2 >= len(layout.tables) and total > 0:
            in_force = year is not None and layout.years[0] <= year <= layout.years[1]
            candidates.append((round(total, 6), in_force, mapping))
    if not candidates:
        return Mapping(None, {}, list(tables))
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


@dataclass
class _Value:
    value: int | float | None
    text: str  # the reading the value came from
    unit: str | None
    confidence: float
    why: str | None = None  # set when the value is not what the reading says on its face


SEPARATOR_READING = "a count has no fraction: the point between groups of three digits is a thousands separator"
COMMA_POINT_READING = "a thousands separator is followed by three digits: the comma before two or four is the decimal point"


def _in_unit(value: int | float, unit: str | None, unit_into: str | None, layout: Layout) -> int | float:
    """A value printed with `unit`, in the column's unit `unit_into` where the layout converts it."""
    if not (unit_into and unit and unit in layout.units.get(unit_into, {})):
        return value
    value = round(value * layout.units[unit_into][unit], 6)
    return int(value) if float(value).is_integer() else value


def _cell_value(cell: TableCell | None, unit_into: str | None, kind: str, layout: Layout) -> _Value:
    """The value of a data cell; value None when it is not a number."""
    if cell is None:
        return _Value(None, "", None, 0.0)
    reading = cell.reading
    text = cell.text
    if reading is not None and reading.lines == 0:
        return _Value(0, "", None, cell.confidence)
    # The full-alphabet reading first: when it is a number at all it is the more faithful one
    # ("/" stays "/", where digits-only decoding must say "1"); when it is not ("O", "1_"), the
    # digits-only reading decides. Specks at the ends are dropped as a last resort.
    candidates = [(text, cell.confidence)]
    if reading is not None and reading.numeric_text:
        candidates.append((reading.numeric_text, reading.numeric_confidence))
    candidates += [(strip_specks(t), c) for t, c in candidates if strip_specks(t) != t]
    for candidate, confidence in candidates:
        parsed = parse_number(candidate)
        if parsed is None:
            continue
        value = parsed.value
        if kind == "count" and (whole := as_separator_count(candidate, parsed)) is not None:
            return _Value(whole, candidate, parsed.unit, confidence, SEPARATOR_READING)
        return _Value(_in_unit(value, parsed.unit, unit_into, layout), candidate, parsed.unit, confidence)
    # An amount read with a comma where its decimal point is ("133,4100万元"): recorded as corrected.
    for candidate, confidence in candidates:
        if kind != "count" and (parsed := as_comma_point(candidate)) is not None:
            value = _in_unit(parsed.value, parsed.unit, unit_into, layout)
            return _Value(value, candidate, parsed.unit, confidence, COMMA_POINT_READING)
    return _Value(None, text, None, cell.confidence)


@dataclass
class Carried:
    """What the parts of a table before this one settled. `keys`: the column keys of the last part
    that printed its header, left to right, with each column's centre as a fraction of the table's
    width: a part continued on the next page without its header takes them. `rows`: the row keys
    already placed, which a later part's rows need not be (a continued part's one row whose label
    cell the repeated header covers is the one row left between its neighbours)."""

    keys: list[str] = field(default_factory=list)
    centres: list[float] = field(default_factory=list)
    rows: set[str] = field(default_factory=set)


def _centre(table: Table, col: int) -> float | None:
    rules = table.col_rules
    return (rules[col] + rules[col + 1]) / 2 if len(rules) > col + 1 else None


def _inherit(tv: TableView, carried: Carried) -> dict[int, str]:
    """Column keys for a part without a header of its own: its value columns in order when there
    are as many as the carried keys, else each by the nearest carried centre."""
    table = tv.table
    columns = list(range(table.label_cols, table.n_cols))
    if len(columns) == len(carried.keys):
        return dict(zip(columns, carried.keys))
    out: dict[int, str] = {}
    for col in columns:
        centre = _centre(table, col)
        if centre is None or not carried.centres:
            continue
        nearest = int(np.argmin([abs(centre - c) for c in carried.centres]))
        if abs(carried.centres[nearest] - centre) <= 0.03 and carried.keys[nearest] not in out.values():
            out[col] = carried.keys[nearest]
    return out


def _holds_values(table: Table, row: int) -> bool:
    return any((cell := table.at(row, c)) is not None and cell.row == row and cell.text.strip()
               for c in range(table.label_cols, table.n_cols))


def _map_rows_mode(tv: TableView, spec: TableSpec, threshold: float,
                   carried: Carried) -> dict[tuple[str, str], TableCell]:
    row_entries, col_entries = spec.row_entries(), spec.col_entries()
    # A row of values whose label cell reads nothing (a repeated header's overflowing print covers
    # it; the print was lost) is still a row: _assign places it by the rows around it, if alone.
    labelled = [r for r in tv.rows if r.leaf or _holds_values(tv.table, r.row)]
    row_scores = np.array([[_entry_score(e, r.leaf, r.parents) for e in row_entries] for r in labelled]).reshape(
        len(labelled), len(row_entries)
    )
    taken = {i for i, e in enumerate(row_entries) if e.key in carried.rows}
    pairs = _in_print_order(_assign(row_scores, threshold, rivals=_rivals(row_entries), taken=taken), labelled)
    row_keys = {labelled[o].row: row_entries[e].key for o, e in pairs}
    found: dict[tuple[str, str], TableCell] = {}
    valid = set(spec.all_cell_keys())
    for run in range(tv.runs):
        cols = [c for c in tv.columns if c.run == run]
        col_scores = np.array([[max(_entry_score(e, text, c.parents) for text in texts) for e in col_entries]
                               for c, texts in ((c, _leaf_texts(c)) for c in cols)]).reshape(
            len(cols), len(col_entries)
        )
        col_keys = {cols[o].col: col_entries[e].key for o, e in _assign(col_scores, threshold, floor=COLUMNS_BY_ORDER,
                                                                          in_order=True)}
        if carried.keys and len(col_keys) < len(carried.keys) and set(col_keys.values()) <= set(carried.keys):
            # A header that names fewer of the columns the part before named, and none other: the
            # same header read worse (repeated on the next page, its merged cells split or
            # misread: "或其他" of 法人或其他组织 taken for 其他). The columns keep the keys they
            # carried; the header's own keys only place columns those leave out.
            # ... where the carried keys agree with most of those it names (columns of another
            # table zipped by their count do not: a block of table 二 after one of two columns).
            inherited = _inherit(tv, carried)
            agree = sum(inherited.get(col) == key for col, key in col_keys.items())
            if len(inherited) > len(col_keys) and 2 * agree > len(col_keys):
                col_keys = inherited | {col: key for col, key in col_keys.items()
                                        if col not in inherited and key not in inherited.values()}
        if col_keys:
            ordered = sorted(col_keys)
            carried.keys = [col_keys[c] for c in ordered]
            carried.centres = [c for c in (_centre(tv.table, col) for col in ordered) if c is not None]
            if len(carried.centres) != len(carried.keys):
                carried.centres = []
        elif carried.keys:
            col_keys = _inherit(tv, carried)
        for row in (r for r in tv.rows if r.run == run and r.row in row_keys):
            for col, col_key in col_keys.items():
                key = (row_keys[row.row], col_key)
                if key in valid and key not in found:
                    cell = tv.table.at(row.row, col)
                    if cell is not None:
                        found[key] = cell
    carried.rows |= {row for row, _ in found}
    return found


def _map_column_header_mode(tv: TableView, spec: TableSpec, threshold: float,
                            carried: Carried) -> dict[tuple[str, str], TableCell]:
    pairs = spec.all_cell_keys()
    rows = {e.key: e for e in spec.row_entries()}
    cols = {e.key: e for e in spec.col_entries()}
    observed = tv.columns
    scores = np.zeros((len(observed), len(pairs)))
    # A table that prints every group's columns: a leaf read for sure under a group header cut to
    # pieces ("了政复1", "尺经复1") is one of that leaf's columns still; the groups tie, and their
    # order settles it. A part of the table (one group's five columns) says nothing of whose.
    alone = LEAF_ALONE if len(observed) >= len(pairs) else 0.0
    for i, column in enumerate(observed):
        texts = _leaf_texts(column)
        for j, (row_key, col_key) in enumerate(pairs):
            leaf = max(label_similarity(cols[col_key], text) for text in texts)
            parent = max((label_similarity(rows[row_key], p) for p in column.parents), default=0.0)
            scores[i, j] = max((leaf + parent) / 2, alone * leaf)
    found: dict[tuple[str, str], TableCell] = {}
    body = tv.rows
    if not body:
        return found
    for o, e in _in_print_order(_assign(scores, threshold, in_order=True), observed):
        column = observed[o]
        row = _value_row(tv, column.run, body)
        cell = tv.table.at(row.row, column.col)
        if cell is not None:
            found[pairs[e]] = cell
    return found


def _value_row(tv: TableView, run: int, body: list[ObservedRow]) -> ObservedRow:
    """The row of values under a run of column headers: its first body row with anything printed
    under those headers (a blank column beside the labels, transposed, is a blank row above the
    values), or its first body row where all are blank (every count 0 printed as nothing)."""
    rows = [r for r in body if r.run == run] or body[:1]
    columns = [c.col for c in tv.columns if c.run == run]

    def printed(row: ObservedRow) -> bool:
        return any((cell := tv.table.at(row.row, col)) is not None and cell.text.strip() for col in columns)

    return next((r for r in rows if printed(r)), rows[0])


_MAPPERS = {"rows": _map_rows_mode, "column_header": _map_column_header_mode}


def _printed_alternates(spec: TableSpec, found: dict[tuple[str, str], TableCell]) -> frozenset[str]:
    """Alternate rows found in print whose layout rows were not: the table is drawn on the other
    template there, and is reported as printed."""
    rows = {row for row, _ in found}
    entries = {e.key: e for e in spec.row_entries()}
    return frozenset(
        key for key in spec.alternates() if key in rows and not any(k in rows for k in entries[key].instead_of)
    )


RULE_LEFT_OUT = "no rule printed between these columns in this row: the cell's readings are its columns', in order"


def _shared_readings(found: dict[tuple[str, str], TableCell], col_order: list[str]) -> dict[tuple[str, str], str]:
    """Each column's own reading in a cell over several columns of one row that holds one number
    per column (the rule between two counts left out of a row: "1 /" over 自然人 and 商业企业).
    A cell whose readings are fewer or more than its columns is left as read."""
    shared: dict[int, list[tuple[str, str]]] = {}
    for key, cell in found.items():
        shared.setdefault(id(cell), []).append(key)
    own: dict[tuple[str, str], str] = {}
    for keys in shared.values():
        if len(keys) < 2 or len({row for row, _ in keys}) > 1:
            continue
        keys.sort(key=lambda k: col_order.index(k[1]))
        readings = found[keys[0]].text.split()
        if len(readings) == len(keys) and all(parse_number(r) is not None for r in readings):
            own.update(zip(keys, readings))
    return own


def map_table(spec: TableSpec, views: list[TableView], layout: Layout, threshold: float) -> list[ValueCell]:
    """Every canonical cell of one layout table; a cell not found has value None."""
    found: dict[tuple[str, str], TableCell] = {}
    carried = Carried()
    for tv in views:
        # Printed as drawn, or transposed (its row labels where the column headers would be):
        # whichever places more of the table's cells.
        as_printed = _MAPPERS[spec.keys_from](tv, spec, threshold, carried)
        flipped = _MAPPERS[spec.keys_from](view(transpose(tv.table)), spec, threshold, Carried())
        for key, cell in max(as_printed, flipped, key=len).items():
            found.setdefault(key, cell)
    out = []
    row_labels = {e.key: e.label for e in spec.row_entries()}
    col_labels = {e.key: e.label for e in spec.col_entries()}
    shares = _shared_readings(found, [e.key for e in spec.col_entries()])
    for row_key, col_key in spec.cell_keys(_printed_alternates(spec, found)):
        printed = found.get((row_key, col_key))
        own = shares.get((row_key, col_key))
        found_value = _cell_value(replace(printed, text=own, reading=None) if printed is not None and own else printed,
                                  layout.units_of.get(col_key), layout.value_kinds.get(col_key, "count"), layout)
        if own:
            found_value = replace(found_value, why=RULE_LEFT_OUT)
        out.append(
            ValueCell(
                spec.key,
                row_key,
                col_key,
                found_value.value,
                found_value.text,
                found_value.confidence,
                printed.page if printed is not None else None,
                printed.bbox if printed is not None else None,
                found_value.unit,
                read_as=(printed.text if printed is not None and own else found_value.text) if found_value.why else None,
                corrected_by=found_value.why,
                straight_bbox=printed.straight_bbox if printed is not None else None,
                flags=list(printed.flags) if printed is not None else [],
                row_label=row_labels.get(row_key, ""),
                col_label=col_labels.get(col_key, ""),
            )
        )
    return out
