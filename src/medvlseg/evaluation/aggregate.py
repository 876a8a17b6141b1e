"""Accumulating per-image scores over a dataset into a summary (like MONAI's Cumulative metrics).

Summary conventions:

- Means, standard deviations (sample SD, ``ddof=1``; ``None`` with fewer than two values) and
  medians are taken over the *scored* images (see the empty-ground-truth policy in
  :data:`~medvlseg.evaluation.metrics.EMPTY_POLICIES`) whose value is finite; the number of
  non-finite (NaN) values among the scored images is reported as ``n_nan`` beside each metric,
  because HD95 is undefined for an empty prediction and dropping those silently flatters a model.
- The empty-ground-truth block is reported whatever the policy: how many images have an empty
  ground truth, how many of those were predicted empty, the false-positive rate (share of them
  with a non-empty prediction) and their mean predicted foreground fraction.
- Calibration uses every image that has a probability (or uncertainty) map, empty ground truth or
  not, since every pixel has a label: ``ece`` is pooled over all pixels
  (:class:`~medvlseg.evaluation.calibration.CalibrationHistogram`), ``ece_mean_per_image`` is the
  mean of the per-image values; ``unc_auroc_mean_per_image`` averages the exact per-image AUROCs
  (NaN ones counted and skipped) and ``unc_auroc_pooled`` is the binned pooled AUROC
  (:class:`~medvlseg.evaluation.calibration.ErrorAUROCHistogram`).
- ``dice_pooled`` is the Dice of all pixels of all images taken together,
  ``2 ΣTP / (2 ΣTP + ΣFP + ΣFN)``, every image counted (an empty ground truth adds its false
  positives), whatever the empty-ground-truth policy. It is the "data-based" Dice of the FUSeg
  organisers' evaluation script (uwm-bigdata/wound-segmentation, ``evaluate_with_post_processing.py``;
  Wang et al., Sci Rep 2020), in which wound-segmentation results are often published. A large
  wound or a large image weighs more than a small one, so it is usually above the per-image mean.
  Reported beside the mean, never instead of it.
- When the samples come from more than one dataset, ``per_dataset`` holds the same block per
  dataset. Undefined numbers are ``None`` so that the summary is valid JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from ..decision import PIXEL_RULE, check_pixel_threshold
from ..errors import ConfigError
from ..utils import check_choice
from .calibration import CalibrationHistogram, ErrorAUROCHistogram
from .metrics import EMPTY_POLICIES, EmptyPolicy, ImageScores, Spacing, prepare_prediction, score_prepared

__all__ = ["METRIC_NAMES", "SegmentationMetrics", "summarise"]

METRIC_NAMES = ("dice", "iou", "hd95", "nsd")


class SegmentationMetrics:
    """Scores images one at a time and summarises them.

    >>> m = SegmentationMetrics(empty_policy="exclude")
    >>> m.update("case1", pred_mask, gt_mask, spacing=None)        # doctest: +SKIP
    >>> m.summary()["metrics"]["dice"]["mean"]                     # doctest: +SKIP

    ``threshold`` binarises probability predictions (``p >= threshold``); ``tolerance`` is NSD's
    tolerance, in pixels for images without spacing and in mm for images with one; ``n_bins`` is
    the number of ECE bins; ``auroc_bins`` and ``uncertainty_range`` set the pooled AUROC
    histogram.
    """

    def __init__(
        self,
        *,
        empty_policy: EmptyPolicy = "exclude",
        threshold: float = 0.5,
        tolerance: float = 2.0,
        n_bins: int = 15,
        auroc_bins: int = 4096,
        uncertainty_range: tuple[float, float] = (0.0, 1.0),
    ) -> None:
        self.empty_policy: EmptyPolicy = check_choice("empty_policy", empty_policy, EMPTY_POLICIES)  # type: ignore[assignment]
        check_pixel_threshold(threshold)
        if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
            raise ConfigError(f"tolerance: must be a finite number >= 0, got {tolerance!r}")
        if not (isinstance(n_bins, int) and n_bins >= 1):
            raise ConfigError(f"n_bins: must be a positive integer, got {n_bins!r}")
        self.threshold, self.tolerance, self.n_bins = float(threshold), float(tolerance), n_bins
        try:
            ErrorAUROCHistogram(auroc_bins, uncertainty_range)
        except ValueError as exc:
            raise ConfigError(f"auroc_bins / uncertainty_range: {exc}") from None
        self.auroc_bins, self.uncertainty_range = auroc_bins, (float(uncertainty_range[0]), float(uncertainty_range[1]))
        self.reset()

    def reset(self) -> None:
        self._rows: list[ImageScores] = []
        self._keys: set[tuple[str | None, str]] = set()
        self._calibration: dict[str | None, CalibrationHistogram] = {}
        self._auroc: dict[str | None, ErrorAUROCHistogram] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def update(
        self,
        id: str,
        pred: np.ndarray,
        gt: np.ndarray,
        *,
        spacing: Spacing | None = None,
        probability: np.ndarray | None = None,
        uncertainty: np.ndarray | None = None,
        dataset: str | None = None,
    ) -> ImageScores:
        """Score one image (see :func:`~medvlseg.evaluation.metrics.score_image`) and keep the result."""
        key = (dataset, id)
        if key in self._keys:
            raise ValueError(f"image {id!r} (dataset {dataset!r}) was already scored")
        g = np.asarray(gt)
        if g.ndim != 2 or g.dtype != bool:
            raise ValueError(f"{id}: ground truth must be a bool array (H, W), got shape {g.shape} dtype {g.dtype}")
        prep = prepare_prediction(pred, g.shape, probability=probability, uncertainty=uncertainty, threshold=self.threshold)
        row = score_prepared(
            prep, g, id=id, dataset=dataset, spacing=spacing, tolerance=self.tolerance,
            empty_policy=self.empty_policy, n_bins=self.n_bins,
        )
        if prep.probability is not None:
            self._calibration.setdefault(dataset, CalibrationHistogram(self.n_bins)).update(prep.probability, g)
        if prep.uncertainty is not None:
            hist = self._auroc.setdefault(dataset, ErrorAUROCHistogram(self.auroc_bins, self.uncertainty_range))
            hist.update(prep.uncertainty, prep.mask != g)
        self._keys.add(key)
        self._rows.append(row)
        return row

    def per_image(self) -> list[ImageScores]:
        """One :class:`ImageScores` per image, in the order they were added."""
        return list(self._rows)

    def summary(self) -> dict:
        """The summary dict (module docstring); ``per_dataset`` only when there are several datasets."""
        calib = CalibrationHistogram(self.n_bins)
        for c in self._calibration.values():
            calib.merge(c)
        auroc = ErrorAUROCHistogram(self.auroc_bins, self.uncertainty_range)
        for a in self._auroc.values():
            auroc.merge(a)
        out = summarise(self._rows, calibration=calib, auroc=auroc, **self.settings())
        datasets = sorted({r.dataset for r in self._rows}, key=lambda d: (d is None, d or ""))
        if len(datasets) > 1:
            out["per_dataset"] = {
                (d if d is not None else "(unnamed)"): summarise(
                    [r for r in self._rows if r.dataset == d],
                    calibration=self._calibration.get(d), auroc=self._auroc.get(d), **self.settings(),
                )
                for d in datasets
            }
        return out

    def settings(self) -> dict:
        """The settings :func:`summarise` takes (for summaries of a subset of the rows)."""
        return {
            "empty_policy": self.empty_policy, "threshold": self.threshold, "tolerance": self.tolerance,
            "n_bins": self.n_bins, "auroc_bins": self.auroc_bins, "uncertainty_range": self.uncertainty_range,
        }


def summarise(
    rows: Sequence[ImageScores],
    *,
    empty_policy: EmptyPolicy,
    threshold: float,
    tolerance: float,
    n_bins: int,
    auroc_bins: int,
    uncertainty_range: tuple[float, float],
    calibration: CalibrationHistogram | None = None,
    auroc: ErrorAUROCHistogram | None = None,
) -> dict:
    """Summary of a list of per-image rows (module docstring for the conventions)."""
    scored = [r for r in rows if r.scored]
    units = sorted({r.distance_unit for r in rows})
    unit = units[0] if len(units) == 1 else ("mixed" if units else "px")
    metrics: dict[str, dict] = {}
    for name in METRIC_NAMES:
        if name == "hd95" and unit == "mixed":
            # A mean of pixels and millimetres means nothing: one block per unit.
            for u in units:
                metrics[f"hd95_{u}"] = _stats([r.hd95 for r in scored if r.distance_unit == u])
        else:
            metrics[name] = _stats([getattr(r, name) for r in scored])
    empty = [r for r in rows if r.gt_empty]
    n_fp = sum(not r.pred_empty for r in empty)
    nonempty = [r for r in rows if not r.gt_empty]
    out: dict = {
        "n": len(rows),
        "n_scored": len(scored),
        "empty_policy": empty_policy,
        "empty_policy_description": EMPTY_POLICIES[empty_policy],
        "threshold": threshold,
        "threshold_rule": PIXEL_RULE,
        "tolerance": tolerance,
        "distance_unit": unit,
        "tolerance_unit": "px where spacing is unknown, mm where it is known" if unit == "mixed" else unit,
        "n_resized": sum(r.resized for r in rows),
        "metrics": metrics,
        "dice_pooled": _pooled_dice(rows),
        "empty_gt": {
            "n": len(empty),
            "n_pred_empty": len(empty) - n_fp,
            "n_pred_nonempty": n_fp,
            "false_positive_rate": _finite_or_none(n_fp / len(empty)) if empty else None,
            "mean_pred_fraction": _finite_or_none(float(np.mean([r.pred_fraction for r in empty]))) if empty else None,
        },
        "nonempty_gt": {
            "n": len(nonempty),
            "n_pred_empty": sum(r.pred_empty for r in nonempty),  # missed targets: HD95 is NaN there
        },
        "calibration": _calibration_block(rows, calibration, auroc, n_bins, auroc_bins, uncertainty_range),
    }
    return out


def _pooled_dice(rows: Sequence[ImageScores]) -> dict:
    tp, fp, fn = (sum(getattr(r, k) for r in rows) for k in ("tp", "fp", "fn"))
    denominator = 2 * tp + fp + fn
    return {
        "value": 2 * tp / denominator if denominator else None,
        "n_images": len(rows),
        "tp": tp, "fp": fp, "fn": fn,
        "definition": "2 sum(TP) / (2 sum(TP) + sum(FP) + sum(FN)) over every pixel of every image, empty ground truths included",
    }


def _calibration_block(
    rows: Sequence[ImageScores],
    calibration: CalibrationHistogram | None,
    auroc: ErrorAUROCHistogram | None,
    n_bins: int,
    auroc_bins: int,
    uncertainty_range: tuple[float, float],
) -> dict:
    eces = [r.ece for r in rows if r.ece is not None]
    aurocs = [r.unc_auroc for r in rows if r.unc_auroc is not None]
    finite_aurocs = [a for a in aurocs if math.isfinite(a)]
    return {
        "n_images_probability": len(eces),
        "ece": _finite_or_none(calibration.ece()) if calibration is not None and calibration.n else None,
        "ece_mean_per_image": _finite_or_none(float(np.mean(eces))) if eces else None,
        "ece_bins": n_bins,
        "ece_definition": "sum_b n_b/N |mean(y) - mean(p)| over equal-width bins of the foreground probability in [0, 1]",
        "n_images_uncertainty": len(aurocs),
        "unc_auroc_mean_per_image": _finite_or_none(float(np.mean(finite_aurocs))) if finite_aurocs else None,
        "unc_auroc_n_nan": len(aurocs) - len(finite_aurocs),
        "unc_auroc_pooled": _finite_or_none(auroc.auroc()) if auroc is not None and auroc.n else None,
        "unc_auroc_pooled_bins": auroc_bins,
        "uncertainty_range": list(uncertainty_range),
        "uncertainty_n_clipped": auroc.n_clipped if auroc is not None else 0,
    }


def _stats(values: Iterable[float]) -> dict:
    vals = list(values)
    finite = np.array([v for v in vals if v is not None and math.isfinite(v)], dtype=np.float64)
    n = int(finite.size)
    return {
        "mean": float(finite.mean()) if n else None,
        "std": float(finite.std(ddof=1)) if n >= 2 else None,
        "median": float(np.median(finite)) if n else None,
        "n": n,
        "n_nan": len(vals) - n,
    }


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
