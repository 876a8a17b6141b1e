"""Reporting a suite: the cells' results aggregated over seeds (mean and sample sd per metric),
written as ``results.csv`` and ``results.md`` (with the command and the machine), and the plots
(Dice against annotation fraction, in- against out-of-distribution Dice, Dice change per prompt
perturbation), drawn with the evaluation figures' Agg helpers."""

from __future__ import annotations

import csv
import io
import math
import shlex
from pathlib import Path
from typing import Any

from ..utils import atomic_write_text
from .plan import ID_SET, fmt_num

__all__ = ["GROUP", "METRICS", "aggregate", "write_results"]

METRICS = ("dice", "iou", "hd95", "ece", "empty_correct")  # empty_correct: share of target-free images predicted empty
GROUP = ("model", "dataset", "prompt_type", "fraction", "eval_set", "perturbation")


def aggregate(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (model, dataset, prompt type, fraction, eval set, perturbation): each metric's
    mean and sample sd (ddof=1; None for one seed) over seeds, the number of seeds, and the mean
    train wall time and epochs of those seeds' runs."""
    import numpy as np

    groups: dict[tuple, list[tuple[dict, dict]]] = {}
    for rec in records:
        for ev in rec["evals"]:
            key = (rec["model"], rec["dataset"], rec["prompt_type"], rec["fraction"], ev["eval_set"], ev["perturbation"])
            groups.setdefault(key, []).append((rec, ev))
    rows = []
    for key, items in groups.items():
        row: dict[str, Any] = dict(zip(GROUP, key))
        row["n_seeds"] = len({rec["seed"] for rec, _ in items})
        for metric in METRICS:
            vals = np.array([ev[metric] for _, ev in items if ev.get(metric) is not None and math.isfinite(ev[metric])])
            row[f"{metric}_mean"] = float(vals.mean()) if vals.size else None
            row[f"{metric}_sd"] = float(vals.std(ddof=1)) if vals.size >= 2 else None
        tr = [rec["train"] for rec, _ in items]
        walls = [t.get("wall_s") if t.get("wall_s") is not None else t.get("train_time_s") for t in tr]
        walls = [w for w in walls if w is not None]
        row["train_s_mean"] = float(np.mean(walls)) if walls else None
        epochs = [t["epochs"] for t in tr if t.get("epochs") is not None]
        row["epochs_mean"] = float(np.mean(epochs)) if epochs else None
        row["device"] = ",".join(sorted({str(t.get("device")) for t in tr}))
        rows.append(row)
    return rows


def fmt(x: float | None, d: int = 3) -> str:
    """``x`` with ``d`` decimals, or ``-`` for None / not finite."""
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{d}f}"


def _pm(row: dict[str, Any], metric: str, d: int = 3) -> str:
    mean, sd = row.get(f"{metric}_mean"), row.get(f"{metric}_sd")
    if mean is None:
        return "-"
    return f"{mean:.{d}f} ± {sd:.{d}f}" if sd is not None else f"{mean:.{d}f}"


def write_results(out: Path, rows: list[dict[str, Any]], suite: Any, machine: dict[str, Any], command: str | None) -> list[Path]:
    """Write ``out/results.csv``, the plots and ``out/results.md`` (``suite``: the Suite); returns the plots."""
    cols = [*GROUP, "n_seeds", *(f"{m}_{s}" for m in METRICS for s in ("mean", "sd")), "train_s_mean", "epochs_mean", "device"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in cols})
    atomic_write_text(out / "results.csv", buf.getvalue())

    plots = _plots(rows, out / "plots", suite.name)
    cmd = command or f"medvlseg benchmark --suite <{suite.name}> --out {shlex.quote(str(out))}"
    hw = f"GPU {machine['gpu']}" if machine["gpu"] else "CPU only"
    lines = [
        f"### Benchmark suite `{suite.name}`", "",
        f"Command: `{cmd}`  ",
        f"Machine: {machine['cpu']}, {machine['cpu_count']} cores, {machine['torch_threads']} torch threads, {hw}; "
        f"torch {machine['torch']}, Python {machine['python']}  ",
        f"Evaluation: split `{suite.evaluate.split}`; metrics are means over images of each evaluated set, then mean ± sd "
        "over seeds (sd only with 2+ seeds). HD95 in pixels (mm where spacing is known); ECE pooled over pixels.", "",
        "| model | dataset | prompt | fraction | eval set | perturbation | seeds | Dice | IoU | HD95 | ECE | empty predicted empty | train s | epochs | device |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['dataset']} | {r['prompt_type']} | {fmt_num(r['fraction'])} | {r['eval_set']} | "
            f"{r['perturbation'] or 'none'} | {r['n_seeds']} | {_pm(r, 'dice')} | {_pm(r, 'iou')} | {_pm(r, 'hd95', 1)} | "
            f"{_pm(r, 'ece', 4)} | {_pm(r, 'empty_correct', 2)} | {fmt(r['train_s_mean'], 0)} | {fmt(r['epochs_mean'], 1)} | {r['device']} |"
        )
    if plots:
        lines += ["", "Plots: " + ", ".join(f"`{p.relative_to(out)}`" for p in plots)]
    atomic_write_text(out / "results.md", "\n".join(lines) + "\n")
    return plots


