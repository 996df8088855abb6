"""The FOREIGN sample set: reports drawn by renderers the reader was not tuned on, from a seed.

Usage:  python -m digitizer_tools.synth --foreign OUTDIR [--seed N] [--count 60] [--hard 2]
                                  [--renderers docx,html] [--scale 0.5]

For each document: numbers from content.make_report (or, one in four, a real published report's
numbers from real_reports), every drawing choice of layout-variants.md drawn at random
(variants.draw_variants), the report typed by one of the independent renderers (docx_render:
python-docx -> LibreOffice; html_render: HTML/CSS -> headless Chromium) to a PDF, its pages
rasterised with pypdfium2 and degraded like a scanner at level 0 (clean), 1 (scanner-grade: skew,
blur, noise, uneven light, mild keystone, JPEG) or 2 (heavy), or under one hard condition (rotated,
seal, bilevel, dpi100, jpeg30, phone photo, faint gray rules, dotted/dashed rules, no outer border).
The ground truth (truth/<stem>.json) holds every canonical value as the report printed it; the
reader is scored on values, so the renderers need not report where they put each cell.

Deterministic for a given seed; `make eval-foreign` draws a fresh seed each run and prints it.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from . import content
from .degrade import degrade
from .hard import make_seal, perspective_capture, save_pages, stamp, to_rgb_paper
from .variants import draw_variants

LEVELS = {  # skew (max |deg|), blur sigma at 150 dpi, noise, light, tint, jpeg quality, dpi choices, keystone
    0: dict(skew=0.0, blur=0.3, noise=1.0, illum=0.02, tint=0, q=92, dpis=(150, 200, 300), keystone=0.0),
    1: dict(skew=1.2, blur=0.65, noise=3.0, illum=0.08, tint=8, q=75, dpis=(150, 200, 300), keystone=0.006),
    2: dict(skew=2.5, blur=1.05, noise=6.0, illum=0.16, tint=18, q=42, dpis=(130, 150, 200), keystone=0.012),
}
HARD = ("rotated", "seal", "bilevel", "dpi100", "jpeg30", "photo", "faint", "dotted", "noborder")
FORMATS = ("jpg", "png", "tif", "pdf")
DIGITAL = "digital"  # a born-digital document: the renderer's PDF, not its pages scanned
PRINTED = 0.9  # share of the printed numbers a rendered PDF's text must hold (wrapped ones split)
RENDER_TRIES = 3


def _renderer(name: str):
    if name == "docx":
        from .docx_render import render_pdf
    elif name == "html":
        from .html_render import render_pdf
    else:
        raise ValueError(f"unknown renderer {name!r}: docx or html")
    return render_pdf


def rasterize(pdf: Path, dpi: int) -> list[np.ndarray]:
    """Grayscale pages of a PDF at dpi."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for page in doc]
    finally:
        doc.close()


def _numbers_in(text: str) -> list[str]:
    """The digit runs of a text, full-width digits and thousands separators undone."""
    return re.findall(r"\d+", re.sub(r"(?<=\d),(?=\d{3})", "", unicodedata.normalize("NFKC", text)))


