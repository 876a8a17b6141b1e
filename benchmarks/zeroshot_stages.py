"""Zero-shot segmentation stage by stage (MedCLIP-SAM's ablation) on real data, with no mask used.

    python benchmarks/zeroshot_stages.py --align runs/align-lite \\
        --task "../shared/datasets/fuseg=foot ulcer" --task "../shared/datasets/ph2=skin lesion" \\
        --task "../shared/datasets/polypgen=polyp" --task "../shared/datasets/jsrt=heart" \\
        --task "../shared/datasets/jsrt=left lung" --out benchmarks/results/zeroshot [--limit 40]

For each task (a dataset and the prompt naming its target), on ``val``:

- Dice at each stage (saliency alone, + post-processing, + largest component, + SAM), from
  ``medvlseg zeroshot``, which reads no mask;
- the same images with a nonsense prompt: how often the pipeline says "nothing matches";
- the upper bound, reported separately because it USES the ground truth: LiteMedSAM prompted with
  the box of the true mask;
- seconds per image of each stage on this machine.

Two prompts on one dataset (jsrt: heart and left lung) also get where their saliency maps point on
the same radiographs: the distance between the maps' centres of mass and how often each map's peak
falls inside its own structure. Writes ``results.json``, ``results.md`` and, for jsrt, a figure.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

# none of them among the nonsense words align's presence threshold was chosen against
NONSENSE = ("qwzrtpl", "a photo of a cat", "stock market report")


def oracle_box_dice(data: Path, target: str, split: str, sam, limit: int | None) -> tuple[float, float]:
    """Mean Dice of SAM prompted by the true mask's box (uses the ground truth), and seconds per image."""
    from medvlseg.data import SegmentationDataset
    from medvlseg.evaluation.metrics import dice
    from medvlseg.zeroshot import box_prompts

    ds = SegmentationDataset.open(data).split(split)
    if len(ds.targets()) > 1:
        ds = ds.with_targets([target])
    samples = list(ds)[:limit] if limit else list(ds)
    scores, t0, n = [], time.perf_counter(), 0
    for s in samples:
        loaded = ds.load(s)
        gt = np.asarray(loaded.mask, dtype=bool)
        if not gt.any():
            continue
        sam.set_image(loaded.image)
        scores.append(dice(sam.predict(boxes=box_prompts(gt)) >= 0.5, gt))
        n += 1
    return float(np.mean(scores)), (time.perf_counter() - t0) / max(1, n)


