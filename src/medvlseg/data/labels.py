"""Label maps: masks whose integer values name several targets, as users' datasets hold them.

A dataset folder may carry, at its root, ``labels.json`` (``{"1": "liver", "2": "tumour"}``, or the
inverse ``{"liver": 1}``) or an nnU-Net ``dataset.json`` (``"labels": {"background": 0, "liver": 1}``
in v2, ``{"0": "background", "1": "liver"}`` in v1). :class:`~medvlseg.data.SegmentationDataset`
then makes one sample per (image, target): the text is what tells the samples of one image apart.
Label 0 and a target named ``background`` are not targets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import DataError

__all__ = ["LABEL_FILES", "find_label_map", "parse_label_map", "read_label_map", "target_slug"]

LABEL_FILES = ("labels.json", "dataset.json")


def parse_label_map(raw: object, *, source: str = "label map") -> dict[int, str]:
    """``{value: target name}`` from any of the accepted layouts (see the module docstring)."""
    if isinstance(raw, dict) and "labels" in raw and isinstance(raw["labels"], dict):
        raw = raw["labels"]  # nnU-Net dataset.json
    if not isinstance(raw, dict) or not raw:
        raise DataError(f"{source}: expected a JSON object mapping label values to target names")
    out: dict[int, str] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            raise DataError(f"{source}: label {key!r} lists several values (nnU-Net regions); give one value per target")
        if isinstance(value, str) and _is_int(key):  # {"1": "liver"}
            label, name = int(key), value
        elif isinstance(value, int) and not isinstance(value, bool) and not _is_int(key):  # {"liver": 1}
            label, name = value, str(key)
        else:
            raise DataError(f"{source}: cannot read entry {key!r}: {value!r}; expected \"1\": \"liver\" or \"liver\": 1")
        name = name.strip()
        if not name:
            raise DataError(f"{source}: label {label} has an empty name")
        if label in out and out[label] != name:
            raise DataError(f"{source}: label value {label} is given two names ({out[label]!r}, {name!r})")
        if label != 0 and name.lower() != "background":
            out[label] = name
    if not out:
        raise DataError(f"{source}: no target besides the background")
    return out


def read_label_map(path: str | os.PathLike) -> dict[int, str]:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read label map ({exc})") from None
    return parse_label_map(raw, source=str(path))


def find_label_map(root: str | os.PathLike) -> dict[int, str] | None:
    """The label map a dataset folder carries (``labels.json`` first, then ``dataset.json``), or None."""
    for name in LABEL_FILES:
        path = Path(root) / name
        if path.is_file():
            return read_label_map(path)
    return None


def target_slug(name: str) -> str:
    """A target name as it appears in a sample id: ``right lung`` -> ``right_lung``."""
    return "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower()).strip("_") or "target"


def _is_int(text: object) -> bool:
    try:
        int(str(text))
        return True
    except ValueError:
        return False
