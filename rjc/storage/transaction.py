"""One transaction for every change to the records: lock, validate, write atomically, commit.

Every command that changes records goes through `Transaction`. While it runs it holds the
repository's write lock, so concurrent rjc processes queue instead of failing or mixing their
changes. Nothing is written until every staged record validates; files are replaced atomically
(temp file, fsync, rename); and exactly the touched paths are committed, with a message that
names the action and ids only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rjc.model import Record, Settings
from rjc.storage import layout, locks, private, store
from rjc.storage.errors import Problem, RjcError
from rjc.storage.gitrepo import Git

# What a transaction asks before it writes anything: the problems of the exact texts about to be
# written (path -> text, with the content each path held before), given every staged record. The
# checks provide it (rjc.checks.validate_change); storage knows nothing of the rules.
Validator = Callable[[Path, Settings, dict[str, str], dict[str, bytes | None], dict[str, Record | Settings]],
                     list[Problem]]

LOCK_TIMEOUT = float(os.environ.get("RJC_LOCK_TIMEOUT", "300"))
MAX_IDS_IN_SUBJECT = 8


def _path_of(record: Record | Settings) -> str:
    return layout.SETTINGS_FILE if isinstance(record, Settings) else layout.parse_id(record.id).path


def _render(record: Record | Settings) -> str:
    return store.render_settings(record) if isinstance(record, Settings) else store.render(record)


@contextlib.contextmanager
def write_lock(root: Path, *, timeout: float = LOCK_TIMEOUT,
               on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the repository's write lock; wait (telling `on_wait` once) while another rjc has it."""
    with locks.hold(private.file(root, private.WRITE_LOCK), timeout=timeout, on_wait=on_wait,
                    busy=f"another rjc has been writing for over {timeout:.0f} s; try again later"):
        yield


def write_atomically(target: Path, data: bytes) -> None:
    """Replace a file so readers see the old or the new content, never a torn one."""
    for directory in reversed([target.parent, *target.parent.parents]):
        if not directory.exists():
            directory.mkdir(mode=0o700, exist_ok=True)  # parents=True would skip the mode for parents
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    directory_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


@dataclass
class Result:
    commit: str | None  # None when nothing changed
    ids: list[str]


