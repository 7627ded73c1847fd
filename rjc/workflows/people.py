"""One person on file twice (taken in on two clones offline, say): merged into one.

`merge(KEEP, OTHER)` moves every reference to OTHER (in referrals, cases, panels, volunteers)
to KEEP, fills KEEP's empty fields from OTHER, and leaves OTHER a record that says only
`merged_into: KEEP`, all in one commit. The id of OTHER stays taken, so a reference made to it
on a clone that had not heard of the merge still finds where the person went; running the merge
again moves such references too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rjc.model import SCHEMA_VERSION, Person
from rjc.storage import layout, store
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.repository import Repository

# the kinds whose records refer to people
_REFERRING = ("referral", "case", "panel", "volunteer")


@dataclass
class Merged:
    result: Result | None  # None: there was nothing left to change
    moved: list[str]  # ids of the records whose references now point at KEEP
    filled: list[str]  # KEEP's fields filled from OTHER


def merge(repo: Repository, keep_id: str, other_id: str) -> Merged:
    keep_id, other_id = str(layout.parse_id(keep_id)), str(layout.parse_id(other_id))
    if keep_id == other_id:
        raise RjcError("give two different people: the one to keep, then the one merged into it")
    with repo.transaction("person merge") as tx:
        keep, other = _person(repo, keep_id), _person(repo, other_id)
        if keep.merged_into:
            raise RjcError(f"{keep_id} was itself merged into {keep.merged_into}; keep that one instead")
        if other.merged_into and other.merged_into != keep_id:
            raise RjcError(f"{other_id} was already merged into {other.merged_into}")
        filled = [] if other.merged_into else _fill(keep, other)
        moved = []
        for relpath in _referring_files(repo, other_id):
            loaded = store.read_record(repo.root, relpath)
            if loaded.record is None:
                raise RjcError(f"{relpath} must be valid before the merge; nothing was changed", loaded.problems)
            data = _moved(loaded.record.to_data(), other_id, keep_id)
            tx.stage(type(loaded.record).model_validate(data))
            moved.append(loaded.record.id)
        if filled:
            tx.stage(keep)
        if not other.merged_into:
            tx.stage(Person(id=other.id, schema_version=SCHEMA_VERSION, merged_into=keep_id))
        elif not moved:
            return Merged(None, [], [])  # merged before, and nothing refers to it since
        return Merged(tx.commit("person merge"), moved, filled)


def _person(repo: Repository, person_id: str) -> Person:
    record = repo.get(person_id)
    if not isinstance(record, Person):
        raise RjcError(f"{person_id} is not a person")
    return record


def _fill(keep: Person, other: Person) -> list[str]:
    """Copy into KEEP what only OTHER holds (a phone, an address...); KEEP's own values stay."""
    filled = []
    for name in Person.model_fields:
        if name in ("id", "schema_version", "merged_into"):
            continue
        if getattr(keep, name) in (None, [], {}) and getattr(other, name) not in (None, [], {}):
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    return filled


def _referring_files(repo: Repository, person_id: str) -> list[str]:
    """The record files that mention the id: found by git in the working tree, without reading
    every record; each is then read and rewritten structurally."""
    found = repo.git.files_mentioning(person_id, [layout.KINDS[kind].directory for kind in _REFERRING])
    return sorted(path for path in found if layout.expected_id(path) is not None)


def _moved(value: Any, old: str, new: str) -> Any:
    """`value` with every reference to `old` made to `new`. A list that then names `new` twice
    (both people were on one case, at one meeting...) keeps only the first."""
    if value == old:
        return new
    if isinstance(value, dict):
        return {k: _moved(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        moved = [_moved(v, old, new) for v in value]
        if old in value or any(isinstance(v, dict) and v.get("person") == old for v in value):
            kept, seen = [], set()
            for item in moved:
                key = item if isinstance(item, str) else (item.get("person"), item.get("role")) \
                    if isinstance(item, dict) and "person" in item else id(item)
                if key not in seen:
                    kept.append(item)
                seen.add(key)
            return kept
        return moved
    return value

