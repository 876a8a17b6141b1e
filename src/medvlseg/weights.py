"""The one rule for reading weight files: safetensors always; a pickle only when trusted.

Unpickling can run arbitrary code, so a pickle file (``.pt .pth .ckpt .bin .pkl``) is read only when
the caller says it trusts it (``--trust-pickle`` on the command line, ``trust_pickle=True`` in the
API), and then with ``torch.load(weights_only=True)``, which rebuilds nothing but tensors and plain
containers. Every path that reads weights goes through :func:`read_weights`: run directories,
``.safetensors`` files, open_clip checkpoint files of a backbone, Hugging Face folders (through
:func:`hf_use_safetensors`), and the one pickle that ships inside an installed dependency
(EfficientNet-Lite0's ImageNet weights), which is trusted by name, not by default.

Backbones are built deep inside :func:`medvlseg.build_model`, so the caller's permission travels in
a context variable: ``with trust_pickle(True): build_model(...)``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

import torch

from .errors import DataError

__all__ = ["PICKLE_SUFFIXES", "hf_use_safetensors", "is_pickle", "pickle_trusted", "read_weights", "trust_pickle"]

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle")

_TRUSTED: contextvars.ContextVar[bool] = contextvars.ContextVar("medvlseg_trust_pickle", default=False)


@contextlib.contextmanager
def trust_pickle(trusted: bool = True) -> Iterator[None]:
    """Within the block, weight files that are pickles may be read (with ``weights_only=True``)."""
    token = _TRUSTED.set(bool(trusted))
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def pickle_trusted() -> bool:
    return _TRUSTED.get()


def is_pickle(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in PICKLE_SUFFIXES


def refuse_pickle(path: str | os.PathLike) -> DataError:
    return DataError(
        f"{path}: pickle file ({Path(path).suffix}); unpickling can run arbitrary code, refusing to load. "
        "Convert it to safetensors, or pass --trust-pickle (trust_pickle=True) if you trust its origin"
    )


def read_weights(path: str | os.PathLike, *, trusted: bool | None = None) -> dict[str, torch.Tensor] | object:
    """Read a weight file: ``.safetensors`` -> dict of tensors; a pickle -> whatever
    ``torch.load(weights_only=True)`` rebuilds, only when ``trusted`` (default: the caller's
    :func:`trust_pickle` scope). Anything else is refused with a :class:`DataError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: weights file not found")
    if path.suffix.lower() == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path), device="cpu")
        except Exception as exc:  # safetensors raises its own error types for corrupt files
            raise DataError(f"{path}: cannot read safetensors file ({exc})") from None
    if not is_pickle(path):
        raise DataError(f"{path}: unsupported weights file {path.suffix or '(no suffix)'!r}; expected .safetensors")
    if not (pickle_trusted() if trusted is None else trusted):
        raise refuse_pickle(path)
    import pickle

    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot read as plain tensors with weights_only=True ({first})") from None


def hf_use_safetensors() -> bool | None:
    """``use_safetensors`` for a Hugging Face ``from_pretrained``: ``True`` (never fall back to a
    ``pytorch_model.bin`` pickle) unless the caller trusts pickles."""
    return None if pickle_trusted() else True