class Transaction:
    """Stage records, then `commit()` validates, writes and commits them as one change."""

    def __init__(self, root: Path, settings: Settings, git: Git, *, actor: str, command: str, validate: Validator):
        self.root = root
        self.validate = validate
        self.settings = settings
        self.git = git
        self.actor = actor
        self.command = command
        self._staged: dict[str, Record | Settings] = {}  # path -> record, in staging order
        self._expected: dict[str, bytes | None] = {}  # path -> content the caller last saw
        self._generated: dict[str, str] = {}  # path -> text of files rjc generates (schemas)

    def new_id(self, kind: str, year: int) -> str:
        """A fresh id for this clone's coordinator code; safe because we hold the lock."""
        kind_info = layout.KINDS[kind]
        number = layout.next_number(self.root, kind_info, year, self.actor)
        taken = {getattr(r, "id", "") for r in self._staged.values()}
        while f"{kind_info.prefix}-{year:04d}-{self.actor}-{number:04d}" in taken:
            number += 1
        return f"{kind_info.prefix}-{year:04d}-{self.actor}-{number:04d}"

    def stage(self, record: Record | Settings, *, expected: bytes | None = None,
              check_expected: bool = False) -> None:
        """Stage a record (or the settings) to be written.

        With check_expected, the commit is refused if the file no longer holds `expected`:
        someone else changed it while this change was being prepared.
        """
        path = _path_of(record)
        self._staged[path] = record
        if check_expected:
            self._expected[path] = expected

    def stage_generated(self, relpath: str, text: str) -> None:
        """Stage a file rjc generates from code (a JSON Schema), committed with the records."""
        self._generated[relpath] = text

    def commit(self, action: str) -> Result:
        """Validate everything staged, write it, and commit it with `action` and the ids."""
        texts = {path: _render(record) for path, record in self._staged.items()}
        for path in [*texts, *self._generated]:  # never read or write through a link: it may lead outside
            link = layout.symlink_on_path(self.root, path)
            if link is not None:
                raise RjcError(f"{link} is a symbolic link; nothing was written (run: rjc check)")
        self._refuse_concurrent_changes()
        previous = {path: self._read(path) for path in [*texts, *self._generated]}
        self._validate(texts, previous)
        texts |= self._generated
        paths = list(texts)
        # Written (and fsynced) before any record file: if this process dies anywhere between here
        # and the end of the commit, `rjc doctor` finds the journal and puts the change either
        # fully back (not committed) or keeps it (committed); never half of it.
        head = self.git.head_or_none()
        journal = begin_journal(self.root, self.command, previous, texts)
        try:
            for path, text in texts.items():
                if previous[path] != text.encode("utf-8"):
                    write_atomically(self.root / path, text.encode("utf-8"))
            ids = [getattr(record, "id", layout.SETTINGS_FILE) for record in self._staged.values()]
            # The subject names the action and ids only: never a name or any other content.
            subject = f"{action} {' '.join(ids)}" if len(ids) <= MAX_IDS_IN_SUBJECT else f"{action} ({len(ids)} files)"
            sha = self.git.commit_paths(paths, subject, command=self.command, actor=self.actor,
                                        identity=identity(self.settings, self.actor))
        except BaseException as error:
            if self._undo(head, paths, previous):
                journal.unlink(missing_ok=True)
                raise
            # A git killed mid-commit leaves its locks, and maybe the commit or the staged files:
            # the journal stays, for rjc doctor to finish the change or undo it, whole.
            if isinstance(error, RjcError):
                raise RjcError(f"{error}; run: rjc doctor") from None
            raise
        journal.unlink(missing_ok=True)
        if sha:
            self.git.maintain(private.file(self.root, private.MAINTENANCE))
        return Result(sha, ids)

    def _read(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None

    def _refuse_concurrent_changes(self) -> None:
        for path, expected in self._expected.items():
            if self._read(path) != expected:
                name = getattr(self._staged[path], "id", path)
                raise RjcError(f"{name} was changed by someone else while you worked on it; nothing was written")

    def _validate(self, texts: dict[str, str], previous: dict[str, bytes | None]) -> None:
        """Validate the exact text about to be written, with the staged records visible."""
        staged = self._staged.get(layout.SETTINGS_FILE)
        settings = staged if isinstance(staged, Settings) else self.settings
        problems = self.validate(self.root, settings, texts, previous, self._staged)
        if problems:
            raise RjcError("refusing to commit invalid records; nothing was written", problems)

    def _undo(self, head: str | None, paths: list[str], previous: dict[str, bytes | None]) -> bool:
        """After a failed commit: put the files back; whether all is as before (HEAD unmoved, no
        file staged). A commit made after all is left for rjc doctor, with the files it holds."""
        try:
            if self.git.head_or_none() != head:
                return False
            self._restore(previous)
            return not self.git.staged_differs(paths)
        except (OSError, RjcError):
            return False

    def _restore(self, previous: dict[str, bytes | None]) -> None:
        """Put files back as they were after a failed commit, so nothing half-done remains."""
        for relpath, content in previous.items():
            target = self.root / relpath
            if content is None:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            else:
                write_atomically(target, content)


def identity(settings: Settings, actor: str) -> tuple[str, str]:
    """The commit author when git has none configured: the coordinator as rjc.yaml names them."""
    coordinator = settings.coordinator(actor)
    return (coordinator.name if coordinator else actor,
            coordinator.email if coordinator and coordinator.email else f"{actor.lower()}@rjc.invalid")


def begin_journal(root: Path, command: str, previous: dict[str, bytes | None], texts: dict[str, str]) -> Path:
    """Record, durably, what a change is about to write and what each file held before."""
    import base64
    import hashlib
    import json

    entry = {
        "command": command,
        "pid": os.getpid(),
        "files": {path: {"before": None if before is None else base64.b64encode(before).decode(),
                         "after": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()}
                  for path, text in texts.items() for data, before in [(text.encode("utf-8"), previous[path])]},
    }
    target = private.file(root, private.JOURNAL)
    write_atomically(target, json.dumps(entry).encode())
    return target
