"""Cost of a MedCLIPSeg uncertainty map against one deterministic pass (issue 4; TARGETS: <= 2x).

Batch 1, CPU, the ``lite`` backbone with its real weights, 256 px. Times, in one process and the
same run (medians over ``--iters`` repetitions after a warm-up):

- one deterministic pass (``model.predict``: eval mode, adapter means);
- a 30-sample map with sampling confined to the last adapter (``stochastic_adapters="last"``, the
  default of ``Segmenter.segment(..., uncertainty=True)``);
- a 30-sample map sampling every adapter (``"all"``; reuses the frozen part before the first adapter);
- 30 full stochastic passes, the reference implementation's way (the whole network 30 times).

    python benchmarks/uncertainty.py --out benchmarks/results/uncertainty.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch


def _time(fn, iters: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backbone", default="lite")
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kwargs", default="{}", help="JSON keyword arguments for build_model")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import medvlseg

    torch.manual_seed(0)
    model = medvlseg.build_model("medclipseg", backbone=args.backbone, **json.loads(args.kwargs)).eval()
    with torch.no_grad():  # non-zero up-projections, as after training (the cost is the same either way)
        for a in model.adapters:
            for up in (a.up_img, a.up_txt):
                up.weight.normal_(0, 0.02)
    s = model.image_size
    x = torch.randn(1, 3, s, s)
    prompt = ["foot ulcer"]
    n = args.samples

    def full_passes():
        model.stochastic = True
        with torch.inference_mode():
            for _ in range(n):
                torch.sigmoid(model(x, prompt).logits)
        model.stochastic = None

    one = _time(lambda: model.predict(x, prompt), args.iters)
    last = _time(lambda: model.sample_probabilities(x, prompt, samples=n, stochastic_adapters="last"), args.iters)
    every = _time(lambda: model.sample_probabilities(x, prompt, samples=n, stochastic_adapters="all"), args.iters)
    full = _time(full_passes, max(1, args.iters // 2))
    result = {
        "command": "python benchmarks/uncertainty.py " + " ".join(f"--{k} {v}" for k, v in vars(args).items() if k != "out"),
        "machine": {"cpu": platform.processor() or platform.machine(), "threads": args.threads, "torch": torch.__version__},
        "backbone": args.backbone, "image_size": s, "samples": n,
        "adapter_blocks": model.adapter_blocks,
        "one_pass_ms": one * 1e3,
        "map_last_ms": last * 1e3, "map_last_ratio": last / one,
        "map_all_ms": every * 1e3, "map_all_ratio": every / one,
        "full_passes_ms": full * 1e3, "full_passes_ratio": full / one,
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
