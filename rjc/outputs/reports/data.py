"""The records a report reads: loaded once, through the repository, never written.

A repository that fails `rjc check` (errors, not warnings) is refused with its problems; with
`force`, the report goes ahead without every file that has an error, and says which.

A report reads every case, panel and volunteer whole, and of each referral a few facts; it
names few people (new victims' demographics, restitution's payees), so a person is validated
only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel

from rjc.checks import check_repository
from rjc.model import Case, Panel, Person, Referral, Volunteer
from rjc.model.settings import Reminders, Settings
from rjc.model.vocab import Program, ReferralSource
from rjc.storage import layout
from rjc.storage.errors import Problem, RjcError
from rjc.workflows.repository import Repository

if TYPE_CHECKING:
    from rjc.cache import Entry

ALL_KINDS = ("case", "referral", "panel", "volunteer", "person")


class ReferralFacts(NamedTuple):
    """What reports read of a referral, kept for every one: its whole model would take ~25 times
    the memory."""

    id: str
    received: dt.date
    program: Program
    source: ReferralSource

    @classmethod
    def of(cls, referral: Referral) -> ReferralFacts:
        return cls(referral.id, referral.received, referral.program, referral.source)


class People(Mapping[str, Person]):
    """Person records by id, each validated from the cache the first time it is asked for."""

    def __init__(self, root: Path | None = None, entries: dict[str, Entry] | None = None):
        self._root = root
        self._entries = entries or {}  # person id -> its file's cache entry
        self._loaded: dict[str, Person] = {}

    def __getitem__(self, person_id: str) -> Person:
        person = self._loaded.get(person_id)
        if person is None:
            entry = self._entries[person_id]
            assert self._root is not None  # given with the entries
            record = entry.load(self._root).record
            if record is None:  # the file went bad since it was checked
                raise KeyError(person_id)
            person = self._loaded[person_id] = record
        return person

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Records:
    cases: list[Case] = field(default_factory=list)
    referrals: list[ReferralFacts] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    people: Mapping[str, Person] = field(default_factory=People)
    settings: Settings | None = None
    skipped: list[str] = field(default_factory=list)  # files left out because they fail rjc check
    problems: list[Problem] = field(default_factory=list)  # their errors

    @property
    def center(self) -> str | None:
        return self.settings.center.name if self.settings else None

    @property
    def reminders(self) -> Reminders:
        return self.settings.reminders if self.settings else Reminders()


class RecordsFailCheck(RjcError):
    """The repository has errors: the report would be built on records known to be wrong."""


def load(repo: Repository, kinds: tuple[str, ...] = ALL_KINDS, *, force: bool = False) -> Records:
    """The valid records of these kinds; RecordsFailCheck (listing the problems) unless all pass
    `rjc check` or `force` is given."""
    errors = [p for p in check_repository(repo.root, cache=repo.cache, progress=repo.progress)
              if p.level == "error"]
    skipped = sorted({p.path for p in errors})
    if errors and not force:
        count = len(skipped)
        raise RecordsFailCheck(
            f"the records fail rjc check ({len(errors)} error{'s' * (len(errors) != 1)} in "
            f"{count} file{'s' * (count != 1)}); fix them, or report without those files with --force",
            errors)
    records = Records(skipped=skipped, problems=errors)
    if layout.SETTINGS_FILE not in skipped:
        try:
            records.settings = repo.settings
        except RjcError:
            records.settings = None
    left_out = set(skipped)
    if "person" in kinds:
        records.people = _people(repo, left_out)
    shared_fields_sets: dict[frozenset[str], frozenset[str]] = {}
    for kind in [k for k in kinds if k != "person"]:  # a kind at a time: fewer cache entries held
        for loaded in repo.iter_loaded([layout.KINDS[kind]]):
            record = loaded.record
            if record is None or loaded.path in left_out:
                continue
            if isinstance(record, Referral):
                records.referrals.append(ReferralFacts.of(record))
                continue
            _share_fields_sets(record, shared_fields_sets)
            if isinstance(record, Case):
                records.cases.append(record)
            elif isinstance(record, Panel):
                records.panels.append(record)
            elif isinstance(record, Volunteer):
                records.volunteers.append(record)
    for items in (records.cases, records.referrals, records.panels, records.volunteers):
        items.sort(key=lambda r: r.id)
    return records


def _people(repo: Repository, left_out: set[str]) -> People:
    """Every valid person, not loaded: their entries, which fetch the record when asked."""
    entries = repo.entries([layout.KINDS["person"]], rows_only=True).values()
    return People(repo.root, {e.record_id: e for e in entries if e.record_id is not None and e.path not in left_out})


def _share_fields_sets(model: BaseModel, shared: dict[frozenset[str], frozenset[str]]) -> None:
    """Give this model and every model in it a shared, frozen copy of the set of fields it was
    given (equal sets: one object).

    Pydantic keeps that set on every instance (`model_fields_set`): over the ~650,000 models of
    a 100,000-record repository's cases and panels the sets take more than half of the memory
    the records do. A report never writes a record and never reads the set; if one did set a
    field, it would fail loudly (a frozen set cannot be added to) rather than change another
    record's set.
    """
    fields_set = frozenset(model.__pydantic_fields_set__)
    object.__setattr__(model, "__pydantic_fields_set__", shared.setdefault(fields_set, fields_set))
    for value in model.__dict__.values():
        if isinstance(value, BaseModel):
            _share_fields_sets(value, shared)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _share_fields_sets(item, shared)
