"""The repository's private directory, `.git/rjc`, and every file rjc keeps there.

Inside .git and owner-only: never committed, never pushed, never seen by a clone. Each file is
named here once, and every module finds it through these names.
"""

from __future__ import annotations

from pathlib import Path

DIR = "rjc"  # inside .git

JOURNAL = "journal.json"  # a change being written, until it is committed (the transaction)
WRITE_LOCK = "write.lock"  # the records' write lock, held by the transaction, sync and doctor
SYNC_STATE = "sync-state.json"  # exists only while a sync moves main
SYNC_INDEX = "sync-index"  # the private index a sync builds its commits in
DRAFTS = "drafts"  # rjc edit's drafts (ID.yaml, with ID.base and ID.lock), kept when an edit is abandoned
CACHE = "cache.sqlite"  # parsed records, list rows and check results (with SQLite's -wal and -shm)
AUDIT = "audit.sqlite"  # which commits touched each record, for rjc history and rjc log (and -wal, -shm)
SENT_LOG = "reminders-sent.jsonl"  # the reminders this clone has mailed, so each is sent once
SEND_LOCK = "reminders-send.lock"  # one sending run per clone at a time
SEALING = "sealing.json"  # a seal being made: what it seals, until it is done (rjc doctor finishes it)
PURGE = "purge.json"  # a seal made elsewhere, followed here: its old history is still to be deleted
SEAL_UNSENT = "seal-unsent.json"  # a seal made here whose history the remote does not have yet
ALLOWED_SIGNERS = "allowed-signers"  # the coordinators' SSH keys from rjc.yaml, for rjc log --verify
MAINTENANCE = "commits-since-maintenance"
INTERRUPTED = (JOURNAL, SYNC_STATE, SEALING, PURGE)  # left only by a kill: no change starts until rjc doctor ran  # commits since the commit-graph was last extended


def location(root: Path) -> Path:
    """Where the private directory is, without creating it (for a look that changes nothing)."""
    return root / ".git" / DIR


def directory(root: Path) -> Path:
    """The private directory, created owner-only if missing."""
    path = location(root)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def file(root: Path, name: str) -> Path:
    """One of the files above, in the private directory (created if missing)."""
    return directory(root) / name
