"""Finding and repairing what a crash or a hand edit left behind.

- An interrupted change: the transaction's journal is still there. If the change reached a
  commit, it is kept (the index is brought in line); if not, every file it touched gets its
  content from before back. Either way the repository is as before or as after, never between.
- A git lock file left by a killed git (`.git/index.lock`).
- Temporary files of an interrupted atomic write (`.NAME.PID.tmp`).
- An interrupted sync (its state file), handed to the sync module to finish or undo.
- Files others may read (a copy made with the default umask): made owner-only.
- Record files changed outside rjc and not committed (hand edits): listed; with
  `commit_edits` committed in one commit when they are all valid.

Repairs run under the write lock, so no rjc change is in flight while they happen.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from rjc import layout
from rjc.errors import RjcError
from rjc.repository import Repository
from rjc.transaction import JOURNAL, identity, write_atomically, write_lock

SYNC_STATE = "sync-state.json"
STALE_SECONDS = 5  # a git lock file older than this, while rjc holds its own lock, is a leftover


@dataclass
class Finding:
    problem: str
    action: str  # what was done about it, or what the user should do


def leftovers(root: Path) -> list[str]:
    """What a quick look finds (no lock taken): for a warning at the start of any command."""
    private = root / ".git" / layout.PRIVATE_DIR
    found = []
    journal, sync_state = (private / JOURNAL).exists(), (private / SYNC_STATE).exists()
    if (journal or sync_state) and not _lock_held(private):  # held: a change in flight, not a leftover
        if journal:
            found.append("an interrupted rjc change")
        if sync_state:
            found.append("an interrupted rjc sync")
    index_lock = root / ".git" / "index.lock"
    with contextlib.suppress(OSError):
        if time.time() - index_lock.stat().st_mtime > STALE_SECONDS:
            found.append("a git lock file left behind")
    return found


def _lock_held(private: Path) -> bool:
    """Whether another process holds the write lock right now (tried without waiting)."""
    import fcntl

    try:
        fd = os.open(private / "write.lock", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def interrupted_change(root: Path) -> dict | None:
    path = root / ".git" / layout.PRIVATE_DIR / JOURNAL
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"command": "?", "files": {}, "unreadable": True}


def repair(repo: Repository, *, commit_edits: bool = False) -> list[Finding]:
    """Repair what can be repaired; report the rest."""
    findings: list[Finding] = []
    with write_lock(repo.root, on_wait=repo.on_wait):
        findings += _git_lock(repo)
        findings += _journal(repo)
        findings += _sync(repo)
        findings += _temp_files(repo)
        findings += _permissions(repo)
        findings += _hand_edits(repo, commit_edits)
    return findings


def _journal(repo: Repository) -> list[Finding]:
    entry = interrupted_change(repo.root)
    if entry is None:
        return []
    journal = layout.private_dir(repo.root) / JOURNAL
    files = entry.get("files", {})
    if entry.get("unreadable"):
        journal.unlink()
        return [Finding("an unreadable change journal", "removed it; run rjc check to see the records' state")]
    committed = all(_head_blob(repo, path) == info["after"] for path, info in files.items())
    paths = list(files)
    if committed:
        repo.git.run("reset", "--quiet", "--", *paths, check=False)
        action = "it had been committed, so it stays; the index now matches it"
    else:
        for path, info in files.items():
            target = repo.root / path
            if info["before"] is None:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            else:
                write_atomically(target, base64.b64decode(info["before"]))
        repo.git.run("reset", "--quiet", "--", *paths, check=False)
        action = "it had not been committed, so its files were put back as they were"
    journal.unlink()
    return [Finding(f"an interrupted change (rjc {entry.get('command', '?')}, {len(paths)} file(s))", action)]


def _head_blob(repo: Repository, path: str) -> str | None:
    out = repo.git.run("rev-parse", "--verify", "--quiet", f"HEAD:{path}", check=False).strip()
    return out or None


def _git_lock(repo: Repository) -> list[Finding]:
    lock = repo.root / ".git" / "index.lock"
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return []
    if age < STALE_SECONDS:
        return [Finding("git's index.lock exists (a git command may be running)",
                        "left it; if no git command is running, run rjc doctor again in a few seconds")]
    lock.unlink()
    return [Finding("git's index.lock was left by an interrupted git command", "removed it")]


def _sync(repo: Repository) -> list[Finding]:
    if not (layout.private_dir(repo.root) / SYNC_STATE).exists():
        return []
    try:
        from rjc import sync
    except ImportError:  # pragma: no cover - sync is part of rjc
        return [Finding("an interrupted sync", "remove .git/rjc/sync-state.json after checking the history")]
    return [Finding("an interrupted sync", sync.recover(repo))]


def _temp_files(repo: Repository) -> list[Finding]:
    found = []
    for kind in layout.KINDS.values():
        base = repo.root / kind.directory
        if base.is_dir() and not base.is_symlink():
            found += [p for p in base.rglob(".*.tmp") if p.is_file() and not p.is_symlink()]
    found += [p for p in repo.root.glob(".*.tmp") if p.is_file() and not p.is_symlink()]
    for path in found:
        path.unlink()
    return [Finding(f"{len(found)} temporary file(s) of an interrupted write", "removed them")] if found else []


def _permissions(repo: Repository) -> list[Finding]:
    """Owner-only, everywhere in the working tree and .git (a copy made with another umask)."""
    fixed = 0
    for directory, dirnames, filenames in os.walk(repo.root):
        for name in [*dirnames, *filenames]:
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):
                mode = os.lstat(path).st_mode
                if not stat.S_ISLNK(mode) and mode & 0o077:
                    os.chmod(path, stat.S_IMODE(mode) & 0o700)
                    fixed += 1
    return [Finding(f"{fixed} file(s) or folder(s) readable by others", "made them owner-only")] if fixed else []


def _hand_edits(repo: Repository, commit_edits: bool) -> list[Finding]:
    from rjc import checks, store

    status = repo.git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                          *[k.directory for k in layout.KINDS.values()], layout.SETTINGS_FILE, check=False)
    # -z entries are "XY path": any change, staged or not, and new files
    changed = sorted({entry[3:] for entry in status.split("\0") if entry[3:].endswith(".yaml")})
    if not changed:
        return []
    if not commit_edits:
        return [Finding(f"{len(changed)} record file(s) changed outside rjc and not committed: "
                        + ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else ""),
                        "check them with rjc check, then keep them with rjc doctor --commit-edits "
                        "(or undo them with git checkout -- FILE)")]
    ctx = checks.Context(repo.root, repo.settings)
    problems = []
    for path in changed:
        if (repo.root / path).exists() and path != layout.SETTINGS_FILE:
            problems += [p for p in checks.check_record(store.read_record(repo.root, path), ctx) if p.level == "error"]
    if problems:
        raise RjcError("the hand edits are not valid; nothing was committed", problems)
    ids = [layout.expected_id(p) or p for p in changed]
    subject = f"hand edits {' '.join(ids)}" if len(ids) <= 8 else f"hand edits ({len(ids)} files)"
    actor = repo.actor()
    repo.git.commit_paths(changed, subject, command="doctor --commit-edits", actor=actor,
                          identity=identity(repo.settings, actor))
    return [Finding(f"{len(changed)} record file(s) changed outside rjc", "committed them, valid, in one commit")]
