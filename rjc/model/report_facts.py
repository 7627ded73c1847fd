"""What the reports read of each record, computed once when its file is parsed and kept in the
cache with it (as `rows` are for `rjc list`): ids, dates, amounts and statuses; no names, and
no notes but a closed status entry's, where the reason for a closure is kept, and no free-text
survey answers.

Each fact is a named tuple with the attribute names of the model it comes from (and its few
properties: a case's `status`, `people()`, a panel's `length`), so a report reads a case's
facts as it would the case. 100,000 records' facts take a fraction of their models' memory:
a tuple, not a model with a dict and a set of the fields it was given, and no entry ids,
notes or text. `project(record)` is the JSON-safe list stored; `rebuild(kind, text)` makes the
facts again, sharing equal dates and amounts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, NamedTuple

from rjc.model.case import Case, CommunityServiceItem, RestitutionItem
from rjc.model.organization import Organization
from rjc.model.panel import Panel
from rjc.model.panel import length as panel_length
from rjc.model.referral import Referral
from rjc.model.surveys import countable
from rjc.model.vocab import (
    CaseStatus,
    ClosureReason,
    ItemStatus,
    OrganizationKind,
    PanelStatus,
    Program,
    ReferralSource,
    Resolution,
    Role,
    ScreeningDecision,
    SurveyKind,
    VictimChoice,
    closure_reason,
)
from rjc.model.volunteer import Volunteer


class StatusFacts(NamedTuple):
    status: CaseStatus
    date: dt.date
    note: str | None  # only when closed, and only the closure reason it starts with (vocab.closure_reason)


class EarlierChoiceFacts(NamedTuple):
    choice: VictimChoice
    date: dt.date | None


class EarlierResolutionFacts(NamedTuple):
    resolution: Resolution
    date: dt.date | None


class ParticipantFacts(NamedTuple):
    person: str
    role: Role
    participation: VictimChoice | None
    decided: dt.date | None
    earlier_choices: tuple[EarlierChoiceFacts, ...]


class ContactFacts(NamedTuple):
    date: dt.date
    with_: tuple[str, ...]


class ServiceFacts(NamedTuple):
    date: dt.date
    person: str | None


class AmountOn(NamedTuple):
    """A payment (`amount`) or hours logged or worked (`hours`) on a day."""

    date: dt.date
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return self.amount


class ItemFacts(NamedTuple):
    type: str
    status: ItemStatus
    victim: str | None
    due: dt.date | None
    completed: dt.date | None
    decided: dt.date | None  # waived or not completed on
    amount: Decimal | None  # restitution
    payee: str | None  # restitution
    payments: tuple[AmountOn, ...]  # restitution
    hours_required: Decimal | None  # community service
    logged: tuple[AmountOn, ...]  # community service


class AgreementFacts(NamedTuple):
    signed: dt.date
    due: dt.date
    items: tuple[ItemFacts, ...]


class RosterFacts(NamedTuple):
    joined: dt.date
    left: dt.date | None


class MeetingFacts(NamedTuple):
    date: dt.date
    attended: tuple[str, ...]
    hours: Decimal


class CircleFacts(NamedTuple):
    started: dt.date | None
    ended: dt.date | None
    roster: tuple[RosterFacts, ...]
    meetings: tuple[MeetingFacts, ...]


class InternshipFacts(NamedTuple):
    host: str
    start: dt.date | None
    end: dt.date | None
    hours: tuple[AmountOn, ...]


class SessionFacts(NamedTuple):
    date: dt.date
    attended: tuple[str, ...]


class ClosureFacts(NamedTuple):
    date: dt.date
    reason: ClosureReason
    referrer_notified: dt.date | None


class DiversionFacts(NamedTuple):
    outcome_reported: dt.date | None


class SurveyFacts(NamedTuple):
    kind: SurveyKind
    date: dt.date
    person: str | None
    answers: Mapping[str, str]  # question key -> answer, read-only: only answers a report may count


class CaseFacts(NamedTuple):
    id: str
    program: Program
    referral: str | None
    coordinator: str
    opened: dt.date
    participants: tuple[ParticipantFacts, ...]
    status_history: tuple[StatusFacts, ...]
    contacts: tuple[ContactFacts, ...]
    agreements: tuple[AgreementFacts, ...]
    services: tuple[ServiceFacts, ...]
    circle: CircleFacts | None
    internship: InternshipFacts | None
    sessions: tuple[SessionFacts, ...]
    resolution: Resolution | None
    resolved: dt.date | None
    earlier_resolutions: tuple[EarlierResolutionFacts, ...]
    diversion: DiversionFacts | None
    closure: ClosureFacts | None
    surveys: tuple[SurveyFacts, ...]

    @property
    def status(self) -> CaseStatus:
        return self.status_history[-1].status

    def people(self, role: Role | None = None) -> list[str]:
        return [p.person for p in self.participants if role is None or p.role == role]


class ScreeningFacts(NamedTuple):
    decision: ScreeningDecision
    date: dt.date | None


class ReferralFacts(NamedTuple):
    id: str
    received: dt.date
    program: Program
    source: ReferralSource
    screening: ScreeningFacts
    agency_org: str | None  # the referring agency on file
    agency_given: bool  # an agency named in text (not on file)


class DocketFacts(NamedTuple):
    case: str
    attended: tuple[str, ...]


class SeatFacts(NamedTuple):
    volunteer: str
    attended: bool | None
    hours: Decimal | None


class PanelFacts(NamedTuple):
    id: str
    program: Program
    date: dt.date
    start: dt.time
    end: dt.time
    status: PanelStatus
    docket: tuple[DocketFacts, ...]
    seats: tuple[SeatFacts, ...]

    @property
    def length(self) -> Decimal:
        return panel_length(self.date, self.start, self.end)  # (the model's own computation)


# What a function that reads either a record or its facts takes.
CaseOrFacts = Case | CaseFacts
PanelOrFacts = Panel | PanelFacts


class VolunteerFacts(NamedTuple):
    id: str
    active: bool
    programs: tuple[Program, ...]


class OrganizationFacts(NamedTuple):
    """An organization's name is not personal data: reports may count by it."""

    id: str
    name: str
    type: OrganizationKind


