"""Restitution: what each item owes, what has been paid, what is outstanding, and how old it is.

One computation (`balances`) serves both the quarterly report's restitution measures and
`rjc report restitution`. As of a day, an item counts when its agreement was signed on or
before that day; it has been paid the payments dated on or before that day; it is outstanding
by what remains unpaid, unless it was waived (a waived item owes nothing). The age of an
outstanding balance is counted from the day its agreement was signed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, cast

from rjc.model import Person
from rjc.model.vocab import ItemStatus, ItemType
from rjc.outputs.reports.facts import item_status_on
from rjc.workflows.casework import agreement_state

if TYPE_CHECKING:
    from rjc.model.case import Agreement
    from rjc.model.report_facts import AgreementFacts, CaseOrFacts

ZERO = Decimal("0.00")
AGES = ("<60 days", "60 days-2 years", "2-4 years", "4+ years")
TO_VICTIM, TO_OTHER, TO_UNKNOWN = "victim", "other payee", "not recorded"


def to_whom(item) -> str:
    """To whom restitution is owed: another payee when the item names one (an insurer, a town),
    else the victim it names."""
    return TO_OTHER if item.payee else TO_VICTIM if item.victim else TO_UNKNOWN


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (Feb 29 -> Feb 28, as rjc.workflows.volunteers counts years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age(signed: dt.date, day: dt.date) -> str:
    """The aging bucket, on `day`, of a balance from an agreement signed on `signed`: under 60
    days; 60 days up to 2 years; 2 up to 4 years; 4 years or more (on the anniversary, the
    older bucket)."""
    if (day - signed).days < 60:
        return AGES[0]
    if years_after(signed, 2) > day:
        return AGES[1]
    if years_after(signed, 4) > day:
        return AGES[2]
    return AGES[3]


@dataclass(frozen=True)
class Balance:
    """One restitution item, as of a day."""

    case: str
    agreement: int  # 1 = the case's first agreement
    item: int  # 1 = the agreement's first item (the number `rjc agreement pay` takes)
    signed: dt.date
    due: dt.date
    amount: Decimal
    paid: Decimal  # payments dated on or before the day
    status: str
    victim: str | None  # person id of the victim it repairs harm to
    payee: str | None  # to whom, when not the victim (an insurer, a town)
    state: str  # the agreement's state that day: complete, overdue, due soon, on track
    day: dt.date

    @property
    def outstanding(self) -> Decimal:
        if self.status == ItemStatus.WAIVED:
            return ZERO
        return max(self.amount - self.paid, ZERO)

    @property
    def age(self) -> str:
        return age(self.signed, self.day) if self.outstanding > 0 else ""

    @property
    def to(self) -> str:
        return to_whom(self)


class Paid(Protocol):
    """A payment: the model's, or its facts' (rjc.model.report_facts.AmountOn)."""

    @property
    def date(self) -> dt.date: ...
    @property
    def amount(self) -> Decimal: ...


class Owed(Protocol):
    """What is read of a restitution item: the model's (RestitutionItem) or its facts' (ItemFacts)."""

    @property
    def status(self) -> ItemStatus: ...
    @property
    def victim(self) -> str | None: ...
    @property
    def payee(self) -> str | None: ...
    @property
    def due(self) -> dt.date | None: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def payments(self) -> Sequence[Paid]: ...


def restitution_items(case: CaseOrFacts) -> Iterator[tuple[int, int, Agreement | AgreementFacts, Owed]]:
    """(agreement number, item number, agreement, item) for each restitution item of a case (or
    of its facts, rjc.model.report_facts)."""
    agreements: Sequence[Agreement | AgreementFacts] = case.agreements  # (a model's list or a facts' tuple)
    for a, agreement in enumerate(agreements, start=1):
        for i, item in enumerate(agreement.items, start=1):
            if item.type == ItemType.RESTITUTION:
                # (a restitution item's facts read as Owed: its amount is set, the model requires it)
                yield a, i, agreement, cast(Owed, item)


def paid_by(item: Owed, day: dt.date) -> Decimal:
    return sum((p.amount for p in item.payments if p.date <= day), ZERO)


def balances(cases: Iterable[CaseOrFacts], day: dt.date, *, due_soon_days: int = 7) -> list[Balance]:
    """Every restitution item of an agreement signed on or before `day`, by case and number."""
    found = []
    for case in cases:
        for a, i, agreement, item in restitution_items(case):
            if agreement.signed > day:
                continue
            found.append(Balance(
                case=case.id, agreement=a, item=i, signed=agreement.signed, due=item.due or agreement.due,
                amount=item.amount, paid=paid_by(item, day), status=item_status_on(item, day).value, victim=item.victim,
                payee=item.payee, day=day,
                state=agreement_state(agreement, day, due_soon_days, lambda i: item_status_on(i, day))))
    return sorted(found, key=lambda b: (b.case, b.agreement, b.item))


COLUMNS = ["case", "agreement", "item", "signed", "due", "owed", "paid", "outstanding", "age", "status",
           "agreement_state", "to"]
RANK = ["case", "item", "outstanding", "status", "due", "owed", "paid", "to_whom", "age", "agreement", "signed",
        "agreement_state", "to"]  # most valuable first, on a narrow terminal
AGING_COLUMNS = ["age", "items", "outstanding"]


def rows(found: list[Balance], *, names: dict[str, str] | None = None, outstanding_only: bool = False) -> list[dict]:
    """One row per item: ids and amounts; `names` (person id -> name) adds to_whom."""
    result = []
    for b in found:
        if outstanding_only and b.outstanding <= 0:
            continue
        row = {"case": b.case, "agreement": b.agreement, "item": b.item, "signed": b.signed, "due": b.due,
               "owed": b.amount, "paid": b.paid, "outstanding": b.outstanding, "age": b.age,
               "status": b.status, "agreement_state": b.state, "to": b.to}
        if names is not None:
            row["to_whom"] = b.payee or (names.get(b.victim, b.victim) if b.victim else "")
        result.append(row)
    return result


def aging(found: list[Balance]) -> list[dict]:
    """Outstanding balances by age, and their total: items and amount."""
    result: list[dict[str, Any]] = []
    for bucket in AGES:
        inside = [b for b in found if b.outstanding > 0 and b.age == bucket]
        result.append({"age": bucket, "items": len(inside), "outstanding": sum((b.outstanding for b in inside), ZERO)})
    result.append({"age": "total", "items": sum(r["items"] for r in result),
                   "outstanding": sum((r["outstanding"] for r in result), ZERO)})
    return result


def totals(found: list[Balance]) -> dict:
    return {"items": len(found), "owed": sum((b.amount for b in found), ZERO),
            "paid": sum((b.paid for b in found), ZERO), "outstanding": sum((b.outstanding for b in found), ZERO)}


def report(records, day: dt.date, *, to_whom: bool = False, outstanding_only: bool = False):
    """`rjc report restitution`: every item as of `day`, and outstanding balances by age.

    Ids and amounts only; `to_whom` adds the payee, or the victim's name: the one report that
    may carry names, and only when asked."""
    from rjc.outputs.reports.tables import Table, TablesReport

    found = balances(records.cases, day, due_soon_days=records.reminders.item_due_days)
    names = _names(records.people, found) if to_whom else None
    columns = [*COLUMNS, "to_whom"] if to_whom else COLUMNS
    sums = totals(found)
    facts = {"as of": day.isoformat(), "items": str(sums["items"]), "owed": f"{sums['owed']:f}",
             "paid": f"{sums['paid']:f}", "outstanding": f"{sums['outstanding']:f}"}
    notes = ["Age of a balance: from the day its agreement was signed. Waived items owe nothing."]
    if to_whom:
        notes.append("Contains names (--to-whom): confidential, do not share.")
    return TablesReport(
        kind="restitution", title="restitution", center=records.center, facts=facts,
        tables=[Table("items", "Restitution items", columns,
                      rows(found, names=names, outstanding_only=outstanding_only), RANK),
                Table("aging", "Outstanding balances by age", AGING_COLUMNS, aging(found))],
        as_of=day, skipped=list(records.skipped), notes=notes)


def _names(people: Mapping[str, Person], found: list[Balance]) -> dict[str, str]:
    """Person id -> name, of the victims the items are owed to: only they are looked up."""
    victims = {b.victim for b in found if b.victim and not b.payee}
    return {pid: person.display_name for pid in victims if (person := people.get(pid)) is not None}
