"""Every file the package writes is written atomically (reliability issue, item 3).

- A writer process SIGKILLed at random moments, over and over, while it rewrites a checkpoint and its
  metadata through the package's writers: whatever is on disk afterwards is always a complete version
  (the safetensors loads, every tensor holds the value of one write, the JSON parses and names the same
  write), never a torn file.
- The source holds no other way of writing a file: a call that writes a path directly (``write_text``,
  ``np.save(path)``, ``nib.save``, ``torch.save``, ``open(path, "w")``, ...) fails this test unless it is
  one of the few listed below with the reason it is safe.
- New files get the mode ``open()`` would give them (the process umask), not mkstemp's private 0600.
"""

from __future__ import annotations

import ast
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import medvlseg

SRC = Path(medvlseg.__file__).resolve().parent

# (file relative to the package, call name): why it is not an atomic write and why that is safe
ALLOWED = {
    ("utils.py", "open"): "the atomic writers themselves (a temporary file, fsync, then rename)",
    ("utils.py", "fdopen"): "the atomic writers themselves",
    ("serve.py", "open"): "a request's upload copied into its own private temporary folder, read by that request only and removed",
    ("ranking.py", "open"): "the empty lock file beside a rank cache, opened only to hold its lock; nothing is written to it",
    ("backbones/openclip.py", "save_pretrained"): "Hugging Face's tokenizer/config writers; the folder's own config, "
    "which the loader starts from, is written atomically after them, so a cut-short folder is refused",
    ("export.py", "save_pretrained"): "the tokenizer's files, written before export.json (atomic, last), without "
    "which OnnxModel refuses the folder; the graph itself is written to a temporary name and renamed",
}
WRITING_METHODS = {"write_text", "write_bytes", "save_pretrained", "to_csv", "to_filename", "savefig", "save_as", "save", "save_file"}
IN_MEMORY = {"buf"}  # io.BytesIO targets: encoded in memory, then written atomically


def _write_mode(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax+")


def _raw_writes(path: Path) -> list[tuple[str, int]]:
    """Calls that write a file: ``open`` in a writing mode anywhere, and the writing methods where
    they stand as a statement (``safetensors.torch.save(...)`` used as a value returns bytes)."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name in ("open", "fdopen"):
            if _write_mode(node):
                found.append((name, node.lineno))
        elif name in WRITING_METHODS and id(node) in statements:
            target = node.args[0] if node.args else None
            if not (isinstance(target, ast.Name) and target.id in IN_MEMORY):
                found.append((name, node.lineno))
    return found


def test_no_file_is_written_except_atomically():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for name, line in _raw_writes(path):
            if (rel, name) not in ALLOWED:
                offenders.append(f"{rel}:{line}: {name}(...)")
    assert not offenders, "files written without medvlseg.utils.atomic_*: " + "; ".join(offenders)


def test_the_scan_finds_raw_writes(tmp_path):
    """The scan above is not blind: each form of a direct write is found."""
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent("""
        Path(p).write_text("x")
        np.save(p, a)
        nib.save(img, p)
        torch.save(obj, p)
        open(p, "w")
        open(p, mode="ab")
        fig.savefig(p)
        np.save(buf, a)
        data = save(tensors)
        open(p, "rb")
    """))
    assert [n for n, _ in _raw_writes(probe)] == ["write_text", "save", "save", "save", "open", "open", "savefig"]


WRITER = textwrap.dedent("""
    import itertools, sys, torch
    from medvlseg.utils import atomic_write_bytes, atomic_write_json
    from safetensors.torch import save
    out = sys.argv[1]
    print("ready", flush=True)
    for i in itertools.count():
        # 8 MB, so that a kill often lands inside a write; the metadata after it, as a run writes them
        atomic_write_bytes(out + "/model.safetensors", save({"w": torch.full((2 << 20,), float(i))}, metadata={"i": str(i)}))
        atomic_write_json(out + "/metadata.json", {"i": i, "rows": list(range(i % 1000))})
""")


def test_kill_mid_write_never_leaves_a_torn_file(tmp_path):
    from safetensors import safe_open

    rng = random.Random(0)
    checked = rounds = 0
    while checked < 4 and rounds < 16:  # rounds killed before the first write check nothing: go on
        rounds += 1
        for p in tmp_path.iterdir():  # each writer starts from nothing (its writes count from 0)
            p.unlink()
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.2, 1.0))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()
        model, meta = tmp_path / "model.safetensors", tmp_path / "metadata.json"
        if not model.exists():
            continue
        with safe_open(str(model), framework="pt") as fh:  # raises on a torn file
            i = int(fh.metadata()["i"])
            w = fh.get_tensor("w")
        assert w.numel() == 2 << 20 and bool((w == i).all()), "a checkpoint mixing two writes"
        if meta.exists():
            record = json.loads(meta.read_text())  # raises on a torn file
            assert record["rows"] == list(range(record["i"] % 1000))
            assert record["i"] in (i, i - 1)  # the metadata of this write or of the one before
        checked += 1
        # a killed write leaves its temporary file (no handler runs under SIGKILL); no reader opens it
        assert all(p.name.startswith(".") and p.name.endswith(".tmp")
                   for p in tmp_path.iterdir() if p.name not in ("model.safetensors", "metadata.json"))
    assert checked >= 4, f"the writer was killed before its first write in {rounds - checked} of {rounds} rounds"


def test_atomic_files_follow_the_umask(tmp_path):
    from medvlseg.utils import atomic_write_text

    path = atomic_write_text(tmp_path / "report.md", "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
