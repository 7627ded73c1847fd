"""The private directory, `.git/rjc`: owner-only, and each of its files named in one place."""

from __future__ import annotations

import io
import os
import re
import tokenize
from pathlib import Path

import rjc
from rjc.storage import private

NAMES = {name: value for name, value in vars(private).items()
         if name.isupper() and name != "DIR" and isinstance(value, str)}


def test_the_private_directory_is_owner_only_and_inside_git(tmp_path):
    (tmp_path / ".git").mkdir()
    path = private.directory(tmp_path)
    assert path == tmp_path / ".git" / "rjc"
    assert path.is_dir() and (os.stat(path).st_mode & 0o777) == 0o700
    assert private.file(tmp_path, private.JOURNAL) == path / "journal.json"


def test_looking_for_the_private_directory_creates_nothing(tmp_path):
    (tmp_path / ".git").mkdir()
    assert private.location(tmp_path) == tmp_path / ".git" / "rjc"
    assert not (tmp_path / ".git" / "rjc").exists()


def test_each_private_file_is_spelled_once_in_rjc():
    """Every module finds its files through `private`: no second spelling of a name to drift."""
    assert {"JOURNAL", "WRITE_LOCK", "SYNC_STATE", "SYNC_INDEX", "DRAFTS", "CACHE", "SENT_LOG", "SEND_LOCK",
            "MAINTENANCE"} <= NAMES.keys()
    assert len(set(NAMES.values())) == len(NAMES)
    found: dict[str, list[str]] = {value: [] for value in NAMES.values()}
    package = Path(rjc.__file__).parent
    for source in sorted(package.rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.STRING:
                continue
            for value in found:
                if re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", token.string):
                    found[value].append(f"{source.relative_to(package)}:{token.start[0]}")
    assert found == {value: [f"storage/private.py:{_line_of(value)}"] for value in found}


def _line_of(value: str) -> int:
    lines = Path(private.__file__).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if f'"{value}"' in line)
