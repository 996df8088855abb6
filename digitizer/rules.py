"""Ruling lines of a straightened page: solid rules, and rules printed as dashes, dots or faint gray.

Solid rules come out of an opening with a long kernel. A dashed or dotted rule does not survive
that opening, and closing the gaps first would also join the strokes of print into false rules
(prose pages, headings). So dashes are found as what they are: small flat pieces lying in a
straight row at a regular pitch, which the strokes of characters do not do.

The dash search is written for horizontal rules; vertical ones are found on the transposed page.
"""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd

DASH_WIDTH = 1300  # pixels: an A4 page at about 150 dpi
DASH_PAIRS = 40  # fewer dash-like pairs than this on a page: no dashed rules to look for
FAINT_CONTRAST = 8  # local-mean threshold for dashes: light-gray ones must still count as ink
CORNER = 1.6  # a piece up to this many rule thicknesses square may be where two dashed rules meet
ON_LINE = 1.5  # pixels: how far off a rule's line a piece that continues it may be centred
BRIDGE = 12  # steps (1/100 of the page width): the longest gap in a rule that may be bridged
BRIDGE_CONTRAST = 2  # gray levels the gap's line must be darker than the paper beside it
PRINT = 40  # gray levels below the paper: a stroke of print, not a faint rule
BESIDE = 4  # pixels: the band either side of such a piece that must be paper
TYPICAL = 0.75  # share of a long row's pieces that must be of its usual dash length
CURVED_FILL = 0.5  # share of its box a long piece of a rule fills at least


