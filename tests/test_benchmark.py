"""``medvlseg benchmark``: a small suite runs end to end (train, evaluate in distribution, under a
prompt perturbation and out of distribution, aggregate over seeds, plot); a re-run skips finished
cells without training; a run folder is reused only with the cell's configuration, and one left by an
earlier invocation is never deleted; the suite schema rejects unknown keys; every shipped suite plans
its cells."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from medvlseg.bench import load_suite, plan_cells, run_suite
from medvlseg.errors import ConfigError

pytest.importorskip("lightning")

from test_engine import make_dataset as _engine_dataset  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "benchmarks" / "suites"


def make_dataset(root: Path, n_train: int = 6, n_val: int = 3, size: int = 32, seed: int = 0, split: str | None = None,
                 empty_val: int = 0) -> Path:
    """The engine tests' disk dataset, ids prefixed by the folder name (pooled sets stay distinct)."""
    return _engine_dataset(root, n_train, n_val, size, seed, prefix=root.name, split=split, target="disk", empty_val=empty_val)


def write_suite(path: Path, raw: dict) -> Path:
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.fixture
def small_suite(tmp_path) -> Path:
    a = make_dataset(tmp_path / "alpha", seed=1)
    b = make_dataset(tmp_path / "beta", seed=2)
    ood = make_dataset(tmp_path / "gamma", n_train=0, n_val=3, seed=3, split="test", empty_val=1)
    return write_suite(tmp_path / "suite.yaml", {
        "name": "small",
        "base": {"model": {"backbone": "tiny-lite"}, "data": {"image_size": 32},
                 "optim": {"epochs": 1, "batch_size": 4, "lr": 3e-3}, "trainer": {"accelerator": "cpu", "log_every_n_steps": 1}},
        "matrix": {"models": ["unet"], "datasets": [{"name": "pool", "path": [str(a), str(b)]}], "seeds": [0, 1]},
        "evaluate": {"perturbations": [None, "empty"], "ood": [{"name": "gamma", "path": str(ood), "split": "all"}]},
    })


def test_suite_end_to_end_then_rerun_skips(small_suite, tmp_path):
    out = tmp_path / "bench"
    res = run_suite(small_suite, out, command="medvlseg benchmark --suite suite.yaml")
    assert [c.id for c in res.cells] == ["unet__pool__p1__f1__s0", "unet__pool__p1__f1__s1"] and not res.skipped

    # each cell: its run directory, its evaluations, one JSON with all of them
    for cell in res.cells:
        rec = json.loads((out / "cells" / f"{cell.id}.json").read_text())
        assert (out / "runs" / cell.id / "model.safetensors").is_file()
        assert rec["train"]["epochs"] == 1 and rec["train"]["wall_s"] > 0 and rec["train"]["device"] == "cpu"
        keys = {e["key"] for e in rec["evals"]}
        assert {"val", "val~empty", "ood:gamma", "val/alpha", "val/beta"} <= keys
        by_key = {e["key"]: e for e in rec["evals"]}
        assert by_key["val"]["n"] == 6 and by_key["val/alpha"]["n"] == 3 and by_key["ood:gamma"]["n"] == 3
        # the target-free image of gamma: counted, and whether it was predicted empty
        assert by_key["ood:gamma"]["n_empty"] == 1 and by_key["ood:gamma"]["empty_correct"] in (0.0, 1.0)
        assert by_key["val"]["n_empty"] == 0 and by_key["val"]["empty_correct"] is None
        assert by_key["val~empty"]["perturbation"] == "empty" and by_key["val"]["tta"] == "none"
        # the pooled evaluation's Dice is the mean over both members' images (equal counts here)
        assert by_key["val"]["dice"] == pytest.approx((by_key["val/alpha"]["dice"] + by_key["val/beta"]["dice"]) / 2)
        assert 0 <= by_key["val"]["dice"] <= 1

    # aggregated over the two seeds: mean and sample sd of the per-seed values
    with open(out / "results.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sets = {(r["eval_set"], r["perturbation"]) for r in rows}
    assert sets == {("val", ""), ("val", "empty"), ("gamma", ""), ("val/alpha", ""), ("val/beta", ""),
                    ("val/alpha", "empty"), ("val/beta", "empty")}
    val = next(r for r in rows if r["eval_set"] == "val" and r["perturbation"] == "")
    dices = [next(e["dice"] for e in r["evals"] if e["key"] == "val") for r in res.records]
    assert int(val["n_seeds"]) == 2
    assert float(val["dice_mean"]) == pytest.approx(np.mean(dices))
    assert float(val["dice_sd"]) == pytest.approx(np.std(dices, ddof=1))
    md = (out / "results.md").read_text()
    assert "medvlseg benchmark --suite suite.yaml" in md and "Machine:" in md
    assert f"{np.mean(dices):.3f} ± {np.std(dices, ddof=1):.3f}" in md
    plots = {p.name for p in (out / "plots").glob("*.png")}
    assert plots == {"id_vs_ood.png", "perturbation_dice_change.png"}  # one fraction: no fraction plot
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in (out / "plots").glob("*.png"))

    # re-run: every cell is done, nothing is trained or evaluated again
    def no_train(*args, **kwargs):
        raise AssertionError("train called for a finished cell")

    before = (out / "cells" / "unet__pool__p1__f1__s0.json").stat().st_mtime_ns
    res2 = run_suite(small_suite, out, train_fn=no_train)
    assert res2.skipped == [c.id for c in res.cells]
    assert (out / "cells" / "unet__pool__p1__f1__s0.json").stat().st_mtime_ns == before
    assert res2.rows == res.rows

    # a cell whose run finished but whose JSON is missing (killed while evaluating) is only evaluated
    (out / "cells" / "unet__pool__p1__f1__s1.json").unlink()
    res3 = run_suite(small_suite, out, train_fn=no_train)
    assert res3.skipped == ["unet__pool__p1__f1__s0"]
    assert (out / "cells" / "unet__pool__p1__f1__s1.json").is_file()
    assert res3.rows[0]["dice_mean"] == pytest.approx(res.rows[0]["dice_mean"])

    # a run killed mid-training (metadata status "running", no cell JSON) is resumed, not restarted
    from medvlseg.engine.train import train

    calls = []

    def recording_train(*args, **kwargs):
        calls.append(kwargs.get("resume"))
        return train(*args, **kwargs)

    run_dir = out / "runs" / "unet__pool__p1__f1__s1"
    meta = json.loads((run_dir / "metadata.json").read_text())
    (run_dir / "metadata.json").write_text(json.dumps({**meta, "status": "running"}))
    (out / "cells" / "unet__pool__p1__f1__s1.json").unlink()
    run_suite(small_suite, out, train_fn=recording_train)
    assert calls == [run_dir]
    assert json.loads((run_dir / "metadata.json").read_text())["status"] == "finished"

    # the same --out with another configuration is refused, naming the cell file
    with pytest.raises(ConfigError, match=r"unet__pool__p1__f1__s0\.json: was computed with another configuration"):
        run_suite(small_suite, out, overrides=["optim.lr=0.01"], train_fn=no_train)


