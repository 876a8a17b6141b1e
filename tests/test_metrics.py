"""Per-image metrics: against numpy transcriptions, hand-made shapes, MONAI's own metric classes;
empty cases; resizing predictions to the ground truth's resolution; score_image."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from _metrics_reference import (
    blob_mask,
    np_bilinear,
    np_dice,
    np_hd95,
    np_iou,
    np_nearest,
    np_nsd,
    square,
)

from medvlseg.evaluation import dice, hd95, iou, nsd, resize_prediction, score_image

RANDOM_CASES = [
    # (seed, shape, sigma): sigma 0 = i.i.d. noise (many tiny components), else smooth blobs
    (0, (32, 40), 2.0),
    (1, (48, 48), 3.0),
    (2, (25, 31), 1.5),
    (3, (40, 24), 0.0),
    (4, (64, 56), 4.0),
]


def _pair(seed, shape, sigma):
    rng = np.random.default_rng(seed)
    if sigma == 0:
        return rng.random(shape) > 0.6, rng.random(shape) > 0.6
    return blob_mask(rng, shape, sigma), blob_mask(rng, shape, sigma)


def _same(a: float, b: float, rel: float = 1e-6) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=rel, abs=1e-6)


# ------------------------------------------------------------------------------- vs transcriptions


@pytest.mark.parametrize("seed,shape,sigma", RANDOM_CASES)
def test_dice_iou_match_transcription(seed, shape, sigma):
    p, g = _pair(seed, shape, sigma)
    assert p.any() and g.any() and (p != g).any()
    assert dice(p, g) == pytest.approx(np_dice(p, g), rel=1e-6)
    assert iou(p, g) == pytest.approx(np_iou(p, g), rel=1e-6)


@pytest.mark.parametrize("spacing", [None, (2.0, 1.0), (0.5, 1.5)])
@pytest.mark.parametrize("seed,shape,sigma", RANDOM_CASES)
def test_distance_metrics_match_transcription(seed, shape, sigma, spacing):
    p, g = _pair(seed, shape, sigma)
    assert hd95(p, g, spacing=spacing) == pytest.approx(np_hd95(p, g, spacing), rel=1e-5)
    for tol in (0.0, 1.0, 2.0, 3.5):
        assert nsd(p, g, tolerance=tol, spacing=spacing) == pytest.approx(np_nsd(p, g, tol, spacing), rel=1e-6)


# ----------------------------------------------------------------------------------- known shapes


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("axis", [0, 1])
def test_offset_squares(k, axis):
    """Two s×s squares offset by k pixels: Dice (s−k)/s, IoU (s−k)/(s+k), HD95 = k exactly."""
    s = 12
    a = square((40, 40), 10, 10, s)
    b = square((40, 40), 10 + k * (axis == 0), 10 + k * (axis == 1), s)
    assert dice(a, b) == pytest.approx((s - k) / s, rel=1e-6)
    assert iou(a, b) == pytest.approx((s - k) / (s + k), rel=1e-6)
    assert hd95(a, b) == pytest.approx(k, abs=1e-6)
    assert nsd(a, b, tolerance=k) == pytest.approx(1.0)
    assert nsd(a, b, tolerance=k + 0.5) == pytest.approx(1.0)
    assert nsd(a, b, tolerance=k - 0.5) < 1.0
    # Spacing (row 2 mm, col 1 mm): a shift along the rows doubles, along the columns it stays.
    mm = k * (2.0 if axis == 0 else 1.0)
    assert hd95(a, b, spacing=(2.0, 1.0)) == pytest.approx(mm, abs=1e-6)
    assert nsd(a, b, tolerance=mm, spacing=(2.0, 1.0)) == pytest.approx(1.0)
    assert nsd(a, b, tolerance=mm - 0.5, spacing=(2.0, 1.0)) < 1.0


def test_nsd_tolerance_is_in_mm_with_spacing():
    a = square((40, 40), 10, 10, 12)
    b = square((40, 40), 13, 10, 12)  # 3 rows down = 6 mm at 2 mm per row
    assert nsd(a, b, tolerance=3.0) == pytest.approx(1.0)  # 3 px
    assert nsd(a, b, tolerance=3.0, spacing=(2.0, 1.0)) < 1.0  # 3 mm < 6 mm
    assert nsd(a, b, tolerance=6.0, spacing=(2.0, 1.0)) == pytest.approx(1.0)


def test_single_pixels_pythagoras():
    a, b = np.zeros((20, 20), bool), np.zeros((20, 20), bool)
    a[2, 3], b[5, 7] = True, True  # 3 rows, 4 columns apart
    assert hd95(a, b) == pytest.approx(5.0)
    assert hd95(a, b, spacing=(2.0, 1.0)) == pytest.approx(math.sqrt(6.0**2 + 4.0**2))
    assert nsd(a, b, tolerance=4.9) == 0.0
    assert nsd(a, b, tolerance=5.0) == 1.0
    assert dice(a, b) == 0.0


def test_identical_masks():
    m = blob_mask(np.random.default_rng(7), (30, 30))
    assert (dice(m, m), iou(m, m), hd95(m, m), nsd(m, m, tolerance=0.0)) == pytest.approx((1.0, 1.0, 0.0, 1.0))


# ------------------------------------------------------------------------------- vs MONAI classes


def test_batched_monai_metric_classes_agree():
    """Our per-image wrappers equal MONAI's cumulative metric classes on a (B, C=1, H, W) batch."""
    from monai.metrics import DiceMetric, HausdorffDistanceMetric, MeanIoU, SurfaceDiceMetric

    pairs = [_pair(seed, (36, 36), sigma) for seed, _, sigma in RANDOM_CASES]
    spacing = (2.0, 0.5)
    y_pred = torch.stack([torch.from_numpy(p).float()[None] for p, _ in pairs])
    y = torch.stack([torch.from_numpy(g).float()[None] for _, g in pairs])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        d = DiceMetric(include_background=True, reduction="none")(y_pred, y)[:, 0]
        j = MeanIoU(include_background=True, reduction="none")(y_pred, y)[:, 0]
        h = HausdorffDistanceMetric(include_background=True, percentile=95, reduction="none")(y_pred, y, spacing=list(spacing))[:, 0]
        s = SurfaceDiceMetric(class_thresholds=[2.0], include_background=True, reduction="none")(y_pred, y, spacing=list(spacing))[:, 0]
    for b, (p, g) in enumerate(pairs):
        assert dice(p, g) == pytest.approx(float(d[b]), rel=1e-6)
        assert iou(p, g) == pytest.approx(float(j[b]), rel=1e-6)
        assert hd95(p, g, spacing=spacing) == pytest.approx(float(h[b]), rel=1e-6)
        assert nsd(p, g, tolerance=2.0, spacing=spacing) == pytest.approx(float(s[b]), rel=1e-6)