def binarize(gray: np.ndarray, contrast: int = 15) -> np.ndarray:
    """Ink as 255 on 0, robust to uneven light (local mean threshold)."""
    block = max(15, (min(gray.shape) // 50) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, contrast)


def _kernel(width: int, height: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_RECT, (width, height))


def _sizes(width: int) -> tuple[int, int, int, int]:
    """Scales of a page `width` pixels wide: the shortest horizontal and vertical rule (longer than
    any stroke of a character, about 1/50 of the width, shorter than the smallest cell), the
    thickest a rule may be, and the step: the longest gap within a rule."""
    return max(20, width // 35), max(15, width // 50), max(4, width // 160), max(5, width // 100)


def solid_rows(binary: np.ndarray, length: int) -> np.ndarray:
    """Horizontal runs of ink at least `length` long."""
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, _kernel(length, 1))


def solid_columns(binary: np.ndarray, length: int) -> np.ndarray:
    """Vertical runs of ink at least `length` long."""
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, _kernel(1, length))


class _Pieces:
    """The connected components of a binary page that could be a dash of a horizontal rule."""

    def __init__(self, binary: np.ndarray, thin: int):
        _, self.labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
        self.x, self.y, self.w, self.h = (stats[:, i] for i in range(4))
        self.cx, self.cy = np.round(centroids).astype(np.int32).T
        self.centre = self.y + self.h / 2
        # A long piece fills its box as a straight stroke does: a curved one (a tall "（" of a
        # label at 300 dpi) leaves half of it paper.
        curved = (self.w > 2 * thin) & (stats[:, 4] < CURVED_FILL * self.w * self.h)
        flat = (self.h <= thin) & (self.w >= self.h) & ~curved
        # Where a dashed rule meets another, the corner piece is a small L, T or +.
        small = (self.w <= CORNER * thin) & (self.h <= CORNER * thin)
        self.candidate = flat | small
        self.candidate[0] = False
        self.ink = cv2.integral(binary // 255)

    def ink_beside(self, band: int) -> np.ndarray:
        """Ink pixels in the bands of `band` rows just above and just below each piece (the
        crossing rules are cut out: a dash has paper on both sides, a stroke of print seldom)."""
        height = self.ink.shape[0] - 1
        x0, x1 = self.x, self.x + self.w

        def total(top, bottom):
            top, bottom = np.clip(top, 0, height), np.clip(bottom, 0, height)
            return self.ink[bottom, x1] - self.ink[top, x1] - self.ink[bottom, x0] + self.ink[top, x0]

        return total(self.y - band, self.y) + total(self.y + self.h, self.y + self.h + band)

    def link(self, chosen: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Join the chosen pieces lying within `step` of each other along the row into chains:
        the chain of every pixel, each chain's stats, and the chain of every piece."""
        mask = chosen[self.labels].astype(np.uint8) * 255
        joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _kernel(step, 1))
        _, chain_of, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        # A dash's centre lies on it (a corner piece's may not: that piece is then left out).
        chain_of_piece = np.where(chosen, chain_of[self.cy, self.cx], 0).astype(np.int32)
        return chain_of, stats, chain_of_piece


def _per_chain(owner: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    return np.bincount(owner, values.astype(np.float64), minlength=count)


def dashed_rows(binary: np.ndarray, length: int, thin: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal rules drawn as dashes or dots: all of them, and those whose ends may reach out to
    their crossing rules (made of dashes, not of runs as long as a rule).

    A chain of pieces, each within `step` of the next, is a rule when it is at least `length` long,
    straight, made of three or more pieces of about one length, and has gaps (the strokes of a
    character are few, of unequal length and overlap). Pieces off a chain's line (print beside a
    rule) are dropped before it is judged. Then each rule's line is followed where its dashes are
    too few to be judged alone (a short cell between two crossings): pieces of the rule's own dash
    size, centred on its line, join it.
    """
    pieces = _Pieces(binary, thin)
    _, _, chain_of_piece = pieces.link(pieces.candidate, step)
    members = np.flatnonzero(pieces.candidate)
    line = pd.Series(pieces.centre[members]).groupby(chain_of_piece[members]).transform("median").to_numpy()
    on_line = pieces.candidate.copy()
    on_line[members[np.abs(pieces.centre[members] - line) > thin / 2 + 1]] = False

    chain_of, stats, chain_of_piece = pieces.link(on_line, step)
    count = len(stats)
    members = np.flatnonzero(on_line)
    owner = chain_of_piece[members]
    size = pieces.w[members]
    n = np.bincount(owner, minlength=count)
    total = _per_chain(owner, size, count)
    # Regularity is judged on the dashes: a piece as long as a rule is a rule already.
    short = size < length
    n_short = _per_chain(owner, short, count)
    mean = _per_chain(owner, size * short, count) / np.maximum(n_short, 1)
    squares = _per_chain(owner, size.astype(np.float64) ** 2 * short, count) / np.maximum(n_short, 1)
    spread = np.sqrt(np.maximum(squares - mean**2, 0)) / np.maximum(mean, 1)
    # A long row of dots may hold a few odd pieces (a corner, a stroke of print touching it): most
    # of its pieces are then of one length all the same.
    typical_size = pd.Series(np.where(short, size, np.nan)).groupby(owner).transform("median").to_numpy()
    typical = short & (np.abs(size - typical_size) <= np.maximum(1.0, 0.3 * typical_size))
    n_typical = _per_chain(owner, typical, count)
    extent, across = stats[:, 2], stats[:, 3]
    regular = (n >= 3) & (
        ((n_short >= 2) & (spread <= 0.25))
        | ((n_short >= 6) & (spread <= 0.45))
        | ((n_typical >= 8) & (n_typical >= TYPICAL * n_short))
    )
    solid = n_short < n  # holds a piece as long as a rule: dots run together, say
    rule = (regular | solid) & (extent >= length) & (total <= 0.9 * extent) & (across <= 1.5 * thin + extent // 150)
    rule[0] = False
    dashes = (rule & ~solid)[chain_of].astype(np.uint8) * 255
    if rule.any():
        dashes |= _follow(pieces, rule, owner, members, short, step)
    # Of a chain with a long piece, only its long pieces: closing its gaps might join print to it.
    long_pieces = np.zeros_like(pieces.candidate)
    long_pieces[members[~short & (rule & solid)[owner]]] = True
    return dashes | long_pieces[pieces.labels].astype(np.uint8) * 255, dashes


def _follow(pieces: _Pieces, rule: np.ndarray, owner: np.ndarray, members: np.ndarray, short: np.ndarray,
            step: int) -> np.ndarray:
    """Pieces about as long as a rule's dashes (not specks), no thicker, alone across the line and
    centred on it, in chains of two or more (print is seldom centred on a rule's line within a pixel
    or two, and has other print beside it)."""
    dashes = pd.DataFrame({
        "chain": owner, "centre": pieces.centre[members], "w": pieces.w[members], "h": pieces.h[members],
        "dash": np.where(short, pieces.w[members], np.nan),
    })[rule[owner]]
    lines = dashes.groupby("chain").median()
    follow = np.zeros_like(pieces.candidate)
    alone = pieces.ink_beside(BESIDE) <= pieces.w // 4
    candidates = np.flatnonzero(pieces.candidate & alone)
    for centre, w, h, dash in lines[["centre", "w", "h", "dash"]].itertuples(index=False):
        if np.isnan(dash):
            continue  # a solid rule: whatever lies on its line past its end is not its dashes
        shortest = max(3.0, 0.5 * dash)
        match = (
            (np.abs(pieces.centre[candidates] - centre) <= ON_LINE)
            & (pieces.w[candidates] >= shortest)
            & (pieces.w[candidates] <= max(2 * w, step))
            & (pieces.h[candidates] <= h + 2)
        )
        follow[candidates[match]] = True
    chain_of, stats, chain_of_piece = pieces.link(follow, step)
    n = np.bincount(chain_of_piece[np.flatnonzero(follow)], minlength=len(stats))
    keep = n >= 2
    keep[0] = False
    return keep[chain_of].astype(np.uint8) * 255


def _distance_along_rows(mask: np.ndarray, reverse: bool) -> np.ndarray:
    """For every pixel, how far the nearest mask pixel at or before it (after it, if `reverse`) lies
    along its row; a large number where there is none."""
    width = mask.shape[1]
    positions = np.arange(width, dtype=np.int32)
    if reverse:
        last = np.where(mask[:, ::-1] > 0, positions, -width * 4)
        return (positions - np.maximum.accumulate(last, axis=1))[:, ::-1]
    last = np.where(mask > 0, positions, -width * 4)
    return positions - np.maximum.accumulate(last, axis=1)


def _reach(rules: np.ndarray, crossing: np.ndarray, step: int, horizontal: bool) -> np.ndarray:
    """Fill a gap of up to `step` between a rule's end and the crossing rule it runs into (the
    corner piece where two dashed rules meet is in neither chain). Only whole gaps are filled,
    never past the crossing rule, so no stubs stick out of a table."""
    # The crossing rule has its own gap at the corner: lengthen it first.
    crossing = cv2.dilate(crossing, _kernel(1, 2 * step + 1) if horizontal else _kernel(2 * step + 1, 1))
    lines = np.flatnonzero(rules.any(axis=1 if horizontal else 0))
    if horizontal:
        ends, crossings = rules[lines], crossing[lines]
    else:  # the columns that hold a rule, as rows
        ends, crossings = rules[:, lines].T, crossing[:, lines].T
    forward = _distance_along_rows(ends, False) + _distance_along_rows(crossings, True)
    backward = _distance_along_rows(ends, True) + _distance_along_rows(crossings, False)
    gap = ((forward <= step) | (backward <= step)).astype(np.uint8) * 255
    out = rules.copy()
    if horizontal:
        out[lines] |= gap
    else:
        out[:, lines] |= gap.T
    return out


def _dash_pairs(binary: np.ndarray, thin: int, step: int) -> int:
    """How many dash-sized pieces have a like piece on their own line within a step: hundreds on a
    page ruled in dashes or dots, a handful on a page of print and solid rules. A quick look that
    spares most pages the dash search."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    pairs = 0
    for along, across in ((0, 1), (1, 0)):
        start, length = stats[1:, along], stats[1:, along + 2]
        top, thickness = stats[1:, across], stats[1:, across + 2]
        dash = (thickness <= thin) & (length >= 2) & (length <= 3 * thin)
        line, start, length = np.round(top[dash] + thickness[dash] / 2), start[dash], length[dash]
        order = np.lexsort((start, line))
        line, start, length = line[order], start[order], length[order]
        gap = start[1:] - (start[:-1] + length[:-1])
        alike = np.abs(length[1:] - length[:-1]) <= np.maximum(2, 0.3 * length[:-1])
        pairs += int(np.count_nonzero((line[1:] == line[:-1]) & (gap > 0) & (gap <= step) & alike))
    return pairs


def _dashed(gray: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """Dashed and dotted rules of a page (horizontal, their reaching part, vertical, its reaching
    part; see dashed_rows), given its solid rules. Searched at no more than DASH_WIDTH pixels across
    (rules are as clear there, and the search costs a fraction on fine scans), and only on pages
    with enough dash-like pairs to hold a dashed rule (None for a page without)."""
    height, width = gray.shape
    scale = min(1.0, DASH_WIDTH / width)
    if scale < 1:
        gray = cv2.resize(gray, (DASH_WIDTH, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    h_len, v_len, thin, step = _sizes(gray.shape[1])
    # On a more sensitive threshold, so that light-gray dashes count.
    faint = binarize(gray, FAINT_CONTRAST)
    if _dash_pairs(faint, thin, step) < DASH_PAIRS:
        return None
    if scale < 1:
        binary = binarize(gray)
        rows, columns = solid_rows(binary, h_len), solid_columns(binary, v_len)
    # Dashes are looked for with the solid crossing rules cut out, so that a dashed rule touching
    # one is not one large piece.
    dashed_h, reaching_h = dashed_rows(faint & ~columns, h_len, thin, step)
    # ... and the dashes of the row rules just found: a dash of a header's top rule, under it a dot
    # of a character (the 丷 of 总) and another of the header's bottom rule made a dashed column
    # rule one row high through the word. (Whole dashes only: a corner piece, where a column
    # rule's dash meets a row rule's, is the column rule's too.)
    dashed_v, reaching_v = (
        np.ascontiguousarray(m.T)
        for m in dashed_rows(np.ascontiguousarray(_without_pieces_of(faint & ~rows, dashed_h).T), v_len, thin, step)
    )
    found = (dashed_h, _apart(reaching_h, rows), dashed_v, _apart(reaching_v, columns))
    if scale < 1:
        found = tuple(cv2.resize(m, (width, height), interpolation=cv2.INTER_NEAREST) for m in found)
    return found


ROW_DASH = 0.8  # share of a piece that lies on a found row rule: a dash of that rule


def _without_pieces_of(binary: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The binary page less its pieces of ink that lie (almost) wholly on `rules`."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    on_rules = np.bincount(labels[rules > 0], minlength=count)
    of_rules = on_rules >= ROW_DASH * stats[:, cv2.CC_STAT_AREA]
    of_rules[0] = False
    return np.where(of_rules[labels], 0, binary).astype(binary.dtype)


def _end_rows(labels: np.ndarray, label: int, x0: int, x1: int, y0: int, y1: int) -> tuple[int, int]:
    """First and last row (across the line) holding pixels of component `label` in columns x0:x1."""
    held = np.flatnonzero((labels[y0:y1, x0:x1] == label).any(axis=1))
    return y0 + int(held[0]), y0 + int(held[-1]) + 1


def _faint_line(view: np.ndarray, across_rules: np.ndarray, y0: int, y1: int, x0: int, x1: int, chunk: int) -> bool:
    """Whether rows y0:y1 of columns x0:x1 are a little darker than the paper above and below,
    all along (taken in pieces of `chunk`), away from the rules crossing them (dots of their own
    would count), with paper on both sides (print crossing the line has ink beside it)."""
    if y0 - 6 < 0 or y1 + 6 > view.shape[0] or x1 <= x0:
        return False
    free = ~across_rules[y0 - 6 : y1 + 6, x0:x1].any(axis=0)
    if np.count_nonzero(free) < BESIDE:
        return False
    band = view[y0 - 6 : y1 + 6, x0:x1][:, free].astype(np.float32)
    beside = np.concatenate([band[:4], band[-4:]])
    if np.mean(beside < np.median(beside) - PRINT) > 0.02:
        return False  # print beside the line: its strokes darken the line too
    paper = np.minimum(band[:4].mean(axis=0), band[-4:].mean(axis=0))
    # No pixel counts for more than a faint dot does (a speck of dust on the line is not a rule).
    darker = np.minimum(paper - band[5:-5], PRINT / 2)
    # The darkest row of the band, a row wider than the rule's end: a slanting rule of one-pixel
    # dots lies on either row.
    chunks = np.array_split(np.arange(darker.shape[1]), -(-darker.shape[1] // chunk))
    weakest = min(darker[:, c].mean(axis=1).max() for c in chunks)
    return bool(
        darker.mean(axis=1).max() >= BRIDGE_CONTRAST
        and weakest >= BRIDGE_CONTRAST / 2
        and abs(band[:4].mean() - band[-4:].mean()) < BRIDGE_CONTRAST
    )


def _bridge(rules: np.ndarray, crossing: np.ndarray, gray: np.ndarray, thin: int, longest: int,
            shortest: int, horizontal: bool) -> np.ndarray:
    """Join two pieces of one rule across a gap of up to `longest`, or a piece to the crossing rule
    it runs into, where the gap's line is still a little darker than the paper on both sides of it,
    all along (dots too faint to binarise); a vertically merged cell has nothing on the line, and
    print crossing it has ink beside it too. A gap of up to `shortest` between two pieces
    (narrower than any cell: a break in the rule) is always joined. Pieces are matched by where
    they face each other (a corner stub or a slight slant moves a piece's middle)."""
    mask = rules if horizontal else np.ascontiguousarray(rules.T)
    view = gray if horizontal else gray.T
    crossing = crossing if horizontal else crossing.T
    across_rules = cv2.dilate(crossing, _kernel(5, 5)) > 0
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, w, h = (stats[:, i] for i in range(4))
    line_like = np.flatnonzero(h <= thin)
    line_like = line_like[line_like > 0]
    if len(line_like) < 1:
        return rules
    end = min(3, int(w.min()))
    left = {i: _end_rows(labels, i, x[i], x[i] + end, y[i], y[i] + h[i]) for i in line_like}
    right = {i: _end_rows(labels, i, x[i] + w[i] - end, x[i] + w[i], y[i], y[i] + h[i]) for i in line_like}
    out = mask.copy()
    starts, stops = x[line_like], x[line_like] + w[line_like]
    for a in line_like:
        for forward in (True, False):
            # The gap beyond this end: to the nearest piece on the same line, or else to the
            # nearest crossing rule.
            rows_a = right[a] if forward else left[a]
            middle = rows_a[0] + rows_a[1]
            if forward:
                gap_from = x[a] + w[a]
                near = line_like[(starts > gap_from) & (starts <= gap_from + longest)]
                near = [b for b in near if abs(left[b][0] + left[b][1] - middle) <= 3]
                partner = min(near, key=lambda b: x[b], default=None)
            else:
                gap_to = x[a]
                near = line_like[(stops < gap_to) & (stops >= gap_to - longest)]
                near = [b for b in near if abs(right[b][0] + right[b][1] - middle) <= 3]
                if near:
                    continue  # that piece's own forward gap
                partner = None
            y0, y1 = rows_a
            if partner is not None:  # a piece ahead on the same line: the gap runs to it
                gap_to, rows_b = x[partner], left[partner]
                y0, y1 = min(y0, rows_b[0]), max(y1, rows_b[1])
                if y1 - y0 > thin:
                    continue
                if gap_to - gap_from <= shortest or _faint_line(view, across_rules, y0, y1, gap_from, gap_to, 2 * shortest):
                    out[y0:y1, gap_from:gap_to] = 255
                continue
            hit = np.asarray(crossing[y0:y1].any(axis=0))
            if forward:
                ahead = np.flatnonzero(hit[gap_from : gap_from + longest])
                if not len(ahead) or ahead[0] <= 1:
                    continue
                gap_to = gap_from + int(ahead[0])
            else:
                behind = np.flatnonzero(hit[max(0, gap_to - longest) : gap_to])
                if not len(behind) or gap_to - (max(0, gap_to - longest) + int(behind[-1])) <= 2:
                    continue
                gap_from = max(0, gap_to - longest) + int(behind[-1]) + 1
            if _faint_line(view, across_rules, y0, y1, gap_from, gap_to, 2 * shortest):
                out[y0:y1, gap_from:gap_to] = 255
    return out if horizontal else np.ascontiguousarray(out.T)


def _apart(rules: np.ndarray, solid: np.ndarray) -> np.ndarray:
    """The rules that do not run along a solid one (a solid rule cut into cell-high pieces by its
    crossings also looks like a row of dashes: its ends must not reach further)."""
    count, labels = cv2.connectedComponents(rules, connectivity=8)
    on_solid = np.zeros(count, bool)
    on_solid[labels[(solid > 0) & (labels > 0)]] = True
    on_solid[0] = True
    return np.where(on_solid[labels], 0, rules).astype(np.uint8)


def _regular(line: np.ndarray) -> bool:
    """Whether a row of ink is dots or dashes: many pieces, most of about one length, with gaps
    (the strokes of print closed into a run are of all lengths, and a solid rule has no gaps)."""
    edges = np.diff(np.concatenate(([0], line.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    pieces = ends - starts
    if len(pieces) < 5:
        return False
    usual = float(np.median(pieces))
    return float(np.mean((pieces >= 0.5 * usual) & (pieces <= 2 * usual))) >= TYPICAL


def _shift(mask: np.ndarray, rows: int) -> np.ndarray:
    """`mask` moved `rows` down (up where negative), paper coming in."""
    out = np.zeros_like(mask)
    if rows > 0:
        out[rows:] = mask[:-rows]
    elif rows < 0:
        out[:rows] = mask[-rows:]
    else:
        out[:] = mask
    return out


def _blur_fringe(runs: np.ndarray, binary: np.ndarray, depth: int) -> np.ndarray:
    """The ink just above and below horizontal `runs` that is their own blurred body: ink touching
    a run straight across it that ends within `depth` pixels (a dotted rule whose dots the blur ran
    together is thicker than its opened run). Ink that goes on further is a stroke of print leaving
    the run (a character's stem on a run of aligned strokes), not the rule's blur."""
    fringe = np.zeros_like(runs)
    for step in (-1, 1):
        layers, grown = [], runs
        for _ in range(depth + 1):
            grown = _shift(grown, step) & binary
            layers.append(grown)
        for layer_depth, layer in enumerate(layers[:-1]):
            # The layer's pixel whose ink goes on depth + 1 pixels from the run is a stroke's.
            fringe |= layer & ~_shift(layers[-1], -step * (depth - layer_depth))
    return fringe


def _free(runs: np.ndarray, binary: np.ndarray, band: int, fringe: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per component of `runs` (horizontal rules): the share of its pixels with other ink within a
    rule's thickness above or below. A rule has paper beside it but where rules cross it or print
    touches it; a row of strokes of characters aligned from line to line (CJK print is
    monospaced) has the rest of the characters beside it."""
    body = cv2.dilate(runs, _kernel(1, 3))
    if fringe:
        body |= _blur_fringe(runs, binary, fringe)
    others = binary & ~body
    near = cv2.dilate(others, _kernel(1, 2 * band + 1)) > 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    crowded = np.bincount(labels[near & (runs > 0)], minlength=count)
    return labels, stats, crowded / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)


FRINGE = 2  # pixels of ink touching a rule above or below that are its blurred body
CROWDED = 0.25  # share of a rule's length that print may lie beside


def free_rows(runs: np.ndarray, binary: np.ndarray, band: int, sure: int | None = None, fringe: int = 0) -> np.ndarray:
    """The rules of `runs` with paper within `band` beside them (see _free); runs at least `sure`
    long are kept whatever lies beside them (a long solid rule is no stroke of print). Ink just
    beside a run that ends within `fringe` pixels is its own blurred body (_blur_fringe)."""
    if not runs.any():
        return runs
    labels, stats, crowded = _free(runs, binary, band, fringe)
    keep = crowded < CROWDED
    if sure is not None:
        keep |= stats[:, cv2.CC_STAT_WIDTH] >= sure
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def closed_rows(binary: np.ndarray, length: int, thin: int) -> np.ndarray:
    """Horizontal rules printed as dots or dashes that blur into an almost solid line (dots the
    size of the rule's width, a scan's blur): the ink closed along the row over gaps about a rule's
    width, kept where it runs `length` on, as thin as a rule, with paper above and below along most
    of it, and is a regular row of pieces in print (closed print makes long runs too)."""
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, _kernel(thin + 2, 1))
    runs = cv2.morphologyEx(closed, cv2.MORPH_OPEN, _kernel(length, 1))
    if not runs.any():
        return runs
    labels, stats, crowded = _free(runs, binary, thin)
    keep = (crowded < CROWDED) & (stats[:, cv2.CC_STAT_AREA] <= thin * stats[:, cv2.CC_STAT_WIDTH])
    keep[0] = False
    for label in np.flatnonzero(keep):
        x, y, w, h = stats[label, :4]
        keep[label] = _regular(np.asarray(binary[y : y + h, x : x + w].any(axis=0)))
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _frames(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """A mask of the boxes of crossing rules big enough to be a table (where a table's own
    rules may be completed)."""
    height, width = rows.shape
    joined = cv2.dilate(rows | columns, _kernel(5, 5))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    frames = np.zeros_like(rows)
    for x, y, w, h, _ in stats[1:]:
        if w >= width // 6 and h >= height // 80:
            frames[y : y + h, x : x + w] = 255
        elif h >= height // 40 and w <= width // 50:
            # A column rule standing alone: its table's rows are all dotted or faint (and it may
            # have no outer border), so they meet no rule found so far. The band of the page
            # beside it is where they lie, a header row more (the rule may stop under a shaded
            # or spanning header).
            reach = min(h // 3, height // 20)
            frames[max(0, y - reach) : y + h + reach] = 255
    return frames


STROKE_HEIGHT = 1.5  # shortest vertical rules: a piece no longer than this many, alone, is print


def lone_strokes(pieces: np.ndarray, crossing: np.ndarray, longest: float) -> np.ndarray:
    """Where `pieces` (vertical runs of ink) has a piece no taller than `longest` that touches no
    rule of `crossing`."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces, connectivity=8)
    touching = np.zeros(count, dtype=bool)
    touching[labels[(cv2.dilate(crossing, _kernel(5, 5)) > 0) & (labels > 0)]] = True
    lone = (stats[:, cv2.CC_STAT_HEIGHT] <= longest) & ~touching
    lone[0] = False
    return lone[labels]


def find_lines(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and vertical ruling lines of a straightened grayscale page (short
    gaps in a line, faint print or noise, closed)."""
    width = gray.shape[1]
    # Scales from the page's short side: a landscape page's print is no larger than a portrait one's.
    h_len, v_len, thin, step = _sizes(min(gray.shape))
    binary = binarize(gray)
    across = np.ascontiguousarray(binary.T)
    # A short run of ink may be a long stroke of a character (or strokes of characters aligned
    # line under line): kept as a rule only with paper beside it.
    # The strokes of a character lie a few pixels apart; print beside a short rule of a narrow cell
    # (a number set close to it) is further off.
    near = max(2, thin // 3)
    rows = free_rows(solid_rows(binary, h_len), binary, near, sure=3 * h_len, fringe=FRINGE)
    # The long row rules a column rule meets are no print beside it: a low row between thick
    # borders (a table's last row carried over to a page of its own) has a quarter of its column
    # rules' length at the crossings. (Short ones may be the bars of a "三" beside its stem.)
    long_rows = solid_rows(rows, 3 * h_len)
    off_rows = np.ascontiguousarray((binary & ~cv2.dilate(long_rows, _kernel(1, 3))).T)
    columns = np.ascontiguousarray(free_rows(np.ascontiguousarray(solid_columns(binary, v_len).T), off_rows, near,
                                             sure=3 * v_len, fringe=FRINGE).T)
    solid_cols = columns.copy()
    dashed = _dashed(gray, rows, columns)
    nothing = np.zeros_like(rows)
    dashed_h, reaching_h, dashed_v, reaching_v = dashed if dashed is not None else (nothing,) * 4
    rows |= dashed_h
    columns |= dashed_v
    # Inside the frame those rules draw, dotted rules blurred into almost solid lines: runs across
    # several cells (three times the shortest rule, so that two characters one above the other
    # never make one). Outside any frame such runs are lines of print. On a page of dashes or dots
    # (a scan's blur and a downscaled search lose many of them, and with them the frame), all the
    # page: such runs must still be regular rows of pieces in print, which a line of print is not.
    frames = _frames(rows, columns) if dashed is None else np.full_like(rows, 255)
    if frames.any():  # a page of prose has no frame: nothing to complete, no closing to pay for
        rows |= closed_rows(binary, 3 * h_len, thin) & frames
        columns |= np.ascontiguousarray(closed_rows(across, 3 * v_len, thin).T) & frames
    # A vertical run about a character high that meets no row rule is a stroke of print (a stem
    # of a bold heading under a table without a bottom border), not a rule to join its columns to.
    columns[lone_strokes(solid_cols, rows, STROKE_HEIGHT * v_len)] = 0
    # Only the ends of dashed rules reach out to their crossings (solid rules meet theirs), and
    # less far than a one-line row is high, so that no rule is carried across a spanning cell.
    reach = 2 * step
    if reaching_h.any():
        rows |= _reach(reaching_h, columns, reach, horizontal=True)
    if reaching_v.any():
        columns |= _reach(reaching_v, rows, reach, horizontal=False)
    rows = _bridge(rows, columns, gray, thin, BRIDGE * step, reach, horizontal=True)
    columns = _bridge(columns, rows, gray, thin, BRIDGE * step, reach, horizontal=False)
    span = max(9, width // 50)
    rows = cv2.morphologyEx(rows, cv2.MORPH_CLOSE, _kernel(span, 1))
    columns = cv2.morphologyEx(columns, cv2.MORPH_CLOSE, _kernel(1, span))
    return rows, columns
