"""Readers: 2-D formats and bit depths, truncated files, masks, NIfTI and DICOM volumes on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from medvlseg.data import io
from medvlseg.data.dataset import SegmentationDataset
from medvlseg.errors import DataError

rng = np.random.default_rng(0)


@pytest.mark.parametrize(
    "suffix,mode,dtype",
    [
        (".png", "L", np.uint8),
        (".png", "RGB", np.uint8),
        (".png", "I;16", np.uint16),
        (".bmp", "RGB", np.uint8),
        (".bmp", "L", np.uint8),
        (".tif", "L", np.uint8),
        (".tif", "RGB", np.uint8),
    ],
)
def test_lossless_formats_round_trip(tmp_path, suffix, mode, dtype):
    shape = (23, 31, 3) if mode == "RGB" else (23, 31)
    hi = 65535 if dtype == np.uint16 else 255
    arr = rng.integers(0, hi + 1, size=shape).astype(dtype)
    path = tmp_path / f"img{suffix}"
    Image.fromarray(arr).save(path)
    out = io.read_image(path)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, arr)


def test_16bit_and_float_tiff(tmp_path):
    import tifffile

    a16 = rng.integers(0, 65536, size=(17, 19)).astype(np.uint16)
    af = rng.random((17, 19)).astype(np.float32)
    tifffile.imwrite(tmp_path / "a.tiff", a16)
    tifffile.imwrite(tmp_path / "b.tif", af)
    np.testing.assert_array_equal(io.read_image(tmp_path / "a.tiff"), a16)
    np.testing.assert_array_equal(io.read_image(tmp_path / "b.tif"), af)


def test_rgba_and_palette_become_rgb(tmp_path):
    rgba = rng.integers(0, 256, size=(8, 9, 4)).astype(np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    np.testing.assert_array_equal(io.read_image(tmp_path / "a.png"), rgba[..., :3])
    pal = Image.fromarray(rgba[..., :3]).convert("P")
    pal.save(tmp_path / "p.png")
    out = io.read_image(tmp_path / "p.png")
    assert out.shape == (8, 9, 3)
    np.testing.assert_array_equal(out, np.asarray(pal.convert("RGB")))


def test_jpeg_is_read_and_truncated_jpeg_is_an_error_naming_the_file(tmp_path):
    arr = rng.integers(0, 256, size=(64, 64, 3)).astype(np.uint8)
    good = tmp_path / "good.jpg"
    Image.fromarray(arr).save(good, quality=92)
    assert io.read_image(good).shape == (64, 64, 3)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(DataError, match="bad.jpg"):
        io.read_image(bad)


def test_unreadable_and_unsupported(tmp_path):
    (tmp_path / "x.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"x\.png: cannot read image"):
        io.read_image(tmp_path / "x.png")
    (tmp_path / "x.gif").write_bytes(b"GIF89a")
    with pytest.raises(DataError, match="unsupported image format"):
        io.read_image(tmp_path / "x.gif")
    with pytest.raises(DataError, match="file not found"):
        io.read_image(tmp_path / "missing.png")


def test_masks_non_zero_is_target_and_label_maps(tmp_path):
    labels = np.zeros((10, 12), np.uint8)
    labels[1:4, 1:4] = 1
    labels[6:9, 6:10] = 2
    Image.fromarray(labels * 100).save(tmp_path / "m.png")
    np.testing.assert_array_equal(io.read_mask(tmp_path / "m.png"), labels > 0)
    lm = {100: "liver", 200: "tumour"}
    np.testing.assert_array_equal(io.read_mask(tmp_path / "m.png", label_map=lm, target="tumour"), labels == 2)
    with pytest.raises(DataError, match="not in the label map"):
        io.read_mask(tmp_path / "m.png", label_map=lm, target="spleen")


def test_path_stem_and_suffix():
    assert io.path_suffix("a/b/case.nii.gz") == ".nii.gz"
    assert io.path_stem("a/b/case.nii.gz") == "case"
    assert io.path_stem("x.v2.png") == "x.v2"


# --------------------------------------------------------------------------------- NIfTI (nilearn)


@pytest.fixture(scope="module")
def mni_dataset(tmp_path_factory) -> Path:
    """The MNI152 T1 template and a grey-matter mask (probability > 0.5), as shipped by nilearn."""
    from medvlseg.demo import build_mni_dataset

    return build_mni_dataset(tmp_path_factory.mktemp("mni"))


def test_nifti_volume_read_with_spacing(mni_dataset):
    vol = io.read_volume(mni_dataset / "images" / "mni152.nii.gz")
    ref = np.asarray(nib.load(mni_dataset / "images" / "mni152.nii.gz").get_fdata())
    assert vol.data.shape == ref.shape == (99, 117, 95)
    assert vol.spacing == (2.0, 2.0, 2.0)
    # the template is stored RAS+: a slice is its plane in display orientation
    np.testing.assert_allclose(vol.slice(40, axis=2), ref[:, :, 40].T[::-1, ::-1], rtol=1e-6)
    np.testing.assert_allclose(vol.slice(10, axis=0), ref[10].T[::-1, ::-1], rtol=1e-6)


def test_slices_are_shown_as_a_radiologist_reads_them():
    """A RAS+ volume with one marker voxel in the patient's right, front, top corner: the axial slice
    shows it top left (anterior up, the patient's right on the image's left), the coronal and
    sagittal ones at the top (head up; sagittal: anterior on the left). slice and stack invert."""
    from medvlseg.data.io import Volume

    data = np.zeros((5, 6, 7), np.float32)
    data[4, 5, 6] = 1  # x = right-most, y = front-most, z = top-most
    vol = Volume(data=data, spacing=(1.0, 2.0, 3.0), affine=np.diag([1.0, 2.0, 3.0, 1.0]), path=Path("v.nii"))
    for axis, index, shape, spacing in [(2, 6, (6, 5), (2.0, 1.0)), (1, 5, (7, 5), (3.0, 1.0)), (0, 4, (7, 6), (3.0, 2.0))]:
        img = vol.slice(index, axis)
        assert img.shape == shape and img[0, 0] == 1 and img.sum() == 1, axis
        assert vol.slice_spacing(axis) == spacing
        back = vol.stack([vol.slice(k, axis) for k in range(vol.num_slices(axis))], axis)
        np.testing.assert_array_equal(back, data)


@pytest.mark.parametrize("axis,n,shape", [(2, 95, (117, 99)), (0, 99, (95, 117)), (1, 117, (95, 99))])
def test_nifti_dataset_slices_along_axis(mni_dataset, axis, n, shape):
    ds = SegmentationDataset.open(mni_dataset, axis=axis, target="grey matter")
    assert len(ds) == n
    s = ds[n // 2]
    assert s.spacing == (2.0, 2.0)
    loaded = ds.load(s)
    assert loaded.image.shape == shape and loaded.mask.shape == shape
    gm = np.asarray(nib.load(mni_dataset / "masks" / "mni152.nii.gz").get_fdata()) > 0
    np.testing.assert_array_equal(loaded.mask, np.take(gm, n // 2, axis=axis).T[::-1, ::-1])
    # every slice of one volume is in the same split
    assert len({x.split for x in ds}) == 1


def test_from_volume_skips_empty_slices(mni_dataset):
    ds = SegmentationDataset.from_volume(
        mni_dataset / "images" / "mni152.nii.gz", mni_dataset / "masks" / "mni152.nii.gz", skip_empty_slices=True
    )
    gm = np.asarray(nib.load(mni_dataset / "masks" / "mni152.nii.gz").get_fdata()) > 0
    assert len(ds) == int(gm.reshape(-1, gm.shape[2]).any(axis=0).sum())
    assert all(ds.load_mask(s).any() for s in ds)


# ---------------------------------------------------------------------------------- DICOM (pydicom)


def test_single_dicom_file():
    path = Path(get_testdata_file("CT_small.dcm"))
    vol = io.read_volume(path)
    ref = pydicom.dcmread(path).pixel_array
    assert vol.data.shape[-1] == 1
    assert vol.slice(0, axis=2).shape == ref.shape
    assert vol.spacing[0] == pytest.approx(0.661468, rel=1e-5)


def _write_series(folder: Path, n: int = 4) -> list[np.ndarray]:
    """A DICOM series made from pydicom's CT test file: n slices 5 mm apart, written in shuffled order.

    Returns each slice's expected values in Hounsfield units (stored value + RescaleIntercept), in
    position order.
    """
    import copy

    folder.mkdir(parents=True)
    src = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    base = src.pixel_array.copy()
    for k in [2, 0, 3, 1][:n]:
        ds = copy.deepcopy(src)
        ds.PixelData = (base + 100 * k).astype(base.dtype).tobytes()
        ds.InstanceNumber = k + 1
        pos = [float(v) for v in src.ImagePositionPatient]
        pos[2] += 5.0 * k
        ds.ImagePositionPatient = pos
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.save_as(folder / f"slice{k}.dcm")
    return [base.astype(np.float64) + 100 * k + float(src.RescaleIntercept) for k in range(n)]


def test_dicom_series_folder_is_one_volume_in_slice_order(tmp_path):
    expected = _write_series(tmp_path / "series")
    assert io.is_volume(tmp_path / "series")
    vol = io.read_volume(tmp_path / "series")
    assert vol.data.shape == (128, 128, 4)
    assert vol.spacing[2] == pytest.approx(5.0)
    assert vol.spacing[0] == pytest.approx(0.661468, rel=1e-5)
    # MONAI applies the rescale to Hounsfield units; the volume comes out RAS+, and a standard axial
    # DICOM image (columns to the patient's left, rows to the back) is stored as it is shown: each
    # axial slice is exactly the instance's pixels
    for k in range(4):
        np.testing.assert_array_equal(vol.slice(k, axis=2), expected[k], err_msg=f"slice {k}")
    assert vol.affine[0, 0] > 0 and vol.affine[1, 1] > 0 and vol.affine[2, 2] > 0


def test_dicom_series_dataset(tmp_path):
    _write_series(tmp_path / "ds" / "images" / "case1")
    _write_series(tmp_path / "ds" / "masks" / "case1")
    ds = SegmentationDataset.open(tmp_path / "ds")
    assert [s.id for s in ds] == ["case1_s0", "case1_s1", "case1_s2", "case1_s3"]
    assert ds.load(ds[0]).mask.any()
    # the series says what kind of picture it is: recorded per target by training (medvlseg.data.modality)
    from medvlseg.data.modality import target_modalities

    assert io.read_volume(tmp_path / "ds" / "images" / "case1").modality == "CT" and ds[0].meta["modality"] == "CT"
    assert target_modalities(ds, {"ds": tmp_path / "ds"}) == {"target": ["ct"]}


def test_corrupt_volume_is_an_error(tmp_path):
    bad = tmp_path / "bad.nii.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(DataError, match="bad.nii.gz: cannot read volume"):
        io.read_volume(bad)


# ---------------------------------------------------------------------------------- folder layouts


def _write_pair(root: Path, stem: str, size=(20, 30), fg=True, suffix=".png"):
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    img = rng.integers(0, 256, size=(*size, 3)).astype(np.uint8)
    Image.fromarray(img).save(root / "images" / f"{stem}{suffix}")
    m = np.zeros(size, np.uint8)
    if fg:
        m[2:8, 3:9] = 255
    Image.fromarray(m).save(root / "masks" / f"{stem}.png")


def test_images_masks_folders_matched_by_stem(tmp_path):
    for k in range(10):
        _write_pair(tmp_path, f"case{k:02d}", suffix=".jpg" if k % 2 else ".png", fg=k != 3)
    ds = SegmentationDataset.open(tmp_path)
    assert len(ds) == 10
    assert {s.split for s in ds} == {"train", "val"}
    assert sum(s.split == "val" for s in ds) == 2
    assert SegmentationDataset.open(tmp_path).ids() == ds.ids()
    assert [s.split for s in SegmentationDataset.open(tmp_path)] == [s.split for s in ds]
    assert ds.is_empty(ds["case03"]) and not ds.is_empty(ds["case04"])


def test_pooled_datasets_keep_dataset_and_target(tmp_path):
    _write_pair(tmp_path / "a", "x1")
    _write_pair(tmp_path / "a", "x2")
    _write_pair(tmp_path / "b", "x1")
    a = SegmentationDataset.open(tmp_path / "a", target="polyp")
    b = SegmentationDataset.open(tmp_path / "b", target="skin lesion")
    pool = SegmentationDataset.pool([a, b])
    assert len(pool) == 3
    assert {(s.dataset, s.target) for s in pool} == {("a", "polyp"), ("b", "skin lesion")}
    assert "a/x1" in pool.ids() and "b/x1" in pool.ids() and "x2" in pool.ids()
    assert pool.load(pool["b/x1"]).mask.any()


def test_real_dataset_samples(ph2):
    ds = SegmentationDataset.open(ph2)
    assert len(ds) == 160 and len(ds.split("val")) == 24
    s = ds[0]
    loaded = ds.load(s)
    assert loaded.image.shape[:2] == (int(s.meta["height"]), int(s.meta["width"]))
    assert s.meta["diagnosis"] in {"common nevus", "atypical nevus", "melanoma"}
    assert abs(loaded.mask.mean() - float(s.meta["foreground_fraction"])) < 1e-4
    with pytest.raises(DataError, match="unknown split"):
        ds.split("holdout")


def test_pooled_datasets_keep_each_sources_label_map(tmp_path):
    labels = np.zeros((20, 30), np.uint8)
    labels[2:6, 2:6] = 1
    labels[10:15, 10:20] = 2
    for name in ("a", "b"):
        (tmp_path / name / "images").mkdir(parents=True)
        (tmp_path / name / "masks").mkdir()
        Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(tmp_path / name / "images" / f"{name}1.png")
        Image.fromarray(labels).save(tmp_path / name / "masks" / f"{name}1.png")
    a = SegmentationDataset.open(tmp_path / "a", target="tumour", label_map={1: "liver", 2: "tumour"})
    b = SegmentationDataset.open(tmp_path / "b", target="polyp")  # no label map: non-zero is target
    pool = SegmentationDataset.pool([a, b])
    np.testing.assert_array_equal(pool.load_mask("a1"), labels == 2)
    np.testing.assert_array_equal(pool.load_mask("b1"), labels > 0)
    np.testing.assert_array_equal(pool.subset(["a1"]).load_mask("a1"), labels == 2)
