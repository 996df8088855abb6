"""Stage 2: grayscale and straighten a page, keeping the map back to the loaded page's pixels.

Skew is measured on the long straight strokes of the page (ruling lines, mostly) with a
probabilistic Hough transform, and undone by one rotation about the page centre.
"""

from __future__ import annotations

import cv2
import numpy as np

from .rules import solid_rows
from .settings import Settings
from .types import Page, StraightPage

PAPER_PERCENTILE = 90  # of a channel's levels on the page: its paper (most of a page is paper)
DARKEST_PAPER = 64  # a channel's paper is taken no darker than this (a page mostly dark stays dark)
SEAL_COLOUR = 60  # brightest minus darkest channel, paper made white: only coloured ink goes so far
SEAL_REACH = 1 / 60  # of the page's shorter side: how far round such ink its paler strokes lie
COLOURED_LIGHTER = 0.5  # how much lighter than its brightest channel a seal's pixel is made


def to_gray(image: np.ndarray) -> np.ndarray:
    """One gray channel of a page image; on a colour page, coloured ink (a seal) made light."""
    if image.ndim == 2:
        return image
    # The darkest channel would keep a red seal as dark as the text. The red channel drops a red
    # seal's ink to a light gray, but a light gray is still read (a seal's character over an
    # empty cell read "9"), and a blue stamp stays dark in it. So the gray is the brightest
    # channel, and round coloured ink (a seal) it is lightened by how coloured the pixel is:
    # the seal goes to paper, black print under it is dark in every channel and stays dark.
    # Colour is measured once the paper is white, and the lightening is kept to where some ink
    # is strongly coloured: print on yellowed paper is as coloured as the paper, a JPEG's coarse
    # colour bleeds some into thin strokes (a light minus of JPEG-30 print, lightened, read "/"),
    # and the same coarse colour leaves a seal's thin strokes paler in colour than in darkness.
    channels = cv2.split(np.ascontiguousarray(image[:, :, :3]))
    balanced = [cv2.LUT(c, _to_white(c[::4, ::4])) for c in channels]
    brightest = cv2.max(cv2.max(balanced[0], balanced[1]), balanced[2])
    colour = cv2.subtract(brightest, cv2.min(cv2.min(balanced[0], balanced[1]), balanced[2]))
    coloured_ink = cv2.compare(colour, SEAL_COLOUR, cv2.CMP_GT)
    if not cv2.countNonZero(coloured_ink):
        return brightest
    reach = max(3, round(min(image.shape[:2]) * SEAL_REACH))
    seal = cv2.dilate(coloured_ink, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)))
    lighter = cv2.addWeighted(brightest, 1.0, colour, COLOURED_LIGHTER, 0.0)  # saturates at 255
    return np.where(seal > 0, lighter, brightest)


def _to_white(sample: np.ndarray) -> np.ndarray:
    """A lookup table taking one channel's paper level (its PAPER_PERCENTILE) to white."""
    counts = np.bincount(sample.ravel(), minlength=256)
    paper = int(np.searchsorted(np.cumsum(counts), counts.sum() * PAPER_PERCENTILE / 100))
    levels = np.arange(256, dtype=np.float32) * (255 / max(paper, DARKEST_PAPER))
    return np.minimum(255, np.round(levels)).astype(np.uint8)


