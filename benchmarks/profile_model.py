"""Where a model's inference time goes: wall time per part (image tower, text tower, adapters,
decoder, the rest) measured with forward hooks, and torch.profiler's most expensive operators.

    python benchmarks/profile_model.py --model medclipseg --backbone lite --batch 8 --threads 2

Run it alone on the machine: the parts are timed by the wall clock. The hooks add a few
microseconds per module call, so the parts' total is close to, not exactly, the plain pass.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict


def _parts(net) -> dict[str, list]:
    """The modules timed as each part (a part may be several modules, called one after another)."""
    import torch

    parts: dict[str, list] = defaultdict(list)
    bb = getattr(net, "backbone", None)
    if bb is not None:
        for name in ("image_encoder", "visual", "vision_model"):
            if hasattr(bb, name):
                enc = getattr(bb, name)
                blocks = getattr(enc, "_blocks", None)
                parts["image tower"] += [*(blocks or [enc]), *[getattr(enc, n) for n in ("_conv_stem", "_conv_head") if blocks is not None]]
        for name in ("text_encoder", "text_model", "transformer"):
            if hasattr(bb, name):
                text = getattr(bb, name)
                # a stepwise backbone calls the embeddings and each layer, not the tower
                layers = getattr(getattr(text, "encoder", None), "layer", None)
                parts["text tower"] += [text.embeddings, *layers] if layers is not None else [text]
    for name in ("adapters", "neck", "fusion"):
        if hasattr(net, name):
            mod = getattr(net, name)
            parts["adapters / fusion"] += list(mod) if isinstance(mod, torch.nn.ModuleList) else [mod]
    if hasattr(net, "decoder"):
        parts["decoder"].append(net.decoder)
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="medclipseg")
    ap.add_argument("--backbone", default="lite")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--ops", type=int, default=12, help="operators listed from torch.profiler")
    args = ap.parse_args()

    import torch

    from medvlseg.models.base import build_model

    torch.set_num_threads(args.threads)
    net = build_model(args.model, backbone=args.backbone).eval()
    x = torch.rand(args.batch, 3, net.image_size, net.image_size)
    prompts = ["one small pink polyp, located in top left of the image"] * args.batch
    spent: dict[str, float] = defaultdict(float)
    started: dict[int, float] = {}
    for part, mods in _parts(net).items():
        for m in mods:
            m.register_forward_pre_hook(lambda m, i: started.__setitem__(id(m), time.perf_counter()))
            m.register_forward_hook(lambda m, i, o, part=part: spent.__setitem__(part, spent[part] + time.perf_counter() - started[id(m)]))
    with torch.inference_mode():
        net.predict(x, prompts)  # warm-up
        best, best_parts = float("inf"), {}
        for _ in range(args.iters):
            spent.clear()
            t0 = time.perf_counter()
            net.predict(x, prompts)
            dt = time.perf_counter() - t0
            if dt < best:
                best, best_parts = dt, dict(spent)
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            net.predict(x, prompts)
    print(f"{args.model} / {args.backbone}, batch {args.batch}, {args.threads} threads, torch {torch.__version__}: "
          f"best of {args.iters} passes {best * 1000:.0f} ms ({args.batch / best:.1f} images/s)\n")
    print("| part | ms per batch | share |\n|---|---|---|")
    for part, s in sorted(best_parts.items(), key=lambda kv: -kv[1]):
        print(f"| {part} | {s * 1000:.0f} | {s / best:.0%} |")
    rest = best - sum(best_parts.values())
    print(f"| the rest (preprocessing, reshapes, glue) | {rest * 1000:.0f} | {rest / best:.0%} |\n")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.ops))


if __name__ == "__main__":
    main()
