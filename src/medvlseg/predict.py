"""``medvlseg predict``: segment image files, folders of images and NIfTI / DICOM volumes with a
trained run or checkpoint, and write masks, overlays, probability / uncertainty maps and a
``results.json``.

:func:`segment_batch` is the batched form of :meth:`medvlseg.Segmenter.segment` (same preprocessing,
decision rule and uncertainty), shared with :mod:`medvlseg.evaluation.evaluate`: images are resized
to the model's input size and run through the model together, then each probability map is resized
back to its own image's size.

Outputs for an input ``name`` (every file written atomically):

- ``name_mask.png`` (0/255), ``name_overlay.png`` (image with the mask's contour and a tint),
  ``name_prob.npy`` (float32 probability at the original size);
- with ``uncertainty``: ``name_entropy.npy``, ``name_mi.npy`` and their heat maps
  ``name_entropy.png``, ``name_mi.png``;
- a volume gives ``name_mask.nii.gz`` (same affine as the input) and ``.npy`` maps of the whole
  volume ``(X, Y, Z)``; its PNGs show the slice with the largest predicted area.
"""

from __future__ import annotations

import io as _io
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .data import io
from .errors import ConfigError, DataError
from .segmenter import SegmentationResult, Segmenter, _as_array, model_probabilities
from .utils import atomic_write_bytes, atomic_write_json

__all__ = ["collect_inputs", "default_device", "heatmap_rgb", "overlay_rgb", "predict", "segment_batch"]


@torch.inference_mode()
def segment_batch(
    segmenter: Segmenter,
    images: Sequence[np.ndarray],
    prompts: Sequence[str],
    *,
    uncertainty: bool = False,
    samples: int = 30,
    stochastic: bool | None = None,
) -> list[SegmentationResult]:
    """:meth:`Segmenter.segment` for several images (each ``(H_i, W_i[, 3])``, any size) at once.

    The batch ``(B, 3, S, S)`` at the model's size goes through the model in one call; results are
    the same as image-by-image calls (up to floating-point batching effects, and the random draws of
    a stochastic model). ``stochastic=False`` keeps a stochastic model deterministic while still
    returning the entropy of its probability (default: Monte-Carlo whenever ``uncertainty`` and the
    model can sample).
    """
    if len(images) != len(prompts):
        raise ConfigError(f"need one prompt per image: {len(images)} image(s), {len(prompts)} prompt(s)")
    if not images:
        return []
    can_sample = hasattr(segmenter.model, "sample_probabilities")
    stochastic = uncertainty and can_sample if stochastic is None else (stochastic and uncertainty and can_sample)
    if stochastic and samples < 2:
        raise ConfigError(f"samples: need at least 2 stochastic passes, got {samples}")
    sizes = [np.asarray(a).shape[:2] for a in images]
    x = torch.cat([segmenter.preprocess(a) for a in images])  # (B, 3, S, S)
    model, device = segmenter.model, segmenter.device
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=segmenter.precision == "bf16"):
        # (S, B, 1, s, s) when stochastic, else (B, 1, s, s)
        probs, present = model_probabilities(model, x, list(prompts), stochastic=stochastic, samples=samples, tta=segmenter.tta,
                                             with_presence=True)  # present (B,)
    return [
        segmenter.result(probs[:, b] if stochastic else probs[b : b + 1], (h, w), prompts[b],
                         uncertainty=uncertainty, sampled=stochastic, present=float(present[b]))
        for b, (h, w) in enumerate(sizes)
    ]


