"""One definition of "the same image" (identical decoded pixels) and splits that do not depend on
where a dataset lives: data check, without_copies_of, metrics, folder-layout splits."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image, PngImagePlugin
from typer.testing import CliRunner

from medvlseg.data import io
from medvlseg.data.check import check_dataset
from medvlseg.data.dataset import SegmentationDataset
from medvlseg.evaluation import score_prediction_folder


def _rgb(seed: int, shape=(12, 16)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


def _mask(shape=(12, 16)) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    m[3:7, 4:9] = 255
    return m


def _save_png_with_metadata(path: Path, arr: np.ndarray) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "another writer")
    Image.fromarray(arr).save(path, pnginfo=info, compress_level=1, dpi=(300, 300))


def _manifest_dataset(root: Path, rows: list[tuple[str, str, str, np.ndarray]]) -> None:
    """rows: (id, split, image file name, image array); images saved per suffix, masks as PNG.
    ``.tif``: lossless TIFF; ``.meta.png``: PNG with other metadata and compression."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    with open(root / "manifest.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "image", "mask", "split"])
        for id_, split, fname, img in rows:
            path = root / "images" / fname
            if fname.endswith(".tif"):
                tifffile.imwrite(path, img, compression="zlib")
            elif fname.endswith(".meta.png"):
                _save_png_with_metadata(path, img)
            else:
                Image.fromarray(img).save(path)
            Image.fromarray(_mask(img.shape[:2])).save(root / "masks" / f"{id_}.png")
            w.writerow([id_, f"images/{fname}", f"masks/{id_}.png", split])


# ------------------------------------------------------------------------------------ pixel_sha256


def test_pixel_sha256_is_over_dtype_shape_and_pixels():
    a = np.arange(24, dtype=np.uint16).reshape(4, 6)
    assert io.pixel_sha256(a) == io.pixel_sha256(a.copy())
    assert io.pixel_sha256(a) == io.pixel_sha256(np.asfortranarray(a))  # memory layout does not matter
    assert io.pixel_sha256(a) == io.pixel_sha256(a.astype(">u2"))  # nor byte order
    assert io.pixel_sha256(a) != io.pixel_sha256(a.astype(np.uint8))  # dtype does
    assert io.pixel_sha256(a) != io.pixel_sha256(a.reshape(6, 4))  # shape does
    b = a.copy()
    b[3, 5] += 1
    assert io.pixel_sha256(a) != io.pixel_sha256(b)


# ------------------------------------------------------------------------- the same image, anywhere


@pytest.fixture
def same_pixels_dataset(tmp_path) -> Path:
    """train: a (PNG), b (PNG); val: a_tif (a as a lossless TIFF), a_meta (a re-saved with other
    metadata), b_plus1 (b with one pixel changed), c (new)."""
    a, b = _rgb(1), _rgb(2)
    b1 = b.copy()
    b1[5, 7, 1] ^= 1
    root = tmp_path / "ds"
    _manifest_dataset(root, [
        ("a", "train", "a.png", a),
        ("b", "train", "b.png", b),
        ("a_tif", "val", "a_tif.tif", a),
        ("a_meta", "val", "a_meta.meta.png", a),
        ("b_plus1", "val", "b_plus1.png", b1),
        ("c", "val", "c.png", _rgb(3)),
    ])
    files = {p.name: p.read_bytes() for p in (root / "images").iterdir()}
    assert len(set(files.values())) == len(files)  # no two files are byte-identical
    return root


def test_data_check_finds_same_pixels_in_other_formats(same_pixels_dataset):
    report = check_dataset(same_pixels_dataset)
    named = sorted(Path(p.path).name for p in report.problems)
    assert named == ["a.png", "a_meta.meta.png", "a_tif.tif"], report.problems
    assert all("the same image is in splits train, val" in p.message for p in report.problems)


def test_without_copies_of_compares_decoded_pixels(same_pixels_dataset):
    ds = SegmentationDataset.open(same_pixels_dataset)
    val, dropped = ds.split("val").without_copies_of(ds.split("train"))
    assert sorted(dropped) == ["a_meta", "a_tif"]
    assert sorted(val.ids()) == ["b_plus1", "c"]
    hashes = ds.image_hashes()
    assert hashes["a"] == hashes["a_tif"] == hashes["a_meta"] == ds.image_sha256("a")
    assert hashes["b"] != hashes["b_plus1"]
    assert hashes["a"] == io.pixel_sha256(io.read_image(same_pixels_dataset / "images" / "a.png"))


