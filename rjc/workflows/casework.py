"""Moving cases and referrals along: status changes, closure, reopening, contacts, screening.

Each function is one transaction: it reads the record under the write lock, applies one
dated, attributed change that the program's lifecycle allows, and commits it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import get_args

from rjc.model import SCHEMA_VERSION, Case, Referral, lifecycle
from rjc.model.case import (
    Closure,
    Contact,
    Diversion,
    EarlierChoice,
    EarlierResolution,
    Participant,
    StatusEntry,
    _Item,
)
from rjc.model.vocab import (
    CaseStatus,
    ClosureReason,
    ContactKind,
    GoalStatus,
    ItemStatus,
    Program,
    Resolution,
    Role,
    ScreeningDecision,
    VictimChoice,
)
from rjc.storage import layout
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.repository import Repository

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


def load_case(repo: Repository, case_id: str) -> Case:
    return _load(repo, case_id, Case)


def _open_case(repo: Repository, case_id: str) -> Case:
    """A case that may still change: a closed one is reopened first, explicitly."""
    case = _load(repo, case_id, Case)
    if case.status == CaseStatus.CLOSED:
        raise RjcError(f"{case.id} is closed; reopen it first with: rjc case reopen {case.id} --note WHY")
    return case


def _case_taking_entry(repo: Repository, case_id: str, day: dt.date) -> Case:
    """A case that takes a payment, hours or an item's outcome dated `day`. Paperwork comes late:
    a closed case takes one dated on or before its closure, without being reopened."""
    case = _load(repo, case_id, Case)
    if case.closure is not None and day > case.closure.date:
        raise RjcError(f"{case.id} closed on {case.closure.date}; {day} is after that, so it needs reopening first "
                       f"(rjc case reopen {case.id} --note WHY); nothing was changed")
    return case


def _require_on_case(case: Case, people: list[str]) -> None:
    strangers = [p for p in people if p not in case.people()]
    if strangers:
        raise RjcError(f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not on {case.id}")


def refuse_if_before(day: dt.date, after: dt.date, what: str) -> None:
    """A dated step cannot come before what it follows (the same words for every program)."""
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
        refuse_if_before(day, case.status_history[-1].date, "its last status change")
        case.status_history.append(StatusEntry(status=status, date=day, by=tx.actor, note=note))
        tx.stage(case)
        return tx.commit(f"case status {status}")


def close_case(repo: Repository, case_id: str, reason: ClosureReason, *, day: dt.date,
               note: str | None = None, open_items_confirmed: bool = False) -> Result:
    """Close a case. Completed successfully with agreement items still open is a claim someone
    must stand behind: it needs open_items_confirmed and a note saying why."""
    with repo.transaction("case close") as tx:
        case = _load(repo, case_id, Case)
        if case.status == CaseStatus.CLOSED:
            raise RjcError(f"{case_id} is already closed")
        refuse_if_before(day, case.status_history[-1].date, "its last status change")
        unfinished = unfinished_items(case)
        if reason == ClosureReason.COMPLETED_SUCCESSFULLY and unfinished and not (open_items_confirmed and note):
            raise RjcError(f"{case_id} still has open agreement items: {', '.join(unfinished)}; to close it as "
                           "completed-successfully anyway, repeat with --yes and --note WHY; nothing was changed")
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
        refuse_if_before(day, case.status_history[-1].date, "its closure")
        case.status_history.append(StatusEntry(status=lifecycle.REOPEN_TO, date=day, by=tx.actor, note=note))
        case.closure = None
        tx.stage(case)
        return tx.commit("case reopen")


def notify_referrer(repo: Repository, case_id: str, *, day: dt.date) -> Result:
    """Record that the referral source was told how a closed case ended (completion or return letter)."""
    with repo.transaction("case notify-referrer") as tx:
        case = _load(repo, case_id, Case)
        if case.closure is None:
            raise RjcError(f"{case_id} is not closed; the referrer is told of the outcome after closure")
        if not case.referral:
            raise RjcError(f"{case_id} has no referral source to tell")
        refuse_if_before(day, case.closure.date, "its closure")
        case.closure.referrer_notified = day
        if case.diversion is not None:
            case.diversion.outcome_reported = day
        tx.stage(case)
        return tx.commit("case notify-referrer")


def log_contact(repo: Repository, case_id: str, kind: ContactKind, *, day: dt.date, note: str | None,
                people: list[str]) -> Result:
    with repo.transaction("case note") as tx:
        case = _load(repo, case_id, Case)
        refuse_if_before(day, case.opened, "the case was opened")
        _require_on_case(case, people)
        case.contacts.append(Contact.new(date=day, kind=kind, by=tx.actor, note=note, **{"with": people}))
        tx.stage(case)
        return tx.commit("case note")


def accept_referral(repo: Repository, referral_id: str, *, day: dt.date, program: Program | None = None,
                    return_by: dt.date | None = None) -> Result:
    """Open a case from a pending referral: one commit holds the accepted referral and the case.

    A pre-charge diversion case gets the date it is due back to the referrer (`return_by`,
    default the referral's receipt plus the center's diversion_return_days).
    """
    with repo.transaction("referral accept") as tx:
        referral = _pending(repo, referral_id)
        refuse_if_before(day, referral.received, "the referral was received")
        program = program or referral.program
        roles = _CASE_ROLE.get(program, {})
        case = Case(
            id=tx.new_id("case", day.year), schema_version=SCHEMA_VERSION, program=program,
            referral=referral.id, coordinator=tx.actor, opened=day,
            participants=[Participant(person=p.person, role=roles.get(p.role, p.role)) for p in referral.people],
            status_history=[StatusEntry(status=CaseStatus.REFERRED, date=day, by=tx.actor)],
        )
        if program == Program.PRE_CHARGE_DIVERSION:
            due_back = return_by or referral.received + dt.timedelta(days=repo.settings.diversion_return_days)
            refuse_if_before(due_back, day, "the case opens")
            case.diversion = Diversion(return_by=due_back)
        elif return_by:
            raise RjcError("--return-by is for pre-charge diversion cases")
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
        refuse_if_before(day, referral.received, "the referral was received")
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


# --- victims and agreements ----------------------------------------------------------------


def victim_notice_due(repo: Repository, case: Case) -> dt.date | None:
    """When the victims of a diversion case must have been told of it (None for other programs)."""
    referral = repo.get(case.referral) if case.referral else None
    return lifecycle.victim_notice_due(case, referral if isinstance(referral, Referral) else None, repo.settings)


def deadlines(repo: Repository, case: Case) -> list[tuple[str, dt.date]]:
    """The dates a case is held to, soonest first: victim notice, return to referrer, agreement terms."""
    found = []
    notice = victim_notice_due(repo, case)
    if notice and any(p.role == Role.VICTIM and p.notified is None for p in case.participants):
        found.append(("victims to be told of the referral", notice))
    if case.diversion and case.diversion.return_by and not case.diversion.outcome_reported:
        found.append(("due back to the referrer", case.diversion.return_by))
    if case.agreements and case.status != CaseStatus.CLOSED:
        agreement = case.agreements[-1]
        if agreement.midterm_review:
            found.append(("mid-term review", agreement.midterm_review))
        found.append(("agreement due", agreement.due))
    return sorted(found, key=lambda item: item[1])


def choose_participation(repo: Repository, case_id: str, person_id: str, choice: VictimChoice, *,
                         day: dt.date, notified: dt.date | None = None) -> Result:
    """Record how a victim chooses to take part (and when they were told of the case)."""
    with repo.transaction("victim choose") as tx:
        case = _open_case(repo, case_id)
        victim = next((p for p in case.participants if p.person == person_id), None)
        if victim is None or victim.role != Role.VICTIM:
            raise RjcError(f"{person_id} is not a victim on {case_id}")
        refuse_if_before(day, case.opened, "the case was opened")
        if victim.decided is not None:
            refuse_if_before(day, victim.decided, "their last choice")
        if victim.participation is not None and victim.participation != choice:  # kept: past reports count it
            victim.earlier_choices.append(EarlierChoice(choice=victim.participation, date=victim.decided))
        if victim.participation != choice:  # the same choice again keeps the day it was first made
            victim.participation, victim.decided = choice, day
        if notified:
            refuse_if_before(notified, case.opened, "the case was opened")
            victim.notified = notified
        tx.stage(case)
        return tx.commit("victim choose")


def agreement_terms(settings, program: Program) -> tuple[int, int]:
    """(due days, mid-term review days) for a program: its own terms, else the center's."""
    terms = settings.agreement_by_program.get(program, settings.agreement)
    return terms.due_days, terms.midterm_days


