"""A cache of parsed records, so warm commands do not parse YAML again.

It lives in the repository's private directory (`.git/rjc/cache.sqlite`), outside version
control, and it can never change what is reported:

- An entry is used only while its file's size, mtime, inode and ctime are unchanged; a file
  changed within RACY_NS of being cached is read again and compared by content digest (the
  "racily clean" case git also guards against, for file systems with coarse timestamps).
- Everything a file alone decides is cached with it: the validated record (as JSON, validated
  again on load, which is cheap), the file's own problems, and its row for `rjc list`.
- The whole cache is dropped when rjc's code, version or schema version changes.
- A missing, locked-out or corrupt cache is rebuilt silently; `RJC_NO_CACHE=1` bypasses it.
- Two processes may use it at once: SQLite in WAL mode serializes writers; an entry is written
  only with the stat taken before its file was read, and not at all if the file changed while
  being read, so a racing writer can only cause a re-parse, never a stale answer.

Parsing many files uses every core (a process pool); the caller may pass a progress callback.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rjc import layout, store
from rjc.errors import Problem

CACHE_FORMAT = 1
RACY_NS = 2_000_000_000
PARALLEL_MIN = 400  # fewer files than this are parsed in-process: a pool costs more to start
CHUNK = 200

Progress = Callable[[int, int], None]  # (done, total)


def disabled() -> bool:
    return os.environ.get("RJC_NO_CACHE", "") not in ("", "0")


class StatKey(NamedTuple):  # a tuple: made and compared 100,000 times a command, so cheap matters
    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> "StatKey":
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


@dataclass
class Scan:
    """What is in the records tree: record files with their stat, and what does not belong."""

    files: dict[str, StatKey] = field(default_factory=dict)
    symlinks: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)  # YAML files where no record lives


def scan(root: Path, kinds: list[layout.Kind] | None = None) -> Scan:
    """One walk of the record directories: lstat of every entry, nothing read."""
    result = Scan()
    for kind in kinds or layout.KINDS.values():  # in kind order, sorted within, as record_paths
        base = root / kind.directory
        if base.is_symlink():
            result.symlinks.append(kind.directory)
        elif base.is_dir():
            part = Scan()
            _walk(root, base, kind.directory, 1, part)
            result.files.update(sorted(part.files.items()))
            result.symlinks += part.symlinks
            result.strays += part.strays
    return result


def _walk(root: Path, directory: Path, relpath: str, depth: int, result: Scan) -> None:
    with os.scandir(directory) as entries:
        for entry in entries:
            rel = f"{relpath}/{entry.name}"
            if entry.is_symlink():
                result.symlinks.append(rel)
            elif entry.is_dir(follow_symlinks=False):
                _walk(root, Path(entry.path), rel, depth + 1, result)
            elif entry.name.endswith((".yaml", ".yml")):
                if depth == 3 and entry.name.endswith(".yaml"):
                    result.files[rel] = StatKey.of(entry.stat(follow_symlinks=False))
                else:
                    result.strays.append(rel)


@dataclass(slots=True)
class Entry:
    """What one file alone decides: its record (JSON), its problems, its `rjc list` row."""

    path: str
    key: StatKey | None
    digest: str
    record_id: str | None
    data: str | None  # the validated record, as JSON; None when the file is not a valid record
    problems: list[Problem]
    row: str | None
    loaded: store.Loaded | None = None  # kept when parsed in this process (with its document)
    source: "Cache | None" = None  # where to fetch `data` from when it was read for its row only

    def load(self, root: Path) -> store.Loaded:
        """The file as a Loaded record; its document (for locations) is parsed only if asked for."""
        if self.loaded is not None:
            return self.loaded
        record = None
        if self.record_id is not None:
            if self.data is None and self.source is not None:
                self.data = self.source.data_of(self.path)
            if self.data is None:
                raise ValueError("entry read for its row only")
            kind = layout.kind_of_path(self.path)
            from rjc.model import MODELS

            record = MODELS[kind.name].model_validate_json(self.data)
        return store.Loaded(self.path, record=record, problems=list(self.problems), root=root)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_file(root: Path, relpath: str, key: StatKey | None = None) -> Entry:
    """Read and parse one file. `key` is the stat taken before reading (None: not cacheable)."""
    from rjc import listing

    try:
        source = (root / relpath).read_bytes()
    except OSError as exc:
        problem = Problem(relpath, 0, 0, "unreadable", exc.strerror or str(exc))
        return Entry(relpath, None, "", None, None, [problem], None)
    loaded = store.parse_record(relpath, source)
    if key is not None:
        try:
            if StatKey.of(os.lstat(root / relpath)) != key:
                key = None  # changed while being read: use this result, do not cache it
        except OSError:
            key = None
    record = loaded.record
    row = json.dumps(listing.base_row(record), default=str) if record is not None else None
    return Entry(relpath, key, digest(source), record.id if record is not None else None,
                 record.model_dump_json(by_alias=True) if record is not None else None,
                 loaded.problems, row, loaded)


def _parse_chunk(root: str, items: list[tuple[str, StatKey]]) -> list[tuple]:
    """In a worker process: parse files, return plain tuples (no documents, no models)."""
    gc.disable()  # bulk parsing makes many objects that live until the end: collecting costs 2-4x
    out = []
    for relpath, key in items:
        e = parse_file(Path(root), relpath, key)
        out.append((e.path, e.key, e.digest, e.record_id, e.data, e.problems, e.row))
    return out


class Cache:
    """The cache of one repository; `entries()` is the only way in."""

    def __init__(self, root: Path):
        self.root = root
        self.path = root / ".git" / layout.PRIVATE_DIR / "cache.sqlite"
        self._db: sqlite3.Connection | None = None
        if not disabled() and (root / ".git").is_dir():  # never create a .git where there is none
            self._db = self._open()

    # --- the database ------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                return self._connect()
            except (sqlite3.DatabaseError, OSError):
                if attempt == 0:
                    self._remove()  # corrupt or unusable: start again
        return None  # works without a cache rather than fail

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(self.path) + suffix).unlink()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        found = db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
        if found is None or found[0] != _fingerprint():
            db.execute("BEGIN IMMEDIATE")
            for table in ("files", "checks", "repository_checks", "memo"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, ino INT, ctime_ns INT,"
                       " cached_ns INT, digest TEXT, record_id TEXT, data TEXT, problems TEXT, row TEXT)")
            db.execute("CREATE TABLE checks (path TEXT PRIMARY KEY, key TEXT, problems TEXT)")
            db.execute("CREATE TABLE repository_checks (rule TEXT PRIMARY KEY, key TEXT, problems TEXT)")
            db.execute("CREATE TABLE memo (name TEXT PRIMARY KEY, key TEXT, value BLOB)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (_fingerprint(),))
            db.execute("COMMIT")
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        return db

    def _guard(self, action: Callable, default=None):
        """Run a database action; on any database failure drop the cache and carry on without it."""
        if self._db is None:
            return default
        try:
            return action(self._db)
        except sqlite3.DatabaseError:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None
            self._remove()
            return default

    # --- entries -------------------------------------------------------------------------------

    def entries(self, found: Scan, *, progress: Progress | None = None, rows_only: bool = False,
                digests_only: bool = False) -> dict[str, Entry]:
        """A fresh entry for every file in `found`: from the cache when it still holds, else parsed.

        rows_only: without the records (fetched one by one if asked for); digests_only: without
        the `rjc list` rows either.
        """
        cached = self._guard(lambda db: self._cached(db, found, rows_only or digests_only, digests_only), {}) or {}
        now = time.time_ns()
        fresh: dict[str, Entry] = {}
        stale: list[tuple[str, StatKey]] = []
        racy_ok: list[str] = []
        for relpath, key in found.files.items():
            hit = cached.get(relpath)
            if hit is not None and hit[0] == key:
                entry = hit[1]
                if key.mtime_ns + RACY_NS < hit[2]:
                    fresh[relpath] = entry
                    continue
                with contextlib.suppress(OSError):  # racily clean: compare the content itself
                    if digest((self.root / relpath).read_bytes()) == entry.digest:
                        fresh[relpath] = entry
                        if key.mtime_ns + RACY_NS < now:
                            racy_ok.append(relpath)
                        continue
            stale.append((relpath, key))
        parsed = self._parse(stale, progress)
        fresh.update(parsed)
        if parsed or racy_ok:
            self._guard(lambda db: self._store(db, parsed.values(), racy_ok, now))
        removed = set(cached) - set(found.files)
        if removed and len(found.files) and self._db is not None:
            self._guard(lambda db: self._forget(db, removed))
        return {p: fresh[p] for p in found.files}

    def _cached(self, db: sqlite3.Connection, found: Scan, rows_only: bool, digests_only: bool) -> dict[str, tuple]:
        columns = "path, size, mtime_ns, ino, ctime_ns, cached_ns, digest, record_id, " + \
                  ("NULL" if rows_only else "data") + ", problems, " + ("NULL" if digests_only else "row")
        result = {}
        prefixes = sorted({p.split("/", 1)[0] for p in found.files})
        for prefix in prefixes:
            query = f"SELECT {columns} FROM files WHERE path >= ? AND path < ?"
            source = self if rows_only else None
            for path, size, mtime, ino, ctime, cached_ns, dig, rid, data, problems, row in db.execute(
                    query, (prefix + "/", prefix + "0")):
                key = StatKey(size, mtime, ino, ctime)
                entry = Entry(path, key, dig, rid, data,
                              [Problem(*p) for p in json.loads(problems)] if problems != "[]" else [], row,
                              None, source)
                result[path] = (key, entry, cached_ns)
        return result

    def _store(self, db: sqlite3.Connection, entries, racy_ok: list[str], now: int) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(e.path, e.key.size, e.key.mtime_ns, e.key.ino, e.key.ctime_ns, now, e.digest, e.record_id, e.data,
              json.dumps([[p.path, p.line, p.col, p.rule, p.message, p.level] for p in e.problems]), e.row)
             for e in entries if e.key is not None])
        db.executemany("UPDATE files SET cached_ns=? WHERE path=?", [(now, p) for p in racy_ok])
        db.execute("COMMIT")

    def _forget(self, db: sqlite3.Connection, paths: set[str]) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in paths])
        db.executemany("DELETE FROM checks WHERE path=?", [(p,) for p in paths])
        db.execute("COMMIT")

    def _parse(self, stale: list[tuple[str, StatKey]], progress: Progress | None) -> dict[str, Entry]:
        if not stale:
            return {}
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
        enabled = gc.isenabled()
        gc.disable()
        try:
            if len(stale) < PARALLEL_MIN or workers < 2:
                result = {}
                for index, (relpath, key) in enumerate(stale):
                    result[relpath] = parse_file(self.root, relpath, key)
                    if progress and index % CHUNK == 0:
                        progress(index, len(stale))
                if progress:
                    progress(len(stale), len(stale))
                return result
            return self._parse_in_pool(stale, workers, progress)
        finally:
            if enabled:
                gc.enable()

    def _parse_in_pool(self, stale, workers: int, progress: Progress | None) -> dict[str, Entry]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        chunks = [stale[i:i + CHUNK] for i in range(0, len(stale), CHUNK)]
        result: dict[str, Entry] = {}
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_parse_chunk, str(self.root), chunk) for chunk in chunks]
            for future in as_completed(futures):
                for path, key, dig, rid, data, problems, row in future.result():
                    result[path] = Entry(path, key, dig, rid, data, problems, row)
                if progress:
                    progress(len(result), len(stale))
        return result

    def data_of(self, path: str) -> str | None:
        row = self._guard(lambda db: db.execute("SELECT data FROM files WHERE path=?", (path,)).fetchone())
        return row[0] if row else None

    # --- whole results, keyed by the state of every file ----------------------------------------

    def memo(self, name: str, key: str) -> bytes | None:
        """A result stored under `name`, if it was computed from exactly this state."""
        row = self._guard(lambda db: db.execute("SELECT key, value FROM memo WHERE name=?", (name,)).fetchone())
        return row[1] if row and row[0] == key else None

    def store_memo(self, name: str, key: str, value: bytes) -> None:
        self._guard(lambda db: db.execute("INSERT OR REPLACE INTO memo VALUES (?,?,?)", (name, key, value)))

    # --- check results --------------------------------------------------------------------------

    def check_results(self) -> dict[str, tuple[str, list[Problem]]]:
        def read(db):
            return {path: (key, [Problem(*p) for p in json.loads(problems)])
                    for path, key, problems in db.execute("SELECT path, key, problems FROM checks")}
        return self._guard(read, {}) or {}

    def store_check_results(self, results: dict[str, tuple[str, list[Problem]]]) -> None:
        def write(db):
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO checks VALUES (?,?,?)", [
                (path, key, json.dumps([[p.path, p.line, p.col, p.rule, p.message, p.level] for p in problems]))
                for path, (key, problems) in results.items()])
            db.execute("COMMIT")
        if results:
            self._guard(write)

    def repository_check(self, rule: str) -> tuple[str, list[Problem]] | None:
        def read(db):
            row = db.execute("SELECT key, problems FROM repository_checks WHERE rule=?", (rule,)).fetchone()
            return (row[0], [Problem(*p) for p in json.loads(row[1])]) if row else None
        return self._guard(read)

    def store_repository_check(self, rule: str, key: str, problems: list[Problem]) -> None:
        def write(db):
            db.execute("INSERT OR REPLACE INTO repository_checks VALUES (?,?,?)", (
                rule, key, json.dumps([[p.path, p.line, p.col, p.rule, p.message, p.level] for p in problems])))
        self._guard(write)


def state_key(root: Path, found: Scan, entries: dict[str, Entry]) -> str:
    """A digest of everything a whole-repository answer depends on: every record file's content,
    rjc.yaml's, and what is in the records tree that should not be."""
    h = hashlib.blake2b(digest_size=16)
    with contextlib.suppress(OSError):
        h.update(digest((root / layout.SETTINGS_FILE).read_bytes()).encode())
    h.update("\n".join(f"{path} {entry.digest}" for path, entry in entries.items()).encode())
    for path in [*found.symlinks, "", *found.strays]:
        h.update(f"\n{path}".encode())
    return h.hexdigest()


def _fingerprint() -> str:
    """rjc's version, the schema version, the cache format and the code itself."""
    from rjc import __version__
    from rjc.model import SCHEMA_VERSION

    package = Path(__file__).resolve().parent
    parts = [__version__, str(SCHEMA_VERSION), str(CACHE_FORMAT)]
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        parts.append(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
    return digest("\n".join(parts).encode())


def iter_loaded(root: Path, entries: dict[str, Entry]) -> Iterator[store.Loaded]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        for entry in entries.values():
            yield entry.load(root)
    finally:
        if enabled:
            gc.enable()
