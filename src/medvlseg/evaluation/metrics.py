"""Per-image segmentation metrics on boolean masks, computed with MONAI, at the ground truth's resolution.

All functions take 2-D masks ``(H, W)`` of dtype ``bool`` (``True`` = foreground). MONAI's metric
functions want batch-first one-hot tensors; the wrappers here build ``(B=1, C=1, H, W)`` float
tensors whose only channel is the foreground and pass ``include_background=True`` so MONAI keeps
that channel (its default for the distance metrics would drop channel 0).

Definitions (``P`` prediction, ``G`` ground truth):

- Dice (Sørensen 1948; Dice 1945): ``2|P ∩ G| / (|P| + |G|)``.
- IoU (Jaccard 1912): ``|P ∩ G| / |P ∪ G|``.
- HD95, as in MONAI: boundary pixels are ``mask XOR erode(mask)`` (4-connected erosion, the image
  border counts as background); ``d(P→G)`` are the Euclidean distances from each boundary pixel of
  ``P`` to the nearest boundary pixel of ``G``. HD95 = ``max(q95(d(P→G)), q95(d(G→P)))`` with
  ``q95`` the linearly interpolated 95th percentile. (MedPy pools both directions before taking the
  percentile instead; the two differ slightly.)
- NSD, normalised surface Dice (Nikolov et al. 2021, arXiv:1809.04430; recommended by "Metrics
  Reloaded", Maier-Hein et al. 2024, arXiv:2206.01653), MONAI's pixel-count variant:
  ``(|{d ∈ d(P→G): d ≤ τ}| + |{d ∈ d(G→P): d ≤ τ}|) / (|d(P→G)| + |d(G→P)|)``.

Distances are in pixels when ``spacing`` is ``None``, else in millimetres with
``spacing = (row_mm, col_mm)``; NSD's tolerance ``τ`` is in the same unit.

Empty masks (the raw values, before any empty-ground-truth policy):

==========================  =========  ===  ====
case                        Dice, IoU  NSD  HD95
==========================  =========  ===  ====
both empty (0/0)            NaN        NaN  NaN
GT empty, prediction not    0          0    NaN
GT not, prediction empty    0          0    NaN
==========================  =========  ===  ====

HD95 is NaN whenever a mask is empty because no finite boundary distance exists.

:func:`score_image` applies an empty-ground-truth policy on top (see :data:`EMPTY_POLICIES`).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import ConfigError
from ..utils import check_choice

__all__ = [
    "EMPTY_POLICIES",
    "EmptyPolicy",
    "ImageScores",
    "Spacing",
    "dice",
    "hd95",
    "iou",
    "nsd",
    "resize_prediction",
    "score_image",
]

Spacing = tuple[float, float]
"""Pixel size in mm as ``(row_mm, col_mm)``."""

EmptyPolicy = Literal["exclude", "one_if_both_empty"]
EMPTY_POLICIES: dict[str, str] = {
    "exclude": (
        "images with an empty ground truth are left out of the Dice/IoU/HD95/NSD means and reported "
        "separately (count, false-positive rate, predicted foreground fraction)"
    ),
    "one_if_both_empty": (
        "images with an empty ground truth are scored: an empty prediction gets Dice = IoU = NSD = 1 "
        "and HD95 = 0, a non-empty one gets Dice = IoU = NSD = 0 and HD95 = NaN; they are also "
        "reported separately"
    ),
}


# ------------------------------------------------------------------------------------- plain metrics


def dice(pred: np.ndarray, gt: np.ndarray) -> float:
    """Dice coefficient ``2|P ∩ G| / (|P| + |G|)`` of two boolean masks ``(H, W)``.

    NaN when both are empty; 0 when exactly one is empty.
    """
    p, g = _check_pair(pred, gt)
    if not p.any() and not g.any():
        return math.nan
    from monai.metrics import compute_dice

    # ignore_empty=False: an empty GT with a non-empty prediction gives 0 (MONAI's NaN would hide it).
    return float(compute_dice(_one_hot(p), _one_hot(g), include_background=True, ignore_empty=False)[0, 0])


def iou(pred: np.ndarray, gt: np.ndarray) -> float:
    """Intersection over union ``|P ∩ G| / |P ∪ G|`` of two boolean masks ``(H, W)``.

    NaN when both are empty; 0 when exactly one is empty.
    """
    p, g = _check_pair(pred, gt)
    if not p.any() and not g.any():
        return math.nan
    from monai.metrics import compute_iou

    return float(compute_iou(_one_hot(p), _one_hot(g), include_background=True, ignore_empty=False)[0, 0])


def hd95(pred: np.ndarray, gt: np.ndarray, *, spacing: Spacing | None = None) -> float:
    """95th-percentile symmetric Hausdorff distance between the boundaries of two masks ``(H, W)``.

    ``max(q95(d(P→G)), q95(d(G→P)))`` over boundary pixels (see the module docstring), in pixels,
    or in mm when ``spacing = (row_mm, col_mm)`` is given. NaN when either mask is empty: no
    finite distance exists, and MONAI's inf/NaN there would poison a mean; count them instead.
    """
    p, g = _check_pair(pred, gt)
    sp = _check_spacing(spacing)
    if not p.any() or not g.any():
        return math.nan
    from monai.metrics import compute_hausdorff_distance

    with _quiet_monai():
        value = compute_hausdorff_distance(
            _one_hot(p), _one_hot(g), include_background=True, distance_metric="euclidean",
            percentile=95, spacing=list(sp) if sp else None,
        )
    return float(value[0, 0])


def nsd(pred: np.ndarray, gt: np.ndarray, *, tolerance: float = 2.0, spacing: Spacing | None = None) -> float:
    """Normalised surface Dice of two masks ``(H, W)`` at ``tolerance``.

    The share of boundary pixels of either mask that lie within ``tolerance`` (inclusive) of the
    other mask's boundary. ``tolerance`` is in pixels when ``spacing`` is ``None``, else in mm
    with ``spacing = (row_mm, col_mm)``. NaN when both masks are empty; 0 when exactly one is.
    """
    p, g = _check_pair(pred, gt)
    sp = _check_spacing(spacing)
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    if not p.any() and not g.any():
        return math.nan
    if not p.any() or not g.any():
        return 0.0  # MONAI's value too; decided here so that MONAI does not warn about empty masks
    from monai.metrics import compute_surface_dice

    with _quiet_monai():
        value = compute_surface_dice(
            _one_hot(p), _one_hot(g), class_thresholds=[float(tolerance)], include_background=True,
            distance_metric="euclidean", spacing=list(sp) if sp else None,
        )
    return float(value[0, 0])


# ---------------------------------------------------------------------------------------- resizing


def resize_prediction(array: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D prediction to ``shape`` ``(H, W)`` (the ground truth's size).

    - ``bool`` masks: nearest neighbour with pixel-centre alignment (torch ``"nearest-exact"``:
      output pixel ``i`` takes input pixel ``floor((i + 0.5) * in / out)``); returns ``bool``.
    - float maps (probabilities, uncertainties): bilinear with pixel-centre alignment
      (``align_corners=False``; source coordinate ``(i + 0.5) * in / out - 0.5``, clamped at the
      borders), antialiased when shrinking; returns ``float64``.

    Predictions are resized to the ground truth, never the ground truth to the prediction, so that
    scores are at the image's original resolution.
    """
    arr = np.asarray(array)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D array (H, W), got shape {arr.shape}")
    shape = (int(shape[0]), int(shape[1]))
    if arr.shape == shape:
        return arr.copy()
    if arr.dtype == bool:
        t = torch.from_numpy(arr.astype(np.uint8))[None, None]
        return F.interpolate(t, size=shape, mode="nearest-exact")[0, 0].numpy().astype(bool)
    if arr.dtype.kind != "f":
        raise ValueError(f"expected a bool mask or a float map, got dtype {arr.dtype}")
    t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float64))[None, None]
    out = F.interpolate(t, size=shape, mode="bilinear", align_corners=False, antialias=True)
    return out[0, 0].numpy()


