"""Plain git on the records, made to work as rjc does.

- Merges: `.gitattributes` (versioned, written by `rjc init`, added by `rjc doctor`) sends every
  `*.yaml` to the merge driver `rjc`, so a `git merge` or `git pull` merges records field by
  field as `rjc sync` does (`rjc merge-file`), never line by line. The driver itself is git
  config, which is not versioned: `rjc init`, `rjc clone` and `rjc doctor` set it in each clone.
  A clone without it merges line by line, as if the attribute were not there.
- Hand edits: a pre-commit hook (`rjc init --hooks`, `rjc clone --hooks`) runs
  `rjc check --staged` on what is about to be committed. rjc's own commits skip it.

Both name this very rjc by the absolute path of its Python and `-m rjc`, not by `rjc` on PATH:
git runs drivers and hooks with the PATH of whoever runs git (a GUI client, a cron job, a shell
without the venv or pipx's bin directory), where `rjc` may be missing or another version; and
`-m rjc` works however this rjc was started. `rjc doctor` sets the driver again when it names
another Python (rjc reinstalled elsewhere).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from rjc.storage import layout, store
from rjc.storage.errors import Problem, RjcError, sort_key
from rjc.storage.gitrepo import Git

ATTRIBUTES = ".gitattributes"
ATTRIBUTE = "*.yaml merge=rjc"
ATTRIBUTES_TEXT = f"# git merges records field by field, as rjc sync does (rjc merge-file)\n{ATTRIBUTE}\n"
DRIVER_NAME = "rjc: records merged field by field"
HOOK_MARK = "# installed by rjc"


def rjc_command() -> str:
    """This rjc as a shell command that does not depend on PATH."""
    return f"{shlex.quote(sys.executable)} -m rjc" if sys.executable else "rjc"


def merge_config() -> dict[str, str]:
    return {"merge.rjc.name": DRIVER_NAME, "merge.rjc.driver": f"{rjc_command()} merge-file %O %A %B %P"}


def set_merge_driver(git: Git) -> None:
    """Configure the merge driver in this clone."""
    for key, value in merge_config().items():
        git.config_set(key, value)


def merge_driver_broken(git: Git) -> str | None:
    """Why this clone's merge driver would not run (None when it would): unset, or naming a
    program that is gone. One naming another rjc that still exists is left alone: two rjc
    installations on one machine must not undo each other's setting."""
    driver = git.config_get("merge.rjc.driver")
    if not driver:
        return "git's merge driver for records is not set up in this clone"
    try:
        program = shlex.split(driver)[0]
    except (ValueError, IndexError):
        return "git's merge driver for records is not a command"
    if os.sep in program and not os.access(program, os.X_OK):
        return f"git's merge driver for records names {program}, which is gone"
    return None


def has_attributes(root: Path) -> bool:
    try:
        lines = (root / ATTRIBUTES).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return ATTRIBUTE in (line.strip() for line in lines)


def write_attributes(root: Path) -> str:
    """Add the merge attribute to .gitattributes (creating it, or appending to one of the
    center's own); the path to commit."""
    from rjc.storage.transaction import write_atomically

    path = root / ATTRIBUTES
    if path.is_symlink():
        raise RjcError(f"{ATTRIBUTES} is a symbolic link; replace it with a file")
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    text = (before.rstrip("\n") + "\n" if before.strip() else "") + ATTRIBUTES_TEXT
    write_atomically(path, text.encode("utf-8"))
    return ATTRIBUTES


# --- the pre-commit hook ------------------------------------------------------------------------


def hook_path(git: Git) -> Path:
    path = Path(git.run("rev-parse", "--git-path", "hooks/pre-commit").strip())
    return path if path.is_absolute() else git.root / path


def install_hook(git: Git) -> Path:
    """Write the pre-commit hook; one that is not rjc's is left alone (RjcError says so)."""
    path = hook_path(git)
    if path.exists() and HOOK_MARK not in path.read_text(encoding="utf-8", errors="replace"):
        raise RjcError(f"{path} already holds a pre-commit hook of your own; add this line to it instead: "
                       f"{rjc_command()} check --staged")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{HOOK_MARK}: check the records about to be committed\n"
                    f"exec {rjc_command()} check --staged\n", encoding="utf-8")
    path.chmod(0o700)
    return path


def staged_problems(root: Path, git: Git) -> list[Problem]:
    """The errors `rjc check` would find in the YAML files staged for the next commit, read from
    the index (git's own, or the one a running `git commit` made: GIT_INDEX_FILE), as a change
    rjc commits is checked: record rules, the append-only rule against HEAD, and the rules
    across records against the records in the working tree."""
    from rjc.checks import validate_change
    from rjc.model import Record, Settings
    from rjc.model.sealing import SealRegister

    env = {"GIT_INDEX_FILE": os.path.abspath(os.environ["GIT_INDEX_FILE"])} if os.environ.get("GIT_INDEX_FILE") else {}
    listed = git.run_full("diff", "--cached", "--name-only", "-z", "--diff-filter=d", "--no-renames", env=env)
    if listed.returncode != 0:
        raise RjcError(f"cannot list the staged files: {listed.stderr.strip()}")
    paths = [p for p in listed.stdout.split("\0") if p.endswith(".yaml")]
    if not paths:
        return []
    staged = git.run_full("ls-files", "--stage", "-z", "--", *paths, env=env)
    blobs = {}
    for line in staged.stdout.split("\0"):
        if line:
            info, path = line.split("\t", 1)
            blobs[path] = info.split()[1]
    contents = git.blobs(list(blobs.values()))
    texts = {path: contents[blob].decode("utf-8", "replace") for path, blob in blobs.items() if blob in contents}
    head = git.entries_at("HEAD", list(texts)) if git.rev_parse("HEAD") else {}
    before = git.blobs([entry[1] for entry in head.values()])
    problems: list[Problem] = []
    checked: dict[str, str] = {}
    for path, text in texts.items():
        if path == layout.SEAL_REGISTER:
            problems += store.parse(path, text, SealRegister).problems
        elif path == layout.SETTINGS_FILE or layout.kind_of_path(path) is not None:
            checked[path] = text
    settings = store.parse(layout.SETTINGS_FILE, checked[layout.SETTINGS_FILE], Settings).record \
        if layout.SETTINGS_FILE in checked else None
    in_tree = store.read_settings(root)
    settings = settings or in_tree.record
    if settings is None:  # nothing to check the records against: rjc.yaml's own problems say why
        staged_settings = checked.get(layout.SETTINGS_FILE)
        return sorted(problems + (store.parse(layout.SETTINGS_FILE, staged_settings, Settings).problems
                                  if staged_settings is not None else in_tree.problems), key=sort_key)
    previous = {path: before.get(head[path][1]) if path in head else None for path in checked}
    records = {path: store.parse_record(path, text).record for path, text in checked.items()
               if path != layout.SETTINGS_FILE}
    problems += validate_change(root, settings, checked, previous,
                                {path: r for path, r in records.items() if isinstance(r, Record)})
    return sorted(set(problems), key=sort_key)
