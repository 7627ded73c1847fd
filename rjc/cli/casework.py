"""Cases moving along: rjc case ..., rjc victim ..., rjc agreement ..."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Optional

import typer

from rjc.cli.options import NOTE_HELP, AsOfOption, DateOption, YesOption
from rjc.cli.options import day as _day
from rjc.cli.options import done as _done
from rjc.cli.options import event_day as _event_day
from rjc.cli.options import number as _number
from rjc.cli.repo import open_repository
from rjc.model.vocab import (
    CaseStatus,
    ClosureReason,
    ContactKind,
    GoalStatus,
    ItemStatus,
    Resolution,
    VictimChoice,
)

case_app = typer.Typer(help="Move a case along: status, contacts, closure.", no_args_is_help=True)


@case_app.command("status")
def status(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    new_status: Annotated[CaseStatus, typer.Argument(
        metavar="STATUS", case_sensitive=False, help="The status it moves to.")],
    date: DateOption = None,
    note: Annotated[Optional[str], typer.Option(help=NOTE_HELP)] = None,
    yes: YesOption = False,
) -> None:
    """Move a case to its next status; only the program's allowed transitions are accepted."""
    from rjc.workflows import casework

    _done(casework.change_status(open_repository(), case_id, new_status,
                                 day=_event_day(date, yes), note=note))


@case_app.command("close")
def close(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    reason: Annotated[ClosureReason, typer.Option(case_sensitive=False, help="Why it closes.")],
    date: DateOption = None,
    note: Annotated[Optional[str], typer.Option(help=NOTE_HELP)] = None,
    yes: Annotated[bool, typer.Option("--yes", help=(
        "Confirm: a --date in the future; completed-successfully with agreement items still open "
        "(with --note saying why)."))] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
) -> None:
    """Close a case with a reason from the fixed list.

    Completed-successfully while agreement items are still open is asked about on a terminal
    (confirm, then why); otherwise it needs --yes and --note.
    """
    from rjc.cli.output import message
    from rjc.cli.repo import interactive
    from rjc.storage.errors import RjcError
    from rjc.workflows import casework

    repo = open_repository()
    day = _event_day(date, yes)
    confirmed = yes
    if reason == ClosureReason.COMPLETED_SUCCESSFULLY and not yes and interactive(no_input):
        unfinished = casework.unfinished_items(casework.load_case(repo, case_id))
        if unfinished:
            message(f"agreement items still open: {', '.join(unfinished)}")
            if not typer.confirm("Close it as completed-successfully anyway?", default=False):
                raise RjcError("nothing was changed")
            while not (note or "").strip():
                note = typer.prompt("Why (no names)", default="", show_default=False)
            confirmed = True
    _done(casework.close_case(repo, case_id, reason, day=day, note=note, open_items_confirmed=confirmed))


