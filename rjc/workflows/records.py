"""Generic record workflows: create a record of any kind, edit one as YAML text.

The terminal side (prompts, the editor) lives in the CLI; here are the questions to ask, the
defaults a new record starts from, validation with located problems, and the commit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError

from rjc.model import MODELS, SCHEMA_VERSION, entries
from rjc.storage import layout, locks, private, schema, store, yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import Result, Transaction
from rjc.workflows.repository import Repository

_SIMPLE = {str: "text", dt.date: "date", dt.time: "time", bool: "yes/no", int: "number", Decimal: "amount"}


@dataclass(frozen=True)
class Question:
    name: str
    required: bool
    kind: str  # text, date, time, yes/no, number, amount, choice
    choices: tuple[str, ...] = ()


def questions(kind: str) -> list[Question]:
    """The top-level single-value fields of a kind, required ones first.

    Lists and nested parts (addresses, agreements, histories) are filled in by the
    dedicated commands or by `rjc edit`.
    """
    model = MODELS[kind]
    required_when_new = getattr(model, "required_when_new", ())
    asked = []
    for name, info in model.model_fields.items():
        if name in ("id", "schema_version", *getattr(model, "never_asked", ())) or name in _starter_fields(kind):
            continue
        simple = _simple_type(info.annotation)
        if simple is None:
            continue
        required = info.is_required() or name in required_when_new
        if isinstance(simple, type) and issubclass(simple, enum.Enum):
            asked.append(Question(name, required, "choice", tuple(m.value for m in simple)))
        else:
            asked.append(Question(name, required, _SIMPLE[simple]))
    return sorted(asked, key=lambda q: not q.required)


def _simple_type(annotation):
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation in _SIMPLE or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return annotation
    return None


def starter(kind: str, actor: str, today: dt.date) -> dict:
    """Fields a new record of this kind starts with, before anything is asked."""
    if kind == "case":
        return {"coordinator": actor, "opened": today,
                "status_history": [{"status": "intake", "date": today, "by": actor}]}
    if kind == "panel":
        return {"history": [{"date": today, "by": actor, "action": "scheduled"}]}
    if kind == "volunteer":
        return {"active": True, "since": today}
    return {}


def _starter_fields(kind: str) -> set[str]:
    return set(starter(kind, "X", dt.date(2000, 1, 1)))


def read_fields(source: bytes | str, path: str) -> yamlio.Document:
    """Fields for a new record from a YAML file; ids are rjc's to assign."""
    document = yamlio.load(source, path)
    for forbidden in ("id", "schema_version"):
        if forbidden in document.data:
            line, col = document.locate((forbidden,), key=True)
            raise RjcError("nothing was created", [Problem(
                path, line, col, "assigned-by-rjc", f"remove '{forbidden}': rjc assigns it")])
    return document


def create(repo: Repository, kind: str, fields: yamlio.Document, *, source: str,
           today: dt.date | None = None, command: str = "new") -> Result:
    """Validate the fields against the kind's model and the record rules, then commit.

    Problems point into `source` (the file or prompts the fields came from).
    """
    from rjc import checks

    model = MODELS[kind]
    today = today or dt.date.today()
    with repo.transaction(command) as tx:
        data = {**starter(kind, tx.actor, today), **fields.data}
        entries.assign_ids(model, data)  # rjc gives each new entry its id
        record_id = tx.new_id(kind, today.year)
        loaded = store.Loaded(source, document=fields)
        try:
            loaded.record = model.model_validate({"id": record_id, "schema_version": SCHEMA_VERSION, **data})
        except ValidationError as exc:
            raise RjcError("nothing was created", store.schema_problems(loaded, exc, model)) from None
        ctx = checks.Context(repo.root, repo.settings)
        problems = [p for p in checks.check_record(loaded, ctx)
                    if p.level == "error" and p.rule != "id-matches-path"]
        relpath = layout.parse_id(record_id).path
        problems += [p for p in checks.check_staged(repo.root, {relpath: loaded}, ctx) if p.level == "error"]
        problems += filter(None, [store.size_problem(loaded)])
        if problems:
            raise RjcError("nothing was created", problems)
        tx.stage(loaded.record)
        if not (repo.root / layout.KINDS[kind].schema_file).is_file():  # a kind newer than the repository
            stage_schemas(repo, tx)
        return tx.commit(f"new {kind}")


def stage_schemas(repo: Repository, tx: Transaction) -> None:
    """The repository's schema files as this rjc writes them, so editors know a new kind."""
    for relpath, text in schema.schema_files().items():
        target = repo.root / relpath
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            tx.stage_generated(relpath, text)


# --- editing -----------------------------------------------------------------------------

_ERROR_MARK = "# rjc! "


