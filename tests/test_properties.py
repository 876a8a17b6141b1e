"""Property-based tests (hypothesis) on malformed input (reliability issue, items 1 and 2).

Whatever bytes, pixel types, values, prompts or masks come in, the readers, the preprocessing, the
prompt check and the metrics either give a sound answer or raise a MedvlsegError naming the file or
field, never another exception and never a wrong answer presented as right:

- any bytes under any image suffix (also behind a real format's magic number) read as an image or
  raise DataError; a truncated PNG, JPEG, BMP or TIFF is an error or decodes to exactly the full image;
- every pixel type, with NaN and infinities among float values, becomes a finite [0, 1] RGB image (NaN
  and infinities read as background, with a warning) or a DataError; a volume with NaN voxels too;
- an image or volume over the pixel / voxel limit is refused from its header, before decoding;
- a prompt that is not text, not valid Unicode or over 2,000 characters is refused with its field named;
- Dice and IoU of any two masks equal their formulas, lie in [0, 1] and are symmetric; a mask that is
  not boolean is refused (a probability map passed by mistake is never silently binarised);
- the command line given garbage ends with one line naming the file and a non-zero exit, no traceback.
"""

from __future__ import annotations

import io as pyio
import math
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from medvlseg.data import io
from medvlseg.errors import ConfigError, DataError
from medvlseg.evaluation.metrics import dice, iou
from medvlseg.preprocess import image_to_unit_rgb
from medvlseg.prompts.check import MAX_PROMPT_CHARS, check_prompt

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*", b"BM"]


def _read_file(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"x{suffix}"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return io.read_image(path)


def _is_sound_image(arr: np.ndarray) -> bool:
    return (isinstance(arr, np.ndarray) and arr.ndim in (2, 3) and (arr.ndim == 2 or arr.shape[2] == 3)
            and min(arr.shape[:2]) > 0 and (arr.dtype.kind != "f" or bool(np.isfinite(arr).all())))


@FAST
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=3000), suffix=st.sampled_from(io.IMAGE_SUFFIXES))
def test_any_bytes_are_an_image_or_a_data_error(magic, body, suffix):
    try:
        arr = _read_file(magic + body, suffix)
    except DataError as exc:
        assert f"x{suffix}" in str(exc)
    else:
        assert _is_sound_image(arr)


def _encode(arr: np.ndarray, fmt: str) -> bytes:
    if fmt == "TIFF":
        import tifffile

        buf = pyio.BytesIO()
        tifffile.imwrite(buf, arr)
        return buf.getvalue()
    buf = pyio.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


@FAST
@given(
    image=arrays(np.uint8, st.tuples(st.integers(1, 24), st.integers(1, 24), st.sampled_from([1, 3]))),
    fmt=st.sampled_from(["PNG", "JPEG", "BMP", "TIFF"]),
    cut=st.floats(0.0, 0.999),
)
def test_a_truncated_image_is_an_error_or_the_whole_image(image, fmt, cut):
    image = image[..., 0] if image.shape[2] == 1 else image
    data = _encode(image, fmt)
    suffix = {"PNG": ".png", "JPEG": ".jpg", "BMP": ".bmp", "TIFF": ".tif"}[fmt]
    full = _read_file(data, suffix)
    try:
        part = _read_file(data[: int(len(data) * cut)], suffix)
    except DataError:
        return
    np.testing.assert_array_equal(part, full)  # never a grey stripe where the file was cut


PIXEL_TYPES = [np.uint8, np.uint16, np.int16, np.int32, np.uint32, np.float16, np.float32, np.float64]


@st.composite
def pixel_arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(PIXEL_TYPES)))
    shape = draw(st.tuples(st.integers(1, 12), st.integers(1, 12), st.sampled_from([0, 3])))
    shape = shape[:2] if shape[2] == 0 else shape
    if dtype.kind == "f":
        elements = st.floats(-1e4, 1e4, width=min(dtype.itemsize * 8, 64)) | st.sampled_from([np.nan, np.inf, -np.inf])
    else:
        info = np.iinfo(dtype)
        elements = st.integers(int(info.min), int(info.max))
    return draw(arrays(dtype, shape, elements=elements))


