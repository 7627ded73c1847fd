"""The documentation keeps up with the code: every command has help and is in the README."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from rjc.cli.main import _build_app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = {}  # "case status" -> the command; groups are listed by their subcommands
for _name, _command in typer.main.get_command(_build_app()).commands.items():
    for _sub, _leaf in getattr(_command, "commands", {_name: _command}).items():
        COMMANDS[_name if _sub == _name else f"{_name} {_sub}"] = _leaf


def test_there_are_commands():
    assert {"init", "new", "show", "list", "edit", "check", "history", "log", "migrate", "whoami",
            "case status", "case close", "referral accept"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help(name):
    command = COMMANDS[name]
    assert command.help and len(command.help.strip()) > 20
    for param in command.params:
        if param.name != "help" and getattr(param, "param_type_name", "") == "option":
            assert param.help, f"rjc {name} {param.opts[0]} has no help"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_in_the_readme(name):
    assert f"`rjc {name}" in README and f"| `rjc {name.split()[0]}" in README, \
        f"rjc {name} is missing from the README's command table"


def test_the_cli_reference_is_current(tmp_path):
    """docs/cli.md is what `make docs` makes of the commands now, at any terminal width."""
    fresh = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "rjc.cli.reference", fresh], check=True,
                   env=os.environ | {"COLUMNS": "40"})
    want = fresh.read_text(encoding="utf-8").splitlines()
    have = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").splitlines()
    if have != want:
        line = next((n for n, (a, b) in enumerate(zip(have, want), 1) if a != b), min(len(have), len(want)) + 1)
        pytest.fail(f"docs/cli.md differs from the commands' --help at line {line}: run make docs")


def test_the_readme_links_the_cli_reference():
    assert "[docs/cli.md](docs/cli.md)" in README.split("## Commands", 1)[1].split("| command |", 1)[0]
