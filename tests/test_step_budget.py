"""Time budgets by steps (reliability issue, item 6): a run with ``optim.max_time_min`` spends its budget
in whole epochs, plans its length in epochs after each epoch and decays the learning rate over that plan
step by step; the plans are recorded, so ``--replay`` repeats the run exactly with no clock, and a
resumed run keeps the plans it made (the clock here is simulated: every reading advances 30 s)."""

from __future__ import annotations

import json

import pytest

from medvlseg.utils import sha256_file
from test_engine import make_config, make_dataset, read_metrics

pytest.importorskip("lightning")

PACE_S = 30.0  # simulated seconds between two clock readings: each epoch "takes" 30 s


@pytest.fixture
def simulated_clock(monkeypatch):
    import medvlseg.engine.train as engine_train

    now = [0.0]

    def clock() -> float:
        now[0] += PACE_S
        return now[0]

    monkeypatch.setattr(engine_train, "_clock", clock)
    return now


def _budget_config(data, out, *extra):
    # 2 minutes at 30 s an epoch: after epoch 1, 90 s are left (3 more epochs); the run ends after epoch 4
    return make_config(data, out, "optim.epochs=10", "optim.max_time_min=2", "optim.batch_size=2", *extra)


def _rows(run):
    return [{k: r[k] for k in ("epoch", "train_loss", "val_dice", "lr", "steps", "planned_epochs")} for r in read_metrics(run)]


def test_budget_spent_in_whole_epochs_and_recorded(tmp_path, simulated_clock):
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    run = train(_budget_config(data, tmp_path / "runs"), progress=False)
    rows = read_metrics(run)
    spe = 3  # 6 images, batches of 2
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]  # 4 x 30 s = the 2-minute budget, not the 10 epochs
    assert [int(r["steps"]) for r in rows] == [spe, 2 * spe, 3 * spe, 4 * spe]
    assert [int(r["planned_epochs"]) for r in rows] == [4] * 4
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["epoch_plan"] == [4] * 4 and meta["steps"] == 4 * spe
    # the cosine reaches 0 at the planned end: the last epoch's last step is trained at (almost) nothing
    assert float(rows[-1]["lr"]) < 0.01 * 3e-3 < float(rows[0]["lr"])


def test_replay_repeats_the_run_by_steps_without_the_clock(tmp_path, simulated_clock, monkeypatch):
    from medvlseg.config import RunConfig
    from medvlseg.engine.train import replay_config, train

    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    cfg_path = tmp_path / "c.yaml"
    _budget_config(data, tmp_path / "runs").to_yaml(cfg_path)
    run = train(RunConfig.from_yaml(cfg_path), progress=False)

    # a machine twice as slow: by the clock the budget would now hold 2 epochs; the replay still runs 4
    monkeypatch.setattr("medvlseg.engine.train._clock", _slow_clock())
    cfg = replay_config(run)
    assert cfg.name == "t-replay" and cfg.optim.epoch_plan == json.loads((run / "metadata.json").read_text())["epoch_plan"]
    again = train(cfg, progress=False)
    assert again == run.parent / "t-replay"
    assert _rows(again) == _rows(run)
    assert sha256_file(again / "model.safetensors") == sha256_file(run / "model.safetensors")


def _slow_clock():
    now = [0.0]

    def clock() -> float:
        now[0] += 2 * PACE_S
        return now[0]

    return clock


def test_resume_follows_the_recorded_plan(tmp_path, simulated_clock, monkeypatch):
    """Stopped after epoch 2 (as by a kill: last/ holds epoch 2) and resumed: the same rows, learning
    rates and weights as the uninterrupted budgeted run."""
    import medvlseg.engine.train as engine_train
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    ref = train(_budget_config(data, tmp_path / "ref"), progress=False)

    simulated_clock[0] = 0.0
    original = engine_train.RunDirCallback.on_train_epoch_end

    class Killed(Exception):
        pass

    def end_then_die(self, trainer, pl_module):
        original(self, trainer, pl_module)
        if trainer.current_epoch == 1:  # epoch 2 written (metrics, last/): die as a SIGKILL would
            raise Killed

    monkeypatch.setattr(engine_train.RunDirCallback, "on_train_epoch_end", end_then_die)
    with pytest.raises(Killed):
        train(_budget_config(data, tmp_path / "runs"), progress=False)
    run = tmp_path / "runs" / "t"
    assert len(read_metrics(run)) == 2
    monkeypatch.setattr(engine_train.RunDirCallback, "on_train_epoch_end", original)
    assert train(None, resume=run, progress=False) == run
    assert _rows(run) == _rows(ref)
    assert sha256_file(run / "model.safetensors") == sha256_file(ref / "model.safetensors")


def test_replay_needs_a_recorded_plan(tmp_path):
    from medvlseg.engine.train import replay_config, train
    from medvlseg.errors import ConfigError

    data = make_dataset(tmp_path / "ds", n_train=4, n_val=2)
    run = train(make_config(data, tmp_path / "runs", "optim.epochs=1"), progress=False)  # no budget
    with pytest.raises(ConfigError, match=r"metadata\.json: no epoch_plan"):
        replay_config(run)
    with pytest.raises(ConfigError, match="config.yaml: not found"):
        replay_config(tmp_path / "nowhere")


def test_epoch_plan_validated():
    from medvlseg.config import RunConfig
    from medvlseg.errors import ConfigError

    with pytest.raises(ConfigError, match="epoch_plan"):
        RunConfig.from_dict({"model": {"name": "unet"}, "data": {"path": "x"}, "optim": {"epoch_plan": [3, 1]}})


def test_cli_replay_is_one_of_three_and_says_what_is_missing(tmp_path, capsys):
    from medvlseg.cli import main

    data = make_dataset(tmp_path / "ds", n_train=4, n_val=2)
    cfg = tmp_path / "c.yaml"
    make_config(data, tmp_path / "runs", "optim.epochs=1").to_yaml(cfg)
    for args, said in ((["--replay", str(tmp_path), "--config", str(cfg)], "give one of --config"),
                       (["--replay", str(tmp_path / "nowhere")], "config.yaml: not found")):
        with pytest.raises(SystemExit) as exc:
            main(["train", *args])
        err = capsys.readouterr().err
        assert exc.value.code != 0 and said in " ".join(err.split()) and "Traceback" not in err