class EditSession:
    """Edit one record as YAML in a private draft file; commit only a valid, changed result.

    The draft lives in the repository's private directory (inside .git, owner-only), never in
    the shared temp directory, and it is kept when the edit is abandoned or invalid.
    """

    def __init__(self, repo: Repository, record_id: str):
        self.repo = repo
        self._lock = contextlib.ExitStack()  # the draft's lock, once start() takes it
        self.record_id = str(layout.parse_id(record_id))
        self.relpath = layout.parse_id(record_id).path
        original = repo.root / self.relpath
        link = layout.symlink_on_path(repo.root, self.relpath)
        if link is not None:
            raise RjcError(f"{link} is a symbolic link; rjc does not edit through links (run: rjc check)")
        if not original.is_file():
            raise RjcError(f"no record {self.record_id}")
        self.original = original.read_bytes()
        folder = private.file(repo.root, private.DRAFTS)
        folder.mkdir(mode=0o700, exist_ok=True)
        self.draft = folder / f"{self.record_id}.yaml"

    def start(self) -> str | None:
        """Write the draft; resume an abandoned one if the record has not changed since.

        Returns a note for the user when an earlier draft was resumed or set aside.
        """
        self._lock.enter_context(locks.hold(  # until close(), or until this process ends
            self.draft.with_suffix(".lock"),
            busy=f"{self.record_id} is already being edited in another rjc; finish that edit first"))
        base = self.draft.with_suffix(".base")
        note = None
        if self.draft.exists():
            if base.exists() and base.read_bytes() == self.original:
                note = f"resuming your earlier draft of {self.record_id}"
            else:
                aside = self.draft.with_name(f"{self.record_id}.{dt.datetime.now():%Y%m%d-%H%M%S}.yaml")
                self.draft.rename(aside)
                note = f"the record changed since your earlier draft; that draft is kept at {aside}"
        if not self.draft.exists():
            self.draft.write_bytes(self.original)
        base.write_bytes(self.original)
        self.draft.chmod(0o600)
        return note

    def text(self) -> str:
        lines = yamlio.decode(self.draft.read_bytes(), str(self.draft)).splitlines(keepends=True)
        return "".join(line for line in lines if not line.startswith(_ERROR_MARK))

    def unchanged(self) -> bool:
        return self.text().encode("utf-8") == self.original

    def validate(self):
        """(record, problems) for the draft as it stands."""
        from rjc import checks

        loaded = store.parse_record(self.relpath, self.text(), new_entries=True)
        ctx = checks.Context(self.repo.root, self.repo.settings)
        found = [p for p in checks.check_record(loaded, ctx) if p.level == "error"]
        found += [p for p in checks.check_staged(self.repo.root, {self.relpath: loaded}, ctx) if p.level == "error"]
        if loaded.record is not None and not found:
            found += filter(None, [store.size_problem(loaded)])
        problems = [dataclasses.replace(p, path=str(self.draft)) for p in found]  # the lines are the draft's
        return loaded.record, problems

    def annotate(self, problems: list[Problem]) -> None:
        """Put the problems at the top of the draft as comments, with line numbers as shown."""
        text = self.text()
        shift = len(problems) + 1
        header = [f"{_ERROR_MARK}line {p.line + shift if p.line else '?'}: {p.message} [{p.rule}]\n"
                  for p in problems]
        header.append(f"{_ERROR_MARK}fix the lines above, save and quit; these comments are removed\n")
        self.draft.write_text("".join(header) + text, encoding="utf-8")

    def commit(self, record) -> Result:
        try:
            with self.repo.transaction("edit") as tx:
                tx.stage(record, expected=self.original, check_expected=True)
                result = tx.commit(f"edit {record.kind}")
        except RjcError as exc:
            raise RjcError(f"{exc.message}; your draft is kept at {self.draft}", exc.problems) from None
        self.discard()
        return result

    def discard(self) -> None:
        self.draft.unlink(missing_ok=True)
        self.draft.with_suffix(".base").unlink(missing_ok=True)

    def close(self) -> None:
        """End the session (the draft, if any, stays for next time)."""
        self._lock.close()


def with_names(repo: Repository, text: str, own_id: str) -> str:
    """A record's text with the names of the people it names as comments beside their ids."""
    found = {m for m in layout.PEOPLE_ID.findall(text) if m != own_id}
    names = display_names(repo, found)
    lines = []
    for line in text.splitlines():
        shown = [names[m] for m in layout.PEOPLE_ID.findall(line) if m in names]
        lines.append(line + (f"  # {', '.join(shown)}" if shown else ""))
    return "\n".join(lines) + "\n"


def display_names(repo: Repository, ids: set[str]) -> dict[str, str]:
    """Names for person and volunteer ids, for showing a record to a coordinator."""
    from rjc.model import Person, Volunteer

    names: dict[str, str] = {}
    for record_id in sorted(ids):
        try:
            record = repo.get(record_id)
            if isinstance(record, Volunteer):
                record = repo.get(record.person)
        except RjcError:
            continue
        if isinstance(record, Person):
            names[record_id] = record.display_name
    return names
