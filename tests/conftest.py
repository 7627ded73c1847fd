"""Shared fixtures: an isolated environment for every test, and small records repositories.

Every test runs with HOME and the XDG directories pointed at its own temp dir, no inherited
RJC_* or GIT_* variables, RJC_COORDINATOR=KB and umask 077, so nothing on the developer's machine
(a global git identity, a real records repository) can change what a test sees.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from rjc.cli.main import main
from rjc.storage import layout
from rjc.workflows.repository import Repository, init_repository

from helpers import CENTER, Result, settings_text

# Fixtures with records of their own, shared by several test modules.
pytest_plugins = ["built", "letter_fixtures", "report_fixtures", "pty_session"]

_INHERITED = ("RJC_RECORDS", "RJC_COORDINATOR", "RJC_LOCK_TIMEOUT", "RJC_GIT_WAIT",
              "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
              "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
              "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
              "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "EMAIL")


@pytest.fixture(autouse=True)
def umask_077():
    """The umask rjc's entry point sets, for every test: otherwise what a test makes would depend
    on whether a test before it in the same process had run rjc."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """A private HOME and XDG dirs, no inherited RJC_/GIT_ settings, coordinator KB."""
    home = tmp_path_factory.mktemp("home")
    for name in _INHERITED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("RJC_COORDINATOR", "KB")
    return home


@pytest.fixture
def make_repo(tmp_path, built):
    """Factory: a fresh git-backed records repository with coordinators KB and MR."""

    def init(directory: Path) -> None:
        repo = init_repository(directory, center=CENTER, code="KB", name="Kim Bell")
        (directory / layout.SETTINGS_FILE).write_text(settings_text(), encoding="utf-8")
        repo.git.commit_paths([layout.SETTINGS_FILE], "add coordinator MR", command="test", actor="KB",
                              identity=("Kim Bell", "kb@example.org"))

    def make(directory: Path | None = None) -> Repository:
        directory = directory or tmp_path / "records"
        built.reuse("repo", directory, lambda: init(directory))
        return Repository(directory)  # a fresh object: settings and git env are cached per instance

    return make


@pytest.fixture
def repo(make_repo) -> Repository:
    return make_repo()


@pytest.fixture
def commits_on(monkeypatch):
    """`commits_on("2026-01-05")`: the commits rjc makes from now on (in this process) are dated
    that day, 10:00 UTC, as if made then. rjc gives git none of the environment's dates (an
    inherited GIT_COMMITTER_DATE must never backdate an audit entry), so a test that needs a
    history spread over days adds them where rjc builds git's environment."""
    from rjc.storage import gitrepo

    day: dict[str, str] = {}
    real = gitrepo._environment

    def dated() -> dict[str, str]:
        when = f"{day['value']}T10:00:00+00:00"
        return {**real(), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}

    def on(value: str) -> None:
        day["value"] = value
        monkeypatch.setattr(gitrepo, "_environment", dated)
        monkeypatch.setenv("RJC_TEST_COMMIT_DAY", value)  # (read by no one: it keys tests/built.py's copies)

    return on


@pytest.fixture
def rjc(capsys, monkeypatch):
    """Run rjc in-process, through the real entry point and its error boundary."""

    def run(*args: str, stdin: str | bytes | None = None, tty: bool = False) -> Result:
        if stdin is not None or tty:
            data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
            stream = _Terminal(data.decode()) if tty else io.TextIOWrapper(io.BytesIO(data))
            monkeypatch.setattr(sys, "stdin", stream)
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal, for driving the prompts."""

    def isatty(self) -> bool:
        return True
