"""Datasets: the manifest layout of ``../shared/datasets``, plain ``images/`` + ``masks/`` folders,
and NIfTI / DICOM volumes read as 2-D slices.

A :class:`SegmentationDataset` is a list of :class:`Sample` records (paths and metadata, nothing
decoded) plus the means to load each one. It knows nothing about models or tensors; the training
engine wraps it.
"""

from __future__ import annotations

import csv
import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import DataError
from . import io
from .labels import find_label_map, target_slug
from .splits import annotation_subset, assign_splits

MANIFEST = "manifest.csv"
MANIFEST_REQUIRED = ("id", "image", "mask")
MANIFEST_STANDARD = (
    "id", "image", "mask", "split", "width", "height", "foreground_fraction",
    "image_sha256_16", "mask_sha256_16", "target",
)
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Sample:
    """One image/mask pair (or one slice of a volume pair).

    ``meta`` holds the manifest's other columns (for PH2, ``diagnosis``), always as strings.
    """

    id: str
    dataset: str
    image: Path
    mask: Path | None
    split: str | None = None
    target: str = "target"
    slice_index: int | None = None  # for volumes: index along ``axis``
    axis: int | None = None
    spacing: tuple[float, float] | None = None  # mm per pixel (rows, cols), when known
    meta: Mapping[str, str] = field(default_factory=dict)
    relpath: str | None = None  # ``image`` relative to the dataset root, "/"-separated, when known

    @property
    def group(self) -> str:
        """What must stay in one split: the image file (the volume for slices; the one radiograph
        shared by the five structure rows of a multi-target manifest such as jsrt's).

        Independent of where the dataset lives and of its name: the image's path relative to the
        dataset root (for a sample built without one: its id, or a volume's file name). Renaming,
        moving or copying a dataset folder therefore leaves its splits as they were.
        """
        if self.relpath:
            return self.relpath
        return self.id if self.slice_index is None else self.image.name


@dataclass
class LoadedSample:
    sample: Sample
    image: np.ndarray  # (H, W) or (H, W, 3), native dtype
    mask: np.ndarray | None  # (H, W) bool

    @property
    def id(self) -> str:
        return self.sample.id


