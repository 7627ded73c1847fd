"""What each record shows in `rjc list`, computed once when its file is parsed and kept in the
cache with it: ids and facts only, never names, and nothing that depends on the day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rjc.model import Case, Organization, Panel, Person, Record, Referral, Volunteer
from rjc.model.vocab import CaseStatus


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _case_row(c: Case) -> dict:
    return {"id": c.id, "program": c.program.value, "status": c.status.value, "coordinator": c.coordinator,
            "opened": _iso(c.opened), "referral": c.referral, "_end": _iso(c.closure.date if c.closure else None),
            "_date": _iso(c.opened), "_status": c.status.value,
            "_open": "closed" if c.status == CaseStatus.CLOSED else "open"}


def _referral_row(r: Referral) -> dict:
    return {"id": r.id, "received": _iso(r.received), "program": r.program.value, "source": r.source.value,
            "agency": r.agency_org or r.agency, "decision": r.screening.decision.value, "case": r.screening.case,
            "_date": _iso(r.received), "_status": r.screening.decision.value}


def _panel_row(p: Panel) -> dict:
    return {"id": p.id, "date": _iso(p.date), "start": f"{p.start:%H:%M}", "end": f"{p.end:%H:%M}",
            "status": p.status.value, "program": p.program.value, "cases": [d.case for d in p.docket],
            "seats": len(p.seats), "_date": _iso(p.date), "_status": p.status.value}


def _volunteer_row(v: Volunteer) -> dict:
    return {"id": v.id, "active": v.active, "programs": [p.value for p in v.programs],
            "background_check_expires": _iso(v.check_expires),
            "trainings": len(v.trainings), "_date": _iso(v.since),
            "_status": "active" if v.active else "inactive"}


def _organization_row(o: Organization) -> dict:
    # an organization's name is not personal data; its contact person is left out
    return {"id": o.id, "name": o.name, "type": o.type.value, "town": o.address.town if o.address else None,
            "_date": None, "_status": o.type.value}


def _person_row(p: Person) -> dict:
    return {"id": p.id, "_date": None, "_status": None}


_ROWS: dict[type[Record], Callable[[Any], dict]] = {Case: _case_row, Referral: _referral_row, Panel: _panel_row, Volunteer: _volunteer_row,
         Person: _person_row, Organization: _organization_row}


def list_row(record: Record) -> dict:
    """A record's row, JSON-safe and independent of the day (so it can be cached with the file)."""
    return _ROWS[type(record)](record)
