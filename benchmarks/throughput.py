"""CPU inference throughput and peak memory of every model, side by side with Hugging Face's
CLIPSegForImageSegmentation at 352 px (the reference), measured in the same run.

Each configuration runs in its own subprocess so that peak resident memory (ru_maxrss) is its own.
Weights are random for full-size encoders (the speed of a network does not depend on its weights);
``lite`` uses its real pretrained weights.

    python benchmarks/throughput.py --out benchmarks/results/throughput.json
    python benchmarks/throughput.py --models clipseg unet --backbones lite --batch 8 --iters 3
    python benchmarks/throughput.py --models medclipseg unet --backbones lite --onnx   # + ONNX Runtime rows
    python benchmarks/throughput.py --models medclipseg --backbones lite --onnx --rounds 5

The host's speed drifts within minutes (other tenants), and a small model's speed drifts more than
the reference's. ``--rounds R`` measures every configuration R times, interleaved (reference, model,
..., reference, model, ...), and reports for each the median images/s over rounds and the median of
its per-round ratio to that round's reference, so a slow minute slows both sides of a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REFERENCE = "hf-clipseg-352"


def _run_one(model: str, backbone: str, batch: int, iters: int, threads: int, precision: str = "fp32",
             model_kwargs: dict | None = None, runtime: str = "torch", device: str = "cpu") -> dict:
    import resource

    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if model == REFERENCE:
        from transformers import CLIPSegConfig, CLIPSegForImageSegmentation

        from medvlseg.backbones.hf_clip import vit_b16_config

        c = vit_b16_config()
        cfg = CLIPSegConfig(text_config=c.text_config.to_dict(), vision_config=c.vision_config.to_dict(),
                            projection_dim=512, reduce_dim=64, use_complex_transposed_convolution=True)
        net = CLIPSegForImageSegmentation(cfg).eval()
        size = 352
        ids = torch.randint(0, 49000, (batch, 12))

        def step(x):
            return net(input_ids=ids, pixel_values=x).logits
    else:
        from medvlseg.models.base import build_model

        kwargs = dict(model_kwargs or {})
        if backbone in ("clip", "biomedclip"):
            kwargs["backbone_kwargs"] = {"pretrained": False}
        net = build_model(model, backbone=backbone or None, **kwargs).eval()
        size = net.image_size
        prompts = ["one small pink polyp, located in top left of the image"] * batch

        def step(x):
            return net(x, prompts).logits

        if runtime == "onnx":  # the same network exported (medvlseg export --onnx), run by ONNX Runtime
            import tempfile

            from medvlseg.export import OnnxModel, export_onnx

            if precision != "fp32":
                raise SystemExit("ONNX rows run in fp32 (ONNX Runtime ignores torch's autocast)")
            with tempfile.TemporaryDirectory(prefix="medvlseg-onnx-") as folder:
                onnx_diff = export_onnx(net, folder)["check"]["max_abs_diff_probability"]
                onnx = OnnxModel(folder, threads=threads)  # the session holds the graph in memory

            def step(x):  # noqa: F811 - the ONNX Runtime path replaces the PyTorch one
                return onnx.logits(x, prompts)
    if device != "cpu":
        if runtime == "onnx":
            raise SystemExit("ONNX rows run on the CPU")
        net.to(device)
        if model == REFERENCE:
            ids = ids.to(device)
    x = torch.randn(batch, 3, size, size, device=device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    with torch.inference_mode(), torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=precision == "bf16"):
        for _ in range(1 if device == "cpu" else 3):
            step(x)  # warm-up (on a GPU: kernels chosen, caches filled)
        sync()
        t0 = time.perf_counter()
        for _ in range(iters):
            out = step(x)
        sync()  # a GPU runs asynchronously: the clock stops when the work is done
        dt = time.perf_counter() - t0
    params = sum(p.numel() for p in net.parameters())
    return {
        "model": model, "backbone": backbone, "input": size, "batch": batch, "iters": iters, "precision": precision, "kwargs": model_kwargs or {},
        "runtime": runtime,
        "images_per_s": batch * iters / dt, "params_m": params / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_model_mb": base_rss / 1024, "output": list(out.shape), "device": device,
        **({"peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20} if device.startswith("cuda") else {}),
        # ONNX rows: the export's check, max |p_onnx - p_torch| of the probabilities
        **({"onnx_max_abs_diff": onnx_diff} if runtime == "onnx" else {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="*", default=None, help="default: every registered model")
    ap.add_argument("--backbones", nargs="*", default=["lite", "clip"], help="'clip'/'biomedclip' are random ViT-B/16")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="bf16: autocast, reference included")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]: every row, the reference included, on that device")
    ap.add_argument("--kwargs", default="{}", help="JSON keyword arguments for the models (not the reference)")
    ap.add_argument("--onnx", action="store_true", help="also each exportable model (medclipseg, unet) through ONNX Runtime")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved repetitions of every configuration (medians reported)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--one", nargs=2, metavar=("MODEL", "BACKBONE"), help=argparse.SUPPRESS)
    ap.add_argument("--runtime", choices=["torch", "onnx"], default="torch", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error(f"--rounds: expected at least 1, got {args.rounds}")

    if args.one:
        print(json.dumps(_run_one(args.one[0], args.one[1], args.batch, args.iters, args.threads, args.precision,
                                  json.loads(args.kwargs), args.runtime, args.device)))
        return

    from medvlseg.models.base import list_models, model_info

    configs = [(REFERENCE, "")]
    for name in args.models or list_models():
        info = model_info(name)
        if not info["backbone_types"]:
            configs.append((name, ""))
            continue
        for bb in args.backbones:
            if name == "biomedclipseg-d":
                continue  # same network as biomedclipseg; only its initialisation differs
            if name == "unet" and bb != "lite":
                continue  # CNN image towers only
            configs.append((name, bb))
    runs = [(m, bb, "torch") for m, bb in configs]
    if args.onnx:
        runs += [(m, bb, "onnx") for m, bb in configs if m in ("medclipseg", "unet")]
    rounds: list[list[dict]] = []
    for r in range(args.rounds):
        rows = []
        for model, bb, runtime in runs:
            cmd = [sys.executable, __file__, "--one", model, bb or "", "--batch", str(args.batch), "--iters", str(args.iters),
                   "--threads", str(args.threads), "--precision", args.precision, "--kwargs", args.kwargs, "--runtime", runtime,
                   "--device", args.device]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                print(f"{model} / {bb}: failed\n{res.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(res.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"[round {r + 1}/{args.rounds}] {model:16s} {bb or '-':8s} {runtime:5s} {row['input']:4d}px  "
                  f"{row['images_per_s']:7.2f} img/s  peak {row['peak_rss_mb']:7.0f} MB", flush=True)
        ref = next((x for x in rows if x["model"] == REFERENCE), None)
        for x in rows:
            x["speed_vs_reference"] = x["images_per_s"] / ref["images_per_s"] if ref else None
        rounds.append(rows)
    rows = _median_rows(rounds)
    result = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores_used": args.threads, "python": platform.python_version(),
                    "torch": __import__("torch").__version__, "nproc": os.cpu_count(), "device": args.device,
                    **({"gpu": _gpu_name()} if args.device.startswith("cuda") else {})},
        "command": " ".join(sys.argv), "rounds": args.rounds, "rows": rows,
        **({"per_round": rounds} if args.rounds > 1 else {}),
    }
    if args.out:
        from medvlseg.utils import atomic_write_json

        atomic_write_json(args.out, result)
    print(markdown(result))


def _gpu_name() -> str:
    import torch

    return torch.cuda.get_device_name()


def _median_rows(rounds: list[list[dict]]) -> list[dict]:
    """One row per configuration: its first row with images/s, peak RSS and the ratio to the
    reference replaced by their medians over the rounds (the ratio's median is over per-round ratios)."""
    import statistics

    def key(x: dict) -> tuple:
        return x["model"], x["backbone"], x.get("runtime", "torch")

    out = []
    firsts: dict[tuple, dict] = {}  # each configuration's first row, in the order met (one may fail in round 1 only)
    for rows in rounds:
        for x in rows:
            firsts.setdefault(key(x), x)
    for first in firsts.values():
        same = [x for rows in rounds for x in rows if key(x) == key(first)]
        row = dict(first)
        for field in ("images_per_s", "peak_rss_mb", "speed_vs_reference"):
            values = [x[field] for x in same if x.get(field) is not None]
            row[field] = statistics.median(values) if values else None
        if len(rounds) > 1:
            ratios = [x["speed_vs_reference"] for x in same if x.get("speed_vs_reference") is not None]
            row["speed_vs_reference_range"] = [min(ratios), max(ratios)] if ratios else None
        out.append(row)
    return out


def _spread(row: dict) -> str:
    lo_hi = row.get("speed_vs_reference_range")
    return f" ({lo_hi[0]:.1f}-{lo_hi[1]:.1f})" if lo_hi else ""


def markdown(result: dict) -> str:
    onnx = any("onnx_max_abs_diff" in r for r in result["rows"])
    spread = any(r.get("speed_vs_reference_range") for r in result["rows"])
    ratio = "× reference (median; range over rounds)" if spread else "× reference"
    lines = [f"| model | backbone | runtime | input | precision | images/s (batch {result['rows'][0]['batch']}) | {ratio} | peak RSS (MB) | params (M) |"
             + (" ONNX vs PyTorch, max abs diff of p |" if onnx else ""),
             "|---|---|---|---|---|---|---|---|---|" + ("---|" if onnx else "")]
    for r in result["rows"]:
        extra = " ".join(f"{k}={v}" for k, v in r.get("kwargs", {}).items()) if r["model"] != REFERENCE else ""
        lines.append(f"| {r['model']}{' (' + extra + ')' if extra else ''} | {r['backbone'] or '-'} | {r.get('runtime', 'torch')} | {r['input']} | {r['precision']} | {r['images_per_s']:.2f} | "
                     f"{r['speed_vs_reference']:.1f}x{_spread(r)} | {r['peak_rss_mb']:.0f} | {r['params_m']:.1f} |"
                     + (f" {r['onnx_max_abs_diff']:.1e} |" if "onnx_max_abs_diff" in r else (" - |" if onnx else "")))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
