"""The rules beyond a file's shape: ids, references, dates, status histories, panel seats.

Each rule is a plain function registered in one of two lists. Rules return problems and never
raise.

The contract a record rule keeps, because `rjc check` keeps its result until one of its inputs
changes (and `rjc check` after one edit re-checks only the files whose inputs changed):

- Its inputs are its own record (`loaded`), the settings (`ctx.settings`), and other records
  asked for by id through `ctx.get(id)` or `ctx.exists(id)`, which note the id as consulted.
- Nothing else: no reading files, the cache or git, no module-level state, no clock (a rule
  about "today" belongs in reminders, not checks). A record learnt of any other way is a
  dependency the engine cannot see: its change would leave a stale result.
- The same inputs give the same problems, in the same order.

Repository rules look across all the records of their kinds at once; their results are kept
against the content of all of those files together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, cast

from rjc.model import Case, Organization, Panel, Person, Referral, Settings, Volunteer, entries, lifecycle, surveys
from rjc.model.case import RestitutionItem
from rjc.model.organization import normal_org_name
from rjc.model.person import normal_name
from rjc.model.vocab import CaseStatus, PanelStatus, Program, Role, SurveyKind
from rjc.storage import layout, store
from rjc.storage.errors import Problem, RjcError, capped

RecordRule = Callable[[store.Loaded, "Context"], Iterable[Problem]]
RuleFunction = Callable[[list[store.Loaded], "Context"], Iterable[Problem]]


class RepositoryRule(Protocol):
    """A rule function as `repository_rule` registers it: with its kinds and `meet` field."""
    __name__: str
    kinds: tuple[str, ...]
    meet: str | None

    def __call__(self, records: list[store.Loaded], ctx: Context, /) -> Iterable[Problem]: ...


RECORD_RULES: list[RecordRule] = []
REPOSITORY_RULES: list[RepositoryRule] = []

PANEL_SEATS = (3, 6)
INVALID = object()  # a record whose file exists but does not validate; its own problems say why


def record_rule(func: RecordRule) -> RecordRule:
    RECORD_RULES.append(func)
    return func


def repository_rule(*kinds: str, meet: str | None) -> Callable[[RuleFunction], RepositoryRule]:
    """A rule over all records of these kinds at once (their results are cached together).

    `meet` names the field (of the record and of its `rjc list` row) two records must share to
    break the rule together, such as a panel's date: a change is checked, before it is
    committed, against just the records that share it (`check_staged`). A rule with no `meet`
    only warns, in `rjc check`.
    """
    def register(func: RuleFunction) -> RepositoryRule:
        rule = cast(RepositoryRule, func)
        rule.kinds, rule.meet = kinds, meet
        REPOSITORY_RULES.append(rule)
        return rule
    return register


class Context:
    """What a rule may know beyond its own record: other records by id, and the settings."""

    def __init__(self, root: Path, settings: Settings | None, records=None, *, complete: bool = False):
        self.root = root
        self.settings = settings
        self._records = records if complete else dict(records or {})
        self._complete = complete  # True when `records` holds every record (rjc check)
        self.consulted: set[str] = set()  # ids a rule looked up: what its result depends on

    def get(self, record_id: str):
        self.consulted.add(record_id)
        if record_id in self._records or self._complete:
            return self._records.get(record_id)
        try:
            relpath = layout.parse_id(record_id).path
        except RjcError:
            return None
        loaded = store.read_record(self.root, relpath) if (self.root / relpath).is_file() else None
        self._records[record_id] = (loaded.record or INVALID) if loaded else None
        return self._records[record_id]

    def exists(self, record_id: str) -> bool:
        if self._complete:  # known without validating the record (a file that fails still exists)
            self.consulted.add(record_id)
            return record_id in self._records
        return self.get(record_id) is not None


# --- record rules ------------------------------------------------------------------------


@record_rule
def id_matches_path(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    expected = layout.expected_id(loaded.path)
    if expected is None:
        yield loaded.problem(("id",), "id-matches-path",
                             "file is not where a record lives (kind/year/code/ID.yaml)")
    elif loaded.record.id != expected:
        yield loaded.problem(("id",), "id-matches-path", f"id does not match the file name (expected '{expected}')")


def _references(record) -> Iterator[tuple[tuple, str]]:
    """(location, id) for every reference a record makes to another record."""
    if isinstance(record, Referral):
        for i, involved in enumerate(record.people):
            yield ("people", i, "person"), involved.person
        if record.screening.case:
            yield ("screening", "case"), record.screening.case
        if record.agency_org:
            yield ("agency_org",), record.agency_org
    elif isinstance(record, Case):
        if record.referral:
            yield ("referral",), record.referral
        for i, p in enumerate(record.participants):
            yield ("participants", i, "person"), p.person
        for i, c in enumerate(record.contacts):
            for j, person in enumerate(c.with_):
                yield ("contacts", i, "with", j), person
        for i, agreement in enumerate(record.agreements):
            for j, item in enumerate(agreement.items):
                if item.victim:
                    yield ("agreements", i, "items", j, "victim"), item.victim
        for i, s in enumerate(record.services):
            if s.person:
                yield ("services", i, "person"), s.person
        if record.circle:
            for i, seat in enumerate(record.circle.roster):
                yield ("circle", "roster", i, "volunteer"), seat.volunteer
            for i, meeting in enumerate(record.circle.meetings):
                for j, v in enumerate(meeting.attended):
                    yield ("circle", "meetings", i, "attended", j), v
        for i, session in enumerate(record.sessions):
            for j, person in enumerate(session.attended):
                yield ("sessions", i, "attended", j), person
        for i, other in enumerate(record.related_cases):
            yield ("related_cases", i), other
        for i, response in enumerate(record.surveys):
            if response.person:
                yield ("surveys", i, "person"), response.person
        if record.internship and record.internship.host_org:
            yield ("internship", "host_org"), record.internship.host_org
    elif isinstance(record, Panel):
        for i, entry in enumerate(record.docket):
            yield ("docket", i, "case"), entry.case
            for j, person in enumerate(entry.attended):
                yield ("docket", i, "attended", j), person
        for i, panel_seat in enumerate(record.seats):
            yield ("seats", i, "volunteer"), panel_seat.volunteer
    elif isinstance(record, Volunteer):
        yield ("person",), record.person
        for i, person in enumerate(record.conflicts):
            yield ("conflicts", i), person
    elif isinstance(record, Organization) and record.contact_person:
        yield ("contact_person",), record.contact_person


@record_rule
def references_exist(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    for loc, target in _references(loaded.record):
        if not ctx.exists(target):
            yield loaded.problem(loc, "reference-exists", f"{target} does not exist")


def _coordinator_codes(record) -> Iterator[tuple[tuple, str]]:
    if isinstance(record, Case):
        yield ("coordinator",), record.coordinator
        for i, entry in enumerate(record.status_history):
            yield ("status_history", i, "by"), entry.by
        for i, c in enumerate(record.contacts):
            yield ("contacts", i, "by"), c.by
        if record.closure:
            yield ("closure", "by"), record.closure.by
    elif isinstance(record, Referral) and record.screening.by:
        yield ("screening", "by"), record.screening.by
    elif isinstance(record, Panel):
        for i, change in enumerate(record.history):
            yield ("history", i, "by"), change.by


@record_rule
def referral_link(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    """A case and the referral it came from name each other, not some other record."""
    r = loaded.record
    if isinstance(r, Case) and r.referral:
        referral = ctx.get(r.referral)
        other = referral.screening.case if isinstance(referral, Referral) else None
        if other not in (None, r.id) and ctx.exists(other):  # a missing one is reported by the referral
            yield loaded.problem(("referral",), "referral-link", f"{r.referral} was accepted as {other}, not {r.id}")


@record_rule
def coordinators_known(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    if ctx.settings is None:
        return
    for loc, code in _coordinator_codes(loaded.record):
        if ctx.settings.coordinator(code) is None:
            yield loaded.problem(loc, "coordinator-known",
                                 f"coordinator '{code}' is not listed in {layout.SETTINGS_FILE}")


def _before(loaded: store.Loaded, earlier: dt.date | None, later: dt.date | None, loc: tuple,
            message: str) -> Iterator[Problem]:
    if earlier and later and later < earlier:
        yield loaded.problem(loc, "dates-in-order", message)


@record_rule
def dates_in_order(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    r = loaded.record
    if isinstance(r, Referral):
        yield from _before(loaded, r.offense_date, r.received, ("received",),
                           f"received {r.received} is before the offense date {r.offense_date}")
        yield from _before(loaded, r.received, r.screening.date, ("screening", "date"),
                           f"screening {r.screening.date} is before the referral was received {r.received}")
    elif isinstance(r, Case):
        referral = ctx.get(r.referral) if r.referral else None
        if isinstance(referral, Referral):
            yield from _before(loaded, referral.received, r.opened, ("opened",),
                               f"opened {r.opened} is before {r.referral} was received {referral.received}")
        previous = r.opened
        for i, entry in enumerate(r.status_history):
            yield from _before(loaded, previous, entry.date, ("status_history", i, "date"),
                               f"status date {entry.date} is before the one it follows ({previous})")
            previous = max(previous, entry.date)
        for i, a in enumerate(r.agreements):
            yield from _before(loaded, r.opened, a.signed, ("agreements", i, "signed"),
                               f"agreement signed {a.signed} before the case opened {r.opened}")
            yield from _before(loaded, a.signed, a.due, ("agreements", i, "due"),
                               f"agreement due {a.due} before it was signed {a.signed}")
            yield from _before(loaded, a.signed, a.midterm_review, ("agreements", i, "midterm_review"),
                               f"mid-term review {a.midterm_review} before the agreement was signed {a.signed}")
            for j, item in enumerate(a.items):
                for k, entry in enumerate(getattr(item, "payments", []) + getattr(item, "logged", [])):
                    field = "payments" if hasattr(item, "payments") else "logged"
                    yield from _before(loaded, a.signed, entry.date, ("agreements", i, "items", j, field, k, "date"),
                                       f"{entry.date} is before the agreement was signed {a.signed}")
        if r.closure:
            yield from _before(loaded, r.opened, r.closure.date, ("closure", "date"),
                               f"closed {r.closure.date} before the case opened {r.opened}")
    elif isinstance(r, Panel):
        if r.end <= r.start:
            yield loaded.problem(("end",), "dates-in-order",
                                 f"panel ends ({r.end:%H:%M}) before it starts ({r.start:%H:%M})")
    elif isinstance(r, Volunteer):
        for i, check in enumerate(r.background_checks):
            yield from _before(loaded, check.date, check.expires, ("background_checks", i, "expires"),
                               f"background check expires {check.expires} before it was done {check.date}")


@record_rule
def status_history(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    r = loaded.record
    if not isinstance(r, Case):
        return
    first = r.status_history[0]
    if first.status not in lifecycle.FIRST_STATUSES:
        yield loaded.problem(("status_history", 0, "status"), "status-history",
                             f"a case starts as referred or intake, not {first.status}")
    for i in range(1, len(r.status_history)):
        before, after = r.status_history[i - 1].status, r.status_history[i].status
        if after not in lifecycle.allowed_next(r.program, before):
            yield loaded.problem(("status_history", i, "status"), "status-history",
                                 f"{r.program} cases cannot go from {before} to {after}")
    if r.status == CaseStatus.CLOSED and r.closure is None:
        yield loaded.problem(("status_history", len(r.status_history) - 1, "status"), "closure-reason",
                             "a closed case needs a closure with a reason")
    if r.status != CaseStatus.CLOSED and r.closure is not None:
        yield loaded.problem(("closure",), "closure-reason", f"case has a closure but its status is {r.status}")


@record_rule
def victim_participation(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    r = loaded.record
    if not isinstance(r, Case):
        return
    for i, p in enumerate(r.participants):
        if (p.participation or p.notified) and p.role != Role.VICTIM:
            yield loaded.problem(("participants", i), "victim-participation",
                                 f"participation and notification are for victims; {p.person} is {p.role}")


@record_rule
def survey_answers(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    """Each answer answers a question of its survey in rjc.yaml, as that question is answered."""
    r = loaded.record
    if not isinstance(r, Case) or ctx.settings is None:
        return
    for i, response in enumerate(r.surveys):
        survey = ctx.settings.surveys.of(response.kind)
        for key, at_key, why in surveys.answer_problems(survey, response.kind, response.answers):
            yield loaded.problem(("surveys", i, "answers", key), "survey-answers", why, key=at_key)


@record_rule
def survey_person(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    """A victim survey names a victim on the case; a participant survey, if it names anyone, someone
    on the case who is not a victim."""
    r = loaded.record
    if not isinstance(r, Case):
        return
    victims = set(r.people(Role.VICTIM))
    for i, response in enumerate(r.surveys):
        if response.kind == SurveyKind.VICTIM and response.person is None:
            yield loaded.problem(("surveys", i), "survey-person",
                                 "a victim survey names the victim who answered it (person: P-...)")
        elif response.kind == SurveyKind.VICTIM and response.person not in victims:
            yield loaded.problem(("surveys", i, "person"), "survey-person",
                                 f"{response.person} is not a victim on {r.id}")
        elif response.kind == SurveyKind.PARTICIPANT and response.person and (
                response.person in victims or response.person not in r.people()):
            yield loaded.problem(("surveys", i, "person"), "survey-person",
                                 f"{response.person} is not a participant (other than a victim) on {r.id}")


@record_rule
def entry_ids_unique(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    # an entry's id is how a sync tells two equal payments apart: a copied one would merge them
    seen: set[str] = set()
    for loc, entry in entries.located(loaded.record):
        if entry.id in seen:
            yield loaded.problem(loc + ("id",), "entry-id-unique",
                                 f"entry id {entry.id} is used twice in this record; in `rjc edit`, delete "
                                 "this entry's id line and rjc gives it a new one")
        seen.add(entry.id)


@record_rule
def restitution_paid(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    r = loaded.record
    if not isinstance(r, Case):
        return
    for i, agreement in enumerate(r.agreements):
        for j, item in enumerate(agreement.items):
            if isinstance(item, RestitutionItem) and item.paid > item.amount:
                yield loaded.problem(("agreements", i, "items", j, "payments"), "restitution-overpaid",
                                     f"payments {item.paid} exceed the amount owed {item.amount}", "warning")


@record_rule
def panel_seats(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    r = loaded.record
    if not isinstance(r, Panel) or r.status == PanelStatus.CANCELLED:
        return
    low, high = (3, 5) if r.program == Program.COSA else PANEL_SEATS
    if not low <= len(r.seats) <= high:
        yield loaded.problem(("seats",), "panel-seats", f"a {r.program} panel seats {low}-{high} volunteers, "
                                                        f"not {len(r.seats)}")
    seen: set[str] = set()
    participants = {p for entry in r.docket
                    if isinstance(case := ctx.get(entry.case), Case) for p in case.people()}
    for i, seat in enumerate(r.seats):
        if seat.volunteer in seen:
            yield loaded.problem(("seats", i, "volunteer"), "panel-seats", f"{seat.volunteer} is seated twice")
        seen.add(seat.volunteer)
        volunteer = ctx.get(seat.volunteer)
        if not isinstance(volunteer, Volunteer):
            continue
        for rule, message in volunteer.unfit(r.date, participants):
            # a past panel keeps a volunteer who has since stepped down
            if rule != "volunteer-active" or r.status == PanelStatus.SCHEDULED:
                yield loaded.problem(("seats", i, "volunteer"), "panel-seats", message)


CIRCLE_SEATS = (3, 5)


@record_rule
def circle(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    """A CoSA circle: at most 5 active seats (a warning below 3 while it runs), no volunteer
    seated twice at once, meetings attended by volunteers on the roster that day, dates in order,
    phase and dates agreeing; and a cosa case is in-circle only once its circle has started."""
    from rjc.model.vocab import CirclePhase

    r = loaded.record
    if not isinstance(r, Case):
        return
    c, (low, high) = r.circle, CIRCLE_SEATS
    yield from _program_part(loaded, "circle", Program.COSA, CaseStatus.IN_CIRCLE, c is not None and c.started,
                             "circle-status", f"a cosa case is in-circle only once its circle has started (with "
                             f"{low}-{high} volunteers): rjc circle phase {r.id} phase-1")
    if c is None:
        return
    yield from _before(loaded, r.opened, c.started, ("circle", "started"),
                       f"circle started {c.started} before the case opened {r.opened}")
    yield from _before(loaded, c.started, c.ended, ("circle", "ended"),
                       f"circle ended {c.ended} before it started {c.started}")
    if (c.phase == CirclePhase.ENDED) != (c.ended is not None):
        yield loaded.problem(("circle", "phase"), "circle-phase",
                             "an ended circle has an ended date, and only an ended circle has one")
    if c.phase not in (CirclePhase.FORMING, CirclePhase.ENDED) and c.started is None:
        yield loaded.problem(("circle", "phase"), "circle-phase", f"a circle in {c.phase} needs its started date")
    active = sum(1 for seat in c.roster if seat.left is None)
    if active > high:
        yield loaded.problem(("circle", "roster"), "circle-seats", f"a circle has at most {high} active seats, not {active}")
    elif c.phase not in (CirclePhase.FORMING, CirclePhase.ENDED) and active < low:
        yield loaded.problem(("circle", "roster"), "circle-seats",
                             f"a circle needs {low}-{high} active seats; this one has {active}", "warning")
    never = dt.date.max
    for i, seat in enumerate(c.roster):
        yield from _before(loaded, r.opened, seat.joined, ("circle", "roster", i, "joined"),
                           f"{seat.volunteer} joined {seat.joined} before the case opened {r.opened}")
        yield from _before(loaded, seat.joined, seat.left, ("circle", "roster", i, "left"),
                           f"{seat.volunteer} left {seat.left} before joining {seat.joined}")
        if any(other.volunteer == seat.volunteer and other.joined < (seat.left or never)
               and seat.joined < (other.left or never) for other in c.roster[:i]):
            yield loaded.problem(("circle", "roster", i, "volunteer"), "circle-seats",
                                 f"{seat.volunteer} holds two seats at the same time")
    for i, meeting in enumerate(c.meetings):
        yield from _before(loaded, c.started or r.opened, meeting.date, ("circle", "meetings", i, "date"),
                           f"meeting {meeting.date} is before the circle started ({c.started or r.opened})")
        yield from _before(loaded, meeting.date, c.ended, ("circle", "meetings", i, "date"),
                           f"meeting {meeting.date} is after the circle ended ({c.ended})")
        for j, volunteer in enumerate(meeting.attended):
            if not any(s.volunteer == volunteer and s.joined <= meeting.date and (s.left or never) >= meeting.date
                       for s in c.roster):
                yield loaded.problem(("circle", "meetings", i, "attended", j), "circle-seats",
                                     f"{volunteer} was not on the circle on {meeting.date}")


def _program_part(loaded: store.Loaded, part: str, program: Program, status: CaseStatus, ready: object,
                  rule: str, needs: str) -> Iterator[Problem]:
    """A program's own part of a case (a circle, an internship): only on that program's cases,
    and the case in `status` only once the part is `ready`."""
    r = loaded.record
    if getattr(r, part) is not None and r.program != program:
        yield loaded.problem((part,), "program-parts", f"{part}s are for {program.value} cases, not {r.program}")
    if r.program == program and r.status == status and not ready:
        yield loaded.problem(("status_history", len(r.status_history) - 1, "status"), rule, needs)


@record_rule
def internship(loaded: store.Loaded, ctx: Context) -> Iterator[Problem]:
    """A STAR internship: on a star case, dates in order, hours inside them; and a star case is
    in-internship only once its internship is set up."""
    r = loaded.record
    if not isinstance(r, Case):
        return
    job = r.internship
    yield from _program_part(loaded, "internship", Program.STAR, CaseStatus.IN_INTERNSHIP, job is not None,
                             "internship-status", f"a star case is in-internship once its internship is set up: "
                             f"rjc internship set {r.id} --host BUSINESS")
    if job is None:
        return
    yield from _before(loaded, r.opened, job.start, ("internship", "start"),
                       f"internship starts {job.start} before the case opened {r.opened}")
    yield from _before(loaded, job.start, job.end, ("internship", "end"),
                       f"internship ends {job.end} before it starts {job.start}")
    for i, entry in enumerate(job.hours):
        yield from _before(loaded, job.start, entry.date, ("internship", "hours", i, "date"),
                           f"hours on {entry.date} are before the internship starts ({job.start})")
        yield from _before(loaded, entry.date, job.end, ("internship", "hours", i, "date"),
                           f"hours on {entry.date} are after the internship ends ({job.end})")


# --- change rules: the new version of a record against the one it replaces -----------------

_APPEND_ONLY: dict[type, str] = {Case: "status_history", Panel: "history", Volunteer: "background_checks"}


def check_change(old, loaded: store.Loaded) -> list[Problem]:
    """Histories are append-only: earlier entries may not be edited or removed."""
    field = _APPEND_ONLY.get(type(loaded.record))
    if field is None or type(old) is not type(loaded.record):
        return []
    before, after = getattr(old, field), getattr(loaded.record, field)
    for i, entry in enumerate(before):
        if i >= len(after) or after[i] != entry:
            return [loaded.problem((field, min(i, len(after) - 1)) if after else (field,), "append-only",
                                   f"{field} is append-only: entry {i + 1} was changed or removed")]
    return []


# --- repository rules --------------------------------------------------------------------


@repository_rule("panel", meet="date")
def volunteers_not_double_booked(records: list[store.Loaded], ctx: Context) -> Iterator[Problem]:
    by_day: dict[dt.date, list[store.Loaded]] = defaultdict(list)
    for loaded in records:
        if isinstance(loaded.record, Panel) and loaded.record.status != PanelStatus.CANCELLED:
            by_day[loaded.record.date].append(loaded)
    for panels in by_day.values():
        for i, a in enumerate(panels):
            for b in panels[i + 1:]:
                if a.record.start < b.record.end and b.record.start < a.record.end:
                    shared = {s.volunteer for s in a.record.seats} & {s.volunteer for s in b.record.seats}
                    for volunteer in sorted(shared):
                        index = [s.volunteer for s in b.record.seats].index(volunteer)
                        yield b.problem(("seats", index, "volunteer"), "volunteer-double-booked",
                                        f"{volunteer} is already seated on {a.record.id} at an overlapping time")


@repository_rule("person", meet=None)
def people_not_on_file_twice(records: list[store.Loaded], ctx: Context) -> Iterator[Problem]:
    # two clones taking in one person offline make two records; only ids are named
    alike: dict[tuple[str, str], list[store.Loaded]] = defaultdict(list)
    for loaded in records:
        person = loaded.record
        if isinstance(person, Person) and person.date_of_birth and not person.merged_into:
            alike[(str(person.date_of_birth), normal_name(person.family_name))].append(loaded)
    for group in alike.values():
        for i, later in enumerate(group):
            b = later.record
            first = next((a.record for a in group[:i] if a.record.same_as(b.given_name, b.family_name, b.date_of_birth)
                          or b.same_as(a.record.given_name, a.record.family_name, a.record.date_of_birth)), None)
            if first is not None:
                yield later.problem(("given_name",), "person-on-file-twice",
                                    f"{b.id} may be {first.id} on file twice (same name and date of birth); "
                                    f"if so: rjc person merge {first.id} {b.id}", "warning")


@repository_rule("organization", meet=None)
def organizations_not_on_file_twice(records: list[store.Loaded], ctx: Context) -> Iterator[Problem]:
    # two clones adding one agency offline make two records
    first: dict[str, str] = {}
    for loaded in records:
        org = loaded.record
        if isinstance(org, Organization):
            key = normal_org_name(org.name)
            if key in first:
                yield loaded.problem(("name",), "organization-on-file-twice",
                                     f"{org.id} has the name of {first[key]}; if they are one organization, "
                                     f"point what refers to {org.id} at {first[key]} (rjc edit)", "warning")
            else:
                first[key] = org.id


# --- one record ---------------------------------------------------------------------------


def check_record(loaded: store.Loaded, ctx: Context) -> list[Problem]:
    """Shape problems (a file that does not parse), or every record rule's, for one file."""
    if loaded.record is None:
        return list(loaded.problems)  # capped already, where they were found
    return capped([*loaded.problems, *(problem for rule in RECORD_RULES for problem in rule(loaded, ctx))])
