"""One image, several prompts, side by side: what a text-driven model segments for each.

    python benchmarks/prompt_panel.py RUN IMAGE --prompt "right lung" --prompt "left lung" --prompt heart \\
        --prompt "right clavicle" --prompt "left clavicle" --prompt polyp --out benchmarks/results/jsrt_panel.png
    # with --data DATASET --id IMAGE_ID instead of IMAGE, the ground truth of each prompt is drawn too

(BENCHMARKS.md's jsrt figure: one radiograph, its five structures by their own prompts, and an
absent target.)
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("image", nargs="?", help="an image file (or use --data and --id)")
    ap.add_argument("--data", type=Path, help="a dataset folder: ground truth drawn for prompts that name a target")
    ap.add_argument("--id", help="with --data: the image id (jsrt: the image_id column, e.g. jsrt_JPCLN001)")
    ap.add_argument("--prompt", action="append", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    import medvlseg
    from medvlseg.evaluation.figures import save_prompt_panel

    seg = medvlseg.load(args.run)
    truths = {}
    if args.data is not None:
        ds = medvlseg.SegmentationDataset.open(args.data)
        rows = [s for s in ds if s.meta.get("image_id", s.id) == args.id or s.id == args.id]
        if not rows:
            raise SystemExit(f"{args.data}: no image {args.id!r}")
        image = ds.load_image(rows[0])
        truths = {s.target: ds.load_mask(s) for s in rows}
    elif args.image:
        from medvlseg.data.io import read_image

        image = read_image(Path(args.image))
    else:
        raise SystemExit("give IMAGE, or --data and --id")
    results = [seg.segment(image, p) for p in args.prompt]
    save_prompt_panel(args.out, image, results, truths=truths, title=f"{Path(args.run).name}")
    for r in results:
        print(f"{r.prompt!r}: presence {r.present:.3f}, {'absent' if not r.mask.any() else f'{100 * r.mask.mean():.2f} % of the image'}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
