"""A saved model describes itself: every registered model x tiny backbone, built with non-default
backbone and model arguments at a non-default input size, saved, and loaded back through each public
entry point gives identical logits at the trained size; the record carries size, normalisation and
thresholds; a run trained at 192 px is evaluated and used at 192 px."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.backbones.base import build_backbone, list_backbones
from medvlseg.checkpoints import resolve_model
from medvlseg.errors import DataError
from medvlseg.models.base import build_model, list_models, load_model, model_info, save_model
from medvlseg.models.record import ModelRecord
from medvlseg.utils import sha256_file

TINY_BACKBONES = [b for b in list_backbones() if b == "tiny" or b.startswith("tiny-")]
TOWER = {b: build_backbone(b).vision_type for b in TINY_BACKBONES}
SIZE = 48  # every tiny backbone's native size is 64
FIXED = {b for b in TINY_BACKBONES if build_backbone(b).fixed_image_size}  # open_clip ViTs: 64 px only

# a non-default value for arguments of each model (decoder widths, depths, options)
MODEL_KWARGS = {
    "clipseg": {"reduce_dim": 16, "decoder_heads": 2, "decoder_intermediate_size": 32},
    "biomedclipseg": {"reduce_dim": 16, "decoder_heads": 2, "decoder_intermediate_size": 32},
    "biomedclipseg-d": {"clipseg_checkpoint": None, "reduce_dim": 16, "decoder_heads": 2},
    "cris": {"num_layers": 1, "num_heads": 2, "dropout": 0.0},
    "medclipseg": {"heads": 2, "beta": 1.5},
    "unet": {"decoder_channels": [32, 16, 8, 8]},
    "unet-eca": {"widths": [8, 16], "dropout": 0.0},
    "ensemble": {"vlsm": "clipseg", "vlsm_kwargs": {"reduce_dim": 16}, "cnn_widths": [8, 16]},
}


def _cases():
    for name in list_models():
        info = model_info(name)
        if not info["backbone_types"]:
            yield pytest.param(name, None, id=name)
            continue
        for bb in TINY_BACKBONES:
            if TOWER[bb] in info["backbone_types"]:
                yield pytest.param(name, bb, id=f"{name}-{bb}")


def _size(backbone: str | None) -> int:
    return 64 if backbone in FIXED else SIZE


def _build(name: str, backbone: str | None):
    kwargs = dict(MODEL_KWARGS.get(name, {}))
    if backbone is None:
        return build_model(name, image_size=SIZE, **kwargs)
    # seed 3: a frozen backbone rebuilt with its default seed would give other logits
    return build_model(name, backbone=backbone, backbone_kwargs={"seed": 3}, image_size=_size(backbone), **kwargs)


def test_a_fixed_size_backbone_refuses_another_size():
    assert FIXED, "the open_clip test backbones take one size only"
    for bb in FIXED:
        with pytest.raises(medvlseg.ConfigError, match="64 px images only"):
            build_model("clipseg", backbone=bb, image_size=SIZE)


def _perturb(model) -> None:
    """Trained weights differ from a fresh build's."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(0.05 * torch.randn(p.shape, generator=g))


def test_every_registered_model_is_covered():
    assert {c.values[0] for c in _cases()} == set(list_models())
    assert set(MODEL_KWARGS) >= set(list_models()), "give the new model non-default arguments here"


