"""SegmentationMetrics: the empty-ground-truth policy and counts on a hand-built set, summary
statistics, per-dataset breakdown, mixed distance units, pooled calibration."""

from __future__ import annotations

import numpy as np
import pytest
from _metrics_reference import np_ece, square
from sklearn.metrics import roc_auc_score

from medvlseg.errors import ConfigError
from medvlseg.evaluation import SegmentationMetrics

SHAPE = (32, 32)
EMPTY = np.zeros(SHAPE, bool)
GT = square(SHAPE, 5, 5, 10)


def _hand_set():
    """(id, pred, gt) with hand-known Dice and HD95.

    a: shifted 2 columns -> Dice 8/10, HD95 2     b: perfect -> Dice 1, HD95 0
    c: empty GT, empty prediction                  d: empty GT, 4 false-positive pixels
    e: empty GT, 16 false-positive pixels          f: non-empty GT, empty prediction (missed)
    """
    return [
        ("a", square(SHAPE, 5, 7, 10), GT),
        ("b", GT.copy(), GT),
        ("c", EMPTY, EMPTY),
        ("d", square(SHAPE, 0, 0, 2), EMPTY),
        ("e", square(SHAPE, 20, 20, 4), EMPTY),
        ("f", EMPTY, GT),
    ]


def _fill(policy: str) -> SegmentationMetrics:
    m = SegmentationMetrics(empty_policy=policy)
    for id_, p, g in _hand_set():
        m.update(id_, p, g)
    return m


@pytest.mark.parametrize("policy", ["exclude", "one_if_both_empty"])
def test_empty_gt_block_is_reported_under_any_policy(policy):
    s = _fill(policy).summary()
    assert s["empty_policy"] == policy and s["empty_policy_description"]
    assert s["n"] == 6
    e = s["empty_gt"]
    assert (e["n"], e["n_pred_empty"], e["n_pred_nonempty"]) == (3, 1, 2)
    assert e["false_positive_rate"] == pytest.approx(2 / 3)
    assert e["mean_pred_fraction"] == pytest.approx((0 + 4 + 16) / 1024 / 3)
    assert s["nonempty_gt"] == {"n": 3, "n_pred_empty": 1}


def test_exclude_policy_means_over_nonempty_gt_only():
    s = _fill("exclude").summary()
    assert s["n_scored"] == 3  # a, b, f
    d = s["metrics"]["dice"]
    assert d["mean"] == pytest.approx((0.8 + 1.0 + 0.0) / 3)
    assert d["std"] == pytest.approx(np.std([0.8, 1.0, 0.0], ddof=1))
    assert d["median"] == pytest.approx(0.8)
    assert (d["n"], d["n_nan"]) == (3, 0)
    h = s["metrics"]["hd95"]
    assert h["mean"] == pytest.approx((2.0 + 0.0) / 2)  # f is NaN: counted, not averaged
    assert (h["n"], h["n_nan"]) == (2, 1)
    assert s["metrics"]["iou"]["mean"] == pytest.approx((8 / 12 + 1.0 + 0.0) / 3)


def test_one_if_both_empty_policy_scores_empty_gt_images():
    s = _fill("one_if_both_empty").summary()
    assert s["n_scored"] == 6
    # a .8, b 1, c 1 (both empty), d 0, e 0 (false positives), f 0
    assert s["metrics"]["dice"]["mean"] == pytest.approx((0.8 + 1 + 1 + 0 + 0 + 0) / 6)
    h = s["metrics"]["hd95"]
    assert h["mean"] == pytest.approx((2.0 + 0.0 + 0.0) / 3) and h["n_nan"] == 3  # d, e, f undefined
    rows = {r.id: r for r in _fill("one_if_both_empty").per_image()}
    assert rows["c"].dice == 1.0 and rows["d"].dice == 0.0 and rows["c"].scored


def test_per_image_rows_keep_order_and_flags():
    rows = _fill("exclude").per_image()
    assert [r.id for r in rows] == list("abcdef")
    assert [r.scored for r in rows] == [True, True, False, False, False, True]
    assert [r.pred_empty for r in rows] == [False, False, True, False, False, True]
    assert rows[3].pred_fraction == pytest.approx(4 / 1024)


def test_per_dataset_breakdown():
    m = SegmentationMetrics()
    for id_, p, g in _hand_set():
        m.update(id_, p, g, dataset="x" if id_ in "abc" else "y")
    s = m.summary()
    assert set(s["per_dataset"]) == {"x", "y"}
    x, y = s["per_dataset"]["x"], s["per_dataset"]["y"]
    assert (x["n"], x["n_scored"], x["empty_gt"]["n"]) == (3, 2, 1)
    assert (y["n"], y["n_scored"], y["empty_gt"]["n"]) == (3, 1, 2)
    assert x["metrics"]["dice"]["mean"] == pytest.approx(0.9)
    assert y["empty_gt"]["false_positive_rate"] == pytest.approx(1.0)
    # one dataset: no breakdown
    assert "per_dataset" not in _fill("exclude").summary()


