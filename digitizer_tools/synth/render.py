"""Render clean A4 page images of a synthetic annual report, with per-cell ground truth.

render_report(report, dpi, repeat_header=True, split_after="r3_6") ->
    (pages: list of 2-D uint8 arrays, white background,
     truth: {table: [{"row","col","value","text","page","bbox":[x0,y0,x1,y1]}]})
The bbox is the cell rectangle on the ruling lines, in clean-page pixels; page is 1-based.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .content import canonical_cells, load_layout, table_blocks

FONT_FAMILY = "WenQuanYi Micro Hei"  # Debian's fonts-wqy-microhei: the samples are drawn in it
A4_IN = (8.27, 11.69)
TOPLEFT_TEXT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@cache
def font_file(family: str = FONT_FAMILY) -> str:
    """The file of a font family, as fontconfig finds it on this machine (no one machine's path)."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", family],
                               capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        found = ""
    path, _, families = found.partition("\n")
    # fc-match answers with its nearest font when the family is missing: only the family itself will do
    if not path or family.lower() not in families.lower():
        raise FileNotFoundError(f"font {family!r} not found by fontconfig: install its Debian package "
                                "(make system-deps installs the fonts the samples use)")
    return path


def load_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(), px, index=0)


@dataclass
class Cell:
    r: int
    c: int
    rs: int = 1
    cs: int = 1
    text: str = ""
    align: str = "c"            # "c" centred, "l" left
    key: tuple | None = None    # (table, row, col) for canonical value cells


@dataclass
class Grid:
    colw: list[int]
    nrows: int
    cells: list[Cell] = field(default_factory=list)
    rowh: list[int] = field(default_factory=list)

    def add(self, *a, **k):
        self.cells.append(Cell(*a, **k))


