"""CoSA circles and STAR internships: rjc circle ..., rjc internship ..."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Optional

import typer

from rjc.cli.options import AsOfOption, DateOption, YesOption, event_day, number
from rjc.cli.repo import open_repository
from rjc.model.vocab import CirclePhase, CircleRole

circle_app = typer.Typer(help="CoSA circles: roster, weekly meetings, phases.", no_args_is_help=True)
internship_app = typer.Typer(help="STAR internships: host business, dates, hours, skills, references.",
                             no_args_is_help=True)

CaseArgument = Annotated[str, typer.Argument(metavar="CASE", help="The case.")]
VolunteerArgument = Annotated[str, typer.Argument(metavar="VOLUNTEER", help="The volunteer's id (V-...).")]


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _done(outcome) -> None:
    from rjc.cli.output import committed, message

    for warning in getattr(outcome, "warnings", []):
        message(f"Warning: {warning}")
    for notice in getattr(outcome, "notices", []):
        message(notice)
    committed(outcome)


# --- circles ---------------------------------------------------------------------------------


@circle_app.command("add")
def circle_add(
    case_id: CaseArgument,
    volunteer: VolunteerArgument,
    role: Annotated[CircleRole, typer.Option(case_sensitive=False, help="The seat's role.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Seat a volunteer on a CoSA case's circle (the circle is created, forming, if it has none).

    The volunteer must be active, trained, with a background check current that day, not
    already seated, with no declared conflict with anyone on the case; at most 5 active seats.
    """
    from rjc.workflows import programs

    _done(programs.seat_volunteer(open_repository(), case_id, volunteer, role,
                                  day=event_day(date, yes)))


@circle_app.command("leave")
def circle_leave(
    case_id: CaseArgument,
    volunteer: VolunteerArgument,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """A volunteer leaves the circle; the roster keeps their seat, dated. Warns below 3 seats."""
    from rjc.workflows import programs

    _done(programs.unseat_volunteer(open_repository(), case_id, volunteer, day=event_day(date, yes)))


@circle_app.command("meeting")
def circle_meeting(
    case_id: CaseArgument,
    hours: Annotated[str, typer.Option(help="How long the meeting lasted, in hours, e.g. 1.5.")],
    attended: Annotated[Optional[list[str]], typer.Option(
        "--attended", metavar="VOLUNTEER", help="A volunteer who came (volunteer id; repeatable).")] = None,
    core_member_absent: Annotated[bool, typer.Option(
        "--core-member-absent", help="The core member did not come.")] = False,
    no_note: Annotated[bool, typer.Option(
        "--no-note", help="Log it without a note: neither prompt nor read standard input.")] = False,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Log a circle meeting. An optional note is typed at the prompt or read from stdin, never argv."""
    from rjc.workflows import programs

    hours_value = number(hours, "--hours")
    text = ""
    if not no_note:
        if sys.stdin.isatty():
            text = typer.prompt("Note (blank for none)", default="", show_default=False)
        else:
            text = sys.stdin.read()
    _done(programs.log_meeting(open_repository(), case_id, day=event_day(date, yes), hours=hours_value,
                               attended=attended or [], core_member_attended=not core_member_absent,
                               note=text.strip() or None))


@circle_app.command("phase")
def circle_phase(
    case_id: CaseArgument,
    phase: Annotated[CirclePhase, typer.Argument(metavar="PHASE", case_sensitive=False, help="The phase it moves to.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Move the circle forward (forming, phase-1, phase-2, phase-3, ended).

    Phases 1-3 need at least 3 active seats; the first of them starts the circle (and moves a case
    at intake to in-circle). Ending before 12 months since the start is allowed, with a warning.
    """
    from rjc.workflows import programs

    _done(programs.move_phase(open_repository(), case_id, phase, day=event_day(date, yes)))


@circle_app.command("show")
def circle_show(
    case_id: CaseArgument,
    as_of: AsOfOption = None,
) -> None:
    """The circle of a CoSA case: phase, dates, roster with roles, seats, meetings and hours."""
    from rjc.cli.output import say
    from rjc.workflows import programs

    case = programs.load_cosa_case(open_repository(), case_id)
    summary = programs.circle_summary(case, _day(as_of))
    if summary is None:
        say(f"{case.id} has no circle yet; seat its volunteers with: rjc circle add {case.id} VOLUNTEER --role ROLE")
        return
    low, high = programs.CIRCLE_SEATS
    say(f"circle of {summary.case} (case {summary.status})")
    say(f"phase: {summary.phase}")
    say(f"started: {summary.started or '-'}"
        + (f" (12 months on {summary.year_mark})" if summary.year_mark else ""))
    say(f"ended: {summary.ended or '-'}")
    seats = f"active seats: {summary.active_seats} ({low}-{high} expected)"
    if summary.seats_short:
        seats += f"; below {low}: seat more with: rjc circle add {summary.case} VOLUNTEER --role ROLE"
    say(seats)
    say("roster:")
    for seat in summary.roster:
        left = f", left {seat.left}" if seat.left else ""
        say(f"  {seat.volunteer}  {seat.role}  joined {seat.joined}{left}")
    if not summary.roster:
        say("  (nobody)")
    say(f"meetings: {summary.meetings}, {summary.hours} hours ({summary.volunteer_hours} volunteer hours)")
    if summary.last_meeting:
        weeks = summary.weeks_since_last_meeting
        say(f"last meeting: {summary.last_meeting}, {weeks} week{'' if weeks == 1 else 's'} ago")
    else:
        say("last meeting: -")


# --- internships -----------------------------------------------------------------------------


@internship_app.command("set")
def internship_set(
    case_id: CaseArgument,
    host: Annotated[Optional[str], typer.Option(
        metavar="BUSINESS", help=(
            "The host business: its organization id (O-2026-KB-0001) or its name (a business's, never a person's); "
            "the name of one organization on file links it."))] = None,
    grant: Annotated[Optional[str], typer.Option(help="The grant that funds it.")] = None,
    start: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="First day.")] = None,
    end: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Last day.")] = None,
) -> None:
    """Set up a STAR case's internship, or change its host, grant or dates."""
    from rjc.workflows import programs

    _done(programs.set_internship(open_repository(), case_id, host=host, grant=grant,
                                  start=start.date() if start else None, end=end.date() if end else None))


