"""``medvlseg demo``: the main job end to end, on data that ships with the package's dependencies.

1. **Data**: axial slices of the MNI152 brain template that the ``nilearn`` wheel ships (real MRI),
   with three targets per slice chosen by the prompt: "grey matter", "white matter", "brain"
   (``--data PATH`` uses any dataset folder instead).
2. **Train** a ``lite`` MedCLIPSeg (pretrained EfficientNet-Lite0 and MiniLM from PyPI packages)
   prompted by the target's name, with negative prompts (a target the slice does not hold, or
   nonsense, with an empty mask), for a few minutes on the CPU; the epoch and the presence
   thresholds are chosen on slices held out of train.
3. **Evaluate** on the val slices, Dice per target.
4. **Predict** several prompts on the same val slices: each target, one target no slice holds
   ("foot ulcer") and one nonsense word, with the presence score and Monte-Carlo uncertainty maps.
5. **Report**: ``report.html`` (self-contained: images embedded), ``summary.json``.

The val slices are other slices of the same template (one kept slice on each side of every val
block is left out, so no train slice neighbours a val slice). This shows that the text chooses
the structure and that the pipeline works end to end, not that the model generalises to other
brains.
"""

from __future__ import annotations

import base64
import html
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from .utils import atomic_write_bytes, atomic_write_csv, atomic_write_json, atomic_write_text

#: The demo's targets: one mask each per slice, all three present in every kept slice.
MNI_TARGETS = ("grey matter", "white matter", "brain")
#: A catalogue target that no brain slice holds: the demo shows it called absent.
ABSENT_PROMPT = "foot ulcer"
NONSENSE_PROMPT = "orchestra"


def build_mni_dataset(root: Path) -> Path:
    """Write nilearn's MNI152 T1 template and grey-matter mask (probability > 0.5) as a NIfTI dataset
    (a volume read as 2-D slices: the NIfTI path of :class:`~medvlseg.data.SegmentationDataset`)."""
    import gzip

    import nibabel as nib
    from nilearn import datasets

    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    t1 = datasets.load_mni152_template(resolution=2)
    gm = datasets.load_mni152_gm_template(resolution=2)
    mask = (np.asarray(gm.get_fdata()) > 0.5).astype(np.uint8)
    for path, img in ((root / "images" / "mni152.nii.gz", t1), (root / "masks" / "mni152.nii.gz", nib.Nifti1Image(mask, gm.affine))):
        atomic_write_bytes(path, gzip.compress(img.to_bytes(), mtime=0))
    return root


