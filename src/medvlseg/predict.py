"""``medvlseg predict``: segment image files, folders of images and NIfTI / DICOM volumes with a
trained run or checkpoint, and write masks, overlays, probability / uncertainty maps and a
``results.json``.

:func:`segment_batch` is the batched form of :meth:`medvlseg.Segmenter.segment` (same preprocessing,
decision rule and uncertainty), shared with :mod:`medvlseg.evaluation.evaluate`: images are resized
to the model's input size and run through the model together, then each probability map is resized
back to its own image's size.

Outputs for an input ``name`` (every file written atomically):

``name`` is the input's file stem (made distinct: ``a``, ``a_2``), with the prompt appended when
a run has several prompts (``a__left_lung``). Every input gets every ``--prompt``; a jobs file gives
each input its own prompts.

- ``name_mask.png`` (0/255), ``name_overlay.png`` (image with the mask's contour and a tint),
  ``name_prob.npy`` (float32 probability at the original size);
- with ``uncertainty``: ``name_entropy.npy``, ``name_mi.npy`` and their heat maps
  ``name_entropy.png``, ``name_mi.png``;
- a volume gives ``name_mask.nii.gz`` (the input's voxel order, shape and affine; the model sees
  its RAS+ axial slices, :class:`medvlseg.data.io.Volume`) and ``.npy`` maps of the whole volume;
  its PNGs show the slice with the largest predicted area;
- a DICOM series also gives ``name_seg.dcm``, a DICOM SEG referencing the source series with one
  segment per prompt (:mod:`medvlseg.data.dicom_seg`);
- ``results.json``: versions, the model's record, the prompts, per (input, prompt) the presence
  score and its threshold, the foreground share and the files; the inputs that could not be read.

The mask is written last, so with ``skip_existing`` a mask on disk means that (input, prompt) is
complete.
"""

from __future__ import annotations

import contextlib
import io as _io
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .data import io
from .errors import ConfigError, DataError, MedvlsegError
from .prompts.check import check_prompt
from .segmenter import SegmentationResult, Segmenter, _as_array
from .utils import atomic_write_bytes, atomic_write_json

__all__ = ["collect_inputs", "default_device", "resolve_device", "heatmap_rgb", "overlay_rgb", "predict", "read_jobs", "segment_batch",
           "segment_prompts"]


@torch.inference_mode()
def segment_batch(
    segmenter: Segmenter,
    images: Sequence[np.ndarray],
    prompts: Sequence[str],
    *,
    uncertainty: bool = False,
    samples: int = 30,
    stochastic: bool | None = None,
    texts: Sequence[str] | None = None,
) -> list[SegmentationResult]:
    """:meth:`Segmenter.segment` for several images (each ``(H_i, W_i[, 3])``, any size) at once.

    The batch ``(B, 3, S, S)`` at the model's size goes through the model in one call; results are
    the same as image-by-image calls (up to floating-point batching effects, and the random draws of
    a stochastic model). ``stochastic=False`` keeps a stochastic model deterministic while still
    returning the entropy of its probability (default: Monte-Carlo whenever ``uncertainty`` and the
    model can sample). ``texts``: what the model is given for each image (default: chosen per image,
    :meth:`Segmenter.choose`; a volume gives one text to all its slices).
    """
    if len(images) != len(prompts):
        raise ConfigError(f"need one prompt per image: {len(images)} image(s), {len(prompts)} prompt(s)")
    if texts is not None and len(texts) != len(images):
        raise ConfigError(f"texts: need one per image: {len(images)} image(s), {len(texts)} text(s)")
    for p in prompts:
        check_prompt(p)
    if not images:
        return []
    can_sample = hasattr(segmenter.model, "sample_probabilities")
    stochastic = uncertainty and can_sample if stochastic is None else (stochastic and uncertainty and can_sample)
    if stochastic and samples < 2:
        raise ConfigError(f"samples: need at least 2 stochastic passes, got {samples}")
    sizes = [np.asarray(a).shape[:2] for a in images]
    x = torch.cat([segmenter.preprocess(a) for a in images])  # (B, 3, S, S)
    for p in dict.fromkeys(prompts):
        segmenter.asks(p)  # a prompt resolved to the target it means, outside autocast
    with torch.autocast(segmenter.device.type, dtype=torch.bfloat16, enabled=segmenter.precision == "bf16"):
        # (S, B, 1, s, s) when stochastic, else (B, 1, s, s); present (B,); the text each image was given
        probs, present, texts = segmenter.run(x, prompts, stochastic=stochastic, samples=samples, texts=texts)
    return [
        segmenter.result(probs[:, b] if stochastic else probs[b : b + 1], (h, w), prompts[b],
                         uncertainty=uncertainty, sampled=stochastic, present=float(present[b]), model_prompt=texts[b])
        for b, (h, w) in enumerate(sizes)
    ]