def test_fractions_make_fraction_plot(tmp_path):
    data = make_dataset(tmp_path / "alpha", n_train=8, n_val=2)
    suite = write_suite(tmp_path / "s.yaml", {
        "name": "frac",
        "base": {"model": {"name": "unet", "backbone": "tiny-lite"}, "data": {"path": "unused", "image_size": 32},
                 "optim": {"epochs": 1, "batch_size": 4}, "trainer": {"accelerator": "cpu"}},
        "matrix": {"models": ["unet"], "datasets": [str(data)], "fractions": [0.5, 1.0]},
        "evaluate": {"limit": 2},
    })
    res = run_suite(suite, tmp_path / "out")
    assert [r["fraction"] for r in res.rows] == [0.5, 1.0]
    assert [r["n_train"] for r in (rec["train"] for rec in res.records)] == [4, 8]
    assert (tmp_path / "out" / "plots" / "dice_vs_fraction.png").is_file()


def _one_cell_suite(tmp_path: Path, data: str = "unused") -> Path:
    return write_suite(tmp_path / "one.yaml", {
        "name": "one",
        "base": {"model": {"name": "unet", "backbone": "tiny-lite"}, "data": {"image_size": 32},
                 "optim": {"epochs": 1, "batch_size": 4, "lr": 3e-3}, "trainer": {"accelerator": "cpu", "log_every_n_steps": 1}},
        "matrix": {"models": ["unet"], "datasets": [{"name": "alpha", "path": data}]},
        "evaluate": {"limit": 2},
    })


def _no_train(*args, **kwargs):
    raise AssertionError("train called")


def test_finished_run_with_another_config_is_refused_not_deleted(tmp_path):
    suite_path = _one_cell_suite(tmp_path)
    out = tmp_path / "bench"
    (cell,) = plan_cells(load_suite(suite_path)[0], out)
    run_dir = out / "runs" / cell.id
    run_dir.mkdir(parents=True)
    other = cell.config.model_copy(update={"optim": cell.config.optim.model_copy(update={"lr": 0.01})})
    other.to_yaml(run_dir / "config.yaml")
    (run_dir / "metadata.json").write_text(json.dumps({"status": "finished", "epochs_completed": 1}))
    (run_dir / "model.safetensors").write_bytes(b"weights")

    with pytest.raises(ConfigError, match=rf"{cell.id}: this run was trained with another configuration .*optim\.lr: 0\.01 there, "
                                          r"0\.003 for this cell.*use another --out, or remove .* yourself"):
        run_suite(suite_path, out, train_fn=_no_train)
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.yaml", "metadata.json", "model.safetensors"]
    assert not (out / "cells").exists()


