"""Does a trained model exported to ONNX answer as it does in PyTorch, on real images?

Exports RUN (``medvlseg.export.export_onnx``: the graph is refused if it differs by more than 1e-4 on
random images), then segments the first N images of a dataset split both ways through the same
Segmenter code (same preprocessing, threshold, presence rule) and reports the largest absolute
difference of the probabilities, the mean Dice between the two masks and how many images the two
call present differently.

    python benchmarks/onnx_agreement.py runs/medclipseg-lite-fuseg-sel ../shared/datasets/fuseg --prompt "foot ulcer" \\
        --split val --n 32 --out benchmarks/results/onnx_agreement_fuseg.json
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np


def run(args: argparse.Namespace) -> dict:
    from medvlseg import Segmenter
    from medvlseg.checkpoints import model_and_info
    from medvlseg.data import SegmentationDataset
    from medvlseg.export import OnnxModel, export_onnx

    model, info = model_and_info(args.run)
    ds = SegmentationDataset.open(args.data).split(args.split)
    samples = list(ds)[: args.n]
    torch_seg = Segmenter(model, threshold=info.threshold, device="cpu")
    with tempfile.TemporaryDirectory(prefix="medvlseg-onnx-") as folder:
        record = export_onnx(model, folder)
        onnx_seg = Segmenter(OnnxModel(folder, threads=args.threads), threshold=info.threshold, device="cpu")
        diffs, dices, calls = [], [], 0
        for s in samples:
            image = ds.load_image(s)
            a, b = torch_seg.segment(image, args.prompt), onnx_seg.segment(image, args.prompt)
            diffs.append(float(np.abs(a.probability - b.probability).max()))
            inter, total = np.logical_and(a.mask, b.mask).sum(), a.mask.sum() + b.mask.sum()
            dices.append(1.0 if total == 0 else 2.0 * inter / total)
            calls += bool(a.mask.any()) != bool(b.mask.any())
    return {"command": " ".join(sys.argv), "run": str(args.run), "data": str(args.data), "split": args.split,
            "n": len(samples), "export_check_max_abs_diff": record["check"]["max_abs_diff_probability"],
            "max_abs_diff_probability": max(diffs), "mean_abs_diff_max": float(np.mean(diffs)),
            "mean_mask_dice": float(np.mean(dices)), "min_mask_dice": float(np.min(dices)), "presence_calls_differ": calls}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("data")
    ap.add_argument("--prompt", required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    result = run(args)
    if args.out is not None:
        from medvlseg.utils import atomic_write_json

        atomic_write_json(args.out, result)
    for k, v in result.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
