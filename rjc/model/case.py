"""A case: one person's journey through one program.

The status is the last entry of an append-only, dated, attributed history. Program-specific
parts (circle, internship, sessions, plan) sit beside the common ones and are filled in only
for the programs that use them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal, Union

from pydantic import Field, WithJsonSchema

from rjc.model.base import (
    CaseId,
    CoordinatorCode,
    Date,
    Entry,
    Hours,
    Money,
    OrganizationId,
    PersonId,
    Record,
    ReferralId,
    Strict,
    Text,
    Time,
    VolunteerId,
)
from rjc.model.vocab import (
    CaseStatus,
    CirclePhase,
    CircleRole,
    ClosureReason,
    ContactKind,
    GoalStatus,
    ItemStatus,
    Program,
    Resolution,
    Role,
    SurveyKind,
    VictimChoice,
    Weekday,
)


class EarlierChoice(Strict):
    """A victim's choice that a later one replaced, with the day it was made (none: made before rjc
    kept the day), so a report of a past period counts the choice that stood then."""

    choice: VictimChoice
    date: Date | None = None


class Participant(Strict):
    person: PersonId
    role: Role
    # For victims: their choice of how to take part, and when they were told of the case.
    participation: VictimChoice | None = None
    notified: Date | None = None
    decided: Date | None = None  # when they made that choice
    earlier_choices: list[EarlierChoice] = []  # the choices it replaced, oldest first


class EarlierResolution(Strict):
    """A mediation or conference outcome that a later one replaced, with the day it was recorded."""

    resolution: Resolution
    date: Date | None = None


class StatusEntry(Strict):
    status: CaseStatus
    date: Date
    by: CoordinatorCode
    note: str | None = None


class Contact(Entry):
    date: Date
    kind: ContactKind
    by: CoordinatorCode
    with_: list[PersonId] = Field(default=[], alias="with")
    note: str | None = None


class Service(Entry):
    """A service provided (victim support) or a referral made to another agency (reentry)."""

    date: Date
    service: Text
    person: PersonId | None = None
    by: CoordinatorCode | None = None
    to: str | None = None  # the agency a reentry client was referred to
    note: str | None = None


class Payment(Entry):
    date: Date
    amount: Money
    note: str | None = None


class ServiceHours(Entry):
    date: Date
    hours: Hours
    place: str | None = None


class _Item(Strict):
    type: str  # each kind of item narrows this to its own name; declared here so it is written first
    description: str | None = None
    status: ItemStatus = ItemStatus.PENDING
    victim: PersonId | None = None  # the victim this item repairs harm to, if any
    due: Date | None = None  # defaults to the agreement's due date
    completed: Date | None = None
    decided: Date | None = None  # when it was waived or marked not completed


class ApologyItem(_Item):
    type: Literal["apology-letter"]


class RestitutionItem(_Item):
    type: Literal["restitution"]
    amount: Money
    payee: str | None = None  # to whom, when not the victim (an insurer, a town)
    payments: list[Payment] = []

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))


class CommunityServiceItem(_Item):
    type: Literal["community-service"]
    hours_required: Hours
    logged: list[ServiceHours] = []

    @property
    def hours_done(self) -> Decimal:
        return sum((h.hours for h in self.logged), Decimal("0"))


class EducationItem(_Item):
    type: Literal["education"]


class AssessmentItem(_Item):
    type: Literal["assessment"]


class OtherItem(_Item):
    type: Literal["other"]


AgreementItem = Annotated[
    Union[ApologyItem, RestitutionItem, CommunityServiceItem, EducationItem, AssessmentItem, OtherItem],
    Field(discriminator="type"),
]


class Agreement(Strict):
    signed: Date
    due: Date
    midterm_review: Date | None = None
    items: list[AgreementItem] = []
    note: str | None = None


class Closure(Strict):
    date: Date
    reason: ClosureReason
    by: CoordinatorCode
    referrer_notified: Date | None = None  # completion or return letter sent
    note: str | None = None


class Diversion(Strict):
    """Pre-charge diversion: when the referrer expects the case back, and when it was told."""

    return_by: Date | None = None
    outcome_reported: Date | None = None


class Goal(Strict):
    goal: Text
    status: GoalStatus = GoalStatus.OPEN
    target: Date | None = None


class CircleSeat(Strict):
    volunteer: VolunteerId
    role: CircleRole = CircleRole.MEMBER
    joined: Date
    left: Date | None = None


class CircleMeeting(Entry):
    date: Date
    attended: list[VolunteerId] = []
    core_member_attended: bool = True
    hours: Hours
    note: str | None = None


class CircleSchedule(Strict):
    """When and where a circle meets each week (shown in `rjc calendar`)."""

    weekday: Weekday
    start: Time
    end: Time
    place: str | None = None


class Circle(Strict):
    """CoSA: 3-5 volunteers around one core member, meeting weekly for a year or more."""

    phase: CirclePhase = CirclePhase.FORMING
    started: Date | None = None
    ended: Date | None = None
    schedule: CircleSchedule | None = None
    roster: list[CircleSeat] = []
    meetings: list[CircleMeeting] = []


class WorkedHours(Entry):
    date: Date
    hours: Hours


class Internship(Strict):
    """STAR: a grant-funded internship with a local business."""

    host: Text  # the business's name (copied from its organization record when it is on file)
    host_org: OrganizationId | None = None
    grant: str | None = None
    start: Date | None = None
    end: Date | None = None
    hours: list[WorkedHours] = []
    skills: list[Text] = []
    references: list[Text] = []


class Session(Entry):
    """A mediation session or family group conference."""

    date: Date
    minutes: int = Field(ge=0)
    attended: list[PersonId] = []
    note: str | None = None


# An answer as it was typed ('4', 'yes', an option, free text): what it means is the question's
# in rjc.yaml (rjc.model.surveys), which checks it. Editors may see a number or yes/no unquoted.
Answer = Annotated[str, Field(max_length=4000),
                   WithJsonSchema({"type": ["string", "integer", "boolean"]})]


class SurveyResponse(Entry):
    """One survey returned: a participant's exit survey, or a victim's (naming which victim)."""

    kind: SurveyKind
    date: Date
    person: PersonId | None = None
    answers: dict[str, Answer] = {}


class Case(Record):
    kind: ClassVar[str] = "case"

    program: Program
    referral: ReferralId | None = None
    coordinator: CoordinatorCode
    opened: Date
    participants: list[Participant] = []
    status_history: list[StatusEntry] = Field(min_length=1)
    contacts: list[Contact] = []
    agreements: list[Agreement] = []
    services: list[Service] = []
    goals: list[Goal] = []
    circle: Circle | None = None
    internship: Internship | None = None
    sessions: list[Session] = []
    resolution: Resolution | None = None
    resolved: Date | None = None  # the day the outcome was reached
    earlier_resolutions: list[EarlierResolution] = []  # outcomes it replaced, oldest first
    diversion: Diversion | None = None
    related_cases: list[CaseId] = []
    closure: Closure | None = None
    surveys: list[SurveyResponse] = []
    note: str | None = None

    @property
    def status(self) -> CaseStatus:
        return self.status_history[-1].status

    def people(self, role: Role | None = None) -> list[str]:
        return [p.person for p in self.participants if role is None or p.role == role]
