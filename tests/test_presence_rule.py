"""The presence rule: how an image's presence score is read from its probabilities (the largest, or
the mean of the largest 1 %), each against a transcription of its formula; the calibration under
either rule against a brute-force search; the Segmenter reading the record's rule; training recording
it; `medvlseg calibrate` choosing a finished run's thresholds again without touching its weights."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from medvlseg.decision import presence_off, presence_score
from medvlseg.engine.calibrate import choose_presence_threshold, presence_objective
from medvlseg.errors import ConfigError, DataError


def _top1pct(values: np.ndarray) -> float:
    """Mean of the largest ceil(1 % of N) values (at least one)."""
    flat = np.sort(values.ravel())[::-1]
    k = max(1, math.ceil(0.01 * flat.size))
    return float(flat[:k].mean())


@pytest.mark.parametrize("shape", [(3, 1, 32, 32), (2, 1, 7, 9), (1, 1, 100, 100), (4, 250)])
def test_presence_score_matches_its_formula(shape):
    p = torch.rand(shape, generator=torch.Generator().manual_seed(sum(shape)))
    want_peak = [float(p[b].max()) for b in range(shape[0])]
    want_top = [_top1pct(p[b].numpy()) for b in range(shape[0])]
    assert presence_score(p, "peak").tolist() == pytest.approx(want_peak, abs=1e-7)
    assert presence_score(p, "top1pct").tolist() == pytest.approx(want_top, abs=1e-6)


def test_a_few_confident_pixels_count_for_little_under_top1pct():
    p = torch.zeros(1, 1, 100, 100)
    p[0, 0, :2, :2] = 0.99  # 4 of 10,000 pixels: the top 1 % is 100 pixels
    assert float(presence_score(p, "peak")[0]) == pytest.approx(0.99)
    assert float(presence_score(p, "top1pct")[0]) == pytest.approx(0.99 * 4 / 100)


def test_an_unknown_rule_is_refused_by_name():
    with pytest.raises(ConfigError, match="presence_rule: 'mean'"):
        presence_score(torch.rand(1, 4, 4), "mean")
    with pytest.raises(ConfigError, match="presence_rule: 'mean'"):
        presence_off("mean", 0.5)
    from medvlseg.models.record import ModelRecord

    with pytest.raises(DataError, match="presence_rule"):
        ModelRecord.from_dict({"model": "unet", "image_size": 32, "image_mean": [0, 0, 0], "image_std": [1, 1, 1],
                               "presence_rule": "mean"})


def _objective(presence, empty, dice, blank, t):
    total = 0.0
    for p, e, d, b in zip(presence, empty, dice, blank):
        emptied = b or p < t
        total += (1.0 if emptied else 0.0) if e else (0.0 if emptied else d)
    return total / len(presence)


@pytest.mark.parametrize("seed", range(5))
def test_top1pct_calibration_is_the_best_threshold_on_a_grid(seed):
    """Under top1pct a score below the pixel threshold still has a mask (a small confident region),
    so thresholds below 0.5 are candidates and 0 is "no rule"; blank masks are empty whatever t is."""
    rng = np.random.default_rng(seed)
    n = 50
    empty = rng.random(n) < 0.3
    presence = np.where(empty, rng.uniform(0.0, 0.6, n), rng.uniform(0.1, 1.0, n))
    blank = rng.random(n) < 0.15
    dice = rng.uniform(0.3, 1.0, n)
    t, info = choose_presence_threshold(presence, empty, dice, blank, rule="top1pct", tolerance_se=0)
    grid = np.unique(np.concatenate([np.linspace(0, 1.0001, 4001), presence, np.nextafter(presence, np.inf)]))
    best = max(_objective(presence, empty, dice, blank, g) for g in grid)
    assert presence_objective(presence, empty, dice, t, blank=blank) == pytest.approx(_objective(presence, empty, dice, blank, t))
    assert _objective(presence, empty, dice, blank, t) == pytest.approx(best)
    assert info["rule"] == "top1pct" and info["score_at_default"] == pytest.approx(_objective(presence, empty, dice, blank, 0.0))


def test_the_rules_named_in_the_record_type_are_the_rules_implemented():
    from typing import get_args

    from medvlseg.decision import PRESENCE_RULES, PresenceRule

    assert set(get_args(PresenceRule)) == set(PRESENCE_RULES)
    for rule in PRESENCE_RULES:
        assert presence_score(torch.rand(2, 1, 8, 8), rule).shape == (2,)


def test_a_peak_record_is_written_as_before_the_rule_existed():
    """A file whose rule is the default keeps the header older versions read (no new field)."""
    from medvlseg.models.record import ModelRecord

    base = {"model": "unet", "image_size": 32, "image_mean": (0, 0, 0), "image_std": (1, 1, 1)}
    assert "presence_rule" not in json.loads(ModelRecord(**base).to_header())
    top = ModelRecord(**base, presence_rule="top1pct")
    assert json.loads(top.to_header())["presence_rule"] == "top1pct"
    assert ModelRecord.from_dict(json.loads(top.to_header())).presence_rule == "top1pct"
    assert ModelRecord.from_dict(json.loads(ModelRecord(**base).to_header())).presence_rule == "peak"


def test_no_rule_is_0_under_top1pct_and_the_pixel_threshold_under_peak():
    assert presence_off("top1pct", 0.5) == 0.0 and presence_off("peak", 0.4) == 0.4
    p = np.array([0.3, 0.9])
    t, info = choose_presence_threshold(p, np.array([False, False]), np.array([0.5, 0.9]), np.array([False, False]), rule="top1pct")
    assert t == 0.0 and "reason" in info
    with pytest.raises(ValueError, match="blank"):
        choose_presence_threshold(p, np.array([True, False]), np.array([0.0, 0.9]), rule="top1pct")
    from medvlseg.engine.calibrate import choose_presence_thresholds

    with pytest.raises(ValueError, match="blank"):
        choose_presence_thresholds(p, np.array([True, False]), np.array([0.0, 0.9]), ["a", "a"], rule="top1pct")


def _oracle_with(rule: str, presence_threshold: float):
    from medvlseg.models.record import ModelRecord
    from test_evaluate import Oracle

    model = Oracle()
    model.record = ModelRecord(model="oracle", image_size=64, image_mean=(0.0, 0.0, 0.0), image_std=(1.0, 1.0, 1.0),
                               presence_threshold=presence_threshold, presence_rule=rule)
    return model


@pytest.mark.parametrize("rule", ["peak", "top1pct"])
def test_the_segmenter_reads_the_records_rule(rule):
    """A 4x4 red speck (16 of 4,096 pixels; the top 1 % is 41) and a 20x20 red square, at a presence
    threshold of 0.6: the speck is called present by its peak and absent by its top 1 %; the square
    is present under both. The reported score is the rule's formula on the probabilities."""
    from medvlseg.segmenter import Segmenter

    seg = Segmenter(_oracle_with(rule, 0.6))
    assert seg.presence_rule == rule
    # photographs of 128 px: the score is read at the model's 64 px, where the threshold was calibrated
    speck, square = np.zeros((128, 128, 3), np.uint8), np.zeros((128, 128, 3), np.uint8)
    speck[20:28, 20:28, 0] = 255
    square[40:80, 40:80, 0] = 255
    r_speck, r_square = seg.segment(speck, "red"), seg.segment(square, "red")
    with torch.no_grad():
        at_model_size = torch.sigmoid(seg.model(seg.preprocess(speck), ["red"]).logits)[0, 0].numpy()  # (64, 64)
    formula = (lambda a: float(a.max())) if rule == "peak" else _top1pct
    assert r_speck.present == pytest.approx(formula(at_model_size), abs=1e-5)
    assert r_speck.mask.any() == (rule == "peak")
    assert r_square.mask.sum() == 1600 and r_square.present > 0.99