@pytest.mark.parametrize("name,backbone", list(_cases()))
def test_round_trip_through_every_entry_point(name, backbone, tmp_path):
    model = _build(name, backbone)
    _perturb(model)
    model.eval()
    size = _size(backbone)
    assert model.image_size == size and model.record.image_size == size
    assert model.record.backbone == backbone and model.record.backbone_kwargs == ({"seed": 3} if backbone else {})
    g = torch.Generator().manual_seed(0)
    images = torch.randn(2, 3, size, size, generator=g)
    prompts = ["foot ulcer", "polyp"]
    with torch.no_grad():
        want = model(images, prompts).logits

    run = tmp_path / "run"
    run.mkdir()
    path = save_model(model, run / "model.safetensors", threshold=0.4, presence_threshold=0.7, targets=["ulcer"])
    (run / "metadata.json").write_text(json.dumps({"sha256": {"model.safetensors": sha256_file(path)}}))

    loaded = {
        "load_model(file)": load_model(path),
        "load_model(run)": load_model(run),
        "resolve_model(run)": resolve_model(run)[0],
        "medvlseg.load(file)": medvlseg.load(path).model,
    }
    for where, m in loaded.items():
        m.eval()
        assert m.image_size == size, where
        assert m.record.model_dump(exclude={"include_frozen"}) == model.record.model_dump(exclude={"include_frozen"}), where
        with torch.no_grad():
            torch.testing.assert_close(m(images, prompts).logits, want, rtol=0, atol=0, msg=where)
    seg = medvlseg.load(run)
    assert (seg.threshold, seg.presence_threshold) == (0.4, 0.7)
    assert seg.preprocess(np.zeros((100, 80, 3), np.uint8)).shape == (1, 3, size, size)
    info = resolve_model(run)[1]
    assert info.image_size == size and info.record["targets"] == ["ulcer"]
    # evaluate and predict load through the same loader, at the trained size
    from medvlseg.evaluation.evaluate import evaluate
    from medvlseg.predict import predict

    data = _tiny_dataset(tmp_path / "data")
    summary = evaluate(run, data, out_dir=tmp_path / "ev", figures=False, limit=2)
    assert summary["model"]["image_size"] == size and summary["model"]["record"]["model_kwargs"] == model.record.model_kwargs
    res = predict(run, [data / "images" / "a.png"], "ulcer", out_dir=tmp_path / "pr")
    assert res["model"]["image_size"] == size and res["presence_thresholds"]["ulcer"] == 0.7


def _tiny_dataset(root):
    from PIL import Image

    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split"]
    for k, name in enumerate(("a", "b")):
        img = np.full((20, 24, 3), 40 * (k + 1), np.uint8)
        mask = np.zeros((20, 24), np.uint8)
        mask[5:12, 6:14] = 255
        Image.fromarray(img).save(root / "images" / f"{name}.png")
        Image.fromarray(mask).save(root / "masks" / f"{name}.png")
        rows.append(f"{name},images/{name}.png,masks/{name}.png,val")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


def test_hf_clipseg_import_round_trips(tmp_path):
    """A Hugging Face CLIPSeg checkpoint is built through the registry; its record rebuilds it."""
    from transformers import CLIPSegConfig, CLIPSegForImageSegmentation

    from medvlseg.backbones.hf_clip import tiny_clip_config

    c = tiny_clip_config()
    cfg = CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(),
                        projection_dim=32, extract_layers=[1, 2, 3], reduce_dim=16, decoder_num_attention_heads=2,
                        decoder_intermediate_size=32, use_complex_transposed_convolution=False, conditional_layer=1)
    torch.manual_seed(5)
    CLIPSegForImageSegmentation(cfg).save_pretrained(tmp_path / "hf")
    model, info = resolve_model(tmp_path / "hf")
    assert info.kind == "hf-clipseg" and model.record.backbone_kwargs == {"clipseg_checkpoint": str(tmp_path / "hf")}
    path = save_model(model, tmp_path / "m.safetensors")
    again = load_model(path).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(again(x, ["a"]).logits, model(x, ["a"]).logits, rtol=0, atol=0)


def test_record_is_validated_and_its_thresholds_range_checked(tmp_path):
    model = build_model("clipseg", backbone="tiny")
    with pytest.raises(DataError, match="threshold"):
        save_model(model, tmp_path / "m.safetensors", threshold=1.0)
    with pytest.raises(DataError, match="presence_threshold"):
        save_model(model, tmp_path / "m.safetensors", presence_threshold=-0.1)
    assert not (tmp_path / "m.safetensors").exists()
    with pytest.raises(DataError, match="unsupported record format"):
        ModelRecord.from_dict({**model.record.model_dump(), "format": "medvlseg-model/99"})


def test_normalisation_mismatch_is_refused(tmp_path):
    model = build_model("clipseg", backbone="tiny")
    path = save_model(model, tmp_path / "m.safetensors")
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), framework="pt") as fh:
        header = json.loads(fh.metadata()["medvlseg"])
        state = {k: fh.get_tensor(k) for k in fh.keys()}
    header["image_mean"] = [0.5, 0.5, 0.5]
    save_file(state, str(tmp_path / "bad.safetensors"), metadata={"medvlseg": json.dumps(header)})
    with pytest.raises(DataError, match="image_mean"):
        load_model(tmp_path / "bad.safetensors")
