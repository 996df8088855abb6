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


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    # The darkest channel would keep a red seal as dark as the text; the red channel drops the
    # seal's red ink to near-white while black print stays black.
    return image[:, :, 0].copy()


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


def straighten(page: Page, settings: Settings) -> StraightPage:
    """Grayscale, flatten a photographed sheet, rotate level; keep the map back to the loaded page."""
    gray = to_gray(page.image)
    to_loaded = np.eye(3)
    if not settings.deskew:
        return StraightPage(page.number, gray, to_loaded)
    quad = find_page_quad(gray)
    if quad is not None:
        gray, homography = _flatten(gray, quad)
        to_loaded = np.linalg.inv(homography)
    angle = measure_skew(gray, settings.max_skew_degrees)
    if abs(angle) < 0.05:
        return StraightPage(page.number, gray, to_loaded)
    straight, rotation = _rotate(gray, angle)
    to_loaded = to_loaded @ np.linalg.inv(_as_3x3(rotation))
    return StraightPage(page.number, straight, to_loaded, skew_degrees=angle)


def to_original_bbox(page: StraightPage, bbox: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = bbox
    corners = np.array([[[x0, y0], [x1, y0], [x0, y1], [x1, y1]]], dtype=np.float64)
    mapped = cv2.perspectiveTransform(corners, page.to_original)[0]
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