@pytest.mark.parametrize("leftover", ["config.yaml without last/", "files without config.yaml"])
def test_unresumable_folder_of_an_earlier_invocation_is_not_deleted(tmp_path, leftover):
    suite_path = _one_cell_suite(tmp_path)
    out = tmp_path / "bench"
    (cell,) = plan_cells(load_suite(suite_path)[0], out)
    run_dir = out / "runs" / cell.id
    run_dir.mkdir(parents=True)
    (run_dir / "notes.txt").write_text("mine")
    if leftover.startswith("config.yaml"):
        cell.config.to_yaml(run_dir / "config.yaml")  # the same config, but stopped before its first epoch
        (run_dir / "metadata.json").write_text(json.dumps({"status": "running"}))
        match = rf"{cell.id}: the unfinished run of cell {cell.id} cannot be resumed .*Remove .* yourself"
    else:
        match = rf"{cell.id}: exists but has no config.yaml.*remove .* yourself"
    with pytest.raises(ConfigError, match=match):
        run_suite(suite_path, out, train_fn=_no_train)
    assert (run_dir / "notes.txt").read_text() == "mine"
    assert (run_dir / "config.yaml").is_file() == leftover.startswith("config.yaml")


def test_finished_run_with_the_same_config_is_reused(tmp_path, monkeypatch):
    data = make_dataset(tmp_path / "alpha", n_train=4, n_val=2)
    suite_path = _one_cell_suite(tmp_path, str(data))
    monkeypatch.chdir(tmp_path)
    res = run_suite(suite_path, "bench")  # a relative --out: out_dir "bench/runs" in the run's config.yaml
    (cell,) = res.cells
    run_dir = tmp_path / "bench" / "runs" / cell.id
    config_before = (run_dir / "config.yaml").read_text()

    # killed while evaluating: the cell JSON is missing; the same folder given as an absolute path
    (tmp_path / "bench" / "cells" / f"{cell.id}.json").unlink()
    res2 = run_suite(suite_path, tmp_path / "bench", train_fn=_no_train)
    assert res2.skipped == [] and res2.records[0]["train"]["epochs"] == 1 and res2.records[0]["train"]["wall_s"] is None
    assert res2.rows[0]["dice_mean"] == pytest.approx(res.rows[0]["dice_mean"])
    assert (run_dir / "config.yaml").read_text() == config_before and (run_dir / "model.safetensors").is_file()
    assert run_suite(suite_path, "bench", train_fn=_no_train).skipped == [cell.id]

    # a cell JSON written before a config key existed (its default then applies) is still the same cell
    import json

    cell_json = tmp_path / "bench" / "cells" / f"{cell.id}.json"
    rec = json.loads(cell_json.read_text())
    del rec["config"]["data"]["select_fraction"]
    cell_json.write_text(json.dumps(rec))
    assert run_suite(suite_path, "bench", train_fn=_no_train).skipped == [cell.id]


@pytest.mark.parametrize(
    "patch, match",
    [
        ({"matrixx": {}}, r"matrixx: unknown key"),
        ({"matrix": {"models": ["unet"], "datasets": ["d"], "seedz": [0]}}, r"matrix\.seedz: unknown key"),
        ({"evaluate": {"perturbations": ["shuffle"]}}, r"evaluate\.perturbations: unknown perturbation"),
        ({"evaluate": {"tta": "mirror"}}, r"evaluate\.tta: unknown test-time augmentation 'mirror'"),
        ({"matrix": {"models": [{"name": "unet", "backbon": "lite"}], "datasets": ["d"]}}, r"matrix\.models\.0\.backbon: unknown key"),
        ({"matrix": {"models": ["unet"], "datasets": ["d"], "fractions": [0]}}, r"fractions must lie in \(0, 1\]"),
        ({"matrix": {"models": ["unett"], "datasets": ["d"]}}, r"matrix\.models\.0\.name: unknown model 'unett'; expected one of: .*unet"),
    ],
)
def test_bad_suite_names_the_key(tmp_path, patch, match):
    raw = {"name": "bad", "matrix": {"models": ["unet"], "datasets": ["d"]}, **patch}
    path = write_suite(tmp_path / "bad.yaml", raw)
    with pytest.raises(ConfigError, match=match):
        run_suite(path, tmp_path / "out", dry_run=True)


