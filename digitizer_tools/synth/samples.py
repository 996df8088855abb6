"""The sample set of synthetic scanned annual reports, with ground truth.

How the set is made
-------------------
Each document is generated in three steps:

1. content.make_report(seed, layout, zero_style, inject_error): random but plausible numbers for the
   three tables (二 active, 三 applications, 四 review_litigation), consistent with the hard relations
   of shared/spec/annual-report-format.md (results_sum, balance, row_total, review total).
   Optionally ONE inconsistency is injected (a result cell +1..+3, or a printed total +1..+3) and
   recorded in the truth under "injected".
2. render.render_report(report, dpi, repeat_header, split_after): clean A4 pages drawn with PIL and
   WenQuanYi Micro Hei (fonts-wqy-microhei), ~10.5 pt: page 1 title, 一 prose, table 二; page 2 table 三
   (official form, merged header cells); page 3 the rest of table 三 (header rows repeated or not),
   table 四, section 五. The renderer returns, for every canonical cell, value, printed text, page and
   the cell's bbox in page pixels.
3. degrade.degrade(...): skew, blur, paper tint, uneven illumination, Gaussian noise, JPEG
   re-compression; truth bboxes are rotated with the page (bbox of the rotated corners).

The pages are written as loose JPG (<stem>_p1.jpg ...), loose PNG (<stem>-001.png ...), multi-page
TIFF (<stem>.tif, gray or 1-bit CCITT G4) or scanned PDF (<stem>.pdf, JPEG pages), and the truth to
truth/<stem>.json. The real 2020 report of 乐清市自然资源和规划局 (the seed) is rendered with its exact
printed numbers (yueqing-2020), including its real inconsistency (自然人 results sum 102 vs 总计 101,
总计 column 107 vs 106).

Usage:  python -m digitizer_tools.synth OUTDIR
Everything is deterministic: the same command writes the same files.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .content import canonical_cells, fill_texts, make_report
from .degrade import degrade, transform_bbox
from .render import render_report

# stem, layout, format, zero_style, dpi, skew, condition, inject, repeat_header, split_after
DOCS = [
    ("r01-2021-jpg-blank",   "2021", "jpg",   "blank", 150, 0.3,  "easy",   False, True,  "r4_2"),
    ("r02-2019-jpg-zero",    "2019", "jpg",   "zero",  200, -0.6, "easy",   False, False, "r4_1"),
    ("r03-2021-png-zero",    "2021", "png",   "zero",  150, 1.2,  "skewed", False, True,  "r3_8"),
    ("r04-2019-tif-blank",   "2019", "tif",   "blank", 150, -0.4, "easy",   True,  True,  "r3_4"),
    ("r05-2021-pdf-blank",   "2021", "pdf",   "blank", 200, 0.8,  "mild",   False, False, "r4_2"),
    ("r06-2019-jpg300-blank", "2019", "jpg",  "blank", 300, -1.0, "skewed", False, True,  "r3_6"),
    ("r07-2021-tif1bit-zero", "2021", "tif1", "zero",  200, 0.5,  "bilevel", True, False, "r5_2"),
    ("r08-2019-pdf-zero",    "2019", "pdf",   "zero",  150, -1.4, "skewed", False, True,  "r3_7"),
    ("r09-2021-jpg-zero",    "2021", "jpg",   "zero",  200, 0.9,  "noisy",  True,  False, "r3_5"),
    ("r10-2019-png-blank",   "2019", "png",   "blank", 150, 0.2,  "easy",   True,  False, "r4_3"),
    ("r11-2021-jpg300-blank", "2021", "jpg",  "blank", 300, -0.3, "easy",   False, True,  "r4_1"),
    ("r12-2019-jpg-zero",    "2019", "jpg",   "zero",  150, 1.5,  "noisy",  True,  True,  "r3_5"),
    ("r13-2021-pdf-zero",    "2021", "pdf",   "zero",  200, -0.7, "mild",   False, True,  "r5_1"),
    ("r14-2019-tif1bit-blank", "2019", "tif1", "blank", 200, -1.1, "bilevel", False, False, "r4_1"),
    ("r15-2021-jpg-blank",   "2021", "jpg",   "blank", 200, 1.4,  "skewed", False, False, "r4_3"),
    ("r16-2019-jpg-blank",   "2019", "jpg",   "blank", 200, 0.6,  "mild",   True,  True,  "r3_8"),
]

CONDITIONS: dict[str, dict[str, Any]] = {   # blur sigma (at 150 dpi), noise sigma, illumination, tint, jpeg quality
    "easy":    dict(blur=0.5, noise=1.5, illum=0.05, tint=0, q=82),
    "mild":    dict(blur=0.7, noise=2.5, illum=0.10, tint=8, q=76),
    "skewed":  dict(blur=0.6, noise=2.0, illum=0.08, tint=4, q=78),
    "noisy":   dict(blur=0.9, noise=4.0, illum=0.15, tint=12, q=70),
    "bilevel": dict(blur=0.35, noise=2.0, illum=0.04, tint=0, q=None),
    # Low resolution and blur, until the plain reading misreads cells (the re-reading's test set).
    "degraded": dict(blur=1.3, noise=6.0, illum=0.12, tint=8, q=30),
}

DEGRADED_DOCS = [  # stem, layout, dpi, zero style, skew, inject
    ("d01-2021-120dpi", "2021", 120, "blank", 0.4, False),
    ("d02-2019-120dpi", "2019", 120, "zero", -0.6, True),
    ("d03-2021-130dpi", "2021", 130, "zero", 0.8, False),
    ("d04-2019-130dpi", "2019", 130, "blank", -0.3, False),
    ("d05-2021-120dpi", "2021", 120, "blank", -0.9, True),
    ("d06-2019-130dpi", "2019", 130, "zero", 0.5, False),
]


def build_degraded(outdir: str | os.PathLike) -> list[dict]:
    """Six reports scanned too coarsely (120-130 dpi, blurred, noisy, JPEG 30): `python -m digitizer_tools.synth
    --degraded OUTDIR`. Truth as for the easy set; condition "degraded"."""
    outdir = Path(outdir)
    (outdir / "truth").mkdir(parents=True, exist_ok=True)
    summary = []
    for n, (stem, layout, dpi, zero_style, skew, inject_error) in enumerate(DEGRADED_DOCS):
        seed = 5000 + n
        report = make_report(seed, layout, zero_style, inject_error=inject_error)
        files = write_document(outdir, stem, report, "jpg", dpi, skew, "degraded", seed, n % 2 == 0, "r3_6", zero_style)
        summary.append({"document": stem, "layout": layout, "dpi": dpi, "injected": report["injected"], "files": files})
    return summary

# ------------------------------------------------------------------ the real seed report
SEED_TITLE = "乐清市自然资源和规划局2020年政府信息公开工作年度报告"
SEED_PROSE1 = (
    "2020年,乐清市自然资源和规划局根据市政府有关工作部署,在2019年的基础上,认真贯彻执行《中华人民共和国政府信息公开条例》,"
    "进一步加强政务信息公开建设,加大了对国土资源管理宣传力度,增进了与群众的沟通交流,有效拓宽了社会各界的监督,更好地服务社会。"
    "局领导高度重视,年初进行了专门研究部署,要求各分管领导、责任人、联系人明确职责,确立了政府信息公开工作目标任务,"
    "并要求加强宣传度和信息发布平台建设,方便群众获取本局政府公开信息。")
SEED_PROSE5 = (
    "2020年本局虽然在政务公开工作上取得了一定的成效，但是通过自查我们也发现了一些不足之处，概括起来主要表现在以下几个方面：\n"
    "1、对政务信息公开的认识还需进一步提高。少数部门特别是业务科室日常工作量大、人员少，对政务信息公开的重要意义认识不足，导致个别信息更新难做到及时。\n"
    "2、政务信息公开范围和内容、制度建设有待加强。\n"
    "3、网站的互动能力有待提高。对少数咨询的受理反馈不够及时，不能真正达到互动的要求。")
# numbers exactly as printed in the seed (blank cells = 0)
SEED_ACTIVE = {
    ("rules", "new_made"): 0, ("rules", "new_published"): 0, ("rules", "total_published"): 0,
    ("normative_docs", "new_made"): 2, ("normative_docs", "new_published"): 2, ("normative_docs", "total_published"): 2,
    ("licensing", "prev_items"): 3358, ("licensing", "delta"): 227, ("licensing", "decisions"): 3585,
    ("other_services", "prev_items"): 0, ("other_services", "delta"): 0, ("other_services", "decisions"): 0,
    ("penalty", "prev_items"): 89, ("penalty", "delta"): 13, ("penalty", "decisions"): 102,
    ("enforcement", "prev_items"): 1291, ("enforcement", "delta"): -105, ("enforcement", "decisions"): 1186,
    ("fees", "prev_items"): 4, ("fees", "delta"): 0,
    ("procurement", "items"): 21, ("procurement", "amount_10k_yuan"): 1792.0873,
}
SEED_APPS_NONZERO = {   # row: {col: value}
    "new_received": {"natural_person": 101, "commercial": 5, "total": 106},
    "r1": {"natural_person": 70, "commercial": 2, "total": 72},
    "r2": {"natural_person": 15, "commercial": 2, "total": 17},
    "r3_5": {"natural_person": 3, "commercial": 1, "total": 4},
    "r3_6": {"natural_person": 1, "total": 1},
    "r4_1": {"natural_person": 10, "total": 10},
    "r5_2": {"natural_person": 3, "total": 3},
    "r7_total": {"natural_person": 101, "commercial": 5, "total": 106},
}
SEED_REVIEW_TEXTS = {("review", "total"): "0", ("litigation_direct", "upheld"): "3",
                     ("litigation_direct", "total"): "3"}


def seed_report() -> dict:
    apps = {k: 0 for k in canonical_cells("2019", "applications")}
    for row, cols in SEED_APPS_NONZERO.items():
        for col, v in cols.items():
            apps[(row, col)] = v
    review = {k: 0 for k in canonical_cells("2019", "review_litigation")}
    for k, t in SEED_REVIEW_TEXTS.items():
        review[k] = int(t)
    review_texts = {k: SEED_REVIEW_TEXTS.get(k, "") for k in review}
    return {
        "layout": "2019", "agency": "乐清市自然资源和规划局", "year": 2020, "title": SEED_TITLE,
        "prose1": SEED_PROSE1, "prose5": SEED_PROSE5,
        "values": {"active": dict(SEED_ACTIVE), "applications": apps, "review_litigation": review},
        "texts": {
            "active": fill_texts(SEED_ACTIVE, {("procurement", "amount_10k_yuan"): "1792.0873 万元"}, "zero"),
            "applications": fill_texts(apps, {}, "blank"),
            "review_litigation": review_texts,
        },
        "injected": {"real": "applications.results_sum natural_person and total"},
    }


# ------------------------------------------------------------------ writing
def jsonable(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


FIXED_DATE = time.gmtime(1704067200)   # 2024-01-01; PDF dates fixed so the output is byte-identical


def write_document(outdir: Path, stem: str, report: dict, fmt: str, dpi: int, skew: float,
                   condition: str, seed: int, repeat_header: bool, split_after: str,
                   zero_style: str) -> list[str]:
    cond = dict(CONDITIONS[condition])
    if dpi >= 300 and cond["q"]:
        cond["q"] = min(cond["q"], 72)     # keep 300-dpi pages small
    pages, truth = render_report(report, dpi, repeat_header=repeat_header, split_after=split_after)
    bilevel = fmt == "tif1"
    out_pages, mats = [], []
    for i, p in enumerate(pages):
        # each page gets its own small variation of the document's skew
        s = skew + (0.15 * ((seed * 7 + i * 3) % 5 - 2) / 2 if skew else 0)
        img, M = degrade(p, seed * 10 + i, skew=s, blur=cond["blur"], noise=cond["noise"],
                         illum=cond["illum"], tint=cond["tint"],
                         jpeg_quality=cond["q"] if fmt in ("jpg", "pdf") else None,
                         clean_background=fmt in ("png", "tif", "tif1"), dpi=dpi)
        out_pages.append(img)
        mats.append(M)
    files = []
    if fmt == "jpg":
        for i, img in enumerate(out_pages):
            name = f"{stem}_p{i + 1}.jpg"
            Image.fromarray(img, "L").save(outdir / name, quality=cond["q"], dpi=(dpi, dpi))
            files.append(name)
    elif fmt == "png":
        for i, img in enumerate(out_pages):
            name = f"{stem}-{i + 1:03d}.png"
            Image.fromarray(img, "L").save(outdir / name, optimize=True, dpi=(dpi, dpi))
            files.append(name)
    elif fmt in ("tif", "tif1"):
        if bilevel:
            ims = [Image.fromarray(np.where(img > 185, 255, 0).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE)
                   for img in out_pages]
            comp = "group4"
        else:
            ims = [Image.fromarray(img, "L") for img in out_pages]
            comp = "tiff_deflate"
        name = f"{stem}.tif"
        ims[0].save(outdir / name, save_all=True, append_images=ims[1:], compression=comp, dpi=(dpi, dpi))
        files.append(name)
    elif fmt == "pdf":
        ims = [Image.fromarray(img, "L") for img in out_pages]
        name = f"{stem}.pdf"
        ims[0].save(outdir / name, save_all=True, append_images=ims[1:], resolution=float(dpi),
                    quality=cond["q"], creationDate=FIXED_DATE, modDate=FIXED_DATE)
        files.append(name)
    else:
        raise ValueError(fmt)

    shape = out_pages[0].shape
    tables = {}
    for table, cells in truth.items():
        out = []
        for c in cells:
            M = mats[c["page"] - 1]
            out.append({"row": c["row"], "col": c["col"], "value": jsonable(c["value"]),
                        "text": c["text"], "page": c["page"],
                        "bbox": transform_bbox(c["bbox"], M, shape)})
        tables[table] = {"cells": out}
    doc = {"document": stem, "layout": report["layout"], "source": files, "condition": condition,
           "dpi": dpi, "zero_style": zero_style, "injected": report["injected"],
           "title": report["title"], "pages": len(out_pages), "format": fmt,
           "skew_deg": round(skew, 2), "header_repeated": repeat_header,
           "tables": tables}
    (outdir / "truth").mkdir(parents=True, exist_ok=True)
    with open(outdir / "truth" / f"{stem}.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return files


README = """# Synthetic scanned annual reports — ground truth

