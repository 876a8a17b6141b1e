"""Does annotating the images `medvlseg rank` puts first beat annotating images at random?

The loop MONAI Label's users run, simulated on a dataset whose masks we have: start from a share of
the training masks (10 % by default, the same start, and the same first model, for both strategies),
train, score val; then ``--rounds`` times add another share chosen by rank (``medvlseg.rank`` on the
images not yet annotated, with the model just trained) or at random, and retrain from scratch at the
same budget. The selection split (``data.select_fraction``) stays out of the pool and picks each
run's best epoch and presence threshold; val is scored untouched.

The budget is a number of optimizer steps (``--steps``), the same in every round: each run gets the
whole epochs that come nearest to it (``optim.epochs``, no clock), so a result does not depend on
the machine's speed or on what else runs beside it, and a larger annotation set is not also given
more training. ``--steps 0`` keeps the recipe's own budget (``optim.max_time_min``).

    python benchmarks/active_learning.py --suite benchmarks/suites/active_learning.yaml --out bench/active
    python benchmarks/active_learning.py --config configs/medclipseg-lite-fuseg.yaml --prompt "foot ulcer" \\
        --set data.select_fraction=0.1 --steps 400 --seeds 0 1 --rounds 3 --out bench/active/fuseg

Writes ``results.json`` (every round of every run, with its wall clock) and prints a markdown table:
val Dice after each round, mean ± sd over seeds, for ranked and random selection, and how many masks
ranked selection needs to reach the Dice random selection reaches with its last set.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def _pool_ids(cfg) -> tuple[list[str], dict[str, str]]:
    """The training ids the engine would use (after the selection hold-out) and each one's image."""
    from medvlseg.engine.data import open_datasets

    train, _, _, _ = open_datasets(cfg)
    return train.ids(), {s.id: str(s.image) for s in train}


def _finished(run_dir: Path) -> bool:
    meta = run_dir / "metadata.json"
    return meta.is_file() and json.loads(meta.read_text()).get("status") == "finished"


def _scored(run_dir: Path, eval_dir: Path, split: str) -> dict | None:
    """The summary already written for this finished run's weights on ``split``, else None: a
    resumed or re-run suite, or several seeds run as separate processes, then combined, score nothing twice."""
    path = eval_dir / "summary.json"
    if not (_finished(run_dir) and path.is_file()):
        return None
    summary = json.loads(path.read_text())
    weights = json.loads((run_dir / "metadata.json").read_text()).get("sha256", {}).get("model.safetensors")
    return summary if summary.get("split") == split and summary.get("model", {}).get("sha256") == weights else None


def _budget(base: dict, n_masks: int, steps: int) -> dict:
    """``optim`` for a run on ``n_masks`` images: the whole epochs nearest to ``steps`` optimizer
    steps (an epoch shows each image once; a negative prompt replaces a sample's, it adds none) and
    no clock; the recipe's early stopping may still end a run sooner. Unchanged when ``steps`` is 0."""
    optim = dict(base["optim"])
    if steps:
        per_epoch = math.ceil(n_masks / optim["batch_size"])
        optim.update(epochs=max(1, round(steps / per_epoch)), max_time_min=None, epoch_plan=None)
    return optim


