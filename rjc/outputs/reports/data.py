"""The records a report reads: loaded once, through the repository, never written.

A repository that fails `rjc check` (errors, not warnings) is refused with its problems; with
`force`, the report goes ahead without every file that has an error, and says which.

A report reads of every case, referral, panel, volunteer and organization its facts (rjc.model.report_facts:
what reports read, computed when the file was parsed and kept in the cache), never the whole
model; it names few people (new victims' demographics, restitution's payees), so a person is
validated only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rjc.checks import check_repository
from rjc.model import Person
from rjc.model.report_facts import (
    CaseFacts,
    OrganizationFacts,
    PanelFacts,
    Rebuilder,
    ReferralFacts,
    VolunteerFacts,
    facts_of,
)
from rjc.model.settings import Reminders, Settings
from rjc.storage import layout
from rjc.storage.errors import Problem, RjcError
from rjc.workflows.repository import Repository

if TYPE_CHECKING:
    from rjc.cache import Entry

ALL_KINDS = ("case", "referral", "panel", "volunteer", "organization", "person")


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
    cases: list[CaseFacts] = field(default_factory=list)
    referrals: list[ReferralFacts] = field(default_factory=list)
    panels: list[PanelFacts] = field(default_factory=list)
    volunteers: list[VolunteerFacts] = field(default_factory=list)
    organizations: list[OrganizationFacts] = field(default_factory=list)
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
    rebuild = Rebuilder()
    into: dict[str, list[Any]] = {"case": records.cases, "referral": records.referrals, "panel": records.panels,
            "volunteer": records.volunteers, "organization": records.organizations}
    for kind in [k for k in kinds if k != "person"]:  # a kind at a time: fewer cache entries held
        found = into[kind]
        for entry in repo.entries([layout.KINDS[kind]], facts_only=True).values():
            if entry.record_id is None or entry.path in left_out:
                continue
            if entry.facts is not None:
                found.append(rebuild(kind, entry.facts))
                entry.facts = None  # (its JSON is let go of as it is read)
            elif (record := entry.load(repo.root).record) is not None:  # (the cache went away meanwhile)
                found.append(facts_of(record))
    for items in (records.cases, records.referrals, records.panels, records.volunteers, records.organizations):
        items.sort(key=lambda r: r.id)
    return records


def _people(repo: Repository, left_out: set[str]) -> People:
    """Every valid person, not loaded: their entries, which fetch the record when asked."""
    entries = repo.entries([layout.KINDS["person"]], rows_only=True).values()
    return People(repo.root, {e.record_id: e for e in entries if e.record_id is not None and e.path not in left_out})

