"""Shared fixtures. Real data lives in ../shared/datasets (beside the repository); tests that need it
skip with a clear reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