def segment_prompts(segmenter: Segmenter, image: np.ndarray, prompts: Sequence[str], *, uncertainty: bool = False,
                    samples: int = 30) -> list[tuple[SegmentationResult, dict[str, Any]]]:
    """Every prompt on one image in one batched model call, each result with the row every report
    shows (``predict``'s results, the service, the app, the demo): ``prompt``, ``present`` (the
    presence score), ``presence_threshold``, ``refused`` and ``refused_because`` (the resolver's reason, where it
    gives one), ``called_present``, ``area_pixels``, ``area_fraction``."""
    results = segment_batch(segmenter, [image] * len(prompts), list(prompts), uncertainty=uncertainty, samples=samples)
    return [(r, {"prompt": p, "model_prompt": r.model_prompt, "present": round(float(r.present), 6),
                 "presence_threshold": segmenter.presence_threshold_for(p, r.model_prompt), "refused": segmenter.refuses(p),
                 "refused_because": segmenter.refusal_reason(p), "called_present": bool(r.mask.any()),
                 "area_pixels": int(r.mask.sum()), "area_fraction": round(float(r.mask.mean()), 6)})
            for p, r in zip(prompts, results)]


def default_device() -> str:
    """``"cuda"`` when a GPU is visible, else ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_device(device: str | None) -> str:
    """The device to run on: ``device`` checked before any work (a device torch knows, and present
    on this machine), or :func:`default_device` when None."""
    if device is None:
        return default_device()
    try:
        d = torch.device(device)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ConfigError(f"device: {device!r} is not a device ({exc}); use cpu, cuda or cuda:N") from None
    if d.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device: {device!r}, but no CUDA GPU is visible on this machine; use cpu")
        if d.index is not None and d.index >= torch.cuda.device_count():
            raise ConfigError(f"device: {device!r}, but this machine has {torch.cuda.device_count()} CUDA GPU(s)")
    elif d.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"device: {device!r}, but MPS is not available on this machine; use cpu")
    elif d.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"device: {device!r} is not supported; use cpu, cuda or cuda:N")
    return str(d)


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


@dataclass
class PredictItem:
    """One input and the prompts to segment in it."""

    path: Path
    kind: str  # "image" or "volume"
    prompts: list[str] = field(default_factory=list)


def read_jobs(path: str | os.PathLike) -> list[tuple[Path, list[str]]]:
    """A jobs file: JSON lines ``{"input": PATH, "prompts": [TEXT, ...]}`` (or ``"prompt": TEXT``);
    a relative ``input`` is read from the jobs file's folder. Blank lines and ``#`` lines are skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the jobs file ({exc.strerror or exc})") from None
    jobs = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{n}: not a JSON object ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("input"), str):
            raise DataError(f'{path}:{n}: expected {{"input": PATH, "prompts": [TEXT, ...]}}')
        prompts = row.get("prompts", [row["prompt"]] if "prompt" in row else None)
        if isinstance(prompts, str):
            prompts = [prompts]
        if not prompts or not all(isinstance(p, str) and p.strip() for p in prompts):
            raise DataError(f'{path}:{n}: "prompts" must be a non-empty list of texts')
        for p in prompts:
            try:
                check_prompt(p, where=f"{path}:{n}: prompt")
            except ConfigError as exc:
                raise DataError(str(exc)) from None
        target = Path(row["input"])
        jobs.append((target if target.is_absolute() else path.parent / target, list(prompts)))
    if not jobs:
        raise DataError(f"{path}: no jobs in the file")
    return jobs


