"""A second office's hand: the annual report as an HTML page with CSS tables, printed to PDF by
headless Chromium.

What it draws (every choice comes from digitizer_tools.synth.variants.draw_variants):
  - title, section headings 一…六 (numbered 二、/（二）/2., mandated or longer wording), the prose of
    sections 一 and 五; flow "continuous" (tables where they fall), "page_break" (each table starts a
    page) or "appendix" (all prose first, the tables after it under 附表 captions);
  - page numbers and a running header as CSS @page margin boxes (Chromium >= 131 prints them);
  - table 二 as one table or a small table per block, caption rows as full-width colspan cells,
    header shading, one-value-column blocks merged / one cell + empty span / separate cells, label
    variants, fee unit in the header or beside the number, negative 本年增/减 as −105, -105, 减少105;
  - table 三 with a 3-column by 3-row corner (勾稽关系 note, empty or split), the 三、本年度办理结果 and
    （三）…（六） spans written vertically, wrapped or rotated, header with rowspans or 申请人情况
    repeated, header rows repeated on continued pages through <thead> (all, part, none), reworded
    labels, sub-item numbering, a rule left out;
  - table 四 with two or three header rows, vertical column headers, transposed or split in two,
    optionally on a landscape page (a named @page);
  - rules: width, colour, outer border single/double/none/thick, dashed or dotted inner rules;
  - zero style, number alignment and number decoration in every cell.
Every number printed is the report's value; printed_texts() gives the text of every cell.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from digitizer_tools.synth import content
from digitizer_tools.synth.variants import ACTIVE_LABELS, APPLICATION_REWORDS, number_text, zero_text

FONT_STACKS = {
    "serif": '"Noto Serif CJK SC", "AR PL UMing CN", "Source Han Serif SC", "SimSun", serif',
    "sans": '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei", sans-serif',
    "kai": '"AR PL UKai CN", "KaiTi", "cwTeXKai", "Noto Serif CJK SC", serif',
    "fangsong": '"cwTeXFangSong", "FangSong", "FangSong_GB2312", "AR PL UMing CN", "Noto Serif CJK SC", serif',
}
CN_NUM = "一二三四五六"
SECTIONS = [
    ("总体情况", "政府信息公开工作总体情况"),
    ("主动公开政府信息情况", "本机关主动公开政府信息情况"),
    ("收到和处理政府信息公开申请情况", "本年度收到和处理政府信息公开申请情况"),
    ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    ("其他需要报告的事项", "其他需要报告的事项及说明"),
]
PROSE6 = "本机关无其他需要报告的事项。本年度未收取信息处理费。"
CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULT_PARENT = "三、本年度办理结果"
REVIEW_GROUPS = [("行政复议", None, "review"),
                 ("行政诉讼", "未经复议直接起诉", "litigation_direct"),
                 ("行政诉讼", "复议后起诉", "litigation_after_review")]
CHROMIUM_TIMEOUT_S = 120


# ---------------------------------------------------------------- cell texts

def _doc_rng(report: dict, variants: dict, salt: str) -> random.Random:
    key = json.dumps([report["title"], report["layout"], variants, salt], sort_keys=True,
                     ensure_ascii=False, default=str)
    return random.Random(key)


def _cell_text(report: dict, variants: dict, table: str, key: tuple, rng: random.Random) -> str:
    value = report["values"][table][key]
    doc = variants["document"]
    if value == 0:
        return zero_text(doc["zero_style"], rng)
    if table == "active" and key[1] == "amount_10k_yuan":
        text = report["texts"][table].get(key) or str(value)
        if report["layout"] == "2021" and variants["active"]["fee_unit"] == "cell":
            text += rng.choice(["万元", " 万元"])
        return text
    if table == "active" and key[1] == "delta" and value < 0:
        style = variants["active"]["delta_style"]
        return f"减少{-value}" if style == "减少" else f"{style}{-value}"
    return number_text(value, doc["number_decor"], rng)


def printed_texts(report: dict, variants: dict) -> dict:
    """{table: {(row, col): text as printed}} for every cell of the report (deterministic)."""
    rng = _doc_rng(report, variants, "cells")
    out = {}
    for table in ("active", "applications", "review_litigation"):
        keys = sorted(report["values"][table])
        out[table] = {k: _cell_text(report, variants, table, k, rng) for k in keys}
    return out


# ---------------------------------------------------------------- small HTML helpers

def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _td(text: str = "", cls: str = "", colspan: int = 1, rowspan: int = 1, style: str = "",
        raw: bool = False) -> str:
    attrs = []
    if cls:
        attrs.append(f'class="{cls}"')
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    if rowspan > 1:
        attrs.append(f'rowspan="{rowspan}"')
    if style:
        attrs.append(f'style="{style}"')
    body = text if raw else _esc(text)
    return f"<td {' '.join(attrs)}>{body}</td>" if attrs else f"<td>{body}</td>"


def _tr(cells: list[str], cls: str = "") -> str:
    return f'<tr class="{cls}">' + "".join(cells) + "</tr>" if cls else "<tr>" + "".join(cells) + "</tr>"


def _table(rows: list[str], widths: list[float], cls: str = "t", head: list[str] | None = None) -> str:
    cols = "".join(f'<col style="width:{w * 100:.2f}%">' for w in widths)
    thead = "<thead>" + "".join(head) + "</thead>" if head else ""
    return f'<table class="{cls}"><colgroup>{cols}</colgroup>{thead}<tbody>{"".join(rows)}</tbody></table>'


def _vertical(text: str, mode: str) -> str:
    """HTML for a label set vertically: 'chars' (<br> per character), 'vrl' (writing-mode),
    'rot' / 'rot_up' (rotated 90° clockwise / anticlockwise), 'wrap' (horizontal, wrapping)."""
    if mode == "chars":
        return "<br>".join(_esc(c) for c in text)
    if mode == "vrl":
        return f'<span class="vrl">{_esc(text)}</span>'
    if mode == "rot":
        return f'<span class="rot">{_esc(text)}</span>'
    if mode == "rot_up":
        return f'<span class="rotup">{_esc(text)}</span>'
    return _esc(text)


# ---------------------------------------------------------------- table 二 (active)

def _active_label(label: str, key: str, variants: dict, rng: random.Random, layout: str) -> str:
    av = variants["active"]
    if key == "amount_10k_yuan" and layout == "2021":
        if av["fee_unit"] == "cell":
            return "本年收费金额"
        options = ACTIVE_LABELS[key][:2]
        return rng.choice(options) if av["label_variants"] else label
    if av["label_variants"] and key in ACTIVE_LABELS and key != "amount_10k_yuan":
        others = [o for o in ACTIVE_LABELS[key] if o != label]
        return rng.choice(others or ACTIVE_LABELS[key])
    return label


def _spread(cells: list[str], mode: str, cls: str = "n") -> list[str]:
    """Fill the three data columns of table 二 with a block's 1 or 2 cells (cells: inner HTML)."""
    if len(cells) >= 3:
        return [_td(c, cls, raw=True) for c in cells]
    if mode == "merged":
        return [_td(c, cls, raw=True) for c in cells[:-1]] + [_td(cells[-1], cls, colspan=4 - len(cells), raw=True)]
    if mode == "first_then_merged" and len(cells) == 1:
        return [_td(cells[0], cls, raw=True), _td("", cls, colspan=2)]
    return [_td(c, cls, raw=True) for c in cells] + [_td("", cls) for _ in range(3 - len(cells))]


