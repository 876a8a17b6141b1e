"""``medvlseg demo``: the most complete end-to-end job the package can run today.

1. check the dataset (``data check``), 2. generate its prompts P0-P9 (``prompts generate``),
3. predict masks with a classical, training-free Otsu baseline, 4. score them at each image's
original resolution (``metrics``). Every step writes into ``--out``.

Default data: ``../shared/datasets/ph2`` (real dermoscopy) when it sits beside the checkout or the
working directory; otherwise the MNI152 T1 brain template and its grey-matter map shipped inside
the ``nilearn`` wheel (real MRI, read as 2-D slices from NIfTI), so the demo runs anywhere offline.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from rich.console import Console

from .data.dataset import SegmentationDataset
from .utils import atomic_write_bytes


def find_shared_dataset(name: str) -> Path | None:
    """``../shared/datasets/<name>`` relative to the working directory or to this checkout."""
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        candidate = base.parent / "shared" / "datasets" / name
        if (candidate / "manifest.csv").is_file():
            return candidate
    return None


def build_mni_dataset(root: Path) -> Path:
    """Write nilearn's MNI152 T1 template and grey-matter mask (probability > 0.5) as a NIfTI dataset."""
    import nibabel as nib
    from nilearn import datasets

    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "masks").mkdir(parents=True, exist_ok=True)
    t1 = datasets.load_mni152_template(resolution=2)
    gm = datasets.load_mni152_gm_template(resolution=2)
    nib.save(t1, root / "images" / "mni152.nii.gz")
    mask = (np.asarray(gm.get_fdata()) > 0.5).astype(np.uint8)
    nib.save(nib.Nifti1Image(mask, gm.affine), root / "masks" / "mni152.nii.gz")
    return root


def otsu_baseline(image: np.ndarray, polarity: str = "dark") -> np.ndarray:
    """A training-free reference segmentation: Otsu threshold on intensity.

    ``polarity``: the target is the ``dark`` or ``bright`` Otsu class, or the ``middle`` of three
    (multi-Otsu; grey matter on T1 MRI). For ``dark``/``bright`` one connected component is kept,
    with holes filled: the largest one that does not touch the image border (dark vignetted corners
    of dermoscopy and endoscopy touch it), else the largest. Returns a bool mask ``(H, W)``.
    """
    from scipy import ndimage
    from skimage.filters import threshold_multiotsu, threshold_otsu

    grey = image.astype(np.float64)
    if grey.ndim == 3:
        grey = grey @ np.array([0.299, 0.587, 0.114])
    if np.ptp(grey) == 0:
        return np.zeros(grey.shape, bool)
    if polarity == "middle":
        lo, hi = threshold_multiotsu(grey, classes=3)
        return (grey > lo) & (grey <= hi)
    t = threshold_otsu(grey)
    mask = grey < t if polarity == "dark" else grey > t
    labels, n = ndimage.label(mask)
    if n == 0:
        return mask
    sizes = ndimage.sum(mask, labels, index=np.arange(1, n + 1))
    on_border = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))) - {0}
    inner = [k for k in range(1, n + 1) if k not in on_border and sizes[k - 1] > 0.01 * mask.size]
    keep = max(inner, key=lambda k: sizes[k - 1]) if inner else 1 + int(np.argmax(sizes))
    return ndimage.binary_fill_holes(labels == keep)


def run_demo(data: Path | None = None, out: Path = Path("demo_out"), split: str | None = "val", console: Console | None = None) -> dict:
    from PIL import Image

    from .data.check import check_dataset
    from .evaluation import markdown_table, score_prediction_folder
    from .prompts import generate_records, write_prompts_jsonl

    console = console or Console(stderr=True)
    out = Path(out)
    polarity = "dark"
    if data is None:
        data = find_shared_dataset("ph2")
        if data is None:
            console.print("../shared/datasets/ph2 not found: using the MNI152 template shipped with nilearn")
            data = build_mni_dataset(out / "data" / "mni152")
            polarity, split = "middle", None
    console.rule(f"[bold]medvlseg demo[/bold] on {data}")

    console.print("[bold]1. data check[/bold]")
    report = check_dataset(data)
    console.print(f"   {report.n_samples} samples, {report.n_empty} empty masks, {len(report.problems)} problem(s)")
    for p in report.problems[:10]:
        console.print(f"   [yellow]{p}[/yellow]")

    ds = SegmentationDataset.open(data, target="grey matter" if polarity == "middle" else None)
    part = ds.split(split)
    if len(part) == 0:
        console.print(f"   split {split!r} is empty: using every sample")
        part, split = ds, None

    console.print(f"[bold]2. prompts[/bold] for {len(part)} images ({split or 'all'})")
    records = list(generate_records(part))
    write_prompts_jsonl(records, out / "prompts.jsonl")
    for rec in records[:3]:
        console.print(f"   {rec['id']}: P6 = {rec['p6']!r}")

    console.print("[bold]3. predictions[/bold]: Otsu baseline (classical, no training, no text)")
    pred_dir = out / "predictions"
    for s in part:
        mask = otsu_baseline(part.load_image(s), polarity)
        buf = io.BytesIO()
        Image.fromarray(mask.astype(np.uint8) * 255).save(buf, format="PNG")
        atomic_write_bytes(pred_dir / f"{s.id}.png", buf.getvalue())

    console.print("[bold]4. metrics[/bold] at the original resolution")
    summary = score_prediction_folder(pred_dir, part, out_dir=out / "metrics")
    print(markdown_table(summary))
    console.print(f"outputs in {out}/: prompts.jsonl, predictions/, metrics/per_image.csv, summary.json, report.md")
    return summary
