"""Moving cases and referrals along: status changes, closure, reopening, contacts, screening.

Each function is one transaction: it reads the record under the write lock, applies one
dated, attributed change that the program's lifecycle allows, and commits it.
"""

from __future__ import annotations

import datetime as dt

from rjc import layout, lifecycle
from rjc.errors import RjcError
from rjc.model import Case, Referral, SCHEMA_VERSION
from rjc.model.case import Closure, Contact, Participant, StatusEntry
from rjc.model.vocab import CaseStatus, ClosureReason, ContactKind, Program, Role, ScreeningDecision
from rjc.repository import Repository
from rjc.transaction import Result

# Who a referral's people become on the case, where the program names the role differently.
_CASE_ROLE = {
    Program.COSA: {Role.RESPONSIBLE_PARTY: Role.CORE_MEMBER},
    Program.OFFENDER_REENTRY: {Role.RESPONSIBLE_PARTY: Role.CLIENT},
    Program.STAR: {Role.RESPONSIBLE_PARTY: Role.CLIENT},
    Program.MEDIATION: {Role.RESPONSIBLE_PARTY: Role.PARTY},
}


def _load(repo: Repository, record_id: str, kind: type):
    record = repo.get(record_id)
    if not isinstance(record, kind):
        raise RjcError(f"{record_id} is not a {kind.__name__.lower()}")
    return record


def _check_date(day: dt.date, after: dt.date, what: str) -> None:
    if day < after:
        raise RjcError(f"{day} is before {what} ({after}); nothing was changed")


def change_status(repo: Repository, case_id: str, status: CaseStatus, *, day: dt.date,
                  note: str | None = None) -> Result:
    """Move a case to a status its program allows next (closing goes through close_case)."""
    if status == CaseStatus.CLOSED:
        raise RjcError("close a case with: rjc case close ID --reason REASON")
    with repo.transaction("case status") as tx:
        case = _load(repo, case_id, Case)
        allowed = lifecycle.allowed_next(case.program, case.status) - {CaseStatus.CLOSED}
        if case.status == CaseStatus.CLOSED:
            raise RjcError(f"{case_id} is closed; reopen it first with: rjc case reopen {case_id}")
        if status not in allowed:
            choices = ", ".join(sorted(allowed)) or "none (close it)"
            raise RjcError(f"{case.program} cases cannot go from {case.status} to {status}; "
                           f"from {case.status} they go to: {choices}")
        _check_date(day, case.status_history[-1].date, "its last status change")
        case.status_history.append(StatusEntry(status=status, date=day, by=tx.actor, note=note))
        tx.stage(case)
        return tx.commit(f"case status {status}")


def close_case(repo: Repository, case_id: str, reason: ClosureReason, *, day: dt.date,
               note: str | None = None) -> Result:
    with repo.transaction("case close") as tx:
        case = _load(repo, case_id, Case)
        if case.status == CaseStatus.CLOSED:
            raise RjcError(f"{case_id} is already closed")
        _check_date(day, case.status_history[-1].date, "its last status change")
        # The reason also goes into the history, which keeps it if the case is ever reopened.
        entry_note = reason.value + (f": {note}" if note else "")
        case.status_history.append(StatusEntry(status=CaseStatus.CLOSED, date=day, by=tx.actor, note=entry_note))
        case.closure = Closure(date=day, reason=reason, by=tx.actor, note=note)
        tx.stage(case)
        return tx.commit("case close")


def reopen_case(repo: Repository, case_id: str, *, day: dt.date, note: str) -> Result:
    """Reopen a closed case at intake; the earlier closure stays in the status history."""
    if not note:
        raise RjcError("reopening needs a reason (--note)")
    with repo.transaction("case reopen") as tx:
        case = _load(repo, case_id, Case)
        if case.status != CaseStatus.CLOSED:
            raise RjcError(f"{case_id} is not closed (it is {case.status})")
        _check_date(day, case.status_history[-1].date, "its closure")
        case.status_history.append(StatusEntry(status=lifecycle.REOPEN_TO, date=day, by=tx.actor, note=note))
        case.closure = None
        tx.stage(case)
        return tx.commit("case reopen")


def log_contact(repo: Repository, case_id: str, kind: ContactKind, *, day: dt.date, note: str | None,
                people: list[str]) -> Result:
    with repo.transaction("case note") as tx:
        case = _load(repo, case_id, Case)
        _check_date(day, case.opened, "the case was opened")
        strangers = [p for p in people if p not in case.people()]
        if strangers:
            raise RjcError(f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not on {case_id}")
        case.contacts.append(Contact(date=day, kind=kind, by=tx.actor, note=note, **{"with": people}))
        tx.stage(case)
        return tx.commit("case note")


def accept_referral(repo: Repository, referral_id: str, *, day: dt.date, program: Program | None = None) -> Result:
    """Open a case from a pending referral: one commit holds the accepted referral and the case."""
    with repo.transaction("referral accept") as tx:
        referral = _pending(repo, referral_id)
        _check_date(day, referral.received, "the referral was received")
        program = program or referral.program
        roles = _CASE_ROLE.get(program, {})
        case = Case(
            id=tx.new_id("case", day.year), schema_version=SCHEMA_VERSION, program=program,
            referral=referral.id, coordinator=tx.actor, opened=day,
            participants=[Participant(person=p.person, role=roles.get(p.role, p.role)) for p in referral.people],
            status_history=[StatusEntry(status=CaseStatus.REFERRED, date=day, by=tx.actor)],
        )
        referral.screening.decision = ScreeningDecision.ACCEPTED
        referral.screening.date, referral.screening.by, referral.screening.case = day, tx.actor, case.id
        tx.stage(referral)
        tx.stage(case)
        return tx.commit("referral accept")


def decline_referral(repo: Repository, referral_id: str, decision: ScreeningDecision, *, day: dt.date,
                     reason: str) -> Result:
    """Decline a referral, or return it to the referrer, with a reason."""
    if decision not in (ScreeningDecision.DECLINED, ScreeningDecision.RETURNED):
        raise RjcError(f"a referral is declined or returned, not {decision}")
    if not reason:
        raise RjcError("give the reason (--reason)")
    with repo.transaction(f"referral {'decline' if decision == ScreeningDecision.DECLINED else 'return'}") as tx:
        referral = _pending(repo, referral_id)
        _check_date(day, referral.received, "the referral was received")
        referral.screening.decision = decision
        referral.screening.date, referral.screening.by, referral.screening.reason = day, tx.actor, reason
        tx.stage(referral)
        return tx.commit(f"referral {decision}")


def _pending(repo: Repository, referral_id: str) -> Referral:
    referral = _load(repo, str(layout.parse_id(referral_id)), Referral)
    if referral.screening.decision != ScreeningDecision.PENDING:
        where = f" as {referral.screening.case}" if referral.screening.case else ""
        raise RjcError(f"{referral_id} was already {referral.screening.decision}{where}")
    return referral
