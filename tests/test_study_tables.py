"""``benchmarks/study_tables.py``: the cross-suite tables of BENCHMARKS.md take the full-data point of
the data-efficiency curve from the fine-tuning suite, show each fraction's share of it, and the prompt
table's changes are relative to the unperturbed prompt."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIELDS = ["model", "dataset", "prompt_type", "fraction", "eval_set", "perturbation", "dice_mean", "epochs_mean"]


def _module():
    spec = importlib.util.spec_from_file_location("study_tables", REPO / "benchmarks" / "study_tables.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "results.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({"dataset": "fuseg", "prompt_type": "p1", "eval_set": "val", "perturbation": "", **r})
    return folder


def test_data_efficiency_table_uses_the_full_data_run_of_the_finetune_suite(tmp_path):
    st = _module()
    ft = st.read(_write(tmp_path / "ft", [
        {"model": "unet", "fraction": 1.0, "dice_mean": 0.8, "epochs_mean": 2},
        {"model": "medclipseg", "fraction": 1.0, "dice_mean": 0.5, "epochs_mean": 3},
        {"model": "medclipseg", "fraction": 1.0, "dice_mean": 0.9, "epochs_mean": 3, "dataset": "ph2"},
    ]))
    de = st.read(_write(tmp_path / "de", [
        {"model": "unet", "fraction": 0.1, "dice_mean": 0.6, "epochs_mean": 12},
        {"model": "medclipseg", "fraction": 0.1, "dice_mean": 0.45, "epochs_mean": 21},
        {"model": "medclipseg", "fraction": 0.5, "dice_mean": 0.55, "epochs_mean": 6},
    ]))
    lines = st.data_efficiency_table(ft, de)
    assert lines[0] == "| model | 0.1 | 0.5 | 1 | 0.1 / 1 | 0.5 / 1 |"
    # model order follows MODEL_ORDER (medclipseg first), ph2's row is ignored
    assert lines[2] == "| medclipseg | 0.450 (21) | 0.550 (6) | 0.500 (3) | 90 % | 110 % |"
    assert lines[3] == "| unet | 0.600 (12) | – | 0.800 (2) | 75 % | – |"
    png = st.data_efficiency_plot(ft, de, tmp_path / "plot" / "de.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_prompt_table_changes_are_relative_to_the_unperturbed_prompt(tmp_path):
    st = _module()
    rows = st.read(_write(tmp_path / "pr", [
        {"model": "clipseg", "fraction": 1.0, "dice_mean": 0.65, "perturbation": "", "prompt_type": "random"},
        {"model": "clipseg", "fraction": 1.0, "dice_mean": 0.6485, "perturbation": "empty", "prompt_type": "random"},
    ]))
    lines = st.prompts_table(rows)
    assert lines[2].endswith("| none | 0.6500 | – |")
    assert lines[3].endswith("| empty | 0.6485 | -0.0015 |")


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
