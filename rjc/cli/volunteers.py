"""Volunteers: rjc volunteer add, list, train, check, deactivate, activate, conflict,
availability, programs, hours."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

import typer

from rjc.cli.options import (
    AsOfOption,
    DateOption,
    YearOption,
    YesOption,
    event_day,
    format_option,
    offer_person_on_file,
)
from rjc.cli.repo import interactive, open_repository
from rjc.model.vocab import Program

volunteer_app = typer.Typer(help="The volunteer roster: register volunteers, their trainings, background checks, "
                                 "programs, availability and conflicts; their hours.", no_args_is_help=True)

VolunteerArg = Annotated[str, typer.Argument(metavar="VOLUNTEER", help="The volunteer's id (V-...).")]
TableFormat = Annotated[Literal["table", "json", "csv"], format_option()]
# What is asked of a new volunteer's person at the prompts; everything else: rjc edit.
PERSON_ASKED = ("given_name", "family_name", "date_of_birth", "phone", "email")


def _done(changed) -> None:
    from rjc.cli.output import committed, message

    for warning in getattr(changed, "warnings", []):
        message(f"Warning: {warning}")
    committed(changed)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


# --- add -------------------------------------------------------------------------------------


@volunteer_app.command("add")
def add(
    from_file: Annotated[Optional[str], typer.Option(
        "--from-file", "-f", metavar="FILE", help=(
            "YAML with person: (a new person's fields, or an existing person's id) and the volunteer's "
            "fields: trainings, background_checks, programs, availability, conflicts ('-' for stdin)."))] = None,
    since: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="Volunteering since (default today).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; name what is missing.")] = False,
) -> None:
    """Register a volunteer: the person and the volunteer record, in one commit. Prints the id.

    On a terminal, asks for the person (name, date of birth, phone, email) and the volunteer:
    trainings, background check (expiry default 3 years on), programs served, availability
    ('tue evening, thu evening'), conflicts (person ids). Identifying details come from the
    prompts or --from-file, never from the command line. Someone on file with the same name
    and date of birth is offered (or, without a terminal, used) instead of being entered twice.
    """
    from rjc.cli.output import message, read_source, say
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import volunteers as core

    repo = open_repository()
    ask = interactive(no_input)
    name = "<stdin>" if from_file == "-" else from_file or ""
    enrolment = core.read_volunteer_file(read_source(from_file), name) if from_file else core.Enrolment()
    if since:
        enrolment.fields["since"] = since.date()
    if not ask:
        missing = None
        if from_file is None:
            missing = "--from-file FILE (the person: and the volunteer's fields)"
        elif not enrolment.has_person:
            missing = f"person: in {name} (a new person's fields or an existing person's id)"
        if missing:
            raise UsageProblem(f"missing {missing}" + ("" if no_input else " (no terminal to ask on)")
                               + "; nothing was created")
    else:
        if not enrolment.has_person:
            _ask_person(repo, enrolment)
        offer_person_on_file(repo, enrolment, "This person")
        if enrolment.person:  # before asking the rest
            core.refuse_second_volunteer(repo, core.load_person(repo, enrolment.person).id)
        if from_file is None:
            _ask_volunteer(repo, enrolment)
    added = core.add_volunteer(repo, enrolment)
    say(added.volunteer)
    if added.reused:
        message(f"the person is already on file as {added.person} (same name and date of birth); used that record. "
                f"To update their details: rjc edit {added.person}")
    _done(core.Changed(added.result.commit, added.result.ids, added.warnings))


def _ask_person(repo, enrolment) -> None:
    from rjc.cli.records import ask
    from rjc.workflows import records

    typer.echo("The volunteer (identifying details are kept in the person record only).")
    existing = _retry(lambda text: text and _existing_person(repo, text),
                      "already on file? their person id [blank to skip]")
    if existing:
        enrolment.person = existing
        return
    enrolment.details = ask([q for q in records.questions("person") if q.name in PERSON_ASKED])


def _existing_person(repo, text: str) -> str:
    from rjc.workflows import volunteers as core

    return core.load_person(repo, text).id


def _ask_volunteer(repo, enrolment) -> None:
    from rjc.model.vocab import Program
    from rjc.workflows import volunteers as core

    today = dt.date.today()
    trainings: list[dict] = []
    while True:
        training = _optional(f"training {len(trainings) + 1}: name [blank to finish]")
        if not training:
            break
        trainings.append({"name": training, "date": _ask_date("  date", default=today, latest=today)})
    checked = _ask_date("background check: date [blank if not done yet]", default=None, latest=today)
    checks = []
    if checked:
        expires = _ask_date("  expires", default=core.default_expiry(checked), after=checked)
        checks.append({"date": checked, "expires": expires})
    programs = _retry(core.parse_programs,
                      f"programs served ({', '.join(p.value for p in Program)}; comma-separated) [blank to skip]")
    availability = _retry(core.parse_availability,
                          f"availability, e.g. {core.AVAILABILITY_EXAMPLE} [blank to skip]")
    conflicts = _retry(lambda text: core.parse_people(repo, text),
                       "people they must not sit with (person ids, comma-separated) [blank for none]")
    enrolment.fields.update({
        "trainings": trainings, "background_checks": checks, "programs": [p.value for p in programs],
        "availability": [a.model_dump(mode="json") for a in availability], "conflicts": conflicts,
    })


def _optional(label: str) -> str:
    return typer.prompt(label, default="", show_default=False).strip()


def _retry(parse, label: str):
    """Ask until `parse` accepts the answer; its RjcError says what is wrong."""
    from rjc.storage.errors import RjcError

    while True:
        try:
            return parse(_optional(label))
        except RjcError as exc:
            typer.echo(f"  {exc.message}", err=True)


def _ask_date(label: str, *, default: dt.date | None, latest: dt.date | None = None,
              after: dt.date | None = None) -> dt.date | None:
    while True:
        answer = typer.prompt(f"{label} (YYYY-MM-DD)", default=str(default) if default else "",
                              show_default=default is not None).strip()
        if not answer and default is None:
            return None
        try:
            value = dt.date.fromisoformat(answer)
        except ValueError:
            typer.echo(f"  not a date: {answer}", err=True)
            continue
        if latest and value > latest:
            typer.echo(f"  {value} is in the future; record it once it is done", err=True)
        elif after and value <= after:
            typer.echo(f"  it must be after {after}", err=True)
        else:
            return value


# --- list and hours --------------------------------------------------------------------------


@volunteer_app.command("list")
def list_(
    active: Annotated[Optional[bool], typer.Option(
        "--active/--inactive", help="Only active, or only inactive, volunteers.")] = None,
    program: Annotated[Optional[Program], typer.Option(
        case_sensitive=False, help="Only volunteers who serve this program.")] = None,
    available: Annotated[Optional[tuple[str, str]], typer.Option(
        metavar="DAY PART", help="Only volunteers available then, e.g. --available tue evening.")] = None,
    as_of: AsOfOption = None,
    fmt: TableFormat = "table",
) -> None:
    """The roster: ids and facts, never names.

    Each volunteer's programs, trainings, background check expiry, hours this Vermont fiscal
    year (July-June) and the last date they sat on a panel or a circle meeting.
    """
    from rjc.cli.output import message, print_rows
    from rjc.model import periods
    from rjc.storage.errors import RjcError, UsageProblem
    from rjc.workflows import volunteers as core

    today = _date(as_of) or dt.date.today()
    filters = core.RosterFilters(active=active, program=program)
    if available:
        try:
            filters.available = core.parse_availability(" ".join(available))[0]
        except (RjcError, IndexError):
            raise UsageProblem("--available takes DAY PART, e.g. --available tue evening "
                               "(days mon-sun, parts morning, afternoon, evening)") from None
    year = periods.fiscal_year(today, "vermont")
    rows = core.load_roster(open_repository(), year=year, today=today, filters=filters)
    print_rows(rows, core.COLUMNS, fmt, core.RANK)
    message(f"hours_fy: Vermont fiscal year {year.label} ({year.start} to {year.end})")


@volunteer_app.command("hours")
def hours(
    volunteer: VolunteerArg,
    from_: Annotated[Optional[dt.datetime], typer.Option(
        "--from", formats=["%Y-%m-%d"], help="From this date (inclusive).")] = None,
    to: Annotated[Optional[dt.datetime], typer.Option(
        "--to", formats=["%Y-%m-%d"], help="Up to this date (inclusive).")] = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    fmt: TableFormat = "table",
) -> None:
    """The volunteer's hours ledger: each held panel sat and CoSA circle meeting attended, and the total.

    A panel counts the seat's hours, else the panel's length when the seat was attended.
    --year: the whole fiscal year holding today (or --as-of). Without --from, --to or --year: the
    Vermont fiscal year holding today.
    """
    import json

    from rjc.cli.output import print_rows, say
    from rjc.model import periods
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import volunteers as core

    today = _date(as_of) or dt.date.today()
    start, end = _date(from_), _date(to)
    if year is not None:
        if start or end:
            raise UsageProblem("give --year, or --from and --to, not both")
        period = periods.fiscal_year(today, year)
        label = f"{year} {period.label}"
    elif start or end:
        if start and end and end < start:
            raise UsageProblem(f"--to {end} is before --from {start}")
        period = periods.Period(start or dt.date.min, end or dt.date.max, "")
        label = f"{start or 'the start'} to {end or 'today'}"
    else:
        period = periods.fiscal_year(today, "vermont")
        label = f"vermont {period.label}"
    ledger = core.load_ledger(open_repository(), volunteer, period)
    rows: list[dict[str, Any]] = [
        {"date": e.date, "kind": e.kind, "record": e.record, "program": e.program, "hours": e.hours}
        for e in ledger.entries]
    columns = ["date", "kind", "record", "program", "hours"]
    if fmt == "json":
        bounds = {"from": None if period.start == dt.date.min else period.start.isoformat(),
                  "to": None if period.end == dt.date.max else period.end.isoformat()}
        print(json.dumps({"volunteer": ledger.volunteer, **bounds, "entries": [
            {**row, "date": row["date"].isoformat(), "hours": str(row["hours"])} for row in rows],
            "total": str(ledger.total)}, indent=2))
        return
    if fmt == "csv":
        print_rows([*rows, {"kind": "total", "hours": ledger.total}], columns, fmt)
        return
    say(f"{ledger.volunteer}: hours, {label}" + (f" ({period.start} to {period.end})" if period.label else ""))
    if rows:
        print_rows(rows, columns, fmt, rank=["date", "record", "hours", "kind", "program"])
    say(f"total: {ledger.total} hours in {len(rows)} sitting{'' if len(rows) == 1 else 's'}")


# --- changes ---------------------------------------------------------------------------------


@volunteer_app.command("train")
def train(
    volunteer: VolunteerArg,
    name: Annotated[str, typer.Option(help="The training, e.g. 'Restorative panel training'.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Record a training the volunteer has completed."""
    from rjc.workflows import volunteers as core

    _done(core.add_training(open_repository(), volunteer, name, day=event_day(date, yes)))


