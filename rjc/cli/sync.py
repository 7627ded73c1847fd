"""Working with other coordinators: rjc clone, rjc sync."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rjc.cli.repo import interactive, open_repository


def clone(
    url: Annotated[str, typer.Argument(help="The center's records remote: a path or a git URL.")],
    directory: Annotated[Path, typer.Argument(help="Where to put this clone (a new or empty directory).")],
    coordinator: Annotated[Optional[str], typer.Option(
        "--coordinator", metavar="CODE",
        help="Your coordinator code, as listed in rjc.yaml (asked on a terminal otherwise).")] = None,
    hooks: Annotated[Optional[bool], typer.Option(
        "--hooks/--no-hooks", help="Install a git pre-commit hook that checks hand edits (rjc check --staged) "
                                   "before git commits them (asked on a terminal).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if something is missing.")] = False,
) -> None:
    """Clone the center's records: owner-only permissions, rjc's git settings, your coordinator code.

    Then every record is checked, and any problem is listed (exit 1 if there are errors).
    """
    from rjc.cli.output import message
    from rjc.workflows.sync import clone_repository

    def ask(codes: list[str]) -> str:
        return typer.prompt(f"Your coordinator code ({', '.join(codes)})")

    if hooks is None and interactive(no_input):
        from rjc.cli.repo import ask_hooks

        hooks = ask_hooks()
    result = clone_repository(url, directory, coordinator=coordinator.upper() if coordinator else None,
                              ask=ask if interactive(no_input) else None, hooks=bool(hooks))
    message(f"cloned the records into {result.root}; this clone works as coordinator {result.coordinator}")
    for warning in result.warnings:
        message(f"warning: {warning}")
    for problem in result.problems:
        print(problem)
    errors = sum(p.level == "error" for p in result.problems)
    if errors:
        message(f"{errors} error{'s' * (errors != 1)} in the records: see rjc check")
        raise typer.Exit(1)
    message(f"next: cd {result.root} && rjc sync")


def sync(
    ours: Annotated[bool, typer.Option(
        "--ours", help="In a conflict, keep this clone's value (the other stays in the history).")] = False,
    theirs: Annotated[bool, typer.Option(
        "--theirs", help="In a conflict, keep the remote's value (this clone's stays in the history).")] = False,
    no_push: Annotated[bool, typer.Option(
        "--no-push", help="Fetch and integrate only; send nothing.")] = False,
    no_input: Annotated[bool, typer.Option(
        "--no-input", help="Never prompt: without --ours/--theirs, a conflict stops the sync.")] = False,
    accept_rewrite: Annotated[bool, typer.Option(
        "--accept-rewrite", help="Origin's history was rewritten (records sealed): follow it, replaying "
                                 "only this clone's changes not yet sent.")] = False,
) -> None:
    """Bring in the other coordinators' changes, check the records, and send yours.

    Fetches origin, replays this clone's commits on top of it (the same field edited on both
    sides is merged field by field; a true conflict is asked on a terminal, else needs --ours or
    --theirs), runs rjc check, and pushes. Says what came in and what went out, by record id.
    """
    from rjc.cli.output import message, say
    from rjc.storage.errors import UsageProblem
    from rjc.workflows import sync as core

    if ours and theirs:
        raise UsageProblem("choose one of --ours and --theirs")
    choose = _ask if interactive(no_input) and not (ours or theirs) else None
    report = core.sync(open_repository(), prefer="ours" if ours else "theirs" if theirs else None,
                       choose=choose, push=not no_push, accept_rewrite=accept_rewrite)
    for line in summary(report):
        say(line)
    if report.problems:
        for problem in report.problems:
            say(problem)
        count = len(report.problems)
        message(f"Error: the records brought together have {count} error{'s' * (count != 1)}, listed above; "
                f"they are kept here and nothing was sent. Fix them (rjc edit ID), then run rjc sync again")
        raise typer.Exit(1)


def summary(report) -> list[str]:
    """What came in and what went out: counts and record ids only."""

    def commits(n: int) -> str:
        return f"{n} change{'s' * (n != 1)}"

    def ids(found: list[str]) -> str:
        return f": {' '.join(found)}" if found else ""

    lines = []
    if report.sealed:
        lines.append(f"origin sealed {' '.join(report.sealed)}: this clone follows the sealed history, "
                     f"and the old one is deleted here")
    elif report.rewritten:
        lines.append("followed origin's rewritten history")
    if report.dropped:
        lines.append(f"changes made here to sealed records were left out: {' '.join(report.dropped)}")
    if report.received:
        lines.append(f"received {commits(len(report.received))}{ids(report.ids(report.received))}")
    if report.sent:
        lines.append(f"sent {commits(len(report.sent))}{ids(report.ids(report.sent))}")
    if report.unsent:
        lines.append(f"not sent {commits(len(report.unsent))}{ids(report.ids(report.unsent))}")
    merged = sorted({_record(p) for p in report.merged})
    if merged:
        lines.append(f"merged field by field: {' '.join(merged)}")
    for conflict, choice in report.resolved:
        kept = "this clone's" if choice == "ours" else "origin's"
        lines.append(f"conflict {conflict.record} {conflict.field}: kept {kept} value")
    if report.already_there:
        lines.append(f"{commits(report.already_there)} already on origin")
    if not lines:
        lines.append("up to date")
    return lines


def _record(path: str) -> str:
    from rjc.storage import layout

    return layout.expected_id(path) or path


def _ask(conflict) -> str:
    """Show both values of a conflicting field, at the terminal, and ask which to keep."""
    from rjc.cli.output import message
    from rjc.workflows.sync import show_sides

    ours, theirs = show_sides(conflict)
    message(f"{conflict.record} {conflict.field} was changed both here and on origin:")
    message(f"  ours   (this clone): {ours}")
    message(f"  theirs (origin):     {theirs}")
    while True:
        answer = typer.prompt("Keep which (ours/theirs)", err=True).strip().lower()
        if answer in ("ours", "theirs"):
            return answer
        typer.echo("  answer ours or theirs", err=True)


def merge_file(
    base: Annotated[Path, typer.Argument(help="The common ancestor's version (git's %O).")],
    ours: Annotated[Path, typer.Argument(help="This side's version, replaced by the result (git's %A).")],
    theirs: Annotated[Path, typer.Argument(help="The other side's version (git's %B).")],
    path: Annotated[str, typer.Argument(help="The file's path in the repository (git's %P).")],
) -> None:
    """git's merge driver for records: merge three versions of a file field by field, as rjc sync does.

    Set up by rjc init, rjc clone and rjc doctor (.gitattributes: *.yaml merge=rjc), so that git
    merge and git pull never merge records line by line. The result is written over OURS. Fields
    both sides changed to different values keep this side's value and are listed, with both
    values, under merge_conflicts, which rjc check reports by field; exit 1, so git reports a
    conflict.
    """
    from rjc.cli.output import message
    from rjc.storage.errors import RjcError
    from rjc.storage.transaction import write_atomically
    from rjc.workflows.merging import merge_file as merge

    def read(file: Path) -> bytes:
        try:
            return file.read_bytes()
        except OSError as exc:
            raise RjcError(f"cannot read {file}: {exc.strerror}") from None

    # an empty base: the file was created on both sides, and is merged against nothing
    text, conflicts = merge(path, read(base) or None, read(ours), read(theirs))
    if text is not None:
        write_atomically(ours, text.encode("utf-8"))
    if conflicts:
        fields = ", ".join(c.field for c in conflicts)
        message(f"{path}: changed on both sides ({fields}); this side's values are kept and both are listed "
                f"under merge_conflicts: keep one of each, delete merge_conflicts, then git add {path} "
                f"(rjc check lists what is left)")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(clone)
    app.command()(sync)
    app.command("merge-file")(merge_file)