@case_app.command("reopen")
def reopen(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    note: Annotated[str, typer.Option(help="Why it is reopened. " + NOTE_HELP)],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Reopen a closed case at intake; its closure stays in the status history."""
    from rjc.workflows import casework

    _done(casework.reopen_case(open_repository(), case_id, day=_event_day(date, yes), note=note))


@case_app.command("link")
def link(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    other: Annotated[str, typer.Argument(metavar="OTHER", help="The related case.")],
) -> None:
    """Link two related cases, both ways (a reentry panel case and the client's reentry case)."""
    from rjc.workflows import casework

    _done(casework.link_cases(open_repository(), case_id.upper(), other.upper()))


@case_app.command("notify-referrer")
def notify_referrer(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Record that the referral source was told the outcome of a closed case."""
    from rjc.workflows import casework

    _done(casework.notify_referrer(open_repository(), case_id, day=_event_day(date, yes)))


@case_app.command("timeline")
def timeline(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    as_of: AsOfOption = None,
) -> None:
    """Days spent in each status, and the dates the case is held to."""
    from rjc.cli.output import say
    from rjc.model import lifecycle
    from rjc.workflows import casework

    repo = open_repository()
    case = casework.load_case(repo, case_id)
    today = _day(as_of)
    for stage in lifecycle.stages(case.status_history, today):
        until = f"until {stage.end}" if stage.end else "so far"
        say(f"{stage.status:<22} from {stage.start} {until:<17} {stage.days:>4} days")
    for what, when in casework.deadlines(repo, case):
        late = " (passed)" if when < today else ""
        say(f"{what}: {when}{late}")


@case_app.command("note")
def note(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    kind: Annotated[ContactKind, typer.Option(case_sensitive=False, help="How the contact was made.")],
    person: Annotated[Optional[list[str]], typer.Option(
        "--with", metavar="PERSON", help="Who the contact was with (person id; repeatable).")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Log a contact. Its text is typed at the prompt, or read from standard input, never argv."""
    from rjc.workflows import casework

    when = _event_day(date, yes)
    text = typer.prompt("Note", default="", show_default=False) if sys.stdin.isatty() else sys.stdin.read()
    _done(casework.log_contact(open_repository(), case_id, kind, day=when,
                               note=text.strip() or None, people=[p.upper() for p in person or []]))


victim_app = typer.Typer(help="Victims' participation in a case.", no_args_is_help=True)
agreement_app = typer.Typer(help="Reparative agreements: terms, service hours, restitution payments.",
                            no_args_is_help=True)


@victim_app.command("choose")
def choose(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    person: Annotated[str, typer.Argument(metavar="PERSON", help="The victim's person id.")],
    participation: Annotated[VictimChoice, typer.Argument(
        metavar="CHOICE", case_sensitive=False, help="How the victim takes part.")],
    notified: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="When the victim was told of the case.")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Record how a victim chooses to take part in the case (--date: the day they chose)."""
    from rjc.cli.output import message
    from rjc.workflows import casework

    when = _event_day(date, yes)
    told = _event_day(notified, yes, "--notified") if notified else None
    repo = open_repository()
    _done(casework.choose_participation(repo, case_id, person.upper(), participation, day=when, notified=told))
    due = casework.victim_notice_due(repo, casework.load_case(repo, case_id))
    if notified and due and notified.date() > due:
        message(f"warning: notified after the diversion deadline ({due}, "
                f"{repo.settings.reminders.victim_notice_business_days} business days after the referral)")


@victim_app.command("list")
def victim_list(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    as_of: AsOfOption = None,
) -> None:
    """A case's victims: participation, when told, and NEW or continuing this federal fiscal year."""
    from rjc.cli.output import say
    from rjc.model import Case, periods
    from rjc.model.vocab import Role
    from rjc.storage import layout
    from rjc.workflows import casework, victims

    repo = open_repository()
    case = casework.load_case(repo, case_id)
    today = _day(as_of)
    cases = [r.record for r in repo.load_all([layout.KINDS["case"]]) if isinstance(r.record, Case)]
    served = victims.served_dates(cases)
    year = periods.fiscal_year(today, "federal").label
    for participant in case.participants:
        if participant.role != Role.VICTIM:
            continue
        standing = victims.standing(served.get(participant.person, []), today) or "not served"
        say(f"{participant.person}  {participant.participation or 'undecided':<28} "
            f"notified {str(participant.notified or '-'):<10}  {standing} in federal {year}")


@agreement_app.command("new")
def agreement_new(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    from_file: Annotated[Optional[str], typer.Option(
        "--from-file", "-f", metavar="FILE", help="YAML with `items:` (and an optional `note:`); '-' for stdin.")] = None,
    signed: Annotated[Optional[dt.datetime], typer.Option(
        "--signed", "--date", formats=["%Y-%m-%d"], help="Signing date (default today).")] = None,
    due: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="Due date (default: signing + the program's days from rjc.yaml).")] = None,
    yes: YesOption = False,
) -> None:
    """Add a signed reparative agreement; its items are asked for, or read from a file.

    Items: apology-letter, restitution (amount, optional victim and payee), community-service
    (hours_required), education, assessment, other; each with a description.
    """
    from rjc.cli.output import read_source
    from rjc.storage import yamlio
    from rjc.storage.errors import RjcError
    from rjc.workflows import casework

    signed_on = _event_day(signed, yes, "--signed")
    if from_file:
        data = yamlio.load(read_source(from_file), from_file).data
        unknown = set(data) - {"items", "note"}
        if unknown:
            raise RjcError(f"{from_file}: unknown field(s) {', '.join(sorted(unknown))}; expected items and note")
        items, note = data.get("items") or [], data.get("note")
    elif sys.stdin.isatty():
        items, note = _ask_items(), None
    else:
        raise RjcError("no terminal to ask on: give the items with --from-file FILE (or '-' for stdin)")
    _done(casework.add_agreement(open_repository(), case_id, items, signed=signed_on,
                                 due=due.date() if due else None, note=note))


def _ask_items() -> list[dict]:
    from rjc.cli.options import checked_prompt, number_problem
    from rjc.model.vocab import ItemType

    types = [t.value for t in ItemType]
    items: list[dict] = []
    while True:
        kind = typer.prompt(f"Item {len(items) + 1} type ({', '.join(types)}; blank to finish)",
                            default="", show_default=False).strip()
        if not kind:
            return items
        if kind not in types:
            typer.echo(f"  choose one of: {', '.join(types)}", err=True)
            continue
        item = {"type": kind, "description": typer.prompt("  description", default="", show_default=False) or None}
        if kind == "restitution":
            item["amount"] = checked_prompt("  amount owed (e.g. 250.00)", number_problem, required=True)
            item["victim"] = typer.prompt("  to victim (person id, blank if none)", default="", show_default=False) or None
            item["payee"] = typer.prompt("  or payee (blank if the victim)", default="", show_default=False) or None
        elif kind == "community-service":
            item["hours_required"] = checked_prompt("  hours required", number_problem, required=True)
        items.append({k: v for k, v in item.items() if v is not None})


@agreement_app.command("log")
def agreement_log(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    item: Annotated[int, typer.Argument(metavar="ITEM", help="The item's number (1 = first).")],
    hours: Annotated[str, typer.Option(help="Hours of community service done, e.g. 4 or 2.5.")],
    place: Annotated[Optional[str], typer.Option(help="Where the service was done.")] = None,
    date: DateOption = None,
    agreement: Annotated[Optional[int], typer.Option(help="Which agreement (default: the latest).")] = None,
    yes: YesOption = False,
) -> None:
    """Log community service hours on an agreement item (a closed case takes hours dated up to its closure)."""
    from rjc.workflows import casework

    _done(casework.log_hours(open_repository(), case_id, item, _number(hours, "--hours"), day=_event_day(date, yes),
                             place=place, agreement=agreement))


@agreement_app.command("pay")
def agreement_pay(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    item: Annotated[int, typer.Argument(metavar="ITEM", help="The item's number (1 = first).")],
    amount: Annotated[str, typer.Option(help="Amount paid, e.g. 50.00.")],
    date: DateOption = None,
    yes: Annotated[bool, typer.Option("--yes", help=(
        "Record it even if it is more than is owed, or its --date is in the future."))] = False,
    agreement: Annotated[Optional[int], typer.Option(help="Which agreement (default: the latest).")] = None,
) -> None:
    """Record a restitution payment on an agreement item (a closed case takes payments dated up to its closure)."""
    from rjc.workflows import casework

    _done(casework.record_payment(open_repository(), case_id, item, _number(amount, "--amount"), day=_event_day(date, yes),
                                  allow_overpayment=yes, agreement=agreement))


@agreement_app.command("item")
def agreement_item(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    item: Annotated[int, typer.Argument(metavar="ITEM", help="The item's number (1 = first).")],
    status: Annotated[ItemStatus, typer.Argument(metavar="STATUS", case_sensitive=False, help="The item's status.")],
    date: DateOption = None,
    agreement: Annotated[Optional[int], typer.Option(help="Which agreement (default: the latest).")] = None,
    yes: YesOption = False,
) -> None:
    """Set an item's status: an apology letter delivered, a class attended, a term waived.

    A closed case takes an outcome dated up to its closure."""
    from rjc.workflows import casework

    _done(casework.set_item_status(open_repository(), case_id, item, status,
                                   day=_event_day(date, yes), agreement=agreement))


@agreement_app.command("status")
def agreement_status(
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case.")],
    as_of: AsOfOption = None,
) -> None:
    """Each agreement of a case: due dates, its state (on track, due soon, overdue, complete), its items."""
    from rjc.cli.output import say
    from rjc.workflows import casework

    repo = open_repository()
    case = casework.load_case(repo, case_id)
    today, soon = _day(as_of), repo.settings.reminders.item_due_days
    for number, agreement in enumerate(case.agreements, start=1):
        say(f"agreement {number}: signed {agreement.signed}, mid-term review {agreement.midterm_review}, "
            f"due {agreement.due}: {casework.agreement_state(agreement, today, soon)}")
        for index, entry in enumerate(agreement.items, start=1):
            progress = ""
            if entry.type == "restitution":
                progress = f" {entry.paid} of {entry.amount} paid"
            elif entry.type == "community-service":
                progress = f" {entry.hours_done} of {entry.hours_required} hours"
            say(f"  {index}. {entry.type}: {entry.status}{progress}")


@case_app.command("service")
def service(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    what: Annotated[str, typer.Option("--service", help="The service provided or the referral made (no names).")],
    person: Annotated[Optional[str], typer.Option(metavar="PERSON", help="Who received it (person id).")] = None,
    to: Annotated[Optional[str], typer.Option(metavar="AGENCY", help="The agency a client was referred to.")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Log a service provided (victim support) or a referral made (reentry)."""
    from rjc.workflows import casework

    _done(casework.add_service(open_repository(), case_id, what, day=_event_day(date, yes),
                               person=person and person.upper(), to=to))


@case_app.command("goal")
def goal(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    text: Annotated[Optional[str], typer.Option("--add", metavar="GOAL", help="Add a plan goal.")] = None,
    target: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Target date.")] = None,
    number: Annotated[Optional[int], typer.Option("--number", help="The goal to update (1 = first).")] = None,
    status: Annotated[Optional[GoalStatus], typer.Option(case_sensitive=False, help="The goal's status (with --number).")] = None,
) -> None:
    """Add a reentry plan goal, or mark one met or dropped."""
    from rjc.storage.errors import RjcError
    from rjc.workflows import casework

    repo = open_repository()
    if text and number is None:
        _done(casework.add_goal(repo, case_id, text, target=target.date() if target else None))
    elif number is not None and status and not text:
        _done(casework.set_goal_status(repo, case_id, number, status))
    else:
        raise RjcError("either --add GOAL, or --number N --status STATUS")


@case_app.command("session")
def session(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    minutes: Annotated[int, typer.Option(help="How long it lasted, in minutes.")],
    attended: Annotated[Optional[list[str]], typer.Option(
        "--attended", metavar="PERSON", help="Who came (person id; repeatable).")] = None,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Log a mediation session or a family group conference."""
    from rjc.workflows import casework

    _done(casework.add_session(open_repository(), case_id, day=_event_day(date, yes), minutes=minutes,
                               attended=[p.upper() for p in attended or []]))


@case_app.command("resolve")
def resolve(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case.")],
    outcome: Annotated[Resolution, typer.Argument(metavar="OUTCOME", case_sensitive=False, help="How it ended.")],
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Record the outcome of a mediation or family group conference (--date: the day it was reached)."""
    from rjc.workflows import casework

    _done(casework.resolve(open_repository(), case_id, outcome, day=_event_day(date, yes)))


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
    app.add_typer(victim_app, name="victim")
    app.add_typer(agreement_app, name="agreement")
