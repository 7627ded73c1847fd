"""A person: the one place for names and other identifying details.

Everything else refers to people by id only, so file names, commit messages, reports and
exports stay free of identity, and sealing one person's data is a bounded operation.
"""

from __future__ import annotations

from typing import ClassVar

from rjc.model.base import Date, Record, Strict, Text


class Address(Strict):
    street: str | None = None
    town: str | None = None
    state: str | None = None
    postal_code: str | None = None


class Demographics(Strict):
    """Self-described; reported only in aggregate, and for new victims only."""

    gender: str | None = None
    race: list[str] = []
    ethnicity: str | None = None
    age_group: str | None = None
    disability: str | None = None
    veteran: bool | None = None
    primary_language: str | None = None


class Person(Record):
    kind: ClassVar[str] = "person"

    given_name: Text
    family_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: Date | None = None
    pronouns: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    contact_notes: str | None = None
    demographics: Demographics | None = None
    note: str | None = None

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.given_name
        return f"{given} {self.family_name}" if self.family_name else given
