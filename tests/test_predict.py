"""`predict`: masks, overlays, maps and results.json for images, folders and NIfTI volumes."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert on_disk["prompts"] == ["foot ulcer"] and on_disk["uncertainty"]
    assert on_disk["versions"]["medvlseg"] == medvlseg.__version__ and on_disk["errors"] == []
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


# --------------------------------------------------------------------------------------------- batch


def _folder_of_images(root, n: int, size=(16, 20)):
    rng = np.random.default_rng(3)
    root.mkdir(parents=True)
    for k in range(n):
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(root / f"img{k:03d}.png")
    return root


def test_predict_folder_of_100_with_two_prompts_then_skip_existing(model, tmp_path, monkeypatch):
    import rich.console

    import medvlseg.checkpoints as checkpoints
    from medvlseg.predict import _progress_bar

    folder = _folder_of_images(tmp_path / "many", 100)
    out = tmp_path / "out"
    buf = __import__("io").StringIO()
    console = rich.console.Console(file=buf, force_terminal=True, width=120)
    res = predict(model, [folder], ["foot ulcer", "polyp"], out_dir=out, progress=True, console=console)
    assert res["n_done"] == 200 and res["n_skipped"] == 0 and res["errors"] == []
    assert "200/200" in buf.getvalue()  # the progress bar, with its count
    for k in range(100):
        for slug in ("foot_ulcer", "polyp"):
            assert (out / f"img{k:03d}__{slug}_mask.png").is_file()
            assert (out / f"img{k:03d}__{slug}_overlay.png").is_file()
    # again with --skip-existing: nothing to do, so the model is never even loaded
    monkeypatch.setattr(checkpoints, "model_and_info", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    again = predict("any/run", [folder], ["foot ulcer", "polyp"], out_dir=out, skip_existing=True)
    assert again["n_done"] == 0 and again["n_skipped"] == 200
    assert again["model"] == res["model"]  # carried over from the earlier results.json
    first = {(r["input"], r["prompt"]): r["present"] for r in res["results"]}
    assert {(r["input"], r["prompt"]): r["present"] for r in again["results"]} == first
    with _progress_bar(3, False, None) as advance:
        advance(3)  # disabled: a no-op


def test_skip_existing_redoes_only_what_is_missing(model, tmp_path):
    folder = _folder_of_images(tmp_path / "few", 3)
    out = tmp_path / "out"
    predict(model, [folder], "polyp", out_dir=out)
    (out / "img001_mask.png").unlink()  # as if the run had stopped before this mask was written
    res = predict(model, [folder], "polyp", out_dir=out, skip_existing=True)
    assert res["n_done"] == 1 and res["n_skipped"] == 2
    assert [r["input"].endswith("img001.png") for r in res["results"] if not r.get("skipped")] == [True]
    assert (out / "img001_mask.png").is_file()


def test_jobs_file_gives_each_input_its_prompts(model, tmp_path):
    from medvlseg.predict import read_jobs

    folder = _folder_of_images(tmp_path / "imgs", 2)
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('# input and its prompts\n'
                    '{"input": "imgs/img000.png", "prompts": ["left lung", "heart"]}\n\n'
                    '{"input": "imgs/img001.png", "prompt": "heart"}\n')
    res = predict(model, [], out_dir=tmp_path / "out", jobs=jobs)
    got = sorted((r["input"].rsplit("/", 1)[-1], r["prompt"]) for r in res["results"])
    assert got == [("img000.png", "heart"), ("img000.png", "left lung"), ("img001.png", "heart")]
    assert (tmp_path / "out" / "img000__left_lung_mask.png").is_file()
    for text, match in [('{"input": 3}', "expected"), ('{"input": "a.png", "prompts": []}', "non-empty"),
                        ("not json", "not a JSON object"), ("", "no jobs")]:
        jobs.write_text(text + "\n")
        with pytest.raises(DataError, match=match) as exc:
            read_jobs(jobs)
        assert str(jobs) in str(exc.value)


def test_corrupt_input_is_named_skipped_and_fails_the_exit_code(tmp_path):
    from medvlseg.cli import app
    from tests.test_checkpoints import make_run

    folder = _folder_of_images(tmp_path / "imgs", 2)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    run = tmp_path / "run"
    make_run(run)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["predict", str(run), str(folder), "--prompt", "ulcer", "--prompt", "polyp",
                                      "--out", str(out)])
    assert result.exit_code == 1
    assert "broken.png" in result.output
    on_disk = json.loads((out / "results.json").read_text())
    assert [e["input"].endswith("broken.png") for e in on_disk["errors"]] == [True]
    assert len(on_disk["results"]) == 4  # the two good images, two prompts each


# ------------------------------------------------------------------------------------- orientation


@pytest.mark.parametrize("codes", [("L", "P", "S"), ("S", "R", "A"), ("A", "I", "L")])
def test_nifti_in_any_orientation_is_segmented_in_ras_and_written_back_as_stored(model, tmp_path, monkeypatch, codes):
    """The model sees the axial slices of the RAS+ volume (as nibabel's as_closest_canonical gives
    it) in display orientation whatever the file's voxel order, and the mask comes back in the
    file's order, shape and affine."""
    nib = pytest.importorskip("nibabel")
    import medvlseg.predict as pr
    from medvlseg.segmenter import SegmentationResult

    rng = np.random.default_rng(4)
    data = rng.normal(size=(7, 9, 5)).astype(np.float32)
    # an affine whose voxel axes point along `codes`, with distinct spacings
    world = {"R": (0, 1), "L": (0, -1), "A": (1, 1), "P": (1, -1), "S": (2, 1), "I": (2, -1)}
    affine = np.eye(4)
    affine[:3, :3] = 0
    for axis, (code, spacing) in enumerate(zip(codes, (1.5, 0.8, 3.0))):
        w, sign = world[code]
        affine[w, axis] = sign * spacing
    affine[:3, 3] = [10, -20, 5]
    img = nib.Nifti1Image(data, affine)
    assert nib.aff2axcodes(img.affine) == codes
    path = tmp_path / "vol.nii.gz"
    nib.save(img, path)
    seen = []

    def fake_batch(seg, images, prompts, **kw):  # a "model" that segments positive voxels
        seen.extend(images)
        return [SegmentationResult(mask=a > 0, probability=(a > 0).astype(np.float32), present=1.0) for a in images]

    monkeypatch.setattr(pr, "segment_batch", fake_batch)
    out = tmp_path / "out"
    res = predict(model, [path], "x", out_dir=out, batch_size=2)
    ras = np.asarray(nib.as_closest_canonical(img).get_fdata(), dtype=np.float32)
    assert len(seen) == ras.shape[2]
    for k, sl in enumerate(seen):  # axial RAS+ slices, shown as a radiologist reads them
        np.testing.assert_array_equal(sl, ras[:, :, k].T[::-1, ::-1])
    written = nib.load(out / res["results"][0]["files"]["mask"])
    assert written.shape == data.shape and np.allclose(written.affine, affine)
    np.testing.assert_array_equal(np.asarray(written.dataobj) > 0, data > 0)
    np.testing.assert_array_equal(np.load(out / res["results"][0]["files"]["probability"]) > 0, data > 0)