def run(args: argparse.Namespace) -> dict:
    from medvlseg.config import RunConfig
    from medvlseg.data import SegmentationDataset
    from medvlseg.data.splits import annotation_subset
    from medvlseg.engine.train import train
    from medvlseg.evaluation.evaluate import evaluate
    from medvlseg.ranking import rank_images

    out = Path(args.out)
    rows = []

    def train_and_score(base, name: str, labelled: list[str], data, strategy: str, seed: int, rnd: int) -> Path:
        raw = base.to_dict()
        cfg = RunConfig.from_dict({**raw, "name": name, "data": {**raw["data"], "train_ids": labelled},
                                   "optim": _budget(raw, len(labelled), args.steps)})
        run_dir = out / "runs" / name
        t0 = time.perf_counter()
        if not _finished(run_dir):
            if (run_dir / "last" / "state.json").is_file():  # stopped part-way: continue it
                run_dir = train(resume=run_dir, progress=False)
            else:
                shutil.rmtree(run_dir, ignore_errors=True)  # stopped before its first epoch ended
                run_dir = train(cfg, progress=False)
        train_s = time.perf_counter() - t0
        summary = _scored(run_dir, out / "evals" / name, base.data.val_split)
        if summary is None:
            summary = evaluate(str(run_dir), data, out_dir=out / "evals" / name, split=base.data.val_split, figures=False)
        meta = json.loads((run_dir / "metadata.json").read_text())
        dice = summary["metrics"]["dice"]["mean"]
        rows.append({"seed": seed, "strategy": strategy, "round": rnd, "masks": len(labelled), "val_dice": dice,
                     "run": name, "epochs": cfg.optim.epochs, "epochs_completed": meta.get("epochs_completed"),
                     "train_time_s": meta.get("train_time_s"), "wall_s": round(train_s, 1)})
        print(f"{strategy}-seed{seed}-round{rnd}: {len(labelled)} masks, {cfg.optim.epochs} epochs, val Dice {dice:.4f}", flush=True)
        return run_dir

    for seed in args.seeds:
        base = RunConfig.from_yaml(args.config, [*args.set, f"seed={seed}", f"out_dir={out / 'runs'}"])
        ids, image_of = _pool_ids(base)
        sets = [SegmentationDataset.open(p) for p in base.data.paths]
        data = sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)
        step = max(1, round(args.share * len(ids)))
        start = annotation_subset(ids, args.share, seed=seed)
        # round 0 is the same run for both strategies: trained once
        first = train_and_score(base, f"start-seed{seed}", list(start), data, "start", seed, 0)
        for strategy in ("ranked", "random"):
            labelled, run_dir = list(start), first
            rng = np.random.default_rng(seed)
            for rnd in range(1, args.rounds + 1):
                taken = set(labelled)
                rest = [i for i in ids if i not in taken]
                if strategy == "random":
                    picks = [rest[k] for k in sorted(rng.choice(len(rest), min(step, len(rest)), replace=False))]
                else:
                    t0 = time.perf_counter()
                    ranked = rank_images(str(run_dir), [image_of[i] for i in rest], args.prompt, samples=args.samples,
                                         diversity=args.diversity, cache=out / "rank-cache.jsonl")
                    print(f"  ranked {len(rest)} images in {time.perf_counter() - t0:.0f} s", flush=True)
                    by_image = {image_of[i]: i for i in rest}
                    picks = [by_image[r.image] for r in ranked[:step]]
                labelled += picks
                run_dir = train_and_score(base, f"{strategy}-seed{seed}-round{rnd}", labelled, data, strategy, seed, rnd)
    return {"command": " ".join(sys.argv), "config": str(args.config), "prompt": args.prompt, "steps": args.steps,
            "share": args.share, "samples": args.samples, "diversity": args.diversity, "pool": len(ids), "rows": rows}


def _curve(rows: list[dict], strategy: str) -> list[tuple[float, float]]:
    """(masks, mean val Dice over seeds) per round; round 0 (the shared start) belongs to both."""
    pts = []
    for k in sorted({r["round"] for r in rows}):
        v = [r for r in rows if r["round"] == k and r["strategy"] in (strategy, "start")]
        if v:
            pts.append((statistics.mean(r["masks"] for r in v), statistics.mean(r["val_dice"] for r in v)))
    return pts


def masks_to_reach(curve: list[tuple[float, float]], dice: float) -> float | None:
    """The fewest masks at which ``curve`` (masks ascending) first reaches ``dice``, interpolated
    linearly between rounds; None if it never does."""
    for (m0, d0), (m1, d1) in zip([(0.0, -1.0), *curve], curve):
        if d1 >= dice:
            return m1 if d1 == d0 or m0 == 0.0 else m0 + (m1 - m0) * (dice - d0) / (d1 - d0)
    return None


