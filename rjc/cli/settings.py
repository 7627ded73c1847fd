"""The center's settings: rjc settings show, set, edit."""

from __future__ import annotations

from typing import Annotated

import typer

from rjc.cli.repo import open_repository

settings_app = typer.Typer(help="The center's settings (rjc.yaml): its name, address and phone, reminders, mail...",
                           no_args_is_help=True)


@settings_app.command("show")
def show() -> None:
    """Print the settings in effect, as YAML: rjc.yaml with every default filled in."""
    from rjc.cli.output import say
    from rjc.workflows import settings

    say(settings.show(open_repository()), end="")


@settings_app.command("set")
def set_(
    key: Annotated[str, typer.Argument(metavar="KEY", help="The setting, dotted: center.phone, reminders.panel_days.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value; \"\" unsets an optional setting.")],
) -> None:
    """Set one setting in rjc.yaml, in one commit; an invalid value changes nothing.

    For example: rjc settings set center.phone "802 555 0100". Lists (coordinators) are
    changed with rjc settings edit.
    """
    from rjc.cli.output import committed
    from rjc.workflows import settings

    committed(settings.set_value(open_repository(), key, value))


@settings_app.command("edit")
def edit() -> None:
    """Edit rjc.yaml in $VISUAL/$EDITOR; it is validated before anything is committed.

    As with rjc edit: an invalid edit reopens with the problems as comments at the top; an
    abandoned or invalid edit commits nothing and keeps your draft in a private place (printed).
    """
    from rjc.cli.records import edit_in_editor
    from rjc.workflows.settings import SettingsEdit

    session = SettingsEdit(open_repository())
    try:
        edit_in_editor(session)
    finally:
        session.close()


def register(app: typer.Typer) -> None:
    app.add_typer(settings_app, name="settings")
