"""Prompt records for a whole dataset, and their JSONL files.

One record per sample::

    {"id": ..., "dataset": ..., "split": ..., "target": ...,
     "attributes": {...},            # Attributes.to_dict(): words and the numbers behind them
     "p0": "", "p1": "polyp", ..., "p7": [...], "p8": [...], "p9": [...],
     "perturbation": {...}}          # only when a perturbation was asked for

Per-image manifest columns that are not part of the standard layout (PH2's ``diagnosis``, a user's
own columns) are passed to :func:`compute_attributes` as ``extra`` and kept in
``attributes["fields"]``; columns declared for the target in ``targets.yaml`` also choose the
descriptions (PH2: every P7-P9 variant names the diagnosis).

Leakage: p2-p9 are computed from the ground-truth mask (shape, size, number, location, colour of the
masked region). Fine for training and for studying how models use text; results on test images that
used them must say so (REFERENCE §2).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..data.dataset import MANIFEST_STANDARD, SegmentationDataset
from ..errors import ConfigError, DataError
from ..utils import atomic_write_jsonl
from .attributes import DEFAULT_CONNECTIVITY, MIN_COMPONENT_PIXELS, TargetCatalog, compute_attributes, load_targets
from .perturb import PERTURBATIONS, perturb_prompt
from .templates import PROMPT_TYPES, build_prompts, check_prompt_type

#: Keys every record in a prompts file must have.
REQUIRED_KEYS = ("id", *PROMPT_TYPES)


def _extra_fields(meta: Mapping[str, str]) -> dict[str, str]:
    """Manifest columns beyond the standard layout, non-empty only."""
    return {k: v for k, v in meta.items() if k not in MANIFEST_STANDARD and v not in (None, "")}


def _sample_rng(seed: int, sample_id: str) -> random.Random:
    # Seeded by (seed, id), not by position: a record's perturbation does not change when the dataset
    # is filtered to a split or reordered. str seeds are hashed with SHA-512, stable across runs.
    return random.Random(f"{seed}:{sample_id}")


def generate_records(
    dataset: SegmentationDataset,
    *,
    split: str | None = None,
    seed: int = 0,
    progress: bool = False,
    perturb: str | None = None,
    perturb_type: str = "p6",
    targets: TargetCatalog | str | os.PathLike | None = None,
    connectivity: int = DEFAULT_CONNECTIVITY,
    min_component_pixels: int = MIN_COMPONENT_PIXELS,
) -> Iterator[dict[str, Any]]:
    """Yield one prompt record per sample of ``dataset`` (of ``split`` only, when given).

    Args:
        dataset: any :class:`SegmentationDataset`; every sample needs a mask.
        split: "train", "val", "test", or ``None`` / "all" for every sample.
        seed: seed for the perturbation choices (records without a perturbation have no randomness).
        progress: show a progress bar on stderr.
        perturb: a kind from :data:`~medvlseg.prompts.perturb.PERTURBATIONS`; adds a ``perturbation``
            entry with the perturbed prompt of level ``perturb_type`` (the p0-p9 keys stay clean).
        perturb_type: the level to perturb ("p0".."p9" or "random").
        targets: a catalogue or YAML file of extra targets (see ``targets.yaml``).
        connectivity, min_component_pixels: see :func:`compute_attributes`.
    """
    if perturb is not None and perturb not in PERTURBATIONS:
        raise ConfigError(f"perturb: unknown value {perturb!r}; expected one of: {', '.join(PERTURBATIONS)}")
    check_prompt_type(perturb_type)
    catalog = targets if isinstance(targets, TargetCatalog) else load_targets(targets)
    samples: Iterable = dataset.split(split)
    if progress:
        from rich.console import Console
        from rich.progress import track

        samples = track(list(samples), description=f"prompts {dataset.name}", console=Console(stderr=True), transient=True)
    for sample in samples:
        if sample.mask is None:
            raise DataError(f"{sample.image}: sample {sample.id!r} has no mask; prompts p2-p9 are computed from the mask")
        loaded = dataset.load(sample)
        attrs = compute_attributes(
            loaded.mask, loaded.image, target=sample.target, dataset=sample.dataset, extra=_extra_fields(sample.meta),
            connectivity=connectivity, min_component_pixels=min_component_pixels, targets=catalog,
        )
        record: dict[str, Any] = {
            "id": sample.id, "dataset": sample.dataset, "split": sample.split, "target": sample.target,
            "attributes": attrs.to_dict(), **build_prompts(attrs),
        }
        if perturb is not None:
            p = perturb_prompt(attrs, perturb, perturb_type, _sample_rng(seed, sample.id))
            record["perturbation"] = {
                "kind": p.kind, "prompt_type": p.prompt_type, "seed": seed, "attribute": p.attribute,
                "original": p.original, "replacement": p.replacement, "prompt": p.prompt,
            }
        yield record


def write_prompts_jsonl(records: Iterable[Mapping[str, Any]], path: str | os.PathLike) -> Path:
    """Write records, one JSON object per line, atomically (a crash leaves no half-written file)."""
    return atomic_write_jsonl(path, (dict(r) for r in records))


def _check_prompt_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def load_prompts_jsonl(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Read a prompts file into ``{id: record}``, checking every line.

    Raises :class:`DataError` naming the file and line for malformed JSON, a record that is not an
    object, missing keys (``id``, ``p0`` ... ``p9``), prompt values that are not text or lists of
    text, and duplicate ids.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: prompts file not found")
    out: dict[str, dict[str, Any]] = {}
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read prompts file ({exc})") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{n}: malformed JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(rec, dict):
                raise DataError(f"{path}:{n}: expected a JSON object, got {type(rec).__name__}")
            missing = [k for k in REQUIRED_KEYS if k not in rec]
            if missing:
                raise DataError(f"{path}:{n}: missing key(s) {', '.join(missing)}; required: {', '.join(REQUIRED_KEYS)}")
            bad = [k for k in PROMPT_TYPES if not _check_prompt_value(rec[k])]
            if bad:
                raise DataError(f"{path}:{n}: {', '.join(bad)} must be text or a list of text")
            rid = str(rec["id"])
            if rid in out:
                raise DataError(f"{path}:{n}: duplicate id {rid!r}")
            out[rid] = rec
    return out
