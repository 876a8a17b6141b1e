"""Presence threshold calibrated on val: the choice against a brute-force search over thresholds
(a direct transcription of the objective), and the engine writing it for a run to use."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.engine.calibrate import choose_presence_threshold, presence_objective


def _objective(presence, empty, dice, t, thr=0.5):
    total = 0.0
    for p, e, d in zip(presence, empty, dice):
        emptied = p < t or p <= thr
        total += (1.0 if emptied else 0.0) if e else (0.0 if emptied else d)
    return total / len(presence)


@pytest.mark.parametrize("seed", range(5))
def test_choice_is_the_best_threshold_on_a_fine_grid(seed):
    rng = np.random.default_rng(seed)
    n = 40
    empty = rng.random(n) < 0.3
    presence = np.where(empty, rng.uniform(0.2, 0.9, n), rng.uniform(0.45, 1.0, n))
    dice = rng.uniform(0.3, 1.0, n)
    t, info = choose_presence_threshold(presence, empty, dice, tolerance_se=0)
    grid = np.unique(np.concatenate([np.linspace(0, 1.0001, 4001), presence, np.nextafter(presence, np.inf)]))
    best = max(_objective(presence, empty, dice, g) for g in grid)
    assert presence_objective(presence, empty, dice, t) == pytest.approx(_objective(presence, empty, dice, t))
    assert _objective(presence, empty, dice, t) == pytest.approx(best)
    # the lowest interval of thresholds reaching the best score, and the middle of it (the widest
    # margin to the presence scores on either side): anything below the interval scores less
    below = max((p for p in presence if p < t), default=0.5)
    above = min([p for p in presence if p >= t] + [1.0])
    if t > 0.5:
        assert t == pytest.approx((below + above) / 2)
        lower = [g for g in grid if 0.5 <= g <= below]
        assert lower and all(_objective(presence, empty, dice, g) < best - 1e-12 for g in lower)
    assert t >= 0.5 and info["chosen"] == t and info["score_at_chosen"] >= info["score_at_default"]


def test_suppresses_faint_false_positives_but_not_targets():
    presence = np.array([0.95, 0.9, 0.6, 0.55, 0.8])
    empty = np.array([False, False, True, True, False])
    dice = np.array([0.9, 0.8, 0.0, 0.0, 0.7])
    t, _ = choose_presence_threshold(presence, empty, dice, tolerance_se=0)
    assert 0.6 < t <= 0.8  # empties (0.6, 0.55) suppressed, the weakest target (0.8) kept


def _one_se_choice(presence, empty, dice, k, thr=0.5):
    """The one-standard-error rule transcribed: per-item scores at every threshold of a fine grid,
    the best mean, and the smallest grid threshold whose mean is within k standard errors (of the
    paired per-item differences from the best threshold) of it."""
    grid = np.unique(np.concatenate([[thr], np.linspace(thr, 1.0001, 4001), presence, np.nextafter(presence, np.inf)]))
    grid = grid[grid >= thr]

    def items(t):
        out = []
        for p, e, d in zip(presence, empty, dice):
            emptied = p < t or p < thr
            out.append((1.0 if emptied else 0.0) if e else (0.0 if emptied else d))
        return np.array(out)

    scores = {g: items(g) for g in grid}
    top = max(grid, key=lambda g: (scores[g].mean(), -g))
    for g in grid:
        diff = scores[top] - scores[g]
        if diff.mean() <= k * diff.std(ddof=1) / np.sqrt(len(diff)) + 1e-12:
            return g, scores


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [0.5, 1.0, 2.0])
def test_one_standard_error_rule_against_a_transcription(seed, k):
    """The chosen threshold scores on val exactly like the transcription's grid choice (the same
    items emptied), and every smaller threshold falls more than k standard errors short."""
    rng = np.random.default_rng(seed)
    n = 50
    empty = rng.random(n) < 0.3  # these draws give choices strictly between 0.5 and the maximum's
    presence = np.where(empty, rng.uniform(0.45, 0.85, n), rng.uniform(0.55, 1.0, n))
    dice = rng.uniform(0.3, 1.0, n)
    t, info = choose_presence_threshold(presence, empty, dice, tolerance_se=k)
    g, scores = _one_se_choice(presence, empty, dice, k)
    emptied = lambda x: (presence < x) | (presence < 0.5)  # noqa: E731
    assert (emptied(t) == emptied(g)).all()
    assert info["tolerance_se"] == k and "standard errors" in info["objective"]
    assert info["score_at_best"] == pytest.approx(max(v.mean() for v in scores.values()))
    assert info["score_at_chosen"] <= info["score_at_best"] + 1e-12
    # never stricter than the plain maximum, and 0 standard errors is the plain maximum
    t0, _ = choose_presence_threshold(presence, empty, dice, tolerance_se=0)
    assert t <= t0 and choose_presence_threshold(presence, empty, dice, tolerance_se=k + 1)[0] <= t


def test_one_standard_error_rule_keeps_no_rule_when_few_empty_images_pull_the_threshold_up():
    """The fuseg case: a few confident target-free images, many saturated targets. The maximum
    suppresses them at the cost of the least confident targets; their gain is within a standard
    error, so the rule stays off. With many such images the gain is clear and it is taken."""
    rng = np.random.default_rng(0)
    pos = np.clip(1 - rng.exponential(0.02, 60), 0.5, 1.0)
    tf = np.array([0.93, 0.96, 0.97])
    presence = np.concatenate([pos, tf])
    empty = np.r_[np.zeros(60, bool), np.ones(3, bool)]
    dice = np.r_[rng.uniform(0.6, 0.95, 60), np.zeros(3)]
    t_max, info = choose_presence_threshold(presence, empty, dice, tolerance_se=0)
    assert t_max > 0.9 and info["score_at_chosen"] > info["score_at_default"]
    t, info = choose_presence_threshold(presence, empty, dice)
    assert t == 0.5 and info["best"] == t_max and info["chosen"] == 0.5
    many = np.concatenate([pos, np.full(30, 0.6)])
    t, _ = choose_presence_threshold(many, np.r_[np.zeros(60, bool), np.ones(30, bool)], np.r_[dice[:60], np.zeros(30)])
    assert 0.6 < t < pos.min()


def test_tolerance_se_is_checked():
    from medvlseg.errors import ConfigError

    with pytest.raises(ConfigError, match="tolerance_se: expected a number of standard errors"):
        choose_presence_threshold(np.array([0.6, 0.9]), np.array([True, False]), np.array([0.0, 0.9]), tolerance_se=-1)


def test_without_both_kinds_of_images_it_stays_at_the_pixel_threshold():
    p = np.array([0.7, 0.9])
    assert choose_presence_threshold(p, np.array([False, False]), np.array([0.5, 0.9]))[0] == 0.5
    t, info = choose_presence_threshold(p, np.array([True, True]), np.zeros(2))
    assert t == 0.5 and "reason" in info


def test_engine_writes_a_calibrated_presence_threshold_that_loading_uses(tmp_path):
    from medvlseg.engine.calibrate import val_presence
    from medvlseg.engine.data import TorchSegDataset, collate, open_datasets
    from medvlseg.engine.train import train
    from tests.test_engine import make_config, make_dataset

    data = make_dataset(tmp_path / "ds", n_train=8, n_val=6, empty_val=3)
    cfg = make_config(data, tmp_path / "runs")
    run = train(cfg, progress=False)
    meta = json.loads((run / "metadata.json").read_text())
    cal = meta["presence_calibration"]
    assert cal["n_images"] == 6 and cal["n_empty"] == 3
    # recomputed from the saved model alone, the same choice
    model = medvlseg.load_model(run / "model.safetensors")
    _, val_ds, _, _ = open_datasets(cfg)
    ds = TorchSegDataset(val_ds, size=32, mean=model.image_mean, std=model.image_std, cfg=cfg, train=False, uses_text=False)
    batch = collate([ds[i] for i in range(len(ds))])
    t, _ = choose_presence_threshold(*val_presence(model, [batch], torch.device("cpu")))
    assert meta["presence_threshold"] == pytest.approx(t)
    assert medvlseg.load(run).presence_threshold == pytest.approx(t)


@pytest.mark.parametrize("seed", range(5))
def test_min_specificity_picks_the_smallest_threshold_reaching_it(seed):
    """Against a brute-force search: the chosen threshold calls at least the share asked of the items
    without a target empty, no lower threshold does, and so no threshold reaching the share keeps more
    Dice on the items with a target."""
    rng = np.random.default_rng(seed)
    n = 60
    empty = rng.random(n) < 0.4
    presence = np.where(empty, rng.uniform(0.3, 1.0, n), rng.uniform(0.45, 1.0, n))
    dice = rng.uniform(0.3, 1.0, n)

    def specificity(t):
        return float(np.mean([p < t or p <= 0.5 for p, e in zip(presence, empty) if e]))

    def kept_dice(t):
        return float(sum(d for p, e, d in zip(presence, empty, dice) if not e and not (p < t or p <= 0.5)))

    for s in (0.5, 0.9, 0.95, 1.0):
        t, info = choose_presence_threshold(presence, empty, dice, min_specificity=s)
        grid = np.unique(np.concatenate([np.linspace(0, 1.0001, 4001), presence, np.nextafter(presence, np.inf)]))
        feasible = [g for g in grid if specificity(g) >= s]
        assert specificity(t) >= s and info["reached"] and info["specificity_at_chosen"] == pytest.approx(specificity(t))
        assert kept_dice(t) == pytest.approx(max(kept_dice(g) for g in feasible))
        # a threshold suppressing fewer items (one above it and below t is kept) falls short
        assert all(specificity(g) < s for g in grid if any(g <= p < t and p > 0.5 for p in presence))
    # asked for no more specificity than the item-mix objective's choice has, it is never stricter
    t_mix, _ = choose_presence_threshold(presence, empty, dice)
    if specificity(t_mix) > 0:
        assert choose_presence_threshold(presence, empty, dice, min_specificity=specificity(t_mix))[0] <= t_mix


def test_min_specificity_out_of_reach_takes_the_most_specific_threshold():
    presence = np.array([0.9, 0.8, 0.95, 0.7, 1.0])
    empty = np.array([False, False, True, True, True])
    dice = np.array([0.9, 0.8, 0.0, 0.0, 0.0])
    t, info = choose_presence_threshold(presence, empty, dice, min_specificity=0.5)
    assert 0.95 < t < 1.0 and info["reached"] and info["specificity_at_chosen"] == pytest.approx(2 / 3)
    # a saturated probability (1.0) on an item without the target: no threshold calls it empty, so
    # all of them is out of reach; the most specific threshold (the lowest of those) is taken and said so
    t, info = choose_presence_threshold(presence, empty, dice, min_specificity=1.0)
    assert not info["reached"] and info["specificity_at_chosen"] == pytest.approx(2 / 3) and 0.95 < t < 1.0
    from medvlseg.errors import ConfigError

    with pytest.raises(ConfigError, match="min_specificity: expected a share in"):
        choose_presence_threshold(presence, empty, dice, min_specificity=1.5)
