"""The demo job end to end on a small dataset, and its Otsu baseline."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from medvlseg.demo import otsu_baseline


def test_otsu_baseline_finds_a_dark_blob_away_from_dark_corners():
    img = np.full((60, 80, 3), 200, np.uint8)
    img[20:40, 30:55] = 40  # the lesion
    img[:6, :6] = 30  # a dark vignetted corner, larger share of nothing
    mask = otsu_baseline(img, "dark")
    truth = np.zeros((60, 80), bool)
    truth[20:40, 30:55] = True
    np.testing.assert_array_equal(mask, truth)


def test_demo_runs_end_to_end(tmp_path):
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    (data / "masks").mkdir()
    rng = np.random.default_rng(0)
    for k in range(10):
        img = rng.integers(150, 230, (48, 64, 3)).astype(np.uint8)
        m = np.zeros((48, 64), np.uint8)
        r, c = 10 + k, 20 + k
        m[r : r + 15, c : c + 18] = 255
        img[m > 0] = rng.integers(20, 80, (int((m > 0).sum()), 3))
        Image.fromarray(img).save(data / "images" / f"case{k}.jpg")
        Image.fromarray(m).save(data / "masks" / f"case{k}.png")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "medvlseg", "demo", "--data", str(data), "--out", str(out), "--split", "train"],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "metrics" / "summary.json").read_text())
    assert summary["n"] == 8  # 80 % of 10 in train
    assert summary["metrics"]["dice"]["mean"] > 0.9
    assert len((out / "prompts.jsonl").read_text().splitlines()) == 8
    assert (out / "metrics" / "report.md").is_file() and (out / "metrics" / "per_image.csv").is_file()
