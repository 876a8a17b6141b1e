"""open_clip backbones (BiomedCLIP, UniMed-CLIP, any open_clip model): the stepwise towers equal the
library's own forward, and every loading path works offline and refuses unsafe pickles."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch

from medvlseg.weights import trust_pickle

from medvlseg.backbones.base import TextTokens, build_backbone
from medvlseg.backbones.openclip import OpenCLIPBackbone, save_open_clip_dir
from medvlseg.backbones.tokenizers import ByteTokenizer
from medvlseg.errors import ConfigError, DataError

pytest.importorskip("open_clip")

TINY = {
    "tiny-biomedclip": ("tiny-biomedclip", {}),  # timm ViT + HF BERT (BiomedCLIP's code path)
    "tiny-openclip": ("tiny-openclip", {}),  # open_clip ViT + causal text transformer, CLIP layout
    "tiny-openclip-custom": ("tiny-openclip", {"custom_text": True}),  # the same text tower as model.text
}
PROMPTS = ["polyp", "one small pink round polyp", "foot ulcer, bottom left"]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails at once and loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # read at import time: set it where it is used


def _build(key: str, seed: int = 0) -> OpenCLIPBackbone:
    name, kwargs = TINY[key]
    return build_backbone(name, seed=seed, **kwargs)


def _images(bb, n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, bb.image_size, bb.image_size, generator=g)


def _outputs(bb, images, prompts=PROMPTS):
    with torch.no_grad():
        return bb.encode_image(images).pooled, bb.encode_text(prompts).pooled


@pytest.mark.parametrize("key", list(TINY))
class TestTiny:
    def test_stepwise_equals_library(self, key):
        bb = _build(key)
        images = _images(bb)
        tokens = bb.tokenize(PROMPTS)
        n = bb.num_vision_blocks
        with torch.no_grad():
            feats = bb.encode_image(images, return_blocks=(0, n - 1))
            torch.testing.assert_close(feats.pooled, bb.model.encode_image(images), atol=1e-5, rtol=1e-5)
            text = bb.encode_text(tokens)
            ref = bb.model.encode_text(bb.library_token_ids(tokens))
            torch.testing.assert_close(text.pooled, ref, atol=1e-5, rtol=1e-5)
            # the tapped blocks are the library's blocks 0 and n-1 (no off-by-one)
            inter = bb.model.forward_intermediates(image=images, image_indices=[0, n - 1], intermediates_only=True)
        P, (h, w) = bb.num_prefix_tokens, feats.grid
        for ours, lib in zip(feats.hidden_states, inter["image_intermediates"]):
            patches = ours[:, P:].transpose(1, 2).reshape(images.shape[0], -1, h, w)
            torch.testing.assert_close(patches, lib, atol=1e-5, rtol=1e-5)

    def test_shapes(self, key):
        bb = _build(key)
        images = _images(bb)
        feats = bb.encode_image(images, return_blocks=(0, 2, -1))
        N = (bb.image_size // bb.vision_strides[-1]) ** 2
        assert feats.grid == (8, 8) and bb.image_size == 64
        want = [(2, bb.num_prefix_tokens + N, bb.vision_widths[i]) for i in (0, 2, 3)]
        assert [tuple(h.shape) for h in feats.hidden_states] == want
        assert feats.hidden_states[-1] is feats.last
        assert feats.pooled.shape == (2, bb.embed_dim)
        tokens = bb.tokenize(PROMPTS)
        assert isinstance(tokens, TextTokens) and tokens.input_ids.shape == tokens.attention_mask.shape
        L = tokens.input_ids.shape[1]
        assert L == max(len(p.encode()) for p in PROMPTS) + 2  # [BOS] bytes [EOS], padded to the longest
        assert tokens.attention_mask.sum(1).tolist() == [len(p.encode()) + 2 for p in PROMPTS]
        text = bb.encode_text(tokens)
        assert text.tokens.shape == (3, L, bb.text_width) and text.pooled.shape == (3, bb.embed_dim)
        assert bb.context_length == 32 and bb.num_text_blocks == 4 and bb.embed_dim == 32
        assert bb.image_mean == pytest.approx((0.48145466, 0.4578275, 0.40821073))
        with pytest.raises(TypeError):
            bb.tokenize("one string")

    def test_bf16_autocast(self, key):
        bb = _build(key)
        images = _images(bb)
        ref_img, ref_txt = _outputs(bb, images)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            img, txt = _outputs(bb, images)
        for got, ref in ((img, ref_img), (txt, ref_txt)):
            assert torch.isfinite(got).all()
            assert (got.float() - ref).abs().max() < 0.05 * ref.abs().max() + 0.05

    def test_freeze_keeps_eval_and_lets_gradients_through(self, key):
        bb = _build(key).freeze()
        bb.train()
        assert not bb.training and not any(m.training for m in bb.modules())
        assert not any(p.requires_grad for p in bb.parameters())
        images = _images(bb).requires_grad_(True)
        bb.encode_image(images).pooled.sum().backward()
        assert images.grad is not None and images.grad.abs().sum() > 0
        assert all(p.grad is None for p in bb.parameters())

    def test_seed_determinism(self, key):
        a, b, c = _build(key, seed=0), _build(key, seed=0), _build(key, seed=1)
        sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
        assert any(not torch.equal(sa[k], sc[k]) for k in sa)

    def test_prompts_differ_and_padding_does_not_matter(self, key):
        bb = _build(key)
        with torch.no_grad():
            batch = bb.encode_text(PROMPTS).pooled
            alone = bb.encode_text(PROMPTS[:1]).pooled
        assert not torch.allclose(batch[0], batch[2], atol=1e-4)
        torch.testing.assert_close(alone[0], batch[0], atol=1e-5, rtol=1e-5)


def test_stepwise_equals_library_with_adapter_identity():
    bb = _build("tiny-biomedclip")
    images = _images(bb)
    seen = []
    feats = bb.encode_image(images, adapter=lambda i, x: seen.append(i) or x)
    assert seen == [0, 1, 2, 3]
    torch.testing.assert_close(feats.pooled, bb.model.encode_image(images), atol=1e-5, rtol=1e-5)


def test_biomedclip_architecture_offline(no_network):
    bb = build_backbone("biomedclip", pretrained=False)
    assert bb.name == "biomedclip" and bb.weight_source == "random(seed=0)"
    assert bb.image_size == 224 and bb.vision_widths == [768] * 12 and bb.vision_strides == [16] * 12
    assert bb.num_prefix_tokens == 1 and bb.embed_dim == 512 and bb.context_length == 256
    assert bb.text_width == 768 and bb.num_text_blocks == 12
    assert bb.image_mean == pytest.approx((0.48145466, 0.4578275, 0.40821073))
    assert bb.image_std == pytest.approx((0.26862954, 0.26130258, 0.27577711))
    text = bb.model.text
    assert text.config.vocab_size == 30522 and text.config.max_position_embeddings == 512
    assert type(text.pooler).__name__ == "ClsLastHiddenStatePooler" and text.transformer.pooler is None
    tokens = bb.tokenize(["benign nevus"])
    assert int(tokens.input_ids.max()) < 30522
    with torch.no_grad():  # (the image tower's steps are checked on the tiny timm ViT: a 224 px pass is slow here)
        ref = bb.model.encode_text(tokens.input_ids)
        torch.testing.assert_close(bb.encode_text(tokens).pooled, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("key", ["tiny-biomedclip", "tiny-openclip"])
def test_local_folder_loads_offline(key, tmp_path, no_network):
    saved = _build(key, seed=3)  # differs from the seed-0 random start of the loader: the weights must load
    folder = save_open_clip_dir(saved, tmp_path / "model")
    assert (folder / "open_clip_config.json").is_file() and (folder / "open_clip_model.safetensors").is_file()
    images = _images(saved)
    want = _outputs(saved, images)
    for spec in (f"open_clip:local-dir:{folder}", f"open_clip:{folder}"):
        loaded = build_backbone(spec)
        assert isinstance(loaded.tokenizer, ByteTokenizer) and loaded.context_length == saved.context_length
        assert loaded.weight_source == str(folder.resolve())
        got = _outputs(loaded, images)
        for g, w in zip(got, want):
            torch.testing.assert_close(g, w, atol=0, rtol=0)
    # the biomedclip builder takes a folder too
    if key == "tiny-biomedclip":
        torch.testing.assert_close(_outputs(build_backbone("biomedclip", name_or_path=folder), images)[1], want[1],
                                   atol=0, rtol=0)


def test_hub_name_loads_from_the_hub_cache_offline(tmp_path, no_network):
    """``hf-hub:<repo>`` with the network off reads the Hugging Face cache (here a hand-made one)."""
    saved = _build("tiny-openclip", seed=4)
    folder = save_open_clip_dir(saved, tmp_path / "model")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--medvlseg--tiny-openclip"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for f in folder.iterdir():
        (snapshot / f.name).write_bytes(f.read_bytes())
    bb = build_backbone("open_clip:hf-hub:medvlseg/tiny-openclip", cache_dir=str(tmp_path / "hub"))
    assert isinstance(bb.tokenizer, ByteTokenizer) and bb.weight_source == "hf-hub:medvlseg/tiny-openclip"
    images = _images(saved)
    for got, want in zip(_outputs(bb, images), _outputs(saved, images)):
        torch.testing.assert_close(got, want, atol=0, rtol=0)
    # the biomedclip builder takes a bare hub id (org/repo) too
    bio = build_backbone("biomedclip", name_or_path="medvlseg/tiny-openclip", cache_dir=str(tmp_path / "hub"))
    assert bio.name == "biomedclip"
    torch.testing.assert_close(_outputs(bio, images)[0], _outputs(saved, images)[0], atol=0, rtol=0)
    with pytest.raises(DataError, match="hf-hub:medvlseg/absent.*offline"):
        build_backbone("open_clip:hf-hub:medvlseg/absent", cache_dir=str(tmp_path / "hub"))


def test_checkpoint_files_with_model_name(tmp_path, no_network):
    from safetensors.torch import save_file

    arch = save_open_clip_dir(_build("tiny-openclip", seed=0), tmp_path / "arch")  # architecture only
    trained = _build("tiny-openclip", seed=7)
    images = _images(trained)
    want = _outputs(trained, images)
    state = {k: v.contiguous() for k, v in trained.model.state_dict().items()}
    save_file(state, str(tmp_path / "unimed.safetensors"))
    # a training checkpoint as open_clip's trainer writes it: DDP prefix, wrapped in "state_dict"
    torch.save({"epoch": 3, "state_dict": {f"module.{k}": v for k, v in state.items()}}, tmp_path / "unimed.pt")
    for file in ("unimed.safetensors", "unimed.pt"):
        with trust_pickle(file.endswith(".pt")):  # a pickle is read only when trusted (--trust-pickle)
            bb = build_backbone(f"open_clip:{tmp_path / file}", model_name=f"local-dir:{arch}")
        for g, w in zip(_outputs(bb, images), want):
            torch.testing.assert_close(g, w, atol=0, rtol=0)
    with pytest.raises(DataError, match="unimed.pt.*refusing to load.*--trust-pickle"):
        build_backbone(f"open_clip:{tmp_path / 'unimed.pt'}", model_name=f"local-dir:{arch}")
    with pytest.raises(ConfigError, match="model_name"), trust_pickle():
        build_backbone(f"open_clip:{tmp_path / 'unimed.pt'}")
    # weights that do not fit the architecture are named, not silently half-loaded
    bad = {k: v for k, v in state.items() if not k.startswith("visual.")}
    save_file(bad, str(tmp_path / "bad.safetensors"))
    with pytest.raises(DataError, match="bad.safetensors.*missing"):
        build_backbone(f"open_clip:{tmp_path / 'bad.safetensors'}", model_name=f"local-dir:{arch}")


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_pickle_is_refused_not_executed(tmp_path, no_network):
    arch = save_open_clip_dir(_build("tiny-openclip"), tmp_path / "arch")
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"state_dict": {"x": torch.zeros(1)}, "payload": _Payload(marker)}, evil)
    with pytest.raises(DataError, match="evil.pt.*refusing to load"):
        build_backbone(f"open_clip:{evil}", model_name=f"local-dir:{arch}")
    with pytest.raises(DataError, match="evil.pt.*weights_only"), trust_pickle():  # trusted: still weights_only
        build_backbone(f"open_clip:{evil}", model_name=f"local-dir:{arch}")
    assert not marker.exists()
    # the same payload as a folder's weights file
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "open_clip_config.json").write_text((arch / "open_clip_config.json").read_text())
    (folder / "open_clip_pytorch_model.bin").write_bytes(evil.read_bytes())
    with pytest.raises(DataError, match="refusing to load"):
        build_backbone(f"open_clip:{folder}")
    with pytest.raises(DataError, match="weights_only"), trust_pickle():
        build_backbone(f"open_clip:{folder}")
    assert not marker.exists()


def test_bad_specs_name_the_problem_without_network(tmp_path, no_network):
    with pytest.raises(ConfigError, match="open_clip:<spec>"):
        build_backbone("open_clip")
    with pytest.raises(ConfigError, match=r"no-such-model.*hf-hub:<org/repo>.*local-dir:"):
        build_backbone("open_clip:no-such-model")
    with pytest.raises(DataError, match="missing.pt"):
        build_backbone(f"open_clip:{tmp_path / 'missing.pt'}")
    with pytest.raises(DataError, match="no open_clip_config.json"):
        build_backbone(f"open_clip:local-dir:{tmp_path}")
    with pytest.raises(DataError, match="not found"):
        build_backbone(f"open_clip:local-dir:{tmp_path / 'nope'}")
    with pytest.raises(ConfigError, match="pretrained=False"):
        build_backbone("open_clip:ViT-B-16")  # a built-in architecture has no weights without a download
    ckpt = tmp_path / "w.safetensors"
    ckpt.write_bytes(b"")
    with pytest.raises(ConfigError, match="model_name: unknown open_clip architecture 'nonsense'"):
        build_backbone(f"open_clip:{ckpt}", model_name="nonsense")
    with pytest.raises(ConfigError, match="model_name: only used with a checkpoint file"):
        build_backbone("open_clip:no-such-model", model_name="ViT-B-16")
    folder = save_open_clip_dir(_build("tiny-openclip"), tmp_path / "m")
    with pytest.raises(ConfigError, match="tokenizer: unknown value 'bpe'"):
        build_backbone(f"open_clip:{folder}", tokenizer="bpe")


def test_unsupported_towers_are_named():
    from medvlseg.backbones.openclip import TINY_OPENCLIP_CFG, _model_from_cfg

    cfg = {**TINY_OPENCLIP_CFG, "vision_cfg": {"layers": [1, 1, 1, 1], "width": 16, "head_width": 16, "image_size": 64}}
    resnet = _model_from_cfg(cfg, preprocess={})
    with pytest.raises(ConfigError, match="ModifiedResNet"):
        OpenCLIPBackbone(resnet, ByteTokenizer(), name="rn", weight_source="random")


def test_wrong_image_size_is_a_clear_error():
    bb = _build("tiny-openclip")
    with pytest.raises(ConfigError, match="64x64"):
        bb.encode_image(torch.zeros(1, 3, 96, 96))
