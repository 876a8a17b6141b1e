"""``medvlseg evaluate --cross-prompts``: does the model read the text?

Every image of a split is segmented with **every** prompt of a list: the canonical name of each
target the data holds, paraphrases of those names ("wound on the foot" for "foot ulcer"), and
nonsense ("orchestra"). For each (image, prompt):

- the prompt names a target the image holds (canonically or by paraphrase): the Dice of the mask
  against that target's ground truth ("the named structure is the one segmented");
- otherwise (another target, a target this image lacks, nonsense): whether the model called it
  absent, i.e. returned an empty mask ("a target that is not in the image is called absent").

The result is a dataset x prompt matrix (mean Dice where present, share called absent where not),
written as ``cross_prompts.csv`` (one row per image and prompt), ``cross_prompts.json``,
``cross_prompts.md`` and a heat map ``cross_prompts.png``.

The prompt list: ``prompts`` (a mapping ``{"targets": {name: [paraphrases]}, "nonsense": [...]}``
or a YAML file of that shape); by default every target of the data, the paraphrases in
:data:`DEFAULT_PARAPHRASES` for those that have some, and :data:`DEFAULT_NONSENSE`.
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data.dataset import SegmentationDataset
from ..errors import ConfigError, DataError
from ..utils import atomic_write_json, atomic_write_text

__all__ = ["DEFAULT_NONSENSE", "DEFAULT_PARAPHRASES", "PromptSpec", "cross_prompt_evaluate", "load_prompt_spec"]

DEFAULT_PARAPHRASES: dict[str, list[str]] = {
    "foot ulcer": ["wound on the foot", "diabetic foot wound"],
    "skin lesion": ["nevus", "mole on the skin"],
    "polyp": ["polyp in the bowel", "colon polyp"],
    "right lung": ["the patient's right lung"],
    "left lung": ["the patient's left lung"],
    "heart": ["cardiac silhouette"],
    "right clavicle": ["right collarbone"],
    "left clavicle": ["left collarbone"],
}
DEFAULT_NONSENSE = ["orchestra", "purple bicycle", "qwzrtpl"]


@dataclass
class PromptSpec:
    """Canonical target names with their paraphrases, and nonsense prompts."""

    targets: dict[str, list[str]]
    nonsense: list[str]

    def prompts(self) -> list[tuple[str, str, str | None]]:
        """``(prompt, kind, target)``: kind ``canonical`` / ``paraphrase`` / ``nonsense``."""
        out: list[tuple[str, str, str | None]] = []
        for name, paras in self.targets.items():
            out.append((name, "canonical", name))
            out.extend((p, "paraphrase", name) for p in paras)
        out.extend((p, "nonsense", None) for p in self.nonsense)
        seen: set[str] = set()
        unique = []
        for item in out:
            if item[0] not in seen:
                seen.add(item[0])
                unique.append(item)
        return unique


def load_prompt_spec(source: str | os.PathLike | Mapping[str, Any] | Sequence[str | os.PathLike | Mapping[str, Any]] | None,
                     data_targets: Sequence[str]) -> PromptSpec:
    """The prompt list (module docstring); ``data_targets``: the class names the data holds (the
    default list). A listed target the data does not hold is kept: it must be called absent. Several
    lists (a sequence of them) are one: each target's paraphrases and the nonsense of all, in order,
    each prompt once."""
    if source is None:
        return PromptSpec({t: list(DEFAULT_PARAPHRASES.get(t, [])) for t in data_targets}, list(DEFAULT_NONSENSE))
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        specs = [load_prompt_spec(one, data_targets) for one in source]
        if not specs:
            return load_prompt_spec(None, data_targets)
        targets: dict[str, list[str]] = {}
        for spec in specs:
            for t, ps in spec.targets.items():
                targets[t] = list(dict.fromkeys([*targets.get(t, []), *ps]))
        return PromptSpec(targets, list(dict.fromkeys(p for spec in specs for p in spec.nonsense)))
    raw: Any = source
    where = "cross prompts"
    if not isinstance(source, Mapping):
        from ..utils import read_yaml_mapping

        where = str(source)
        raw = read_yaml_mapping(source, "prompt list")
    targets = raw.get("targets", {})
    nonsense = raw.get("nonsense", [])
    if isinstance(targets, list):
        targets = {t: [] for t in targets}
    if not isinstance(targets, Mapping) or not all(isinstance(v, list) and all(isinstance(p, str) for p in v) for v in targets.values()):
        raise ConfigError(f"{where}: targets: expected a mapping of target name -> list of paraphrases")
    if not isinstance(nonsense, list) or not all(isinstance(p, str) for p in nonsense):
        raise ConfigError(f"{where}: nonsense: expected a list of strings")
    # a target the data does not hold is a fair question too: it must be called absent everywhere
    return PromptSpec({str(k): list(v) for k, v in targets.items()}, list(nonsense))


def cross_prompt_evaluate(
    model_or_path: Any,
    data: SegmentationDataset | str | os.PathLike | Sequence[str | os.PathLike],
    *,
    out_dir: str | os.PathLike,
    split: str | None = "val",
    prompts: str | os.PathLike | Mapping[str, Any] | Sequence[str | os.PathLike | Mapping[str, Any]] | None = None,
    batch_size: int = 16,
    limit: int | None = None,
    device: str | None = None,
    tta: str = "none",
    trust_pickle: bool = False,
    figures: bool = True,
    resolve_prompts: bool = True,
) -> dict[str, Any]:
    """Score every image of ``split`` (of one dataset, or several pooled) with every prompt; see the
    module docstring. Returns the JSON summary."""
    from ..checkpoints import model_and_info
    from ..predict import resolve_device, segment_batch
    from ..prompts import load_targets
    from ..segmenter import Segmenter

    t0 = time.perf_counter()
    device = resolve_device(device)
    model, info = model_and_info(model_or_path, trust_pickle=trust_pickle)
    seg = Segmenter(model, device=device, tta=tta, resolve_prompts=resolve_prompts)
    ds = _open(data).split(split)
    if len(ds) == 0:
        raise DataError(f"{ds.name}: split {split!r} has no samples")
    catalog = load_targets()

    def class_of(target: str, dataset: str) -> str:
        return catalog.resolve(target, dataset).class_name

    # one entry per image: its dataset and the ground truth of every target annotated on it
    images: dict[str, dict[str, Any]] = {}
    for s in ds:
        entry = images.setdefault(s.group + "@" + s.dataset, {"dataset": s.dataset, "samples": {}})
        if s.mask is None:
            raise DataError(f"{s.image}: sample {s.id!r} has no mask; cross-prompt evaluation needs ground truth")
        entry["samples"][class_of(s.target, s.dataset)] = s
    keys = sorted(images)
    if limit is not None:
        keys = keys[:limit]
    data_targets = sorted({t for k in keys for t in images[k]["samples"]})
    spec = load_prompt_spec(prompts, data_targets)
    plist = spec.prompts()
    if not plist:
        raise ConfigError("cross prompts: the prompt list is empty")

    rows: list[dict[str, Any]] = []
    for key in keys:
        entry = images[key]
        first = next(iter(entry["samples"].values()))
        image = ds.load_image(first)
        truths = {t: ds.load_mask(s) for t, s in entry["samples"].items()}
        for start in range(0, len(plist), batch_size):
            chunk = plist[start : start + batch_size]
            results = segment_batch(seg, [image] * len(chunk), [p for p, _, _ in chunk])
            for (prompt, kind, target), r in zip(chunk, results):
                gt = truths.get(target) if target is not None else None
                present = gt is not None and bool(gt.any())
                row = {"image": key.split("@")[0], "dataset": entry["dataset"], "prompt": prompt, "kind": kind,
                       "target": target, "model_prompt": r.model_prompt, "present": present, "presence_score": r.present,
                       "predicted_empty": not bool(r.mask.any())}
                if present:
                    inter = float((r.mask & gt).sum())
                    row["dice"] = 2 * inter / float(r.mask.sum() + gt.sum())
                rows.append(row)

    summary = _summarise(rows, plist)
    summary.update({
        "model": info.to_dict(), "split": split or "all", "n_images": len(keys), "prompts": [
            {"prompt": p, "kind": k, "target": t} for p, k, t in plist],
        "presence_threshold": seg.presence_threshold, "presence_rule": seg.presence_rule, "threshold": seg.threshold, "tta": tta,
        "resolve_prompts": resolve_prompts,
        # what the model was given for each prompt (a paraphrase resolved to the target it means)
        "model_prompts": {p: seg.model_prompt(p) for p, _, _ in plist},
        # a prompt left to the image ("the spot"): what the model was given, on how many images of each dataset
        "left_to_image": {p: {"candidates": list(seg.asks(p)), "given": _given(rows, p)}
                          for p, _, _ in plist if seg.asks(p) != (seg.model_prompt(p),)},
        "time_s": time.perf_counter() - t0,
    })
    out = Path(out_dir)
    _write_csv(out / "cross_prompts.csv", rows)
    atomic_write_json(out / "cross_prompts.json", summary)
    atomic_write_text(out / "cross_prompts.md", _markdown(summary))
    if figures:
        _heatmap(out / "cross_prompts.png", summary)
    return summary


def _open(data) -> SegmentationDataset:
    if isinstance(data, SegmentationDataset):
        return data
    if isinstance(data, (str, os.PathLike)):
        return SegmentationDataset.open(data)
    sets = [SegmentationDataset.open(p) for p in data]
    return sets[0] if len(sets) == 1 else SegmentationDataset.pool(sets)


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _given(rows: list[dict[str, Any]], prompt: str) -> dict[str, dict[str, int]]:
    """Per dataset, how many images were given each text for ``prompt``."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r["prompt"] == prompt:
            out[r["dataset"]][r["model_prompt"]] = out[r["dataset"]].get(r["model_prompt"], 0) + 1
    return dict(out)


