"""The records behind the report tests: a small center in Vermont FY2027 Q1 (July-September
2026), compared with FY2026 Q4 (April-June 2026), as a repository (the `report_repo` fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rjc.model import SCHEMA_VERSION, Case, Organization, Panel, Person, Referral, Volunteer
from rjc.workflows.repository import Repository

from helpers import git

Q = "Vermont FY2027 Q1"  # 2026-07-01 .. 2026-09-30 (federal FY2026 Q4)
P = "Vermont FY2026 Q4"  # 2026-04-01 .. 2026-06-30
NAMES = ["Ana", "Rivera", "Lind", "Moss", "Dee", "Hart", "Eve", "Quimby", "Ida", "Voss", "Ned", "Orr",
         "Kim Bell", "Max Rossi"]  # people of the fixture, and the coordinators


def _person(pid: str, given: str, family: str, **demographics) -> Person:
    return Person(id=pid, schema_version=SCHEMA_VERSION, given_name=given, family_name=family,
                  demographics=demographics or None)


def status_entries(*entries: tuple[str, str], by: str = "KB") -> list[dict]:
    return [{"status": s, "date": d, "by": by, **({"note": n} if n else {})}
            for s, d, *rest in entries for n in [rest[0] if rest else None]]


def closure_of(day: str, reason: str, by: str = "KB") -> dict:
    return {"date": day, "reason": reason, "by": by}


def _volunteer(vid: str, person: str) -> Volunteer:
    return Volunteer(id=vid, schema_version=SCHEMA_VERSION, person=person, since="2025-01-01",
                     trainings=[{"name": "Restorative panel basics", "date": "2025-01-15"}],
                     background_checks=[{"date": "2025-01-10", "expires": "2028-01-10"}])


def _referral(rid: str, received: str, source: str, program: str, case: str | None = None,
              decision: str = "accepted", people: list | None = None, reason: str | None = None, **agency) -> Referral:
    screening = {"decision": decision}
    if decision != "pending":
        screening |= {"date": received, "by": "KB"}
    if case:
        screening["case"] = case
    if reason:
        screening["reason"] = reason
    return Referral(id=rid, schema_version=SCHEMA_VERSION, received=received, source=source, program=program,
                    people=people or [], screening=screening, **agency)


O1, O2 = "O-2026-KB-0001", "O-2026-KB-0002"
V1, V2, V3 = "V-2026-KB-0001", "V-2026-KB-0002", "V-2026-KB-0003"
C1, C2, C3, C4, C5, C6 = ("C-2026-KB-0001", "C-2026-MR-0001", "C-2026-KB-0002", "C-2026-KB-0003",
                          "C-2026-MR-0002", "C-2026-KB-0004")
C7, C8, C9, C10, C11 = "C-2025-KB-0001", "C-2022-MR-0001", "C-2026-MR-0003", "C-2026-KB-0005", "C-2026-KB-0006"


def fixture_records() -> list:
    people = [
        _person("P-2026-KB-0001", "Ana", "Rivera"),  # responsible party, C1
        _person("P-2026-KB-0002", "Bo", "Lind", gender="woman", age_group="25-59", race=["White"],
                ethnicity="Not Hispanic or Latino", veteran=False, primary_language="English"),  # victim, C1
        _person("P-2026-KB-0003", "Cy", "Moss"),  # responsible party, C2
        _person("P-2026-KB-0004", "Dee", "Hart", gender="man", age_group="60+", race=["White", "Asian"],
                veteran=True, primary_language="English"),  # victim, C2
        _person("P-2026-KB-0005", "Eve", "Quimby"),  # victim, C2 (no demographics)
        _person("P-2026-KB-0006", "Finn", "Ames"),  # responsible party, C3
        _person("P-2026-KB-0007", "Gus", "Ober"),  # party, C4
        _person("P-2026-KB-0008", "Hal", "Pike"),  # party, C4
        _person("P-2026-KB-0009", "Ida", "Voss", gender="woman", age_group="18-24",
                race=["Black or African American"], ethnicity="Hispanic or Latino", veteran=False,
                disability="hearing"),  # victim support client, C5
        _person("P-2026-KB-0010", "Jo", "Kerr"),  # responsible party, C6
        _person("P-2026-KB-0011", "Kai", "Lund"),  # victim on C7 (2025) and C2 (2026)
        _person("P-2026-KB-0012", "Lee", "Marsh"),  # responsible party, C7
        _person("P-2026-KB-0013", "Mo", "Nash"),  # responsible party, C8
        _person("P-2026-KB-0014", "Ned", "Orr"),  # victim, C8
        _person("P-2026-KB-0016", "Pat", "Quill"),  # core member, C9
        _person("P-2026-KB-0017", "Ray", "Sand"),  # client, C10
        _person("P-2026-KB-0018", "Sam", "Tate"),  # client, C11
        _person("P-2026-KB-0020", "Tess", "Ulm"), _person("P-2026-KB-0021", "Uma", "Vale"),
        _person("P-2026-KB-0022", "Val", "West"),  # the volunteers
    ]
    volunteers = [_volunteer(V1, "P-2026-KB-0020"), _volunteer(V2, "P-2026-KB-0021"), _volunteer(V3, "P-2026-KB-0022")]
    organizations = [  # the agencies on file (a third, never referring, counts nowhere)
        Organization(id=O1, schema_version=SCHEMA_VERSION, name="Hartford Police Department", type="referring-agency"),
        Organization(id=O2, schema_version=SCHEMA_VERSION, name="Windsor County Court", type="referring-agency"),
        Organization(id="O-2026-KB-0003", schema_version=SCHEMA_VERSION, name="Barre Bakery", type="host-business"),
    ]
    referrals = [
        _referral("R-2026-KB-0001", "2026-06-20", "police", "restorative-panel", C1,
                  people=[{"person": "P-2026-KB-0001", "role": "responsible-party"}], agency_org=O1),
        _referral("R-2026-MR-0001", "2026-07-01", "court", "restorative-panel", C2, agency_org=O2),
        _referral("R-2026-KB-0002", "2026-07-15", "court", "restorative-panel", C3, agency_org=O2,
                  agency="Windsor Cty Court, clerk's office"),
        _referral("R-2026-KB-0003", "2026-08-10", "states-attorney", "mediation", C4, agency="Windsor County SA"),
        _referral("R-2026-KB-0004", "2026-09-30", "school", "restorative-panel", decision="declined",
                  reason="outside the service area"),
        _referral("R-2026-KB-0005", "2026-10-01", "police", "restorative-panel", decision="pending"),
        _referral("R-2026-MR-0002", "2026-05-05", "self", "victim-support", C5),
    ]
    rp, victim = "responsible-party", "victim"
    cases = [
        Case(id=C1, schema_version=SCHEMA_VERSION, program="restorative-panel", referral="R-2026-KB-0001", coordinator="KB",
             opened="2026-06-22",
             participants=[{"person": "P-2026-KB-0001", "role": rp},
                           {"person": "P-2026-KB-0002", "role": victim, "participation": "attend"}],
             status_history=status_entries(("intake", "2026-06-22"), ("panel-scheduled", "2026-07-01"),
                                    ("agreement-signed", "2026-07-10"), ("monitoring", "2026-07-20"),
                                    ("closed", "2026-09-30", "completed-successfully")),
             contacts=[{"id": "i6sbnhawbx", "date": "2026-07-05", "kind": "phone", "by": "KB", "with": ["P-2026-KB-0002"]}],
             agreements=[{"signed": "2026-07-10", "due": "2026-10-08", "items": [
                 {"type": "restitution", "amount": "300.00", "victim": "P-2026-KB-0002", "status": "completed",
                  "completed": "2026-09-30",
                  "payments": [{"id": "zbcdqj5uzx", "date": "2026-08-01", "amount": "100.00"}, {"id": "q4sstc9q9p", "date": "2026-09-30", "amount": "200.00"}]},
                 {"type": "community-service", "hours_required": "10",
                  "logged": [{"id": "qrci6jvxw2", "date": "2026-07-15", "hours": "4"}, {"id": "hazk9zcxy3", "date": "2026-08-15", "hours": "6"}]}]}],
             closure=closure_of("2026-09-30", "completed-successfully")),
        Case(id=C2, schema_version=SCHEMA_VERSION, program="restorative-panel", referral="R-2026-MR-0001", coordinator="MR",
             opened="2026-07-02",
             participants=[{"person": "P-2026-KB-0003", "role": rp},
                           {"person": "P-2026-KB-0004", "role": victim, "participation": "written-statement-shared"},
                           {"person": "P-2026-KB-0005", "role": victim},
                           {"person": "P-2026-KB-0011", "role": victim, "participation": "undecided"}],
             status_history=status_entries(("intake", "2026-07-02"), ("panel-scheduled", "2026-07-20"),
                                    ("agreement-signed", "2026-08-01"), ("monitoring", "2026-08-05"),
                                    ("agreement-signed", "2026-09-15"), ("monitoring", "2026-09-16"), by="MR"),
             agreements=[
                 {"signed": "2026-08-01", "due": "2026-10-30", "items": [
                     {"type": "restitution", "amount": "500.00", "victim": "P-2026-KB-0004",
                      "payments": [{"id": "q7m3a57pu5", "date": "2026-09-01", "amount": "50.00"}, {"id": "vx9gaz6t7v", "date": "2026-10-01", "amount": "25.00"}]},
                     {"type": "restitution", "amount": "80.00", "payee": "Hartford Mutual Insurance"}]},
                 {"signed": "2026-09-15", "due": "2026-12-14", "items": [
                     {"type": "restitution", "amount": "40.00", "victim": "P-2026-KB-0005"}]}]),
        Case(id=C3, schema_version=SCHEMA_VERSION, program="restorative-panel", referral="R-2026-KB-0002", coordinator="KB",
             opened="2026-07-16", participants=[{"person": "P-2026-KB-0006", "role": rp}],
             status_history=status_entries(("intake", "2026-07-16"), ("closed", "2026-08-20", "no-contact")),
             closure=closure_of("2026-08-20", "no-contact")),
        Case(id=C4, schema_version=SCHEMA_VERSION, program="mediation", referral="R-2026-KB-0003", coordinator="KB",
             opened="2026-08-11",
             participants=[{"person": "P-2026-KB-0007", "role": "party"}, {"person": "P-2026-KB-0008", "role": "party"}],
             status_history=status_entries(("intake", "2026-08-11"), ("in-mediation", "2026-08-20")),
             sessions=[{"id": "bbaapq9j74", "date": "2026-08-25", "minutes": 90, "attended": ["P-2026-KB-0007", "P-2026-KB-0008"]},
                       {"id": "dnahcxq5i5", "date": "2026-09-10", "minutes": 60, "attended": ["P-2026-KB-0007"]}],
             resolution="agreement"),
        Case(id=C5, schema_version=SCHEMA_VERSION, program="victim-support", referral="R-2026-MR-0002", coordinator="MR",
             opened="2026-05-06", participants=[{"person": "P-2026-KB-0009", "role": victim}],
             status_history=status_entries(("intake", "2026-05-06"), ("in-services", "2026-05-10"), by="MR"),
             services=[{"id": "t8zcsprj25", "date": "2026-05-10", "service": "Safety planning", "by": "MR"},
                       {"id": "heafj6nxi9", "date": "2026-09-15", "service": "Court accompaniment", "by": "MR"},
                       {"id": "jitxkfgar2", "date": "2026-10-20", "service": "Information about the process", "by": "MR"}]),
        Case(id=C6, schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB", opened="2026-03-01",
             participants=[{"person": "P-2026-KB-0010", "role": rp}],
             status_history=status_entries(("intake", "2026-03-01"))),
        Case(id=C7, schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB", opened="2025-08-01",
             participants=[{"person": "P-2026-KB-0012", "role": rp}, {"person": "P-2026-KB-0011", "role": victim}],
             status_history=status_entries(("intake", "2025-08-01"), ("closed", "2025-09-15", "withdrawn")),
             closure=closure_of("2025-09-15", "withdrawn")),
        Case(id=C8, schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="MR", opened="2022-01-10",
             participants=[{"person": "P-2026-KB-0013", "role": rp},
                           {"person": "P-2026-KB-0014", "role": victim, "participation": "not-participate"}],
             status_history=status_entries(("intake", "2022-01-10"), ("panel-scheduled", "2022-02-01"),
                                    ("agreement-signed", "2022-03-01"), ("monitoring", "2022-03-02"),
                                    ("closed", "2026-09-20", "returned-non-compliance"), by="MR"),
             agreements=[{"signed": "2022-03-01", "due": "2022-05-30", "items": [
                 {"type": "restitution", "amount": "1000.00", "victim": "P-2026-KB-0014",
                  "payments": [{"id": "mfvgpci7t3", "date": "2022-04-01", "amount": "100.00"}]}]}],
             closure=closure_of("2026-09-20", "returned-non-compliance", "MR")),
        Case(id=C9, schema_version=SCHEMA_VERSION, program="cosa", coordinator="MR", opened="2026-01-05",
             participants=[{"person": "P-2026-KB-0016", "role": "core-member"}],
             status_history=status_entries(("intake", "2026-01-05"), ("in-circle", "2026-02-01"), by="MR"),
             circle={"phase": "phase-1", "started": "2026-02-01",
                     "roster": [{"volunteer": V1, "joined": "2026-02-01"},
                                {"volunteer": V2, "role": "anchor", "joined": "2026-02-01"},
                                {"volunteer": V3, "joined": "2026-02-01"}],
                     "meetings": [{"id": "xy2mjw6fyf", "date": "2026-06-25", "attended": [V1, V2, V3], "hours": "1.5"},
                                  {"id": "t37xhh5sgi", "date": "2026-07-02", "attended": [V1, V2], "hours": "2"},
                                  {"id": "uwtjnjjwpi", "date": "2026-08-06", "attended": [V3], "hours": "1.5"}]}),
        Case(id=C10, schema_version=SCHEMA_VERSION, program="star", coordinator="KB", opened="2026-05-01",
             participants=[{"person": "P-2026-KB-0017", "role": "client"}],
             status_history=status_entries(("intake", "2026-05-01"), ("in-internship", "2026-05-15")),
             internship={"host": "Quechee Valley Hardware", "start": "2026-05-15", "end": "2026-08-31",
                         "hours": [{"id": "tujpp5g8av", "date": "2026-06-01", "hours": "20"}, {"id": "hu4gfw26hm", "date": "2026-07-01", "hours": "16"},
                                   {"id": "eahhn49zfd", "date": "2026-08-01", "hours": "12.5"}]}),
        Case(id=C11, schema_version=SCHEMA_VERSION, program="star", coordinator="KB", opened="2026-08-20",
             participants=[{"person": "P-2026-KB-0018", "role": "client"}],
             status_history=status_entries(("intake", "2026-08-20"), ("in-internship", "2026-09-01")),
             internship={"host": "quechee valley  hardware", "start": "2026-09-01"}),
    ]
    panels = [
        Panel(id="PN-2026-KB-0001", schema_version=SCHEMA_VERSION, date="2026-07-08", start="18:00", end="20:00", status="held",
              place="Community room",
              docket=[{"case": C1, "outcome": "agreement-signed", "attended": ["P-2026-KB-0001", "P-2026-KB-0002"]}],
              seats=[{"volunteer": V1, "attended": True}, {"volunteer": V2, "attended": True, "hours": "1.5"},
                     {"volunteer": V3, "attended": False}]),
        Panel(id="PN-2026-KB-0002", schema_version=SCHEMA_VERSION, date="2026-06-10", start="18:00", end="19:30", status="held",
              place="Community room", docket=[{"case": C8, "purpose": "mid-term-review", "outcome": "on-track"}],
              seats=[{"volunteer": v, "attended": True} for v in (V1, V2, V3)]),
        Panel(id="PN-2026-KB-0003", schema_version=SCHEMA_VERSION, date="2026-08-15", start="18:00", end="20:00",
              status="cancelled", place="Community room", docket=[{"case": C2}],
              seats=[{"volunteer": v} for v in (V1, V2, V3)]),
    ]
    return [*people, *volunteers, *organizations, *referrals, *cases, *panels]


@pytest.fixture
def report_repo(repo, built) -> Repository:
    built.reuse("report_repo", repo.root, lambda: _add_records(repo))
    return Repository(repo.root)


def _add_records(repo) -> None:
    with repo.transaction("test") as tx:
        for record in fixture_records():
            tx.stage(record)
        tx.commit("test")


@pytest.fixture
def sample_repo(tmp_path, built):
    """The bundled sample year as a real repository, as `make demo` makes it."""
    root = tmp_path / "sample"
    built.reuse("reports-sample", root, lambda: _commit_sample(root))
    return Repository(root)


def _commit_sample(root: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parent.parent / "records", root)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "-c", "user.name=rjc test", "-c", "user.email=test@rjc.invalid", "commit", "--quiet", "-m", "sample")
    git(root, "config", "rjc.coordinator", "KB")
