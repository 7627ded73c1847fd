"""Victims served: when, and whether NEW or continuing in the federal fiscal year.

Victim-service funders count a victim as NEW in the federal fiscal year (October-September) of
their first service, and as continuing in any later year they are served; demographics are
reported for NEW victims only.

A victim is served on the day a case they are a victim on is opened, on each dated service
logged for them (every service of a victim-support case whose only victim they are), and on
each contact logged with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rjc.model import periods
from rjc.model.vocab import Program, Role

if TYPE_CHECKING:
    from rjc.model.report_facts import CaseOrFacts


def served_dates(cases: Iterable[CaseOrFacts]) -> dict[str, list[dt.date]]:
    """Person id -> every date they were served as a victim, sorted."""
    served: dict[str, set[dt.date]] = {}
    for case in cases:
        victims = case.people(Role.VICTIM)
        for person in victims:
            served.setdefault(person, set()).add(case.opened)
        sole = victims[0] if len(victims) == 1 and case.program == Program.VICTIM_SUPPORT else None
        for service in case.services:
            served_person = service.person or sole
            if served_person in victims:
                served[served_person].add(service.date)
        for contact in case.contacts:
            for person in contact.with_:
                if person in victims:
                    served[person].add(contact.date)
    return {person: sorted(days) for person, days in served.items()}


def standing(dates: list[dt.date], day: dt.date) -> str | None:
    """'new' or 'continuing' in the federal fiscal year of `day`; None if not served in it."""
    year = periods.fiscal_year(day, "federal")
    if not any(d in year for d in dates):
        return None
    return "new" if dates[0] >= year.start else "continuing"