def _summarise(rows: list[dict[str, Any]], plist) -> dict[str, Any]:
    """Per dataset and prompt: mean Dice where the named target is present, the share called absent
    where it is not; and the headline shares by kind of prompt."""
    cells: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for ds_name in sorted({r["dataset"] for r in rows}):
        for prompt, kind, target in plist:
            sel = [r for r in rows if r["dataset"] == ds_name and r["prompt"] == prompt]
            pres = [r["dice"] for r in sel if r["present"]]
            absent = [r["predicted_empty"] for r in sel if not r["present"]]
            cells[ds_name][prompt] = {
                "kind": kind, "target": target, "n_present": len(pres), "dice": _mean(pres),
                "n_absent": len(absent), "called_absent": _mean([float(a) for a in absent]),
            }
    by_kind: dict[str, Any] = {}
    for kind in ("canonical", "paraphrase"):
        pres = [r["dice"] for r in rows if r["kind"] == kind and r["present"]]
        absent = [float(r["predicted_empty"]) for r in rows if r["kind"] == kind and not r["present"]]
        by_kind[kind] = {"dice_where_present": _mean(pres), "called_absent_where_absent": _mean(absent),
                         "n_present": len(pres), "n_absent": len(absent)}
    nons = [float(r["predicted_empty"]) for r in rows if r["kind"] == "nonsense"]
    by_kind["nonsense"] = {"called_absent": _mean(nons), "n": len(nons)}
    # paraphrase vs canonical on the same image and target
    canon = {(r["image"], r["dataset"], r["target"]): r.get("dice") for r in rows if r["kind"] == "canonical" and r["present"]}
    gaps = [canon[(r["image"], r["dataset"], r["target"])] - r["dice"] for r in rows
            if r["kind"] == "paraphrase" and r["present"] and canon.get((r["image"], r["dataset"], r["target"])) is not None]
    by_kind["paraphrase"]["dice_drop_vs_canonical"] = _mean(gaps)
    return {"matrix": dict(cells), "by_kind": by_kind}


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.0f} %" if pct else f"{x:.3f}"


