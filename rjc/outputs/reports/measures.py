"""The quarterly report: every measure computed once, into one tidy table.

A row is (measure, breakdown, period, value). Every format is drawn from these rows, so a
number reads the same in the terminal, in Markdown, CSV, JSON and HTML. Each measure is listed
in `MEASURES` (in report order, with its section and title) and defined in docs/reports.md; the
functions below are those definitions, applied the same way to the period and to the previous
one.

Values are ints (counts), Decimals (amounts: dollars to the cent, hours; and derived values:
percentages to one decimal, median days), None where a derived value has nothing to be derived
from, or, in a public report, the text that replaced a suppressed count.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from rjc.model import periods
from rjc.model.surveys import YES, Question, Surveys, answer_problem
from rjc.model.vocab import (
    CaseStatus,
    ClosureReason,
    ItemStatus,
    ItemType,
    PanelStatus,
    Program,
    QuestionKind,
    ReferralSource,
    Resolution,
    Role,
    ScreeningDecision,
    SurveyKind,
    VictimChoice,
)
from rjc.outputs.reports import facts, restitution
from rjc.outputs.reports.data import Records
from rjc.outputs.reports.window import Window
from rjc.workflows import victims
from rjc.workflows import volunteers as ledger

if TYPE_CHECKING:
    from rjc.model.report_facts import CaseOrFacts

COUNT, AMOUNT, DERIVED, LISTING = "count", "amount", "derived", "listing"
TOTAL = "total"
NOT_RECORDED = facts.NOT_RECORDED
OTHER_AGENCY = "other (not on file)"
ZERO = Decimal("0")
CENT = Decimal("0.01")
SERIES_QUARTERS = 4  # volunteer hours by quarter: the quarter holding the period's end and the three before

Value = int | Decimal | str | None


@dataclass(frozen=True)
class Row:
    measure: str
    breakdown: str
    period: str
    value: Value
    kind: str = COUNT  # count, amount, derived or listing: how it is shown and suppressed
    basis: tuple[tuple[str, str], ...] = ()  # (measure, breakdown) rows a derived value comes from

    def tidy(self) -> dict:
        return {"measure": self.measure, "breakdown": self.breakdown, "period": self.period, "value": self.value}


@dataclass(frozen=True)
class Measure:
    key: str
    section: str
    title: str
    additive: bool = False  # the breakdowns other than `total` add up to `total`
    dynamic: bool = False  # its categories come from the records: sorted, "not recorded" last
    series: bool = False  # one row per quarter up to the period's end, for the period only
    listing: bool = False  # one row per case id, for the period only; left out of a public report
    # breakdowns named "GROUP: part", each group adding up to its "GROUP: total" (survey choices)
    grouped: bool = False

    @property
    def current_only(self) -> bool:
        return self.series or self.listing


SECTIONS = ("Referrals", "Cases", "Victims", "Restitution", "Community service", "Volunteers and panels",
            "CoSA circles", "STAR internships", "Mediation and family group conferencing", "Surveys",
            "Records current")

_DEMOGRAPHICS = (("gender", "gender"), ("age_group", "age group"), ("race", "race"), ("ethnicity", "ethnicity"),
                 ("disability", "disability"), ("veteran", "veteran"), ("primary_language", "primary language"))

MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("referrals_by_source", "Referrals", "Referrals received, by source", additive=True),
    Measure("referrals_by_program", "Referrals", "Referrals received, by program", additive=True),
    Measure("referrals_by_agency", "Referrals", "Referrals received, by referring agency", additive=True, dynamic=True),
    Measure("referrals_by_decision", "Referrals", "Referrals received, by screening decision at the end of the "
                                                  "period", additive=True),
    Measure("cases_opened", "Cases", "Cases opened, by program", additive=True),
    Measure("cases_active", "Cases", "Cases active at the end of the period, by program", additive=True),
    Measure("closures_by_reason", "Cases", "Cases closed, by reason", additive=True),
    Measure("closures_by_program", "Cases", "Cases closed, by program", additive=True),
    Measure("closures_successful_by_program", "Cases", "Cases closed as completed successfully, by program",
            additive=True),
    Measure("closures_without_taking_part", "Cases", "Cases closed as declined, ineligible or transferred, "
                                                     "by program", additive=True),
    Measure("completed_successfully_pct", "Cases", "Closures completed successfully (%), by program"),
    Measure("completed_successfully_pct_of_participants", "Cases",
            "Closures completed successfully (%), leaving out declined, ineligible and transferred, by program"),
    Measure("agreements", "Cases", "Reparative agreements signed, and completed"),
    Measure("days_referral_to_agreement", "Cases", "Days from referral to first agreement (median)"),
    Measure("days_referral_to_closure", "Cases", "Days from referral to closure (median)"),
    Measure("victims_served", "Victims", "Victims served, NEW or continuing in the federal fiscal year",
            additive=True),
    *(Measure(f"new_victims_{key}", "Victims", f"NEW victims, by {name}", additive=key != "race", dynamic=True)
      for key, name in _DEMOGRAPHICS),
    Measure("victims_participation", "Victims", "Victims on open cases, by how they chose to take part",
            additive=True),
    Measure("victims_took_part", "Victims", "Victims who took part (attended or wrote a statement)"),
    Measure("victims_compensated", "Victims", "Victims owed restitution on cases closed, paid in full"),
    Measure("victims_attended", "Victims", "Victims who attended a panel or took part in a dialogue"),
    Measure("restitution_ordered", "Restitution", "Restitution ordered in agreements signed ($)"),
    Measure("restitution_paid", "Restitution", "Restitution paid ($)"),
    Measure("restitution_paid_to", "Restitution", "Restitution paid, by to whom ($)", additive=True),
    Measure("restitution_outstanding", "Restitution", "Restitution outstanding at the end of the period, "
                                                      "by age ($)", additive=True),
    Measure("restitution_items_outstanding", "Restitution", "Restitution items outstanding at the end of the "
                                                            "period, by age", additive=True),
    Measure("restitution_outstanding_to", "Restitution", "Restitution outstanding at the end of the period, "
                                                         "by to whom ($)", additive=True),
    Measure("community_service", "Community service", "Community service"),
    Measure("volunteers_active", "Volunteers and panels", "Volunteers who served, by program"),
    Measure("volunteer_hours_by_program", "Volunteers and panels", "Volunteer hours, by program", additive=True),
    Measure("volunteer_hours_by_quarter", "Volunteers and panels",
            "Volunteer hours in the four quarters to the end of the period", series=True),
    Measure("panels_held", "Volunteers and panels", "Panels held, by program", additive=True),
    Measure("cosa", "CoSA circles", "CoSA circles"),
    Measure("star", "STAR internships", "STAR internships"),
    Measure("mediation_sessions", "Mediation and family group conferencing", "Mediation"),
    Measure("mediation_outcomes", "Mediation and family group conferencing", "Mediation outcomes",
            additive=True),
    Measure("conference_sessions", "Mediation and family group conferencing", "Family group conferencing"),
    Measure("conference_outcomes", "Mediation and family group conferencing", "Family group conference outcomes",
            additive=True),
    Measure("survey_responses", "Surveys", "Surveys returned, by kind", additive=True),
    Measure("survey_response_rate", "Surveys", "Surveys asked for by cases closed, and returned"),
    *(m for kind in ("participant", "victim") for m in (
        Measure(f"{kind}_survey_scales", "Surveys", f"{kind.capitalize()} survey, scale questions (1-5): answers "
                                                    "and average"),
        Measure(f"{kind}_survey_yes_no", "Surveys", f"{kind.capitalize()} survey, yes/no questions: answers and yes"),
        Measure(f"{kind}_survey_choices", "Surveys", f"{kind.capitalize()} survey, choice questions: answers by "
                                                     "option", grouped=True))),
    Measure("records_current", "Records current", "Open cases at the end of the period, and those with no "
                                                  "activity in it"),
    Measure("cases_without_activity", "Records current", "Open cases with no activity in the period "
                                                         "(days since their last activity)", listing=True),
)}


# --- numbers, shaped once ----------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def hours(value: Decimal) -> Decimal:
    """Hours to two decimals, without trailing zeros: 12.5, 10, 0.25."""
    text = f"{Decimal(value).quantize(CENT):f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    found = Decimal(str(statistics.median(values)))
    return found.to_integral_value() if found == found.to_integral_value() else found  # 12 or 12.5


# --- the computation ---------------------------------------------------------------------------


class Calculator:
    """Everything one report needs from the records, indexed once; `rows(window)` per period."""

    def __init__(self, records: Records):
        self.records = records
        self.cases = records.cases
        referrals = {r.id: r.received for r in records.referrals}
        self.received = {c.id: referrals[c.referral] for c in self.cases if c.referral in referrals}
        self.served = victims.served_dates(self.cases)
        self.hours = list(ledger.entries(records.panels, self.cases))
        self.panel_dates = facts.held_panels_by_case(records.panels)
        self.agencies = {o.id: o.name for o in records.organizations}

    def rows(self, w: Window, *, current: bool = True) -> list[Row]:
        """Every measure's rows for one period; for the previous period (`current=False`), without
        the measures that are shown for the report's period only (series and lists)."""
        rows: list[Row] = []
        for part in (self._referrals, self._cases, self._victims, self._restitution, self._community_service,
                     self._volunteers, self._cosa, self._star, self._sessions, self._surveys,
                     self._records_current):
            rows.extend(part(w))
        return [r for r in rows if current or not MEASURES[r.measure].current_only]

    # helpers

    @staticmethod
    def _by(measure: str, w: Window, keys: Iterable[str], categories: Iterable[str] = ()) -> Iterator[Row]:
        """A total and a count per category (every listed one, then any other found)."""
        counts = Counter(keys)
        yield Row(measure, TOTAL, w.label, sum(counts.values()))
        listed = [str(c) for c in categories]
        for category in [*listed, *sorted(k for k in counts if k not in listed)]:
            yield Row(measure, category, w.label, counts.get(category, 0))

    @staticmethod
    def _amounts(measure: str, w: Window, pairs: Iterable[tuple[str, Decimal]], categories: Iterable[str],
                 shape=hours) -> Iterator[Row]:
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for key, amount in pairs:
            sums[key] += amount
        listed = [str(c) for c in categories]
        yield Row(measure, TOTAL, w.label, shape(sum(sums.values(), ZERO)), AMOUNT)
        for category in [*listed, *sorted(k for k in sums if k not in listed)]:
            yield Row(measure, category, w.label, shape(sums.get(category, ZERO)), AMOUNT)

    def _came_in(self, case: CaseOrFacts) -> dt.date:
        return facts.came_in(case, self.received.get(case.id))

    def _open_during(self, case: CaseOrFacts, w: Window) -> bool:
        """Open at some time in the period: opened by its end, and not closed all through it."""
        if case.opened > w.end:
            return False
        if case.opened >= w.start or any(e.date in w for e in case.status_history):
            return True
        return facts.status_on(case, w.start - dt.timedelta(days=1)) != CaseStatus.CLOSED

    # referrals

    def _referrals(self, w: Window) -> Iterator[Row]:
        inside = [r for r in self.records.referrals if r.received in w]
        yield from self._by("referrals_by_source", w, (r.source.value for r in inside), ReferralSource)
        yield from self._by("referrals_by_program", w, (r.program.value for r in inside), Program)
        yield from self._by("referrals_by_agency", w, (self._agency(r) for r in inside))
        decided = (r.screening.decision.value if r.screening.date is not None and r.screening.date <= w.end
                   else ScreeningDecision.PENDING.value for r in inside)
        yield from self._by("referrals_by_decision", w, decided,
                            [d.value for d in ScreeningDecision if d != ScreeningDecision.PENDING] + ["pending"])

    def _agency(self, referral) -> str:
        """The agency's name on file; text not on file is "other"; neither, "not recorded"."""
        if referral.agency_org:
            return self.agencies.get(referral.agency_org, OTHER_AGENCY)  # (a file left out under --force)
        return OTHER_AGENCY if referral.agency_given else NOT_RECORDED

    # cases

    def _cases(self, w: Window) -> Iterator[Row]:
        yield from self._by("cases_opened", w, (c.program.value for c in self.cases if c.opened in w), Program)
        yield from self._by("cases_active", w, (c.program.value for c in self.cases if facts.open_on(c, w.end)),
                            Program)
        closed = [(case, day, reason) for case in self.cases for day, reason in facts.closures(case) if day in w]
        yield from self._by("closures_by_reason", w, (reason for _, _, reason in closed), ClosureReason)
        yield from self._success(w, closed)
        agreements = [a for c in self.cases for a in c.agreements]
        yield Row("agreements", "signed", w.label, sum(a.signed in w for a in agreements))
        yield Row("agreements", "completed", w.label,
                  sum(done in w for a in agreements if (done := facts.completed_on(a)) is not None))
        to_agreement = [(first - self._came_in(c)).days for c in self.cases if c.agreements
                        if (first := min(a.signed for a in c.agreements)) in w]
        yield from self._median("days_referral_to_agreement", w, to_agreement)
        yield from self._median("days_referral_to_closure", w, [(day - self._came_in(c)).days for c, day, _ in closed])

    NOT_TAKING_PART = (ClosureReason.DECLINED, ClosureReason.INELIGIBLE, ClosureReason.TRANSFERRED)

    def _success(self, w: Window, closed: list) -> Iterator[Row]:
        """Closures by program: all, completed successfully, and closed without taking part; and the
        share completed successfully, of all closures and of those that took part, overall and by
        program."""
        by_program = [(case.program.value, reason) for case, _, reason in closed]
        counts = {"closures_by_program": [p for p, _ in by_program],
                  "closures_successful_by_program": [p for p, r in by_program
                                                     if r == ClosureReason.COMPLETED_SUCCESSFULLY],
                  "closures_without_taking_part": [p for p, r in by_program if r in self.NOT_TAKING_PART]}
        for measure, programs in counts.items():
            yield from self._by(measure, w, programs, Program)
        for breakdown in [TOTAL, *(p.value for p in Program)]:
            all_, success, not_taking_part = (sum(breakdown in (TOTAL, p) for p in programs)
                                              for programs in counts.values())
            basis = tuple((m, breakdown) for m in counts)
            yield Row("completed_successfully_pct", breakdown, w.label, percent(success, all_), DERIVED, basis[:2])
            yield Row("completed_successfully_pct_of_participants", breakdown, w.label,
                      percent(success, all_ - not_taking_part), DERIVED, basis)

    @staticmethod
    def _median(measure: str, w: Window, days: list[int]) -> Iterator[Row]:
        yield Row(measure, "median", w.label, median(days), DERIVED, ((measure, "cases"),))
        yield Row(measure, "cases", w.label, len(days))

    # victims

    def _victims(self, w: Window) -> Iterator[Row]:
        served = {p: dates for p, dates in self.served.items() if any(d in w for d in dates)}
        standing = {p: victims.standing(dates, w.end) or "continuing" for p, dates in served.items()}
        yield from self._by("victims_served", w, standing.values(), ("new", "continuing"))
        new = sorted(p for p, s in standing.items() if s == "new")
        for key, _ in _DEMOGRAPHICS:
            yield from self._demographic(f"new_victims_{key}", key, w, new)
        yield from self._participation(w)
        yield from self._compensated(w)
        yield from self._attended(w)

    def _demographic(self, measure: str, field: str, w: Window, people: list[str]) -> Iterator[Row]:
        values: list[str] = []
        for person_id in people:
            person = self.records.people.get(person_id)
            found = getattr(person.demographics, field, None) if person and person.demographics else None
            if field == "race":
                values.extend(found or [NOT_RECORDED])
                continue
            if isinstance(found, bool):
                found = "yes" if found else "no"
            values.append(found.strip() if isinstance(found, str) and found.strip() else NOT_RECORDED)
        counts = Counter(values)
        yield Row(measure, TOTAL, w.label, len(people))
        for category in order_categories(counts):
            yield Row(measure, category, w.label, counts[category])

    _ENGAGEMENT = [VictimChoice.ATTEND, VictimChoice.WRITTEN_STATEMENT_SHARED,
                   VictimChoice.WRITTEN_STATEMENT_PANEL_ONLY, VictimChoice.NOT_PARTICIPATE, VictimChoice.UNDECIDED]
    TOOK_PART = (VictimChoice.ATTEND, VictimChoice.WRITTEN_STATEMENT_SHARED, VictimChoice.WRITTEN_STATEMENT_PANEL_ONLY)

    def _participation(self, w: Window) -> Iterator[Row]:
        choices: dict[str, list[VictimChoice]] = {}
        for case in self.cases:
            if case.program == Program.VICTIM_SUPPORT or not self._open_during(case, w):
                continue
            for participant in case.participants:
                if participant.role == Role.VICTIM:
                    found = choices.setdefault(participant.person, [])
                    choice = facts.choice_on(participant, w.end)
                    if choice is not None:
                        found.append(choice)
        chosen = [min(found, key=self._ENGAGEMENT.index).value if found else NOT_RECORDED
                  for found in choices.values()]
        yield from self._by("victims_participation", w, chosen, [*(c.value for c in self._ENGAGEMENT), NOT_RECORDED])
        yield Row("victims_took_part", TOTAL, w.label, sum(c in self.TOOK_PART for c in chosen), COUNT,
                  tuple(("victims_participation", c.value) for c in self.TOOK_PART))

    def _compensated(self, w: Window) -> Iterator[Row]:
        owed: dict[str, bool] = {}  # victim -> every item paid in full by its case's closure
        for case in self.cases:
            closed = [day for day, _ in facts.closures(case) if day in w]
            if not closed:
                continue
            for _, _, _, item in restitution.restitution_items(case):
                if item.victim and facts.item_status_on(item, max(closed)) != ItemStatus.WAIVED:
                    full = restitution.paid_by(item, max(closed)) >= item.amount
                    owed[item.victim] = owed.get(item.victim, True) and full
        paid = sum(owed.values())
        yield Row("victims_compensated", "owed", w.label, len(owed))
        yield Row("victims_compensated", "compensated", w.label, paid)
        yield Row("victims_compensated", "percent", w.label, percent(paid, len(owed)), DERIVED,
                  (("victims_compensated", "owed"), ("victims_compensated", "compensated")))

    def _attended(self, w: Window) -> Iterator[Row]:
        """Victims present, in the period, at a held panel that heard their case, or at a mediation
        session or family group conference on it."""
        victims_of = {c.id: set(c.people(Role.VICTIM)) for c in self.cases}
        at_panel = {person for panel in self.records.panels if panel.status == PanelStatus.HELD and panel.date in w
                    for entry in panel.docket for person in entry.attended if person in victims_of.get(entry.case, ())}
        in_dialogue = {person for c in self.cases for s in c.sessions if s.date in w
                       for person in s.attended if person in victims_of[c.id]}
        yield Row("victims_attended", TOTAL, w.label, len(at_panel | in_dialogue))
        yield Row("victims_attended", "attended a panel", w.label, len(at_panel))
        yield Row("victims_attended", "took part in a dialogue", w.label, len(in_dialogue))

    # restitution

    def _restitution(self, w: Window) -> Iterator[Row]:
        ordered = [item for case in self.cases for _, _, agreement, item in restitution.restitution_items(case)
                   if agreement.signed in w]
        yield Row("restitution_ordered", "amount", w.label, money(sum((i.amount for i in ordered), ZERO)), AMOUNT)
        yield Row("restitution_ordered", "items", w.label, len(ordered))
        payments = [p for case in self.cases for _, _, _, item in restitution.restitution_items(case)
                    for p in item.payments if p.date in w]
        yield Row("restitution_paid", "amount", w.label, money(sum((p.amount for p in payments), ZERO)), AMOUNT)
        yield Row("restitution_paid", "payments", w.label, len(payments))
        paid_to = [(restitution.to_whom(item), p.amount) for case in self.cases
                   for _, _, _, item in restitution.restitution_items(case) for p in item.payments if p.date in w]
        yield from self._amounts("restitution_paid_to", w, paid_to,
                                 (restitution.TO_VICTIM, restitution.TO_OTHER, restitution.TO_UNKNOWN), money)
        owing = [b for b in restitution.balances(self.cases, w.end) if b.outstanding > 0]
        yield from self._amounts("restitution_outstanding", w, ((b.age, b.outstanding) for b in owing),
                                 restitution.AGES, money)
        yield from self._by("restitution_items_outstanding", w, (b.age for b in owing), restitution.AGES)
        yield from self._amounts("restitution_outstanding_to", w, ((b.to, b.outstanding) for b in owing),
                                 (restitution.TO_VICTIM, restitution.TO_OTHER, restitution.TO_UNKNOWN), money)

    # community service

    def _community_service(self, w: Window) -> Iterator[Row]:
        ordered, logged, cases = ZERO, ZERO, set()
        for case in self.cases:
            for agreement in case.agreements:
                for item in agreement.items:
                    if item.type != ItemType.COMMUNITY_SERVICE:
                        continue
                    if agreement.signed in w:
                        assert item.hours_required is not None  # (the model requires it of a community-service item)
                        ordered += item.hours_required
                    for entry in item.logged:
                        if entry.date in w:
                            logged += entry.hours
                            cases.add(case.id)
        yield Row("community_service", "hours ordered", w.label, hours(ordered), AMOUNT)
        yield Row("community_service", "hours logged", w.label, hours(logged), AMOUNT)
        yield Row("community_service", "cases with hours logged", w.label, len(cases))

    # volunteers and panels

    def _volunteers(self, w: Window) -> Iterator[Row]:
        inside = [(v, e) for v, e in self.hours if e.date in w]
        yield Row("volunteers_active", TOTAL, w.label, len({v for v, _ in inside}))
        for program in Program:
            yield Row("volunteers_active", program.value, w.label, len({v for v, e in inside if e.program == program}))
        yield from self._amounts("volunteer_hours_by_program", w, ((e.program, e.hours) for _, e in inside), Program)
        quarters = [periods.quarter(w.end, w.year)]
        while len(quarters) < SERIES_QUARTERS:
            quarters.insert(0, periods.previous_quarter(quarters[0], w.year))
        for q in quarters:
            last = min(q.end, w.end)
            total = sum((e.hours for _, e in self.hours if q.start <= e.date <= last), ZERO)
            yield Row("volunteer_hours_by_quarter", periods.quarter_name(q, w.year), w.label, hours(total), AMOUNT)
        held = [p.program.value for p in self.records.panels if p.status == PanelStatus.HELD and p.date in w]
        yield from self._by("panels_held", w, held, Program)

    # programs

    def _cosa(self, w: Window) -> Iterator[Row]:
        active, meetings, meeting_hours = 0, 0, ZERO
        for case in self.cases:
            circle = case.circle
            if case.program != Program.COSA or circle is None:
                continue
            inside = [m for m in circle.meetings if m.date in w]
            running = circle.started is not None and circle.started <= w.end and (
                circle.ended is None or circle.ended >= w.start)
            active += bool(running or inside)
            meetings += len(inside)
            meeting_hours += sum((m.hours for m in inside), ZERO)
        volunteer_hours = sum((e.hours for _, e in self.hours if e.kind == "circle" and e.date in w), ZERO)
        yield Row("cosa", "circles active", w.label, active)
        yield Row("cosa", "meetings", w.label, meetings)
        yield Row("cosa", "meeting hours", w.label, hours(meeting_hours), AMOUNT)
        yield Row("cosa", "volunteer hours", w.label, hours(volunteer_hours), AMOUNT)

    def _star(self, w: Window) -> Iterator[Row]:
        interns, hosts, worked = 0, set(), ZERO
        for case in self.cases:
            internship = case.internship
            if case.program != Program.STAR or internship is None:
                continue
            inside = [h for h in internship.hours if h.date in w]
            running = internship.start is not None and internship.start <= w.end and (
                internship.end is None or internship.end >= w.start)
            if running or inside:
                interns += 1
                hosts.add(" ".join(internship.host.split()).casefold())
            worked += sum((h.hours for h in inside), ZERO)
        yield Row("star", "interns", w.label, interns)
        yield Row("star", "host businesses", w.label, len(hosts))
        yield Row("star", "hours worked", w.label, hours(worked), AMOUNT)

    def _sessions(self, w: Window) -> Iterator[Row]:
        for program, name in ((Program.MEDIATION, "mediation"), (Program.FAMILY_GROUP_CONFERENCING, "conference")):
            cases = [c for c in self.cases if c.program == program and c.sessions]
            held = [(c, s) for c in cases for s in c.sessions if s.date in w]
            yield Row(f"{name}_sessions", "sessions held", w.label, len(held))
            yield Row(f"{name}_sessions", "cases", w.label, len({c.id for c, _ in held}))
            outcomes = [outcome.value if (outcome := facts.resolution_on(c, w.end)) else "no outcome yet"
                        for c in cases if max(s.date for s in c.sessions) in w]
            yield from self._by(f"{name}_outcomes", w, outcomes, [*(r.value for r in Resolution), "no outcome yet"])

    # surveys

    def _surveys(self, w: Window) -> Iterator[Row]:
        config = self.records.settings.surveys if self.records.settings else Surveys()
        inside = [s for c in self.cases for s in c.surveys if s.date in w]
        yield from self._by("survey_responses", w, (s.kind.value for s in inside), (k.value for k in SurveyKind))
        yield from self._survey_rate(w, config)
        for kind in SurveyKind:
            answers: dict[str, list[str]] = defaultdict(list)
            for s in inside:
                if s.kind == kind:
                    for key, answer in s.answers.items():
                        answers[key].append(answer)
            for q in config.of(kind).questions:
                given = [a for a in answers.get(q.key, []) if answer_problem(q, a) is None]
                yield from self._answers(w, f"{kind.value}_survey", q, given)

    def _survey_rate(self, w: Window, config: Surveys) -> Iterator[Row]:
        """Cases closed in the period that ask for a participant survey, and their victims who took
        part; of those, the ones whose survey is dated by the period's end."""
        asked: dict[str, list[bool]] = {k.value: [] for k in SurveyKind}
        for case in self.cases:
            closed = [day for day, _ in facts.closures(case) if day in w]
            if not closed:
                continue
            returned = [s for s in case.surveys if s.date <= w.end]
            if case.program in config.participant_programs:
                asked["participant"].append(any(s.kind == SurveyKind.PARTICIPANT for s in returned))
            for p in case.participants:
                if p.role == Role.VICTIM and facts.choice_on(p, max(closed)) in self.TOOK_PART:
                    asked["victim"].append(any(s.kind == SurveyKind.VICTIM and s.person == p.person
                                               for s in returned))
        for kind, found in asked.items():
            yield Row("survey_response_rate", f"{kind} asked", w.label, len(found))
            yield Row("survey_response_rate", f"{kind} returned", w.label, sum(found))
            yield Row("survey_response_rate", f"{kind} percent", w.label, percent(sum(found), len(found)), DERIVED,
                      (("survey_response_rate", f"{kind} asked"), ("survey_response_rate", f"{kind} returned")))

    @staticmethod
    def _answers(w: Window, survey: str, question: Question, given: list[str]) -> Iterator[Row]:
        name = question.key
        if question.kind == QuestionKind.SCALE:
            average = (Decimal(sum(int(a) for a in given)) / len(given)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP) if given else None
            yield Row(f"{survey}_scales", f"{name}: answers", w.label, len(given))
            yield Row(f"{survey}_scales", f"{name}: average", w.label, average, DERIVED,
                      ((f"{survey}_scales", f"{name}: answers"),))
        elif question.kind == QuestionKind.YES_NO:
            yes = given.count(YES)
            yield Row(f"{survey}_yes_no", f"{name}: answers", w.label, len(given))
            yield Row(f"{survey}_yes_no", f"{name}: yes", w.label, yes)
            yield Row(f"{survey}_yes_no", f"{name}: percent yes", w.label, percent(yes, len(given)), DERIVED,
                      ((f"{survey}_yes_no", f"{name}: answers"), (f"{survey}_yes_no", f"{name}: yes")))
        elif question.kind == QuestionKind.CHOICE:
            yield Row(f"{survey}_choices", f"{name}: {TOTAL}", w.label, len(given))
            for option in question.options:
                yield Row(f"{survey}_choices", f"{name}: {option}", w.label, given.count(option))

    # records current

    def _records_current(self, w: Window) -> Iterator[Row]:
        open_cases = [c for c in self.cases if facts.open_on(c, w.end)]
        quiet = []
        for case in open_cases:
            dates = [d for d in facts.activity_dates(case, self.panel_dates.get(case.id, ())) if d <= w.end]
            if not any(d >= w.start for d in dates):
                quiet.append((case.id, (w.end - max(dates, default=case.opened)).days))
        yield Row("records_current", "open cases", w.label, len(open_cases))
        yield Row("records_current", "no activity in the period", w.label, len(quiet))
        for case_id, days in sorted(quiet):
            yield Row("cases_without_activity", case_id, w.label, days, LISTING)


