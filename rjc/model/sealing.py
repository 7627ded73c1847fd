"""What sealing leaves of a record: its tombstone.

A sealed case, its referral, and the people who appear in no unsealed case keep what the
funders' reports count and nothing that tells who or what happened: ids, program, source,
dates, status codes, closure reasons, amounts and hours stay; every text goes. A field is text
when its schema says it is a string with no pattern, format or fixed set of values, so a text
field added to a model later is sealed without anyone having to remember to list it here.

Kept, because a report counts it and it names no participant: an internship's host business
and a restitution item's payee (distinct hosts and payees are counted), and the closure reason
at the start of a closed status entry's note. A referral's typed agency goes, but leaves
"(sealed)" in its place, since the reports count referrals from agencies not on file. A person's tombstone keeps only their
self-described demographics, which the reports count for new victims, in aggregate.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import Field

from rjc.model.base import CaseId, CoordinatorCode, Date, Record, Strict, Text, Versioned
from rjc.model.surveys import countable
from rjc.model.vocab import CaseStatus, closure_reason

if TYPE_CHECKING:
    from rjc.model.case import Case
    from rjc.model.settings import Settings

SEALED = "(sealed)"  # in place of text a record cannot be without (a service's name, a goal)
KEPT_TEXT = {("Internship", "host"), ("RestitutionItem", "payee")}
# Text that goes, but leaves SEALED in its place: that there was one is counted (a referral from
# an agency not on file is "other (not on file)", one with none "not recorded").
MARKED_TEXT = {("Referral", "agency")}
PERSON_KEPT = ("id", "schema_version", "merged_into", "demographics")
_GONE = object()


def tombstone(record: Record) -> Record:
    """The record as sealing leaves it (valid, so `rjc check` accepts it)."""
    return type(record).model_validate(tombstone_data(type(record), record.to_data()))


def tombstone_data(model: type[Record], data: dict) -> dict:
    """`tombstone` of a record's plain data, as read from any version of its file (an older
    format, or one that was never valid): what is not known to be kept goes."""
    if model.kind == "person":
        kept = {key: value for key, value in data.items() if key in PERSON_KEPT}
        if "merged_into" not in kept:
            kept["given_name"] = SEALED
        return kept
    schema = _schema(model)
    sealed = _object(data, schema, schema.get("$defs", {}), model.__name__)
    if "id" in data:
        sealed["id"] = data["id"]  # a plain string to the schema, and what the tombstone is of
    return sealed


@functools.cache
def _schema(model: type[Record]) -> dict:
    return model.model_json_schema(by_alias=True)


def _object(data: dict, node: dict, defs: dict, owner: str) -> dict:
    required = set(node.get("required", ()))
    properties = node.get("properties", {})
    others = node.get("additionalProperties")  # a mapping's values (a survey's answers)
    out = {}
    for key, value in data.items():
        schema = properties.get(key, others if isinstance(others, dict) and key not in properties else {})
        sealed = _value(value, schema, defs, owner, key)
        if sealed is not _GONE:
            out[key] = sealed
        elif key in required:
            out[key] = SEALED
    return out


def _value(value: Any, node: dict, defs: dict, owner: str, key: str) -> Any:
    if isinstance(value, str) and any(c.get("type") in ("number", "integer") for c in node.get("anyOf", ())):
        return value  # an amount or hours written as a string
    if (owner, key) == ("SurveyResponse", "answers") and isinstance(value, dict):
        # what a report counts stays (a scale, yes/no or choice answer), as report facts keep it; free text goes
        return {k: v for k, v in value.items() if isinstance(v, str) and countable(v)}
    node, owner = _resolve(value, node, defs, owner)
    if isinstance(value, dict):
        return _object(value, node, defs, owner)
    if isinstance(value, list):
        items = [_value(item, node.get("items", {}), defs, owner, key) for item in value]
        kept = [item for item in items if item is not _GONE]
        return kept if kept or not value else _GONE
    if isinstance(value, str) and _text(node) and (owner, key) not in KEPT_TEXT:
        if (owner, key) == ("StatusEntry", "note"):
            return _reason(value)
        return SEALED if (owner, key) in MARKED_TEXT else _GONE
    return value


def _resolve(value: Any, node: dict, defs: dict, owner: str) -> tuple[dict, str]:
    """The schema of `value` itself: through references, optional values and unions."""
    while True:
        if "$ref" in node:
            owner = node["$ref"].rsplit("/", 1)[1]
            node = defs[owner]
        elif "discriminator" in node and isinstance(value, dict):  # an agreement item, by its type
            mapping = node["discriminator"].get("mapping", {})
            target = mapping.get(value.get(node["discriminator"]["propertyName"]))
            node = {"$ref": target} if target else {}
        elif "anyOf" in node or "oneOf" in node:
            choices = node.get("anyOf") or node.get("oneOf") or []
            node = next((c for c in choices if _fits(value, c, defs)), {})
        else:
            return node, owner


def _fits(value: Any, node: dict, defs: dict) -> bool:
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
        if "enum" in node:
            return isinstance(value, str)
    kind = node.get("type")
    if isinstance(value, dict):
        return kind == "object" or "properties" in node or "discriminator" in node
    if isinstance(value, list):
        return kind == "array"
    if isinstance(value, str):
        return kind == "string"
    return kind != "null" or value is None


def _text(node: dict) -> bool:
    types = node.get("type")
    text = types == "string" or (isinstance(types, list) and "string" in types)
    return text and not any(k in node for k in ("pattern", "format", "enum", "const"))


def _reason(note: str) -> Any:
    """A closed status entry's note keeps the closure reason it starts with (a report counts it)."""
    return closure_reason(note) or _GONE


# --- the seal register and what is due ---------------------------------------------------------


class Sealed(Strict):
    """One case sealed (or expunged): ids, the day, why, and by whom; nothing that tells who."""

    case: CaseId
    date: Date
    action: Literal["seal", "expunge"] = "seal"
    rule: Text = Field(description="the sealing rule of rjc.yaml, or the court order's reference")
    by: CoordinatorCode
    records: list[str] = []  # every record the seal tombstoned (ids)


class SealRegister(Versioned):
    """`sealed.yaml`: the register of what was sealed, committed with the records."""

    sealed: list[Sealed] = []

    def ids(self) -> set[str]:
        return {s.case for s in self.sealed}


class SealDue(NamedTuple):
    case: str
    due: dt.date
    rule: str  # e.g. "pre-charge-diversion: 2 years after completed-successfully"
    action: str


def seal_due(case: Case, settings: Settings) -> SealDue | None:
    """When this case becomes due for sealing under rjc.yaml's rules (None: never, unless ordered)."""
    rule = settings.sealing.programs.get(case.program)
    if rule is None or case.status != CaseStatus.CLOSED or case.closure is None:
        return None
    if case.closure.reason not in rule.closed_as:
        return None
    closed = case.closure.date
    try:
        due = closed.replace(year=closed.year + rule.after_years)
    except ValueError:  # closed on Feb 29: the anniversary is Feb 28
        due = closed.replace(year=closed.year + rule.after_years, day=28)
    reasons = " or ".join(r.value for r in rule.closed_as)
    years = f"{rule.after_years} year{'s' if rule.after_years != 1 else ''}"
    return SealDue(case.id, due, f"{case.program.value}: {years} after {reasons}", rule.action)
