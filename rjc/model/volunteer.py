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
    background_checks: list[BackgroundCheck] = []  # renewals are added, never overwritten
    programs: list[Program] = []
    availability: list[Availability] = []
    conflicts: list[PersonId] = []  # people this volunteer must not sit with
    note: str | None = None

    def check_covering(self, day: Date) -> BackgroundCheck | None:
        """The background check in force on a day, if any (past panels keep their check)."""
        return next((c for c in self.background_checks if c.date <= day <= c.expires), None)

    @property
    def check_expires(self) -> Date | None:
        return max((c.expires for c in self.background_checks), default=None)