def test_mixed_units_split_hd95():
    m = SegmentationMetrics()
    m.update("px", square(SHAPE, 5, 8, 10), GT)  # 3 px
    m.update("mm", square(SHAPE, 8, 5, 10), GT, spacing=(2.0, 1.0))  # 3 rows = 6 mm
    s = m.summary()
    assert s["distance_unit"] == "mixed"
    assert "hd95" not in s["metrics"]
    assert s["metrics"]["hd95_px"]["mean"] == pytest.approx(3.0)
    assert s["metrics"]["hd95_mm"]["mean"] == pytest.approx(6.0)
    assert [r.distance_unit for r in m.per_image()] == ["px", "mm"]


def test_pooled_calibration_and_auroc():
    rng = np.random.default_rng(3)
    m = SegmentationMetrics(n_bins=10)
    probs, gts, uncs, wrongs, aurocs = [], [], [], [], []
    for k in range(4):
        g = square(SHAPE, 4 + k, 6, 12)
        p = np.clip(g * 0.3 + rng.random(SHAPE) * 0.7, 0, 1)  # errors on both sides
        u = rng.random(SHAPE)
        m.update(f"i{k}", p, g, uncertainty=u)
        w = (p >= 0.5) != g
        probs.append(p.ravel()), gts.append(g.ravel()), uncs.append(u.ravel()), wrongs.append(w.ravel())
        aurocs.append(roc_auc_score(w.ravel(), u.ravel()))
    # A perfect bool prediction: no wrong pixel, AUROC undefined; counted, left out of the mean.
    u = rng.random(SHAPE)
    m.update("perfect", GT, GT, uncertainty=u)
    uncs.append(u.ravel()), wrongs.append(np.zeros(u.size, bool))  # its pixels still count when pooled
    c = m.summary()["calibration"]
    assert c["n_images_probability"] == 4 and c["n_images_uncertainty"] == 5
    assert c["unc_auroc_n_nan"] == 1
    assert c["ece"] == pytest.approx(np_ece(np.concatenate(probs), np.concatenate(gts), 10), abs=1e-12)
    assert c["unc_auroc_mean_per_image"] == pytest.approx(np.mean(aurocs), abs=1e-12)
    pooled = roc_auc_score(np.concatenate(wrongs), np.concatenate(uncs))
    assert c["unc_auroc_pooled"] == pytest.approx(pooled, abs=2e-3)


def test_no_probability_means_no_calibration_numbers():
    c = _fill("exclude").summary()["calibration"]
    assert c["ece"] is None and c["unc_auroc_pooled"] is None and c["n_images_probability"] == 0


def test_bad_options_and_duplicates():
    with pytest.raises(ConfigError, match="empty_policy"):
        SegmentationMetrics(empty_policy="ones")
    with pytest.raises(ConfigError, match="threshold"):
        SegmentationMetrics(threshold=1.5)
    with pytest.raises(ConfigError, match="tolerance"):
        SegmentationMetrics(tolerance=-2)
    m = SegmentationMetrics()
    m.update("a", GT, GT)
    with pytest.raises(ValueError, match="already"):
        m.update("a", GT, GT)
    m.update("a", GT, GT, dataset="other")  # same id in another dataset is fine
    assert len(m) == 2


@pytest.mark.parametrize("policy", ["exclude", "one_if_both_empty"])
def test_pooled_dice_is_the_formula_over_all_pixels_of_all_images(policy):
    """``dice_pooled`` against a direct transcription, 2 ΣTP / (2 ΣTP + ΣFP + ΣFN), on random masks
    of several sizes (one ground truth empty: its false positives count, whatever the policy)."""
    rng = np.random.default_rng(7)
    m = SegmentationMetrics(empty_policy=policy)
    tp = fp = fn = 0
    for i, shape in enumerate([(16, 16), (24, 40), (31, 17), (20, 20)]):
        g = rng.random(shape) < 0.3 if i != 3 else np.zeros(shape, bool)
        p = rng.random(shape) < 0.35
        m.update(str(i), p, g)
        tp += int((p & g).sum())
        fp += int((p & ~g).sum())
        fn += int((~p & g).sum())
    pooled = m.summary()["dice_pooled"]
    assert pooled["value"] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert (pooled["tp"], pooled["fp"], pooled["fn"], pooled["n_images"]) == (tp, fp, fn, 4)
    rows = m.per_image()
    assert sum(r.tp for r in rows) == tp and rows[3].fn == 0 and rows[3].fp > 0


def test_pooled_dice_weighs_pixels_not_images():
    """One large perfect target and one small missed one: the mean is 0.5, the pooled Dice is
    the share of the pixels, 2*100 / (2*100 + 4)."""
    m = SegmentationMetrics()
    m.update("large", square(SHAPE, 0, 0, 10), square(SHAPE, 0, 0, 10))
    m.update("small", EMPTY, square(SHAPE, 20, 20, 2))
    s = m.summary()
    assert s["metrics"]["dice"]["mean"] == pytest.approx(0.5)
    assert s["dice_pooled"]["value"] == pytest.approx(200 / 204)
    both_empty = SegmentationMetrics()
    both_empty.update("c", EMPTY, EMPTY)
    assert both_empty.summary()["dice_pooled"]["value"] is None  # 0/0: undefined, not 1 or 0
