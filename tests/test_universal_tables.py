"""benchmarks/universal_tables.py: the cross-prompt goals and the Dice comparison read right."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("universal_tables", ROOT / "benchmarks" / "universal_tables.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cross_summary_and_tables(tmp_path):
    mod = _module()
    cell = lambda kind, target, n_present, dice, n_absent, absent: {  # noqa: E731
        "kind": kind, "target": target, "n_present": n_present, "dice": dice, "n_absent": n_absent, "called_absent": absent}
    cross = {
        "by_kind": {"canonical": {"called_absent_where_absent": 0.97, "n_absent": 100},
                    "nonsense": {"called_absent": 1.0, "n": 30}},
        "matrix": {
            "fuseg": {"foot ulcer": cell("canonical", "foot ulcer", 2, 0.80, 1, 1.0),
                      "wound": cell("paraphrase", "foot ulcer", 2, 0.79, 1, 1.0),
                      "polyp": cell("canonical", "polyp", 0, None, 3, 1.0)},
            "polypgen": {"polyp": cell("canonical", "polyp", 3, 0.70, 4, 0.5),
                         "bowel polyp": cell("paraphrase", "polyp", 3, 0.40, 4, 1.0)},
        },
    }
    (tmp_path / "cross_prompts.json").write_text(json.dumps(cross))
    c = mod.cross_summary(str(tmp_path))
    assert c["target_free"] == (1 + 2, 5)  # fuseg 1 of 1, polypgen 2 of 4 (its own name only)
    drops = {p["prompt"]: round(p["drop"], 3) for p in c["paraphrases"]}
    assert drops == {"wound": 0.01, "bowel polyp": 0.3}
    table = mod.cross_table([("m", c)])
    assert "| paraphrases within 2 Dice points of the name | all | 1 of 2 |" in table
    assert "3 of 5" in table and "97.0 % (of 100)" in table
    for name, dice in (("a", 0.80), ("b", 0.75)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps(
            {"dataset": "fuseg", "n": 10, "metrics": {"dice": {"mean": dice, "std": 0.1}}}))
    dice = mod.dice_table([(n, mod.dice_by_dataset([str(tmp_path / n)])) for n in ("a", "b")])
    assert "| fuseg (10) | 0.800 ± 0.100 | 0.750 ± 0.100 | -5.0 |" in dice