def _rotate(gray: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    height, width = gray.shape
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated = cv2.warpAffine(
        gray, rotation, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    return rotated, rotation


FIT_RANGE = 3.0  # degrees: up to this skew, line fits alone measure it (2-px rules still hold 47-px level runs)


def _residual_skew(gray: np.ndarray) -> float | None:
    """Fine angle of a nearly level page from straight-line fits to its long horizontal rules."""
    height, width = gray.shape
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    rules = solid_rows(binary, max(20, width // 35))
    rules = cv2.morphologyEx(rules, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    angles, weights = [], []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w < width // 5:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append(np.degrees(np.arctan(slope)))
        weights.append(w)
    if not angles:
        return None
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def measure_skew(gray: np.ndarray, max_degrees: float) -> float:
    """Angle (degrees, as cv2.getRotationMatrix2D takes it) that levels the page's long horizontal strokes.

    A Hough transform on a downscaled copy gives a coarse angle; line fits to the rules of the
    page levelled by it refine that to a few hundredths of a degree.
    """
    # Most scans are within a degree or two: line fits on the page as it is settle those without
    # the (slower) Hough pass.
    direct = _residual_skew(gray)
    if direct is not None and abs(direct) < 1.0:
        return direct
    if direct is not None and abs(direct) <= FIT_RANGE:
        # Within a few degrees the rules still hold long level runs: a second fit on the page
        # levelled by the first confirms and refines it, again without the Hough pass.
        residual = _residual_skew(_rotate(gray, direct)[0])
        if residual is not None and abs(residual) < 0.5:
            return direct + residual
    coarse = _coarse_skew(gray, max_degrees)
    levelled = _rotate(gray, coarse)[0] if abs(coarse) > 0.01 else gray
    residual = _residual_skew(levelled)
    return coarse if residual is None else coarse + residual


def _coarse_skew(gray: np.ndarray, max_degrees: float) -> float:
    height, width = gray.shape
    scale = 1000.0 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # a thin strip keeps a pixel
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    binary = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    min_len = small.shape[1] // 5
    lines = cv2.HoughLinesP(binary, 1, np.pi / 1800, threshold=min_len // 2, minLineLength=min_len, maxLineGap=8)
    if lines is None:
        return 0.0
    angles, weights = [], []
    for x0, y0, x1, y1 in lines[:, 0]:
        angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
        if abs(angle) <= max_degrees:
            angles.append(angle)
            weights.append(np.hypot(x1 - x0, y1 - y0))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)]
    return float(median)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1)[:, 0]
    return np.array([points[sums.argmin()], points[diffs.argmin()], points[sums.argmax()], points[diffs.argmax()]],
                    dtype=np.float32)


def find_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """Corners of a sheet of paper photographed on a darker surface, or None for a flat scan."""
    height, width = gray.shape
    scale = 800.0 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # a thin strip keeps a pixel
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if not 0.25 * small.size < area < 0.97 * small.size:
        return None
    quad = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    corners = _order_corners(quad[:, 0, :].astype(np.float32))
    tl, tr, br, bl = corners
    sides = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)) / max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    if not (1.15 <= sides <= 1.75 or 1.15 <= 1 / sides <= 1.75):
        return None  # not the shape of an A-series sheet
    inside = np.zeros_like(small)
    cv2.fillConvexPoly(inside, quad[:, 0, :], 255)
    # A sheet on a table: the surround is much darker than the paper, not just a shadowed corner.
    if cv2.mean(small, mask=cv2.bitwise_not(inside))[0] > 0.6 * cv2.mean(small, mask=inside)[0]:
        return None
    return corners / scale


def _flatten(gray: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sheet inside `quad` warped to an upright rectangle; returns it and the homography."""
    tl, tr, br, bl = quad
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(quad, target)
    flat = cv2.warpPerspective(gray, homography, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    return flat, homography


def _as_3x3(affine: np.ndarray) -> np.ndarray:
    return np.vstack([affine, [0.0, 0.0, 1.0]])


WORKING_SHORT_SIDE = 1654  # pixels: an A4 sheet's short side at 200 dpi, the resolution the reader works at
LEAST_SHORT_SIDE = 1300  # ... a sheet scanned coarser than about 160 dpi is enlarged to it
PAPER_SHAPES = (0.55, 0.85)  # short side over long side of paper: legal 0.61, A/B series 0.71, letter 0.77


def _enlarged(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A coarse scan enlarged to the working resolution, and the map of that enlargement.

    At 75-100 dpi a 1-px rule fades into the paper next to the print and a character is a dozen
    pixels: the rule finder's least lengths and the recognizer's crops were measured at 150-300
    dpi. Cubic interpolation gives the rules and strokes back the width the other stages expect;
    it adds no detail, but it loses none either.

    The resolution is inferred from the paper's size, so only a sheet shaped like paper is
    enlarged: a picture of a table alone (a crop, a screenshot) has no paper to measure by."""
    short, long = sorted(gray.shape)
    if short >= LEAST_SHORT_SIDE or not PAPER_SHAPES[0] <= short / long <= PAPER_SHAPES[1]:
        return gray, np.eye(3)
    factor = WORKING_SHORT_SIDE / short
    size = (round(gray.shape[1] * factor), round(gray.shape[0] * factor))
    enlarged = cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC)
    return enlarged, np.diag([factor, factor, 1.0])


PAPER_EDGE = 15  # levels: the local-mean threshold's contrast (rules.binarize)
GRAY_PAPER = 240  # a sheet at least this light shows no such edge against white


def white_surround_as_paper(gray: np.ndarray) -> np.ndarray:
    """The page with the white around a sheet darker than white (yellowed, or under uneven light)
    filled with the paper next to it.

    The white is a scanner's lid, or what a page turned or flattened here is filled with. The
    local-mean threshold makes ink of the paper along its edge, a band a few pixels wide, long
    and straight: a frame of rules around the page, or a table over the title and prose of a
    first page. (A rule is darker than the paper on both its sides, an edge only on one.) The
    surround is what is lighter than most of the page and touches its border."""
    paper = int(np.median(gray[::4, ::4]))
    if paper >= GRAY_PAPER:
        return gray
    _, labels = cv2.connectedComponents((gray >= paper + PAPER_EDGE).astype(np.uint8), connectivity=4)
    touching = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    touching = touching[touching > 0]
    if touching.size == 0:
        return gray
    surround = np.isin(labels, touching)
    filled = gray.copy()
    filled[surround] = _paper_around(gray, surround)[surround]
    return filled


def _paper_around(gray: np.ndarray, surround: np.ndarray, step: int = 8) -> np.ndarray:
    """A smooth estimate of the sheet's paper everywhere, the surround included: the page with
    its print taken out (the lightest pixel near each), the surround left out, at an eighth of its
    size, the surround's cells inpainted from the sheet's. Smooth, so that where the surround
    took in light paper (a corner under uneven light) no texture is made there."""
    height, width = gray.shape
    sheet = np.where(surround, 0, gray).astype(np.uint8)
    light = cv2.dilate(sheet, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    size = (max(1, width // step), max(1, height // step))
    small = cv2.resize(light, size, interpolation=cv2.INTER_AREA)
    outside = cv2.resize(cv2.dilate(surround.astype(np.uint8), np.ones((step, step), np.uint8)), size,
                         interpolation=cv2.INTER_NEAREST)
    small = cv2.inpaint(small, outside, 3, cv2.INPAINT_TELEA)
    small = cv2.GaussianBlur(small, (0, 0), 1.5)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def as_printed(page: Page) -> StraightPage:
    """A born-digital page (read from its text layer): level and upright as it was drawn."""
    return StraightPage(page.number, to_gray(page.image), np.eye(3), text=page.text)


def straighten(page: Page, settings: Settings) -> StraightPage:
    """Grayscale, flatten a photographed sheet, enlarge a coarse scan, rotate level; keep the map
    back to the loaded page."""
    gray = to_gray(page.image)
    to_loaded = np.eye(3)
    if not settings.deskew:
        return StraightPage(page.number, gray, to_loaded)
    quad = find_page_quad(gray)
    if quad is not None:
        gray, homography = _flatten(gray, quad)
        to_loaded = np.linalg.inv(homography)
    gray, enlargement = _enlarged(gray)
    gray = white_surround_as_paper(gray)
    to_loaded = to_loaded @ np.linalg.inv(enlargement)
    return level(StraightPage(page.number, gray, to_loaded), settings)


def level(page: StraightPage, settings: Settings) -> StraightPage:
    """The page rotated so that its long horizontal rules lie level, its map back kept. A page
    lying on its side has few (its table's long rules run down it): it is levelled again once
    turned upright."""
    angle = measure_skew(page.image, settings.max_skew_degrees)
    if abs(angle) < 0.05:
        return page
    straight, rotation = _rotate(page.image, angle)
    to_loaded = page.to_original @ np.linalg.inv(_as_3x3(rotation))
    return StraightPage(page.number, white_surround_as_paper(straight), to_loaded, skew_degrees=page.skew_degrees + angle)


def _fitted_lines(mask: np.ndarray, min_length: int) -> list[tuple[float, float, float, float, float]]:
    """Long vertical lines of a mask as x = a + b*y fits: (a, b, x at mid-height, top, bottom)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    lines = []
    for label in np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] >= min_length):
        if label == 0:
            continue
        x, y, w, h = stats[label, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        b, a = np.polyfit(ys + y, xs + x, 1)
        lines.append((float(a), float(b), float(a + b * (y + h / 2)), float(y), float(y + h)))
    return lines


def _meet(vertical: tuple, horizontal: tuple) -> tuple[float, float]:
    """Where x = a + b*y meets y = c + d*x."""
    a, b = vertical[:2]
    c, d = horizontal[:2]
    y = (c + d * a) / (1 - d * b)
    return a + b * y, y


def _crossings(line: tuple, others: list[tuple], swap: bool, reach: float) -> int:
    """How many of `others` (lines across) this line meets within both their extents."""
    count = 0
    for other in others:
        x, y = _meet(other, line) if swap else _meet(line, other)
        along, across = (x, y) if swap else (y, x)
        if line[3] - reach <= along <= line[4] + reach and other[3] - reach <= across <= other[4] + reach:
            count += 1
    return count


KEYSTONE = 3.0  # pixels: a page whose outer rules converge by more than this is squared up
SHEAR = 8.0  # pixels: ... or whose rules of one direction lean together by more than this (deskewing
# levels the page to about a tenth of a degree: some 3 pixels over a table's height)


def square_up(page: StraightPage, horizontal: np.ndarray, vertical: np.ndarray) -> StraightPage | None:
    """The page with the keystone of a tilted scan taken out, or None when its rules are square.

    Deskewing levels the page on average, but a sheet lying a little askew under the scanner's
    lens (or a phone held a little tilted) makes the rules converge: the left and right rules of a
    table lean differently, and no one column position fits a rule from top to bottom. A sheet
    that slid as it was fed leans its column rules together while its row rules lie level, which
    deskewing cannot undo either. The
    outermost long rules of the page's tables (rules that cross others: no page edge) are mapped
    to a rectangle."""
    height, width = page.image.shape
    verticals = _fitted_lines(vertical, height // 4)
    horizontals = _fitted_lines(np.ascontiguousarray(horizontal.T), width // 4)
    reach = max(5.0, width / 200)
    verticals = [v for v in verticals if _crossings(v, horizontals, False, reach) >= 2]
    horizontals = [h for h in horizontals if _crossings(h, verticals, True, reach) >= 2]
    if len(verticals) < 2 or len(horizontals) < 2:
        return None
    left, right = min(verticals, key=lambda v: v[2]), max(verticals, key=lambda v: v[2])
    top, bottom = min(horizontals, key=lambda h: h[2]), max(horizontals, key=lambda h: h[2])
    if right[2] - left[2] < width / 4 or bottom[2] - top[2] < height / 8:
        return None
    corners = np.array([_meet(left, top), _meet(right, top), _meet(right, bottom), _meet(left, bottom)], np.float32)
    x0, x1 = (corners[0, 0] + corners[3, 0]) / 2, (corners[1, 0] + corners[2, 0]) / 2
    y0, y1 = (corners[0, 1] + corners[1, 1]) / 2, (corners[2, 1] + corners[3, 1]) / 2
    square = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    converging = max(abs(left[1] - right[1]) * (bottom[2] - top[2]), abs(top[1] - bottom[1]) * (right[2] - left[2]))
    # Rules of one direction all leaning while the other's lie level: a shear (the sheet slid as
    # it was fed), which deskewing cannot take out either.
    leaning = max(abs(left[1] + right[1]) / 2 * (bottom[2] - top[2]), abs(top[1] + bottom[1]) / 2 * (right[2] - left[2]))
    if converging < KEYSTONE and leaning < SHEAR:
        return None
    homography = cv2.getPerspectiveTransform(corners, square)
    image = cv2.warpPerspective(page.image, homography, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return StraightPage(page.number, white_surround_as_paper(image), page.to_original @ np.linalg.inv(homography), page.skew_degrees)


def to_original_bbox(page: StraightPage, bbox: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A box on the straightened page mapped back onto the loaded page's pixels."""
    return mapped_bbox(page.to_original, bbox)


def mapped_bbox(homography: np.ndarray, bbox: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box that holds a box's corners mapped by a 3x3 homography."""
    x0, y0, x1, y1 = bbox
    corners = np.array([[[x0, y0], [x1, y0], [x0, y1], [x1, y1]]], dtype=np.float64)
    mapped = cv2.perspectiveTransform(corners, homography)[0]
    return (
        int(np.floor(mapped[:, 0].min())),
        int(np.floor(mapped[:, 1].min())),
        int(np.ceil(mapped[:, 0].max())),
        int(np.ceil(mapped[:, 1].max())),
    )


def turn(page: StraightPage, quarter_turns: int) -> StraightPage:
    """The page rotated counter-clockwise by quarter_turns x 90 degrees, its map back kept."""
    image, to_loaded = page.image, page.to_original
    for _ in range(quarter_turns % 4):
        width = image.shape[1]
        # np.rot90: new (x, y) comes from old (width - 1 - y, x).
        to_loaded = to_loaded @ np.array([[0.0, -1.0, width - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
        image = np.ascontiguousarray(np.rot90(image))
    return StraightPage(page.number, image, to_loaded, page.skew_degrees)
