"""CRIS, the U-Net baselines and VLSM-Ensemble: what is particular to each (the registry-wide
contract is in test_models.py). Tiny backbones only; ``tiny-lite`` cases skip when it is absent."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import medvlseg
from medvlseg.backbones.base import list_backbones
from medvlseg.models.base import build_model, load_model, save_model
from medvlseg.models.cris import TextToPixelHead, ViTPyramid, sine_pos_2d
from medvlseg.models.unet import ECA, UNetECA, eca_kernel_size

HAS_TINY_LITE = "tiny-lite" in list_backbones()
needs_tiny_lite = pytest.mark.skipif(not HAS_TINY_LITE, reason="backbone 'tiny-lite' is not registered")
TINY = ["tiny", pytest.param("tiny-lite", marks=needs_tiny_lite)]
SMALL_CNN = {"cnn_widths": (8, 16, 32, 64)}  # keeps the ensemble fast; the design is the same
PROMPTS = ["foot ulcer", "one small pink polyp in the upper left of the image"]  # different lengths: padding


def _images(b: int = 2, h: int = 64, w: int = 64, seed: int = 0) -> torch.Tensor:
    return torch.randn(b, 3, h, w, generator=torch.Generator().manual_seed(seed))


# ------------------------------------------------------------------------------- output shapes

SHAPE_CASES = [
    ("cris", "tiny", {}),
    pytest.param("cris", "tiny-lite", {}, marks=needs_tiny_lite),
    pytest.param("unet", "tiny-lite", {}, marks=needs_tiny_lite),
    pytest.param("unet", "tiny-lite", {"finetune_backbone": False}, marks=needs_tiny_lite),
    ("unet-eca", None, {"widths": (8, 16, 32, 64)}),
    ("ensemble", "tiny", SMALL_CNN),
    ("ensemble", "tiny", {**SMALL_CNN, "inject_text": True, "vlsm": "clipseg"}),
    ("ensemble", "tiny", {**SMALL_CNN, "cnn_size": 48}),
    pytest.param("ensemble", "tiny-lite", {**SMALL_CNN, "inject_text": True}, marks=needs_tiny_lite),
]


@pytest.mark.parametrize("name,backbone,kwargs", SHAPE_CASES)
@pytest.mark.parametrize("size", [(64, 64), (64, 96)], ids=["square", "64x96"])
def test_logits_at_input_resolution(name, backbone, kwargs, size):
    model = build_model(name, backbone=backbone, **kwargs).eval()
    out = model(_images(2, *size), PROMPTS)
    assert out.logits.shape == (2, 1, *size)
    assert torch.isfinite(out.logits).all()


def test_unet_eca_any_size_and_native_preprocessing():
    model = build_model("unet-eca", widths=(4, 8, 16, 32)).eval()
    assert model.image_size == 256 and model.backbone is None and not model.uses_text
    assert model.image_mean == (0.485, 0.456, 0.406) and model.image_std == (0.229, 0.224, 0.225)
    assert model(_images(1, 50, 70), ["ignored"]).logits.shape == (1, 1, 50, 70)
    with pytest.raises(medvlseg.ConfigError, match="no backbone"):
        build_model("unet-eca", backbone="tiny")


def test_unet_needs_a_cnn_tower():
    with pytest.raises(medvlseg.ConfigError, match="cnn image tower"):
        build_model("unet", backbone="tiny")


# ------------------------------------------------------------------------------- CRIS parts


def test_dynamic_kernel_head_is_a_per_sample_convolution():
    torch.manual_seed(0)
    b, c, e, k = 3, 6, 5, 3
    head = TextToPixelHead(c, e, kernel_size=k)
    pixels, sentence = torch.randn(b, c, 7, 9), torch.randn(b, e)
    out = head(pixels, sentence)
    assert out.shape == (b, 1, 7, 9)
    params = sentence @ head.txt.weight.T + head.txt.bias  # (B, C*k*k + 1)
    for i in range(b):
        weight = params[i, :-1].reshape(1, c, k, k)
        bias = params[i, -1:]
        expected = F.conv2d(pixels[i : i + 1], weight, bias, padding=k // 2)  # (1, 1, 7, 9)
        torch.testing.assert_close(out[i : i + 1], expected, atol=1e-5, rtol=1e-5)


def test_cris_logits_are_the_head_applied_to_pixel_features():
    model = build_model("cris", backbone="tiny").eval()
    seen = {}
    model.head.register_forward_hook(lambda m, args, out: seen.update(pixels=args[0], sentence=args[1], out=out))
    images = _images(2)
    logits = model(images, PROMPTS).logits
    assert seen["pixels"].shape == (2, model.dim // 2, 16, 16)  # stride 4
    text = model.backbone.encode_text(PROMPTS)
    torch.testing.assert_close(seen["sentence"], text.pooled)
    torch.testing.assert_close(logits, F.interpolate(seen["out"], size=(64, 64), mode="bilinear", align_corners=False))


@pytest.mark.parametrize("patch", [8, 16, 32, 14])
def test_vit_pyramid_strides(patch):
    h, w, d = 6, 4, 32
    pyramid = ViTPyramid(d, patch, num_prefix=1)
    tokens = [torch.randn(2, 1 + h * w, d) for _ in range(3)]
    maps = pyramid(tokens, (h, w))
    for m, s, width in zip(maps, (8, 16, 32), pyramid.out_widths):
        assert m.shape == (2, width, math.ceil(h * patch / s), math.ceil(w * patch / s))
    if patch == 16:  # ViTDet: one transposed convolution (half width), identity, max pooling
        assert pyramid.out_widths == [d // 2, d, d]


def test_cris_picks_stride_8_16_32_features():
    vit = build_model("cris", backbone="tiny")
    assert vit.blocks == [0, 2, 3] and vit.pyramid is not None  # a third, two thirds, last of 4 blocks
    if HAS_TINY_LITE:
        cnn = build_model("cris", backbone="tiny-lite")
        assert [cnn.backbone.vision_strides[i] for i in cnn.blocks] == [8, 16, 32] and cnn.pyramid is None


def test_sine_pos_2d_separates_rows_and_columns():
    pe = sine_pos_2d(3, 5, 16).reshape(3, 5, 16)
    assert torch.equal(pe[0, :, :8], pe[2, :, :8])  # first half: column only
    assert torch.equal(pe[:, 0, 8:], pe[:, 4, 8:])  # second half: row only
    assert not torch.equal(pe[0, 0], pe[1, 1])


# --------------------------------------------------------------------------------------- ECA


@pytest.mark.parametrize("channels", [16, 64, 128, 512])
def test_eca_matches_its_formula(channels):
    torch.manual_seed(channels)
    eca = ECA(channels)
    k = eca_kernel_size(channels)
    assert k == {16: 3, 64: 3, 128: 5, 512: 5}[channels]
    assert k == (lambda t: t if t % 2 else t + 1)(int(abs((math.log2(channels) + 1) / 2)))
    x = torch.randn(2, channels, 5, 7)
    w = eca.conv.weight.detach().reshape(k)
    y = x.mean(dim=(2, 3))  # global average pool (B, C)
    pad = (k - 1) // 2
    z = torch.zeros_like(y)
    for c in range(channels):  # 1-D convolution across channels, zero padded
        for j in range(k):
            src = c + j - pad
            if 0 <= src < channels:
                z[:, c] += w[j] * y[:, src]
    expected = x * torch.sigmoid(z)[:, :, None, None]
    torch.testing.assert_close(eca(x), expected, atol=1e-5, rtol=1e-5)


def test_unet_eca_layout():
    model = UNetECA()  # the paper's widths
    assert model.widths == [64, 128, 256, 512] and model.bottleneck_width == 512
    n_eca = sum(isinstance(m, ECA) for m in model.modules())
    assert n_eca == 4 + 1 + 4  # after every double conv: encoder, bottleneck, decoder
    drops = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    assert len(drops) == n_eca and set(drops) == {0.1}
    skips, bottleneck = model.encode(torch.zeros(1, 3, 64, 64))
    assert [s.shape[1:] for s in skips] == [(64, 64, 64), (128, 32, 32), (256, 16, 16), (512, 8, 8)]
    assert bottleneck.shape[1:] == (512, 4, 4)


# ---------------------------------------------------------------------------------- ensemble


@pytest.mark.parametrize("inject", [False, True], ids=["plain", "inject_text"])
def test_ensemble_fusion_is_a_1x1_conv_of_both_logits_and_trains_both(inject):
    model = build_model("ensemble", backbone="tiny", inject_text=inject, **SMALL_CNN).train()
    with torch.no_grad():
        model.fuse.weight.copy_(torch.tensor([0.7, -0.3]).view(1, 2, 1, 1))
        model.fuse.bias.fill_(0.25)
    out = model(_images(2), PROMPTS)
    v, c = out.aux["vlsm_logits"], out.aux["cnn_logits"]
    assert v.shape == c.shape == out.logits.shape == (2, 1, 64, 64)
    torch.testing.assert_close(out.logits, 0.7 * v - 0.3 * c + 0.25)
    out.logits.square().mean().backward()
    grad = lambda mod: sum(p.grad.abs().sum() for p in mod.parameters() if p.grad is not None)  # noqa: E731
    assert grad(model.vlsm.decoder) > 0, "no gradient reached the VLSM decoder"
    assert grad(model.cnn) > 0, "no gradient reached the CNN"
    assert all(p.grad is None for p in model.backbone.parameters())
    if inject:
        assert model.inject.weight.grad.abs().sum() > 0, "no gradient reached the bottleneck injection"


def test_ensemble_injection_lets_the_prompt_into_the_cnn():
    plain = build_model("ensemble", backbone="tiny", **SMALL_CNN).eval()
    images = _images(1)
    a, b = plain(images, ["foot ulcer"]), plain(images, ["a polyp"])
    torch.testing.assert_close(a.aux["cnn_logits"], b.aux["cnn_logits"])  # image-only branch
    model = build_model("ensemble", backbone="tiny", inject_text=True, **SMALL_CNN).eval()
    a0 = model(images, ["foot ulcer"]).aux["cnn_logits"]
    torch.testing.assert_close(a0, model(images, ["a polyp"]).aux["cnn_logits"])  # zero-initialised projection
    with torch.no_grad():
        torch.nn.init.normal_(model.inject.weight, std=0.5)
    assert not torch.allclose(model(images, ["foot ulcer"]).aux["cnn_logits"], model(images, ["a polyp"]).aux["cnn_logits"])


def test_ensemble_shares_one_backbone_and_saves_without_it(tmp_path):
    model = build_model("ensemble", backbone="tiny", inject_text=True, **SMALL_CNN)
    assert model.vlsm.backbone is model.backbone and model.backbone.frozen
    keys = list(model.state_dict())
    assert not any(k.startswith("vlsm.backbone.") for k in keys) and any(k.startswith("backbone.") for k in keys)
    path = save_model(model, tmp_path / "e.safetensors")
    from safetensors import safe_open

    with safe_open(str(path), "pt") as fh:
        assert not any(k.startswith("backbone.") for k in fh.keys())
    loaded = load_model(path).eval()
    torch.testing.assert_close(model.eval()(_images(2), PROMPTS).logits, loaded(_images(2), PROMPTS).logits, atol=0, rtol=0)


def test_ensemble_rejects_unknown_vlsm():
    with pytest.raises(medvlseg.ConfigError, match="expected one of: biomedclipseg"):
        build_model("ensemble", backbone="tiny", vlsm="segformer")


# ------------------------------------------------------------------ batch independence, prompts

TEXT_CASES = [
    ("cris", "tiny", {}),
    pytest.param("cris", "tiny-lite", {}, marks=needs_tiny_lite),
    ("ensemble", "tiny", {**SMALL_CNN, "inject_text": True}),
    pytest.param("ensemble", "tiny-lite", SMALL_CNN, marks=needs_tiny_lite),
]


@pytest.mark.parametrize("name,backbone,kwargs", TEXT_CASES)
def test_eval_output_independent_of_the_batch_and_prompt_dependent(name, backbone, kwargs):
    model = build_model(name, backbone=backbone, **kwargs).eval()
    images = _images(3, 64, 96)
    alone = model(images[:1], PROMPTS[:1]).logits
    # other images and a much longer prompt in the batch (more padding for the first sample)
    together = model(images, [PROMPTS[0], PROMPTS[1] * 2, "x"]).logits
    torch.testing.assert_close(alone, together[:1], atol=1e-5, rtol=1e-4)
    other_prompt = model(images[:1], ["no target here at all"]).logits
    assert not torch.allclose(alone, other_prompt, atol=1e-4)


# ------------------------------------------------------------------ what an optimiser step moves


def _step(model, size=(64, 64)):
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-2)
    out = model(_images(2, *size), PROMPTS).logits
    F.binary_cross_entropy_with_logits(out, (torch.rand_like(out) > 0.5).float()).backward()
    opt.step()


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name,backbone,kwargs", [
    ("cris", "tiny", {}),
    pytest.param("cris", "tiny-lite", {}, marks=needs_tiny_lite),
    ("ensemble", "tiny", SMALL_CNN),
    pytest.param("unet", "tiny-lite", {"finetune_backbone": False}, marks=needs_tiny_lite),
])
def test_frozen_encoder_unchanged_by_a_step(name, backbone, kwargs):
    model = build_model(name, backbone=backbone, **kwargs)
    assert model.backbone.frozen
    before = _snapshot(model.backbone)  # weights and batch-norm statistics
    head_before = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("backbone.")}
    _step(model)
    after = model.backbone.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    now = model.state_dict()
    assert any(not torch.equal(v, now[k]) for k, v in head_before.items())


@needs_tiny_lite
def test_unet_fine_tunes_its_image_stages_by_default():
    model = build_model("unet", backbone="tiny-lite")
    bb = model.backbone
    assert not bb.frozen
    image = {k for k, p in bb.named_parameters() if p.requires_grad}
    assert image and all(k.startswith("image_encoder.") for k in image)
    assert not any(p.requires_grad for k, p in bb.named_parameters() if k.startswith(("text_encoder.", "text_proj")))
    before = _snapshot(bb)
    _step(model)
    after = bb.state_dict()
    changed = {k for k, v in before.items() if not torch.equal(v, after[k])}
    assert any(k.startswith("image_encoder.") for k in changed), "the encoder must train"
    assert not any(k.startswith(("text_encoder.", "text_proj")) for k in changed), "the unused text tower must not"
    saved = model.trainable_state_dict()
    assert any(k.startswith("backbone.image_encoder.") for k in saved)
    assert not any(k.startswith("backbone.text_encoder.") for k in saved)
