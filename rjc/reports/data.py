"""The records a report reads: loaded once, through the repository, never written.

A repository that fails `rjc check` (errors, not warnings) is refused with its problems; with
`force`, the report goes ahead without every file that has an error, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rjc import layout
from rjc.checks import check_repository
from rjc.errors import Problem, RjcError
from rjc.model import Case, Panel, Person, Referral, Volunteer
from rjc.model.settings import Reminders, Settings
from rjc.repository import Repository

ALL_KINDS = ("case", "referral", "panel", "volunteer", "person")


@dataclass
class Records:
    cases: list[Case] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
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
    for loaded in repo.load_all([layout.KINDS[k] for k in kinds]):
        record = loaded.record
        if record is None or loaded.path in left_out:
            continue
        if isinstance(record, Case):
            records.cases.append(record)
        elif isinstance(record, Referral):
            records.referrals.append(record)
        elif isinstance(record, Panel):
            records.panels.append(record)
        elif isinstance(record, Volunteer):
            records.volunteers.append(record)
        elif isinstance(record, Person):
            records.people[record.id] = record
    for items in (records.cases, records.referrals, records.panels, records.volunteers):
        items.sort(key=lambda r: r.id)
    return records
