"""The audit index: which commits touched each record, with each commit's day and coordinator,
so `rjc history` and a filtered `rjc log` read the commits they print, not twenty years of them.

It lives in the private directory (`private.AUDIT`), outside version control, and it only
*locates* commits: what is printed is read from git, for exactly those commits. It is trusted
only as an index of HEAD's own history, checked before every answer:

- It keeps the commit it is complete up to (its tip). The tip is HEAD: it answers. The tip is an
  ancestor of HEAD (rjc's commits, a sync, a plain `git commit` or `git pull`): the commits since
  are indexed first, at what they cost. Otherwise (history was rewritten) it is cut back to the
  newest commit HEAD still has and extended from there, or built again when there is none.
- It indexes a linear history, which is what rjc's commits and syncs make. After a merge commit
  (a plain `git pull` that merged) it stands aside and commands walk git, which is always right.
- Missing, corrupt, of another format, or naming a commit git does not confirm for the answer:
  it is dropped and built again, and that answer comes from walking git.

Building it for the first time reads the whole history once (about a second per 40,000 commits);
`on_progress` hears how far it has got.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from rjc.storage import private
from rjc.storage.gitrepo import Commit, Git, GitError

FORMAT = "1"
BATCH = 50_000  # commits read from git by one `git log`, and written in one go
PROGRESS_EVERY = 100_000

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    # seq: position in the (linear) history, oldest first; the sha as 20 or 32 raw bytes
    "CREATE TABLE commits (seq INTEGER PRIMARY KEY, sha BLOB NOT NULL, day TEXT NOT NULL, actor TEXT NOT NULL)",
    "CREATE INDEX commits_by_actor ON commits (actor, seq)",
    "CREATE INDEX commits_by_day ON commits (day, seq)",
    "CREATE TABLE paths (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL)",
    "CREATE TABLE touches (path_id INTEGER, seq INTEGER, PRIMARY KEY (path_id, seq)) WITHOUT ROWID",
)


def actor_of(commit: Commit) -> str:
    """Who a commit is attributed to: rjc's coordinator trailer, or git's author for others."""
    return commit.actor or commit.author


class AuditIndex:
    def __init__(self, git: Git, *, on_progress: Callable[[int], None] | None = None):
        self.git = git
        self.path = private.location(git.root) / private.AUDIT
        self.on_progress = on_progress

    def find(self, *, path: str | None = None, since: str | None = None, until: str | None = None,
             actor: str | None = None, limit: int | None = None) -> list[str] | None:
        """The commits that answer, newest first (`since`/`until` compare the author's day, as
        printed); None when the index cannot answer and git must be walked instead."""
        db = self._current()
        if db is None:
            return None
        try:
            joins, where, params = "", [], []
            if path is not None:
                row = db.execute("SELECT id FROM paths WHERE path=?", (path,)).fetchone()
                if row is None:
                    return []
                joins = " JOIN touches t ON t.seq = c.seq AND t.path_id = ?"
                params.append(row[0])
            for clause, value in (("c.day >= ?", since), ("c.day <= ?", until), ("c.actor = ?", actor)):
                if value is not None:
                    where.append(clause)
                    params.append(value)
            sql = f"SELECT c.sha FROM commits c{joins}"
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " ORDER BY c.seq DESC"
            if limit:
                sql += f" LIMIT {int(limit)}"
            return [bytes(sha).hex() for (sha,) in db.execute(sql, params)]
        except sqlite3.DatabaseError as error:
            if not _busy(error):
                self.drop()
            return None
        finally:
            db.close()

    def refresh(self) -> None:
        """Index what came in (after a sync), if there is an index to keep up to date."""
        if self.path.exists():
            db = self._current()
            if db is not None:
                db.close()

    def drop(self) -> None:
        """Forget the index (unreadable, or it named a commit git did not confirm): the next
        answer builds it again."""
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()

    # --- keeping it current ---------------------------------------------------------------------

    def _current(self) -> sqlite3.Connection | None:
        """A connection to the index, complete up to HEAD; None when it cannot answer (no commits,
        a merge in the history, another process building it, unreadable or git failing)."""
        head = self.git.head_or_none()
        if head is None:
            return None
        db = None
        try:
            db = self._connect()
            if self._up_to(db, head):
                return db
        except sqlite3.DatabaseError as error:
            if not _busy(error):
                self.drop()
        except GitError:
            pass
        if db is not None:
            db.close()
        return None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=2, isolation_level=None)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables or _meta(db, "format") != FORMAT:
            db.execute("BEGIN IMMEDIATE")
            for table in ("meta", "commits", "paths", "touches"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            db.execute("COMMIT")
        return db

    def _up_to(self, db: sqlite3.Connection, head: str) -> bool:
        """Bring the index up to HEAD; False when it cannot serve (a merge in the history)."""
        if _meta(db, "tip") == head:
            return _meta(db, "linear") == "1"
        db.execute("BEGIN IMMEDIATE")
        try:
            tip = _meta(db, "tip")  # again: another process may have brought it up meanwhile
            if tip != head:
                self._extend(db, tip, head)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return _meta(db, "linear") == "1"

    def _extend(self, db: sqlite3.Connection, tip: str | None, head: str) -> None:
        linear = _meta(db, "linear") == "1"
        base = None
        if tip is not None and self._is_ancestor(tip, head):
            if not linear:  # a merge stays in the history: nothing to index
                _set_meta(db, "tip", head)
                return
            base = tip
        elif tip is not None:  # rewritten: keep what HEAD still has
            kept = self.git.merge_base(tip, head) if linear else None
            seq = kept and db.execute("SELECT seq FROM commits WHERE sha=?", (bytes.fromhex(kept),)).fetchone()
            if seq:
                base = kept
                db.execute("DELETE FROM touches WHERE seq > ?", seq)
                db.execute("DELETE FROM commits WHERE seq > ?", seq)
        if base is None:
            for table in ("commits", "paths", "touches"):
                db.execute(f"DELETE FROM {table}")
        _set_meta(db, "linear", "1" if self._index(db, base, head) else "0")
        _set_meta(db, "tip", head)

    def _is_ancestor(self, tip: str, head: str) -> bool:
        try:
            return self.git.is_ancestor(tip, head)
        except GitError:  # the tip is no longer in the repository at all
            return False

    def _index(self, db: sqlite3.Connection, base: str | None, head: str) -> bool:
        """Index base..head (all of head's history when base is None); False at a merge commit.
        The chain of commits comes first, then their changes in batches of BATCH commits, each
        batch one `git log` (one over the whole history would hold it all in memory)."""
        (last,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM commits").fetchone()
        path_ids: dict[str, int] = {}
        previous, batch = base, []
        with contextlib.closing(self.git.iter_chain(f"{base}..{head}" if base else head)) as chain:
            for sha, parents in chain:
                if parents != ([previous] if previous else []):
                    return False  # a merge, or a second root: not a line
                batch.append(sha)
                previous = sha
                if len(batch) == BATCH:
                    last = self._write_batch(db, batch, last, path_ids)
                    batch = []
        self._write_batch(db, batch, last, path_ids)
        return previous == head

    def _write_batch(self, db: sqlite3.Connection, batch: list[str], last: int, path_ids: dict[str, int]) -> int:
        commits: list[tuple] = []
        touches: list[tuple[int, int]] = []
        for commit in self.git.iter_log(only=batch, with_blobs=True) if batch else ():
            last += 1
            commits.append((last, bytes.fromhex(commit.sha), commit.date[:10], actor_of(commit)))
            for path in commit.blobs:
                path_id = path_ids.get(path) or self._path_id(db, path)
                path_ids[path] = path_id
                touches.append((path_id, last))
        if len(commits) != len(batch):
            raise GitError(f"git log gave {len(commits)} of {len(batch)} commits")
        db.executemany("INSERT INTO commits VALUES (?,?,?,?)", commits)
        db.executemany("INSERT OR IGNORE INTO touches VALUES (?,?)", touches)
        if self.on_progress and last // PROGRESS_EVERY > (last - len(batch)) // PROGRESS_EVERY:
            self.on_progress(last)
        return last

    @staticmethod
    def _path_id(db: sqlite3.Connection, path: str) -> int:
        row = db.execute("SELECT id FROM paths WHERE path=?", (path,)).fetchone()
        if row:
            return row[0]
        return db.execute("INSERT INTO paths (path) VALUES (?)", (path,)).lastrowid or 0


def _busy(error: sqlite3.DatabaseError) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
