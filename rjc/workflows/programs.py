"""What CoSA circles and STAR internships track, changed one transaction (one commit) at a time.

CoSA (Circles of Support and Accountability): a circle of 3-5 community volunteers around one
core member, meeting weekly for at least 12 months.

- The roster keeps its history: a volunteer is seated (`joined`) and later leaves (`left`); a
  seat is *active* until its volunteer leaves. A volunteer is seated only if active, trained by
  that day, covered by a background check on that day, not already seated on this circle, free
  of any declared conflict with someone on the case (the core member above all), and only while
  the circle has fewer than 5 active seats.
- Phases go forward only: forming -> phase-1 -> phase-2 -> phase-3 -> ended (a phase may be
  skipped). Ending is allowed from any phase, sets `ended`, and warns (without refusing) when it
  comes before 12 months since the circle started. An ended circle takes no further changes.
- Being "in circle" needs 3-5 active seats: the circle cannot move into phase-1, -2 or -3 with
  fewer than 3 active seats. The first move out of forming *starts* the circle: `started` is that
  day (the 12 months count from it), and a case at intake moves to in-circle in the same commit;
  a case still at referred must go through intake first. The record rules in rjc.checks keep a
  case from being in-circle before its circle has started (so `rjc case status CASE in-circle`
  cannot run ahead of the roster), and warn about a running circle below 3 active seats.
- A volunteer may leave at any time: the change is made, with a warning when it leaves a running
  circle below 3 active seats (the circle carries on while a volunteer is recruited, but cannot
  move phase until then).
- Meetings are logged only while the circle runs (from its start until it ends), one per day,
  with the hours it lasted and the volunteers who came: each must be on the roster that day.

STAR (Skills Training to Assist Reintegration): a grant-funded internship with a local business
(the host is a business, never a person), its dates, hours worked (inside the dates when they
are set), skills learned and references gained. Setting it up does not move the case; the
coordinator moves it to in-internship (`rjc case status`), which the record rules allow only
once the internship is set up.

Every change refuses closed cases and cases of another program, writes nothing when refused, and
commits with an id-only subject (the transaction's "ACTION ID" form).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from rjc.checks import CIRCLE_SEATS
from rjc.model import Case, Person, Volunteer
from rjc.model.case import Circle, CircleMeeting, CircleSeat, Internship, StatusEntry, WorkedHours
from rjc.model.vocab import CaseStatus, CirclePhase, CircleRole, Program
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.casework import load_case, refuse_if_before
from rjc.workflows.repository import Repository

CIRCLE_MONTHS = 12
MAX_MEETING_HOURS = Decimal("24")
_PHASES = list(CirclePhase)
RUNNING_PHASES = (CirclePhase.PHASE_1, CirclePhase.PHASE_2, CirclePhase.PHASE_3)


@dataclass
class Outcome(Result):
    """A committed change, with what the coordinator should be told about it."""

    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _outcome(result: Result, warnings: list[str] | None = None, notices: list[str] | None = None) -> Outcome:
    return Outcome(result.commit, result.ids, warnings or [], notices or [])


# --- shared ----------------------------------------------------------------------------------


def _program_case(repo: Repository, case_id: str, program: Program, what: str) -> Case:
    """The case, if it is of `program` and open."""
    case = load_case(repo, case_id)
    if case.program != program:
        raise RjcError(f"{what} are for {program} cases; {case.id} is a {case.program} case")
    if case.status == CaseStatus.CLOSED:
        raise RjcError(f"{case.id} is closed; reopen it first with: rjc case reopen {case.id}")
    return case


def _positive_hours(hours: Decimal, limit: Decimal | None = None, what: str = "") -> Decimal:
    if not isinstance(hours, Decimal):
        hours = Decimal(str(hours))
    if not hours.is_finite() or hours <= 0:
        raise RjcError("hours must be more than 0")
    if limit is not None and hours > limit:
        raise RjcError(f"{what} lasts at most {limit} hours, not {hours}")
    return hours


def one_year_after(day: dt.date) -> dt.date:
    """The same day a year later (Feb 29 -> Feb 28)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


# --- CoSA circles ----------------------------------------------------------------------------