# ----------------------------------------------------------------------------------- image scoring


@dataclass(frozen=True)
class ImageScores:
    """Scores of one image at the ground truth's resolution (one row of the per-image CSV).

    ``scored`` says whether the image counts in the summary means under the empty-GT policy.
    ``distance_unit`` is ``"px"`` or ``"mm"`` (HD95 and NSD's tolerance). ``resized`` says whether
    the prediction was resized to the ground truth. ``tp`` / ``fp`` / ``fn`` are the pixel counts
    (true positives, false positives, false negatives) behind the pooled Dice of a summary.
    ``ece`` / ``unc_auroc`` are ``None`` when no
    probability / uncertainty map was given; ``unc_auroc`` is NaN when every pixel is right, or
    every pixel is wrong.
    """

    id: str
    dataset: str | None
    dice: float
    iou: float
    hd95: float
    nsd: float
    gt_empty: bool
    pred_empty: bool
    gt_fraction: float
    pred_fraction: float
    scored: bool
    distance_unit: str
    resized: bool
    tp: int
    fp: int
    fn: int
    ece: float | None = None
    unc_auroc: float | None = None

    def as_row(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class PreparedImage:
    """A prediction brought to the ground truth's resolution (internal to the evaluation package)."""

    mask: np.ndarray  # (H, W) bool
    probability: np.ndarray | None  # (H, W) float64 in [0, 1]
    uncertainty: np.ndarray | None  # (H, W) float64
    resized: bool


def prepare_prediction(
    pred: np.ndarray,
    gt_shape: tuple[int, int],
    *,
    probability: np.ndarray | None = None,
    uncertainty: np.ndarray | None = None,
    threshold: float = 0.5,
) -> PreparedImage:
    """Validate a prediction and resize it (and its probability / uncertainty maps) to ``gt_shape``.

    ``pred`` is a bool mask, an integer mask with values in {0, 1}, or a float probability map in
    [0, 1]; a probability map is resized bilinearly and then thresholded (``p >= threshold`` is
    foreground), and is also used as ``probability`` when that is not given.
    """
    from ..decision import binarize, check_pixel_threshold

    try:
        check_pixel_threshold(threshold)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    arr = np.asarray(pred)
    if arr.ndim != 2:
        raise ValueError(f"prediction must be 2-D (H, W), got shape {arr.shape}")
    resized = arr.shape != tuple(gt_shape)
    if arr.dtype.kind in "iu":
        if not np.isin(np.unique(arr), (0, 1)).all():
            raise ValueError("an integer prediction must hold only 0 and 1; pass a bool mask or float probabilities")
        arr = arr.astype(bool)
    if arr.dtype == bool:
        mask = resize_prediction(arr, gt_shape)
    elif arr.dtype.kind == "f":
        arr = _check_probability(arr, "prediction")
        if probability is None:
            probability = arr
        mask = binarize(resize_prediction(arr, gt_shape), threshold)
    else:
        raise ValueError(f"prediction must be bool, {{0, 1}} integers or float probabilities, got dtype {arr.dtype}")
    prob = None
    if probability is not None:
        prob = _check_probability(np.asarray(probability), "probability")
        # Bilinear interpolation of values in [0, 1] stays in [0, 1] up to rounding; clip the rounding.
        prob = np.clip(resize_prediction(prob.astype(np.float64), gt_shape), 0.0, 1.0)
    unc = None
    if uncertainty is not None:
        u = np.asarray(uncertainty)
        if u.ndim != 2 or u.dtype.kind not in "fiu":
            raise ValueError(f"uncertainty must be a 2-D numeric map, got shape {u.shape} dtype {u.dtype}")
        if not np.isfinite(u).all():
            raise ValueError("uncertainty map contains NaN or inf")
        unc = resize_prediction(u.astype(np.float64), gt_shape)
    return PreparedImage(mask=mask, probability=prob, uncertainty=unc, resized=resized)


def score_image(
    pred: np.ndarray,
    gt: np.ndarray,
    *,
    id: str = "",
    dataset: str | None = None,
    spacing: Spacing | None = None,
    probability: np.ndarray | None = None,
    uncertainty: np.ndarray | None = None,
    threshold: float = 0.5,
    tolerance: float = 2.0,
    empty_policy: EmptyPolicy = "exclude",
    n_bins: int = 15,
) -> ImageScores:
    """Score one prediction against its ground truth ``gt`` (bool ``(H, W)``) at ``gt``'s resolution.

    ``pred``: bool mask or float probability map of any size (resized to ``gt`` first, see
    :func:`resize_prediction` and :func:`prepare_prediction`). ``probability`` (float in [0, 1])
    adds the expected calibration error; ``uncertainty`` (any real-valued map, higher = less sure)
    adds the AUROC of the uncertainty for the label "pixel is wrong" (``mask != gt``). ``tolerance``
    (NSD) and HD95 are in pixels, or in mm when ``spacing = (row_mm, col_mm)`` is given.

    ``empty_policy`` decides how an image with an empty ground truth is scored, see
    :data:`EMPTY_POLICIES`.
    """
    check_choice("empty_policy", empty_policy, EMPTY_POLICIES)
    g = np.asarray(gt)
    if g.ndim != 2 or g.dtype != bool:
        raise ValueError(f"ground truth must be a bool array (H, W), got shape {g.shape} dtype {g.dtype}")
    prep = prepare_prediction(pred, g.shape, probability=probability, uncertainty=uncertainty, threshold=threshold)
    return score_prepared(
        prep, g, id=id, dataset=dataset, spacing=spacing, tolerance=tolerance, empty_policy=empty_policy, n_bins=n_bins
    )


def score_prepared(
    prep: PreparedImage,
    gt: np.ndarray,
    *,
    id: str,
    dataset: str | None,
    spacing: Spacing | None,
    tolerance: float,
    empty_policy: EmptyPolicy,
    n_bins: int,
) -> ImageScores:
    """:func:`score_image` on an already prepared prediction (shared with the accumulator)."""
    from .calibration import expected_calibration_error, uncertainty_error_auroc

    mask = prep.mask
    gt_empty, pred_empty = not gt.any(), not mask.any()
    d, j = dice(mask, gt), iou(mask, gt)
    h, s = hd95(mask, gt, spacing=spacing), nsd(mask, gt, tolerance=tolerance, spacing=spacing)
    scored = True
    if gt_empty:
        if empty_policy == "exclude":
            scored = False
        elif pred_empty:  # one_if_both_empty: an empty prediction of an empty target is perfect
            d, j, s, h = 1.0, 1.0, 1.0, 0.0
    ece = expected_calibration_error(prep.probability, gt, n_bins=n_bins) if prep.probability is not None else None
    auroc = uncertainty_error_auroc(prep.uncertainty, mask != gt) if prep.uncertainty is not None else None
    return ImageScores(
        id=id, dataset=dataset, dice=d, iou=j, hd95=h, nsd=s, gt_empty=gt_empty, pred_empty=pred_empty,
        gt_fraction=float(gt.mean()), pred_fraction=float(mask.mean()), scored=scored,
        distance_unit="px" if spacing is None else "mm", resized=prep.resized,
        tp=int(np.count_nonzero(mask & gt)), fp=int(np.count_nonzero(mask & ~gt)), fn=int(np.count_nonzero(~mask & gt)),
        ece=ece, unc_auroc=auroc,
    )


# ----------------------------------------------------------------------------------------- helpers


def _check_pair(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, g = np.asarray(pred), np.asarray(gt)
    if p.dtype != bool or g.dtype != bool:
        # Strict on purpose: a probability map passed here by mistake would be silently binarised.
        raise TypeError(f"masks must be bool arrays, got {p.dtype} and {g.dtype} (threshold probabilities first)")
    if p.ndim != 2 or p.shape != g.shape:
        raise ValueError(f"masks must be 2-D with the same shape, got {p.shape} and {g.shape}")
    return p, g


def _check_spacing(spacing: Spacing | None) -> Spacing | None:
    if spacing is None:
        return None
    try:
        sp = tuple(float(s) for s in spacing)
    except TypeError:
        raise ValueError(f"spacing must be (row_mm, col_mm), got {spacing!r}") from None
    if len(sp) != 2 or not all(math.isfinite(s) and s > 0 for s in sp):
        raise ValueError(f"spacing must be two positive finite numbers (row_mm, col_mm), got {spacing!r}")
    return sp  # type: ignore[return-value]


def _check_probability(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.ndim != 2 or arr.dtype.kind != "f":
        raise ValueError(f"{what} must be a 2-D float map, got shape {arr.shape} dtype {arr.dtype}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or inf")
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0 or hi > 1:
        raise ValueError(f"{what} must lie in [0, 1], got values in [{lo:.4g}, {hi:.4g}] (apply a sigmoid first)")
    return arr


def _one_hot(mask: np.ndarray) -> torch.Tensor:
    """``(H, W)`` bool -> ``(B=1, C=1, H, W)`` float64: a batch of one, the single channel is the foreground."""
    return torch.from_numpy(mask.astype(np.float64))[None, None]


@contextlib.contextmanager
def _quiet_monai() -> Iterator[None]:
    # MONAI 1.5-1.6 passes its own deprecated argument internally (get_mask_edges'
    # always_return_as_numpy); the warning is about MONAI, not about this call.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*always_return_as_numpy.*", category=FutureWarning)
        yield