EXPECTED_CELLS = {"finetune": 18, "pooled": 8, "data_efficiency": 24, "ood_fuseg_medetec": 3, "prompt_robustness": 2,
                  "ablation": 26}


@pytest.mark.parametrize("name", sorted(EXPECTED_CELLS))
def test_shipped_suites_parse_and_plan(name, tmp_path):
    suite, run_sets = load_suite(SUITES / f"{name}.yaml")
    assert suite.name == name and run_sets == []
    cells = plan_cells(suite, tmp_path)
    assert len(cells) == EXPECTED_CELLS[name]
    assert len({c.id for c in cells}) == len(cells)
    for c in cells:
        assert c.config.model.backbone in ("lite", "lite2") and c.config.optim.max_time_min
        assert all(p.startswith("../shared/datasets/") for p in c.paths)
    # active_learning.yaml is the simulation's (benchmarks/active_learning.py, tests/test_ranking.py)
    assert sorted(p.stem for p in SUITES.glob("*.yaml")) == sorted([*EXPECTED_CELLS, "active_learning"])


def test_an_ablation_is_one_model_listed_with_one_change_each(tmp_path):
    """A model entry's `set` changes only its own cells; its label names them."""
    suite, _ = load_suite(SUITES / "ablation.yaml")
    cells = {c.id: c.config for c in plan_cells(suite, tmp_path)}
    recipe, ema = cells["recipe__fuseg__p1__f1__s0"], cells["ema__fuseg__p1__f1__s0"]
    assert recipe.optim.ema_decay is None and ema.optim.ema_decay == 0.99
    assert cells["px320__polypgen__p1__f1__s0"].data.image_size == 320 and recipe.data.image_size == 256
    assert cells["lite2__fuseg__p1__f1__s0"].model.backbone == "lite2"
    tuned = cells["tune-last-stage__fuseg__p1__f1__s0"]
    assert tuned.model.kwargs == {"tune_last_stage": True} and tuned.optim.backbone_lr_scale == 0.1
    assert recipe.data.select_fraction == 0.1 and not cells["no-cache__fuseg__p1__f1__s0"].cache.enabled
    photo = cells["photometric__fuseg__p1__f1__s0"]
    assert not photo.cache.enabled and photo.augment.jpeg == 0.3 and recipe.cache.enabled
    # apart from what its `set` names, a variant is the recipe
    strip = lambda c: {**c.to_dict(), "name": None, "optim": {**c.to_dict()["optim"], "ema_decay": None}}  # noqa: E731
    assert strip(ema) == strip(recipe)


def test_set_splits_suite_and_run_keys(tmp_path):
    suite, run_sets = load_suite(SUITES / "pooled.yaml", ["matrix.models=[unet]", "evaluate.limit=5", "optim.max_time_min=1"])
    assert run_sets == ["optim.max_time_min=1"] and suite.evaluate.limit == 5
    cells = plan_cells(suite, tmp_path, run_sets)
    assert len(cells) == 4 and all(c.config.optim.max_time_min == 1 and c.config.model.name == "unet" for c in cells)
    assert cells[0].paths == ["../shared/datasets/fuseg", "../shared/datasets/ph2", "../shared/datasets/polypgen"]

    # an override of a value is what the cell id and tables show; collapsing the matrix is refused
    suite, run_sets = load_suite(SUITES / "ood_fuseg_medetec.yaml", ["data.fraction=0.05"])
    assert {c.fraction for c in plan_cells(suite, tmp_path, run_sets)} == {0.05}
    assert plan_cells(suite, tmp_path, run_sets)[0].id == "medclipseg__fuseg__p1__f0.05__s0"
    suite, run_sets = load_suite(SUITES / "data_efficiency.yaml", ["data.fraction=0.05"])
    with pytest.raises(ConfigError, match="two cells resolve to medclipseg__fuseg__p1__f0.05__s0"):
        plan_cells(suite, tmp_path, run_sets)


def test_cli_dry_run_and_set(capsys, tmp_path):
    from medvlseg.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["benchmark", "--suite", str(SUITES / "data_efficiency.yaml"), "--out", str(tmp_path / "o"), "--dry-run",
              "--set", "matrix.seeds=[0]", "--set", "optim.max_time_min=1"])
    assert exc.value.code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 8 and all("seed 0" in line for line in lines)
    assert not (tmp_path / "o").exists()

    with pytest.raises(SystemExit) as exc:
        main(["benchmark", "--suite", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "missing.yaml: suite file not found" in capsys.readouterr().err
