"""How prompts are resolved to a model's targets (medvlseg.prompts.resolve), without any image: for
each paraphrase of a prompt list (the cross-prompt format) and for generated nonsense, the target it is
given to the model as, its similarity and the runner-up's. Tells whether the thresholds hold: every
paraphrase resolved to its own target, no nonsense resolved to any.

    python benchmarks/prompt_resolution.py runs/medclipseg-lite-universal                       # default list
    python benchmarks/prompt_resolution.py runs/medclipseg-lite-universal --prompts benchmarks/prompts/heldout-paraphrases.yaml
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="a run directory (its record's targets and its backbone's text tower)")
    ap.add_argument("--prompts", help="cross-prompt YAML (default: the cross-prompt evaluation's default list)")
    ap.add_argument("--nonsense", type=int, default=200, help="generated nonsense prompts to try")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args(argv)

    import medvlseg
    from medvlseg.evaluation.cross_prompts import load_prompt_spec
    from medvlseg.prompts.negatives import nonsense_prompt

    seg = medvlseg.load(args.run, device="cpu")
    if seg.resolver is None:
        raise SystemExit(f"{args.run}: no resolver (no targets in its record, or a random text tower)")
    spec = load_prompt_spec(args.prompts, seg.resolver.targets)
    rows = []
    for target, paraphrases in spec.targets.items():
        for p in [target, *paraphrases]:
            r = seg.resolver.resolve(p)
            rows.append({"prompt": p, "meant": target, "given_as": r.model_prompt, "similarity": r.similarity, "runner_up": r.runner_up})
    rng = np.random.default_rng(0)
    nonsense = list(dict.fromkeys([*spec.nonsense, *(nonsense_prompt(rng) for _ in range(args.nonsense))]))
    wrong = [seg.resolver.resolve(p) for p in nonsense]
    wrong = [r for r in wrong if r.target is not None]
    print("| prompt | meant | given to the model as | similarity | runner-up |\n|---|---|---|---|---|")
    for r in rows:
        sim = "-" if r["similarity"] is None else f"{r['similarity']:.3f}"
        run = "-" if r["runner_up"] is None else f"{r['runner_up']:.3f}"
        note = "" if r["given_as"] in (r["meant"], r["prompt"]) else " (another target)"
        if r["given_as"] == r["prompt"] and r["prompt"] != r["meant"]:
            note = " (unchanged: names a target)" if r["similarity"] is None else " (unchanged)"
        print(f"| {r['prompt']} | {r['meant']} | {r['given_as']}{note} | {sim} | {run} |")
    paraphrases = [r for r in rows if r["prompt"] != r["meant"]]
    print(f"\nparaphrases given as their own target: {sum(r['given_as'] == r['meant'] for r in paraphrases)} of {len(paraphrases)}; "
          f"given as another target: {sum(r['given_as'] not in (r['meant'], r['prompt']) for r in paraphrases)}; "
          f"nonsense resolved to a target: {len(wrong)} of {len(nonsense)}" + (f" ({', '.join(r.prompt for r in wrong[:5])})" if wrong else ""))
    if args.json:
        from medvlseg.utils import atomic_write_json

        atomic_write_json(args.json, {"rows": rows, "nonsense": len(nonsense), "nonsense_resolved": [r.prompt for r in wrong],
                                      "command": " ".join(sys.argv)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
