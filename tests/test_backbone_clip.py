"""The `clip` backbone (Hugging Face CLIP): stepwise equals the library, and loading by hub name or
from a local folder works with the hub switched off (tested on a tiny model, never downloading)."""

from __future__ import annotations

import socket

import pytest
import torch

from medvlseg.backbones.base import build_backbone
from medvlseg.backbones.hf_clip import HFCLIPBackbone, build_clip, tiny_clip_config


def _tiny_clip_tokenizer(folder):
    """A real CLIPTokenizer with a byte-level vocabulary (no merges), written to ``folder``."""
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": i + len(chars) for i, c in enumerate(chars)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    tok = CLIPTokenizer(vocab=vocab, merges=[])
    tok.save_pretrained(folder)
    return tok, len(vocab)


@pytest.fixture(scope="module")
def saved_tiny_clip(tmp_path_factory):
    from transformers import CLIPModel

    folder = tmp_path_factory.mktemp("tiny_clip")
    tok, vocab_size = _tiny_clip_tokenizer(folder)
    cfg = tiny_clip_config()
    cfg.text_config.vocab_size = vocab_size
    cfg.text_config.eos_token_id = tok.eos_token_id
    cfg.text_config.bos_token_id = tok.bos_token_id
    torch.manual_seed(3)
    model = CLIPModel(cfg).eval()
    model.save_pretrained(folder)
    return folder, model


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", True)

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _check_same_as_library(bb: HFCLIPBackbone, model, prompts):
    images = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    tok = bb.tokenize(prompts)
    with torch.no_grad():
        ref_img = model.get_image_features(pixel_values=images)
        ref_txt = model.get_text_features(input_ids=tok.input_ids, attention_mask=tok.attention_mask)
        ref_img = getattr(ref_img, "pooler_output", ref_img)
        ref_txt = getattr(ref_txt, "pooler_output", ref_txt)
        torch.testing.assert_close(bb.encode_image(images).pooled, ref_img, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(bb.encode_text(tok).pooled, ref_txt, atol=1e-5, rtol=1e-5)


def test_local_folder_offline(saved_tiny_clip, no_network):
    folder, model = saved_tiny_clip
    bb = build_backbone("clip", name_or_path=str(folder))
    assert bb.weight_source == str(folder.resolve())
    _check_same_as_library(bb, model, ["foot ulcer", "a much longer prompt about a polyp"])


def test_hub_name_offline_from_cache(saved_tiny_clip, tmp_path, monkeypatch, no_network):
    """A hub name resolves from the local Hugging Face cache when the hub is off."""
    import shutil

    folder, model = saved_tiny_clip
    cache = tmp_path / "hub"
    repo = cache / "models--someorg--tiny-clip"
    snap = repo / "snapshots" / ("0" * 40)
    shutil.copytree(folder, snap)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(cache))
    bb = build_clip("someorg/tiny-clip")
    assert bb.weight_source == "someorg/tiny-clip"
    _check_same_as_library(bb, model, ["foot ulcer", "skin lesion"])


def test_random_vit_b16_needs_no_network(no_network):
    bb = build_clip(pretrained=False)
    assert bb.weight_source == "random"
    assert bb.image_size == 224 and bb.vision_widths == [768] * 12 and bb.embed_dim == 512 and bb.context_length == 77


def test_tiny_stepwise_equals_library():
    bb = build_backbone("tiny")
    _check_same_as_library(bb, bb.model, ["foot ulcer", "one small pink polyp, located in top left of the image"])


def test_tiny_is_deterministic_and_freezes():
    a, b, c = build_backbone("tiny"), build_backbone("tiny"), build_backbone("tiny", seed=1)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    a.freeze()
    a.train()
    assert not a.training and not any(p.requires_grad for p in a.parameters())


def test_block_taps_and_bf16():
    bb = build_backbone("tiny").freeze()
    x = torch.randn(1, 3, 64, 64)
    f = bb.encode_image(x, return_blocks=[0, -1])
    assert [h.shape for h in f.hidden_states] == [(1, 65, 32), (1, 65, 32)]
    assert torch.equal(f.hidden_states[1], f.last)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert bb.encode_text(["polyp"]).pooled.shape == (1, 32)
