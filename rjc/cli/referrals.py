"""Referrals: rjc referral new, accept, decline, return."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

from rjc.cli.options import (
    DateOption,
    YesOption,
    checked_prompt,
    done,
    email_problem,
    event_day,
    offer_person_on_file,
    phone_problem,
    save_or_abandon,
    summary_lines,
)
from rjc.cli.repo import interactive, open_repository
from rjc.model.vocab import Program, ReferralSource

referral_app = typer.Typer(help="Take a referral in, then accept it (opening a case), decline or return it.",
                           no_args_is_help=True)

@referral_app.command("new")
def new(
    program: Annotated[Optional[Program], typer.Option(case_sensitive=False, help="The program asked for.")] = None,
    source: Annotated[Optional[ReferralSource], typer.Option(
        case_sensitive=False, help="Who referred it.")] = None,
    received: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="When it came in (default today).")] = None,
    agency: Annotated[Optional[str], typer.Option(help=(
        "The referring agency: its organization id (O-2026-KB-0001) or its name; a name not on file is kept as text."))] = None,
    docket: Annotated[Optional[str], typer.Option(help="Docket or DA number.")] = None,
    offense_date: Annotated[Optional[dt.datetime], typer.Option(
        "--offense-date", formats=["%Y-%m-%d"], help="When the offense or harm happened.")] = None,
    town: Annotated[Optional[str], typer.Option(help="The town where it happened.")] = None,
    charge: Annotated[Optional[list[str]], typer.Option(
        "--charge", metavar="CHARGE", help="A charge, e.g. 'retail theft' (repeatable).")] = None,
    person: Annotated[Optional[list[str]], typer.Option(
        "--person", metavar="ID=ROLE", help="Someone already on file, by id, with their role (repeatable).")] = None,
    person_file: Annotated[Optional[str], typer.Option(
        "--person-file", metavar="FILE", help=(
            "YAML with the people involved (people: - role: victim, given_name: ..., or person: ID; "
            "different_person: true for a new person who shares a name on file) and, "
            "optionally, contact:, harm:, charges:, note: ('-' for stdin)."))] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; name what is missing.")] = False,
) -> None:
    """Take a referral in: asks what is missing on a terminal; scriptable with flags and a file.

    Identifying details (the people, the agency contact, the harm described) come from the
    prompts or from --person-file, never from the command line. Someone already on file with
    the same name and date of birth is offered (or, without a terminal, used) instead of
    being entered twice. Someone with the same name as a person on file but no date of birth
    is asked about on a terminal; without one, nothing is created and the ids on file are
    named: give --person ID=ROLE if it is them, or their date_of_birth or different_person: true
    in the person file if not.

    At the prompts, "already on file?" takes a person id or a name (searched as `rjc person
    find` does; the match is chosen by number); answers are checked as they are typed; a new
    victim's demographics are asked for (each may be skipped); and what will be saved is shown
    before "Save?". A no saves nothing (exit 1). Prints the new referral's id.
    """
    from rjc.cli.output import message, read_source, say
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import intake as core

    repo = open_repository()
    ask = interactive(no_input)
    taken = (core.read_intake_file(read_source(person_file), "<stdin>" if person_file == "-" else person_file)
             if person_file else core.Intake(fields={}, people=[]))
    taken.people.extend(_existing(person or []))
    flags = {"program": program and program.value, "source": source and source.value,
             "received": received and received.date(), "agency": agency, "docket": docket,
             "offense_date": offense_date and offense_date.date(), "town": town}
    taken.fields.update({k: v for k, v in flags.items() if v is not None})
    if charge:
        taken.fields["charges"] = [*taken.fields.get("charges", []), *charge]
    if ask:
        _ask_missing(repo, taken, has_file=person_file is not None)
    else:
        missing = [f"--{name}" for name in ("program", "source") if name not in taken.fields]
        if not taken.people:
            missing.append("--person ID=ROLE or --person-file FILE")
        if missing:
            raise UsageProblem(f"missing {', '.join(missing)}" +
                               ("" if no_input else " (no terminal to ask on)") + "; nothing was created")
    taken.fields.setdefault("received", dt.date.today())
    if ask:
        _confirm_matches(repo, taken)
        save_or_abandon(_summary(taken))
    result = core.take_referral(repo, taken)
    say(result.referral)
    if result.agency_hint:
        message(result.agency_hint)
    for index, person_id in result.reused.items():
        message(f"person {index + 1} is already on file as {person_id} (same name and date of birth); "
                f"used that record. To update their details: rjc edit {person_id}")
    done(result.result)


def _existing(values: list[str]):
    from rjc.cli.choices import choice
    from rjc.model.vocab import Role
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import intake as core

    people = []
    for value in values:
        record_id, sep, role = value.partition("=")
        if not sep:
            raise UsageProblem("--person takes ID=ROLE, e.g. --person P-2026-KB-0003=victim")
        people.append(core.Involvement(role=choice(Role, role, "--person"), person=record_id.strip().upper()))
    return people


def _ask_missing(repo, taken, *, has_file: bool) -> None:
    """Prompt for whatever flags and the file did not give; each answer is checked as it is typed."""
    from rjc.cli.records import ask
    from rjc.model.vocab import Role
    from rjc.workflows import intake as core
    from rjc.workflows import records

    if "received" not in taken.fields:
        taken.fields["received"] = _ask_date("received", default=dt.date.today())
    skip = set(taken.fields) | {"note"} | ({"harm"} if has_file else set())
    taken.fields.update(ask([q for q in records.questions("referral") if q.name not in skip]))
    if "charges" not in taken.fields and not has_file:
        charges = _ask_list("charge")
        if charges:
            taken.fields["charges"] = charges
    if "contact" not in taken.fields and not has_file:
        contact = {k: v for k, v in (("name", checked_prompt("agency contact's name")),
                                     ("phone", checked_prompt("agency contact's phone", phone_problem)),
                                     ("email", checked_prompt("agency contact's email", email_problem))) if v}
        if contact:
            taken.fields["contact"] = contact
    if taken.people:
        return
    roles = [r.value for r in Role]
    typer.echo("People involved (identifying details are kept in person records only).")
    while True:
        role = typer.prompt(f"Role of person {len(taken.people) + 1} ({', '.join(roles)}; blank to finish)",
                            default="", show_default=False).strip()
        if not role:
            if taken.people:
                return
            typer.echo("  a referral needs at least one person", err=True)
            continue
        if role not in roles:
            typer.echo(f"  choose one of: {', '.join(roles)}", err=True)
            continue
        existing = _person_on_file(repo)
        if existing:
            taken.people.append(core.Involvement(role=Role(role), person=existing))
            continue
        details = ask([q for q in records.questions("person") if q.name not in ("note", "contact_notes")])
        address = {k: v for k, v in ((k, _optional(f"  address: {k.replace('_', ' ')}"))
                                     for k in ("street", "town", "state", "postal_code")) if v}
        if address:
            details["address"] = address
        entry = core.Involvement(role=Role(role), details=details)
        offer_person_on_file(repo, entry, f"Person {len(taken.people) + 1}", namesakes=True)
        if entry.role == Role.VICTIM and not entry.person:
            demographics = _ask_demographics()
            if demographics:
                entry.details["demographics"] = demographics
        taken.people.append(entry)


def _person_on_file(repo) -> str | None:
    """"Already on file?": a person id, or a name searched for as `rjc person find` does, the
    match then chosen by number; None for someone to be entered as new."""
    from rjc.cli.options import choose_person
    from rjc.model import Person
    from rjc.storage import layout
    from rjc.storage.errors import RjcError
    from rjc.workflows import people

    while True:
        typed = _optional("  already on file? their person id, or a name to search for")
        if not typed:
            return None
        if layout.is_id(typed.upper()):
            try:
                if isinstance(repo.get(typed), Person):
                    return typed.upper()
            except RjcError:
                pass
            typer.echo(f"  no person {typed.upper()} on file", err=True)
            continue
        findings = people.find(repo, people.Query(name=typed))
        if not findings.found:
            typer.echo("  no one on file matches; search again, or blank to enter them as new", err=True)
            continue
        chosen = choose_person(repo, [f.person.id for f in findings.found],
                               "  which one? (number; blank: none of them)")
        if chosen:
            return chosen
        return None


# A new victim's demographics, as the federal victim-services grant counts them (for NEW victims
# only: rjc.workflows.victims); self-described, each optional. Other roles are not asked.
_DEMOGRAPHICS = (("gender", "gender (e.g. woman, man, non-binary)"),
                 ("race", "race (several: separate with commas)"),
                 ("ethnicity", "ethnicity (e.g. Not Hispanic or Latino)"),
                 ("age_group", "age group (e.g. 13-17, 18-24, 25-59, 60+)"),
                 ("disability", "disability"),
                 ("veteran", "veteran (yes/no)"),
                 ("primary_language", "primary language"))


def _ask_demographics() -> dict:
    typer.echo("  A new victim's demographics, as the victim-services grant counts them:")
    answers: dict = {}
    for name, label in _DEMOGRAPHICS:
        if name == "veteran":
            value = checked_prompt(f"  {label}", lambda v: None if v.lower() in ("yes", "no", "y", "n")
                                   else "answer yes or no, or leave it blank")
            if value:
                answers[name] = value.lower().startswith("y")
            continue
        value = checked_prompt(f"  {label}")
        if value and name == "race":
            answers[name] = [part.strip() for part in value.split(",") if part.strip()]
        elif value:
            answers[name] = value
    return answers


def _confirm_matches(repo, taken) -> None:
    """Offer the person on file for anyone typed in again (from a file; prompts offer as they go)."""
    for index, entry in enumerate(taken.people):
        offer_person_on_file(repo, entry, f"Person {index + 1}", namesakes=True)


def _summary(taken) -> list[str]:
    """What `referral new` will save, for a last look before it is committed."""
    lines = ["The referral to be saved:", *summary_lines(taken.fields)]
    for index, entry in enumerate(taken.people, 1):
        if entry.person:
            lines.append(f"  person {index}: {entry.role.value}, {entry.person} (on file)")
        else:
            lines.append(f"  person {index}: {entry.role.value}, new:")
            lines.extend(summary_lines(entry.details, indent="    "))
    return lines


def _ask_date(label: str, *, default: dt.date) -> dt.date:
    while True:
        value = typer.prompt(f"{label} (YYYY-MM-DD)", default=str(default)).strip()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            typer.echo(f"  not a date: {value}", err=True)


def _optional(label: str) -> str | None:
    return typer.prompt(f"{label} [blank to skip]", default="", show_default=False).strip() or None


def _ask_list(what: str) -> list[str]:
    values: list[str] = []
    while value := _optional(f"{what} {len(values) + 1}"):
        values.append(value)
    return values


@referral_app.command("accept")
def accept(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    program: Annotated[Optional[Program], typer.Option(
        case_sensitive=False, help="Open the case in another program than referred to.")] = None,
    date: DateOption = None,
    yes: YesOption = False,
    return_by: Annotated[Optional[dt.datetime], typer.Option(
        "--return-by", formats=["%Y-%m-%d"],
        help="Pre-charge diversion: when the case is due back to the referrer "
             "(default: received + diversion_return_days from rjc.yaml).")] = None,
) -> None:
    """Accept a pending referral: opens its case (printed) with the referral's people."""
    from rjc.cli.output import say
    from rjc.workflows import casework

    result = casework.accept_referral(open_repository(), referral_id, day=event_day(date, yes),
                                      program=program,
                                      return_by=return_by.date() if return_by else None)
    say(result.ids[-1])
    done(result)


def _screen(referral_id: str, decision: str, reason: str, when: dt.date) -> None:
    from rjc.model.vocab import ScreeningDecision
    from rjc.workflows import casework

    done(casework.decline_referral(open_repository(), referral_id, ScreeningDecision(decision),
                                    day=when, reason=reason))


@referral_app.command("decline")
def decline(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    reason: Annotated[str, typer.Option(help="Why, e.g. ineligible, no-contact, declined-by-party.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Decline a pending referral, with a reason."""
    _screen(referral_id, "declined", reason, event_day(date, yes))


@referral_app.command("return")
def return_(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    reason: Annotated[str, typer.Option(help="Why it goes back to the referrer.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Return a pending referral to its referral source, with a reason."""
    _screen(referral_id, "returned", reason, event_day(date, yes))


def register(app: typer.Typer) -> None:
    app.add_typer(referral_app, name="referral")
