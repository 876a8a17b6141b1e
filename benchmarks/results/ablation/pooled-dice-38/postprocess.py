"""Post-processing of a run's val masks, the FUSeg organisers' kind (holes filled, small regions removed), measured.

    python benchmarks/results/ablation/pooled-dice-38/postprocess.py bench/s38/runs/affine__fuseg__p1__f1__s0 ../shared/datasets/fuseg

The run's masks (dihedral TTA, its own thresholds) are post-processed with scipy.ndimage and scored by
medvlseg's own metrics (per-image mean and pooled Dice), val images identical to a train image left out
as `medvlseg evaluate` does. A measurement, not a feature: it is kept only if it helps.
"""
import sys

import numpy as np
from scipy import ndimage

from medvlseg.checkpoints import model_and_info
from medvlseg.data import SegmentationDataset
from medvlseg.evaluation import SegmentationMetrics
from medvlseg.predict import segment_batch
from medvlseg.segmenter import Segmenter

run, data = sys.argv[1], sys.argv[2]
model, info = model_and_info(run)
seg = Segmenter(model, threshold=info.threshold, device="cpu", tta="dihedral")
full = SegmentationDataset.open(data)
ds, _ = full.split("val").without_copies_of(full.split("train"))


def fill(m):
    return ndimage.binary_fill_holes(m)


def drop_small(m, frac):
    lab, n = ndimage.label(m)
    if n == 0:
        return m
    sizes = ndimage.sum(m, lab, range(1, n + 1))
    keep = sizes >= frac * sizes.max()  # regions smaller than frac of the largest one go
    return np.isin(lab, np.flatnonzero(keep) + 1)


variants = {"none": lambda m: m, "fill holes": fill,
            "drop < 5 % of largest": lambda m: drop_small(m, 0.05), "drop < 10 % of largest": lambda m: drop_small(m, 0.10),
            "fill + drop < 5 %": lambda m: drop_small(fill(m), 0.05), "largest only": lambda m: drop_small(m, 1.0)}
metrics = {k: SegmentationMetrics() for k in variants}
samples = list(ds)
for start in range(0, len(samples), 8):
    chunk = samples[start:start + 8]
    loaded = [ds.load(s) for s in chunk]
    results = segment_batch(seg, [x.image for x in loaded], ["foot ulcer"] * len(chunk), uncertainty=False, samples=1, stochastic=False)
    for s, x, r in zip(chunk, loaded, results):
        for k, f in variants.items():
            metrics[k].update(s.id, f(np.asarray(r.mask, bool)), x.mask)
for k, m in metrics.items():
    sm = m.summary()
    print(f"| {k} | {sm['metrics']['dice']['mean']:.4f} | {sm['dice_pooled']['value']:.4f} | {sm['nonempty_gt']['n_pred_empty']} |")
