"""`rjc list`: one row per record, filtered. Ids and facts only, never names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rjc.model.vocab import CaseStatus, OrganizationKind, PanelStatus, Program, ReferralSource, ScreeningDecision
from rjc.storage.errors import RjcError


@dataclass
class Filters:
    status: str | None = None  # case status, `open` or `closed`; referral decision; panel status; active/inactive;
    # an organization's type
    program: str | None = None
    source: str | None = None
    coordinator: str | None = None
    since: dt.date | None = None  # on the kind's main date (opened, received, panel date, since)
    until: dt.date | None = None


COLUMNS = {
    "case": ["id", "program", "status", "coordinator", "opened", "days_open", "referral"],
    "referral": ["id", "received", "program", "source", "agency", "decision", "case"],
    "panel": ["id", "date", "start", "end", "status", "program", "cases", "seats"],
    "volunteer": ["id", "active", "programs", "background_check_expires", "trainings"],
    "person": ["id"],
    "organization": ["id", "type", "name", "town"],
}


def rows(kind: str, base_rows: list[dict], filters: Filters, today: dt.date | None = None) -> list[dict]:
    """Rows for the records of one kind that pass the filters, sorted by id."""
    today = today or dt.date.today()
    if filters.since and filters.until and filters.until < filters.since:
        raise RjcError(f"--until {filters.until} is before --since {filters.since}")
    _validate(kind, filters)
    result = []
    for row in base_rows:
        if _keep(row, filters):
            if kind == "case":
                end = dt.date.fromisoformat(row["_end"]) if row["_end"] else today
                row = {**row, "days_open": (end - dt.date.fromisoformat(row["opened"])).days}
            result.append(row)
    return sorted(result, key=lambda r: r["id"])


RANK = {  # most valuable first: on a narrow terminal the last give way first (rjc/outputs/screen.py)
    "case": ["id", "status", "days_open", "opened", "program", "coordinator", "referral"],
    "referral": ["id", "received", "decision", "program", "case", "source", "agency"],
    "panel": ["id", "date", "start", "status", "cases", "program", "end", "seats"],
    "volunteer": ["id", "active", "background_check_expires", "programs", "trainings"],
    "person": ["id"],
    "organization": ["id", "name", "type", "town"],
}


_STATUSES = {
    "case": [*CaseStatus, "open"],
    "referral": list(ScreeningDecision),
    "panel": list(PanelStatus),
    "volunteer": ["active", "inactive"],
    "person": [],
    "organization": list(OrganizationKind),
}


_APPLIES = {  # which filters each kind has
    "case": {"status", "program", "coordinator", "since", "until"},
    "referral": {"status", "program", "source", "since", "until"},
    "panel": {"status", "program", "since", "until"},
    "volunteer": {"status", "program", "since", "until"},
    "person": set(),
    "organization": {"status"},
}


def _validate(kind: str, f: Filters) -> None:
    """An unknown or inapplicable filter is an error, not an empty list that looks like an answer."""
    for name, value in vars(f).items():
        if value is not None and name not in _APPLIES[kind]:
            raise RjcError(f"--{name} does not apply to {kind} records")
    for flag, value, allowed in (("--status", f.status, _STATUSES[kind]),
                                 ("--program", f.program, list(Program)),
                                 ("--source", f.source, list(ReferralSource))):
        allowed = [str(a) for a in allowed]
        if value is not None and value not in allowed:
            choices = ", ".join(allowed) if allowed else f"none for {kind}"
            raise RjcError(f"{flag} '{value}' is not one of: {choices}")


def _keep(row: dict, f: Filters) -> bool:
    if f.status and f.status not in (row.get("_status"), row.get("_open")):
        return False
    if f.program:
        programs = row.get("programs") or [row.get("program")]
        if f.program not in programs:
            return False
    if f.source and row.get("source") != f.source:
        return False
    if f.coordinator and row.get("coordinator") != f.coordinator:
        return False
    when = row.get("_date")  # ISO dates compare as text
    if f.since and (when is None or when < f.since.isoformat()):
        return False
    if f.until and (when is None or when > f.until.isoformat()):
        return False
    return True
