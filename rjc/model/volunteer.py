"""A trained community volunteer. Identity lives in the linked person record."""

from __future__ import annotations

from typing import ClassVar

from rjc.model.base import Date, PersonId, Record, Strict, Text
from rjc.model.vocab import DayPart, Program, Weekday


class Training(Strict):
    name: Text
    date: Date


class BackgroundCheck(Strict):
    date: Date
    expires: Date


class Availability(Strict):
    day: Weekday
    part: DayPart


class Volunteer(Record):
    kind: ClassVar[str] = "volunteer"

    person: PersonId
    active: bool = True
    since: Date | None = None
    trainings: list[Training] = []
    background_check: BackgroundCheck | None = None
    programs: list[Program] = []
    availability: list[Availability] = []
    conflicts: list[PersonId] = []  # people this volunteer must not sit with
    note: str | None = None
