"""Calibration of probability maps and usefulness of uncertainty maps, per pixel.

Expected calibration error (Naeini et al. 2015; Guo et al. 2017, arXiv:1706.04599; for
segmentation, Mehrtash et al. 2020, arXiv:1911.13273), in its binary "reliability diagram of the
foreground probability" form:

    Pixels ``i = 1..N`` with foreground probability ``p_i`` and label ``y_i ∈ {0, 1}`` fall in
    ``B`` equal-width bins over ``[0, 1]`` (bin ``b`` = ``[b/B, (b+1)/B)``, the last bin also
    holds 1.0). With ``n_b`` pixels in bin ``b``, ``conf_b = mean(p_i)`` and
    ``freq_b = mean(y_i)`` over the bin::

        ECE = Σ_b (n_b / N) · |freq_b − conf_b|  =  (1/N) · Σ_b |Σ_{i∈b} y_i − Σ_{i∈b} p_i|

This is the form of torchmetrics' ``BinaryCalibrationError``. It differs from Guo et al.'s
top-label form (confidence ``max(p, 1−p)``, accuracy of ``p ≥ 0.5``), which pools ``p`` with
``1 − p`` in one bin and can let an over- and an under-estimate cancel; the form here cannot.
Empty bins contribute nothing. A dataset's ECE comes from one histogram summed over all its pixels
(:class:`CalibrationHistogram`): exact, with every pixel weighted equally.

Uncertainty for errors: the AUROC of the uncertainty score as a detector of the binary label
"pixel is wrong" (prediction ≠ ground truth), computed through the Mann–Whitney U statistic
(Hanley & McNeil 1982) with ties given half credit::

    AUROC = (R_wrong − n_wrong (n_wrong + 1) / 2) / (n_wrong · n_right)

where ``R_wrong`` is the sum of the (tie-averaged) ranks of the wrong pixels' uncertainties. It
is undefined (NaN) when every pixel is right or every pixel is wrong. Over a dataset,
:class:`ErrorAUROCHistogram` pools all pixels in a fixed-bin histogram of the uncertainty per
class: the result is the exact AUROC of the uncertainty quantised to its bins (pairs within one
bin count as ties), so it differs from the unquantised AUROC by at most half the share of
(wrong, right) pixel pairs that share a bin.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "CalibrationHistogram",
    "ErrorAUROCHistogram",
    "expected_calibration_error",
    "uncertainty_error_auroc",
]


class CalibrationHistogram:
    """Accumulates ``(count, Σp, Σy)`` per probability bin over any number of images.

    ``update`` takes a probability map and a boolean target of the same shape (any number of
    dimensions); ``ece()`` gives the pooled expected calibration error (module docstring).
    """

    def __init__(self, n_bins: int = 15) -> None:
        if not (isinstance(n_bins, int) and n_bins >= 1):
            raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
        self.n_bins = n_bins
        # b / B by division (not linspace's b * (1/B)) so that p = b/B lands exactly on edge b.
        self.edges = np.arange(n_bins + 1) / n_bins
        self.count = np.zeros(n_bins, dtype=np.int64)
        self.sum_probability = np.zeros(n_bins, dtype=np.float64)
        self.sum_target = np.zeros(n_bins, dtype=np.float64)

    def update(self, probability: np.ndarray, target: np.ndarray) -> None:
        p, y = _flat_pair(probability, target, "probability", "target")
        if p.size and (not np.isfinite(p).all() or p.min() < 0 or p.max() > 1):
            raise ValueError("probability must be finite and lie in [0, 1]")
        # side="right" puts a value equal to an edge in the bin that starts at that edge; 1.0 goes
        # to the last bin.
        idx = np.clip(np.searchsorted(self.edges, p, side="right") - 1, 0, self.n_bins - 1)
        self.count += np.bincount(idx, minlength=self.n_bins)
        self.sum_probability += np.bincount(idx, weights=p, minlength=self.n_bins)
        self.sum_target += np.bincount(idx, weights=y.astype(np.float64), minlength=self.n_bins)

    def merge(self, other: CalibrationHistogram) -> CalibrationHistogram:
        """Add ``other``'s counts into this histogram (same ``n_bins``); returns ``self``."""
        if other.n_bins != self.n_bins:
            raise ValueError(f"cannot merge histograms with {self.n_bins} and {other.n_bins} bins")
        self.count += other.count
        self.sum_probability += other.sum_probability
        self.sum_target += other.sum_target
        return self

    @property
    def n(self) -> int:
        return int(self.count.sum())

    def ece(self) -> float:
        """``(1/N) Σ_b |Σy − Σp|``; NaN when no pixel was added."""
        if self.n == 0:
            return math.nan
        return float(np.abs(self.sum_target - self.sum_probability).sum() / self.n)

    def reliability(self) -> list[dict[str, float]]:
        """Per bin: ``lo``, ``hi``, ``count``, ``confidence`` (mean p), ``frequency`` (mean y); NaN for empty bins."""
        rows = []
        for b in range(self.n_bins):
            c = int(self.count[b])
            rows.append({
                "lo": float(self.edges[b]), "hi": float(self.edges[b + 1]), "count": c,
                "confidence": float(self.sum_probability[b] / c) if c else math.nan,
                "frequency": float(self.sum_target[b] / c) if c else math.nan,
            })
        return rows