def _active_block_rows(report: dict, variants: dict, texts: dict, block: dict, rng: random.Random) -> list[str]:
    av, layout = variants["active"], report["layout"]
    cap_cls = {"plain": "cap", "bold": "cap b", "shaded": "cap shade2"}[av["caption_style"]]
    rows = [_tr([_td(block["caption"], cap_cls, colspan=4)])]
    labels = [_esc(_active_label(c["label"], c["key"], variants, rng, layout)) for c in block["cols"]]
    rows.append(_tr([_td("信息内容", "h")] + _spread(labels, av["one_value_cols"], "h"), "hrow"))
    for r in block["rows"]:
        label = _active_label(r["label"], r["key"], variants, rng, layout)
        cells = [_esc(texts[(r["key"], c["key"])]) for c in block["cols"]]
        rows.append(_tr([_td(label, "lab")] + _spread(cells, av["one_value_cols"])))
    return rows


def _active_html(report: dict, variants: dict, texts: dict, rng: random.Random) -> str:
    av = variants["active"]
    lw = av["label_width"]
    widths = [lw] + [(1 - lw) / 3] * 3
    blocks = content.table_blocks(report["layout"], "active")
    per_block = [_active_block_rows(report, variants, texts, b, rng) for b in blocks]
    if av["blocks"] == "one_table":
        return _table([r for rows in per_block for r in rows], widths)
    return "".join(f'<div class="gap">{_table(rows, widths)}</div>' for rows in per_block)


