"""The demo job: the MNI152 slice dataset it builds, and the whole job (data, train, evaluate,
predict several prompts, report.html) on a tiny model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from medvlseg.data import SegmentationDataset
from medvlseg.demo import MNI_TARGETS, build_mni_slices, demo_prompts, mni_slice_split


def test_val_slices_have_no_train_neighbour():
    splits = mni_slice_split(60)
    assert 0.2 <= splits.count("val") / 60 <= 0.3 and splits.count("train") > 30
    for i, s in enumerate(splits):
        if s == "train":
            assert "val" not in splits[max(0, i - 1): i + 2], i


@pytest.fixture(scope="module")
def mni_slices(tmp_path_factory) -> Path:
    return build_mni_slices(tmp_path_factory.mktemp("mni") / "slices", resolution=2, step=3)


def test_mni_slices_are_a_multi_target_dataset(mni_slices):
    ds = SegmentationDataset.open(mni_slices)
    assert ds.targets() == sorted(MNI_TARGETS)
    assert len(ds.split("train")) > 0 and len(ds.split("val")) > 0
    by_image: dict[str, dict[str, np.ndarray]] = {}
    for s in ds:
        by_image.setdefault(s.image, {})[s.target] = ds.load(s).mask > 0
    for image, masks in by_image.items():
        assert set(masks) == set(MNI_TARGETS), image
        gm, wm, brain = masks["grey matter"], masks["white matter"], masks["brain"]
        assert gm.any() and wm.any() and not (gm & wm).any()
        assert not (gm & ~brain).any() and not (wm & ~brain).any()
        assert gm.shape == (117, 99)  # (Y, X) of the 2 mm template
    # the slice is shown whole and upright: roughly left-right symmetric
    mid = next(m for m in by_image.values())["brain"]
    assert abs(mid.sum(0) - mid.sum(0)[::-1]).sum() < 0.2 * mid.sum()


def test_demo_prompts_add_an_absent_target_and_nonsense():
    assert demo_prompts(list(MNI_TARGETS)) == [*MNI_TARGETS, "foot ulcer", "orchestra"]
    assert demo_prompts(["foot ulcer"])[1] not in ("foot ulcer", "orchestra")


def test_demo_runs_end_to_end(mni_slices, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "medvlseg", "demo", "--data", str(mni_slices), "--out", str(out), "--backbone", "tiny",
         "--epochs", "2", "--minutes", "10"],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["dice"]) == set(MNI_TARGETS)
    assert all(0 <= d <= 1 for d in summary["dice"].values())
    assert summary["epochs_completed"] == 2
    shown = summary["predictions"]
    assert len(shown) == 3 and all([p["prompt"] for p in s["prompts"]] == summary["prompts"] for s in shown)
    for s in shown:
        for p in s["prompts"]:
            mask = np.asarray(Image.open(out / p["mask"]))
            assert mask.shape == (117, 99) and (p["called_present"] == bool(mask.any()))
            assert (p["dice"] is None) == (p["prompt"] not in MNI_TARGETS)
    page = (out / "report.html").read_text()
    assert page.count("<img") == 3 * (1 + 2 * len(summary["prompts"]))
    assert "&ldquo;foot ulcer&rdquo;" in page and "http://" not in page and "https://" not in page
    assert (out / "evaluation" / "summary.json").is_file()
    # every run carries its model card, and `models show` prints the same text
    run = Path(summary["run"])
    card = (run / "card.md").read_text()
    for part in ("| grey matter |", "| white matter |", "## Training data and budget", "## Known limits", "2 epochs"):
        assert part in card, part
    shown = subprocess.run([sys.executable, "-m", "medvlseg", "models", "show", str(run)], capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout == card
