"""Records of any kind: rjc new, rjc show, rjc list, rjc edit."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rjc.cli.options import DateOption, YesOption, event_day, format_option
from rjc.cli.repo import interactive, open_repository
from rjc.model.vocab import Program, ReferralSource

KIND_HELP = "person, referral, case, panel, volunteer or organization (plural works too)."


def new(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    from_file: Annotated[Optional[Path], typer.Option(
        "--from-file", "-f", metavar="FILE", help="Read the fields from a YAML file ('-' for stdin).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if something is missing.")] = False,
    date: DateOption = None,
    yes: YesOption = False,
) -> None:
    """Create a record: asks for its fields, or reads them from a file. Prints the new id.

    --date is the day it starts from: a case's opening, a volunteer's start.

    Identifying details are typed at the prompts or read from a file, never given on the
    command line, where the shell would keep them in its history.
    """
    from rjc.cli.options import save_or_abandon, summary_lines
    from rjc.cli.output import committed, read_source, say
    from rjc.storage import layout, yamlio
    from rjc.storage.errors import RjcError
    from rjc.workflows import records

    kind_info = layout.kind_named(kind)
    when = event_day(date, yes)
    repo = open_repository()
    if from_file is not None:
        name = "<stdin>" if str(from_file) == "-" else str(from_file)
        fields = records.read_fields(read_source(str(from_file)), name)
    elif interactive(no_input):
        answers = ask(records.questions(kind_info.name))
        save_or_abandon([f"The {kind_info.name} to be saved:", *summary_lines(answers)])
        fields = yamlio.Document(answers)
        name = "<prompts>"
    else:
        raise RjcError("no terminal to ask on: give the fields with --from-file FILE (or '-' for stdin)")
    result = records.create(repo, kind_info.name, fields, source=name, today=when)
    say(result.ids[0])
    committed(result)


def ask(questions) -> dict:
    """Prompt for each field; answers are checked as they are typed."""
    from rjc.cli.options import checked_prompt

    answers: dict = {}
    for q in questions:
        label = q.name.replace("_", " ")
        if q.kind == "choice":
            label += f" ({', '.join(q.choices)})"
        elif q.kind in ("date", "time"):
            label += " (YYYY-MM-DD)" if q.kind == "date" else " (HH:MM)"
        if q.kind == "yes/no":
            answers[q.name] = typer.confirm(label if q.required else f"{label} [blank to skip]", default=True)
            continue
        value = checked_prompt(label, lambda value, q=q: _answer_problem(q, value), required=q.required)
        if value is not None:
            answers[q.name] = value
    return answers


def _answer_problem(question, value: str) -> str | None:
    """Why this answer cannot be taken (asked again at once), or None."""
    from rjc.cli.options import date_problem, email_problem, number_problem, phone_problem

    if not value:
        return "this field is required"
    if question.kind == "choice" and value not in question.choices:
        return f"choose one of: {', '.join(question.choices)}"
    if question.kind == "date":
        return date_problem(value)
    if question.kind == "time":
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            return f"not a time (HH:MM): {value}"
    if question.kind in ("number", "amount"):
        return number_problem(value)
    if question.name.endswith("phone"):
        return phone_problem(value)
    if question.name.endswith("email"):
        return email_problem(value)
    return None


def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The record's id, e.g. C-2026-KB-0007.")],
    fmt: Annotated[Literal["yaml", "json"], format_option(help="yaml (with names shown beside ids) or json.")] = "yaml",
    names: Annotated[bool, typer.Option("--names/--no-names", help="Show people's names beside their ids.")] = True,
) -> None:
    """Show one record; people's names are shown beside their ids for the coordinator."""
    import json

    from rjc.cli.output import problems_text, say
    from rjc.model import Person
    from rjc.storage.errors import RjcError
    from rjc.workflows import records

    repo = open_repository()
    loaded = repo.read(record_id)
    if loaded.record is None:
        raise RjcError(f"{loaded.path} is not valid; fix it with: rjc edit {record_id}", loaded.problems)
    if fmt == "json":
        print(json.dumps(loaded.record.to_data(mode="json"), indent=2))  # what the file says, as JSON
        return
    text = (repo.root / loaded.path).read_text(encoding="utf-8")
    say(records.with_names(repo, text, loaded.record.id) if names else text, end="")
    if isinstance(loaded.record, Person):  # what a coordinator asks next: which cases they are in
        from rjc.cli.people import involvement_lines
        from rjc.workflows.people import involvements

        say("# referrals and cases:")
        for line in involvement_lines(involvements(repo, [loaded.record.id])[loaded.record.id], indent="#   "):
            say(line)
    if loaded.problems:
        print(problems_text(loaded.problems), file=sys.stderr)


