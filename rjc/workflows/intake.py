"""Taking a referral: the referral, and the people it involves, in one commit.

Identifying details arrive through prompts or an intake file, never the command line. A
person already on file (same name and date of birth) is reused, not duplicated, so that one
person's records stay in one place and sealing them stays a bounded operation. A new person
with the name of someone on file and no date of birth is refused unless marked a different
person: a person, not a guess, decides whether it is them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import ValidationError

from rjc.model import SCHEMA_VERSION, Person, Referral
from rjc.model.person import normal_name
from rjc.model.vocab import Role
from rjc.storage import store, yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import Result
from rjc.workflows.people import OnFile, namesakes, people_on_file
from rjc.workflows.repository import Repository

# What an intake file may hold besides people: the identifying or free-text parts of a referral.
FILE_FIELDS = ("people", "contact", "harm", "charges", "note")


@dataclass
class Involvement:
    """One person in a referral: an existing person (by id), or the details of a new one."""

    role: Role
    person: str | None = None  # an existing person's id
    details: dict = field(default_factory=dict)  # a new person's fields
    where: tuple = ()  # location of the details in the intake file, for problems
    distinct: bool = False  # the coordinator confirmed: not the person on file with the same name


@dataclass
class Intake:
    fields: dict  # the referral's own fields (no id, no people)
    people: list[Involvement]
    source: str = "<prompts>"  # where the details came from, for problems
    document: yamlio.Document | None = None


@dataclass
class Taken:
    result: Result
    referral: str
    reused: dict[int, str]  # position in the intake -> the person on file used instead
    agency_hint: str | None = None  # the agency was kept as text: why, and how to link it


def find_existing(repo: Repository, details: dict, on_file: list[OnFile] | None = None) -> list[OnFile]:
    """People on file who are this person (name and date of birth match)."""
    if details.get("date_of_birth") is None:
        return []
    wanted = (normal_name(details.get("given_name")), normal_name(details.get("family_name")),
              str(details["date_of_birth"]))
    return [p for p in (people_on_file(repo) if on_file is None else on_file)
            if (normal_name(p.family_name), str(p.date_of_birth)) == wanted[1:] and wanted[0]
            in {normal_name(p.given_name), normal_name(p.preferred_name)}]


def namesakes_without_birth_date(repo: Repository, details: dict,
                                 on_file: list[OnFile] | None = None) -> list[OnFile]:
    """People on file with this new person's name when no date of birth was given to tell them
    apart: maybe them, maybe not; a person must say which."""
    if details.get("date_of_birth") is not None or not details.get("given_name"):
        return []
    return namesakes(people_on_file(repo) if on_file is None else on_file,
                     details.get("given_name"), details.get("family_name"))


def read_intake_file(source: bytes | str, path: str) -> Intake:
    """An intake file: `people:` (each with `role:` and either `person: ID` or a new person's
    fields), and optionally `contact:`, `harm:`, `charges:`, `note:` of the referral."""
    document = yamlio.load(source, path)
    data = document.data
    if not isinstance(data, dict):
        raise RjcError("nothing was created", [Problem(path, 1, 1, "invalid-value",
                                                       "an intake file is a mapping with people: and the referral's details")])
    problems = []
    for key in data:
        if key not in FILE_FIELDS:
            line, col = document.locate((key,), key=True)
            problems.append(Problem(path, line, col, "unknown-field",
                                    f"unknown field '{key}'; an intake file has: {', '.join(FILE_FIELDS)}"))
    people = []
    entries = data.get("people") or []
    if not isinstance(entries, list):
        line, col = document.locate(("people",))
        problems.append(Problem(path, line, col, "invalid-value", "people: is a list"))
        entries = []
    for index, entry in enumerate(entries):
        line, col = document.locate(("people", index))
        if not isinstance(entry, dict) or "role" not in entry:
            problems.append(Problem(path, line, col, "missing-field", "each person needs a role:"))
            continue
        try:
            role = Role(entry["role"])
        except ValueError:
            rline, rcol = document.locate(("people", index, "role"))
            problems.append(Problem(path, rline, rcol, "invalid-choice",
                                    f"role is one of: {', '.join(r.value for r in Role)}"))
            continue
        details = {k: v for k, v in entry.items() if k != "role"}
        existing = details.pop("person", None)
        # every plain value is read as text: true/false as typed
        distinct = {"true": True, "false": False}.get(str(details.pop("different_person", "false")).lower())
        if distinct is None:
            dline, dcol = document.locate(("people", index, "different_person"))
            problems.append(Problem(path, dline, dcol, "invalid-value", "different_person: is true or false"))
            continue
        if existing is not None and details:
            problems.append(Problem(path, line, col, "invalid-value",
                                    "give either person: (an existing id) or a new person's details, not both"))
            continue
        people.append(Involvement(role=role, person=existing and str(existing).upper(), details=details,
                                  where=("people", index), distinct=distinct))
    if problems:
        raise RjcError("nothing was created", problems)
    fields = {k: data[k] for k in ("contact", "harm", "charges", "note") if k in data}
    return Intake(fields=fields, people=people, source=path, document=document)


def take_referral(repo: Repository, intake: Intake) -> Taken:
    """Create the new people and the referral in one commit.

    A new person who matches someone on file is replaced by that person's id (the details
    given are not applied to them: `rjc edit` does that), unless marked distinct.
    """
    if not intake.people:
        raise RjcError("a referral needs at least one person involved")
    received = dt.date.fromisoformat(str(intake.fields["received"]))
    agency = _agency(repo, intake.fields)
    with repo.transaction("referral new") as tx:
        involved, reused, problems = [], {}, []
        on_file = people_on_file(repo) if any(not e.person and not e.distinct for e in intake.people) else []
        for index, entry in enumerate(intake.people):
            if entry.person:
                record = repo.get(entry.person)
                if not isinstance(record, Person):
                    raise RjcError(f"{entry.person} is not a person")
                involved.append({"person": record.id, "role": entry.role.value})
                continue
            matches = [] if entry.distinct else find_existing(repo, entry.details, on_file)
            if matches:
                reused[index] = matches[0].id
                involved.append({"person": matches[0].id, "role": entry.role.value})
                continue
            same_name = [] if entry.distinct else namesakes_without_birth_date(repo, entry.details, on_file)
            if same_name:
                raise RjcError(_namesake_refusal(index, entry, [p.id for p in same_name]))
            person, found = _new_person(tx, intake, entry, received.year)
            problems.extend(found)
            if person is not None:
                tx.stage(person)
                involved.append({"person": person.id, "role": entry.role.value})
        if problems:
            raise RjcError("nothing was created", problems)
        data = {"id": tx.new_id("referral", received.year), "schema_version": SCHEMA_VERSION,
                **intake.fields, "people": involved}
        try:
            referral = Referral.model_validate(data)
        except ValidationError as exc:
            loaded = store.Loaded(intake.source, document=intake.document or yamlio.Document(data))
            raise RjcError("nothing was created", store.schema_problems(loaded, exc, Referral)) from None
        tx.stage(referral)
        return Taken(tx.commit("referral new"), referral.id, reused, agency)


def _agency(repo: Repository, fields: dict) -> str | None:
    """The agency given (an organization's id or name, or other text) as `agency_org` or `agency`;
    the hint to show when it stays text."""
    from rjc.workflows import organizations

    given = fields.pop("agency", None)
    if given is None or (isinstance(given, str) and not given.strip()):
        return None
    found = organizations.resolve(repo, str(given))
    if found.org is not None:
        fields["agency_org"] = found.org.id
        return None
    fields["agency"] = found.text
    return found.hint


def _namesake_refusal(index: int, entry: Involvement, ids: list[str]) -> str:
    """Ids only: the names stay out of error output."""
    whom = f"{ids[0]}" if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"
    return (f"person {index + 1} has the same name as {whom} on file, and no date of birth to tell them apart; "
            f"nothing was created. If it is them, name them by id (--person {ids[0]}={entry.role.value}, "
            f"or person: {ids[0]} in the person file); if not, give their date_of_birth, or different_person: true, "
            f"in their entry in the person file")


def _new_person(tx, intake: Intake, entry: Involvement, year: int) -> tuple[Person | None, list[Problem]]:
    # new_id sees what is staged, so each new person staged before the next gets its own number
    data = {"id": tx.new_id("person", year), "schema_version": SCHEMA_VERSION, **entry.details}
    try:
        return Person.model_validate(data), []
    except ValidationError as exc:
        document = intake.document.sub(entry.where) if intake.document else yamlio.Document(entry.details)
        return None, store.schema_problems(store.Loaded(intake.source, document=document), exc, Person)
