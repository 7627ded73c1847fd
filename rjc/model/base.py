"""Shared building blocks of the record models."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

SCHEMA_VERSION = 3

# A coordinator's code (KB, MR2): in every record id, and so in every file's path.
CODE_PATTERN = r"[A-Z][A-Z0-9]{0,3}"

Date = dt.date
# A time of day as rjc reads it: 18:00, or with seconds, and an offset. JSON Schema's own
# `format: time` (RFC 3339) demands seconds and an offset, so validators refused every '18:00'.
Time = Annotated[dt.time, WithJsonSchema({
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$"})]


class Strict(BaseModel):
    """Every mapping in a file: unknown keys are errors, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def _reference(prefix: str, what: str):
    pattern = rf"^{prefix}-[0-9]{{4}}-{CODE_PATTERN}-[0-9]{{4,6}}$"
    compiled = re.compile(pattern[1:-1])

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"not a {what} id (ids look like {prefix}-2026-KB-0001)")
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"pattern": pattern})]


PersonId = _reference("P", "person")
ReferralId = _reference("R", "referral")
CaseId = _reference("C", "case")
PanelId = _reference("PN", "panel")
VolunteerId = _reference("V", "volunteer")
OrganizationId = _reference("O", "organization")


def _coordinator(value: str) -> str:
    if not re.fullmatch(CODE_PATTERN, value):
        raise ValueError("not a coordinator code (1-4 capitals/digits, like KB)")
    return value


CoordinatorCode = Annotated[
    str, AfterValidator(_coordinator), Field(json_schema_extra={"pattern": rf"^{CODE_PATTERN}$"})
]


MAX_MONEY = Decimal("100000000")  # a hundred million: far above any restitution, far below overflow
MAX_HOURS = Decimal("100000")


def _money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("an amount cannot be negative")
    if not value.is_finite() or value >= MAX_MONEY:
        raise ValueError(f"an amount must be less than {MAX_MONEY:,}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("an amount has at most two decimal places")
    return value.quantize(Decimal("0.01"))


Money = Annotated[Decimal, AfterValidator(_money)]


def _hours(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("hours cannot be negative")
    if not value.is_finite() or value >= MAX_HOURS:
        raise ValueError(f"hours must be fewer than {MAX_HOURS:,}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("hours have at most two decimal places")
    return value


Hours = Annotated[Decimal, AfterValidator(_hours)]
Text = Annotated[str, Field(min_length=1)]


# An entry's id: a letter, then nine letters or digits (no 0, 1, l or o, which read alike).
ENTRY_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_ENTRY_ID = re.compile(f"[a-z][{ENTRY_ID_ALPHABET}]{{9}}")


def new_entry_id() -> str:
    """A fresh, random entry id: two clones never make the same one (50 bits)."""
    return secrets.choice(ENTRY_ID_ALPHABET[:24]) + "".join(secrets.choice(ENTRY_ID_ALPHABET) for _ in range(9))


def _entry_id(value: str) -> str:
    if not _ENTRY_ID.fullmatch(value):
        raise ValueError("not an entry id (rjc gives each entry one, like k3f9m2x7qa; "
                         "leave it out of a new entry and rjc adds it)")
    return value


EntryId = Annotated[str, AfterValidator(_entry_id),
                    Field(json_schema_extra={"pattern": f"^{_ENTRY_ID.pattern}$"})]


class Entry(Strict):
    """One entry of a log both sides of a sync may append to (a payment, hours, a contact...).

    Two payments of the same amount on the same day are two events: the id keeps them
    distinct when two coordinators' changes are merged, so neither is taken for the other.
    """

    id: EntryId

    @classmethod
    def new(cls, **fields: Any) -> Any:
        """A new entry with a fresh id."""
        return cls(id=new_entry_id(), **fields)


class Versioned(Strict):
    """A file that says which format it is in, so a format change is never read silently."""

    schema_version: int = Field(description="format version of this file; `rjc migrate` upgrades it")

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(f"written by a newer rjc (format {value}); upgrade rjc to read it")
        if value < SCHEMA_VERSION:
            raise ValueError(f"format {value} is older than {SCHEMA_VERSION}; run: rjc migrate")
        return value

    def to_data(self, mode: str = "python") -> dict[str, Any]:
        """Plain data in field order (id first), without empty values, ready for the YAML writer
        (or, with mode="json", for JSON: what the file says, in JSON's types)."""
        data = _prune(self.model_dump(mode=mode, exclude_none=True, by_alias=True))
        return {"id": data.pop("id"), **data} if "id" in data else data


class Record(Versioned):
    """A file of its own: one person, referral, case, panel, volunteer or organization."""

    kind: ClassVar[str]

    id: str


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ([], {}, None)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