def test_rank_and_batch_prediction_use_the_rule():
    """The ranking's presence signal and the batched path give the score the Segmenter gives."""
    from medvlseg.predict import segment_batch
    from medvlseg.ranking import rank_loaded
    from medvlseg.segmenter import Segmenter

    seg = Segmenter(_oracle_with("top1pct", 0.6))
    speck = np.zeros((64, 64, 3), np.uint8)
    speck[10:14, 10:14, 0] = 255
    one = seg.segment(speck, "red")
    (batched,) = segment_batch(seg, [speck], ["red"])
    assert batched.present == pytest.approx(one.present, abs=1e-6) and not batched.mask.any()
    (ranked,) = rank_loaded(seg, [("speck", lambda: speck)], "red", samples=2)
    assert ranked.presence == pytest.approx(one.present, abs=1e-6)
    assert ranked.presence_uncertainty == pytest.approx(1 - abs(one.present - 0.6) / 0.6, abs=1e-5)
    # with no presence rule (0 under top1pct) the pixels alone decide: the speck's peak (~1) is far
    # above the pixel threshold, a sure call, although its top-1 % mean (~0.4) is not near 1
    (no_rule,) = rank_loaded(Segmenter(_oracle_with("top1pct", 0.0)), [("speck", lambda: speck)], "red", samples=2)
    assert no_rule.presence < 0.5 and no_rule.presence_uncertainty < 0.01



