"""Running the rules: over the whole repository (`rjc check`), incrementally and in parallel
with the parse, with results kept in the cache until what they rested on changes; and over
a change about to be committed (`check_staged`).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rjc.checks.rules import INVALID, REPOSITORY_RULES, Context, check_change, check_record
from rjc.model import Record, Settings
from rjc.storage import layout, store
from rjc.storage.errors import Problem, sort_key

if TYPE_CHECKING:  # for the annotations only: the cache is imported where it is used, not at startup
    from rjc.cache.parsed import CheckState, Entries, Entry, InWorkers, Progress, Scan, StateChange


class CheckCache(Protocol):
    """All the engine asks of the cache (rjc.cache.Cache): parsed entries, a digest of every file,
    whole results kept against a key, and per-file and per-rule check results kept against the
    state they were computed in."""

    def entries(self, found: Scan, *, progress: Progress | None = None, rows_only: bool = False,
                digests_only: bool = False) -> Entries: ...

    def content_key(self, found: Scan, *, progress: Progress | None = None,
                    in_workers: InWorkers | None = None) -> str: ...

    def memo(self, name: str, key: str) -> bytes | None: ...

    def store_memo(self, name: str, key: str, value: bytes) -> None: ...

    def check_state(self) -> CheckState: ...

    def consulting(self, ids: set[str]) -> set[str]: ...

    def check_problems(self) -> dict[str, list[Problem]]: ...

    def store_checks(self, before: CheckState, after: CheckState, change: StateChange,
                     results: dict[str, tuple[list[str], list[Problem]]], *, everything: bool) -> None: ...

    def repository_check(self, rule: str) -> tuple[str, list[Problem]] | None: ...

    def store_repository_check(self, rule: str, key: str, problems: list[Problem]) -> None: ...

# --- running them ------------------------------------------------------------------------


def validate_change(root: Path, settings: Settings, texts: dict[str, str], previous: dict[str, bytes | None],
                    staged: dict) -> list[Problem]:
    """The errors in a change about to be committed (a transaction's validator): every record
    rule on the exact text to be written, with the staged records visible to the rules; the
    append-only rule against what each file held; and the cross-record rules (`check_staged`)."""
    ctx = Context(root, settings, {r.id: r for r in staged.values() if isinstance(r, Record)})
    problems: list[Problem] = []
    records: dict[str, store.Loaded] = {}
    for path, text in texts.items():
        if path == layout.SETTINGS_FILE:
            problems.extend(store.parse(path, text, Settings).problems)
            continue
        loaded = store.parse_record(path, text)
        records[path] = loaded
        problems.extend(p for p in check_record(loaded, ctx) if p.level == "error")
        before = previous[path]
        if before is not None and loaded.record is not None:
            old = store.parse_record(path, before).record
            problems.extend(check_change(old, loaded) if old is not None else [])
    problems.extend(p for p in check_staged(root, records, ctx) if p.level == "error")
    return problems


def check_staged(root: Path, staged: dict[str, store.Loaded], ctx: Context) -> list[Problem]:
    """The repository rules for a change about to be committed: each staged record (by the path
    it will have; its problems point where it was read from) against the records it could clash
    with, those sharing the rule's `meet` field, found from the list rows in the cache. So no
    write path commits what `rjc check` would then reject."""
    problems: list[Problem] = []
    cache: CheckCache | None = None  # opened only for a change some rule must check (a panel's)
    for rule in REPOSITORY_RULES:
        mine = {path: loaded for path, loaded in staged.items()
                if loaded.record is not None and layout.record_kind(path).name in rule.kinds}
        if not mine or rule.meet is None:
            continue
        from rjc.cache import Cache, scan

        cache = cache or Cache(root)
        shared = {str(getattr(loaded.record, rule.meet)) for loaded in mine.values()}
        found = cache.entries(scan(root, [layout.KINDS[kind] for kind in rule.kinds]), rows_only=True)
        others = [store.read_record(root, path) for path, entry in found.items()
                  if path not in mine and entry.row and str(json.loads(entry.row).get(rule.meet)) in shared]
        sources = {loaded.path for loaded in mine.values()}
        # the staged records last: a rule names the later of two records that clash
        problems.extend(p for p in rule([*others, *mine.values()], ctx) if p.path in sources)
    return problems


def check_repository(root: Path, *, cache: CheckCache | None = None,
                     progress: Progress | None = None) -> list[Problem]:
    """Every problem in every file of the repository, sorted by file and position.

    Results are cached per file with what they depended on: the file's content, rjc.yaml's,
    and the content (or absence) of every record a rule consulted; a repository rule's with
    the content of every file of the kinds it reads. A changed file, or a file whose result
    depended on anything that changed, is checked again, so the cache never hides a problem.
    """
    from rjc.cache import Cache, without_gc

    cache = cache or Cache(root)
    with without_gc():
        return _check_repository(root, cache, progress)


def _check_repository(root: Path, cache: CheckCache, progress: Progress | None) -> list[Problem]:
    import pickle

    from rjc.cache import InWorkers, scan, state_key

    found = scan(root)
    # Files parsed on several cores are checked there too, each while its record is at hand.
    in_workers = InWorkers(_worker_setup, (str(root), found.files), _check_in_worker)
    state = state_key(root, found, cache.content_key(found, progress=progress, in_workers=in_workers))
    known = cache.memo("check", state)  # nothing changed since the last full check
    if known is not None:
        problems = pickle.loads(known)
    else:
        problems = _check_all(root, cache, found, cache.entries(found, progress=progress, digests_only=True))
        cache.store_memo("check", state, pickle.dumps(problems))
    # Outside the record files, so outside the key: looked at every time (a few stat calls).
    extra = list(_links_outside_records(root)) + list(_password_file(root)) + _sealed_restored(root, cache)
    return sorted(set(problems + extra), key=sort_key) if extra \
        else problems


def _sealed_restored(root: Path, cache: CheckCache) -> list[Problem]:
    """A record the seal register lists must be its tombstone still: if more came back (a plain
    `git pull` or merge of the history from before the seal), say so, and `rjc sync` sends
    nothing. Kept against the register's and those files' bytes."""
    import hashlib
    import pickle

    from rjc.model.sealing import SealRegister, tombstone

    loaded = store.read_seal_register(root)
    register = loaded.record
    if not isinstance(register, SealRegister):
        return loaded.problems
    sealed = [(entry, record_id) for entry in register.sealed for record_id in entry.records]
    if not sealed:
        return []
    texts = {}
    for _, record_id in sealed:
        path = root / layout.parse_id(record_id).path
        texts[record_id] = path.read_bytes() if path.is_file() else b""
    key = hashlib.sha256(repr(sorted(texts.items())).encode() + repr(register.sealed).encode()).hexdigest()
    known = cache.memo("sealed", key)
    if known is not None:
        return pickle.loads(known)
    problems = []
    for entry, record_id in sealed:
        relpath = layout.parse_id(record_id).path
        if not texts[record_id]:
            continue  # deleted since: nothing of it is left to leak
        found = store.parse_record(relpath, texts[record_id])
        if found.record is None or store.render(tombstone(found.record)).encode() != texts[record_id]:
            problems.append(Problem(relpath, 1, 1, "sealed-restored",
                                    f"{record_id} was sealed on {entry.date} with {entry.case}, but holds more "
                                    f"than its tombstone: the history from before the seal came back (a plain "
                                    f"git pull or merge?); run: rjc seal --repair"))
    cache.store_memo("sealed", key, pickle.dumps(problems))
    return problems


def _links_outside_records(root: Path) -> Iterator[Problem]:
    """rjc.yaml and templates/ hold no symbolic links either: a linked template could print any file."""
    message = "symbolic links are not allowed in the records repository"
    if (root / layout.SETTINGS_FILE).is_symlink():
        yield Problem(layout.SETTINGS_FILE, 0, 0, "symlink", message)
    templates = root / layout.TEMPLATE_DIR
    if templates.is_symlink():
        yield Problem(layout.TEMPLATE_DIR, 0, 0, "symlink", message)
    elif templates.is_dir():
        for path in templates.rglob("*"):
            if path.is_symlink():
                yield Problem(path.relative_to(root).as_posix(), 0, 0, "symlink", message)


def _password_file(root: Path) -> Iterator[Problem]:
    """A mail password file others can read is a leak waiting to happen: warn, naming the setting."""
    import os
    import stat

    loaded = store.read_settings(root)
    mail = getattr(loaded.record, "mail", None)
    if mail is None or not mail.password_file:
        return
    path = Path(mail.password_file).expanduser()
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_IMODE(mode) & 0o077:
        yield loaded.problem(("mail", "password_file"), "password-file",
                             f"mail.password_file {path} can be read by others; make it owner-only "
                             "(chmod 600)", "warning")


def _check_all(root: Path, cache: CheckCache, found: Scan, entries: Entries) -> list[Problem]:
    from rjc.cache import CheckState, StateChange, digest

    settings = store.read_settings(root)
    problems = list(settings.problems)
    problems += [Problem(p, 0, 0, "symlink", "symbolic links are not allowed in the records tree")
                 for p in found.symlinks]
    problems += [Problem(p, 0, 0, "id-matches-path", "file is not where a record lives (kind/year/code/ID.yaml)")
                 for p in found.strays]
    contents: dict[str, str] = {}  # id -> content digest, for every file that holds (or should hold) it
    by_id: dict[str, str] = {}  # id -> path of the valid record holding it
    paths: dict[str, str] = {}  # path -> content digest
    valid: list[str] = []  # paths of valid records
    for path, content, record_id in entries.digests():
        paths[path] = content
        if record_id is None:
            problems.extend(entries[path].problems)
            expected = layout.expected_id(path)
            if expected:
                contents.setdefault(expected, content)
            continue
        contents[record_id] = content
        valid.append(path)
        if record_id in by_id:
            problems.append(entries[path].load(root).problem(("id",), "id-unique",
                                                             f"{record_id} is also in {by_id[record_id]}"))
        else:
            by_id[record_id] = path
    settings_digest = _settings_digest(root, settings)
    ctx = Context(root, settings.record, _Records(root, entries, by_id, contents), complete=True)
    from_worker = _WorkerResults(paths, settings_digest, by_id, contents)

    # Stored results hold for a file whose content, rjc.yaml and every record its rules consulted
    # are as they were when the results were stored: re-check the rest.
    before = cache.check_state()
    after = CheckState(before.generation + 1, settings_digest, paths, contents)
    change = StateChange.between(before, after)
    everything = before.generation == 0 or before.settings != settings_digest
    if everything:
        redo = set(entries)
    else:
        redo = change.paths.keys() | cache.consulting(change.contents.keys() | change.contents_gone)
        for path, found_here in cache.check_problems().items():
            entry = entries.get(path)
            if entry is not None and entry.record_id is not None and path not in redo:
                problems.extend(found_here)
    results = {}
    for path in entries if everything else sorted(redo):
        entry = entries.get(path)  # (a file that consulted a changed record may be gone itself)
        if entry is not None and entry.record_id is not None:
            results[path] = from_worker.take(entry) or _check_here(entry.load(root), ctx)
            problems.extend(results[path][1])
    if results or change.size() or everything:
        cache.store_checks(before, after, change, results, everything=everything)

    for rule in REPOSITORY_RULES:
        directories = tuple(f"{layout.KINDS[kind].directory}/" for kind in rule.kinds)
        read = [p for p in valid if p.startswith(directories)]
        key = digest("\n".join([settings_digest, *(f"{p} {paths[p]}" for p in read)]).encode())
        known = cache.repository_check(rule.__name__)
        if known and known[0] == key:
            problems.extend(known[1])
            continue
        found_here = list(rule([entries[p].load(root) for p in read], ctx))
        cache.store_repository_check(rule.__name__, key, found_here)
        problems.extend(found_here)
    return sorted(set(problems), key=sort_key)


def _settings_digest(root: Path, settings: store.Loaded) -> str:
    """What a check's results depend on of rjc.yaml ("" when it is not valid)."""
    from rjc.cache import digest

    return digest((root / layout.SETTINGS_FILE).read_bytes()) if settings.record else ""


def _check_here(loaded: store.Loaded, ctx: Context) -> tuple[list[str], list[Problem]]:
    """A record's problems, with the ids its rules consulted (what the result depends on)."""
    ctx.consulted = set()
    found_here = check_record(loaded, ctx)
    return sorted(ctx.consulted), found_here


# --- checking in the workers that parse ---------------------------------------------------
#
# A parse worker checks each record it parses with what it has at hand: the settings, the names
# of every record file (for "does it exist") and the records it parsed itself (a case's referral
# is usually among them: a year's files are parsed together, in kind order). A rule that asks
# for any other record sends the file back unchecked. The main process takes a result only if
# everything it rests on is as the main process sees it, and checks the rest itself.


class _Elsewhere(Exception):
    """A rule asked for a record this worker has not parsed."""


_IN_WORKER: dict = {}
_KEPT_IN_WORKER = 5_000  # records a worker keeps for others to consult (the latest): a year's worth


def _worker_setup(root: str, files: dict[str, object]) -> None:
    from rjc.cache import parse_file

    settings = store.read_settings(Path(root))
    # Volunteers are few, and a panel's rules consult volunteers who joined in any year: each
    # worker parses them all first, so that panels are checked where they are parsed too.
    volunteers = layout.KINDS["volunteer"].directory + "/"
    everywhere: dict[str | None, tuple[Record, str, str]] = {}
    for relpath in files:
        if relpath.startswith(volunteers):
            entry = parse_file(root, relpath)
            if entry.loaded is not None and entry.loaded.record is not None:
                everywhere.setdefault(entry.record_id, (entry.loaded.record, relpath, entry.digest))
    _IN_WORKER.update(settings=settings.record, parsed=OrderedDict(), everywhere=everywhere, named=_named(files),
                      settings_digest=_settings_digest(Path(root), settings), root=Path(root))


def _named(files) -> frozenset[str]:
    """The ids the record files' names stand for: a record exists where its file is named for it."""
    return frozenset(path[path.rfind("/") + 1:-5] for path in files)


class _AtHand:
    """The records a worker can answer for, as `Context` asks for them."""

    def __init__(self, named: frozenset[str], parsed: dict[str, tuple], everywhere: dict[str, tuple]):
        self.named, self.parsed, self.everywhere = named, parsed, everywhere
        self.got: list[tuple[str, str, str]] = []  # (id, path, digest) of each record handed out

    def __contains__(self, record_id: str) -> bool:
        return record_id in self.named

    def get(self, record_id: str):
        if record_id not in self.named:
            return None
        found = self.parsed.get(record_id) or self.everywhere.get(record_id)
        if found is None:
            raise _Elsewhere
        record, path, content = found
        self.got.append((record_id, path, content))
        return record


def _check_in_worker(entry) -> tuple | None:
    """(consulted ids, problems, records handed out, settings digest) for a valid record whose
    rules found everything they asked for in this worker; None otherwise."""
    loaded, w = entry.loaded, _IN_WORKER
    if loaded is None or loaded.record is None:
        return None
    if len(w["parsed"]) >= _KEPT_IN_WORKER:
        w["parsed"].popitem(last=False)
    w["parsed"].setdefault(loaded.record.id, (loaded.record, entry.path, entry.digest))
    at_hand = _AtHand(w["named"], w["parsed"], w["everywhere"])
    try:
        consulted, found_here = _check_here(loaded, Context(w["root"], w["settings"], at_hand, complete=True))
    except _Elsewhere:
        return None
    return consulted, found_here, at_hand.got, w["settings_digest"]


class _WorkerResults:
    """Takes a worker's check of a file when what it rested on is what this process sees."""

    def __init__(self, paths: dict[str, str], settings_digest: str, by_id: dict[str, str], contents: dict[str, str]):
        self.paths, self.settings_digest, self.by_id, self.contents = paths, settings_digest, by_id, contents
        self._named: frozenset[str] | None = None

    def take(self, entry) -> tuple[list[str], list[Problem]] | None:
        done, entry.done_in_worker = entry.done_in_worker, None
        if done is None:
            return None
        consulted, found_here, got, settings_digest = done
        if settings_digest != self.settings_digest:
            return None
        if self._named is None:
            self._named = _named(self.paths)
        # the same answer to "does it exist" and the same record handed out as here
        if any((i in self._named) != (i in self.contents) for i in consulted):
            return None
        if any(self.by_id.get(i) != path or self.paths[path] != content for i, path, content in got):
            return None
        return consulted, found_here


class _Records:
    """Every record by id, validated from the cache only when a rule asks for it."""

    KEEP = 2_000  # records held at most (about 40 MB): lookups come close together, by year

    def __init__(self, root: Path, entries: Mapping[str, Entry], by_id: dict[str, str], contents: dict[str, str]):
        self._root, self._entries, self._by_id, self._contents = root, entries, by_id, contents
        self._loaded: dict[str, object] = {}

    def __contains__(self, record_id: str) -> bool:
        return record_id in self._contents

    def get(self, record_id: str):
        if record_id not in self._contents:
            return None
        if record_id not in self._loaded:
            if len(self._loaded) >= self.KEEP:  # a bounded memory: records are consulted close together
                self._loaded.clear()
            path = self._by_id.get(record_id)
            self._loaded[record_id] = self._entries[path].load(self._root).record if path else INVALID
        return self._loaded[record_id]
