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


def measure_skew(gray: np.ndarray, max_degrees: float) -> float:
    """Angle (degrees, counter-clockwise positive as cv2 rotates) of the page's long horizontal strokes."""
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
    height, width = gray.shape
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    straight = cv2.warpAffine(
        gray, rotation, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
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