@pytest.fixture(scope="module")
def top1_run(tmp_path_factory):
    from medvlseg.engine.train import train
    from test_engine import make_config, make_dataset

    root = tmp_path_factory.mktemp("rule")
    data = make_dataset(root / "ds", n_train=8, n_val=6, empty_val=3)
    return train(make_config(data, root / "runs", "optim.epochs=2", "model.presence_rule=top1pct"), progress=False)


def test_training_calibrates_under_the_configured_rule_and_records_it(top1_run):
    import medvlseg

    meta = json.loads((top1_run / "metadata.json").read_text())
    assert meta["record"]["presence_rule"] == "top1pct" and meta["presence_calibration"]["rule"] == "top1pct"
    seg = medvlseg.load(top1_run)
    assert seg.presence_rule == "top1pct" and seg.presence_threshold == pytest.approx(meta["presence_threshold"])
    assert "mean of the largest 1 %" in (top1_run / "card.md").read_text()


def test_calibrate_recomputes_a_runs_thresholds_and_keeps_the_weights(top1_run, tmp_path):
    """Under its own rule, `calibrate` reproduces what training chose; under another rule it writes a
    copy (--out) whose record and metadata agree and which loads, and the original is untouched."""
    from typer.testing import CliRunner

    from medvlseg.checkpoints import resolve_model
    from medvlseg.cli import app
    from medvlseg.engine.calibrate import recalibrate_run
    from medvlseg.utils import sha256_file
    from medvlseg.weights import read_weights

    meta = json.loads((top1_run / "metadata.json").read_text())
    original_sha = sha256_file(top1_run / "model.safetensors")
    same = recalibrate_run(top1_run, tmp_path / "same")
    assert same["rule"] == "top1pct" and same["presence_threshold"] == pytest.approx(meta["presence_threshold"], abs=1e-6)
    assert same["presence_thresholds"] == pytest.approx(meta["record"]["presence_thresholds"], abs=1e-6)

    res = CliRunner().invoke(app, ["calibrate", str(top1_run), "--presence-rule", "peak", "--out", str(tmp_path / "peak")])
    assert res.exit_code == 0, res.output
    assert "top1pct -> peak" in res.output
    copy = tmp_path / "peak"
    model, info = resolve_model(copy)  # the metadata's sha256 matches the rewritten file
    cmeta = json.loads((copy / "metadata.json").read_text())
    assert info.record["presence_rule"] == "peak" == cmeta["record"]["presence_rule"] == cmeta["presence_calibration"]["rule"]
    assert cmeta["presence_threshold"] == info.presence_threshold
    assert cmeta["sha256"]["model.safetensors"] == sha256_file(copy / "model.safetensors") != original_sha
    assert cmeta["recalibrations"][-1]["before"]["presence_rule"] == "top1pct"
    assert cmeta["recalibrations"][-1]["before"]["sha256"] == original_sha
    from medvlseg.config import RunConfig

    assert RunConfig.from_yaml(copy / "config.yaml").model.presence_rule == "peak"  # a replay keeps the rule
    assert "the largest probability" in (copy / "card.md").read_text()
    a, b = read_weights(top1_run / "model.safetensors"), read_weights(copy / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert not (copy / "last").exists()
    assert sha256_file(top1_run / "model.safetensors") == original_sha
    assert json.loads((top1_run / "metadata.json").read_text()) == meta


def _assert_refused(run, tmp_path, capsys, options: list[str], message: str) -> None:
    """`medvlseg calibrate RUN OPTIONS` exits non-zero, says ``message``, and writes no copy."""
    from medvlseg.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["calibrate", str(run), *options, "--out", str(tmp_path / "bad")])
    err = capsys.readouterr().err
    assert exc.value.code not in (0, None) and message in err
    assert not (tmp_path / "bad").exists()


