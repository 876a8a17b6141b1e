"""Small shared helpers: atomic writes, hashing, choosing among named options."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file next to ``path`` and rename it over ``path`` on success.

    A crash (or an exception inside the block) leaves no half-written file that looks complete:
    the temporary file is removed and ``path`` keeps its previous content, if any.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            with contextlib.suppress(OSError, AttributeError):  # no fchmod on Windows; some mounts refuse it
                os.fchmod(fh.fileno(), _new_file_mode())  # mkstemp's 0600 would keep outputs from their readers
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@functools.cache
def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the process umask (read once)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no /proc: read by setting, then put back at once
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def atomic_write_jsonl(path: str | os.PathLike, records: Iterable[dict]) -> Path:
    with atomic_open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, default=_json_default) + "\n")
    return Path(path)


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_choice(name: str, value: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise an error listing the valid values."""
    choices = list(choices)
    if value not in choices:
        raise ConfigError(f"{name}: unknown value {value!r}; expected one of: {', '.join(map(str, choices))}")
    return value


def read_yaml_mapping(path: str | os.PathLike, what: str = "file") -> dict:
    """A YAML file whose top level is a mapping (empty file: ``{}``); a missing file, invalid YAML or
    another top level is a :class:`~medvlseg.errors.ConfigError` naming the file."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: {what} not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(raw).__name__}")
    return raw


def read_json_mapping(path: str | os.PathLike, what: str = "file", error: type[Exception] = ConfigError) -> dict:
    """A JSON file whose top level is an object; missing, unreadable, invalid or another top level
    is an ``error`` naming the file (``what``: what it should have been)."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: {what} not found")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a JSON object at the top level, got {type(raw).__name__}")
    return raw


def file_safe(text: str, max_len: int | None = None) -> str:
    """``text`` as part of a file name: every character but letters, digits and ``-_.`` becomes
    ``_``; cut to ``max_len`` characters when given."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    return safe if max_len is None else safe[:max_len]


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, each made distinct from the ones before it with a ``_2``, ``_3`` ... suffix (file
    names for outputs that must not overwrite each other)."""
    out, used = [], set()
    for base in names:
        name, k = base, 1
        while name in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        out.append(name)
    return out


def atomic_write_csv(path: str | os.PathLike, rows: Iterable[dict]) -> Path:
    """Rows of dicts as CSV (columns: every key, in order of first appearance; None and NaN as
    empty cells), written atomically."""
    import csv
    import io
    import math

    rows = list(rows)
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()})
    return atomic_write_text(path, buf.getvalue())