@volunteer_app.command("check")
def check(
    volunteer: VolunteerArg,
    date: Annotated[dt.datetime, typer.Option(
        "--date", formats=["%Y-%m-%d"], help="When the background check was done (not in the future).")],
    expires: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="When it expires (default: 3 years after --date).")] = None,
) -> None:
    """Record a background check or its renewal; earlier checks are kept as they were."""
    from rjc.workflows import volunteers as core

    _done(core.add_check(open_repository(), volunteer, day=date.date(), expires=_date(expires)))


NoteOption = Annotated[Optional[str], typer.Option(
    help="Why, kept as the volunteer's note (it replaces the earlier one). No names: use ids.")]


@volunteer_app.command("deactivate")
def deactivate(volunteer: VolunteerArg, note: NoteOption = None) -> None:
    """Mark a volunteer inactive (not seated on new panels); warns about seats still ahead."""
    from rjc.workflows import volunteers as core

    _done(core.set_active(open_repository(), volunteer, False, note=note))


@volunteer_app.command("activate")
def activate(volunteer: VolunteerArg, note: NoteOption = None) -> None:
    """Mark a volunteer active again; says what still keeps them from being seated, if anything."""
    from rjc.workflows import volunteers as core

    _done(core.set_active(open_repository(), volunteer, True, note=note))


