"""RunConfig: unknown keys are errors naming them, --set parsing, YAML round trip, cache/augment conflict."""

from __future__ import annotations

import pytest

from medvlseg.config import RunConfig, apply_overrides
from medvlseg.errors import ConfigError

BASE = {"model": {"name": "unet", "backbone": "tiny-lite"}, "data": {"path": "somewhere"}}


def test_unknown_key_is_named(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("model: {name: unet, backbone: tiny-lite}\ndata: {path: x}\noptim: {lrr: 0.1}\n")
    with pytest.raises(ConfigError, match=r"optim\.lrr: unknown key"):
        RunConfig.from_yaml(p)
    with pytest.raises(ConfigError, match=r"bogus: unknown key"):
        RunConfig.from_dict({**BASE, "bogus": 1})


@pytest.mark.parametrize(
    "item, path, value",
    [
        ("optim.lr=3e-4", ("optim", "lr"), 3e-4),
        ("augment.hflip=false", ("augment", "hflip"), False),
        ("augment.hflip=true", ("augment", "hflip"), True),
        ("data.path=[a, b]", ("data", "path"), ["a", "b"]),
        ("augment.scale=[0.8, 1.2]", ("augment", "scale"), (0.8, 1.2)),
        ("model.kwargs.decoder_channels=[8, 8, 8, 8]", ("model", "kwargs"), {"decoder_channels": [8, 8, 8, 8]}),
        ("trainer.precision=bf16-mixed", ("trainer", "precision"), "bf16-mixed"),
        ("trainer.precision=32", ("trainer", "precision"), "32"),
    ],
)
def test_set_overrides(item, path, value):
    cfg = RunConfig.from_dict(apply_overrides(BASE, [item]))
    got = getattr(getattr(cfg, path[0]), path[1])
    assert got == value


def test_bad_overrides_name_the_key():
    with pytest.raises(ConfigError, match=r"optim\.nope: unknown key"):
        RunConfig.from_dict(apply_overrides(BASE, ["optim.nope=1"]))
    with pytest.raises(ConfigError, match=r"optim\.lr"):
        RunConfig.from_dict(apply_overrides(BASE, ["optim.lr=fast"]))
    with pytest.raises(ConfigError, match="key.path=value"):
        apply_overrides(BASE, ["optim.lr"])
    with pytest.raises(ConfigError, match=r"data\.path is not a section"):
        apply_overrides(BASE, ["data.path.x=1"])
    with pytest.raises(ConfigError, match=r"unknown model 'nosuch'"):
        RunConfig.from_dict(apply_overrides(BASE, ["model.name=nosuch"]))
    with pytest.raises(ConfigError, match=r"prompt_type"):
        RunConfig.from_dict(apply_overrides(BASE, ["data.prompt_type=p12"]))
    with pytest.raises(ConfigError, match=r"data: required key missing"):
        RunConfig.from_dict({"model": BASE["model"]})


def test_yaml_round_trip(tmp_path):
    cfg = RunConfig.from_dict(apply_overrides(BASE, ["optim.lr=3e-4", "augment.scale=[0.9, 1.1]", "data.path=[a, b]"]))
    path = tmp_path / "out.yaml"
    cfg.to_yaml(path)
    again = RunConfig.from_yaml(path)
    assert again == cfg
    assert again.data.paths == ["a", "b"]


def test_default_backbone_filled_in():
    from medvlseg.models.base import model_info

    cfg = RunConfig.from_dict({"model": {"name": "medclipseg"}, "data": {"path": "x"}})
    assert cfg.model.backbone == model_info("medclipseg")["default_backbone"]


def test_cache_rejects_non_dihedral_augmentation():
    with pytest.raises(ConfigError, match=r"cache\.enabled.*rotate_deg.*color_jitter"):
        RunConfig.from_dict(apply_overrides(BASE, ["cache.enabled=true", "augment.rotate_deg=10", "augment.color_jitter=0.2"]))
    ok = RunConfig.from_dict(apply_overrides(BASE, ["cache.enabled=true", "augment.hflip=true", "augment.rot90=true"]))
    assert ok.cache.enabled
