"""Options and small helpers that several command modules share.

Conventions, the same in every command: a change takes `--date` (the day it happened); a read
takes `--as-of` (the day its answer is computed for). An option that takes one of a fixed list
is a choice of Typer's (an enum of `rjc.model.vocab`, or a Literal), so a bad value is a usage
error (exit 2) and `--help` lists the values; case does not matter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional

import typer

DateOption = Annotated[Optional[dt.datetime], typer.Option(
    "--date", formats=["%Y-%m-%d"], help="When it happened (default: today).")]
AsOfOption = Annotated[Optional[dt.datetime], typer.Option(
    "--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Answer as of this day (default: today).")]
# The kinds of year in rjc.model.periods.YEAR_STARTS, in its order, spelled out so that a type
# checker can read them (tests/test_cli.py keeps the two the same).
YearKind = Literal["vermont", "federal", "calendar"]
YearOption = Annotated[Optional[YearKind], typer.Option(
    "--year", case_sensitive=False,
    help="A kind of fiscal year: vermont (July-June, the default), federal (October-September) or calendar.")]
YesOption = Annotated[bool, typer.Option("--yes", help="Confirm: allow a --date in the future.")]
NOTE_HELP = "A short explanation, kept in the record (not in the commit). No names: use ids."


def format_option(help: str = "How to print it.") -> Any:
    """The one `--format` option. Each command names the formats it offers in its annotation, so
    that a type checker reads them too: `fmt: Annotated[Literal["table", "json"], format_option()] = "table"`."""
    return typer.Option("--format", case_sensitive=False, help=help)


_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,6})?")  # a minus sign is refused later, with the rule


def number(text: str, option: str):
    """An amount or hours as typed: a plain number (50, 50.00, 2.5). Anything else (a currency sign,
    NaN, Infinity, 1e309, words) is a usage error naming the option, never a crash later."""
    from decimal import Decimal

    if not _PLAIN_NUMBER.fullmatch(text.strip()):
        raise typer.BadParameter(f"takes a plain number such as 50.00 or 2.5, not '{text}'", param_hint=option)
    return Decimal(text.strip())


# What an answer typed at a prompt must look like: each is checked as it is typed, and asked
# again, saying why, so that no answer is lost to a mistake found only at the end.

def number_problem(value: str) -> str | None:
    """An amount or hours as `number` takes them, or why not."""
    return None if _PLAIN_NUMBER.fullmatch(value.strip()) else f"a plain number such as 50.00 or 2.5, not '{value}'"


def date_problem(value: str) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"not a date (YYYY-MM-DD): {value}"
    return None if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else f"not a date (YYYY-MM-DD): {value}"


def phone_problem(value: str) -> str | None:
    """A phone number: digits, with spaces, dashes, dots, brackets or a leading +; 7 to 15 digits."""
    digits = sum(c.isdigit() for c in value)
    if not re.fullmatch(r"\+?[0-9 ().\-]+", value) or not 7 <= digits <= 15:
        return f"not a phone number (7 to 15 digits, e.g. 802-555-0134): {value}"
    return None


def email_problem(value: str) -> str | None:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", value):
        return f"not an email address (like name@example.org): {value}"
    return None


def checked_prompt(label: str, check=None, *, required: bool = False) -> str | None:
    """Ask until the answer passes `check` (a function returning a problem or None); blank is
    None unless required."""
    while True:
        value = typer.prompt(label if required else f"{label} [blank to skip]", default="" if not required else None,
                             show_default=False).strip()
        problem = "this field is required" if required and not value else check(value) if value and check else None
        if problem is None:
            return value or None
        typer.echo(f"  {problem}", err=True)


def save_or_abandon(lines: list[str]) -> None:
    """Show what will be saved and ask; a "no" saves nothing (exit 1)."""
    from rjc.storage.errors import RjcError

    typer.echo("\n".join(lines), err=True)
    if not typer.confirm("Save?", default=True):
        raise RjcError("nothing was saved")


def summary_lines(fields: dict, indent: str = "  ") -> list[str]:
    """Fields as `name: value` lines for a summary; lists joined, parts of a field on one line."""
    def shown(value) -> str:
        if isinstance(value, dict):
            return "; ".join(f"{k.replace('_', ' ')}: {shown(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(shown(v) for v in value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return [f"{indent}{name.replace('_', ' ')}: {shown(value)}" for name, value in fields.items()
            if value not in (None, "", [], {})]


def day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def event_day(value: dt.datetime | None, yes: bool, option: str = "--date") -> dt.date:
    """The day a change happened: today by default. Paperwork comes after the fact, so a day
    still to come is most likely a typo: refused (a usage error naming the option) unless --yes."""
    when = day(value)
    if when > dt.date.today() and not yes:
        raise typer.BadParameter(f"{when} is in the future; add --yes if that is what you mean", param_hint=option)
    return when


def done(result) -> None:
    from rjc.cli.output import committed

    committed(result)


def offer_person_on_file(repo, entry, who: str, *, namesakes: bool = False) -> None:
    """On a terminal: offer the person on file (same name and date of birth) for one typed in;
    with `namesakes`, also anyone with the same name when no date of birth was given, by number.

    `entry` has `person`, `details` and `distinct`; a "no" marks it a different person.
    """
    from rjc.workflows.intake import find_existing, namesakes_without_birth_date

    if entry.person or entry.distinct:
        return
    matches = find_existing(repo, entry.details)
    if matches:
        if typer.confirm(f"{who} matches {matches[0].id} on file (same name and date of birth). "
                         "Use that record?", default=True):
            entry.person, entry.details = matches[0].id, {}
        else:
            entry.distinct = True
        return
    same = namesakes_without_birth_date(repo, entry.details) if namesakes else []
    if same:
        typer.echo(f"{who} has the same name as {'someone' if len(same) == 1 else len(same)} on file, "
                   "and no date of birth was given to tell them apart:", err=True)
        chosen = choose_person(repo, [p.id for p in same], "Use which? (number; blank: a different person)")
        if chosen:
            entry.person, entry.details = chosen, {}
        else:
            entry.distinct = True


def choose_person(repo, ids: list[str], question: str) -> str | None:
    """Show these people (by number: id, name, date of birth, referrals and cases) and ask which."""
    from rjc.cli.people import print_found
    from rjc.workflows import people

    on_file = {p.id: p for p in people.people_on_file(repo) if p.id in ids}
    involved = people.involvements(repo, ids)
    found = [people.Found(on_file[i], 100, involved[i]) for i in ids if i in on_file]
    print_found(people.Findings(found, 0), numbered=True)
    while True:
        answer = typer.prompt(question, default="", show_default=False).strip()
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            return found[int(answer) - 1].person.id
        typer.echo(f"  a number from 1 to {len(found)}, or blank", err=True)