class SegmentationDataset(Sequence[Sample]):
    """An ordered collection of samples and the means to load them.

    Build one with :meth:`open` (any supported layout), :meth:`from_volume`, or :meth:`pool`.
    """

    def __init__(
        self,
        samples: Sequence[Sample],
        *,
        name: str = "dataset",
        root: Path | None = None,
        label_map: Mapping[int, str] | None = None,
        source_label_maps: Mapping[str, Mapping[int, str] | None] | None = None,
    ) -> None:
        self.samples = list(samples)
        self.name = name
        self.root = root
        self.label_map = dict(label_map) if label_map else None
        # pooled datasets: each source dataset's own label map, by dataset name
        self.source_label_maps = dict(source_label_maps or {})
        self._index = {s.id: k for k, s in enumerate(self.samples)}
        if len(self._index) != len(self.samples):
            dup = sorted({s.id for s in self.samples if sum(t.id == s.id for t in self.samples) > 1})
            raise DataError(f"{name}: duplicate sample ids: {', '.join(dup[:5])}")
        self._volumes: OrderedDict[Path, io.Volume] = OrderedDict()
        # pixel hashes by (image path, slice index, axis); shared with subsets (see image_sha256)
        self._pixel_sha: dict[tuple[Path, int | None, int | None], str] = {}

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        *,
        name: str | None = None,
        target: str | None = None,
        label_map: Mapping[int, str] | None = None,
        axis: int = 2,
        split_fractions: Mapping[str, float] | None = None,
        seed: int = 0,
        allow_outside: bool = False,
    ) -> SegmentationDataset:
        """Open a dataset folder.

        A manifest path that leads out of the folder is refused unless ``allow_outside`` (a dataset
        you trust that points at images elsewhere, such as the pseudo-labels of ``medvlseg
        zeroshot``, which point at the original images).

        - ``manifest.csv`` present: the shared layout (paths, splits, checksums, metadata from it).
        - ``images/`` and ``masks/``: pairs matched by file stem. 2-D files give one sample each;
          volumes (NIfTI files, DICOM series folders) give one sample per slice along ``axis``.
          Splits are assigned deterministically (by volume for slices), see :func:`assign_splits`.
          Masks that are label maps (a ``labels.json`` or nnU-Net ``dataset.json`` at the root, or
          ``label_map=``) give one sample per (image, target), ids ``<stem>__<target>``, unless
          ``target`` names one; an image without a label gets an empty mask for it.
        """
        root = Path(path)
        if not root.exists():
            raise DataError(f"{root}: dataset folder not found")
        if not root.is_dir():
            raise DataError(f"{root}: not a folder (a dataset is a folder with manifest.csv, or images/ and masks/)")
        name = name or root.resolve().name
        if (root / MANIFEST).is_file():
            return cls._from_manifest(root, name=name, target=target, label_map=label_map, axis=axis,
                                      allow_outside=allow_outside)
        if (root / "images").is_dir():
            return cls._from_folders(
                root, name=name, target=target, label_map=label_map, axis=axis,
                split_fractions=split_fractions, seed=seed,
            )
        raise DataError(f"{root}: no {MANIFEST} and no images/ folder; see the README for the dataset layouts")

    @classmethod
    def _from_manifest(cls, root: Path, *, name: str, target: str | None, label_map, axis: int,
                       allow_outside: bool = False) -> SegmentationDataset:
        rows = read_manifest(root / MANIFEST)
        samples: list[Sample] = []
        where = root / MANIFEST
        for n, row in enumerate(rows, start=2):
            image = io.manifest_path(root, row["image"], f"{where}:{n}: image", allow_outside)
            mask = io.manifest_path(root, row["mask"], f"{where}:{n}: mask", allow_outside) if row.get("mask") else None
            meta = {k: v for k, v in row.items() if k not in ("id", "image", "mask", "split", "target")}
            tgt = target or row.get("target") or "target"
            split = row.get("split") or None
            rel = Path(row["image"]).as_posix()
            if io.is_volume(image) and not io.is_image_file(image):
                samples.extend(_volume_samples(row["id"], name, image, mask, split, tgt, axis, meta, rel))
            else:
                samples.append(Sample(
                    id=row["id"], dataset=name, image=image, mask=mask, split=split, target=tgt, meta=meta, relpath=rel,
                ))
        return cls(samples, name=name, root=root, label_map=label_map)

    @classmethod
    def _from_folders(
        cls, root: Path, *, name: str, target: str | None, label_map, axis: int,
        split_fractions: Mapping[str, float] | None, seed: int,
    ) -> SegmentationDataset:
        images = _entries_by_stem(root / "images")
        masks = _entries_by_stem(root / "masks") if (root / "masks").is_dir() else {}
        if not images:
            raise DataError(f"{root / 'images'}: no images found (supported: {', '.join(io.IMAGE_SUFFIXES + io.NIFTI_SUFFIXES)}, DICOM)")
        if label_map is None:
            label_map = find_label_map(root)  # labels.json / nnU-Net dataset.json beside images/
        # with a label map and no single target named: one sample per (image, target)
        targets = sorted(set(label_map.values())) if label_map and target is None else [target or "target"]
        samples: list[Sample] = []
        for stem, image in sorted(images.items()):
            mask = masks.get(stem)
            rel = image.relative_to(root).as_posix()
            for tgt in targets:
                sid = stem if len(targets) == 1 else f"{stem}__{target_slug(tgt)}"
                meta = {} if len(targets) == 1 else {"image_id": stem}
                if io.is_volume(image) and not io.is_image_file(image):
                    samples.extend(_volume_samples(sid, name, image, mask, None, tgt, axis, meta, rel))
                else:
                    samples.append(Sample(id=sid, dataset=name, image=image, mask=mask, target=tgt, relpath=rel, meta=meta))
        # groups hold neither the folder's name nor its location: a moved or renamed copy splits alike,
        # and the samples of one image (one per target) stay together
        split_of = assign_splits([s.id for s in samples], split_fractions, groups=[s.group for s in samples], seed=seed)
        samples = [replace(s, split=split_of[s.id]) for s in samples]
        return cls(samples, name=name, root=root, label_map=label_map)

    @classmethod
    def from_volume(
        cls,
        image: str | os.PathLike,
        mask: str | os.PathLike | None = None,
        *,
        name: str | None = None,
        target: str = "target",
        label_map: Mapping[int, str] | None = None,
        axis: int = 2,
        skip_empty_slices: bool = False,
    ) -> SegmentationDataset:
        """One NIfTI / DICOM volume (and its mask volume) as a dataset of 2-D slices."""
        image = Path(image)
        name = name or io.path_stem(image)
        samples = _volume_samples(name, name, image, Path(mask) if mask else None, None, target, axis, {}, image.name)
        ds = cls(samples, name=name, root=image.parent, label_map=label_map)
        if skip_empty_slices and mask is not None:
            ds = ds.subset([s.id for s in ds if ds.load_mask(s).any()])
        return ds

    @classmethod
    def pool(cls, datasets: Sequence[SegmentationDataset], *, name: str = "pool") -> SegmentationDataset:
        """Several datasets in one; each sample keeps its dataset name and target name.

        Ids are prefixed with the dataset name where two datasets share an id, and so are the
        image paths (their :attr:`Sample.group`) where two datasets share one, so that groups stay
        distinct. The datasets' memos of pixel hashes are merged and from then on shared
        with the pool.
        """
        seen: dict[str, int] = {}
        owners: dict[str, set[int]] = {}
        for k, ds in enumerate(datasets):
            for s in ds:
                seen[s.id] = seen.get(s.id, 0) + 1
                owners.setdefault(s.group, set()).add(k)

        def pooled_sample(s: Sample) -> Sample:
            changes = {}
            if seen[s.id] > 1:
                changes["id"] = f"{s.dataset}/{s.id}"
            if len(owners[s.group]) > 1:
                changes["relpath"] = f"{s.dataset}/{s.group}"
            return replace(s, **changes) if changes else s

        samples = [pooled_sample(s) for ds in datasets for s in ds]
        pooled = cls(samples, name=name, source_label_maps={ds.name: ds.label_map for ds in datasets})
        for ds in datasets:  # keyed by file and slice, so one memo serves every dataset
            pooled._pixel_sha.update(ds._pixel_sha)
            ds._pixel_sha = pooled._pixel_sha
        return pooled

    # ---- views ----------------------------------------------------------------------------------

    def subset(self, ids: Sequence[str], *, name: str | None = None) -> SegmentationDataset:
        missing = [i for i in ids if i not in self._index]
        if missing:
            raise DataError(f"{self.name}: unknown sample ids: {', '.join(missing[:5])}")
        wanted = set(ids)
        sub = SegmentationDataset(
            [s for s in self.samples if s.id in wanted], name=name or self.name, root=self.root,
            label_map=self.label_map, source_label_maps=self.source_label_maps,
        )
        sub._pixel_sha = self._pixel_sha  # same files: hash each one once
        return sub

    def split(self, split: str | None) -> SegmentationDataset:
        """Samples of one split (``None`` or ``"all"``: every sample)."""
        if split in (None, "all"):
            return self
        present = sorted({s.split for s in self.samples if s.split})
        if split not in present and split not in SPLITS:
            raise DataError(f"{self.name}: unknown split {split!r}; this dataset has: {', '.join(present) or 'none'}")
        return self.subset([s.id for s in self.samples if s.split == split])

    def annotation_fraction(self, fraction: float, *, seed: int = 0) -> SegmentationDataset:
        """Keep ``fraction`` of the samples, nested across fractions and stratified by empty mask."""
        if fraction >= 1:
            return self
        ids = [s.id for s in self.samples]
        empty = [self.is_empty(s) for s in self.samples]
        return self.subset(annotation_subset(ids, fraction, empty=empty, seed=seed))

    def without_copies_of(self, other: SegmentationDataset) -> tuple[SegmentationDataset, list[str]]:
        """Drop every sample that is the same image as one of ``other``'s: identical decoded pixels
        (:func:`~medvlseg.data.io.pixel_sha256`), whatever the file format or metadata, volume
        slices included. A val image that is also a train image would score the model on a picture
        it trained on (the shared fuseg copy has two). A sample whose image cannot be read is never
        a copy (loading it reports the error). Returns the filtered dataset and the dropped ids."""
        seen = set(other._hashes(strict=False).values())
        mine = self._hashes(strict=False)
        dropped = [s.id for s in self.samples if mine.get(s.id) in seen]
        if not dropped:
            return self, []
        gone = set(dropped)
        return self.subset([s.id for s in self.samples if s.id not in gone]), dropped

    # ---- loading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            if key not in self._index:
                raise KeyError(f"{self.name}: no sample with id {key!r}")
            return self.samples[self._index[key]]
        return self.samples[key]

    def __iter__(self) -> Iterator[Sample]:
        return iter(self.samples)

    def __repr__(self) -> str:
        splits = {k: sum(s.split == k for s in self.samples) for k in sorted({str(s.split) for s in self.samples})}
        return f"SegmentationDataset(name={self.name!r}, n={len(self)}, splits={splits})"

    def targets(self) -> list[str]:
        """The target names of the samples, sorted."""
        return sorted({s.target for s in self.samples})

    def with_targets(self, names: Sequence[str]) -> SegmentationDataset:
        """Only the samples of the targets ``names``; an unknown name is an error listing the known."""
        known = set(self.targets())
        unknown = [n for n in names if n not in known]
        if unknown:
            raise DataError(f"{self.name}: unknown target(s) {unknown}; this dataset has: {', '.join(sorted(known))}")
        wanted = set(names)
        return self.subset([s.id for s in self.samples if s.target in wanted])

    def ids(self) -> list[str]:
        return [s.id for s in self.samples]

    def load_image(self, sample: Sample | str) -> np.ndarray:
        sample = self[sample] if isinstance(sample, str) else sample
        if sample.slice_index is not None:
            return self._volume(sample.image).slice(sample.slice_index, sample.axis or 0)
        return io.read_image(sample.image)

    def load_mask(self, sample: Sample | str) -> np.ndarray:
        """Boolean mask ``(H, W)``; a sample without a mask file is an error."""
        sample = self[sample] if isinstance(sample, str) else sample
        if sample.mask is None:
            raise DataError(f"{sample.image}: no mask for sample {sample.id!r}")
        label_map = self.source_label_maps.get(sample.dataset, self.label_map)
        if sample.slice_index is not None:
            raw = self._volume(sample.mask, like=sample.image).slice(sample.slice_index, sample.axis or 0)
            return io.binarize_mask(np.rint(raw).astype(np.int64), label_map=label_map, target=sample.target, source=sample.mask)
        return io.read_mask(sample.mask, label_map=label_map, target=sample.target if label_map else None)

    def load(self, sample: Sample | str) -> LoadedSample:
        sample = self[sample] if isinstance(sample, str) else sample
        image = self.load_image(sample)
        mask = self.load_mask(sample) if sample.mask is not None else None
        if mask is not None and mask.shape != image.shape[:2]:
            raise DataError(f"{sample.mask}: mask size {mask.shape[1]}x{mask.shape[0]} differs from image size {image.shape[1]}x{image.shape[0]} ({sample.image})")
        return LoadedSample(sample=sample, image=image, mask=mask)

    def is_empty(self, sample: Sample) -> bool:
        """Whether the sample's mask is empty; uses the manifest's ``foreground_fraction`` when present."""
        ff = sample.meta.get("foreground_fraction")
        if ff not in (None, ""):
            try:
                return float(ff) == 0.0
            except ValueError:
                pass
        return not self.load_mask(sample).any()

    def image_sha256(self, sample: Sample | str) -> str:
        """Pixel hash of the sample's image (:func:`~medvlseg.data.io.pixel_sha256` of
        :meth:`load_image`; for a slice, of the slice): equal for two samples exactly when they are
        the same image. Each image is decoded at most once per dataset for this (the memo is keyed
        by file, slice and axis, and shared with :meth:`subset`, :meth:`split` and :meth:`pool`)."""
        sample = self[sample] if isinstance(sample, str) else sample
        key = (sample.image, sample.slice_index, sample.axis)
        sha = self._pixel_sha.get(key)
        if sha is None:
            sha = io.pixel_sha256(self.load_image(sample))
            self._pixel_sha[key] = sha
        return sha

    def image_hashes(self) -> dict[str, str]:
        """``{id: pixel hash}`` for every sample (see :meth:`image_sha256`); 2-D files are decoded in
        a few threads. An unreadable image raises its :class:`DataError`."""
        return self._hashes(strict=True)

    def _hashes(self, *, strict: bool) -> dict[str, str]:
        unreadable: set[tuple[Path, int | None, int | None]] = set()

        def one(s: Sample) -> str | None:
            key = (s.image, s.slice_index, s.axis)
            if key in unreadable:
                return None
            try:
                return self.image_sha256(s)
            except DataError:
                if strict:
                    raise
                unreadable.add(key)
                return None

        todo: dict[tuple[Path, int | None, int | None], Sample] = {}
        for s in self.samples:
            key = (s.image, s.slice_index, s.axis)
            if s.slice_index is None and key not in self._pixel_sha:
                todo.setdefault(key, s)
        if len(todo) > 8:  # 2-D files: decoding (Pillow, tifffile) releases the GIL
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
                list(pool.map(one, todo.values()))
        # the rest (slices) in sample order, so that each volume is read once (see _volume)
        return {s.id: h for s in self.samples if (h := one(s)) is not None}

    def _volume(self, path: Path, like: Path | None = None) -> io.Volume:
        """A decoded volume; ``like``: the image a mask volume belongs to (read in its orientation)."""
        # Slices of one volume are usually read in order: keep the last few volumes decoded.
        if path in self._volumes:
            self._volumes.move_to_end(path)
            return self._volumes[path]
        vol = io.read_volume(path, like=None if like is None else self._volume(like))
        self._volumes[path] = vol
        while len(self._volumes) > 4:
            self._volumes.popitem(last=False)
        return vol