def default_device() -> str:
    """``"cuda"`` when a GPU is visible, else ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


# ------------------------------------------------------------------------------------------ inputs


def collect_inputs(inputs: Sequence[str | os.PathLike]) -> list[tuple[Path, str]]:
    """``(path, kind)`` for every input: ``"image"`` or ``"volume"``; folders are searched
    recursively for images and NIfTI files (a DICOM series folder is one volume). Sorted, no
    duplicates. A missing or unsupported path is a :class:`DataError`."""
    found: list[tuple[Path, str]] = []
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise DataError(f"{path}: input not found")
        if path.is_file():
            if io.is_image_file(path):
                found.append((path, "image"))
            elif io.is_volume(path):
                found.append((path, "volume"))
            else:
                raise DataError(f"{path}: unsupported input; expected an image ({', '.join(io.IMAGE_SUFFIXES)}) or a NIfTI/DICOM volume")
            continue
        if io.is_volume(path):  # a DICOM series folder
            found.append((path, "volume"))
            continue
        before = len(found)
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)):
            if io.is_image_file(f):
                found.append((f, "image"))
            elif io.path_suffix(f) in io.NIFTI_SUFFIXES:
                found.append((f, "volume"))
        if len(found) == before:
            raise DataError(f"{path}: no images or NIfTI volumes in this folder")
    seen: set[Path] = set()
    unique = []
    for p, k in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((p, k))
    return unique


def _unique_names(paths: Sequence[Path]) -> list[str]:
    from .utils import unique_names

    return unique_names(io.path_stem(p) for p in paths)


# ----------------------------------------------------------------------------------------- writing


def _png_bytes(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = _io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = _io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _display_rgb(image: np.ndarray) -> np.ndarray:
    from .preprocess import image_to_unit_rgb

    return (image_to_unit_rgb(image) * 255).round().astype(np.uint8)


def overlay_rgb(image: np.ndarray, mask: np.ndarray, *, color=(255, 40, 40), alpha: float = 0.35) -> np.ndarray:
    """``(H, W, 3)`` uint8: the image with the mask tinted and its outline drawn (no matplotlib)."""
    from scipy import ndimage

    rgb = _display_rgb(image).astype(np.float32)
    m = np.asarray(mask, dtype=bool)
    col = np.array(color, dtype=np.float32)
    rgb[m] = (1 - alpha) * rgb[m] + alpha * col
    edge = m & ~ndimage.binary_erosion(m, border_value=0)
    rgb[edge] = col
    return rgb.round().clip(0, 255).astype(np.uint8)


def heatmap_rgb(values: np.ndarray, vmax: float | None = None, cmap: str = "magma") -> np.ndarray:
    """A float map ``(H, W)`` as an ``(H, W, 3)`` uint8 colour image (matplotlib colormap)."""
    from matplotlib import colormaps

    v = np.asarray(values, dtype=np.float64)
    hi = float(vmax) if vmax is not None else (float(v.max()) if v.size else 1.0)
    norm = np.clip(v / hi, 0, 1) if hi > 0 else np.zeros_like(v)
    return (colormaps[cmap](norm)[..., :3] * 255).round().astype(np.uint8)


def _write_maps(out: Path, name: str, display: np.ndarray, mask2d: np.ndarray, prob, entropy, mi, files: dict) -> None:
    atomic_write_bytes(out / f"{name}_overlay.png", _png_bytes(overlay_rgb(display, mask2d)))
    files["overlay"] = f"{name}_overlay.png"
    atomic_write_bytes(out / f"{name}_prob.npy", _npy_bytes(prob.astype(np.float32)))
    files["probability"] = f"{name}_prob.npy"
    if entropy is not None:
        atomic_write_bytes(out / f"{name}_entropy.npy", _npy_bytes(entropy.astype(np.float32)))
        atomic_write_bytes(out / f"{name}_mi.npy", _npy_bytes(mi.astype(np.float32)))
        files.update(entropy=f"{name}_entropy.npy", mutual_information=f"{name}_mi.npy")


def _write_heatmaps(out: Path, name: str, entropy2d: np.ndarray, mi2d: np.ndarray, files: dict) -> None:
    ln2 = float(np.log(2.0))
    atomic_write_bytes(out / f"{name}_entropy.png", _png_bytes(heatmap_rgb(entropy2d, vmax=ln2)))
    atomic_write_bytes(out / f"{name}_mi.png", _png_bytes(heatmap_rgb(mi2d, vmax=max(float(mi2d.max()), 1e-6))))
    files.update(entropy_png=f"{name}_entropy.png", mi_png=f"{name}_mi.png")


def _nifti_bytes(mask: np.ndarray, affine: np.ndarray, gz: bool) -> bytes:
    import gzip

    import nibabel as nib

    img = nib.Nifti1Image(mask.astype(np.uint8), affine)
    img.header.set_data_dtype(np.uint8)
    raw = img.to_bytes()
    return gzip.compress(raw, mtime=0) if gz else raw


# ------------------------------------------------------------------------------------------ predict


def predict(
    model_or_path: Any,
    inputs: Sequence[str | os.PathLike],
    prompt: str,
    *,
    out_dir: str | os.PathLike,
    uncertainty: bool = False,
    samples: int = 30,
    batch_size: int = 8,
    axis: int = 2,
    trust_pickle: bool = False,
    pickle_model: str | None = None,
    pickle_backbone: str | None = None,
    device: str | None = None,
    threshold: float | None = None,
    tta: str = "none",
) -> dict[str, Any]:
    """Segment ``prompt`` in every input and write the files listed in the module docstring.

    ``model_or_path``: a model, or anything :func:`~medvlseg.checkpoints.resolve_model` reads.
    Volumes are segmented slice by slice along ``axis``. Returns the ``results.json`` content.
    """
    from .checkpoints import model_and_info

    if not isinstance(prompt, str):
        raise ConfigError(f"prompt: expected text, got {type(prompt).__name__}")
    if batch_size < 1:
        raise ConfigError(f"batch_size: must be >= 1, got {batch_size}")
    if threshold is not None:
        from .decision import check_pixel_threshold

        check_pixel_threshold(threshold)
    t0 = time.perf_counter()
    items = collect_inputs(inputs)
    if not items:
        raise DataError("no inputs given")
    model, info = model_and_info(model_or_path, trust_pickle=trust_pickle, pickle_model=pickle_model, pickle_backbone=pickle_backbone)
    thr = info.threshold if threshold is None else threshold
    seg = Segmenter(model, threshold=thr, device=device or default_device(), tta=tta)  # presence: the record's
    t_load = time.perf_counter() - t0
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    t_inf = 0.0
    for (path, kind), name in zip(items, _unique_names([p for p, _ in items])):
        files: dict[str, str] = {}
        t1 = time.perf_counter()
        if kind == "image":
            arr = _as_array(path)
            r = segment_batch(seg, [arr], [prompt], uncertainty=uncertainty, samples=samples)[0]
            t_inf += time.perf_counter() - t1
            atomic_write_bytes(out / f"{name}_mask.png", _png_bytes(r.mask.astype(np.uint8) * 255))
            files["mask"] = f"{name}_mask.png"
            _write_maps(out, name, arr, r.mask, r.probability, r.entropy, r.mutual_information, files)
            if uncertainty:
                _write_heatmaps(out, name, r.entropy, r.mutual_information, files)
            entry = {"input": str(path), "kind": "image", "shape": list(arr.shape[:2]), "present": r.present,
                     "foreground_fraction": float(r.mask.mean())}
        else:
            vol = io.read_volume(path)
            if not 0 <= axis < 3:
                raise ConfigError(f"axis: must be 0, 1 or 2, got {axis}")
            n = vol.num_slices(axis)
            slices: list[SegmentationResult] = []
            for start in range(0, n, batch_size):
                idx = range(start, min(n, start + batch_size))
                slices += segment_batch(seg, [vol.slice(i, axis) for i in idx], [prompt] * len(idx), uncertainty=uncertainty, samples=samples)
            t_inf += time.perf_counter() - t1
            mask = np.stack([s.mask for s in slices], axis=axis)  # (X, Y, Z) as stored
            prob = np.stack([s.probability for s in slices], axis=axis)
            ent = np.stack([s.entropy for s in slices], axis=axis) if uncertainty else None
            mi = np.stack([s.mutual_information for s in slices], axis=axis) if uncertainty else None
            gz = io.path_suffix(path) != ".nii"
            mask_name = f"{name}_mask.nii.gz" if gz else f"{name}_mask.nii"
            atomic_write_bytes(out / mask_name, _nifti_bytes(mask, vol.affine, gz))
            files["mask"] = mask_name
            best = int(np.argmax([s.mask.sum() for s in slices]))  # the slice shown in the PNGs
            atomic_write_bytes(out / f"{name}_overlay.png", _png_bytes(overlay_rgb(vol.slice(best, axis), slices[best].mask)))
            files["overlay"] = f"{name}_overlay.png"
            atomic_write_bytes(out / f"{name}_prob.npy", _npy_bytes(prob.astype(np.float32)))
            files["probability"] = f"{name}_prob.npy"
            if uncertainty:
                atomic_write_bytes(out / f"{name}_entropy.npy", _npy_bytes(ent.astype(np.float32)))
                atomic_write_bytes(out / f"{name}_mi.npy", _npy_bytes(mi.astype(np.float32)))
                files.update(entropy=f"{name}_entropy.npy", mutual_information=f"{name}_mi.npy")
                _write_heatmaps(out, name, slices[best].entropy, slices[best].mutual_information, files)
            entry = {"input": str(path), "kind": "volume", "shape": list(vol.data.shape), "axis": axis,
                     "spacing": list(vol.spacing), "preview_slice": best,
                     "present": max(s.present for s in slices), "foreground_fraction": float(mask.mean())}
        results.append({**entry, "files": files})
    summary = {
        "model": info.to_dict(),
        "prompt": prompt,
        "threshold": seg.threshold,
        "presence_threshold": seg.presence_threshold_for(prompt),
        "uncertainty": uncertainty,
        "samples": samples if uncertainty and hasattr(model, "sample_probabilities") else None,
        "uncertainty_source": ("monte-carlo" if hasattr(model, "sample_probabilities") else "probability entropy (deterministic model)") if uncertainty else None,
        "tta": seg.tta,
        "device": str(seg.device),
        "timings": {"load_s": t_load, "inference_s": t_inf, "total_s": time.perf_counter() - t0},
        "results": results,
    }
    atomic_write_json(out / "results.json", summary)
    return summary
