"""The tables of BENCHMARKS.md's "one model for every target" section, from `medvlseg evaluate`
outputs: each dataset's val Dice with its own target name for the per-dataset models and for one or
more universal models, and the cross-prompt goals (other targets' names and nonsense called absent,
target-free images called absent, each paraphrase against the name on the same images).

    python benchmarks/universal_tables.py \
        --model "per-dataset=eval/fuseg-sel,eval/ph2-sel,eval/polypgen-sel,eval/jsrt" \
        --model "universal=eval/univ-fuseg,eval/univ-ph2,eval/univ-polypgen,eval/univ-jsrt" \
        --cross "universal=eval/univ-cross" --cross "universal, held-out paraphrases=eval/univ-cross-heldout"

The first --model is the reference of the "difference" columns.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

TARGET_FREE = ("fuseg", "polypgen")  # the sets with target-free val images


def dice_by_dataset(folders: list[str]) -> dict[str, dict]:
    out = {}
    for f in folders:  # an evaluate output folder, or its summary.json saved elsewhere
        path = Path(f) if Path(f).is_file() else Path(f) / "summary.json"
        s = json.loads(path.read_text())
        out[s["dataset"]] = {"dice": s["metrics"]["dice"]["mean"], "sd": s["metrics"]["dice"]["std"], "n": s["n"]}
    return out


def dice_table(models: list[tuple[str, dict[str, dict]]]) -> str:
    ref_name, ref = models[0]
    datasets = sorted({d for _, m in models for d in m})
    head = ["dataset (val)"] + [name for name, _ in models] + [f"{name} - {ref_name}" for name, _ in models[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for d in datasets:
        cells = [f"{d} ({ref.get(d, {}).get('n', '?')})"]
        cells += [f"{m[d]['dice']:.3f} ± {m[d]['sd']:.3f}" if d in m else "-" for _, m in models]
        cells += [f"{100 * (m[d]['dice'] - ref[d]['dice']):+.1f}" if d in m and d in ref else "-" for _, m in models[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cross_summary(folder: str) -> dict:
    """The goals of the cross-prompt evaluation from one ``cross_prompts.json``."""
    path = Path(folder) if Path(folder).is_file() else Path(folder) / "cross_prompts.json"
    d = json.loads(path.read_text())
    k = d["by_kind"]
    matrix = d["matrix"]
    own = {}  # dataset -> the canonical target present in it
    for ds, row in matrix.items():
        for prompt, cell in row.items():
            if cell["kind"] == "canonical" and cell["n_present"]:
                own.setdefault(ds, []).append(prompt)
    free_n = free_absent = 0
    for ds in TARGET_FREE:
        for prompt in own.get(ds, []):
            cell = matrix.get(ds, {}).get(prompt)
            if cell and cell["n_absent"]:
                free_n += cell["n_absent"]
                free_absent += round(cell["called_absent"] * cell["n_absent"])
    paraphrases = []
    for ds, row in matrix.items():
        for prompt, cell in row.items():
            if cell["kind"] == "paraphrase" and cell["n_present"]:
                canon = row[cell["target"]]
                paraphrases.append({"dataset": ds, "prompt": prompt, "target": cell["target"], "dice": cell["dice"],
                                    "canonical": canon["dice"], "drop": canon["dice"] - cell["dice"]})
    return {"other_targets_absent": k["canonical"]["called_absent_where_absent"], "n_other": k["canonical"]["n_absent"],
            "nonsense_absent": k["nonsense"]["called_absent"], "n_nonsense": k["nonsense"]["n"],
            "target_free": (free_absent, free_n), "paraphrases": paraphrases}


def cross_table(named: list[tuple[str, dict]]) -> str:
    lines = ["| | goal | " + " | ".join(n for n, _ in named) + " |", "|---|---|" + "---|" * len(named)]
    def share(x: float | None, n: int) -> str:
        return "-" if x is None else f"{100 * x:.1f} % (of {n})"  # (a list of decoys asks no target by name)

    lines.append("| another target's name called absent | >= 95 % | " + " | ".join(
        share(c["other_targets_absent"], c["n_other"]) for _, c in named) + " |")
    lines.append("| nonsense called absent | >= 90 % | " + " | ".join(
        share(c["nonsense_absent"], c["n_nonsense"]) for _, c in named) + " |")
    lines.append("| target-free val images called absent (fuseg, polypgen) | >= 90 % | " + " | ".join(
        f"{c['target_free'][0]} of {c['target_free'][1]}" for _, c in named) + " |")
    lines.append("| paraphrases within 2 Dice points of the name | all | " + " | ".join(
        f"{sum(p['drop'] <= 0.02 for p in c['paraphrases'])} of {len(c['paraphrases'])}" for _, c in named) + " |")
    out = ["\n".join(lines)]
    for name, c in named:
        rows = ["| paraphrase | dataset | Dice | the name's Dice | drop |", "|---|---|---|---|---|"]
        rows += [f"| \"{p['prompt']}\" ({p['target']}) | {p['dataset']} | {p['dice']:.3f} | {p['canonical']:.3f} | "
                 f"{100 * p['drop']:+.1f} |" for p in sorted(c["paraphrases"], key=lambda p: (p["dataset"], p["prompt"]))]
        out.append(f"**{name}**: paraphrases\n\n" + "\n".join(rows))
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=[], help="NAME=EVAL,EVAL,... (one per dataset: a folder or its summary.json)")
    ap.add_argument("--cross", action="append", default=[], help="NAME=CROSS_PROMPTS (a folder or its cross_prompts.json)")
    a = ap.parse_args(argv)
    if a.model:
        models = [(spec.split("=", 1)[0], dice_by_dataset(spec.split("=", 1)[1].split(","))) for spec in a.model]
        print(dice_table(models), end="\n\n")
    if a.cross:
        print(cross_table([(spec.split("=", 1)[0], cross_summary(spec.split("=", 1)[1])) for spec in a.cross]))


if __name__ == "__main__":
    main()
