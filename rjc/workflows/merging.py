"""Three-way merge of records, field by field: one owner for `rjc sync` (replaying a clone's
commits on the remote's), `rjc undo` (reverting one change under later ones) and `rjc merge-file`
(git's merge driver for `*.yaml`, so a plain `git merge` or `git pull` merges as a sync does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rjc.model import Settings
from rjc.storage import layout, store, yamlio

WHOLE_FILE = "(whole file)"
# Histories that are also a state machine: each side's new entries were made from the status
# both sides started from, so both sides' moves cannot simply follow one another (intake, then
# intake again). Appended to on both sides, they are a conflict like any other field.
STATE_MACHINES = {("status_history",)}


class _Missing:
    """A key one side does not have (deleted, or never there)."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


@dataclass
class Conflict:
    """One field both sides changed, to different values."""

    path: str  # the file, relative to the repository root
    loc: tuple  # where in the file: ("agreements", 0, "items", 1, "status"); () for the whole file
    base: Any
    ours: Any  # this clone's value (MISSING when absent; for a whole file, None when deleted)
    theirs: Any  # the remote's value

    @property
    def record(self) -> str:
        return layout.expected_id(self.path) or self.path

    @property
    def field(self) -> str:
        return dotted(self.loc) if self.loc else WHOLE_FILE


Chooser = Callable[[Conflict], str]  # -> "ours" or "theirs"


def parse_all(path: str, texts: list[bytes | None]) -> list | None:
    """The data of three versions of a YAML file (an absent one as empty); None when one is not YAML."""
    if not path.endswith(".yaml"):
        return None
    data: list[dict] = []
    for text in texts:
        if text is None:
            data.append({})  # created on both sides: merged against nothing
            continue
        try:
            data.append(yamlio.load(text, path).data)
        except yamlio.YamlError:
            return None
    return data


def render_data(path: str, data: dict) -> str:
    """Merged data as its file's canonical text (or, when it does not validate, plain YAML that
    `rjc check` will point at)."""
    if path == layout.SETTINGS_FILE:
        loaded = store.parse(path, yamlio.dump(data), Settings)
        return store.render_settings(loaded.record) if loaded.record else \
            yamlio.dump(data, header=layout.settings_schema_ref())
    kind = layout.kind_of_path(path)
    if kind is not None:
        loaded = store.parse_record(path, yamlio.dump(data))
        return store.render(loaded.record) if loaded.record else \
            yamlio.dump(data, header=layout.schema_ref(path, kind))
    return yamlio.dump(data)



# --- three-way merge of plain data -----------------------------------------------------------


def merge_data(base: Any, ours: Any, theirs: Any, *, on_conflict: Callable[[Conflict], Any],
               loc: tuple = ()) -> Any:
    """Merge two edits of the same data (as yamlio loads it) made from a common base.

    - A value changed on one side only takes that side's value; on both sides to the same value,
      that value.
    - Mappings merge key by key, recursively (a key added or removed on one side is added or
      removed).
    - Lists of entries with ids (payments, hours, contacts, services, sessions, meetings) merge
      entry by entry, matched by id: every entry either side added is kept, even one equal in
      value to another (see `_merge_entries`).
    - Other lists: the elements both sides already had merge position by position (a payment
      added inside an agreement's item on each side), and what each side appended is kept: base,
      then the remote's additions and this clone's, in date order when the entries are dated
      (panel history, background checks...). Except a case's status_history (STATE_MACHINES):
      moved on both sides, it is a conflict.
    - Anything else changed on both sides to different values is a conflict: `on_conflict` gets
      it and returns the value to use (MISSING to leave the key out).
    """
    if _same(ours, theirs):
        return ours
    if _same(base, ours):
        return theirs
    if _same(base, theirs):
        return ours
    if isinstance(ours, dict) and isinstance(theirs, dict):
        old_fields = base if isinstance(base, dict) else {}
        merged: dict = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:  # a key both removed stays removed
            value = merge_data(old_fields.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING),
                               on_conflict=on_conflict, loc=loc + (key,))
            if value is not MISSING:
                merged[key] = value
        return merged
    if isinstance(ours, list) and isinstance(theirs, list):
        old = base if isinstance(base, list) else []
        if _entries(old) and _entries(ours) and _entries(theirs):
            return _merge_entries(old, ours, theirs, on_conflict=on_conflict, loc=loc)
        n = len(old)
        both_appended = len(ours) > n and len(theirs) > n
        if len(ours) >= n and len(theirs) >= n and not (both_appended and loc in STATE_MACHINES):
            kept = [merge_data(old[i], ours[i], theirs[i], on_conflict=on_conflict, loc=loc + (i,))
                    for i in range(n)]
            return kept + _appended(theirs[n:], ours[n:])
    return on_conflict(Conflict("", loc, base, ours, theirs))


