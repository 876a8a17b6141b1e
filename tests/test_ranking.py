"""`medvlseg rank` (issue: which image to annotate next): a trained tiny model ranks an image made
ambiguous (blurred, half of it cut away) above clean ones; scores are cached per image; the diversity
option keeps a duplicate out of the top; the command line writes the ranking."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image, ImageFilter

from test_engine import make_config, make_dataset

pytest.importorskip("lightning")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from medvlseg.engine.train import train

    root = tmp_path_factory.mktemp("rank")
    data = make_dataset(root / "ds", n_train=24, n_val=4, size=48)
    run = train(make_config(data, root / "runs", "optim.epochs=8", "data.image_size=48", "optim.batch_size=4"), progress=False)
    return run, data


def _pool(tmp_path, data):
    """Three clean val images and one made ambiguous: blurred, its right half replaced by grey."""
    pool = tmp_path / "pool"
    pool.mkdir()
    val = sorted((data / "images").glob("*.png"))[-4:]
    for p in val[:3]:
        (pool / f"clean_{p.name}").write_bytes(p.read_bytes())
    img = Image.open(val[3]).filter(ImageFilter.GaussianBlur(3))
    arr = np.asarray(img).copy()
    arr[:, arr.shape[1] // 2:] = 128
    Image.fromarray(arr).save(pool / "ambiguous.png")
    return pool


def test_an_ambiguous_image_ranks_first_and_scores_are_cached(trained, tmp_path):
    from medvlseg.ranking import rank_images

    run, data = trained
    pool = _pool(tmp_path, data)
    cache = tmp_path / "cache.jsonl"
    ranked = rank_images(run, [pool], "target", cache=cache)
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert ranked[0].image.endswith("ambiguous.png"), [(r.image, r.score) for r in ranked]
    assert not any(r.cached for r in ranked) and all(0 <= r.presence_uncertainty <= 1 for r in ranked)
    # again, with one image more: only that one is computed
    Image.open(sorted((data / "images").glob("*.png"))[0]).save(pool / "new.png")
    again = rank_images(run, [pool], "target", cache=cache)
    assert sorted(r.image for r in again if not r.cached) == [str(pool / "new.png")]
    same = {r.image: r.score for r in again if r.image != str(pool / "new.png")}
    assert all(np.isfinite(v) for v in same.values())
    # without the diversity option no image features are computed; asked for it, the cached scores
    # that lack them are computed again (with them), and then serve both kinds of ranking
    assert not any(r.features for r in again)
    diverse = rank_images(run, [pool], "target", cache=cache, diversity=0.5)
    assert not any(r.cached for r in diverse) and all(r.features for r in diverse)
    assert all(r.cached for r in rank_images(run, [pool], "target", cache=cache, diversity=0.5))
    assert all(r.cached for r in rank_images(run, [pool], "target", cache=cache))


def test_diversity_keeps_a_duplicate_out_of_the_top():
    """The order on given signals and features: a near-duplicate of the first image waits behind a
    less uncertain but different one when diversity is asked for, and not otherwise."""
    from medvlseg.ranking import RankedImage, _order

    def item(name, tta, feat):
        return RankedImage(image=name, tta_disagreement=tta, presence_uncertainty=tta, features=feat)

    pool = [item("a", 0.9, [1.0, 0.0]), item("a_copy", 0.8, [1.0, 0.01]), item("b", 0.5, [0.0, 1.0]), item("c", 0.1, [0.7, 0.7])]
    assert [r.image for r in _order([*pool], 0.0)] == ["a", "a_copy", "b", "c"]
    assert [r.image for r in _order([*pool], 1.0)] == ["a", "b", "a_copy", "c"]
    # the score: the mean percentile rank of the signals (a constant one, mutual information here, counts 0.5)
    assert [r.score for r in sorted(pool, key=lambda r: r.image)] == pytest.approx([(0.5 + 1 + 1) / 3, (0.5 + 2 / 3 * 2) / 3,
                                                                                  (0.5 + 1 / 3 * 2) / 3, 0.5 / 3], abs=1e-6)


def test_cli_rank_a_dataset_split(trained, tmp_path, capsys):
    from medvlseg.cli import main

    run, data = trained
    out = tmp_path / "ranked.csv"
    with pytest.raises(SystemExit) as exc:
        main(["rank", str(run), str(data), "--split", "val", "--prompt", "target", "--out", str(out)])
    assert exc.value.code in (0, None)
    rows = list(csv.DictReader(out.open()))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4]
    assert {"image", "score", "mutual_information", "entropy", "tta_disagreement", "presence_uncertainty"} <= set(rows[0])
    assert "ranked 4 image(s)" in capsys.readouterr().err


def test_bad_input_is_named(trained, tmp_path):
    from medvlseg.errors import ConfigError, DataError
    from medvlseg.ranking import rank_images

    run, _ = trained
    with pytest.raises(DataError, match="nowhere: input not found"):
        rank_images(run, [tmp_path / "nowhere"], "target")
    with pytest.raises(ConfigError, match="samples"):
        rank_images(run, [tmp_path], "target", samples=1)


def test_active_learning_simulation_runs_both_strategies(tmp_path, monkeypatch):
    """benchmarks/active_learning.py in small: one seed, a shared start and two rounds, a quarter of the
    masks each, a fixed number of steps; then the same through a suite file."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("active_learning", Path(__file__).resolve().parents[1] / "benchmarks" / "active_learning.py")
    al = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(al)
    data = make_dataset(tmp_path / "ds", n_train=8, n_val=2)
    cfg = tmp_path / "c.yaml"
    make_config(data, tmp_path / "unused", "optim.epochs=1", "optim.batch_size=2").to_yaml(cfg)
    assert al.main(["--config", str(cfg), "--prompt", "target", "--seeds", "0", "--rounds", "2", "--share", "0.25",
                    "--samples", "2", "--steps", "2", "--out", str(tmp_path / "al")]) == 0
    rows = json.loads((tmp_path / "al" / "results.json").read_text())["rows"]
    assert [(r["strategy"], r["round"], r["masks"]) for r in rows] == [
        ("start", 0, 2), ("ranked", 1, 4), ("ranked", 2, 6), ("random", 1, 4), ("random", 2, 6)]
    # the same number of steps at every size: 2 masks in batches of 2 -> 2 epochs; 4 -> 1; 6 -> 1 (nearest)
    assert [r["epochs"] for r in rows] == [2, 1, 1, 1, 1]
    # both strategies start from the same masks (one run) and add two new ones each round
    from medvlseg.config import RunConfig

    runs = tmp_path / "al" / "runs"
    ids = {name: RunConfig.from_yaml(runs / name / "config.yaml").data.train_ids
           for name in ("start-seed0", *(f"{s}-seed0-round{k}" for s in ("ranked", "random") for k in (1, 2)))}
    assert len(ids["start-seed0"]) == 2
    for s in ("ranked", "random"):
        assert set(ids["start-seed0"]) < set(ids[f"{s}-seed0-round1"]) < set(ids[f"{s}-seed0-round2"])
        assert len(ids[f"{s}-seed0-round2"]) == 6
    assert all(0 <= r["val_dice"] <= 1 for r in rows)
    assert RunConfig.from_yaml(runs / "start-seed0" / "config.yaml").optim.max_time_min is None

    # run again (seeds run as separate processes, then combined): nothing is trained or scored twice
    import medvlseg.engine.train as train_mod
    import medvlseg.evaluation.evaluate as evaluate_mod

    monkeypatch.setattr(train_mod, "train", lambda *a, **k: pytest.fail("a finished run was trained again"))
    monkeypatch.setattr(evaluate_mod, "evaluate", lambda *a, **k: pytest.fail("a finished run was scored again"))
    assert al.main(["--config", str(cfg), "--prompt", "target", "--seeds", "0", "--rounds", "2", "--share", "0.25",
                    "--samples", "2", "--steps", "2", "--out", str(tmp_path / "al")]) == 0
    again = json.loads((tmp_path / "al" / "results.json").read_text())["rows"]
    assert [(r["run"], r["val_dice"]) for r in again] == [(r["run"], r["val_dice"]) for r in rows]
    monkeypatch.undo()

    suite = tmp_path / "suite.yaml"
    suite.write_text(f"kind: active_learning\nname: t\nsteps: 2\nseeds: [0]\nrounds: 1\nshare: 0.25\nsamples: 2\n"
                     f"datasets:\n  - {{name: a, config: {cfg}, prompt: target}}\n")
    assert al.main(["--suite", str(suite), "--out", str(tmp_path / "s")]) == 0
    rows = json.loads((tmp_path / "s" / "a" / "results.json").read_text())["rows"]
    assert [(r["strategy"], r["round"]) for r in rows] == [("start", 0), ("ranked", 1), ("random", 1)]


