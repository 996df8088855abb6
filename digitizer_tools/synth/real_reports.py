"""Numbers of REAL published annual reports (政府信息公开工作年度报告), typed in by hand from the
stored text of the published page, for testing the digitizer against what agencies really print.

Rules followed when typing them in:
  * numbers exactly as printed, inconsistencies included (never corrected: the digitizer must
    find them);
  * a blank cell (or a cell the page leaves empty) is 0;
  * table 三 keeps what the report prints: ``r6`` alone if it prints one （六）其他处理 row,
    ``r6_1..r6_3`` if it prints the three 2021 sub-items;
  * a report is only here when EVERY number of its three tables could be placed with certainty.

Why so few: the stored web pages available to this research (search corpus "pages") only keep
the first ~2,000 bytes of each page, which never reaches the end of table 三 of a report that
prints numbers; the public-code index held exactly one real report in full. Reports whose tables
could be read only in part are listed (with their label variants) in
``digitizer/layouts/aliases.yaml`` but are NOT here.

``real_report(i)`` returns a report in the shape of ``digitizer_tools.synth.content.make_report``.
"""
from __future__ import annotations

from digitizer_tools.synth import content

APPLICANT_COLS = ["natural_person", "commercial", "research", "public_interest",
                  "legal_services", "other_org", "total"]
REVIEW_COLS = ["upheld", "corrected", "other", "pending", "total"]


def _rows(spec: dict[str, list]) -> dict:
    """{row: [7 values in column order]} -> {(row, col): value}."""
    out = {}
    for row, vals in spec.items():
        assert len(vals) == len(APPLICANT_COLS), row
        for col, v in zip(APPLICANT_COLS, vals):
            out[(row, col)] = v
    return out


def _review(spec: dict[str, list]) -> dict:
    out = {}
    for row, vals in spec.items():
        assert len(vals) == len(REVIEW_COLS), row
        for col, v in zip(REVIEW_COLS, vals):
            out[(row, col)] = v
    return out


Z7 = [0, 0, 0, 0, 0, 0, 0]
Z5 = [0, 0, 0, 0, 0]

