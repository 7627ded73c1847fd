"""rjc seal: the cases due for sealing or deletion under the center's rules."""

from __future__ import annotations

from typing import Annotated

import typer

from rjc.cli.options import AsOfOption, day
from rjc.cli.repo import open_repository


def seal(
    due: Annotated[bool, typer.Option("--due", help="List the closed cases whose sealing or deletion date has come.")] = False,
    as_of: AsOfOption = None,
) -> None:
    """Seal cases as the law requires: `--due` lists those whose date has come (ids, dates, rule)."""
    from rjc.cli.output import message, say
    from rjc.workflows import sealing

    if not due:
        raise typer.BadParameter("say which cases: --due lists those whose sealing date has come", param_hint="--due")
    when = day(as_of)
    found = sealing.due(open_repository(), when)
    for entry in found:
        say(f"{entry.case}  {entry.action} due {entry.due}  {entry.rule}")
    if not found:
        message(f"no case is due for sealing or deletion as of {when}")


def register(app: typer.Typer) -> None:
    app.command()(seal)