def add_agreement(repo: Repository, case_id: str, items: list[dict], *, signed: dt.date,
                  due: dt.date | None = None, note: str | None = None) -> Result:
    """Add a signed agreement (a second one when a panel reconvenes); due dates default from settings."""
    from pydantic import ValidationError

    from rjc.model import entries
    from rjc.model.case import Agreement

    if not items:
        raise RjcError("an agreement needs at least one item")
    entries.assign_ids(Agreement, {"items": items})  # payments or hours written with the items
    with repo.transaction("agreement new") as tx:
        case = _open_case(repo, case_id)
        refuse_if_before(signed, case.opened, "the case was opened")
        due_days, midterm_days = agreement_terms(repo.settings, case.program)
        try:
            # validated from plain data: the items are mappings, each becoming its kind's model
            agreement = Agreement.model_validate(dict(
                signed=signed, due=due or signed + dt.timedelta(days=due_days),
                midterm_review=signed + dt.timedelta(days=midterm_days), items=items, note=note))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(step) for step in first["loc"])
            raise RjcError(f"agreement item {where}: {first['msg']}; nothing was changed") from None
        for item in agreement.items:
            if item.victim and item.victim not in case.people(Role.VICTIM):
                raise RjcError(f"{item.victim} is not a victim on {case_id}")
        case.agreements.append(agreement)
        tx.stage(case)
        return tx.commit("agreement new")


