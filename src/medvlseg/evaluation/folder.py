"""Scoring a folder of predicted masks against a dataset (``medvlseg metrics PRED_DIR --data PATH``).

Predictions are matched to samples by id: ``PRED_DIR/{id}.png`` (or ``.jpg``, ``.jpeg``,
``.bmp``, ``.tif``, ``.tiff``) or ``PRED_DIR/{id}.npy``; an id containing ``/`` (a pooled dataset,
``dataset/id``) is a file in a sub-folder. How a file becomes a prediction
(:func:`read_prediction`):

- ``bool`` array: a mask.
- float array (``.npy`` or float TIFF): a foreground probability map, which must lie in [0, 1];
  thresholded at ``threshold`` (``p >= threshold``) after resizing, and used for the ECE.
- integer array (8/16-bit images, integer ``.npy``) whose values are only ``{0, v}`` (or one
  value): a binary mask, foreground = non-zero. Any other uint8 / uint16 array is a probability
  map scaled by the dtype's maximum (255, 65535). Note the ambiguity this rule resolves one way: a
  probability PNG that happens to hold only two values, one of them 0, is read as a mask.
- RGB images must have three equal channels (a grey image saved as RGB).

Predictions of another size than the ground truth are resized to the ground truth's size
(:func:`~medvlseg.evaluation.metrics.resize_prediction`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..data import io
from ..data.dataset import SegmentationDataset
from ..errors import DataError
from .aggregate import SegmentationMetrics
from .metrics import EmptyPolicy
from .report import write_per_image_csv, write_report_md, write_summary_json

__all__ = ["PREDICTION_SUFFIXES", "find_predictions", "read_prediction", "score_prediction_folder"]

PREDICTION_SUFFIXES = io.IMAGE_SUFFIXES + (".npy",)
_SHOW = 5  # ids named in an error message


def read_prediction(path: str | os.PathLike) -> np.ndarray:
    """Read one prediction file as a bool mask ``(H, W)`` or a float64 probability map ``(H, W)``."""
    path = Path(path)
    suffix = io.path_suffix(path)
    if suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise DataError(f"{path}: cannot read .npy prediction ({exc})") from None
        arr = np.asarray(arr)
        # Model outputs often keep singleton batch/channel axes: (1, H, W), (1, 1, H, W), (H, W, 1).
        while arr.ndim > 2 and arr.shape[0] == 1:
            arr = arr[0]
        while arr.ndim > 2 and arr.shape[-1] == 1:
            arr = arr[..., 0]
    elif suffix in io.IMAGE_SUFFIXES:
        arr = io.read_image(path)
        if arr.ndim == 3:
            if not (np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 0], arr[..., 2])):
                raise DataError(f"{path}: colour prediction; save the mask or probability as a single-channel image")
            arr = arr[..., 0]
    else:
        raise DataError(f"{path}: unsupported prediction format {suffix!r}; expected one of {', '.join(PREDICTION_SUFFIXES)}")
    if arr.ndim != 2:
        raise DataError(f"{path}: a prediction must be a 2-D array (H, W), got shape {arr.shape}")
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise DataError(f"{path}: probability map contains NaN or inf")
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0 or hi > 1:
            raise DataError(f"{path}: probability map must lie in [0, 1], got values in [{lo:.4g}, {hi:.4g}] (apply a sigmoid first)")
        return arr.astype(np.float64)
    if arr.dtype.kind in "iu":
        values = np.unique(arr)
        if values[0] < 0:
            raise DataError(f"{path}: negative values in an integer prediction")
        if values.size == 1 or (values.size == 2 and values[0] == 0):
            return arr != 0
        if arr.dtype in (np.uint8, np.uint16):
            return arr.astype(np.float64) / float(np.iinfo(arr.dtype).max)
        raise DataError(
            f"{path}: integer prediction of dtype {arr.dtype} with {values.size} values; "
            "save a bool/{0, 1} mask, or float probabilities in [0, 1]"
        )
    raise DataError(f"{path}: unsupported prediction dtype {arr.dtype}")


def find_predictions(pred_dir: str | os.PathLike) -> dict[str, Path]:
    """Prediction files under ``pred_dir`` keyed by id (relative path without suffix, ``/``-separated).

    Hidden files and folders are skipped; two files for one id (``a.png`` and ``a.npy``) are an error.
    """
    root = Path(pred_dir)
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or io.path_suffix(name) not in PREDICTION_SUFFIXES:
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root)
            key = (rel.parent / io.path_stem(rel)).as_posix()
            if key in found:
                raise DataError(f"{root}: two prediction files for id {key!r}: {found[key].name} and {name}")
            found[key] = path
    return found


def score_prediction_folder(
    pred_dir: str | os.PathLike,
    dataset: SegmentationDataset | str | os.PathLike,
    *,
    out_dir: str | os.PathLike,
    split: str | None = None,
    empty_policy: EmptyPolicy = "exclude",
    threshold: float = 0.5,
    tolerance: float = 2.0,
    n_bins: int = 15,
    drop_train_copies: bool = True,
) -> dict:
    """Score every sample of ``dataset`` (one ``split``, or all) against its prediction in ``pred_dir``.

    Writes ``per_image.csv``, ``summary.json`` and ``report.md`` into ``out_dir`` and returns the
    summary, which also holds a ``source`` block (folders, split, unmatched prediction files) and a
    ``warnings`` list. A sample without a prediction is an error (:class:`DataError` with the count
    and the first ids); a prediction without a sample is only counted and warned about.

    ``drop_train_copies``: when the scored split is not ``train`` (nor every sample) and the dataset
    has a train split, leave out the samples that are the same image as a train image (identical
    decoded pixels, :meth:`~medvlseg.data.dataset.SegmentationDataset.without_copies_of`), as
    ``evaluate`` and training do; they need no prediction and are listed in the summary's
    ``source`` block as ``dropped_train_copies``.
    """
    pred_root = Path(pred_dir)
    if not pred_root.is_dir():
        raise DataError(f"{pred_root}: prediction folder not found")
    full = dataset if isinstance(dataset, SegmentationDataset) else SegmentationDataset.open(dataset)
    ds = full.split(split)
    dropped: list[str] = []
    if drop_train_copies and split not in (None, "all", "train") and any(s.split == "train" for s in full):
        ds, dropped = ds.without_copies_of(full.split("train"))
    if len(ds) == 0:
        raise DataError(f"{full.name}: split {split!r} has no samples")
    no_mask = [s.id for s in ds if s.mask is None]
    if no_mask:
        raise DataError(
            f"{full.name}: {len(no_mask)} sample(s) have no ground-truth mask and cannot be scored: {_first(no_mask)}"
        )
    files = find_predictions(pred_root)
    missing = [s.id for s in ds if s.id not in files]
    if missing:
        raise DataError(
            f"{pred_root}: no prediction for {len(missing)} of {len(ds)} sample(s) of {full.name} "
            f"(split {split or 'all'}): {_first(missing)}; expected files named {{id}}.png or {{id}}.npy "
            f"({', '.join(PREDICTION_SUFFIXES)})"
        )
    metrics = SegmentationMetrics(empty_policy=empty_policy, threshold=threshold, tolerance=tolerance, n_bins=n_bins)
    for sample in ds:
        path = files[sample.id]
        pred = read_prediction(path)
        gt = ds.load_mask(sample)
        try:
            metrics.update(sample.id, pred, gt, spacing=sample.spacing, dataset=sample.dataset)
        except ValueError as exc:
            raise DataError(f"{path}: {exc}") from None
    wanted = set(ds.ids()) | set(dropped)
    unmatched = sorted(k for k in files if k not in wanted)
    known = set(full.ids())
    unknown = [k for k in unmatched if k not in known]
    warnings = []
    if unmatched:
        warnings.append(
            f"{len(unmatched)} prediction file(s) match no sample of the scored split "
            f"({len(unknown)} match no sample of the dataset at all): {_first(unmatched)}"
        )
    if dropped:
        warnings.append(
            f"{len(dropped)} sample(s) of split {split} are the same image as a train image and were left out "
            f"(drop_train_copies=False, or --keep-train-copies, scores them): {_first(dropped)}"
        )
    source = {
        "pred_dir": str(pred_root),
        "data": str(full.root) if full.root is not None else full.name,
        "dataset": full.name,
        "split": split or "all",
        "n_prediction_files": len(files),
        "n_unmatched_predictions": len(unmatched),
        "n_unmatched_unknown_ids": len(unknown),
        "unmatched_examples": unmatched[:10],
        "dropped_train_copies": dropped,
    }
    summary = {**metrics.summary(), "source": source, "warnings": warnings}
    out = Path(out_dir)
    write_per_image_csv(out / "per_image.csv", metrics.per_image())
    write_summary_json(out / "summary.json", summary)
    write_report_md(out / "report.md", summary, title=f"Segmentation metrics: {full.name} ({split or 'all'})")
    return summary


def _first(ids: list[str]) -> str:
    more = f", … ({len(ids) - _SHOW} more)" if len(ids) > _SHOW else ""
    return ", ".join(ids[:_SHOW]) + more
