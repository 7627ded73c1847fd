"""rjc seal: the law's duty to seal, out of every commit of the history."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rjc.cli.options import AsOfOption, day
from rjc.cli.repo import interactive, open_repository


def seal(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="The closed cases to seal.")] = None,
    due: Annotated[bool, typer.Option("--due", help="The closed cases whose sealing date has come: listed, "
                                                    "or sealed with --yes.")] = False,
    send: Annotated[bool, typer.Option("--send", help="Send a seal made here that could not reach the remote.")] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Seal again every record the register lists, in every "
                                                          "commit (after the old history came back).")] = False,
    court_order: Annotated[Optional[str], typer.Option(
        "--court-order", metavar="REF", help="The court order's reference, for a case no rule makes due.")] = None,
    as_of: AsOfOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Seal without asking.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail unless --yes.")] = False,
) -> None:
    """Seal closed cases: every version of the case, its referral and the people in no other case
    is replaced, in every commit, by what the reports count; the seal register says so by id.

    `--due` lists the cases whose date under rjc.yaml's sealing rules has come (ids, dates,
    rule); `--due --yes` seals them all in one rewrite.
    """
    from rjc.cli.output import message, say
    from rjc.storage.errors import RjcError
    from rjc.workflows import sealing

    if (send or repair) and not ids and not due and not (send and repair):
        if send:
            say(sealing.send_unsent(open_repository()))
        else:
            done = sealing.repair(open_repository())
            say(f"sealed again: {len(done.records)} records, {done.versions} versions rewritten, the old ones deleted")
        return
    if bool(ids) == due or send or repair:
        raise typer.BadParameter("give the cases to seal, or --due (or --send or --repair alone)", param_hint="ID")
    repo = open_repository()
    when = day(as_of)
    if due:
        found = sealing.due(repo, when)
        if not yes:
            for entry in found:
                say(f"{entry.case}  {entry.action} due {entry.due}  {entry.rule}")
            if not found:
                message(f"no case is due for sealing or deletion as of {when}")
            return
        if not found:
            message(f"no case is due for sealing or deletion as of {when}; nothing was sealed")
            return
        orders = {entry.case: entry.rule for entry in found}
    else:
        orders = sealing.orders(repo, ids or [], court_order, when)
    listed = " ".join(orders)
    if not yes and not (interactive(no_input) and typer.confirm(
            f"Seal {listed}? Their text goes from every commit of this repository, for good", default=False)):
        raise RjcError("nothing was sealed; confirm with --yes")
    done = sealing.seal(repo, orders, today=when)
    say(f"sealed {' '.join(done.cases)}: {len(done.records)} records tombstoned ({' '.join(done.records)}), "
        f"{done.versions} versions rewritten, the old ones deleted")
    if done.remote:
        say(done.remote)


def sealed() -> None:
    """The seal register: each case sealed or expunged, the day, the rule or court order, by whom,
    and the records it tombstoned. Ids only."""
    from rjc.cli.output import message, say

    register = open_repository().seal_register()
    for entry in register.sealed:
        done = "sealed" if entry.action == "seal" else "expunged"
        say(f"{entry.case}  {done} {entry.date}  by {entry.by}  {entry.rule}  records: {' '.join(entry.records)}")
    if not register.sealed:
        message("nothing has been sealed")


def register(app: typer.Typer) -> None:
    app.command()(seal)
    app.command()(sealed)
