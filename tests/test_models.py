"""Every registered model, with every tiny backbone its design allows: the contract of issue 3.

New models are tested automatically: the cases come from the registry.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.backbones.base import build_backbone, list_backbones
from medvlseg.models.base import build_model, list_models, load_model, model_info, save_model

TINY_BACKBONES = [b for b in list_backbones() if b == "tiny" or b.startswith("tiny-")]
TOWER = {b: build_backbone(b).vision_type for b in TINY_BACKBONES}  # "vit" or "cnn"


@pytest.fixture(scope="session")
def tiny_clipseg_checkpoint(tmp_path_factory):
    """A CLIPSeg checkpoint folder on the tiny CLIP architecture, as Hugging Face writes it."""
    from transformers import CLIPSegConfig, CLIPSegForImageSegmentation

    from medvlseg.backbones.hf_clip import tiny_clip_config

    c = tiny_clip_config()
    cfg = CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(),
                        projection_dim=32, extract_layers=[1, 2, 3], reduce_dim=64,
                        decoder_num_attention_heads=4, decoder_intermediate_size=2048)
    torch.manual_seed(123)
    path = tmp_path_factory.mktemp("clipseg_tiny")
    CLIPSegForImageSegmentation(cfg).save_pretrained(path)
    return str(path)


def _cases():
    for name in list_models():
        info = model_info(name)
        if not info["backbone_types"]:
            yield pytest.param(name, None, id=f"{name}")
            continue
        for bb in TINY_BACKBONES:
            if TOWER[bb] in info["backbone_types"]:  # only the towers its design allows
                yield pytest.param(name, bb, id=f"{name}-{bb}")


def _build(name, backbone, ckpt):
    kwargs = {}
    if name == "biomedclipseg-d":
        kwargs["clipseg_checkpoint"] = ckpt if backbone == "tiny" else None
    return build_model(name, backbone=backbone, **kwargs)


# fully convolutional models whose default input makes a contract test slow: at 256 px one bf16
# training step of unet-eca takes 90 s on 2 CPU cores; the contract does not depend on the size
SMALL_INPUT = {"unet-eca": 64}


def _inputs(model, batch=2, size=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    s = size or SMALL_INPUT.get(model.name, model.image_size)
    return torch.randn(batch, 3, s, s, generator=g), ["foot ulcer", "one small pink polyp in the upper left"][:batch]


CASES = list(_cases())


@pytest.mark.parametrize("name,backbone", CASES)
class TestModelContract:
    def test_output_shape_at_input_resolution(self, name, backbone, tiny_clipseg_checkpoint):
        model = _build(name, backbone, tiny_clipseg_checkpoint).eval()
        images, prompts = _inputs(model)
        out = model(images, prompts)
        assert out.logits.shape == (2, 1, *images.shape[-2:])
        assert torch.isfinite(out.logits).all()

    def test_only_trainable_parameters_change(self, name, backbone, tiny_clipseg_checkpoint):
        model = _build(name, backbone, tiny_clipseg_checkpoint).train()
        frozen = {k: v.detach().clone() for k, p in model.named_parameters() if not p.requires_grad for v in [p]}
        trainable = {k: p.detach().clone() for k, p in model.named_parameters() if p.requires_grad}
        assert trainable, "a model must have something to train"
        if model.backbone is not None and model.backbone.frozen:
            assert frozen and all(k.startswith("backbone.") for k in frozen)
        buffers = {k: b.clone() for k, b in model.named_buffers() if k.startswith("backbone.") and model.backbone.frozen}
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
        images, prompts = _inputs(model)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(images, prompts).logits, torch.rand(2, 1, *images.shape[-2:]))
        loss.backward()
        for k, p in model.named_parameters():
            if not p.requires_grad:
                assert p.grad is None, f"frozen {k} got a gradient"
        opt.step()
        after = dict(model.named_parameters())
        for k, v in frozen.items():
            assert torch.equal(after[k], v), f"frozen {k} changed"
        for k, v in buffers.items():  # batch-norm statistics of a frozen encoder stay put
            assert torch.equal(dict(model.named_buffers())[k], v), f"frozen buffer {k} changed"
        changed = sum(not torch.equal(after[k], v) for k, v in trainable.items())
        assert changed >= len(trainable) // 2, f"only {changed}/{len(trainable)} trainable tensors moved"

    @pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=["fp32", "bf16"])
    def test_training_step(self, name, backbone, tiny_clipseg_checkpoint, dtype):
        model = _build(name, backbone, tiny_clipseg_checkpoint).train()
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        images, prompts = _inputs(model)
        target = (torch.rand(2, 1, *images.shape[-2:]) > 0.5).float()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
            logits = model(images, prompts).logits
        if dtype == torch.bfloat16:
            assert logits.dtype == torch.bfloat16 or model.name.startswith("unet")
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), target)
        loss.backward()
        assert torch.isfinite(loss)
        assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
        opt.step()

    def test_prompt_changes_logits_exactly_when_the_model_reads_text(self, name, backbone, tiny_clipseg_checkpoint):
        model = _build(name, backbone, tiny_clipseg_checkpoint).eval()
        images, _ = _inputs(model, batch=1)
        a = model(images, ["foot ulcer"]).logits
        b = model(images, ["no polyp in the image"]).logits
        if model.uses_text:
            assert not torch.allclose(a, b), "the prompt must condition the output"
        else:
            torch.testing.assert_close(a, b, atol=0, rtol=0)

    def test_eval_prediction_independent_of_batch(self, name, backbone, tiny_clipseg_checkpoint):
        model = _build(name, backbone, tiny_clipseg_checkpoint).eval()
        images, prompts = _inputs(model, batch=2)
        alone = model(images[:1], prompts[:1]).logits
        other = torch.randn_like(images[1:]) * 3
        together = model(torch.cat([images[:1], other]), [prompts[0], "something else entirely"]).logits
        torch.testing.assert_close(alone, together[:1], atol=1e-5, rtol=1e-4)

    def test_cached_frozen_features_give_the_same_output(self, name, backbone, tiny_clipseg_checkpoint):
        """The feature-cache contract: where a model has a frozen prefix, continuing from it gives
        exactly its forward; the prefix needs no gradient."""
        model = _build(name, backbone, tiny_clipseg_checkpoint).eval()
        images, prompts = _inputs(model)
        feats = model.frozen_features(images)
        if feats is None:
            with pytest.raises(NotImplementedError):
                model.forward_features((images,), prompts, tuple(images.shape[-2:]))
            return
        assert all(f.shape[0] == 2 and not f.requires_grad for f in feats)
        with torch.no_grad():
            torch.testing.assert_close(
                model.forward_features(feats, prompts, tuple(images.shape[-2:])).logits, model(images, prompts).logits
            )

    def test_save_and_load_give_identical_outputs(self, name, backbone, tiny_clipseg_checkpoint, tmp_path):
        model = _build(name, backbone, tiny_clipseg_checkpoint)
        # train a little so the weights differ from a fresh build
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        images, prompts = _inputs(model)
        model.train()
        model(images, prompts).logits.mean().backward()
        opt.step()
        model.eval()
        path = save_model(model, tmp_path / "model.safetensors")
        loaded = load_model(path).eval()
        torch.testing.assert_close(model(images, prompts).logits, loaded(images, prompts).logits, atol=0, rtol=0)


def test_registry_contents():
    assert {"clipseg", "biomedclipseg", "biomedclipseg-d"} <= set(list_models())
    assert {"tiny", "clip"} <= set(list_backbones())
    assert medvlseg.list_models("clipseg") == [m for m in list_models() if "clipseg" in m]
    with pytest.raises(medvlseg.ConfigError, match="expected one of"):
        build_model("segformer")
    with pytest.raises(medvlseg.ConfigError, match="expected one of"):
        build_backbone("resnet9000")


def test_bad_inputs_say_how_to_fix():
    model = build_model("clipseg", backbone="tiny")
    with pytest.raises(medvlseg.ConfigError, match="one prompt per image"):
        model(torch.randn(2, 3, 64, 64), ["only one"])
    with pytest.raises(medvlseg.ConfigError, match=r"\(B, 3, H, W\)"):
        model(torch.randn(2, 1, 64, 64), ["a", "b"])


def test_load_refuses_pickles_and_foreign_files(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"not used")
    with pytest.raises(medvlseg.DataError, match="refusing to load.*--trust-pickle"):
        load_model(tmp_path / "model.pt")
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(1)}, tmp_path / "other.safetensors")
    with pytest.raises(medvlseg.DataError, match="no medvlseg model record"):
        load_model(tmp_path / "other.safetensors")


def test_frozen_backbone_is_not_saved_and_is_rebuilt(tmp_path):
    model = build_model("clipseg", backbone="tiny")
    path = save_model(model, tmp_path / "m.safetensors")
    from safetensors import safe_open

    with safe_open(str(path), "pt") as fh:
        keys = list(fh.keys())
    assert keys and not any(k.startswith("backbone.") for k in keys)


# ------------------------------------------------------------------------------------- Segmenter


def test_segmenter_returns_mask_at_original_size_for_any_image():
    model = build_model("clipseg", backbone="tiny")
    seg = medvlseg.Segmenter(model)
    rng = np.random.default_rng(0)
    for image in (rng.integers(0, 256, (37, 81, 3), dtype=np.uint8), rng.integers(0, 4000, (50, 20), dtype=np.uint16),
                  rng.normal(size=(33, 33)).astype(np.float32)):
        r = seg.segment(image, "foot ulcer", uncertainty=True)
        assert r.mask.shape == r.probability.shape == image.shape[:2]
        assert r.mask.dtype == bool and r.probability.dtype == np.float32
        assert 0 <= r.probability.min() and r.probability.max() <= 1 and 0 <= r.present <= 1
        assert r.entropy.shape == image.shape[:2] and (r.entropy >= 0).all() and (r.entropy <= np.log(2) + 1e-6).all()
        np.testing.assert_array_equal(r.mutual_information, 0)
    r = seg.segment(image, "foot ulcer")
    assert r.entropy is None and r.mutual_information is None


def test_segmenter_absent_target_gives_empty_mask():
    model = build_model("clipseg", backbone="tiny")
    last = list(model.decoder.transposed_convolution.modules())[-1]
    with torch.no_grad():  # push every logit far below zero
        last.bias.fill_(-20.0)
    r = medvlseg.Segmenter(model).segment(np.zeros((40, 40, 3), np.uint8), "polyp")
    assert r.present < 0.5 and not r.mask.any()


def test_segmenter_reads_files_and_load(tmp_path):
    from PIL import Image

    Image.fromarray(np.full((30, 45, 3), 128, np.uint8)).save(tmp_path / "x.png")
    model = build_model("clipseg", backbone="tiny")
    path = save_model(model, tmp_path / "m.safetensors")
    a = medvlseg.Segmenter(model).segment(tmp_path / "x.png", "foot ulcer")
    b = medvlseg.load(path).segment(str(tmp_path / "x.png"), "foot ulcer")
    assert a.mask.shape == (30, 45)
    np.testing.assert_array_equal(a.probability, b.probability)


def test_segmenter_bf16_agrees_with_fp32():
    model = build_model("clipseg", backbone="tiny")
    image = np.random.default_rng(1).integers(0, 256, (48, 40, 3), dtype=np.uint8)
    a = medvlseg.Segmenter(model).segment(image, "polyp")
    b = medvlseg.Segmenter(model, precision="bf16").segment(image, "polyp")
    assert np.abs(a.probability - b.probability).max() < 0.05
    with pytest.raises(medvlseg.ConfigError, match="precision"):
        medvlseg.Segmenter(model, precision="fp8")


def test_compact_backbones_get_compact_defaults():
    from medvlseg.models.cris import COMPACT_DIM
    from medvlseg.models.ensemble import COMPACT_CNN_WIDTHS, PAPER_CNN_WIDTHS

    assert build_backbone("tiny-lite").compact and not build_backbone("tiny").compact
    assert build_model("cris", backbone="tiny-lite").dim == COMPACT_DIM
    assert build_model("cris", backbone="tiny").dim != COMPACT_DIM
    assert build_model("cris", backbone="tiny-lite", dim=96).dim == 96  # an explicit value wins
    compact = build_model("ensemble", backbone="tiny-lite")
    assert tuple(compact.cnn.widths) == COMPACT_CNN_WIDTHS
    assert compact.cnn_size == compact.backbone.image_size // 2  # half-size CNN branch on compact backbones
    assert build_model("ensemble", backbone="tiny-lite", cnn_size=None).cnn_size is None
    assert tuple(build_model("ensemble", backbone="tiny").cnn.widths) == PAPER_CNN_WIDTHS == (64, 128, 256, 512)
    assert build_model("unet", backbone="tiny-lite").decoder.blocks[0].conv1[0].out_channels == 128
