"""`predict`: masks, overlays, maps and results.json for images, folders and NIfTI volumes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import medvlseg
from medvlseg.errors import DataError
from medvlseg.predict import collect_inputs, predict


@pytest.fixture(scope="module")
def model():
    return medvlseg.build_model("clipseg", backbone="tiny")


@pytest.fixture
def inputs(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(folder / "a.png")
    Image.fromarray(rng.integers(0, 256, (30, 20), dtype=np.uint8)).save(folder / "sub" / "b.jpg")
    (folder / "notes.txt").write_text("ignored")
    single = tmp_path / "a.png"  # same stem as folder/a.png: written as a_2
    Image.fromarray(rng.integers(0, 256, (33, 33, 3), dtype=np.uint8)).save(single)
    return folder, single


def test_predict_images_with_uncertainty(model, inputs, tmp_path):
    folder, single = inputs
    out = tmp_path / "out"
    res = predict(model, [folder, single], "foot ulcer", out_dir=out, uncertainty=True)
    assert len(res["results"]) == 3
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk["prompt"] == "foot ulcer" and on_disk["uncertainty"]
    names = {r["files"]["mask"] for r in on_disk["results"]}
    assert names == {"a_mask.png", "b_mask.png", "a_2_mask.png"}
    b = next(r for r in on_disk["results"] if r["files"]["mask"] == "b_mask.png")
    mask = np.asarray(Image.open(out / "b_mask.png"))
    assert mask.shape == (30, 20) and set(np.unique(mask)) <= {0, 255}
    for key in ("overlay", "probability", "entropy", "mutual_information", "entropy_png", "mi_png"):
        assert (out / b["files"][key]).is_file(), key
    prob = np.load(out / b["files"]["probability"])
    ent = np.load(out / b["files"]["entropy"])
    assert prob.shape == ent.shape == (30, 20) and 0 <= prob.min() and prob.max() <= 1
    assert np.asarray(Image.open(out / b["files"]["overlay"])).shape == (30, 20, 3)


def test_predict_nifti_volume(model, tmp_path):
    nib = pytest.importorskip("nibabel")
    data = np.random.default_rng(1).normal(size=(24, 20, 3)).astype(np.float32)
    affine = np.diag([0.8, 0.9, 2.5, 1.0])
    vol = tmp_path / "ct.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), vol)
    out = tmp_path / "out"
    res = predict(model, [vol], "liver", out_dir=out, batch_size=2)
    r = res["results"][0]
    assert r["kind"] == "volume" and r["files"]["mask"] == "ct_mask.nii.gz"
    m = nib.load(out / "ct_mask.nii.gz")
    assert m.shape == data.shape and np.allclose(m.affine, affine)
    assert np.load(out / r["files"]["probability"]).shape == data.shape


def test_bad_inputs(model, tmp_path):
    with pytest.raises(DataError, match="input not found"):
        predict(model, [tmp_path / "missing.png"], "x", out_dir=tmp_path / "o")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no images"):
        collect_inputs([tmp_path / "empty"])


def test_cli_predict(inputs, tmp_path, capsys):
    from medvlseg.cli import app, main
    from tests.test_checkpoints import make_run

    run = tmp_path / "run"
    make_run(run)
    folder, _ = inputs
    out = tmp_path / "cli_out"
    result = CliRunner().invoke(app, ["predict", str(run), str(folder), "--prompt", "ulcer", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "results.json").is_file() and (out / "a_mask.png").is_file()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(tmp_path / "nope"), str(folder), "--prompt", "x", "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and len(err.splitlines()) == 1 and "nope" in err
    bad = tmp_path / "w.pt"
    bad.write_bytes(b"not really a pickle")
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(bad), str(folder), "--prompt", "x", "--out", str(out)])
    assert exc.value.code == 2 and "--trust-pickle" in capsys.readouterr().err
