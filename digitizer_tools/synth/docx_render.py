"""An annual report drawn as a real Word document (python-docx), then printed to PDF by LibreOffice.

This is a second, independent hand: an office that types its report in Word from its own copy of
the template. It draws every choice of `variants.draw_variants` that Word can express:

* A4 pages (optionally table 四 on a landscape section), page numbers in the footer, a running
  header, body and table fonts (serif / sans / kai / fangsong, East Asian font set), table size.
* Title, section headings 一 … 六 (numbered 一、/（一）/1., mandated or longer wording), the prose of
  sections 一 and 五; tables flowing after the prose, each on a new page, or all in an appendix.
* Table 二: one table or a small table per block, caption rows merged across the width (plain, bold,
  shaded), shaded header rows, one-value-column blocks merged / first cell + merged blank / three
  cells, label variants, the fee unit in the header or beside the number, negative 本年增/减 as
  −105, -105 or 减少105, the label column width.
* Table 三: the 3x3 corner (勾稽关系 note, empty, split), 三、本年度办理结果 and （三）…（六） spans
  written one character per line, wrapped, or rotated (btLr); 自然人/总计 spanning the header rows or
  申请人情况 repeated over every column; header rows repeated on continued pages (all, part, none);
  sub-item numbering 1. / 1． / 1、 / (1) / （1）; re-worded labels; rows of the other template.
* Table 四: two or three header rows, vertical column headers, transposed or split in two.
* Rules: width, colour, outer single/double/none/thick, inner solid/dashed/dotted, one inner rule
  missing. Zero style, number decoration and alignment of every number cell.

render_pdf(report, variants, workdir) writes <workdir>/<name>.docx and <name>.pdf.
printed_texts(report, variants) gives the text printed in every cell (deterministic).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .content import load_layout, printed_rows, table_blocks
from .variants import ACTIVE_LABELS, APPLICATION_REWORDS, number_text, zero_text

# ---------------------------------------------------------------------------------------------
# fonts

FONT_CANDIDATES = {
    "serif": ["Noto Serif CJK SC", "SimSun", "宋体", "AR PL UMing CN"],
    "sans": ["Noto Sans CJK SC", "SimHei", "黑体", "WenQuanYi Micro Hei"],
    "kai": ["AR PL UKai CN", "KaiTi", "楷体"],
    # cwTeXFangSong is a traditional-Chinese font: it lacks about a third of the simplified
    # characters of a report, so it is used only where it covers simplified Chinese.
    "fangsong": ["FangSong", "仿宋", "FangSong_GB2312", "cwTeXFangSong", "AR PL UMing CN"],
}


@cache
def _installed_families() -> frozenset[str] | None:
    """Families covering simplified Chinese, or None where fontconfig cannot say."""
    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def font_family(kind: str) -> str:
    """The installed family for a font kind (serif, sans, kai, fangsong); falls back to serif."""
    installed = _installed_families()
    candidates = FONT_CANDIDATES.get(kind, []) + FONT_CANDIDATES["serif"]
    if installed is None:
        return candidates[0]
    return next((f for f in candidates if f in installed), candidates[0])


# ---------------------------------------------------------------------------------------------
# printed texts

CN_NUM = "一二三四五六七八九十"
SUB_PREFIX = re.compile(r"^(\d+)[.．、]")


def _rng(report: dict, variants: dict, purpose: str) -> random.Random:
    blob = json.dumps([report["title"], report["layout"], variants, purpose], sort_keys=True, ensure_ascii=False)
    return random.Random(int(hashlib.sha256(blob.encode()).hexdigest()[:16], 16))


def _cell_text(table: str, key: tuple, value, report: dict, variants: dict, rng: random.Random) -> str:
    doc, active = variants["document"], variants["active"]
    if value == 0:
        return zero_text(doc["zero_style"], rng)
    if table == "active" and key[1] == "amount_10k_yuan":
        text = report["texts"]["active"].get(key) or str(value)
        if report["layout"] == "2021" and active["fee_unit"] == "cell":
            text += rng.choice(["万元", " 万元"])
        return text
    if table == "active" and key[1] == "delta" and value < 0:
        return active["delta_style"] + number_text(-value, doc["number_decor"], rng)
    return number_text(value, doc["number_decor"], rng)


def printed_texts(report: dict, variants: dict) -> dict:
    """{table: {(row, col): text}}: what render_pdf prints in every number cell."""
    rng = _rng(report, variants, "cells")
    return {table: {key: _cell_text(table, key, v, report, variants, rng) for key, v in vals.items()}
            for table, vals in report["values"].items()}


# ---------------------------------------------------------------------------------------------
# low-level Word XML

TC_SEQ = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
          "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def _tcpr_put(cell, el) -> None:
    """Put one child into the cell's tcPr, in schema order, replacing one of the same tag."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(el.tag):
        tc_pr.remove(old)
    tag = el.tag
    later = TC_SEQ[[qn(t) for t in TC_SEQ].index(tag) + 1:]
    tc_pr.insert_element_before(el, *later)