def list_(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    status: Annotated[Optional[str], typer.Option(
        help="Case status (or open/closed), referral decision, panel status, active/inactive, "
             "or an organization's type.")] = None,
    program: Annotated[Optional[Program], typer.Option(case_sensitive=False, help="Program.")] = None,
    source: Annotated[Optional[ReferralSource], typer.Option(case_sensitive=False, help="Referral source.")] = None,
    coordinator: Annotated[Optional[str], typer.Option(help="Coordinator code (cases).")] = None,
    since: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="On or after this date (opened, received, panel date).")] = None,
    until: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="On or before this date.")] = None,
    fmt: Annotated[Literal["table", "json", "csv"], format_option()] = "table",
) -> None:
    """List records of one kind, filtered: ids and facts, never names."""
    import json

    from rjc.cli.output import message, print_rows
    from rjc.outputs import listing
    from rjc.storage import layout
    kind_info = layout.kind_named(kind)
    repo = open_repository()
    entries = repo.entries([kind_info], rows_only=True).values()
    broken = [entry for entry in entries if entry.row is None]
    filters = listing.Filters(status, program and program.value, source and source.value, coordinator and coordinator.upper(),
                              since.date() if since else None, until.date() if until else None)
    rows = listing.rows(kind_info.name, [json.loads(entry.row) for entry in entries if entry.row], filters)
    print_rows(rows, listing.COLUMNS[kind_info.name], fmt, listing.RANK[kind_info.name])
    if broken:
        message(f"{len(broken)} {kind_info.directory} could not be read and are not listed; run: rjc check")


def edit(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The record to edit.")],
) -> None:
    """Edit a record in $VISUAL/$EDITOR; it is validated before anything is committed.

    An invalid edit reopens with the problems as comments at the top. An abandoned or
    invalid edit commits nothing and keeps your draft in a private place (printed).
    """
    from rjc.workflows.records import EditSession

    session = EditSession(open_repository(), record_id)
    try:
        edit_in_editor(session)
    finally:
        session.close()


def edit_in_editor(session) -> None:
    """Run an edit session: the editor, validation, and again until it is valid or given up."""
    import sys

    from rjc.cli.output import committed, message, problems_text
    from rjc.storage.errors import RjcError

    note = session.start()
    if note:
        message(note)
    while True:
        if not _run_editor(session.draft):
            raise RjcError(f"the editor failed; nothing committed; your draft is kept at {session.draft}")
        try:
            session.text()
        except RjcError as exc:  # not text at all (binary data, another encoding): nothing to annotate
            message(problems_text(exc.problems))
            raise RjcError(f"invalid; nothing committed; your draft is kept at {session.draft}") from None
        if session.unchanged():
            session.discard()
            message("no changes; nothing committed")
            return
        if not session.text().strip():
            raise RjcError(f"the draft is empty; nothing committed; it is kept at {session.draft}")
        record, problems = session.validate()
        if not problems:
            committed(session.commit(record))
            return
        message(problems_text(problems))
        if not (sys.stdin.isatty() and typer.confirm("Edit again to fix these?", default=True)):
            raise RjcError(f"invalid; nothing committed; your draft is kept at {session.draft}")
        session.annotate(problems)


def _run_editor(path: Path) -> bool:
    import os
    import shlex
    import subprocess

    from rjc.storage.errors import RjcError

    source = next((f"${name}" for name in ("VISUAL", "EDITOR") if os.environ.get(name)), "the default")
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        words = shlex.split(command)
    except ValueError as exc:  # an unclosed quote
        words, why = [], str(exc).lower()
    else:
        why = "it is empty"
    try:
        if words:
            return subprocess.run([*words, str(path)], check=False).returncode == 0
    except OSError as exc:  # missing, not executable, a directory...
        why = (exc.strerror or str(exc)).lower()
    raise RjcError(f"cannot run the editor '{command}' ({source}): {why}; set $VISUAL or $EDITOR to your "
                   f"editor's command, e.g. export EDITOR=nano; nothing committed; your draft is kept at {path}")


def register(app: typer.Typer) -> None:
    app.command()(new)
    app.command()(show)
    app.command("list")(list_)
    app.command()(edit)
