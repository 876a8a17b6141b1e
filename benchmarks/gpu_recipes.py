"""Train shipped recipes on one GPU, side by side (one process each, sharing the card), for a fixed
wall-clock budget, then score each on its val split: the masks alone (``--presence-threshold 0``),
with the run's own presence rule, and with dihedral TTA; a fuseg run also on Medetec (another
clinic's photographs). Nothing in the recipe changes but the budget, the device and the data folder.

    python benchmarks/gpu_recipes.py --data ../shared/datasets --minutes 5 --out gpu \\
        configs/medclipseg-lite-fuseg.yaml configs/medclipseg-lite-ph2.yaml

Writes ``OUT/gpu_recipes.json`` (one row per recipe: epochs, budget, val Dice each way, the
machine) and keeps each run's training log and evaluation summaries under ``OUT``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import yaml

CROSS = {"fuseg": [("medetec", "all")]}  # other clinics' pictures of the same target, scored whole


def _dice(summary: Path) -> float | None:
    if not summary.is_file():
        return None
    metrics = json.loads(summary.read_text())["metrics"]
    dice = metrics.get("dice")
    return dice.get("mean") if isinstance(dice, dict) else dice


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", type=Path)
    ap.add_argument("--data", type=Path, required=True, help="folder holding the datasets (fuseg/, ph2/, ...)")
    ap.add_argument("--minutes", type=float, required=True, help="wall-clock budget of each run (optim.max_time_min)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=None, help="data loader workers per run (default: cores / runs)")
    ap.add_argument("--device", default="cuda", help="cuda (default), or cpu for a dry run")
    ap.add_argument("--set", action="append", default=[], help="more overrides for every run (key=value)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    workers = args.workers if args.workers is not None else max(1, (os.cpu_count() or 2) // len(args.configs) - 1)
    py = [sys.executable, "-m", "medvlseg"]

    jobs = []
    for cfg in args.configs:
        dataset = Path(yaml.safe_load(cfg.read_text())["data"]["path"]).name
        name = f"gpu-{cfg.stem}"
        cmd = py + ["train", "--config", str(cfg), "--out", str(args.out / "runs"), "--set", f"name={name}",
                    "--set", f"optim.max_time_min={args.minutes}", "--set", f"trainer.accelerator={'cpu' if args.device == 'cpu' else 'gpu'}",
                    "--set", f"data.path={args.data / dataset}", "--set", f"data.num_workers={workers}"]
        for extra in args.set:
            cmd += ["--set", extra]
        log = open(args.out / f"{name}.train.log", "w")
        jobs.append((cfg, dataset, name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), time.time()))
        print("started", " ".join(cmd), flush=True)
    rows, scoring = [], []
    for cfg, dataset, name, proc, t0 in jobs:
        rc = proc.wait()
        wall = time.time() - t0
        run = args.out / "runs" / name
        print(f"{name}: rc {rc}, {wall:.0f} s", flush=True)
        row = {"config": str(cfg), "dataset": dataset, "run": name, "train_rc": rc, "train_wall_s": wall, "minutes": args.minutes}
        meta = run / "metadata.json"
        if meta.is_file():
            m = json.loads(meta.read_text())
            row["metadata"] = {k: m.get(k) for k in ("status", "epochs_completed", "best_epoch", "steps", "train_time_s", "best_metrics", "presence_calibration") if k in m}
        evals = [("val", dataset, "val", []), ("val-no-rule", dataset, "val", ["--presence-threshold", "0"]),
                 ("val-tta-no-rule", dataset, "val", ["--tta", "dihedral", "--presence-threshold", "0"])]
        evals += [(f"{other}-no-rule", other, split, ["--presence-threshold", "0"]) for other, split in CROSS.get(dataset, [])]
        for label, ds, split, extra in evals:  # all scored at once: each is a short GPU job
            dest = args.out / f"eval-{name}-{label}"
            cmd = py + ["evaluate", str(run), "--data", str(args.data / ds), "--split", split, "--device", args.device, "--out", str(dest)] + extra
            scoring.append((row, label, dest, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        rows.append(row)
    for row, label, dest, proc in scoring:
        output = proc.communicate()[0]
        if proc.returncode != 0:
            print(f"{row['run']} evaluate {label}: failed\n{output[-1500:]}", flush=True)
        row[f"dice_{label}"] = _dice(dest / "summary.json")
        print(f"{row['run']} {label}: dice {row[f'dice_{label}']}", flush=True)
    import torch

    result = {"command": " ".join(sys.argv), "rows": rows,
              "machine": {"gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None, "torch": torch.__version__,
                          "python": platform.python_version(), "nproc": os.cpu_count(), "workers_per_run": workers}}
    from medvlseg.utils import atomic_write_json

    atomic_write_json(args.out / "gpu_recipes.json", result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