def _markdown(summary: dict[str, Any]) -> str:
    prompts = [p["prompt"] for p in summary["prompts"]]
    lines = [
        f"# Cross-prompt evaluation ({summary['split']}, {summary['n_images']} images)", "",
        "Each cell: mean Dice where the prompt names a target the image holds; otherwise (in italics) the share "
        "of images where the model called it absent (empty mask).", "",
        "| dataset | " + " | ".join(f"`{p}`" for p in prompts) + " |",
        "|---|" + "---|" * len(prompts),
    ]
    for ds_name, cells in summary["matrix"].items():
        vals = []
        for p in prompts:
            c = cells[p]
            if c["n_present"]:
                vals.append(_fmt(c["dice"]))
            else:
                vals.append(f"*{_fmt(c['called_absent'], pct=True)}*")
        lines.append(f"| {ds_name} | " + " | ".join(vals) + " |")
    k = summary["by_kind"]
    lines += [
        "",
        f"- Canonical names: Dice {_fmt(k['canonical']['dice_where_present'])} where present; "
        f"called absent {_fmt(k['canonical']['called_absent_where_absent'], pct=True)} where absent "
        f"({k['canonical']['n_absent']} pairs).",
        f"- Paraphrases: Dice {_fmt(k['paraphrase']['dice_where_present'])} where present "
        f"(drop vs the canonical name {_fmt(k['paraphrase']['dice_drop_vs_canonical'])}); called absent "
        f"{_fmt(k['paraphrase']['called_absent_where_absent'], pct=True)} where absent.",
        f"- Nonsense: called absent {_fmt(k['nonsense']['called_absent'], pct=True)} ({k['nonsense']['n']} pairs).",
    ]
    return "\n".join(lines) + "\n"


def _heatmap(path: Path, summary: dict[str, Any]) -> None:
    from .figures import new_figure, save_png

    prompts = [p["prompt"] for p in summary["prompts"]]
    names = list(summary["matrix"])
    vals = np.full((len(names), len(prompts)), np.nan)
    labels = [["" for _ in prompts] for _ in names]
    for i, d in enumerate(names):
        for j, p in enumerate(prompts):
            c = summary["matrix"][d][p]
            v = c["dice"] if c["n_present"] else c["called_absent"]
            if v is not None:
                vals[i, j] = v
                labels[i][j] = (f"{v:.2f}" if c["n_present"] else f"{100 * v:.0f}%")
    fig = new_figure(max(6.0, 0.9 * len(prompts) + 2), 0.6 * len(names) + 2.2)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(vals, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(prompts)), prompts, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=9)
    for i in range(len(names)):
        for j in range(len(prompts)):
            if labels[i][j]:
                ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=7,
                        color="black" if vals[i, j] > 0.6 else "white")
    ax.set_title("Dice where the named target is present; % called absent where not", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03)
    save_png(fig, path)


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv
    import io

    cols = ["image", "dataset", "prompt", "kind", "target", "model_prompt", "present", "presence_score", "predicted_empty", "dice"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in cols})
    atomic_write_text(path, buf.getvalue())