def test_each_image_is_decoded_once_per_dataset(same_pixels_dataset, monkeypatch):
    calls: list[Path] = []
    real = io.read_image

    def counting(path):
        if Path(path).parent.name == "images":  # masks go through read_image too
            calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(io, "read_image", counting)
    ds = SegmentationDataset.open(same_pixels_dataset)
    for _ in range(2):
        ds.split("val").without_copies_of(ds.split("train"))
        ds.image_hashes()
        ds.annotation_fraction(0.5).image_hashes()
    assert sorted(calls) == sorted(s.image for s in ds)
    pooled = SegmentationDataset.pool([ds])
    pooled.image_hashes()
    assert len(calls) == len(ds)


def test_unreadable_images_are_never_copies(same_pixels_dataset):
    (same_pixels_dataset / "images" / "b.png").write_bytes(b"not a png")
    ds = SegmentationDataset.open(same_pixels_dataset)
    val, dropped = ds.split("val").without_copies_of(ds.split("train"))
    assert sorted(dropped) == ["a_meta", "a_tif"]
    with pytest.raises(Exception, match="b.png"):
        ds.image_hashes()


def test_volume_slices_with_the_same_pixels_are_copies(tmp_path):
    import nibabel as nib

    root = tmp_path / "vols"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    vol = np.random.default_rng(0).random((6, 7, 4)).astype(np.float32)
    other = vol.copy()
    other[..., 2] = np.random.default_rng(1).random((6, 7))  # one slice differs
    m = np.zeros(vol.shape, np.uint8)
    m[1:3, 1:3, :] = 1
    nib.save(nib.Nifti1Image(vol, np.eye(4)), root / "images" / "t.nii.gz")
    nib.save(nib.Nifti1Image(vol, np.diag([2.0, 2.0, 3.0, 1.0])), root / "images" / "v.nii.gz")  # other header
    nib.save(nib.Nifti1Image(other, np.eye(4)), root / "images" / "w.nii.gz")
    for n in "tvw":
        nib.save(nib.Nifti1Image(m, np.eye(4)), root / "masks" / f"{n}.nii.gz")
    (root / "manifest.csv").write_text(
        "id,image,mask,split\nt,images/t.nii.gz,masks/t.nii.gz,train\n"
        "v,images/v.nii.gz,masks/v.nii.gz,val\nw,images/w.nii.gz,masks/w.nii.gz,val\n"
    )
    ds = SegmentationDataset.open(root)
    val, dropped = ds.split("val").without_copies_of(ds.split("train"))
    assert dropped == ["v_s0", "v_s1", "v_s2", "v_s3", "w_s0", "w_s1", "w_s3"]
    assert val.ids() == ["w_s2"]


# --------------------------------------------------------------------- splits independent of place


def _folder_dataset_2d(root: Path, n: int = 30) -> None:
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for k in range(n):
        Image.fromarray(_rgb(k, (6, 6))).save(root / "images" / f"img{k:02d}.png")
        Image.fromarray(_mask((6, 6))).save(root / "masks" / f"img{k:02d}.png")


def _folder_dataset_nifti(root: Path, n: int = 8) -> None:
    import nibabel as nib

    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    m = np.zeros((5, 6, 3), np.uint8)
    m[1:3, 1:4, :] = 1
    for k in range(n):
        vol = np.random.default_rng(k).random((5, 6, 3)).astype(np.float32)
        nib.save(nib.Nifti1Image(vol, np.eye(4)), root / "images" / f"case{k}.nii.gz")
        nib.save(nib.Nifti1Image(m, np.eye(4)), root / "masks" / f"case{k}.nii.gz")


@pytest.mark.parametrize("make", [_folder_dataset_2d, _folder_dataset_nifti], ids=["2d", "nifti"])
@pytest.mark.parametrize("seed", [0, 3])
def test_renaming_a_folder_dataset_keeps_its_splits(tmp_path, make, seed):
    make(tmp_path / "first")
    before = {s.id: s.split for s in SegmentationDataset.open(tmp_path / "first", seed=seed)}
    assert set(before.values()) == {"train", "val"}
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "first"), str(moved))
    ds = SegmentationDataset.open(moved, seed=seed)
    assert ds.name == "renamed"
    assert {s.id: s.split for s in ds} == before
    assert {s.id: s.split for s in SegmentationDataset.open(moved, name="other", seed=seed)} == before
    assert all("renamed" not in s.group and not Path(s.group).is_absolute() for s in ds)
    if make is _folder_dataset_nifti:  # slices of one volume stay together
        assert len({s.group for s in ds}) == 8
        for g in {s.group for s in ds}:
            assert len({s.split for s in ds if s.group == g}) == 1