def markdown(result: dict) -> str:
    rows = result["rows"]
    lines = ["| round | masks | ranked: val Dice | random: val Dice |", "|---|---|---|---|"]
    for k in sorted({r["round"] for r in rows}):
        cells = []
        for strategy in ("ranked", "random"):
            v = [r["val_dice"] for r in rows if r["round"] == k and r["strategy"] in (strategy, "start")]
            cells.append(f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else (f"{v[0]:.3f}" if v else "-"))
        masks = sorted({r["masks"] for r in rows if r["round"] == k})
        lines.append(f"| {k} | {'/'.join(map(str, masks))} | {cells[0]} | {cells[1]} |")
    ranked, rand = _curve(rows, "ranked"), _curve(rows, "random")
    if ranked and rand:
        # the goal asked at every round random selection reached, not only its last
        lines += ["", "| random selection, round | its masks | its Dice (mean) | masks ranked selection needs for it | share (goal <= 67 %) |",
                  "|---|---|---|---|---|"]
        for k, (m_rand, d_rand) in enumerate(rand[1:], start=1):
            m = masks_to_reach(ranked, d_rand)
            lines.append(f"| {k} | {m_rand:.0f} | {d_rand:.3f} | " + (f"{m:.0f} | {m / m_rand:.0%} |" if m is not None
                                                                     else "not reached | - |"))
    return "\n".join(lines)


def _suite(path: str) -> dict:
    from medvlseg.utils import read_yaml_mapping

    raw = read_yaml_mapping(path, "active-learning suite")
    if raw.get("kind") != "active_learning" or not isinstance(raw.get("datasets"), list):
        raise SystemExit(f"{path}: not an active-learning suite (needs kind: active_learning and a list of datasets)")
    return raw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", help="a suite file (benchmarks/suites/active_learning.yaml): every dataset in it, "
                                    "each into OUT/NAME; its keys are the defaults of the options below")
    ap.add_argument("--config")
    ap.add_argument("--prompt")
    ap.add_argument("--set", action="append", default=[], help="config override, repeatable")
    ap.add_argument("--steps", type=int, default=None, help="optimizer steps per run (0: the recipe's time budget)")
    ap.add_argument("--seeds", type=int, nargs="+", default=None)
    ap.add_argument("--rounds", type=int, default=None, help="rounds of adding masks after the start")
    ap.add_argument("--share", type=float, default=None, help="share of the pool in the start set and added each round")
    ap.add_argument("--samples", type=int, default=None)
    ap.add_argument("--diversity", type=float, default=None)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    defaults = {"steps": 0, "seeds": [0, 1], "rounds": 3, "share": 0.1, "samples": 8, "diversity": 0.0}
    suite = _suite(args.suite) if args.suite else None
    jobs = []
    if suite:
        for d in suite["datasets"]:
            jobs.append((Path(args.out) / d["name"], {**defaults, **{k: suite[k] for k in defaults if k in suite},
                                                       "config": d["config"], "prompt": d["prompt"],
                                                       "set": [*suite.get("set", []), *d.get("set", [])]}))
    else:
        if not (args.config and args.prompt):
            ap.error("--config and --prompt (or --suite)")
        jobs.append((Path(args.out), {**defaults, "config": args.config, "prompt": args.prompt, "set": []}))
    from medvlseg.utils import atomic_write_json

    for out, job in jobs:
        for k in defaults:
            if getattr(args, k) is not None:
                job[k] = getattr(args, k)
        job["set"] = [*job["set"], *args.set]
        result = run(argparse.Namespace(**job, out=out))
        atomic_write_json(out / "results.json", result)
        print(f"## {out.name}\n\n{markdown(result)}\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