def test_calibrate_at_an_operating_point_records_it(top1_run, tmp_path, capsys):
    """--min-specificity: the copy's thresholds reach the share asked on the calibration items, its
    config.yaml keeps the operating point (a retrain calibrates the same way), its metadata says so."""
    from typer.testing import CliRunner

    from medvlseg.cli import app
    from medvlseg.config import RunConfig

    res = CliRunner().invoke(app, ["calibrate", str(top1_run), "--min-specificity", "1.0", "--out", str(tmp_path / "spec")])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "spec" / "metadata.json").read_text())
    cal = meta["presence_calibration"]
    assert cal["min_specificity"] == 1.0 and "at least 1 of the empty images" in cal["objective"]
    assert cal["specificity_at_chosen"] == 1.0 or not cal["reached"]
    assert meta["recalibrations"][-1]["min_specificity"] == 1.0
    assert RunConfig.from_yaml(tmp_path / "spec" / "config.yaml").model.presence_min_specificity == 1.0
    _assert_refused(top1_run, tmp_path, capsys, ["--min-specificity", "0"], "--min-specificity: expected a share in (0, 1]")
    # "none" drops the run's operating point: the copy of the copy is read by the one-SE rule again
    res = CliRunner().invoke(app, ["calibrate", str(tmp_path / "spec"), "--min-specificity", "none", "--out", str(tmp_path / "back")])
    assert res.exit_code == 0, res.output
    back = json.loads((tmp_path / "back" / "metadata.json").read_text())
    cal = back["presence_calibration"]
    assert cal.get("min_specificity") is None and cal["tolerance_se"] == 1.0 and back["recalibrations"][-1]["min_specificity"] is None
    assert RunConfig.from_yaml(tmp_path / "back" / "config.yaml").model.presence_min_specificity is None
    _assert_refused(top1_run, tmp_path, capsys, ["--min-specificity", "most"], "--min-specificity: expected a share in (0, 1] or 'none'")


def test_calibrate_with_a_tolerance_records_it(top1_run, tmp_path, capsys):
    """--tolerance-se: the copy's calibration is the one-standard-error choice at that tolerance (the
    plain maximum at 0), recorded in config.yaml, the calibration and its history; a negative one is
    refused by name, with nothing written."""
    from typer.testing import CliRunner

    from medvlseg.cli import app
    from medvlseg.config import RunConfig

    assert RunConfig.from_yaml(top1_run / "config.yaml").model.presence_tolerance_se == 1.0  # the default
    res = CliRunner().invoke(app, ["calibrate", str(top1_run), "--tolerance-se", "0", "--out", str(tmp_path / "max")])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "max" / "metadata.json").read_text())
    cal = meta["presence_calibration"]
    assert cal["tolerance_se"] == 0 and cal["chosen"] == cal["best"] and cal["score_at_chosen"] == cal["score_at_best"]
    assert meta["recalibrations"][-1]["tolerance_se"] == 0
    assert RunConfig.from_yaml(tmp_path / "max" / "config.yaml").model.presence_tolerance_se == 0
    _assert_refused(top1_run, tmp_path, capsys, ["--tolerance-se", "-1"], "--tolerance-se: expected a number of standard errors >= 0")