def test_masks_to_reach_interpolates_between_rounds():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("active_learning", Path(__file__).resolve().parents[1] / "benchmarks" / "active_learning.py")
    al = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(al)
    curve = [(10, 0.5), (20, 0.7), (30, 0.8)]
    assert al.masks_to_reach(curve, 0.6) == pytest.approx(15.0)
    assert al.masks_to_reach(curve, 0.4) == 10  # already at the start
    assert al.masks_to_reach(curve, 0.8) == 30
    assert al.masks_to_reach(curve, 0.81) is None
    # the table asks the goal at every round random selection reached
    rows = [{"seed": 0, "strategy": "start", "round": 0, "masks": 10, "val_dice": 0.5},
            {"seed": 0, "strategy": "ranked", "round": 1, "masks": 20, "val_dice": 0.7},
            {"seed": 0, "strategy": "ranked", "round": 2, "masks": 30, "val_dice": 0.8},
            {"seed": 0, "strategy": "random", "round": 1, "masks": 20, "val_dice": 0.6},
            {"seed": 0, "strategy": "random", "round": 2, "masks": 30, "val_dice": 0.85}]
    table = al.markdown({"rows": rows})
    assert "| 1 | 20 | 0.600 | 15 | 75% |" in table and "| 2 | 30 | 0.850 | not reached | - |" in table


