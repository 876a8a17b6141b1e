"""Does annotating the images `medvlseg rank` puts first beat annotating images at random?

The loop MONAI Label's users run, simulated on a dataset whose masks we have: start from a share of
the training masks (10 % by default, the same start for both strategies), train, score val; then
add another share chosen by rank (``medvlseg.rank`` on the images not yet annotated, with the model
just trained) or at random, retrain from scratch at the same budget, and so on for ``--rounds``
rounds, for each seed. The selection split (``data.select_fraction`` of the recipe) stays out of the
pool; val is scored untouched.

    python benchmarks/active_learning.py --config configs/medclipseg-lite-fuseg.yaml --prompt "foot ulcer" \\
        --set optim.max_time_min=5 --seeds 0 1 --rounds 3 --out benchmarks/results/active/fuseg

Writes ``results.json`` (every round of every run) and prints a markdown table: val Dice after each
round, mean ± sd over seeds, for ranked and random selection, with the masks used.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np


def _pool_ids(cfg) -> tuple[list[str], dict[str, str]]:
    """The training ids the engine would use (after the selection hold-out) and each one's image."""
    from medvlseg.engine.data import open_datasets

    train, _, _, _ = open_datasets(cfg)
    return train.ids(), {s.id: str(s.image) for s in train}


def run(args: argparse.Namespace) -> dict:
    from medvlseg.config import RunConfig
    from medvlseg.data import SegmentationDataset
    from medvlseg.data.splits import annotation_subset
    from medvlseg.engine.train import train
    from medvlseg.evaluation.evaluate import evaluate
    from medvlseg.ranking import rank_images

    out = Path(args.out)
    rows = []
    for seed in args.seeds:
        base = RunConfig.from_yaml(args.config, [*args.set, f"seed={seed}", f"out_dir={out / 'runs'}"])
        ids, image_of = _pool_ids(base)
        sets = [SegmentationDataset.open(p) for p in base.data.paths]
        data = sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)
        step = max(1, round(args.share * len(ids)))
        start = annotation_subset(ids, args.share, seed=seed)
        for strategy in ("ranked", "random"):
            labelled = list(start)
            rng = np.random.default_rng(seed)
            for rnd in range(1, args.rounds + 1):
                name = f"{strategy}-seed{seed}-round{rnd}"
                cfg = RunConfig.from_dict({**base.to_dict(), "name": name,
                                           "data": {**base.to_dict()["data"], "train_ids": labelled}})
                run_dir = out / "runs" / name
                if not (run_dir / "metadata.json").is_file() or json.loads((run_dir / "metadata.json").read_text()).get("status") != "finished":
                    run_dir = train(cfg, progress=False)
                summary = evaluate(str(run_dir), data, out_dir=out / "evals" / name, split=base.data.val_split, figures=False)
                dice = summary["metrics"]["dice"]["mean"]
                rows.append({"seed": seed, "strategy": strategy, "round": rnd, "masks": len(labelled), "val_dice": dice})
                print(f"{name}: {len(labelled)} masks, val Dice {dice:.4f}", flush=True)
                if rnd == args.rounds:
                    break
                rest = [i for i in ids if i not in set(labelled)]
                if strategy == "random":
                    picks = [rest[k] for k in sorted(rng.choice(len(rest), min(step, len(rest)), replace=False))]
                else:
                    ranked = rank_images(str(run_dir), [image_of[i] for i in rest], args.prompt, samples=args.samples,
                                         diversity=args.diversity, cache=out / "rank-cache.jsonl")
                    by_image = {v: k for k, v in image_of.items() if k in set(rest)}
                    picks = [by_image[r.image] for r in ranked[:step]]
                labelled += picks
    return {"command": " ".join(sys.argv), "rows": rows}


def markdown(result: dict) -> str:
    rows = result["rows"]
    rounds = sorted({r["round"] for r in rows})
    lines = ["| round | masks | ranked: val Dice | random: val Dice |", "|---|---|---|---|"]
    for k in rounds:
        cells = []
        for strategy in ("ranked", "random"):
            v = [r["val_dice"] for r in rows if r["round"] == k and r["strategy"] == strategy]
            cells.append(f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else (f"{v[0]:.3f}" if v else "-"))
        masks = sorted({r["masks"] for r in rows if r["round"] == k})
        lines.append(f"| {k} | {'/'.join(map(str, masks))} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--prompt", required=True)
    ap.add_argument("--set", action="append", default=[], help="config override, repeatable")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--share", type=float, default=0.1, help="share of the pool in the start set and added each round")
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--diversity", type=float, default=0.0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    result = run(args)
    from medvlseg.utils import atomic_write_json

    atomic_write_json(Path(args.out) / "results.json", result)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