# ---------------------------------------------------------------- table 三 (applications)

def _app_labels(report: dict) -> dict:
    """key -> (label, parent) over both layouts, the report's own layout first."""
    other = "2021" if report["layout"] == "2019" else "2019"
    out = {}
    for layout in (other, report["layout"]):
        for r in content.table_blocks(layout, "applications")[0]["rows"]:
            out[r["key"]] = (r["label"], r.get("parent"))
    return out


def _numbered(label: str, style: str) -> str:
    m = re.match(r"^(\d+)\.", label)
    if not m:
        return label
    return style.replace("1", m.group(1)) + label[m.end():]


def _app_row_label(key: str, label: str, variants: dict, rng: random.Random) -> str:
    if variants["applications"]["reword"] and key in APPLICATION_REWORDS and rng.random() < 0.7:
        label = APPLICATION_REWORDS[key][-1]
    return _numbered(label, variants["document"]["numbering"])


def _app_header(variants: dict, cut: bool) -> list[list[str]]:
    """Three header rows of table 三; cut: no span crosses from row 2 into row 3."""
    ap = variants["applications"]
    orgs = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    corner_text = "" if ap["corner"] == "empty" else CORNER_NOTE
    rows: list[list[str]] = [[], [], []]
    if ap["corner"] == "split" or cut:
        rows[0].append(_td(corner_text, "note", colspan=3, rowspan=2))
        rows[2].append(_td("", "note", colspan=3))
    else:
        rows[0].append(_td(corner_text, "note", colspan=3, rowspan=3))
    if ap["header"] == "repeat":
        rows[0] += [_td("申请人情况", "h") for _ in range(7)]
        rows[1] += [_td("自然人", "h"), _td("法人或其他组织", "h", colspan=5), _td("总计", "h")]
        rows[2] += [_td("", "h")] + [_td(o, "h") for o in orgs] + [_td("", "h")]
        return rows
    rows[0].append(_td("申请人情况", "h", colspan=7))
    span = 1 if cut else 2
    rows[1] += [_td("自然人", "h", rowspan=span), _td("法人或其他组织", "h", colspan=5),
                _td("总计", "h", rowspan=span)]
    rows[2] += ([_td("", "h")] if cut else []) + [_td(o, "h") for o in orgs] + ([_td("", "h")] if cut else [])
    return rows


def _vertical_mode(variants: dict, rng: random.Random) -> str:
    mode = variants["applications"]["vertical_label"]
    if mode == "vertical":
        return rng.choice(["chars", "vrl"])
    if mode == "rotated":
        return rng.choice(["rot", "rot_up"])
    return "wrap"


def _app_body(report: dict, variants: dict, texts: dict, rng: random.Random) -> list[str]:
    labels = _app_labels(report)
    rows = content.printed_rows(report)
    vmode = _vertical_mode(variants, rng)
    vcls = "vlab" if vmode != "wrap" else "wlab"
    in_results = [k for k in rows if labels[k][1]]
    cols = content.APPLICANT_COLS + ["total"]
    no_rule = rng.randrange(len(rows) - 1) if variants["rules"]["missing_rule"] else -1
    out, seen_parent = [], set()
    for i, key in enumerate(rows):
        label, parent = labels[key]
        text = _app_row_label(key, label, variants, rng)
        cut = "border-bottom-style:hidden" if i == no_rule else ""
        cells = []
        if parent is None:
            cells.append(_td(text, "lab", colspan=3, style=cut))
        else:
            if key == in_results[0]:
                cells.append(_td(_vertical(RESULT_PARENT, vmode), vcls, rowspan=len(in_results), raw=True))
            if parent == RESULT_PARENT:
                cells.append(_td(text, "lab", colspan=2, style=cut))
            else:
                if parent not in seen_parent:
                    seen_parent.add(parent)
                    span = sum(1 for k in rows if labels[k][1] == parent)
                    cells.append(_td(_vertical(parent, vmode), vcls, rowspan=span, raw=True))
                cells.append(_td(text, "lab", style=cut))
        cells += [_td(texts[(key, c)], "n") for c in cols]
        out.append(_tr(cells))
    return out


