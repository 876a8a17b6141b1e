"""benchmarks/throughput.py: interleaved rounds are summarised by medians, the ratio per round."""

import importlib.util
from pathlib import Path


def _module():
    spec = importlib.util.spec_from_file_location("throughput", Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _row(model, ips, ref_ips, runtime="torch"):
    return {"model": model, "backbone": "lite" if model != "hf-clipseg-352" else "", "runtime": runtime, "input": 256,
            "precision": "fp32", "batch": 8, "images_per_s": ips, "peak_rss_mb": 1000.0, "params_m": 27.4,
            "speed_vs_reference": ips / ref_ips}


def test_median_rows_takes_the_median_of_per_round_ratios():
    t = _module()
    # the host slows down in round 2: both sides slow, the ratio of that round stays near the others
    rounds = [[_row("hf-clipseg-352", 2.0, 2.0), _row("medclipseg", 44.0, 2.0)],
              [_row("hf-clipseg-352", 1.0, 1.0), _row("medclipseg", 21.0, 1.0)],
              [_row("hf-clipseg-352", 2.0, 2.0), _row("medclipseg", 40.0, 2.0)]]
    rows = t._median_rows(rounds)
    assert [r["model"] for r in rows] == ["hf-clipseg-352", "medclipseg"]
    m = rows[1]
    assert m["images_per_s"] == 40.0  # median of 44, 21, 40
    assert m["speed_vs_reference"] == 21.0  # median of 22, 21, 20: not 40 / 2
    assert m["speed_vs_reference_range"] == [20.0, 22.0]
    assert "21.0x (20.0-22.0)" in t.markdown({"rows": rows})
    # one round: no spread column content, the row unchanged
    single = t._median_rows(rounds[:1])
    assert single[1]["speed_vs_reference"] == 22.0 and "speed_vs_reference_range" not in single[1]


def test_a_configuration_failing_in_round_one_is_kept_and_one_round_has_no_spread_header():
    t = _module()
    rounds = [[_row("hf-clipseg-352", 2.0, 2.0)],
              [_row("hf-clipseg-352", 2.0, 2.0), _row("medclipseg", 40.0, 2.0)]]
    rows = t._median_rows(rounds)
    assert [r["model"] for r in rows] == ["hf-clipseg-352", "medclipseg"] and rows[1]["speed_vs_reference"] == 20.0
    assert "range over rounds" not in t.markdown({"rows": t._median_rows(rounds[1:])})