def plan_items(inputs: Sequence[str | os.PathLike], prompts: Sequence[str], jobs: str | os.PathLike | None = None,
               errors: list[dict[str, str]] | None = None) -> list[PredictItem]:
    """Every input with its prompts: each of ``inputs`` with every one of ``prompts``, then each line
    of a ``jobs`` file with its own. An input named twice gets the union of its prompts, in order. A
    missing input given directly is an error (a typo on the command line); one named by a jobs file
    is appended to ``errors`` and left out, like an input that cannot be read."""
    merged: dict[Path, PredictItem] = {}

    def add(paths: Sequence[str | os.PathLike], texts: Sequence[str]) -> None:
        for path, kind in collect_inputs(paths):
            item = merged.setdefault(path.resolve(), PredictItem(path, kind))
            item.prompts += [t for t in texts if t not in item.prompts]

    if inputs:
        if not prompts:
            raise ConfigError("give at least one --prompt for the inputs (or put the prompts in a --jobs file)")
        add(inputs, prompts)
    for path, texts in read_jobs(jobs) if jobs is not None else []:
        try:
            add([path], texts)
        except DataError as exc:
            if errors is None:
                raise
            errors.append({"input": str(path), "error": f"{jobs}: {exc}"})
    if not merged and not errors:
        raise DataError("no inputs given")
    return list(merged.values())


def prompt_slugs(prompts: Sequence[str]) -> dict[str, str]:
    """The file-name part of each prompt: the prompt made file-safe (at most 40 characters), with
    a short hash of the prompt appended where two prompts would otherwise share one ("left lung"
    and "left_lung"), so that no output overwrites another. Depends only on the set of prompts."""
    import hashlib

    from .utils import file_safe

    base = {p: file_safe(p, 40) for p in prompts}
    counts: dict[str, int] = {}
    for b in base.values():
        counts[b] = counts.get(b, 0) + 1
    return {p: b if counts[b] == 1 else f"{b}_{hashlib.sha1(p.encode()).hexdigest()[:8]}" for p, b in base.items()}


def output_stem(name: str, slug: str | None) -> str:
    """The file stem of one (input, prompt): the input's name, and the prompt's slug when the run has
    several prompts (``case1__left_lung``)."""
    return name if slug is None else f"{name}__{slug}"


def _mask_file(stem: str, item: PredictItem) -> str:
    return _mask_name(stem, item.kind, item.path)


def _mask_name(stem: str, kind: str, path: Path) -> str:
    """The mask file of one (input, prompt): a PNG for an image, NIfTI (gzipped unless the input is
    a plain ``.nii``) for a volume."""
    if kind == "image":
        return f"{stem}_mask.png"
    return f"{stem}_mask.nii" if io.path_suffix(path) == ".nii" else f"{stem}_mask.nii.gz"