@FAST
@given(arr=pixel_arrays())
def test_every_pixel_type_becomes_a_finite_unit_image_or_a_data_error(arr):
    import tifffile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.tif"
        tifffile.imwrite(path, arr)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                read = io.read_image(path)
        except DataError as exc:
            assert "x.tif" in str(exc)
            # only two reasons to refuse: integers beyond 16 bits, or no finite value at all
            beyond = arr.dtype.kind in "iu" and (arr.min() < 0 or arr.max() > 65535)
            assert beyond or (arr.dtype.kind == "f" and not np.isfinite(arr).any()), str(exc)
            return
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        assert any("NaN or infinite" in str(w.message) and "x.tif" in str(w.message) for w in caught)
    unit = image_to_unit_rgb(read)
    assert unit.shape == (*arr.shape[:2], 3) and unit.dtype == np.float32
    assert np.isfinite(unit).all() and unit.min() >= 0 and unit.max() <= 1


@FAST
@given(n_bad=st.integers(0, 60), seed=st.integers(0, 2**16))
def test_volume_with_nan_and_inf_voxels(n_bad, seed):
    import nibabel as nib

    rng = np.random.default_rng(seed)
    data = rng.normal(100, 20, (4, 5, 3)).astype(np.float32)
    flat = data.reshape(-1)
    flat[rng.choice(flat.size, n_bad, replace=False)] = rng.choice([np.nan, np.inf, -np.inf], n_bad)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "v.nii.gz"
        nib.save(nib.Nifti1Image(data, np.eye(4)), path)
        if n_bad == data.size:
            with pytest.raises(DataError, match="v.nii.gz: no finite value"):
                io.read_volume(path)
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vol = io.read_volume(path)
    assert np.isfinite(vol.data).all()
    assert vol.data.min() == pytest.approx(float(np.nanmin(np.where(np.isfinite(data), data, np.nan))))


def test_array_with_nan_is_refused_by_the_preprocessing():
    with pytest.raises(DataError, match="NaN or infinite"):
        image_to_unit_rgb(np.array([[0.0, np.nan], [1.0, 2.0]]))


def test_pixel_and_voxel_limits_refuse_from_the_header(tmp_path, monkeypatch):
    import nibabel as nib
    import tifffile

    Image.fromarray(np.zeros((40, 50), np.uint8)).save(tmp_path / "a.png")
    tifffile.imwrite(tmp_path / "a.tif", np.zeros((40, 50), np.uint16))
    nib.save(nib.Nifti1Image(np.zeros((10, 10, 11), np.float32), np.eye(4)), tmp_path / "v.nii.gz")
    monkeypatch.setenv("MEDVLSEG_MAX_PIXELS", "1999")
    monkeypatch.setenv("MEDVLSEG_MAX_VOXELS", "1099")
    for name in ("a.png", "a.tif"):
        with pytest.raises(DataError, match=rf"{name}: 40 x 50 = 2,000 pixels, over the limit of 1,999 .*MEDVLSEG_MAX_PIXELS"):
            io.read_image(tmp_path / name)
    with pytest.raises(DataError, match=r"v.nii.gz: 10 x 10 x 11 = 1,100 voxels, over the limit of 1,099"):
        io.read_volume(tmp_path / "v.nii.gz")
    monkeypatch.setenv("MEDVLSEG_MAX_PIXELS", "2000")
    monkeypatch.setenv("MEDVLSEG_MAX_VOXELS", "1100")
    assert io.read_image(tmp_path / "a.png").shape == (40, 50)
    assert io.read_volume(tmp_path / "v.nii.gz").data.size == 1100
    monkeypatch.setenv("MEDVLSEG_MAX_PIXELS", "lots")
    with pytest.raises(ConfigError, match="MEDVLSEG_MAX_PIXELS='lots'"):
        io.read_image(tmp_path / "a.png")


