"""CLIPSeg family: our model reproduces Hugging Face's CLIPSegForImageSegmentation exactly when given
the same weights, and the -D variant starts from CLIPSeg's decoder."""

from __future__ import annotations

import pytest
import torch

from medvlseg.models.base import build_model
from medvlseg.models.clipseg import default_taps


@pytest.fixture(scope="module")
def hf_tiny_clipseg(tmp_path_factory):
    from transformers import CLIPSegConfig, CLIPSegForImageSegmentation

    from medvlseg.backbones.hf_clip import tiny_clip_config

    c = tiny_clip_config()
    cfg = CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(), projection_dim=32,
                        extract_layers=[1, 2, 3], reduce_dim=16, decoder_num_attention_heads=2, decoder_intermediate_size=32)
    torch.manual_seed(7)
    model = CLIPSegForImageSegmentation(cfg).eval()
    path = tmp_path_factory.mktemp("hf_clipseg")
    model.save_pretrained(path)
    return model, str(path)


def test_default_taps_are_the_papers():
    assert default_taps(12) == [3, 6, 9]
    assert default_taps(4) == [1, 2, 3]


def test_matches_hugging_face_clipseg_exactly(hf_tiny_clipseg, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hf, path = hf_tiny_clipseg
    ours = build_model("clipseg", backbone="tiny", clipseg_checkpoint=path, reduce_dim=16, decoder_heads=2,
                       decoder_intermediate_size=32).eval()
    prompts = ["foot ulcer", "a small polyp"]
    tok = ours.backbone.tokenize(prompts)
    images = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = hf(input_ids=tok.input_ids, attention_mask=tok.attention_mask, pixel_values=images).logits  # (B, H, W)
        got = ours(images, prompts).logits  # (B, 1, H, W)
    torch.testing.assert_close(got[:, 0], ref, atol=1e-5, rtol=1e-5)


def test_biomedclipseg_d_starts_from_clipseg_decoder(hf_tiny_clipseg):
    hf, path = hf_tiny_clipseg
    d = build_model("biomedclipseg-d", backbone="tiny", clipseg_checkpoint=path, reduce_dim=16, decoder_heads=2,
                    decoder_intermediate_size=32)
    scratch = build_model("biomedclipseg", backbone="tiny", reduce_dim=16, decoder_heads=2, decoder_intermediate_size=32)
    for k, v in hf.decoder.state_dict().items():
        assert torch.equal(d.decoder.state_dict()[k], v), k
    assert not torch.equal(scratch.decoder.film_mul.weight, hf.decoder.film_mul.weight)
    # the encoders are not taken from the CLIPSeg checkpoint for -D
    assert not torch.equal(d.backbone.model.visual_projection.weight, hf.clip.visual_projection.weight)


def test_non_square_input():
    model = build_model("clipseg", backbone="tiny").eval()
    out = model(torch.randn(1, 3, 64, 96), ["polyp"])
    assert out.logits.shape == (1, 1, 64, 96)


def test_bad_taps_are_rejected():
    import medvlseg

    with pytest.raises(medvlseg.ConfigError, match="block 7 does not exist"):
        build_model("clipseg", backbone="tiny", extract_layers=[1, 2, 7])


def test_cached_path_memoises_frozen_text_embeddings(monkeypatch):
    """With the image tower cached, the frozen text tower runs once per distinct prompt; the output is
    the uncached forward's, and the memo is dropped when weights may change."""
    torch.manual_seed(0)
    model = build_model("clipseg", backbone="tiny").eval()
    s = model.image_size
    images = torch.randn(3, 3, s, s)
    prompts = ["foot ulcer", "a polyp", "a polyp"]
    with torch.no_grad():
        reference = model(images, prompts).logits
    calls: list[list[str]] = []
    encode = model.backbone.encode_text

    def counting(texts, *a, **k):
        calls.append(list(texts))
        return encode(texts, *a, **k)

    monkeypatch.setattr(model.backbone, "encode_text", counting)
    feats = model.frozen_features(images)
    first = model.forward_features(feats, prompts, (s, s)).logits
    second = model.forward_features(tuple(f.flip(0) for f in feats), prompts[::-1], (s, s)).logits
    assert calls == [["foot ulcer", "a polyp"]]  # each distinct prompt encoded once, then reused
    torch.testing.assert_close(second, first.flip(0), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(first, reference)
    first.mean().backward()  # the decoder still gets gradients
    assert model.decoder.film_mul.weight.grad is not None
    model.load_state_dict(model.state_dict())
    model.forward_features(feats, prompts, (s, s))
    assert len(calls) == 2  # re-encoded once after the state-dict load
    model.train()
    model.forward_features(feats, ["a polyp"], (s, s))
    assert calls[-1] == ["a polyp"] and len(calls) == 3  # and after a mode switch
