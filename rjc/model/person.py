"""A person: the one place for names and other identifying details.

Everything else refers to people by id only, so file names, commit messages, reports and
exports stay free of identity, and sealing one person's data is a bounded operation.
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from rjc.model.base import Date, PersonId, Record, Strict, Text


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


def normal_name(text: str | None) -> str:
    """A name as compared: case, spacing and the encoding of accents do not count."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


class Person(Record):
    """A person, or what is left of one found to be someone else on file: a record that says only
    `merged_into`, so references made on a clone that had not heard of the merge still resolve."""

    kind: ClassVar[str] = "person"
    # what `rjc new person` asks for: a name always, and never where a merge went
    required_when_new: ClassVar[tuple[str, ...]] = ("given_name",)
    never_asked: ClassVar[tuple[str, ...]] = ("merged_into",)
    model_config = ConfigDict(json_schema_extra={  # editors: a name, unless merged
        "if": {"not": {"required": ["merged_into"]}}, "then": {"required": ["given_name"]}})

    merged_into: PersonId | None = None
    given_name: Text | None = None  # required, except in what a merge leaves
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

    @model_validator(mode="after")
    def _named_unless_merged(self) -> Person:
        if self.merged_into is None and self.given_name is None:
            # reported like any missing field (the field named, since the error is the record's)
            raise PydanticCustomError("missing", "Field required", {"field": "given_name"})
        if self.merged_into is not None and self.merged_into == self.id:
            raise ValueError("a person cannot be merged into itself")
        return self

    @property
    def display_name(self) -> str:
        if self.merged_into:
            return f"(merged into {self.merged_into})"
        given = self.preferred_name or self.given_name or ""
        return f"{given} {self.family_name}" if self.family_name else given

    def same_as(self, given_name: str | None, family_name: str | None, date_of_birth: object) -> bool:
        """Likely one person: same birth date, family name and given (or preferred) name."""
        if self.merged_into or date_of_birth is None or str(self.date_of_birth) != str(date_of_birth):
            return False
        names = {normal_name(self.given_name), normal_name(self.preferred_name)} - {""}
        return normal_name(given_name) in names and normal_name(self.family_name) == normal_name(family_name)
