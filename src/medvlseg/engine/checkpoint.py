"""A pickle-free, crash-safe Lightning checkpoint: tensors in safetensors, everything else in JSON.

Lightning's checkpoint is a nested dict (model and optimizer states, loop counters, callback states).
:class:`SafeCheckpointIO` splits it: every tensor goes to ``state-<n>.safetensors`` keyed by its path
in the dict, every other value to ``state.json`` (with tags for what JSON lacks: tuples, dicts with
int keys (optimizer states), tensor references). Both are written atomically (temp file + rename),
the tensors first; ``state.json`` names the tensor file and its sha256 and is written last, so a
crash or SIGKILL at any instant leaves either the previous complete pair or the new one, never a
mixture that would load. Loading checks the checksum and refuses anything else with a clear error.
Nothing is unpickled.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

from ..errors import DataError
from ..utils import atomic_write_bytes, atomic_write_json, sha256_file

FORMAT = "medvlseg-checkpoint/1"
STATE_JSON = "state.json"


def _lightning_checkpoint_io():
    from lightning.fabric.plugins.io.checkpoint_io import CheckpointIO

    return CheckpointIO


def flatten(obj: Any, tensors: dict[str, torch.Tensor], path: str = "") -> Any:
    """Replace every tensor in ``obj`` by ``{"__tensor__": key}`` and collect it in ``tensors``."""
    if isinstance(obj, torch.Tensor):
        key = path or "/"
        tensors[key] = obj.detach().cpu().clone().contiguous()
        return {"__tensor__": key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: flatten(v, tensors, f"{path}/{k}") for k, v in obj.items()}
        return {"__items__": [[k, flatten(v, tensors, f"{path}/{k}")] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [flatten(v, tensors, f"{path}/{i}") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [flatten(v, tensors, f"{path}/{i}") for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    try:  # numpy scalars and the like
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return flatten(torch.from_numpy(obj.copy()), tensors, path)
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"checkpoint value at {path or '/'} has type {type(obj).__name__}, which is not saved (no pickle)")


def unflatten(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"}:
            return tensors[obj["__tensor__"]]
        if set(obj) == {"__tuple__"}:
            return tuple(unflatten(v, tensors) for v in obj["__tuple__"])
        if set(obj) == {"__items__"}:
            return {(tuple(k) if isinstance(k, list) else k): unflatten(v, tensors) for k, v in obj["__items__"]}
        return {k: unflatten(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unflatten(v, tensors) for v in obj]
    return obj


def save_state(checkpoint: dict[str, Any], folder: str | os.PathLike) -> Path:
    """Write ``checkpoint`` into ``folder`` (see the module docstring). Returns the ``state.json`` path."""
    from safetensors.torch import save

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    tree = flatten(checkpoint, tensors)
    previous = _read_json(folder / STATE_JSON, strict=False)
    n = int(previous.get("counter", 0)) + 1 if previous else 1
    tensor_name = f"state-{n:06d}.safetensors"
    atomic_write_bytes(folder / tensor_name, save(tensors))
    atomic_write_json(folder / STATE_JSON, {
        "format": FORMAT, "counter": n, "tensors": tensor_name, "sha256": sha256_file(folder / tensor_name),
        "epoch": checkpoint.get("epoch"), "global_step": checkpoint.get("global_step"), "checkpoint": tree,
    })
    for old in folder.glob("state-*.safetensors"):  # only now is the previous pair no longer needed
        if old.name != tensor_name:
            old.unlink(missing_ok=True)
    return folder / STATE_JSON


def _read_json(path: Path, *, strict: bool = True) -> dict[str, Any]:
    if not path.is_file():
        if strict:
            raise DataError(f"{path}: checkpoint not found (nothing to resume: no epoch was completed?)")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a medvlseg checkpoint")
        return data
    except (ValueError, UnicodeDecodeError) as exc:
        if strict:
            raise DataError(f"{path}: corrupt or truncated checkpoint index ({exc}); refusing to resume from it") from None
        return {}


def load_state(folder_or_json: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_state`, verifying the tensor file's sha256."""
    from safetensors.torch import load

    path = Path(folder_or_json)
    folder = path if path.is_dir() else path.parent
    index = _read_json(folder / STATE_JSON)
    tensor_path = folder / str(index.get("tensors", ""))
    if not index.get("tensors") or not tensor_path.is_file():
        raise DataError(f"{tensor_path}: checkpoint tensor file missing; refusing to resume")
    data = tensor_path.read_bytes()
    import hashlib

    if hashlib.sha256(data).hexdigest() != index.get("sha256"):
        raise DataError(f"{tensor_path}: sha256 does not match {folder / STATE_JSON} (corrupt or truncated); refusing to resume")
    try:
        tensors = load(data)
    except Exception as exc:  # safetensors raises its own error types
        raise DataError(f"{tensor_path}: cannot read tensors ({exc}); refusing to resume") from None
    try:
        return unflatten(index["checkpoint"], tensors)
    except KeyError as exc:
        raise DataError(f"{folder / STATE_JSON}: refers to tensor {exc} missing from {tensor_path.name}") from None


class SafeCheckpointIO(_lightning_checkpoint_io()):
    """Lightning ``CheckpointIO`` plugin over :func:`save_state` / :func:`load_state`.

    Lightning passes a file path (``.../last/state.ckpt`` or ``.../last/state.json``); its parent
    folder holds the pair."""

    def save_checkpoint(self, checkpoint: dict[str, Any], path, storage_options: Any | None = None) -> None:
        save_state(checkpoint, Path(path).parent)

    def load_checkpoint(self, path, map_location: Any | None = None, weights_only: bool | None = None) -> dict[str, Any]:
        state = load_state(Path(path).parent if Path(path).suffix else path)
        if map_location is not None and not callable(map_location):
            state = _to_device(state, map_location)
        return state

    def remove_checkpoint(self, path) -> None:
        folder = Path(path).parent
        (folder / STATE_JSON).unlink(missing_ok=True)
        for old in folder.glob("state-*.safetensors"):
            old.unlink(missing_ok=True)


def _to_device(obj: Any, device: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_device(v, device) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_to_device(v, device) for v in obj)
    return obj