# ------------------------------------------------------------------------------------------ helpers


def read_manifest(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = [dict(r) for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read manifest ({exc})") from None
    missing = [c for c in MANIFEST_REQUIRED if c not in header]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(MANIFEST_REQUIRED)}")
    for n, row in enumerate(rows, start=2):
        if None in row:
            raise DataError(f"{path}:{n}: more fields than the header has")
        if not row.get("id") or not row.get("image"):
            raise DataError(f"{path}:{n}: empty id or image field")
    return rows


def _entries_by_stem(folder: Path) -> dict[str, Path]:
    """Images (files or DICOM series folders) in ``folder`` keyed by stem; duplicate stems are an error."""
    out: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and (io.is_image_file(entry) or io.path_suffix(entry) in io.NIFTI_SUFFIXES + io.DICOM_SUFFIXES):
            stem = io.path_stem(entry)
        elif entry.is_dir() and io.is_volume(entry):
            stem = entry.name
        else:
            continue
        if stem in out:
            raise DataError(f"{folder}: two files share the stem {stem!r} ({out[stem].name}, {entry.name})")
        out[stem] = entry
    return out


def _volume_samples(
    vid: str, dataset: str, image: Path, mask: Path | None, split: str | None, target: str, axis: int, meta: dict,
    relpath: str | None = None,
) -> list[Sample]:
    if axis not in (0, 1, 2):
        raise DataError(f"axis must be 0, 1 or 2, got {axis}")
    vol = io.read_volume(image)
    if vol.modality and not meta.get("modality"):  # a DICOM series says what it is (medvlseg.data.modality)
        meta = {**meta, "modality": vol.modality}
    n = vol.num_slices(axis)
    width = len(str(n - 1))
    return [
        Sample(
            id=f"{vid}_s{k:0{width}d}", dataset=dataset, image=image, mask=mask, split=split, target=target,
            slice_index=k, axis=axis, spacing=vol.slice_spacing(axis), meta=meta, relpath=relpath,
        )
        for k in range(n)
    ]
