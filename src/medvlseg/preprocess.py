"""The one preprocessing: an image of any size and type -> the tensor a model takes.

Training (:mod:`medvlseg.engine.data`), the feature cache, evaluation, prediction and
:class:`medvlseg.Segmenter` all call these functions, at the size the model was trained at (its
record's ``image_size``) with its backbone's normalisation, so that a model never sees at inference
an input prepared differently from the ones it learnt on.

1. :func:`image_to_unit_rgb`: ``(H, W)`` / ``(H, W, 3|4)`` of any dtype -> float ``(H, W, 3)`` in [0, 1];
2. :func:`resize_rgb`: -> ``(3, S, S)`` (bilinear, antialiased);
3. :func:`normalise`: ``(x - mean) / std``.

:func:`preprocess_image` does all three; :func:`preprocess_mask` resizes a mask (nearest).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .errors import DataError

__all__ = ["image_to_unit_rgb", "normalise", "preprocess_image", "preprocess_mask", "resize_rgb"]


def image_to_unit_rgb(image: np.ndarray) -> np.ndarray:
    """``(H, W)`` or ``(H, W, 3)`` of any dtype -> float32 ``(H, W, 3)`` in [0, 1].

    uint8 is divided by 255; 16-bit and float images (CT in HU, MRI) are scaled by their own
    0.5-99.5 percentile range, since their absolute range means nothing to a photo-trained encoder.
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise DataError(f"image: expected (H, W) or (H, W, 3), got shape {arr.shape}")
    if arr.dtype == np.uint8:
        out = arr.astype(np.float32) / 255.0
    elif arr.dtype == bool:
        out = arr.astype(np.float32)
    else:
        # integers in float32 (half the memory); floats in float64, where a - lo cannot overflow
        a = arr.astype(np.float64 if arr.dtype.kind == "f" else np.float32)
        if not np.isfinite(a).all():  # a percentile of NaN is NaN: the image would become blank
            raise DataError(f"image: {int((~np.isfinite(a)).sum())} NaN or infinite value(s); replace them first "
                            "(the file readers read them as the lowest finite value)")
        lo, hi = np.percentile(a, [0.5, 99.5])
        out = (np.clip((a - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(a)).astype(np.float32)
    if out.ndim == 2:
        out = np.repeat(out[..., None], 3, axis=2)
    return out


def resize_rgb(image: np.ndarray, size: int) -> torch.Tensor:
    """``(H, W[, 3])`` array -> ``(3, S, S)`` float in [0, 1] (bilinear, antialiased), not normalised
    (training's colour augmentation acts on it before :func:`normalise`)."""
    rgb = torch.from_numpy(image_to_unit_rgb(image)).permute(2, 0, 1)[None]  # (1, 3, H, W)
    return F.interpolate(rgb, size=(size, size), mode="bilinear", align_corners=False, antialias=True)[0]


def normalise(rgb: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """``(..., 3, H, W)`` in [0, 1] -> normalised with the backbone's statistics."""
    m = torch.tensor(mean, dtype=rgb.dtype, device=rgb.device).view(3, 1, 1)
    s = torch.tensor(std, dtype=rgb.dtype, device=rgb.device).view(3, 1, 1)
    return (rgb - m) / s


def preprocess_image(image: np.ndarray, size: int, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """``(H, W[, 3])`` array of any dtype -> normalised ``(3, S, S)`` float32: what a model takes."""
    return normalise(resize_rgb(image, size), mean, std)


def preprocess_mask(mask: np.ndarray, size: int) -> torch.Tensor:
    """``(H, W)`` bool -> ``(1, S, S)`` float in {0, 1}, nearest-neighbour resize."""
    m = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))[None, None]  # (1, 1, H, W)
    return F.interpolate(m, size=(size, size), mode="nearest")[0]
