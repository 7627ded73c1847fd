"""Finding and repairing what a crash or a hand edit left behind.

- An interrupted change: the transaction's journal is still there. If the change reached a
  commit, it is kept (the index is brought in line); if not, every file it touched gets its
  content from before back. Either way the repository is as before or as after, never between.
- Git lock files left by a killed git (`.git/index.lock`, `HEAD.lock`, a branch's lock...): removed
  once no git process is working in the repository, so they are known to be stale. Doctor first
  waits for such processes: a git commit whose rjc was killed goes on, and finishes, on its own.
- Temporary files of an interrupted atomic write (`.NAME.PID.tmp`).
- An interrupted sync (its state file), handed to the sync module to finish or undo.
- Files others may read (a copy made with the default umask): made owner-only.
- Record files changed outside rjc and not committed (hand edits): listed; with
  `commit_edits` committed in one commit when they are all valid.
- git's merge driver for records (see gitsetup): set in this clone's config when it is missing
  or names an rjc that is gone; `.gitattributes` given its line, in a commit, when it lacks it.

Repairs run under the write lock, so no rjc change is in flight while they happen. Every git
command doctor runs is checked, and after a repair the files it touched are checked against the
index and HEAD: doctor says what it did, and what is still off.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rjc.storage import gitrepo, layout, locks, private
from rjc.storage.errors import RjcError
from rjc.storage.transaction import identity, write_atomically, write_lock
from rjc.workflows.repository import Repository

STALE_SECONDS = 5  # without /proc to ask: a git lock file older than this is taken as a leftover
GIT_WAIT = float(os.environ.get("RJC_GIT_WAIT", "30"))  # seconds doctor waits for running git commands


@dataclass
class Finding:
    problem: str
    action: str  # what was done about it, or what the user should do
    needs_you: bool = False  # something is still off: doctor exits 1


def leftovers(root: Path) -> list[str]:
    """What a quick look finds (no lock taken): for a warning at the start of any command."""
    here = private.location(root)  # a look only: nothing created
    found = []
    journal, sync_state = (here / private.JOURNAL).exists(), (here / private.SYNC_STATE).exists()
    sealing = (here / private.SEALING).exists() or (here / private.PURGE).exists()
    if (journal or sync_state or sealing) and not locks.held(here / private.WRITE_LOCK):  # held: in flight
        if journal:
            found.append("an interrupted rjc change")
        if sync_state:
            found.append("an interrupted rjc sync")
        if sealing:
            found.append("an interrupted rjc seal")
    stale = _stale_locks(root)
    if stale:
        names = ", ".join(_shown(root, lock) for lock in stale)
        found.append(f"a git lock file left behind ({names})" if len(stale) == 1
                     else f"git lock files left behind ({names})")
    return found


def _stale_locks(root: Path) -> list[Path]:
    """git's lock files whose owner is gone: no git process works in the repository (or, with no
    /proc to ask, they are old). A lock that vanished or was replaced meanwhile is left out."""
    seen = {}
    for lock in gitrepo.lock_files(root):
        with contextlib.suppress(OSError):
            seen[lock] = lock.lstat()
    if not seen:
        return []
    running = gitrepo.processes(root)
    if running:
        return []
    stale = []
    for lock, before in seen.items():
        try:
            now = lock.lstat()
        except OSError:
            continue
        same = (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        if same and (running is not None or time.time() - now.st_mtime > STALE_SECONDS):
            stale.append(lock)
    return stale


def _shown(root: Path, lock: Path) -> str:
    return f".git/{lock.relative_to(root / '.git').as_posix()}"


def interrupted_change(root: Path) -> dict | None:
    path = private.location(root) / private.JOURNAL
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"command": "?", "files": {}, "unreadable": True}


def repair(repo: Repository, *, commit_edits: bool = False,
           say: Callable[[str], None] = lambda text: None) -> list[Finding]:
    """Repair what can be repaired; report the rest. `say` is told when doctor waits."""
    findings: list[Finding] = []
    with write_lock(repo.root, on_wait=repo.on_wait):
        _wait_for_git(repo.root, say)
        findings += _git_locks(repo)
        findings += _journal(repo)
        findings += _sync(repo)
        findings += _sealing(repo)  # before hand edits: the files a killed seal left are the old ones
        findings += _temp_files(repo)
        findings += _permissions(repo)
        findings += _hand_edits(repo, commit_edits)
        findings += _git_merges(repo)
    return findings


def _git_merges(repo: Repository) -> list[Finding]:
    """Plain git merging records as rjc does: the driver in this clone's config, and the
    attribute that sends *.yaml to it, committed (older repositories lack it)."""
    from rjc.workflows import gitsetup

    findings = []
    broken = gitsetup.merge_driver_broken(repo.git)
    if broken:
        gitsetup.set_merge_driver(repo.git)
        findings.append(Finding(broken, f"set it to {gitsetup.rjc_command()} merge-file: git merges records "
                                        f"field by field, as rjc sync does"))
    if gitsetup.has_attributes(repo.root):
        return findings
    problem = f"{gitsetup.ATTRIBUTES} does not send records to rjc's merge driver (a git merge would merge them line by line)"
    try:
        actor = repo.actor()
        path = gitsetup.write_attributes(repo.root)
        sha = repo.git.commit_paths([path], "merge records field by field in git", command="doctor", actor=actor,
                                    identity=identity(repo.settings, actor))
    except RjcError as exc:
        return [*findings, Finding(problem, f"could not add it: {exc}", needs_you=True)]
    return [*findings, Finding(problem, f"added {gitsetup.ATTRIBUTE!r} and committed it ({(sha or '')[:12]})")]


def _journal(repo: Repository) -> list[Finding]:
    entry = interrupted_change(repo.root)
    if entry is None:
        return []
    journal = private.file(repo.root, private.JOURNAL)
    files = entry.get("files", {})
    if entry.get("unreadable"):
        journal.unlink()
        return [Finding("an unreadable change journal", "removed it; run rjc check to see the records' state")]
    paths = list(files)
    problem = f"an interrupted change (rjc {entry.get('command', '?')}, {len(paths)} file(s))"
    in_head = repo.git.entries_at("HEAD", paths)
    committed = all(in_head.get(path, ("", None))[1] == info["after"] for path, info in files.items())
    if committed:
        repo.git.reset_paths("HEAD", paths)  # the index and the files: what the commit holds
        done, action = "it had been committed", "it had been committed, so it stays; the index and its files now match it"
    else:
        for path, info in files.items():
            target = repo.root / path
            if info["before"] is None:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            else:
                write_atomically(target, base64.b64decode(info["before"]))
        repo.git.run("reset", "--quiet", "--", *paths)
        done, action = "it had not been committed", "it had not been committed, so its files were put back as they were"
    # Committed: all three agree. Not committed: the index agrees with HEAD, and a file differs
    # only if it held a change of its own before (a hand edit, listed below).
    off = {path: letters for path, letters in repo.git.status(paths).items()
           if committed or letters[0] not in " ?"}
    if off:
        shown = ", ".join(f"{path} ({letters.strip()})" for path, letters in sorted(off.items()))
        return [Finding(problem, f"{done}, but git status still shows changes in {shown}; "
                                 "its journal is kept: run rjc doctor again", needs_you=True)]
    journal.unlink()
    return [Finding(problem, action)]


def _wait_for_git(root: Path, say: Callable[[str], None]) -> None:
    """Wait for git commands working in this repository to finish: one whose rjc was killed
    goes on (a commit it finishes changes HEAD and the index), and its lock files are not stale."""
    deadline = time.monotonic() + GIT_WAIT
    told = False
    while running := gitrepo.processes(root):
        pids = ", ".join(map(str, running))
        label = f"pid {pids}" if len(running) == 1 else f"pids {pids}"
        if time.monotonic() > deadline:
            what = "a git command is" if len(running) == 1 else "git commands are"
            raise RjcError(f"{what} still running in this repository ({label}); nothing was repaired: "
                           f"run rjc doctor again once {'it has' if len(running) == 1 else 'they have'} finished")
        if not told:
            say(f"waiting for {'a git command' if len(running) == 1 else 'git commands'} still running "
                f"in this repository ({label}) to finish...")
            told = True
        time.sleep(0.05)


def _git_locks(repo: Repository) -> list[Finding]:
    stale = _stale_locks(repo.root)
    removed = []
    for lock in stale:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
            removed.append(_shown(repo.root, lock))
    findings = []
    if removed:
        what = "a git lock file" if len(removed) == 1 else f"{len(removed)} git lock files"
        findings.append(Finding(f"{what} left by a git command that is no longer running",
                                f"removed {', '.join(removed)}"))
    left = [_shown(repo.root, lock) for lock in gitrepo.lock_files(repo.root)]
    if left:  # only without /proc to ask: too young to be known stale
        findings.append(Finding(f"git lock file(s) that may belong to a running git command: {', '.join(left)}",
                                "left them; if no git command is running, run rjc doctor again in a few seconds",
                                needs_you=True))
    return findings


def _sync(repo: Repository) -> list[Finding]:
    if not private.file(repo.root, private.SYNC_STATE).exists():
        return []
    try:
        from rjc.workflows import sync
    except ImportError:  # pragma: no cover - sync is part of rjc
        return [Finding("an interrupted sync", f"remove .git/{private.DIR}/{private.SYNC_STATE} after checking the history")]
    return [Finding("an interrupted sync", sync.recover(repo))]


def _sealing(repo: Repository) -> list[Finding]:
    """A seal killed part way is finished: it was asked for, and the law requires it. So is the
    deletion of the old history a sync that followed a seal was killed in."""
    from rjc.workflows import sealing

    if (private.location(repo.root) / private.PURGE).exists():
        sealing.purge(repo)
        return [Finding("an interrupted deletion of a sealed history", "deleted it")]
    if not (private.location(repo.root) / private.SEALING).exists():
        return []

    try:
        done = sealing.finish(repo)
    except RjcError as exc:  # sealed here; the remote could not be given the sealed history
        return [Finding("an interrupted seal", f"finished it here; {exc}", needs_you=True)]
    action = f"finished it: {' '.join(done.cases)} sealed, the old versions deleted"
    return [Finding("an interrupted seal", f"{action}; {done.remote}" if done.remote else action)]


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
    from rjc import checks
    from rjc.storage import store

    status = repo.git.status([k.directory for k in layout.KINDS.values()] + [layout.SETTINGS_FILE])
    # any change, staged or not, and new files
    changed = sorted(path for path in status if path.endswith(".yaml"))
    if not changed:
        return []
    if not commit_edits:
        return [Finding(f"{len(changed)} record file(s) changed outside rjc and not committed: "
                        + ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else ""),
                        "check them with rjc check, then keep them with rjc doctor --commit-edits "
                        "(or undo them with git checkout HEAD -- FILE)", needs_you=True)]
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
    repo.sign_commits()
    sha = repo.git.commit_paths(changed, subject, command="doctor --commit-edits", actor=actor,
                                identity=identity(repo.settings, actor))
    problem = f"{len(changed)} record file(s) changed outside rjc"
    off = repo.git.status(changed)
    if off:
        shown = ", ".join(f"{path} ({letters.strip()})" for path, letters in sorted(off.items()))
        done = f"committed them in {sha[:12]}" if sha else "nothing was committed"
        return [Finding(problem, f"{done}, but git status still shows changes in {shown}", needs_you=True)]
    if sha is None:
        return [Finding(problem, "they hold what the last commit has: nothing was committed")]
    return [Finding(problem, f"committed them, valid, in one commit ({sha[:12]})")]
