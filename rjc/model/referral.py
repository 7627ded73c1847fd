"""A referral: what came in, from whom, and what the center decided."""

from __future__ import annotations

from typing import ClassVar

from rjc.model.base import CaseId, CoordinatorCode, Date, PersonId, Record, Strict, Text
from rjc.model.vocab import Program, ReferralSource, Role, ScreeningDecision


class AgencyContact(Strict):
    """The person at the referring agency (staff, not a participant)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


class Involved(Strict):
    person: PersonId
    role: Role


class Screening(Strict):
    decision: ScreeningDecision = ScreeningDecision.PENDING
    date: Date | None = None
    by: CoordinatorCode | None = None
    reason: str | None = None
    case: CaseId | None = None


class Referral(Record):
    kind: ClassVar[str] = "referral"

    received: Date
    program: Program
    source: ReferralSource
    agency: str | None = None
    contact: AgencyContact | None = None
    docket: str | None = None
    offense_date: Date | None = None
    charges: list[Text] = []
    harm: str | None = None
    town: str | None = None
    people: list[Involved] = []
    screening: Screening = Screening()
    note: str | None = None
