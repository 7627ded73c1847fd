"""Repositories built once a session and copied for each test that needs one.

Building a fixture's records runs many rjc commands, each a git commit; copying the result takes
milliseconds. The first test that asks for a fixture builds it in its own directory, as it always
did, and a copy of the result is kept; every later test gets its own copy of that: its own .git,
its own files with the same owner-only permissions, and no parsed-record cache (each copy makes
its own). A kept copy serves only the day it was built on and the environment it was built in
(RJC_*, GIT_*, TZ, the umask), so a test that changes those gets a fixture built afresh for it.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

# The parsed-record cache (.git/rjc/cache.sqlite and its WAL files) is never copied.
_NOT_COPIED = shutil.ignore_patterns("cache.sqlite*")


class Built:
    def __init__(self, store: Path):
        self.store = store
        self.kept: dict[tuple, tuple[Path, object]] = {}

    def reuse(self, name: str, root: Path, build: Callable[[], T], *, only: tuple[str, ...] = ()) -> T:
        """Make `root` hold what `build()` makes there: the first time by building it, later by
        copying what was built. Returns (a copy of) what `build()` returned, which must name no
        path: each test's root is its own. With `only`, just those entries of `root` are kept and
        copied over, and the rest of `root` is left as it is."""
        key = (name, dt.date.today(), _shaping_environment())
        if key in self.kept:
            template, value = self.kept[key]
            if only:
                for entry in only:
                    if (root / entry).exists():
                        shutil.rmtree(root / entry)
                    shutil.copytree(template / entry, root / entry, symlinks=True)
            else:
                _replace_contents(root, template)
            for entry in only or [""]:
                _refresh_index(root / entry)
            return copy.deepcopy(value)
        value = build()
        template = self.store / f"{name}-{len(self.kept)}"
        for entry in only or [""]:
            shutil.copytree(root / entry, template / entry, symlinks=True, ignore=_NOT_COPIED)
        self.kept[key] = (template, copy.deepcopy(value))
        return value


def _shaping_environment() -> tuple:
    """What a build depends on besides its code: settings, and the umask (rjc's entry point
    sets 077 for the rest of the process, so what a test builds depends on what ran before)."""
    umask = os.umask(0o077)
    os.umask(umask)
    return umask, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(("RJC_", "GIT_")) or k == "TZ"))


def _refresh_index(work_tree: Path) -> None:
    """The copies' files are new inodes: the index's stat data is brought up to date, as it was
    in the repository copied, so that git's plumbing sees them unchanged."""
    if (work_tree / ".git").is_dir():
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=work_tree, capture_output=True, check=True)


def _replace_contents(root: Path, template: Path) -> None:
    """Empty `root` and copy `template` into it; `root` itself stays (it may be the cwd)."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    shutil.copytree(template, root, symlinks=True, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    return Built(tmp_path_factory.mktemp("built"))
