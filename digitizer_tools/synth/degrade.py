"""Simulate a scanner / phone capture of a clean page, deterministically from a seed.

degrade(page, seed, skew=0.0, blur=0.6, noise=3.0, illum=0.08, tint=0, jpeg_quality=None,
        clean_background=False, dpi=150) -> (image, affine 2x3 matrix)
transform_bbox(bbox, M) -> bbox of the rotated corners, clipped to the page.
"""
from __future__ import annotations

import cv2
import numpy as np


def degrade(page: np.ndarray, seed: int, skew: float = 0.0, blur: float = 0.6, noise: float = 3.0,
            illum: float = 0.08, tint: int = 0, jpeg_quality: int | None = None,
            clean_background: bool = False, dpi: int = 150) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, w = page.shape
    img = page.astype(np.float32)
    # skew (positive = counter-clockwise), white fill
    M = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), float(skew), 1.0)
    if skew:
        img = cv2.warpAffine(img, M, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    # paper texture / grain, softened by the optics below
    if noise > 0:
        img = img + rng.normal(0.0, noise, size=img.shape).astype(np.float32)
    # optics: slight blur, scaled with resolution
    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur * dpi / 150.0)
    # paper tint and uneven illumination (smooth linear + radial gradient)
    paper = 255.0 - tint
    img = img * (paper / 255.0)
    if illum > 0:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        ang = rng.uniform(0, 2 * np.pi)
        lin = (np.cos(ang) * (xx / w - 0.5) + np.sin(ang) * (yy / h - 0.5)) + 0.5   # ~0..1
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        rad = ((xx - cx) ** 2 + (yy - cy) ** 2) / float(w * w + h * h)
        field = 1.0 - illum * (0.7 * np.clip(lin, 0, 1) + 0.6 * rad)
        img = img * field
    if noise > 0:   # fine sensor noise on top (small: it is what makes files big)
        img = img + rng.normal(0.0, 0.25 * noise, size=img.shape).astype(np.float32)
    img = np.clip(img, 0, 255)
    if clean_background:
        # scanner "background removal": push the paper to pure white
        img = np.clip((img - 0) * 255.0 / 225.0, 0, 255)
        img[img > 242] = 255
    out = img.round().astype(np.uint8)
    if jpeg_quality:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out, M


def transform_bbox(bbox, M: np.ndarray, shape=None) -> list[int]:
    x0, y0, x1, y1 = bbox
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    q = pts @ np.asarray(M, dtype=np.float64).T
    nx0, ny0 = np.floor(q.min(axis=0)).astype(int)
    nx1, ny1 = np.ceil(q.max(axis=0)).astype(int)
    if shape is not None:
        h, w = shape[:2]
        nx0, nx1 = max(0, nx0), min(w, nx1)
        ny0, ny1 = max(0, ny0), min(h, ny1)
    return [int(nx0), int(ny0), int(nx1), int(ny1)]


def scale_bbox(bbox, f: float) -> list[int]:
    return [int(round(v * f)) for v in bbox]
