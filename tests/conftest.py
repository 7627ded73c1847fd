"""Shared fixtures: an isolated environment for every test, and small records repositories.

Every test runs with HOME and the XDG directories pointed at its own temp dir, no inherited
RJC_* or GIT_* variables, and RJC_COORDINATOR=KB, so nothing on the developer's machine
(a global git identity, a real records repository) can change what a test sees.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from rjc import layout, store
from rjc.model import MODELS, SCHEMA_VERSION, Settings
from rjc.model.settings import Center, Coordinator
from rjc.repository import Repository, init_repository

CENTER = "Barre Community Justice Center"
COORDINATORS = [Coordinator(code="KB", name="Kim Bell", email="kb@example.org"),
                Coordinator(code="MR", name="Max Rossi")]

_INHERITED = ("RJC_RECORDS", "RJC_COORDINATOR", "RJC_LOCK_TIMEOUT",
              "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
              "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
              "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
              "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "EMAIL")


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
    monkeypatch.setenv("RJC_COORDINATOR", "KB")
    return home


def dedent(text: str) -> str:
    return textwrap.dedent(text)


def settings_text() -> str:
    """rjc.yaml with coordinators KB and MR, as rjc writes it."""
    settings = Settings(schema_version=SCHEMA_VERSION, center=Center(name=CENTER), coordinators=COORDINATORS)
    return store.render_settings(settings)


def put(root: Path, text: str, relpath: str | None = None) -> str:
    """Write a record given as its canonical text (modeline first) and return its path.

    The text must be exactly what `store.render` writes for it, so the line and column a
    test expects are the ones in the file on disk. `relpath` overrides where it goes.
    """
    text = dedent(text)
    record_id = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    kind = layout.parse_id(record_id).kind
    loaded = store.parse(layout.parse_id(record_id).path, text, MODELS[kind.name])
    assert loaded.problems == [], loaded.problems
    assert store.render(loaded.record) == text, "test text is not canonical:\n" + store.render(loaded.record)
    relpath = relpath or layout.parse_id(record_id).path
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return relpath


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def make_repo(tmp_path):
    """Factory: a fresh git-backed records repository with coordinators KB and MR."""

    def make(directory: Path | None = None) -> Repository:
        directory = directory or tmp_path / "records"
        repo = init_repository(directory, center=CENTER, code="KB", name="Kim Bell")
        (directory / layout.SETTINGS_FILE).write_text(settings_text(), encoding="utf-8")
        repo.git.commit_paths([layout.SETTINGS_FILE], "add coordinator MR", command="test", actor="KB",
                              identity=("Kim Bell", "kb@example.org"))
        return Repository(directory)  # a fresh object: settings are cached per instance

    return make


@pytest.fixture
def repo(make_repo) -> Repository:
    return make_repo()
