"""From a saliency map to a coarse mask, and from a mask to SAM prompts (MedCLIP-SAM, REFERENCE.md
section 4, steps 3 and 4).

- :func:`binarize`: a fixed threshold, Otsu's threshold (scikit-image), or k-means with k = 2 on
  the saliency values (scikit-learn; the cluster with the higher centre is the foreground).
- :func:`keep_largest`: the ``k`` largest connected components (MONAI's
  ``KeepLargestConnectedComponent``, 8-connectivity).
- :func:`box_prompts` / :func:`point_prompts`: one box around everything kept, one box per
  component, or points sampled inside (positive) and outside (negative) the mask.

No dense CRF: the maintained Python implementations (pydensecrf, SimpleCRF) ship no wheel for this
Python and pydensecrf's source build fails, so the refinement the authors list as an option is left
out rather than hand-written.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..errors import ConfigError

__all__ = ["BINARIZE_METHODS", "SAM_PROMPT_MODES", "binarize", "box_prompts", "components", "keep_largest", "point_prompts"]

BINARIZE_METHODS = ("otsu", "kmeans", "threshold")
SAM_PROMPT_MODES = ("box", "boxes", "points")


def binarize(saliency: np.ndarray, method: str = "otsu", threshold: float = 0.5, *, seed: int = 0) -> np.ndarray:
    """(H, W) saliency in [0, 1] -> bool (H, W). A constant map gives an empty mask."""
    s = np.asarray(saliency, dtype=np.float32)
    if s.ndim != 2:
        raise ConfigError(f"binarize: expected an (H, W) map, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ConfigError("binarize: the saliency map has NaN or infinite values")
    if float(s.max()) <= float(s.min()):
        return np.zeros(s.shape, dtype=bool)
    if method == "threshold":
        return s >= threshold
    if method == "otsu":
        from skimage.filters import threshold_otsu

        return s > threshold_otsu(s)
    if method == "kmeans":
        from sklearn.cluster import KMeans

        values = s.reshape(-1, 1)
        km = KMeans(n_clusters=2, n_init=3, random_state=seed).fit(values)
        fg = int(np.argmax(km.cluster_centers_[:, 0]))
        return (km.labels_ == fg).reshape(s.shape)
    raise ConfigError(f"binarize method: unknown value {method!r}; expected one of: {', '.join(BINARIZE_METHODS)}")


def keep_largest(mask: np.ndarray, k: int = 1) -> np.ndarray:
    """The ``k`` largest 8-connected components of a bool (H, W) mask (all of them when k <= 0)."""
    m = np.asarray(mask, dtype=bool)
    if k <= 0 or not m.any():
        return m.copy()
    import torch
    from monai.transforms import KeepLargestConnectedComponent

    keep = KeepLargestConnectedComponent(applied_labels=[1], is_onehot=False, connectivity=2, num_components=int(k))
    out = keep(torch.from_numpy(m.astype(np.uint8))[None])  # channel-first (1, H, W)
    return np.asarray(out[0]).astype(bool)


def components(mask: np.ndarray) -> list[np.ndarray]:
    """The 8-connected components of a bool (H, W) mask, largest first."""
    from scipy import ndimage

    labels, n = ndimage.label(np.asarray(mask, dtype=bool), structure=np.ones((3, 3), dtype=bool))
    parts = [labels == i for i in range(1, n + 1)]
    return sorted(parts, key=lambda p: -int(p.sum()))


def _box(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())]  # x0, y0, x1, y1 (pixels, inclusive)


def box_prompts(mask: np.ndarray, mode: Literal["box", "boxes"] = "box") -> np.ndarray:
    """Boxes ``(N, 4)`` as ``x0, y0, x1, y1`` in pixels: one around the whole mask (``box``) or one
    per connected component (``boxes``). Empty mask: ``(0, 4)``."""
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return np.zeros((0, 4), dtype=np.float32)
    if mode == "box":
        return np.asarray([_box(m)], dtype=np.float32)
    if mode == "boxes":
        return np.asarray([_box(p) for p in components(m)], dtype=np.float32)
    raise ConfigError(f"box prompt mode: unknown value {mode!r}; expected box or boxes")


def point_prompts(
    mask: np.ndarray, saliency: np.ndarray | None = None, *, positive: int = 3, negative: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(N, 2)`` as ``x, y`` and labels ``(N,)`` (1 inside, 0 outside): ``positive`` drawn
    inside the mask (weighted by the saliency when given, so the surest pixels come first) and
    ``negative`` drawn uniformly outside it. Empty mask: no points."""
    m = np.asarray(mask, dtype=bool)
    rng = np.random.default_rng(seed)
    if not m.any():
        return np.zeros((0, 2), dtype=np.float32), np.zeros((0,), dtype=np.int64)
    pts, labels = [], []
    inside = np.flatnonzero(m)
    if positive > 0:
        w, n = None, inside.size
        if saliency is not None:
            w = np.clip(np.asarray(saliency, dtype=np.float64).reshape(-1)[inside], 0, None)
            n = int(np.count_nonzero(w))
            w, n = (w / w.sum(), n) if n else (None, inside.size)
        pick = rng.choice(inside, size=min(positive, n), replace=False, p=w)
        pts += [(i % m.shape[1], i // m.shape[1]) for i in pick]
        labels += [1] * len(pick)
    outside = np.flatnonzero(~m)
    if negative > 0 and outside.size:
        pick = rng.choice(outside, size=min(negative, outside.size), replace=False)
        pts += [(i % m.shape[1], i // m.shape[1]) for i in pick]
        labels += [0] * len(pick)
    return np.asarray(pts, dtype=np.float32), np.asarray(labels, dtype=np.int64)
