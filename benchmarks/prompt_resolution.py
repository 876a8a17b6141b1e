"""How prompts are resolved to a model's targets (medvlseg.prompts.resolve), without any image: for
each paraphrase of a prompt list (the cross-prompt format) and for generated nonsense, the target it is
given to the model as, its similarity and the runner-up's. Tells whether the thresholds hold: every
paraphrase resolved to its own target, no nonsense resolved to any.

    python benchmarks/prompt_resolution.py runs/medclipseg-lite-universal                       # default list
    python benchmarks/prompt_resolution.py runs/medclipseg-lite-universal --prompts benchmarks/prompts/heldout-paraphrases.yaml
    python benchmarks/prompt_resolution.py RUN --prompts LIST1.yaml --prompts LIST2.yaml --nonsense 1000 --json out.json   # several lists
    python benchmarks/prompt_resolution.py --lite --prompts benchmarks/prompts/heldout-paraphrases-48.yaml   # no run directory

``--lite`` reads without a run: the resolver of the universal recipe's model (names only, on the `lite` text
tower, the eight targets of fuseg, ph2, polypgen and jsrt with those datasets' kinds of picture), built from
the backbone alone; the same readings as the run's, since a resolver depends on its text tower, targets and
modalities only.

A list with no targets (decoys) counts how many of its prompts resolve to a target: none should.
A prompt left to the image (a finding asked for by an everyday word: "the spot") is counted apart,
with the targets the image will decide between ("left to the image: skin lesion|polyp"); for a
paraphrase it counts as its own when its target is among them, for a decoy as a possible hit.
A prompt refused (a names-only model asked for something else in words that name its target: "the
healthy skin around the ulcer") is counted too: the segmenter calls it absent.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


# the universal recipe's targets, by the shared dataset that holds them (configs/medclipseg-lite-universal.yaml)
UNIVERSAL = {"fuseg": ["foot ulcer"], "ph2": ["skin lesion"], "polypgen": ["polyp"],
             "jsrt": ["left lung", "right lung", "left clavicle", "right clavicle", "heart"]}


class _Universal:
    """What the readings need of a loaded universal model: its resolver, built by the loader's own
    `resolver_for` from the lite backbone and a record of the recipe's targets (names only, `p1`) and
    their kinds of picture."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        from medvlseg.backbones.base import build_backbone
        from medvlseg.data.modality import dataset_modality
        from medvlseg.prompts.resolve import resolver_for

        record = SimpleNamespace(targets=[t for ts in UNIVERSAL.values() for t in ts], prompt_type="p1", presence_thresholds=None,
                                 modalities={t: sorted(dataset_modality(None, d)) for d, ts in UNIVERSAL.items() for t in ts})
        self.resolver = resolver_for(SimpleNamespace(record=record, backbone=build_backbone("lite")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", nargs="?", help="a run directory (its record's targets and its backbone's text tower)")
    ap.add_argument("--lite", action="store_true", help="no run: the universal recipe's resolver built from the lite backbone")
    ap.add_argument("--prompts", action="append", help="cross-prompt YAML (default: the cross-prompt evaluation's default list); repeat for several")
    ap.add_argument("--nonsense", type=int, default=200, help="generated nonsense prompts to try")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args(argv)

    import medvlseg
    from medvlseg.evaluation.cross_prompts import load_prompt_spec
    from medvlseg.prompts.negatives import nonsense_prompt

    if args.lite == bool(args.run):
        ap.error("give a run directory or --lite")
    seg = _Universal() if args.lite else medvlseg.load(args.run, device="cpu")
    if seg.resolver is None:
        raise SystemExit(f"{args.run}: no resolver (no targets in its record, or a random text tower)")
    lists, summary, listed_nonsense = {}, [], []
    for path in args.prompts or [None]:
        spec = load_prompt_spec(path, seg.resolver.targets)
        name = path or "default"
        rows = []
        for target, paraphrases in spec.targets.items():
            for p in [target, *paraphrases]:
                r = seg.resolver.resolve(p)
                rows.append({"prompt": p, "meant": target, "given_as": r.model_prompt, "similarity": r.similarity, "runner_up": r.runner_up,
                             "left_to_image": list(r.candidates), "refused": r.refused})
        listed_nonsense += spec.nonsense if spec.targets else []
        decoys = [{"prompt": p, "given_as": (r := seg.resolver.resolve(p)).model_prompt, "target": r.target, "similarity": r.similarity,
                   "left_to_image": list(r.candidates), "refused": r.refused} for p in ([] if spec.targets else spec.nonsense)]
        print(f"\n## {name}\n\n| prompt | meant | given to the model as | similarity | runner-up |\n|---|---|---|---|---|")
        for r in rows:
            sim = "-" if r["similarity"] is None else f"{r['similarity']:.3f}"
            run = "-" if r["runner_up"] is None else f"{r['runner_up']:.3f}"
            note = "" if r["given_as"] in (r["meant"], r["prompt"]) else " (another target)"
            if r["given_as"] == r["prompt"] and r["prompt"] != r["meant"]:
                note = " (unchanged: names a target)" if r["similarity"] is None else " (unchanged)"
            if r["left_to_image"]:
                note = f" (left to the image: {'|'.join(r['left_to_image'])})"
            print(f"| {r['prompt']} | {r['meant']} | {r['given_as']}{note} | {sim} | {run} |")
        for d in decoys:
            sim = "-" if d["similarity"] is None else f"{d['similarity']:.3f}"
            note = " (a target)" if d["target"] else (f" (left to the image: {'|'.join(d['left_to_image'])})" if d["left_to_image"] else "")
            print(f"| {d['prompt']} | (none) | {d['given_as']}{note} | {sim} | |")
        paraphrases = [r for r in rows if r["prompt"] != r["meant"]]
        if decoys:
            line = (f"{name}: decoys resolved to a target: {sum(d['target'] is not None for d in decoys)} of {len(decoys)}; "
                    f"left to the image: {sum(bool(d['left_to_image']) for d in decoys)}; refused: {sum(d['refused'] for d in decoys)}")
        else:
            line = (f"{name}: paraphrases given as their own target: {sum(r['given_as'] == r['meant'] for r in paraphrases)} of {len(paraphrases)}; "
                    f"left to the image with their own among the candidates: {sum(r['meant'] in r['left_to_image'] for r in paraphrases)}; "
                    f"given as another target: {sum(r['given_as'] not in (r['meant'], r['prompt']) for r in paraphrases)}; "
                    f"refused: {sum(r['refused'] for r in paraphrases)}")
        summary.append(line)
        lists[name] = {"rows": rows, "decoys": decoys, "summary": line}
    rng = np.random.default_rng(0)
    nonsense = list(dict.fromkeys([*listed_nonsense, *(nonsense_prompt(rng) for _ in range(args.nonsense))]))
    wrong = [r for r in (seg.resolver.resolve(p) for p in nonsense) if r.target is not None or r.candidates]
    summary.append(f"nonsense (the lists' own and generated) resolved to a target or left to the image: {len(wrong)} of {len(nonsense)}" + (f" ({', '.join(r.prompt for r in wrong[:5])})" if wrong else ""))
    print("\n" + "\n".join(summary))
    if args.json:
        from medvlseg.utils import atomic_write_json

        atomic_write_json(args.json, {"lists": lists, "nonsense": len(nonsense), "nonsense_resolved": [r.prompt for r in wrong],
                                      "summary": summary, "command": " ".join(sys.argv)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
