"""The HARD sample set: synthetic annual reports under difficult capture conditions, with truth.

Usage:  python -m digitizer_tools.synth --hard OUTDIR      (deterministic; see DOCS below)

Same three steps as samples.py (content -> render -> degrade) plus, per condition:

- skew10:      skew between ±4 and ±10 degrees (white scanner lid around the page).
- rotated:     whole pages rotated by 90/180/270 degrees (one document mixes orientations).
- perspective: phone photo: keystone warp (corners moved by 3-8 % of the page size), darker uneven
               light, dark table surface around the page, optional page curl; colour JPEG.
- lowquality:  JPEG quality 30-45, blur sigma 1.0-1.3 px, noise, yellowed paper, strong uneven light.
- faintlines:  light-gray ruling lines (150-190), dashed / dotted, broken by small gaps, thick and thin
               lines mixed; one document without the outer border.
- seal:        a red official seal (公章) multiplied over value cells of table 三 or 四; colour JPEG.
- bilevel:     1-bit CCITT G4 TIFF at 200 / 300 dpi with noise specks.
- dpi:         100 dpi JPEG and 600 dpi JPEG (quality 60).
- split3:      table 三 flows over THREE pages (with / without repeated header) and starts at the
               bottom of a page.
- units:       layout 2019 with units in cells (万元 / 元 / 件), full-width digits, "—" "/" "无" for
               zeros, thousands separators and counts > 1000.

Every geometric transformation is applied to the truth bboxes too (bbox of the transformed cell
outline). Truth schema as samples.py, plus: page_rotation (per page, degrees the content was turned
counter-clockwise), seal (page + centre + diameter) where there is one.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from . import content
from .content import APPLICANT_COLS, load_layout, make_report, result_rows
from .degrade import degrade
from .render import Doc, grid_active, grid_applications, grid_review, load_font, split_lines, truth_cells
from .samples import FIXED_DATE, jsonable

# ====================================================================== rendering variants


class StyledDoc(Doc):
    """Doc whose ruling lines go to separate masks and are styled when the page is finished:
    light gray, dashed / dotted, broken by small gaps, thick and thin mixed, outer border dropped."""

    def __init__(self, dpi: int, seed: int, gray=(150, 190), dash="solid", gaps=0.0,
                 thick_mix=True, no_border=False):
        self.rng = np.random.default_rng(seed)
        self.style = dict(gray=gray, dash=dash, gaps=gaps, thick_mix=thick_mix, no_border=no_border)
        self.masks: list[tuple[Image.Image, Image.Image]] = []
        self._extent = None
        super().__init__(dpi)

    def new_page(self):
        super().new_page()
        self.masks.append((Image.new("L", (self.W, self.H), 0), Image.new("L", (self.W, self.H), 0)))

    def draw_grid(self, g, segments, truth, frag_lines):
        h = sum(g.rowh[r] for a, b in segments for r in range(a, b))
        self._extent = (self.left, self.y, self.left + sum(g.colw), self.y + h)
        super().draw_grid(g, segments, truth, frag_lines)
        self._extent = None

    def rule(self, x0, y0, x1, y1, outer=False):
        horiz = (x1 - x0) > (y1 - y0)
        if self.style["no_border"] and self._extent is not None:
            ex0, ey0, ex1, ey1 = self._extent
            tol = self.border + 1
            if outer:
                return
            if horiz and (y0 <= ey0 + tol or y1 >= ey1 - tol):
                return
            if not horiz and (x0 <= ex0 + tol or x1 >= ex1 - tol):
                return
        mh, mv = self.masks[-1]
        ImageDraw.Draw(mh if horiz else mv).rectangle([x0, y0, x1, y1], fill=255)

    def finish(self) -> list[np.ndarray]:
        out = []
        st, rng = self.style, self.rng
        for img, (mh, mv) in zip(self.pages, self.masks):
            page = np.asarray(img, dtype=np.uint8).copy()
            layer = np.full(page.shape, 255, np.float32)
            for m, axis in ((np.asarray(mh) > 0, 1), (np.asarray(mv) > 0, 0)):
                m = m.copy()
                # group pixels into lines (runs of rows for horizontal, columns for vertical)
                prof = m.any(axis=axis)
                idx = np.flatnonzero(prof)
                if not len(idx):
                    continue
                runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
                for run in runs:
                    lo, hi = run[0], run[-1] + 1
                    sl = (slice(lo, hi), slice(None)) if axis == 1 else (slice(None), slice(lo, hi))
                    seg = m[sl]
                    # thick and thin mixed: some lines get 1-3 px more
                    if st["thick_mix"] and rng.random() < 0.3:
                        extra = int(rng.integers(1, 3 if self.dpi < 200 else 4))
                        lo2, hi2 = max(0, lo - extra // 2), hi + (extra - extra // 2)
                        big = (slice(lo2, hi2), slice(None)) if axis == 1 else (slice(None), slice(lo2, hi2))
                        along = seg.any(axis=0 if axis == 1 else 1)
                        if axis == 1:
                            m[big] |= along[None, :]
                        else:
                            m[big] |= along[:, None]
                    gray = float(np.clip(rng.uniform(*st["gray"]) + rng.normal(0, 6), 120, 200))
                    # dashes along the line (absolute coordinates: consistent across cells)
                    L = m.shape[1] if axis == 1 else m.shape[0]
                    pos = np.arange(L)
                    on = np.ones(L, bool)
                    if st["dash"] == "dashed" or (st["dash"] == "mixed" and rng.random() < 0.5):
                        per = max(6, int(0.55 * self.fs))
                        on = (pos % per) < int(per * 0.62)
                    elif st["dash"] == "dotted" or (st["dash"] == "mixed" and rng.random() < 0.4):
                        per = max(4, int(0.3 * self.fs))
                        on = (pos % per) < max(2, int(per * 0.6))
                    # small gaps
                    if st["gaps"] > 0:
                        n = int(rng.poisson(st["gaps"] * L / self.fs))
                        for _ in range(n):
                            c = int(rng.integers(0, L))
                            gl = int(rng.uniform(0.25, 0.7) * self.fs)
                            on[c:c + gl] = False
                    big_sl = (slice(max(0, lo - 3), hi + 3), slice(None)) if axis == 1 else \
                        (slice(None), slice(max(0, lo - 3), hi + 3))
                    mm = m[big_sl]
                    mm = mm & (on[None, :] if axis == 1 else on[:, None])
                    lay = layer[big_sl]
                    lay[mm] = np.minimum(lay[mm], gray)
            out.append(np.minimum(page, layer.round().astype(np.uint8)))
        return out


def _frag_multi(doc: Doc, g, pieces_of) -> dict:
    """Share the wrapped lines of row-spanning cells between their pieces on several pages.
    pieces_of: list of (a, b) data-row ranges, one per page."""
    out = {}
    for cell in g.cells:
        if cell.rs == 1:
            continue
        pieces = []
        for a, b in pieces_of:
            lo, hi = max(a, cell.r), min(b, cell.r + cell.rs)
            if lo < hi:
                pieces.append((lo, hi))
        if len(pieces) < 2:
            continue
        w = sum(g.colw[cell.c:cell.c + cell.cs]) - 2 * doc.padx
        lines = doc.wrap(cell.text, w)
        hs = [sum(g.rowh[lo:hi]) for lo, hi in pieces]
        caps = [max(0, (h - 2 * doc.pady) // doc.lh) for h in hs]
        # largest piece first gets lines, in reading order
        want = [len(lines) * h / sum(hs) for h in hs]
        n = [min(c, int(round(x))) for c, x in zip(caps, want)]
        while sum(n) > len(lines):
            i = max(range(len(n)), key=lambda k: n[k])
            n[i] -= 1
        while sum(n) < len(lines):
            cand = [k for k in range(len(n)) if n[k] < caps[k]]
            if not cand:
                break
            i = max(cand, key=lambda k: want[k] - n[k])
            n[i] += 1
        d, k = {}, 0
        for (lo, hi), m in zip(pieces, n):
            d[lo] = lines[k:k + m]
            k += m
        out[id(cell)] = d
    return out


def flow_table(doc: Doc, g, head: int, repeat_header: bool, pos: dict, min_rows: int = 1,
               title: str | None = None) -> list[int]:
    """Draw grid g from the cursor on, breaking pages where it runs out of room; the first `head` rows
    are the header (repeated on continuation pages if repeat_header). Returns the pages used."""
    n = g.nrows
    hh = sum(g.rowh[:head])
    need_first = hh + sum(g.rowh[head:head + min_rows])
    if title:
        doc.heading(title, keep=need_first)
    elif doc.y + need_first > doc.bottom:
        doc.new_page()
    plan = []           # per page: list of segments
    r, first = 0, True
    y = doc.y
    while r < n:
        segs = []
        avail = doc.bottom - y
        if not first and repeat_header and head:
            segs.append((0, head))
            avail -= hh
        a = r if not first else 0
        b = a
        while b < n and g.rowh[b] <= avail:
            avail -= g.rowh[b]
            b += 1
        if first and b < head + min_rows:
            raise RuntimeError("no room for the table's first rows")
        if b == a:
            raise RuntimeError("row taller than a page")
        segs.append((a, b))
        plan.append(segs)
        r, first = b, False
        y = doc.top
    pieces = [segs[-1] for segs in plan]
    pieces = [(max(a, head), b) for a, b in pieces]
    frag = _frag_multi(doc, g, pieces)
    pages = []
    for i, segs in enumerate(plan):
        if i:
            doc.new_page()
        pages.append(doc.page_no)
        doc.draw_grid(g, segs, pos, frag)
    return pages


def render_hard(report: dict, dpi: int, doc: Doc | None = None, repeat_header: bool = True,
                split_after: str = "r3_6", flow: bool = False, extra_prose: int = 0,
                t3_new_page: bool = False) -> tuple[list[np.ndarray], dict, dict]:
    """Like render.render_report; flow=True lets every table run on over page breaks (split3).
    Returns pages, truth, info {table: pages used}."""
    layout = report["layout"]
    lay = load_layout(layout)
    doc = doc or Doc(dpi)
    pos: dict = {}
    info = {}
    doc.title(report["title"])
    doc.heading("一、总体情况")
    for para in report["prose1"].split("\n"):
        doc.paragraph(para)
    for i in range(extra_prose):
        doc.paragraph(content.PROSE_FILLER[i % len(content.PROSE_FILLER)] +
                      content.PROSE_FILLER[(i + 3) % len(content.PROSE_FILLER)])
    ga = grid_active(doc, report)
    doc.layout_grid(ga)
    if flow:
        info["active"] = flow_table(doc, ga, 0, False, pos, min_rows=2, title=lay["tables"]["active"]["title"])
    else:
        doc.heading(lay["tables"]["active"]["title"])
        doc.draw_grid(ga, [(0, ga.nrows)], pos, {})
        info["active"] = [doc.page_no]
    gp, row_index = grid_applications(doc, report)
    doc.layout_grid(gp)
    if flow:
        if t3_new_page:
            doc.new_page()
        info["applications"] = flow_table(doc, gp, 3, repeat_header, pos, min_rows=1,
                                          title=lay["tables"]["applications"]["title"])
    else:
        doc.new_page()
        doc.heading(lay["tables"]["applications"]["title"])
        split = row_index[split_after] + 1
        frag = split_lines(doc, gp, split)
        doc.draw_grid(gp, [(0, split)], pos, frag)
        p0 = doc.page_no
        doc.new_page()
        segs = [(0, 3), (split, gp.nrows)] if repeat_header else [(split, gp.nrows)]
        doc.draw_grid(gp, segs, pos, frag)
        info["applications"] = [p0, doc.page_no]
    doc.y += doc.fs // 2
    gr = grid_review(doc, report)
    doc.layout_grid(gr)
    if flow:
        info["review_litigation"] = flow_table(doc, gr, 3, repeat_header, pos, min_rows=0,
                                               title=lay["tables"]["review_litigation"]["title"])
    else:
        doc.heading(lay["tables"]["review_litigation"]["title"], keep=sum(gr.rowh))
        doc.draw_grid(gr, [(0, gr.nrows)], pos, {})
        info["review_litigation"] = [doc.page_no]
    doc.y += doc.fs // 2
    doc.heading("五、存在的主要问题及改进情况", keep=2 * doc.fs)
    for para in report["prose5"].split("\n"):
        doc.paragraph(para)
    truth = truth_cells(report, pos, layout)
    if isinstance(doc, StyledDoc):
        pages = doc.finish()
    else:
        pages = [np.asarray(p, dtype=np.uint8).copy() for p in doc.pages]
    return pages, truth, info


# ====================================================================== content variants

FW = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def _sep(v) -> str:
    return f"{v:,}"


def unitize(report: dict, seed: int, inject_error: bool) -> None:
    """Layout 2019 report with big counts, units, full-width digits and zero markers."""
    rng = random.Random(seed * 31 + 7)
    vals = report["values"]
    apps = vals["applications"]
    results = result_rows(report["layout"])
    # natural-person column in the thousands (all hard relations kept)
    used = [k for k in results if apps[(k, "natural_person")] > 0] or ["r1", "r2", "r4_1"]
    for k in ("r1", "r2", "r4_1"):
        if k not in used:
            used.append(k)
    weights = [apps[(k, "natural_person")] + 0.5 for k in used]
    new = rng.randint(1100, 4200)
    carried = rng.randint(5, 60)
    fwd = rng.randint(3, 80)
    done = new + carried - fwd
    split = {k: 0 for k in used}
    for k, v in zip(used, np.random.default_rng(seed).multinomial(done, np.array(weights) / sum(weights))):
        split[k] = int(v)
    apps[("new_received", "natural_person")] = new
    apps[("carried_over", "natural_person")] = carried
    apps[("carry_forward", "natural_person")] = fwd
    apps[("r7_total", "natural_person")] = done
    for k in results:
        apps[(k, "natural_person")] = split.get(k, 0)
    rows = ["new_received", "carried_over"] + results + ["r7_total", "carry_forward"]
    for r in rows:
        apps[(r, "total")] = sum(apps[(r, c)] for c in APPLICANT_COLS)
    n = apps[("new_received", "total")]
    import re
    report["prose1"] = re.sub(r"共收到政府信息公开申请\d+件", f"共收到政府信息公开申请{n}件", report["prose1"])
    # table 二: big counts, a procurement amount with its unit
    act = vals["active"]
    act[("licensing", "prev_items")] = prev = rng.randint(1200, 9000)
    act[("licensing", "delta")] = d = rng.randint(-prev // 4, prev // 4)
    act[("licensing", "decisions")] = prev + d + rng.randint(-50, 50)
    act[("procurement", "items")] = rng.randint(3, 40)
    kind = seed % 3
    special = {}
    if kind == 0:
        v = round(rng.uniform(1000, 3000), 4)
        t = f"{v:,.4f} 万元"
    elif kind == 1:
        y = rng.randint(100, 9000) * 100
        v = y / 10000
        t = f"{y}元"
    else:
        y = round(rng.uniform(1e7, 9e7), 2)
        v = y / 10000
        t = f"{y:,.2f}元"
    act[("procurement", "amount_10k_yuan")] = content.norm_value(round(v, 8))
    special[("active", "procurement", "amount_10k_yuan")] = t
    report["texts"] = {t_: content.fill_texts(vals[t_], {}, "zero") for t_ in vals}
    if inject_error:
        content.inject(rng, report)
    inj = report["injected"]
    zero_marks = ["—", "/", "无"] if seed % 2 else ["—", "-", "/"]
    base_zero = "" if seed % 2 else "0"
    for table, tv in vals.items():
        texts = report["texts"][table]
        for k, v in tv.items():
            if (table,) + k in special:
                texts[k] = special[(table,) + k]
                continue
            if v == 0:
                r = rng.random()
                texts[k] = rng.choice(zero_marks) if r < 0.35 else base_zero
            elif isinstance(v, int) and abs(v) >= 1000:
                texts[k] = _sep(v) if rng.random() < 0.85 else str(v)
            elif isinstance(v, int) and v > 0 and rng.random() < 0.15:
                texts[k] = str(v).translate(FW)
            elif isinstance(v, int) and v < 0 and rng.random() < 0.5:
                texts[k] = "−" + str(-v)
            else:
                texts[k] = str(v)
            if table == "active" and isinstance(v, int) and v > 0 and k[1] == "decisions" and rng.random() < 0.5:
                texts[k] += "件"
    if inj and "table" in inj:
        pass  # value/now unchanged; its printed text may be formatted
    report["zero_style"] = "mixed"


# ====================================================================== capture transforms

def bbox_through(bbox, fn, shape) -> list[int]:
    """bbox of the cell outline (corners and edge points) mapped by fn, clipped to shape."""
    x0, y0, x1, y1 = bbox
    t = np.linspace(0, 1, 9)
    pts = np.concatenate([np.stack([x0 + (x1 - x0) * t, np.full_like(t, y0)], 1),
                          np.stack([x0 + (x1 - x0) * t, np.full_like(t, y1)], 1),
                          np.stack([np.full_like(t, x0), y0 + (y1 - y0) * t], 1),
                          np.stack([np.full_like(t, x1), y0 + (y1 - y0) * t], 1)])
    q = fn(pts)
    h, w = shape[:2]
    nx0, ny0 = np.floor(q.min(axis=0)).astype(int)
    nx1, ny1 = np.ceil(q.max(axis=0)).astype(int)
    return [int(max(0, nx0)), int(max(0, ny0)), int(min(w, nx1)), int(min(h, ny1))]


def affine_fn(M):
    M = np.asarray(M, np.float64)
    return lambda p: p @ M[:, :2].T + M[:, 2]


def rot_fn(k: int, w: int, h: int):
    """point map of np.rot90(img, k) (counter-clockwise) for an image w x h."""
    k %= 4
    if k == 0:
        return lambda p: p
    if k == 1:
        return lambda p: np.stack([p[:, 1], w - p[:, 0]], 1)
    if k == 2:
        return lambda p: np.stack([w - p[:, 0], h - p[:, 1]], 1)
    return lambda p: np.stack([h - p[:, 1], p[:, 0]], 1)


def compose(*fns):
    def f(p):
        for g in fns:
            p = g(p)
        return p
    return f


def illumination(shape, rng, strength: float, dark: float = 0.0) -> np.ndarray:
    """smooth multiplicative light field in (0, 1]."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    lin = np.clip(np.cos(ang) * (xx / w - 0.5) + np.sin(ang) * (yy / h - 0.5) + 0.5, 0, 1)
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    rad = ((xx - cx) ** 2 + (yy - cy) ** 2) / float(w * w + h * h)
    f = (1.0 - dark) * (1.0 - strength * (0.75 * lin + 0.9 * rad))
    return np.clip(f, 0.05, 1.0)


