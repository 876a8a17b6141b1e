"""The training engine writes a model that describes itself: trained at 192 px, it is evaluated and
used at 192 px; selection on a held-out part of train leaves val untouched; `evaluate` names the
images a run was trained on wherever the data was copied; the training log is free of Lightning's
chatter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lightning")

import medvlseg  # noqa: E402
from medvlseg.checkpoints import resolve_model  # noqa: E402
from medvlseg.engine.train import train  # noqa: E402
from medvlseg.evaluation.evaluate import evaluate  # noqa: E402

from test_engine import make_config, make_dataset  # noqa: E402


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("rec") / "disks", n_train=8, n_val=4)


@pytest.fixture(scope="module")
def run_192(data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs192")
    cfg = make_config(data, out, "data.image_size=192", "optim.epochs=1", "model.kwargs={decoder_channels: [16, 8, 8, 8]}")
    return train(cfg, progress=False)


def test_a_run_trained_at_192_px_is_used_at_192_px(run_192, data, tmp_path):
    model, info = resolve_model(run_192)
    assert model.image_size == 192 and info.image_size == 192 and model.record.image_size == 192
    meta = json.loads((run_192 / "metadata.json").read_text())
    assert meta["record"]["image_size"] == 192 and meta["image_size"] == 192
    assert meta["record"]["targets"] == ["target"] and meta["record"]["data"][0]["name"] == "disks"
    assert meta["record"]["prompt_type"] == model.record.prompt_type == "p1"  # the prompts it was trained with
    seg = medvlseg.load(run_192)
    assert seg.preprocess(np.zeros((32, 40, 3), np.uint8)).shape == (1, 3, 192, 192)
    summary = evaluate(run_192, data, out_dir=tmp_path / "ev", figures=False)
    assert summary["model"]["image_size"] == 192 and summary["model"]["record"]["image_size"] == 192
    from medvlseg.predict import predict

    res = predict(run_192, [data / "images" / "s09.png"], "target", out_dir=tmp_path / "pr")
    assert res["model"]["image_size"] == 192


def test_a_record_without_the_prompt_type_takes_it_from_its_run(run_192, tmp_path):
    """Runs trained before the record kept the prompt type: the loader reads it from config.yaml."""
    from medvlseg.models.base import save_model

    old = tmp_path / "old"
    shutil.copytree(run_192, old)
    model, _ = resolve_model(old)
    model.record = model.record.model_copy(update={"prompt_type": None})
    save_model(model, old / "model.safetensors")
    meta = json.loads((old / "metadata.json").read_text())
    from medvlseg.utils import sha256_file

    meta["sha256"]["model.safetensors"] = sha256_file(old / "model.safetensors")
    (old / "metadata.json").write_text(json.dumps(meta))
    cfg = (old / "config.yaml").read_text()
    (old / "config.yaml").write_text(cfg.replace("prompt_type: p1", "prompt_type: p5"))
    assert "prompt_type: p5" in (old / "config.yaml").read_text()
    assert resolve_model(old)[0].record.prompt_type == "p5"
    (old / "config.yaml").unlink()
    assert resolve_model(old)[0].record.prompt_type is None


def test_calibrated_presence_threshold_is_in_the_saved_record(data, tmp_path, monkeypatch):
    """Whatever calibration chooses reaches the saved file's record, the metadata and every loader."""
    import medvlseg.engine.calibrate as calibrate

    real = calibrate.choose_presence_threshold
    monkeypatch.setattr(calibrate, "choose_presence_threshold", lambda *a, **k: (0.37, real(*a, **k)[1]))
    run = train(make_config(data, tmp_path, "optim.epochs=1"), progress=False)
    meta = json.loads((run / "metadata.json").read_text())
    model, info = resolve_model(run)
    assert model.record.presence_threshold == meta["presence_threshold"] == info.presence_threshold == 0.37
    assert meta["record"]["presence_threshold"] == 0.37 and medvlseg.load(run).presence_threshold == 0.37
    assert meta["presence_calibration"]["split"] == "val"


def test_resume_rebuilds_from_the_record_and_refuses_model_changes(data, tmp_path):
    from medvlseg.errors import ConfigError

    run = train(make_config(data, tmp_path, "optim.epochs=1", "data.image_size=48"), progress=False)
    for bad in ("data.image_size=64", "model.kwargs={decoder_channels: [8, 8, 8, 8]}", "data.select_fraction=0.2"):
        with pytest.raises(ConfigError, match="--resume.*would change the model or its data"):
            train(resume=run, overrides=[bad], progress=False)
    # the record, not the config, says what network the run trains: a config edited behind its back changes nothing
    cfg = (run / "config.yaml").read_text()
    (run / "config.yaml").write_text(cfg.replace("image_size: 48", "image_size: 64"))
    train(resume=run, overrides=["optim.epochs=2"], progress=False)
    model, _ = resolve_model(run)
    assert model.image_size == 48
    assert json.loads((run / "metadata.json").read_text())["epochs_completed"] == 2