def printed_share(pdf: Path, report: dict) -> float:
    """Share of the non-zero numbers the report prints that the PDF's text layer holds (each as often as
    printed). LibreOffice at times drops the rows of a long table with a tall merged cell from its
    layout (they never reach the PDF); the truth would then ask for cells no page shows."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    found = Counter(_numbers_in(text))
    wanted = Counter(number for texts in report["texts"].values() for printed in texts.values()
                     for number in _numbers_in(printed) if int(number))  # a zero may print as a blank or a dash
    if not wanted:
        return 1.0
    return sum(min(n, found[number]) for number, n in wanted.items()) / sum(wanted.values())


def _keystone(img: np.ndarray, rng: random.Random, amount: float) -> np.ndarray:
    """A mild perspective: each corner moved by up to `amount` of the page size, white around."""
    if amount <= 0:
        return img
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + np.float32([[rng.uniform(-amount, amount) * w, rng.uniform(-amount, amount) * h] for _ in range(4)])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _scan(page: np.ndarray, rng: random.Random, level: dict, dpi: int, seed: int, jpeg: bool) -> np.ndarray:
    skew = rng.uniform(-level["skew"], level["skew"])
    img, _ = degrade(page, seed, skew=skew, blur=level["blur"], noise=level["noise"], illum=level["illum"],
                     tint=level["tint"], jpeg_quality=level["q"] if jpeg else None, dpi=dpi)
    return _keystone(img, rng, level["keystone"])


def _hard_variants(condition: str, variants: dict, rng: random.Random) -> None:
    """Conditions that are drawing choices: the renderer draws them."""
    rules = variants["rules"]
    if condition == "faint":
        rules.update(color="lightgray", width_pt=0.5)
    elif condition == "dotted" and rules["inner"] == "solid":
        rules.update(inner=rng.choice(["dashed", "dotted"]))
    elif condition == "noborder":
        rules.update(outer="none")


def _hard_pages(condition: str, pages: list[np.ndarray], rng: random.Random, dpi: int, seed: int) -> tuple[list, str, int]:
    """Pages under one hard capture condition; returns pages, file format, jpeg quality."""
    level = LEVELS[1]
    out = []
    if condition == "photo":
        for i, p in enumerate(pages):
            img, _ = perspective_capture(p, seed + i, dpi, rng.choice([0, 3, 5]))
            out.append(img)
        return out, "jpg", 70
    for i, p in enumerate(pages):
        img = _scan(p, rng, level, dpi, seed + i, jpeg=False)
        if condition == "rotated":
            img = np.ascontiguousarray(np.rot90(img, rng.choice([1, 2, 3]) if i == 0 or rng.random() < 0.7 else 0))
        elif condition == "seal" and i in (1, len(pages) - 1):  # over the numbers of 三 and 四
            rgb = to_rgb_paper(img)
            diam = int(1.6 * dpi)
            h, w = img.shape
            stamp(rgb, make_seal(diam, "某某市人民政府办公室", seed + i), rng.uniform(0.45, 0.8) * w,
                  rng.uniform(0.3, 0.8) * h, rng.uniform(-30, 30), rng.uniform(0.6, 0.9))
            img = np.clip(rgb, 0, 255).astype(np.uint8)
        out.append(img)
    fmt = {"bilevel": "tif1", "jpeg30": "jpg"}.get(condition, rng.choice(["jpg", "png", "pdf"]))
    q = 30 if condition == "jpeg30" else 75
    if condition == "bilevel":
        out = [np.where(p > 170, 255, 0).astype(np.uint8) if p.ndim == 2 else
               np.where(cv2.cvtColor(p, cv2.COLOR_RGB2GRAY) > 170, 255, 0).astype(np.uint8) for p in out]
    return out, fmt, q


def _truth(stem: str, report: dict, renderer: str, condition: str, files: list[str], dpi: int,
           variants: dict) -> dict:
    tables = {}
    for table, values in report["values"].items():
        tables[table] = {"cells": [
            {"row": r, "col": c, "value": content.norm_value(v), "text": report["texts"][table].get((r, c), "")}
            for (r, c), v in values.items()
        ]}
    return {"document": stem, "layout": report["layout"], "source": files, "condition": condition,
            "renderer": renderer, "dpi": dpi, "injected": report["injected"], "title": report["title"],
            "real": report.get("real"), "variants": variants, "tables": tables}


def real_pool() -> list[tuple[str, object]]:
    """Reports with the numbers of real published reports: the 乐清 2020 seed and real_reports."""
    from .real_reports import REAL_REPORTS, real_report
    from .samples import seed_report

    pool: list[tuple[str, object]] = [("乐清市自然资源和规划局2020", seed_report)]
    pool += [(r["source"], lambda i=i: real_report(i)) for i, r in enumerate(REAL_REPORTS)]
    return pool


def _report(rng: random.Random, seed: int, layout: str, real: int | None) -> dict:
    """Random numbers, or (one in four, or when `real` names one) a real report's numbers."""
    pool = real_pool()
    if real is None and rng.random() < 0.25:
        real = rng.randrange(len(pool))
    if real is not None:
        name, make = pool[real % len(pool)]
        report = make()
        report["real"] = name
        return report
    return content.make_report(seed, layout, "blank", inject_error=rng.random() < 0.3)


def override(variants: dict, choices: dict) -> dict:
    """The variants with some choices forced: {"section.key": value}."""
    for name, value in choices.items():
        section, key = name.split(".")
        if key not in variants[section]:
            raise KeyError(f"no drawing choice {name}")
        variants[section][key] = value
    return variants


