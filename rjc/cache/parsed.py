"""A cache of parsed records, so warm commands do not parse YAML again.

It lives in the repository's private directory (`private.CACHE`), outside version
control, and it can never change what is reported:

- An entry is used only while its file's size, mtime, inode and ctime are unchanged; a file
  changed within RACY_NS of being cached is read again and compared by content digest (the
  "racily clean" case git also guards against, for file systems with coarse timestamps).
- Everything a file alone decides is cached with it: the validated record (as JSON, validated
  again on load, which is cheap), the file's own problems, its row for `rjc list` and its
  facts for the reports (rjc.model.rows, rjc.model.report_facts).
- A snapshot (one blob) holds the stat, content digest, id and own problems of every file that
  is past the racy window: a command compares it with what it finds on disk in one pass and
  reads no row unless it needs records or list rows. A summary row pairs a digest of every
  file's stat with the digest of their contents, so when no file was touched a whole-repository
  answer (a check, a report) is found without even the snapshot.
- `rjc check`'s per-file results are kept against the state they were computed in, with an index
  from each record id to the files whose rules consulted it, so a check after a change re-checks
  only the changed files and those that consulted them.
- The whole cache is dropped when rjc's code, version or schema version changes, or the
  Python or a library that decides what is parsed or drawn (`_dependencies`).
- A missing, locked-out or corrupt cache is rebuilt silently; `RJC_NO_CACHE=1` bypasses it.
- Two processes may use it at once: SQLite in WAL mode serializes writers; an entry is written
  only with the stat taken before its file was read, and not at all if the file changed while
  being read, so a racing writer can only cause a re-parse, never a stale answer.

Parsing many files uses every core (a process pool); the caller may pass a progress callback.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import marshal
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rjc.cache import disabled
from rjc.storage import layout, private, store
from rjc.storage.errors import Problem

CACHE_FORMAT = 7  # 3: report facts; 4: a closed status keeps only its reason; 5: screening, who attended; 6: dated choices;
# 7: surveys
RACY_NS = 2_000_000_000
PARALLEL_MIN = 400  # fewer files than this are parsed in-process: a pool costs more to start
CHUNK = 200
ROWS, FACTS = "row", "facts"  # the column fetched for entries' rows_only, facts_only
_PLAIN = 2  # marshal format without back-references: equal data, equal bytes, whatever the objects

Progress = Callable[[int, int], None]  # (done, total)


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """For bulk work over every file: it makes many objects that live until it ends, so the
    collector, run every few hundred of them, costs up to half the time and frees nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# (size, mtime_ns, inode, ctime_ns): made and compared 100,000 times a command and hashed all
# together, so a plain tuple
StatKey = tuple[int, int, int, int]
MTIME = 1
# A snapshot value is the StatKey followed by these:
DIGEST, RECORD_ID, PROBLEMS = 4, 5, 6


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


@dataclass
class Scan:
    """What is in the records tree: record files with their stat, and what does not belong."""

    files: dict[str, StatKey] = field(default_factory=dict)
    symlinks: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)  # YAML files where no record lives
    directories: set[str] = field(default_factory=set)  # the kind directories looked in

    @property
    def complete(self) -> bool:
        """Every kind of record was looked for."""
        return len(self.directories) == len(layout.KINDS)

    @functools.cached_property
    def stat_digest(self) -> str:
        """A digest of every file's path and stat: equal digests, nothing touched in between."""
        return digest(marshal.dumps(self.files, _PLAIN))


def scan(root: Path, kinds: list[layout.Kind] | None = None) -> Scan:
    """One walk of the record directories: lstat of every entry, nothing read."""
    result = Scan()
    for kind in kinds or layout.KINDS.values():  # in kind order, sorted within, as record_paths
        result.directories.add(kind.directory)
        base = root / kind.directory
        if base.is_symlink():
            result.symlinks.append(kind.directory)
        elif base.is_dir():
            part = Scan()
            _walk(base, kind.directory, 1, part)
            result.files.update(sorted(part.files.items()))
            result.symlinks += part.symlinks
            result.strays += part.strays
    return result


