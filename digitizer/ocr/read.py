"""Stage 4: read the text of table cells with a recognition engine.

The grid already says where every cell is, so no full-page detection runs: each cell's ink is
found with a threshold, split into text lines by its row profile, and each line is recognised
as one crop. Crops are batched by width so shapes repeat. Every line is decoded twice from the
same model output: over the full alphabet (labels) and over digits, signs, separators and units
only (numbers), which keeps a lone "0" from reading as "o" or "。".
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

from ..types import BBox, CellReading
from .engines import REC_HEIGHT, RecognitionEngine

STRETCHED_INK = 60  # gray level the darkest ink of a line is stretched to
NUMERIC_ALPHABET = "0123456789.,-—/+万元件无"
ALTERNATIVE = 0.05  # least probability of a runner-up reading a re-reading offers
PRINT_CONTRAST = 60  # paper minus darkest ink: less than this is no print on a page of dark print
FAINTEST_PRINT = 30  # ... and on a page printed light, where the floor follows the page's print
RULE_REMNANT = 0.3  # of a cell's width: a flat piece along its top or bottom this long is a rule's


@dataclass
class LineCrop:
    cell: int
    image: np.ndarray  # grayscale crop of one text line, padded with paper


def stroke_length(page: np.ndarray) -> int:
    """Shortest stroke of print worth keeping on a page image: a character is about 1/50 of the
    paper's width (its short side, whichever way the page lies or is printed), its pieces at
    least a fifth of that; anything shorter alone is a speck."""
    return max(4, min(page.shape[:2]) // 220)


def _levels(crop: np.ndarray) -> tuple[np.ndarray, float, float]:
    """A crop blurred (single-pixel noise kept out), its paper and its darkest ink."""
    smooth = cv2.GaussianBlur(crop, (3, 3), 0)
    return smooth, float(np.percentile(smooth, 90)), float(smooth.min())


def contrast(crop: np.ndarray) -> float:
    """Paper minus the darkest ink of a crop."""
    _, paper, dark = _levels(crop)
    return paper - dark


def print_floor(contrasts: list[float]) -> float:
    """Least contrast of print on one page, from the contrasts of its cells.

    A page printed light (faint toner, a light scan) has thin digits barely PRINT_CONTRAST above
    its paper while its bold headers stand well above: there the floor is half the page's typical
    print. On a page of dark print it stays PRINT_CONTRAST, under which lie a seal's red ink that
    the red channel lightened, and scanner noise."""
    printed = [c for c in contrasts if c >= FAINTEST_PRINT]
    if not printed:
        return PRINT_CONTRAST
    return min(PRINT_CONTRAST, max(FAINTEST_PRINT, 0.5 * float(np.median(printed))))


def ink_mask(crop: np.ndarray, stroke: int, least_contrast: float = PRINT_CONTRAST) -> np.ndarray | None:
    """Mask of the print in a cell crop, or None for a blank cell.

    Remnants of ruling lines at the crop's edges are dropped, and so are specks (scanner noise,
    dust on 1-bit scans) unless they sit beside real strokes, as a decimal point does."""
    if crop.size == 0:
        return None
    smooth, paper, dark = _levels(crop)
    if paper - dark < least_contrast:
        return None
    mask = (smooth < (paper + dark) / 2).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height, width = mask.shape
    rule_pieces = _dashed_rule_pieces(stats, stroke) | _solid_rule_pieces(stats, stroke)
    big: list[int] = []
    small: list[int] = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        sides, ends = x == 0 or x + w == width, y == 0 or y + h == height
        # A piece of a ruling line runs along the side it touches: a "1" or the top bar of a "5"
        # that touches the top of a low cell at 100 dpi (the print fills it) is print.
        if (sides and w <= 3) or (ends and h <= 3 and (sides or w >= RULE_REMNANT * width)) or label in rule_pieces:
            continue
        (big if max(w, h) >= stroke else small).append(label)
    if not big:
        return None
    x0 = min(stats[i][0] for i in big)
    y0 = min(stats[i][1] for i in big)
    x1 = max(stats[i][0] + stats[i][2] for i in big)
    y1 = max(stats[i][1] + stats[i][3] for i in big)
    reach = y1 - y0
    keep = np.zeros(count, dtype=bool)
    keep[big] = True
    for label in small:
        cx, cy = stats[label][0] + stats[label][2] / 2, stats[label][1] + stats[label][3] / 2
        keep[label] = x0 - reach <= cx <= x1 + reach and y0 - 0.3 * reach <= cy <= y1 + 0.3 * reach
    return keep[labels].astype(np.uint8)


DASH_BAND = 0.2  # of a cell's side: how near it a dashed rule that the cell's box took in runs
DASHES = 3  # a row of at least this many flat pieces along a side is a dashed rule


RULE_ALONG = 0.9  # of a cell's side: a straight piece along this much of it near the side is a rule
RULE_FILL = 0.6  # of its box: a straight piece fills it, a curved stroke ("（") leaves paper
CHARACTER_HEIGHT = 5  # strokes (stroke_length): about one character's height
CHARACTER = CHARACTER_HEIGHT + 1  # strokes: longer than any character


def _solid_rule_pieces(stats: np.ndarray, stroke: int) -> set[int]:
    """Labels of pieces of a solid rule that the cell's box took in without touching its side: a
    rule drawn slanting past the grid's straight line (a page left a little skewed), or found a
    few pixels off the drawn one. One straight piece, no thicker than two strokes (a heavy
    border), near a side and along nearly all of it, and longer than any character: a "1" filling
    a low cell is no taller than a character, and a stroke of print runs along a cell's side only
    in part."""
    height, width = (int(stats[0][3]), int(stats[0][2])) if len(stats) else (0, 0)
    out: set[int] = set()
    for label in range(1, len(stats)):
        x, y, w, h, area = stats[label]
        for length, thick, start, along, across in ((h, w, x, height, width), (w, h, y, width, height)):
            off = min(start, across - (start + thick))
            if (length >= RULE_ALONG * along and length >= CHARACTER * stroke and thick <= 2 * stroke
                    and off <= max(4, DASH_BAND * across) and area >= RULE_FILL * w * h):
                out.add(label)
    return out


def _dashed_rule_pieces(stats: np.ndarray, stroke: int) -> set[int]:
    """Labels of the pieces of a dashed or dotted rule that the cell's box took in (its rule was
    found a few pixels off the drawn one): at least DASHES flat pieces of about one length in a
    row along one side, on one line, over RULE_REMNANT of it; and where two such rules meet in a
    corner of the box, their crossing. Print is no such row: a "—" is one piece, and the strokes
    of characters are of all lengths and do not line up."""
    height, width = (int(stats[0][3]), int(stats[0][2])) if len(stats) else (0, 0)
    flat = max(5, stroke // 2 + 1)
    # A dotted rule's dots, blurred, are as long as thick and nearly a stroke thick.
    thickest = max(flat + 1, stroke - 1)
    out: set[int] = set()
    for axis in (0, 1):  # pieces along the top or bottom, then along the left or right side
        along, across = (width, height) if axis == 0 else (height, width)
        band = max(4, DASH_BAND * across)
        for near_start in (True, False):
            row = []
            for label in range(1, len(stats)):
                x, y, w, h, _ = stats[label]
                pos, length, start, thick = (x, w, y, h) if axis == 0 else (y, h, x, w)
                off = start if near_start else across - (start + thick)
                if thick <= thickest and length <= 4 * flat and off <= band:
                    row.append((pos, length, start + thick / 2, label))
            if len(row) < DASHES:
                continue
            line = float(np.median([c for *_, c, _ in row]))
            usual = float(np.median([n for _, n, _, _ in row]))
            # The pieces cut by the box's ends may be any part of a dash; dots the blur ran
            # together (at 75 dpi) are a piece several dots long.
            on_line = [(p, n, label) for p, n, c, label in row
                       if abs(c - line) <= flat / 2 and (0.5 * usual <= n or p == 0 or p + n >= along)]
            if len(on_line) >= DASHES and max(p + n for p, n, _ in on_line) - min(p for p, _, _ in on_line) >= RULE_REMNANT * along:
                out.update(label for *_, label in on_line)
    if out:
        for label in range(1, len(stats)):
            x, y, w, h, _ = stats[label]
            corner = min(x, width - x - w) <= 1 and min(y, height - y - h) <= 1
            # ... with the last dots before it, run together.
            if corner and min(w, h) <= 2 * flat and max(w, h) <= 4 * flat:
                out.add(label)
    return out


GLYPH_GAP = 0.25  # of the taller part: most a glyph's own gap spans (a line's leading spans more),
# or a stroke's length (a coarse scan's "2" cut in two by a gap of a few pixels)


def join_split_glyphs(segments: list[tuple[int, int]], char_height: int) -> list[tuple[int, int]]:
    """Segments that together are no taller than one line of print are one line: a glyph whose
    parts lie apart (a 仿宋 "2" whose base stroke stands off its curve, a blurred 75-dpi "2"
    enlarged) is not two lines. Up to a fifth taller only where they lie closer than the leading
    between lines: a count wrapped in a narrow cell ("42" over a "2" whose faint diagonal splits
    it) is two lines, the first of them whole."""
    out: list[tuple[int, int]] = []
    for a, b in segments:
        if out:
            top, bottom = out[-1]
            taller = max(b - a, bottom - top)
            near = a - bottom <= max(char_height / 5, GLYPH_GAP * taller)
            if b - top <= char_height or (b - top <= 1.2 * char_height and near):
                out[-1] = (top, b)
                continue
        out.append((a, b))
    return out


def split_lines(mask: np.ndarray) -> list[tuple[int, int]]:
    """The text lines of a cell's ink mask, as (top, bottom) row ranges; a sliver (a stray
    stroke, a dot) goes with the nearer line."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return []
    segments = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        r = int(r)
        if r - prev > 2:
            segments.append((start, prev + 1))
            start = r
        prev = r
    segments.append((start, prev + 1))
    tallest = max(b - a for a, b in segments)

    def sliver(segment: tuple[int, int]) -> bool:
        return segment[1] - segment[0] < 0.3 * tallest and tallest > 8

    # Fold slivers (a stray stroke, a dot) into the nearest real line: the one the sliver lies
    # nearer to, the next where it is nearer (the top bar of a wrapped count's "5", apart from its
    # faint stem, is the line under it, not "12" above).
    merged: list[tuple[int, int]] = []
    carried: int | None = None  # the top of a sliver that goes with the line after it
    for i, (a, b) in enumerate(segments):
        if merged and sliver((a, b)):
            pa, pb = merged[-1]
            after = segments[i + 1] if i + 1 < len(segments) else None
            if after is not None and not sliver(after) and after[0] - b < a - pb:
                carried = a
            else:
                merged[-1] = (pa, b) if a - pb < tallest else (pa, pb)
        else:
            merged.append((a if carried is None else carried, b))
            carried = None
    return merged