def test_an_enormous_png_header_is_refused_before_decoding(tmp_path):
    """A 30 kB PNG that declares 100,000 x 100,000 pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 300_000)) + chunk(b"IEND", b""))
    with pytest.raises(DataError, match="bomb.png"):
        io.read_image(path)


@FAST
@given(text=st.text(max_size=200))
def test_ordinary_text_is_a_prompt(text):
    assert check_prompt(text) == text


@FAST
@given(prefix=st.text(max_size=20), junk=st.binary(min_size=1, max_size=8).filter(lambda b: _not_utf8(b)))
def test_undecodable_bytes_in_a_prompt_are_refused(prefix, junk):
    # how a command line with non-UTF-8 bytes reaches Python: lone surrogates (surrogateescape)
    prompt = prefix + junk.decode("utf-8", errors="surrogateescape")
    with pytest.raises(ConfigError, match="prompt: not valid text"):
        check_prompt(prompt)


def _not_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@pytest.mark.parametrize("prompt, match", [("x" * 100_000, "100000 characters, at most"), (3, "expected text, got int"),
                                           (None, "expected text, got NoneType")])
def test_long_or_non_text_prompts_are_refused(prompt, match):
    with pytest.raises(ConfigError, match=match):
        check_prompt(prompt)
    assert check_prompt("y" * MAX_PROMPT_CHARS)


def test_the_segmenter_refuses_a_bad_prompt_before_reading_the_image():
    import medvlseg

    seg = medvlseg.Segmenter(medvlseg.build_model("unet", backbone="tiny-lite"))
    with pytest.raises(ConfigError, match="prompt: 100000 characters"):
        seg.segment("/no/such/file.png", "x" * 100_000)


@st.composite
def mask_pairs(draw):
    shape = draw(st.tuples(st.integers(1, 16), st.integers(1, 16)))
    return draw(arrays(bool, shape)), draw(arrays(bool, shape))


@FAST
@given(pair=mask_pairs())
def test_dice_and_iou_are_their_formulas(pair):
    p, g = pair
    inter, total, union = (p & g).sum(), p.sum() + g.sum(), (p | g).sum()
    d, j = dice(p, g), iou(p, g)
    if total == 0:  # both empty: undefined, NaN (the report counts such images apart), never a made-up score
        assert math.isnan(d) and math.isnan(j)
        return
    assert d == pytest.approx(2 * inter / total) and j == pytest.approx(inter / union)
    assert 0 <= d <= 1 and 0 <= j <= 1 and d == pytest.approx(dice(g, p)) and j <= d + 1e-12


@FAST
@given(arr=arrays(st.sampled_from([np.uint8, np.float32, np.int64]), st.just((4, 4))))
def test_a_mask_that_is_not_boolean_is_refused(arr):
    with pytest.raises(TypeError, match="must be bool"):
        dice(arr, np.zeros((4, 4), bool))


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    import medvlseg
    from medvlseg.models.base import save_model

    path = tmp_path_factory.mktemp("m") / "unet.safetensors"
    save_model(medvlseg.build_model("unet", backbone="tiny-lite"), path)
    return path


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medvlseg.cli", *map(str, args)], capture_output=True, timeout=180)


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_cli_given_a_broken_image_says_one_line(tmp_path, saved_model, content):
    bad = tmp_path / "broken.png"
    bad.write_bytes(content)
    checked = _cli("data", "check", _one_image_dataset(tmp_path, bad))
    assert checked.returncode == 1 and b"Traceback" not in checked.stderr
    assert b"images/a.png" in checked.stdout + checked.stderr
    predicted = _cli("predict", saved_model, bad, "--prompt", "target", "--out", tmp_path / "out")
    assert predicted.returncode != 0 and b"Traceback" not in predicted.stderr and b"broken.png" in predicted.stderr


def test_cli_given_an_undecodable_or_huge_prompt_says_one_line(tmp_path, saved_model):
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "a.png")
    for prompt, said in ((b"foot \xff ulcer", b"prompt: not valid text"), (b"x" * 100_000, b"prompt: 100000 characters")):
        out = subprocess.run([sys.executable.encode(), b"-m", b"medvlseg.cli", b"predict", str(saved_model).encode(),
                              str(tmp_path / "a.png").encode(), b"--prompt", prompt, b"--out", str(tmp_path / "o").encode()],
                             capture_output=True, timeout=180)
        assert out.returncode != 0 and b"Traceback" not in out.stderr and said in out.stderr, out.stderr[-500:]
        assert not (tmp_path / "o").exists()  # refused before anything was written


def _one_image_dataset(tmp_path: Path, image: Path) -> Path:
    root = tmp_path / "ds"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    (root / "images" / "a.png").write_bytes(image.read_bytes())
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "masks" / "a.png")
    (root / "manifest.csv").write_text("id,image,mask,split,target\na,images/a.png,masks/a.png,train,target\n")
    return root

