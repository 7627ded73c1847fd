"""A report that is a few tables of ids and facts (restitution, volunteers, caseload)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Table:
    name: str  # its key in JSON
    title: str
    columns: list[str]
    rows: list[dict]
    rank: list[str] | None = None  # most valuable first, on a narrow terminal (default: the columns' order)


@dataclass
class TablesReport:
    """The first table is the report's main one: the one CSV carries."""

    kind: str  # restitution, volunteers, caseload
    title: str
    center: str | None
    facts: dict[str, str]  # what the report covers, e.g. {"as of": "2026-11-24"}
    tables: list[Table]
    as_of: dt.date
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
