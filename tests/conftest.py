"""Shared fixtures. Real data lives in ../shared/datasets (beside the repository); tests that need it
skip with a clear reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _one_share_of_the_cores() -> None:
    """Under pytest-xdist each worker gets its share of the cores. Left at PyTorch's default (a
    thread per core in every worker), two workers oversubscribe a 2-core machine and a CPU test runs
    about 4x slower than alone. An OMP_NUM_THREADS set by the caller is kept."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        share = max(1, len(os.sched_getaffinity(0)) // workers)
        os.environ.setdefault("OMP_NUM_THREADS", str(share))  # also read by the subprocesses tests start
        os.environ.setdefault("MKL_NUM_THREADS", os.environ["OMP_NUM_THREADS"])
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


_one_share_of_the_cores()

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(os.environ.get("MEDVLSEG_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))


def shared_dataset(name: str) -> Path:
    """Path of ``../shared/datasets/<name>``, or skip the test when it is not there."""
    path = SHARED_DATASETS / name
    if not (path / "manifest.csv").is_file():
        pytest.skip(f"real dataset {name!r} not found at {path} (../shared is absent)")
    return path


@pytest.fixture
def ph2() -> Path:
    return shared_dataset("ph2")


@pytest.fixture
def fuseg() -> Path:
    return shared_dataset("fuseg")


@pytest.fixture
def polypgen() -> Path:
    return shared_dataset("polypgen")


@pytest.fixture
def medetec() -> Path:
    return shared_dataset("medetec")
