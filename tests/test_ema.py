"""``optim.ema_decay`` (engine/ema.py): the saved model is the exponential moving average of the
weights, checked against a transcription of the formula (avg_0 = w_0, avg_t = d avg_{t-1} +
(1 - d) w_t) from the raw weights recorded step by step; validation scores that average; a run
stopped after an epoch and resumed ends with the same average as one that was not; nothing
outside what the model saves is averaged."""

from __future__ import annotations

import json

import pytest
import torch

from test_engine import make_config, make_dataset, read_metrics

pytest.importorskip("lightning")


def _trainable_params(model) -> dict[str, torch.Tensor]:
    return {k: p.detach().clone() for k, p in model.named_parameters() if p.requires_grad}


def test_the_saved_model_is_the_moving_average_of_the_steps(tmp_path, monkeypatch):
    from medvlseg.engine import train as train_mod
    from medvlseg.weights import read_weights

    raw: list[dict[str, torch.Tensor]] = []
    start = train_mod.RunDirCallback.on_train_start

    def first(self, trainer, pl_module):  # the weights when training starts: avg_0
        raw.append(_trainable_params(pl_module.model))
        start(self, trainer, pl_module)

    def record(self, trainer, pl_module, outputs, batch, batch_idx):  # after each optimizer step
        raw.append(_trainable_params(pl_module.model))

    monkeypatch.setattr(train_mod.RunDirCallback, "on_train_start", first)
    monkeypatch.setattr(train_mod.RunDirCallback, "on_train_batch_end", record, raising=False)
    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    decay = 0.5
    run = train_mod.train(make_config(data, tmp_path / "runs", "optim.epochs=1", "optim.batch_size=2",
                                      f"optim.ema_decay={decay}"), progress=False)
    assert len(raw) == 4  # the start, then 6 images in batches of 2
    avg = dict(raw[0])
    for w in raw[1:]:
        avg = {k: decay * avg[k] + (1 - decay) * w[k] for k in avg}
    saved = read_weights(run / "model.safetensors")
    for k, v in avg.items():
        torch.testing.assert_close(saved[k], v, rtol=1e-5, atol=1e-6)
    assert any(not torch.allclose(avg[k], raw[-1][k]) for k in avg)  # the test can tell them apart


def test_validation_scores_the_average(tmp_path):
    """The epoch's recorded val loss is the saved (averaged) model's own, recomputed on val."""
    from medvlseg.engine import train as train_mod
    from medvlseg.engine.data import TorchSegDataset, collate, open_datasets
    from medvlseg.losses import DiceBCELoss
    from medvlseg.models.base import load_model

    data = make_dataset(tmp_path / "ds", n_train=6, n_val=4)
    cfg = make_config(data, tmp_path / "runs", "optim.epochs=1", "optim.batch_size=4", "optim.ema_decay=0.5")
    run = train_mod.train(cfg, progress=False)
    model = load_model(run / "model.safetensors").eval()
    _, val_ds, _, _ = open_datasets(cfg)
    ds = TorchSegDataset(val_ds, size=32, mean=model.image_mean, std=model.image_std, cfg=cfg, train=False, uses_text=False)
    batch = collate([ds[i] for i in range(len(ds))])  # one batch of 4: the validation's only batch
    with torch.no_grad():
        loss = DiceBCELoss(0.5, 0.5)(model(batch["image"], list(batch["prompt"])).logits, batch["mask"])
    assert float(read_metrics(run)[0]["val_loss"]) == pytest.approx(float(loss), abs=1e-5)


class _Stop(Exception):
    pass


def test_a_resumed_run_ends_with_the_same_average(tmp_path, monkeypatch):
    from medvlseg.engine import train as train_mod
    from medvlseg.weights import read_weights

    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    extra = ["optim.epochs=3", "optim.batch_size=2", "optim.ema_decay=0.7"]
    ref = train_mod.train(make_config(data, tmp_path / "ref", *extra), progress=False)

    end = train_mod.RunDirCallback.on_train_epoch_end

    def stop_after_two(self, trainer, pl_module):
        end(self, trainer, pl_module)
        if trainer.current_epoch == 1:
            raise _Stop

    with monkeypatch.context() as m:
        m.setattr(train_mod.RunDirCallback, "on_train_epoch_end", stop_after_two)
        with pytest.raises(_Stop):
            train_mod.train(make_config(data, tmp_path / "runs", *extra), progress=False)
    run = tmp_path / "runs" / "t"
    assert len(read_metrics(run)) == 2
    train_mod.train(None, resume=run, progress=False)
    for a, b in zip(read_metrics(run), read_metrics(ref)):
        assert float(a["val_loss"]) == pytest.approx(float(b["val_loss"]), abs=1e-6)
    x, y = read_weights(run / "model.safetensors"), read_weights(ref / "model.safetensors")
    assert all(torch.allclose(x[k], y[k], atol=1e-6) for k in x)
    assert json.loads((run / "metadata.json").read_text())["status"] == "finished"


def test_only_what_the_model_saves_is_averaged():
    """MedCLIPSeg: adapters and decoder (and their batch-norm statistics), never the frozen
    backbone nor an integer buffer (BERT's token positions, batch counters)."""
    import medvlseg
    from medvlseg.engine.ema import WeightEMA

    model = medvlseg.build_model("medclipseg", backbone="tiny-lite")
    tracked = WeightEMA.tracked(model)
    assert tracked and not any(k.startswith("backbone.") for k in tracked)
    assert all(t.is_floating_point() for t in tracked.values())
    assert set(tracked) <= set(model.trainable_state_dict())
    with pytest.raises(ValueError, match="optim.ema_decay"):
        WeightEMA(1.0)
