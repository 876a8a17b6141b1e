"""DDP on CPU (gloo): `--devices 2 --strategy ddp` trains end to end and writes one run directory."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from test_engine import make_config, make_dataset, read_metrics

pytest.importorskip("lightning")


def test_ddp_two_cpu_processes(tmp_path):
    data = make_dataset(tmp_path / "ds", n_train=8, n_val=4)
    cfg_path = tmp_path / "c.yaml"
    make_config(data, tmp_path / "runs", "optim.epochs=2").to_yaml(cfg_path)
    out = subprocess.run(
        [sys.executable, "-m", "medvlseg.cli", "train", "--config", str(cfg_path), "--devices", "2", "--strategy", "ddp"],
        capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["t"]  # one run directory, written by rank 0 only
    run = tmp_path / "runs" / "t"
    rows = read_metrics(run)
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert all(int(float(r["val_n"])) >= 4 for r in rows)  # val metrics reduced over both ranks
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "finished" and meta["epochs_completed"] == 2
    assert (run / "model.safetensors").is_file() and (run / "last" / "state.json").is_file()
