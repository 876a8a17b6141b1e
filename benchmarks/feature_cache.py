"""Epoch time with and without the feature cache (issue 5; TARGETS: a cached epoch <= 0.2x).

Trains the same model on the same data twice through ``medvlseg.engine.train``: once with
``cache.enabled=false`` and once with it on, without augmentation (so that from the second epoch on
every image's frozen features are in the cache), and reads each epoch's time (training + validation)
from the runs' ``metrics.csv``. Both runs' first epochs are left out: the cached one fills the cache,
and in both the dataset decodes and resizes every image once (memoised after that).

    python benchmarks/feature_cache.py --data ../shared/datasets/ph2 --out benchmarks/results/feature_cache.json
    python benchmarks/feature_cache.py --data ../shared/datasets/ph2 --set 'model.kwargs.adapter_blocks=[1,2,3]'
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import tempfile
from pathlib import Path

import torch


def _epoch_times(run_dir: Path) -> list[float]:
    with open(run_dir / "metrics.csv", newline="") as fh:
        return [float(r["epoch_time_s"]) for r in csv.DictReader(fh)]


def steady_means(uncached: list[float], cached: list[float]) -> tuple[float, float]:
    """Mean epoch time of each run after its first epoch (both need at least 2 epochs)."""
    if len(uncached) < 2 or len(cached) < 2:
        raise SystemExit("need at least 2 epochs per run (--epochs 2 or more)")
    return statistics.mean(uncached[1:]), statistics.mean(cached[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="medclipseg")
    ap.add_argument("--backbone", default="lite")
    ap.add_argument("--data", default="../shared/datasets/ph2")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="extra config overrides, key=value")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from medvlseg.config import RunConfig
    from medvlseg.engine.train import train

    base = {"model": {"name": args.model, "backbone": args.backbone}, "data": {"path": args.data, "prompt_type": "p1"},
            "optim": {"epochs": args.epochs, "batch_size": 8}}
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for cached in (False, True):
            cfg = RunConfig.from_dict({**base, "cache": {"enabled": cached}, "out_dir": tmp,
                                       "name": "cached" if cached else "uncached"})
            run = train(cfg, overrides=args.overrides or None, progress=False)
            times[cached] = _epoch_times(run)
            meta = json.loads((run / "metadata.json").read_text())
    uncached, cached = steady_means(times[False], times[True])
    result = {
        "command": "python benchmarks/feature_cache.py " + " ".join(
            f"--{k} {v}" for k, v in vars(args).items() if k not in ("out", "overrides")) + "".join(f" --set {o}" for o in args.overrides),
        "machine": {"cpu": platform.processor() or platform.machine(), "threads": args.threads, "torch": torch.__version__},
        "model": args.model, "backbone": meta["backbone"], "image_size": meta["image_size"], "data": args.data, "n_train": meta["n_train"], "n_val": meta["n_val"],
        "record": meta["record"],
        "epoch_s_uncached": times[False], "epoch_s_cached": times[True],
        "uncached_mean_s_after_first": uncached, "cached_mean_s_after_fill": cached, "ratio": cached / uncached,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
