"""The documentation keeps up with the code: every command has help and is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from rjc.cli.main import _build_app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(_build_app()).commands


def test_there_are_commands():
    assert {"init", "new", "show", "list", "edit", "check", "history", "log", "migrate", "whoami"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help(name):
    command = COMMANDS[name]
    assert command.help and len(command.help.strip()) > 20
    for param in command.params:
        if param.name != "help" and getattr(param, "param_type_name", "") == "option":
            assert param.help, f"rjc {name} {param.opts[0]} has no help"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_in_the_readme(name):
    assert f"| `rjc {name}" in README, f"rjc {name} is missing from the README's command table"
