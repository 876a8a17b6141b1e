"""MedCLIPSeg (REFERENCE §3): adapters between frozen blocks, stochastic vs deterministic modes, and
cheap Monte-Carlo uncertainty that reuses the activations before the first adapter."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.losses.contrastive import soft_patch_contrastive
from medvlseg.models.base import build_model
from medvlseg.models.medclipseg import default_adapter_blocks, paired_text_block

BACKBONES = ["tiny", "tiny-lite"]  # a ViT and a CNN image tower


def _model(backbone: str, **kwargs):
    """A model whose adapters are not the identity (their up-projections are zero at build time, so a
    fresh model would ignore the adapters' noise)."""
    torch.manual_seed(0)
    model = build_model("medclipseg", backbone=backbone, **kwargs)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for a in model.adapters:
            for up in (a.up_img, a.up_txt):
                up.weight.copy_(torch.randn(up.weight.shape, generator=g) * 0.5)
    return model


def _inputs(model, batch=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    s = model.image_size
    return torch.randn(batch, 3, s, s, generator=g), ["foot ulcer", "one small pink polyp in the upper left"][:batch]


def test_default_adapter_blocks_and_pairing():
    assert default_adapter_blocks(12, "vit") == list(range(10))  # paper: before blocks 1-10 of 12
    assert default_adapter_blocks(4, "vit") == [0, 1]
    assert default_adapter_blocks(4, "cnn") == [1, 2, 3]  # every stage but the first
    assert default_adapter_blocks(1, "cnn") == [0]
    assert default_adapter_blocks(2, "vit") == [0]
    assert [paired_text_block(i, 12, 12) for i in range(12)] == list(range(12))
    assert [paired_text_block(i, 4, 2) for i in range(4)] == [0, 1, 1, 1]  # rounded half up, clamped
    assert build_model("medclipseg", backbone="tiny-lite").text_pairs == [1, 1, 1]  # blocks [1, 2, 3]
    with pytest.raises(medvlseg.ConfigError, match="adapter_blocks"):
        build_model("medclipseg", backbone="tiny", adapter_blocks=[2, 1])
    with pytest.raises(medvlseg.ConfigError, match="adapter_blocks"):
        build_model("medclipseg", backbone="tiny", adapter_blocks=[7])


@pytest.mark.parametrize("backbone", BACKBONES)
def test_aux_embeddings_feed_the_patch_contrastive_loss_and_gradients_reach_the_first_adapter(backbone):
    model = _model(backbone).train()
    images, prompts = _inputs(model)
    out = model(images, prompts)
    pe, te = out.aux["patch_embeds"], out.aux["text_embeds"]
    b, n, d = pe.shape
    assert b == 2 and te.shape == (2, d) and d == model.decoder.dim
    grid = images.shape[-1] // model.backbone.vision_strides[-1]
    assert n == grid * grid
    loss = torch.nn.functional.binary_cross_entropy_with_logits(out.logits, torch.rand_like(out.logits))
    loss = loss + 0.1 * soft_patch_contrastive(pe, torch.ones(b, n), te)
    loss.backward()
    first = model.adapters[0]
    # through the frozen blocks after it, and through its own two-way layer
    assert first.down_img.weight.grad is not None and first.down_img.weight.grad.abs().sum() > 0
    assert first.down_txt.weight.grad is not None and first.down_txt.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.backbone.parameters())


@pytest.mark.parametrize("backbone", BACKBONES)
def test_stochastic_in_training_deterministic_in_eval(backbone):
    model = _model(backbone)
    images, prompts = _inputs(model)
    model.eval()
    with torch.no_grad():
        a, b = model(images, prompts).logits, model(images, prompts).logits
    torch.testing.assert_close(a, b, atol=0, rtol=0)
    model.train()
    with torch.no_grad():
        c, d = model(images, prompts).logits, model(images, prompts).logits
        assert not torch.allclose(c, d), "training passes sample the adapters' values"
        model.stochastic = False  # explicit flag wins over the mode
        e, f = model(images, prompts).logits, model(images, prompts).logits
        torch.testing.assert_close(e, f, atol=0, rtol=0)
        model.eval()
        model.stochastic = True
        assert not torch.allclose(model(images, prompts).logits, model(images, prompts).logits)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_samples_differ_between_calls_and_have_the_right_shape(backbone):
    model = _model(backbone).train()
    images, prompts = _inputs(model)
    p1 = model.sample_probabilities(images, prompts, samples=5, chunk=2)  # chunks of 2, 2, 1
    p2 = model.sample_probabilities(images, prompts, samples=5, chunk=2)
    assert p1.shape == (5, 2, 1, *images.shape[-2:])
    assert ((p1 >= 0) & (p1 <= 1)).all()
    assert not torch.equal(p1, p2)
    assert not torch.allclose(p1[0], p1[1]), "samples within one call differ"
    assert model.training, "the mode is restored"


@pytest.mark.parametrize("which", ["last", "all"])
@pytest.mark.parametrize("backbone", BACKBONES)
def test_reused_pre_adapter_activations_are_exact(backbone, which):
    """With sampling switched off, every sample equals the deterministic forward: so repeating the
    activations (and, on a CNN, the decoder embeddings) computed before the sampled part along the
    batch changes nothing."""
    model = _model(backbone).eval()
    images, prompts = _inputs(model)
    probs = model.sample_probabilities(images, prompts, samples=5, chunk=3, stochastic=False, stochastic_adapters=which)
    expected = model.predict(images, prompts)  # (B, 1, H, W)
    for s in range(5):
        torch.testing.assert_close(probs[s], expected, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_confined_sampling_samples_only_the_last_adapter(backbone):
    """stochastic_adapters="last": with the last adapter's variances forced to zero nothing varies,
    while sampling every adapter still does; and the other way round."""
    model = _model(backbone).eval()
    images, prompts = _inputs(model)
    last = model.adapters[-1]
    for attn in (last.img_to_txt, last.txt_to_img):
        attn.variance_override = 0.0
    expected = model.predict(images, prompts)
    confined = model.sample_probabilities(images, prompts, samples=4, stochastic_adapters="last")
    for s in range(4):
        torch.testing.assert_close(confined[s], expected, atol=1e-5, rtol=1e-5)
    every = model.sample_probabilities(images, prompts, samples=4, stochastic_adapters="all")
    assert not torch.allclose(every[0], every[1])
    for attn in (last.img_to_txt, last.txt_to_img):
        attn.variance_override = None
    for a in model.adapters[:-1]:
        for attn in (a.img_to_txt, a.txt_to_img):
            attn.variance_override = 0.0
    confined = model.sample_probabilities(images, prompts, samples=4, stochastic_adapters="last")
    assert not torch.allclose(confined[0], confined[1]), "the last adapter samples"
    with pytest.raises(medvlseg.errors.ConfigError, match="stochastic_adapters"):
        model.sample_probabilities(images, prompts, samples=2, stochastic_adapters="first")


@pytest.mark.parametrize("backbone", BACKBONES)
def test_forward_from_cached_frozen_features(backbone):
    """The feature-cache contract: forward_features(frozen_features(x)) is forward(x), also from
    features stored in float16 (within fp16 rounding), and the prefix carries no gradient."""
    model = _model(backbone).eval()
    images, prompts = _inputs(model)
    feats = model.frozen_features(images)
    assert all(f.shape[0] == images.shape[0] and not f.requires_grad for f in feats)
    hw = tuple(images.shape[-2:])
    with torch.no_grad():
        direct = model(images, prompts).logits
        torch.testing.assert_close(model.forward_features(feats, prompts, hw).logits, direct)
        half = [f.half().float() for f in feats]
        torch.testing.assert_close(model.forward_features(half, prompts, hw).logits, direct, atol=5e-2, rtol=5e-2)
    model.train()
    out = model.forward_features(feats, prompts, hw)
    out.logits.mean().backward()
    assert model.adapters[0].up_img.weight.grad is not None


def test_segmenter_uncertainty_maps():
    model = _model("tiny")
    image = np.random.default_rng(0).integers(0, 256, (40, 52, 3), dtype=np.uint8)
    r = medvlseg.Segmenter(model).segment(image, "foot ulcer", uncertainty=True, samples=6)
    assert r.entropy.shape == r.mutual_information.shape == (40, 52)
    assert (r.entropy >= 0).all() and (r.entropy <= math.log(2) + 1e-6).all()
    assert (r.mutual_information >= 0).all() and r.mutual_information.max() > 0
    assert (r.mutual_information <= r.entropy + 1e-6).all()


@pytest.mark.parametrize("backbone", BACKBONES)
def test_fresh_adapters_are_identity_so_the_stepwise_pass_matches_the_whole_towers(backbone):
    """Zero-initialised up-projections: the stepwise, interleaved run of both towers must give exactly
    what running each tower on its own gives, decoded the same way."""
    torch.manual_seed(0)
    model = build_model("medclipseg", backbone=backbone).eval()
    images, prompts = _inputs(model)
    bb = model.backbone
    with torch.no_grad():
        out = model(images, prompts)
        txt = bb.encode_text(bb.tokenize(prompts))
        if bb.vision_type == "vit":
            vis = bb.encode_image(images)
            logits, pe, te = model.decoder(vis.last[:, bb.num_prefix_tokens:], vis.grid, txt.pooled)
        else:  # the multi-scale decoder reads every stage
            vis = bb.encode_image(images, return_blocks=list(range(bb.num_vision_blocks)))
            logits, pe, te = model.decoder(vis.hidden_states, txt.pooled)
    torch.testing.assert_close(out.logits, torch.nn.functional.interpolate(logits, size=images.shape[-2:], mode="bilinear"), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out.aux["text_embeds"], te, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("backbone", BACKBONES)
def test_repeated_prompts_share_the_text_prefix_and_change_nothing(backbone):
    """A batch with repeated prompts runs the text tower's prefix once per distinct prompt: the logits
    are those of each image asked alone, in eval and (gradients included) in training."""
    model = _model(backbone).eval()
    g = torch.Generator().manual_seed(3)
    s = model.image_size
    images = torch.randn(4, 3, s, s, generator=g)
    prompts = ["polyp", "foot ulcer", "polyp", "polyp"]
    calls = []
    embed = model.backbone.text_embed
    model.backbone.text_embed = lambda tokens: calls.append(len(tokens)) or embed(tokens)
    with torch.no_grad():
        together = model(images, prompts).logits
        alone = torch.cat([model(images[i:i + 1], [p]).logits for i, p in enumerate(prompts)])
    assert calls[0] == 2  # two distinct prompts in the batch of four
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-4)
    # sharing the prefix does not blur the prompts: the same image asked two things answers two ways
    with torch.no_grad():
        two = model(images[:1].expand(2, -1, -1, -1), ["polyp", "foot ulcer"]).logits
    assert (two[0] - two[1]).abs().max() > 1e-3
    model.train()
    torch.manual_seed(0)
    model(images, prompts).logits.mean().backward()
    assert model.adapters[0].down_txt.weight.grad is not None