def _item(case: Case, number: int, agreement: int | None, kind: type[_Item], what: str):
    """(agreement, item) for item `number` of an agreement (the latest by default), of the given kind."""
    if not case.agreements:
        raise RjcError(f"{case.id} has no agreement yet; add one with: rjc agreement new {case.id}")
    index = (agreement or len(case.agreements)) - 1
    if not 0 <= index < len(case.agreements):
        raise RjcError(f"{case.id} has agreements 1-{len(case.agreements)}, not {agreement}")
    items = case.agreements[index].items
    if not 1 <= number <= len(items):
        raise RjcError(f"agreement {index + 1} of {case.id} has items 1-{len(items)}, not {number}")
    item = items[number - 1]
    if not isinstance(item, kind):
        expected = get_args(kind.model_fields["type"].annotation)[0]
        raise RjcError(f"item {number} is {item.type}, not {expected}; {what} go on a {expected} item")
    return case.agreements[index], item


def log_hours(repo: Repository, case_id: str, number: int, hours: Decimal, *, day: dt.date,
              place: str | None = None, agreement: int | None = None) -> Result:
    """Log community service hours on an item of the (latest) agreement."""
    from rjc.model.case import CommunityServiceItem, ServiceHours

    if hours <= 0:
        raise RjcError("hours must be more than 0")
    with repo.transaction("agreement log") as tx:
        case = _case_taking_entry(repo, case_id, day)
        signed_agreement, item = _item(case, number, agreement, CommunityServiceItem, "hours")
        refuse_if_before(day, signed_agreement.signed, "the agreement was signed")
        item.logged.append(ServiceHours.new(date=day, hours=hours, place=place))
        _progress(item, item.hours_done >= item.hours_required, day)
        tx.stage(case)
        return tx.commit("agreement log")


