"""Loading runs, safetensors files, Hugging Face CLIPSeg checkpoints and (refusing) pickles."""

from __future__ import annotations

import fractions
import json

import pytest
import torch

import medvlseg
from medvlseg.checkpoints import resolve_model
from medvlseg.errors import ConfigError, DataError
from medvlseg.utils import sha256_file


def make_run(root, *, threshold=0.4, presence=None):
    """A run directory as the training engine writes it: model.safetensors (thresholds in its
    record) + metadata.json."""
    model = medvlseg.build_model("clipseg", backbone="tiny")
    root.mkdir(parents=True, exist_ok=True)
    medvlseg.save_model(model, root / "model.safetensors", threshold=threshold,
                        **({} if presence is None else {"presence_threshold": presence}))
    meta = {"sha256": {"model.safetensors": sha256_file(root / "model.safetensors")}, "threshold": threshold, "best_epoch": 3}
    if presence is not None:
        meta["presence_threshold"] = presence
    (root / "metadata.json").write_text(json.dumps(meta))
    return model


def test_run_of_the_format_before_the_record_still_loads(tmp_path):
    """A model file written before the record existed (header: model + build_kwargs) loads, its size
    and thresholds taken from the run's metadata.json."""
    from safetensors.torch import save_file

    model = medvlseg.build_model("clipseg", backbone="tiny", image_size=48)
    root = tmp_path / "old"
    root.mkdir()
    header = {"model": "clipseg", "build_kwargs": {"backbone": "tiny"}, "include_frozen": False}
    save_file(model.trainable_state_dict(), str(root / "model.safetensors"), metadata={"medvlseg": json.dumps(header)})
    meta = {"sha256": {"model.safetensors": sha256_file(root / "model.safetensors")}, "image_size": 48,
            "threshold": 0.45, "presence_threshold": 0.7}
    (root / "metadata.json").write_text(json.dumps(meta))
    loaded, info = resolve_model(root)
    assert loaded.image_size == 48 and (info.threshold, info.presence_threshold) == (0.45, 0.7)
    x = torch.randn(2, 3, 48, 48)
    torch.testing.assert_close(loaded.eval()(x, ["a", "b"]).logits, model.eval()(x, ["a", "b"]).logits, rtol=0, atol=0)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs") / "r1"
    make_run(root, threshold=0.4, presence=0.6)
    return root


def test_run_directory_loads_with_its_thresholds(run_dir):
    model, info = resolve_model(run_dir)
    assert info.kind == "run" and info.model == "clipseg" and info.backbone == "tiny"
    assert (info.threshold, info.presence_threshold) == (0.4, 0.6)
    assert info.sha256 == sha256_file(run_dir / "model.safetensors")
    seg = medvlseg.load(run_dir)
    assert (seg.threshold, seg.presence_threshold) == (0.4, 0.6)
    assert medvlseg.load(run_dir, threshold=0.7).threshold == 0.7


def test_sha_mismatch_is_refused(tmp_path):
    root = tmp_path / "run"
    make_run(root)
    meta = json.loads((root / "metadata.json").read_text())
    meta["sha256"]["model.safetensors"] = "0" * 64
    (root / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="refusing to load") as exc:
        resolve_model(root)
    assert "model.safetensors" in str(exc.value)
    # the model file named directly is checked against the metadata beside it too
    with pytest.raises(DataError, match="refusing to load"):
        resolve_model(root / "model.safetensors")


@pytest.mark.parametrize("remove", ["metadata.json", "model.safetensors"])
def test_missing_run_file_is_refused(tmp_path, remove):
    root = tmp_path / "run"
    make_run(root)
    (root / remove).unlink()
    with pytest.raises(DataError, match=f"{remove}.*refusing to load"):
        resolve_model(root)


def test_plain_safetensors_file(tmp_path):
    model = medvlseg.build_model("unet", backbone=None) if "unet" in medvlseg.list_models() else medvlseg.build_model("clipseg", backbone="tiny")
    path = medvlseg.save_model(model, tmp_path / "m.safetensors")
    loaded, info = resolve_model(path)
    assert info.kind == "safetensors" and info.threshold == 0.5 and loaded.name == model.name


@pytest.mark.parametrize("suffix", [".ckpt", ".pt", ".pth", ".bin", ".pkl"])
def test_pickle_is_refused_without_trust(tmp_path, suffix):
    path = tmp_path / f"weights{suffix}"
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(DataError, match="pickle.*refusing.*--trust-pickle"):
        resolve_model(path)


def test_trusted_pickle_state_dict(tmp_path):
    model = medvlseg.build_model("clipseg", backbone="tiny")
    path = tmp_path / "w.pt"
    torch.save({"state_dict": {f"model.{k}": v for k, v in model.trainable_state_dict().items()}}, path)
    with pytest.raises(ConfigError, match="name the model"):
        resolve_model(path, trust_pickle=True)
    loaded, info = resolve_model(path, trust_pickle=True, pickle_model="clipseg", pickle_backbone="tiny")
    assert info.kind == "pickle"
    for k, v in model.trainable_state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k
    # an object that is not plain tensors is refused by weights_only=True
    bad = tmp_path / "bad.pt"
    torch.save({"obj": fractions.Fraction(1, 3)}, bad)
    with pytest.raises(DataError):
        resolve_model(bad, trust_pickle=True, pickle_model="clipseg", pickle_backbone="tiny")


def test_not_found_and_unsupported(tmp_path):
    with pytest.raises(DataError, match="not found"):
        resolve_model(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DataError, match="unsupported"):
        resolve_model(tmp_path / "x.txt")
    with pytest.raises(DataError, match="not a run directory"):
        resolve_model(tmp_path)


@pytest.fixture(scope="module")
def hf_tiny_clipseg(tmp_path_factory):
    from transformers import CLIPSegConfig, CLIPSegForImageSegmentation

    from medvlseg.backbones.hf_clip import tiny_clip_config

    c = tiny_clip_config()
    cfg = CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(), projection_dim=32,
                        extract_layers=[1, 2, 3], reduce_dim=16, decoder_num_attention_heads=2, decoder_intermediate_size=32)
    torch.manual_seed(3)
    model = CLIPSegForImageSegmentation(cfg).eval()
    path = tmp_path_factory.mktemp("hf_clipseg")
    model.save_pretrained(path)
    return model, path


@pytest.mark.parametrize("size", [64, 96])
def test_hf_clipseg_folder_matches_hugging_face(hf_tiny_clipseg, monkeypatch, size):
    """Zero-shot path: a save_pretrained folder becomes our clipseg with the same logits as HF."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hf, path = hf_tiny_clipseg
    ours, info = resolve_model(path)
    assert info.kind == "hf-clipseg" and ours.name == "clipseg" and ours.image_size == 64
    prompts = ["foot ulcer", "a small pink polyp"]
    tok = ours.backbone.tokenize(prompts)
    images = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = hf(input_ids=tok.input_ids, attention_mask=tok.attention_mask, pixel_values=images,
                 interpolate_pos_encoding=size != 64).logits  # (B, H, W)
        got = ours(images, prompts).logits  # (B, 1, H, W)
    torch.testing.assert_close(got[:, 0], ref, atol=1e-5, rtol=1e-5)
    # and through the Segmenter
    seg = medvlseg.load(path)
    assert seg.segment(torch.rand(40, 50, 3).numpy(), "foot ulcer").mask.shape == (40, 50)