REAL_REPORTS: list[dict] = [
    # ------------------------------------------------------------------------------------------
    # 1. Shanghai municipal government general office, 2019 (layout 2019). Read from the HTML of
    #    the report kept as a JS string in a public GitHub clone of the shanghai.gov.cn
    #    information-disclosure pages (file id 18090078150 of the code index; the report itself
    #    was published on www.shanghai.gov.cn, 发布日期 2020-01-31).
    #    Printed as: table 二 with 0 in empty cells; table 三 and 四 with &nbsp; (blank) for zero.
    #    Notable, kept as printed: in table 三 the 总计 column is BLANK for every result row
    #    (r1..r6) although the per-applicant cells are filled (r1 prints 258/12/1/1, total blank),
    #    while new_received / carried_over / r7_total / carry_forward do print their totals
    #    (859 / 18 / 805 / 72) -> applications.row_total fails on r1, r3_1, r3_5, r3_6, r3_8,
    #    r4_1..r4_3, r5_1, r5_2, r2 and results_sum fails on the total column.
    #    Table 二 （九） procurement amount is printed "251000元" (i.e. 25.1 万元).
    #    Header cells printed "本年新<br/>制作数量", "本年新<br/>公开数量" (line break only).
    #    Nothing uncertain.
    {
        "source": "2019年上海市人民政府办公厅政府信息公开工作年度报告",
        "where": "github code index file id 18090078150 (JS clone of shanghai.gov.cn 政府信息公开年报 page; "
                 "find_string '本年新收政府信息公开申请数量'); published on www.shanghai.gov.cn 2020-01-31",
        "layout": "2019",
        "year": 2019,
        "agency": "上海市人民政府办公厅",
        "printed": {"active": {("procurement", "amount_10k_yuan"): "251000元"}},
        "values": {
            "active": {
                ("rules", "new_made"): 13, ("rules", "new_published"): 13, ("rules", "total_published"): 524,
                ("normative_docs", "new_made"): 60, ("normative_docs", "new_published"): 60,
                ("normative_docs", "total_published"): 368,
                ("licensing", "prev_items"): 0, ("licensing", "delta"): 0, ("licensing", "decisions"): 0,
                ("other_services", "prev_items"): 0, ("other_services", "delta"): 0,
                ("other_services", "decisions"): 0,
                ("penalty", "prev_items"): 0, ("penalty", "delta"): 0, ("penalty", "decisions"): 0,
                ("enforcement", "prev_items"): 0, ("enforcement", "delta"): 0, ("enforcement", "decisions"): 0,
                ("fees", "prev_items"): 0, ("fees", "delta"): 0,
                ("procurement", "items"): 6, ("procurement", "amount_10k_yuan"): 25.1,
            },
            "applications": _rows({
                "new_received": [821, 35, 0, 0, 2, 1, 859],
                "carried_over": [18, 0, 0, 0, 0, 0, 18],
                "r1": [258, 12, 0, 0, 1, 1, 0],      # total printed blank
                "r2": [3, 0, 0, 0, 0, 0, 0],         # total printed blank
                "r3_1": [14, 0, 0, 0, 0, 0, 0],      # total printed blank
                "r3_2": Z7, "r3_3": Z7, "r3_4": Z7,
                "r3_5": [5, 0, 0, 0, 0, 0, 0],
                "r3_6": [3, 1, 0, 0, 0, 0, 0],
                "r3_7": Z7,
                "r3_8": [10, 2, 0, 0, 0, 0, 0],
                "r4_1": [252, 12, 0, 0, 1, 0, 0],
                "r4_2": [44, 3, 0, 0, 0, 0, 0],
                "r4_3": [25, 0, 0, 0, 0, 0, 0],
                "r5_1": [148, 1, 0, 0, 0, 0, 0],
                "r5_2": [5, 4, 0, 0, 0, 0, 0],
                "r5_3": Z7, "r5_4": Z7, "r5_5": Z7,
                "r6": Z7,
                "r7_total": [767, 35, 0, 0, 2, 1, 805],
                "carry_forward": [72, 0, 0, 0, 0, 0, 72],
            }),
            "review_litigation": _review({
                "review": [5, 0, 0, 2, 7],
                "litigation_direct": [8, 0, 0, 1, 9],
                "litigation_after_review": Z5,
            }),
        },
    },
    # ------------------------------------------------------------------------------------------
    # 2. A township (乡) of 雄县 (Hebei), 2019 (layout 2019). The page prints the complete 2019
    #    template (all three tables, all labels, through 五、存在的主…) with EVERY value cell
    #    empty except one "0" in the 规章 row of table 二 — i.e. an all-zero report printed
    #    blank. The agency name is not in the stored text ("我乡"); the text extraction drops
    #    empty cells, so which 规章 column holds the "0" is unknown (it does not matter: 0).
    #    Table 四 prints only its header labels and no numbers.
    {
        "source": "雄县某乡2019年政府信息公开工作年度报告（页面内称“我乡”，机关名未存于文本）",
        "where": "http://www.xiongxian.gov.cn/zwgkcontent-888888040-56270.html",
        "layout": "2019",
        "year": 2019,
        "agency": "雄县某乡人民政府",
        "printed": {},
        "values": {
            "active": {k: 0 for k in content.canonical_cells("2019", "active")},
            "applications": {k: 0 for k in content.canonical_cells("2019", "applications")},
            "review_litigation": {k: 0 for k in content.canonical_cells("2019", "review_litigation")},
        },
    },
]


def _check(rep: dict) -> None:
    """Every canonical cell present (r6 <-> r6_1..r6_3 substitution allowed), nothing else."""
    layout = rep["layout"]
    for table in ("active", "applications", "review_litigation"):
        have = set(rep["values"][table])
        want = set(content.canonical_cells(layout, table))
        if table == "applications":
            rows = {r for r, _ in have}
            cols = {c for _, c in want}
            if "r6" in rows and layout == "2021":
                want = {k for k in want if not k[0].startswith("r6_")} | {("r6", c) for c in cols}
            if {"r6_1", "r6_2", "r6_3"} <= rows and layout == "2019":
                want = {k for k in want if k[0] != "r6"} | {(r, c) for r in content.SUB_R6 for c in cols}
        assert have == want, (rep["source"], table, sorted(want - have), sorted(have - want))


for _rep in REAL_REPORTS:
    _check(_rep)


def real_report(i: int) -> dict:
    """REAL_REPORTS[i] in the shape of ``content.make_report`` (texts with blank zeros)."""
    rep = REAL_REPORTS[i]
    values = {t: dict(v) for t, v in rep["values"].items()}
    printed = rep.get("printed", {})
    n = values["applications"][("new_received", "total")]
    year, agency = rep["year"], rep["agency"]
    title = rep["source"] if rep["source"].endswith("年度报告") else f"{agency}{year}年政府信息公开工作年度报告"
    return {
        "layout": rep["layout"],
        "agency": agency,
        "year": year,
        "title": title,
        "prose1": (f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                   f"共收到政府信息公开申请{n}件，均按照法定程序和时限办理。"),
        "prose5": "下一步，将进一步规范政府信息公开工作，不断提升公开质量和实效。",
        "values": values,
        "texts": {t: content.fill_texts(v, printed.get(t, {}), "blank") for t, v in values.items()},
        "injected": None,
    }