def _applications_html(report: dict, variants: dict, texts: dict, rng: random.Random) -> str:
    ap = variants["applications"]
    lw = ap["label_width"]
    narrow = 0.075 if ap["vertical_label"] == "wrapped" else 0.055
    label_col = max(lw - 2 * narrow, 0.14)
    data = (1 - 2 * narrow - label_col) / 7
    widths = [narrow, narrow, label_col] + [data] * 7
    repeat = ap["repeat_header"]
    head = [_tr(r, "hrow") for r in _app_header(variants, cut=repeat == "part")]
    body = _app_body(report, variants, texts, rng)
    cls = "t apps rep" if ap["header"] == "repeat" else "t apps"
    if repeat == "all":
        return _table(body, widths, cls, head=head)
    if repeat == "part":
        return _table(head[2:] + body, widths, cls, head=head[:2])
    return _table(head + body, widths, cls)


# ---------------------------------------------------------------- table 四 (review_litigation)

REVIEW_COLS = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
               ("pending", "尚未审结"), ("total", "总计")]


def _leaf(text: str, vertical: bool) -> str:
    return _td(_vertical(text, "chars"), "h vh", raw=True) if vertical else _td(text, "h")


def _review_header(groups: list, rows: int, vertical: bool) -> list[str]:
    leaves = [_leaf(label, vertical) for _ in groups for _, label in REVIEW_COLS]
    if rows == 2:
        top = [_td(t if s is None else f"{t}（{s}）", "h", colspan=5) for t, s, _ in groups]
        return [_tr(top, "hrow"), _tr(leaves, "hrow")]
    first, second = [], []
    i = 0
    while i < len(groups):
        top, sub, _ = groups[i]
        if sub is None:
            first.append(_td(top, "h", colspan=5, rowspan=2))
            i += 1
            continue
        n = sum(1 for g in groups[i:] if g[0] == top)
        first.append(_td(top, "h", colspan=5 * n))
        second += [_td(g[1], "h", colspan=5) for g in groups[i:i + n]]
        i += n
    return [_tr(first, "hrow"), _tr(second, "hrow"), _tr(leaves, "hrow")]


def _review_normal(groups: list, variants: dict, texts: dict) -> str:
    rl = variants["review_litigation"]
    head = _review_header(groups, rl["header_rows"], rl["vertical_headers"])
    data = [_td(texts[(g[2], c)], "n") for g in groups for c, _ in REVIEW_COLS]
    n = 5 * len(groups)
    return _table(head + [_tr(data)], [1 / n] * n, "t rev")


def _review_transposed(texts: dict) -> str:
    rows = [_tr([_td("项目", "h", colspan=3), _td("数量", "h")], "hrow")]
    for top, sub, key in REVIEW_GROUPS:
        for j, (col, label) in enumerate(REVIEW_COLS):
            cells = []
            if sub is None and j == 0:
                cells.append(_td(top, "lab", colspan=2, rowspan=5))
            if sub is not None and j == 0:
                if key == "litigation_direct":
                    cells.append(_td(top, "lab", rowspan=10))
                cells.append(_td(sub, "lab", rowspan=5))
            cells += [_td(label, "lab"), _td(texts[(key, col)], "n")]
            rows.append(_tr(cells))
    return _table(rows, [0.2, 0.3, 0.3, 0.2], "t rev tr")


def _review_html(variants: dict, texts: dict) -> str:
    shape = variants["review_litigation"]["shape"]
    if shape == "transposed":
        return _review_transposed(texts)
    if shape == "split":
        return (f'<div class="gap">{_review_normal(REVIEW_GROUPS[:1], variants, texts)}</div>'
                f'<div class="gap">{_review_normal(REVIEW_GROUPS[1:], variants, texts)}</div>')
    return _review_normal(REVIEW_GROUPS, variants, texts)


# ---------------------------------------------------------------- the page

def _heading(i: int, variants: dict) -> str:
    doc = variants["document"]
    words = SECTIONS[i][doc["heading_wording"]]
    style = doc["heading_style"]
    if style == "paren":
        return f"（{CN_NUM[i]}）{words}"
    if style == "arabic":
        return f"{i + 1}. {words}"
    return f"{CN_NUM[i]}、{words}"


