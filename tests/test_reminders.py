"""rjc.outputs.reminders and `rjc remind`: every reminder kind, across month and year ends, ids only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from rjc.model import SCHEMA_VERSION, Case, Panel, Person, Referral, Settings, Volunteer
from rjc.model.base import new_entry_id
from rjc.model.case import SurveyResponse
from rjc.model.settings import Center, Coordinator, Mail
from rjc.outputs import reminders
from rjc.storage.transaction import write_lock
from rjc.workflows.repository import Repository

from helpers import CENTER, git

TODAY = dt.date(2026, 12, 31)  # a Thursday, the last day of the year
PHONE = "802-555-0199"
PEOPLE = {  # distinctive names that must never appear in reminders, mail or calendars
    1: ("Zebulon", "Quixfeather"), 2: ("Ottoline", "Marchbanks"), 3: ("Barnaby", "Fennimore"),
    4: ("Hortensia", "Wolcott"), 5: ("Lysander", "Pemberton"), 6: ("Isolde", "Ravensworth"),
    7: ("Cornelius", "Ashdown"), 8: ("Thaddeus", "Brightwater"), 9: ("Philippa", "Gooseberry"),
    10: ("Evander", "Wolfsbane"), 11: ("Cressida", "Nightingale"), 12: ("Peregrine", "Hollowell"),
}
SECRET_TEXT = "Zebulon said the window cost plenty"  # free text in records: never in reminders
FORBIDDEN = [part for name in PEOPLE.values() for part in name] + [PHONE, "window cost", "Gumdrop", "Kim Bell",
                                                                    "Max Rossi"]
VOLUNTEER_EMAIL = {1: "v1@volunteers.example.org", 2: "v2@volunteers.example.org",
                   3: "v3@volunteers.example.org", 4: "v4@volunteers.example.org", 5: None}


def P(n: int) -> str:
    return f"P-2026-KB-{n:04d}"


def V(n: int) -> str:
    return f"V-2026-KB-{n:04d}"


def C(n: int) -> str:
    return f"C-2026-KB-{n:04d}"


PN1, PN2, PN3, PN4 = "PN-2026-KB-0001", "PN-2026-KB-0002", "PN-2026-KB-0003", "PN-2026-KB-0004"
R1, R2 = "R-2026-KB-0001", "R-2026-KB-0002"


def settings(mail: Mail | None = None, **changes) -> Settings:
    return Settings(schema_version=SCHEMA_VERSION, center=Center(name=CENTER),
                    coordinators=[Coordinator(code="KB", name="Kim Bell", email="kb@center.example.org"),
                                  Coordinator(code="MR", name="Max Rossi", email="mr@center.example.org")],
                    mail=mail, **changes)


def _history(*steps: tuple[str, str], by: str = "KB") -> list[dict]:
    return [{"status": status, "date": day, "by": by} for status, day in steps]


@dataclass
class World:
    settings: Settings
    people: list[Person] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)

    def records(self):
        return [*self.people, *self.volunteers, *self.referrals, *self.cases, *self.panels]

    def get(self, record_id: str):
        return next(r for r in self.records() if r.id == record_id)

    def due(self, today: dt.date = TODAY):
        return reminders.due(self.cases, self.panels, self.referrals, self.volunteers, self.settings, today)


def world(mail: Mail | None = None) -> World:
    """A small center at the end of 2026, with one of every reminder due on TODAY."""
    w = World(settings(mail))
    for n, (given, family) in PEOPLE.items():
        email = VOLUNTEER_EMAIL.get(n - 7) if n >= 8 else f"{given.lower()}@people.example.org"
        w.people.append(Person(id=P(n), schema_version=SCHEMA_VERSION, given_name=given, family_name=family, phone=PHONE,
                               email=email, note=f"{given} prefers evenings"))
    for n in range(1, 6):
        expires = "2027-01-20" if n == 4 else "2027-12-31"  # V4's check runs out within 30 days
        w.volunteers.append(Volunteer(
            id=V(n), schema_version=SCHEMA_VERSION, person=P(n + 7), since="2026-01-05",
            trainings=[{"name": "Panel training", "date": "2026-01-10"}],
            background_checks=[{"date": "2026-01-05", "expires": expires}],
            note="Gumdrop the dog comes along"))
    w.referrals += [
        Referral(id=R1, schema_version=SCHEMA_VERSION, received="2026-12-22", program="pre-charge-diversion",
                 source="states-attorney", harm=SECRET_TEXT,
                 people=[{"person": P(5), "role": "responsible-party"}, {"person": P(2), "role": "victim"}],
                 screening={"decision": "accepted", "date": "2026-12-22", "by": "KB", "case": C(4)}),
        Referral(id=R2, schema_version=SCHEMA_VERSION, received="2026-12-20", program="restorative-panel", source="police",
                 harm=SECRET_TEXT, people=[{"person": P(7), "role": "responsible-party"}]),
    ]
    contact = lambda day, by="KB": {"id": new_entry_id(), "date": day, "kind": "phone", "by": by, "note": SECRET_TEXT}  # noqa: E731
    w.cases += [
        Case(id=C(1), schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB", opened="2026-12-01",
             participants=[{"person": P(1), "role": "responsible-party"}],
             status_history=_history(("referred", "2026-12-01"), ("intake", "2026-12-02"),
                                     ("panel-scheduled", "2026-12-10")),
             contacts=[contact("2026-12-28")], note=SECRET_TEXT),
        Case(id=C(2), schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="MR", opened="2026-09-01",
             participants=[{"person": P(3), "role": "responsible-party"}],
             status_history=_history(("referred", "2026-09-01"), ("intake", "2026-09-02"),
                                     ("panel-scheduled", "2026-09-10"), ("agreement-signed", "2026-10-01"),
                                     ("monitoring", "2026-10-02"), by="MR"),
             contacts=[contact("2026-12-20", "MR")],
             agreements=[{"signed": "2026-10-01", "due": "2027-01-04", "midterm_review": "2026-11-15",
                          "items": [{"type": "restitution", "amount": "100.00", "description": SECRET_TEXT,
                                     "payee": "Quixfeather Glass"},
                                    {"type": "community-service", "hours_required": "10", "due": "2027-01-06",
                                     "description": SECRET_TEXT}]}]),
        Case(id=C(3), schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB", opened="2026-07-01",
             participants=[{"person": P(4), "role": "responsible-party"}],
             status_history=_history(("referred", "2026-07-01"), ("intake", "2026-07-02"),
                                     ("panel-scheduled", "2026-07-10"), ("agreement-signed", "2026-08-01"),
                                     ("monitoring", "2026-08-02")),
             contacts=[contact("2026-11-20"), contact("2026-12-01")],
             agreements=[{"signed": "2026-08-01", "due": "2026-11-01", "midterm_review": "2026-09-15",
                          "items": [{"type": "apology-letter", "description": SECRET_TEXT},
                                    {"type": "education", "status": "completed", "completed": "2026-09-01"}]}]),
        Case(id=C(4), schema_version=SCHEMA_VERSION, program="pre-charge-diversion", coordinator="KB", opened="2026-12-22",
             referral=R1, participants=[{"person": P(5), "role": "responsible-party"},
                                        {"person": P(2), "role": "victim"}],
             status_history=_history(("referred", "2026-12-22")), contacts=[contact("2026-12-29")],
             diversion={"return_by": "2027-03-22"}),
        Case(id=C(5), schema_version=SCHEMA_VERSION, program="cosa", coordinator="MR", opened="2026-05-01",
             participants=[{"person": P(6), "role": "core-member"}],
             status_history=_history(("referred", "2026-05-01"), ("intake", "2026-05-02"),
                                     ("in-circle", "2026-06-01"), by="MR"),
             contacts=[contact("2026-12-22", "MR")],
             circle={"phase": "phase-1", "started": "2026-06-01",
                     "schedule": {"weekday": "mon", "start": "18:00", "end": "19:30", "place": "Library annex"},
                     "roster": [{"volunteer": V(n), "joined": "2026-06-01"} for n in (3, 4, 5)],
                     "meetings": [{"id": "udami9nn6w", "date": "2026-12-21", "attended": [V(3), V(4)], "hours": "1.5",
                                   "note": SECRET_TEXT}]}),
        Case(id=C(6), schema_version=SCHEMA_VERSION, program="pre-charge-diversion", coordinator="KB", opened="2024-09-02",
             participants=[{"person": P(5), "role": "responsible-party"}],
             status_history=_history(("referred", "2024-09-02"), ("closed", "2024-12-10")),
             closure={"date": "2024-12-10", "reason": "completed-successfully", "by": "KB", "note": SECRET_TEXT}),
        Case(id=C(7), schema_version=SCHEMA_VERSION, program="pre-charge-diversion", coordinator="KB", opened="2026-10-01",
             participants=[{"person": P(7), "role": "responsible-party"},
                           {"person": P(2), "role": "victim", "participation": "attend"},
                           {"person": P(3), "role": "victim", "participation": "not-participate"}],
             status_history=_history(("referred", "2026-10-01"), ("closed", "2026-11-25")),
             closure={"date": "2026-11-25", "reason": "completed-successfully", "by": "KB"}),
    ]
    w.panels += [
        Panel(id=PN1, schema_version=SCHEMA_VERSION, date="2027-01-01", start="18:00", end="19:30", place="Town Hall, room 2",
              docket=[{"case": C(1)}], seats=[{"volunteer": V(n)} for n in (1, 2, 3)],
              history=[{"date": "2026-12-10", "by": "KB", "action": "scheduled"}], note=SECRET_TEXT),
        Panel(id=PN2, schema_version=SCHEMA_VERSION, date="2027-01-02", start="10:00", end="11:30",
              video_link="https://meet.example.org/rjc-panel", docket=[{"case": C(2), "purpose": "reconvene"}],
              seats=[{"volunteer": V(n)} for n in (2, 4, 5)],
              history=[{"date": "2026-12-12", "by": "MR", "action": "scheduled"}]),
        Panel(id=PN3, schema_version=SCHEMA_VERSION, date="2027-01-01", start="17:00", end="18:00", place="Town Hall, room 1",
              status="cancelled", docket=[{"case": C(1)}], seats=[{"volunteer": V(n)} for n in (1, 2, 3)],
              history=[{"date": "2026-12-05", "by": "KB", "action": "scheduled"},
                       {"date": "2026-12-09", "by": "KB", "action": "cancelled"}]),
        Panel(id=PN4, schema_version=SCHEMA_VERSION, date="2026-12-18", start="18:00", end="19:30", place="Town Hall, room 2",
              docket=[{"case": C(1)}], seats=[{"volunteer": V(n)} for n in (1, 2, 3)],
              history=[{"date": "2026-12-01", "by": "KB", "action": "scheduled"}]),  # met, never recorded
    ]
    return w


def save_world(repo: Repository, w: World) -> Repository:
    """Commit the world (settings included) through one transaction: every record validated."""
    with repo.transaction("test") as tx:
        tx.stage(w.settings)
        for record in w.records():
            tx.stage(record)
        tx.commit("add world")
    return Repository(repo.root)


def save_settings(repo: Repository, new: Settings) -> Repository:
    with repo.transaction("test") as tx:
        tx.stage(new)
        tx.commit("settings")
    return Repository(repo.root)


def assert_no_identity(text: str) -> None:
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} leaked"


# --- the core ------------------------------------------------------------------------------------


EXPECTED = {
    ("panel", PN1, dt.date(2027, 1, 1)),
    ("panel-unrecorded", PN4, dt.date(2026, 12, 18)),
    ("panel", PN2, dt.date(2027, 1, 2)),
    ("agreement-item-due", C(2), dt.date(2027, 1, 4)),
    ("agreement-item-due", C(2), dt.date(2027, 1, 6)),
    ("midterm-review", C(2), dt.date(2026, 11, 15)),
    ("agreement-overdue", C(3), dt.date(2026, 11, 1)),
    ("no-contact", C(3), dt.date(2026, 12, 15)),
    ("victim-notice", C(4), dt.date(2027, 1, 4)),  # 7 business days: Christmas and New Year's Day skipped
    ("circle-meeting", C(5), dt.date(2027, 1, 3)),
    ("referral-idle", R2, dt.date(2026, 12, 25)),
    ("background-check", V(4), dt.date(2027, 1, 20)),
    ("quarterly-report", "report-2026-Q4", dt.date(2027, 1, 5)),
    ("seal-due", C(6), dt.date(2026, 12, 10)),  # two years after it closed as completed-successfully
    ("survey", C(7), dt.date(2026, 12, 25)),  # 30 days after it closed
}


def test_every_kind_is_due_at_the_end_of_the_year():
    found = world().due()
    assert {(r.kind, r.record_id, r.due_date) for r in found} == EXPECTED
    assert {r.kind for r in found} == set(reminders.KINDS)
    assert [r.due_date for r in found] == sorted(r.due_date for r in found)


def test_recipients_are_the_case_coordinator_the_center_or_the_seated_volunteers():
    by = {(r.kind, r.record_id, r.due_date): r.recipients for r in world().due()}
    assert by["panel", PN1, dt.date(2027, 1, 1)] == ("KB", V(1), V(2), V(3))
    assert by["panel", PN2, dt.date(2027, 1, 2)] == ("MR", V(2), V(4), V(5))
    assert by["no-contact", C(3), dt.date(2026, 12, 15)] == ("KB",)
    assert by["circle-meeting", C(5), dt.date(2027, 1, 3)] == ("MR",)
    for center_wide in (("referral-idle", R2, dt.date(2026, 12, 25)),
                        ("background-check", V(4), dt.date(2027, 1, 20)),
                        ("quarterly-report", "report-2026-Q4", dt.date(2027, 1, 5))):
        assert by[center_wide] == ("KB", "MR")


def test_an_inactive_coordinator_s_cases_go_to_every_active_coordinator():
    w = world()
    w.settings.coordinators.append(Coordinator(code="OLD", name="Gone", active=False))
    w.cases[2].coordinator = "OLD"
    by = {(r.kind, r.record_id): r.recipients for r in w.due()}
    assert by["no-contact", C(3)] == ("KB", "MR")


def test_texts_name_ids_dates_and_places_only():
    found = world().due()
    text = "\n".join(r.line() for r in found)
    assert_no_identity(text)
    assert "Town Hall, room 2" in text and "https://meet.example.org/rjc-panel" in text
    panel = next(r for r in found if r.record_id == PN1)
    assert panel.text == f"panel {PN1} on 2027-01-01 18:00-19:30 at Town Hall, room 2; cases: {C(1)}"


@pytest.mark.parametrize("today, due", [
    (dt.date(2026, 12, 29), False),  # 3 days ahead: not yet
    (dt.date(2026, 12, 30), True),  # 2 days ahead, across the year end
    (dt.date(2027, 1, 1), True),  # the day itself
    (dt.date(2027, 1, 2), False),  # past
])
def test_panel_reminder_across_the_year_end(today, due):
    found = [r for r in world().due(today) if r.kind == "panel" and r.record_id == PN1]
    assert bool(found) is due


def test_a_panel_past_its_day_without_a_record_is_reminded_to_its_coordinators_until_recorded():
    w = world()
    (line,) = [r.line() for r in w.due() if r.kind == "panel-unrecorded"]
    assert line == (f"2026-12-18  panel-unrecorded    panel {PN4} on 2026-12-18 18:00-19:30 has passed and is not "
                    f"recorded; cases: {C(1)}; run: rjc panel record {PN4}  [to KB]")
    assert not [r for r in w.due(dt.date(2026, 12, 18)) if r.kind == "panel-unrecorded"]  # the day itself
    w.panels[3] = w.panels[3].model_copy(update={"status": "held"})
    assert not [r for r in w.due() if r.kind == "panel-unrecorded"]


def test_panel_reminder_across_a_month_end_and_not_for_cancelled_panels():
    w = world()
    w.panels[0] = w.panels[0].model_copy(update={"date": dt.date(2027, 2, 1)})
    assert [r.due_date for r in w.due(dt.date(2027, 1, 30)) if r.record_id == PN1] == [dt.date(2027, 2, 1)]
    assert not [r for r in w.due(dt.date(2027, 1, 29)) if r.record_id == PN1]
    assert not [r for r in w.due(dt.date(2026, 12, 31)) if r.record_id == PN3]  # cancelled


@pytest.mark.parametrize("today, report", [
    (dt.date(2026, 12, 30), None),  # 6 days ahead of Jan 5: lead time is 5
    (dt.date(2026, 12, 31), ("report-2026-Q4", dt.date(2027, 1, 5))),
    (dt.date(2027, 1, 5), ("report-2026-Q4", dt.date(2027, 1, 5))),
    (dt.date(2027, 1, 6), None),
    (dt.date(2026, 6, 30), ("report-2026-Q2", dt.date(2026, 7, 5))),
    (dt.date(2026, 9, 30), ("report-2026-Q3", dt.date(2026, 10, 5))),
    (dt.date(2027, 3, 31), ("report-2027-Q1", dt.date(2027, 4, 5))),
    (dt.date(2027, 2, 15), None),
])
def test_quarterly_report(today, report):
    found = reminders.due([], [], [], [], settings(), today)
    assert [(r.record_id, r.due_date) for r in found] == ([report] if report else [])
    if report:
        assert found[0].recipients == ("KB", "MR")


def test_quarterly_report_text_names_the_quarter_in_each_kind_of_year():
    (found,) = reminders.due([], [], [], [], settings(), dt.date(2027, 1, 2))
    assert found.text == ("quarterly report for 2026-10-01 to 2026-12-31 (vermont FY2027 Q2, federal FY2027 Q1) "
                          "due 2027-01-05")


def test_lead_times_come_from_the_settings():
    w = world()
    w.settings.reminders.panel_days = 0
    w.settings.reminders.quarterly_report_days = 10
    w.settings.reminders.background_check_days = 5
    kinds = {(r.kind, r.record_id) for r in w.due()}
    assert ("panel", PN1) not in kinds
    assert ("background-check", V(4)) not in kinds
    assert ("quarterly-report", "report-2026-Q4") in {(r.kind, r.record_id) for r in w.due(dt.date(2026, 12, 26))}


def test_no_contact_re_arms_after_a_new_contact():
    w = world()
    case = w.get(C(3))
    assert [r.due_date for r in w.due() if r.kind == "no-contact"] == [dt.date(2026, 12, 15)]
    case.contacts.append(case.contacts[0].model_copy(update={"date": dt.date(2026, 12, 30)}))
    assert not [r for r in w.due() if r.kind == "no-contact"]
    later = [r for r in w.due(dt.date(2027, 1, 14)) if r.kind == "no-contact" and r.record_id == C(3)]
    assert [r.due_date for r in later] == [dt.date(2027, 1, 13)]  # a new occasion: sent again


def test_no_contact_without_contacts_counts_from_the_last_status_change():
    w = world()
    case = w.get(C(4))
    case.contacts = []
    assert [r.due_date for r in w.due(dt.date(2027, 1, 5)) if r.kind == "no-contact"
            and r.record_id == C(4)] == [dt.date(2027, 1, 5)]
    assert "no activity since 2026-12-22" in next(r.text for r in w.due(dt.date(2027, 1, 5)) if r.record_id == C(4)
                                                   and r.kind == "no-contact")


def test_victim_notice_stops_once_the_victims_are_told():
    w = world()
    w.get(C(4)).participants[1].notified = dt.date(2026, 12, 23)
    assert "victim-notice" not in {r.kind for r in w.due()}


def test_victim_notice_is_for_diversion_only():
    w = world()
    case = w.get(C(1))
    case.participants.append(case.participants[0].model_copy(update={"person": P(2), "role": "victim"}))
    assert [r.record_id for r in w.due() if r.kind == "victim-notice"] == [C(4)]


def test_referral_idle_stops_once_screened():
    w = world()
    assert [r.record_id for r in w.due(dt.date(2026, 12, 24)) if r.kind == "referral-idle"] == []
    w.get(R2).screening.decision = "declined"
    assert "referral-idle" not in {r.kind for r in w.due()}


def test_background_check_renewed_or_volunteer_inactive():
    w = world()
    volunteer = w.get(V(4))
    assert not [r for r in w.due(dt.date(2026, 12, 20)) if r.kind == "background-check"]  # 31 days ahead
    expired = [r for r in w.due(dt.date(2027, 2, 1)) if r.kind == "background-check"]
    assert [r.text for r in expired] == [f"{V(4)}: background check expired on 2027-01-20"]
    volunteer.background_checks.append(volunteer.background_checks[0].model_copy(
        update={"date": dt.date(2027, 1, 10), "expires": dt.date(2028, 1, 10)}))
    assert "background-check" not in {r.kind for r in w.due()}
    volunteer.background_checks.pop()
    volunteer.active = False
    assert "background-check" not in {r.kind for r in w.due()}


def test_circle_meeting_flagged_after_its_weekly_day_unless_logged():
    w = world()
    circle = w.get(C(5)).circle
    monday = dt.date(2026, 12, 28)
    assert not [r for r in w.due(monday) if r.kind == "circle-meeting"]  # it meets this evening
    found = [r for r in w.due(monday + dt.timedelta(days=1)) if r.kind == "circle-meeting"]
    assert [r.text for r in found] == [f"{C(5)}: no circle meeting logged for the week of 2026-12-28"]
    circle.meetings.append(circle.meetings[0].model_copy(update={"date": monday}))
    assert not [r for r in w.due() if r.kind == "circle-meeting"]
    circle.meetings.pop()
    circle.schedule = None  # no schedule on file: flagged from Friday
    assert not [r for r in w.due(TODAY) if r.kind == "circle-meeting"]
    assert [r.due_date for r in w.due(dt.date(2027, 1, 1)) if r.kind == "circle-meeting"] == [dt.date(2027, 1, 3)]
    circle.ended, circle.phase = dt.date(2026, 12, 27), "ended"
    assert not [r for r in w.due(dt.date(2027, 1, 1)) if r.kind == "circle-meeting"]


def test_mid_term_review_quiet_once_a_review_panel_is_on_the_calendar():
    w = world()
    assert "midterm-review" in {r.kind for r in w.due()}
    w.panels[1].docket[0].purpose = "mid-term-review"
    assert "midterm-review" not in {r.kind for r in w.due()}


def test_mid_term_review_comes_with_its_lead_time():
    w = world()
    agreement = w.get(C(2)).agreements[0]
    agreement.midterm_review = dt.date(2027, 1, 3)
    agreement.due = dt.date(2027, 2, 15)
    assert not [r for r in w.due(dt.date(2026, 12, 26)) if r.kind == "midterm-review"]
    assert [r.due_date for r in w.due(dt.date(2026, 12, 27)) if r.kind == "midterm-review"] == [dt.date(2027, 1, 3)]


def test_complete_agreements_and_closed_cases_remind_nothing():
    w = world()
    for item in w.get(C(3)).agreements[0].items:
        item.status = "completed"
    assert {r.kind for r in w.due() if r.record_id == C(3)} == {"no-contact"}
    case = w.get(C(3))
    case.status_history.append(case.status_history[-1].model_copy(update={"status": "closed"}))
    assert not [r for r in w.due() if r.record_id == C(3)]


# --- the command ----------------------------------------------------------------------------------


def test_remind_prints_ids_only(repo, rjc):
    root = save_world(repo, world()).root
    result = rjc("--records", root, "remind", "--as-of", "2026-12-31")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == len(EXPECTED)
    assert lines[0].startswith("2026-11-01  agreement-overdue ")
    assert f"{PN1} on 2027-01-01" in result.out
    assert_no_identity(result.out + result.err)
    assert result.err == ""


def test_remind_prints_nothing_when_nothing_is_due(repo, rjc):
    result = rjc("--records", repo.root, "remind", "--as-of", "2027-02-15")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_remind_only_reads(repo, rjc):
    repo = save_world(repo, world())
    commits = git(repo.root, "rev-list", "--count", "HEAD")
    with write_lock(repo.root, timeout=0.5):  # held by "another rjc": reminders do not wait for it
        result = rjc("--records", repo.root, "remind", "--as-of", "2026-12-31")
    assert result.code == 0 and result.out
    assert git(repo.root, "rev-list", "--count", "HEAD") == commits
    assert git(repo.root, "status", "--porcelain") == ""


def test_remind_bad_date_is_a_usage_error(repo, rjc):
    assert rjc("--records", repo.root, "remind", "--as-of", "31/12/2026").code == 2


def test_cron_line(repo, rjc):
    result = rjc("--records", repo.root, "remind", "--cron-line")
    assert result.code == 0
    cron = next(line for line in result.out.splitlines() if line and not line.startswith("#"))
    fields = cron.split()
    assert fields[:5] == ["15", "7", "*", "*", "*"]
    assert fields[5].startswith("/") and (fields[5].endswith("/rjc") or fields[6:8] == ["-m", "rjc"])
    assert cron.endswith(f"--records {repo.root} remind --email")
    assert "ExecStart=/" in result.out and f"--records {repo.root} remind --email" in result.out
    assert "OnCalendar=" in result.out and "Persistent=true" in result.out
    assert "[Install]\nWantedBy=timers.target" in result.out


def test_a_closed_case_without_its_surveys_is_reminded_by_ids_for_thirty_days():
    w = world()
    (reminder,) = [r for r in w.due() if r.kind == "survey"]
    assert reminder.line() == (f"2026-12-25  survey              {C(7)}: no participant survey and no victim survey "
                               f"from {P(2)} since it closed on 2026-11-25; rjc survey record {C(7)}  [to KB]")
    assert not [r for r in w.due(dt.date(2026, 12, 24)) if r.kind == "survey"]  # not yet
    assert not [r for r in w.due(dt.date(2027, 1, 24)) if r.kind == "survey"]  # let go after 30 days
    w.get(C(7)).surveys.append(SurveyResponse.new(kind="victim", date="2026-12-01", person=P(2),
                                                  answers={"felt_safe": "yes"}))
    (reminder,) = [r for r in w.due() if r.kind == "survey"]
    assert reminder.text == f"{C(7)}: no participant survey since it closed on 2026-11-25; rjc survey record {C(7)}"
    w.cases[-1].surveys.append(w.cases[-1].surveys[0].model_copy(update={"kind": "participant", "person": None}))
    assert not [r for r in w.due() if r.kind == "survey"]
