"""Expected calibration error and the AUROC of uncertainty for errors: against a numpy transcription
and scikit-learn, on synthetic cases with known answers, and when accumulated over images."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _metrics_reference import np_ece
from sklearn.metrics import roc_auc_score

from medvlseg.evaluation import (
    CalibrationHistogram,
    ErrorAUROCHistogram,
    expected_calibration_error,
    uncertainty_error_auroc,
)

# ------------------------------------------------------------------------------------------- ECE


@pytest.mark.parametrize("n_bins", [1, 2, 10, 15, 20])
@pytest.mark.parametrize("seed,shape", [(0, (32, 32)), (1, (17, 45)), (2, (100,)), (3, (8, 8))])
def test_ece_matches_transcription(seed, shape, n_bins):
    rng = np.random.default_rng(seed)
    p = rng.random(shape) ** rng.uniform(0.5, 2.0)
    y = rng.random(shape) < np.clip(p + rng.normal(0, 0.2, shape), 0, 1)
    assert expected_calibration_error(p, y, n_bins=n_bins) == pytest.approx(np_ece(p, y, n_bins), abs=1e-12)


@pytest.mark.parametrize("n_bins", [3, 10, 15])
def test_ece_probabilities_on_bin_edges(n_bins):
    """p = b/B goes to the bin that starts at b/B; p = 1 goes to the last bin."""
    rng = np.random.default_rng(4)
    # Edge values mixed with values inside the bins, so that the bin an edge value joins matters.
    p = np.concatenate([rng.integers(0, n_bins + 1, size=300) / n_bins, rng.random(300)])
    y = rng.random(600) < np.where(np.arange(600) % 2 == 0, 0.1, 0.9)
    assert expected_calibration_error(p, y, n_bins=n_bins) == pytest.approx(np_ece(p, y, n_bins), abs=1e-12)


def test_ece_hand_example():
    # Two bins. Bin [0, .5): p = .1, .3 (mean .2), y = 0, 1 (freq .5) -> |.5 - .2| = .3
    # Bin [.5, 1]: p = .9, 1.0 (mean .95), y = 1, 1 (freq 1) -> .05. ECE = (2·.3 + 2·.05) / 4 = .175
    p = np.array([0.1, 0.3, 0.9, 1.0])
    y = np.array([False, True, True, True])
    assert expected_calibration_error(p, y, n_bins=2) == pytest.approx(0.175)


def test_ece_value_on_an_edge_joins_the_upper_bin():
    # Bin [0, .5): p = .25, y = 1 -> |1 - .25| = .75. Bin [.5, 1]: p = .5, .75, y = 0, 1 -> |1 - 1.25| = .25.
    # ECE = (.75 + .25) / 3. (Were .5 in the lower bin: (|1 - .75| + |1 - .75|) / 3 = .5 / 3.)
    p = np.array([0.25, 0.5, 0.75])
    y = np.array([True, False, True])
    assert expected_calibration_error(p, y, n_bins=2) == pytest.approx(1.0 / 3)


def test_ece_calibrated_is_near_zero_and_overconfident_is_not():
    rng = np.random.default_rng(0)
    p_true = rng.random(200_000)
    y = rng.random(200_000) < p_true  # y ~ Bernoulli(p): perfectly calibrated
    assert expected_calibration_error(p_true, y) < 0.01
    # Over-confident: report 0.99 / 0.01 where the truth is p. The frequency of y among p > .5 is
    # E[p | p > .5] = .75, so ECE = |.75 − .99| = .24 (symmetric on the other side).
    p_over = np.where(p_true > 0.5, 0.99, 0.01)
    assert expected_calibration_error(p_over, y) == pytest.approx(0.24, abs=0.01)


def test_ece_histogram_accumulates_pixels_over_images():
    rng = np.random.default_rng(9)
    images = [(rng.random(shape), rng.random(shape) < 0.3) for shape in [(10, 12), (30, 7), (5, 5)]]
    hist = CalibrationHistogram(n_bins=15)
    for p, y in images:
        hist.update(p, y)
    all_p = np.concatenate([p.ravel() for p, _ in images])
    all_y = np.concatenate([y.ravel() for _, y in images])
    assert hist.n == all_p.size
    assert hist.ece() == pytest.approx(np_ece(all_p, all_y, 15), abs=1e-12)
    # merging two half-histograms gives the same
    a, b = CalibrationHistogram(15), CalibrationHistogram(15)
    a.update(*images[0])
    b.update(*images[1])
    b.update(*images[2])
    assert a.merge(b).ece() == pytest.approx(hist.ece(), abs=1e-12)
    rel = hist.reliability()
    assert len(rel) == 15 and sum(r["count"] for r in rel) == all_p.size


def test_ece_empty_histogram_is_nan_and_inputs_are_checked():
    assert math.isnan(CalibrationHistogram().ece())
    with pytest.raises(ValueError):
        expected_calibration_error(np.array([1.2]), np.array([True]))
    with pytest.raises(TypeError):
        expected_calibration_error(np.array([0.2]), np.array([1]))
    with pytest.raises(ValueError):
        expected_calibration_error(np.zeros(3), np.zeros(4, bool))
    with pytest.raises(ValueError):
        CalibrationHistogram(n_bins=0)


# ----------------------------------------------------------------------------------------- AUROC


@pytest.mark.parametrize(
    "seed,n,prevalence,decimals",
    [(0, 1000, 0.1, None), (1, 500, 0.5, None), (2, 2000, 0.03, 1), (3, 300, 0.7, 0), (4, 64, 0.2, 2)],
)
def test_auroc_matches_sklearn(seed, n, prevalence, decimals):
    rng = np.random.default_rng(seed)
    wrong = rng.random(n) < prevalence
    u = rng.random(n) + 0.5 * wrong  # informative, with ties when rounded
    if decimals is not None:
        u = np.round(u, decimals)
    shape = (n // 4, 4) if n % 4 == 0 else (n,)
    got = uncertainty_error_auroc(u.reshape(shape), wrong.reshape(shape))
    assert got == pytest.approx(roc_auc_score(wrong, u), abs=1e-12)


def test_auroc_extremes():
    wrong = np.array([False, False, True, True])
    assert uncertainty_error_auroc(np.array([0.1, 0.2, 0.8, 0.9]), wrong) == 1.0
    assert uncertainty_error_auroc(np.array([0.9, 0.8, 0.2, 0.1]), wrong) == 0.0
    assert uncertainty_error_auroc(np.full(4, 0.3), wrong) == 0.5  # all tied: uninformative
    assert math.isnan(uncertainty_error_auroc(np.random.default_rng(0).random(5), np.zeros(5, bool)))  # all right
    assert math.isnan(uncertainty_error_auroc(np.random.default_rng(0).random(5), np.ones(5, bool)))  # all wrong
    with pytest.raises(ValueError):
        uncertainty_error_auroc(np.array([np.nan, 0.1]), np.array([True, False]))


def test_auroc_histogram_is_exact_on_binned_scores():
    """Scores that sit at bin centres lose nothing to binning: equal to sklearn over all images."""
    rng = np.random.default_rng(1)
    n_bins = 64
    hist = ErrorAUROCHistogram(n_bins=n_bins, value_range=(0.0, 2.0))
    all_u, all_w = [], []
    for shape in [(20, 20), (13, 9), (40, 3)]:
        wrong = rng.random(shape) < 0.2
        k = rng.integers(0, n_bins, size=shape) + (wrong * rng.integers(0, 20, size=shape))
        u = (np.minimum(k, n_bins - 1) + 0.5) * 2.0 / n_bins
        hist.update(u, wrong)
        all_u.append(u.ravel())
        all_w.append(wrong.ravel())
    u, w = np.concatenate(all_u), np.concatenate(all_w)
    assert hist.n == u.size and hist.n_clipped == 0
    assert hist.auroc() == pytest.approx(roc_auc_score(w, u), abs=1e-12)


def test_auroc_histogram_approximates_continuous_scores_and_counts_clipping():
    rng = np.random.default_rng(2)
    wrong = rng.random(20_000) < 0.1
    u = rng.beta(2, 5, 20_000) + 0.2 * wrong
    hist = ErrorAUROCHistogram()  # 4096 bins over [0, 1]
    hist.update(u, wrong)
    assert hist.auroc() == pytest.approx(roc_auc_score(wrong, u), abs=1e-3)
    assert hist.n_clipped == int((u > 1).sum())
    assert math.isnan(ErrorAUROCHistogram().auroc())
    with pytest.raises(ValueError):
        ErrorAUROCHistogram(value_range=(1.0, 1.0))