def _border_css(variants: dict) -> str:
    ru = variants["rules"]
    w = ru["width_pt"]
    color = "#000" if ru["color"] == "black" else "#777"
    outer = {
        "single": f"{w}pt solid {color}",
        "double": f"{max(3 * w, 2.0):.2f}pt double {color}",
        "none": "hidden",
        "thick": f"{max(2.5 * w, 1.5):.2f}pt solid {color}",
    }[ru["outer"]]
    return (f"table.t {{ border: {outer}; }}\n"
            f"table.t td {{ border: {w}pt {ru['inner']} {color}; }}\n")


def _page_css(report: dict, variants: dict, rng: random.Random) -> str:
    doc = variants["document"]
    margin = f"{rng.randint(22, 37)}mm {rng.randint(20, 28)}mm {rng.randint(20, 35)}mm {rng.randint(22, 30)}mm"
    boxes = ""
    if doc["page_numbers"]:
        fmt = rng.choice(['"— " counter(page) " —"', '"- " counter(page) " -"', 'counter(page)',
                          '"第 " counter(page) " 页"', '"第" counter(page) "页 共" counter(pages) "页"'])
        where = rng.choice(["bottom-center", "bottom-center", "bottom-right"])
        boxes += f"@{where} {{ content: {fmt}; font-size: 10.5pt; font-family: {FONT_STACKS['serif']}; }}"
    if doc["running_header"]:
        text = rng.choice([report["title"], report["agency"], "政府信息公开工作年度报告"])
        boxes += (f'@top-center {{ content: "{text}"; font-size: 9pt; vertical-align: bottom; '
                  f'padding-bottom: 2mm; border-bottom: 0.6pt solid #000; }}')
    return (f"@page {{ size: A4; margin: {margin}; {boxes} }}\n"
            f"@page wide {{ size: A4 landscape; margin: 20mm 22mm; }}\n")


def _style(report: dict, variants: dict, rng: random.Random) -> str:
    doc = variants["document"]
    body_pt = rng.choice([12, 14, 15, 16])
    pad = rng.choice([1, 2, 3, 4])
    shading = variants["active"]["header_shading"]
    head_font = FONT_STACKS[rng.choice(["sans", doc["font_body"]])]
    return _page_css(report, variants, rng) + f"""
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {FONT_STACKS[doc['font_body']]}; font-size: {body_pt}pt; margin: 0;
        line-height: {rng.choice([1.5, 1.6, 1.75, 1.9])}; }}
h1 {{ text-align: center; font-size: {rng.choice([18, 20, 22])}pt; margin: 0 0 1.2em;
      font-family: {FONT_STACKS[rng.choice(['serif', 'sans'])]}; line-height: 1.4; }}
h2 {{ font-size: {body_pt}pt; font-family: {head_font}; margin: {rng.choice([0.3, 0.6, 1.0])}em 0 0.4em;
      text-indent: {rng.choice([0, 2])}em; font-weight: {rng.choice([700, 700, 400])}; }}
h2 {{ break-after: avoid; }}
p {{ text-indent: 2em; margin: 0 0 0.3em; text-align: justify; }}
.appx {{ break-before: page; }}
.appx-title {{ font-family: {FONT_STACKS['sans']}; font-size: {body_pt}pt; margin: 0 0 0.5em; }}
.brk {{ break-before: page; }}
.wide {{ page: wide; }}
.gap {{ margin-bottom: {rng.choice([6, 10, 16])}pt; }}
table.t {{ border-collapse: collapse; width: 100%; table-layout: auto;
           font-family: {FONT_STACKS[doc['font_table']]}; font-size: {doc['table_pt']}pt; line-height: 1.3; }}
table.t td {{ padding: {pad}pt {pad + 1}pt; vertical-align: middle; text-align: center; height: 1.3em; }}
.gap table.t, table.rev {{ break-inside: avoid; }}
table.t.tr {{ width: {rng.choice([55, 65, 80])}%; margin: 0 auto; }}
table.t td.lab, table.t td.n {{ break-inside: avoid; }}
table.t td.n {{ text-align: {doc['align']}; white-space: pre; }}
table.t td.lab {{ text-align: {rng.choice(['left', 'left', 'center'])}; }}
table.t td.note {{ font-size: {max(doc['table_pt'] - 2.5, 7):.1f}pt; text-align: left; }}
table.t td.cap {{ text-align: {rng.choice(['center', 'left'])}; }}
table.t td.b {{ font-weight: 700; }}
table.t td.shade2 {{ background: {rng.choice(['#bfbfbf', '#c6d9f1', '#d0cece'])}; }}
table.apps.rep tr.hrow td.h {{ font-size: 0.85em; line-height: 1.1; }}
table.t tr.hrow td.h {{ {f'background: {shading};' if shading else ''} }}
table.t td.vlab {{ padding: 2pt 1pt; line-height: 1.15; }}
table.t td.vh {{ line-height: 1.15; vertical-align: middle; }}
.vrl {{ writing-mode: vertical-rl; text-orientation: upright; }}
.rot {{ writing-mode: vertical-rl; text-orientation: sideways; }}
.rotup {{ writing-mode: sideways-lr; }}
""" + _border_css(variants)


