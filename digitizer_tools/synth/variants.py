"""How one office draws the template: every drawing choice of shared/spec/layout-variants.md,
drawn at random per document (and per table), for the independent renderers (docx_render,
html_render). The renderers read these choices; the reader never sees them.

draw_variants(rng, layout) -> dict (all keys always present; values plain JSON):

  document
    font_body, font_table   "serif" | "fangsong" | "kai" | "sans"   (the renderer maps to installed fonts)
    table_pt                9 .. 14 (float)
    heading_style           "cn" 二、 | "paren" （二） | "arabic" 2.   numbering of the section headings
    heading_wording         0 | 1   (0: the mandated wording; 1: a longer agency wording)
    flow                    "continuous": tables follow the prose where they fall (table 二 may share
                            its page with table 三, table 三 may start at a page's foot);
                            "page_break": each table starts a page;  "appendix": all prose first,
                            the tables after it
    page_numbers, running_header   bool
    table4_landscape        bool   table 四 on a landscape page
    zero_style              "0" | "blank" | "—" | "-" | "/" | "无" | "mixed"   how zero is printed
    align                   "center" | "right" | "left"                       number alignment
    number_decor            "none" | "unit" (件 after counts, some cells) | "space" (stray spaces) |
                            "fullwidth" | "separator" (1,234)
    numbering               "1." | "1．" | "1、" | "(1)" | "（1）"          sub-item numbering of table 三
    template_mix            bool   table 三 of the other template (2021 report with one （六）其他处理
                            row; 2019 report with （六） split into three sub-items)
  rules
    width_pt                0.5 .. 2.25
    color                   "black" | "gray"
    outer                   "single" | "double" | "none" | "thick"
    inner                   "solid" | "dashed" | "dotted"
    missing_rule            bool   one inner rule left out where a cell was merged by hand
  active (table 二)
    blocks                  "one_table" | "per_block" (a small table per block, a gap between)
    caption_style           "plain" | "bold" | "shaded"
    header_shading          None | "#d9d9d9" | "#dbe5f1" ...
    one_value_cols          "merged" | "first_then_merged" | "separate"
    label_variants          bool   规范性文件 for 行政规范性文件, 本年制作数量 ...
    fee_unit                "header" | "cell"     （单位：万元） in the header or 万元 beside each number
    delta_style             "−" | "-" | "减少"     negative 本年增/减 as −105, -105 or 减少105
    label_width             0.15 .. 0.6   label column share of the table width
  applications (table 三)
    corner                  "note" | "empty" | "split"
    vertical_label          "vertical" | "wrapped" | "rotated"   三、本年度办理结果 and the （三）…（六） spans
    header                  "rowspan" (自然人/总计 span the header rows) | "repeat" (申请人情况 over every column)
    repeat_header           "all" | "part" | "none"    on a continued page
    label_width             0.3 .. 0.6
    reword                  bool   a few labels shortened or re-worded
  review_litigation (table 四)
    vertical_headers        bool   one character per line in the narrow column headers
    header_rows             2 | 3
    shape                   "normal" | "transposed" | "split"
"""
from __future__ import annotations

import random

FONTS = ("serif", "fangsong", "kai", "sans")
ZERO_STYLES = ("0", "blank", "—", "-", "/", "无", "mixed")


def _pick(rng: random.Random, options, weights=None):
    return rng.choices(list(options), weights)[0]


