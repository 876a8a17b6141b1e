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


def test_what_cannot_train_the_last_stage_is_refused_by_name():
    with pytest.raises(ConfigError, match="model.kwargs.tune_last_stage: backbone 'tiny' does not support"):
        medvlseg.build_model("medclipseg", backbone="tiny", tune_last_stage=True)
    # an adapter only after the last stage: the stage would run without gradients (and be cached)
    with pytest.raises(ConfigError, match=r"tune_last_stage: the last image stage must come after the first adapter"):
        medvlseg.build_model("medclipseg", backbone="tiny-lite", tune_last_stage=True, adapter_blocks=[3])


def test_carried_tensors_add_up():
    """Aligned projections and a tuned last stage both travel, each tensor named once."""
    bb = medvlseg.build_model("medclipseg", backbone="tiny-lite", tune_last_stage=True).backbone
    stage = set(bb.carried)
    bb.carry_modules(bb.alignable())
    bb.carry_modules(bb.alignable())
    assert stage < set(bb.carried) and len(bb.carried) == len(set(bb.carried))
    assert {"image_proj.weight", "text_proj.weight"} <= set(bb.carried)


def test_the_tuned_stage_learns_at_its_own_rate():
    from medvlseg.config import RunConfig
    from medvlseg.engine.module import SegModule

    model = medvlseg.build_model("medclipseg", backbone="tiny-lite", tune_last_stage=True)
    cfg = RunConfig.from_dict({"data": {"path": "x"}, "optim": {"lr": 1e-3, "backbone_lr_scale": 0.1}})
    module = SegModule(model, cfg, ["x"])

    class _Trainer:
        estimated_stepping_batches = 10
        callbacks: list = []

    module._trainer = _Trainer()
    opt = module.configure_optimizers()
    opt = opt["optimizer"] if isinstance(opt, dict) else opt[0][0] if isinstance(opt, tuple) else opt
    lrs = sorted(g["lr"] for g in opt.param_groups)
    assert lrs == pytest.approx([1e-4, 1e-3])
    tuned = next(g for g in opt.param_groups if g["lr"] == pytest.approx(1e-4))["params"]
    assert {id(p) for p in tuned} == {id(p) for p in model.backbone.parameters() if p.requires_grad}
