"""Atomic writes leave either the old file or the new one, never a half-written file."""

from __future__ import annotations

import json

import pytest

from medvlseg.errors import ConfigError
from medvlseg.utils import atomic_open, atomic_write_json, check_choice


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "sub" / "report.json"
    atomic_write_json(path, {"a": 1})
    assert json.loads(path.read_text()) == {"a": 1}
    atomic_write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]


def test_crash_while_writing_keeps_old_content_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("complete old report\n")
    with pytest.raises(RuntimeError):
        with atomic_open(path, "w") as fh:
            fh.write("half of a new rep")
            raise RuntimeError("crash")
    assert path.read_text() == "complete old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_check_choice_lists_valid_values():
    assert check_choice("policy", "a", ["a", "b"]) == "a"
    with pytest.raises(ConfigError, match="policy: unknown value 'c'; expected one of: a, b"):
        check_choice("policy", "c", ["a", "b"])


def test_unique_names_suffix_repeats():
    from medvlseg.utils import unique_names

    assert unique_names(["a", "b", "a", "a", "a_2"]) == ["a", "b", "a_2", "a_3", "a_2_2"]


def test_atomic_write_csv_unions_columns_and_blanks_missing_values(tmp_path):
    from medvlseg.utils import atomic_write_csv

    atomic_write_csv(tmp_path / "a.csv", [{"a": 1, "b": float("nan")}, {"a": 2, "c": None, "b": 0.5}])
    assert (tmp_path / "a.csv").read_text() == "a,b,c\n1,,\n2,0.5,\n"
