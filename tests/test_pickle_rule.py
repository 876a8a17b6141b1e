"""A pickle reaches no code path without --trust-pickle: every way a user can hand medvlseg a
weight file (a model file to evaluate / predict / load, an open_clip checkpoint file as a backbone,
a Hugging Face folder holding only a pickle) is refused before anything is unpickled; with
trust_pickle it is read with weights_only=True."""

from __future__ import annotations

import pickle

import pytest
import torch

import medvlseg
from medvlseg.backbones.base import build_backbone
from medvlseg.checkpoints import resolve_model
from medvlseg.errors import DataError
from medvlseg.weights import trust_pickle

REFUSED = r"refusing to load.*--trust-pickle"


@pytest.fixture
def no_unpickling(monkeypatch):
    """Any unpickling fails the test: torch.load and the pickle module's loaders."""
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args[:1])
        raise AssertionError(f"unpickled without trust: {args[:1]}")

    monkeypatch.setattr(torch, "load", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    return calls


@pytest.fixture
def pickled_model(tmp_path):
    model = medvlseg.build_model("clipseg", backbone="tiny")
    path = tmp_path / "model.pt"
    torch.save(model.trainable_state_dict(), path)
    return model, path


def test_model_files_are_refused_by_every_entry_point(pickled_model, tmp_path, no_unpickling):
    from medvlseg.evaluation.evaluate import evaluate
    from medvlseg.predict import predict

    _, path = pickled_model
    image = tmp_path / "x.png"
    from PIL import Image

    Image.new("RGB", (16, 16)).save(image)
    for call in (
        lambda: resolve_model(path, pickle_model="clipseg", pickle_backbone="tiny"),
        lambda: medvlseg.load(path, pickle_model="clipseg", pickle_backbone="tiny"),
        lambda: medvlseg.load_model(path),
        lambda: evaluate(path, tmp_path, out_dir=tmp_path / "ev", pickle_model="clipseg", pickle_backbone="tiny"),
        lambda: predict(path, [image], "x", out_dir=tmp_path / "pr", pickle_model="clipseg", pickle_backbone="tiny"),
    ):
        with pytest.raises(DataError, match=REFUSED):
            call()
    assert no_unpickling == []


def test_cli_refuses_a_pickle_with_one_line(pickled_model, tmp_path, no_unpickling, capsys):
    from PIL import Image

    from medvlseg.cli import main

    _, path = pickled_model
    Image.new("RGB", (16, 16)).save(tmp_path / "x.png")
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(path), str(tmp_path / "x.png"), "--prompt", "x", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert exc.value.code != 0 and "--trust-pickle" in err and "Traceback" not in err
    assert no_unpickling == []


def test_open_clip_checkpoint_file_backbone_is_refused(tmp_path, no_unpickling):
    from medvlseg.backbones.openclip import save_open_clip_dir

    arch = save_open_clip_dir(build_backbone("tiny-openclip"), tmp_path / "arch")
    weights = tmp_path / "unimed.pt"
    weights.write_bytes(b"never read")  # refused by its suffix, before any byte is read
    with pytest.raises(DataError, match=REFUSED):
        build_backbone(f"open_clip:{weights}", model_name=f"local-dir:{arch}")
    with pytest.raises(DataError, match=REFUSED):
        medvlseg.build_model("clipseg", backbone=f"open_clip:{weights}", backbone_kwargs={"model_name": f"local-dir:{arch}"})
    assert no_unpickling == []


def test_training_config_with_a_pickle_backbone_is_refused(tmp_path, no_unpickling):
    pytest.importorskip("lightning")
    from medvlseg.backbones.openclip import save_open_clip_dir
    from medvlseg.engine.train import train

    from test_engine import make_config, make_dataset

    data = make_dataset(tmp_path / "d", n_train=2, n_val=1)
    arch = save_open_clip_dir(build_backbone("tiny-openclip"), tmp_path / "arch")
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"never read")
    cfg = make_config(data, tmp_path / "runs", "model.name=clipseg", f"model.backbone=open_clip:{weights}",
                      f"model.kwargs={{backbone_kwargs: {{model_name: 'local-dir:{arch}'}}}}")
    with pytest.raises(DataError, match=REFUSED):
        train(cfg, progress=False)
    assert no_unpickling == []


def test_hf_folder_with_only_a_pickle_is_refused(tmp_path, no_unpickling):
    """transformers is asked for safetensors only: a folder holding pytorch_model.bin alone is not unpickled."""
    from transformers import CLIPSegConfig

    from medvlseg.backbones.hf_clip import tiny_clip_config

    c = tiny_clip_config()
    folder = tmp_path / "hf"
    CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(), projection_dim=32,
                  extract_layers=[1, 2, 3]).save_pretrained(folder)
    (folder / "pytorch_model.bin").write_bytes(b"never read")
    with pytest.raises(DataError, match=r"hf.*cannot load Hugging Face CLIPSeg checkpoint"):
        resolve_model(folder)
    assert no_unpickling == []


def test_trusted_pickle_is_read_with_weights_only(pickled_model, monkeypatch):
    model, path = pickled_model
    seen = {}
    real = torch.load

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    loaded, info = resolve_model(path, trust_pickle=True, pickle_model="clipseg", pickle_backbone="tiny")
    assert seen.get("weights_only") is True and info.kind == "pickle"
    x = torch.randn(1, 3, 64, 64)
    torch.testing.assert_close(loaded.eval()(x, ["a"]).logits, model.eval()(x, ["a"]).logits, rtol=0, atol=0)
    with trust_pickle():  # the scope ends with the block
        pass
    with pytest.raises(DataError, match=REFUSED):
        resolve_model(path, pickle_model="clipseg", pickle_backbone="tiny")


class _Payload:
    """Unpickling this runs ``Path(marker).touch()``: the shape of a real attack (os.system & co.)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


@pytest.mark.parametrize("trusted", [False, True])
def test_a_malicious_pickle_is_never_executed(tmp_path, trusted):
    """A weight file whose unpickling would run code, handed to the command line as a model: refused
    without --trust-pickle; with it, torch's weights_only reader refuses the foreign object. Both
    end with one line and a non-zero exit, and the payload never runs (a separate interpreter, no
    monkeypatching: the real code path)."""
    import subprocess
    import sys

    from PIL import Image

    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    with open(path, "wb") as fh:
        pickle.dump({"weight": _Payload(marker)}, fh)
    Image.new("RGB", (16, 16)).save(tmp_path / "x.png")
    args = [sys.executable, "-m", "medvlseg.cli", "predict", str(path), str(tmp_path / "x.png"), "--prompt", "x",
            "--out", str(tmp_path / "o")]
    if trusted:
        args += ["--trust-pickle", "--model", "unet", "--backbone", "tiny-lite"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert ("--trust-pickle" if not trusted else "model.pt") in out.stderr
    assert not marker.exists(), "the pickle's payload ran"
    # the control: the same file unpickled by plain pickle does run the payload
    with open(path, "rb") as fh:
        pickle.load(fh)
    assert marker.exists()
