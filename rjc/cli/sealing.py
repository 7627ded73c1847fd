"""rjc seal: the law's duty to seal, out of every commit of the history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rjc.cli.options import AsOfOption, day
from rjc.cli.repo import interactive, open_repository

CourtOrderOption = Annotated[Optional[str], typer.Option(
    "--court-order", metavar="REF", help="The court order's reference, for a case no rule makes due.")]
NoInputOption = Annotated[bool, typer.Option("--no-input", help="Never prompt; fail unless --yes.")]


def seal(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="The closed cases to seal.")] = None,
    due: Annotated[bool, typer.Option("--due", help="The closed cases whose sealing date has come: listed, "
                                                    "or sealed with --yes.")] = False,
    send: Annotated[bool, typer.Option("--send", help="Send a seal made here that could not reach the remote.")] = False,
    set_key: Annotated[Optional[str], typer.Option(
        "--set-key", metavar="AGE1...", help="Set the center's sealing public key (age), which seals archive to.")] = None,
    repair: Annotated[bool, typer.Option("--repair", help="Seal again every record the register lists, in every "
                                                          "commit (after the old history came back).")] = False,
    court_order: CourtOrderOption = None,
    as_of: AsOfOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Seal without asking.")] = False,
    no_input: NoInputOption = False,
) -> None:
    """Seal closed cases: every version of the case, its referral and the people in no other case
    is replaced, in every commit, by what the reports count; the seal register says so by id.

    `--due` lists the cases whose date under rjc.yaml's sealing rules has come (ids, dates,
    rule); `--due --yes` seals them all in one rewrite.
    """
    from rjc.cli.output import say
    from rjc.workflows import sealing

    alone = [flag for flag, given in (("--send", send), ("--repair", repair), ("--set-key", set_key is not None))
             if given]
    if not alone:
        return _seal(ids, due, court_order, as_of, yes, no_input, "seal")
    if ids or due or len(alone) > 1:
        raise typer.BadParameter("goes alone", param_hint=alone[0])
    repo = open_repository()
    if send:
        say(sealing.send_unsent(repo))
    elif repair:
        done = sealing.repair(repo)
        say(f"sealed again: {len(done.records)} records, {done.versions} versions rewritten, the old ones deleted")
    else:
        sealing.set_key(repo, set_key or "")
        say("the sealing key is set; what a seal removes is archived encrypted to it")


def expunge(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="The closed cases to expunge.")] = None,
    due: Annotated[bool, typer.Option("--due", help="The closed cases whose date has come: listed, or "
                                                    "expunged with --yes.")] = False,
    court_order: CourtOrderOption = None,
    as_of: AsOfOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Expunge without asking.")] = False,
    no_input: NoInputOption = False,
) -> None:
    """Expunge closed cases: as rjc seal, but nothing is archived anywhere, not even encrypted."""
    _seal(ids, due, court_order, as_of, yes, no_input, "expunge")


def _seal(ids, due, court_order, as_of, yes, no_input, action) -> None:
    """Seal (or expunge) the given cases, or those due: or, with --due alone, list those due."""
    from rjc.cli.output import message, say
    from rjc.storage.errors import RjcError
    from rjc.workflows import sealing

    if bool(ids) == due:
        raise typer.BadParameter("give the cases, or --due", param_hint="ID")
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
        found = [entry for entry in found if entry.action == action]  # each rule: sealed, or expunged
        if not found:
            message(f"no case is due for sealing or deletion as of {when}; nothing was sealed")
            return
        orders = {entry.case: entry.rule for entry in found}
    else:
        orders = sealing.orders(repo, ids or [], court_order, when)
    done_word = "sealed" if action == "seal" else "expunged"
    if not yes and not (interactive(no_input) and typer.confirm(
            f"{action.capitalize()} {' '.join(orders)}? Their text goes from every commit of this repository, "
            f"for good", default=False)):
        raise RjcError(f"nothing was {done_word}; confirm with --yes")
    done = sealing.seal(repo, orders, today=when, action=action)
    say(f"{done_word} {' '.join(done.cases)}: {len(done.records)} records tombstoned ({' '.join(done.records)}), "
        f"{done.versions} versions rewritten, the old ones deleted")
    if done.archive:
        say(f"what was removed is archived, encrypted to the center's sealing key, in {done.archive}")
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


def unseal(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The sealed case, as a court ordered.")],
    archive: Annotated[Path, typer.Option("--archive", metavar="FILE", help="The archive the seal wrote (.age).")],
    identity: Annotated[Path, typer.Option("--identity", metavar="FILE",
                                           help="The center's sealing private key (AGE-SECRET-KEY-...).")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write it (outside any records "
                                                                   "repository).")] = Path("."),
) -> None:
    """Read a sealed case back from its archive, for a court order: every version of its records, in
    one owner-only file. Never back into the shared records."""
    from rjc.cli.output import say
    from rjc.workflows import sealing

    say(f"written, owner-only: {sealing.unseal(archive, identity, case_id, out)}")


def register(app: typer.Typer) -> None:
    app.command()(seal)
    app.command()(expunge)
    app.command()(sealed)
    app.command()(unseal)