def _plots(rows: list[dict[str, Any]], plot_dir: Path, title: str) -> list[Path]:
    """Dice vs fraction (>1 fraction), in- vs out-of-distribution Dice (OOD sets), Dice change per perturbation."""
    import numpy as np

    from ..evaluation.figures import new_figure, save_png

    written = []
    clean_id = [r for r in rows if r["eval_set"] == ID_SET and r["perturbation"] is None]

    # Dice against annotation fraction, one line per (model, dataset, prompt type)
    lines: dict[tuple, list[dict]] = {}
    for r in clean_id:
        lines.setdefault((r["model"], r["dataset"], r["prompt_type"]), []).append(r)
    if len({r["fraction"] for r in clean_id}) > 1:
        fig = new_figure(6, 4)
        ax = fig.add_subplot()
        for (model, ds, pt), rs in sorted(lines.items()):
            rs = sorted((r for r in rs if r["dice_mean"] is not None), key=lambda r: r["fraction"])
            if not rs:
                continue
            ax.errorbar([r["fraction"] for r in rs], [r["dice_mean"] for r in rs], yerr=[r["dice_sd"] or 0 for r in rs],
                        marker="o", capsize=3, label=f"{model} ({ds}, {pt})")
        ax.set_xscale("log")
        ax.minorticks_off()  # otherwise log-scale minor ticks label themselves "2x10^-1" between the fractions
        fr = sorted({r["fraction"] for r in clean_id})
        ax.set_xticks(fr, [fmt_num(f) for f in fr])
        ax.set(xlabel="annotation fraction of train", ylabel="val Dice", title=f"{title}: Dice against annotation fraction")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        written.append(save_png(fig, plot_dir / "dice_vs_fraction.png"))

    # in-distribution against out-of-distribution Dice (grouped bars per model)
    ood_sets = sorted({r["eval_set"] for r in rows if r["perturbation"] is None and r["eval_set"] != ID_SET and "/" not in r["eval_set"]})
    if ood_sets:
        keys = sorted({(r["model"], r["dataset"], r["prompt_type"], r["fraction"]) for r in clean_id})
        sets = [ID_SET, *ood_sets]
        index = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"], r["eval_set"]): r for r in rows if r["perturbation"] is None}
        fig = new_figure(max(5, 1.4 * len(keys)), 4)
        ax = fig.add_subplot()
        width = 0.8 / len(sets)
        for j, s in enumerate(sets):
            vals = [index.get((*k, s), {}).get("dice_mean") for k in keys]
            sds = [index.get((*k, s), {}).get("dice_sd") or 0 for k in keys]
            ax.bar(np.arange(len(keys)) + j * width, [v if v is not None else 0 for v in vals], width, yerr=sds, capsize=3,
                   label=f"{s} (in distribution)" if s == ID_SET else f"{s} (out of distribution)")
        ax.set_xticks(np.arange(len(keys)) + width * (len(sets) - 1) / 2, [f"{k[0]}\n{k[1]}" for k in keys], fontsize=8)
        ax.set(ylabel="Dice", ylim=(0, 1), title=f"{title}: in- vs out-of-distribution Dice")
        ax.legend(fontsize=8)
        written.append(save_png(fig, plot_dir / "id_vs_ood.png"))

    # Dice change (perturbed - clean) per perturbation
    perts = sorted({r["perturbation"] for r in rows if r["perturbation"] is not None and r["eval_set"] == ID_SET})
    if perts:
        clean = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"]): r for r in clean_id}
        keys = sorted(clean)
        pert = {(r["model"], r["dataset"], r["prompt_type"], r["fraction"], r["perturbation"]): r
                for r in rows if r["eval_set"] == ID_SET and r["perturbation"] is not None}
        fig = new_figure(max(5, 1.2 * len(perts) * max(1, len(keys)) / 2), 4)
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(keys))
        for j, k in enumerate(keys):
            base = clean[k]["dice_mean"]
            deltas = [(pert.get((*k, p), {}).get("dice_mean") or 0) - base if base is not None else 0 for p in perts]
            ax.bar(np.arange(len(perts)) + j * width, deltas, width, label=f"{k[0]} ({k[1]})")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(np.arange(len(perts)) + width * (len(keys) - 1) / 2, perts)
        ax.set(ylabel="Dice change (perturbed - clean)", title=f"{title}: prompt perturbations")
        ax.legend(fontsize=8)
        written.append(save_png(fig, plot_dir / "perturbation_dice_change.png"))
    return written