def expected_calibration_error(probability: np.ndarray, target: np.ndarray, n_bins: int = 15) -> float:
    """Binary expected calibration error of a probability map against a boolean target.

    ``ECE = Σ_b (n_b/N) |freq_b − conf_b|`` over ``n_bins`` equal-width bins of ``p`` in [0, 1]
    (see the module docstring). Arrays of any (equal) shape, e.g. ``(H, W)``.
    """
    hist = CalibrationHistogram(n_bins)
    hist.update(probability, target)
    return hist.ece()


def uncertainty_error_auroc(uncertainty: np.ndarray, error: np.ndarray) -> float:
    """AUROC of ``uncertainty`` (higher = less sure) for the boolean label ``error`` ("pixel is wrong").

    Exact, via tie-averaged ranks (Mann–Whitney U, module docstring). 0.5 = uninformative, 1 =
    every wrong pixel is more uncertain than every right one. NaN when ``error`` is all True or
    all False. Arrays of any (equal) shape.
    """
    u, e = _flat_pair(uncertainty, error, "uncertainty", "error")
    if not np.isfinite(u).all():
        raise ValueError("uncertainty contains NaN or inf")
    n_wrong = int(e.sum())
    n_right = e.size - n_wrong
    if n_wrong == 0 or n_right == 0:
        return math.nan
    ranks = rankdata(u)  # 1-based, ties get their average rank
    u_stat = float(ranks[e].sum()) - n_wrong * (n_wrong + 1) / 2.0
    return u_stat / (float(n_wrong) * float(n_right))


class ErrorAUROCHistogram:
    """Pools (uncertainty, is-wrong) pixels over many images in ``n_bins`` equal-width bins.

    Bins cover ``value_range`` (default ``(0, 1)``); values outside it are clipped into the end
    bins and counted in ``n_clipped`` (choose the range to fit the uncertainty in use, e.g.
    ``(0, ln 2)`` for entropy in nats). ``auroc()`` is the exact AUROC of the binned uncertainty
    (module docstring).
    """

    def __init__(self, n_bins: int = 4096, value_range: tuple[float, float] = (0.0, 1.0)) -> None:
        lo, hi = (float(v) for v in value_range)
        if not (isinstance(n_bins, int) and n_bins >= 1):
            raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError(f"value_range must be two finite numbers lo < hi, got {value_range!r}")
        self.n_bins, self.value_range = n_bins, (lo, hi)
        self.wrong = np.zeros(n_bins, dtype=np.int64)
        self.right = np.zeros(n_bins, dtype=np.int64)
        self.n_clipped = 0

    def update(self, uncertainty: np.ndarray, error: np.ndarray) -> None:
        u, e = _flat_pair(uncertainty, error, "uncertainty", "error")
        if not np.isfinite(u).all():
            raise ValueError("uncertainty contains NaN or inf")
        lo, hi = self.value_range
        self.n_clipped += int(((u < lo) | (u > hi)).sum())
        idx = np.clip(np.floor((u - lo) / (hi - lo) * self.n_bins), 0, self.n_bins - 1).astype(np.int64)
        self.wrong += np.bincount(idx[e], minlength=self.n_bins)
        self.right += np.bincount(idx[~e], minlength=self.n_bins)

    def merge(self, other: ErrorAUROCHistogram) -> ErrorAUROCHistogram:
        if (other.n_bins, other.value_range) != (self.n_bins, self.value_range):
            raise ValueError("cannot merge AUROC histograms with different bins")
        self.wrong += other.wrong
        self.right += other.right
        self.n_clipped += other.n_clipped
        return self

    @property
    def n(self) -> int:
        return int(self.wrong.sum() + self.right.sum())

    def auroc(self) -> float:
        """``Σ_b wrong_b (right_below_b + right_b / 2) / (n_wrong n_right)``; NaN if a class is absent."""
        n_wrong, n_right = float(self.wrong.sum()), float(self.right.sum())
        if n_wrong == 0 or n_right == 0:
            return math.nan
        right = self.right.astype(np.float64)
        right_below = np.cumsum(right) - right
        return float((self.wrong.astype(np.float64) * (right_below + 0.5 * right)).sum() / (n_wrong * n_right))


def _flat_pair(values: np.ndarray, labels: np.ndarray, vname: str, lname: str) -> tuple[np.ndarray, np.ndarray]:
    v, y = np.asarray(values), np.asarray(labels)
    if v.shape != y.shape:
        raise ValueError(f"{vname} and {lname} must have the same shape, got {v.shape} and {y.shape}")
    if y.dtype != bool:
        raise TypeError(f"{lname} must be a bool array, got {y.dtype}")
    if v.dtype.kind not in "fiu":
        raise TypeError(f"{vname} must be numeric, got {v.dtype}")
    return v.astype(np.float64, copy=False).ravel(), y.ravel()