# --------------------------------------------------------------------------------------- DICOM SEG


def test_dicom_series_in_dicom_seg_out(model, tmp_path, monkeypatch):
    """A DICOM series (files in shuffled order) gives a DICOM SEG that highdicom reads back, that
    references the source series, has one segment per prompt, and has each source frame's mask on
    the frame that references that instance."""
    hd = pytest.importorskip("highdicom")
    import pydicom

    import medvlseg.predict as pr
    from medvlseg.segmenter import SegmentationResult
    from test_data_io import _write_series

    _write_series(tmp_path / "series")
    sources = {str(ds.SOPInstanceUID): ds for ds in (pydicom.dcmread(f) for f in (tmp_path / "series").iterdir())}

    def fake_batch(seg, images, prompts, **kw):  # "bone" = voxels above 300 HU, "air" = below -500
        cut = (lambda a: a > 300) if prompts[0] == "bone" else (lambda a: a < -500)
        return [SegmentationResult(mask=cut(a), probability=cut(a).astype(np.float32), present=1.0) for a in images]

    monkeypatch.setattr(pr, "segment_batch", fake_batch)
    out = tmp_path / "out"
    res = predict(model, [tmp_path / "series"], ["bone", "air"], out_dir=out)
    files = res["results"][0]["files"]
    assert files["dicom_seg"] == "series_seg.dcm" and res["results"][1]["files"]["dicom_seg"] == "series_seg.dcm"
    seg = hd.seg.segread(out / "series_seg.dcm")
    src0 = next(iter(sources.values()))
    assert seg.SeriesInstanceUID != src0.SeriesInstanceUID
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == src0.SeriesInstanceUID
    assert [d.SegmentLabel for d in seg.SegmentSequence] == ["bone", "air"]
    assert seg.NumberOfFrames == 2 * len(sources)
    for number, cut in ((1, lambda a: a > 300), (2, lambda a: a < -500)):
        for uid, ds in sources.items():
            frame = seg.get_pixels_by_source_instance(source_sop_instance_uids=[uid], segment_numbers=[number])[0, ..., 0]
            hu = ds.pixel_array.astype(np.float64) + float(ds.RescaleIntercept)
            np.testing.assert_array_equal(frame > 0, cut(hu), err_msg=f"segment {number}, instance {uid}")


def test_prompt_slugs_never_collide():
    from medvlseg.predict import prompt_slugs

    prompts = ["left lung", "left_lung", "heart", "a" * 50, "a" * 50 + "b"]
    slugs = prompt_slugs(prompts)
    assert len(set(slugs.values())) == len(prompts) and slugs["heart"] == "heart"
    assert slugs["left lung"].startswith("left_lung_") and slugs["left lung"] != slugs["left_lung"]
    assert prompt_slugs(list(reversed(prompts))) == slugs  # the same names whatever the order


def test_a_failing_input_is_reported_and_the_others_written(model, tmp_path, monkeypatch):
    import medvlseg.predict as pr

    folder = _folder_of_images(tmp_path / "imgs", 3)
    real = pr._predict_image

    def flaky(seg, arr, prompt, out, stem, *rest):
        if stem.startswith("img001"):
            raise RuntimeError("out of memory")
        return real(seg, arr, prompt, out, stem, *rest)

    monkeypatch.setattr(pr, "_predict_image", flaky)
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"input": "imgs/missing.png", "prompt": "polyp"}\n')
    res = predict(model, [folder], "polyp", out_dir=tmp_path / "out", jobs=jobs)
    assert res["complete"] and len(res["results"]) == 2
    assert sorted(Path(e["input"]).name for e in res["errors"]) == ["img001.png", "missing.png"]
    assert any("out of memory" in e["error"] for e in res["errors"])
    assert json.loads((tmp_path / "out" / "results.json").read_text())["errors"] == res["errors"]