def build_one(outdir: Path, stem: str, seed: int, renderer: str, condition: str, scale: float = 1.0,
              real: int | None = None, layout: str | None = None, choices: dict | None = None) -> dict:
    """One document of the set, written to outdir with its truth; `layout` and `choices` (forced
    drawing choices, see override) pin what is otherwise drawn at random."""
    rng = random.Random(seed)
    layout = layout or rng.choice(["2019", "2021"])
    with tempfile.TemporaryDirectory(prefix="foreign-") as work:
        for _attempt in range(RENDER_TRIES):
            report = _report(rng, seed, layout, real)
            variants = override(draw_variants(rng, report["layout"]), choices or {})
            if variants["document"]["template_mix"] and not report.get("real"):
                content.mix_template(report, rng)
            if condition in HARD:
                _hard_variants(condition, variants, rng)
            pdf = _renderer(renderer)(report, variants, Path(work))
            # A drawing whose PDF lost printed numbers is drawn again with other choices (the rng
            # goes on, so the set stays the same for a seed).
            if printed_share(pdf, report) >= PRINTED:
                break
        else:
            raise RuntimeError(f"{stem}: {renderer} lost printed numbers in {RENDER_TRIES} drawings")
        if condition == DIGITAL:  # the PDF itself, its text layer and vector rules as printed
            outdir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf, outdir / f"{stem}.pdf")
            files, dpi = [f"{stem}.pdf"], 0
            truth = _truth(stem, report, renderer, condition, files, dpi, variants)
            (outdir / "truth").mkdir(parents=True, exist_ok=True)
            (outdir / "truth" / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                          encoding="utf-8")
            return {"document": stem, "layout": report["layout"], "condition": condition, "renderer": renderer,
                    "dpi": dpi, "format": "pdf", "injected": bool(report["injected"])}
        if condition in HARD:
            dpi = 100 if condition == "dpi100" else rng.choice([150, 200])
            pages, fmt, q = _hard_pages(condition, rasterize(pdf, dpi), rng, dpi, seed * 10)
        else:
            level = LEVELS[int(condition[1])]
            dpi = rng.choice(level["dpis"])
            fmt = rng.choice(FORMATS)
            pages = [_scan(p, rng, level, dpi, seed * 10 + i, jpeg=fmt in ("jpg", "pdf"))
                     for i, p in enumerate(rasterize(pdf, dpi))]
            q = level["q"]
    if scale != 1.0:
        pages = [cv2.resize(p, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for p in pages]
        dpi = int(round(dpi * scale))
    files = save_pages(outdir, stem, fmt, pages, dpi, q)
    truth = _truth(stem, report, renderer, condition, files, dpi, variants)
    (outdir / "truth").mkdir(parents=True, exist_ok=True)
    (outdir / "truth" / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"document": stem, "layout": report["layout"], "condition": condition, "renderer": renderer,
            "dpi": dpi, "format": fmt, "injected": bool(report["injected"])}


def plan(seed: int, count: int, hard_each: int, renderers: list[str],
         born_digital: bool = False) -> list[tuple[str, int, str, str, int | None]]:
    """(stem, seed, renderer, condition, real) for every document of a set: the 乐清 2020 report
    drawn by every renderer (scanner-grade), `count` documents over levels 0-2, then `hard_each`
    documents per hard condition; renderers taken in turn. `born_digital`: every document is
    the renderer's PDF itself, with its text layer (condition DIGITAL), and no hard ones."""
    first = DIGITAL if born_digital else "L1"
    jobs: list[tuple[str, int, str, str, int | None]] = [
        (f"yueqing-2020-{r}", seed * 1000 + 900 + i, r, first, 0) for i, r in enumerate(renderers)
    ]
    conditions = ([DIGITAL] * count if born_digital else
                  [f"L{i % 3}" for i in range(count)] + [c for c in HARD for _ in range(hard_each)])
    for n, condition in enumerate(conditions):
        renderer = renderers[n % len(renderers)]
        jobs.append((f"f{n + 1:03d}-{renderer}-{condition}", seed * 1000 + n, renderer, condition, None))
    return jobs


def build_foreign(outdir, seed: int | None = None, count: int = 60, hard_each: int = 2,
                  renderers: tuple[str, ...] = ("docx", "html"), scale: float = 1.0,
                  born_digital: bool = False) -> list[dict]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    seed = int(time.time()) % 100000 if seed is None else seed
    print(f"foreign set: seed {seed}, {count} documents + {hard_each} per hard condition, "
          f"renderers {','.join(renderers)}", flush=True)
    done = []
    for stem, doc_seed, renderer, condition, real in plan(seed, count, hard_each, list(renderers), born_digital):
        done.append(build_one(outdir, stem, doc_seed, renderer, condition, scale, real))
    (outdir / "truth" / "SEED").write_text(f"{seed}\n", encoding="utf-8")
    return done
