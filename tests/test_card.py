"""Model cards: read from the run itself; a bare weights file gets what its record holds."""

from __future__ import annotations

import json

import pytest

from medvlseg.card import render_card, write_card
from medvlseg.errors import DataError

from test_checkpoints import make_run


def test_card_of_a_weights_file_and_of_a_run(tmp_path):
    make_run(tmp_path / "run", threshold=0.4, presence=0.7)
    bare = render_card(tmp_path / "run" / "model.safetensors")
    assert bare.startswith("# Model card: model") and "probability >= 0.400" in bare and "## Known limits" in bare
    meta = json.loads((tmp_path / "run" / "metadata.json").read_text())
    meta.update(status="running", data=[{"name": "fuseg", "path": "x", "manifest_sha256": "ab" * 32}],
                selection={"split": "val", "n": 5, "untouched": []}, best_metrics={"val_dice": 0.5},
                presence_calibration={"per_target": {"polyp": {"n_empty": 0}, "wound": {"n_empty": 3}}})
    (tmp_path / "run" / "metadata.json").write_text(json.dumps(meta))
    card = write_card(tmp_path / "run").read_text()
    assert "Training did not finish (status: running)" in card
    assert "chosen on `val`: its scores are optimistic" in card
    assert "Trained only on fuseg" in card
    assert "\"not here\" for polyp:" in card and "wound:" not in card
    assert "| val_dice | 0.500 |" in card


def test_card_needs_a_run(tmp_path):
    with pytest.raises(DataError, match="not a run directory"):
        render_card(tmp_path)
    (tmp_path / "metadata.json").write_text("{broken")
    with pytest.raises(DataError, match="not valid JSON"):
        render_card(tmp_path)