def _section(i: int, variants: dict, body: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<section{attr}><h2>{_esc(_heading(i, variants))}</h2>{body}</section>"


def _paragraphs(text: str) -> str:
    parts = [s + "。" for s in text.split("。") if s.strip()]
    return "".join(f"<p>{_esc(p)}</p>" for p in parts)


def _table_sections(report: dict, variants: dict, rng: random.Random) -> list[str]:
    texts = printed_texts(report, variants)
    return [_active_html(report, variants, texts["active"], rng),
            _applications_html(report, variants, texts["applications"], rng),
            _review_html(variants, texts["review_litigation"])]


def _body(report: dict, variants: dict, rng: random.Random) -> str:
    doc = variants["document"]
    tables = _table_sections(report, variants, rng)
    wide = "wide" if doc["table4_landscape"] else ""
    prose = {0: _paragraphs(report["prose1"]), 4: _paragraphs(report["prose5"]), 5: _paragraphs(PROSE6)}
    parts = [f"<h1>{_esc(report['title'])}</h1>", _section(0, variants, prose[0])]
    if doc["flow"] == "appendix":
        for i in (1, 2, 3):
            parts.append(_section(i, variants, f"<p>详见附表{i}。</p>"))
        parts += [_section(4, variants, prose[4]), _section(5, variants, prose[5])]
        for i in (1, 2, 3):
            cls = "appx" + (" " + wide if i == 3 and wide else "")
            parts.append(f'<section class="{cls}"><div class="appx-title">附表{i}</div>'
                         f"<h2>{_esc(_heading(i, variants))}</h2>{tables[i - 1]}</section>")
        return "".join(parts)
    brk = "brk" if doc["flow"] == "page_break" else ""
    for i in (1, 2, 3):
        cls = wide if i == 3 and wide else brk
        parts.append(_section(i, variants, tables[i - 1], cls))
    parts += [_section(4, variants, prose[4]), _section(5, variants, prose[5])]
    return "".join(parts)


def build_html(report: dict, variants: dict) -> str:
    """The whole report as one HTML document."""
    rng = _doc_rng(report, variants, "page")
    style = _style(report, variants, rng)
    body = _body(report, variants, rng)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{_esc(report['title'])}</title><style>{style}</style></head>"
            f"<body>{body}</body></html>")


# ---------------------------------------------------------------- printing

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("html_render: no Chromium found (looked for chromium, chromium-browser, google-chrome)")


def print_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print one HTML file to PDF with headless Chromium; RuntimeError on any failure."""
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="html_render_") as profile:
        cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=CHROMIUM_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"html_render: Chromium did not print {html_path} within "
                               f"{CHROMIUM_TIMEOUT_S} s") from None
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = err.decode("utf-8", "replace")[-800:]
        raise RuntimeError(f"html_render: Chromium failed (rc={proc.returncode}) printing {html_path}: {tail}")


def render_pdf(report: dict, variants: dict, workdir: Path) -> Path:
    """Write the report as <workdir>/<name>.html and print it to PDF; return the PDF path."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(json.dumps([report["title"], variants], sort_keys=True, ensure_ascii=False,
                                     default=str).encode("utf-8")).hexdigest()[:10]
    name = f"report_{report['layout']}_{report['year']}_{digest}"
    html_path = workdir / f"{name}.html"
    html_path.write_text(build_html(report, variants), encoding="utf-8")
    pdf_path = workdir / f"{name}.pdf"
    print_to_pdf(html_path, pdf_path)
    return pdf_path