# --- the projection, stored as JSON -------------------------------------------------------------


def _s(value) -> str | None:
    return None if value is None else str(value)


def _case(c: Case) -> list:
    return [
        c.id, c.program.value, c.referral, c.coordinator, _s(c.opened),
        [[p.person, p.role.value, _s(p.participation), _s(p.decided),
          [[e.choice.value, _s(e.date)] for e in p.earlier_choices]] for p in c.participants],
        [[e.status.value, _s(e.date), closure_reason(e.note) if e.status == CaseStatus.CLOSED else None]
         for e in c.status_history],
        [[x.date.isoformat(), list(x.with_)] for x in c.contacts],
        [[_s(a.signed), _s(a.due), [_item(i) for i in a.items]] for a in c.agreements],
        [[_s(s.date), s.person] for s in c.services],
        None if c.circle is None else [
            _s(c.circle.started), _s(c.circle.ended), [[_s(r.joined), _s(r.left)] for r in c.circle.roster],
            [[_s(m.date), list(m.attended), _s(m.hours)] for m in c.circle.meetings]],
        None if c.internship is None else [
            c.internship.host, _s(c.internship.start), _s(c.internship.end),
            [[_s(h.date), _s(h.hours)] for h in c.internship.hours]],
        [[_s(s.date), list(s.attended)] for s in c.sessions],
        _s(c.resolution),
        None if c.diversion is None else _s(c.diversion.outcome_reported),
        None if c.closure is None else [_s(c.closure.date), c.closure.reason.value, _s(c.closure.referrer_notified)],
        _s(c.resolved), [[e.resolution.value, _s(e.date)] for e in c.earlier_resolutions],
        # free text stays out: only answers that may be a scale, yes/no or choice answer are kept
        [[s.kind.value, _s(s.date), s.person, [[k, v] for k, v in s.answers.items() if countable(v)]]
         for s in c.surveys],
    ]


def _item(i) -> list:
    restitution = isinstance(i, RestitutionItem)
    service = isinstance(i, CommunityServiceItem)
    return [i.type, i.status.value, i.victim, _s(i.due), _s(i.completed), _s(i.decided),
            _s(i.amount) if restitution else None, i.payee if restitution else None,
            [[_s(p.date), _s(p.amount)] for p in i.payments] if restitution else [],
            _s(i.hours_required) if service else None,
            [[_s(h.date), _s(h.hours)] for h in i.logged] if service else []]


def _referral(r: Referral) -> list:
    return [r.id, _s(r.received), r.program.value, r.source.value, [r.screening.decision.value, _s(r.screening.date)],
            r.agency_org, bool(r.agency and r.agency.strip())]


def _panel(p: Panel) -> list:
    return [p.id, p.program.value, _s(p.date), p.start.isoformat(), p.end.isoformat(), p.status.value,
            [[d.case, list(d.attended)] for d in p.docket], [[s.volunteer, s.attended, _s(s.hours)] for s in p.seats]]


def _volunteer(v: Volunteer) -> list:
    return [v.id, v.active, [p.value for p in v.programs]]


def _organization(o: Organization) -> list:
    return [o.id, o.name, o.type.value]


_PROJECTIONS: dict[type, Callable[[Any], list]] = {
    Case: _case, Referral: _referral, Panel: _panel, Volunteer: _volunteer, Organization: _organization}


def project(record) -> str | None:
    """A record's facts as JSON, or None for a kind no report reads whole (people: a report
    asks for the few it names)."""
    projection = _PROJECTIONS.get(type(record))
    return None if projection is None else json.dumps(projection(record), separators=(",", ":"))


# --- and back ----------------------------------------------------------------------------------


