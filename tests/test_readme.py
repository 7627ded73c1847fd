"""The README's first session runs as written, and prints what it says it prints."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def session() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each `$ ` line of the first session."""
    section = README.split("## A first session", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def test_readme_quick_start_commands_come_first():
    start = README.split("## Quick start", 1)[1]
    commands = re.findall(r"^\$ (\S+ \S+)", start, re.M)
    assert commands[:2] == ["make demo", "make test"]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_first_session_runs_as_written(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "HOME": str(home), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("RJC_COORDINATOR", None)
    env.pop("RJC_RECORDS", None)
    year = str(dt.date.today().year)  # ids carry the year they were created in
    intake = home / "intake"
    intake.mkdir()
    form = re.search(r"```yaml\n(.*?)```", README.split("## A first session", 1)[1], re.S).group(1)
    (intake / "person.yaml").write_text(form)  # the intake form the README says was typed
    cwd = home
    steps = session()
    assert len(steps) >= 8
    for command, expected in steps:
        if command.startswith("cd "):
            cwd = Path(os.path.expanduser(shlex.split(command)[1].replace("~", str(home))))
            continue
        result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"$ {command}\n{result.stderr}"
        if expected:
            wanted = [line.replace("2026", year) if re.search(r"-2026-", line) else line for line in expected]
            assert result.stdout.splitlines() == wanted, f"$ {command}"
