"""The command line: help everywhere, version, one-line errors with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from medvlseg import __version__
from medvlseg.cli import app

runner = CliRunner()


def _all_commands(group=None, prefix=()):
    import typer.main

    cmd = typer.main.get_command(app) if group is None else group
    for name, sub in getattr(cmd, "commands", {}).items():
        yield (*prefix, name)
        yield from _all_commands(sub, (*prefix, name))


COMMANDS = list(_all_commands())


def test_expected_commands_exist():
    assert {("data", "check"), ("data", "info"), ("prompts", "generate"), ("metrics",), ("demo",)} <= set(COMMANDS)


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_version():
    result = subprocess.run([sys.executable, "-m", "medvlseg", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"medvlseg {__version__}"


def test_user_error_is_one_line_without_traceback(tmp_path):
    missing = tmp_path / "nowhere"
    result = subprocess.run([sys.executable, "-m", "medvlseg", "data", "info", str(missing)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: {missing}: dataset folder not found"]
    debug = subprocess.run([sys.executable, "-m", "medvlseg", "--debug", "data", "info", str(missing)], capture_output=True, text=True)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_unknown_command_and_option_exit_non_zero():
    r = subprocess.run([sys.executable, "-m", "medvlseg", "data", "nope"], capture_output=True, text=True)
    assert r.returncode == 2 and "No such command" in r.stderr
    r = subprocess.run([sys.executable, "-m", "medvlseg", "data", "check", ".", "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2 and "--bogus" in r.stderr