def order_categories(categories: Iterable[str]) -> list[str]:
    """Categories found in the records: alphabetical, then 'other (not on file)', 'not recorded' last."""
    return sorted(set(categories), key=lambda c: (c == NOT_RECORDED, c == OTHER_AGENCY, c.casefold(), c))


def quarterly_rows(records: Records, current: Window, previous: Window) -> list[Row]:
    """Rows for the period and the one before it, in report order: measure, breakdown, period.

    A category found in one period only is shown in the other as 0; the measures that are
    series or lists are for the report's period only.
    """
    calculator = Calculator(records)
    found = {current.label: calculator.rows(current), previous.label: calculator.rows(previous, current=False)}
    by_measure: dict[str, dict[str, dict[str, Row]]] = {key: {} for key in MEASURES}
    for label, rows in found.items():
        for found_row in rows:
            by_measure[found_row.measure].setdefault(found_row.breakdown, {})[label] = found_row
    result = []
    for key, breakdowns in by_measure.items():
        measure = MEASURES[key]
        names = list(breakdowns)
        if measure.dynamic:
            names = [TOTAL, *order_categories(n for n in names if n != TOTAL)]
        for name in names:
            for label in found:
                row = breakdowns[name].get(label)
                if row is None and not measure.current_only:
                    template = next(iter(breakdowns[name].values()))
                    empty = 0 if template.kind == COUNT else ZERO if template.kind == AMOUNT else None
                    row = Row(key, name, label, empty, template.kind, template.basis)
                if row is not None:
                    result.append(row)
    return result