@volunteer_app.command("conflict")
def conflict(
    volunteer: VolunteerArg,
    with_: Annotated[str, typer.Option("--with", metavar="PERSON", help="The person's id (P-...).")],
    remove: Annotated[bool, typer.Option("--remove", help="Withdraw the declared conflict instead.")] = False,
) -> None:
    """Declare that a volunteer must not sit with a person (or withdraw it with --remove).

    Declaring warns about panels ahead and running circles where the two would meet.
    """
    from rjc.workflows import volunteers as core

    _done(core.set_conflict(open_repository(), volunteer, with_, remove=remove))


@volunteer_app.command("availability")
def availability(
    volunteer: VolunteerArg,
    set_: Annotated[str, typer.Option(
        "--set", metavar="SLOTS", help="Day and part pairs, e.g. 'tue evening, thu evening' ('' for none).")],
) -> None:
    """Set when the volunteer is available (replaces what was there)."""
    from rjc.workflows import volunteers as core

    _done(core.set_availability(open_repository(), volunteer, core.parse_availability(set_)))


@volunteer_app.command("programs")
def programs(
    volunteer: VolunteerArg,
    set_: Annotated[str, typer.Option(
        "--set", metavar="PROGRAMS",
        help="Programs, comma-separated, e.g. restorative-panel,mediation ('' for none).")],
) -> None:
    """Set the programs the volunteer serves (replaces what was there)."""
    from rjc.workflows import volunteers as core

    _done(core.set_programs(open_repository(), volunteer, core.parse_programs(set_)))


def register(app: typer.Typer) -> None:
    app.add_typer(volunteer_app, name="volunteer")
