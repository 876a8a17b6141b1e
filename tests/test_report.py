"""Report writers (CSV, JSON, markdown) and scoring a folder of predictions end to end on a tiny
dataset written into tmp_path."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from _metrics_reference import blob_mask, np_bilinear, np_dice, np_ece, square
from PIL import Image

from medvlseg.data.dataset import SegmentationDataset
from medvlseg.errors import DataError
from medvlseg.evaluation import (
    CSV_COLUMNS,
    SegmentationMetrics,
    markdown_table,
    read_prediction,
    score_prediction_folder,
    write_per_image_csv,
    write_reports,
    write_summary_json,
)

H, W = 24, 32


def _strict_json(path: Path) -> dict:
    def no_constants(name):  # NaN / Infinity are not JSON
        raise AssertionError(f"{path} holds {name}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constants)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------------------- writers


def _metrics() -> SegmentationMetrics:
    m = SegmentationMetrics()
    g = square((20, 20), 4, 4, 8)
    m.update("hit", square((20, 20), 4, 5, 8), g, dataset="A")
    m.update("miss", np.zeros((20, 20), bool), g, dataset="A")  # HD95 NaN
    m.update("fp", square((20, 20), 0, 0, 2), np.zeros((20, 20), bool), dataset="B")
    m.update("prob", np.where(g, 0.8, 0.1), g, dataset="B")
    return m


def test_csv_round_trip(tmp_path):
    m = _metrics()
    path = write_per_image_csv(tmp_path / "per_image.csv", m.per_image())
    rows = _read_csv(path)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["id"] for r in rows] == ["hit", "miss", "fp", "prob"]
    by_id = {r["id"]: r for r in rows}
    assert float(by_id["hit"]["dice"]) == m.per_image()[0].dice  # full precision
    assert by_id["miss"]["hd95"] == "nan" and math.isnan(float(by_id["miss"]["hd95"]))
    assert by_id["hit"]["ece"] == ""  # not computed: no probability map
    assert float(by_id["prob"]["ece"]) == pytest.approx(m.per_image()[3].ece)
    assert by_id["fp"]["gt_empty"] == "true" and by_id["fp"]["scored"] == "false"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_summary_json_is_strict_json_and_markdown_has_all_blocks(tmp_path):
    m = _metrics()
    paths = write_reports(tmp_path / "out", m, extra={"note": "x"})
    summary = _strict_json(paths["summary"])
    assert summary["note"] == "x" and summary["n"] == 4
    assert summary["metrics"]["hd95"]["n_nan"] == 1
    assert set(summary["per_dataset"]) == {"A", "B"}
    md = paths["report"].read_text(encoding="utf-8")
    assert md == "# Segmentation metrics\n\n" + markdown_table(m.summary())
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3  # header, rule, all, A, B
    assert table[0].count("|") == table[2].count("|") == table[4].count("|")
    assert "| all | 4 | 3 |" in md and "| A | 2 | 2 |" in md
    assert "`exclude`" in md and "false-positive rate 1.000" in md
    assert "HD95 (px)" in md and "NSD@2 px" in md
    assert "pooled Dice" in md and "Pooled Dice: 2 sum(TP)" in md


def test_writers_replace_files_atomically(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_summary_json(target, {"bad": object()})  # not serialisable: the old file stays
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


# --------------------------------------------------------------------------------- folder scoring


def _save_png(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)


def _write_dataset(root: Path, seed: int = 0, ids=("a", "b", "c", "d", "e", "f")) -> dict[str, np.ndarray]:
    """images/ (RGB) + masks/ (0/255 grey) PNGs; ids e and f have empty masks."""
    rng = np.random.default_rng(seed)
    gts = {}
    for i in ids:
        gt = np.zeros((H, W), bool) if i in ("e", "f") else blob_mask(rng, (H, W), sigma=2.5)
        _save_png(root / "images" / f"{i}.png", rng.integers(0, 256, (H, W, 3), dtype=np.uint8))
        _save_png(root / "masks" / f"{i}.png", (gt * 255).astype(np.uint8))
        gts[i] = gt
    return gts


def _write_predictions(pred: Path, gts: dict[str, np.ndarray], seed: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """One prediction per id in a different format each; returns the expected (mask, probability) at GT size."""
    rng = np.random.default_rng(seed)
    pred.mkdir(parents=True, exist_ok=True)
    expected = {}
    # a: 0/255 PNG, exact
    _save_png(pred / "a.png", (gts["a"] * 255).astype(np.uint8))
    expected["a"] = (gts["a"], None)
    # b: bool .npy, shifted by two columns
    b = np.roll(gts["b"], 2, axis=1)
    np.save(pred / "b.npy", b)
    expected["b"] = (b, None)
    # c: half-size float probability .npy
    c = np.clip(gts["c"][::2, ::2] * 0.6 + rng.random((H // 2, W // 2)) * 0.4, 0, 1)
    np.save(pred / "c.npy", c)
    up = np_bilinear(c, (H, W))
    expected["c"] = (up >= 0.5, up)
    # d: 8-bit probability PNG (many grey levels): value / 255
    d = (np.clip(gts["d"] * 0.5 + rng.random((H, W)) * 0.5, 0, 1) * 255).round().astype(np.uint8)
    _save_png(pred / "d.png", d)
    expected["d"] = (d / 255.0 >= 0.5, d / 255.0)
    # e: empty GT, empty 0/1 PNG
    _save_png(pred / "e.png", np.zeros((H, W), np.uint8))
    expected["e"] = (np.zeros((H, W), bool), None)
    # f: empty GT, float32 probability with a (1, H, W) model-output shape and a false positive
    f = np.where(square((H, W), 3, 3, 5), 0.9, 0.05).astype(np.float32)
    np.save(pred / "f.npy", f[None])
    expected["f"] = (f >= 0.5, f.astype(np.float64))
    return expected


def test_score_prediction_folder_end_to_end(tmp_path):
    gts = _write_dataset(tmp_path / "data")
    expected = _write_predictions(tmp_path / "pred", gts)
    _save_png(tmp_path / "pred" / "zzz.png", np.zeros((H, W), np.uint8))  # matches no sample
    summary = score_prediction_folder(tmp_path / "pred", tmp_path / "data", out_dir=tmp_path / "out")

    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["per_image.csv", "report.md", "summary.json"]
    assert _strict_json(out / "summary.json") == json.loads(json.dumps(summary))
    rows = {r["id"]: r for r in _read_csv(out / "per_image.csv")}
    assert set(rows) == set(gts)
    for i, (mask, prob) in expected.items():
        want = np_dice(mask, gts[i])
        got = float(rows[i]["dice"])
        assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(want, rel=1e-6), i
        assert float(rows[i]["pred_fraction"]) == pytest.approx(mask.mean()), i
        if prob is None:
            assert rows[i]["ece"] == "", i
        else:
            assert float(rows[i]["ece"]) == pytest.approx(np_ece(prob, gts[i], 15), abs=1e-9), i
    assert rows["c"]["resized"] == "true" and rows["a"]["resized"] == "false"

    assert summary["n"] == 6 and summary["n_scored"] == 4 and summary["empty_policy"] == "exclude"
    assert summary["empty_gt"]["n"] == 2 and summary["empty_gt"]["false_positive_rate"] == pytest.approx(0.5)
    want_mean = np.mean([np_dice(expected[i][0], gts[i]) for i in "abcd"])
    assert summary["metrics"]["dice"]["mean"] == pytest.approx(want_mean, rel=1e-6)
    assert summary["calibration"]["n_images_probability"] == 3
    src = summary["source"]
    assert (src["n_prediction_files"], src["n_unmatched_predictions"], src["n_unmatched_unknown_ids"]) == (7, 1, 1)
    assert src["unmatched_examples"] == ["zzz"] and len(summary["warnings"]) == 1
    assert "| all | 6 | 4 |" in (out / "report.md").read_text(encoding="utf-8")


def test_missing_predictions_are_an_error_naming_them(tmp_path):
    gts = _write_dataset(tmp_path / "data")
    _write_predictions(tmp_path / "pred", gts)
    (tmp_path / "pred" / "b.npy").unlink()
    (tmp_path / "pred" / "e.png").unlink()
    with pytest.raises(DataError) as info:
        score_prediction_folder(tmp_path / "pred", tmp_path / "data", out_dir=tmp_path / "out")
    msg = str(info.value)
    assert "2 of 6" in msg and ": b, e;" in msg and str(tmp_path / "pred") in msg
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_split_only_needs_its_own_predictions(tmp_path):
    gts = _write_dataset(tmp_path / "data")
    _write_predictions(tmp_path / "pred", gts)
    val = SegmentationDataset.open(tmp_path / "data").split("val").ids()
    assert 0 < len(val) < 6
    for i in set(gts) - set(val):  # predictions of other splits may be absent ...
        next((tmp_path / "pred").glob(f"{i}.*")).unlink()
    _write_predictions(tmp_path / "pred2", gts)  # ... or present, and then only counted
    for pred in ("pred", "pred2"):
        s = score_prediction_folder(tmp_path / pred, tmp_path / "data", split="val", out_dir=tmp_path / f"out_{pred}")
        assert s["n"] == len(val) and s["source"]["split"] == "val"
        assert s["source"]["n_unmatched_predictions"] == (0 if pred == "pred" else 6 - len(val))
        assert s["source"]["n_unmatched_unknown_ids"] == 0


def test_pooled_ids_map_to_subfolders(tmp_path):
    g1 = _write_dataset(tmp_path / "one", seed=0, ids=("a", "b"))
    g2 = _write_dataset(tmp_path / "two", seed=1, ids=("a", "c"))
    pool = SegmentationDataset.pool([SegmentationDataset.open(tmp_path / "one"), SegmentationDataset.open(tmp_path / "two")])
    assert sorted(pool.ids()) == ["b", "c", "one/a", "two/a"]
    for name, i, gt in [("one/a", "a", g1["a"]), ("two/a", "a", g2["a"]), ("b", "b", g1["b"]), ("c", "c", g2["c"])]:
        _save_png(tmp_path / "pred" / f"{name}.png", (gt * 255).astype(np.uint8))
    s = score_prediction_folder(tmp_path / "pred", pool, out_dir=tmp_path / "out")
    assert s["n"] == 4 and s["metrics"]["dice"]["mean"] == pytest.approx(1.0)
    assert set(s["per_dataset"]) == {"one", "two"}
    assert {r["id"] for r in _read_csv(tmp_path / "out" / "per_image.csv")} == {"b", "c", "one/a", "two/a"}


# ------------------------------------------------------------------------------ reading predictions


@pytest.mark.parametrize(
    "arr,kind,expected",
    [
        (np.array([[0, 255], [255, 0]], np.uint8), "png", np.array([[False, True], [True, False]])),
        (np.array([[0, 1], [1, 1]], np.uint8), "png", np.array([[False, True], [True, True]])),
        (np.array([[0, 100], [200, 255]], np.uint8), "png", np.array([[0, 100], [200, 255]]) / 255),
        (np.array([[100, 200], [200, 100]], np.uint8), "png", np.array([[100, 200], [200, 100]]) / 255),  # no 0
        (np.array([[0, 65535], [65535, 0]], np.uint16), "png", np.array([[False, True], [True, False]])),
        (np.array([[0, 1000], [65535, 0]], np.uint16), "png", np.array([[0, 1000], [65535, 0]]) / 65535),
        (np.array([[0.0, 0.25], [0.5, 1.0]], np.float32), "npy", np.array([[0.0, 0.25], [0.5, 1.0]])),
        (np.array([[[True, False]]]), "npy", np.array([[True, False]])),
        (np.array([[0, 7], [7, 0]], np.int64), "npy", np.array([[False, True], [True, False]])),
    ],
)
def test_read_prediction_rules(tmp_path, arr, kind, expected):
    path = tmp_path / f"p.{kind}"
    if kind == "png":
        Image.fromarray(arr).save(path)
    else:
        np.save(path, arr)
    got = read_prediction(path)
    assert got.dtype == expected.dtype or (got.dtype.kind == "f" and expected.dtype.kind == "f")
    np.testing.assert_allclose(got.astype(float), expected.astype(float), atol=1e-7)


@pytest.mark.parametrize(
    "arr,kind,message",
    [
        (np.array([[1.5, 0.0]]), "npy", "[0, 1]"),
        (np.array([[np.nan, 0.0]]), "npy", "NaN"),
        (np.array([[0, 1, 2]], np.int64), "npy", "3 values"),
        (np.zeros((2, 3, 3), np.float32), "npy", "2-D"),
        (np.dstack([np.zeros((4, 4)), np.ones((4, 4)), np.zeros((4, 4))]).astype(np.uint8) * 255, "png", "colour"),
    ],
)
def test_read_prediction_errors_name_the_file(tmp_path, arr, kind, message):
    path = tmp_path / f"bad.{kind}"
    if kind == "png":
        Image.fromarray(arr).save(path)
    else:
        np.save(path, arr)
    with pytest.raises(DataError, match="bad") as info:
        read_prediction(path)
    assert message in str(info.value)


def test_pickled_npy_and_duplicate_ids_are_errors(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="obj.npy"):
        read_prediction(tmp_path / "obj.npy")
    gts = _write_dataset(tmp_path / "data", ids=("a",))
    _save_png(tmp_path / "pred" / "a.png", (gts["a"] * 255).astype(np.uint8))
    np.save(tmp_path / "pred" / "a.npy", gts["a"])
    with pytest.raises(DataError, match="two prediction files"):
        score_prediction_folder(tmp_path / "pred", tmp_path / "data", out_dir=tmp_path / "out")
    with pytest.raises(DataError, match="not found"):
        score_prediction_folder(tmp_path / "nope", tmp_path / "data", out_dir=tmp_path / "out")


def test_markdown_mixed_units_put_each_dataset_in_its_column():
    m = SegmentationMetrics()
    g = square((20, 20), 4, 4, 8)
    m.update("a", square((20, 20), 5, 4, 8), g, dataset="px_only")  # 1 row off: 1 px
    m.update("b", square((20, 20), 4, 7, 8), g, spacing=(0.5, 0.5), dataset="mm_only")  # 3 columns: 1.5 mm
    md = markdown_table(m.summary())
    head, _, _, first, second = [line.split(" | ") for line in md.splitlines()[:5]]
    cols = {name: k for k, name in enumerate(head)}
    rows = {r[0].strip("| "): r for r in (first, second)}
    assert rows["mm_only"][cols["HD95 (mm)"]] == "1.50" and rows["mm_only"][cols["HD95 (px)"]] == "–"
    assert rows["px_only"][cols["HD95 (px)"]] == "1.00" and rows["px_only"][cols["HD95 (mm)"]] == "–"