def record_payment(repo: Repository, case_id: str, number: int, amount: Decimal, *, day: dt.date,
                   allow_overpayment: bool = False, agreement: int | None = None) -> Result:
    """Record a restitution payment; more than is owed needs allow_overpayment."""
    from rjc.model.case import Payment, RestitutionItem

    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RjcError("the amount must be more than 0, in dollars and cents (e.g. 50.00)")
    with repo.transaction("agreement pay") as tx:
        case = _case_taking_entry(repo, case_id, day)
        signed_agreement, item = _item(case, number, agreement, RestitutionItem, "payments")
        refuse_if_before(day, signed_agreement.signed, "the agreement was signed")
        owed = item.amount - item.paid
        if amount > owed and not allow_overpayment:
            raise RjcError(f"{amount} is more than the {owed} still owed on item {number}; "
                           "if that is right, repeat with --yes")
        item.payments.append(Payment.new(date=day, amount=amount))
        _progress(item, item.paid >= item.amount, day)
        tx.stage(case)
        return tx.commit("agreement pay")


def set_item_status(repo: Repository, case_id: str, number: int, status: ItemStatus, *, day: dt.date,
                    agreement: int | None = None) -> Result:
    """Mark an item completed, not completed or waived (an apology letter delivered, a class attended)."""

    with repo.transaction("agreement item") as tx:
        case = _case_taking_entry(repo, case_id, day)
        signed_agreement, item = _item(case, number, agreement, _Item, "statuses")
        refuse_if_before(day, signed_agreement.signed, "the agreement was signed")
        item.status = status
        item.completed = day if status == ItemStatus.COMPLETED else None
        item.decided = day if status in (ItemStatus.WAIVED, ItemStatus.NOT_COMPLETED) else None
        tx.stage(case)
        return tx.commit("agreement item")


def unfinished_items(case: Case) -> list[str]:
    """Items of the latest agreement still pending or in progress, as 'N type'."""
    if not case.agreements:
        return []
    return [f"{n} {item.type}" for n, item in enumerate(case.agreements[-1].items, start=1)
            if item.status in (ItemStatus.PENDING, ItemStatus.IN_PROGRESS)]


def link_cases(repo: Repository, case_id: str, other_id: str) -> Result:
    """Link two cases both ways (a reentry panel case and the client's reentry case)."""
    with repo.transaction("case link") as tx:
        case, other = _load(repo, case_id, Case), _load(repo, other_id, Case)
        if case.id == other.id:
            raise RjcError("a case cannot be linked to itself")
        for one, two in ((case, other), (other, case)):
            if two.id not in one.related_cases:
                one.related_cases.append(two.id)
                tx.stage(one)
        return tx.commit("case link")


def _progress(item, done: bool, day: dt.date) -> None:
    if done:
        item.status, item.completed = ItemStatus.COMPLETED, item.completed or day
    elif item.status == ItemStatus.PENDING:
        item.status = ItemStatus.IN_PROGRESS


AGREEMENT_STATES = ("complete", "overdue", "due soon", "on track")


def agreement_state(agreement, today: dt.date, due_soon_days: int, status_of=lambda item: item.status) -> str:
    """complete, overdue, due soon or on track: derived, never stored. `status_of` reads an
    item's status (a report reads it as it stood on `today`)."""
    if all(status_of(item) in (ItemStatus.COMPLETED, ItemStatus.WAIVED) for item in agreement.items):
        return "complete"
    if today > agreement.due:
        return "overdue"
    if (agreement.due - today).days <= due_soon_days:
        return "due soon"
    return "on track"


# --- what particular programs track ----------------------------------------------------------

