"""Panels: scheduling with the seating rules, suggesting volunteers, rescheduling, cancelling,
recording what happened.

Every rule that refuses a seat names itself (`panel-seats`, `volunteer-active`,
`volunteer-trained`, `background-check`, `volunteer-conflict`, `volunteer-double-booked`,
`case-status`), so a coordinator knows exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rjc.model import SCHEMA_VERSION, Case, Panel, Volunteer, lifecycle
from rjc.model.case import StatusEntry
from rjc.model.panel import Change, DocketEntry, NoticeSent, Seat
from rjc.model.vocab import CaseStatus, Notice, PanelOutcome, PanelPurpose, PanelStatus, Program
from rjc.storage import layout
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.repository import Repository

SEATS = {Program.COSA: (3, 5)}
DEFAULT_SEATS = (3, 6)
PANEL_PROGRAMS = (Program.RESTORATIVE_PANEL, Program.REENTRY_PANEL, Program.PRE_CHARGE_DIVERSION)
# Notices a scheduled panel calls for; each is recorded once sent (rjc panel notice).
NOTICES = (Notice.REFERRING_AGENCY, Notice.PARTICIPANTS, Notice.VOLUNTEERS)


class SchedulingError(RjcError):
    """A seating or docket rule refused the panel; the message names the rule."""

    def __init__(self, refusals: list[tuple[str, str]]):
        self.refusals = refusals
        super().__init__("; ".join(f"{message} [{rule}]" for rule, message in refusals) + "; nothing was scheduled")


@dataclass
class Slot:
    date: dt.date
    start: dt.time
    end: dt.time

    def overlaps(self, panel: Panel) -> bool:
        return panel.date == self.date and panel.start < self.end and self.start < panel.end

    @property
    def part(self) -> str:
        return "morning" if self.start.hour < 12 else "afternoon" if self.start.hour < 17 else "evening"


@dataclass
class Roster:
    """What scheduling needs to know about the center: volunteers, panels, the cases involved."""

    volunteers: dict[str, Volunteer]
    panels: list[Panel]
    cases: dict[str, Case] = field(default_factory=dict)

    @classmethod
    def load(cls, repo: Repository, case_ids: list[str]) -> Roster:
        volunteers = {r.record.id: r.record for r in repo.load_all([layout.KINDS["volunteer"]])
                      if isinstance(r.record, Volunteer)}
        panels = [r.record for r in repo.load_all([layout.KINDS["panel"]]) if isinstance(r.record, Panel)]
        cases = {}
        for case_id in case_ids:
            record = repo.get(case_id)
            if not isinstance(record, Case):
                raise RjcError(f"{case_id} is not a case")
            cases[record.id] = record
        return cls(volunteers, panels, cases)

    def participants(self) -> set[str]:
        return {p for case in self.cases.values() for p in case.people()}

    def busy(self, volunteer_id: str, slot: Slot, *, besides: str | None = None) -> str | None:
        """The id of another live panel that seats this volunteer at an overlapping time."""
        for panel in self.panels:
            if (panel.id != besides and panel.status != PanelStatus.CANCELLED and slot.overlaps(panel)
                    and any(s.volunteer == volunteer_id for s in panel.seats)):
                return panel.id
        return None

    def last_seated(self, volunteer_id: str) -> dt.date:
        dates = [p.date for p in self.panels if p.status != PanelStatus.CANCELLED
                 and any(s.volunteer == volunteer_id for s in p.seats)]
        return max(dates, default=dt.date.min)


def panel_program(cases: list[Case], chosen: Program | None = None) -> Program:
    """The program a panel is filed under, which the reports count it (and its volunteers' hours)
    in: its docket's, when every case is of one program; for a docket that mixes programs, the
    one the coordinator chooses among them (`chosen`), never a guess."""
    programs = sorted({c.program for c in cases})
    if chosen is not None:
        if programs and chosen not in programs:
            raise RjcError(f"--program {chosen}: the docket has {', '.join(programs)} cases, no {chosen} case")
        return chosen
    if len(programs) > 1:
        heard = "; ".join(f"{p}: {', '.join(c.id for c in cases if c.program == p)}" for p in programs)
        raise RjcError(f"the docket mixes programs ({heard}); say which one the panel is filed under, "
                       f"which the reports count it in: --program {' or --program '.join(programs)}")
    return programs[0] if programs else Program.RESTORATIVE_PANEL


def seat_refusals(roster: Roster, volunteer_ids: list[str], slot: Slot, program: Program, *,
                  besides: str | None = None) -> list[tuple[str, str]]:
    """Every rule the proposed seats break, each as (rule, message)."""
    low, high = SEATS.get(program, DEFAULT_SEATS)
    refusals = []
    if not low <= len(volunteer_ids) <= high:
        refusals.append(("panel-seats", f"a {program} panel seats {low}-{high} volunteers, not {len(volunteer_ids)}"))
    doubled = sorted({v for v in volunteer_ids if volunteer_ids.count(v) > 1})
    if doubled:
        refusals.append(("panel-seats", f"{', '.join(doubled)} seated twice"))
    participants = roster.participants()
    for volunteer_id in dict.fromkeys(volunteer_ids):
        volunteer = roster.volunteers.get(volunteer_id)
        if volunteer is None:
            refusals.append(("unknown-volunteer", f"{volunteer_id} is not a volunteer on file"))
            continue
        refusals.extend(volunteer.unfit(slot.date, participants))
        other = roster.busy(volunteer_id, slot, besides=besides)
        if other:
            refusals.append(("volunteer-double-booked", f"{volunteer_id} is already seated on {other} at an overlapping time"))
    return refusals


def docket_refusals(cases: list[Case]) -> list[tuple[str, str]]:
    refusals = []
    for case in cases:
        if case.program not in PANEL_PROGRAMS:
            refusals.append(("case-program", f"{case.id} is a {case.program} case; panels hear "
                                             f"{', '.join(PANEL_PROGRAMS)} cases"))
        elif case.status != CaseStatus.PANEL_SCHEDULED and \
                CaseStatus.PANEL_SCHEDULED not in lifecycle.allowed_next(case.program, case.status):
            refusals.append(("case-status", f"{case.id} is {case.status} and cannot go to a panel"))
    return refusals


def suggest(roster: Roster, slot: Slot, count: int | None) -> list[str]:
    """Eligible, available volunteers who serve every program the docket's cases are in, least
    recently seated first (spreads the load); None: all."""
    participants = roster.participants()
    programs: list[Program | None] = [*sorted({c.program for c in roster.cases.values()})] or [None]
    weekday = slot.date.strftime("%a").lower()
    eligible = []
    for volunteer in roster.volunteers.values():
        if any(volunteer.unfit(slot.date, participants, program=p) for p in programs) or \
                roster.busy(volunteer.id, slot):
            continue
        if volunteer.availability and not any(a.day == weekday and a.part == slot.part for a in volunteer.availability):
            continue
        eligible.append(volunteer)
    eligible.sort(key=lambda v: (roster.last_seated(v.id), v.id))
    return [v.id for v in eligible[:count]]


def _purpose(case: Case) -> PanelPurpose:
    return PanelPurpose.MID_TERM_REVIEW if case.agreements else PanelPurpose.AGREEMENT


def schedule(repo: Repository, *, slot: Slot, case_ids: list[str], volunteer_ids: list[str],
             place: str | None, video_link: str | None, purpose: PanelPurpose | None = None,
             program: Program | None = None, today: dt.date) -> Result:
    """Create the panel and move each case to panel-scheduled, in one commit."""
    if not case_ids:
        raise RjcError("a panel hears at least one case (--case)")
    if not place and not video_link:
        raise RjcError("give the panel a --place or a --video link")
    if slot.end <= slot.start:
        raise RjcError("a panel must end after it starts")
    with repo.transaction("panel schedule") as tx:
        roster = Roster.load(repo, case_ids)
        cases = list(roster.cases.values())
        refusals = docket_refusals(cases)
        if refusals:
            raise SchedulingError(refusals)
        program = panel_program(cases, program)
        refusals = seat_refusals(roster, volunteer_ids, slot, program)
        if refusals:
            raise SchedulingError(refusals)
        panel = Panel(
            id=tx.new_id("panel", slot.date.year), schema_version=SCHEMA_VERSION, program=program,
            date=slot.date, start=slot.start, end=slot.end, place=place, video_link=video_link,
            docket=[DocketEntry(case=c.id, purpose=purpose or _purpose(c)) for c in cases],
            seats=[Seat(volunteer=v) for v in volunteer_ids],
            history=[Change(date=today, by=tx.actor, action="scheduled")],
        )
        tx.stage(panel)
        for case in cases:
            if case.status != CaseStatus.PANEL_SCHEDULED:
                # a panel entered after it met was scheduled no later than its own date
                day = max(min(today, slot.date), case.status_history[-1].date)
                case.status_history.append(StatusEntry(status=CaseStatus.PANEL_SCHEDULED, date=day, by=tx.actor,
                                                       note=f"panel {panel.id} on {slot.date}"))
                tx.stage(case)
        return tx.commit("panel schedule")


def _load_panel(repo: Repository, panel_id: str) -> Panel:
    panel = repo.get(str(layout.parse_id(panel_id)))
    if not isinstance(panel, Panel):
        raise RjcError(f"{panel_id} is not a panel")
    return panel


def reschedule(repo: Repository, panel_id: str, *, date: dt.date | None, start: dt.time | None,
               end: dt.time | None, place: str | None, video_link: str | None, today: dt.date,
               note: str | None = None) -> Result:
    """Move a scheduled panel; its seats are checked again for the new time, history kept."""
    with repo.transaction("panel reschedule") as tx:
        panel = _load_panel(repo, panel_id)
        if panel.status != PanelStatus.SCHEDULED:
            raise RjcError(f"{panel.id} is {panel.status}; only a scheduled panel can be moved")
        length = dt.datetime.combine(panel.date, panel.end) - dt.datetime.combine(panel.date, panel.start)
        new_start = start or panel.start
        if end is None:  # keep the panel's length
            end = (dt.datetime.combine(panel.date, new_start) + length).time() if start else panel.end
        slot = Slot(date or panel.date, new_start, end)
        if slot.end <= slot.start:
            raise RjcError("a panel must end after it starts")
        was = f"from {panel.date} {panel.start:%H:%M}"
        roster = Roster.load(repo, [d.case for d in panel.docket])
        refusals = seat_refusals(roster, [s.volunteer for s in panel.seats], slot, panel.program, besides=panel.id)
        if refusals:
            raise SchedulingError(refusals)
        panel.date, panel.start, panel.end = slot.date, slot.start, slot.end
        if place or video_link:
            panel.place, panel.video_link = place, video_link
        # Notices of the old date are kept in the history; everyone must be told the new one.
        told = ", ".join(f"{n.to} {n.date}" for n in panel.notices)
        panel.notices = []
        panel.history.append(Change(date=today, by=tx.actor, action="rescheduled",
                                    note=was + (f"; notices sent: {told}" if told else "") + (f"; {note}" if note else "")))
        tx.stage(panel)
        return tx.commit("panel reschedule")


def cancel(repo: Repository, panel_id: str, *, today: dt.date, note: str | None = None) -> Result:
    """Cancel a panel; its cases go back to where they were before it was scheduled."""
    with repo.transaction("panel cancel") as tx:
        panel = _load_panel(repo, panel_id)
        if panel.status != PanelStatus.SCHEDULED:
            raise RjcError(f"{panel.id} is {panel.status}; only a scheduled panel can be cancelled")
        panel.status = PanelStatus.CANCELLED
        panel.history.append(Change(date=today, by=tx.actor, action="cancelled", note=note))
        tx.stage(panel)
        for entry in panel.docket:
            case = repo.get(entry.case)
            if isinstance(case, Case) and case.status == CaseStatus.PANEL_SCHEDULED and len(case.status_history) > 1:
                back = case.status_history[-2].status
                if back in lifecycle.allowed_next(case.program, case.status):
                    case.status_history.append(StatusEntry(status=back, date=max(today, case.status_history[-1].date),
                                                           by=tx.actor, note=f"panel {panel.id} cancelled"))
                    tx.stage(case)
        return tx.commit("panel cancel")


# What a panel's outcome for a case means for the case's status, where it moves it.
_OUTCOME_STATUS = {PanelOutcome.AGREEMENT_SIGNED: CaseStatus.AGREEMENT_SIGNED,
                   PanelOutcome.ON_TRACK: CaseStatus.MONITORING,
                   PanelOutcome.COMPLETED: CaseStatus.MONITORING}


def record(repo: Repository, panel_id: str, *, outcomes: dict[str, PanelOutcome], absent: list[str],
           attended: dict[str, list[str]], end: dt.time | None, today: dt.date) -> Result:
    """What happened: who came, each case's outcome, how long it took (volunteer hours)."""
    with repo.transaction("panel record") as tx:
        panel = _load_panel(repo, panel_id)
        if panel.status == PanelStatus.CANCELLED:
            raise RjcError(f"{panel.id} was cancelled")
        if panel.date > today:
            if panel.date > dt.date.today():
                raise RjcError(f"{panel.id} is on {panel.date}; it can be recorded once it has met")
            raise RjcError(f"{today} is before {panel.id} met ({panel.date}); nothing was changed")
        docket = {entry.case: entry for entry in panel.docket}
        unknown = sorted(set(outcomes) - set(docket)) + sorted(set(attended) - set(docket))
        if unknown:
            raise RjcError(f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not on {panel.id}'s docket")
        missing = sorted(set(docket) - set(outcomes))
        if missing:
            raise RjcError(f"give the outcome for {', '.join(missing)} (--outcome CASE=OUTCOME)")
        seated = [s.volunteer for s in panel.seats]
        strangers = sorted(set(absent) - set(seated))
        if strangers:
            raise RjcError(f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not seated on {panel.id}")
        if end is not None:
            if end <= panel.start:
                raise RjcError(f"the panel cannot end ({end:%H:%M}) before it starts ({panel.start:%H:%M})")
            panel.end = end
        for seat in panel.seats:
            seat.attended = seat.volunteer not in absent
            seat.hours = panel.length if seat.attended else None
        for case_id, entry in docket.items():
            case = repo.get(case_id)
            assert isinstance(case, Case)
            people = attended.get(case_id, [])
            strangers = sorted(set(people) - set(case.people()))
            if strangers:
                raise RjcError(f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not on {case_id}")
            entry.outcome, entry.attended = outcomes[case_id], people
            status = _OUTCOME_STATUS.get(outcomes[case_id])
            if status and status != case.status and status in lifecycle.allowed_next(case.program, case.status):
                case.status_history.append(StatusEntry(status=status, date=max(panel.date, case.status_history[-1].date),
                                                       by=tx.actor, note=f"panel {panel.id}"))
                tx.stage(case)
        panel.status = PanelStatus.HELD
        panel.history.append(Change(date=today, by=tx.actor, action="held"))
        tx.stage(panel)
        return tx.commit("panel record")


def notice_sent(repo: Repository, panel_id: str, to: Notice, *, day: dt.date) -> Result:
    with repo.transaction("panel notice") as tx:
        panel = _load_panel(repo, panel_id)
        if panel.status != PanelStatus.SCHEDULED:
            raise RjcError(f"{panel.id} is {panel.status}; notices are for a panel still to meet")
        if day > dt.date.today():
            raise RjcError(f"{day} is in the future; record a notice once it is sent")
        panel.notices.append(NoticeSent(to=to, date=day))
        tx.stage(panel)
        return tx.commit("panel notice")


def notices_due(panel: Panel) -> list[Notice]:
    """The notices a scheduled panel still calls for (a reschedule calls for them all again)."""
    if panel.status != PanelStatus.SCHEDULED:
        return []
    sent = {n.to for n in panel.notices}
    return [n for n in NOTICES if n not in sent]