class Doc:
    """Pages and a text cursor; all geometry in pixels at the given dpi."""

    def __init__(self, dpi: int):
        self.dpi = dpi
        self.W, self.H = int(round(A4_IN[0] * dpi)), int(round(A4_IN[1] * dpi))
        self.fs = int(round(10.5 / 72 * dpi))
        self.font = load_font(self.fs)
        self.hfont = load_font(int(round(11.5 / 72 * dpi)))
        self.tfont = load_font(int(round(16 / 72 * dpi)))
        self.left = int(round(2.6 / 2.54 * dpi))
        self.right = self.W - self.left
        self.top = int(round(2.5 / 2.54 * dpi))
        self.bottom = self.H - int(round(2.3 / 2.54 * dpi))
        self.tw = self.right - self.left
        self.line = max(1, int(1.3 * dpi / 150 + 0.5))     # inner ruling: 1 px at 150 dpi, 2 at 200, 3 at 300
        self.border = max(2, int(round(2 * dpi / 150)))    # outer border
        self.padx = int(round(0.25 * self.fs))
        self.pady = int(round(0.25 * self.fs))
        self.lh = int(round(1.3 * self.fs))                # line height inside cells
        self.pages: list[Image.Image] = []
        self.new_page()

    # ---- page / text flow ----
    def new_page(self):
        self.img = Image.new("L", (self.W, self.H), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.pages.append(self.img)
        self.y = self.top

    @property
    def page_no(self) -> int:
        return len(self.pages)

    def wrap(self, text: str, width: int, font=None, indent: int = 0) -> list[str]:
        font = font or self.font
        lines, cur = [], ""
        avail = width - indent
        for ch in text:
            if ch == "\n":
                lines.append(cur); cur = ""; avail = width; continue
            if cur and font.getlength(cur + ch) > avail:
                # keep closing punctuation with the previous line
                if ch in "，。、；：）”』》":
                    lines.append(cur[:-1]); cur = cur[-1] + ch
                else:
                    lines.append(cur); cur = ch
                avail = width
            else:
                cur += ch
        if cur:
            lines.append(cur)
        return lines or [""]

    def title(self, text: str):
        lh = int(self.tfont.size * 1.5)
        for ln in self.wrap(text, self.tw, self.tfont):
            self.draw.text((self.W // 2, self.y + lh // 2), ln, font=self.tfont, fill=0, anchor="mm")
            self.y += lh
        self.y += lh // 2

    def ensure(self, h: int):
        """Start a new page unless h more pixels fit on this one."""
        if self.y + h > self.bottom:
            self.new_page()

    def heading(self, text: str, keep: int = 0):
        lh = int(self.hfont.size * 1.8)
        self.ensure(lh + keep)
        self.draw.text((self.left + 2 * self.fs, self.y + lh // 2), text, font=self.hfont, fill=0, anchor="lm")
        self.y += lh

    def paragraph(self, text: str):
        lh = int(self.fs * 1.7)
        ind = 2 * self.fs
        for i, ln in enumerate(self.wrap(text, self.tw, indent=ind)):
            if self.y + lh > self.bottom:
                self.new_page()
            x = self.left + (ind if i == 0 else 0)
            self.draw.text((x, self.y + lh // 2), ln, font=self.font, fill=0, anchor="lm")
            self.y += lh
        self.y += lh // 3

    # ---- tables ----
    def rule(self, x0: int, y0: int, x1: int, y1: int, outer: bool = False):
        """Draw one ruling-line rectangle (hook: synth/hard.py draws faint / dashed / broken lines)."""
        self.draw.rectangle([x0, y0, x1, y1], fill=0)

    def layout_grid(self, g: Grid):
        minh = self.lh + 2 * self.pady
        rowh = [minh] * g.nrows
        cw = g.colw
        for cell in sorted(g.cells, key=lambda c: c.rs):
            w = sum(cw[cell.c:cell.c + cell.cs]) - 2 * self.padx
            n = len(self.wrap(cell.text, w))
            need = n * self.lh + 2 * self.pady + (2 * self.pady if cell.rs > 1 else 0)
            cur = sum(rowh[cell.r:cell.r + cell.rs])
            if need > cur:
                extra = need - cur
                for i in range(cell.rs):
                    rowh[cell.r + i] += extra // cell.rs + (1 if i < extra % cell.rs else 0)
        g.rowh = rowh

    def draw_grid(self, g: Grid, segments: list[tuple[int, int]], truth: dict, frag_lines: dict):
        """Draw row segments [(a, b), ...] stacked at the cursor; record truth of key cells."""
        x0 = self.left
        colx = [x0]
        for w in g.colw:
            colx.append(colx[-1] + w)
        # y position of every drawn row
        ys, y = {}, self.y
        for a, b in segments:
            for r in range(a, b):
                ys[r] = y
                y += g.rowh[r]
        y_end = y
        if y_end > self.H - self.fs:
            raise RuntimeError("table runs off the page")
        d = self.draw
        t = self.line
        for cell in g.cells:
            rows = [r for r in range(cell.r, cell.r + cell.rs) if r in ys]
            if not rows:
                continue
            # contiguous run of drawn rows
            r0, r1 = rows[0], rows[-1]
            cx0, cx1 = colx[cell.c], colx[cell.c + cell.cs]
            cy0 = ys[r0]
            cy1 = ys[r1] + g.rowh[r1]
            for (ax0, ay0, ax1, ay1) in [(cx0, cy0, cx0 + t - 1, cy1), (cx1 - t + 1, cy0, cx1, cy1),
                                         (cx0, cy0, cx1, cy0 + t - 1), (cx0, cy1 - t + 1, cx1, cy1)]:
                self.rule(ax0, ay0, ax1, ay1, outer=False)
            inner_w = cx1 - cx0 - 2 * self.padx
            lines = self.wrap(cell.text, inner_w)
            if len(rows) < cell.rs or id(cell) in frag_lines:
                # cell split over pages: share its lines between the fragments
                lines = frag_lines.get(id(cell), {}).get(r0, lines)
            n = len(lines)
            ty = (cy0 + cy1) / 2 - n * self.lh / 2
            for i, ln in enumerate(lines):
                yy = int(ty + (i + 0.5) * self.lh)
                if cell.align == "l" and n and (len(ln) > 0):
                    d.text((cx0 + self.padx + t, yy), ln, font=self.font, fill=0, anchor="lm")
                else:
                    d.text(((cx0 + cx1) // 2, yy), ln, font=self.font, fill=0, anchor="mm")
            if cell.key is not None:
                table, row, col = cell.key
                truth.setdefault(table, {})[(row, col)] = (self.page_no, [int(cx0), int(cy0), int(cx1), int(cy1)])
        # thicker outer border
        b = self.border
        for (ax0, ay0, ax1, ay1) in [(colx[0], self.y, colx[0] + b - 1, y_end), (colx[-1] - b + 1, self.y, colx[-1], y_end),
                                     (colx[0], self.y, colx[-1], self.y + b - 1), (colx[0], y_end - b + 1, colx[-1], y_end)]:
            self.rule(ax0, ay0, ax1, ay1, outer=True)
        self.y = y_end + self.fs


def split_lines(doc: Doc, g: Grid, split: int) -> dict:
    """For cells crossing row `split`, decide which wrapped lines go to each fragment."""
    out = {}
    for cell in g.cells:
        if not (cell.r < split < cell.r + cell.rs):
            continue
        w = sum(g.colw[cell.c:cell.c + cell.cs]) - 2 * doc.padx
        lines = doc.wrap(cell.text, w)
        h1 = sum(g.rowh[cell.r:split])
        h2 = sum(g.rowh[split:cell.r + cell.rs])
        cap1 = max(0, (h1 - 2 * doc.pady) // doc.lh)
        cap2 = max(0, (h2 - 2 * doc.pady) // doc.lh)
        n1 = min(cap1, int(round(len(lines) * h1 / (h1 + h2))))
        n1 = max(n1, len(lines) - cap2, 0)
        out[id(cell)] = {cell.r: lines[:n1], split: lines[n1:]}
    return out


# ---------------------------------------------------------------- table builders

def grid_active(doc: Doc, report: dict) -> Grid:
    layout = report["layout"]
    blocks = table_blocks(layout, "active")
    texts = report["texts"]["active"]
    lw = int(doc.tw * 0.34)
    vw = (doc.tw - lw) // 3
    g = Grid([lw, vw, vw, doc.tw - lw - 2 * vw], 0)
    r = 0
    for b in blocks:
        g.add(r, 0, 1, 4, b["caption"]); r += 1
        cols = b["cols"]
        rows = [("信息内容", None)] + [(row["label"], row["key"]) for row in b["rows"]]
        for label, rkey in rows:
            g.add(r, 0, 1, 1, label)
            for j in range(3):
                if j < len(cols):
                    cs = 1
                    if layout == "2021" and j == len(cols) - 1:
                        cs = 3 - j      # merge the spare cells into the last value cell
                    if rkey is None:
                        g.add(r, 1 + j, 1, cs, cols[j]["label"])
                    else:
                        k = (rkey, cols[j]["key"])
                        g.add(r, 1 + j, 1, cs, texts[k], key=("active",) + k)
                    if cs > 1:
                        break
                else:
                    g.add(r, 1 + j, 1, 1, "")
            r += 1
    g.nrows = r
    return g


def grid_applications(doc: Doc, report: dict) -> tuple[Grid, dict]:
    layout = report["layout"]
    block = table_blocks(layout, "applications")[0]
    texts = report["texts"]["applications"]
    fs = doc.fs
    c0, c1, c2 = int(2.2 * fs), int(4.6 * fs), int(9.4 * fs)
    rest = doc.tw - c0 - c1 - c2
    vw = rest // 7
    colw = [c0, c1, c2] + [vw] * 6 + [rest - 6 * vw]
    g = Grid(colw, 3 + len(block["rows"]))
    cols = block["cols"]
    g.add(0, 0, 3, 3, TOPLEFT_TEXT)
    g.add(0, 3, 1, 7, "申请人情况")
    g.add(1, 3, 2, 1, cols[0]["label"])
    g.add(1, 4, 1, 5, cols[1]["parent"])
    g.add(1, 9, 2, 1, cols[6]["label"])
    for j in range(1, 6):
        g.add(2, 3 + j, 1, 1, cols[j]["label"])
    rows = block["rows"]
    row_index = {}
    res_top = "三、本年度办理结果"
    first_res = last_res = None
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        r = 3 + i
        row_index[row["key"]] = r
        parent = row.get("parent")
        if parent is None:
            g.add(r, 0, 1, 3, row["label"], align="l")
        elif parent == res_top:
            g.add(r, 1, 1, 2, row["label"], align="l")
        else:
            g.add(r, 2, 1, 1, row["label"], align="l")
            groups.setdefault(parent, []).append(r)
        if parent is not None:
            first_res = r if first_res is None else first_res
            last_res = r
        for j, col in enumerate(cols):
            k = (row["key"], col["key"])
            g.add(r, 3 + j, 1, 1, texts[k], key=("applications",) + k)
    assert first_res is not None and last_res is not None  # every layout has result rows
    g.add(first_res, 0, last_res - first_res + 1, 1, res_top)
    for label, rs in groups.items():
        g.add(rs[0], 1, len(rs), 1, label)
    return g, row_index


def grid_review(doc: Doc, report: dict) -> Grid:
    layout = report["layout"]
    block = table_blocks(layout, "review_litigation")[0]
    texts = report["texts"]["review_litigation"]
    n = 15
    w = doc.tw // n
    colw = [w] * (n - 1) + [doc.tw - w * (n - 1)]
    g = Grid(colw, 4)
    rows, cols = block["rows"], block["cols"]
    g.add(0, 0, 1, 5, rows[0]["label"])
    g.add(0, 5, 1, 10, rows[1]["parent"])
    for j, col in enumerate(cols):
        g.add(1, j, 2, 1, col["label"])
    for b, row in enumerate(rows[1:]):
        g.add(1, 5 + 5 * b, 1, 5, row["label"])
        for j, col in enumerate(cols):
            g.add(2, 5 + 5 * b + j, 1, 1, col["label"])
    for b, row in enumerate(rows):
        for j, col in enumerate(cols):
            k = (row["key"], col["key"])
            g.add(3, 5 * b + j, 1, 1, texts[k], key=("review_litigation",) + k)
    return g


# ---------------------------------------------------------------- the report

def truth_cells(report: dict, pos: dict, layout: str) -> dict:
    """Ground truth per table: every canonical cell with its value, printed text, page and bbox."""
    truth = {}
    for table in ("active", "applications", "review_litigation"):
        cells = []
        for (row, col) in canonical_cells(layout, table):
            page, bbox = pos[table][(row, col)]
            cells.append({"row": row, "col": col,
                          "value": report["values"][table][(row, col)],
                          "text": report["texts"][table][(row, col)],
                          "page": page, "bbox": bbox})
        truth[table] = cells
    return truth


def render_report(report: dict, dpi: int = 150, repeat_header: bool = True,
                  split_after: str = "r3_6") -> tuple[list[np.ndarray], dict]:
    layout = report["layout"]
    lay = load_layout(layout)
    doc = Doc(dpi)
    pos: dict = {}
    # page 1
    doc.title(report["title"])
    doc.heading("一、总体情况")
    for para in report["prose1"].split("\n"):
        doc.paragraph(para)
    doc.heading(lay["tables"]["active"]["title"])
    ga = grid_active(doc, report)
    doc.layout_grid(ga)
    doc.draw_grid(ga, [(0, ga.nrows)], pos, {})
    # page 2: table 三, first part
    doc.new_page()
    doc.heading(lay["tables"]["applications"]["title"])
    gp, row_index = grid_applications(doc, report)
    doc.layout_grid(gp)
    split = row_index[split_after] + 1
    frag = split_lines(doc, gp, split)
    doc.draw_grid(gp, [(0, split)], pos, frag)
    # page 3: continuation, table 四, section 五
    doc.new_page()
    segs = [(0, 3), (split, gp.nrows)] if repeat_header else [(split, gp.nrows)]
    doc.draw_grid(gp, segs, pos, frag)
    doc.y += doc.fs // 2
    gr = grid_review(doc, report)
    doc.layout_grid(gr)
    doc.heading(lay["tables"]["review_litigation"]["title"], keep=sum(gr.rowh))
    doc.draw_grid(gr, [(0, gr.nrows)], pos, {})
    doc.y += doc.fs // 2
    doc.heading("五、存在的主要问题及改进情况", keep=2 * doc.fs)
    for para in report["prose5"].split("\n"):
        doc.paragraph(para)

    truth = truth_cells(report, pos, layout)
    pages = [np.asarray(p, dtype=np.uint8).copy() for p in doc.pages]
    return pages, truth
