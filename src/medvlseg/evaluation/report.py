"""Writing evaluation results: per-image CSV, summary JSON and a markdown table.

Every file is written atomically (:mod:`medvlseg.utils`): an interrupted run leaves the previous
file, never half of a new one. In the CSV a NaN score is written ``nan`` (undefined, e.g. HD95 with
an empty mask) and a score that was not computed (no probability map: ``ece``) is left empty;
booleans are ``true`` / ``false``. The JSON holds ``null`` for undefined numbers, so that it is
valid JSON for any parser.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..utils import atomic_open, atomic_write_json, atomic_write_text
from .aggregate import SegmentationMetrics
from .metrics import ImageScores

__all__ = [
    "CSV_COLUMNS",
    "markdown_table",
    "write_per_image_csv",
    "write_report_md",
    "write_reports",
    "write_summary_json",
]

CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ImageScores))


def write_per_image_csv(path: str | os.PathLike, rows: Iterable[ImageScores]) -> Path:
    """One line per image, columns :data:`CSV_COLUMNS`."""
    with atomic_open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.as_row().items()})
    return Path(path)


def write_summary_json(path: str | os.PathLike, summary: Mapping[str, Any]) -> Path:
    """The summary as JSON, NaN and inf written as ``null``."""
    return atomic_write_json(path, _json_clean(summary))


def markdown_table(summary: Mapping[str, Any]) -> str:
    """A markdown report: one table row for all images (and one per dataset), then the conventions."""
    unit = summary.get("distance_unit", "px")
    tol = f"{summary['tolerance']:g}"
    tol_unit = "px/mm" if unit == "mixed" else unit
    hd_keys = [k for k in summary["metrics"] if k.startswith("hd95")]
    hd_heads = [_hd95_head(k, unit) for k in hd_keys]
    head = ["dataset", "n", "scored", "Dice", "pooled Dice", "IoU", *hd_heads, f"NSD@{tol} {tol_unit}", "empty GT", "FP rate (empty GT)", "ECE", "unc. AUROC"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    blocks = [("all", summary)] + list(summary.get("per_dataset", {}).items())
    for name, block in blocks:
        m = block["metrics"]
        cal = block["calibration"]
        cells = [
            str(name), str(block["n"]), str(block["n_scored"]),
            _mean_sd(m["dice"]), _num(block["dice_pooled"]["value"], 3), _mean_sd(m["iou"]),
            *[_mean_sd(h, digits=2) if (h := _hd95_block(block, k)) else "–" for k in hd_keys],
            _mean_sd(m["nsd"]),
            str(block["empty_gt"]["n"]), _num(block["empty_gt"]["false_positive_rate"], 3),
            _num(cal["ece"], 4), _num(cal["unc_auroc_mean_per_image"], 3),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [
        "",
        "Values are mean ± SD (sample SD) over the scored images, at each ground truth's original resolution.",
        f"- Empty ground truth policy `{summary['empty_policy']}`: {summary['empty_policy_description']}.",
        f"- Empty ground truth: {summary['empty_gt']['n']} image(s), {summary['empty_gt']['n_pred_empty']} predicted empty, "
        f"false-positive rate {_num(summary['empty_gt']['false_positive_rate'], 3)}, "
        f"mean predicted foreground fraction {_num(summary['empty_gt']['mean_pred_fraction'], 4)}.",
        f"- Non-empty ground truth predicted empty (missed): {summary['nonempty_gt']['n_pred_empty']} image(s).",
        f"- Pooled Dice: {summary['dice_pooled']['definition']} ({summary['dice_pooled']['n_images']} image(s)); "
        "the 'data-based' Dice of some published results, where large targets weigh more than in the mean.",
    ]
    for k in hd_keys:
        notes.append(
            f"- {_hd95_head(k, unit)}: undefined (NaN, an empty mask) for {summary['metrics'][k]['n_nan']} "
            "scored image(s), left out of its mean."
        )
    where = "px where the pixel spacing is unknown, mm where it is known" if unit == "mixed" else unit
    notes.append(
        f"- Distances in {where}; NSD tolerance {tol} {tol_unit}; "
        f"probabilities thresholded at {summary['threshold']} (p >= threshold); "
        f"{summary['n_resized']} prediction(s) resized to the ground truth's size."
    )
    cal = summary["calibration"]
    if cal["n_images_probability"]:
        notes.append(
            f"- ECE over {cal['n_images_probability']} image(s) with probabilities: pooled over pixels {_num(cal['ece'], 4)}, "
            f"mean per image {_num(cal['ece_mean_per_image'], 4)} ({cal['ece_bins']} equal-width bins of p in [0, 1])."
        )
    if cal["n_images_uncertainty"]:
        notes.append(
            f"- Uncertainty AUROC for 'pixel is wrong' over {cal['n_images_uncertainty']} image(s): mean per image "
            f"{_num(cal['unc_auroc_mean_per_image'], 3)} ({cal['unc_auroc_n_nan']} undefined: no wrong or no right pixel), "
            f"pooled {_num(cal['unc_auroc_pooled'], 3)} ({cal['unc_auroc_pooled_bins']} bins over {cal['uncertainty_range']}, "
            f"{cal['uncertainty_n_clipped']} value(s) clipped)."
        )
    return "\n".join(lines + notes) + "\n"


def write_report_md(path: str | os.PathLike, summary: Mapping[str, Any], *, title: str = "Segmentation metrics") -> Path:
    return atomic_write_text(path, f"# {title}\n\n" + markdown_table(summary))


def write_reports(
    out_dir: str | os.PathLike,
    metrics: SegmentationMetrics,
    *,
    extra: Mapping[str, Any] | None = None,
    title: str = "Segmentation metrics",
) -> dict[str, Path]:
    """Write ``per_image.csv``, ``summary.json`` (the summary plus ``extra``) and ``report.md`` into ``out_dir``."""
    out = Path(out_dir)
    summary = {**metrics.summary(), **(dict(extra) if extra else {})}
    return {
        "per_image": write_per_image_csv(out / "per_image.csv", metrics.per_image()),
        "summary": write_summary_json(out / "summary.json", summary),
        "report": write_report_md(out / "report.md", summary, title=title),
    }


# ----------------------------------------------------------------------------------------- helpers


def _hd95_head(key: str, unit: str) -> str:
    """``hd95`` -> ``HD95 (px)``; ``hd95_mm`` (mixed units) -> ``HD95 (mm)``."""
    return f"HD95 ({key.split('_', 1)[1] if '_' in key else unit})"


def _hd95_block(block: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """The HD95 stats of ``block`` for the column ``key``: a per-dataset block with one unit keeps
    its HD95 under ``hd95`` even when the whole summary (mixed units) has ``hd95_px`` / ``hd95_mm``."""
    m = block["metrics"]
    if key in m:
        return m[key]
    if key == f"hd95_{block['distance_unit']}":
        return m.get("hd95")
    return None


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else repr(v)
    return str(v)


def _json_clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    return obj


def _num(x: Any, digits: int) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _mean_sd(stats: Mapping[str, Any], digits: int = 3) -> str:
    if stats["mean"] is None:
        return "–"
    text = f"{stats['mean']:.{digits}f}"
    return text + (f" ± {stats['std']:.{digits}f}" if stats["std"] is not None else "")