def active_seats(circle: Circle) -> list[CircleSeat]:
    """Seats whose volunteer has not left."""
    return [seat for seat in circle.roster if seat.left is None]


def seated_on(circle: Circle, volunteer_id: str, day: dt.date) -> bool:
    """Whether the volunteer held a seat on that day (the day they leave still counts)."""
    return any(seat.volunteer == volunteer_id and seat.joined <= day and (seat.left is None or day <= seat.left)
               for seat in circle.roster)


def _cosa_case(repo: Repository, case_id: str) -> Case:
    return _program_case(repo, case_id, Program.COSA, "circles")


def _circle(case: Case) -> Circle:
    """The case's circle, if it has one that has not ended."""
    if case.circle is None:
        raise RjcError(f"{case.id} has no circle yet; seat its volunteers with: "
                       f"rjc circle add {case.id} VOLUNTEER --role ROLE")
    _not_ended(case, case.circle)
    return case.circle


def _not_ended(case: Case, circle: Circle) -> None:
    if circle.phase == CirclePhase.ENDED:
        raise RjcError(f"the circle of {case.id} ended on {circle.ended}; nothing was changed")


def _volunteer(repo: Repository, volunteer_id: str) -> Volunteer:
    record = repo.get(volunteer_id)
    if not isinstance(record, Volunteer):
        raise RjcError(f"{volunteer_id} is not a volunteer")
    return record


def seat_volunteer(repo: Repository, case_id: str, volunteer_id: str, role: CircleRole = CircleRole.MEMBER, *,
                   day: dt.date) -> Outcome:
    """Seat a volunteer on a case's circle (creating the circle, in forming, if it has none).

    Refused: a volunteer not active, with no training by `day`, with no background check
    covering `day`, already seated on this circle, with a declared conflict with someone on the
    case; and a sixth active seat.
    """
    with repo.transaction("circle add") as tx:
        case = _cosa_case(repo, case_id)
        circle = case.circle or Circle()
        _not_ended(case, circle)
        refuse_if_before(day, case.opened, "the case was opened")
        volunteer = _volunteer(repo, volunteer_id)
        vid = volunteer.id
        active = active_seats(circle)
        if any(seat.volunteer == vid for seat in active):
            raise RjcError(f"{vid} is already on the circle of {case.id}")
        unfit = volunteer.unfit(day, case.people())
        if unfit:
            raise RjcError("; ".join(f"{message} [{rule}]" for rule, message in unfit))
        low, high = CIRCLE_SEATS
        if len(active) >= high:
            raise RjcError(f"the circle of {case.id} already has {high} active seats, the most a circle has; "
                           f"someone must leave first (rjc circle leave {case.id} VOLUNTEER)")
        earlier = [seat.left for seat in circle.roster if seat.volunteer == vid and seat.left]
        if earlier:
            refuse_if_before(day, max(earlier), f"{vid} last left the circle")
        circle.roster.append(CircleSeat(volunteer=vid, role=role, joined=day))
        case.circle = circle
        warnings = []
        if Program.COSA not in volunteer.programs:
            warnings.append(f"{vid} does not list cosa among the programs they serve")
        tx.stage(case)
        return _outcome(tx.commit("circle add"), warnings)


def unseat_volunteer(repo: Repository, case_id: str, volunteer_id: str, *, day: dt.date) -> Outcome:
    """A volunteer leaves the circle: their seat gets `left`; the roster keeps it.

    Allowed even when it leaves fewer than 3 active seats (with a warning): people do leave, and
    the record must say so; the circle cannot move phase until it has 3 again.
    """
    with repo.transaction("circle leave") as tx:
        case = _cosa_case(repo, case_id)
        circle = _circle(case)
        vid = volunteer_id.strip().upper()
        seat = next((s for s in active_seats(circle) if s.volunteer == vid), None)
        if seat is None:
            raise RjcError(f"{vid} is not on the circle of {case.id}")
        refuse_if_before(day, seat.joined, f"{vid} joined the circle")
        later = [m.date for m in circle.meetings if m.date > day and vid in m.attended]
        if later:
            raise RjcError(f"{vid} attended the meeting of {max(later)}, after {day}; nothing was changed")
        seat.left = day
        warnings = []
        remaining = len(active_seats(circle))
        if circle.phase in RUNNING_PHASES and remaining < CIRCLE_SEATS[0]:
            warnings.append(f"the circle of {case.id} now has {remaining} active seats; a circle needs "
                            f"{CIRCLE_SEATS[0]}-{CIRCLE_SEATS[1]}: seat another with: rjc circle add {case.id} VOLUNTEER")
        tx.stage(case)
        return _outcome(tx.commit("circle leave"), warnings)