def test_calibrate_refuses_what_it_cannot_do(top1_run, tmp_path, capsys):
    import shutil

    from medvlseg.cli import main
    from medvlseg.engine.calibrate import recalibrate_run

    with pytest.raises(ConfigError, match="--presence-rule: 'mean' is not one of peak, top1pct"):
        recalibrate_run(top1_run, tmp_path / "x", rule="mean")
    with pytest.raises(ConfigError, match="exists"):
        recalibrate_run(top1_run, top1_run)
    with pytest.raises(DataError, match="not a run folder"):
        recalibrate_run(tmp_path, tmp_path / "y")
    unfinished = tmp_path / "unfinished"
    shutil.copytree(top1_run, unfinished)
    meta = json.loads((unfinished / "metadata.json").read_text())
    (unfinished / "metadata.json").write_text(json.dumps({**meta, "status": "running"}))
    with pytest.raises(DataError, match="'running', not finished"):
        recalibrate_run(unfinished, tmp_path / "z")
    # through the command line: one line naming the option, a non-zero exit, nothing written
    with pytest.raises(SystemExit) as exc:
        main(["calibrate", str(top1_run), "--presence-rule", "mean", "--out", str(tmp_path / "cli")])
    err = capsys.readouterr().err
    assert exc.value.code not in (0, None) and "--presence-rule: 'mean'" in err and "Traceback" not in err
    assert not (tmp_path / "cli").exists() and not (tmp_path / "x").exists()


def test_an_interrupted_calibration_leaves_no_folder_behind(top1_run, tmp_path, monkeypatch):
    """A crash after the copy and the new weights, before the metadata: neither the new folder nor
    its half-built hidden copy remains, and the run itself is untouched."""
    import medvlseg.checkpoints as checkpoints
    from medvlseg.engine.calibrate import recalibrate_run
    from medvlseg.utils import sha256_file

    before = sha256_file(top1_run / "model.safetensors")

    def crash(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints, "write_run_metadata", crash)
    with pytest.raises(KeyboardInterrupt):
        recalibrate_run(top1_run, tmp_path / "new", rule="peak")
    assert list(tmp_path.iterdir()) == []
    assert sha256_file(top1_run / "model.safetensors") == before


def test_the_presence_probe_benchmark_runs_on_a_small_run(tmp_path):
    """benchmarks/presence_probe.py in small: two pooled datasets, negatives, a tiny MedCLIPSeg."""
    import importlib.util
    from pathlib import Path

    from medvlseg.engine.train import train
    from test_engine import make_config, make_dataset

    a = make_dataset(tmp_path / "a", n_train=8, n_val=4, size=64, target="disk", prefix="a")
    b = make_dataset(tmp_path / "b", n_train=8, n_val=4, size=64, target="blob", prefix="b", seed=1)
    run = train(make_config([a, b], tmp_path / "runs", "model.name=medclipseg", "data.image_size=64", "optim.epochs=2",
                            "data.negative_fraction=0.5"), progress=False)
    spec = importlib.util.spec_from_file_location("presence_probe", Path(__file__).resolve().parents[1] / "benchmarks" / "presence_probe.py")
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    out = tmp_path / "probe.json"
    assert probe.main([str(run), "--train-items", "8", "--batch-size", "4", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["n_train_items"] == 16 and res["n_selection_items"] == 16 and set(res["scores"]) == {"peak", "top1pct", "probe"}
    for row in res["scores"].values():
        assert 0 <= row["auc"] <= 1 and 0 <= row["objective_all"] <= 1
        assert {"disk", "blob"} <= set(row["per_target"])  # besides the catalogue targets the negatives name
