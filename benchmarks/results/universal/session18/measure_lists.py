"""Resolution of several prompt lists with one load: own / wrong / unchanged per list, misses printed."""
import json, sys
import numpy as np
import medvlseg
from medvlseg.evaluation.cross_prompts import load_prompt_spec
from medvlseg.prompts.negatives import nonsense_prompt

run, out, *lists = sys.argv[1:]
seg = medvlseg.load(run, device="cpu")
R = seg.resolver
res = {}
for path in lists:
    spec = load_prompt_spec(None if path == "default" else path, R.targets)
    rows = []
    for target, ps in spec.targets.items():
        for p in ps:
            r = R.resolve(p)
            rows.append(dict(prompt=p, meant=target, given=r.model_prompt, target=r.target, sim=r.similarity, ru=r.runner_up))
    dec = []
    if not spec.targets:
        for p in spec.nonsense:
            r = R.resolve(p)
            dec.append(dict(prompt=p, target=r.target, sim=r.similarity))
    own = sum(x["target"] == x["meant"] or (x["given"] == x["meant"]) for x in rows)
    wrong = [x for x in rows if x["target"] not in (None, x["meant"])]
    res[path] = dict(rows=rows, decoys=dec)
    name = path.split("/")[-1]
    if rows:
        print(f"{name}: own {own}/{len(rows)} wrong {len(wrong)}")
        for x in rows:
            if x["target"] != x["meant"] and x["given"] != x["meant"]:
                s = "-" if x["sim"] is None else f"{x['sim']:.3f}"
                print(f"   {'WRONG->'+x['target'] if x['target'] else 'miss'} [{x['meant']}] {s} | {x['prompt']}")
    else:
        bad = [d for d in dec if d["target"]]
        print(f"{name}: decoys resolved {len(bad)}/{len(dec)}")
        for d in bad: print(f"   RESOLVED->{d['target']} {d['sim']} | {d['prompt']}")
rng = np.random.default_rng(0)
ns = list(dict.fromkeys(nonsense_prompt(rng) for _ in range(800)))
bad = [p for p in ns if R.resolve(p).target]
print(f"nonsense resolved {len(bad)}/{len(ns)}", bad[:5])
json.dump(res, open(out, "w"), indent=1)
