"""A trained community volunteer. Identity lives in the linked person record."""

from __future__ import annotations

from collections.abc import Iterable
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

    def unfit(self, day: Date, participants: Iterable[str] = (), *, program: str | None = None) -> list[tuple[str, str]]:
        """Why this volunteer may not sit on `day` with these participants: (rule, message) pairs.

        The rules every seat must meet: active, trained, background check current that day,
        no declared conflict with a participant, and serving the program when one is given.
        """
        reasons = []
        if not self.active:
            reasons.append(("volunteer-active", f"{self.id} is not active"))
        if not any(t.date <= day for t in self.trainings):
            reasons.append(("volunteer-trained", f"{self.id} has no training completed by {day}"))
        if self.check_covering(day) is None:
            reasons.append(("background-check", f"{self.id} has no background check current on {day}"))
        clash = sorted(set(participants) & set(self.conflicts))
        if clash:
            reasons.append(("volunteer-conflict", f"{self.id} has a declared conflict with {', '.join(clash)}"))
        if program and self.programs and program not in self.programs:
            reasons.append(("volunteer-program", f"{self.id} does not serve {program}"))
        return reasons

    @property
    def check_expires(self) -> Date | None:
        return max((c.expires for c in self.background_checks), default=None)
