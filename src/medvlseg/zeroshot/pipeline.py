"""Zero-shot segmentation from a sentence (MedCLIP-SAM, REFERENCE.md section 4), stage by stage.

For each image and the prompt:

0. **presence**: cos(image embedding, prompt embedding) (for an align run with ``pooling: lse``, the
   log-sum-exp of the patch cosines, the score it was trained and calibrated on) against the
   threshold the align run chose on its training images (image-level labels only,
   :func:`medvlseg.align.presence_calibration`). Below
   it the prompt names nothing in the image: "nothing matches", every stage's mask is empty. A
   nonsense prompt must end here instead of drawing the lesion (users of the reference code found a
   random string highlighting the same tumour).
1. **saliency**: gScoreCAM, M2IB or the patch cosines (:mod:`.saliency`; gScoreCAM and M2IB score
   masked images by the pooled cosine whatever the align run's pooling) at the backbone's input size, resized to the
   image; the stage's own mask is the map thresholded at 0.5 ("saliency alone" in the paper's
   ablation).
2. **postprocess**: Otsu, k-means (k = 2) or a fixed threshold (:mod:`.postprocess`);
3. **components**: the largest K connected components;
4. **sam**: SAM prompted by one box around what was kept, a box per component, or sampled points,
   thresholded at 0.5.

No ground-truth mask is read by any stage. When the dataset has masks they are used for one thing:
the Dice of every stage, written beside the outputs (``metrics.csv``, ``summary.json``).

Outputs (``--out``), every file written atomically: ``saliency/<id>.npy`` (float16, the raw map at
the backbone's input size), ``saliency/<id>.png`` (heat map at the image's size),
``masks/<stage>/<id>.png``, ``metrics.csv`` (one row per image: presence score and decision, Dice per
stage, seconds per stage), ``summary.json`` (settings, backbone, align run, SAM, means per stage) and
``report.md``. ``pseudo_labels(...)`` turns a run into a dataset to train on (weak supervision).
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError, DataError
from ..utils import atomic_write_bytes, atomic_write_csv, atomic_write_json, atomic_write_text

__all__ = ["STAGES", "ZeroShotConfig", "ZeroShotPipeline", "ZeroShotResult", "pseudo_labels", "zeroshot"]

STAGES = ("saliency", "postprocess", "components", "sam")


class ZeroShotConfig(BaseModel):
    """Every setting of a zero-shot run; saved in its ``summary.json``."""

    model_config = ConfigDict(extra="forbid")

    backbone: str = "lite"
    backbone_kwargs: dict[str, Any] = Field(default_factory=dict)
    align: str | None = None  # an align run: its projections and presence threshold (needed by lite)
    image_size: int | None = Field(None, ge=8)  # None: the backbone's
    saliency: Literal["gscorecam", "m2ib", "patch"] = "gscorecam"
    topk: int = Field(300, ge=1)  # gScoreCAM channels
    block: int | None = None  # image block the saliency reads (None: the method's default)
    binarize: Literal["otsu", "kmeans", "threshold"] = "otsu"
    threshold: float = Field(0.5, ge=0, le=1)  # for binarize: threshold
    components: int = Field(1, ge=0)  # keep the K largest (0: all)
    sam: str | None = "litemedsam"  # litemedsam, a Hugging Face SAM name or folder, or None
    sam_prompt: Literal["box", "boxes", "points"] = "box"
    points: int = Field(3, ge=1)  # positive points (and as many negative) for sam_prompt: points
    presence_threshold: float | None = None  # on the presence score; None: the align run's (CLIP-like backbones: none, always present)
    seed: int = 0


@dataclass
class ZeroShotResult:
    """One image: the presence score and decision, the saliency (S, S) and each stage's mask (H, W)."""

    similarity: float
    present: bool
    saliency: np.ndarray | None
    masks: dict[str, np.ndarray]
    sam_probability: np.ndarray | None
    seconds: dict[str, float] = field(default_factory=dict)


