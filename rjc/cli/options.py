"""Options and small helpers that several command modules share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

DateOption = Annotated[Optional[dt.datetime], typer.Option(
    "--date", formats=["%Y-%m-%d"], help="When it happened (default: today).")]
NOTE_HELP = "A short explanation, kept in the record (not in the commit). No names: use ids."


def day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def done(result) -> None:
    from rjc.cli.output import committed

    committed(result)
