"""``model.kwargs.tune_last_stage``: MedCLIPSeg trains the lite image tower's last stage with its
adapters, the rest of the tower stays frozen; the tuned weights travel in the model's file and come
back exactly; other backbones refuse it by name."""

from __future__ import annotations

import pytest
import torch

import medvlseg
from medvlseg.errors import ConfigError


def test_only_the_last_stage_trains_and_its_weights_travel(tmp_path):
    from medvlseg.models.base import load_model, save_model

    model = medvlseg.build_model("medclipseg", backbone="tiny-lite", tune_last_stage=True)
    bb = model.backbone
    stage = bb.last_stage_modules()
    tuned = {f"backbone.{n}.{k}" for n, m in stage.items() for k, _ in m.named_parameters()}
    grads = {k for k, p in model.named_parameters() if p.requires_grad and k.startswith("backbone.")}
    assert tuned and grads == tuned
    before = {k: v.clone() for k, v in model.state_dict().items() if k.startswith("backbone.")}
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0)
    model.train()
    out = model(torch.randn(2, 3, 64, 64), ["target", "other"])
    out.logits.mean().backward()
    opt.step()
    changed = {k for k, v in model.state_dict().items() if k in before and not torch.equal(v, before[k])}
    assert changed and changed <= {f"backbone.{n}.{k}" for n, m in stage.items() for k in m.state_dict()}
    # saved and loaded: the tuned weights come back (not the source's), the record rebuilds the option
    save_model(model, tmp_path / "m.safetensors")
    back = load_model(tmp_path / "m.safetensors")
    assert back.record.model_kwargs.get("tune_last_stage") is True
    for k in changed:
        assert torch.equal(back.state_dict()[k], model.state_dict()[k]), k
    untouched = next(k for k in before if k not in changed and "_blocks.0." in k)
    assert torch.equal(back.state_dict()[untouched], before[untouched])


def test_without_it_the_tower_is_frozen_and_not_saved(tmp_path):
    model = medvlseg.build_model("medclipseg", backbone="tiny-lite")
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert not any(k.startswith("backbone.image_encoder") for k in model.trainable_state_dict())


def test_backbones_without_a_last_stage_refuse_it():
    with pytest.raises(ConfigError, match="fine-tuning its last image stage is not supported"):
        medvlseg.build_model("medclipseg", backbone="tiny", tune_last_stage=True)
