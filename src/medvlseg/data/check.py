"""``medvlseg data check``: find what is wrong with a dataset before a model ever sees it.

Each problem names the file and says what is wrong. Checked: manifest columns, duplicate ids,
paths that leave the dataset folder, missing files, unreadable or truncated images, image/mask size
mismatch (and against the manifest's width/height), unexpected mask values, checksums against the
manifest, unknown split names, and the same image (identical decoded pixels,
:func:`~medvlseg.data.io.pixel_sha256`) in two splits. Empty masks are counted, not reported as
errors.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from . import io
from .dataset import MANIFEST, SPLITS, SegmentationDataset, read_manifest

# The manifest stores foreground_fraction with 5 decimals.
FOREGROUND_FRACTION_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class CheckReport:
    root: Path
    n_samples: int = 0
    n_empty: int = 0
    per_split: dict[str, int] = field(default_factory=dict)
    empty_per_split: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, path: str | os.PathLike, message: str) -> None:
        self.problems.append(Problem(str(path), message))


@dataclass
class _FileResult:
    problems: list[Problem]
    pixel_hash: str | None = None
    empty: bool | None = None


def check_dataset(
    path: str | os.PathLike,
    *,
    label_map: Mapping[int, str] | None = None,
    workers: int | None = None,
) -> CheckReport:
    """Check a dataset folder (any layout :meth:`SegmentationDataset.open` accepts)."""
    root = Path(path)
    report = CheckReport(root=root)
    if not root.is_dir():
        report.add(root, "dataset folder not found" if not root.exists() else "not a folder")
        return report

    rows: list[dict[str, str]] | None = None
    if (root / MANIFEST).is_file():
        try:
            rows = read_manifest(root / MANIFEST)
        except DataError as exc:
            report.add(root / MANIFEST, str(exc).split(": ", 1)[-1])
            return report
        rows = _check_manifest_rows(root, rows, report)
        samples = [
            _RowSample(id=r["id"], image=root / r["image"], mask=(root / r["mask"]) if r.get("mask") else None, row=r)
            for r in rows
        ]
    else:
        try:
            ds = SegmentationDataset.open(root, label_map=label_map)
        except DataError as exc:
            report.add(root, str(exc).split(": ", 1)[-1] if str(exc).startswith(str(root)) else str(exc))
            return report
        _check_unpaired(root, report)
        if any(s.slice_index is not None for s in ds):
            return _check_volumes(ds, report)
        samples = [_RowSample(id=s.id, image=s.image, mask=s.mask, row={"split": s.split or ""}) for s in ds]

    with ThreadPoolExecutor(max_workers=workers or min(8, (os.cpu_count() or 2) * 2)) as pool:
        results = list(pool.map(lambda s: _check_pair(s, label_map), samples))

    by_hash: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, res in zip(samples, results):
        report.problems.extend(res.problems)
        split = s.row.get("split") or "none"
        report.n_samples += 1
        report.per_split[split] = report.per_split.get(split, 0) + 1
        if res.empty:
            report.n_empty += 1
            report.empty_per_split[split] = report.empty_per_split.get(split, 0) + 1
        if res.pixel_hash:
            by_hash[res.pixel_hash].append((split, str(s.image)))
    for members in by_hash.values():
        splits = sorted({sp for sp, _ in members})
        if len(splits) > 1:
            files = sorted(f for _, f in members)
            for f in files:
                others = ", ".join(o for o in files if o != f)
                report.add(f, f"the same image is in splits {', '.join(splits)} (identical pixels: {others})")
    return report


@dataclass
class _RowSample:
    id: str
    image: Path
    mask: Path | None
    row: Mapping[str, str]


def _check_manifest_rows(root: Path, rows: list[dict[str, str]], report: CheckReport) -> list[dict[str, str]]:
    """Row-level checks; returns the rows whose files are safe to open."""
    manifest = root / MANIFEST
    counts = Counter(r["id"] for r in rows)
    for dup in sorted(k for k, v in counts.items() if v > 1):
        report.add(manifest, f"duplicate id {dup!r} ({counts[dup]} rows)")
    keep = []
    for n, row in enumerate(rows, start=2):
        split = row.get("split", "")
        if split and split not in SPLITS:
            report.add(manifest, f"line {n}: unknown split {split!r} for id {row['id']!r}; expected one of {', '.join(SPLITS)}")
        safe = True
        for col in ("image", "mask"):
            rel = row.get(col) or ""
            if not rel:
                if col == "mask":
                    report.add(manifest, f"line {n}: no mask for id {row['id']!r}")
                continue
            try:  # the rule the dataset reader applies too
                target = io.manifest_path(root, rel, f"line {n}: {col}")
            except DataError as exc:
                report.add(manifest, str(exc))
                safe = False
                continue
            if not target.exists():
                report.add(target, f"file not found (listed in {MANIFEST} line {n})")
                safe = False
        if safe:
            keep.append(row)
    return keep


def _check_unpaired(root: Path, report: CheckReport) -> None:
    images = {io.path_stem(p) for p in (root / "images").iterdir() if not p.name.startswith(".")}
    if not (root / "masks").is_dir():
        report.add(root / "masks", "folder not found: every image needs a mask with the same stem")
        return
    for p in sorted((root / "masks").iterdir()):
        if not p.name.startswith(".") and io.path_stem(p) not in images:
            report.add(p, "mask has no image with the same stem")
    masks = {io.path_stem(p) for p in (root / "masks").iterdir()}
    for p in sorted((root / "images").iterdir()):
        if not p.name.startswith(".") and io.path_stem(p) not in masks and (io.is_image_file(p) or io.is_volume(p)):
            report.add(p, "image has no mask with the same stem")


def _check_pair(s: _RowSample, label_map: Mapping[int, str] | None) -> _FileResult:
    problems: list[Problem] = []
    res = _FileResult(problems)
    row = s.row
    image = _checked_read(s.image, row.get("image_sha256_16"), problems)
    if image is not None:
        res.pixel_hash = io.pixel_sha256(image)
        w, h = row.get("width"), row.get("height")
        if w and h and (str(image.shape[1]), str(image.shape[0])) != (w, h):
            problems.append(Problem(str(s.image), f"size {image.shape[1]}x{image.shape[0]} differs from the manifest's {w}x{h}"))
    if s.mask is None:
        return res
    mask = _checked_read(s.mask, row.get("mask_sha256_16"), problems)
    if mask is None:
        return res
    if image is not None and mask.shape[:2] != image.shape[:2]:
        problems.append(Problem(
            str(s.mask),
            f"mask size {mask.shape[1]}x{mask.shape[0]} differs from image size {image.shape[1]}x{image.shape[0]} ({s.image.name})",
        ))
    values = np.unique(mask)
    if label_map:
        bad = sorted(set(values.tolist()) - set(int(k) for k in label_map) - {0})
        if bad:
            problems.append(Problem(str(s.mask), f"mask values {bad[:10]} are not in the label map ({sorted(label_map)})"))
    elif mask.ndim == 3 and not all(np.array_equal(mask[..., 0], mask[..., c]) for c in range(1, mask.shape[2])):
        problems.append(Problem(str(s.mask), "colour mask: expected a single-channel mask (0 = background)"))
    elif values.size > 2:
        shown = ", ".join(str(v) for v in values[:6]) + (", …" if values.size > 6 else "")
        problems.append(Problem(
            str(s.mask),
            f"unexpected mask values ({values.size} distinct: {shown}); a binary mask has 0 and one other value"
            " (a lossy format or resizing with interpolation makes this; give a label map for multi-label masks)",
        ))
    fg = io.binarize_mask(mask, source=s.mask) if not label_map else np.isin(mask, [int(k) for k in label_map])
    res.empty = not fg.any()
    ff = row.get("foreground_fraction")
    if ff:
        try:
            expected = float(ff)
        except ValueError:
            problems.append(Problem(str(s.mask), f"foreground_fraction {ff!r} in the manifest is not a number"))
        else:
            if abs(fg.mean() - expected) > FOREGROUND_FRACTION_TOLERANCE:
                problems.append(Problem(str(s.mask), f"foreground fraction {fg.mean():.5f} differs from the manifest's {expected:.5f}"))
    return res


def _checked_read(path: Path, expected_sha: str | None, problems: list[Problem]) -> np.ndarray | None:
    if expected_sha:
        try:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read file ({exc.strerror})"))
            return None
        if not digest.startswith(expected_sha.lower()):
            problems.append(Problem(str(path), f"checksum mismatch: sha256 starts {digest[:len(expected_sha)]}, manifest says {expected_sha}"))
    try:
        return io.read_image(path)
    except DataError as exc:
        problems.append(Problem(str(path), str(exc).split(": ", 1)[-1]))
        return None


def _check_volumes(ds: SegmentationDataset, report: CheckReport) -> CheckReport:
    volumes: dict[Path, Path | None] = {}
    for s in ds:
        volumes.setdefault(s.image, s.mask)
        split = s.split or "none"
        report.per_split[split] = report.per_split.get(split, 0) + 1
    report.n_samples = len(ds)
    for image, mask in volumes.items():
        try:
            vol = io.read_volume(image)
        except DataError as exc:
            report.add(image, str(exc).split(": ", 1)[-1])
            continue
        if mask is None:
            continue
        try:
            mvol = io.read_volume(mask, like=vol)
        except DataError as exc:
            report.add(mask, str(exc).split(": ", 1)[-1])
            continue
        own, image_ornt = io.orientation(mvol.file_affine), io.orientation(vol.file_affine)
        if own is not None and image_ornt is not None and not np.array_equal(own, image_ornt):
            from nibabel.orientations import ornt2axcodes

            report.add(mask, f"mask affine is oriented {''.join(ornt2axcodes(own))}, its image {''.join(ornt2axcodes(image_ornt))} "
                             f"({image.name}); the mask is laid on the image voxel for voxel: check that this is right")
        if mvol.data.shape != vol.data.shape:
            report.add(mask, f"mask volume shape {mvol.data.shape} differs from image volume shape {vol.data.shape} ({image.name})")
            continue
        if not np.allclose(mvol.data, np.rint(mvol.data)):
            report.add(mask, "mask volume has non-integer values; expected labels (0 = background)")
        axis = next(s.axis for s in ds if s.image == image)
        fg = np.moveaxis(mvol.data != 0, axis, 0).reshape(vol.num_slices(axis), -1).any(axis=1)
        split = next(s.split for s in ds if s.image == image) or "none"
        n_empty = int((~fg).sum())
        report.n_empty += n_empty
        report.empty_per_split[split] = report.empty_per_split.get(split, 0) + n_empty
    return report


def dataset_info(path: str | os.PathLike, **open_kwargs) -> dict:
    """Counts per split, empty masks per split, image sizes and modes, targets and extra columns."""
    from PIL import Image

    ds = SegmentationDataset.open(path, **open_kwargs)
    splits: dict[str, dict[str, int]] = {}
    widths, heights, modes = [], [], Counter()
    for s in ds:
        entry = splits.setdefault(s.split or "none", {"images": 0, "empty_masks": 0})
        entry["images"] += 1
        if s.mask is not None and ds.is_empty(s):
            entry["empty_masks"] += 1
        if s.slice_index is not None:
            vol = ds._volume(s.image)
            shape = vol.slice(s.slice_index, s.axis or 0).shape
            h, w, mode = shape[0], shape[1], f"volume slice ({vol.data.dtype})"
        elif s.meta.get("width") and s.meta.get("height"):
            w, h, mode = int(s.meta["width"]), int(s.meta["height"]), None
        else:
            with Image.open(s.image) as im:
                (w, h), mode = im.size, im.mode
        widths.append(w)
        heights.append(h)
        if mode:
            modes[mode] += 1
    if not modes and len(ds):  # manifest gave sizes: look at one file for the mode
        with Image.open(ds[0].image) as im:
            modes[im.mode] = len(ds)
    extra = sorted({k for s in ds for k in s.meta} - {"width", "height", "foreground_fraction", "image_sha256_16", "mask_sha256_16"})
    return {
        "name": ds.name,
        "path": str(Path(path)),
        "samples": len(ds),
        "splits": splits,
        "empty_masks": sum(v["empty_masks"] for v in splits.values()),
        "targets": dict(Counter(s.target for s in ds)),
        "width": _stats(widths),
        "height": _stats(heights),
        "modes": dict(modes),
        "extra_columns": {k: dict(Counter(s.meta.get(k, "") for s in ds)) if k == "diagnosis" else "present" for k in extra},
    }


def _stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    a = np.asarray(values)
    return {"min": int(a.min()), "median": float(np.median(a)), "max": int(a.max())}
