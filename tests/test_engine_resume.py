"""Resume: a run SIGKILLed after its second epoch continues from the last completed epoch and ends like
an uninterrupted run; a truncated or corrupted last/ checkpoint is refused, never silently loaded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_engine import make_config, make_dataset, read_metrics

pytest.importorskip("lightning")

# the kill lands after epoch 2; six more epochs to go leave it a wide margin (with 3 epochs in all, a
# fast machine sometimes finished epoch 3 before the kill arrived, and the test failed for nothing)
EPOCHS = 8


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "medvlseg.cli", *args]


def _completed_epochs(run: Path) -> int:
    try:
        return int(json.loads((run / "last" / "state.json").read_text())["epoch"]) + 1
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _train_until(cfg_path: Path, run: Path, *, epochs: int, then: int) -> tuple[int, str]:
    """`medvlseg train` in a subprocess, sent signal ``then`` once ``epochs`` are complete; returns its
    exit status and output (kept in a file: a pipe nobody reads while it trains could fill and stall it)."""
    log = cfg_path.with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(_cli("train", "--config", str(cfg_path)), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while _completed_epochs(run) < epochs:
            assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, f"run did not complete {epochs} epoch(s) in time"
            time.sleep(0.02)
        os.kill(proc.pid, then)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, log.read_text(errors="replace")


def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ds", n_train=12, n_val=4)
    extra = [f"optim.epochs={EPOCHS}", "optim.batch_size=2", "augment.hflip=true"]
    ref = train(make_config(data, tmp_path / "ref", *extra), progress=False)

    cfg_path = tmp_path / "c.yaml"
    make_config(data, tmp_path / "runs", *extra).to_yaml(cfg_path)
    run = tmp_path / "runs" / "t"
    _train_until(cfg_path, run, epochs=2, then=signal.SIGKILL)
    done = len(read_metrics(run))
    assert 2 <= done < EPOCHS, "killed too late to test resume"

    logged = {f.name: f.read_bytes() for f in (run / "logs" / "csv").glob("*")}
    assert train(None, resume=run, progress=False) == run  # in-process: saves a second interpreter start-up
    # Lightning's CSV log of the epochs before the resume is kept; the resumed epochs log beside it
    assert logged and {f.name: f.read_bytes() for f in (run / "logs" / "csv").glob("*")} == logged
    assert (run / "logs" / "csv-2" / "metrics.csv").is_file()
    rows, ref_rows = read_metrics(run), read_metrics(ref)
    assert [int(r["epoch"]) for r in rows] == list(range(1, EPOCHS + 1))
    # same seed, deterministic data order and augmentation, restored optimizer/scheduler/RNG: same numbers
    for a, b in zip(rows, ref_rows):
        assert float(a["train_loss"]) == pytest.approx(float(b["train_loss"]), abs=1e-6)
        assert float(a["val_dice"]) == pytest.approx(float(b["val_dice"]), abs=1e-6)
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "finished" and meta["epochs_completed"] == EPOCHS
    assert meta["best_epoch"] == json.loads((ref / "metadata.json").read_text())["best_epoch"]


def test_sigterm_exits_non_zero_and_leaves_the_run_resumable(tmp_path):
    """Lightning ends a fit stopped by SIGTERM with a bare SystemExit (status 0): a job killed by a
    scheduler would look successful. The CLI exits 143, says how to continue, and the run is not
    marked finished."""
    data = make_dataset(tmp_path / "ds", n_train=12, n_val=4)
    cfg_path = tmp_path / "c.yaml"
    make_config(data, tmp_path / "runs", "optim.epochs=1000", "optim.batch_size=2").to_yaml(cfg_path)
    run = tmp_path / "runs" / "t"
    returncode, out = _train_until(cfg_path, run, epochs=1, then=signal.SIGTERM)
    assert returncode == 128 + signal.SIGTERM, out[-2000:]
    said = " ".join(out.split())  # the console wraps long lines
    assert "stopped by SIGTERM" in said and "--resume" in said
    meta = json.loads((run / "metadata.json").read_text())
    assert meta["status"] == "running" and _completed_epochs(run) >= 1


def _short_run(tmp_path: Path) -> Path:
    from medvlseg.engine.train import train

    data = make_dataset(tmp_path / "ds", n_train=4, n_val=2)
    return train(make_config(data, tmp_path / "runs", "optim.epochs=1"), progress=False)


def test_corrupt_checkpoint_refused(tmp_path):
    from medvlseg.engine.checkpoint import load_state
    from medvlseg.engine.train import train
    from medvlseg.errors import DataError

    run = _short_run(tmp_path)
    last = run / "last"
    state = load_state(last)  # intact: loads, optimizer state keys keep their int type
    assert state["epoch"] == 0 and all(isinstance(k, int) for k in state["optimizer_states"][0]["state"])
    tensors = next(last.glob("state-*.safetensors"))
    data = tensors.read_bytes()

    tensors.write_bytes(data[: len(data) // 2])  # truncated tensor file
    with pytest.raises(DataError, match="sha256 does not match"):
        load_state(last)
    with pytest.raises(DataError, match="refusing to resume"):  # the CLI prints this as one line, exit 2
        train(None, resume=run, progress=False)

    flipped = bytearray(data)
    flipped[-10] ^= 0xFF  # one flipped byte
    tensors.write_bytes(bytes(flipped))
    with pytest.raises(DataError, match="sha256 does not match"):
        load_state(last)

    tensors.write_bytes(data)
    index = (last / "state.json").read_text()
    (last / "state.json").write_text(index[: len(index) // 2])  # truncated index
    with pytest.raises(DataError, match="corrupt or truncated"):
        load_state(last)

    (last / "state.json").unlink()
    with pytest.raises(DataError, match="not found"):
        load_state(last)
