"""The audit trail: rjc history, rjc log."""

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
) -> None:
    """The center's audit trail, newest first: date, coordinator, action, commit."""
    from rjc.cli.output import say
    from rjc.outputs.history import audit_log

    repo = open_repository()
    for commit in audit_log(repo.git, since=since, until=until, record_id=record,
                            actor=coordinator and coordinator.upper(), limit=limit, index=_index(repo)):
        actor = commit.actor or commit.author
        say(f"{commit.date[:16].replace('T', ' ')}  {actor:<4}  {commit.subject}  ({commit.sha[:10]})")


def _index(repo):
    from rjc.cli.output import message

    def building(commits: int) -> None:
        message(f"indexing the history for rjc history and rjc log (once): {commits:,} commits so far...")

    return repo.audit_index(on_progress=building)


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(log)
