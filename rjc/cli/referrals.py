"""Referrals: rjc referral new, accept, decline, return."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

from rjc.cli.options import DateOption, YesOption, done, event_day, offer_person_on_file
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
    agency: Annotated[Optional[str], typer.Option(help="The referring agency, e.g. 'Windsor County SA'.")] = None,
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
            "YAML with the people involved (people: - role: victim, given_name: ..., or person: ID) and, "
            "optionally, contact:, harm:, charges:, note: ('-' for stdin)."))] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; name what is missing.")] = False,
) -> None:
    """Take a referral in: asks what is missing on a terminal; scriptable with flags and a file.

    Identifying details (the people, the agency contact, the harm described) come from the
    prompts or from --person-file, never from the command line. Someone already on file with
    the same name and date of birth is offered (or, without a terminal, used) instead of
    being entered twice. Prints the new referral's id.
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
        _ask_missing(taken, has_file=person_file is not None)
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
    result = core.take_referral(repo, taken)
    say(result.referral)
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


def _ask_missing(taken, *, has_file: bool) -> None:
    """Prompt for whatever flags and the file did not give."""
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
        contact = {k: v for k, v in (("name", _optional("agency contact's name")),
                                     ("phone", _optional("agency contact's phone")),
                                     ("email", _optional("agency contact's email"))) if v}
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
        existing = _optional("  already on file? their person id")
        if existing:
            taken.people.append(core.Involvement(role=Role(role), person=existing.upper()))
            continue
        details = ask([q for q in records.questions("person") if q.name not in ("note", "contact_notes")])
        address = {k: v for k, v in ((k, _optional(f"  address: {k.replace('_', ' ')}"))
                                     for k in ("street", "town", "state", "postal_code")) if v}
        if address:
            details["address"] = address
        taken.people.append(core.Involvement(role=Role(role), details=details))


def _confirm_matches(repo, taken) -> None:
    """Offer the person on file for anyone typed in again."""
    for index, entry in enumerate(taken.people):
        offer_person_on_file(repo, entry, f"Person {index + 1}")


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