def where_maps_point(run_a: Path, run_b: Path, data: Path, split: str) -> dict:
    """Same radiographs, two prompts: distance between the saliency maps' centres of mass (pixels at
    the backbone's size) and the share of images where each map's peak lies in its own structure."""
    import csv

    import torch
    import torch.nn.functional as F

    from medvlseg.data import SegmentationDataset

    ds = SegmentationDataset.open(data).split(split)
    by_id = {s.id: s for s in ds}

    def maps(run):
        rows = {r["id"]: r for r in csv.DictReader((run / "metrics.csv").open())}
        out = {}
        for sid, r in rows.items():
            f = run / "saliency" / f"{r['file']}.npy"
            if f.is_file():
                out[by_id[sid].meta.get("image_id", sid)] = (sid, np.load(f).astype(np.float32))
        return out

    a, b = maps(run_a), maps(run_b)
    common = sorted(set(a) & set(b))
    if common:  # the figure: one radiograph, each prompt's saliency and zero-shot mask
        from PIL import Image

        from medvlseg.evaluation.figures import new_figure, save_png

        key = common[0]
        image = ds.load_image(by_id[a[key][0]])
        fig = new_figure(9.6, 3.6)
        ax = fig.add_subplot(1, 3, 1)
        ax.imshow(image, cmap="gray")
        ax.set_title(key, fontsize=8)
        ax.set_axis_off()
        files = {}
        for run in (run_a, run_b):
            files.update({(run, r["id"]): r["file"] for r in csv.DictReader((run / "metrics.csv").open())})
        for k, (run, (sid, m)) in enumerate(((run_a, a[key]), (run_b, b[key]))):
            ax = fig.add_subplot(1, 3, k + 2)
            ax.imshow(image, cmap="gray")
            big = np.asarray(F.interpolate(torch.from_numpy(m)[None, None], size=image.shape[:2], mode="bilinear")[0, 0])
            ax.imshow(big, cmap="jet", alpha=0.45, vmin=0, vmax=1)
            last = "sam" if (run / "masks" / "sam").is_dir() else "components"
            mask = np.asarray(Image.open(run / "masks" / last / f"{files[(run, sid)]}.png")) > 0
            gt = ds.load_mask(by_id[sid])
            for mm, colour in ((gt, "lime"), (mask, "red")):
                if mm.any():
                    ax.contour(mm.astype(np.float32), levels=[0.5], colors=colour, linewidths=1.0)
            ax.set_title(f"{json.loads((run / 'summary.json').read_text())['prompt']!r}: saliency, {last} mask (red), truth (green)", fontsize=7)
            ax.set_axis_off()
        save_png(fig, run_a.parent / "jsrt_two_prompts.png")
    dist, inside_a, inside_b = [], [], []
    for key in common:
        (sa, ma), (sb, mb) = a[key], b[key]
        size = ma.shape[0]
        yy, xx = np.mgrid[:size, :size]
        ca = np.array([(yy * ma).sum(), (xx * ma).sum()]) / max(ma.sum(), 1e-9)
        cb = np.array([(yy * mb).sum(), (xx * mb).sum()]) / max(mb.sum(), 1e-9)
        dist.append(float(np.linalg.norm(ca - cb)))
        for sid, m, acc in ((sa, ma, inside_a), (sb, mb, inside_b)):
            gt = torch.from_numpy(ds.load_mask(by_id[sid]).astype(np.float32))[None, None]
            gt = F.interpolate(gt, size=(size, size), mode="nearest")[0, 0].numpy() > 0
            acc.append(bool(gt.flat[int(np.argmax(m))]))
    return {"images": len(common), "centre_distance_px_mean": float(np.mean(dist)) if dist else None,
            "centre_distance_px_min": float(np.min(dist)) if dist else None,
            "peak_inside_own_structure": [float(np.mean(inside_a)) if inside_a else None,
                                          float(np.mean(inside_b)) if inside_b else None],
            "example": common[0] if common else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--align", type=Path, required=True)
    ap.add_argument("--task", action="append", required=True, help="DATASET=PROMPT")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--saliency", default="gscorecam")
    args = ap.parse_args()

    from medvlseg.utils import atomic_write_json, atomic_write_text
    from medvlseg.zeroshot import ZeroShotConfig, ZeroShotPipeline, zeroshot

    cfg = ZeroShotConfig(align=str(args.align), saliency=args.saliency)
    pipe = ZeroShotPipeline(cfg)
    results = []
    for task in args.task:
        data, prompt = task.split("=", 1)
        data = Path(data)
        name = f"{data.name}-{prompt.replace(' ', '_')}"
        t0 = time.perf_counter()
        s = zeroshot(data, prompt, args.out / name, cfg, split=args.split, limit=args.limit, pipeline=pipe)
        nonsense = {}
        for word in NONSENSE:
            ns = zeroshot(data, word, args.out / f"{name}-nonsense" / word.replace(" ", "_"), cfg, split=args.split,
                          target=s["target"], limit=args.limit, pipeline=pipe)
            nonsense[word] = ns["called_present"]
        oracle, oracle_s = oracle_box_dice(data, s["target"], args.split, pipe.sam, args.limit)
        results.append({"task": name, "data": str(data), "prompt": prompt, "n_images": s["n_images"],
                        "n_with_target": s["n_with_target"], "called_present": s["called_present"],
                        "dice": s["dice"], "target_free_called_absent": s["target_free_called_absent"],
                        "nonsense_called_present": nonsense, "oracle_box_sam_dice_USES_GROUND_TRUTH": oracle,
                        "seconds_per_image": {**s["seconds_per_image"], "oracle_box_sam": oracle_s},
                        "wall_s": time.perf_counter() - t0})
        print(json.dumps(results[-1]), flush=True)
    pairs = {}
    jsrt = [r for r in results if Path(r["data"]).name == "jsrt"]
    if len(jsrt) >= 2:
        a, b = jsrt[0], jsrt[1]
        pairs[f"{a['prompt']} vs {b['prompt']}"] = where_maps_point(args.out / a["task"], args.out / b["task"], Path(a["data"]), args.split)
    record = {"align": str(args.align), "saliency": args.saliency, "split": args.split, "limit": args.limit,
              "pipeline": pipe.describe(), "tasks": results, "two_prompts_one_image": pairs}
    atomic_write_json(args.out / "results.json", record)
    atomic_write_text(args.out / "results.md", _markdown(record))
    print(_markdown(record))


def _markdown(rec: dict) -> str:
    f = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
    lines = ["| task | images (with target) | saliency alone | + post-processing | + largest component | + SAM | "
             "nonsense called present | target-free called absent | oracle box + SAM (uses GT) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rec["tasks"]:
        d = r["dice"] or {}
        ns = sum(r["nonsense_called_present"].values())
        tf = r["target_free_called_absent"]
        lines.append(f"| {r['task']} | {r['n_images']} ({r['n_with_target']}) | {f(d.get('saliency'))} | {f(d.get('postprocess'))} | "
                     f"{f(d.get('components'))} | {f(d.get('sam'))} | {ns} of {3 * r['n_images']} | "
                     f"{'–' if not tf else f'{tf[0]} of {tf[1]}'} | {f(r['oracle_box_sam_dice_USES_GROUND_TRUTH'])} |")
    lines += ["", "| task | " + " | ".join(f"{k} (s/image)" for k in ("presence", "saliency", "postprocess", "components", "sam")) + " |",
              "|---|---|---|---|---|---|"]
    for r in rec["tasks"]:
        t = r["seconds_per_image"]
        lines.append(f"| {r['task']} | " + " | ".join(f(t.get(k)) for k in ("presence", "saliency", "postprocess", "components", "sam")) + " |")
    for pair, p in rec["two_prompts_one_image"].items():
        lines += ["", f"{pair} on the same {p['images']} radiographs: saliency centres of mass "
                  f"{f(p['centre_distance_px_mean'])} px apart on average (min {f(p['centre_distance_px_min'])}, maps at the "
                  f"backbone's size); each map's peak inside its own structure: {f(p['peak_inside_own_structure'][0])} / "
                  f"{f(p['peak_inside_own_structure'][1])}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
