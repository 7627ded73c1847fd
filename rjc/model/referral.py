"""A referral: what came in, from whom, and what the center decided."""

from __future__ import annotations

from typing import ClassVar

from rjc.model.base import CaseId, CoordinatorCode, Date, OrganizationId, PersonId, Record, Strict, Text
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
    # the agency is asked for as text or an id (`agency`), and linked to its organization by rjc
    never_asked: ClassVar[tuple[str, ...]] = ("agency_org",)

    received: Date
    program: Program
    source: ReferralSource
    agency: str | None = None  # as typed, when the agency is not on file
    agency_org: OrganizationId | None = None  # the agency on file
    contact: AgencyContact | None = None
    docket: str | None = None
    offense_date: Date | None = None
    charges: list[Text] = []
    harm: str | None = None
    town: str | None = None
    people: list[Involved] = []
    screening: Screening = Screening()
    note: str | None = None
