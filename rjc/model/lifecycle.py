"""Which status may follow which, program by program.

Each program has its own path from referral to closure; any open case may be closed (with a
reason), and a closed case comes back only through an explicit reopen, to intake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from rjc.model.vocab import CaseStatus as S
from rjc.model.vocab import Program as P

_PANEL_PATH = {
    S.REFERRED: {S.INTAKE},
    S.INTAKE: {S.VICTIM_CONTACTED, S.PANEL_SCHEDULED},
    S.VICTIM_CONTACTED: {S.PANEL_SCHEDULED},
    # back to intake: the first panel was cancelled; back to monitoring: a review panel was held
    S.PANEL_SCHEDULED: {S.AGREEMENT_SIGNED, S.INTAKE, S.MONITORING},
    S.AGREEMENT_SIGNED: {S.MONITORING, S.PANEL_SCHEDULED},
    S.MONITORING: {S.PANEL_SCHEDULED, S.AGREEMENT_SIGNED},  # review panel; second agreement
}

_PATHS: dict[P, dict[S, set[S]]] = {
    P.RESTORATIVE_PANEL: _PANEL_PATH,
    P.REENTRY_PANEL: _PANEL_PATH,
    P.PRE_CHARGE_DIVERSION: {**_PANEL_PATH, S.INTAKE: {S.VICTIM_CONTACTED, S.PANEL_SCHEDULED, S.AGREEMENT_SIGNED},
                             S.VICTIM_CONTACTED: {S.PANEL_SCHEDULED, S.AGREEMENT_SIGNED}},
    P.VICTIM_SUPPORT: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.IN_SERVICES}, S.IN_SERVICES: set()},
    P.OFFENDER_REENTRY: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.IN_SERVICES},
                         S.IN_SERVICES: {S.MONITORING}, S.MONITORING: {S.IN_SERVICES}},
    P.COSA: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.IN_CIRCLE}, S.IN_CIRCLE: {S.MONITORING},
             S.MONITORING: {S.IN_CIRCLE}},
    P.STAR: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.IN_INTERNSHIP}, S.IN_INTERNSHIP: set()},
    P.MEDIATION: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.IN_MEDIATION}, S.IN_MEDIATION: {S.AGREEMENT_SIGNED},
                  S.AGREEMENT_SIGNED: {S.MONITORING}, S.MONITORING: {S.IN_MEDIATION}},
    P.FAMILY_GROUP_CONFERENCING: {S.REFERRED: {S.INTAKE}, S.INTAKE: {S.CONFERENCE_SCHEDULED},
                                  S.CONFERENCE_SCHEDULED: {S.AGREEMENT_SIGNED, S.INTAKE},
                                  S.AGREEMENT_SIGNED: {S.MONITORING},
                                  S.MONITORING: {S.CONFERENCE_SCHEDULED}},
}

FIRST_STATUSES = frozenset({S.REFERRED, S.INTAKE})
REOPEN_TO = S.INTAKE


def allowed_next(program: P, current: S) -> set[S]:
    """Statuses a case of this program may move to from `current`."""
    if current == S.CLOSED:
        return {REOPEN_TO}
    return set(_PATHS[program].get(current, set())) | {S.CLOSED}


def statuses(program: P) -> list[S]:
    """Every status a case of this program can be in, in path order."""
    seen = [S.REFERRED]
    for source, targets in _PATHS[program].items():
        for status in (source, *sorted(targets, key=list(S).index)):
            if status not in seen:
                seen.append(status)
    return [*seen, S.CLOSED] if S.CLOSED not in seen else seen


@dataclass(frozen=True)
class Stage:
    status: S
    start: dt.date
    end: dt.date | None  # None: the case is still in it
    days: int


def stages(history, today: dt.date) -> list[Stage]:
    """How long a case spent in each status, from its status history."""
    result = []
    for entry, following in zip(history, [*history[1:], None]):
        end = following.date if following else None
        result.append(Stage(entry.status, entry.date, end, ((end or today) - entry.date).days))
    return result


@lru_cache(maxsize=8)
def _holidays(calendar: str, year: int) -> frozenset[dt.date]:
    if not calendar:
        return frozenset()
    import holidays  # maintained public-holiday tables, state by state (Town Meeting Day...)

    country, _, subdivision = calendar.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def business_days_after(start: dt.date, count: int, calendar: str) -> dt.date:
    """The date `count` business days after `start`: weekends and public holidays skipped."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in _holidays(calendar, day.year):
            count -= 1
    return day


def victim_notice_due(case, referral, settings) -> dt.date | None:
    """Victims are told of a diversion referral within N business days of its receipt (of the
    case's opening when it has no referral); None for other programs."""
    if case.program != P.PRE_CHARGE_DIVERSION:
        return None
    received = referral.received if referral is not None else case.opened
    return business_days_after(received, settings.reminders.victim_notice_business_days, settings.holidays)