def _entries(value: list) -> bool:
    """Whether every element is an entry with its id (payments, hours, contacts...)."""
    return all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in value)


def _merge_entries(base: list, ours: list, theirs: list, *, on_conflict: Callable[[Conflict], Any],
                   loc: tuple) -> list:
    """Lists of entries merge entry by entry, matched by id: an entry changed or removed on one
    side takes that side's change, and every entry added on either side is kept, however equal
    in value to another (two payments of $50 on one day are two payments)."""
    mine = {e["id"]: (i, e) for i, e in enumerate(ours)}
    other = {e["id"]: e for e in theirs}
    merged = []
    for entry in base:
        key = entry["id"]
        position = mine[key][0] if key in mine else len(ours)
        value = merge_data(entry, mine[key][1] if key in mine else MISSING, other.get(key, MISSING),
                           on_conflict=on_conflict, loc=loc + (position,))
        if value is not MISSING:
            merged.append(value)
    known = {e["id"] for e in base}
    # (an entry added on both sides under one id is one entry, added twice: merged with itself)
    added_here = [merge_data(MISSING, e, other.get(e["id"], MISSING), on_conflict=on_conflict, loc=loc + (i,))
                  for i, e in enumerate(ours) if e["id"] not in known]
    added_there = [e for e in theirs if e["id"] not in known and e["id"] not in mine]
    return merged + _appended(added_there, added_here)


def _same(a: Any, b: Any) -> bool:
    return a is b or (a is not MISSING and b is not MISSING and type(a) is type(b) and a == b)


def _appended(theirs: list, ours: list) -> list:
    """Both sides' additions: the remote's first, then this clone's, stably sorted by date when
    every entry has one."""
    combined = [*theirs, *ours]
    if all(isinstance(e, dict) and isinstance(e.get("date"), str) for e in combined):
        return sorted(combined, key=lambda e: e["date"])
    return combined


def dotted(loc: tuple) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text



# --- git's merge driver (rjc merge-file) -------------------------------------------------------


def merge_file(path: str, base: bytes | None, ours: bytes, theirs: bytes) -> tuple[str | None, list[Conflict]]:
    """Three versions of one file, as git hands them to its merge driver -> (the merged text, or
    None to leave this side's file as it is; the conflicts). The merge is sync's, field by field,
    rendered as sync renders it. Each conflict keeps this side's value in place and is listed,
    with both values, under `store.MERGE_CONFLICTS`, which `rjc check` reports field by field."""
    data = parse_all(path, [base, ours, theirs])
    if data is None:  # not YAML on some side: the file as a whole
        conflict = Conflict(path, (), None, None, None)
        try:
            mine = yamlio.load(ours, path).data
        except yamlio.YamlError:
            return None, [conflict]  # rjc check already reports this side's file
        if not isinstance(mine, dict):
            return None, [conflict]
        return _with_conflicts(path, ours.decode("utf-8").rstrip("\n") + "\n", [
            {"field": WHOLE_FILE, "theirs": theirs.decode("utf-8", "replace")}]), [conflict]
    conflicts: list[Conflict] = []

    def keep_ours(conflict: Conflict) -> Any:
        conflict.path = path
        conflicts.append(conflict)
        return conflict.ours

    text = render_data(path, merge_data(*data, on_conflict=keep_ours))
    if not conflicts:
        return text, []
    listed = [{"field": c.field, **({"ours": c.ours} if c.ours is not MISSING else {}),
               **({"theirs": c.theirs} if c.theirs is not MISSING else {})} for c in conflicts]
    return _with_conflicts(path, text, listed), conflicts


def _with_conflicts(path: str, text: str, listed: list[dict]) -> str:
    return text + yamlio.dump({store.MERGE_CONFLICTS: listed})
