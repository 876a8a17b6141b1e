"""Presence thresholds per target: chosen on the items whose prompt names the target (checked
against a brute-force search), kept in the record, and applied by the Segmenter to the prompt that
names the target, so that an absent target comes back empty while another prompt is unaffected."""

from __future__ import annotations

import numpy as np
import torch

import medvlseg
from medvlseg.engine.calibrate import choose_presence_threshold, choose_presence_thresholds, presence_objective


def test_per_target_thresholds_match_a_brute_force_search():
    rng = np.random.default_rng(0)
    n = 120
    keys = list(rng.choice(["heart", "polyp", ""], n))
    empty = rng.random(n) < 0.4
    presence = np.where(empty, rng.uniform(0.3, 0.95, n), rng.uniform(0.6, 1.0, n))
    dice = rng.uniform(0.5, 1.0, n)
    glob, per, info = choose_presence_thresholds(presence, empty, dice, keys, tolerance_se=0)
    assert glob == choose_presence_threshold(presence, empty, dice, tolerance_se=0)[0]
    assert set(per) == {"heart", "polyp"}  # "" (nonsense) has no threshold of its own
    grid = np.linspace(0, 1, 2001)
    for key, t in per.items():
        sel = np.array(keys) == key
        best = max(presence_objective(presence[sel], empty[sel], dice[sel], g) for g in grid)
        assert presence_objective(presence[sel], empty[sel], dice[sel], t) >= best - 1e-12
        assert key in info["per_target"]
    # a target with only target-free items (never seen present) gets none
    only_empty = choose_presence_thresholds(presence[:4], np.ones(4, bool), dice[:4], ["x"] * 4)[1]
    assert only_empty == {}


def test_segmenter_applies_the_named_targets_threshold():
    model = medvlseg.build_model("clipseg", backbone="tiny").eval()
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    peak = {p: medvlseg.Segmenter(model, presence_threshold=0.0).segment(image, p).present for p in ("heart", "polyp")}
    from medvlseg.models.record import ModelRecord

    # as save_model / the loader validate it: target names are normalised to lower case
    model.record = ModelRecord.from_dict({**model.record.model_dump(), "presence_threshold": 0.0,
                                          "presence_thresholds": {"Heart": min(1.0, peak["heart"] + 1e-3)}})
    seg = medvlseg.Segmenter(model, threshold=0.01)  # every pixel foreground unless the presence rule empties it
    assert seg.presence_threshold_for("heart") > peak["heart"] and seg.presence_threshold_for("polyp") == 0.0
    assert not seg.segment(image, "heart").mask.any()  # below its own threshold: called absent
    assert seg.segment(image, "polyp").mask.any()  # another prompt, the global rule
    # an explicit presence threshold applies to every prompt
    assert medvlseg.Segmenter(model, threshold=0.01, presence_threshold=0.0).segment(image, "heart").mask.any()
    with torch.no_grad():
        assert model.record.presence_threshold_for(" HEART ") == model.record.presence_thresholds["heart"]