# ------------------------------------------------------------------------------------- empty cases

_E = np.zeros((20, 20), bool)
_M = square((20, 20), 4, 4, 8)


@pytest.mark.parametrize(
    "pred,gt,expected",
    [
        # (dice, iou, hd95, nsd)
        (_E, _E, (math.nan, math.nan, math.nan, math.nan)),  # both empty: 0/0
        (_M, _E, (0.0, 0.0, math.nan, 0.0)),  # empty GT, non-empty prediction
        (_E, _M, (0.0, 0.0, math.nan, 0.0)),  # missed target
    ],
    ids=["both-empty", "gt-empty", "pred-empty"],
)
def test_empty_cases(pred, gt, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no MONAI warnings about empty masks either
        got = (dice(pred, gt), iou(pred, gt), hd95(pred, gt), nsd(pred, gt))
        got_mm = hd95(pred, gt, spacing=(1.0, 1.0))
    assert all(_same(a, b) for a, b in zip(got, expected)), got
    assert _same(got_mm, expected[2])
    # the transcriptions agree on these definitions
    assert all(_same(a, b) for a, b in zip(got, (np_dice(pred, gt), np_iou(pred, gt), np_hd95(pred, gt), np_nsd(pred, gt, 2.0))))


@pytest.mark.parametrize(
    "policy,pred,expected",
    [
        ("exclude", _E, dict(dice=math.nan, iou=math.nan, hd95=math.nan, nsd=math.nan, scored=False)),
        ("exclude", _M, dict(dice=0.0, iou=0.0, hd95=math.nan, nsd=0.0, scored=False)),
        ("one_if_both_empty", _E, dict(dice=1.0, iou=1.0, hd95=0.0, nsd=1.0, scored=True)),
        ("one_if_both_empty", _M, dict(dice=0.0, iou=0.0, hd95=math.nan, nsd=0.0, scored=True)),
    ],
)
def test_score_image_empty_gt_policy(policy, pred, expected):
    r = score_image(pred, _E, empty_policy=policy)
    assert r.gt_empty and r.pred_empty == (not pred.any())
    assert r.scored == expected.pop("scored")
    for name, value in expected.items():
        assert _same(getattr(r, name), value), (name, getattr(r, name))


def test_policy_does_not_touch_nonempty_gt():
    p, g = _pair(0, (32, 40), 2.0)
    a = score_image(p, g, empty_policy="exclude")
    b = score_image(p, g, empty_policy="one_if_both_empty")
    assert a == b and a.scored


# -------------------------------------------------------------------------------------- resolution


@pytest.mark.parametrize("small,big", [((12, 16), (24, 32)), ((10, 7), (30, 21)), ((16, 16), (40, 24))])
def test_resize_matches_transcriptions(small, big):
    rng = np.random.default_rng(11)
    prob = rng.random(small)
    np.testing.assert_allclose(resize_prediction(prob, big), np_bilinear(prob, big), atol=1e-12)
    mask = rng.random(small) > 0.5
    out = resize_prediction(mask, big)
    assert out.dtype == bool and np.array_equal(out, np_nearest(mask, big))


def test_half_size_probability_is_scored_at_gt_resolution():
    rng = np.random.default_rng(5)
    gt = blob_mask(rng, (64, 48), sigma=2.0)
    # A half-size probability map: a blurred, noisy version of the downsampled target.
    prob = np.clip(gt[::2, ::2] * 0.7 + rng.random((32, 24)) * 0.3, 0, 1)
    up = np_bilinear(prob, gt.shape) >= 0.5
    assert not np.any(np.abs(np_bilinear(prob, gt.shape) - 0.5) < 1e-9)  # no ties at the threshold

    r = score_image(prob, gt, tolerance=2.0)
    assert r.resized
    assert r.dice == pytest.approx(np_dice(up, gt), rel=1e-6)
    assert r.iou == pytest.approx(np_iou(up, gt), rel=1e-6)
    assert r.hd95 == pytest.approx(np_hd95(up, gt), rel=1e-5)
    assert r.nsd == pytest.approx(np_nsd(up, gt, 2.0), rel=1e-6)
    assert r.pred_fraction == pytest.approx(up.mean())
    # ... which is not what scoring against a downsampled ground truth gives.
    down = np_dice(prob >= 0.5, gt[::2, ::2])
    assert abs(r.dice - down) > 1e-3


def test_half_size_bool_mask_uses_nearest():
    rng = np.random.default_rng(6)
    gt = blob_mask(rng, (40, 40), sigma=2.5)
    small = blob_mask(rng, (20, 20), sigma=1.5)
    r = score_image(small, gt)
    assert r.dice == pytest.approx(np_dice(np_nearest(small, gt.shape), gt), rel=1e-6)


def test_probability_gives_ece_and_uncertainty_gives_auroc():
    from _metrics_reference import np_ece
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(8)
    gt = blob_mask(rng, (32, 32))
    prob = np.clip(gt * 0.4 + rng.random((32, 32)) * 0.6, 0, 1)  # some pixels on the wrong side of 0.5
    unc = rng.random((32, 32))
    r = score_image(prob, gt, uncertainty=unc, n_bins=10)
    assert r.ece == pytest.approx(np_ece(prob, gt, 10), abs=1e-12)
    wrong = (prob >= 0.5) != gt
    assert wrong.any() and not wrong.all()
    assert r.unc_auroc == pytest.approx(roc_auc_score(wrong.ravel(), unc.ravel()), abs=1e-12)
    # A bool prediction without a probability map has no ECE.
    assert score_image(gt, gt).ece is None and score_image(gt, gt).unc_auroc is None


def test_threshold_is_inclusive():
    gt = square((8, 8), 2, 2, 4)
    prob = np.where(gt, 0.5, 0.49)
    assert score_image(prob, gt, threshold=0.5).dice == pytest.approx(1.0)


@pytest.mark.parametrize(
    "pred,gt,exc",
    [
        (np.zeros((4, 4), np.float64), np.zeros((4, 4), np.float64), ValueError),  # float ground truth
        (np.full((4, 4), 1.5), np.zeros((4, 4), bool), ValueError),  # logits, not probabilities
        (np.full((4, 4), np.nan), np.zeros((4, 4), bool), ValueError),
        (np.full((4, 4), 2, np.uint8), np.zeros((4, 4), bool), ValueError),  # labels other than 0/1
        (np.zeros((2, 4, 4), bool), np.zeros((4, 4), bool), ValueError),
    ],
)
def test_score_image_rejects_bad_input(pred, gt, exc):
    with pytest.raises(exc):
        score_image(pred, gt)


def test_plain_metrics_are_strict_about_input():
    with pytest.raises(TypeError):
        dice(np.ones((4, 4)), np.ones((4, 4), bool))  # a probability map passed by mistake
    with pytest.raises(ValueError):
        iou(np.ones((4, 4), bool), np.ones((4, 5), bool))
    with pytest.raises(ValueError):
        hd95(_M, _M, spacing=(1.0, -1.0))
    with pytest.raises(ValueError):
        nsd(_M, _M, tolerance=-1.0)


def test_integer_01_prediction_is_a_mask():
    p, g = _pair(1, (48, 48), 3.0)
    assert score_image(p.astype(np.uint8), g).dice == pytest.approx(np_dice(p, g), rel=1e-6)
