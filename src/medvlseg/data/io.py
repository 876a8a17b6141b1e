"""Reading images, masks and volumes.

2-D images (PNG, JPEG, BMP, TIFF; grey or RGB; 8 or 16 bit) are read with Pillow or tifffile and
returned in their native dtype. NIfTI and DICOM volumes are read with MONAI's readers (nibabel and
pydicom behind them) and kept with their voxel spacing so that distance metrics can be in mm.
Every failure is a :class:`~medvlseg.errors.DataError` that names the file.

Memory limits, checked from the file's header before any pixel is decoded: ``MEDVLSEG_MAX_PIXELS``
per 2-D image (default 100 million: a 10,000 x 10,000 tile; Pillow refuses more than about 179
million whatever this says) and ``MEDVLSEG_MAX_VOXELS`` per volume (default 1 billion: a
512 x 512 x 3800 CT), both environment variables.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, MedvlsegError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
NIFTI_SUFFIXES = (".nii", ".nii.gz")
DICOM_SUFFIXES = (".dcm", ".dicom")
DEFAULT_MAX_PIXELS = 100_000_000
DEFAULT_MAX_VOXELS = 1_000_000_000


def _limit(var: str, default: int) -> int:
    raw = os.environ.get(var)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{var}={raw!r}: expected a positive whole number")
    return value


def check_size(path: str | os.PathLike, shape: Sequence[int], kind: str = "image") -> None:
    """Refuse an image (``kind="image"``: every axis but a trailing colour one, so a stack of pages
    counts them all) or a volume (every axis) over its limit (``MEDVLSEG_MAX_PIXELS`` /
    ``MEDVLSEG_MAX_VOXELS``) before it is decoded."""
    dims = [int(d) for d in shape]
    if kind == "image" and len(dims) == 3 and dims[2] <= 4:
        dims = dims[:2]
    n = int(np.prod(dims, dtype=np.int64))
    var, default, unit = (("MEDVLSEG_MAX_PIXELS", DEFAULT_MAX_PIXELS, "pixels") if kind == "image"
                          else ("MEDVLSEG_MAX_VOXELS", DEFAULT_MAX_VOXELS, "voxels"))
    limit = _limit(var, default)
    if n > limit:
        raise DataError(f"{path}: {' x '.join(map(str, dims))} = {n:,} {unit}, over the limit of {limit:,} "
                        f"(raise it with the environment variable {var})")


def path_suffix(path: str | os.PathLike) -> str:
    """Lower-case suffix, with ``.nii.gz`` kept whole."""
    name = Path(path).name.lower()
    if name.endswith(".nii.gz"):
        return ".nii.gz"
    return Path(name).suffix


def path_stem(path: str | os.PathLike) -> str:
    """File name without its (possibly double) suffix: ``case1.nii.gz`` -> ``case1``."""
    name = Path(path).name
    suf = path_suffix(path)
    return name[: len(name) - len(suf)] if suf else name


def is_image_file(path: str | os.PathLike) -> bool:
    return path_suffix(path) in IMAGE_SUFFIXES


def is_volume(path: str | os.PathLike) -> bool:
    """A NIfTI file, a DICOM file, or a folder holding a DICOM series."""
    p = Path(path)
    if p.is_dir():
        return any(_looks_like_dicom(f) for f in sorted(p.iterdir())[:8] if f.is_file())
    return path_suffix(p) in NIFTI_SUFFIXES + DICOM_SUFFIXES


def _looks_like_dicom(path: Path) -> bool:
    if path_suffix(path) in DICOM_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            fh.seek(128)
            return fh.read(4) == b"DICM"
    except OSError:
        return False


# --------------------------------------------------------------------------------------------- 2-D


def pixel_sha256(image: np.ndarray) -> str:
    """SHA-256 (hex) of a decoded image: its dtype, its shape and its pixels (C order).

    This is what "the same image" means in medvlseg: two files are the same image when their
    decoded pixels (as :func:`read_image` or a volume slice gives them) are identical, whatever
    their format, compression or metadata. A PNG and a lossless TIFF of one picture (at one bit depth)
    are the same image; a JPEG re-encoding of it, or a copy with one pixel changed, is not. Byte order is
    normalised to little-endian first, so a big-endian TIFF holds the same image as a PNG.
    """
    arr = np.asarray(image)
    shape = arr.shape
    arr = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"), copy=False))
    h = hashlib.sha256(f"{arr.dtype.str}|{shape}|".encode())
    if arr.size:
        h.update(memoryview(arr).cast("B"))
    return h.hexdigest()


def manifest_path(root: Path, rel: str, where: str, allow_outside: bool = False) -> Path:
    """``root / rel`` for a path a manifest lists, refused (naming ``where``) when it is absolute or
    leads out of the dataset folder, symlinks followed: a manifest handed over with a dataset must
    not make the tools read, or train on, files elsewhere on the machine. ``allow_outside``: the
    user trusts this dataset (``data.allow_outside_paths``)."""
    target = Path(rel) if Path(rel).is_absolute() else root / rel
    if allow_outside:
        return target
    if Path(rel).is_absolute():
        raise DataError(f"{where}: path {rel!r} is absolute; manifest paths are relative to the dataset folder "
                        "(set data.allow_outside_paths=true for a dataset you trust)")
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        raise DataError(f"{where}: path {rel!r} leaves the dataset folder (set data.allow_outside_paths=true for a "
                        "dataset you trust, such as medvlseg zeroshot's pseudo-labels)") from None
    return target


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read a 2-D image fully (a truncated file is an error, not a grey stripe).

    Returns ``(H, W)`` for grey images or ``(H, W, 3)`` for colour ones, in the file's own dtype
    (uint8, uint16, or float32 for float TIFFs). Alpha is dropped; palette images become RGB.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    suffix = path_suffix(path)
    if suffix not in IMAGE_SUFFIXES:
        raise DataError(f"{path}: unsupported image format {suffix!r}; expected one of {', '.join(IMAGE_SUFFIXES)}")
    if suffix in (".tif", ".tiff"):
        arr = _read_tiff(path)
    else:
        arr = _read_pil(path)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.ndim == 3 and arr.shape[2] == 2:  # grey + alpha
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise DataError(f"{path}: expected a 2-D grey or RGB image, got an array of shape {arr.shape}")
    if min(arr.shape[:2]) == 0:
        raise DataError(f"{path}: image has zero size {arr.shape}")
    return replace_non_finite(arr, path)


def replace_non_finite(arr: np.ndarray, source: str | os.PathLike) -> np.ndarray:
    """Float pixels or voxels that are NaN or infinite (software that masks a scan with NaN) read as
    the lowest finite value, i.e. background, with a warning naming ``source``; with no finite value
    at all the file is an error. Everything after the readers may then assume finite numbers."""
    if arr.dtype.kind != "f":
        return arr
    bad = ~np.isfinite(arr)
    n = int(bad.sum())
    if n == 0:
        return arr
    if n == arr.size:
        raise DataError(f"{source}: no finite value (every pixel or voxel is NaN or infinite)")
    fill = arr[~bad].min()
    warnings.warn(f"{source}: {n} NaN or infinite value(s) of {arr.size} read as the lowest finite value ({fill:g})", stacklevel=3)
    out = arr.copy()
    out[bad] = fill
    return out


def _read_pil(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # check_size decides
            with Image.open(path) as im:
                check_size(path, (im.height, im.width))
                im.load()  # forces a full decode: a truncated JPEG raises here
                mode = im.mode
                if mode == "P":
                    im = im.convert("RGBA" if "transparency" in im.info else "RGB")
                elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
                    im = im.convert("RGB")
                elif mode == "1":
                    im = im.convert("L")
                elif mode in ("I;16", "I;16B", "I;16L"):
                    return np.asarray(im, dtype=np.uint16).copy()
                arr = np.asarray(im)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise DataError(f"{path}: cannot read image ({exc})") from None
    if arr.dtype == np.int32:  # PIL mode "I": 16-bit PNGs sometimes open this way
        if arr.min() >= 0 and arr.max() <= 65535:
            arr = arr.astype(np.uint16)
    return np.ascontiguousarray(arr)


def _read_tiff(path: Path) -> np.ndarray:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            shape = tuple(tif.series[0].shape)  # what asarray() decodes: every page of the series
            if len(shape) == 3 and shape[0] in (3, 4) and shape[2] not in (3, 4):  # planar (C, H, W)
                shape = (*shape[1:], shape[0])
            check_size(path, shape)
            arr = tif.asarray()
    except MedvlsegError:
        raise
    except Exception as exc:  # tifffile raises many types for corrupt files
        raise DataError(f"{path}: cannot read TIFF ({exc})") from None
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[2] not in (3, 4):  # planar (C, H, W)
        arr = np.moveaxis(arr, 0, -1)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float32)
    elif arr.dtype.itemsize > 2 or arr.dtype.kind == "i":
        if arr.min() < 0 or arr.max() > 65535:
            raise DataError(f"{path}: integer TIFF with values outside 0..65535 is not supported")
        arr = arr.astype(np.uint16)
    return arr


def binarize_mask(
    mask: np.ndarray,
    *,
    label_map: Mapping[int, str] | None = None,
    target: str | None = None,
    source: str | os.PathLike = "mask",
) -> np.ndarray:
    """Turn a label image into a boolean target mask ``(H, W)``.

    Without ``label_map`` every non-zero pixel is target. With ``label_map`` (label value -> target
    name) and ``target``, only the label values mapped to ``target`` are target.
    """
    if mask.ndim == 3:
        if mask.shape[2] >= 3 and not (np.array_equal(mask[..., 0], mask[..., 1]) and np.array_equal(mask[..., 0], mask[..., 2])):
            if label_map:
                raise DataError(f"{source}: colour mask cannot be used with a label map; save labels as a single-channel image")
            return np.any(mask[..., :3] != 0, axis=-1)
        mask = mask[..., 0]
    if label_map is None:
        return mask != 0
    if target is None:
        raise DataError(f"{source}: a label map needs a target name to choose labels ({sorted(set(label_map.values()))})")
    values = [int(v) for v, name in label_map.items() if name == target]
    if not values:
        raise DataError(f"{source}: target {target!r} is not in the label map; known targets: {sorted(set(label_map.values()))}")
    return np.isin(mask, values)


def read_mask(
    path: str | os.PathLike,
    *,
    label_map: Mapping[int, str] | None = None,
    target: str | None = None,
) -> np.ndarray:
    """Read a 2-D mask file as a boolean array ``(H, W)`` (see :func:`binarize_mask`)."""
    return binarize_mask(read_image(path), label_map=label_map, target=target, source=path)


# ------------------------------------------------------------------------------------------ volumes


def display_plane(plane: np.ndarray) -> np.ndarray:
    """A plane of a RAS+ volume (the two axes left when one is taken, in RAS order) as it is shown:
    the second axis down the rows reversed and the first across the columns reversed. An axial
    plane ``(X, Y)`` comes out anterior at the top and the patient's right on the image's left (the
    radiological convention, how a standard axial DICOM image is stored); a coronal ``(X, Z)`` and a
    sagittal ``(Y, Z)`` plane come out head up. :func:`undisplay_plane` reverses it."""
    return np.ascontiguousarray(np.asarray(plane).T[::-1, ::-1])


def undisplay_plane(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image)[::-1, ::-1].T)


@dataclass
class Volume:
    """A 3-D image in RAS+ voxel order ``(X, Y, Z)``: axis 0 runs to the patient's right, 1 to the
    front, 2 up (the closest canonical orientation, nibabel's ``as_closest_canonical``), whatever
    order the file stores; ``spacing`` in mm along those axes. So axis 2 is always axial, and a
    slice (:meth:`slice`) is shown the way a radiologist reads it (:func:`display_plane`), the same
    whatever the file's storage order and the same as a 2-D image of that view.
    :meth:`stack` and :meth:`to_stored` put slices computed on it back into the file's voxel order,
    to be written with ``file_affine``."""

    data: np.ndarray  # (X, Y, Z), RAS+
    spacing: tuple[float, float, float]
    affine: np.ndarray  # (4, 4), of ``data``
    path: Path
    stored_affine: np.ndarray | None = None  # (4, 4), the file's; None: ``affine``
    to_stored_ornt: np.ndarray | None = None  # nibabel orientation from ``data`` back to the file's order
    modality: str | None = None  # DICOM's Modality ("CT", "MR", "DX"); None for NIfTI, which does not say

    def num_slices(self, axis: int) -> int:
        return int(self.data.shape[axis])

    def slice(self, index: int, axis: int) -> np.ndarray:
        """Slice ``index`` across RAS ``axis`` (2: axial, 1: coronal, 0: sagittal) as a 2-D image
        ``(H, W)`` in display orientation (:func:`display_plane`)."""
        return display_plane(np.take(self.data, index, axis=axis))

    def stack(self, slices: Sequence[np.ndarray], axis: int) -> np.ndarray:
        """Per-slice results (each shaped like :meth:`slice`'s output) as a volume laid out like
        ``data``; :meth:`to_stored` then gives the file's voxel order."""
        return np.stack([undisplay_plane(s) for s in slices], axis=axis)

    def slice_spacing(self, axis: int) -> tuple[float, float]:
        """mm per pixel ``(rows, cols)`` of :meth:`slice`'s images."""
        first, second = (s for i, s in enumerate(self.spacing) if i != axis)
        return float(second), float(first)  # display_plane puts the second axis down the rows

    def to_stored(self, arr: np.ndarray) -> np.ndarray:
        """``arr`` ``(X, Y, Z)`` laid out like ``data`` -> the file's voxel order (same shape as the file)."""
        if self.to_stored_ornt is None:
            return arr
        from nibabel.orientations import apply_orientation

        return np.ascontiguousarray(apply_orientation(arr, self.to_stored_ornt))

    @property
    def file_affine(self) -> np.ndarray:
        return self.affine if self.stored_affine is None else self.stored_affine


def orientation(affine: np.ndarray) -> np.ndarray | None:
    """nibabel's orientation of an affine's voxel axes (``io_orientation``), or None when the affine
    is degenerate (a zero or repeated column: no axis can be named)."""
    from nibabel.orientations import io_orientation

    ornt = io_orientation(np.asarray(affine, dtype=np.float64))
    return None if np.isnan(ornt).any() else ornt


def canonical(data: np.ndarray, affine: np.ndarray, spacing: tuple[float, float, float], *,
              like: np.ndarray | None = None):
    """``(data, affine, spacing, to_stored_ornt)`` reoriented to RAS+ (``to_stored_ornt`` None when
    the file is RAS+ already, or its affine names no orientation: kept as stored). ``like``: reorient
    by this affine's orientation instead of ``affine``'s (a mask laid on its image voxel for voxel)."""
    from nibabel.orientations import apply_orientation, axcodes2ornt, inv_ornt_aff, ornt_transform

    ornt = orientation(affine if like is None else like)
    ras = axcodes2ornt(("R", "A", "S"))
    if ornt is None or np.array_equal(ornt, ras):
        return data, affine, spacing, None
    out = np.ascontiguousarray(apply_orientation(data, ornt))
    return (out, affine @ inv_ornt_aff(ornt, data.shape), tuple(ras_order(spacing, ornt)),
            ornt_transform(ras, ornt))


def ras_order(values: Sequence, ornt: np.ndarray | None) -> list:
    """Per-axis values of a file (its shape, its spacing) in the order of the RAS+ volume
    :func:`canonical` makes of it (as stored when ``ornt`` is None)."""
    if ornt is None:
        return list(values)
    out = list(values)
    for axis, (target, _flip) in enumerate(ornt):
        out[int(target)] = values[axis]
    return out


def _header_shape(img: object) -> tuple[int, ...]:
    """The array shape a MONAI reader's image object will decode to, from headers only: a nibabel
    image's ``shape``; for DICOM, rows x columns x frames summed over the series' files."""
    if hasattr(img, "shape"):
        return tuple(int(d) for d in img.shape)
    datasets = img if isinstance(img, (list, tuple)) else [img]
    n = 0
    for ds in datasets:
        items = ds if isinstance(ds, (list, tuple)) else [ds]
        for d in items:
            n += int(getattr(d, "Rows", 0) or 0) * int(getattr(d, "Columns", 0) or 0) * int(getattr(d, "NumberOfFrames", 1) or 1)
    return (n,)


def read_volume(path: str | os.PathLike, *, like: Volume | None = None) -> Volume:
    """Read a NIfTI file, a DICOM file or a DICOM series folder with MONAI's readers, as a RAS+
    :class:`Volume`. ``like``: the image volume a mask belongs to; the mask is reoriented as the
    image is, so that the two stay aligned voxel for voxel whatever the mask file's affine says."""
    from monai.data import NibabelReader, PydicomReader

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    suffix = path_suffix(path)
    if suffix in NIFTI_SUFFIXES:
        reader = NibabelReader()
    elif path.is_dir() or suffix in DICOM_SUFFIXES or _looks_like_dicom(path):
        reader = PydicomReader()
    else:
        raise DataError(f"{path}: not a NIfTI file, DICOM file or DICOM series folder")
    try:
        img = reader.read(str(path))
        check_size(path, _header_shape(img), kind="volume")
        data, meta = reader.get_data(img)
    except MedvlsegError:
        raise
    except Exception as exc:  # nibabel/pydicom raise many types for corrupt input
        raise DataError(f"{path}: cannot read volume ({type(exc).__name__}: {exc})") from None
    data = np.asarray(data)
    if data.ndim == 2:
        data = data[..., None]
    if data.ndim == 4 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise DataError(f"{path}: expected a 3-D volume, got shape {data.shape}")
    data = replace_non_finite(data, path)
    affine = np.asarray(meta.get("affine", np.eye(4)), dtype=np.float64)
    spacing = tuple(float(s) for s in np.sqrt((affine[:3, :3] ** 2).sum(axis=0)))
    if "pixdim" in meta:
        pix = np.asarray(meta["pixdim"], dtype=np.float64).ravel()
        if pix.size >= 4 and np.all(pix[1:4] > 0):
            spacing = tuple(float(s) for s in pix[1:4])
    data_c, affine_c, spacing_c, back = canonical(data, affine, spacing,  # type: ignore[arg-type]
                                                  like=None if like is None else like.file_affine)
    return Volume(data=data_c, spacing=spacing_c, affine=affine_c, path=path, stored_affine=affine, to_stored_ornt=back,
                  modality=_dicom_modality(path) if isinstance(reader, PydicomReader) else None)


def _dicom_modality(path: Path) -> str | None:
    """The Modality tag of a DICOM file, or of a series folder's first file (MONAI's reader keeps
    only the geometry); None where it is missing or unreadable."""
    import pydicom

    files = [path] if path.is_file() else [f for f in sorted(path.iterdir()) if f.is_file() and _looks_like_dicom(f)][:1]
    for f in files:
        try:
            value = pydicom.dcmread(f, stop_before_pixels=True, specific_tags=["Modality"]).get("Modality")
        except Exception:  # (the pixels were read; a header read twice that fails says nothing more)
            return None
        return str(value).strip() or None if value else None
    return None