def mni_slice_split(n: int, *, block: int = 4, every: int = 4, gap: int = 1) -> list[str | None]:
    """Splits of ``n`` consecutive slices: blocks of ``block`` slices, every ``every``-th block is
    ``val``; ``gap`` slices on each side of a val block are left out (``None``), so that no train
    slice is a neighbour of a val slice."""
    val = [(i // block) % every == every // 2 for i in range(n)]
    out: list[str | None] = []
    for i in range(n):
        near_val = any(val[j] for j in range(max(0, i - gap), min(n, i + gap + 1)))
        out.append("val" if val[i] else (None if near_val else "train"))
    return out


def build_mni_slices(root: Path, *, resolution: int = 1, step: int = 2, min_brain_fraction: float = 0.25,
                     console: Console | None = None) -> Path:
    """nilearn's MNI152 template as a multi-target slice dataset: ``images/mni_zNNN.png`` (T1, 8-bit
    grey), ``masks/mni_zNNN__<target>.png`` (0/255) for every target of :data:`MNI_TARGETS`, and
    ``manifest.csv`` with one row per (slice, target), split by :func:`mni_slice_split`.

    Grey and white matter are the template's tissue probabilities above 0.5, the brain its brain
    mask. Every ``step``-th axial slice whose brain covers at least ``min_brain_fraction`` of the
    largest brain slice is kept. Written atomically; a complete folder is reused as it is."""
    import nibabel as nib
    from rich.progress import track

    from .data.io import display_plane
    from .errors import ConfigError

    try:
        from nilearn import datasets
    except ImportError:
        raise ConfigError("the demo's default data is the MNI152 template inside nilearn: pip install "
                          "'medvlseg[demo]', or give a dataset with --data PATH") from None
    from .predict import _png_bytes as _png

    root = Path(root)
    if (root / "manifest.csv").is_file():
        return root
    template = datasets.load_mni152_template(resolution=resolution)
    assert nib.aff2axcodes(template.affine) == ("R", "A", "S"), "nilearn's MNI152 template is stored RAS+"
    t1 = np.asarray(template.get_fdata(), dtype=np.float32)
    maps = {
        "grey matter": np.asarray(datasets.load_mni152_gm_template(resolution=resolution).get_fdata()) > 0.5,
        "white matter": np.asarray(datasets.load_mni152_wm_template(resolution=resolution).get_fdata()) > 0.5,
        "brain": np.asarray(datasets.load_mni152_brain_mask(resolution=resolution).get_fdata()) > 0.5,
    }
    maps["grey matter"] &= maps["brain"]
    maps["white matter"] &= maps["brain"] & ~maps["grey matter"]
    area = maps["brain"].sum(axis=(0, 1))
    kept = [z for z in range(0, t1.shape[2], step) if area[z] >= min_brain_fraction * area.max()]
    splits = mni_slice_split(len(kept))
    hi = float(np.percentile(t1[maps["brain"]], 99.5))
    rows: list[dict[str, Any]] = []
    for z, split in track(list(zip(kept, splits)), description="building MNI152 slices", console=console,
                          disable=console is None or not console.is_terminal):
        if split is None:
            continue
        stem = f"mni_z{z:03d}"
        # axial slices as io.Volume shows them (the same view a NIfTI of the template gives predict)
        grey = (np.clip(display_plane(t1[:, :, z]) / hi, 0, 1) * 255).round().astype(np.uint8)
        atomic_write_bytes(root / "images" / f"{stem}.png", _png(grey))
        for target in MNI_TARGETS:
            mask = display_plane(maps[target][:, :, z])
            name = f"{stem}__{target.replace(' ', '_')}"
            atomic_write_bytes(root / "masks" / f"{name}.png", _png(mask.astype(np.uint8) * 255))
            rows.append({"id": name, "image": f"images/{stem}.png", "mask": f"masks/{name}.png", "split": split,
                         "width": grey.shape[1], "height": grey.shape[0],
                         "foreground_fraction": round(float(mask.mean()), 5), "target": target, "image_id": stem})
    atomic_write_csv(root / "manifest.csv", rows)  # last: the folder counts as complete only with it
    return root


def demo_config(data: Path, out: Path, *, backbone: str = "lite", minutes: float = 8.0, epochs: int = 200,
                image_size: int | None = 256, seed: int = 0):
    """The demo's training recipe: the shipped jsrt recipe's settings (lite MedCLIPSeg prompted by the
    target's name, a quarter of the samples with a negative prompt, the epoch and presence thresholds
    chosen on a tenth of train) on ``data``, for ``minutes``."""
    from .config import RunConfig

    return RunConfig.from_dict({
        "seed": seed, "out_dir": str(out / "runs"),  # no name: a second demo gets a run of its own
        "model": {"name": "medclipseg", "backbone": backbone},
        "data": {"path": str(data), "prompt_type": "p1", "negative_fraction": 0.25, "select_fraction": 0.1,
                 "image_size": image_size},
        "augment": {"hflip": True},
        "optim": {"lr": 1e-3, "weight_decay": 1e-4, "epochs": epochs, "max_time_min": minutes, "batch_size": 8,
                  "grad_clip": 1.0, "early_stopping_patience": 15},
        "loss": {"dice": 0.5, "bce": 0.5, "contrastive": 0.1},
        "cache": {"enabled": True},
    })


def demo_prompts(targets: Sequence[str]) -> list[str]:
    """The prompts the demo shows on each slice: every target, one catalogue target the data does not
    hold, one nonsense word."""
    from .prompts import load_targets

    held = {t.lower() for t in targets}
    absent = ABSENT_PROMPT if ABSENT_PROMPT not in held else next(
        t.class_name for t in load_targets().targets.values() if t.class_name.lower() not in held)
    return [*targets, absent, NONSENSE_PROMPT]


def run_demo(
    data: Path | None = None,
    out: Path = Path("demo_out"),
    split: str = "val",
    *,
    minutes: float = 8.0,
    epochs: int = 200,
    backbone: str = "lite",
    image_size: int | None = 256,
    n_show: int = 3,
    samples: int = 8,
    console: Console | None = None,
) -> dict[str, Any]:
    """Build (or take) the data, train, evaluate, predict every prompt on ``n_show`` val images and
    write ``report.html`` and ``summary.json`` under ``out``. Returns the summary."""
    from .data import SegmentationDataset
    from .data.check import check_dataset
    from .engine.train import train
    from .evaluation.evaluate import evaluate
    from .segmenter import load

    console = console or Console(stderr=True)
    out = Path(out)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    console.rule(f"[bold]medvlseg demo[/bold] -> {out}")

    console.print("[bold]1. data[/bold]")
    t = time.perf_counter()
    if data is None:
        data = build_mni_slices(out / "data" / "mni152", console=console)
        console.print(f"   MNI152 template (nilearn), axial slices, targets {', '.join(MNI_TARGETS)}: {data}")
    report = check_dataset(data)
    for problem in report.problems[:10]:
        console.print(f"   [yellow]{problem}[/yellow]")
    ds = SegmentationDataset.open(data)
    part = ds.split(split)
    if len(part) == 0:
        from .errors import DataError

        raise DataError(f"{data}: split {split!r} is empty; the demo evaluates on it (give --split)")
    targets = ds.targets()
    console.print(f"   {report.n_samples} samples; {len(part)} in {split}; targets: {', '.join(targets)}")
    timings["data_s"] = time.perf_counter() - t

    console.print(f"[bold]2. train[/bold] a {backbone} MedCLIPSeg for up to {minutes:g} min, with negative prompts")
    t = time.perf_counter()
    cfg = demo_config(data, out, backbone=backbone, minutes=minutes, epochs=epochs, image_size=image_size)
    run_dir = train(cfg, out_dir=out / "runs", progress=console.is_terminal, console=console)
    meta = json.loads((run_dir / "metadata.json").read_text(encoding="utf-8"))
    timings["train_s"] = time.perf_counter() - t
    console.print(f"   {run_dir}: {meta.get('epochs_completed')} epochs, best {meta.get('best_epoch')}")

    console.print(f"[bold]3. evaluate[/bold] on {split} at the original resolution")
    t = time.perf_counter()
    summary = evaluate(run_dir, ds, out_dir=out / "evaluation", split=split, figures=False)
    per_target = {k: v["metrics"]["dice"]["mean"] for k, v in (summary.get("per_target") or {}).items()}
    if not per_target:
        per_target = {targets[0]: summary["metrics"]["dice"]["mean"]}
    for k, v in per_target.items():
        console.print(f"   Dice {k}: {v:.3f}")
    timings["evaluate_s"] = time.perf_counter() - t

    prompts = demo_prompts(targets)
    console.print(f"[bold]4. predict[/bold] {len(prompts)} prompts on {n_show} {split} images: {', '.join(map(repr, prompts))}")
    t = time.perf_counter()
    seg = load(run_dir)
    shown = _pick_images(part, n_show)
    panels = _predict_panels(seg, part, shown, prompts, samples=samples, out=out / "predictions", console=console)
    timings["predict_s"] = time.perf_counter() - t

    timings["total_s"] = time.perf_counter() - started
    result = {
        "data": str(data), "split": split, "run": str(run_dir), "targets": targets, "prompts": prompts,
        "dice": per_target, "dice_all": summary["metrics"]["dice"]["mean"], "n_evaluated": summary["n_scored"],
        "epochs_completed": meta.get("epochs_completed"), "best_epoch": meta.get("best_epoch"),
        "train_time_s": meta.get("train_time_s"), "presence_thresholds": summary.get("presence_thresholds"),
        "predictions": [{"image": p["image"], "prompts": [{k: v for k, v in r.items() if k not in ("overlay", "entropy")}
                                                          for r in p["results"]]} for p in panels],
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    atomic_write_json(out / "summary.json", result)
    atomic_write_text(out / "report.html", render_report(result, panels, meta))
    console.print(f"[bold]5. report[/bold]: {out / 'report.html'} ({timings['total_s'] / 60:.1f} min in all)")
    return result


def _image_key(s) -> tuple:
    """What "the same image" is for a sample: its file, and for a volume its slice."""
    return (str(s.image), s.slice_index, s.axis)


def _pick_images(part, n: int) -> list[tuple]:
    """``n`` images of the split spread over it (an image with several targets once)."""
    keys = list(dict.fromkeys(_image_key(s) for s in part))
    if len(keys) <= n:
        return keys
    if n == 1:
        return [keys[len(keys) // 2]]
    return [keys[round(i * (len(keys) - 1) / (n - 1))] for i in range(n)]


def _predict_panels(seg, part, keys: Sequence[tuple], prompts: Sequence[str], *, samples: int, out: Path,
                    console: Console) -> list[dict[str, Any]]:
    """Every prompt on each image (one batched call per image), with the Dice where the image has
    the prompt's target annotated; the masks written under ``out``."""
    from rich.progress import track

    from .evaluation.metrics import dice
    from .predict import _png_bytes, heatmap_rgb, output_stem, overlay_rgb, prompt_slugs, segment_prompts
    from .utils import file_safe

    slugs = prompt_slugs(prompts)
    by_key: dict[tuple, dict[str, Any]] = {}
    for s in part:
        by_key.setdefault(_image_key(s), {})[s.target] = s
    panels = []
    for key in track(keys, description="predicting", console=console, disable=not console.is_terminal):
        samples_here = by_key[key]
        image = part.load_image(next(iter(samples_here.values())))
        name = file_safe(Path(key[0]).stem + ("" if key[1] is None else f"_s{key[1]}"))
        rows = []
        for r, row in segment_prompts(seg, image, list(prompts), uncertainty=True, samples=samples):
            gt = samples_here.get(row["prompt"])
            row["dice"] = None
            if gt is not None:
                d = dice(r.mask, part.load_mask(gt))  # NaN when both are empty: a correct "nothing here"
                row["dice"] = round(1.0 if math.isnan(d) else d, 4)
            stem = output_stem(name, slugs[row["prompt"]])
            atomic_write_bytes(out / f"{stem}_mask.png", _png_bytes(r.mask.astype(np.uint8) * 255))
            row["mask"] = f"predictions/{stem}_mask.png"
            row["overlay"] = overlay_rgb(image, r.mask)
            row["entropy"] = heatmap_rgb(r.entropy, vmax=float(np.log(2.0)))
            rows.append(row)
        panels.append({"image": name, "results": rows, "pixels": image})
    return panels


def _img_tag(rgb: np.ndarray, alt: str) -> str:
    from .predict import _png_bytes

    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(_png_bytes(rgb)).decode()}">'


def render_report(result: dict[str, Any], panels: Sequence[dict[str, Any]], meta: dict[str, Any]) -> str:
    """``report.html``: metrics per target, then for each shown image one column per prompt (the mask
    over the image with its presence score, and the entropy map beneath). One file, no outside
    requests: images are embedded as data URIs."""
    from . import __version__
    from .predict import _display_rgb

    e = html.escape
    rows = "".join(f"<tr><td>{e(t)}</td><td>{d:.3f}</td></tr>" for t, d in result["dice"].items())
    body = [
        f"<h1>medvlseg demo</h1><p>Data: <code>{e(result['data'])}</code>, evaluated on <b>{e(result['split'])}</b> "
        f"({result['n_evaluated']} image-target pairs). Model: lite MedCLIPSeg, {result['epochs_completed']} epochs "
        f"in {result['train_time_s'] or 0:.0f} s (best epoch {result['best_epoch']}), run <code>{e(result['run'])}</code>.</p>",
        f"<h2>Dice per target ({e(result['split'])}, original resolution)</h2><table><tr><th>target</th><th>Dice</th></tr>{rows}</table>",
        "<h2>One image, several prompts</h2><p>Each column is one prompt on the same image: the predicted mask "
        "(red) with the presence score (called absent below the run's calibrated threshold: an empty mask), "
        "and beneath it the predictive entropy of the Monte-Carlo samples (black: certain, bright: uncertain).</p>",
    ]
    for p in panels:
        cells = [f"<td><div class='cap'>input<br>{e(Path(p['image']).name)}</div>{_img_tag(_display_rgb(p['pixels']), 'input')}</td>"]
        for r in p["results"]:
            verdict = "present" if r["called_present"] else "<b>absent</b>"
            dice = "" if r["dice"] is None else f", Dice {r['dice']:.3f}"
            cells.append(
                f"<td><div class='cap'>&ldquo;{e(r['prompt'])}&rdquo;<br>presence {r['present']:.2f} "
                f"(threshold {r['presence_threshold']:.2f}): {verdict}{dice}</div>{_img_tag(r['overlay'], r['prompt'])}"
                f"<br>{_img_tag(r['entropy'], 'entropy ' + r['prompt'])}</td>")
        body.append(f"<table class='panel'><tr>{''.join(cells)}</tr></table>")
    body.append(f"<h2>Timings</h2><pre>{e(json.dumps(result['timings'], indent=1))}</pre>"
                f"<p>medvlseg {e(__version__)}, torch {e(str(meta.get('torch')))}, device {e(str(meta.get('device')))}, "
                f"{meta.get('torch_threads')} threads. Reproduce: <code>medvlseg demo --out OUT</code>.</p>")
    style = ("body{font-family:sans-serif;margin:1.5em;max-width:1600px}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}.panel td{text-align:center}"
             ".panel img{max-width:220px;display:block;margin:2px auto}.cap{font-size:0.85em;min-height:3em}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>medvlseg demo</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")
