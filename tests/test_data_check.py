"""``medvlseg data check`` on the real datasets and on deliberately broken copies."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from medvlseg.data.check import check_dataset, dataset_info


def medvlseg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medvlseg", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", ["medetec", "ph2", "polypgen"])
def test_real_datasets_are_clean(name):
    from conftest import shared_dataset

    path = shared_dataset(name)
    result = medvlseg("data", "check", path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_fuseg_leak_between_train_and_val_is_found(fuseg):
    """FUSeg as shipped holds two photographs twice, once in train and once in val (byte-identical
    files with different annotations). The check must name all four files and fail."""
    report = check_dataset(fuseg)
    named = sorted(Path(p.path).name for p in report.problems)
    assert named == ["fuseg_0123.jpg", "fuseg_0359.jpg", "fuseg_0894.jpg", "fuseg_0934.jpg"]
    assert all("splits train, val" in p.message for p in report.problems)
    assert report.n_samples == 810 and report.n_empty == 19


def test_val_copies_of_train_images_are_dropped(fuseg):
    """Training and evaluation leave those two val photographs out (compared with the whole train split)."""
    from medvlseg.data import SegmentationDataset

    ds = SegmentationDataset.open(fuseg)
    val, dropped = ds.split("val").without_copies_of(ds.split("train"))
    assert sorted(dropped) == ["fuseg_0894", "fuseg_0934"]
    assert len(val) == len(ds.split("val")) - 2
    same, none = ds.split("test").without_copies_of(ds.split("train"))
    assert none == [] and len(same) == len(ds.split("test"))


def _copy_subset(src: Path, dst: Path, n: int = 12) -> list[dict[str, str]]:
    with open(src / "manifest.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = [r for r in reader][:n]
    (dst / "images").mkdir(parents=True)
    (dst / "masks").mkdir()
    for r in rows:
        shutil.copy(src / r["image"], dst / r["image"])
        shutil.copy(src / r["mask"], dst / r["mask"])
    with open(dst / "manifest.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return rows


def test_broken_copy_names_each_broken_file(ph2, tmp_path):
    root = tmp_path / "ph2_copy"
    rows = _copy_subset(ph2, root)
    assert medvlseg("data", "check", root).returncode == 0

    truncated = root / rows[0]["image"]
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    wrong_size = root / rows[1]["mask"]
    Image.fromarray(np.zeros((50, 60), np.uint8)).save(wrong_size)
    changed = root / rows[2]["image"]
    img = np.asarray(Image.open(changed)).copy()
    img[0, 0] ^= 1
    Image.fromarray(img).save(changed, quality=92)

    result = medvlseg("data", "check", root)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(str(truncated) in l and "cannot read image" in l for l in lines), lines
    assert any(str(wrong_size) in l and "differs from image size" in l for l in lines), lines
    assert any(str(changed) in l and "checksum mismatch" in l for l in lines), lines
    named = {l.split(": ", 1)[0] for l in lines}
    assert named == {str(truncated), str(wrong_size), str(changed)}, lines


def _tiny_manifest_dataset(root: Path, rows: list[tuple[str, str, str, np.ndarray, np.ndarray]]) -> None:
    """rows: (id, split, mask_rel, image array, mask array)."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    with open(root / "manifest.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "image", "mask", "split"])
        for id_, split, mask_rel, img, m in rows:
            Image.fromarray(img).save(root / "images" / f"{id_}.png")
            if m is not None:
                Image.fromarray(m).save(root / mask_rel)
            w.writerow([id_, f"images/{id_}.png", mask_rel, split])


def test_each_kind_of_problem_is_reported(tmp_path):
    rng = np.random.default_rng(0)
    img = lambda: rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)  # noqa: E731
    good = np.zeros((16, 16), np.uint8)
    good[4:8, 4:8] = 255
    same = img()
    grey = rng.integers(0, 256, (16, 16), dtype=np.uint8)  # a mask with 256 values: saved from a lossy format
    _tiny_manifest_dataset(tmp_path, [
        ("a", "train", "masks/a.png", same, good),
        ("b", "val", "masks/b.png", same, good),  # same image in train and val
        ("c", "train", "masks/c.png", img(), grey),
        ("d", "train", "masks/missing.png", img(), None),
        ("e", "holdout", "masks/e.png", img(), good),
        ("f", "train", "../outside.png", img(), None),
        ("g", "train", "masks/g.png", img(), np.zeros((16, 16), np.uint8)),  # empty: counted, not a problem
    ])
    report = check_dataset(tmp_path)
    text = "\n".join(map(str, report.problems))
    assert "a.png: the same image is in splits train, val" in text
    assert "b.png: the same image is in splits train, val" in text
    assert "c.png: unexpected mask values" in text
    assert "missing.png: file not found" in text
    assert "unknown split 'holdout'" in text
    assert "'../outside.png' leaves the dataset folder" in text
    assert "masks/g.png" not in text
    assert report.n_empty == 1


def test_duplicate_ids_and_missing_columns(tmp_path):
    (tmp_path / "manifest.csv").write_text("id,image\nx,images/x.png\n")
    assert "missing column(s) mask" in str(check_dataset(tmp_path).problems[0])
    (tmp_path / "manifest.csv").write_text("id,image,mask\nx,images/x.png,masks/x.png\nx,images/x.png,masks/x.png\n")
    assert any("duplicate id 'x'" in str(p) for p in check_dataset(tmp_path).problems)


def test_folder_layout_unpaired_files(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    a = np.zeros((8, 8), np.uint8)
    Image.fromarray(a).save(tmp_path / "images" / "x.png")
    Image.fromarray(a).save(tmp_path / "images" / "y.png")
    Image.fromarray(a).save(tmp_path / "masks" / "x.png")
    Image.fromarray(a).save(tmp_path / "masks" / "z.png")
    text = "\n".join(map(str, check_dataset(tmp_path).problems))
    assert "y.png: image has no mask" in text and "z.png: mask has no image" in text


def test_nifti_dataset_check(tmp_path):
    import nibabel as nib

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    vol = np.random.default_rng(0).random((8, 9, 5)).astype(np.float32)
    m = np.zeros((8, 9, 5), np.uint8)
    m[2:5, 2:5, 1:3] = 1
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path / "images" / "v.nii.gz")
    nib.save(nib.Nifti1Image(m, np.eye(4)), tmp_path / "masks" / "v.nii.gz")
    report = check_dataset(tmp_path)
    assert report.ok and report.n_samples == 5 and report.n_empty == 3
    nib.save(nib.Nifti1Image(m[:, :, :4], np.eye(4)), tmp_path / "masks" / "v.nii.gz")
    assert "differs from image volume shape" in str(check_dataset(tmp_path).problems[0])


def test_info_on_real_data(polypgen):
    info = dataset_info(polypgen)
    assert info["splits"]["train"] == {"images": 1237, "empty_masks": 100}
    assert info["splits"]["val"] == {"images": 150, "empty_masks": 12}
    assert info["targets"] == {"polyp": 1387}
