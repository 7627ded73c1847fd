"""Panels: rjc panel schedule, reschedule, cancel, record, notice."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional, overload

import typer

from rjc.cli.options import DateOption, YesOption, day, done, event_day
from rjc.cli.repo import interactive, open_repository
from rjc.model.vocab import Notice, PanelOutcome, PanelPurpose, Program

panel_app = typer.Typer(help="Schedule volunteer panels, move or cancel them, record what happened.",
                        no_args_is_help=True)

PanelArg = Annotated[str, typer.Argument(metavar="PANEL", help="The panel's id.")]


@overload
def _time(value: str, name: str) -> dt.time: ...
@overload
def _time(value: str | None, name: str) -> dt.time | None: ...


def _time(value: str | None, name: str) -> dt.time | None:
    from rjc.storage.errors import UsageProblem

    if value is None:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"{name} takes a time as HH:MM, not '{value}'") from None


def _pairs(values: list[str] | None, name: str, example: str) -> dict[str, list[str]]:
    from rjc.storage.errors import UsageProblem

    pairs: dict[str, list[str]] = {}
    for value in values or []:
        key, sep, item = value.partition("=")
        if not sep or not key.strip() or not item.strip():
            raise UsageProblem(f"{name} takes {example}")
        pairs.setdefault(key.strip().upper(), []).append(item.strip())
    return pairs


def _past(when: dt.date, yes: bool) -> None:
    from rjc.cli.output import message
    from rjc.storage.errors import RjcError

    if when < dt.date.today():
        if not yes:
            raise RjcError(f"{when} is in the past; add --yes if that is what you mean")
        message(f"warning: {when} is in the past")


@panel_app.command("schedule")
def schedule(
    date: Annotated[dt.datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="The panel's date.")],
    time: Annotated[str, typer.Option("--time", help="Start time, HH:MM.")],
    case: Annotated[list[str], typer.Option("--case", metavar="CASE", help="A case it hears (repeatable).")],
    volunteer: Annotated[Optional[list[str]], typer.Option(
        "--volunteer", metavar="VOLUNTEER", help="A volunteer to seat (repeatable; 3-6).")] = None,
    suggest: Annotated[Optional[int], typer.Option(
        metavar="N", help="Propose N eligible, available volunteers, least recently seated first; at a terminal "
                          "they are shown with their names, and answering no offers the next N.")] = None,
    minutes: Annotated[int, typer.Option("--minutes", help="How long it is planned to last.")] = 90,
    place: Annotated[Optional[str], typer.Option(help="Where it meets.")] = None,
    video: Annotated[Optional[str], typer.Option(metavar="LINK", help="A video link, instead of or besides a place.")] = None,
    purpose: Annotated[Optional[PanelPurpose], typer.Option(case_sensitive=False, help=(
        "What it is for (default: agreement, or mid-term-review for a case that has one)."))] = None,
    program: Annotated[Optional[Literal["restorative-panel", "reentry-panel", "pre-charge-diversion"]], typer.Option(case_sensitive=False, help=(
        "The program it is filed under, counted in the reports (default: its cases' program; "
        "needed when the docket mixes programs)."))] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: accept suggested volunteers; allow a past date.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
) -> None:
    """Schedule a panel: checks every seating rule, then moves its cases to panel-scheduled.

    Refused, naming the rule: fewer than 3 or more than 6 seats; an inactive, untrained or
    background-check-expired volunteer; one seated elsewhere at an overlapping time; one with a
    declared conflict with a participant; a case that cannot go to a panel.
    """
    from rjc.cli.output import message, say
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import scheduling

    start = _time(time, "--time")
    end = (dt.datetime.combine(date.date(), start) + dt.timedelta(minutes=minutes)).time()
    if minutes <= 0 or end <= start:
        raise UsageProblem("--minutes must be positive and the panel must end the same day")
    slot = scheduling.Slot(date.date(), start, end)
    _past(slot.date, yes)
    repo = open_repository()
    seats = [v.upper() for v in volunteer or []]
    cases = [c.upper() for c in case]
    if suggest:
        seats += _suggested(repo, cases, slot, suggest, seated=seats, yes=yes, no_input=no_input)
    result = scheduling.schedule(repo, slot=slot, case_ids=cases, volunteer_ids=seats, place=place, video_link=video,
                                 purpose=purpose, program=Program(program) if program else None, today=dt.date.today())
    panel_id = next(i for i in result.ids if i.startswith("PN-"))
    say(panel_id)
    done(result)
    message(f"to notify: the referring agency (rjc letter panel-notice-agency CASE), the participants "
            f"(rjc letter panel-notice CASE), the volunteers; then: rjc panel notice {panel_id} --to ...")


def _suggested(repo, cases: list[str], slot, count: int, *, seated: list[str], yes: bool, no_input: bool) -> list[str]:
    """Volunteers to seat besides those `seated` (--volunteer), from the suggestions: accepted with
    --yes, or asked at a terminal, where the coordinator sees their names and a "no" offers the
    next ones."""
    import sys

    from rjc.cli.output import message, say
    from rjc.storage.errors import RjcError
    from rjc.workflows import records, scheduling

    roster = scheduling.Roster.load(repo, cases)
    ranked = [v for v in scheduling.suggest(roster, slot, None) if v not in seated]
    proposed = ranked[:count]
    if len(proposed) < count:
        message(f"only {len(proposed)} eligible, available volunteers for that time")
    asking = not yes and interactive(no_input)
    if not (asking and sys.stdout.isatty()):  # ids only: this may be a script's output or a log
        say("suggested: " + (" ".join(proposed) or "nobody"))
        if not yes and not (asking and proposed and typer.confirm("Seat them?", default=True)):
            raise RjcError("nothing was scheduled; accept with --yes, or seat with --volunteer")
        return proposed
    names = records.display_names(repo, set(ranked))  # for the coordinator's eyes, on the terminal only
    offered = 0
    while proposed:
        say("suggested, least recently seated first:" if offered == 0 else "the next ones:")
        for volunteer_id in proposed:
            say(f"  {volunteer_id}  {names.get(volunteer_id, '')}".rstrip())
        if typer.confirm("Seat them?", default=True):
            return proposed
        offered += len(proposed)
        proposed = ranked[offered:offered + count]
    raise RjcError("nothing was scheduled: no more eligible, available volunteers for that time; "
                   "seat with --volunteer")


@panel_app.command("reschedule")
def reschedule(
    panel_id: PanelArg,
    to: Annotated[Optional[dt.datetime], typer.Option(
        "--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="The panel's new date.")] = None,
    time: Annotated[Optional[str], typer.Option("--time", help="New start time, HH:MM (keeps the length).")] = None,
    place: Annotated[Optional[str], typer.Option(help="New place.")] = None,
    video: Annotated[Optional[str], typer.Option(metavar="LINK", help="New video link.")] = None,
    note: Annotated[Optional[str], typer.Option(help="Why (no names).")] = None,
    date: DateOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Allow a new date in the past, or a --date in the future.")] = False,
) -> None:
    """Move a scheduled panel; its seats are checked again; the old date stays in its history.

    --to is the panel's new date; --date, as for every change, the day the change was made
    (default today), which its history records.
    """
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import scheduling

    if not (to or time or place or video):
        raise UsageProblem("give what changes: --to (the new date), --time, --place or --video"
                           + ("; --date is the day the change was made" if date else ""))
    if to:
        _past(to.date(), yes)
    done(scheduling.reschedule(open_repository(), panel_id, date=to.date() if to else None,
                               start=_time(time, "--time"), end=None, place=place, video_link=video,
                               today=event_day(date, yes), note=note))


@panel_app.command("cancel")
def cancel(
    panel_id: PanelArg,
    note: Annotated[Optional[str], typer.Option(help="Why (no names).")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Cancel a scheduled panel; its cases go back to the status they had before it, on that date."""
    from rjc.workflows import scheduling

    done(scheduling.cancel(open_repository(), panel_id, today=event_day(date, yes), note=note))


