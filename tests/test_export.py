"""ONNX export (accuracy-and-speed issue, item 3): a model exported with `medvlseg export --onnx` gives
the same probabilities through ONNX Runtime as in PyTorch (within 1e-4), for any batch and prompt length,
reads the prompt (two prompts, two answers), and runs behind the same Segmenter (masks, presence)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import medvlseg
from medvlseg.errors import ConfigError, DataError

pytest.importorskip("onnxruntime", reason="ONNX inference needs onnxruntime (pip install -e '.[export]')")
pytest.importorskip("onnx", reason="ONNX export needs onnx (pip install -e '.[export]')")


@pytest.fixture(scope="module")
def medclipseg():
    torch.manual_seed(0)
    return medvlseg.build_model("medclipseg", backbone="tiny-lite").eval()


def test_medclipseg_exports_and_matches_pytorch(medclipseg, tmp_path):
    from medvlseg.export import OnnxModel, export_onnx

    rec = export_onnx(medclipseg, tmp_path / "onnx")
    assert rec["check"]["max_abs_diff_probability"] <= 1e-4 and rec["uses_text"]
    assert json.loads((tmp_path / "onnx" / "export.json").read_text())["record"]["model"] == "medclipseg"
    onnx = OnnxModel(tmp_path / "onnx")
    size = medclipseg.image_size
    # another batch size and prompt lengths than the export's check batch: the axes are dynamic
    images = torch.randn(3, 3, size, size, generator=torch.Generator().manual_seed(1))
    prompts = ["foot ulcer", "a small pink polyp in the upper left of the image", "x"]
    ref = medclipseg.predict(images, prompts)
    got = onnx.predict(images, prompts)
    assert got.shape == ref.shape == (3, 1, size, size)
    assert float((got - ref).abs().max()) <= 1e-4
    # the graph reads the prompt: the tokens are inputs (an exporter drops inputs nothing depends on),
    # and the same image with two prompts differs by what it differs in PyTorch (logits: an untrained
    # decoder keeps every probability near 0.5)
    assert {i.name for i in onnx.session.get_inputs()} == {"pixel_values", "input_ids", "attention_mask"}
    same = images[:1].repeat(2, 1, 1, 1)
    d_onnx = onnx.logits(same, ["foot ulcer", "orchestra"]).diff(dim=0)
    with torch.no_grad():
        d_torch = medclipseg(same, ["foot ulcer", "orchestra"]).logits.diff(dim=0)
    assert float(d_torch.abs().max()) > 0 and torch.allclose(d_onnx, d_torch, atol=1e-5)


def test_onnx_model_behind_the_segmenter(medclipseg, tmp_path):
    from medvlseg.export import OnnxModel, export_onnx

    export_onnx(medclipseg, tmp_path / "onnx")
    image = np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    a = medvlseg.Segmenter(medclipseg).segment(image, "lesion")
    b = medvlseg.Segmenter(OnnxModel(tmp_path / "onnx")).segment(image, "lesion")
    assert b.mask.shape == (50, 70)
    assert np.abs(a.probability - b.probability).max() <= 1e-4 and abs(a.present - b.present) <= 1e-4


def test_text_free_model_exports_without_token_inputs(tmp_path):
    from medvlseg.export import OnnxModel, export_onnx

    unet = medvlseg.build_model("unet", backbone="tiny-lite").eval()
    rec = export_onnx(unet, tmp_path / "onnx")
    assert not rec["uses_text"] and rec["check"]["max_abs_diff_probability"] <= 1e-4
    onnx = OnnxModel(tmp_path / "onnx")
    x = torch.randn(2, 3, unet.image_size, unet.image_size)
    assert float((onnx.predict(x, ["a", "b"]) - unet.predict(x, ["a", "b"])).abs().max()) <= 1e-4


def test_export_refusals(tmp_path):
    from medvlseg.export import OnnxModel, export_onnx

    with pytest.raises(ConfigError, match="no tokens path"):
        export_onnx(medvlseg.build_model("clipseg", backbone="tiny"), tmp_path / "x")
    with pytest.raises(DataError, match="not a folder written by `medvlseg export --onnx`"):
        OnnxModel(tmp_path)


def test_cli_export(tmp_path, capsys):
    from medvlseg.cli import main
    from medvlseg.models.base import save_model

    path = save_model(medvlseg.build_model("medclipseg", backbone="tiny-lite"), tmp_path / "m.safetensors")
    with pytest.raises(SystemExit) as exc:
        main(["export", str(path), "--onnx", str(tmp_path / "onnx")])
    assert exc.value.code in (0, None)
    assert "largest difference" in capsys.readouterr().err and (tmp_path / "onnx" / "model.onnx").is_file()