def draw_variants(rng: random.Random, layout: str) -> dict:
    body = _pick(rng, FONTS, [4, 3, 1, 1])
    return {
        "document": {
            "font_body": body,
            "font_table": body if rng.random() < 0.6 else _pick(rng, FONTS),
            "table_pt": round(rng.uniform(9, 14), 1),
            "heading_style": _pick(rng, ("cn", "paren", "arabic"), [6, 2, 1]),
            "heading_wording": _pick(rng, (0, 1), [3, 1]),
            "flow": _pick(rng, ("continuous", "page_break", "appendix"), [6, 3, 1]),
            "page_numbers": rng.random() < 0.6,
            "running_header": rng.random() < 0.25,
            "table4_landscape": rng.random() < 0.15,
            "zero_style": _pick(rng, ZERO_STYLES, [4, 4, 1, 1, 1, 1, 1]),
            "align": _pick(rng, ("center", "right", "left"), [6, 2, 1]),
            "number_decor": _pick(rng, ("none", "unit", "space", "fullwidth", "separator"), [8, 1, 1, 1, 1]),
            "numbering": _pick(rng, ("1.", "1．", "1、", "(1)", "（1）"), [5, 2, 2, 1, 1]),
            "template_mix": rng.random() < 0.15,
        },
        "rules": {
            "width_pt": round(rng.uniform(0.5, 2.25), 2),
            "color": _pick(rng, ("black", "gray"), [4, 1]),
            "outer": _pick(rng, ("single", "double", "none", "thick"), [6, 1, 1, 2]),
            "inner": _pick(rng, ("solid", "dashed", "dotted"), [8, 1, 1]),
            "missing_rule": rng.random() < 0.1,
        },
        "active": {
            "blocks": _pick(rng, ("one_table", "per_block"), [3, 1]),
            "caption_style": _pick(rng, ("plain", "bold", "shaded"), [2, 1, 1]),
            "header_shading": _pick(rng, (None, "#d9d9d9", "#dbe5f1", "#e7e6e6", "#f2f2f2"), [4, 2, 1, 1, 1]),
            "one_value_cols": _pick(rng, ("merged", "first_then_merged", "separate"), [3, 1, 1]),
            "label_variants": rng.random() < 0.4,
            "fee_unit": _pick(rng, ("header", "cell"), [3, 1]),
            "delta_style": _pick(rng, ("−", "-", "减少"), [2, 3, 1]),
            "label_width": round(rng.uniform(0.15, 0.6), 2),
        },
        "applications": {
            "corner": _pick(rng, ("note", "empty", "split"), [5, 2, 1]),
            "vertical_label": _pick(rng, ("vertical", "wrapped", "rotated"), [4, 3, 1]),
            "header": _pick(rng, ("rowspan", "repeat"), [4, 1]),
            "repeat_header": _pick(rng, ("all", "part", "none"), [2, 1, 2]),
            "label_width": round(rng.uniform(0.3, 0.6), 2),
            "reword": rng.random() < 0.2,
        },
        "review_litigation": {
            "vertical_headers": rng.random() < 0.4,
            "header_rows": _pick(rng, (2, 3), [1, 3]),
            "shape": _pick(rng, ("normal", "transposed", "split"), [8, 1, 1]),
        },
    }


# Label variants seen in published reports (renderers choose among them when label_variants /
# reword is drawn). The reader must map every one of these onto its canonical key.
ACTIVE_LABELS = {
    "normative_docs": ["规范性文件", "行政规范性文件"],
    "new_made": ["本年新制作数量", "本年制作数量"],
    "issued": ["本年制发件数", "本年新制发件数"],
    "amount_10k_yuan": ["本年收费金额（单位：万元）", "本年收费金额(单位:万元)", "本年收费金额"],
}
APPLICATION_REWORDS = {
    "r2": ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）部分公开"],
    "r4_1": ["1.本机关不掌握相关政府信息", "1.本机关不掌握该政府信息"],
    "r5_5": ["5.要求行政机关确认或重新出具已获取信息", "5.要求确认或重新出具已获取信息"],
    "new_received": ["一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数"],
}


def zero_text(style: str, rng: random.Random) -> str:
    """How a zero is printed in a document of zero style `style`."""
    if style == "mixed":
        style = _pick(rng, ("0", "blank", "—", "/"))
    return {"0": "0", "blank": ""}.get(style, style)


def number_text(value, decor: str, rng: random.Random) -> str:
    """A non-zero count as printed with the document's decoration (some cells only)."""
    text = str(value)
    if decor == "unit" and rng.random() < 0.5:
        return text + "件"
    if decor == "space" and rng.random() < 0.3:
        return " " + text if rng.random() < 0.5 else text + " "
    if decor == "fullwidth" and rng.random() < 0.6:
        return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if decor == "separator" and isinstance(value, int) and abs(value) >= 1000:
        return f"{value:,}"
    return text