def log_meeting(repo: Repository, case_id: str, *, day: dt.date, hours: Decimal, attended: list[str],
                core_member_attended: bool = True, note: str | None = None) -> Outcome:
    """Log a circle meeting: how long it lasted, which volunteers came, whether the core member did.

    Only while the circle runs (started, not ended), not before the case opened or the circle
    started, one meeting a day, and only volunteers on the roster that day.
    """
    hours = _positive_hours(hours, MAX_MEETING_HOURS, "a meeting")
    volunteers = list(dict.fromkeys(v.strip().upper() for v in attended))
    if not volunteers:
        raise RjcError("name the volunteers who came (--attended VOLUNTEER, repeatable)")
    with repo.transaction("circle meeting") as tx:
        case = _cosa_case(repo, case_id)
        circle = _circle(case)
        refuse_if_before(day, case.opened, "the case was opened")
        if circle.started is None:
            raise RjcError(f"the circle of {case.id} has not started; when it has at least {CIRCLE_SEATS[0]} "
                           f"volunteers, start it with: rjc circle phase {case.id} phase-1")
        refuse_if_before(day, circle.started, "the circle started")
        absent = [v for v in volunteers if not seated_on(circle, v, day)]
        if absent:
            raise RjcError(f"{', '.join(absent)} {'is' if len(absent) == 1 else 'are'} not on the circle of "
                           f"{case.id} on {day}")
        if any(m.date == day for m in circle.meetings):
            raise RjcError(f"a meeting on {day} is already logged for {case.id}; nothing was changed")
        circle.meetings.append(CircleMeeting.new(date=day, attended=volunteers, core_member_attended=core_member_attended,
                                             hours=hours, note=note or None))
        circle.meetings.sort(key=lambda m: m.date)
        tx.stage(case)
        return _outcome(tx.commit("circle meeting"))


def move_phase(repo: Repository, case_id: str, phase: CirclePhase, *, day: dt.date) -> Outcome:
    """Move a circle forward: forming -> phase-1 -> phase-2 -> phase-3 -> ended.

    Moving into phase-1, -2 or -3 needs at least 3 active seats. The first such move starts the
    circle (`started` = day) and moves a case at intake to in-circle in the same commit. Ending
    sets `ended` and warns when it is before 12 months since the circle started.
    """
    with repo.transaction("circle phase") as tx:
        case = _cosa_case(repo, case_id)
        circle = _circle(case)
        if _PHASES.index(phase) <= _PHASES.index(circle.phase):
            later = ", ".join(p.value for p in _PHASES[_PHASES.index(circle.phase) + 1:])
            raise RjcError(f"circles move forward only: the circle of {case.id} is in {circle.phase}; "
                           f"it can move to: {later}")
        refuse_if_before(day, case.opened, "the case was opened")
        if circle.started:
            refuse_if_before(day, circle.started, "the circle started")
        if circle.meetings:
            refuse_if_before(day, circle.meetings[-1].date, "its last meeting")
        warnings: list[str] = []
        notices: list[str] = []
        if phase in RUNNING_PHASES:
            seats = len(active_seats(circle))
            if seats < CIRCLE_SEATS[0]:
                raise RjcError(f"a circle needs at least {CIRCLE_SEATS[0]} active seats to be in {phase}; "
                               f"the circle of {case.id} has {seats}: seat more with: "
                               f"rjc circle add {case.id} VOLUNTEER --role ROLE")
            if circle.started is None:
                _start(case, circle, day, tx.actor, notices)
        else:  # ended
            circle.ended = day
            if circle.started is None:
                warnings.append(f"the circle of {case.id} ends without having started")
            elif day < one_year_after(circle.started):
                warnings.append(f"the circle of {case.id} ends on {day}, before {CIRCLE_MONTHS} months since it "
                                f"started ({circle.started}); circles meet for at least {CIRCLE_MONTHS} months")
        circle.phase = phase
        tx.stage(case)
        return _outcome(tx.commit("circle phase"), warnings, notices)


