"""Multi-scale test-time augmentation, measured (issue 17, forty-eighth session).

The input at the model's size (B, 3, s, s) is also resized to round(s * scale / 32) * 32, run through
the model with the dihedral TTA, and the probabilities are resized back to s and averaged over the
scales. The presence score stays that of the plain copy. Scored with no presence rule (the masks
alone), on fuseg val and on Medetec (all), for every scale set below; writes multiscale_tta.json.

    python benchmarks/results/ablation/multiscale-48/multiscale_tta.py RUN OUT.json
"""
import json
import sys
import tempfile

import torch
import torch.nn.functional as F

import medvlseg.segmenter as segmenter
from medvlseg.evaluation.evaluate import evaluate

SCALE_SETS = [(1.0,), (1.0, 1.25), (1.0, 1.5), (1.0, 1.25, 1.5), (0.75, 1.0), (0.75, 1.0, 1.25)]
SETS = [("fuseg", "../shared/datasets/fuseg", "val"), ("medetec", "../shared/datasets/medetec", "all")]
plain_probabilities = segmenter.model_probabilities
scales: tuple[float, ...] = (1.0,)


def multiscale_probabilities(model, x, prompts, *, stochastic, samples, tta="none", with_presence=False, presence_rule="peak"):
    s = x.shape[-1]
    probs, present = plain_probabilities(model, x, prompts, stochastic=stochastic, samples=samples, tta=tta,
                                         with_presence=True, presence_rule=presence_rule)  # (B, 1, s, s), (B,)
    parts = [probs] if 1.0 in scales else []
    for scale in scales:
        if scale != 1.0:
            n = int(round(s * scale / 32)) * 32
            xs = F.interpolate(x, size=(n, n), mode="bilinear", align_corners=False)  # (B, 3, n, n)
            p = plain_probabilities(model, xs, prompts, stochastic=stochastic, samples=samples, tta=tta)  # (B, 1, n, n)
            parts.append(F.interpolate(p.float(), size=(s, s), mode="bilinear", align_corners=False))
    probs = torch.stack(parts).mean(0)
    return (probs, present) if with_presence else probs


segmenter.model_probabilities = multiscale_probabilities
run, out = sys.argv[1], sys.argv[2]
rows = []
for scale_set in SCALE_SETS:
    scales = scale_set
    for name, path, split in SETS:
        summary = evaluate(run, out_dir=tempfile.mkdtemp(), data=path, split=split, tta="dihedral", presence_threshold=0.0)
        rows.append({"dataset": name, "split": split, "scales": list(scale_set), "tta": "dihedral",
                     "dice_mean": summary["metrics"]["dice"]["mean"], "dice_pooled": summary["dice_pooled"]["value"],
                     "n": summary["metrics"]["dice"]["n"]})
        print(rows[-1], flush=True)
with open(out, "w") as f:
    json.dump({"run": run, "presence_threshold": 0.0, "rows": rows}, f, indent=1)
