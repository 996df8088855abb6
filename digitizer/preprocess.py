"""Stage 2: grayscale and straighten a page, keeping the map back to the loaded page's pixels.

Skew is measured on the long straight strokes of the page (ruling lines, mostly) with a
probabilistic Hough transform, and undone by one rotation about the page centre.
"""

from __future__ import annotations

import cv2
import numpy as np

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


def _residual_skew(gray: np.ndarray) -> float | None:
    """Fine angle of a nearly level page from straight-line fits to its long horizontal rules."""
    height, width = gray.shape
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    rules = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, width // 35), 1)))
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
    coarse = _coarse_skew(gray, max_degrees)
    levelled = _rotate(gray, coarse)[0] if abs(coarse) > 0.01 else gray
    residual = _residual_skew(levelled)
    return coarse if residual is None else coarse + residual


def _coarse_skew(gray: np.ndarray, max_degrees: float) -> float:
    height, width = gray.shape
    scale = 1000.0 / max(height, width)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
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


def straighten(page: Page, settings: Settings) -> StraightPage:
    gray = to_gray(page.image)
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    if not settings.deskew:
        return StraightPage(page.number, gray, identity)
    angle = measure_skew(gray, settings.max_skew_degrees)
    if abs(angle) < 0.05:
        return StraightPage(page.number, gray, identity)
    straight, rotation = _rotate(gray, angle)
    return StraightPage(page.number, straight, cv2.invertAffineTransform(rotation), skew_degrees=angle)


def to_original_bbox(page: StraightPage, bbox: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = bbox
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    mapped = corners @ page.to_original.T
    return (
        int(np.floor(mapped[:, 0].min())),
        int(np.floor(mapped[:, 1].min())),
        int(np.ceil(mapped[:, 0].max())),
        int(np.ceil(mapped[:, 1].max())),
    )
