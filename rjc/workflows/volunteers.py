"""Volunteers: the roster, and the hours ledger fed by panels and CoSA circle meetings.

A volunteer record holds what the center knows of a trained community member: trainings
(dated), background checks (each with its expiry), the programs served, availability, whether
active, and the people they must not sit with. Their identity lives in a person record:
registering a volunteer creates that person, or reuses the one on file with the same name and
date of birth, together with the volunteer, in one commit.

The rules every change here keeps:
- a training or a background check records what has happened: its date is not in the future;
- a background check expires after the day it was done (by default `CHECK_YEARS` later);
- background checks are append-only (rjc.checks refuses rewriting one): a renewal is a new
  entry, and the same check is not recorded twice;
- one volunteer record per person; nobody declares a conflict with themselves.

Each change is one transaction: it writes nothing when refused, and its commit names the
action and ids only.

The ledger (`ledger`) is a pure function over loaded panels and cases, so reports can reuse it:
one entry per held panel a volunteer sat on (the seat's hours, else the panel's length when the
seat was attended) and per circle meeting they attended (the meeting's hours).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import ValidationError

from rjc.model import SCHEMA_VERSION, Case, Panel, Person, Volunteer
from rjc.model.periods import Period
from rjc.model.vocab import DayPart, PanelStatus, Program, Weekday
from rjc.model.volunteer import Availability, BackgroundCheck, Training
from rjc.storage import layout, store, yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import Result
from rjc.workflows.intake import find_existing
from rjc.workflows.repository import Repository

if TYPE_CHECKING:
    from rjc.model.report_facts import CaseOrFacts, PanelOrFacts

CHECK_YEARS = 3  # a background check's default validity
_DAY_NAMES = {"mon": "monday", "tue": "tuesday", "wed": "wednesday", "thu": "thursday", "fri": "friday",
              "sat": "saturday", "sun": "sunday"}
AVAILABILITY_EXAMPLE = "'tue evening, thu evening'"
ALL_TIME = Period(dt.date.min, dt.date.max, "all time")


@dataclass
class Changed(Result):
    """A committed change, with what the coordinator should be told about it."""

    warnings: list[str] = field(default_factory=list)


def _changed(result: Result, warnings: list[str] | None = None) -> Changed:
    return Changed(result.commit, result.ids, warnings or [])


# --- small parsers, shared by files, prompts and flags ----------------------------------------


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (Feb 29 -> Feb 28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_expiry(day: dt.date) -> dt.date:
    return years_after(day, CHECK_YEARS)


def _weekday(word: str) -> Weekday | None:
    word = word.lower()
    if len(word) >= 3:
        for short, full in _DAY_NAMES.items():
            if full.startswith(word):
                return Weekday(short)
    return None


def parse_availability(text: str) -> list[Availability]:
    """'tue evening, thu evening' -> [Availability(tue, evening), ...]; '' -> [] (none given).

    Days may be written in full or shortened ('tuesday', 'tues'); repeats are dropped.
    """
    slots: list[Availability] = []
    parts = ", ".join(p.value for p in DayPart)
    for chunk in re.split(r"[,;]", text):
        words = chunk.split()
        if not words:
            continue
        day = _weekday(words[0]) if len(words) == 2 else None
        if len(words) != 2 or day is None or words[1].lower() not in {p.value for p in DayPart}:
            raise RjcError(f"availability is DAY PART, separated by commas, e.g. {AVAILABILITY_EXAMPLE} "
                           f"(days mon-sun, parts {parts}); not '{chunk.strip()}'")
        slot = Availability(day=day, part=DayPart(words[1].lower()))
        if slot not in slots:
            slots.append(slot)
    return slots


def format_availability(slots: Iterable[Availability]) -> str:
    return ", ".join(f"{s.day} {s.part}" for s in slots)


def parse_programs(text: str) -> list[Program]:
    """'restorative-panel, mediation' -> [Program...]; '' -> [] (no program named)."""
    programs: list[Program] = []
    for word in re.split(r"[,\s]+", text.strip()):
        if not word:
            continue
        try:
            program = Program(word.lower())
        except ValueError:
            raise RjcError(f"'{word}' is not a program; programs are: {', '.join(p.value for p in Program)}") from None
        if program not in programs:
            programs.append(program)
    return programs


def _person_id(text: str) -> str:
    record_id = layout.parse_id(str(text))
    if record_id.kind.name != "person":
        raise RjcError(f"{record_id} is not a person id (person ids look like P-2026-KB-0001)")
    return str(record_id)


def load_person(repo: Repository, person_id: str) -> Person:
    person = repo.get(_person_id(person_id))
    if not isinstance(person, Person):
        raise RjcError(f"{person_id} is not a person")
    return person


def parse_people(repo: Repository, text: str) -> list[str]:
    """'P-2026-KB-0003, P-2026-KB-0007' -> those ids, each a person on file."""
    ids: list[str] = []
    for word in re.split(r"[,\s]+", text.strip()):
        if word:
            person = load_person(repo, word).id
            if person not in ids:
                ids.append(person)
    return ids


# --- registering ------------------------------------------------------------------------------


@dataclass
class Enrolment:
    """What is known of a new volunteer: the person (an id on file, or a new person's fields)
    and the volunteer's own fields (those of rjc.model.Volunteer, without id and person)."""

    fields: dict = field(default_factory=dict)
    person: str | None = None  # an existing person's id
    details: dict = field(default_factory=dict)  # a new person's fields
    source: str = "<prompts>"  # where it came from, for problems
    document: yamlio.Document | None = None
    distinct: bool = False  # the coordinator confirmed: not the person on file with the same name

    @property
    def has_person(self) -> bool:
        return bool(self.person or self.details)

    def problem(self, loc: tuple, rule: str, message: str, *, key: bool = False) -> Problem:
        line, col = self.document.locate(loc, key=key) if self.document else (0, 0)
        return Problem(self.source, line, col, rule, message)


@dataclass
class Added:
    result: Result
    volunteer: str
    person: str
    reused: bool  # the person was already on file (same name and date of birth)
    warnings: list[str] = field(default_factory=list)


def read_volunteer_file(source: bytes | str, path: str) -> Enrolment:
    """A volunteer file: `person:` (a new person's fields, or an existing person's id) and the
    volunteer's fields: trainings, background_checks (`expires` may be left out), programs,
    availability (a list of day/part, or text like 'tue evening, thu evening'), conflicts,
    since, active, note."""
    document = yamlio.load(source, path)
    data = document.data
    enrolment = Enrolment(source=path, document=document)
    problems = []
    for forbidden in ("id", "schema_version"):
        if forbidden in data:
            problems.append(enrolment.problem((forbidden,), "assigned-by-rjc", f"remove '{forbidden}': rjc assigns it",
                                              key=True))
    person = data.get("person")
    if isinstance(person, str) and person.strip():
        enrolment.person = person.strip().upper()
    elif isinstance(person, dict) and person:
        enrolment.details = dict(person)
    elif person is not None:
        problems.append(enrolment.problem(("person",), "invalid-value",
                                          "person: is an existing person's id, or the new person's fields "
                                          "(given_name:, family_name:, date_of_birth:, phone:, email:)"))
    if problems:
        raise RjcError("nothing was created", problems)
    enrolment.fields = {k: v for k, v in data.items() if k not in ("person", "id", "schema_version")}
    return enrolment


def _prepare(enrolment: Enrolment) -> tuple[dict, list[Problem]]:
    """The volunteer's fields with the file's shorthands expanded: availability and programs as
    text, and background checks without `expires` (the default validity)."""
    data = dict(enrolment.fields)
    problems = []
    if isinstance(data.get("availability"), str):
        try:
            data["availability"] = [s.model_dump() for s in parse_availability(data["availability"])]
        except RjcError as exc:
            del data["availability"]  # reported here, once
            problems.append(enrolment.problem(("availability",), "invalid-value", f"availability: {exc.message}"))
    if isinstance(data.get("programs"), str):
        data["programs"] = [p for p in re.split(r"[,\s]+", data["programs"]) if p]
    if isinstance(data.get("conflicts"), str):
        data["conflicts"] = [p for p in re.split(r"[,\s]+", data["conflicts"]) if p]
    if isinstance(data.get("conflicts"), list):
        data["conflicts"] = list(dict.fromkeys(c.strip().upper() if isinstance(c, str) else c
                                               for c in data["conflicts"]))
    if isinstance(data.get("background_checks"), list):
        checks = []
        for check in data["background_checks"]:
            if isinstance(check, dict) and "expires" not in check and check.get("date") is not None:
                try:
                    done = dt.date.fromisoformat(str(check["date"]))
                except ValueError:
                    pass  # the model reports the date, with its place in the file
                else:
                    check = {**check, "expires": default_expiry(done)}
            checks.append(check)
        data["background_checks"] = checks
    return data, problems


def _dated_problems(volunteer: Volunteer, today: dt.date, problem) -> list[Problem]:
    """Trainings and checks not in the future; each check expiring after it was done."""
    found = []
    for i, training in enumerate(volunteer.trainings):
        if training.date > today:
            found.append(problem(("trainings", i, "date"), "date-in-future",
                                 f"training date {training.date} is in the future; record a training once it is done"))
    for i, check in enumerate(volunteer.background_checks):
        if check.date > today:
            found.append(problem(("background_checks", i, "date"), "date-in-future",
                                 f"background check date {check.date} is in the future; record it once it is done"))
        if check.expires <= check.date:
            found.append(problem(("background_checks", i, "expires"), "dates-in-order",
                                 f"background check expires {check.expires}, not after it was done {check.date}"))
    return found


def add_volunteer(repo: Repository, enrolment: Enrolment, *, today: dt.date | None = None) -> Added:
    """Register a volunteer: the person (new, or the one on file) and the volunteer, in one commit.

    A new person who matches someone on file (same name and date of birth) is replaced by that
    person, unless the enrolment is marked distinct; the details given are not applied to them
    (`rjc edit` does that). A person who is already a volunteer is refused.
    """
    today = today or dt.date.today()
    if not enrolment.has_person:
        raise RjcError("a volunteer needs a person: a new person's details or an existing person's id")
    data, problems = _prepare(enrolment)
    with repo.transaction("volunteer add") as tx:
        reused, person = False, None
        if enrolment.person:
            person = load_person(repo, enrolment.person)
        else:
            matches = [] if enrolment.distinct else find_existing(repo, enrolment.details)
            if matches:
                person, reused = load_person(repo, matches[0].id), True
            else:
                person, found = _new_person(tx, enrolment, today.year)
                problems.extend(found)
        if person is not None:
            refuse_second_volunteer(repo, person.id)
        person_id = person.id if person is not None else "P-0000-X-0000"
        try:
            volunteer = Volunteer.model_validate({"id": tx.new_id("volunteer", today.year),
                                                  "schema_version": SCHEMA_VERSION, "person": person_id,
                                                  "since": today, **data})
        except ValidationError as exc:
            loaded = store.Loaded(enrolment.source, document=enrolment.document or yamlio.Document(data))
            raise RjcError("nothing was created", problems + store.schema_problems(loaded, exc, Volunteer)) from None
        problems.extend(_dated_problems(volunteer, today, enrolment.problem))
        if person is not None and person.id in volunteer.conflicts:
            index = volunteer.conflicts.index(person.id)
            problems.append(enrolment.problem(("conflicts", index), "invalid-value",
                                              f"{person.id} is the volunteer; a conflict is with someone else"))
        for i, other in enumerate(volunteer.conflicts):
            if not isinstance(_get(repo, other), Person):
                problems.append(enrolment.problem(("conflicts", i), "reference-exists",
                                                  f"{other} is not a person on file"))
        if problems:
            raise RjcError("nothing was created", problems)
        assert person is not None  # without one, there were problems
        if not reused and not enrolment.person:
            tx.stage(person)
        tx.stage(volunteer)
        result = tx.commit("volunteer add")
    return Added(result, volunteer.id, person.id, reused, _unseatable(volunteer, today))


def refuse_second_volunteer(repo: Repository, person_id: str) -> None:
    """One volunteer record per person."""
    already = next((v.id for v in _volunteers(repo) if v.person == person_id), None)
    if already:
        raise RjcError(f"{person_id} is already volunteer {already}; nothing was created. "
                       f"Change that record with the rjc volunteer commands or: rjc edit {already}")


def _get(repo: Repository, record_id: str):
    """The record with this id, or None when there is none (or it is not a valid id)."""
    try:
        return repo.get(record_id)
    except RjcError:
        return None


def _new_person(tx, enrolment: Enrolment, year: int) -> tuple[Person | None, list[Problem]]:
    data = {"id": tx.new_id("person", year), "schema_version": SCHEMA_VERSION, **enrolment.details}
    try:
        return Person.model_validate(data), []
    except ValidationError as exc:
        document = (enrolment.document.sub(("person",)) if enrolment.document and "person" in enrolment.document.data
                    else yamlio.Document(enrolment.details))
        return None, store.schema_problems(store.Loaded(enrolment.source, document=document), exc, Person)


def _volunteers(repo: Repository) -> list[Volunteer]:
    return [loaded.record for loaded in repo.load_all([layout.KINDS["volunteer"]])
            if isinstance(loaded.record, Volunteer)]


def _unseatable(volunteer: Volunteer, today: dt.date) -> list[str]:
    """Why an active volunteer cannot be seated yet, as advice."""
    if not volunteer.active:
        return []
    missing = []
    if not volunteer.trainings:
        missing.append(f"a training (rjc volunteer train {volunteer.id} --name TEXT --date D)")
    if volunteer.check_covering(today) is None:
        missing.append(f"a current background check (rjc volunteer check {volunteer.id} --date D)")
    if not missing:
        return []
    return [f"{volunteer.id} cannot be seated until it has " + " and ".join(missing)]


# --- changing a volunteer ----------------------------------------------------------------------


def load_volunteer(repo: Repository, volunteer_id: str) -> Volunteer:
    record_id = layout.parse_id(volunteer_id)
    if record_id.kind.name != "volunteer":
        raise RjcError(f"{record_id} is not a volunteer id (volunteer ids look like V-2026-KB-0001)")
    record = repo.get(str(record_id))
    if not isinstance(record, Volunteer):
        raise RjcError(f"{record_id} is not a volunteer")
    return record


def _not_future(day: dt.date, today: dt.date, what: str) -> None:
    if day > today:
        raise RjcError(f"{what} {day} is in the future; record it once it is done; nothing was changed")


def add_training(repo: Repository, volunteer_id: str, name: str, *, day: dt.date,
                 today: dt.date | None = None) -> Changed:
    """A training the volunteer has completed (kept in date order)."""
    name = (name or "").strip()
    if not name:
        raise RjcError("name the training (--name)")
    _not_future(day, today or dt.date.today(), "the training date")
    with repo.transaction("volunteer train") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        training = Training(name=name, date=day)
        if training in volunteer.trainings:
            raise RjcError(f"{volunteer.id} already has this training on {day}; nothing was changed")
        volunteer.trainings.append(training)
        volunteer.trainings.sort(key=lambda t: t.date)
        tx.stage(volunteer)
        return _changed(tx.commit("volunteer train"))


def add_check(repo: Repository, volunteer_id: str, *, day: dt.date, expires: dt.date | None = None,
              today: dt.date | None = None) -> Changed:
    """A background check (or its renewal), appended: earlier checks are never rewritten."""
    today = today or dt.date.today()
    _not_future(day, today, "the background check date")
    expires = expires or default_expiry(day)
    if expires <= day:
        raise RjcError(f"a background check expires after it is done: {expires} is not after {day}; "
                       "nothing was changed")
    with repo.transaction("volunteer check") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        if any(c.date == day for c in volunteer.background_checks):
            raise RjcError(f"{volunteer.id} already has a background check done on {day}; checks are never "
                           "rewritten (a renewal has its own date); nothing was changed")
        volunteer.background_checks.append(BackgroundCheck(date=day, expires=expires))
        warnings = [f"this background check expired on {expires}"] if expires < today else []
        tx.stage(volunteer)
        return _changed(tx.commit("volunteer check"), warnings)


def set_active(repo: Repository, volunteer_id: str, active: bool, *, note: str | None = None,
               today: dt.date | None = None) -> Changed:
    """Activate or deactivate a volunteer; `note` (why) replaces the volunteer's note.

    Deactivating warns about the volunteer's seats on panels still to come and on running
    circles, which then need someone else; activating says what still keeps them from a seat.
    """
    today = today or dt.date.today()
    action = "activate" if active else "deactivate"
    with repo.transaction(f"volunteer {action}") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        if volunteer.active == active:
            raise RjcError(f"{volunteer.id} is already {'active' if active else 'inactive'}; nothing was changed")
        volunteer.active = active
        if note:
            volunteer.note = note
        if active:
            warnings = _unseatable(volunteer, today)
        else:
            warnings = [f"{volunteer.id} is {where}; seat someone else there" for where in
                        _seats_ahead(volunteer.id, _panels(repo), _cases(repo), today)]
        tx.stage(volunteer)
        return _changed(tx.commit(f"volunteer {action}"), warnings)


def set_conflict(repo: Repository, volunteer_id: str, person_id: str, *, remove: bool = False,
                 today: dt.date | None = None) -> Changed:
    """Declare (or withdraw) a conflict: a person this volunteer must not sit with.

    Declaring one warns about seats ahead that now break the rule.
    """
    today = today or dt.date.today()
    action = "unconflict" if remove else "conflict"
    with repo.transaction(f"volunteer {action}") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        if remove:
            person = _person_id(person_id)
            if person not in volunteer.conflicts:
                raise RjcError(f"{volunteer.id} has no declared conflict with {person}; nothing was changed")
            volunteer.conflicts.remove(person)
            warnings = []
        else:
            person = load_person(repo, person_id).id
            if person == volunteer.person:
                raise RjcError(f"{person} is {volunteer.id} themselves; a conflict is with someone else")
            if person in volunteer.conflicts:
                raise RjcError(f"{volunteer.id} already has a declared conflict with {person}; nothing was changed")
            volunteer.conflicts.append(person)
            warnings = [f"{volunteer.id} is {where}, which involves {person}; seat someone else there"
                        for where in _seats_ahead(volunteer.id, _panels(repo), _cases(repo), today, person)]
        tx.stage(volunteer)
        return _changed(tx.commit(f"volunteer {action}"), warnings)


def set_availability(repo: Repository, volunteer_id: str, slots: list[Availability]) -> Changed:
    """Replace the volunteer's availability (empty: none stated)."""
    with repo.transaction("volunteer availability") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        volunteer.availability = list(slots)
        tx.stage(volunteer)
        return _changed(tx.commit("volunteer availability"))


def set_programs(repo: Repository, volunteer_id: str, programs: list[Program]) -> Changed:
    """Replace the programs the volunteer serves (empty: none named)."""
    with repo.transaction("volunteer programs") as tx:
        volunteer = load_volunteer(repo, volunteer_id)
        volunteer.programs = list(programs)
        tx.stage(volunteer)
        return _changed(tx.commit("volunteer programs"))


def _panels(repo: Repository) -> list[Panel]:
    return [loaded.record for loaded in repo.load_all([layout.KINDS["panel"]]) if isinstance(loaded.record, Panel)]


def _cases(repo: Repository) -> list[Case]:
    return [loaded.record for loaded in repo.load_all([layout.KINDS["case"]]) if isinstance(loaded.record, Case)]


def _seats_ahead(volunteer_id: str, panels: list[Panel], cases: list[Case], today: dt.date,
                 person: str | None = None) -> Iterator[str]:
    """Where the volunteer is seated from today on: scheduled panels and circles still running
    (only those involving `person`, when given)."""
    by_id = {case.id: case for case in cases}
    for panel in sorted(panels, key=lambda p: (p.date, p.id)):
        if (panel.status == PanelStatus.SCHEDULED and panel.date >= today
                and any(s.volunteer == volunteer_id for s in panel.seats)):
            people = {p for entry in panel.docket if entry.case in by_id for p in by_id[entry.case].people()}
            if person is None or person in people:
                yield f"seated on {panel.id} ({panel.date})"
    for case in sorted(cases, key=lambda c: c.id):
        circle = case.circle
        if circle is None or circle.ended is not None:
            continue
        if any(s.volunteer == volunteer_id and s.left is None for s in circle.roster):
            if person is None or person in case.people():
                yield f"on the circle of {case.id}"


# --- the hours ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """Hours a volunteer gave on one occasion."""

    date: dt.date
    kind: str  # panel or circle
    record: str  # the panel's id, or the cosa case's id
    program: str
    hours: Decimal


@dataclass
class Ledger:
    volunteer: str
    period: Period
    entries: list[Entry]

    @property
    def total(self) -> Decimal:
        return sum((e.hours for e in self.entries), Decimal("0"))


def entries(panels: Iterable[PanelOrFacts], cases: Iterable[CaseOrFacts]) -> Iterator[tuple[str, Entry]]:
    """(volunteer id, entry) for every seat sat on a held panel and every circle meeting attended.

    A seat counts its own hours when it has them, else the panel's length when it was attended;
    a seat marked absent never counts.
    """
    for panel in panels:
        if panel.status != PanelStatus.HELD:
            continue
        for seat in panel.seats:
            if seat.attended is False:
                continue
            hours = seat.hours if seat.hours is not None else panel.length if seat.attended else None
            if hours is not None:
                yield seat.volunteer, Entry(panel.date, "panel", panel.id, panel.program.value, hours)
    for case in cases:
        if case.circle is None:
            continue
        for meeting in case.circle.meetings:
            for volunteer in dict.fromkeys(meeting.attended):
                yield volunteer, Entry(meeting.date, "circle", case.id, case.program.value, meeting.hours)


def ledger(volunteer_id: str, panels: Iterable[Panel], cases: Iterable[Case],
           period: Period | None = None) -> Ledger:
    """The volunteer's hours in a period (all time by default), oldest first."""
    period = period or ALL_TIME
    found = [e for v, e in entries(panels, cases) if v == volunteer_id and e.date in period]
    return Ledger(volunteer_id, period, sorted(found, key=lambda e: (e.date, e.kind, e.record)))


def load_ledger(repo: Repository, volunteer_id: str, period: Period | None = None) -> Ledger:
    volunteer = load_volunteer(repo, volunteer_id)
    return ledger(volunteer.id, _panels(repo), _cases(repo), period)


# --- the roster, listed -----------------------------------------------------------------------

COLUMNS = ["id", "active", "programs", "trainings", "background_check_expires", "hours_fy", "last_seated"]
RANK = ["id", "active", "hours_fy", "last_seated", "background_check_expires", "programs", "trainings"]  # on a narrow terminal the last give way first


@dataclass
class RosterFilters:
    active: bool | None = None
    program: Program | None = None  # volunteers who list this program
    available: Availability | None = None  # volunteers who list this day and part


def roster_rows(volunteers: Iterable[Volunteer], panels: list[Panel], cases: list[Case], *,
                year: Period, today: dt.date, filters: RosterFilters | None = None) -> list[dict]:
    """One row per volunteer passing the filters, sorted by id: ids and facts, never names.

    hours_fy: hours in `year`; last_seated: the latest held panel sat or circle meeting
    attended, up to `today`.
    """
    f = filters or RosterFilters()
    by_volunteer: dict[str, list[Entry]] = defaultdict(list)
    for volunteer_id, entry in entries(panels, cases):
        by_volunteer[volunteer_id].append(entry)
    rows = []
    for v in sorted(volunteers, key=lambda v: v.id):
        if f.active is not None and v.active != f.active:
            continue
        if f.program is not None and f.program not in v.programs:
            continue
        if f.available is not None and f.available not in v.availability:
            continue
        own = by_volunteer.get(v.id, [])
        rows.append({
            "id": v.id, "active": v.active, "programs": [p.value for p in v.programs],
            "trainings": len(v.trainings), "background_check_expires": v.check_expires,
            "hours_fy": sum((e.hours for e in own if e.date in year), Decimal("0")),
            "last_seated": max((e.date for e in own if e.date <= today), default=None),
        })
    return rows


def load_roster(repo: Repository, *, year: Period, today: dt.date, filters: RosterFilters | None = None) -> list[dict]:
    return roster_rows(_volunteers(repo), _panels(repo), _cases(repo), year=year, today=today, filters=filters)