def predict(
    model_or_path: Any,
    inputs: Sequence[str | os.PathLike],
    prompt: str | Sequence[str] | None = None,
    *,
    out_dir: str | os.PathLike,
    jobs: str | os.PathLike | None = None,
    skip_existing: bool = False,
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
    progress: bool = False,
    console: Any = None,
) -> dict[str, Any]:
    """Segment every prompt in every input and write the files listed in the module docstring.

    ``model_or_path``: a model, or anything :func:`~medvlseg.checkpoints.resolve_model` reads.
    ``prompt``: one text or several (every input gets each); ``jobs``: a JSON-lines file of inputs
    with their own prompts (:func:`read_jobs`). Volumes are segmented slice by slice along ``axis``.
    ``skip_existing``: an (input, prompt) whose mask file is already in ``out_dir`` is not computed
    again (the mask is written last, so its presence means the outputs are complete); the model is
    not even loaded when nothing is left to do. An input that cannot be read is named in
    ``results.json``'s ``errors`` and skipped; the caller decides the exit status. Returns the
    ``results.json`` content.
    """
    from . import __version__
    from .checkpoints import model_and_info

    prompts = [prompt] if isinstance(prompt, str) else list(prompt or [])
    for p in prompts:
        check_prompt(p)
    if batch_size < 1:
        raise ConfigError(f"batch_size: must be >= 1, got {batch_size}")
    if not 0 <= axis < 3:
        raise ConfigError(f"axis: must be 0, 1 or 2, got {axis}")
    if threshold is not None:
        from .decision import check_pixel_threshold

        check_pixel_threshold(threshold)
    from .segmenter import TTA_TRANSFORMS
    from .utils import check_choice

    check_choice("tta", tta, TTA_TRANSFORMS)
    device = resolve_device(device)  # before anything is read or loaded
    t0 = time.perf_counter()
    errors: list[dict[str, str]] = []
    items = plan_items(inputs, prompts, jobs, errors)
    all_prompts = list(dict.fromkeys(p for it in items for p in it.prompts))
    slugs = prompt_slugs(all_prompts) if len(all_prompts) > 1 else dict.fromkeys(all_prompts)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    previous = _previous_results(out) if skip_existing else {}

    seg: Segmenter | None = None
    info = None
    t_load = 0.0

    def segmenter() -> Segmenter:
        nonlocal seg, info, t_load
        if seg is None:
            t = time.perf_counter()
            model, info = model_and_info(model_or_path, trust_pickle=trust_pickle, pickle_model=pickle_model,
                                         pickle_backbone=pickle_backbone)
            thr = info.threshold if threshold is None else threshold
            seg = Segmenter(model, threshold=thr, device=device, tta=tta)  # presence: the record's
            t_load = time.perf_counter() - t
        return seg

    results: list[dict[str, Any]] = []
    n_skipped = 0
    t_inf = 0.0
    complete = False

    def write_results() -> dict[str, Any]:
        import platform

        summary = {
            "complete": complete,  # False: the run stopped early; what is listed was written
            "versions": {"medvlseg": __version__, "torch": torch.__version__, "python": platform.python_version()},
            "model": info.to_dict() if info is not None else previous.get("model"),
            "prompts": all_prompts,
            "threshold": seg.threshold if seg is not None else None,
            # a prompt left to the image: the threshold of each target it may be given (each result says which)
            "presence_thresholds": {p: seg.presence_threshold_for(p) if len(seg.asks(p)) == 1 else
                                    {t: seg.presence_threshold_for(p, t) for t in seg.asks(p)} for p in all_prompts}
                                   if seg is not None else None,
            "uncertainty": uncertainty,
            "samples": samples if uncertainty and seg is not None and hasattr(seg.model, "sample_probabilities") else None,
            "uncertainty_source": None if not uncertainty or seg is None else (
                "monte-carlo" if hasattr(seg.model, "sample_probabilities") else "probability entropy (deterministic model)"),
            "tta": tta,
            "device": str(seg.device) if seg is not None else None,
            "n_inputs": len(items),
            "n_done": len(results) - n_skipped,
            "n_skipped": n_skipped,
            "timings": {"load_s": t_load, "inference_s": t_inf, "total_s": time.perf_counter() - t0},
            "results": results,
            "errors": errors,
        }
        atomic_write_json(out / "results.json", summary)
        return summary

    names = _unique_names([it.path for it in items])
    try:
        with _progress_bar(sum(len(it.prompts) for it in items), progress, console) as advance:
            for item, name in zip(items, names):
                is_dicom = item.kind == "volume" and io.path_suffix(item.path) not in io.NIFTI_SUFFIXES
                seg_done = not is_dicom or (out / f"{name}_seg.dcm").is_file()
                if skip_existing and not seg_done and all(  # stopped between the masks and the SEG
                        (out / _mask_file(output_stem(name, slugs[p]), item)).is_file() for p in item.prompts):
                    try:
                        _write_dicom_seg(item, name, slugs, out, info)  # from the masks on disk: no model needed
                        seg_done = True
                    except (MedvlsegError, ValueError, OSError) as exc:
                        errors.append(_input_error(item, exc))
                        advance(len(item.prompts))
                        continue
                todo, done_here = [], []
                for p in item.prompts:
                    stem = output_stem(name, slugs[p])
                    if skip_existing and seg_done and (out / _mask_file(stem, item)).is_file():
                        entry = previous.get((str(item.path), p)) or {
                            "input": str(item.path), "prompt": p, "kind": item.kind, "files": {"mask": _mask_file(stem, item)}}
                        results.append({**entry, "skipped": True})
                        n_skipped += 1
                        advance(1)
                    else:
                        todo.append((p, stem))
                if not todo:
                    continue
                try:
                    pixels = _as_array(item.path) if item.kind == "image" else io.read_volume(item.path)
                except (MedvlsegError, ValueError, OSError) as exc:
                    errors.append(_input_error(item, exc))
                    advance(len(todo))
                    continue
                s = segmenter()  # a model that cannot be loaded stops the run: no input is at fault
                try:
                    for p, stem in todo:
                        t1 = time.perf_counter()
                        if skip_existing and (out / _mask_file(stem, item)).is_file():
                            entry = previous.get((str(item.path), p)) or {"kind": item.kind, "files": {"mask": _mask_file(stem, item)}}
                        elif item.kind == "image":
                            entry = _predict_image(s, pixels, p, out, stem, uncertainty, samples)
                        else:
                            entry = _predict_volume(s, pixels, p, out, stem, uncertainty, samples, batch_size, axis)
                        t_inf += time.perf_counter() - t1
                        done_here.append({**entry, "input": str(item.path), "prompt": p})
                        advance(1)
                    if is_dicom:  # after every prompt's mask: the SEG holds them all
                        seg_file = _write_dicom_seg(item, name, slugs, out, info)
                        for r in done_here:
                            r["files"] = {**r["files"], "dicom_seg": seg_file}
                except (MedvlsegError, ValueError, OSError, RuntimeError) as exc:
                    # this input is named and skipped; the others go on (the exit status says it at the end)
                    errors.append(_input_error(item, exc))
                    advance(len(todo) - len(done_here))
                results.extend(done_here)
        complete = True
    finally:
        summary = write_results()  # also when stopped (Ctrl-C): what was done is listed, "complete": false
    return summary