def _walk(directory: str | Path, relpath: str, depth: int, result: Scan) -> None:
    files = result.files
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if depth == 3 and name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
                files[f"{relpath}/{name}"] = stat_key(entry.stat(follow_symlinks=False))  # (nearly all)
                continue
            rel = f"{relpath}/{name}"
            if entry.is_symlink():
                result.symlinks.append(rel)
            elif entry.is_dir(follow_symlinks=False):
                _walk(entry.path, rel, depth + 1, result)
            elif name.endswith((".yaml", ".yml")):
                result.strays.append(rel)


@dataclass(slots=True)
class Entry:
    """What one file alone decides: its record (JSON), its problems, its `rjc list` row and its
    report facts (JSON; None for a person)."""

    path: str
    key: StatKey | None
    digest: str
    record_id: str | None
    data: str | None  # the validated record, as JSON; None when the file is not a valid record
    problems: list[Problem]
    row: str | None
    facts: str | None = None
    loaded: store.Loaded | None = None  # kept when parsed in this process (with its document)
    source: Cache | None = None  # where to fetch `data` from when it was read for its row only
    done_in_worker: object = None  # what an InWorkers task's `each` returned for this file

    def load(self, root: Path) -> store.Loaded:
        """The file as a Loaded record; its document (for locations) is parsed only if asked for."""
        if self.loaded is not None:
            return self.loaded
        record = None
        if self.record_id is not None:
            if self.data is None and self.source is not None:
                self.data = self.source.data_of(self.path)
            if self.data is None:  # the cache went away meanwhile: read the file itself
                return store.read_record(root, self.path)
            kind = layout.record_kind(self.path)
            from rjc.model import MODELS

            record = MODELS[kind.name].model_validate_json(self.data)
        return store.Loaded(self.path, record=record, problems=list(self.problems), root=root)


class Entries(Mapping[str, Entry]):
    """path -> Entry for every file found, in scan order. An entry the snapshot vouches for is
    made only when asked for: a check after one change reads 100,000 digests and a few entries."""

    def __init__(self, found: dict[str, StatKey], made: dict[str, Entry], vouched: dict[str, tuple],
                 fetched: dict[str, tuple], *, fetch: str, source: Cache | None):
        self._found, self._made, self._vouched, self._fetched = found, made, vouched, fetched
        self._fetch, self._source = fetch, source

    def __getitem__(self, path: str) -> Entry:
        entry = self._made.get(path)
        if entry is None:
            hit = self._vouched[path]
            # (popped: a record's JSON is let go of with its entry's, see iter_loaded)
            got = self._fetched.pop(path, None) or (None, None)
            data, row, facts = (None, got[0], None) if self._fetch == ROWS else (None, None, got[0]) \
                if self._fetch == FACTS else (got[0], got[1], None)
            entry = self._made[path] = Entry(path, self._found[path], hit[DIGEST], hit[RECORD_ID], data,
                                             [Problem(*p) for p in hit[PROBLEMS]] if hit[PROBLEMS] else [],
                                             row, facts, source=self._source)
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def digests(self) -> Iterator[tuple[str, str, str | None]]:
        """(path, content digest, record id) of every file, without making entries."""
        made, vouched = self._made, self._vouched
        for path in self._found:
            entry = made.get(path)
            if entry is None:
                hit = vouched[path]
                yield path, hit[DIGEST], hit[RECORD_ID]
            else:
                yield path, entry.digest, entry.record_id


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_file(root: Path | str, relpath: str, key: StatKey | None = None) -> Entry:
    """Read and parse one file. `key` is the stat taken before reading (None: not cacheable)."""
    from rjc.model.report_facts import project
    from rjc.model.rows import list_row

    full = os.path.join(root, relpath)  # (a string, not a Path: made 100,000 times a cold check)
    try:
        with open(full, "rb") as file:
            source = file.read()
    except OSError as exc:
        problem = Problem(relpath, 0, 0, "unreadable", exc.strerror or str(exc))
        return Entry(relpath, None, "", None, None, [problem], None)
    loaded = store.parse_record(relpath, source)
    if key is not None:
        try:
            if stat_key(os.lstat(full)) != key:
                key = None  # changed while being read: use this result, do not cache it
        except OSError:
            key = None
    record = loaded.record
    row = json.dumps(list_row(record), default=str) if record is not None else None
    return Entry(relpath, key, digest(source), record.id if record is not None else None,
                 record.model_dump_json(by_alias=True) if record is not None else None,
                 loaded.problems, row, project(record) if record is not None else None, loaded)