Made by `digitizer_tools/synth` (see the docstring of `digitizer_tools/synth/samples.py`) with

    .venv/bin/python -m digitizer_tools.synth {outdir}

from the repository root. Deterministic: rerunning writes the same files.

- 16 generated documents `rNN-<layout>-<format>-<zero style>` (layouts 2019/2021, loose JPG, loose PNG,
  multi-page TIFF (gray or 1-bit G4), scanned PDF; 150/200/300 dpi; skew within ±1.5°; noise, blur,
  uneven light, JPEG quality 70–82), about a third with ONE injected inconsistency.
- `yueqing-2020`: the real 2020 report of 乐清市自然资源和规划局 (layout 2019) re-rendered with its exact
  printed numbers, which are inconsistent on purpose (自然人 results 102 vs （七）总计 101; 总计 107 vs 106).

`truth/<stem>.json`: document, layout, source (files), condition, dpi, zero_style, injected
(null, {{table,row,col,was,now}}, or {{real: ...}} for the seed), tables.{{active,applications,
review_litigation}}.cells[] = {{row, col, value, text, page (1-based), bbox [x0,y0,x1,y1] in the
delivered page's pixels (cell rectangle on the ruling lines)}}. Blank cells have value 0 and text "".
"""


def build_all(outdir: str | os.PathLike) -> list[dict]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "truth").mkdir(exist_ok=True)
    summary = []
    for n, (stem, layout, fmt, zs, dpi, skew, cond, inj, rep, split) in enumerate(DOCS):
        t = time.time()
        seed = 1000 + n
        report = make_report(seed, layout, zs, inject_error=inj)
        files = write_document(outdir, stem, report, fmt, dpi, skew, cond, seed, rep, split, zs)
        summary.append({"document": stem, "layout": layout, "format": fmt, "dpi": dpi, "zero_style": zs,
                        "skew": skew, "condition": cond, "injected": report["injected"],
                        "header_repeated": rep, "files": files, "seconds": round(time.time() - t, 2)})
    report = seed_report()
    files = write_document(outdir, "yueqing-2020", report, "jpg", 200, -0.5, "mild", 77, False, "r4_1", "blank")
    summary.append({"document": "yueqing-2020", "layout": "2019", "format": "jpg", "dpi": 200,
                    "zero_style": "mixed", "skew": -0.5, "condition": "mild", "injected": report["injected"],
                    "header_repeated": False, "files": files})
    with open(outdir / "truth" / "README.md", "w", encoding="utf-8") as f:
        f.write(README.format(outdir=outdir))
    return summary
