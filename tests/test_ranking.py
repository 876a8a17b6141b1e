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


def test_active_learning_simulation_runs_both_strategies(tmp_path):
    """benchmarks/active_learning.py in small: one seed, two rounds, a quarter of the masks each."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("active_learning", Path(__file__).resolve().parents[1] / "benchmarks" / "active_learning.py")
    al = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(al)
    data = make_dataset(tmp_path / "ds", n_train=8, n_val=2)
    cfg = tmp_path / "c.yaml"
    make_config(data, tmp_path / "unused", "optim.epochs=1").to_yaml(cfg)
    assert al.main(["--config", str(cfg), "--prompt", "target", "--seeds", "0", "--rounds", "2", "--share", "0.25",
                    "--samples", "2", "--out", str(tmp_path / "al")]) == 0
    rows = json.loads((tmp_path / "al" / "results.json").read_text())["rows"]
    assert [(r["strategy"], r["round"], r["masks"]) for r in rows] == [("ranked", 1, 2), ("ranked", 2, 4), ("random", 1, 2), ("random", 2, 4)]
    # both strategies start from the same masks and add two new ones each; every Dice is a number
    from medvlseg.config import RunConfig

    ids = {(s, k): RunConfig.from_yaml(tmp_path / "al" / "runs" / f"{s}-seed0-round{k}" / "config.yaml").data.train_ids
           for s in ("ranked", "random") for k in (1, 2)}
    assert ids["ranked", 1] == ids["random", 1] and len(ids["ranked", 1]) == 2
    assert all(set(ids[s, 1]) < set(ids[s, 2]) and len(ids[s, 2]) == 4 for s in ("ranked", "random"))
    assert all(0 <= r["val_dice"] <= 1 for r in rows)


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
