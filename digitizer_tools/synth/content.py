"""Random but plausible numbers for a synthetic annual report.

A *report* is a plain dict:
    layout, agency, year, title, prose1, prose5,
    values: {table: {(row, col): value}}      (int, or float for amounts)
    texts:  {table: {(row, col): printed text}}
    injected: None or {"table", "row", "col", "was", "now"}
"""
from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import digitizer.layouts

LAYOUT_DIR = Path(digitizer.layouts.__file__).resolve().parent  # the reader's own layouts

APPLICANT_COLS = ["natural_person", "commercial", "research", "public_interest",
                  "legal_services", "other_org"]

CITIES = ["青川市", "云岭市", "东江市", "临溪县", "白沙县", "松阳市", "南湖区", "北山县", "清源市", "安平县"]
OFFICES = ["自然资源和规划局", "住房和城乡建设局", "市场监督管理局", "生态环境局", "交通运输局",
           "人力资源和社会保障局", "教育局", "卫生健康委员会", "农业农村局", "财政局"]


@cache
def load_layout(layout: str) -> dict:
    with open(LAYOUT_DIR / f"annual_{layout}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def table_blocks(layout: str, table: str) -> list[dict]:
    """The blocks of a table as the layout's template draws them (without the other template's
    alternate rows, which only mix_template prints)."""
    return [{**b, "rows": [r for r in b["rows"] if not r.get("instead_of")]}
            for b in load_layout(layout)["tables"][table]["blocks"]]


def canonical_cells(layout: str, table: str) -> list[tuple[str, str]]:
    """All (row, col) keys of a table, in reading order."""
    out = []
    for b in table_blocks(layout, table):
        for r in b["rows"]:
            for c in b["cols"]:
                out.append((r["key"], c["key"]))
    return out


def result_rows(layout: str) -> list[str]:
    rows = [r["key"] for r in table_blocks(layout, "applications")[0]["rows"]]
    return [k for k in rows if k.startswith("r") and k != "r7_total"]


def norm_value(v):
    """int where integral."""
    if isinstance(v, float) and abs(v - round(v)) < 1e-9:
        return int(round(v))
    return v


def fmt_amount(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    return s


def _split(rng: random.Random, n: int, keys: list[str], weights: list[float]) -> dict:
    """Distribute n items over keys with weights (multinomial)."""
    out = {k: 0 for k in keys}
    for _ in range(n):
        out[rng.choices(keys, weights)[0]] += 1
    return out


def make_applications(rng: random.Random, layout: str) -> dict:
    vals = {}
    results = result_rows(layout)
    scale = rng.choice([8, 20, 40, 80, 150, 300])
    col_level = {
        "natural_person": scale,
        "commercial": scale * rng.choice([0, 0.05, 0.1, 0.2]),
        "research": rng.choice([0, 0, 0, 1, 2]),
        "public_interest": rng.choice([0, 0, 0, 1]),
        "legal_services": rng.choice([0, 0, 1, 3, 6]),
        "other_org": rng.choice([0, 0, 1, 2, 5]),
    }
    # which result rows this agency uses at all (most of table 三 is zero)
    base_w = {"r1": 10, "r2": 3, "r4_1": 4, "r5_2": 1.5, "r3_5": 0.6, "r3_6": 0.6,
              "r3_4": 0.4, "r4_2": 0.8, "r4_3": 0.5, "r5_1": 1.0, "r5_3": 0.3,
              "r5_5": 0.3, "r6": 1.0, "r6_1": 0.6, "r6_2": 0.2, "r6_3": 1.0,
              "r3_1": 0.1, "r3_2": 0.2, "r3_3": 0.1, "r3_7": 0.3, "r3_8": 0.3, "r5_4": 0.2}
    used = [k for k in results if k in ("r1", "r2", "r4_1") or rng.random() < 0.35]
    weights = [base_w.get(k, 0.3) * rng.uniform(0.5, 1.5) for k in used]
    for col in APPLICANT_COLS:
        lvl = col_level[col]
        new = int(round(lvl * rng.uniform(0.6, 1.4))) if lvl else 0
        carried = rng.choice([0, 0, 0, 1, 2, 3]) if new >= 10 else 0
        handled = new + carried
        fwd = min(handled, rng.choice([0, 0, 0, 1, 2, 4]) if new >= 10 else 0)
        done = handled - fwd
        vals[("new_received", col)] = new
        vals[("carried_over", col)] = carried
        vals[("carry_forward", col)] = fwd
        vals[("r7_total", col)] = done
        split = _split(rng, done, used, weights) if done else {}
        for k in results:
            vals[(k, col)] = split.get(k, 0)
    rows = ["new_received", "carried_over"] + results + ["r7_total", "carry_forward"]
    for r in rows:
        vals[(r, "total")] = sum(vals[(r, c)] for c in APPLICANT_COLS)
    return vals


def make_review(rng: random.Random) -> dict:
    vals = {}
    for row in ["review", "litigation_direct", "litigation_after_review"]:
        busy = rng.random() < 0.45
        parts = {}
        for c in ["upheld", "corrected", "other", "pending"]:
            parts[c] = rng.choice([0, 0, 0, 1, 1, 2, 3, 5]) if busy else 0
        for c, v in parts.items():
            vals[(row, c)] = v
        vals[(row, "total")] = sum(parts.values())
    return vals


def make_active(rng: random.Random, layout: str) -> tuple[dict, dict]:
    """values and special texts (amounts) of table 二."""
    vals, texts = {}, {}
    if layout == "2021":
        vals[("rules", "issued")] = rng.choice([0, 0, 0, 1])
        vals[("rules", "repealed")] = 0
        vals[("rules", "in_force")] = vals[("rules", "issued")] + rng.choice([0, 0, 2, 5])
        iss = rng.choice([0, 1, 2, 3, 5, 8, 12])
        rep = rng.choice([0, 0, 1, 2])
        vals[("normative_docs", "issued")] = iss
        vals[("normative_docs", "repealed")] = rep
        vals[("normative_docs", "in_force")] = rng.randint(max(iss, 3), 90)
        vals[("licensing", "decisions")] = rng.choice([0, rng.randint(1, 80), rng.randint(100, 6000)])
        vals[("penalty", "decisions")] = rng.choice([0, rng.randint(1, 40), rng.randint(50, 900)])
        vals[("enforcement", "decisions")] = rng.choice([0, 0, rng.randint(1, 60)])
        if rng.random() < 0.5:
            v: float = 0
            t = None
        else:
            d = rng.choice([2, 2, 4])
            v = round(rng.uniform(0.5, 900), d)
            t = fmt_amount(v, d)
        vals[("fees", "amount_10k_yuan")] = norm_value(v)
        if t:
            texts[("fees", "amount_10k_yuan")] = t
    else:
        vals[("rules", "new_made")] = 0
        vals[("rules", "new_published")] = 0
        vals[("rules", "total_published")] = rng.choice([0, 0, 3])
        m = rng.choice([0, 1, 2, 4, 6])
        vals[("normative_docs", "new_made")] = m
        vals[("normative_docs", "new_published")] = m
        vals[("normative_docs", "total_published")] = m + rng.choice([0, 5, 20, 41])
        for row, big in [("licensing", 5000), ("other_services", 60), ("penalty", 600), ("enforcement", 1500)]:
            if rng.random() < 0.25:
                prev, delta = 0, 0
            else:
                prev = rng.randint(1, big)
                delta = rng.randint(-prev // 3, prev // 3)
            vals[(row, "prev_items")] = prev
            vals[(row, "delta")] = delta
            vals[(row, "decisions")] = max(0, prev + delta + rng.randint(-prev // 10 - 1, prev // 10 + 1)) if prev else 0
        vals[("fees", "prev_items")] = rng.choice([0, 1, 2, 4, 7])
        vals[("fees", "delta")] = rng.choice([0, 0, 0, 1, -1])
        items = rng.choice([0, rng.randint(1, 40)])
        vals[("procurement", "items")] = items
        if items == 0:
            vals[("procurement", "amount_10k_yuan")] = 0
        else:
            kind = rng.choice(["wan", "yuan_int", "yuan_dec"])
            if kind == "wan":
                v = round(rng.uniform(5, 3000), 4)
                texts[("procurement", "amount_10k_yuan")] = f"{v:.4f} 万元"
            elif kind == "yuan_int":
                y: float = rng.randint(10, 5000) * 100
                v = y / 10000
                texts[("procurement", "amount_10k_yuan")] = f"{y}元"
            else:
                y = round(rng.uniform(1e5, 9e7), 2)
                v = y / 10000
                texts[("procurement", "amount_10k_yuan")] = f"{y:.2f}元"
            vals[("procurement", "amount_10k_yuan")] = norm_value(round(v, 8))
    return vals, texts


def default_text(value, zero_style: str) -> str:
    if value == 0:
        return "" if zero_style == "blank" else "0"
    if isinstance(value, float):
        return f"{value}"
    return str(value)


def fill_texts(values: dict, special: dict, zero_style: str) -> dict:
    out = {}
    for k, v in values.items():
        out[k] = special[k] if k in special else default_text(v, zero_style)
    return out


def inject(rng: random.Random, report: dict) -> None:
    """Add ONE inconsistency to the report's printed numbers (values and texts)."""
    layout = report["layout"]
    vals = report["values"]
    kind = rng.choice(["result_cell", "result_cell", "printed_total", "review_total"])
    if kind == "result_cell":
        col = rng.choice(["natural_person", "natural_person", "commercial", "legal_services"])
        row = rng.choice(result_rows(layout))
        table = "applications"
    elif kind == "printed_total":
        table = "applications"
        row = rng.choice(["r7_total", "new_received", "r1"])
        col = rng.choice(["total", "natural_person"])
    else:
        table, row, col = "review_litigation", rng.choice(["review", "litigation_direct"]), "total"
    was = vals[table][(row, col)]
    now = was + rng.randint(1, 3)
    vals[table][(row, col)] = now
    report["texts"][table][(row, col)] = str(now)
    report["injected"] = {"table": table, "row": row, "col": col, "was": was, "now": now}


PROSE_FILLER = [
    "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，持续深化政务公开工作。",
    "主要负责同志高度重视政府信息公开工作，明确分管领导和工作机构，落实专人负责信息发布和依申请公开办理。",
    "通过门户网站、政务新媒体等渠道及时发布政策文件、工作动态和办事指南，方便公众查询。",
    "依申请公开工作严格按照法定程序和时限办理，答复规范，未发生超期答复情况。",
    "进一步加强政策解读和回应关切，围绕重点领域开展图文解读，提升公开质量和实效。",
    "健全信息发布保密审查机制，做到先审查、后公开，一事一审、全面审查。",
]
PROSE5 = [
    "一是公开内容的全面性和及时性有待进一步提高；二是政策解读形式还不够丰富。",
    "下一步，本机关将进一步加强业务培训，完善工作机制，拓展公开渠道，不断提升政府信息公开工作水平。",
    "同时加强对依申请公开答复的审核把关，确保答复内容准确、程序规范。",
]


def make_report(seed: int, layout: str, zero_style: str = "blank", inject_error: bool = False) -> dict:
    rng = random.Random(seed)
    year = 2020 if layout == "2019" else rng.choice([2021, 2022, 2023])
    agency = rng.choice(CITIES) + rng.choice(OFFICES)
    apps = make_applications(rng, layout)
    review = make_review(rng)
    active, special = make_active(rng, layout)
    n = apps[("new_received", "total")]
    sents = rng.sample(PROSE_FILLER, 4)
    sents.insert(2, f"{year}年，本机关共收到政府信息公开申请{n}件，均已按期答复。")
    report: dict[str, Any] = {
        "layout": layout,
        "agency": agency,
        "year": year,
        "title": f"{agency}{year}年政府信息公开工作年度报告",
        "prose1": "".join(sents),
        "prose5": "".join(PROSE5),
        "values": {"active": active, "applications": apps, "review_litigation": review},
        "texts": {
            "active": fill_texts(active, special, zero_style),
            "applications": fill_texts(apps, {}, zero_style),
            "review_litigation": fill_texts(review, {}, zero_style),
        },
        "injected": None,
    }
    for t in report["values"]:
        assert set(report["values"][t]) == set(canonical_cells(layout, t)), t
    if inject_error:
        inject(rng, report)
    return report


SUB_R6 = ("r6_1", "r6_2", "r6_3")


def mix_template(report: dict, rng: random.Random) -> None:
    """Table 三 of the other template, as some published reports print it: a 2021 report with the
    2019 single （六）其他处理 row (r6 = the sum of its three sub-items), or a 2019 report with （六）
    split into the 2021 sub-items (r6 spread over them). Values and texts of table 三 change keys;
    every relation still holds (results_sum sums the rows printed)."""
    apps, texts = report["values"]["applications"], report["texts"]["applications"]
    cols = sorted({c for _, c in apps})
    zero = next((t for (r, _), t in texts.items() if apps[(r, _)] == 0), "")
    for col in cols:
        if report["layout"] == "2021":
            total = sum(apps.pop((k, col)) for k in SUB_R6)
            for k in SUB_R6:
                texts.pop((k, col))
            apps[("r6", col)] = total
            texts[("r6", col)] = str(total) if total else zero
        else:
            total = apps.pop(("r6", col))
            texts.pop(("r6", col))
            parts = [0, 0, 0]
            for _ in range(total):
                parts[rng.choice([0, 2, 2])] += 1
            for k, v in zip(SUB_R6, parts):
                apps[(k, col)] = v
                texts[(k, col)] = str(v) if v else zero
    report["template_mix"] = True


def printed_rows(report: dict) -> list[str]:
    """Row keys of table 三 in print order, as this report prints them (template mix included)."""
    keys = {r for r, _ in report["values"]["applications"]}
    rows = load_layout(report["layout"])["tables"]["applications"]["blocks"][0]["rows"]
    return [r["key"] for r in rows if r["key"] in keys]


def row_label(layout: str, table: str, key: str) -> dict:
    """The YAML entry (key, label, parent) of a row or column key of a table."""
    for b in table_blocks(layout, table):
        for entry in b["rows"] + b["cols"]:
            if entry["key"] == key:
                return entry
    raise KeyError(key)
