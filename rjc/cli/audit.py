"""The audit trail: rjc history, rjc log, rjc undo."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rjc.cli.repo import open_repository


def history(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The record, e.g. C-2026-KB-0007.")],
) -> None:
    """Who changed what in one record, and when: dated, attributed, field by field."""
    from rjc.cli.output import say
    from rjc.outputs.history import record_history

    repo = open_repository()
    for change in record_history(repo.git, record_id, _index(repo)):
        say(f"{change.date[:16].replace('T', ' ')}  {change.actor:<4}  {change.action}  ({change.commit[:10]})")
        for line in change.lines:
            say(f"    {line}")
    seal = next((s for s in repo.seal_register().sealed if record_id.upper() in s.records), None)
    if seal is not None:  # the versions above are its tombstones: what it held is gone
        say(f"{seal.date}        {seal.by:<4}  {seal.action} {seal.case}: every version above is what "
            f"the {seal.action} left of it  ({seal.rule})")


def log(
    since: Annotated[Optional[str], typer.Option(metavar="DATE", help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(metavar="DATE", help="Up to this date (YYYY-MM-DD).")] = None,
    record: Annotated[Optional[str], typer.Option(metavar="ID", help="Only changes to this record.")] = None,
    coordinator: Annotated[Optional[str], typer.Option(metavar="CODE", help="Only this coordinator's changes.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many entries.")] = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Say whether each commit is signed, and by which coordinator's key (rjc.yaml).")] = False,
) -> None:
    """The center's audit trail, newest first: date, coordinator, action, commit.

    With --verify, each line ends with: signed CODE (a good signature by the key rjc.yaml lists
    for that coordinator), signed by an unknown key, not signed, or bad signature.
    """
    from rjc.cli.output import say
    from rjc.outputs.history import audit_log, signatures

    repo = open_repository()
    commits = audit_log(repo.git, since=since, until=until, record_id=record,
                        actor=coordinator and coordinator.upper(), limit=limit, index=_index(repo))
    signed = signatures(repo.git, repo.settings, [c.sha for c in commits]) if verify else {}
    for commit in commits:
        actor = commit.actor or commit.author
        line = f"{commit.date[:16].replace('T', ' ')}  {actor:<4}  {commit.subject}  ({commit.sha[:10]})"
        say(f"{line}  {signed.get(commit.sha, 'not signed')}" if verify else line)


def undo(
    target: Annotated[Optional[str], typer.Argument(
        metavar="[ID | COMMIT]", help="A record (its latest change) or a commit from rjc log; "
                                      "default: your own latest change.")] = None,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Undo even when a later change touched the same record (its changes are kept).")] = False,
) -> None:
    """Undo one change: a new commit puts back what it changed (the history keeps both).

    Shows the change and the fields it set first. A change that created a record, or a seal,
    cannot be undone. When a later change touched the same record, asks first (without a
    terminal: needs --yes), and puts back only the fields this change set.
    """
    from rjc.cli.output import committed, message
    from rjc.cli.repo import interactive
    from rjc.outputs.history import record_commits
    from rjc.storage import layout
    from rjc.workflows import undo as core

    repo = open_repository()
    if target is not None and layout.is_id(target.strip().upper()):
        commits = record_commits(repo.git, _index(repo), layout.parse_id(target).path)
        if not commits:
            from rjc.storage.errors import RjcError

            raise RjcError(f"no record {layout.parse_id(target)} in the history")
        target = commits[0].sha
    commit = core.find(repo, target)
    plan = core.plan(repo, commit)
    message(f"undoing {commit.sha[:10]} ({commit.date[:10]}, {commit.actor}): {commit.subject}")  # its day, as rjc log
    for name, fields in plan.changed.items():
        message(f"  {name}: {', '.join(fields) or 'no field changed'}")
    later_too = yes
    if plan.touched_later and not yes and interactive(False):
        later_too = typer.confirm(f"{', '.join(plan.touched_later)} changed again since; put back only the "
                                  "fields this change set, and keep the later changes?", default=False)
        if not later_too:
            message("nothing was undone")
            raise typer.Exit(1)
    committed(core.undo(repo, commit.sha, later_too=later_too).result)


def _index(repo):
    from rjc.cli.output import message

    def building(commits: int) -> None:
        message(f"indexing the history for rjc history and rjc log (once): {commits:,} commits so far...")

    return repo.audit_index(on_progress=building)


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(log)
    app.command()(undo)