@panel_app.command("record")
def record(
    panel_id: PanelArg,
    outcome: Annotated[Optional[list[str]], typer.Option(
        metavar="CASE=OUTCOME", help="Each case's outcome: agreement-signed, continued, on-track, completed, "
                                     "returned or no-show (repeatable; asked for on a terminal).")] = None,
    absent: Annotated[Optional[list[str]], typer.Option(
        metavar="VOLUNTEER", help="A seated volunteer who did not come (repeatable).")] = None,
    attended: Annotated[Optional[list[str]], typer.Option(
        metavar="CASE=PERSON", help="A participant who came (repeatable).")] = None,
    end: Annotated[Optional[str], typer.Option(help="When it actually ended, HH:MM (sets volunteer hours).")] = None,
    date: DateOption = None,
    yes: YesOption = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
) -> None:
    """Record a panel that met: attendance, each case's outcome, its length (volunteer hours).

    --date is the day this is recorded (not before the panel met); the cases' statuses take the panel's date."""
    from rjc.cli.choices import choice
    from rjc.model import Panel
    from rjc.workflows import scheduling

    when = event_day(date, yes)
    repo = open_repository()
    outcomes = {case: choice(PanelOutcome, values[-1], "--outcome")
                for case, values in _pairs(outcome, "--outcome", "CASE=OUTCOME").items()}
    panel = repo.get(panel_id.upper())
    if isinstance(panel, Panel) and interactive(no_input):
        choices = ", ".join(o.value for o in PanelOutcome)
        for entry in panel.docket:
            if entry.case not in outcomes:
                outcomes[entry.case] = _ask_outcome(f"Outcome for {entry.case} ({choices})")
    done(scheduling.record(repo, panel_id, outcomes=outcomes, absent=[v.upper() for v in absent or []],
                           attended={k: [p.upper() for p in v] for k, v in _pairs(attended, "--attended", "CASE=PERSON").items()},
                           end=_time(end, "--end"), today=when))


@panel_app.command("notice")
def notice(
    panel_id: PanelArg,
    to: Annotated[Notice, typer.Option(case_sensitive=False, help="Who it was sent to.")],
    date: Annotated[Optional[dt.datetime], typer.Option(
        "--date", formats=["%Y-%m-%d"], help="When it was sent (default today).")] = None,
) -> None:
    """Record that a panel's notice was sent to the referring agency, participants or volunteers."""
    from rjc.workflows import scheduling

    done(scheduling.notice_sent(open_repository(), panel_id, to, day=day(date)))


def _ask_outcome(label: str) -> PanelOutcome:
    """Ask until the answer is one of the outcomes."""
    while True:
        answer = typer.prompt(label).strip().lower()
        if answer in set(PanelOutcome):
            return PanelOutcome(answer)
        typer.echo(f"  choose one of: {', '.join(PanelOutcome)}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(panel_app, name="panel")