def test_pooled_groups_stay_distinct(tmp_path):
    """Two NIfTI folders with the same file names: their volumes stay separate groups in a pool
    (held-out selection groups a pooled train split by ``group``); 2-D images are grouped by their
    relative path."""
    _folder_dataset_nifti(tmp_path / "one", n=2)
    _folder_dataset_nifti(tmp_path / "two", n=3)
    _folder_dataset_2d(tmp_path / "flat", n=3)
    sets = [SegmentationDataset.open(tmp_path / n) for n in ("one", "two", "flat")]
    pool = SegmentationDataset.pool(sets)
    assert [s.split for s in pool] == [s.split for ds in sets for s in ds]
    groups = {s.group for s in pool}
    assert groups == {
        "one/images/case0.nii.gz", "one/images/case1.nii.gz", "two/images/case0.nii.gz", "two/images/case1.nii.gz",
        "images/case2.nii.gz", "images/img00.png", "images/img01.png", "images/img02.png",
    }


def test_rows_sharing_one_image_are_one_group(tmp_path):
    """A multi-target manifest (jsrt: five structure rows per radiograph) keeps an image's rows
    together: in a held-out selection split the same picture is never on both sides."""
    from medvlseg.data.splits import held_out_ids

    root = tmp_path / "multi"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    rows = ["id,image,mask,split,target"]
    for k in range(10):
        Image.fromarray(_rgb(k, (6, 6))).save(root / "images" / f"im{k}.png")
        for t in ("lung", "heart"):
            Image.fromarray(_mask((6, 6))).save(root / "masks" / f"im{k}_{t}.png")
            rows.append(f"im{k}_{t},images/im{k}.png,masks/im{k}_{t}.png,train,{t}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    ds = SegmentationDataset.open(root)
    assert len({s.group for s in ds}) == 10
    held = set(held_out_ids(ds.ids(), 0.3, groups=[s.group for s in ds], seed=0))
    assert len(held) == 6
    for k in range(10):
        assert (f"im{k}_lung" in held) == (f"im{k}_heart" in held)


def test_seed_still_changes_the_split(tmp_path):
    _folder_dataset_2d(tmp_path / "d")
    a = {s.id: s.split for s in SegmentationDataset.open(tmp_path / "d", seed=0)}
    b = {s.id: s.split for s in SegmentationDataset.open(tmp_path / "d", seed=1)}
    assert a != b


# ----------------------------------------------------------------------------------------- metrics


def _pred(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(_mask()).save(path)


def test_metrics_drop_val_copies_of_train_images(same_pixels_dataset, tmp_path):
    pred = tmp_path / "pred"
    for i in ("b_plus1", "c"):  # the dropped copies need no prediction
        _pred(pred / f"{i}.png")
    s = score_prediction_folder(pred, same_pixels_dataset, split="val", out_dir=tmp_path / "out")
    assert s["n"] == 2 and s["metrics"]["dice"]["mean"] == pytest.approx(1.0)
    assert sorted(s["source"]["dropped_train_copies"]) == ["a_meta", "a_tif"]
    assert any("same image as a train image" in w for w in s["warnings"])
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert sorted(written["source"]["dropped_train_copies"]) == ["a_meta", "a_tif"]

    with pytest.raises(Exception, match="a_meta"):  # kept: now they need predictions
        score_prediction_folder(pred, same_pixels_dataset, split="val", out_dir=tmp_path / "o2", drop_train_copies=False)
    for i in ("a_tif", "a_meta"):
        _pred(pred / f"{i}.png")
    kept = score_prediction_folder(pred, same_pixels_dataset, split="val", out_dir=tmp_path / "o3", drop_train_copies=False)
    assert kept["n"] == 4 and kept["source"]["dropped_train_copies"] == []
    # with the predictions present, dropping them does not count those files as unmatched
    again = score_prediction_folder(pred, same_pixels_dataset, split="val", out_dir=tmp_path / "o4")
    assert again["n"] == 2 and again["source"]["n_unmatched_predictions"] == 0
    # train, or every sample: nothing to compare against
    for i in ("a", "b"):
        _pred(pred / f"{i}.png")
    assert score_prediction_folder(pred, same_pixels_dataset, out_dir=tmp_path / "o5")["source"]["dropped_train_copies"] == []


def test_metrics_cli_keep_train_copies(same_pixels_dataset, tmp_path):
    from medvlseg.cli import app

    pred = tmp_path / "pred"
    for i in ("a_tif", "a_meta", "b_plus1", "c"):
        _pred(pred / f"{i}.png")
    runner = CliRunner()
    base = ["metrics", str(pred), "--data", str(same_pixels_dataset), "--split", "val"]
    r = runner.invoke(app, [*base, "--out", str(tmp_path / "drop")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "--out", str(tmp_path / "keep"), "--keep-train-copies"])
    assert r.exit_code == 0, r.output
    drop = json.loads((tmp_path / "drop" / "summary.json").read_text())
    keep = json.loads((tmp_path / "keep" / "summary.json").read_text())
    assert (drop["n"], sorted(drop["source"]["dropped_train_copies"])) == (2, ["a_meta", "a_tif"])
    assert (keep["n"], keep["source"]["dropped_train_copies"]) == (4, [])