_SERVICE_PROGRAMS = {Program.VICTIM_SUPPORT, Program.OFFENDER_REENTRY, Program.REENTRY_PANEL}
_GOAL_PROGRAMS = {Program.OFFENDER_REENTRY, Program.REENTRY_PANEL, Program.COSA, Program.STAR}
_SESSION_PROGRAMS = {Program.MEDIATION, Program.FAMILY_GROUP_CONFERENCING}


def _for_programs(case: Case, programs: set[Program], what: str) -> None:
    if case.program not in programs:
        names = ", ".join(sorted(p.value for p in programs))
        raise RjcError(f"{what} belong to {names} cases; {case.id} is {case.program}")


def add_service(repo: Repository, case_id: str, service: str, *, day: dt.date, person: str | None = None,
                to: str | None = None) -> Result:
    """A service provided to a victim, or a referral made for a reentry client, dated."""
    from rjc.model.case import Service

    with repo.transaction("case service") as tx:
        case = _open_case(repo, case_id)
        _for_programs(case, _SERVICE_PROGRAMS, "services")
        refuse_if_before(day, case.opened, "the case was opened")
        _require_on_case(case, [person] if person else [])
        case.services.append(Service.new(date=day, service=service, person=person, by=tx.actor, to=to))
        tx.stage(case)
        return tx.commit("case service")


def add_goal(repo: Repository, case_id: str, goal: str, *, target: dt.date | None = None) -> Result:
    from rjc.model.case import Goal

    with repo.transaction("case goal") as tx:
        case = _open_case(repo, case_id)
        _for_programs(case, _GOAL_PROGRAMS, "plan goals")
        case.goals.append(Goal(goal=goal, target=target))
        tx.stage(case)
        return tx.commit("case goal")


def set_goal_status(repo: Repository, case_id: str, number: int, status: GoalStatus) -> Result:
    with repo.transaction("case goal") as tx:
        case = _open_case(repo, case_id)
        if not 1 <= number <= len(case.goals):
            raise RjcError(f"{case_id} has goals 1-{len(case.goals)}, not {number}" if case.goals
                           else f"{case_id} has no goals yet")
        case.goals[number - 1].status = status
        tx.stage(case)
        return tx.commit("case goal")


def add_session(repo: Repository, case_id: str, *, day: dt.date, minutes: int, attended: list[str]) -> Result:
    """A mediation session or family group conference: date, length, who came."""
    from rjc.model.case import Session

    if minutes <= 0:
        raise RjcError("a session lasts more than 0 minutes")
    with repo.transaction("case session") as tx:
        case = _open_case(repo, case_id)
        _for_programs(case, _SESSION_PROGRAMS, "sessions")
        refuse_if_before(day, case.opened, "the case was opened")
        _require_on_case(case, attended)
        case.sessions.append(Session.new(date=day, minutes=minutes, attended=attended))
        tx.stage(case)
        return tx.commit("case session")


def resolve(repo: Repository, case_id: str, resolution: Resolution, *, day: dt.date) -> Result:
    """The outcome of a mediation or conference (agreement, partial or none), reached on `day`;
    an outcome it replaces is kept with its day, for the reports of the periods it stood in."""
    with repo.transaction("case resolve") as tx:
        case = _open_case(repo, case_id)
        _for_programs(case, _SESSION_PROGRAMS, "outcomes")
        if not case.sessions:
            raise RjcError(f"{case_id} has no session yet; log one with: rjc case session {case_id}")
        refuse_if_before(day, case.sessions[0].date, "its first session")
        if case.resolved is not None:
            refuse_if_before(day, case.resolved, "its last outcome")
        if case.resolution is not None and case.resolution != resolution:
            case.earlier_resolutions.append(EarlierResolution(resolution=case.resolution, date=case.resolved))
        if case.resolution != resolution:  # the same outcome again keeps the day it was first reached
            case.resolution, case.resolved = resolution, day
        tx.stage(case)
        return tx.commit("case resolve")