def _start(case: Case, circle: Circle, day: dt.date, actor: str, notices: list[str]) -> None:
    if case.status == CaseStatus.REFERRED:
        raise RjcError(f"{case.id} is still at referred; take it through intake first: "
                       f"rjc case status {case.id} intake")
    circle.started = day
    if case.status == CaseStatus.INTAKE:
        refuse_if_before(day, case.status_history[-1].date, "its last status change")
        case.status_history.append(StatusEntry(status=CaseStatus.IN_CIRCLE, date=day, by=actor, note="circle started"))
        notices.append(f"{case.id} is now {CaseStatus.IN_CIRCLE}")


@dataclass
class CircleSummary:
    case: str
    status: CaseStatus
    phase: CirclePhase
    started: dt.date | None
    ended: dt.date | None
    year_mark: dt.date | None  # 12 months after the start
    roster: list[CircleSeat]
    active_seats: int
    meetings: int
    hours: Decimal  # meeting hours
    volunteer_hours: Decimal  # meeting hours times volunteers who came
    last_meeting: dt.date | None
    weeks_since_last_meeting: int | None
    seats_short: bool  # fewer than 3 active seats on a circle that has not ended


def circle_summary(case: Case, today: dt.date) -> CircleSummary | None:
    """The circle's state as of `today`; None when the case has no circle yet."""
    circle = case.circle
    if circle is None:
        return None
    last = max((m.date for m in circle.meetings), default=None)
    seats = len(active_seats(circle))
    return CircleSummary(
        case=case.id, status=case.status, phase=circle.phase, started=circle.started, ended=circle.ended,
        year_mark=one_year_after(circle.started) if circle.started else None,
        roster=list(circle.roster), active_seats=seats, meetings=len(circle.meetings),
        hours=sum((m.hours for m in circle.meetings), Decimal("0")),
        volunteer_hours=sum((m.hours * len(m.attended) for m in circle.meetings), Decimal("0")),
        last_meeting=last, weeks_since_last_meeting=(today - last).days // 7 if last else None,
        seats_short=circle.phase != CirclePhase.ENDED and seats < CIRCLE_SEATS[0],
    )


def load_cosa_case(repo: Repository, case_id: str) -> Case:
    """A CoSA case, open or closed (for showing)."""
    case = load_case(repo, case_id)
    if case.program != Program.COSA:
        raise RjcError(f"circles are for cosa cases; {case.id} is a {case.program} case")
    return case


# --- STAR internships ------------------------------------------------------------------------


def _star_case(repo: Repository, case_id: str) -> Case:
    return _program_case(repo, case_id, Program.STAR, "internships")


def load_star_case(repo: Repository, case_id: str) -> Case:
    """A STAR case, open or closed (for showing)."""
    case = load_case(repo, case_id)
    if case.program != Program.STAR:
        raise RjcError(f"internships are for star cases; {case.id} is a {case.program} case")
    return case


def _internship(case: Case) -> Internship:
    if case.internship is None:
        raise RjcError(f"{case.id} has no internship yet; set it up with: rjc internship set {case.id} --host BUSINESS")
    return case.internship


def _host_on_file(repo: Repository, host: str) -> tuple[str, str | None]:
    """(the host's name, its organization's id): an id or the name of one organization on file
    links it; other text is kept as the name."""
    from rjc.workflows import organizations

    found = organizations.resolve(repo, host, "host")
    return (found.org.name, found.org.id) if found.org else (host, None)


def _check_host(repo: Repository, case: Case, host: str) -> str:
    """The host is a business: refuse a person's id, or the name of someone on the case."""
    from rjc.storage import layout

    host = host.strip()
    if not host:
        raise RjcError("name the host business (--host)")
    if layout.PEOPLE_ID.search(host.upper()):
        raise RjcError("the host is a business: give the business's name, not a person's id")
    for person_id in case.people():
        person = repo.get(person_id)
        if isinstance(person, Person):
            names = {person.display_name, person.given_name,
                     f"{person.given_name} {person.family_name or ''}".strip()}
            if host.casefold() in {n.casefold() for n in names if n}:  # a merged-away person has no name
                raise RjcError(f"the host is a business, not someone on {case.id}; give the business's name")
    return host


