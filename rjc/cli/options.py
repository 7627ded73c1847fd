"""Options and small helpers that several command modules share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

DateOption = Annotated[Optional[dt.datetime], typer.Option(
    "--date", formats=["%Y-%m-%d"], help="When it happened (default: today).")]
AsOfOption = Annotated[Optional[dt.datetime], typer.Option(
    "--date", formats=["%Y-%m-%d"], help="As of this day (default today).")]
NOTE_HELP = "A short explanation, kept in the record (not in the commit). No names: use ids."


def day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


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
