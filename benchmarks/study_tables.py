"""The study tables of BENCHMARKS.md, composed from the ``results.csv`` of benchmark suite runs.

Each suite writes its own table (``results.md``); the papers' comparisons cut across suites (pooled
training against the per-dataset runs of the fine-tuning suite, the data-efficiency curve ending at
the full-data fine-tuning run), so this script joins them. Give any subset of the folders:

    python benchmarks/study_tables.py --finetune benchmarks/results/studies/finetune \
        --pooled benchmarks/results/studies/pooled --data-efficiency benchmarks/results/studies/data_efficiency \
        --prompts benchmarks/results/studies/prompt_robustness
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

MODEL_ORDER = ["medclipseg", "clipseg", "biomedclipseg", "cris", "unet", "ensemble"]


def read(folder: Path | None) -> list[dict[str, str]]:
    if folder is None:
        return []
    with open(Path(folder) / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def num(row: dict[str, str] | None, key: str) -> float | None:
    if row is None or row.get(key, "") == "":
        return None
    return float(row[key])


def fmt(x: float | None, d: int = 3) -> str:
    return "–" if x is None else f"{x:.{d}f}"


def _order(models: set[str]) -> list[str]:
    return sorted(models, key=lambda m: (MODEL_ORDER.index(m) if m in MODEL_ORDER else len(MODEL_ORDER), m))


def _find(rows: list[dict[str, str]], **match: str) -> dict[str, str] | None:
    return next((r for r in rows if all(r.get(k, "") == v for k, v in match.items())), None)


def finetune_table(rows: list[dict[str, str]]) -> list[str]:
    """Validation Dice per model (rows) and dataset (columns), with epochs reached."""
    rows = [r for r in rows if r["eval_set"] == "val" and r["perturbation"] == "" and r["fraction"] in ("1", "1.0")]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    out = ["| model | " + " | ".join(f"{d} Dice (epochs)" for d in datasets) + " | mean |",
           "|---|" + "---|" * (len(datasets) + 1)]
    for m in _order({r["model"] for r in rows}):
        cells, vals = [], []
        for d in datasets:
            r = _find(rows, model=m, dataset=d)
            v = num(r, "dice_mean")
            vals.append(v)
            cells.append(f"{fmt(v)} ({fmt(num(r, 'epochs_mean'), 0)})" if r else "–")
        mean = sum(vals) / len(vals) if vals and all(v is not None for v in vals) else None
        out.append(f"| {m} | " + " | ".join(cells) + f" | {fmt(mean)} |")
    return out


def pooled_table(finetune: list[dict[str, str]], pooled: list[dict[str, str]]) -> list[str]:
    """Per-dataset validation Dice: the model trained on that dataset alone against the model trained
    on the pool, scored on the same images."""
    out = ["| model | dataset | trained on it alone | trained on the pool | pooled − alone |", "|---|---|---|---|---|"]
    pool_rows = [r for r in pooled if r["eval_set"].startswith("val/") and r["perturbation"] == ""]
    for m in _order({r["model"] for r in pool_rows}):
        for r in (x for x in pool_rows if x["model"] == m):
            name = r["eval_set"].split("/", 1)[1]
            alone = num(_find(finetune, model=m, dataset=name, eval_set="val", perturbation=""), "dice_mean")
            both = num(r, "dice_mean")
            delta = None if alone is None or both is None else both - alone
            out.append(f"| {m} | {name} | {fmt(alone)} | {fmt(both)} | {'–' if delta is None else f'{delta:+.3f}'} |")
    return out


def _fraction_rows(finetune: list[dict[str, str]], fractions: list[dict[str, str]], dataset: str) -> tuple[list[dict[str, str]], list[str]]:
    """The unperturbed val rows of ``dataset`` from the fraction suite and the fine-tuning suite (its
    full-data cells), and the fraction suite's models in table order."""
    rows = [r for r in fractions + finetune if r["eval_set"] == "val" and r["perturbation"] == "" and r["dataset"] == dataset]
    return rows, _order({r["model"] for r in fractions if r["dataset"] == dataset})