class _Shared:
    """Equal dates and amounts as one object each: there are far fewer distinct ones than uses."""

    def __init__(self) -> None:
        self.dates: dict[str, dt.date] = {}
        self.amounts: dict[str, Decimal] = {}
        self.times: dict[str, dt.time] = {}

    def date(self, text: str | None) -> dt.date | None:
        if text is None:
            return None
        found = self.dates.get(text)
        if found is None:
            found = self.dates[text] = dt.date.fromisoformat(text)
        return found

    def amount(self, text: str | None) -> Decimal | None:
        if text is None:
            return None
        found = self.amounts.get(text)
        if found is None:
            found = self.amounts[text] = Decimal(text)
        return found

    def time(self, text: str) -> dt.time:
        found = self.times.get(text)
        if found is None:
            found = self.times[text] = dt.time.fromisoformat(text)
        return found


def _member(kind: type[Enum]) -> Callable[[str | None], Any]:
    members = kind._value2member_map_
    return lambda value: None if value is None else members[value]


_program, _role, _choice, _status = _member(Program), _member(Role), _member(VictimChoice), _member(CaseStatus)
_reason, _item_status, _resolution = _member(ClosureReason), _member(ItemStatus), _member(Resolution)
_source, _panel_status, _decision = _member(ReferralSource), _member(PanelStatus), _member(ScreeningDecision)
_survey = _member(SurveyKind)


class Rebuilder:
    """Makes facts from their JSON; one per load, so that equal values are shared across records."""

    def __init__(self):
        self.shared = _Shared()

    def __call__(self, kind: str, text: str):
        return getattr(self, kind)(json.loads(text))

    def case(self, v: list) -> CaseFacts:
        d, a = self.shared.date, self.shared.amount
        circle, internship, closure = v[10], v[11], v[15]
        return CaseFacts(
            v[0], _program(v[1]), v[2], v[3], d(v[4]),
            tuple(ParticipantFacts(p, _role(r), _choice(c), d(day), tuple(EarlierChoiceFacts(_choice(e), d(on)) for e, on in earlier))
                  for p, r, c, day, earlier in v[5]),
            tuple(StatusFacts(_status(s), d(day), note) for s, day, note in v[6]),
            tuple(ContactFacts(d(day), tuple(with_)) for day, with_ in v[7]),
            tuple(AgreementFacts(d(signed), d(due), tuple(self._item(i) for i in items)) for signed, due, items in v[8]),
            tuple(ServiceFacts(d(day), person) for day, person in v[9]),
            None if circle is None else CircleFacts(
                d(circle[0]), d(circle[1]), tuple(RosterFacts(d(j), d(left)) for j, left in circle[2]),
                tuple(MeetingFacts(d(day), tuple(attended), a(hours)) for day, attended, hours in circle[3])),
            None if internship is None else InternshipFacts(
                internship[0], d(internship[1]), d(internship[2]),
                tuple(AmountOn(d(day), a(hours)) for day, hours in internship[3])),
            tuple(SessionFacts(d(day), tuple(attended)) for day, attended in v[12]),
            _resolution(v[13]), d(v[16]), tuple(EarlierResolutionFacts(_resolution(r), d(on)) for r, on in v[17]),
            None if v[14] is None else DiversionFacts(d(v[14])),  # (a diversion is read for this date only)
            None if closure is None else ClosureFacts(d(closure[0]), _reason(closure[1]), d(closure[2])),
            tuple(SurveyFacts(_survey(kind), d(day), person, MappingProxyType(dict(answers)))
                  for kind, day, person, answers in v[18]),
        )

    def _item(self, i: list) -> ItemFacts:
        d, a = self.shared.date, self.shared.amount
        return ItemFacts(i[0], _item_status(i[1]), i[2], d(i[3]), d(i[4]), d(i[5]), a(i[6]), i[7],
                         tuple(AmountOn(d(day), a(amount)) for day, amount in i[8]), a(i[9]),
                         tuple(AmountOn(d(day), a(hours)) for day, hours in i[10]))

    def referral(self, v: list) -> ReferralFacts:
        return ReferralFacts(v[0], self.shared.date(v[1]), _program(v[2]), _source(v[3]),
                             ScreeningFacts(_decision(v[4][0]), self.shared.date(v[4][1])), v[5], v[6])

    def panel(self, v: list) -> PanelFacts:
        s = self.shared
        return PanelFacts(v[0], _program(v[1]), s.date(v[2]), s.time(v[3]), s.time(v[4]), _panel_status(v[5]),
                          tuple(DocketFacts(case, tuple(attended)) for case, attended in v[6]),
                          tuple(SeatFacts(volunteer, attended, s.amount(hours)) for volunteer, attended, hours in v[7]))

    def volunteer(self, v: list) -> VolunteerFacts:
        return VolunteerFacts(v[0], v[1], tuple(_program(p) for p in v[2]))

    def organization(self, v: list) -> OrganizationFacts:
        return OrganizationFacts(v[0], v[1], OrganizationKind(v[2]))


def facts_of(record):
    """The facts of a validated record, without the cache (None for a person)."""
    text = project(record)
    return None if text is None else Rebuilder()(record.kind, text)
