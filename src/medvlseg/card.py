"""Model cards: what a trained run segments, on what data and budget, how well, with which
thresholds and limits, written as ``card.md`` in every run (Mitchell et al., "Model Cards for Model
Reporting", FAT* 2019, adapted to segmentation).

Everything on the card is read from the run itself (``metadata.json``, ``config.yaml``, the model
record in the weights' header), so the card cannot disagree with what was trained. ``medvlseg models
show RUN`` prints it; a bare ``.safetensors`` file gets the part its record holds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .decision import PRESENCE_RULES
from .errors import DataError
from .utils import atomic_write_text

__all__ = ["card_path", "render_card", "write_card"]

CARD = "card.md"


def card_path(run_dir: str | os.PathLike) -> Path:
    return Path(run_dir) / CARD


def _fmt(x: Any, digits: int = 3) -> str:
    return "-" if x is None else (f"{x:.{digits}f}" if isinstance(x, float) else str(x))


def _limits(meta: dict[str, Any], cfg: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """Known limits, each derived from a fact of the run."""
    out = []
    if meta.get("status") not in (None, "finished"):
        out.append(f"Training did not finish (status: {meta.get('status')}); the weights are the best epoch so far.")
    sel = meta.get("selection") or {}
    if sel and not sel.get("untouched"):
        out.append(f"The epoch and thresholds were chosen on `{sel.get('split')}`: its scores are optimistic; "
                   "score the model on data it has not seen.")
    names = [d.get("name") for d in meta.get("data") or [] if isinstance(d, dict)]
    if names:
        out.append(f"Trained only on {', '.join(names)}: other modalities, devices, sites and populations are untested.")
    per_target = (meta.get("presence_calibration") or {}).get("per_target") or {}
    uncal = [t for t, c in per_target.items() if isinstance(c, dict) and not c.get("n_empty")]
    if uncal:
        out.append(f"No target-free example to calibrate \"not here\" for {', '.join(uncal)}: their presence "
                   "threshold is the default.")
    prompt_type = (cfg.get("data") or {}).get("prompt_type", "p1")
    if prompt_type == "p1":
        out.append("Trained on the targets' names only: other phrasings of a target may be called absent "
                   "(see BENCHMARKS.md, cross-prompt evaluation); prompt with the names listed above.")
    out.append(f"2-D: every image (and every slice of a volume) is resized to {record.get('image_size')} px square; "
               "structures much smaller than a pixel at that size are lost.")
    return out + [str(w) for w in meta.get("warnings") or []]


def render_card(run: str | os.PathLike) -> str:
    """The markdown card of a run directory (or of a ``.safetensors`` file, from its record alone)."""
    path = Path(run)
    if path.is_file():
        from .checkpoints import read_record

        record = read_record(path).model_dump(mode="json")
        meta: dict[str, Any] = {"record": record}
        cfg: dict[str, Any] = {}
        name = path.stem
    else:
        try:
            meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(f"{path}: not a run directory (no metadata.json) or a .safetensors file") from None
        except ValueError as exc:
            raise DataError(f"{path / 'metadata.json'}: not valid JSON ({exc})") from None
        import yaml

        cfg_file = path / "config.yaml"
        try:
            cfg = (yaml.safe_load(cfg_file.read_text(encoding="utf-8")) or {}) if cfg_file.is_file() else {}
        except yaml.YAMLError as exc:
            raise DataError(f"{cfg_file}: not valid YAML ({exc})") from None
        if not isinstance(cfg, dict) or not isinstance(meta, dict):
            raise DataError(f"{path}: config.yaml and metadata.json must each hold a mapping")
        record = meta.get("record") or {}
        name = cfg.get("name") or path.name
    targets = record.get("targets") or []
    lines = [f"# Model card: {name}", ""]
    lines += ["## What it segments", ""]
    if targets:
        per = record.get("presence_thresholds") or {}
        lines += ["| prompt (target name) | presence threshold |", "|---|---|"]
        lines += [f"| {t} | {_fmt(per.get(t, record.get('presence_threshold')))} |" for t in targets]
    else:
        lines += ["No target names recorded: an image-only model, or one not trained with this package."]
    lines += ["", f"Model `{record.get('model')}` on backbone `{record.get('backbone')}`"
              + (f" (weights: {meta['weight_source']})" if meta.get("weight_source") else "")
              + f", input {record.get('image_size')} px. A pixel is target at probability >= "
              f"{_fmt(record.get('threshold'))}; an image whose presence score ("
              + PRESENCE_RULES.get(record.get("presence_rule", "peak"), "?") + ") is below the prompt's presence "
              "threshold gets an empty mask (\"not here\")."]
    if record.get("init_from"):
        lines += ["", f"Started from `{record['init_from'].get('path')}` (sha256 {str(record['init_from'].get('sha256'))[:12]}...)."]
    if meta.get("data") or cfg:
        d = cfg.get("data") or {}
        o = cfg.get("optim") or {}
        lines += ["", "## Training data and budget", ""]
        for ds in meta.get("data") or []:
            lines.append(f"- `{ds.get('name')}` ({ds.get('path')}), manifest sha256 {str(ds.get('manifest_sha256'))[:12]}...")
        lines += [
            f"- {meta.get('n_train')} training samples; prompts `{d.get('prompt_type', 'p1')}`, negative prompts "
            f"{d.get('negative_fraction', 0)} of samples; augmentation {json.dumps(cfg.get('augment') or {})}",
            f"- {meta.get('epochs_completed')} epochs in {_fmt(meta.get('train_time_s'), 0)} s on {meta.get('device')} "
            f"({meta.get('num_devices')} device(s), {meta.get('torch_threads')} threads); budget: at most "
            f"{o.get('epochs')} epochs, {o.get('max_time_min') or 'no'} minutes",
            f"- medvlseg {meta.get('medvlseg_version')} (commit {str(meta.get('git_commit'))[:10]}), torch {meta.get('torch')}, "
            f"seed {cfg.get('seed')}",
        ]
    if meta.get("best_metrics"):
        sel = meta.get("selection") or {}
        lines += ["", "## Validation", "",
                  f"Chosen on `{sel.get('split', '?')}` ({sel.get('n', meta['best_metrics'].get('val_n'))} samples): "
                  f"best epoch {meta.get('best_epoch')}."
                  + (f" Untouched for scoring: {', '.join(sel['untouched'])}." if sel.get("untouched") else ""), "",
                  "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in meta["best_metrics"].items()]
    lines += ["", "## Known limits", ""]
    lines += [f"- {x}" for x in _limits(meta, cfg, record)]
    return "\n".join(lines) + "\n"


def write_card(run_dir: str | os.PathLike) -> Path:
    """Write ``card.md`` into a run directory (atomically)."""
    return atomic_write_text(card_path(run_dir), render_card(run_dir))