class InWorkers(NamedTuple):
    """More work on each file, done by the worker process that parsed it while its record is at
    hand (so the main process need not validate it again from JSON)."""

    setup: Callable[..., None]  # run once in each worker, with `args`
    args: tuple
    each: Callable[[Entry], object]  # its result comes back as the entry's `done_in_worker`


def _parse_chunk(root: str, items: list[tuple[str, StatKey]], each: Callable[[Entry], object] | None) -> list[tuple]:
    """In a worker process: parse files, return plain tuples (no documents, no models)."""
    gc.disable()  # bulk parsing makes many objects that live until the end: collecting costs 2-4x
    out = []
    for relpath, key in items:
        e = parse_file(root, relpath, key)
        out.append((e.path, e.key, e.digest, e.record_id, e.data, e.problems, e.row, e.facts,
                    each(e) if each else None))
    return out


def _chunks(stale: list[tuple[str, StatKey]], workers: int) -> list[list[tuple[str, StatKey]]]:
    """The files in runs of whole years where that still gives every worker several runs: one
    year's files of every kind go to one worker, in kind order, so that what a record refers to
    (a case's referral) was mostly parsed just before it, by the same worker."""
    years: dict[str, list[tuple[str, StatKey]]] = {}
    for item in stale:  # (in kind order already: the order of the scan)
        years.setdefault(item[0].split("/", 2)[1], []).append(item)
    most = max(CHUNK, len(stale) // (4 * workers))
    chunks: list[list[tuple[str, StatKey]]] = [[]]
    for files in years.values():
        for i in range(0, len(files), most):
            if len(chunks[-1]) >= CHUNK:  # (small years go together)
                chunks.append([])
            chunks[-1].extend(files[i:i + most])
    return [chunk for chunk in chunks if chunk]


class Cache:
    """The cache of one repository; `entries()` is the only way in."""

    def __init__(self, root: Path):
        self.root = root
        self.path = private.location(root) / private.CACHE
        self._db: sqlite3.Connection | None = None
        self._known: dict[str, tuple] | None = None
        self._last_digests: tuple[Scan, Entries] | None = None
        self._check_change: StateChange | None = None  # the stored check state's, since its base
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

    def remove(self) -> None:
        """Delete the cache (with its -wal and -shm): after a seal, no page of it may still hold a
        sealed record's text. The next command builds it again."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._known = {}
        self._remove()

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
            for table in ("files", "blobs", "checks", "consults", "repository_checks", "memo"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, ino INT, ctime_ns INT,"
                       " cached_ns INT, digest TEXT, record_id TEXT, data TEXT, problems TEXT, row TEXT,"
                       " facts TEXT)")
            db.execute("CREATE TABLE blobs (name TEXT PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE checks (path TEXT PRIMARY KEY, problems TEXT)")
            db.execute("CREATE TABLE consults (id TEXT, path TEXT)")
            db.execute("CREATE INDEX consults_by_id ON consults (id)")
            db.execute("CREATE INDEX consults_by_path ON consults (path)")
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
            self._known = {}
            self._remove()
            return default

    # --- entries -------------------------------------------------------------------------------

    @without_gc()
    def entries(self, found: Scan, *, progress: Progress | None = None, rows_only: bool = False,
                facts_only: bool = False, digests_only: bool = False,
                in_workers: InWorkers | None = None) -> Entries:
        """A fresh entry for every file in `found`: from the cache when it still holds, else parsed.

        rows_only: without the records (fetched one by one if asked for) or their report facts;
        facts_only: their report facts instead of their rows; digests_only: with neither;
        in_workers: more work on files parsed by a pool of workers.
        """
        if digests_only and self._last_digests is not None and self._last_digests[0] is found:
            return self._last_digests[1]  # asked again for the same scan (content_key, then a check)
        known = self._snapshot()
        hits: dict[str, tuple] = {}
        misses: list[tuple[str, StatKey]] = []
        for relpath, key in found.files.items():
            hit = known.get(relpath)
            if hit is not None and hit[:4] == key:
                hits[relpath] = hit
            else:
                misses.append((relpath, key))
        now = time.time_ns()
        recent, settled = self._recent(misses, now)
        stored: set[str] = set()
        lean = rows_only or facts_only or digests_only
        fetch = "" if digests_only else ROWS if rows_only else FACTS if facts_only else "data, row"

        def store(chunk: list[Entry]) -> None:  # while the workers parse the rest, this process is idle
            self._store_rows(chunk, now)
            stored.update(e.path for e in chunk)
            if lean:  # the caller does not want every record: let go of the JSON, fetch it if asked
                for e in chunk:
                    if e.key is not None:
                        e.data, e.source = None, self
                    if fetch != ROWS:
                        e.row = None
                    if fetch != FACTS:
                        e.facts = None

        parsed = self._parse([(p, k) for p, k in misses if p not in recent], progress, in_workers,
                             store if self._db is not None else None)
        removed = [p for p in known if p not in found.files and p.split("/", 1)[0] in found.directories] \
            if found.files and self._may_have_gone(found, known, len(hits), misses) else []
        if self._db is not None:  # without a database there is nothing to fetch records from later
            self._remember(found, known, len(hits), parsed, [recent[p] for p in settled], removed, now, stored)
        extra = (self._guard(lambda db: _select(db, fetch, list(hits)), {}) or {}) if fetch and hits else {}
        if fetch and len(extra) < len(hits):  # rows removed by another rjc since the snapshot was read
            parsed.update(self._parse([(p, found.files[p]) for p in hits if p not in extra], None))
        result = Entries(found.files, {**recent, **parsed}, hits, extra, fetch=fetch, source=self if lean else None)
        if digests_only:
            self._last_digests = (found, result)
        return result

    @without_gc()
    def content_key(self, found: Scan, *, progress: Progress | None = None, in_workers: InWorkers | None = None) -> str:
        """A digest of every record file's path and content: from one small row when no file was
        touched since it was stored, else through `entries`."""
        summary = self._guard(_read_summary)
        if summary and found.complete and summary[0] == found.stat_digest:
            return summary[1]
        entries = self.entries(found, progress=progress, digests_only=True, in_workers=in_workers)
        return _contents_digest({path: content for path, content, _ in entries.digests()})

    def _recent(self, misses: list[tuple[str, StatKey]], now: int) -> tuple[dict[str, Entry], list[str]]:
        """Entries of the files table that are not in the snapshot and still good: their stat is
        unchanged and, if cached too close to their file's last change, so is their content.
        Also which of them are now past that window (and so go into the snapshot)."""
        if not misses:
            return {}, []
        rows = self._guard(lambda db: _select(
            db, "size, mtime_ns, ino, ctime_ns, cached_ns, digest, record_id, problems, data, row, facts",
            [p for p, _ in misses]), {}) or {}
        recent: dict[str, Entry] = {}
        settled: list[str] = []
        for relpath, key in misses:
            row = rows.get(relpath)
            if row is None or row[:4] != key:
                continue
            cached_ns, dig, rid, problems, data, list_row, facts = row[4:]
            if key[MTIME] + RACY_NS >= cached_ns:  # racily clean: compare the content itself
                try:
                    if digest((self.root / relpath).read_bytes()) != dig:
                        continue
                except OSError:
                    continue
            if key[MTIME] + RACY_NS < now:
                settled.append(relpath)
            recent[relpath] = Entry(relpath, key, dig, rid, data, _problems_from_json(problems),
                                    list_row, facts)
        return recent, settled

    @staticmethod
    def _may_have_gone(found: Scan, known: dict[str, tuple], hits: int, misses: list[tuple[str, StatKey]]) -> bool:
        """Whether the snapshot may hold files that are no longer there (a cheap count, not a pass
        over the snapshot, when every kind was looked for)."""
        if not found.complete:
            return len(known) > hits  # (files of other kinds are in it too: look)
        return len(known) > hits + sum(1 for path, _ in misses if path in known)

    def _snapshot(self) -> dict[str, tuple]:
        """path -> (size, mtime_ns, ino, ctime_ns, digest, record_id, own problems) of every file
        whose entry was stored past the racy window, so that its stat alone vouches for it."""
        if self._known is None:  # read once: what this process adds to it, it keeps up to date
            self._known = self._guard(_read_snapshot, {})
        return self._known

    def _remember(self, found: Scan, known: dict[str, tuple], hits: int, parsed: dict[str, Entry],
                  settled: list[Entry], removed: list[str], now: int, stored: set[str]) -> None:
        """Store what was parsed (but not `stored` already), move settled entries into the
        snapshot and, when the snapshot vouches for every record file found (`hits` of them
        already did), the summary that lets the next command skip it altogether."""
        joining = [e for e in [*parsed.values(), *settled] if e.key is not None and e.key[MTIME] + RACY_NS < now]
        files = known
        if removed or joining:
            files = {p: v for p, v in known.items() if p not in removed} if removed else dict(known)
            for entry in joining:
                assert entry.key is not None  # joining holds only entries with a stat
                files[entry.path] = (*entry.key, entry.digest, entry.record_id,
                                     tuple(_problem_tuple(p) for p in entry.problems))
        summary = None
        if found.complete and hits + len(joining) == len(found.files):  # each found at the stat it has
            summary = (found.stat_digest, _contents_digest({p: files[p][DIGEST] for p in found.files}))
            if summary == self._guard(_read_summary):
                summary = None
        rows = [_row(e, now) for e in parsed.values() if e.key is not None and e.path not in stored]
        if not (rows or settled or removed or summary or files is not known):
            return
        self._known = files

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(_INSERT_FILE, rows)
            db.executemany("UPDATE files SET cached_ns=? WHERE path=?", [(now, e.path) for e in settled])
            db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in removed])
            if files is not known:
                db.execute("INSERT OR REPLACE INTO blobs VALUES ('snapshot', ?)", (marshal.dumps(files),))
            if summary:
                db.execute("INSERT OR REPLACE INTO blobs VALUES ('summary', ?)", (marshal.dumps(summary),))
            db.execute("COMMIT")
        self._guard(write)

    def _store_rows(self, entries: list[Entry], now: int) -> None:
        rows = [_row(e, now) for e in entries if e.key is not None]

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(_INSERT_FILE, rows)
            db.execute("COMMIT")
        self._guard(write)

    def _parse(self, stale: list[tuple[str, StatKey]], progress: Progress | None,
               in_workers: InWorkers | None = None,
               store: Callable[[list[Entry]], None] | None = None) -> dict[str, Entry]:
        """Parse these files: in this process when they are few (`in_workers` is then left to the
        caller, who has each record at hand), else on every core, passing each chunk's entries
        to `store` as they come."""
        if not stale:
            return {}
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
        if len(stale) < PARALLEL_MIN or workers < 2:
            result = {}
            for index, (relpath, key) in enumerate(stale):
                result[relpath] = parse_file(self.root, relpath, key)
                if progress and index % CHUNK == 0:
                    progress(index, len(stale))
            if progress:
                progress(len(stale), len(stale))
            return result
        return self._parse_in_pool(stale, workers, progress, in_workers, store)

    def _parse_in_pool(self, stale, workers: int, progress: Progress | None, in_workers: InWorkers | None,
                       store: Callable[[list[Entry]], None] | None) -> dict[str, Entry]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        result: dict[str, Entry] = {}
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        each = in_workers.each if in_workers else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=in_workers.setup if in_workers else None,
                                 initargs=in_workers.args if in_workers else ()) as pool:
            # (no list of the futures kept: each holds its chunk's records until let go of)
            for future in as_completed([pool.submit(_parse_chunk, str(self.root), chunk, each)
                                        for chunk in _chunks(stale, workers)]):
                chunk = [Entry(path, key, dig, rid, data, problems, row, facts, done_in_worker=done)
                         for path, key, dig, rid, data, problems, row, facts, done in future.result()]
                result.update((entry.path, entry) for entry in chunk)
                if store:
                    store(chunk)
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

    # --- check results, kept against the state of the files they were computed in -------------

    def check_state(self) -> CheckState:
        """What the stored per-file check results were computed against (generation 0: nothing):
        a base state, and the change since, kept apart so that a small change is written small."""
        def read(db):
            generation = _check_generation(db)
            base = db.execute("SELECT value FROM blobs WHERE name='check'").fetchone()
            change = db.execute("SELECT value FROM blobs WHERE name='check-change'").fetchone()
            if generation == 0 or base is None:
                return EMPTY_CHECK_STATE
            try:
                settings, paths, contents = marshal.loads(base[0])
                self._check_change = StateChange(*marshal.loads(change[0])) if change else NO_CHANGE
            except (ValueError, EOFError, TypeError):  # damaged: everything is checked, and stored anew
                self._check_change = None
                return CheckState(generation, "", {}, {})
            return CheckState(generation, settings, *self._check_change.apply(paths, contents))
        self._check_change = None
        return self._guard(read, EMPTY_CHECK_STATE)

    def consulting(self, ids: set[str]) -> set[str]:
        """Files whose stored results consulted any of these record ids."""
        def read(db: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            wanted = sorted(ids)
            for i in range(0, len(wanted), 500):
                part = wanted[i:i + 500]
                query = f"SELECT path FROM consults WHERE id IN ({','.join('?' * len(part))})"
                found.update(path for (path,) in db.execute(query, part))
            return found
        return self._guard(read, set()) if ids else set()

    def check_problems(self) -> dict[str, list[Problem]]:
        """The stored per-file results that found something."""
        def read(db):
            return {path: _problems_from_json(problems)
                    for path, problems in db.execute("SELECT path, problems FROM checks WHERE problems != '[]'")}
        return self._guard(read, {}) or {}

    def store_checks(self, before: CheckState, after: CheckState, change: StateChange,
                     results: dict[str, tuple[list[str], list[Problem]]], *, everything: bool) -> None:
        """Keep the results of the files just checked (with what each consulted) and move the state
        on to `after` (`change` from `before`); `everything`: all valid files were checked, so
        older results go. Nothing is written if another rjc moved the state on meanwhile: its
        results are as good as ours."""
        gone = [(p,) for p in change.paths_gone]
        since_base = None if everything or self._check_change is None else self._check_change.then(change)
        if since_base is not None and since_base.size() <= CHANGE_KEPT_APART:
            base, kept_apart = None, marshal.dumps(tuple(since_base))
        else:
            base, kept_apart = marshal.dumps((after.settings, after.paths, after.contents)), marshal.dumps(tuple(NO_CHANGE))

        def write(db):
            db.execute("BEGIN IMMEDIATE")
            if _check_generation(db) != before.generation:
                db.execute("ROLLBACK")
                return
            if everything:
                db.execute("DELETE FROM checks")
                db.execute("DELETE FROM consults")
            else:
                db.executemany("DELETE FROM checks WHERE path=?", gone)
                db.executemany("DELETE FROM consults WHERE path=?", [*gone, *((p,) for p in results)])
            db.executemany("INSERT OR REPLACE INTO checks VALUES (?,?)", [
                (path, _problems_json(problems))
                for path, (_, problems) in results.items()])
            db.executemany("INSERT INTO consults VALUES (?,?)",
                           [(i, path) for path, (consulted, _) in results.items() for i in consulted])
            if base is not None:
                db.execute("INSERT OR REPLACE INTO blobs VALUES ('check', ?)", (base,))
            db.execute("INSERT OR REPLACE INTO blobs VALUES ('check-change', ?)", (kept_apart,))
            db.execute("INSERT OR REPLACE INTO blobs VALUES ('check-generation', ?)", (str(before.generation + 1),))
            db.execute("COMMIT")
        self._guard(write)

    def repository_check(self, rule: str) -> tuple[str, list[Problem]] | None:
        def read(db):
            row = db.execute("SELECT key, problems FROM repository_checks WHERE rule=?", (rule,)).fetchone()
            return (row[0], _problems_from_json(row[1])) if row else None
        return self._guard(read)

    def store_repository_check(self, rule: str, key: str, problems: list[Problem]) -> None:
        def write(db):
            db.execute("INSERT OR REPLACE INTO repository_checks VALUES (?,?,?)", (
                rule, key, _problems_json(problems)))
        self._guard(write)


class CheckState(NamedTuple):
    """The files as they were when the stored check results were computed."""

    generation: int  # moves on with every stored check, so two rjc cannot interleave their results
    settings: str  # digest of rjc.yaml
    paths: dict[str, str]  # path -> content digest
    contents: dict[str, str]  # record id -> digest of the file holding it (or meant to)


EMPTY_CHECK_STATE = CheckState(0, "", {}, {})
CHANGE_KEPT_APART = 5000  # paths and ids: beyond this, the whole state is written again


class StateChange(NamedTuple):
    """How one CheckState's files differ from another's."""

    paths: dict[str, str]  # path -> digest, new or changed
    paths_gone: frozenset[str]
    contents: dict[str, str]  # record id -> digest, new or changed
    contents_gone: frozenset[str]

    @classmethod
    def between(cls, before: CheckState, after: CheckState) -> StateChange:
        def changed(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
            known = old.get  # (a loop: 3x faster than a set operation on the items, which hashes pairs)
            return {key: value for key, value in new.items() if known(key) != value}
        return cls(changed(before.paths, after.paths), frozenset(before.paths.keys() - after.paths.keys()),
                   changed(before.contents, after.contents), frozenset(before.contents.keys() - after.contents.keys()))

    def then(self, later: StateChange) -> StateChange:
        """This change followed by a later one, as one change."""
        def merged(mine: dict, my_gone: frozenset, theirs: dict, their_gone: frozenset) -> tuple[dict, frozenset]:
            values = {**mine, **theirs}
            for key in their_gone:
                values.pop(key, None)
            return values, (my_gone - theirs.keys()) | their_gone
        return StateChange(*merged(self.paths, self.paths_gone, later.paths, later.paths_gone),
                           *merged(self.contents, self.contents_gone, later.contents, later.contents_gone))

    def apply(self, paths: dict[str, str], contents: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """The dictionaries of a state, changed by this (in place)."""
        for values, new, gone in ((paths, self.paths, self.paths_gone), (contents, self.contents, self.contents_gone)):
            values.update(new)
            for key in gone:
                values.pop(key, None)
        return paths, contents

    def size(self) -> int:
        return len(self.paths) + len(self.paths_gone) + len(self.contents) + len(self.contents_gone)


NO_CHANGE = StateChange({}, frozenset(), {}, frozenset())


def _check_generation(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM blobs WHERE name='check-generation'").fetchone()
    try:
        return int(row[0]) if row else 0
    except (TypeError, ValueError):  # damaged: as if nothing were stored, so the next check stores
        return 0


def _read_snapshot(db: sqlite3.Connection) -> dict[str, tuple]:
    row = db.execute("SELECT value FROM blobs WHERE name='snapshot'").fetchone()
    try:
        return marshal.loads(row[0]) if row else {}
    except (ValueError, EOFError, TypeError):  # damaged: as if there were none
        return {}


def _read_summary(db: sqlite3.Connection) -> tuple[str, str] | None:
    """(stat_digest, content_key) of every record file, when last they were all in the snapshot."""
    row = db.execute("SELECT value FROM blobs WHERE name='summary'").fetchone()
    try:
        return tuple(marshal.loads(row[0])) if row else None
    except (ValueError, EOFError, TypeError):
        return None


_INSERT_FILE = "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"


def _row(entry: Entry, now: int) -> tuple:
    """The files table's row for an entry (cached at `now`)."""
    assert entry.key is not None  # only entries with a stat are cached
    return (entry.path, *entry.key, now, entry.digest, entry.record_id, entry.data,
            _problems_json(entry.problems), entry.row, entry.facts)


def _problems_json(problems: list[Problem]) -> str:
    return json.dumps([list(_problem_tuple(p)) for p in problems])


def _problems_from_json(text: str) -> list[Problem]:
    return [Problem(*p) for p in json.loads(text)]


def _problem_tuple(p: Problem) -> tuple:
    return (p.path, p.line, p.col, p.rule, p.message, p.level)


def _select(db: sqlite3.Connection, columns: str, paths: list[str]) -> dict[str, tuple]:
    """These columns of the files table for these paths: a query each for a few, else one pass
    over each top-level directory."""
    if len(paths) <= 200:
        query = f"SELECT {columns} FROM files WHERE path=?"
        return {path: row for path in paths for row in db.execute(query, (path,))}
    wanted = set(paths)
    result = {}
    for prefix in sorted({p.split("/", 1)[0] for p in paths}):
        for row in db.execute(f"SELECT path, {columns} FROM files WHERE path >= ? AND path < ?",
                              (prefix + "/", prefix + "0")):
            if row[0] in wanted:
                result[row[0]] = row[1:]
    return result


def _contents_digest(digests: dict[str, str]) -> str:
    """A digest of every file's path and content digest, in scan order."""
    return digest(marshal.dumps(digests, _PLAIN))


def state_key(root: Path, found: Scan, files_key: str) -> str:
    """A digest of everything a whole-repository answer depends on: every record file's content
    (`files_key`, a content_key), rjc.yaml's, and what is in the records tree that should not be."""
    h = hashlib.blake2b(digest_size=16)
    with contextlib.suppress(OSError):
        h.update(digest((root / layout.SETTINGS_FILE).read_bytes()).encode())
    h.update(files_key.encode())
    for path in [*found.symlinks, "", *found.strays]:
        h.update(f"\n{path}".encode())
    return h.hexdigest()


def _fingerprint() -> str:
    """rjc's version, the schema version, the cache format, the code itself, and the Python and
    libraries that decide what a file parses to and how a report is drawn."""
    from rjc import __version__
    from rjc.model import SCHEMA_VERSION

    package = Path(__file__).resolve().parent.parent  # all of rjc
    parts = [__version__, str(SCHEMA_VERSION), str(CACHE_FORMAT), *_dependencies()]
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        parts.append(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
    return digest("\n".join(parts).encode())


def _dependencies() -> list[str]:
    """Python, pydantic-core (validation), PyYAML and which loader it uses (the C one, on libyaml,
    or the pure one: they have parsed some input differently), pygal and markdown-it-py (drawn
    into cached reports). The last two are read from their installed metadata, not imported:
    that costs ~100 ms."""
    import pydantic_core

    from rjc.storage import yamlio

    return [sys.version, f"pydantic-core {pydantic_core.__version__}", yamlio.parser_version(),
            *(_installed(name) for name in ("pygal", "markdown_it_py"))]


def _installed(name: str) -> str:
    """`name-version` of the distribution found first on sys.path (as import finds it), from the
    name of its metadata directory; `name` alone if none."""
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for found in names:
            if found.endswith((".dist-info", ".egg-info")):
                distribution, _, version = found.rsplit(".", 1)[0].partition("-")
                if distribution.replace("-", "_").replace(".", "_").lower() == name:
                    return f"{name}-{version}"
    return name


def iter_loaded(root: Path, entries: dict[str, Entry]) -> Iterator[store.Loaded]:
    """Each entry as a Loaded record; an entry's JSON is let go once it is loaded, so at no time
    are all records held twice (100,000 records' JSON is about 150 MB)."""
    with without_gc():
        for entry in entries.values():
            yield entry.load(root)
            entry.data = None
            entry.loaded = None
