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


def data_efficiency_table(finetune: list[dict[str, str]], fractions: list[dict[str, str]], dataset: str = "fuseg") -> list[str]:
    """Validation Dice per annotation fraction, and as a share of the full-data Dice."""
    rows = [r for r in fractions + finetune if r["eval_set"] == "val" and r["perturbation"] == "" and r["dataset"] == dataset]
    models = _order({r["model"] for r in fractions if r["dataset"] == dataset})
    fracs = sorted({float(r["fraction"]) for r in rows})
    out = ["| model | " + " | ".join(f"{f:g}" for f in fracs) + " | 10 % / 100 % |", "|---|" + "---|" * (len(fracs) + 1)]
    for m in models:
        by = {float(r["fraction"]): num(r, "dice_mean") for r in rows if r["model"] == m}
        ratio = by.get(0.1) / by[1.0] if by.get(0.1) is not None and by.get(1.0) else None
        out.append(f"| {m} | " + " | ".join(fmt(by.get(f)) for f in fracs) + f" | {'–' if ratio is None else f'{100 * ratio:.0f} %'} |")
    return out


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
                       f"{fmt(v)} | {'–' if delta is None or not r['perturbation'] else f'{delta:+.3f}'} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--finetune", type=Path)
    ap.add_argument("--pooled", type=Path)
    ap.add_argument("--data-efficiency", type=Path)
    ap.add_argument("--prompts", type=Path)
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
    if args.prompts:
        blocks.append(("Prompt perturbations", prompts_table(read(args.prompts))))
    for title, lines in blocks:
        print(f"#### {title}\n")
        print("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
