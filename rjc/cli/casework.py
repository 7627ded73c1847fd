"""Cases and referrals moving along: rjc case ..., rjc referral ..."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Optional

import typer

from rjc.cli.repo import open_repository

case_app = typer.Typer(help="Move a case along: status, contacts, closure.", no_args_is_help=True)
referral_app = typer.Typer(help="Screen a referral: accept it (opening a case), decline or return it.",
                           no_args_is_help=True)

DateOption = Annotated[Optional[dt.datetime], typer.Option(
    "--date", formats=["%Y-%m-%d"], help="When it happened (default: today).")]
NOTE_HELP = "A short explanation, kept in the record (not in the commit). No names: use ids."


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _done(result) -> None:
    from rjc.cli.output import committed

    committed(result)


@case_app.command("status")
def status(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help="The status it moves to.")],
    date: DateOption = None,
    note: Annotated[Optional[str], typer.Option(help=NOTE_HELP)] = None,
) -> None:
    """Move a case to its next status; only the program's allowed transitions are accepted."""
    from rjc import casework
    from rjc.cli.choices import choice
    from rjc.model.vocab import CaseStatus

    _done(casework.change_status(open_repository(), case_id, choice(CaseStatus, new_status, "status"),
                                 day=_day(date), note=note))


@case_app.command("close")
def close(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    reason: Annotated[str, typer.Option(help="Why it closes: completed-successfully, completed-partially, "
                                             "returned-non-compliance, returned-new-offense, declined, "
                                             "no-contact, withdrawn, ineligible or transferred.")],
    date: DateOption = None,
    note: Annotated[Optional[str], typer.Option(help=NOTE_HELP)] = None,
) -> None:
    """Close a case with a reason from the fixed list."""
    from rjc import casework
    from rjc.cli.choices import choice
    from rjc.model.vocab import ClosureReason

    _done(casework.close_case(open_repository(), case_id, choice(ClosureReason, reason, "--reason"),
                              day=_day(date), note=note))


@case_app.command("reopen")
def reopen(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    note: Annotated[str, typer.Option(help="Why it is reopened. " + NOTE_HELP)],
    date: DateOption = None,
) -> None:
    """Reopen a closed case at intake; its closure stays in the status history."""
    from rjc import casework

    _done(casework.reopen_case(open_repository(), case_id, day=_day(date), note=note))


@case_app.command("note")
def note(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    kind: Annotated[str, typer.Option(help="phone, email, letter, in-person, video, text or voicemail.")],
    person: Annotated[Optional[list[str]], typer.Option(
        "--with", metavar="PERSON", help="Who the contact was with (person id; repeatable).")] = None,
    date: DateOption = None,
) -> None:
    """Log a contact. Its text is typed at the prompt, or read from standard input, never argv."""
    from rjc import casework
    from rjc.cli.choices import choice
    from rjc.model.vocab import ContactKind

    kind_value = choice(ContactKind, kind, "--kind")
    text = typer.prompt("Note", default="", show_default=False) if sys.stdin.isatty() else sys.stdin.read()
    _done(casework.log_contact(open_repository(), case_id, kind_value, day=_day(date),
                               note=text.strip() or None, people=[p.upper() for p in person or []]))


@referral_app.command("accept")
def accept(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    program: Annotated[Optional[str], typer.Option(help="Open the case in another program than referred to.")] = None,
    date: DateOption = None,
) -> None:
    """Accept a pending referral: opens its case (printed) with the referral's people."""
    from rjc import casework
    from rjc.cli.choices import choice
    from rjc.model.vocab import Program

    result = casework.accept_referral(open_repository(), referral_id, day=_day(date),
                                      program=choice(Program, program, "--program") if program else None)
    print(result.ids[-1])
    _done(result)


def _screen(referral_id: str, decision: str, reason: str, date) -> None:
    from rjc import casework
    from rjc.model.vocab import ScreeningDecision

    _done(casework.decline_referral(open_repository(), referral_id, ScreeningDecision(decision),
                                    day=_day(date), reason=reason))


@referral_app.command("decline")
def decline(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    reason: Annotated[str, typer.Option(help="Why, e.g. ineligible, no-contact, declined-by-party.")],
    date: DateOption = None,
) -> None:
    """Decline a pending referral, with a reason."""
    _screen(referral_id, "declined", reason, date)


@referral_app.command("return")
def return_(
    referral_id: Annotated[str, typer.Argument(metavar="ID", help="The referral.")],
    reason: Annotated[str, typer.Option(help="Why it goes back to the referrer.")],
    date: DateOption = None,
) -> None:
    """Return a pending referral to its referral source, with a reason."""
    _screen(referral_id, "returned", reason, date)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
    app.add_typer(referral_app, name="referral")
