"""Direct numpy transcriptions of the evaluation formulas, written independently of MONAI and of
``medvlseg.evaluation``, for the evaluation tests to compare against."""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import gaussian_filter


def blob_mask(rng: np.random.Generator, shape: tuple[int, int], sigma: float = 2.0, level: float = 0.3) -> np.ndarray:
    """A random mask with a few smooth blobs (realistic boundaries, unlike i.i.d. noise)."""
    field = gaussian_filter(rng.standard_normal(shape), sigma)
    return field > level * field.std()


def square(shape: tuple[int, int], top: int, left: int, size: int) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    m[top : top + size, left : left + size] = True
    return m


def np_dice(p: np.ndarray, g: np.ndarray) -> float:
    denom = int(p.sum()) + int(g.sum())
    return math.nan if denom == 0 else 2.0 * int((p & g).sum()) / denom


def np_iou(p: np.ndarray, g: np.ndarray) -> float:
    union = int((p | g).sum())
    return math.nan if union == 0 else int((p & g).sum()) / union


def np_edges(m: np.ndarray) -> np.ndarray:
    """Foreground pixels with a 4-neighbour that is background or outside the image."""
    pad = np.pad(m, 1, constant_values=False)
    interior = pad[1:-1, 1:-1] & pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:]
    return m & ~interior


def np_directed(a: np.ndarray, b: np.ndarray, spacing=None) -> np.ndarray:
    """For every boundary pixel of ``a``: the Euclidean distance to the nearest boundary pixel of ``b`` (brute force)."""
    scale = np.array(spacing if spacing is not None else (1.0, 1.0), dtype=np.float64)
    pa = np.argwhere(np_edges(a)) * scale
    pb = np.argwhere(np_edges(b)) * scale
    return np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1)).min(axis=1)


def np_hd95(p: np.ndarray, g: np.ndarray, spacing=None) -> float:
    if not p.any() or not g.any():
        return math.nan
    return max(float(np.percentile(np_directed(p, g, spacing), 95)), float(np.percentile(np_directed(g, p, spacing), 95)))


def np_nsd(p: np.ndarray, g: np.ndarray, tol: float, spacing=None) -> float:
    if not p.any() and not g.any():
        return math.nan
    if not p.any() or not g.any():
        return 0.0
    dpg, dgp = np_directed(p, g, spacing), np_directed(g, p, spacing)
    return (int((dpg <= tol).sum()) + int((dgp <= tol).sum())) / (dpg.size + dgp.size)


def np_bilinear(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize with pixel-centre alignment: source coordinate ``(i + 0.5) * in / out - 0.5``, clamped."""

    def axis(n_in: int, n_out: int):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, src - i0

    r0, r1, wr = axis(x.shape[0], shape[0])
    c0, c1, wc = axis(x.shape[1], shape[1])
    x = x.astype(np.float64)
    rows = x[r0] * (1 - wr)[:, None] + x[r1] * wr[:, None]
    return rows[:, c0] * (1 - wc)[None, :] + rows[:, c1] * wc[None, :]


def np_nearest(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Nearest neighbour with pixel-centre alignment: output ``i`` takes input ``floor((i + 0.5) * in / out)``."""
    ri = np.minimum(np.floor((np.arange(shape[0]) + 0.5) * x.shape[0] / shape[0]).astype(int), x.shape[0] - 1)
    ci = np.minimum(np.floor((np.arange(shape[1]) + 0.5) * x.shape[1] / shape[1]).astype(int), x.shape[1] - 1)
    return x[np.ix_(ri, ci)]


def np_ece(p: np.ndarray, y: np.ndarray, n_bins: int) -> float:
    """sum_b n_b/N |mean(y) - mean(p)| over bins [b/B, (b+1)/B) of p (the last bin closed)."""
    p, y = p.ravel().astype(np.float64), y.ravel().astype(np.float64)
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inside = (p >= lo) & ((p < hi) if b < n_bins - 1 else (p <= hi))
        if inside.any():
            total += inside.sum() / p.size * abs(y[inside].mean() - p[inside].mean())
    return total
