"""Could an image-level presence output say "not here" better than the probability map does?

The presence thresholds of the universal models sit at 0.9999 (BENCHMARKS, "Which presence rule"):
read from the map, by its peak or by the mean of its top 1 %, a target-free image asked by name looks
like one with the target, and the threshold that tells them apart empties true masks. Before a
presence head is built into the model and a universal run spent on it, this asks whether the
trained model's own features already separate the two: a logistic regression (a linear probe) on
features of one forward pass, fitted on items of the **train** split (each sample with its own
prompt, and once more with a negative prompt and an empty mask, as the calibration does), scored on
the run's **selection** split (the calibration items; val stays untouched):

- threshold-free: the area under the ROC curve of "the named target is in the image", per score;
- as the calibration uses it: the mean per-item score (Dice where the target is, 1 / 0 for an empty
  / non-empty mask where it is not) at the threshold chosen per target on the same items, as for
  ``peak`` and ``top1pct`` (the same in-sample choice for every score).

Features (MedCLIPSeg's decoder): the text kernel k (B, D) and the last stage's embeddings E (B, N, D)
give the per-location scores E·k; the probe sees their mean, max and top-1 % mean, the mean and max
of E ⊙ k over the locations (2D values), and the map's peak and top-1 % mean.

    python benchmarks/presence_probe.py runs/medclipseg-lite-universal-v4 --train-items 1600 --out benchmarks/results/presence_probe.json
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import torch


def _features(model, loader, *, threshold: float) -> dict[str, np.ndarray]:
    """One forward pass per item: probe features, the two map scores, labels and Dice."""
    from medvlseg.decision import binarize, presence_score
    from medvlseg.engine.module import per_image_dice

    feats, peak, top, empty, dice, blank, keys = [], [], [], [], [], [], []
    model.eval()
    with torch.inference_mode():
        for batch in loader:
            out = model(batch["image"], list(batch["prompt"]))
            probs = torch.sigmoid(out.logits.float())  # (B, 1, S, S)
            e, k = out.aux["patch_embeds"].float(), out.aux["text_embeds"].float()  # (B, N, D), (B, D)
            ek = e * k[:, None]  # (B, N, D)
            loc = ek.sum(-1) / e.shape[-1] ** 0.5  # (B, N) per-location scores
            n_top = max(1, int(np.ceil(0.01 * loc.shape[1])))
            f = torch.cat([ek.mean(1), ek.amax(1), loc.mean(1, keepdim=True), loc.amax(1, keepdim=True),
                           loc.topk(n_top, dim=1).values.mean(1, keepdim=True),
                           presence_score(probs, "peak")[:, None], presence_score(probs, "top1pct")[:, None]], dim=1)
            mask = binarize(probs, threshold)
            d, emp = per_image_dice(mask, batch["mask"] > 0.5)
            feats.append(f.numpy())
            peak.append(presence_score(probs, "peak").numpy())
            top.append(presence_score(probs, "top1pct").numpy())
            empty.append(emp.numpy())
            dice.append(d.numpy())
            blank.append((~mask.flatten(1).any(1)).numpy())
            keys.extend(batch.get("key", [""] * len(batch["prompt"])))
    cat = lambda v: np.concatenate(v)  # noqa: E731
    return {"x": cat(feats), "peak": cat(peak), "top1pct": cat(top), "empty": cat(empty).astype(bool),
            "dice": cat(dice), "blank": cat(blank).astype(bool), "keys": np.asarray(keys, dtype=object)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--train-items", type=int, default=1600, help="train samples drawn (each also asked a negative)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--out", help="results JSON")
    args = ap.parse_args(argv)

    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from medvlseg.checkpoints import resolve_model
    from medvlseg.config import RunConfig
    from medvlseg.engine.calibrate import choose_presence_thresholds, presence_objective
    from medvlseg.engine.data import CalibrationSet, SegDataModule, TorchSegDataset, collate, negative_sampler

    t0 = time.perf_counter()
    model, info = resolve_model(args.run)
    cfg = RunConfig.from_yaml(Path(args.run) / "config.yaml")
    threshold = model.record.threshold
    dm = SegDataModule(cfg, size=model.image_size, mean=model.image_mean, std=model.image_std, uses_text=True)
    if dm.negatives is None:
        raise SystemExit(f"{args.run}: trained without negative prompts: no absent items to fit a probe on")
    # train items as the calibration builds its items: no augmentation, each with a negative too
    train_set = TorchSegDataset(dm.train_ds, train=False, size=model.image_size, mean=model.image_mean,
                                std=model.image_std, cfg=cfg, uses_text=True)
    sampler = negative_sampler(cfg, dm.train_ds, dm.val_ds)
    items = CalibrationSet(train_set, sampler, cfg.seed + 1)
    n = len(train_set)
    pick = np.random.default_rng(cfg.seed).permutation(n)[: min(args.train_items, n)]
    subset = torch.utils.data.Subset(items, [int(i) for i in pick] + [int(i) + n for i in pick])
    load = lambda ds: torch.utils.data.DataLoader(ds, batch_size=args.batch_size, collate_fn=collate)  # noqa: E731
    train = _features(model, load(subset), threshold=threshold)
    sel = _features(model, dm.calibration_dataloader(), threshold=threshold)
    t_pass = time.perf_counter() - t0

    probe = make_pipeline(StandardScaler(), LogisticRegressionCV(Cs=10, cv=5, max_iter=2000, scoring="roc_auc"))
    with warnings.catch_warnings():  # scikit-learn's notices of coming changes to its defaults
        warnings.simplefilter("ignore", FutureWarning)
        probe.fit(train["x"], ~train["empty"])
    sel["probe"] = probe.predict_proba(sel["x"])[:, 1]

    present = ~sel["empty"]
    result = {"run": str(args.run), "model_sha256": info.sha256, "n_train_items": int(len(train["empty"])),
              "n_selection_items": int(len(present)), "n_selection_absent": int(sel["empty"].sum()),
              "pass_s": round(t_pass, 1), "scores": {}}
    targets = sorted({k for k in sel["keys"] if k})
    for name in ("peak", "top1pct", "probe"):
        score = sel[name]
        # "no rule" is the pixel threshold for the peak and 0 for any other score, as for top1pct
        rule = "peak" if name == "peak" else "top1pct"
        glob, per, _ = choose_presence_thresholds(score, sel["empty"], sel["dice"], list(sel["keys"]),
                                                   threshold=threshold, blank=sel["blank"], rule=rule)
        row = {"auc": float(roc_auc_score(present, score)), "per_target": {}}
        total = []
        for t in targets:
            m = sel["keys"] == t
            thr = per.get(t, glob)
            obj = presence_objective(score[m], sel["empty"][m], sel["dice"][m], thr, threshold, sel["blank"][m])
            auc = float(roc_auc_score(present[m], score[m])) if 0 < present[m].sum() < m.sum() else None
            row["per_target"][t] = {"n": int(m.sum()), "absent": int(sel["empty"][m].sum()), "threshold": thr,
                                    "objective": obj, "auc": auc}
            total.append(obj * m.sum())
        rest = ~np.isin(sel["keys"], targets)
        if rest.any():
            total.append(presence_objective(score[rest], sel["empty"][rest], sel["dice"][rest], glob, threshold, sel["blank"][rest]) * rest.sum())
        row["objective_all"] = float(sum(total) / len(present))
        result["scores"][name] = row
    print(f"{'score':9} {'AUC':>6} {'all':>6} " + " ".join(f"{t[:12]:>12}" for t in targets))
    for name, row in result["scores"].items():
        print(f"{name:9} {row['auc']:6.3f} {row['objective_all']:6.3f} "
              + " ".join(f"{row['per_target'][t]['objective']:12.3f}" for t in targets))
    print(f"AUC per target (probe / peak): " + ", ".join(
        f"{t} {result['scores']['probe']['per_target'][t]['auc'] or float('nan'):.3f} / "
        f"{result['scores']['peak']['per_target'][t]['auc'] or float('nan'):.3f}" for t in targets))
    if args.out:
        from medvlseg.utils import atomic_write_json

        atomic_write_json(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