class ZeroShotPipeline:
    """The four stages on one image at a time (module docstring)."""

    def __init__(self, cfg: ZeroShotConfig, *, backbone=None, sam=None, device: str = "cpu") -> None:
        from ..backbones.base import build_backbone

        self.cfg = cfg
        self.align_record: dict[str, Any] | None = None
        if backbone is None:
            backbone = build_backbone(cfg.backbone, **cfg.backbone_kwargs)
            if cfg.align:
                from ..align import load_aligned_projections

                self.align_record = load_aligned_projections(backbone, cfg.align)
            else:
                try:
                    backbone.alignable()
                except ConfigError:
                    pass  # comes aligned (CLIP, BiomedCLIP)
                else:
                    raise ConfigError(f"zeroshot: backbone {cfg.backbone!r} has random projections until medvlseg align "
                                      "has trained them; pass --align RUN")
        self.backbone = backbone.to(device).eval()
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        aligned_at, self.lse_r = _align_settings(cfg.align) if cfg.align else (None, None)
        if cfg.image_size and aligned_at and cfg.image_size != aligned_at:
            raise ConfigError(f"zeroshot: image_size {cfg.image_size} differs from the {aligned_at} px the align run "
                              f"{cfg.align} was trained and calibrated at")
        self.size = cfg.image_size or aligned_at or self.backbone.image_size
        if cfg.saliency == "patch" and cfg.block is not None:
            raise ConfigError("zeroshot: saliency patch reads the last stage only; leave block unset")
        self.presence_threshold = cfg.presence_threshold
        if self.presence_threshold is None and cfg.align:
            from ..align import presence_threshold

            self.presence_threshold = presence_threshold(cfg.align)
        if sam is None and cfg.sam:
            from .sam import build_sam

            sam = build_sam(cfg.sam, device=device)
        self.sam = sam
        self._text: dict[str, torch.Tensor] = {}
        # import the post-processing libraries now, so that the first image's stage times are its own
        import monai.transforms  # noqa: F401
        import skimage.filters  # noqa: F401

    def text(self, prompt: str) -> torch.Tensor:
        from .saliency import text_embedding

        if prompt not in self._text:
            self._text[prompt] = text_embedding(self.backbone, prompt)
        return self._text[prompt]

    def __call__(self, image: np.ndarray, prompt: str) -> ZeroShotResult:
        from ..preprocess import resize_rgb
        from .postprocess import binarize, box_prompts, keep_largest, point_prompts
        from .saliency import saliency, similarity

        if not prompt or not prompt.strip():
            raise ConfigError("zeroshot: the prompt is empty; name the target to segment")
        cfg = self.cfg
        h, w = image.shape[:2]
        empty = np.zeros((h, w), dtype=bool)
        seconds: dict[str, float] = {}
        t0 = time.perf_counter()
        rgb = resize_rgb(image, self.size).to(self.backbone.device)  # (3, S, S) in [0, 1]
        t = self.text(prompt)
        sim = float(similarity(self.backbone, rgb, t[None], self.lse_r)[0])
        present = self.presence_threshold is None or sim >= self.presence_threshold
        seconds["presence"] = time.perf_counter() - t0
        if not present:
            return ZeroShotResult(sim, False, None, {s: empty for s in STAGES}, None, seconds)

        t0 = time.perf_counter()
        kwargs: dict[str, Any] = {} if cfg.block is None else {"block": cfg.block}
        if cfg.saliency == "gscorecam":
            kwargs["topk"] = cfg.topk
        elif cfg.saliency == "m2ib":
            kwargs["seed"] = cfg.seed
        sal = saliency(self.backbone, rgb, t, cfg.saliency, **kwargs).float()  # (S, S)
        full = F.interpolate(sal[None, None], size=(h, w), mode="bilinear", align_corners=False)[0, 0].cpu().numpy()
        masks = {"saliency": full >= 0.5}
        seconds["saliency"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        masks["postprocess"] = binarize(full, cfg.binarize, cfg.threshold, seed=cfg.seed)
        seconds["postprocess"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        masks["components"] = keep_largest(masks["postprocess"], cfg.components)
        seconds["components"] = time.perf_counter() - t0

        prob = None
        if self.sam is not None:
            t0 = time.perf_counter()
            kept = masks["components"]
            if kept.any():
                self.sam.set_image(image)
                if cfg.sam_prompt == "points":
                    pts, labels = point_prompts(kept, full, positive=cfg.points, negative=cfg.points, seed=cfg.seed)
                    prob = self.sam.predict(points=pts, labels=labels)
                else:
                    prob = self.sam.predict(boxes=box_prompts(kept, cfg.sam_prompt))
                masks["sam"] = prob >= 0.5
            else:
                masks["sam"] = empty
            seconds["sam"] = time.perf_counter() - t0
        return ZeroShotResult(sim, True, sal.cpu().numpy(), masks, prob, seconds)

    def describe(self) -> dict[str, Any]:
        return {
            "backbone": self.backbone.describe(), "align": self.align_record,
            "presence_threshold": self.presence_threshold, "image_size": self.size,
            "presence_score": f"lse(r={self.lse_r:g}) of the patch cosines" if self.lse_r else "cosine of the pooled embeddings",
            "sam": self.sam.describe() if self.sam is not None else None,
        }


def _align_settings(run: str | os.PathLike) -> tuple[int | None, float | None]:
    """The image size an align run was trained at, and its LSE sharpness if it pooled patches."""
    try:
        record = json.loads((Path(run) / "align.json").read_text(encoding="utf-8"))
        cfg = record["config"]
        size = record.get("image_size") or cfg.get("image_size")  # older runs: the config's only
        lse_r = cfg.get("lse_r") if cfg.get("pooling") == "lse" else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, None  # load_aligned_projections has already said what is wrong with the run
    return (int(size) if size else None), (float(lse_r) if lse_r else None)


# ------------------------------------------------------------------------------------ the command


def _file_names(ids: list[str]) -> list[str]:
    """One file name per id, distinct even when two ids differ only in characters a file name drops."""
    from ..utils import file_safe, unique_names

    return unique_names(file_safe(i) for i in ids)


OUTPUTS = ("saliency", "masks", "metrics.csv", "summary.json", "report.md")


def _clear(out: Path) -> None:
    """Remove a previous run's outputs (only the files this command writes), so that a rerun with
    other settings, or one that crashes, never mixes with or looks like an older complete run."""
    import shutil

    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def zeroshot(
    data: str | os.PathLike,
    prompt: str,
    out_dir: str | os.PathLike,
    cfg: ZeroShotConfig | None = None,
    *,
    split: str | None = "val",
    target: str | None = None,
    limit: int | None = None,
    pipeline: ZeroShotPipeline | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the pipeline over a dataset folder (any layout :class:`~medvlseg.data.SegmentationDataset`
    opens; ``split`` None: every image), a folder of images or one image file; write the outputs (module docstring) and
    return the summary. Masks, when the dataset has them, are only scored. ``target``: for a dataset
    with several targets per image (a label map, jsrt), whose masks to score against (default: the
    one named exactly by the prompt)."""
    from ..data import SegmentationDataset
    from ..data.io import read_image
    from ..evaluation.metrics import dice
    from ..predict import heatmap_rgb

    if pipeline is not None and cfg is not None and cfg != pipeline.cfg:
        raise ConfigError("zeroshot: give either cfg or a pipeline built from it, not two different settings")
    pipe = pipeline or ZeroShotPipeline(cfg or ZeroShotConfig())
    cfg = pipe.cfg
    data = Path(data)
    if not data.exists():
        raise DataError(f"{data}: not found")
    is_dataset = data.is_dir() and ((data / "manifest.csv").is_file() or (data / "images").is_dir())
    if not is_dataset:  # an image file, or a plain folder of images: nothing to score against
        from ..predict import collect_inputs

        found = collect_inputs([data])
        volumes = [str(p) for p, kind in found if kind != "image"]
        if volumes:
            raise DataError(f"{volumes[0]}: zeroshot reads 2-D images; give the slices as images")
        items = [(p.stem if len(found) == 1 else str(p.relative_to(data).with_suffix("")).replace(os.sep, "_"),
                  lambda p=p: (read_image(p), None), str(p.resolve())) for p, _ in found]
    else:
        ds = SegmentationDataset.open(data)
        if split:
            ds = ds.split(split)
        if not len(ds):
            raise DataError(f"{data}: no images in split {split!r}")
        names = ds.targets()
        if target:
            ds = ds.with_targets([target])
        elif len(names) > 1:
            named = [n for n in names if n.lower() == prompt.strip().lower()]
            if not named:
                raise ConfigError(f"{data}: holds several targets ({', '.join(names)}); say which one's masks to score "
                                  "against with --target")
            ds = ds.with_targets(named)
        target = ds[0].target
        volume = next((s for s in ds if s.slice_index is not None), None)
        if volume is not None:
            raise DataError(f"{volume.image}: zeroshot reads 2-D images; give the slices of a volume as images")

        def load(s):
            loaded = ds.load(s)
            return loaded.image, loaded.mask

        items = [(s.id, lambda s=s: load(s), str(Path(s.image).resolve())) for s in ds]
    if limit:
        items = items[:limit]
    from ..predict import _npy_bytes as _npy
    from ..predict import _png_bytes as _png

    out = Path(out_dir)
    _clear(out)
    rows: list[dict[str, Any]] = []
    stages = [s for s in STAGES if s != "sam" or pipe.sam is not None]
    for k, ((sid, get, source), name) in enumerate(zip(items, _file_names([i[0] for i in items]))):
        image, gt = get()
        try:
            r = pipe(image, prompt)
        except (ConfigError, DataError, ValueError, RuntimeError) as exc:
            raise type(exc)(f"{source}: {exc}") from exc
        row: dict[str, Any] = {"id": sid, "file": name, "image": source, "similarity": round(r.similarity, 6), "present": r.present,
                               "has_target": None if gt is None else bool(np.asarray(gt).any())}
        if r.saliency is not None:
            atomic_write_bytes(out / "saliency" / f"{name}.npy", _npy(r.saliency.astype(np.float16)))
            full = np.asarray(F.interpolate(torch.from_numpy(r.saliency)[None, None], size=image.shape[:2], mode="bilinear",
                                            align_corners=False)[0, 0])
            atomic_write_bytes(out / "saliency" / f"{name}.png", _png(heatmap_rgb(full, vmax=1.0, cmap="jet")))
        for stage in stages:
            atomic_write_bytes(out / "masks" / stage / f"{name}.png", _png(r.masks[stage].astype(np.uint8) * 255))
            if gt is not None:
                d = dice(r.masks[stage], np.asarray(gt, dtype=bool))
                row[f"dice_{stage}"] = None if math.isnan(d) else round(d, 6)
        for key, sec in r.seconds.items():
            row[f"seconds_{key}"] = round(sec, 4)
        rows.append(row)
        if progress is not None:
            progress(k + 1, len(items))
    summary = _summary(rows, stages, prompt, cfg, pipe, str(data), split)
    summary["target"] = target
    atomic_write_csv(out / "metrics.csv", rows)
    atomic_write_json(out / "summary.json", summary)
    atomic_write_text(out / "report.md", _report(summary))
    return summary


def _mean(values: list[float]) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def _summary(rows, stages, prompt, cfg, pipe, data, split) -> dict[str, Any]:
    from .. import __version__

    scored = [r for r in rows if r["has_target"] is not None]
    with_target = [r for r in scored if r["has_target"]]
    without = [r for r in scored if not r["has_target"]]
    return {
        "prompt": prompt, "data": data, "split": split, "n_images": len(rows),
        "ground_truth_used": "for scoring only: no stage reads a mask",
        "config": cfg.model_dump(mode="json"), "pipeline": pipe.describe(),
        "called_present": sum(r["present"] for r in rows),
        "dice": {s: _mean([r.get(f"dice_{s}") for r in with_target]) for s in stages} if with_target else None,
        "n_with_target": len(with_target),
        "target_free_called_absent": (sum(not r["present"] for r in without), len(without)) if without else None,
        "seconds_per_image": {k[8:]: _mean([r.get(k) for r in rows]) for k in sorted({k for r in rows for k in r if k.startswith("seconds_")})},
        "medvlseg_version": __version__, "torch": torch.__version__,
    }


def _report(s: dict[str, Any]) -> str:
    f = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
    rule = s["pipeline"]["presence_threshold"]
    lines = [f"# Zero-shot: \"{s['prompt']}\" on {s['data']} ({s['split'] or 'all'})", "",
             f"- images: {s['n_images']}; the prompt called present on {s['called_present']} "
             + (f"(cosine >= {rule:.4f})" if rule is not None else "(no presence rule: every prompt taken as present)"),
             "- no ground-truth mask was used by any stage; masks, where the dataset has them, are only scored",
             f"- saliency {s['config']['saliency']}, post-processing {s['config']['binarize']}, "
             f"{s['config']['components'] or 'all'} component(s), SAM {s['config']['sam'] or 'off'} ({s['config']['sam_prompt']})"]
    if s["target_free_called_absent"]:
        a, n = s["target_free_called_absent"]
        lines.append(f"- target-free images called absent: {a} of {n}")
    if s["dice"]:
        lines += ["", f"| stage | Dice (mean over {s['n_with_target']} images holding the target) |", "|---|---|"]
        lines += [f"| {k} | {f(v)} |" for k, v in s["dice"].items()]
    lines += ["", "| stage | seconds per image |", "|---|---|"]
    lines += [f"| {k} | {f(v)} |" for k, v in s["seconds_per_image"].items()]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ weak supervision


def pseudo_labels(run: str | os.PathLike, out: str | os.PathLike, *, stage: str | None = None, min_agreement: float = 0.0,
                  target: str | None = None) -> dict[str, Any]:
    """A dataset (``manifest.csv`` + ``masks/``) made of a zero-shot run's masks, for ``medvlseg train``
    (weak supervision). Images stay where they are (the manifest points at them by relative path).

    ``stage``: whose masks become labels (default: the run's last, SAM's when it ran). ``min_agreement``: keep only images whose ``stage`` mask
    agrees with the components mask (Dice) at least this much: the confident ones, judged without
    any ground truth. Images the prompt was called absent on keep an empty label. Every kept image
    gets ``split: train``; the dataset's own val is where the result is scored."""
    from PIL import Image

    from ..evaluation.metrics import dice

    run, out = Path(run), Path(out)
    path = run / "metrics.csv"
    if not path.is_file():
        raise DataError(f"{run}: not a zeroshot run (no metrics.csv)")
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    ran = [st for st in STAGES if st != "sam" or summary["config"].get("sam")]
    stage = stage or ran[-1]
    if stage not in ran or not (run / "masks" / stage).is_dir():
        raise ConfigError(f"pseudo labels: stage {stage!r} has no masks in {run}")
    from ..predict import _png_bytes as _png

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kept, dropped = [], 0
    for r in rows:
        name = r["file"]
        mask = np.asarray(Image.open(run / "masks" / stage / f"{name}.png")) > 0
        ref = np.asarray(Image.open(run / "masks" / "components" / f"{name}.png")) > 0
        if min_agreement > 0 and stage != "components" and (mask.any() or ref.any()):
            if dice(mask, ref) < min_agreement:
                dropped += 1
                continue
        atomic_write_bytes(out / "masks" / f"{name}.png", _png(mask.astype(np.uint8) * 255))
        kept.append({"id": r["id"], "image": os.path.relpath(r["image"], out), "mask": f"masks/{name}.png",
                     "split": "train", "target": target or summary["prompt"]})
    if not kept:
        raise DataError(f"pseudo labels: no image of {run} kept (min_agreement {min_agreement})")
    atomic_write_csv(out / "manifest.csv", kept)
    record = {"source": str(run.resolve()), "stage": stage, "min_agreement": min_agreement, "kept": len(kept),
              "dropped": dropped, "prompt": summary["prompt"], "ground_truth_used": False}
    atomic_write_json(out / "pseudo_labels.json", record)
    return record