@internship_app.command("hours")
def internship_hours(
    case_id: CaseArgument,
    hours: Annotated[str, typer.Option(help="Hours worked, e.g. 8 or 3.5.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Log hours worked; they must fall inside the internship's dates when those are set."""
    from rjc.workflows import programs

    _done(programs.log_internship_hours(open_repository(), case_id, number(hours, "--hours"), day=event_day(date, yes)))


@internship_app.command("skill")
def internship_skill(
    case_id: CaseArgument,
    add: Annotated[str, typer.Option("--add", metavar="TEXT", help="A skill the intern has learned.")],
) -> None:
    """Add a skill learned during the internship."""
    from rjc.workflows import programs

    _done(programs.add_skill(open_repository(), case_id, add))


@internship_app.command("reference")
def internship_reference(
    case_id: CaseArgument,
    add: Annotated[str, typer.Option("--add", metavar="TEXT",
                                     help="A reference gained, e.g. 'letter from the host supervisor' (no names).")],
) -> None:
    """Add a reference the intern has gained."""
    from rjc.workflows import programs

    _done(programs.add_reference(open_repository(), case_id, add))


@internship_app.command("show")
def internship_show(case_id: CaseArgument) -> None:
    """The internship of a STAR case: host, grant, dates, total hours, skills and references."""
    from rjc.cli.output import say
    from rjc.workflows import programs

    case = programs.load_star_case(open_repository(), case_id)
    internship = case.internship
    if internship is None:
        say(f"{case.id} has no internship yet; set it up with: rjc internship set {case.id} --host BUSINESS")
        return
    say(f"internship of {case.id} (case {case.status})")
    say(f"host: {internship.host}" + (f" ({internship.host_org})" if internship.host_org else ""))
    say(f"grant: {internship.grant or '-'}")
    say(f"dates: {internship.start or '-'} to {internship.end or '-'}")
    entries = len(internship.hours)
    say(f"hours: {programs.internship_hours(internship)} ({entries} entr{'y' if entries == 1 else 'ies'})")
    say("skills: " + ("; ".join(internship.skills) or "-"))
    say("references: " + ("; ".join(internship.references) or "-"))


def register(app: typer.Typer) -> None:
    app.add_typer(circle_app, name="circle")
    app.add_typer(internship_app, name="internship")