def _input_error(item: PredictItem, exc: Exception) -> dict[str, str]:
    """The ``errors`` entry of an input that failed: our own errors name the file already."""
    text = str(exc) if isinstance(exc, MedvlsegError) else f"{item.path}: {type(exc).__name__}: {exc}"
    return {"input": str(item.path), "error": text}


def _write_dicom_seg(item: PredictItem, name: str, slugs: dict[str, str | None], out: Path, info: Any) -> str:
    """``name_seg.dcm``: every prompt's mask of a DICOM series input (read back from the NIfTI masks
    on disk, so prompts done by an earlier run are included) as one DICOM SEG, a segment per prompt."""
    import nibabel as nib

    from .data.dicom_seg import masks_on_instances, read_series, write_dicom_seg

    instances = read_series(item.path)
    masks = {}
    for p in item.prompts:
        nii = nib.load(out / _mask_file(output_stem(name, slugs[p]), item))
        masks[p] = masks_on_instances(instances, np.asarray(nii.dataobj) > 0, nii.affine)
    algorithm = f"medvlseg {info.model}" if info is not None else "medvlseg"
    write_dicom_seg(out / f"{name}_seg.dcm", instances, masks, algorithm=algorithm)
    return f"{name}_seg.dcm"


def _previous_results(out: Path) -> dict:
    """``(input, prompt) -> entry`` (and ``"model"``) of an earlier ``results.json`` in ``out``;
    empty when there is none or it cannot be read (the masks on disk decide what is done)."""
    try:
        old = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    prev: dict = {(r.get("input"), r.get("prompt")): r for r in old.get("results", []) if isinstance(r, dict)}
    prev["model"] = old.get("model")
    return prev


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool, console: Any):
    """``advance(n)`` for a rich progress bar with rate and ETA (a no-op when not ``enabled``)."""
    if not enabled:
        yield lambda n: None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.2f}/s" if task.speed else "-/s")

    columns = (TextColumn("predict"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("predict", total=total)
        yield lambda n: bar.advance(task, n)


def _predict_image(seg: Segmenter, arr: np.ndarray, prompt: str, out: Path, stem: str, uncertainty: bool,
                   samples: int) -> dict[str, Any]:
    r = segment_batch(seg, [arr], [prompt], uncertainty=uncertainty, samples=samples)[0]
    files: dict[str, str] = {}
    _write_maps(out, stem, arr, r.mask, r.probability, r.entropy, r.mutual_information, files)
    if uncertainty:
        _write_heatmaps(out, stem, r.entropy, r.mutual_information, files)
    files["mask"] = _mask_name(stem, "image", Path())
    atomic_write_bytes(out / files["mask"], _png_bytes(r.mask.astype(np.uint8) * 255))  # last: marks it done
    return {"kind": "image", "shape": list(arr.shape[:2]), "model_prompt": r.model_prompt, "present": r.present,
            "presence_threshold": seg.presence_threshold_for(prompt, r.model_prompt), "refused": seg.refuses(prompt),
            "refused_because": seg.refusal_reason(prompt), "called_present": bool(r.mask.any()),
            "foreground_fraction": float(r.mask.mean()), "files": files}


@torch.inference_mode()
def _volume_text(seg: Segmenter, vol: io.Volume, prompt: str, batch_size: int, axis: int) -> str:
    """What every slice of ``vol`` is given for ``prompt``: one text for the whole volume, so that its
    mask is of one target; for a prompt left to the image, the target the model finds best over all
    its slices (:meth:`Segmenter.presence_margins`)."""
    asks = seg.asks(prompt)
    if len(asks) == 1:
        return asks[0]
    best: dict[str, tuple[bool, float]] = {}
    n = vol.num_slices(axis)
    for start in range(0, n, batch_size):
        x = torch.cat([seg.preprocess(vol.slice(i, axis)) for i in range(start, min(n, start + batch_size))])
        for t, m in seg.presence_margins(x, prompt).items():
            best[t] = max(best.get(t, m), m)
    return max(asks, key=lambda t: best[t])


def _predict_volume(seg: Segmenter, vol: io.Volume, prompt: str, out: Path, stem: str, uncertainty: bool,
                    samples: int, batch_size: int, axis: int) -> dict[str, Any]:
    n = vol.num_slices(axis)
    text = _volume_text(seg, vol, prompt, batch_size, axis)
    slices: list[SegmentationResult] = []
    for start in range(0, n, batch_size):
        idx = range(start, min(n, start + batch_size))
        slices += segment_batch(seg, [vol.slice(i, axis) for i in idx], [prompt] * len(idx), uncertainty=uncertainty,
                                samples=samples, texts=[text] * len(idx))
    # the file's voxel order: the model saw the RAS+ volume's slices in display orientation (io.Volume)
    mask = vol.to_stored(vol.stack([s.mask for s in slices], axis))
    prob = vol.to_stored(vol.stack([s.probability for s in slices], axis))
    ent = vol.to_stored(vol.stack([s.entropy for s in slices], axis)) if uncertainty else None
    mi = vol.to_stored(vol.stack([s.mutual_information for s in slices], axis)) if uncertainty else None
    files: dict[str, str] = {}
    best = int(np.argmax([s.mask.sum() for s in slices]))  # the slice shown in the PNGs
    _write_maps(out, stem, vol.slice(best, axis), slices[best].mask, prob, ent, mi, files)
    if uncertainty:
        _write_heatmaps(out, stem, slices[best].entropy, slices[best].mutual_information, files)
    files["mask"] = _mask_name(stem, "volume", vol.path)
    gz = files["mask"].endswith(".gz")
    atomic_write_bytes(out / files["mask"], _nifti_bytes(mask, vol.file_affine, gz))  # last: marks it done
    present = max(s.present for s in slices)
    # shape: the file's; axis, spacing and preview_slice: of the RAS+ volume the model saw
    return {"kind": "volume", "shape": list(mask.shape), "model_prompt": text, "axis": axis, "spacing": list(vol.spacing),
            "preview_slice": best, "present": present, "presence_threshold": seg.presence_threshold_for(prompt, text),
            "refused": seg.refuses(prompt), "refused_because": seg.refusal_reason(prompt), "called_present": bool(mask.any()), "foreground_fraction": float(mask.mean()), "files": files}