def test_select_fraction_holds_out_part_of_train_and_leaves_val_untouched(data, tmp_path):
    from medvlseg.engine.data import open_datasets

    cfg = make_config(data, tmp_path, "data.select_fraction=0.25")
    train_ds, select_ds, _, selection = open_datasets(cfg)
    train_ids, select_ids = set(train_ds.ids()), set(select_ds.ids())
    val_ids = {f"s{k:02d}" for k in range(8, 12)}
    assert len(select_ids) == 2 and not (select_ids & train_ids) and not (select_ids & val_ids) and not (train_ids & val_ids)
    assert train_ids | select_ids == {f"s{k:02d}" for k in range(8)}
    assert selection["untouched"] == ["val"] and "held out" in selection["split"]
    # deterministic, and the same whatever annotation fraction is trained on
    assert set(open_datasets(cfg)[1].ids()) == select_ids
    half = open_datasets(make_config(data, tmp_path, "data.select_fraction=0.25", "data.fraction=0.5"))
    assert set(half[1].ids()) == select_ids and set(half[0].ids()) < train_ids
    run = train(make_config(data, tmp_path / "runs", "data.select_fraction=0.25", "optim.epochs=1"), progress=False)
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["n_val"] == 2 and meta["selection"]["untouched"] == ["val"]
    assert meta["presence_calibration"]["split"].startswith("train[held out")


def test_select_within_fraction_counts_selection_against_the_annotated_fraction(data, tmp_path):
    """A data-efficiency run reads only the masks of its fraction: selection included."""
    from medvlseg.engine.data import open_datasets

    whole = open_datasets(make_config(data, tmp_path, "data.select_fraction=0.25", "data.fraction=0.5"))
    within = open_datasets(make_config(data, tmp_path, "data.select_fraction=0.25", "data.fraction=0.5",
                                       "data.select_within_fraction=true"))
    annotated = set(open_datasets(make_config(data, tmp_path, "data.fraction=0.5"))[0].ids())  # no selection: the fraction itself
    train_ids, select_ids = set(within[0].ids()), set(within[1].ids())
    assert train_ids | select_ids == annotated and not (train_ids & select_ids) and select_ids
    assert len(train_ids | select_ids) < len(set(whole[0].ids()) | set(whole[1].ids()))  # fewer masks read
    assert "of the 0.5 annotated" in within[3]["split"]
    # at fraction 1 the option changes nothing
    off, on = (open_datasets(make_config(data, tmp_path, "data.select_fraction=0.25", *extra))
               for extra in ((), ("data.select_within_fraction=true",)))
    assert set(off[0].ids()) == set(on[0].ids()) and set(off[1].ids()) == set(on[1].ids())


def test_evaluate_names_training_images_found_in_a_copied_dataset(run_192, data, tmp_path):
    """The copy puts two training images into val under new names: the run recognises them."""
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    rows = (copy / "manifest.csv").read_text().splitlines()
    header, body = rows[0], rows[1:]
    moved = []
    for i, row in enumerate(body[:2]):  # s00, s01 (train) -> renamed, in val
        sid = row.split(",")[0]
        new = f"copy_{sid}"
        (copy / "images" / f"{sid}.png").rename(copy / "images" / f"{new}.png")
        (copy / "masks" / f"{sid}.png").rename(copy / "masks" / f"{new}.png")
        body[i] = f"{new},images/{new}.png,masks/{new}.png,val,target"
        moved.append(new)
    (copy / "manifest.csv").write_text("\n".join([header, *body]) + "\n")
    summary = evaluate(run_192, copy, out_dir=tmp_path / "ev", figures=False, drop_train_copies=False)
    assert sorted(summary["in_training_data"]) == sorted(moved)
    assert summary["warnings"] and "2 of the 6" in summary["warnings"][0]
    clean = evaluate(run_192, data, out_dir=tmp_path / "ev2", figures=False)
    assert clean["in_training_data"] == [] and clean["warnings"] == []


NOISE = ("GPU available", "TPU available", "Tip:", "litlogger", "Loading `train_dataloader`",
         "in eval mode", "LeafSpec", "logging interval", "`Trainer.fit` stopped")


def test_training_log_has_no_lightning_chatter(data, tmp_path, capfd, caplog, recwarn):
    """Lightning's banners and tips (log records) and its warnings about deliberate choices are not
    shown; the log is one line per epoch and a closing line."""
    import logging

    from rich.console import Console

    caplog.set_level(logging.INFO)
    console = Console(file=None, force_terminal=False, width=200)
    train(make_config(data, tmp_path, "optim.epochs=2"), progress=False, console=console)
    out, err = capfd.readouterr()
    text = out + err
    logged = "\n".join(r.getMessage() for r in caplog.records)
    warned = "\n".join(str(w.message) for w in recwarn)
    for noise in NOISE:
        assert noise not in text and noise not in logged and noise not in warned, noise
    epoch_lines = [ln for ln in text.splitlines() if ln.startswith("epoch ")]
    assert len(epoch_lines) == 2 and "finished in" in text


def test_the_chatter_filter_is_what_silences(data, tmp_path, caplog):
    """Without quiet_lightning the same run does log Lightning's banner: the test above can fail."""
    import logging

    import medvlseg.engine.train as engine_train

    caplog.set_level(logging.INFO)
    engine_train._train(make_config(data, tmp_path, "optim.epochs=1"), resume=None, overrides=None, devices=None,
                        strategy=None, num_nodes=None, out_dir=None, progress=False, console=None, allow_pickle=False)
    assert any("GPU available" in r.getMessage() for r in caplog.records)
