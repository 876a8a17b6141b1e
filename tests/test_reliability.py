"""Bad input is refused before any work, with one line naming the field or file (issue 16's list of
gaps found on main): manifest paths leaving the dataset, decompression bombs, misspelt model
arguments, unknown trainer settings, devices that are not there, options checked only after the
model has loaded, --out with --resume."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from medvlseg.errors import ConfigError, DataError


def _manifest_dataset(root, image_path: str):
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "images" / "a.png")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "masks" / "a.png")
    (root / "manifest.csv").write_text(f"id,image,mask,split\na,{image_path},masks/a.png,train\n")
    return root


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_manifest_paths_that_leave_the_dataset_are_refused_by_the_reader(tmp_path, kind):
    from medvlseg.data import SegmentationDataset

    secret = tmp_path / "secret.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(secret)
    path = {"dotdot": "../secret.png", "absolute": str(secret), "symlink": "images/link.png"}[kind]
    root = _manifest_dataset(tmp_path / "ds", path)
    if kind == "symlink":
        os.symlink(secret, root / "images" / "link.png")
    with pytest.raises(DataError, match=r"manifest.csv:2: image: path .*(leaves the dataset folder|is absolute)"):
        SegmentationDataset.open(root)
    # inside the folder it opens
    (root / "manifest.csv").write_text("id,image,mask,split\na,images/a.png,masks/a.png,train\n")
    assert len(SegmentationDataset.open(root)) == 1


def test_decompression_bomb_is_a_clear_error(tmp_path, monkeypatch):
    from medvlseg.data import io

    path = tmp_path / "big.png"
    Image.fromarray(np.zeros((200, 200), np.uint8)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 40 000 pixels: over twice the limit
    with pytest.raises(DataError, match="big.png: cannot read image"):
        io.read_image(path)


def test_misspelt_model_argument_is_named():
    import medvlseg
    from medvlseg.config import RunConfig

    raw = {"data": {"path": "x"}, "model": {"name": "medclipseg", "backbone": "tiny", "kwargs": {"decoder_dimm": 8}}}
    with pytest.raises(ConfigError, match="decoder_dimm") as exc:
        RunConfig.from_dict(raw)
    assert "decoder_dim," in str(exc.value)  # the arguments it does take are listed
    with pytest.raises(ConfigError, match="takes no argument 'dropout_rate'"):
        medvlseg.build_model("unet", backbone="tiny-lite", dropout_rate=0.1)
    medvlseg.build_model("unet", backbone="tiny-lite", decoder_channels=[16, 8, 8, 8])  # a real one is accepted


@pytest.mark.parametrize("key,value,ok", [
    ("accelerator", "gpux", False), ("accelerator", "cpu", True),
    ("devices", 0, False), ("devices", -2, False), ("devices", "0,1", True), ("devices", "auto", True),
    ("devices", "two", False), ("devices", 2, True),
    ("strategy", "dpp", False), ("strategy", "ddp", True),
])
def test_trainer_settings_are_checked_in_the_config(key, value, ok):
    from medvlseg.config import RunConfig

    raw = {"data": {"path": "x"}, "model": {"name": "unet", "backbone": "tiny"}, "trainer": {key: value}}
    if ok:
        RunConfig.from_dict(raw)
    else:
        with pytest.raises(ConfigError, match=f"trainer.{key}"):
            RunConfig.from_dict(raw)


def test_devices_that_are_not_there():
    import torch

    from medvlseg.predict import resolve_device

    assert resolve_device(None) in ("cpu", "cuda") and resolve_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match="'foo' is not a device"):
        resolve_device("foo")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            resolve_device("cuda")


def test_predict_checks_its_options_before_loading_the_model(tmp_path, monkeypatch):
    import medvlseg.checkpoints as checkpoints
    from medvlseg.predict import predict

    monkeypatch.setattr(checkpoints, "model_and_info", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    img = tmp_path / "a.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(img)
    for kwargs, match in [({"tta": "bogus"}, "tta"), ({"threshold": 0.0}, "threshold"), ({"device": "foo"}, "device")]:
        with pytest.raises(ConfigError, match=match):
            predict("some/run", [img], "x", out_dir=tmp_path / "o", **kwargs)


def test_resume_with_out_is_refused(tmp_path):
    from medvlseg.engine.train import train

    with pytest.raises(ConfigError, match="--out: a resumed run continues in its own folder"):
        train(resume=tmp_path / "run", out_dir=tmp_path / "elsewhere")


def test_biomedclipseg_d_offline_says_what_to_pass(monkeypatch):
    """With no network (the hub client's OSError, simulated: no test touches the network) the error
    names the argument to change and its two answers."""
    import transformers

    import medvlseg

    def offline(*args, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in the cached files.")

    monkeypatch.setattr(transformers.CLIPSegForImageSegmentation, "from_pretrained", offline)
    with pytest.raises(DataError, match=r"CIDAS/clipseg-rd64-refined: cannot load .*offline\?.*clipseg_checkpoint.*null"):
        medvlseg.build_model("biomedclipseg-d", backbone="tiny")