def data_efficiency_table(finetune: list[dict[str, str]], fractions: list[dict[str, str]], dataset: str = "fuseg") -> list[str]:
    """Validation Dice per annotation fraction (epochs reached in the budget), and each as a share of
    the full-data Dice (the fine-tuning suite's cell, same budget)."""
    rows, models = _fraction_rows(finetune, fractions, dataset)
    fracs = sorted({float(r["fraction"]) for r in rows})
    parts = [f"{f:g}" for f in fracs] + [f"{f:g} / 1" for f in fracs if f < 1.0]
    out = ["| model | " + " | ".join(parts) + " |", "|---|" + "---|" * len(parts)]
    for m in models:
        by = {float(r["fraction"]): r for r in rows if r["model"] == m}
        dice = {f: num(by.get(f), "dice_mean") for f in fracs}
        full = dice.get(1.0)
        cells = ["–" if dice[f] is None else f"{fmt(dice[f])} ({fmt(num(by[f], 'epochs_mean'), 0)})" for f in fracs]
        cells += ["–" if dice[f] is None or not full else f"{100 * dice[f] / full:.0f} %" for f in fracs if f < 1.0]
        out.append(f"| {m} | " + " | ".join(cells) + " |")
    return out


def data_efficiency_plot(finetune: list[dict[str, str]], fractions: list[dict[str, str]], path: Path, dataset: str = "fuseg") -> Path:
    """Dice against annotation fraction, the full-data point taken from the fine-tuning suite."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, models = _fraction_rows(finetune, fractions, dataset)
    fig, ax = plt.subplots(figsize=(6, 4))
    for m in models:
        pts = sorted((float(r["fraction"]), num(r, "dice_mean")) for r in rows if r["model"] == m and num(r, "dice_mean") is not None)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=m)
    fr = sorted({float(r["fraction"]) for r in rows})
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(fr, [f"{100 * f:g} %" for f in fr])
    ax.set(xlabel=f"annotation fraction of {dataset} train", ylabel="val Dice", title=f"Data efficiency ({dataset})")
    ax.grid(alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def empty_table(folder: Path) -> list[str]:
    """Validation images without a target: how many each model predicted empty (read from each
    cell's val evaluation, ``evals/<cell>/val/summary.json``)."""
    out = ["| model | dataset | target-free val images | predicted empty |", "|---|---|---|---|"]
    found = []
    for cell in sorted((Path(folder) / "cells").glob("*.json")):
        rec = json.loads(cell.read_text())
        summary = Path(folder) / "evals" / rec["cell"] / "val" / "summary.json"
        if not summary.is_file():
            continue
        empty = json.loads(summary.read_text()).get("empty_gt") or {}
        if empty.get("n"):
            found.append((rec["model"], rec["dataset"], empty["n"], empty["n_pred_empty"]))
    for m in _order({f[0] for f in found}):
        for model, dataset, n, k in (f for f in found if f[0] == m):
            out.append(f"| {model} | {dataset} | {n} | {k} |")
    return out


def prompts_table(rows: list[dict[str, str]]) -> list[str]:
    """Validation Dice under each prompt perturbation, and its change from the unperturbed prompt."""
    rows = [r for r in rows if r["eval_set"] == "val"]
    out = ["| model | trained with | scored with | perturbation | Dice | Δ Dice |", "|---|---|---|---|---|---|"]
    for m in _order({r["model"] for r in rows}):
        base = num(_find(rows, model=m, perturbation=""), "dice_mean")
        for r in (x for x in rows if x["model"] == m):
            v = num(r, "dice_mean")
            delta = None if base is None or v is None else v - base
            out.append(f"| {m} | {r['dataset']}, prompts {r['prompt_type']} | {r['prompt_type']} | {r['perturbation'] or 'none'} | "
                       f"{fmt(v, 4)} | {'–' if delta is None or not r['perturbation'] else f'{delta:+.4f}'} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--finetune", type=Path)
    ap.add_argument("--pooled", type=Path)
    ap.add_argument("--data-efficiency", type=Path)
    ap.add_argument("--prompts", type=Path)
    ap.add_argument("--plot", type=Path, help="write the data-efficiency curve (with the full-data point) here")
    args = ap.parse_args()
    ft = read(args.finetune)
    blocks = []
    if ft:
        blocks.append(("Validation Dice per model and dataset", finetune_table(ft)))
        blocks.append(("Saying \"nothing here\": target-free validation images", empty_table(args.finetune)))
    if args.pooled:
        blocks.append(("Pooled against per-dataset training", pooled_table(ft, read(args.pooled))))
    if args.data_efficiency:
        blocks.append(("Data efficiency (fuseg)", data_efficiency_table(ft, read(args.data_efficiency))))
        if args.plot:
            data_efficiency_plot(ft, read(args.data_efficiency), args.plot)
    if args.prompts:
        blocks.append(("Prompt perturbations", prompts_table(read(args.prompts))))
    for title, lines in blocks:
        print(f"#### {title}\n")
        print("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