INSET = 2  # pixels of a cell box left out at each side: its rules' edges


def _inside(gray: np.ndarray, bbox: BBox) -> np.ndarray:
    x0, y0, x1, y1 = bbox
    return gray[y0 + INSET : y1 - INSET, x0 + INSET : x1 - INSET]


def cell_lines(gray: np.ndarray, bbox: BBox, stroke: int | None = None,
               least_contrast: float = PRINT_CONTRAST) -> list[np.ndarray]:
    """Crops of the text lines inside one cell, top to bottom; [] for a blank cell.
    `stroke`: see stroke_length (default: `gray` taken to be the page);
    `least_contrast`: see print_floor."""
    crop = _inside(gray, bbox)
    stroke = stroke or stroke_length(gray)
    mask = ink_mask(crop, stroke, least_contrast)
    if mask is None:
        return []
    paper = int(np.percentile(crop, 90))
    # A line of print is at least a character high: a lone "—" or "." framed tight and scaled to
    # the recognizer's height would become a block that reads as "1".
    char_height = CHARACTER_HEIGHT * stroke
    lines = []
    for a, b in join_split_glyphs(split_lines(mask), char_height):
        cols = np.flatnonzero(mask[a:b].any(axis=0))
        if cols.size == 0:
            continue
        pad = max(3, int(round(0.25 * (b - a))))
        left, right = _faint_extent(crop[a:b], cols[0], cols[-1], paper)
        line = _stretch(crop[a:b, left : right + 1], paper)
        grow = max(0, (char_height - (b - a)) // 2)
        height = (b - a) + 2 * (pad + grow)
        # A lone narrow mark ("/", "1") needs paper on both sides to read as itself.
        side = max(pad, (2 * height - line.shape[1]) // 2)
        lines.append(cv2.copyMakeBorder(line, pad + grow, pad + grow, side, side, cv2.BORDER_CONSTANT, value=255))
    return lines


def _faint_extent(rows: np.ndarray, first: int, last: int, paper: int) -> tuple[int, int]:
    """The ink's first and last columns, carried on over columns that hold faint ink next to them:
    the faint strokes of a light face (the diagonal of a 楷体 "4") fall short of the ink
    threshold but belong to the glyph."""
    light = rows < paper - 0.2 * (paper - int(rows.min()))
    faint = np.asarray(light.any(axis=0))
    while first > 0 and faint[first - 1]:
        first -= 1
    first = _light_sign(light, first)
    while first > 0 and faint[first - 1]:
        first -= 1
    while last < len(faint) - 1 and faint[last + 1]:
        last += 1
    return first, last


def _light_sign(light: np.ndarray, first: int) -> int:
    """Where the print starts when a light minus stands a little before it ("−1" whose minus is
    fainter than its 1, left out of the ink): a short flat run of faint ink at mid-height within
    half a line's height of the digits, clear of the cell's side. Else `first`."""
    height = light.shape[0]
    start = max(0, first - height // 2)
    columns = np.flatnonzero(light[:, start:first].any(axis=0))
    if columns.size < max(2, height // 6) or start + columns[0] == 0:
        return first
    rows = np.flatnonzero(light[:, start + columns[0] : first].any(axis=1))
    flat = rows[-1] - rows[0] + 1 <= height / 3
    middle = height / 4 <= (rows[0] + rows[-1]) / 2 <= 3 * height / 4
    return start + int(columns[0]) if flat and middle else first


def _stretch(line: np.ndarray, paper: int) -> np.ndarray:
    """The line's paper to white and its darkest ink to a dark gray: thin strokes of a light face,
    blurred to gray by a scan (a 楷体 "4" whose diagonal fades), read as what they are. Not to
    black: blurred low-resolution print stretched that far runs into blobs ("总计" read "Rit")."""
    ink = float(np.percentile(line, 1))
    if paper - ink < 1:
        return line
    scaled = 255.0 - (paper - line.astype(np.float32)) * ((255.0 - STRETCHED_INK) / (paper - ink))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def normalise(line: np.ndarray, width: int) -> np.ndarray:
    """(3, 48, width) float32 in [-1, 1] as PaddleOCR's RecResizeImg makes it, padded with paper."""
    h, w = line.shape
    scaled_w = min(width, max(1, int(np.ceil(REC_HEIGHT * w / h))))
    resized = cv2.resize(line, (scaled_w, REC_HEIGHT), interpolation=cv2.INTER_AREA if h > REC_HEIGHT else cv2.INTER_CUBIC)
    canvas = np.full((REC_HEIGHT, width), 255, dtype=np.uint8)
    canvas[:, :scaled_w] = resized
    plane = canvas.astype(np.float32) / 127.5 - 1.0
    return np.repeat(plane[None], 3, axis=0)


# Batch widths: lines are grouped by the smallest of these that holds them, so few input shapes
# occur and they repeat from page to page (ONNX Runtime plans memory anew for each new shape:
# grouping this way read a page's cells 1.6x faster than chunks of width-sorted lines).
# Past 640 px a line costs far more than planning a new shape: steps of 160 px waste less.
WIDTH_STEPS = (64, 96, 128, 160, 192, 256, 320, 384, 480, 640)
WIDE_STEP = 160


def _bucket(width: int) -> int:
    for step in WIDTH_STEPS:
        if width <= step:
            return step
    return int(np.ceil(width / WIDE_STEP)) * WIDE_STEP


class Decoder:
    """CTC greedy decoding, over the full alphabet or a restricted one."""

    def __init__(self, characters: list[str], restricted: str):
        self.labels = [""] + list(characters) + [" "]
        index = {c: i for i, c in enumerate(self.labels)}
        self.allowed = np.array([0] + sorted({index[c] for c in restricted if c in index}))

    def _collapse(self, ids: np.ndarray, probs: np.ndarray) -> tuple[str, float]:
        keep = np.ones(len(ids), dtype=bool)
        keep[1:] = ids[1:] != ids[:-1]
        keep &= ids != 0
        text = "".join(self.labels[i] for i in ids[keep])
        confidence = float(probs[keep].mean()) if keep.any() else 0.0
        return text.strip(), confidence

    def full(self, probs: np.ndarray) -> tuple[str, float]:
        """Greedy CTC decoding over the whole alphabet: the text and its confidence."""
        ids = probs.argmax(axis=1)
        return self._collapse(ids, probs.max(axis=1))

    def restricted(self, probs: np.ndarray) -> tuple[str, float]:
        """Greedy CTC decoding over digits and number marks only: the text and its confidence."""
        sub = probs[:, self.allowed]
        sub = sub / np.maximum(sub.sum(axis=1, keepdims=True), 1e-9)
        best = sub.argmax(axis=1)
        return self._collapse(self.allowed[best], sub.max(axis=1))

    def restricted_alternatives(self, probs: np.ndarray, min_probability: float) -> list[tuple[str, float]]:
        """Readings that swap one timestep to its runner-up (a digit, or a blank for a spurious
        digit, or a digit where a blank won), each scored by the runner-up's probability."""
        sub = probs[:, self.allowed]
        sub = sub / np.maximum(sub.sum(axis=1, keepdims=True), 1e-9)
        ranked = np.argsort(-sub, axis=1)
        best = ranked[:, 0]
        out: dict[str, float] = {}
        for t in range(len(sub)):
            second = ranked[t, 1]
            p = float(sub[t, second])
            if p < min_probability:
                continue
            ids = best.copy()
            ids[t] = second
            text, _ = self._collapse(self.allowed[ids], sub[np.arange(len(sub)), ids])
            out[text] = max(out.get(text, 0.0), p)
        return sorted(out.items(), key=lambda kv: -kv[1])


@dataclass
class _LineResult:
    text: str
    confidence: float
    numeric_text: str
    numeric_confidence: float


def line_probabilities(lines: list[np.ndarray], engine: RecognitionEngine, batch_size: int) -> list[np.ndarray]:
    """Per line, the recognizer's (timesteps, classes) probabilities; batches bucketed by width,
    run `engine.concurrent_runs` at a time."""
    widths = [_bucket(int(np.ceil(REC_HEIGHT * line.shape[1] / line.shape[0]))) for line in lines]
    groups: dict[int, list[int]] = {}
    for index, width in enumerate(widths):
        groups.setdefault(width, []).append(index)
    runs = max(1, engine.concurrent_runs)
    chunks: list[tuple[int, list[int]]] = []
    for width, members in sorted(groups.items(), reverse=True):  # widest first: the runs end together
        size = min(batch_size, -(-len(members) // runs))  # a small group still gives every run work
        chunks += [(width, members[start : start + size]) for start in range(0, len(members), size)]

    def run(chunk: tuple[int, list[int]]) -> np.ndarray:
        width, members = chunk
        return engine.probabilities(np.stack([normalise(lines[i], width) for i in members]))

    out: list[np.ndarray | None] = [None] * len(lines)
    results = _pool(runs).map(run, chunks) if runs > 1 and len(chunks) > 1 else map(run, chunks)
    for (_, members), probs in zip(chunks, results):
        for i, p in zip(members, probs):
            out[i] = p
    return [p for p in out if p is not None]


@lru_cache(maxsize=2)
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="recognizer")


def recognise_lines(lines: list[np.ndarray], engine: RecognitionEngine, batch_size: int) -> list[_LineResult]:
    """Each text-line image recognised: its text over the whole alphabet and as a number."""
    decoder = _decoder(engine)
    results = []
    for p in line_probabilities(lines, engine, batch_size):
        text, conf = decoder.full(p)
        ntext, nconf = decoder.restricted(p)
        results.append(_LineResult(text, conf, ntext, nconf))
    return results


_DECODERS: dict[int, Decoder] = {}


def _decoder(engine: RecognitionEngine) -> Decoder:
    key = id(engine.characters)
    if key not in _DECODERS:
        _DECODERS[key] = Decoder(engine.characters, NUMERIC_ALPHABET)
    return _DECODERS[key]


ELONGATED = 4.5  # length over width of one straight stroke (a "/" is about ten to one; blurred
# at 150 dpi, five to one)
SPECK = 0.1  # share of a line's ink
SLASH_LEAN = (14, 60)  # degrees from the vertical: a slash leans this far


@dataclass(frozen=True)
class _Stroke:
    pieces: int  # connected pieces of ink
    pixels: int
    spread: tuple[float, float]  # variance of the ink across and along its principal axis
    lean: float  # degrees of that axis from the vertical


def _stroke(line: np.ndarray) -> _Stroke:
    """The shape of a line crop's ink, thresholded once."""
    _, ink = cv2.threshold(line, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    # A speck a JPEG's blocks break off a stroke (a tenth of its ink at most) is no piece of it.
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= SPECK * areas.sum()) + 1 if len(areas) else np.array([], dtype=int)
    ink = np.isin(labels, keep)
    count = len(keep) + 1
    ys, xs = np.nonzero(ink)
    if len(xs) < 10:
        return _Stroke(count - 1, len(xs), (0.0, 0.0), 0.0)
    values, vectors = np.linalg.eigh(np.cov(np.vstack([xs - xs.mean(), ys - ys.mean()])))
    vx, vy = vectors[:, -1]
    return _Stroke(count - 1, len(xs), (float(values[0]), float(values[1])),
                   float(np.degrees(np.arctan2(abs(vx), abs(vy)))))


def _one_straight_stroke(stroke: _Stroke) -> bool:
    """Whether a line's ink is one piece, long and thin along one axis: a slash or a bar, not a
    character of two strokes (a thin light "/" beside nothing else once read as "八")."""
    across, along = stroke.spread
    return stroke.pieces == 1 and stroke.pixels >= 10 and across > 0 and np.sqrt(along / across) >= ELONGATED


def _settle_lone_stroke(result: _LineResult, line: np.ndarray) -> _LineResult:
    """A cell holding one stroke read as "1" is "/" when the stroke leans like a slash: the
    recognizer cannot tell them apart without context, the stroke's geometry can. So is a cell
    whose ink is one straight leaning stroke, whatever was read."""
    lone = result.numeric_text == "1" and result.text in ("1", "/", "I", "l", "|")
    if not lone and result.text in ("/", "1"):
        return result
    stroke = _stroke(line)
    # Leaning, not lying: a bar ("—", read as 一) is a dash.
    if (lone or _one_straight_stroke(stroke)) and SLASH_LEAN[0] < stroke.lean < SLASH_LEAN[1]:
        return _LineResult("/", result.confidence, "/", result.numeric_confidence)
    return result


def read_cells(gray: np.ndarray, bboxes: list[BBox], engine: RecognitionEngine, batch_size: int = 32) -> list[CellReading]:
    """One CellReading per cell box of a page."""
    crops: list[LineCrop] = []
    floor = print_floor([contrast(crop) for crop in (_inside(gray, b) for b in bboxes) if crop.size])
    for index, bbox in enumerate(bboxes):
        crops.extend(LineCrop(index, line) for line in cell_lines(gray, bbox, least_contrast=floor))
    results = recognise_lines([c.image for c in crops], engine, batch_size) if crops else []
    results = [_settle_lone_stroke(r, c.image) for r, c in zip(results, crops)]
    per_cell: dict[int, list[_LineResult]] = {}
    for crop, result in zip(crops, results):
        per_cell.setdefault(crop.cell, []).append(result)
    readings = []
    for index in range(len(bboxes)):
        found = per_cell.get(index, [])
        if not found:
            readings.append(CellReading("", 1.0, "", 1.0, 0))
            continue
        text = "".join(r.text for r in found)
        confidence = min(r.confidence for r in found)
        if len(found) == 1:
            readings.append(CellReading(text, confidence, found[0].numeric_text, found[0].numeric_confidence, 1))
        else:
            # Digits-only decoding line by line: a wrapped unit ("1792.0873 万" over "元") whose
            # lone last character reads as anything ("π") still reads as itself there.
            numeric = "".join(r.numeric_text or "" for r in found)
            readings.append(CellReading(text, confidence, numeric or None, min(r.numeric_confidence for r in found),
                                        len(found)))
    return readings


def _variants(crop: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Other ways to look at one cell: bigger, binarised, inked heavier, framed tighter or looser."""
    _, otsu = cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return [
        ("upscaled x2", cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)),
        ("otsu binarised", otsu),
        ("strokes thickened", cv2.erode(crop, np.ones((2, 2), np.uint8))),
        ("sharpened", cv2.addWeighted(crop, 1.8, cv2.GaussianBlur(crop, (0, 0), 2), -0.8, 0)),
    ]


def reread_numeric(gray: np.ndarray, bbox: BBox, engine: RecognitionEngine) -> list[tuple[str, float, str]]:
    """Candidate readings of a numeric cell, read harder: (text, confidence, how), best first.

    Each variant of the crop is read over the numeric alphabet; its best reading counts with its
    confidence, its runner-up readings with the runner-up's probability."""
    x0, y0, x1, y1 = bbox
    crop = gray[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1]
    lines, names = [], []
    for name, image in _variants(crop):
        scale = image.shape[1] / crop.shape[1]
        stroke = int(stroke_length(gray) * scale)
        found = cell_lines(image, (0, 0, image.shape[1], image.shape[0]), stroke)
        if len(found) == 1:
            lines.append(found[0])
            names.append(name)
    decoder = _decoder(engine)
    candidates: dict[str, tuple[float, str]] = {}
    for name, probs in zip(names, line_probabilities(lines, engine, 8)):
        text, confidence = decoder.restricted(probs)
        offered = [(text, confidence)] + decoder.restricted_alternatives(probs, ALTERNATIVE)
        for candidate, score in offered:
            if score > candidates.get(candidate, (0.0, ""))[0]:
                candidates[candidate] = (score, name if candidate == text else f"{name}, runner-up")
    # One leaning stroke read "1" may be a "/" (0) blurred at 75 dpi: alike to the recognizer, and
    # too short and thick to lean as far as a slash is sure to. Offered as the least runner-up, for
    # the relations to settle (a misread 0 breaks its row's sum and its column's by one each); an
    # upright "1" is no such stroke.
    found = cell_lines(gray, bbox)
    shape = _stroke(found[0]) if len(found) == 1 else None
    if "1" in candidates and "/" not in candidates and shape and shape.pieces == 1 and shape.lean >= SLASH_LEAN[0] / 2:
        candidates["/"] = (ALTERNATIVE, "one leaning stroke, 1 or /")
    return sorted(((t, c, how) for t, (c, how) in candidates.items()), key=lambda x: -x[1])


class CellReader(Protocol):
    """The cell-reading step: the text of every cell box of a straightened page."""

    def read(self, gray: np.ndarray, boxes: list[BBox]) -> list[CellReading]:
        """One CellReading per box, in the order given."""
        ...


class GridCellReader:
    """The project's cell reader: each cell's text lines recognised by the engine (read_cells)."""

    def __init__(self, engine: RecognitionEngine, batch_size: int):
        self.engine, self.batch_size = engine, batch_size

    def read(self, gray: np.ndarray, boxes: list[BBox]) -> list[CellReading]:
        """One CellReading per box, its text lines recognised by the engine."""
        return read_cells(gray, boxes, self.engine, self.batch_size)
