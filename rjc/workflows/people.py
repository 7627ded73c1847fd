"""One person on file twice (taken in on two clones offline, say): merged into one.

`merge(KEEP, OTHER)` moves every reference to OTHER (in referrals, cases, panels, volunteers)
to KEEP, fills KEEP's empty fields from OTHER, and leaves OTHER a record that says only
`merged_into: KEEP`, all in one commit. The id of OTHER stays taken, so a reference made to it
on a clone that had not heard of the merge still finds where the person went; running the merge
again moves such references too.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any, NamedTuple

from rjc.model import SCHEMA_VERSION, Person
from rjc.storage import layout, store
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.repository import Repository

# the kinds whose records refer to people
_REFERRING = ("referral", "case", "panel", "volunteer", "organization")


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



# --- finding people -------------------------------------------------------------------------
#
# Every call starts with a name. People are found in the cache's copy of each person record (its
# JSON, read without validating 100,000 models again), compared ignoring case and accents, close
# spellings scored by rapidfuzz (C speed at 100,000 names); their cases and referrals are found by
# one `git grep` for the matches' ids.

FIND_CUTOFF = 80  # a name scoring below this (0-100) is not offered: "Jon Smiht" finds "John Smith" (84)
FIND_LIMIT = 20  # more matches than this are counted, not shown: a date of birth or phone narrows them


class OnFile(NamedTuple):
    """What finding a person reads of a person record (a tuple: 100,000 are made at a time)."""

    id: str
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    date_of_birth: str | None
    phone: str | None

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.given_name or ""
        return f"{given} {self.family_name}" if self.family_name else given

    def names(self) -> list[str]:
        """The ways this person is called: given and family name, preferred and family name."""
        return list(dict.fromkeys(f"{given} {self.family_name or ''}".strip()
                                  for given in (self.given_name, self.preferred_name) if given))


@dataclass(frozen=True)
class Involvement:
    """A referral or case a person is in, by id: their role, the program, its status."""

    record: str
    role: str
    program: str
    status: str


@dataclass(frozen=True)
class Found:
    person: OnFile
    score: int  # 100: the name as typed (ignoring case and accents), or no name asked for
    involvements: list[Involvement]


@dataclass(frozen=True)
class Query:
    name: str | None = None
    date_of_birth: str | None = None  # YYYY-MM-DD
    phone: str | None = None


@dataclass(frozen=True)
class Findings:
    found: list[Found]  # best first, at most FIND_LIMIT
    more: int  # matches beyond those


_APOSTROPHES = dict.fromkeys(map(ord, "'’`"))
_PUNCTUATION = {**{ord(c): " " for c in "!\"#$%&()*+,-./:;<=>?@[\\]^_{|}~"}, **_APOSTROPHES}


def folded(text: str | None) -> str:
    """A name as searched: accents (NFKD), case, punctuation and spacing do not count."""
    text = text or ""
    if not text.isascii():  # (most names are: skip decomposing them, 100,000 at a time)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().translate(_PUNCTUATION).split())


def digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isdigit())


def same_phone(typed: str, on_file: str | None) -> bool:
    """The same digits; a number given with or without its country code or area code is the same
    number when the shorter still has seven digits or more."""
    a, b = sorted((digits(typed), digits(on_file)), key=len)
    return bool(a) and (a == b or (len(a) >= 7 and b.endswith(a)))


def people_on_file(repo: Repository) -> list[OnFile]:
    """Every valid person record not merged into another, from the cache where it holds."""
    found = []
    for entry in repo.entries([layout.KINDS["person"]]).values():
        if entry.record_id is None:
            continue
        data = entry.data if entry.data is not None else entry.load(repo.root).record.model_dump_json()
        fields = json.loads(data)
        if fields.get("merged_into"):
            continue
        found.append(OnFile(entry.record_id, fields.get("given_name"), fields.get("family_name"),
                            fields.get("preferred_name"), fields.get("date_of_birth"), fields.get("phone")))
    return found


def namesakes(people: list[OnFile], given_name: str | None, family_name: str | None) -> list[OnFile]:
    """People on file with this name (given or preferred, and family), ignoring case and accents."""
    wanted = folded(f"{given_name or ''} {family_name or ''}")
    return [p for p in people if wanted and wanted in {folded(name) for name in p.names()}]


def find(repo: Repository, query: Query) -> Findings:
    """People matching a name (close spellings too), a date of birth (exactly) and a phone (its
    digits), each asked for only if given; best first."""
    from rapidfuzz import fuzz, process

    people = [p for p in people_on_file(repo)
              if (query.date_of_birth is None or p.date_of_birth == query.date_of_birth)
              and (query.phone is None or same_phone(query.phone, p.phone))]
    scores: dict[str, int] = {}
    if query.name and folded(query.name):
        choices = [(p.id, folded(name)) for p in people for name in p.names()]
        texts = [text for _, text in choices]
        # token_sort: close spellings of the whole name; token_set: a part of it ("Rivera" alone)
        for scorer in (fuzz.token_sort_ratio, fuzz.token_set_ratio):
            for _, score, index in process.extract(folded(query.name), texts, scorer=scorer, limit=None,
                                                   score_cutoff=FIND_CUTOFF):
                person_id = choices[index][0]
                scores[person_id] = max(scores.get(person_id, 0), round(score))
    else:
        scores = {p.id: 100 for p in people}
    by_id = {p.id: p for p in people if p.id in scores}
    ranked = sorted(by_id.values(), key=lambda p: (-scores[p.id], folded(p.display_name), p.id))
    shown = ranked[:FIND_LIMIT]
    involved = involvements(repo, [p.id for p in shown])
    return Findings([Found(p, scores[p.id], involved[p.id]) for p in shown], len(ranked) - len(shown))


def involvements(repo: Repository, person_ids: list[str]) -> dict[str, list[Involvement]]:
    """For each person, the referrals and cases naming them, by id, oldest first."""
    from rjc.model import Case, Referral

    found: dict[str, list[Involvement]] = {person_id: [] for person_id in person_ids}
    directories = [layout.KINDS[kind].directory for kind in ("referral", "case")]
    paths = repo.git.files_mentioning_each(person_ids, directories)
    for relpath in sorted({path for each in paths.values() for path in each}):
        if layout.expected_id(relpath) is None:
            continue
        record = store.read_record(repo.root, relpath).record
        if isinstance(record, Referral):
            people = [(p.person, p.role.value) for p in record.people]
            status = record.screening.decision.value
        elif isinstance(record, Case):
            people = [(p.person, p.role.value) for p in record.participants]
            status = record.status.value
        else:
            continue
        for person_id, role in people:
            if person_id in found:
                found[person_id].append(Involvement(record.id, role, record.program.value, status))
    for each in found.values():
        each.sort(key=lambda i: (i.record.split("-")[1], not i.record.startswith("R-"), i.record))
    return found
