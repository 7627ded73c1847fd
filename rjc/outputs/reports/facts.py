"""Dated facts about one case, read the same way by every report.

A case's status on a day is the latest status-history entry dated on or before it; a case is
open on a day when it was opened by then and that status is not closed. Closures come from the
status history, so a case closed and later reopened still counts its earlier closure in the
period it happened (its reason is kept at the start of the history entry's note).

Every other fact a report counts is read as it stood on a day too: a victim's choice and a
mediation outcome from the day each was made (the ones they replaced are kept with their days),
an item's completion, waiver or "not completed" from its own date. So a past period reported
again after later changes gives the same figures. A fact recorded before rjc kept its day
(no date) counts from the beginning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rjc.model.vocab import CaseStatus, ItemStatus, PanelStatus, closure_reason

if TYPE_CHECKING:
    from rjc.model.report_facts import CaseOrFacts, PanelOrFacts

NOT_RECORDED = "not recorded"


def status_on(case: CaseOrFacts, day: dt.date) -> CaseStatus | None:
    """The case's status at the end of `day`; None before its first status."""
    status = None
    for entry in case.status_history:
        if entry.date <= day:
            status = entry.status
    return status


def open_on(case: CaseOrFacts, day: dt.date) -> bool:
    """Opened on or before `day`, and not closed at the end of it."""
    return case.opened <= day and status_on(case, day) != CaseStatus.CLOSED


def as_of(current, current_date: dt.date | None, earlier: Iterable, day: dt.date):
    """Of a value with the ones it replaced (each with the day it was made), the one standing at
    the end of `day`; None before the first. An undated one stood from the beginning."""
    standing = None
    for value, made in [*earlier, (current, current_date)]:
        if value is not None and (made is None or made <= day):
            standing = value
    return standing


def choice_on(participant, day: dt.date):
    """A victim's choice of how to take part, as it stood at the end of `day`."""
    earlier = ((e.choice, e.date) for e in participant.earlier_choices)
    return as_of(participant.participation, participant.decided, earlier, day)


def resolution_on(case: CaseOrFacts, day: dt.date):
    """A mediation's or conference's outcome as it stood at the end of `day`."""
    earlier = ((e.resolution, e.date) for e in case.earlier_resolutions)
    return as_of(case.resolution, case.resolved, earlier, day)


FINISHED = (ItemStatus.COMPLETED, ItemStatus.WAIVED, ItemStatus.NOT_COMPLETED)


def finished_on(item) -> dt.date | None:
    """The day an agreement item was completed, waived or marked not completed (None: not
    finished, or finished before rjc kept the day)."""
    return item.completed if item.status == ItemStatus.COMPLETED else item.decided


def item_status_on(item, day: dt.date) -> ItemStatus:
    """An agreement item's status at the end of `day`: a completion, waiver or "not completed"
    from its own date; before it, in progress once something was paid or logged, else pending."""
    if item.status not in FINISHED:
        return item.status
    finished = finished_on(item)
    if finished is None or finished <= day:
        return item.status
    done = [*getattr(item, "payments", ()), *getattr(item, "logged", ())]
    return ItemStatus.IN_PROGRESS if any(entry.date <= day for entry in done) else ItemStatus.PENDING


def completed_on(agreement) -> dt.date | None:
    """The day an agreement was complete: when the last of its items was completed or waived,
    once every one is; None while one is open, or when one has no date."""
    days: list[dt.date] = []
    for item in agreement.items:
        finished = finished_on(item)
        if item.status not in (ItemStatus.COMPLETED, ItemStatus.WAIVED) or finished is None:
            return None
        days.append(finished)
    return max(days, default=None)


def closures(case: CaseOrFacts) -> list[tuple[dt.date, str]]:
    """(date, reason) for every time the case was closed, oldest first."""
    entries = [e for e in case.status_history if e.status == CaseStatus.CLOSED]
    found = []
    for index, entry in enumerate(entries):
        if index == len(entries) - 1 and case.closure is not None:
            found.append((case.closure.date, case.closure.reason.value))
        else:
            found.append((entry.date, _reason_in(entry.note)))
    if not entries and case.closure is not None:
        found.append((case.closure.date, case.closure.reason.value))
    return found


def _reason_in(note: str | None) -> str:
    return closure_reason(note) or NOT_RECORDED


def came_in(case: CaseOrFacts, referral_received: dt.date | None) -> dt.date:
    """When the case came to the center: its referral's received date, else the day it opened."""
    return referral_received or case.opened


def held_panels_by_case(panels: Iterable[PanelOrFacts]) -> dict[str, list[dt.date]]:
    """Case id -> the dates of held panels that had it on the docket."""
    found: dict[str, list[dt.date]] = {}
    for panel in panels:
        if panel.status == PanelStatus.HELD:
            for entry in panel.docket:
                found.setdefault(entry.case, []).append(panel.date)
    return found


def activity_dates(case: CaseOrFacts, panel_dates: Iterable[dt.date] = ()) -> Iterator[dt.date]:
    """Every dated thing done on a case: opening, status changes, contacts, services, sessions,
    agreements signed, payments, community service hours, items completed, circle meetings and
    roster changes, internship hours, letters to the referrer, and held panels it was heard at."""
    yield case.opened
    yield from (e.date for e in case.status_history)
    yield from (c.date for c in case.contacts)
    yield from (s.date for s in case.services)
    yield from (s.date for s in case.sessions)
    for agreement in case.agreements:
        yield agreement.signed
        for item in agreement.items:
            if item.completed:
                yield item.completed
            if item.decided:
                yield item.decided
            yield from (p.date for p in getattr(item, "payments", []))
            yield from (h.date for h in getattr(item, "logged", []))
    if case.circle is not None:
        yield from (m.date for m in case.circle.meetings)
        for seat in case.circle.roster:
            yield seat.joined
            if seat.left:
                yield seat.left
        yield from (d for d in (case.circle.started, case.circle.ended) if d)
    if case.internship is not None:
        yield from (h.date for h in case.internship.hours)
    if case.closure is not None and case.closure.referrer_notified:
        yield case.closure.referrer_notified
    yield from (p.decided for p in case.participants if p.decided)
    if case.resolved:
        yield case.resolved
    if case.diversion is not None and case.diversion.outcome_reported:
        yield case.diversion.outcome_reported
    yield from panel_dates
