"""Records as files: parse a file into a model with located problems, render a model to text.

Nothing here raises for bad data: a file that cannot be used comes back with its problems,
each pointing at the line and column of the offending key or value.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rjc.model import MODELS, SCHEMA_VERSION, Record, Settings
from rjc.model.entries import assign_ids, models_in
from rjc.storage import layout, yamlio
from rjc.storage.errors import MAX_PER_FILE, Problem, RjcError, capped

_RULE_FOR_ERROR = {
    "extra_forbidden": "unknown-field",
    "missing": "missing-field",
    "enum": "invalid-choice",
    "literal_error": "invalid-choice",
    "union_tag_invalid": "invalid-choice",
    "union_tag_not_found": "missing-field",
}


@dataclass
class Loaded:
    """One file: its model when valid, where its values stand, and what is wrong with it."""

    path: str  # relative to the repository root, forward slashes
    record: Any = None  # a Record (or Settings) when the file is structurally valid
    document: yamlio.Document | None = None
    problems: list[Problem] = field(default_factory=list)
    root: Path | None = None  # where to read the document from, when it is needed and not kept

    def locate(self, loc: tuple, *, key: bool = False) -> tuple[int, int]:
        if self.document is None and self.root is not None:
            # loaded from the cache: parse the file only now that a problem needs its line
            try:
                self.document = yamlio.load((self.root / self.path).read_bytes(), self.path, positions=True)
            except (OSError, yamlio.YamlError):
                self.root = None
        return self.document.locate(loc, key=key) if self.document else (0, 0)

    def problem(self, loc: tuple, rule: str, message: str, level: str = "error", *, key: bool = False) -> Problem:
        line, col = self.locate(loc, key=key)
        return Problem(self.path, line, col, rule, message, level)


def parse(relpath: str, source: bytes | str, model: type[BaseModel], *, new_entries: bool = False) -> Loaded:
    """Parse and validate one file's content against a model. `new_entries`: the text is new
    input (a draft being edited), whose new entries rjc gives their ids."""
    loaded = Loaded(relpath)
    try:
        loaded.document = yamlio.load(source, relpath)
    except yamlio.YamlError as exc:
        loaded.problems.append(exc.problem)
        return loaded
    data = loaded.document.data
    conflicts = merge_conflicts(loaded) if isinstance(data, dict) and MERGE_CONFLICTS in data else []
    if conflicts:  # the rest is still checked, but the record is not taken until they are settled
        data = {key: value for key, value in data.items() if key != MERGE_CONFLICTS}
        loaded.problems.extend(conflicts)
    if new_entries:
        assign_ids(model, data)
    try:
        record = model.model_validate(data)
        loaded.record = None if conflicts else record
    except ValidationError as exc:
        loaded.problems.extend(schema_problems(loaded, exc, model))
    return loaded


# A record a `git merge` left with fields both sides changed (rjc merge-file, git's merge driver
# for *.yaml): this side's values are kept in place, and this key lists each field with both values.
MERGE_CONFLICTS = "merge_conflicts"
_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def merge_conflicts(loaded: Loaded) -> list[Problem]:
    """One error per field a merge left unsettled, at that field (else at the list's entry)."""
    assert loaded.document is not None
    listed = loaded.document.data[MERGE_CONFLICTS]
    entries = listed if isinstance(listed, list) and listed else [None]
    problems = []
    for number, entry in enumerate(entries):
        name = entry.get("field") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            name = "(a field)"
        loc = tuple(int(i) if i else key for i, key in _STEP.findall(name))
        line, col = loaded.document.locate(loc, key=True) if loc and loc[0] in loaded.document.data \
            else loaded.document.locate((MERGE_CONFLICTS, number), key=True)
        problems.append(Problem(loaded.path, line, col, "merge-conflict",
                                f"{name}: changed on both sides of a git merge; this side's value is kept, both "
                                f"are under {MERGE_CONFLICTS}: keep one, then delete {MERGE_CONFLICTS}"))
    return problems


def parse_record(relpath: str, source: bytes | str, *, new_entries: bool = False) -> Loaded:
    """Parse a record file, choosing the model from where the file lives."""
    kind = layout.kind_of_path(relpath)
    if kind is None:
        return Loaded(relpath, problems=[Problem(relpath, 0, 0, "id-matches-path", "not a record path")])
    return parse(relpath, source, MODELS[kind.name], new_entries=new_entries)


def read_record(root: Path, relpath: str) -> Loaded:
    link = layout.symlink_on_path(root, relpath)
    if link is not None:
        return Loaded(relpath, problems=[Problem(link, 0, 0, "symlink",
                                                 "symbolic links are not allowed in the records tree")])
    try:
        source = (root / relpath).read_bytes()
    except OSError as exc:
        return Loaded(relpath, problems=[Problem(relpath, 0, 0, "unreadable", exc.strerror or str(exc))])
    return parse_record(relpath, source)


def read_settings(root: Path) -> Loaded:
    return _read_top(root, layout.SETTINGS_FILE, Settings)


def read_seal_register(root: Path) -> Loaded:
    """The seal register (`sealed.yaml`); an empty one when nothing was ever sealed."""
    from rjc.model.sealing import SealRegister

    if not (root / layout.SEAL_REGISTER).exists() and not (root / layout.SEAL_REGISTER).is_symlink():
        return Loaded(layout.SEAL_REGISTER, record=SealRegister(schema_version=SCHEMA_VERSION))
    return _read_top(root, layout.SEAL_REGISTER, SealRegister)


def _read_top(root: Path, name: str, model: type[BaseModel]) -> Loaded:
    """One of the repository's own files at its top (rjc.yaml, sealed.yaml)."""
    path = root / name
    if path.is_symlink():
        return Loaded(name, problems=[Problem(name, 0, 0, "symlink",
                                              "symbolic links are not allowed in the records repository")])
    try:
        source = path.read_bytes()
    except OSError as exc:
        return Loaded(name, problems=[Problem(name, 0, 0, "unreadable", exc.strerror or str(exc))])
    return parse(name, source, model)


def render(record: Record) -> str:
    """The canonical text of a record file, modeline first. RjcError if it would be a file rjc
    refuses to read (its written form can be longer than the text it was read from)."""
    relpath = layout.parse_id(record.id).path
    text, size = _written(record)
    if size > yamlio.MAX_BYTES:
        raise RjcError(f"{relpath}: written out, the record would be {size:,} bytes; rjc keeps files under "
                       f"{yamlio.MAX_BYTES:,}: shorten its longest text, nothing was written")
    return text


def _written(record: Record) -> tuple[str, int]:
    relpath = layout.parse_id(record.id).path
    text = yamlio.dump(record.to_data(), header=layout.schema_ref(relpath, layout.KINDS[record.kind]))
    return text, len(text.encode("utf-8", "surrogatepass"))


def size_problem(loaded: Loaded) -> Problem | None:
    """A valid record whose written form would be over the size limit (its text can grow: block
    scalars are indented, flow lists become one line per item), pointed at its largest field in
    the file or prompts it came from, so the refusal names the input, not the file never written."""
    size = _written(loaded.record)[1]
    if size <= yamlio.MAX_BYTES:
        return None
    loc: tuple[str | int, ...] = ()
    data = loaded.record.to_data()
    while isinstance(data, (dict, list)) and data:  # down to the part that holds most of it
        parts = list(data.items() if isinstance(data, dict) else enumerate(data))
        sizes = [len(repr(value)) for _, value in parts]
        if max(sizes) * 2 < sum(sizes):
            break
        step, data = parts[sizes.index(max(sizes))]
        loc += (step,)
    return loaded.problem(loc, "file-too-large", f"{_dotted(loaded, loc)}: written out, the record would be "
                                                 f"{size:,} bytes; rjc keeps files under {yamlio.MAX_BYTES:,}: "
                                                 "shorten it")


def render_settings(settings: Settings) -> str:
    return yamlio.dump(settings.to_data(), header=layout.settings_schema_ref())


def render_seal_register(register: BaseModel) -> str:
    return yamlio.dump(register.to_data())  # type: ignore[attr-defined]  # a Versioned model


def schema_problems(loaded: Loaded, exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    problems = []
    # (only the first few are made into problems: each is located, and may look for a close name)
    for error in exc.errors(include_url=False)[:MAX_PER_FILE]:
        loc = tuple(error["loc"])
        kind = error["type"]
        rule = _RULE_FOR_ERROR.get(kind, "invalid-value")
        where = _dotted(loaded, loc)
        if kind == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'" + _suggestion(loc, model)
            problems.append(loaded.problem(loc, rule, message, key=True))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            # pydantic's message repeats the value, which may be anything the user typed
            tags = ", ".join(error.get("ctx", {}).get("expected_tags", "").replace("'", "").split(", "))
            problems.append(loaded.problem(loc, rule, f"{where}: type must be one of: {tags}"))
        elif kind == "missing":
            if "field" in error.get("ctx", {}):  # required only in some records (see Person)
                loc += (error["ctx"]["field"],)
                where = _dotted(loaded, loc)
            hint = "; `rjc edit` gives a new entry its id" if len(loc) > 1 and loc[-1] == "id" else ""
            problems.append(loaded.problem(loc[:-1], rule, f"missing required field '{where}'{hint}", key=True))
        else:
            message = error["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, "):]
            message = message[0].lower() + message[1:]
            problems.append(loaded.problem(loc, rule, f"{where}: {message}"))
    return capped(problems, exc.error_count())


def _dotted(loaded: Loaded, loc: tuple) -> str:
    """`agreements[0].items[1].amount`, leaving out the union tags pydantic adds to a location."""
    text = ""
    data = loaded.document.data if loaded.document else None
    for step in loc:
        if isinstance(data, dict) and step not in data and data.get("type") == step:
            continue  # the discriminated union's tag, not a key in the file
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            data = None
    return text or "(file)"


def _suggestion(loc: tuple, model: type[BaseModel]) -> str:
    """Did-you-mean for a typo'd key, from every field name the record kind knows."""
    close = difflib.get_close_matches(str(loc[-1]), _vocabulary(model), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


@functools.cache
def _vocabulary(model: type[BaseModel]) -> tuple[str, ...]:
    names: set[str] = set()
    todo, seen = [model], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(info.alias or name)
            todo.extend(models_in(info.annotation))
    return tuple(sorted(names))

