"""Stage 5: rebuild logical tables from grids and cell readings.

- build_table: a grid plus its readings becomes a Table of spanned cells with text.
- classify: which rows are headers (text where the numbers go) and how many columns on the left
  hold row labels.
- join_continued: a table at the top of a page that carries on the last table of the previous
  page (same column structure) is appended to it; a repeated header is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from rapidfuzz import fuzz

from .completion import FLAG_CROSSING
from .numbers import looks_numeric
from .types import BBox, CellReading, Grid, Table, TableCell, bbox_inside

_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")


UNIT_TAIL = 2  # characters after a number that may be its unit misread ("1792.0873万π")


def _misread_tail(tail: str) -> bool:
    return not any(ch.isdigit() for ch in tail) and any(not _CJK.match(ch) for ch in tail)


def is_text(cell: TableCell | None) -> bool:
    """Printed words (a label or header), as opposed to a number or a blank (or a number whose
    unit, wrapped onto a line of its own, was misread)."""
    if cell is None or not cell.text:
        return False
    text = cell.text
    # A tail that is no word ("π", not "年" of "2019年") after a number.
    misread_unit = any(_misread_tail(text[-cut:]) and looks_numeric(text[:-cut]) for cut in range(1, UNIT_TAIL + 1)
                       if text[:1].isdigit() and cut < len(text))
    return bool(_CJK.search(text)) and not looks_numeric(text) and not misread_unit


def printed_tables(tables: list[Table]) -> list[Table]:
    """The rebuilt tables that are tables: a title row with nothing printed in it (a strip of the
    sheet's edge, framed) is none."""
    return [t for t in tables if t.n_cols > 1 or any(c.text.strip() for c in t.cells)]


def build_table(grid: Grid, readings: list[CellReading], to_original: Callable[[BBox], BBox]) -> Table:
    """A grid and its cell readings as a Table: spanned cells with their text, their boxes mapped
    back to the loaded page by `to_original`, header rows and label columns classified."""
    cells = [
        TableCell(g.row, g.col, g.row_span, g.col_span, r.text, r.confidence, grid.page, to_original(g.bbox), r, g.bbox,
                  g.flags)
        for g, r in zip(grid.cells, readings)
    ]
    left, right = grid.col_lines[0], grid.col_lines[-1]
    rules = [(x - left) / max(right - left, 1) for x in grid.col_lines]
    table = Table([grid.page], grid.n_rows, grid.n_cols, cells, col_rules=rules)
    classify(table)
    return table


def _printed_word(cell: TableCell | None) -> bool:
    """Print that is no number and no blank: words, or words misread."""
    return cell is not None and bool(cell.text.strip()) and not looks_numeric(cell.text)


def _cells_of_row(table: Table, row: int) -> list[TableCell]:
    return [c for c in table.cells if c.row <= row < c.row + c.row_span]


WORD_LENGTH = 3  # CJK characters: a reading this long across columns is words even when read
# unsurely (a group header over several columns; a stray mark misread is one character or two,
# and a seal's print read as characters lies in one cell)


def _spanning_words(cell: TableCell) -> bool:
    return cell.col_span >= 2 and len(_CJK.findall(cell.text)) >= WORD_LENGTH


def _heads_numbers(table: Table) -> bool:
    """Whether the first row has words (surely read) over columns right of the first that hold
    numbers in the rows below."""
    worded = [c for c in _cells_of_row(table, 0) if c.col >= 1 and is_text(c) and c.confidence >= 0.6]
    return any(
        any(b is not None and b.row > 0 and b.text and looks_numeric(b.text)
            for b in (table.at(r, col) for r in range(1, table.n_rows)))
        for c in worded for col in range(c.col, c.col + c.col_span)
    )


def _heads_blanks(table: Table) -> bool:
    """Whether the first row has words (surely read) over columns right of the first that are
    blank in every row below, while the rows below have words in the first column: a block of
    one row drawn as a table of its own, its values zeros printed as nothing (信息内容 |
    本年收费金额 over 行政事业性收费 | blank)."""
    worded = [c for c in _cells_of_row(table, 0) if c.col >= 1 and is_text(c) and c.confidence >= 0.6]
    below = [table.at(r, 0) for r in range(1, table.n_rows)]
    if not worded or not any(b is not None and b.row > 0 and is_text(b) for b in below):
        return False
    return all(
        all(b is None or b.row == 0 or not b.text.strip() for b in (table.at(r, col) for r in range(1, table.n_rows)))
        for c in worded for col in range(c.col, c.col + c.col_span)
    )


def _mostly_words(cells: list[TableCell]) -> bool:
    worded = [c for c in cells if len(_CJK.findall(c.text)) >= 2]
    return len(worded) >= max(2, len(cells) / 2)


def _is_word(cell: TableCell) -> bool:
    """Text of two characters or more (the layouts' labels and header words are; one character
    alone may be a number misread)."""
    return is_text(cell) and len(_CJK.findall(cell.text)) >= 2


def _caption_row(table: Table, cells: list[TableCell], below: list[TableCell]) -> bool:
    """Whether a row is a block's caption over the row `below`: one cell of words across the
    table, or its words cut into a few wide cells by a rule drawn through it ("第二十条第" |
    "五）项", a dotted column rule run on through the caption) over a row with no number (the
    corner and 申请人情况 of table 三's header, repeated alone on the next page, are such a row
    over counts). A piece one column wide is a piece of the caption only where its words lie
    across the rule (completion flags it): a row of label and header words is no caption."""
    if len(cells) == 1:
        return cells[0].col_span == table.n_cols and is_text(cells[0])
    printed = [c for c in cells if c.text.strip()]
    return (bool(printed) and len(cells) <= 3 and sum(c.col_span for c in cells) == table.n_cols
            and all(c.col_span >= 2 or FLAG_CROSSING in c.flags for c in cells) and all(_is_word(c) for c in printed)
            and not any(c.text and looks_numeric(c.text) for c in below))


MARK_WEIGHT = 0.5  # a zero mark's weight as a number against words (see _value_columns)


def _printed_count(text: str) -> bool:
    """A number printed with digits: a count or an amount, not a zero mark (/, 一, —)."""
    return bool(_DIGIT.search(text)) and looks_numeric(text)


def _value_columns(table: Table) -> set[int]:
    """The columns that hold the numbers: those whose own cells read more numbers than words, one
    number at least; where none does (every count printed as nothing), the right half. A table
    四 printed in a column holds its labels in three columns of four, its counts in the last; a
    blank count beside a label there is no header. A zero mark (/, 一, —) counts half a number:
    a group label written a character a line, cut by the rows' rules, reads "(", "五", ")" as "/"
    between its words (（五）不予处理), and its column is no value column."""
    values = set()
    for col in range(table.n_cols):
        own = [c for c in table.cells if c.col == col and c.col_span == 1 and c.text]
        numbers = sum(1 if _printed_count(c.text) else MARK_WEIGHT for c in own if looks_numeric(c.text))
        words = sum(1 for c in own if _is_word(c))
        if numbers and numbers >= words:
            values.add(col)
    return values or set(range(max(1, table.n_cols // 2), table.n_cols))


def classify(table: Table) -> None:
    """Set header_rows and label_cols from where the words are."""
    # The value columns hold numbers in body rows of any report table; a row with words there is
    # a header (or a block caption).
    # A stray mark read as a character (low confidence, or one among numbers) does not make a
    # body row a header.
    values = _value_columns(table)
    headers = []
    for row in range(table.n_rows):
        cells = [c for c in _cells_of_row(table, row) if values & set(range(c.col, c.col + c.col_span))]
        # One character is no header word (the layouts' are two or more): a full-width "０"
        # misread as "日", surely, in most of a row's value cells does not make it a header.
        words = sum(1 for c in cells if is_text(c) and (c.confidence >= 0.6 and len(_CJK.findall(c.text)) >= 2
                                                         or _spanning_words(c)))
        # Numbers proper: a header word misread as Latin letters ("总计" as "aif") is no number.
        numbers = sum(1 for c in cells if c.text and looks_numeric(c.text))
        # More words than numbers there (a transposed table's rows hold one label beside one value).
        if words and words > numbers:
            headers.append(row)
        # Right under a header row, words read unsurely in most of the cells and no number are
        # the header's next row (table 四's leaf headers written a character a line, blurred).
        elif headers and headers[-1] == row - 1 and not numbers and _mostly_words(cells):
            headers.append(row)
    # Rows over the first header row whose print is all group headers, each across several
    # columns (or a corner cell reaching down into the header), and no number, are the header's
    # top rows: their words were misread (行政诉讼 read "eaen"), and a transposed table 四's
    # 行政复议 cell taken for a label hid its five columns.
    first = min(headers, default=0)
    while first > 0:
        printed = [c for c in table.cells if c.row == first - 1 and c.text.strip()]
        if not (any(is_text(c) for c in printed)
                and all((c.col_span >= 2 or c.row + c.row_span > first) and not looks_numeric(c.text) for c in printed)):
            break
        first -= 1
        headers.append(first)
    # The row under a block's caption (a row of one cell across the table) is that block's header,
    # even when its right half is blank (a block of one value column: 信息内容 | 本年处理决定数量):
    # its words stand over the values. Words only left of every column that reads a count are a
    # body row's labels, its counts printed as nothing (table 三's corner and 申请人情况 repeated
    # over (3)补正后申请内容仍不明确).
    counting = min((c.col for c in table.cells if c.col_span == 1 and _printed_count(c.text)), default=1)
    for row in range(table.n_rows - 1):
        cells = _cells_of_row(table, row)
        below = [c for c in _cells_of_row(table, row + 1) if c.col >= 1 and c.row == row + 1]
        over_values = [c for c in below if c.col + c.col_span > counting]
        if _caption_row(table, cells, below) and row + 1 not in headers and any(is_text(c) for c in over_values):
            headers.append(row + 1)
    # So is a table's first row with words over columns that hold numbers below (a block of one
    # value column drawn as a table of its own, under its caption: 信息内容 | 本年处理决定数量 |
    # two blank cells).
    if table.n_rows > 1 and 0 not in headers and (_heads_numbers(table) or _heads_blanks(table)):
        headers.append(0)
    # A row between two header rows with nothing printed of its own is part of that header (the
    # header cells above reach over it: table 四 printed in a column, transposed to read it).
    # So is one whose print is all words right of the first column, no number or mark among them:
    # the group labels of table 四 printed in a column, transposed, each merged cell cut into a
    # piece a row by false rules (行政复议 in one piece, blanks in the others). A body row's label
    # stands in the first column.
    for row in range(1, table.n_rows - 1):
        own = [c for c in table.cells if c.row == row and c.text.strip()]
        if row not in headers and {row - 1, row + 1} <= set(headers) and all(
                c.col >= 1 and _is_word(c) and not looks_numeric(c.text) for c in own):
            headers.append(row)
    if len(headers) == table.n_rows > 1:
        # No row without words right of the middle: a table of labels beside one column of values
        # left blank (table 四 printed in a column, every count 0 printed as nothing). Its header
        # is what has print over that column other than a number (a header word misread as
        # Latin letters is still print; a row of a page-foot header fragment may end in one).
        last = table.n_cols - 1
        headers = [r for r in headers if _printed_word(table.at(r, last))]
    headers.sort()
    table.header_rows = headers
    body = [r for r in range(table.n_rows) if r not in set(headers)]
    label_cols = 0
    for col in range(table.n_cols):
        # Each cell once: a group label merged down twenty rows and misread as a dash ("三" as
        # "一") would else count twenty numbers and end the label columns before it.
        cells = list({id(c): c for c in (table.at(r, col) for r in body) if c is not None}.values())
        # A label is two characters at least: one alone is a number misread ("7" as "了").
        words = sum(1 for c in cells if _is_word(c))
        # Numbers proper: a mark misread out of a blank or rotated cell ("H") is neither.
        numbers = sum(1 for c in cells if c is not None and c.text and looks_numeric(c.text))
        if body and words > numbers and words >= 0.3 * len(cells):
            label_cols = col + 1
        elif numbers > words or not body:
            break
        # A column with nothing printed in it (the rest of a row header cut off at the page
        # break above, its text left on the page before) may still have labels to its right; so
        # may one of group labels, most of it one tall merged cell, whose blank print a stray
        # mark read as a number ("1", "111") does not outweigh (table 四 in a column: 行政复议 |
        # 未经复议直接起诉 | 结果维持 ... left of its one column of counts).
    table.label_cols = label_cols


def transpose(table: Table) -> Table:
    """The table with rows and columns swapped (a report may print table 四's 15 numbers in a
    column, their labels beside them): the same cells, classified anew."""
    cells = [
        TableCell(c.col, c.row, c.col_span, c.row_span, c.text, c.confidence, c.page, c.bbox, c.reading, c.straight_bbox,
                  c.flags)
        for c in table.cells
    ]
    flipped = Table(list(table.pages), table.n_cols, table.n_rows, cells, caption=table.caption)
    classify(flipped)
    return flipped


def _header_texts(table: Table, values_only: bool = False) -> list[str]:
    """The text of each leading header row; `values_only`: over the value columns only (the corner
    cell above the labels is what a page break cuts short)."""
    first = table.label_cols if values_only else 0
    return [
        "".join(c.text for c in _cells_of_row(table, r) if c.col + c.col_span > first)
        for r in table.header_rows
        if r < 4
    ]


RULE_TOLERANCE = 0.015  # of the table's width


MOST_RULES = 0.75  # share of a part's column rules the other part draws too, with a repeated header


def _columns_align(a: list[float], b: list[float], share: float = 1.0) -> bool:
    """Whether two tables share their column rules (at least `share` of the rules of the one
    with fewer), one maybe subdividing columns of the other (a page where every row's label
    spans the label columns shows fewer rules)."""
    if not a or not b:
        return False
    fewer, more = sorted((a, b), key=len)
    shared = sum(1 for x in fewer if min(abs(x - y) for y in more) <= RULE_TOLERANCE)
    return shared >= share * len(fewer) and len(fewer) >= 3


def _header_words(table: Table) -> str:
    """The text of the leading header rows' cells, each cell once (a cell spanning header rows
    would count once per row in _header_texts)."""
    cells = [c for c in table.cells if c.row in table.header_rows and c.row < 4]
    return "".join(c.text for c in sorted(cells, key=lambda c: (c.row, c.col)))


SAME_WORDS = 0.9  # share of the shorter header's characters the longer one holds
SHORTEST_HEADER = 6
SAME_LENGTH = 0.6  # the shorter header's share of the longer's characters at least


def _same_words(a: str, b: str) -> bool:
    """Whether two header texts say the same words, in whatever order: a repeated header whose
    rows one page's grid split and the other's did not (a group header row lost under shading)
    reads in another order, and the lost row's words are missing, not different."""
    shorter, longer = sorted((Counter(a.replace(" ", "")), Counter(b.replace(" ", ""))), key=lambda c: c.total())
    # Of about one length too: table 四's litigation half holds every word of its review half.
    if shorter.total() < SHORTEST_HEADER or shorter.total() < SAME_LENGTH * longer.total():
        return False
    return (shorter & longer).total() >= SAME_WORDS * shorter.total()


def continues(previous: Table, table: Table) -> bool:
    """Whether `table` (first on its page) carries on `previous` (last on the page before)."""
    if table.pages[0] != previous.pages[-1] + 1:
        return False
    if _title_alone(previous):
        # A table's title row left at the foot of the page: the table the next page starts with,
        # header first, under it as wide as it.
        return 0 in table.header_rows and _as_wide(previous, table)
    if not _columns_align(previous.col_rules, table.col_rules):
        # The rules of a scan's parts can differ (a warped page's rule found as two, a label
        # column divided on one page only): a repeated header says it all the same, over
        # columns most of whose rules line up.
        return (0 in table.header_rows and _columns_align(previous.col_rules, table.col_rules, MOST_RULES)
                and _repeats_header(previous, table))
    if _only_header(previous):
        return True  # a header cut off its body by the page break (a row broken across pages)
    if _header_broken_over(previous, table):
        return True  # the rest of the block follows its broken header row
    if 0 not in table.header_rows:
        # It starts with a body row: a continuation by its structure (a block's header further
        # down is that block's, not a header of its own: table 二's 行政许可 row carried over
        # above the captions of blocks (六) and (八)).
        return True
    return _repeats_header(previous, table)


def _title_alone(table: Table) -> bool:
    """A table of one cell in one row, with print in it: a title row (see grid.title_row)."""
    return table.n_rows == 1 and table.n_cols == 1 and bool(table.cells) and bool(table.cells[0].text.strip())


AS_WIDE = 0.03  # of a table's width: how far two parts' sides may lie apart on their pages


def _as_wide(a: Table, b: Table) -> bool:
    """Whether two tables on consecutive pages stand between the same sides (straightened page
    pixels)."""
    one, other = _extent(a), _extent(b)
    if one is None or other is None:
        return False
    slack = AS_WIDE * max(one[2] - one[0], other[2] - other[0])
    return abs(one[0] - other[0]) <= slack and abs(one[2] - other[2]) <= slack


def _repeats_header(previous: Table, table: Table) -> bool:
    """Whether the header `table` starts with repeats the header of `previous`."""
    ours, theirs = _header_texts(table), _header_texts(previous)
    if not ours or not theirs:
        return False
    if fuzz.ratio("".join(ours), "".join(theirs)) >= 80 or _same_words(_header_words(table), _header_words(previous)):
        return True
    # Only the first rows of the header repeated: each of them as the header row it repeats,
    # over the value columns.
    ours, theirs = _header_texts(table, values_only=True), _header_texts(previous, values_only=True)
    return len(ours) < len(theirs) and all(fuzz.ratio(a, b) >= 80 and not _other_item(a, b) for a, b in zip(ours, theirs))


NUMERALS = frozenset("〇一二三四五六七八九十0123456789")


def _other_item(a: str, b: str) -> bool:
    """Whether two header rows alike but for their numbers head different items: table 二's block
    captions 第二十条第（一）项 and 第二十条第（九）项 (the next page starts a new block)."""
    ours, theirs = {ch for ch in a if ch in NUMERALS}, {ch for ch in b if ch in NUMERALS}
    return bool(ours) and bool(theirs) and ours != theirs


def _regrid(table: Table, rules: list[float]) -> None:
    """Renumber a table's columns on a finer set of column rules (spans grow where rules were added)."""
    def nearest(x: float) -> int:
        return min(range(len(rules)), key=lambda i: abs(rules[i] - x))

    old = table.col_rules
    kept = []
    for cell in table.cells:
        first, last = nearest(old[cell.col]), nearest(old[cell.col + cell.col_span])
        if first == last and not cell.text:
            continue  # a blank sliver between two rules that are one rule on the finer set
        # A sliver of a cell by the last rule still ends on it: no cell reaches past the table.
        start = min(first, len(rules) - 2)
        end = max(start + 1, last)
        cell.col, cell.col_span = start, end - start
        kept.append(cell)
    table.cells = kept
    table.col_rules, table.n_cols = list(rules), len(rules) - 1


def _shared_rules(a: list[float], b: list[float]) -> list[float]:
    """The column rules of two parts of one table on one set: rules nearer than RULE_TOLERANCE
    are one (a part's thick border drawn as two rules, a rule a page's scan moved a little); the
    table's edges stay where they are."""
    clusters: list[list[float]] = []
    for x in sorted(a + b):
        if clusters and x - clusters[-1][-1] <= RULE_TOLERANCE:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    rules = [sum(c) / len(c) for c in clusters]
    rules[0], rules[-1] = min(a[0], b[0]), max(a[-1], b[-1])
    return rules


def _only_header(table: Table) -> bool:
    return table.n_rows > 0 and len(table.header_rows) == table.n_rows


def _edges(table: Table, cell: TableCell) -> tuple[float, float]:
    return table.col_rules[cell.col], table.col_rules[cell.col + cell.col_span]


def _broken_row(previous: Table, table: Table) -> bool:
    """Whether the first row of `table` is the lower part of the last row of `previous` (a row
    broken across the page break): each of its cells lies under a cell of that row between the
    same rules (compared by position: the parts may not yet share one set of columns). A header
    whose first rows ended the page (a spanning "申请人情况" row) and whose next rows begin the
    next page has other cells there (自然人, 法人或其他组织 ...)."""
    last = previous.n_rows - 1
    uppers = [_edges(previous, c) for c in _cells_of_row(previous, last) if c.row + c.row_span - 1 == last]
    for cell in (c for c in table.cells if c.row == 0):
        left, right = _edges(table, cell)
        if not any(abs(left - a) <= RULE_TOLERANCE and abs(right - b) <= RULE_TOLERANCE for a, b in uppers):
            return False
    return True


def _header_broken_over(previous: Table, table: Table) -> bool:
    """Whether `previous` ends in a header row that the page break cut and `table` starts with the
    rest of it ("采购项目数" | "量"), not with the header repeated."""
    last = previous.n_rows - 1
    ends_in_header = last >= 0 and (last in previous.header_rows or _words_only(previous, last))
    return (ends_in_header and table.header_rows[:1] == [0] and _broken_row(previous, table)
            and not _repeats_header(previous, table))


# The mark an item's label starts with: （一）, (1), 1., 1、, 一、 (full-width forms too).
_ITEM_MARK = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十\d]+\s*[、.．])")


def _leaf_label(table: Table, row: int) -> TableCell | None:
    """The label cell of a row nearest its values (the last label column's)."""
    return table.at(row, table.label_cols - 1) if table.label_cols else None


def _body_broken_over(previous: Table, table: Table) -> bool:
    """Whether `table` starts with the lower part of the body row `previous` ends in (Word lets a
    row break across pages): the parts lie under one another between the same rules, the upper
    part's label starts an item ("(5) 要求行政机") and the lower part's carries on without one
    ("关确认或重新出具已获取信息"), and no column has print in both parts (the values stand in
    one of them, the other is blank)."""
    last = previous.n_rows - 1
    if last < 0 or last in previous.header_rows or 0 in table.header_rows or not table.n_rows:
        return False
    upper, lower = _leaf_label(previous, last), _leaf_label(table, 0)
    if upper is None or lower is None or lower.row != 0 or upper.row + upper.row_span - 1 != last:
        return False
    if not (_ITEM_MARK.match(upper.text) and lower.text.strip() and not _ITEM_MARK.match(lower.text)):
        return False
    for cell in (c for c in table.cells if c.row == 0 and c.col >= table.label_cols and c.text.strip()):
        above = previous.at(last, cell.col)
        if above is not None and above.text.strip():
            return False
    return _broken_row(previous, table)


WORDS_SHARE = 0.75  # of a row's printed cells that read as words, for a row of header words


def _words_only(table: Table, row: int) -> bool:
    """Whether a row prints words in two cells or more and no digit anywhere: a header row that
    nothing under it on its page shows to be one (the first characters of table 四's headers
    written a character a line, "结 结 其 尚 总", the rest of them on the next page)."""
    printed = [c for c in table.cells if c.row == row and c.text.strip()]
    # One character of such a row misread as a letter ("Q" for 总 at 100 dpi) leaves it one; a
    # zero printed as 无 is a count, not a word.
    words = sum(bool(_CJK.search(c.text)) and not looks_numeric(c.text) for c in printed)
    return (len(printed) >= 2 and words >= WORDS_SHARE * len(printed)
            and not any(ch.isdigit() for c in printed for ch in c.text))


def _glue_broken_row(previous: Table, table: Table) -> None:
    """A row broken across the page break: the text of its lower part (the first row of
    `table`) is added to the upper part's (the last row of `previous`), cell by cell, and the row
    is dropped from `table` (a cell that reaches further down keeps its lower rows)."""
    last = previous.n_rows - 1
    for cell in [c for c in table.cells if c.row == 0]:
        upper = previous.at(last, cell.col)
        if upper is not None and cell.text:
            upper.text += cell.text
            cell.text = ""
    table.cells = [c for c in table.cells if not (c.row == 0 and c.row_span == 1)]
    for c in table.cells:
        if c.row == 0:
            c.row_span -= 1
        else:
            c.row -= 1
    table.header_rows = [r - 1 for r in table.header_rows if r > 0]
    table.n_rows -= 1


def _append(previous: Table, table: Table) -> None:
    if table.col_rules != previous.col_rules:
        # Parts may split columns differently (a page's label column divided where the rows
        # below it have sub-items, a border drawn double on one page): both on the rules of both.
        shared = _shared_rules(previous.col_rules, table.col_rules)
        _regrid(previous, shared)
        _regrid(table, shared)
    if _header_broken_over(previous, table) or _body_broken_over(previous, table):
        _glue_broken_row(previous, table)  # the row goes on over the page: its two parts glued
        drop = 0
    elif _only_header(previous) and table.header_rows[:1] == [0]:
        drop = 0  # the header goes on over the page: its next rows added
    else:
        leading = []
        for r in range(table.n_rows):
            if r in table.header_rows:
                leading.append(r)
            else:
                break
        drop = len(leading) if leading and len(previous.header_rows) else 0
    offset = previous.n_rows - drop
    for cell in table.cells:
        if cell.row < drop:
            continue
        cell.row += offset
        previous.cells.append(cell)
    previous.header_rows += [r + offset for r in table.header_rows if r >= drop]
    previous.n_rows += table.n_rows - drop
    previous.pages += [p for p in table.pages if p not in previous.pages]
    classify(previous)  # label columns and headers of the whole, now that it is whole


def _extent(table: Table) -> BBox | None:
    """Where a table lies on its page (straightened page pixels)."""
    boxes = [c.straight_bbox for c in table.cells if c.straight_bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _lowest(page_tables: list[Table]) -> int | None:
    """Which of a page's tables is printed lowest, leaving out grids found inside another table
    (a fragment of ruling inside it: strokes of a label run together), which are ordered after
    the table by their tops, and grids without text."""
    # A grid with no text at all (a dark page edge's frame on a scan) is no table to carry on.
    extents = [_extent(t) if any(c.text for c in t.cells) else None for t in page_tables]
    best, best_bottom = None, 0
    for i, box in enumerate(extents):
        if box is None or any(j != i and other is not None and other != box and bbox_inside(box, other, 4)
                              for j, other in enumerate(extents)):
            continue
        if best is None or box[3] > best_bottom:
            best, best_bottom = i, box[3]
    return best


def join_continued(tables_by_page: list[list[Table]]) -> list[Table]:
    """All tables of a document in order, continued tables joined to where they start."""
    joined: list[Table] = []
    carried: list[Table] = []  # what the next page may carry on, likeliest first
    for page_tables in tables_by_page:
        leading = True  # still above the page's first real table (small fragments may come first)
        wholes = []  # each of the page's tables, or the earlier table it was joined to
        for table in page_tables:
            previous = next((c for c in carried if continues(c, table)), None) if leading else None
            if previous is not None:
                _append(previous, table)
                leading = False
                wholes.append(previous)
                continue
            leading = leading and table.n_rows <= 3
            joined.append(table)
            wholes.append(table)
        # The table printed lowest on this page, then the last one found (the lowest may be a
        # scan's dark page edge, framed like a table).
        lowest = _lowest(page_tables)
        carried = [wholes[i] for i in dict.fromkeys(i for i in (lowest, len(wholes) - 1) if i is not None and i >= 0)]
    return joined