def _shade(cell, fill: str | None) -> None:
    if fill:
        _tcpr_put(cell, _el("w:shd", val="clear", color="auto", fill=fill.lstrip("#")))


def _cell_borders(cell, **edges) -> None:
    """edges: top/left/bottom/right -> (val, size_eighths, color)."""
    borders = _el("w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        if edge in edges:
            val, sz, color = edges[edge]
            borders.append(_el(f"w:{edge}", val=val, sz=sz, space=0, color=color))
    _tcpr_put(cell, borders)


def _rule_spec(rules: dict) -> dict:
    """tblBorders values for the drawn rules: edge -> (val, sz, color)."""
    sz = max(2, min(96, round(rules["width_pt"] * 8)))
    color = "000000" if rules["color"] == "black" else "808080"
    outer = {"single": ("single", sz), "double": ("double", max(2, sz // 2)), "none": ("nil", 0),
             "thick": ("single", max(12, min(96, round(sz * 2.2))))}[rules["outer"]]
    inner = {"solid": "single", "dashed": "dashed", "dotted": "dotted"}[rules["inner"]]
    spec = {e: (outer[0], outer[1], color) for e in ("top", "left", "bottom", "right")}
    spec.update({e: (inner, sz, color) for e in ("insideH", "insideV")})
    return spec


def _table_borders(table, rules: dict) -> None:
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = _el("w:tblBorders")
    for edge, (val, sz, color) in _rule_spec(rules).items():
        borders.append(_el(f"w:{edge}", val=val, sz=sz, space=0, color=color))
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                 "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _repeat_as_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_el("w:tblHeader"))


def _keep_together(table, n_rows: int) -> None:
    """The first n_rows rows neither split nor leave the next row: a header never ends a page alone."""
    for row in table.rows[:n_rows]:
        row._tr.get_or_add_trPr().append(_el("w:cantSplit"))
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _vertical_direction(cell) -> None:
    _tcpr_put(cell, _el("w:textDirection", val="btLr"))


def _page_field(paragraph, instr: str) -> None:
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", fldCharType="begin"))
    run = paragraph.add_run()
    text = _el("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run._r.append(text)
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("1")
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", fldCharType="end"))


def _set_style_font(style, family: str, pt: float, bold: bool = False) -> None:
    style.font.name = family
    style.font.size = Pt(pt)
    style.font.bold = bold
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _no_spacing(paragraph, line: float | None = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line:
        fmt.line_spacing = line


# ---------------------------------------------------------------------------------------------
# table cells

ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}


def _put(cell, text: str, align: str = "center", bold: bool = False, vertical: bool = False,
         size: float | None = None) -> None:
    """Write text into a (merged) cell: one paragraph, in the table style; vertical: a character a line."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.style = "TableText"
    p.alignment = ALIGN[align]
    _no_spacing(p)
    if not text:
        return
    pieces = list(text) if vertical else [text]
    for i, piece in enumerate(pieces):
        run = p.add_run(piece)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if vertical and i < len(pieces) - 1:
            run.add_break()


def _new_table(doc, n_rows: int, widths: list[float], rules: dict, row_pt: float | None = None):
    """A fixed-layout table of column widths (mm), centred, rows at least row_pt high, cells in the table style."""
    table = doc.add_table(rows=n_rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)
    _table_borders(table, rules)
    for row in table.rows:
        if row_pt:
            row.height = Pt(row_pt)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell in row.cells:
            cell.paragraphs[0].style = "TableText"
    return table


def _span(table, r0: int, c0: int, r1: int, c1: int):
    """Merge the rectangle r0..r1 x c0..c1 (inclusive); returns the merged cell."""
    a = table.cell(r0, c0)
    return a if (r0, c0) == (r1, c1) else a.merge(table.cell(r1, c1))


# ---------------------------------------------------------------------------------------------
# table 二 (active)

def _active_label(label: str, key: str, variants: dict, rng: random.Random, layout: str) -> str:
    act = variants["active"]
    if key == "amount_10k_yuan" and layout == "2021":
        if act["fee_unit"] == "cell":
            return "本年收费金额"
        return rng.choice(ACTIVE_LABELS[key][:2]) if act["label_variants"] else label
    if act["label_variants"] and key in ACTIVE_LABELS and key != "amount_10k_yuan":
        return rng.choice(ACTIVE_LABELS[key])
    return label


def _value_slots(n: int, style: str) -> list[tuple[int, int, bool]]:
    """How n value columns sit in the three data columns: (first col, last col, holds a value)."""
    if n == 3:
        return [(1, 1, True), (2, 2, True), (3, 3, True)]
    if n == 2:
        if style == "separate":
            return [(1, 1, True), (2, 2, True), (3, 3, False)]
        return [(1, 1, True), (2, 3, True)]
    return {"merged": [(1, 3, True)], "first_then_merged": [(1, 1, True), (2, 3, False)],
            "separate": [(1, 1, True), (2, 2, False), (3, 3, False)]}[style]


def _active_block(table, r: int, block: dict, ctx: dict) -> int:
    """Draw one block (caption, header, rows) from table row r; return the next row."""
    v, rng, texts = ctx["variants"], ctx["rng"], ctx["texts"]["active"]
    act, align = v["active"], v["document"]["align"]
    cap = _span(table, r, 0, r, 3)
    _put(cap, block["caption"], align=ctx["caption_align"], bold=act["caption_style"] == "bold")
    if act["caption_style"] == "shaded":
        _shade(cap, rng.choice(["bfbfbf", "d0cece", "c9c9c9"]))
    slots = _value_slots(len(block["cols"]), act["one_value_cols"])
    head = table.cell(r + 1, 0)
    _put(head, "信息内容", bold=ctx["head_bold"])
    _shade(head, act["header_shading"])
    values = iter(block["cols"])
    for c0, c1, holds in slots:
        cell = _span(table, r + 1, c0, r + 1, c1)
        col = next(values) if holds else None
        _put(cell, _active_label(col["label"], col["key"], v, rng, ctx["layout"]) if col else "", bold=ctx["head_bold"])
        _shade(cell, act["header_shading"])
    for i, row in enumerate(block["rows"]):
        rr = r + 2 + i
        label = _active_label(row["label"], row["key"], v, rng, ctx["layout"])
        _put(table.cell(rr, 0), label, align=ctx["label_align"])
        values = iter(block["cols"])
        for c0, c1, holds in slots:
            cell = _span(table, rr, c0, rr, c1)
            col = next(values) if holds else None
            _put(cell, texts[(row["key"], col["key"])] if col else "", align=align)
    return r + 2 + len(block["rows"])


def draw_active(doc, ctx: dict) -> None:
    blocks = table_blocks(ctx["layout"], "active")
    act = ctx["variants"]["active"]
    width = ctx["text_width"]
    label = width * act["label_width"]
    widths = [label] + [(width - label) / 3] * 3
    groups = [blocks] if act["blocks"] == "one_table" else [[b] for b in blocks]
    for i, group in enumerate(groups):
        if i:
            _no_spacing(doc.add_paragraph(), 1.0)
        table = _new_table(doc, sum(2 + len(b["rows"]) for b in group), widths, ctx["variants"]["rules"], ctx["row_pt"])
        r = 0
        for block in group:
            r = _active_block(table, r, block, ctx)


# ---------------------------------------------------------------------------------------------
# table 三 (applications)

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TOP_ROWS = ("new_received", "carried_over", "carry_forward")
RESULTS = "三、本年度办理结果"


@cache
def _row_labels() -> dict[str, tuple[str, str | None]]:
    """row key -> (label, parent) over both layouts (own layout first, see _app_row)."""
    out = {}
    for layout in ("2021", "2019"):
        for row in load_layout(layout)["tables"]["applications"]["blocks"][0]["rows"]:
            out.setdefault((layout, row["key"]), (row["label"], row.get("parent")))
    return out


def _app_row(layout: str, key: str) -> tuple[str, str | None]:
    other = "2019" if layout == "2021" else "2021"
    labels = _row_labels()
    return labels.get((layout, key)) or labels[(other, key)]


def _numbered(label: str, style: str) -> str:
    m = SUB_PREFIX.match(label)
    if not m:
        return label
    n = m.group(1)
    prefix = {"1.": f"{n}.", "1．": f"{n}．", "1、": f"{n}、", "(1)": f"({n})", "（1）": f"（{n}）"}[style]
    return prefix + label[m.end():]


def _app_label(key: str, label: str, ctx: dict) -> str:
    v = ctx["variants"]
    if v["applications"]["reword"] and key in APPLICATION_REWORDS and ctx["rng"].random() < 0.7:
        label = APPLICATION_REWORDS[key][1]
    return _numbered(label, v["document"]["numbering"])


def _app_header(table, ctx: dict, label_cols: int, cut: int = 0) -> None:
    """Table 三's three header rows. `cut`: the header rows repeated on a continued page, when
    only part of them are: no cell spans across from them into the rest (as HTML's thead cuts
    them). A repeated row holding the top of a taller merged cell is printed by LibreOffice with
    the cell's text running over the body row below, a fault no Word page shows."""
    app = ctx["variants"]["applications"]
    shade, bold = ctx["variants"]["active"]["header_shading"], ctx["head_bold"]
    small = max(7.0, ctx["table_pt"] - 2)

    def down(r0: int, c0: int, r1: int, c1: int):
        if 0 < cut and r0 < cut <= r1:
            _span(table, cut, c0, r1, c1)
            r1 = cut - 1
        return _span(table, r0, c0, r1, c1)

    if app["corner"] == "split":
        top = _span(table, 0, 0, 0, label_cols - 1)
        _put(top, NOTE, size=small)
        down(1, 0, 2, label_cols - 1)
    else:
        corner = down(0, 0, 2, label_cols - 1)
        _put(corner, NOTE if app["corner"] == "note" else "", size=small)
    cols = table_blocks(ctx["layout"], "applications")[0]["cols"]
    first, last = label_cols, label_cols + len(cols) - 1
    if app["header"] == "rowspan":
        cells = [_span(table, 0, first, 0, last)]
        _put(cells[0], "申请人情况", bold=bold)
        cells.append(down(1, first, 2, first))
        cells.append(down(1, last, 2, last))
        _put(cells[1], cols[0]["label"], bold=bold)
        _put(cells[2], cols[-1]["label"], bold=bold)
    else:
        cells = []
        for c in range(first, last + 1):
            cells.append(table.cell(0, c))
            _put(cells[-1], "申请人情况", bold=bold)
        for c, text in ((first, cols[0]["label"]), (last, cols[-1]["label"])):
            cells += [table.cell(1, c), table.cell(2, c)]
            _put(table.cell(1, c), text, bold=bold)
    org = _span(table, 1, first + 1, 1, last - 1)
    _put(org, "法人或其他组织", bold=bold)
    cells.append(org)
    for i, col in enumerate(cols[1:-1]):
        cells.append(table.cell(2, first + 1 + i))
        _put(cells[-1], col["label"], bold=bold)
    for cell in cells:
        _shade(cell, shade)


def _group_spans(rows: list[str], layout: str) -> list[tuple[str, int, int]]:
    """(parent label, first, last) of the consecutive rows sharing a parent other than 三、…"""
    spans = []
    for i, key in enumerate(rows):
        parent = _app_row(layout, key)[1]
        if not parent or parent == RESULTS:
            continue
        if spans and spans[-1][0] == parent and spans[-1][2] == i - 1:
            spans[-1] = (parent, spans[-1][1], i)
        else:
            spans.append((parent, i, i))
    return spans


def _span_label(table, r0: int, r1: int, col: int, text: str, ctx: dict) -> None:
    """A row header spanning rows r0..r1 (vertical, wrapped or rotated); rotated text gets the height it needs."""
    how = ctx["variants"]["applications"]["vertical_label"]
    cell = _span(table, r0, col, r1, col)
    if how == "rotated":
        _vertical_direction(cell)
        need = (len(text) * 1.05 * ctx["table_pt"] + 8) / (r1 - r0 + 1)
        for r in range(r0, r1 + 1):
            row = table.rows[r]
            if row.height is None or row.height.pt < need:
                row.height = Pt(need)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    _put(cell, text, vertical=how == "vertical", bold=ctx["head_bold"] and text == RESULTS)


def _app_widths(ctx: dict) -> list[float]:
    app, pt = ctx["variants"]["applications"], ctx["table_pt"]
    width = ctx["text_width"]
    char = pt * 0.3528  # mm per character
    narrow = char * (1.9 if app["vertical_label"] != "wrapped" else 4.6)
    labels = max(width * app["label_width"], 2 * narrow + 7 * char)
    data = (width - labels) / 7
    return [narrow, narrow, labels - 2 * narrow] + [data] * 7


def _missing_rule(table, n_header: int, n_rows: int, ctx: dict) -> None:
    """Leave out one inner rule segment, as where two cells were merged by hand."""
    rng = ctx["rng"]
    r = rng.randrange(n_header, n_header + n_rows - 1)
    if rng.random() < 0.5:
        c = 2
        _cell_borders(table.cell(r, c), bottom=("nil", 0, "auto"))
        _cell_borders(table.cell(r + 1, c), top=("nil", 0, "auto"))
    else:
        c = rng.randrange(3, 9)
        _cell_borders(table.cell(r, c), right=("nil", 0, "auto"))
        _cell_borders(table.cell(r, c + 1), left=("nil", 0, "auto"))


def draw_applications(doc, ctx: dict) -> None:
    layout, report, v = ctx["layout"], ctx["report"], ctx["variants"]
    app, align = v["applications"], v["document"]["align"]
    rows = printed_rows(report)
    cols = [c["key"] for c in table_blocks(layout, "applications")[0]["cols"]]
    table = _new_table(doc, 3 + len(rows), _app_widths(ctx), v["rules"], ctx["row_pt"])
    kept = 3 + ctx["rng"].choice([1, 2])
    repeat = {"all": 3, "part": ctx["rng"].choice([1, 2]), "none": 0}[app["repeat_header"]]
    _app_header(table, ctx, 3, cut=repeat if repeat < 3 else 0)
    _keep_together(table, kept)
    for i in range(repeat):
        _repeat_as_header(table.rows[i])
    if repeat:
        # LibreOffice prints a repeated header over the rest of a row broken across the page
        # (a layout fault of the converter, on no page Word makes): such rows are kept whole.
        for row in table.rows[3:]:
            tr_pr = row._tr.get_or_add_trPr()
            if tr_pr.find(qn("w:cantSplit")) is None:
                tr_pr.append(_el("w:cantSplit"))
    results = [i for i, k in enumerate(rows) if k not in TOP_ROWS]
    groups = _group_spans(rows, layout)
    in_group = {i for _, a, b in groups for i in range(a, b + 1)}
    for i, key in enumerate(rows):
        r = 3 + i
        label = _app_label(key, _app_row(layout, key)[0], ctx)
        if key in TOP_ROWS:
            cell = _span(table, r, 0, r, 2)
        elif i in in_group:
            cell = table.cell(r, 2)
        else:
            cell = _span(table, r, 1, r, 2)
        _put(cell, label, align=ctx["label_align"])
        for j, col in enumerate(cols):
            _put(table.cell(r, 3 + j), ctx["texts"]["applications"][(key, col)], align=align)
    _span_label(table, 3 + results[0], 3 + results[-1], 0, RESULTS, ctx)
    for parent, a, b in groups:
        _span_label(table, 3 + a, 3 + b, 1, parent, ctx)
    if v["rules"]["missing_rule"]:
        _missing_rule(table, 3, len(rows), ctx)


# ---------------------------------------------------------------------------------------------
# table 四 (review_litigation)

GROUPS = [("review", "行政复议", None), ("litigation_direct", "未经复议直接起诉", "行政诉讼"),
          ("litigation_after_review", "复议后起诉", "行政诉讼")]


def _rl_cols(ctx) -> list[tuple[str, str]]:
    return [(c["key"], c["label"]) for c in table_blocks(ctx["layout"], "review_litigation")[0]["cols"]]


def _rl_header(table, ctx: dict, groups: list, rows: int) -> None:
    """Header of `rows` rows (2 or 3) over the groups drawn, each of five leaf columns."""
    vertical, bold = ctx["variants"]["review_litigation"]["vertical_headers"], ctx["head_bold"]
    shade = ctx["variants"]["active"]["header_shading"]
    leaves = _rl_cols(ctx)
    cells = []
    c = 0
    i = 0
    while i < len(groups):
        key, label, parent = groups[i]
        if rows == 3 and parent and i + 1 < len(groups) and groups[i + 1][2] == parent:
            top = _span(table, 0, c, 0, c + 9)
            _put(top, parent, bold=bold)
            cells.append(top)
            for g in range(2):
                mid = _span(table, 1, c + 5 * g, 1, c + 5 * g + 4)
                _put(mid, groups[i + g][1], bold=bold)
                cells.append(mid)
                for j, (_, leaf) in enumerate(leaves):
                    cells.append(table.cell(2, c + 5 * g + j))
                    _put(cells[-1], leaf, vertical=vertical, bold=bold)
            c += 10
            i += 2
            continue
        name = f"{parent}（{label}）" if parent and rows == 2 else label
        top = _span(table, 0, c, 0, c + 4)
        _put(top, name, bold=bold)
        cells.append(top)
        for j, (_, leaf) in enumerate(leaves):
            cell = _span(table, 1, c + j, rows - 1, c + j)
            _put(cell, leaf, vertical=vertical, bold=bold)
            cells.append(cell)
        c += 5
        i += 1
    for cell in cells:
        _shade(cell, shade)


def _rl_table(doc, ctx: dict, groups: list) -> None:
    rows = ctx["variants"]["review_litigation"]["header_rows"]
    n = 5 * len(groups)
    table = _new_table(doc, rows + 1, [ctx["table_width"] / n] * n, ctx["variants"]["rules"], ctx["row_pt"])
    _rl_header(table, ctx, groups, rows)
    texts, align = ctx["texts"]["review_litigation"], ctx["variants"]["document"]["align"]
    for g, (key, _, _) in enumerate(groups):
        for j, (col, _) in enumerate(_rl_cols(ctx)):
            _put(table.cell(rows, 5 * g + j), texts[(key, col)], align=align)


def _rl_transposed(doc, ctx: dict) -> None:
    leaves = _rl_cols(ctx)
    width = ctx["text_width"]
    table = _new_table(doc, 16, [width * 0.2, width * 0.3, width * 0.25, width * 0.25], ctx["variants"]["rules"], ctx["row_pt"])
    bold, shade = ctx["head_bold"], ctx["variants"]["active"]["header_shading"]
    head = _span(table, 0, 0, 0, 2)
    _put(head, "项目", bold=bold)
    _put(table.cell(0, 3), "数量", bold=bold)
    _shade(head, shade); _shade(table.cell(0, 3), shade)
    texts, align = ctx["texts"]["review_litigation"], ctx["variants"]["document"]["align"]
    for g, (key, label, parent) in enumerate(GROUPS):
        r = 1 + 5 * g
        for j, (col, leaf) in enumerate(leaves):
            _put(table.cell(r + j, 2), leaf, align=ctx["label_align"])
            _put(table.cell(r + j, 3), texts[(key, col)], align=align)
        if parent:
            _put(_span(table, r, 1, r + 4, 1), label)
        else:
            _put(_span(table, r, 0, r + 4, 1), label)
    _put(_span(table, 6, 0, 15, 0), "行政诉讼")


def draw_review(doc, ctx: dict) -> None:
    shape = ctx["variants"]["review_litigation"]["shape"]
    if shape == "transposed":
        _rl_transposed(doc, ctx)
    elif shape == "split":
        _rl_table(doc, ctx, GROUPS[:1])
        _no_spacing(doc.add_paragraph(), 1.0)
        _rl_table(doc, ctx, GROUPS[1:])
    else:
        _rl_table(doc, ctx, GROUPS)


# ---------------------------------------------------------------------------------------------
# the document

HEADINGS = [("总体情况", "政府信息公开工作总体情况"),
            ("主动公开政府信息情况", "主动公开政府信息情况统计"),
            ("收到和处理政府信息公开申请情况", "本年度收到和处理政府信息公开申请情况"),
            ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
            ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
            ("其他需要报告的事项", "其他需要报告的事项说明")]
TABLE_NAMES = {"active": "主动公开政府信息情况", "applications": "收到和处理政府信息公开申请情况",
               "review_litigation": "政府信息公开行政复议、行政诉讼情况"}
DRAW = {"active": draw_active, "applications": draw_applications, "review_litigation": draw_review}
SECTION_TABLE = {1: "active", 2: "applications", 3: "review_litigation"}


def _heading_text(i: int, variants: dict) -> str:
    doc = variants["document"]
    words = HEADINGS[i][doc["heading_wording"]]
    number = {"cn": f"{CN_NUM[i]}、", "paren": f"（{CN_NUM[i]}）", "arabic": f"{i + 1}."}[doc["heading_style"]]
    return number + words


def _body(doc, text: str, indent: bool = True) -> None:
    p = doc.add_paragraph(text, style="Normal")
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * doc.styles["Normal"].font.size.pt)


def _setup(doc, ctx: dict, rng: random.Random) -> None:
    v = ctx["variants"]["document"]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(rng.uniform(25, 37)), Mm(rng.uniform(22, 35))
    section.left_margin = section.right_margin = Mm(ctx["margin"])
    styles = doc.styles
    body_pt = rng.choice([12, 14, 15, 16])
    _set_style_font(styles["Normal"], font_family(v["font_body"]), body_pt)
    styles["Normal"].paragraph_format.line_spacing = rng.choice([1.0, 1.15, 1.3, 1.5])
    styles["Normal"].paragraph_format.space_after = Pt(rng.choice([0, 0, 3, 6]))
    table_style = styles.add_style("TableText", WD_STYLE_TYPE.PARAGRAPH)
    table_style.base_style = styles["Normal"]
    _set_style_font(table_style, font_family(v["font_table"]), v["table_pt"])
    table_style.paragraph_format.line_spacing = 1.0
    table_style.paragraph_format.first_line_indent = Pt(0)
    head = styles.add_style("SectionHead", WD_STYLE_TYPE.PARAGRAPH)
    head.base_style = styles["Normal"]
    head_kind = rng.choice(["sans", v["font_body"]])
    _set_style_font(head, font_family(head_kind), body_pt + rng.choice([0, 0, 1, 2]), bold=head_kind != "sans")
    head.paragraph_format.keep_with_next = True
    head.paragraph_format.space_before = Pt(rng.choice([0, 6, 12]))
    head.paragraph_format.first_line_indent = Pt(2 * body_pt) if rng.random() < 0.6 else Pt(0)
    if v["page_numbers"]:
        _page_numbers(section, rng)
    if v["running_header"]:
        p = section.header.paragraphs[0]
        p.text = ctx["report"]["title"] if rng.random() < 0.5 else ctx["report"]["agency"]
        p.alignment = rng.choice([WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT])
        for run in p.runs:
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        p_pr = p._p.get_or_add_pPr()
        border = _el("w:pBdr")
        border.append(_el("w:bottom", val="single", sz=6, space=1, color="000000"))
        p_pr.append(border)


def _page_numbers(section, rng: random.Random) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = rng.choice([WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT])
    before, after = rng.choice([("— ", " —"), ("- ", " -"), ("第 ", " 页"), ("", "")])
    p.add_run(before)
    _page_field(p, "PAGE")
    if after == " 页" and rng.random() < 0.5:
        p.add_run(" 页 共 ")
        _page_field(p, "NUMPAGES")
        p.add_run(" 页")
    else:
        p.add_run(after)


def _landscape(doc, on: bool) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    short, long_ = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if on else (short, long_)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _place_table(doc, table: str, ctx: dict, caption: str | None, heading: str | None = None) -> None:
    """The table (on its own landscape section for a landscape table 四), under its heading or caption."""
    v = ctx["variants"]["document"]
    landscape = table == "review_litigation" and v["table4_landscape"]
    if landscape:
        _landscape(doc, True)
        ctx["table_width"] = 297 - 2 * ctx["margin"] - 5
    if heading:
        doc.add_paragraph(heading, style="SectionHead")
    if caption:
        p = doc.add_paragraph(caption, style="SectionHead")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    DRAW[table](doc, ctx)
    _no_spacing(doc.add_paragraph(), 1.0)
    if landscape:
        _landscape(doc, False)
        ctx["table_width"] = ctx["text_width"]


def _section_text(i: int, ctx: dict) -> list[str]:
    report = ctx["report"]
    if i == 0:
        cut = report["prose1"].find("。", len(report["prose1"]) // 2) + 1 or len(report["prose1"])
        return [report["prose1"][:cut], report["prose1"][cut:]]
    if i == 4:
        return [report["prose5"]]
    if i == 5:
        return [ctx["rng"].choice(["本机关无其他需要报告的事项。", "本年度本机关未收取信息处理费。"])]
    return []


def build_document(report: dict, variants: dict, break_before_applications: bool = False):
    """The python-docx Document of the report as the variants draw it (optionally table 三 on a new page)."""
    rng = _rng(report, variants, "layout")
    doc = Document()
    margin = rng.uniform(22, 30)
    ctx = {"report": report, "variants": variants, "layout": report["layout"], "rng": rng,
           "texts": printed_texts(report, variants), "table_pt": variants["document"]["table_pt"],
           "margin": margin, "text_width": 210 - 2 * margin, "head_bold": rng.random() < 0.4,
           "caption_align": rng.choice(["left", "center"]),
           "row_pt": variants["document"]["table_pt"] * rng.uniform(1.4, 2.4),
           "label_align": rng.choice(["left", "left", "center"])}
    ctx["table_width"] = ctx["text_width"]
    _setup(doc, ctx, rng)
    title = doc.add_paragraph(style="SectionHead")
    title.paragraph_format.first_line_indent = Pt(0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report["title"])
    run.font.size = Pt(rng.choice([18, 20, 22]))
    run.bold = True
    flow = variants["document"]["flow"]
    if rng.random() < 0.5:
        _body(doc, f"本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自{report['year']}年1月1日起至"
                   f"{report['year']}年12月31日止。")
    landscape = variants["document"]["table4_landscape"]
    for i in range(6):
        table = SECTION_TABLE.get(i)
        if table == "review_litigation" and landscape and flow != "appendix":
            _place_table(doc, table, ctx, None, _heading_text(i, variants))
            continue
        if table and (flow == "page_break" or (table == "applications" and break_before_applications and flow != "appendix")):
            _page_break(doc)
        doc.add_paragraph(_heading_text(i, variants), style="SectionHead")
        for text in _section_text(i, ctx):
            _body(doc, text)
        if table and flow == "appendix":
            _body(doc, f"详见附表{i}。")
        elif table:
            _place_table(doc, table, ctx, None)
    if flow == "appendix":
        _page_break(doc)
        doc.add_paragraph("附表", style="SectionHead")
        for i, table in SECTION_TABLE.items():
            if i > 1 and table == "review_litigation" and not landscape and rng.random() < 0.5:
                _page_break(doc)
            if table == "applications" and break_before_applications:
                _page_break(doc)
            _place_table(doc, table, ctx, f"附表{i}  {TABLE_NAMES[table]}")
    return doc


# ---------------------------------------------------------------------------------------------
# PDF

def _name(report: dict) -> str:
    if report.get("stem"):
        return str(report["stem"])
    digest = hashlib.sha1(json.dumps([report["title"], sorted(map(str, report["values"]["applications"].items()))],
                                     ensure_ascii=False).encode()).hexdigest()[:8]
    return f"report-{report['layout']}-{report['year']}-{digest}"


def to_pdf(docx_path: Path, outdir: Path, timeout: int = 120) -> Path:
    """Convert with LibreOffice headless, one user profile per process and thread."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("LibreOffice (soffice) not found: install it to render Word documents to PDF")
    profile = Path(tempfile.gettempdir()) / f"lo-profile-{os.getpid()}-{threading.get_ident()}"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
           "--outdir", str(outdir), str(docx_path)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"LibreOffice did not convert {docx_path.name} within {timeout} s") from e
    pdf = outdir / (docx_path.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice failed to convert {docx_path.name} (rc {done.returncode}): "
                           f"{(done.stderr or done.stdout).strip()[-500:]}")
    return pdf


def _header_split(pdf: Path) -> bool:
    """Whether table 三's header rows were cut by a page break (its first data row on a later page)."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = ["".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()
    head = next((i for i, t in enumerate(pages) if "申请人情况" in t), None)
    first = next((i for i, t in enumerate(pages) if "本年新收" in t), None)
    return head is not None and first is not None and first != head


def render_pdf(report: dict, variants: dict, workdir: Path) -> Path:
    """Write the report as <workdir>/<name>.docx and convert it to PDF; return the PDF path."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{_name(report)}.docx"
    pdf = path.with_suffix(".pdf")
    if pdf.exists():
        pdf.unlink()
    build_document(report, variants).save(str(path))
    to_pdf(path, workdir)
    if _header_split(pdf):  # Word would keep the header rows together; LibreOffice may not
        build_document(report, variants, break_before_applications=True).save(str(path))
        to_pdf(path, workdir)
    return pdf
