"""``optim.ema_decay``: the saved model is the exponential moving average of the weights after every
optimizer step, checked against a transcription of the formula (avg_1 = w_1, avg_t = d avg_{t-1} +
(1 - d) w_t) from the raw weights recorded step by step. (That validation scores the average is
Lightning's WeightAveraging; the saved model is the one validation chose.)"""

from __future__ import annotations

import json

import pytest
import torch

from test_engine import make_config, make_dataset

pytest.importorskip("lightning")


def test_the_saved_model_is_the_moving_average_of_the_steps(tmp_path, monkeypatch):
    from medvlseg.engine import train as train_mod
    from medvlseg.weights import read_weights

    raw: list[dict[str, torch.Tensor]] = []

    def record(self, trainer, pl_module, outputs, batch, batch_idx):  # after each optimizer step
        raw.append({k: p.detach().clone() for k, p in pl_module.model.named_parameters() if p.requires_grad})

    monkeypatch.setattr(train_mod.RunDirCallback, "on_train_batch_end", record, raising=False)
    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    decay = 0.5
    run = train_mod.train(make_config(data, tmp_path / "runs", "optim.epochs=1", "optim.batch_size=2",
                                      f"optim.ema_decay={decay}"), progress=False)
    assert len(raw) == 3  # 6 images in batches of 2
    avg = dict(raw[0])
    for w in raw[1:]:
        avg = {k: decay * avg[k] + (1 - decay) * w[k] for k in avg}
    saved = read_weights(run / "model.safetensors")
    for k, v in avg.items():
        torch.testing.assert_close(saved[k], v, rtol=1e-5, atol=1e-6)
    # the average is not the last step's weights (the test can tell them apart)
    assert any(not torch.allclose(avg[k], raw[-1][k]) for k in avg)
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "finished"

