"""People on file: rjc person merge."""

from __future__ import annotations

from typing import Annotated

import typer

from rjc.cli.repo import interactive, open_repository

person_app = typer.Typer(help="People on file.", no_args_is_help=True)


@person_app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The person id to keep.")],
    other: Annotated[str, typer.Argument(help="The person id found to be the same person; merged into KEEP.")],
    yes: Annotated[bool, typer.Option("--yes", help="Merge without asking.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail unless --yes.")] = False,
) -> None:
    """Merge two person records found to be one person, in one commit.

    Every referral, case, panel and volunteer record that refers to OTHER is made to refer to
    KEEP; KEEP's empty fields are filled from OTHER; OTHER is left saying only where the
    person went. `rjc check` warns of likely duplicates (same name and date of birth).
    """
    from rjc.cli.output import committed, message
    from rjc.storage.errors import RjcError
    from rjc.workflows import people

    repo = open_repository()
    if not yes and not (interactive(no_input) and typer.confirm(
            f"Merge {other.upper()} into {keep.upper()}? Everything that refers to {other.upper()} will "
            f"refer to {keep.upper()}", default=False)):
        raise RjcError("nothing was merged; confirm with --yes")
    merged = people.merge(repo, keep, other)
    if merged.moved:
        message(f"now refer to {keep.upper()}: {', '.join(merged.moved)}")
    if merged.filled:
        message(f"filled from {other.upper()}: {', '.join(merged.filled)}")
    if merged.result is None:
        message(f"{other.upper()} was merged into {keep.upper()} before; nothing refers to it now")
    else:
        committed(merged.result)


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")
