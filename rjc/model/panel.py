"""A panel (or circle, conference) meeting: when, where, which cases, who sat."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from rjc.model.base import CaseId, CoordinatorCode, Date, Hours, PersonId, Record, Strict, Time, VolunteerId
from rjc.model.vocab import Notice, PanelOutcome, PanelPurpose, PanelStatus, Program


class DocketEntry(Strict):
    case: CaseId
    purpose: PanelPurpose = PanelPurpose.AGREEMENT
    outcome: PanelOutcome | None = None
    attended: list[PersonId] = []  # participants present for this case


class Seat(Strict):
    volunteer: VolunteerId
    attended: bool | None = None
    hours: Hours | None = None  # defaults to the meeting's length when attended


class Change(Strict):
    """Scheduling history: a reschedule or cancellation never erases what was planned."""

    date: Date
    by: CoordinatorCode
    action: str
    note: str | None = None


class NoticeSent(Strict):
    to: Notice
    date: Date


class Panel(Record):
    kind: ClassVar[str] = "panel"

    program: Program = Program.RESTORATIVE_PANEL
    date: Date
    start: Time
    end: Time
    place: str | None = None
    video_link: str | None = None
    status: PanelStatus = PanelStatus.SCHEDULED
    docket: list[DocketEntry] = []
    seats: list[Seat] = []
    notices: list[NoticeSent] = []
    history: list[Change] = []
    note: str | None = None

    @property
    def length(self) -> Decimal:
        """How long it lasts, in hours to two decimals: a seat's hours when none are written down."""
        return length(self.date, self.start, self.end)


def length(date: dt.date, start: dt.time, end: dt.time) -> Decimal:
    """A panel's length, from its date, start and end (its facts' too: rjc.model.report_facts)."""
    minutes = (dt.datetime.combine(date, end) - dt.datetime.combine(date, start)).seconds // 60
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))
