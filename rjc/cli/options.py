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


def offer_person_on_file(repo, entry, who: str) -> None:
    """On a terminal: offer the person on file (same name and date of birth) for one typed in.

    `entry` has `person`, `details` and `distinct`; a "no" marks it a different person.
    """
    from rjc.workflows.intake import find_existing

    matches = [] if entry.person else find_existing(repo, entry.details)
    if not matches:
        return
    if typer.confirm(f"{who} matches {matches[0].id} on file (same name and date of birth). "
                     "Use that record?", default=True):
        entry.person, entry.details = matches[0].id, {}
    else:
        entry.distinct = True