def test_train_ids_are_checked(tmp_path):
    from medvlseg.engine.data import open_datasets
    from medvlseg.errors import ConfigError, DataError

    data = make_dataset(tmp_path / "ds", n_train=4, n_val=2)
    for extra in ("data.train_ids=[]", "data.fraction=0.5"):
        with pytest.raises(ConfigError, match="train_ids"):
            make_config(data, tmp_path, "data.train_ids=[s00]" if extra != "data.train_ids=[]" else extra, extra)
    train, _, _, _ = open_datasets(make_config(data, tmp_path, "data.train_ids=[s02, s00]"))
    assert train.ids() == ["s00", "s02"]  # in the dataset's order
    with pytest.raises(DataError, match="data.train_ids: not in the training samples.*s05"):
        open_datasets(make_config(data, tmp_path, "data.train_ids=[s00, s05]"))  # s05 is a val image


def test_a_cache_shared_with_another_process_keeps_its_entries(trained, tmp_path):
    """Two rankings into one cache at once (the simulation's seeds run side by side): what the other
    wrote while this one ranked is still in the file afterwards, besides this ranking's own scores."""
    import json

    from medvlseg.checkpoints import model_and_info
    from medvlseg.ranking import rank_loaded
    from medvlseg.segmenter import Segmenter

    run, data = trained
    cache = tmp_path / "cache.jsonl"
    cache.write_text(json.dumps({"key": "before", "signals": {"mi": 0.1}}) + "\n")
    image = np.asarray(Image.open(sorted((data / "images").glob("*.png"))[0]).convert("RGB"))

    def load():  # the other process writes its entry while this ranking runs
        cache.write_text(cache.read_text() + json.dumps({"key": "meanwhile", "signals": {"mi": 0.2}}) + "\n")
        return image

    model, info = model_and_info(run)
    rank_loaded(Segmenter(model), [("a.png", load)], "target", samples=2, cache=cache, model_key=info.sha256)
    keys = [json.loads(line)["key"] for line in cache.read_text().splitlines()]
    assert "before" in keys and "meanwhile" in keys and len(keys) == 3