def to_rgb_paper(gray: np.ndarray, tint=(1.0, 1.0, 1.0)) -> np.ndarray:
    """gray page -> RGB with paper colour `tint` (multipliers for R, G, B)."""
    g = gray.astype(np.float32)
    return np.stack([g * tint[0], g * tint[1], g * tint[2]], -1)


def perspective_capture(page: np.ndarray, seed: int, dpi: int, curl: float):
    """Phone photo of a page lying on a dark table. Returns RGB uint8 and the point map."""
    rng = np.random.default_rng(seed)
    h, w = page.shape
    img = page.astype(np.float32)
    # slight print blur before anything else
    img = cv2.GaussianBlur(img, (0, 0), 0.5 * dpi / 150)
    fns = []
    if curl:
        # smooth vertical displacement, strongest in the middle of the page width, growing downwards
        amp = curl * dpi / 150
        xs = np.arange(w, dtype=np.float32)
        ys = np.arange(h, dtype=np.float32)
        bend = np.sin(np.pi * xs / w)[None, :] * (0.35 + 0.65 * (ys / h))[:, None]
        dy = (amp * bend).astype(np.float32)
        mx, my = np.meshgrid(xs, ys)
        # forward y' = y + dy(x, y); inverse approx y = y' - dy(x, y')
        img = cv2.remap(img, mx, (my - dy).astype(np.float32), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=255)

        def curl_fn(p, amp=amp, w=w, h=h):
            b = np.sin(np.pi * p[:, 0] / w) * (0.35 + 0.65 * p[:, 1] / h)
            return np.stack([p[:, 0], p[:, 1] + amp * b], 1)
        fns.append(curl_fn)
    # output canvas: page plus a margin of table around it
    mx_, my_ = int(0.11 * w), int(0.09 * h)
    OW, OH = w + 2 * mx_, h + 2 * my_
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    top_in = rng.uniform(0.03, 0.08)      # keystone: top edge narrower (phone tilted back)
    dst = []
    for (sx, sy), (kx, ky) in zip(src, [(1, 1), (-1, 1), (-1, -1), (1, -1)]):
        fx = rng.uniform(0.03, 0.08) if sy == 0 else rng.uniform(-0.02, 0.03)
        if sy == 0:
            fx = top_in + rng.uniform(-0.01, 0.01)
        fy = rng.uniform(-0.03, 0.04)
        dst.append([mx_ + sx + kx * fx * w, my_ + sy + ky * fy * h])
    dst = np.float32(dst)
    H = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(img, H, (OW, OH), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), H, (OW, OH), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def h_fn(p, H=H):
        q = np.c_[p, np.ones(len(p))] @ H.T
        return q[:, :2] / q[:, 2:3]
    fns.append(h_fn)
    # dark wooden/grey table with texture
    base = np.array(rng.choice([[58, 48, 40], [45, 45, 48], [70, 56, 44]]), np.float32)
    tex = cv2.GaussianBlur(rng.normal(0, 1, (OH // 8 + 1, OW // 8 + 1)).astype(np.float32), (0, 0), 2)
    tex = cv2.resize(tex, (OW, OH), interpolation=cv2.INTER_LINEAR)[..., None] * 9
    bg = base[None, None, :] + tex
    paper = to_rgb_paper(warped, (0.99, 0.97, 0.92))
    m3 = mask[..., None]
    out = paper * m3 + bg * (1 - m3)
    # soft shadow of the page on the table next to its lower-right edge
    sh = cv2.GaussianBlur(mask, (0, 0), 0.01 * w)
    sh = np.roll(np.roll(sh, int(0.006 * w), 1), int(0.006 * w), 0)
    out = out * (1 - 0.35 * (sh[..., None] * (1 - m3)))
    light = illumination((OH, OW), rng, strength=0.42, dark=0.2)
    out = out * light[..., None]
    out = out + rng.normal(0, 3.0, out.shape).astype(np.float32)
    out = cv2.GaussianBlur(out, (0, 0), 0.6 * dpi / 150)
    return np.clip(out, 0, 255).round().astype(np.uint8), compose(*fns)


# ---------------------------------------------------------------------- seal

def make_seal(diam: int, text: str, seed: int, sub: str = "") -> np.ndarray:
    """ink density (0..1) of a round official seal of diameter diam px."""
    rng = np.random.default_rng(seed)
    S = diam + 8
    im = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(im)
    c = S / 2
    R = diam / 2
    ring = max(3, int(diam * 0.035))
    d.ellipse([c - R, c - R, c + R, c + R], outline=255, width=ring)
    # five-pointed star
    rs, ri = 0.19 * diam, 0.19 * diam * 0.382
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        r = rs if i % 2 == 0 else ri
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(pts, fill=255)
    # arc of text along the top, characters upright toward the centre
    fsz = int(diam * 0.13)
    font = load_font(fsz)
    n = len(text)
    span = min(250.0, 19.0 * n)
    rt = R - ring - fsz * 0.62
    for i, ch in enumerate(text):
        ang = -90 - span / 2 + span * (i + 0.5) / n          # degrees, 0 = +x, clockwise positive (image coords)
        tile = Image.new("L", (fsz * 2, fsz * 2), 0)
        ImageDraw.Draw(tile).text((fsz, fsz), ch, font=font, fill=255, anchor="mm")
        tile = tile.rotate(-(ang + 90), resample=Image.BICUBIC)
        x = c + rt * math.cos(math.radians(ang))
        y = c + rt * math.sin(math.radians(ang))
        im.paste(255, (int(x - fsz), int(y - fsz)), tile)
    if sub:
        f2 = load_font(int(diam * 0.095))
        d.text((c, c + 0.30 * diam), sub, font=f2, fill=255, anchor="mm")
    a = np.asarray(im, np.float32) / 255.0
    # uneven ink: blotchy texture and small voids
    tex = cv2.GaussianBlur(rng.uniform(0, 1, a.shape).astype(np.float32), (0, 0), diam * 0.04)
    tex = (tex - tex.min()) / (np.ptp(tex) + 1e-6)
    a = a * (0.55 + 0.45 * tex)
    voids = rng.uniform(0, 1, a.shape) < 0.04
    a[voids] *= 0.3
    a = cv2.GaussianBlur(a, (0, 0), 0.9)
    return np.clip(a, 0, 1)


def stamp(rgb: np.ndarray, density: np.ndarray, cx: float, cy: float, angle: float, opacity: float):
    """multiply red ink (density) onto rgb (float32) with centre (cx, cy)."""
    S = density.shape[0]
    M = cv2.getRotationMatrix2D((S / 2, S / 2), angle, 1.0)
    den = cv2.warpAffine(density, M, (S, S), flags=cv2.INTER_LINEAR) * opacity
    ink = np.array([200, 28, 38], np.float32) / 255.0
    x0, y0 = int(round(cx - S / 2)), int(round(cy - S / 2))
    H, W = rgb.shape[:2]
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(W, x0 + S), min(H, y0 + S)
    dd = den[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0][..., None]
    reg = rgb[ay0:ay1, ax0:ax1]
    rgb[ay0:ay1, ax0:ax1] = reg * (1 - dd * (1 - ink[None, None, :]))


# ====================================================================== writing

def save_pages(outdir: Path, stem: str, fmt: str, pages: list[np.ndarray], dpi: int, q: int | None) -> list[str]:
    files = []
    mode = lambda a: "RGB" if a.ndim == 3 else "L"   # noqa: E731
    if fmt == "jpg":
        for i, img in enumerate(pages):
            name = f"{stem}_p{i + 1}.jpg"
            Image.fromarray(img, mode(img)).save(outdir / name, quality=q, dpi=(dpi, dpi))
            files.append(name)
    elif fmt == "png":
        for i, img in enumerate(pages):
            name = f"{stem}-{i + 1:03d}.png"
            Image.fromarray(img, mode(img)).save(outdir / name, optimize=True, dpi=(dpi, dpi))
            files.append(name)
    elif fmt == "tif1":
        ims = [Image.fromarray(img, "L").convert("1", dither=Image.Dither.NONE) for img in pages]
        name = f"{stem}.tif"
        ims[0].save(outdir / name, save_all=True, append_images=ims[1:], compression="group4", dpi=(dpi, dpi))
        files.append(name)
    elif fmt == "tif":
        ims = [Image.fromarray(img, mode(img)) for img in pages]
        name = f"{stem}.tif"
        ims[0].save(outdir / name, save_all=True, append_images=ims[1:], compression="tiff_deflate", dpi=(dpi, dpi))
        files.append(name)
    elif fmt == "pdf":
        ims = [Image.fromarray(img, mode(img)) for img in pages]
        name = f"{stem}.pdf"
        ims[0].save(outdir / name, save_all=True, append_images=ims[1:], resolution=float(dpi),
                    quality=q, creationDate=FIXED_DATE, modDate=FIXED_DATE)
        files.append(name)
    else:
        raise ValueError(fmt)
    return files


def jpeg_roundtrip(img: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img if img.ndim == 2 else img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
    out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return out if out.ndim == 2 else out[..., ::-1]


# stem, condition, layout, fmt, dpi, inject, zero_style, options
DOCS = [
    ("h01-skew10-2021-jpg",       "skew10", "2021", "jpg", 150, False, "blank", dict(skew=7.5)),
    ("h02-skew10-2019-pdf",       "skew10", "2019", "pdf", 200, True,  "zero",  dict(skew=-9.3)),
    ("h03-skew10-2021-jpg",       "skew10", "2021", "jpg", 200, False, "zero",  dict(skew=-4.6)),
    ("h04-rotated-2019-jpg",      "rotated", "2019", "jpg", 150, False, "blank", dict(rot=[1, 1, 1])),
    ("h05-rotated-2021-pdf",      "rotated", "2021", "pdf", 200, True,  "zero",  dict(rot=[2, 2, 2])),
    ("h06-rotated-2019-jpg-mixed", "rotated", "2019", "jpg", 200, False, "zero", dict(rot=[0, 3, 2])),
    ("h07-perspective-2021-jpg",  "perspective", "2021", "jpg", 150, False, "blank", dict(curl=0)),
    ("h08-perspective-2019-jpg",  "perspective", "2019", "jpg", 150, True,  "zero",  dict(curl=5)),
    ("h09-perspective-2021-jpg",  "perspective", "2021", "jpg", 200, False, "zero",  dict(curl=3)),
    ("h10-lowquality-2019-jpg",   "lowquality", "2019", "jpg", 150, False, "blank", dict(q=32, sigma=1.25)),
    ("h11-lowquality-2021-jpg",   "lowquality", "2021", "jpg", 150, True,  "zero",  dict(q=42, sigma=1.05)),
    ("h12-lowquality-2019-pdf",   "lowquality", "2019", "pdf", 200, False, "zero",  dict(q=38, sigma=1.15)),
    ("h13-faintlines-2021-jpg",   "faintlines", "2021", "jpg", 200, False, "blank",
     dict(gray=(160, 185), dash="dashed", gaps=0.02)),
    ("h14-faintlines-2019-png",   "faintlines", "2019", "png", 150, True,  "zero",
     dict(gray=(150, 170), dash="dotted", gaps=0.015)),
    ("h15-faintlines-2021-jpg-noborder", "faintlines", "2021", "jpg", 200, False, "zero",
     dict(gray=(165, 190), dash="mixed", gaps=0.03, no_border=True)),
    ("h16-seal-2019-jpg",         "seal", "2019", "jpg", 200, True,  "blank", dict(seal="applications")),
    ("h17-seal-2021-jpg",         "seal", "2021", "jpg", 200, False, "zero",  dict(seal="review_litigation")),
    ("h18-bilevel-2021-tif1bit",  "bilevel", "2021", "tif1", 200, False, "zero", dict(specks=900)),
    ("h19-bilevel-2019-tif1bit",  "bilevel", "2019", "tif1", 300, True, "blank", dict(specks=1600)),
    ("h20-dpi100-2019-jpg",       "dpi", "2019", "jpg", 100, False, "zero",  dict()),
    ("h21-dpi100-2021-jpg",       "dpi", "2021", "jpg", 100, True,  "blank", dict()),
    ("h22-dpi600-2021-jpg",       "dpi", "2021", "jpg", 600, False, "zero",  dict()),
    ("h23-split3-2021-jpg",       "split3", "2021", "jpg", 150, False, "zero",  dict(repeat=True)),
    ("h24-split3-2019-pdf",       "split3", "2019", "pdf", 150, True,  "blank", dict(repeat=False)),
    ("h25-split3-2021-png",       "split3", "2021", "png", 150, False, "blank", dict(repeat=False)),
    ("h26-units-2019-jpg",        "units", "2019", "jpg", 200, True,  "mixed", dict()),
    ("h27-units-2019-jpg",        "units", "2019", "jpg", 150, False, "mixed", dict()),
    ("h28-units-2019-pdf",        "units", "2019", "pdf", 200, False, "mixed", dict()),
]

SPLITS = ["r3_6", "r4_1", "r3_8", "r4_2", "r3_5", "r5_1"]


def build_doc(outdir: Path, n: int, stem: str, cond: str, layout: str, fmt: str, dpi: int, inj: bool,
              zs: str, opt: dict) -> dict:
    seed = 5000 + 17 * n
    rng = np.random.default_rng(seed)
    if cond == "units":
        report = make_report(seed, layout, "zero", inject_error=False)
        unitize(report, seed, inj)
    else:
        report = make_report(seed, layout, zs, inject_error=inj)
    repeat = opt.get("repeat", n % 2 == 0)
    split_after = SPLITS[n % len(SPLITS)]
    doc = None
    if cond == "faintlines":
        doc = StyledDoc(dpi, seed, gray=opt["gray"], dash=opt["dash"], gaps=opt["gaps"],
                        no_border=opt.get("no_border", False))
    flow = cond == "split3"
    if flow:
        # taller rows (more cell padding) until table 三 flows over exactly three pages
        for pf in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            doc = Doc(dpi)
            doc.pady = int(round(pf * doc.fs))
            pages, truth, info = render_hard(report, dpi, doc, repeat_header=repeat, flow=True,
                                             extra_prose=opt.get("extra_prose", 0))
            if len(info["applications"]) == 3:
                break
        else:
            raise RuntimeError(f"{stem}: table 三 on pages {info['applications']}, wanted 3 pages")
    else:
        pages, truth, info = render_hard(report, dpi, doc, repeat_header=repeat, split_after=split_after)

    out_pages, fns, rotations, q = [], [], [], 80
    seal_info = seal_target = None
    for i, p in enumerate(pages):
        ps = seed * 10 + i
        h, w = p.shape
        rot = 0
        if cond == "skew10":
            s = opt["skew"] + float(rng.uniform(-0.4, 0.4))
            img, M = degrade(p, ps, skew=s, blur=0.6, noise=2.5, illum=0.1, tint=6, dpi=dpi)
            fn, q = affine_fn(M), 75
        elif cond == "rotated":
            s = float(rng.uniform(-1.0, 1.0))
            img, M = degrade(p, ps, skew=s, blur=0.6, noise=2.0, illum=0.08, tint=4, dpi=dpi)
            k = opt["rot"][i % len(opt["rot"])]
            img = np.ascontiguousarray(np.rot90(img, k))
            fn, q, rot = compose(affine_fn(M), rot_fn(k, w, h)), 75, 90 * k
        elif cond == "perspective":
            img, fn = perspective_capture(p, ps, dpi, opt["curl"])
            q = 68
        elif cond == "lowquality":
            s = float(rng.uniform(-1.5, 1.5))
            img, M = degrade(p, ps, skew=s, blur=opt["sigma"] * 150 / dpi, noise=7.0, illum=0.0,
                             tint=0, dpi=dpi)
            light = illumination(img.shape, np.random.default_rng(ps), strength=0.45)
            rgb = to_rgb_paper(img, (0.97, 0.90, 0.70)) * light[..., None]
            img = np.clip(rgb, 0, 255).round().astype(np.uint8)
            fn, q = affine_fn(M), opt["q"]
        elif cond == "faintlines":
            s = float(rng.uniform(-1.0, 1.0))
            img, M = degrade(p, ps, skew=s, blur=0.5, noise=2.0, illum=0.06, tint=3, dpi=dpi,
                             clean_background=fmt == "png")
            fn, q = affine_fn(M), 80
        elif cond == "seal":
            s = float(rng.uniform(-1.0, 1.0))
            img, M = degrade(p, ps, skew=s, blur=0.6, noise=2.0, illum=0.08, tint=0, dpi=dpi)
            fn, q = affine_fn(M), 78
            rgb = to_rgb_paper(img, (1.0, 0.985, 0.95))
            tname = opt["seal"]
            if seal_target is None:
                # centre the seal on a printed number (not 自然人) of the table, off-centre a little
                cand = [c for c in truth[tname] if c["text"] and c["col"] != "natural_person"]
                cand = cand or [c for c in truth[tname] if c["col"] in ("other", "pending", "total")]
                seal_target = cand[int(rng.integers(0, len(cand)))]
            if seal_target["page"] == i + 1:
                pick = [seal_target]
                bx = np.array([bbox_through(c["bbox"], fn, img.shape) for c in pick], float)
                diam = int(round(4.1 / 2.54 * dpi))
                cx = float((bx[:, 0].min() + bx[:, 2].max()) / 2) + float(rng.uniform(-0.25, 0.25)) * diam
                cy = float((bx[:, 1].min() + bx[:, 3].max()) / 2) + float(rng.uniform(-0.2, 0.2)) * diam
                name = report["agency"]
                den = make_seal(diam, name, ps, sub="")
                ang = float(rng.uniform(-25, 25))
                stamp(rgb, den, cx, cy, ang, opacity=0.85)
                seal_info = {"page": i + 1, "center": [round(cx), round(cy)], "diameter": diam,
                             "over": tname}
            img = np.clip(rgb, 0, 255).round().astype(np.uint8)
        elif cond == "bilevel":
            s = float(rng.uniform(-1.2, 1.2))
            img, M = degrade(p, ps, skew=s, blur=0.45, noise=2.5, illum=0.05, tint=0, dpi=dpi,
                             clean_background=True)
            bw = np.where(img > 175, 255, 0).astype(np.uint8)
            # noise specks: dust (black dots, some small clusters) and a few white dropouts
            r_ = np.random.default_rng(ps)
            hh, ww = bw.shape
            for _ in range(int(opt["specks"])):
                x, y = int(r_.integers(0, ww)), int(r_.integers(0, hh))
                rad = int(r_.choice([0, 0, 0, 1, 1, 2]) * dpi / 200)
                cv2.circle(bw, (x, y), rad, 0, -1)
            for _ in range(int(opt["specks"]) // 3):
                x, y = int(r_.integers(0, ww)), int(r_.integers(0, hh))
                cv2.circle(bw, (x, y), int(dpi / 200), 255, -1)
            # a line of scanner dirt along one edge
            ys = r_.integers(0, hh, size=60)
            xs = r_.normal(0.015 * ww, 0.004 * ww, size=60).astype(int)
            for x, y in zip(xs, ys):
                cv2.circle(bw, (int(x), int(y)), int(r_.integers(1, 3)), 0, -1)
            img, fn, q = bw, affine_fn(M), None
        elif cond == "dpi":
            s = float(rng.uniform(-0.8, 0.8))
            if dpi >= 600:
                img, M = degrade(p, ps, skew=s, blur=0.45, noise=1.0, illum=0.04, tint=0, dpi=dpi,
                                 clean_background=True)
                q = 60
            else:
                img, M = degrade(p, ps, skew=s, blur=0.5, noise=2.0, illum=0.06, tint=4, dpi=dpi)
                q = 80
            fn = affine_fn(M)
        elif cond in ("split3", "units"):
            s = float(rng.uniform(-1.2, 1.2))
            img, M = degrade(p, ps, skew=s, blur=0.6, noise=2.0, illum=0.08, tint=5, dpi=dpi,
                             clean_background=fmt == "png")
            fn, q = affine_fn(M), 78
        else:
            raise ValueError(cond)
        out_pages.append(img)
        fns.append(fn)
        rotations.append(rot)
    files = save_pages(outdir, stem, fmt, out_pages, dpi, q)

    tables = {}
    for table, cells in truth.items():
        out = []
        for c in cells:
            k = c["page"] - 1
            out.append({"row": c["row"], "col": c["col"], "value": jsonable(c["value"]),
                        "text": c["text"], "page": c["page"],
                        "bbox": bbox_through(c["bbox"], fns[k], out_pages[k].shape)})
        tables[table] = {"cells": out}
    rec = {"document": stem, "layout": report["layout"], "source": files, "condition": cond,
           "dpi": dpi, "zero_style": zs, "injected": report["injected"], "title": report["title"],
           "pages": len(out_pages), "format": fmt,
           "skew_deg": round(float(opt.get("skew", 0.0)), 2), "header_repeated": repeat,
           "page_rotation": rotations, "table_pages": info,
           "page_size": [[int(a.shape[1]), int(a.shape[0])] for a in out_pages],
           "jpeg_quality": q if fmt in ("jpg", "pdf") else None,
           "tables": tables}
    if seal_info:
        rec["seal"] = seal_info
    with open(outdir / "truth" / f"{stem}.json", "w", encoding="utf-8") as f:
        json.dump(rec, f, ensure_ascii=False, indent=1)
    return {"document": stem, "condition": cond, "layout": layout, "format": fmt, "dpi": dpi,
            "injected": report["injected"], "files": files, "pages": len(out_pages),
            "table_pages": info}


README = """# Synthetic scanned annual reports — HARD set — ground truth

Made by `digitizer_tools/synth/hard.py` with

    .venv/bin/python -m digitizer_tools.synth --hard {outdir}

from the repository root. Deterministic: rerunning writes the same files. (The easy set is
`python -m digitizer_tools.synth OUTDIR` without `--hard`.)

{n} documents `hNN-<condition>-<layout>-<format>[-variant]`, both layouts, about a third with ONE
injected inconsistency (a result cell or a printed total +1..+3, recorded under `injected`).

| condition | what |
| --- | --- |
| `skew10` | skew between ±4° and ±10° (each page ±0.4° around the document's value); white scanner lid fills the corners |
| `rotated` | whole pages turned 90 / 180 / 270° (sideways / upside-down feed) plus ±1° skew; h06 mixes 0°, 270°, 180° over its pages. `page_rotation` gives, per page, the degrees the content was turned counter-clockwise (np.rot90) |
| `perspective` | phone photo: keystone warp (top corners pulled in by 3–8 % of the page width, the others moved by up to a few %), page on a dark table surface with a soft shadow, darker uneven light, slight blur and noise, colour JPEG q68; h08/h09 also have a page curl (smooth vertical displacement bending horizontal lines by 4–5 px) |
| `lowquality` | colour JPEG quality 32–42, blur sigma 1.05–1.25 px, strong noise, yellowed paper, strong uneven light (down to about half the brightness on one side) |
| `faintlines` | ruling lines light gray (150–190 of 255), dashed (h13), dotted (h14) or mixed (h15), broken by small gaps, some lines 1–3 px thicker; h15 has no outer border at all |
| `seal` | red official seal (公章, ⌀ 4.1 cm, ring, star, agency name on an arc, blotchy semi-transparent ink multiplied over the page) over value cells of table 三 (h16, near （七）总计/结转) or table 四 (h17), colour JPEG. `seal` in the truth: page, centre, diameter (px) |
| `bilevel` | 1-bit TIFF, CCITT G4, 200 dpi (h18) and 300 dpi (h19), with dust specks, small clusters, white dropouts and a strip of scanner dirt near the left edge |
| `dpi` | 100 dpi JPEG (h20, h21: digits ~10 px high) and 600 dpi gray JPEG q60 (h22, 4962×7014 px pages) |
| `split3` | table 三 flows over THREE pages; it starts at the bottom of page 1 under table 二 (heading, header rows and a row or two), continues on page 2 and ends on page 3; header rows repeated (h23) or not (h24, h25); row heights vary between documents (cell padding); any table would break the same way where a page ends. `table_pages` gives the pages of every table |
| `units` | layout 2019; counts over 1000 with thousands separators ("1,234"), full-width digits ("１２"), "−" signs, "件" after some counts of table 二, zeros printed as "—" "-" "/" "无" in some cells (the others blank or "0"), procurement amount with its unit ("1,792.0873 万元", "251000元", "75,394,432.52元"; value normalised to 万元) |

`truth/<stem>.json` has the schema of the easy set: document, layout, source (files), condition, dpi,
zero_style, injected, tables.{{active,applications,review_litigation}}.cells[] = {{row, col, value, text
(as printed), page (1-based), bbox [x0,y0,x1,y1] in the delivered page's pixels}}. The bbox is the
cell rectangle on the ruling lines carried through every geometric transformation (skew, rotation by
90/180/270, perspective, curl): the axis-aligned box of the transformed cell outline, clipped to the
page. Extra fields: format, pages, page_size ([w, h] per page), page_rotation, table_pages, skew_deg,
jpeg_quality, header_repeated, seal.

Documents:

{table}
"""


def build_hard(outdir) -> list[dict]:
    outdir = Path(outdir)
    (outdir / "truth").mkdir(parents=True, exist_ok=True)
    summary = []
    for n, (stem, cond, layout, fmt, dpi, inj, zs, opt) in enumerate(DOCS):
        t = time.time()
        d = build_doc(outdir, n, stem, cond, layout, fmt, dpi, inj, zs, opt)
        d["seconds"] = round(time.time() - t, 1)
        summary.append(d)
    rows = ["| stem | condition | layout | format | dpi | pages | injected |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for d in summary:
        inj = d["injected"]
        inj = "—" if not inj else f"{inj['table']}.{inj['row']}.{inj['col']} {inj['was']}→{inj['now']}"
        rows.append(f"| {d['document']} | {d['condition']} | {d['layout']} | {d['format']} | {d['dpi']} | "
                    f"{d['pages']} | {inj} |")
    with open(outdir / "truth" / "README.md", "w", encoding="utf-8") as f:
        f.write(README.format(outdir=outdir, n=len(summary), table="\n".join(rows)))
    return summary
