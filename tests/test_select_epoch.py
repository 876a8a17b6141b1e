"""``optim.select_epoch``: "best" keeps the epoch with the highest selection Dice, "last" the final
epoch's weights (for a selection split of a handful of images, whose best epoch is a noise spike)."""

from __future__ import annotations

import json

import pytest
import torch

from test_engine import make_config, make_dataset, read_metrics

pytest.importorskip("lightning")


@pytest.mark.parametrize("select", ["best", "last"])
def test_the_run_keeps_the_epoch_it_was_told_to(tmp_path, monkeypatch, select):
    from medvlseg.engine import train as train_mod
    from medvlseg.weights import read_weights

    after_epoch: list[dict[str, torch.Tensor]] = []
    end = train_mod.RunDirCallback.on_train_epoch_end

    def record(self, trainer, pl_module):  # the weights each epoch ends with
        after_epoch.append({k: p.detach().clone() for k, p in pl_module.model.named_parameters() if p.requires_grad})
        end(self, trainer, pl_module)

    monkeypatch.setattr(train_mod.RunDirCallback, "on_train_epoch_end", record)
    data = make_dataset(tmp_path / "ds", n_train=6, n_val=2)
    run = train_mod.train(make_config(data, tmp_path / "runs", "optim.epochs=3", "optim.batch_size=2", "optim.lr=0.05",
                                      f"optim.select_epoch={select}"), progress=False)
    dice = [float(r["val_dice"]) for r in read_metrics(run)]
    meta = json.loads((run / "metadata.json").read_text())
    kept = len(dice) if select == "last" else 1 + max(range(len(dice)), key=lambda i: (dice[i], -i))
    assert meta["best_epoch"] == kept and len(after_epoch) == 3
    saved = read_weights(run / "model.safetensors")
    for k, v in after_epoch[kept - 1].items():
        torch.testing.assert_close(saved[k], v)
    assert any(not torch.equal(after_epoch[0][k], after_epoch[-1][k]) for k in after_epoch[0])  # the epochs differ


def test_an_unknown_choice_is_refused_by_name(tmp_path):
    from medvlseg.errors import ConfigError

    data = make_dataset(tmp_path / "ds", n_train=2, n_val=1)
    with pytest.raises(ConfigError, match="optim.select_epoch"):
        make_config(data, tmp_path / "runs", "optim.select_epoch=middle")
