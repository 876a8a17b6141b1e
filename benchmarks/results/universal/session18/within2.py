import json, sys
d = json.load(open(sys.argv[1]))
where = {"foot ulcer": "fuseg", "skin lesion": "ph2", "polyp": "polypgen"}
canon = {p["target"]: p["prompt"] for p in d["prompts"] if p["kind"] == "canonical"}
n = ok = 0
for p in d["prompts"]:
    if p["kind"] != "paraphrase": continue
    ds = where.get(p["target"], "jsrt")
    cell, ref = d["matrix"][ds][p["prompt"]], d["matrix"][ds][canon[p["target"]]]
    get = lambda c: c["dice"] if isinstance(c, dict) else c
    a, b = get(cell), get(ref)
    n += 1; ok += (b - a) <= 0.02
    if (b - a) > 0.02: print(f"miss {p['target']}: {a:.3f} vs {b:.3f} | {p['prompt']}")
print(f"within 2 Dice points: {ok} of {n}"); print(d["by_kind"])
