"""The records behind the letter tests: a case with a referral and an agreement (`case_repo`),
and volunteers with panels held, cancelled and scheduled (`panel_repo`)."""

from __future__ import annotations

import pytest

from rjc.model import SCHEMA_VERSION, Case, Panel, Person, Referral, Volunteer
from rjc.model.case import Agreement, Participant, StatusEntry

SIGNED = "2026-11-05"


@pytest.fixture
def case_repo(repo, monkeypatch, built):
    """A case with a responsible party, a victim (both with addresses), a referral and an agreement."""
    monkeypatch.chdir(repo.root)
    built.reuse("case_repo", repo.root, lambda: _add_case(repo))
    return repo


def _add_case(repo) -> None:
    address = {"street": "12 Elm Street", "town": "Hartford", "state": "VT", "postal_code": "05047"}
    people = [Person(id="P-2026-KB-0001", schema_version=SCHEMA_VERSION, given_name="Ana", family_name="Rivera",
                     address=address, phone="802-555-0111"),
              Person(id="P-2026-KB-0002", schema_version=SCHEMA_VERSION, given_name="Bo", family_name="Lind",
                     address=address | {"street": "9 Oak Lane"}, phone="802-555-0122")]
    referral = Referral(id="R-2026-KB-0001", schema_version=SCHEMA_VERSION, received="2026-11-01", program="restorative-panel",
                        source="police", agency="Hartford Police Department", docket="26-CR-1",
                        contact={"name": "Sgt. Pat Doe"}, people=[{"person": "P-2026-KB-0001", "role": "responsible-party"}],
                        screening={"decision": "accepted", "date": "2026-11-02", "by": "KB", "case": "C-2026-KB-0001"})
    case = Case(id="C-2026-KB-0001", schema_version=SCHEMA_VERSION, program="restorative-panel", referral="R-2026-KB-0001",
                coordinator="KB", opened="2026-11-02",
                participants=[Participant(person="P-2026-KB-0001", role="responsible-party"),
                              Participant(person="P-2026-KB-0002", role="victim")],
                status_history=[StatusEntry(status="intake", date="2026-11-02", by="KB")],
                agreements=[Agreement(signed=SIGNED, due="2027-02-03", midterm_review="2026-12-20", items=[
                    {"type": "apology-letter", "description": "Write to the store owner"},
                    {"type": "restitution", "amount": "250.00", "victim": "P-2026-KB-0002",
                     "payments": [{"id": "tapvznp99v", "date": "2026-11-20", "amount": "50.00"}]},
                    {"type": "community-service", "hours_required": "20"}])])
    settings = repo.settings
    settings.center.address, settings.center.phone = "1 Main Street, Barre, VT 05641", "802-555-0100"
    with repo.transaction("test") as tx:
        tx.stage(settings)
        for record in (*people, referral, case):
            tx.stage(record)
        tx.commit("test")


NOTICE_DATE = "2026-11-12"


def _volunteer(number: int, person: str) -> Volunteer:
    return Volunteer(id=f"V-2026-KB-{number:04d}", schema_version=SCHEMA_VERSION, person=person, since="2024-03-01",
                     trainings=[{"name": "Restorative justice volunteer training", "date": "2024-02-10"}],
                     background_checks=[{"date": "2024-02-01", "expires": "2028-02-01"}],
                     programs=["restorative-panel"])


def _panel(number: int, day: str, start: str, end: str, status: str, seats: list[dict], docket=(), **more) -> Panel:
    return Panel(id=f"PN-2026-KB-{number:04d}", schema_version=SCHEMA_VERSION, date=day, start=start, end=end, status=status,
                 seats=seats, docket=list(docket), **more)


ALL_THREE = [{"volunteer": f"V-2026-KB-{n:04d}"} for n in (1, 2, 3)]


@pytest.fixture
def panel_repo(case_repo, built):
    """case_repo plus three volunteers (their own people) and panels held, cancelled and scheduled."""
    built.reuse("panel_repo", case_repo.root, lambda: _add_panels(case_repo))
    return case_repo


def _add_panels(case_repo) -> None:
    home = {"street": "3 Birch Road", "town": "Norwich", "state": "VT", "postal_code": "05055"}
    people = [Person(id="P-2026-KB-0003", schema_version=SCHEMA_VERSION, given_name="Zoë", family_name="Nguyễn", address=home,
                     phone="802-555-0133"),
              Person(id="P-2026-KB-0004", schema_version=SCHEMA_VERSION, given_name="Liam", family_name="O’Brien", address=home),
              Person(id="P-2026-KB-0005", schema_version=SCHEMA_VERSION, given_name="Sam", family_name="Ortiz", address=home)]
    volunteers = [_volunteer(n, f"P-2026-KB-{n + 2:04d}") for n in (1, 2, 3)]
    case = [{"case": "C-2026-KB-0001"}]
    panels = [
        _panel(1, "2026-03-12", "18:00", "20:00", "held", [
            {"volunteer": "V-2026-KB-0001", "attended": True},  # the meeting's length: 2 hours
            {"volunteer": "V-2026-KB-0002", "attended": True, "hours": "1.5"},
            {"volunteer": "V-2026-KB-0003", "attended": False}]),
        _panel(2, "2026-06-04", "18:00", "19:15", "held", [dict(s, attended=True) for s in ALL_THREE]),
        _panel(3, "2026-07-01", "18:00", "20:00", "cancelled", ALL_THREE),
        _panel(4, "2025-12-10", "18:00", "20:00", "held", [dict(s, attended=True) for s in ALL_THREE]),
        _panel(5, "2026-11-19", "17:30", "19:00", "scheduled", ALL_THREE, case, place="Town Hall, Room 2",
               video_link="https://meet.example.org/rjc-19"),
        _panel(6, "2026-12-03", "17:30", "19:00", "scheduled", ALL_THREE,
               [{"case": "C-2026-KB-0001", "purpose": "mid-term-review"}], place="Town Hall, Room 2"),
        _panel(7, "2026-11-10", "17:30", "19:00", "scheduled", ALL_THREE, case, place="Old Library"),
    ]
    with case_repo.transaction("test") as tx:
        for record in (*people, *volunteers, *panels):
            tx.stage(record)
        tx.commit("test")
