"""``medvlseg evaluate``: run a model on every image of a dataset split and score it.

Each image gets its prompt from :func:`medvlseg.prompts.generate_records` at the chosen level
(``p0`` ... ``p9``; optionally perturbed), goes through the model in batches
(:func:`medvlseg.predict.segment_batch`: resized to the model's input, probabilities resized back),
and is scored at its **original** resolution with the evaluation package (Dice, IoU, HD95, NSD;
empty ground truths reported separately), together with calibration: the ECE of the probability
map and the AUROC of the uncertainty for "pixel is wrong". The uncertainty is the predictive
entropy of Monte-Carlo samples for a stochastic model with ``uncertainty=True``, otherwise the
entropy of the model's probability (a deterministic model's only uncertainty).

Writes into ``out_dir``: ``per_image.csv``, ``summary.json`` (the metrics summary plus ``ece``,
``auroc``, ``model``, ``prompt_type``, ``perturbation``, ``timings``), ``report.md``,
``prompts.jsonl`` (the prompt each image was given and its presence score) and ``figures/``:
overlays of the 3 best and 3 worst images by Dice, their uncertainty maps when ``uncertainty``,
and the reliability diagram.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.dataset import SegmentationDataset
from ..errors import ConfigError, DataError
from ..utils import atomic_write_jsonl, atomic_write_text, file_safe
from .aggregate import SegmentationMetrics
from .calibration import CalibrationHistogram
from .report import markdown_table, write_per_image_csv, write_summary_json

__all__ = ["evaluate"]

N_EXAMPLES = 3  # best and worst cases drawn
LEAKY_PROMPTS = tuple(f"p{k}" for k in range(2, 10))  # computed from the ground-truth mask


@dataclass
class _Case:
    """An image kept for the figures (only the best / worst few are held in memory)."""

    id: str
    dice: float
    prompt: str
    image: np.ndarray
    gt: np.ndarray
    mask: np.ndarray
    entropy: np.ndarray | None
    mi: np.ndarray | None


def run_prompt_type(model_or_path: Any) -> str:
    """The prompt level a run directory was trained with, ``p1`` (the class name) otherwise."""
    import yaml

    if isinstance(model_or_path, (str, os.PathLike)):
        cfg = Path(model_or_path) / "config.yaml"
        if cfg.is_file():
            try:
                level = ((yaml.safe_load(cfg.read_text()) or {}).get("data") or {}).get("prompt_type")
            except yaml.YAMLError:
                level = None
            if isinstance(level, str) and level not in ("random", "named"):
                return level
    return "p1"  # and for runs trained on random / named levels: the name, what a user types


def evaluate(
    model_or_path: Any,
    data: SegmentationDataset | str | os.PathLike,
    *,
    out_dir: str | os.PathLike,
    split: str | None = "val",
    prompt_type: str | None = None,
    perturb: str | None = None,
    uncertainty: bool = False,
    samples: int = 30,
    batch_size: int = 8,
    limit: int | None = None,
    seed: int = 0,
    threshold: float | None = None,
    presence_threshold: float | None = None,
    tolerance: float = 2.0,
    empty_policy: str = "exclude",
    device: str | None = None,
    precision: str = "fp32",
    tta: str = "none",
    trust_pickle: bool = False,
    pickle_model: str | None = None,
    pickle_backbone: str | None = None,
    figures: bool = True,
    targets: str | os.PathLike | None = None,
    drop_train_copies: bool = True,
    resolve_prompts: bool = True,
) -> dict[str, Any]:
    """Evaluate a model (a :class:`~medvlseg.models.base.SegmentationModel`, or a run directory /
    checkpoint that :func:`~medvlseg.checkpoints.resolve_model` reads) on one split of ``data``.

    ``prompt_type``: the prompt level (``"random"`` draws one per image, seeded by ``seed``); default:
    the level a run was trained with (``data.prompt_type`` of its ``config.yaml``; ``p1``, the class
    name, for a run trained on random levels or for anything that is not a run directory);
    ``perturb``: ``random-word``, ``opposite``, ``drop`` or ``empty`` applied to that level;
    ``limit``: only the first N images of the split (quick checks). ``threshold`` overrides the
    run's, ``presence_threshold`` the run's calibrated presence threshold (0: never predict
    "nothing here"). ``tta``: test-time augmentation (``"flip"``, ``"dihedral"``; see
    :class:`~medvlseg.Segmenter`). ``drop_train_copies``: leave out images identical (decoded pixels) to a train image (as training
    does; listed in the summary as ``dropped_train_copies``). Images the run was trained on (its
    metadata's pixel hashes, so also after the data was copied, renamed or re-split) are scored but
    named in ``in_training_data`` and in a warning. Returns the summary written to ``summary.json``.
    """
    from ..checkpoints import model_and_info
    from ..predict import resolve_device, segment_batch
    from ..prompts import PERTURBATIONS, choose_prompt, generate_records
    from ..prompts.templates import check_prompt_type
    from ..data.io import pixel_sha256
    from ..decision import check_pixel_threshold, check_presence_threshold
    from ..segmenter import TTA_TRANSFORMS, Segmenter
    from ..utils import check_choice

    t_start = time.perf_counter()
    if prompt_type is None:
        prompt_type = run_prompt_type(model_or_path)
    check_prompt_type(prompt_type)
    if perturb is not None:
        check_choice("perturb", perturb, PERTURBATIONS)
    if batch_size < 1:
        raise ConfigError(f"batch_size: must be >= 1, got {batch_size}")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit: must be >= 1, got {limit}")
    if uncertainty and samples < 2:
        raise ConfigError(f"samples: need at least 2 stochastic passes, got {samples}")
    check_choice("tta", tta, TTA_TRANSFORMS)
    if threshold is not None:
        check_pixel_threshold(threshold)
    if presence_threshold is not None:
        check_presence_threshold(presence_threshold)
    device = resolve_device(device)

    # ---- model
    model, info = model_and_info(model_or_path, trust_pickle=trust_pickle, pickle_model=pickle_model, pickle_backbone=pickle_backbone)
    thr = info.threshold if threshold is None else float(threshold)
    # presence: the given value for every prompt, else the record's (per target where calibrated)
    # a perturbation study measures the model's own reading of the text: prompts go to it as they are
    resolve_prompts = resolve_prompts and perturb is None
    seg = Segmenter(model, threshold=thr, presence_threshold=presence_threshold, device=device,
                    precision=precision, tta=tta, resolve_prompts=resolve_prompts)
    stochastic = uncertainty and hasattr(model, "sample_probabilities")
    t_model = time.perf_counter() - t_start

    # ---- data and prompts
    full = data if isinstance(data, SegmentationDataset) else SegmentationDataset.open(data)
    ds = full.split(split)
    dropped: list[str] = []
    if drop_train_copies and split not in (None, "all", "train") and any(smp.split == "train" for smp in full):
        ds, dropped = ds.without_copies_of(full.split("train"))
    if limit is not None:
        ds = ds.subset(ds.ids()[:limit])
    if len(ds) == 0:
        raise DataError(f"{full.name}: split {split!r} has no samples")
    no_mask = [s.id for s in ds if s.mask is None]
    if no_mask:
        raise DataError(f"{full.name}: {len(no_mask)} sample(s) without a ground-truth mask cannot be scored: {', '.join(no_mask[:5])}")
    t0 = time.perf_counter()
    records = {r["id"]: r for r in generate_records(ds, seed=seed, perturb=perturb, perturb_type=prompt_type, targets=targets)}
    prompts: dict[str, str] = {}
    for sample in ds:
        rec = records[sample.id]
        rng = random.Random(f"{seed}:{sample.id}")
        if perturb is not None:
            value = rec["perturbation"]["prompt"]
            prompts[sample.id] = value if isinstance(value, str) else (value[rng.randrange(len(value))] if value else "")
        else:
            prompts[sample.id] = choose_prompt(rec, prompt_type, rng)
    t_prompts = time.perf_counter() - t0

    # ---- inference and scoring
    metrics = SegmentationMetrics(
        empty_policy=empty_policy, threshold=thr, tolerance=tolerance, uncertainty_range=(0.0, math.log(2.0) * (1 + 1e-6)),  # float32 entropy can round just above ln 2
    )
    calib = CalibrationHistogram(metrics.n_bins)
    best: list[_Case] = []
    worst: list[_Case] = []
    prompt_rows = []
    t_infer = t_score = 0.0
    samples_list = list(ds)
    # the run knows the pixel hashes of its training images: scoring one of them is not validation,
    # whatever the folder, split or file name it has here
    trained_on = set(info.metadata.get("train_image_sha256") or [])
    seen_in_training: list[str] = []
    for start in range(0, len(samples_list), batch_size):
        chunk = samples_list[start : start + batch_size]
        loaded = [ds.load(s) for s in chunk]
        texts = [prompts[s.id] for s in chunk]
        t0 = time.perf_counter()
        # uncertainty is always computed (the AUROC needs it); Monte-Carlo only when asked for
        results = segment_batch(seg, [item.image for item in loaded], texts, uncertainty=True, samples=samples, stochastic=stochastic)
        t_infer += time.perf_counter() - t0
        t0 = time.perf_counter()
        for sample, item, r in zip(chunk, loaded, results):
            gt = item.mask
            if trained_on and pixel_sha256(item.image) in trained_on:
                seen_in_training.append(sample.id)
            try:
                row = metrics.update(
                    sample.id, r.mask, gt, spacing=sample.spacing, probability=r.probability.astype(np.float64),
                    uncertainty=r.entropy, dataset=sample.dataset if _pooled(full) else None,
                )
            except ValueError as exc:
                raise DataError(f"{sample.mask}: {exc}") from None
            calib.update(np.clip(r.probability.astype(np.float64), 0, 1), gt)
            prompt_rows.append({"id": sample.id, "prompt": r.prompt, "present": r.present, "dice": row.dice})
            if figures and row.scored and math.isfinite(row.dice):
                case = _Case(sample.id, row.dice, r.prompt, item.image, gt, r.mask,
                             r.entropy if uncertainty else None, r.mutual_information if uncertainty else None)
                best = sorted(best + [case], key=lambda c: -c.dice)[:N_EXAMPLES]
                worst = sorted(worst + [case], key=lambda c: c.dice)[:N_EXAMPLES]
        t_score += time.perf_counter() - t0

    # ---- outputs
    out = Path(out_dir)
    fig_files: dict[str, list[str]] = {"best": [], "worst": [], "uncertainty": [], "reliability": []}
    t0 = time.perf_counter()
    if figures:
        from .figures import save_overlay, save_reliability_diagram, save_uncertainty_maps

        figdir = out / "figures"
        for label, cases in (("best", best), ("worst", worst)):
            for k, c in enumerate(cases, 1):
                name = f"{label}{k}_{file_safe(c.id, 60)}"
                title = f"{c.id}  Dice {c.dice:.3f}  prompt: {c.prompt!r}"[:120]
                save_overlay(figdir / f"{name}_overlay.png", c.image, c.gt, c.mask, title=title)
                fig_files[label].append(f"figures/{name}_overlay.png")
                if c.entropy is not None:
                    save_uncertainty_maps(figdir / f"{name}_uncertainty.png", c.image, c.entropy, c.mi, title=title)
                    fig_files["uncertainty"].append(f"figures/{name}_uncertainty.png")
        save_reliability_diagram(figdir / "reliability.png", calib, title=f"{full.name} ({split or 'all'})")
        fig_files["reliability"].append("figures/reliability.png")
    t_figures = time.perf_counter() - t0

    summary = metrics.summary()
    targets = sorted({s.target for s in samples_list})
    if len(targets) > 1:  # several structures per image (jsrt, label maps): each target on its own
        from .aggregate import summarise

        target_of = {s.id: s.target for s in samples_list}
        rows = metrics.per_image()
        summary["per_target"] = {
            t: summarise([r for r in rows if target_of[r.id] == t], **metrics.settings()) for t in targets
        }
    cal = summary["calibration"]
    n = len(samples_list)
    summary.update({
        "ece": cal["ece"],
        "ece_definition": "pooled over every pixel of every image (see calibration.ece_definition)",
        "auroc": cal["unc_auroc_pooled"],
        "auroc_definition": (
            "AUROC of the per-pixel uncertainty for 'pixel is wrong', pooled over all pixels; uncertainty = "
            + ("predictive entropy of Monte-Carlo samples" if stochastic else "entropy of the model's probability")
        ),
        "model": _json_safe(info.to_dict()),
        "data": str(full.root) if full.root is not None else full.name,
        "dataset": full.name,
        "split": split or "all",
        "limit": limit,
        "prompt_type": prompt_type,
        "dropped_train_copies": dropped,
        "in_training_data": seen_in_training,
        "warnings": _warnings(info, seen_in_training, n),
        "perturbation": perturb,
        "prompt_from_ground_truth": prompt_type in LEAKY_PROMPTS or prompt_type in ("random", "named"),
        "seed": seed,
        "uncertainty": uncertainty,
        "uncertainty_source": "monte-carlo" if stochastic else "probability entropy",
        "samples": samples if stochastic else None,
        "presence_threshold": seg.presence_threshold,
        "presence_thresholds": {} if presence_threshold is not None else dict(info.presence_thresholds),
        "presence_rule": seg.presence_rule,
        "device": str(seg.device),
        "precision": precision,
        "tta": tta, "resolve_prompts": resolve_prompts,
        "batch_size": batch_size,
        "timings": {
            "model_load_s": t_model, "prompts_s": t_prompts, "inference_s": t_infer, "scoring_s": t_score,
            "figures_s": t_figures, "total_s": time.perf_counter() - t_start,
            "inference_ms_per_image": 1000.0 * t_infer / n, "images_per_s": n / t_infer if t_infer > 0 else None,
        },
        "examples": {"best": [(c.id, c.dice) for c in best], "worst": [(c.id, c.dice) for c in worst]},
        "figures": fig_files,
    })
    write_per_image_csv(out / "per_image.csv", metrics.per_image())
    atomic_write_jsonl(out / "prompts.jsonl", prompt_rows)
    write_summary_json(out / "summary.json", summary)
    atomic_write_text(out / "report.md", _report(summary, full.name, split))
    return summary


def _warnings(info, seen_in_training: list[str], n: int) -> list[str]:
    if seen_in_training:
        return [f"{len(seen_in_training)} of the {n} evaluated image(s) were in the run's training data "
                f"(identical pixels), e.g. {', '.join(seen_in_training[:3])}: this is not a held-out score"]
    if info.kind == "run" and "train_image_sha256" not in info.metadata:
        return ["this run does not list its training images (trained by an older medvlseg): whether the scored "
                "images were trained on cannot be checked"]
    return []


def _pooled(ds: SegmentationDataset) -> bool:
    return len({s.dataset for s in ds}) > 1


def _json_safe(obj: Any) -> Any:
    import json

    from ..utils import _json_default

    return json.loads(json.dumps(obj, default=_json_default))


def _report(summary: dict, name: str, split: str | None) -> str:
    model = summary["model"]
    t = summary["timings"]
    lines = [
        f"# Evaluation: {model['model']} on {name} ({split or 'all'})",
        "",
        f"- Model: `{model['model']}` (backbone `{model.get('backbone')}`) from `{model['source']}` ({model['kind']}); "
        f"threshold {summary['threshold']}, presence threshold {summary['presence_threshold']} ({summary.get('presence_rule', 'peak')}).",
        f"- Prompts: level `{summary['prompt_type']}`" + (f", perturbed: `{summary['perturbation']}`" if summary["perturbation"] else "")
        + (" (computed from the ground-truth masks: a result on test images must say so)." if summary["prompt_from_ground_truth"] else "."),
        f"- ECE (pooled) {_fmt(summary['ece'], 4)}; uncertainty AUROC (pooled) {_fmt(summary['auroc'], 3)}, "
        f"uncertainty = {summary['uncertainty_source']}.",
        f"- Time: {t['total_s']:.1f} s in all, inference {t['inference_ms_per_image']:.1f} ms per image on {summary['device']} "
        f"(batch {summary['batch_size']}, {summary['precision']}).",
        "",
        markdown_table(summary),
    ]
    if summary.get("per_target"):
        lines += ["", "| target | images | Dice | IoU |", "|---|---|---|---|"]
        for t, block in summary["per_target"].items():
            m = block["metrics"]
            lines.append(f"| {t} | {block['n_scored']} | {_fmt(m['dice']['mean'], 3)} | {_fmt(m['iou']['mean'], 3)} |")
    figs = summary["figures"]
    if any(figs.values()):
        lines += ["## Figures", ""]
        for label in ("best", "worst"):
            for path, (cid, d) in zip(figs[label], summary["examples"][label]):
                lines.append(f"- {label}: `{cid}` (Dice {d:.3f}): ![{cid}]({path})")
        for path in figs["uncertainty"]:
            lines.append(f"- uncertainty: ![uncertainty]({path})")
        for path in figs["reliability"]:
            lines.append(f"- reliability diagram: ![reliability]({path})")
    return "\n".join(lines) + "\n"


def _fmt(x: Any, digits: int) -> str:
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"