def set_internship(repo: Repository, case_id: str, *, host: str | None = None, grant: str | None = None,
                   start: dt.date | None = None, end: dt.date | None = None) -> Outcome:
    """Set up a STAR internship, or change its host, grant or dates (what is not given stays).

    A new internship needs its host business. Dates: start not before the case opened, end not
    before start, and every hours entry already logged must stay inside them.
    """
    if host is None and grant is None and start is None and end is None:
        raise RjcError("give at least one of --host, --grant, --start, --end")
    with repo.transaction("internship set") as tx:
        case = _star_case(repo, case_id)
        host_org = None
        if host is not None:
            host, host_org = _host_on_file(repo, _check_host(repo, case, host))
        internship = case.internship
        if internship is None:
            if not host:
                raise RjcError(f"{case.id} has no internship yet; name its host business (--host)")
            internship = Internship(host=host)
        if host:
            internship.host, internship.host_org = host, host_org
        if grant is not None:
            if not grant.strip():
                raise RjcError("--grant cannot be blank")
            internship.grant = grant.strip()
        if start is not None:
            refuse_if_before(start, case.opened, "the case was opened")
            internship.start = start
        if end is not None:
            internship.end = end
        if internship.start and internship.end and internship.end < internship.start:
            raise RjcError(f"the internship would end ({internship.end}) before it starts ({internship.start}); "
                           "nothing was changed")
        outside = [h.date for h in internship.hours if not _within(internship, h.date)]
        if outside:
            raise RjcError(f"hours are logged on {', '.join(str(d) for d in outside)}, outside "
                           f"{_span(internship)}; nothing was changed")
        case.internship = internship
        tx.stage(case)
        return _outcome(tx.commit("internship set"))


def _within(internship: Internship, day: dt.date) -> bool:
    return (internship.start is None or internship.start <= day) and (internship.end is None or day <= internship.end)


def _span(internship: Internship) -> str:
    return f"the internship's dates ({internship.start or '...'} to {internship.end or '...'})"


def log_internship_hours(repo: Repository, case_id: str, hours: Decimal, *, day: dt.date) -> Outcome:
    """Hours worked on a day (or in the week ending that day): positive, inside the internship's dates."""
    hours = _positive_hours(hours)
    with repo.transaction("internship hours") as tx:
        case = _star_case(repo, case_id)
        internship = _internship(case)
        refuse_if_before(day, case.opened, "the case was opened")
        if not _within(internship, day):
            raise RjcError(f"{day} is outside {_span(internship)}; nothing was changed")
        internship.hours.append(WorkedHours.new(date=day, hours=hours))
        internship.hours.sort(key=lambda h: h.date)
        tx.stage(case)
        return _outcome(tx.commit("internship hours"))


def _add_text(repo: Repository, case_id: str, text: str, field_name: str, action: str) -> Outcome:
    text = (text or "").strip()
    what = field_name.rstrip("s")
    if not text:
        raise RjcError(f"the {what} cannot be blank")
    with repo.transaction(action) as tx:
        case = _star_case(repo, case_id)
        entries = getattr(_internship(case), field_name)
        if text.casefold() in {e.casefold() for e in entries}:
            raise RjcError(f"that {what} is already listed on {case.id}")
        entries.append(text)
        tx.stage(case)
        return _outcome(tx.commit(action))


def add_skill(repo: Repository, case_id: str, skill: str) -> Outcome:
    """A skill the intern has learned."""
    return _add_text(repo, case_id, skill, "skills", "internship skill")


def add_reference(repo: Repository, case_id: str, reference: str) -> Outcome:
    """A reference the intern has gained (e.g. a letter from the host supervisor; no names)."""
    return _add_text(repo, case_id, reference, "references", "internship reference")


def internship_hours(internship: Internship) -> Decimal:
    return sum((h.hours for h in internship.hours), Decimal("0"))
