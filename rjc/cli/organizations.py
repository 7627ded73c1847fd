"""Organizations: rjc org new, list, show, edit, link-agencies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rjc.cli.options import format_option
from rjc.cli.repo import interactive, open_repository
from rjc.model.vocab import OrganizationKind

org_app = typer.Typer(help="Organizations: referring agencies, STAR host businesses, funders, service providers.",
                      no_args_is_help=True)

OrganizationArgument = Annotated[str, typer.Argument(metavar="ID", help="The organization's id, e.g. O-2026-KB-0001.")]


@org_app.command("new")
def new(
    from_file: Annotated[Optional[Path], typer.Option(
        "--from-file", "-f", metavar="FILE", help="Read the fields from a YAML file ('-' for stdin).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if something is missing.")] = False,
) -> None:
    """Add an organization: asks for its name, type, address, phone, email and contact. Prints its id.

    The contact person, if any, is a person on file, by id (their name stays in their record);
    `contact_role` says which post to write to, e.g. "diversion coordinator".
    """
    from rjc.cli.output import committed, read_source, say
    from rjc.cli.records import ask
    from rjc.storage import yamlio
    from rjc.storage.errors import RjcError
    from rjc.workflows import organizations, records

    repo = open_repository()
    if from_file is not None:
        name = "<stdin>" if str(from_file) == "-" else str(from_file)
        fields = records.read_fields(read_source(str(from_file)), name)
    elif interactive(no_input):
        answers = ask(records.questions("organization"))
        address = {k: v for k, v in ((k, typer.prompt(f"address: {k.replace('_', ' ')} [blank to skip]", default="",
                                                      show_default=False).strip())
                                     for k in ("street", "town", "state", "postal_code")) if v}
        if address:
            answers["address"] = address
        fields, name = yamlio.Document(answers), "<prompts>"
    else:
        raise RjcError("no terminal to ask on: give the fields with --from-file FILE (or '-' for stdin)")
    result = organizations.create(repo, fields, source=name)
    say(result.ids[0])
    committed(result)


@org_app.command("list")
def list_(
    kind: Annotated[Optional[OrganizationKind], typer.Option(
        "--type", case_sensitive=False, help="Only organizations of this type.")] = None,
    fmt: Annotated[Literal["table", "json", "csv"], format_option()] = "table",
) -> None:
    """List the organizations on file: id, type, name and town."""
    from rjc.cli import records

    records.list_("organization", status=kind and kind.value, program=None, source=None, coordinator=None,
                  since=None, until=None, fmt=fmt)


@org_app.command("show")
def show(
    organization_id: OrganizationArgument,
    fmt: Annotated[Literal["yaml", "json"], format_option(help="yaml (with names shown beside ids) or json.")] = "yaml",
) -> None:
    """Show an organization; its contact person's name is shown beside their id."""
    from rjc.cli import records

    records.show(_organization_id(organization_id), fmt=fmt, names=True)


@org_app.command("edit")
def edit(organization_id: OrganizationArgument) -> None:
    """Edit an organization in $VISUAL/$EDITOR; it is validated before anything is committed."""
    from rjc.cli import records

    records.edit(_organization_id(organization_id))


def _organization_id(text: str) -> str:
    from rjc.storage import layout
    from rjc.storage.errors import RjcError

    record_id = layout.parse_id(text)
    if record_id.kind.name != "organization":
        raise RjcError(f"{record_id} is a {record_id.kind.name}, not an organization (ids look like O-2026-KB-0001)")
    return str(record_id)


@org_app.command("link-agencies")
def link_agencies(
    no_input: Annotated[bool, typer.Option(
        "--no-input", help="Never prompt: spellings that may be one organization are left as they are.")] = False,
) -> None:
    """Link the agencies typed on referrals to organizations, in one commit.

    An agency already on file (the same name, ignoring case and spacing) is linked to it; a new
    name becomes an organization (a referring agency). Where two spellings may be one
    organization ("Hartford Police Dept" and "Hartford Police Department") you are asked; with
    no terminal to ask on, those referrals are left as they are, and listed.
    """
    from rjc.cli.output import committed, message
    from rjc.workflows import organizations

    ask = interactive(no_input)

    def decide(typed: str, other: str) -> bool | None:
        if not ask:
            return None
        return typer.confirm(f"Is '{typed}' the same organization as {other}?", default=False)

    linked = organizations.link_agencies(open_repository(), decide)
    if linked.created:
        message(f"new organizations: {', '.join(linked.created)}")
    if linked.linked:
        message(f"linked {len(linked.linked)} referral{'s' * (len(linked.linked) != 1)}")
    if linked.left:
        message(f"left as typed (may be an organization on file; run on a terminal to decide): "
                f"{', '.join(sorted(linked.left))}")
    if linked.result is None:
        if not linked.left:
            message("every referral's agency is linked already; nothing to do")
        return
    committed(linked.result)


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
