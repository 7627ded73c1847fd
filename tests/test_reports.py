"""The quarterly report, measure by measure, against answers worked out by hand.

The fixture is a small center in Vermont FY2027 Q1 (July-September 2026), compared with
FY2026 Q4 (April-June 2026). Every expected number below is counted from the records in
`report_repo` by hand; the comments say which records make it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import C2, C3, C4, C6, P, Q, closure_of, fixture_records, status_entries

from rjc.model import SCHEMA_VERSION, Case, Person, report_facts
from rjc.model.vocab import Program
from rjc.outputs.reports import data, measures, quarterly, window
from rjc.storage import layout


@pytest.fixture
def report(report_repo) -> quarterly.Quarterly:
    records = data.load(report_repo)
    return quarterly.build(records, window.choose(quarter="2027Q1", year="vermont"))


def values(report: quarterly.Quarterly, measure: str, period: str = Q) -> dict:
    return {r.breakdown: r.value for r in report.rows if r.measure == measure and r.period == period}


def D(text: str) -> Decimal:
    return Decimal(text)


# --- the measures, one by one ------------------------------------------------------------------


def test_fixture_passes_rjc_check(report_repo):
    from rjc.checks import check_repository

    assert [p for p in check_repository(report_repo.root) if p.level == "error"] == []


def test_periods_of_the_report(report):
    assert (report.current.start, report.current.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert (report.previous.start, report.previous.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert {r.period for r in report.rows} == {Q, P}


def test_referrals_by_received_date(report):
    # Q: R2 court 07-01 (first day), R3 court, R4 states-attorney, R5 school 09-30 (last day, declined);
    # R6 (10-01) is next quarter. P: R1 police, R7 self.
    by_source = values(report, "referrals_by_source")
    assert by_source["total"] == 4
    assert {k: v for k, v in by_source.items() if v and k != "total"} == {"court": 2, "states-attorney": 1, "school": 1}
    assert values(report, "referrals_by_source", P)["total"] == 2
    assert values(report, "referrals_by_source", P)["police"] == 1 and values(report, "referrals_by_source", P)["self"] == 1
    by_program = values(report, "referrals_by_program")
    assert (by_program["total"], by_program["restorative-panel"], by_program["mediation"]) == (4, 3, 1)


def test_referrals_by_agency(report):
    # Q: R2 and R3 from Windsor County Court (on file; R3 also has text, the organization counts),
    # R4 "Windsor County SA" typed (not on file), R5 none. P: R1 Hartford Police Department, R7 none.
    # The bakery on file referred nothing and is no category; Hartford, found in P only, is 0 in Q.
    assert list(values(report, "referrals_by_agency").items()) == [
        ("total", 4), ("Hartford Police Department", 0), ("Windsor County Court", 2),
        ("other (not on file)", 1), ("not recorded", 1)]
    assert values(report, "referrals_by_agency", P) == {
        "total": 2, "Hartford Police Department": 1, "Windsor County Court": 0, "other (not on file)": 0,
        "not recorded": 1}
    assert measures.MEASURES["referrals_by_agency"].additive


def test_cases_opened_active_and_closed(report):
    opened = values(report, "cases_opened")  # C2, C3 (restorative), C4 (mediation), C11 (star)
    assert {k: v for k, v in opened.items() if v} == {"total": 4, "restorative-panel": 2, "mediation": 1, "star": 1}
    assert values(report, "cases_opened", P)["total"] == 3  # C1, C5, C10
    # open at 09-30: C2, C6 (restorative), C4, C5, C9, C10, C11; C1 closed on the quarter's last day is not
    active = values(report, "cases_active")
    assert {k: v for k, v in active.items() if v} == {"total": 7, "restorative-panel": 2, "mediation": 1,
                                                       "victim-support": 1, "cosa": 1, "star": 2}
    active_before = values(report, "cases_active", P)  # 06-30: C1, C6, C8, C5, C9, C10
    assert {k: v for k, v in active_before.items() if v} == {"total": 6, "restorative-panel": 3, "victim-support": 1,
                                                              "cosa": 1, "star": 1}


def test_closures_by_reason_count_a_closure_on_the_last_day(report):
    closures = values(report, "closures_by_reason")  # C1 on 09-30, C3 on 08-20, C8 on 09-20
    assert {k: v for k, v in closures.items() if v} == {"total": 3, "completed-successfully": 1, "no-contact": 1,
                                                         "returned-non-compliance": 1}
    # all three are restorative panel cases; no other program closed a case: its share is n/a
    assert values(report, "completed_successfully_pct") == {
        "total": D("33.3"), "restorative-panel": D("33.3"), **{p.value: None for p in Program
                                                                if p != Program.RESTORATIVE_PANEL}}
    assert values(report, "closures_by_reason", P)["total"] == 0
    assert set(values(report, "completed_successfully_pct", P).values()) == {None}  # no closures: n/a


def calculated(records: list, quarter: str = "2027Q1") -> dict:
    """(measure, breakdown) -> value for the quarter, from these models (as the report reads them)."""
    models = {kind: [r for r in records if r.kind == kind] for kind in ("case", "referral", "panel")}
    found = data.Records(cases=[report_facts.facts_of(c) for c in models["case"]],
                         referrals=[report_facts.facts_of(r) for r in models["referral"]],
                         panels=[report_facts.facts_of(p) for p in models["panel"]])
    w = window.choose(quarter=quarter, year="vermont")
    return {(r.measure, r.breakdown): r.value for r in measures.Calculator(found).rows(w)}


def changed(records: list, record_id: str, **fields) -> list:
    """The records, with one of them changed (validated again)."""
    return [type(r).model_validate({**r.model_dump(by_alias=True), **fields}) if r.id == record_id else r
            for r in records]


def test_referrals_by_screening_decision_at_the_end_of_the_period(report):
    # Q: R2, R3, R4 accepted on the day received; R5 declined on 09-30, the last day. P: R1, R7 accepted.
    assert values(report, "referrals_by_decision") == {"total": 4, "accepted": 3, "declined": 1, "returned": 0,
                                                       "pending": 0}
    assert values(report, "referrals_by_decision", P) == {"total": 2, "accepted": 2, "declined": 0, "returned": 0,
                                                          "pending": 0}
    # decided only after the quarter: pending in it, and decided in the report of the quarter after
    later = changed(fixture_records(), "R-2026-KB-0004", screening={
        "decision": "returned", "date": "2026-10-02", "by": "KB", "reason": "sent back"})
    assert calculated(later)[("referrals_by_decision", "pending")] == 1
    assert calculated(later)[("referrals_by_decision", "declined")] == 0


def test_closures_and_the_success_share_by_program(report):
    assert {k: v for k, v in values(report, "closures_by_program").items() if v} == {"total": 3, "restorative-panel": 3}
    assert {k: v for k, v in values(report, "closures_successful_by_program").items() if v} == {
        "total": 1, "restorative-panel": 1}
    assert values(report, "closures_without_taking_part")["total"] == 0  # no-contact is not one of them
    assert values(report, "completed_successfully_pct_of_participants")["total"] == D("33.3")
    # C3 (no-contact) declined instead, and C8 a diversion case closed as ineligible:
    records = changed(fixture_records(), C3, status_history=status_entries(
        ("intake", "2026-07-16"), ("closed", "2026-08-20", "declined")), closure=closure_of("2026-08-20", "declined"))
    records = changed(records, "C-2022-MR-0001", program="pre-charge-diversion", status_history=status_entries(
        ("intake", "2022-01-10"), ("closed", "2026-09-20", "ineligible"), by="MR"), agreements=[],
        closure=closure_of("2026-09-20", "ineligible", "MR"), diversion={"return_by": "2022-04-10"})
    found = calculated(records)
    assert (found[("closures_by_program", "restorative-panel")], found[("closures_by_program", "pre-charge-diversion")],
            found[("closures_without_taking_part", "total")]) == (2, 1, 2)
    assert found[("completed_successfully_pct", "total")] == D("33.3")  # 1 of 3
    assert found[("completed_successfully_pct", "restorative-panel")] == D("50.0")  # 1 of 2
    assert found[("completed_successfully_pct", "pre-charge-diversion")] == D("0.0")  # the diversion rate alone
    assert found[("completed_successfully_pct_of_participants", "total")] == D("100.0")  # 1 of 3 - 2
    assert found[("completed_successfully_pct_of_participants", "pre-charge-diversion")] is None  # 0 of 1 - 1


def test_agreements_signed_and_completed(report):
    # Q: C1 07-10, C2 08-01 and 09-15 (a second agreement counts too); P: none (C8's was in 2022)
    assert values(report, "agreements") == {"signed": 3, "completed": 0}  # C1's service item is still pending
    assert values(report, "agreements", P)["signed"] == 0
    # C1's service item completed on 08-16: the agreement is complete on 09-30, when its restitution was
    case = next(r for r in fixture_records() if r.id == "C-2026-KB-0001")
    agreements = case.model_dump()["agreements"]
    agreements[0]["items"][1] |= {"status": "completed", "completed": "2026-08-16"}
    assert calculated(changed(fixture_records(), case.id, agreements=agreements))[("agreements", "completed")] == 1
    # C2's second agreement, its one item waived on 10-03: complete in the quarter after, not in this one
    c2 = next(r for r in fixture_records() if r.id == C2)
    agreements = c2.model_dump()["agreements"]
    agreements[1]["items"][0] |= {"status": "waived", "decided": "2026-10-03"}
    records = changed(fixture_records(), C2, agreements=agreements)
    assert calculated(records)[("agreements", "completed")] == 0
    assert calculated(records, "2027Q2")[("agreements", "completed")] == 1


def test_a_fact_counts_from_the_day_it_became_true():
    from rjc.outputs.reports.facts import choice_on, item_status_on, resolution_on

    case = next(r for r in fixture_records() if r.id == C2)
    victim = case.model_dump()["participants"][1] | {
        "participation": "attend", "decided": "2026-10-20",
        "earlier_choices": [{"choice": "undecided"}, {"choice": "written-statement-shared", "date": "2026-08-01"}]}
    participants = [*case.model_dump()["participants"][:1], victim, *case.model_dump()["participants"][2:]]
    facts = report_facts.facts_of(changed([case], C2, participants=participants)[0])
    for record in (facts, changed([case], C2, participants=participants)[0]):  # the facts, and the model
        p = record.participants[1]
        assert [choice_on(p, dt.date(*d)) for d in ((2026, 7, 1), (2026, 8, 1), (2026, 10, 19), (2026, 10, 20))] == [
            "undecided", "written-statement-shared", "written-statement-shared", "attend"]
    mediation = next(r for r in fixture_records() if r.id == C4)
    resolved = changed([mediation], mediation.id, resolution="partial", resolved="2026-09-12",
                       earlier_resolutions=[{"resolution": "none", "date": "2026-08-25"}])[0]
    assert [resolution_on(report_facts.facts_of(resolved), dt.date(2026, 8, d)) for d in (24, 25)] == [None, "none"]
    assert resolution_on(resolved, dt.date(2026, 9, 12)) == "partial"
    item = case.agreements[0].items[0].model_copy(update={"status": "waived", "decided": dt.date(2026, 10, 15)})
    assert [item_status_on(item, dt.date(2026, m, d)) for m, d in ((8, 31), (9, 1), (10, 15))] == [
        "pending", "in-progress", "waived"]  # paid 50.00 on 09-01


def test_restitution_paid_split_by_to_whom(report):
    # Q: 100 + 200 to C1's victim, 50 to C2's: all to victims
    assert values(report, "restitution_paid_to") == {
        "total": D("350.00"), "victim": D("350.00"), "other payee": D("0.00"), "not recorded": D("0.00")}
    # the insurer paid 30.00 on 09-05 (C2's second item names it as payee)
    case = next(r for r in fixture_records() if r.id == C2)
    agreements = case.model_dump()["agreements"]
    agreements[0]["items"][1]["payments"] = [{"id": "k3v9q2m7xw", "date": "2026-09-05", "amount": "30.00"}]
    found = calculated(changed(fixture_records(), C2, agreements=agreements))
    assert [found[("restitution_paid_to", k)] for k in ("total", "victim", "other payee", "not recorded")] == [
        D("380.00"), D("350.00"), D("30.00"), D("0.00")]


def test_victims_who_attended_a_panel_or_took_part_in_a_dialogue(report):
    # Q: P2, C1's victim, was present at the panel held on 07-08; no victim took part in a session
    assert values(report, "victims_attended") == {"total": 1, "attended a panel": 1, "took part in a dialogue": 0}
    assert values(report, "victims_attended", P) == {"total": 0, "attended a panel": 0, "took part in a dialogue": 0}
    # a family group conference on 09-12 with C2's victims P4 and P5 present, and its responsible party
    records = changed(fixture_records(), C2, program="family-group-conferencing", sessions=[
        {"id": "a7k2m9q4zx", "date": "2026-09-12", "minutes": 90,
         "attended": ["P-2026-KB-0003", "P-2026-KB-0004", "P-2026-KB-0005"]}])
    # and the cancelled panel that had C2 on its docket counts nobody, whoever was written down
    records = changed(records, "PN-2026-KB-0003", docket=[{"case": C2, "attended": ["P-2026-KB-0004"]}])
    found = calculated(records)
    assert [found[("victims_attended", k)] for k in ("total", "attended a panel", "took part in a dialogue")] == [
        3, 1, 2]


def test_days_from_referral(report):
    # to the first agreement: C1 06-20 -> 07-10 = 20, C2 07-01 -> 08-01 = 31 (its second agreement is not counted)
    assert values(report, "days_referral_to_agreement") == {"median": D("25.5"), "cases": 2}
    assert values(report, "days_referral_to_agreement", P) == {"median": None, "cases": 0}
    # to closure: C3 36, C1 102, C8 (no referral: from opening 2022-01-10) 1714
    assert values(report, "days_referral_to_closure") == {"median": 102, "cases": 3}


def test_victims_new_and_continuing(report):
    # Q: P2 (contact 07-05), P4, P5 (C2 opened), P9 (service 09-15) are NEW in federal FY2026;
    # P11 was first served in 2025-08 (federal FY2025): continuing. P14 (C8, 2022) was not served in Q.
    assert values(report, "victims_served") == {"total": 5, "new": 4, "continuing": 1}
    assert values(report, "victims_served", P) == {"total": 2, "new": 2, "continuing": 0}  # P2, P9


def test_a_victim_new_in_one_federal_year_is_continuing_in_the_next(report_repo):
    records = data.load(report_repo)
    october = quarterly.build(records, window.choose(quarter="2027Q2", year="vermont"))  # Oct-Dec 2026
    # P9 was NEW in federal FY2026 (first served 2026-05-06) and is served again on 2026-10-20
    assert values(october, "victims_served", "Vermont FY2027 Q2") == {"total": 1, "new": 0, "continuing": 1}
    assert values(october, "new_victims_gender", "Vermont FY2027 Q2") == {"total": 0, "woman": 0, "man": 0,
                                                                         "not recorded": 0}


def test_demographics_of_new_victims_only(report):
    # NEW in Q: P2 (woman, 25-59, White), P4 (man, 60+, White and Asian, veteran), P5 (none recorded),
    # P9 (woman, 18-24, Black, Hispanic, hearing); P11 (continuing) is not counted
    assert values(report, "new_victims_gender") == {"total": 4, "man": 1, "woman": 2, "not recorded": 1}
    assert list(values(report, "new_victims_gender")) == ["total", "man", "woman", "not recorded"]
    assert values(report, "new_victims_race") == {"total": 4, "Asian": 1, "Black or African American": 1,
                                                  "White": 2, "not recorded": 1}
    assert values(report, "new_victims_veteran") == {"total": 4, "no": 2, "yes": 1, "not recorded": 1}
    assert values(report, "new_victims_ethnicity") == {"total": 4, "Hispanic or Latino": 1,
                                                       "Not Hispanic or Latino": 1, "not recorded": 2}
    assert values(report, "new_victims_disability") == {"total": 4, "hearing": 1, "not recorded": 3}
    # P: P2 and P9, both women; a category of the other period is shown as 0
    assert values(report, "new_victims_gender", P) == {"total": 2, "man": 0, "woman": 2, "not recorded": 0}


def test_victims_participation_and_taking_part(report):
    # cases open in Q with victims: C1 P2 attend; C2 P4 shared statement, P5 none, P11 undecided;
    # C8 (closed 09-20) P14 not-participate
    assert values(report, "victims_participation") == {
        "total": 5, "attend": 1, "written-statement-shared": 1, "written-statement-panel-only": 0,
        "not-participate": 1, "undecided": 1, "not recorded": 1}
    assert values(report, "victims_took_part") == {"total": 2}
    assert values(report, "victims_participation", P)["total"] == 2  # C1 P2, C8 P14
    assert values(report, "victims_took_part", P) == {"total": 1}


def test_victims_compensated_on_cases_closed(report):
    # closed in Q: C1 (P2 owed 300, paid 100 + 200, the 200 on the closing day: compensated),
    # C8 (P14 owed 1000, paid 100: not)
    assert values(report, "victims_compensated") == {"owed": 2, "compensated": 1, "percent": D("50.0")}
    assert values(report, "victims_compensated", P) == {"owed": 0, "compensated": 0, "percent": None}


def test_restitution_ordered_paid_outstanding_and_aging(report):
    # ordered: C1 300 (07-10), C2 500 + 80 (08-01) + 40 (09-15)
    assert values(report, "restitution_ordered") == {"amount": D("920.00"), "items": 4}
    # paid: 100 (08-01) + 200 (09-30, the quarter's last day) + 50 (09-01); not C2's 25 on 10-01
    assert values(report, "restitution_paid") == {"amount": D("350.00"), "payments": 3}
    assert values(report, "restitution_paid", P) == {"amount": D("0.00"), "payments": 0}
    # at 09-30: C2 450 + 80 (signed 08-01: exactly 60 days) and 40 (09-15: 15 days); C8 900 (2022: 4+ years)
    assert values(report, "restitution_outstanding") == {
        "total": D("1470.00"), "<60 days": D("40.00"), "60 days-2 years": D("530.00"), "2-4 years": D("0.00"),
        "4+ years": D("900.00")}
    assert values(report, "restitution_items_outstanding") == {
        "total": 4, "<60 days": 1, "60 days-2 years": 2, "2-4 years": 0, "4+ years": 1}
    assert values(report, "restitution_outstanding_to") == {
        "total": D("1470.00"), "victim": D("1390.00"), "other payee": D("80.00"), "not recorded": D("0.00")}
    assert values(report, "restitution_outstanding", P)["total"] == D("900.00")  # C1 and C2 not yet signed


def test_aging_buckets_at_their_edges():
    from rjc.outputs.reports.restitution import age

    day = dt.date(2026, 9, 30)
    assert age(dt.date(2026, 8, 2), day) == "<60 days"  # 59 days
    assert age(dt.date(2026, 8, 1), day) == "60 days-2 years"  # 60 days
    assert age(dt.date(2024, 10, 1), day) == "60 days-2 years"
    assert age(dt.date(2024, 9, 30), day) == "2-4 years"  # exactly two years
    assert age(dt.date(2022, 10, 1), day) == "2-4 years"
    assert age(dt.date(2022, 9, 30), day) == "4+ years"  # exactly four years
    assert age(dt.date(2024, 2, 29), dt.date(2026, 2, 28)) == "2-4 years"  # Feb 29 two years on


def test_community_service(report):
    assert values(report, "community_service") == {"hours ordered": 10, "hours logged": 10,
                                                   "cases with hours logged": 1}
    assert values(report, "community_service", P) == {"hours ordered": 0, "hours logged": 0,
                                                      "cases with hours logged": 0}


def test_volunteers_and_panels(report):
    # Q: PN1 (07-08, 2 h): V1 2 (the panel's length), V2 1.5 (her seat's hours), V3 absent;
    # circle meetings 07-02 (2 h: V1, V2) and 08-06 (1.5 h: V3). PN3 was cancelled.
    active = values(report, "volunteers_active")
    assert {k: v for k, v in active.items() if v} == {"total": 3, "restorative-panel": 2, "cosa": 3}
    hours = values(report, "volunteer_hours_by_program")
    assert {k: v for k, v in hours.items() if v} == {"total": 9, "restorative-panel": D("3.5"), "cosa": D("5.5")}
    assert values(report, "panels_held")["total"] == 1
    # P: PN2 (06-10, 1.5 h, three seats) and the 06-25 meeting (1.5 h, three volunteers)
    assert {k: v for k, v in values(report, "volunteer_hours_by_program", P).items() if v} == {
        "total": 9, "restorative-panel": D("4.5"), "cosa": D("4.5")}
    assert values(report, "volunteer_hours_by_quarter") == {
        "Vermont FY2026 Q2": 0, "Vermont FY2026 Q3": 0, "Vermont FY2026 Q4": 9, "Vermont FY2027 Q1": 9}
    assert values(report, "volunteer_hours_by_quarter", P) == {}  # a series: for the period only


def test_cosa_star_and_mediation(report):
    assert values(report, "cosa") == {"circles active": 1, "meetings": 2, "meeting hours": D("3.5"),
                                      "volunteer hours": D("5.5")}
    assert values(report, "cosa", P) == {"circles active": 1, "meetings": 1, "meeting hours": D("1.5"),
                                         "volunteer hours": D("4.5")}
    # C10 ran to 08-31, C11 started 09-01 with the same host written differently
    assert values(report, "star") == {"interns": 2, "host businesses": 1, "hours worked": D("28.5")}
    assert values(report, "star", P) == {"interns": 1, "host businesses": 1, "hours worked": 20}
    assert values(report, "mediation_sessions") == {"sessions held": 2, "cases": 1}
    assert values(report, "mediation_outcomes") == {"total": 1, "agreement": 1, "partial": 0, "none": 0,
                                                    "no outcome yet": 0}
    assert values(report, "conference_sessions") == {"sessions held": 0, "cases": 0}


def test_records_current(report):
    # open at 09-30: seven cases; only C6 (intake on 03-01, nothing since) had no activity in Q
    assert values(report, "records_current") == {"open cases": 7, "no activity in the period": 1}
    assert values(report, "cases_without_activity") == {C6: 213}
    assert values(report, "cases_without_activity", P) == {}  # the list is for the period only
    assert values(report, "records_current", P) == {"open cases": 6, "no activity in the period": 1}


def test_breakdowns_add_up_to_their_totals(report):
    for key, measure in measures.MEASURES.items():
        if not measure.additive:
            continue
        for period in (Q, P):
            found = values(report, key, period)
            assert found["total"] == sum(v for k, v in found.items() if k != "total"), (key, period)
    assert values(report, "referrals_by_source")["total"] == values(report, "referrals_by_program")["total"]
    assert values(report, "closures_by_reason")["total"] == values(report, "days_referral_to_closure")["cases"]
    assert values(report, "victims_served")["new"] == values(report, "new_victims_gender")["total"]
    assert values(report, "cases_active")["total"] == values(report, "records_current")["open cases"]


# --- the records a report holds -----------------------------------------------------------------


def test_people_are_loaded_only_when_asked_for(report_repo, monkeypatch):
    from rjc.cache import Entry

    loaded_people = []  # by the report, after rjc check (which reads every record)
    load, check = Entry.load, data.check_repository

    def watched(entry, root):
        if entry.path.startswith("people/"):
            loaded_people.append(entry.path)
        return load(entry, root)

    def check_then_watch(*args, **kwargs):
        problems = check(*args, **kwargs)
        monkeypatch.setattr(Entry, "load", watched)
        return problems

    monkeypatch.setattr(data, "check_repository", check_then_watch)
    records = data.load(report_repo)
    assert loaded_people == []
    assert sorted(records.people) == sorted(r.id for r in fixture_records() if isinstance(r, Person))
    assert records.people["P-2026-KB-0002"] == report_repo.get("P-2026-KB-0002")
    assert records.people.get("P-2026-KB-0999") is None
    assert loaded_people == ["people/2026/KB/P-2026-KB-0002.yaml"]


def _models(repo, kind: str) -> list:
    return sorted((r.record for r in repo.load_all([layout.KINDS[kind]]) if r.record is not None), key=lambda r: r.id)


@pytest.mark.parametrize("records_of", ["report_repo", "sample_repo"])
def test_reports_read_the_facts_kept_in_the_cache_and_say_what_the_records_say(records_of, request):
    from rjc.outputs.reports import caseload, render, restitution, volunteers

    repo = request.getfixturevalue(records_of)
    records = data.load(repo)
    again = data.load(repo)  # from the cache this time
    for kind, found in (("case", records.cases), ("referral", records.referrals), ("panel", records.panels),
                        ("volunteer", records.volunteers), ("organization", records.organizations)):
        assert found == [report_facts.facts_of(record) for record in _models(repo, kind)]
        assert found == getattr(again, kind + "s")
    case = next(c for c in records.cases if c.agreements)
    with pytest.raises(AttributeError):  # held as loaded: a report cannot change what it reads
        case.agreements[0].due = dt.date(2030, 1, 1)

    whole = data.Records(cases=_models(repo, "case"), referrals=records.referrals, panels=_models(repo, "panel"),
                         organizations=records.organizations,
                         people=records.people, settings=records.settings)
    day, chosen = dt.date(2026, 11, 24), window.choose(quarter="2027Q1", year="vermont")
    for build in (lambda r: quarterly.build(r, chosen, today=day), lambda r: quarterly.build(r, chosen, threshold=5, today=day),
                  lambda r: restitution.report(r, day, to_whom=True), lambda r: volunteers.report(r, chosen, today=day),
                  lambda r: caseload.report(r, day)):
        for fmt in ("json", "csv"):
            assert render.render(build(records), fmt) == render.render(build(whole), fmt)


def test_a_reopened_case_keeps_its_earlier_closure(repo):
    from rjc.outputs.reports import facts

    case = Case(id="C-2026-KB-0009", schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB",
                opened="2026-07-01", participants=[{"person": "P-2026-KB-0001", "role": "responsible-party"}],
                status_history=status_entries(("intake", "2026-07-01"), ("closed", "2026-07-10", "no-contact: gone"),
                                       ("intake", "2026-08-01"), ("closed", "2026-11-02", "withdrawn")),
                closure=closure_of("2026-11-02", "withdrawn"))
    assert facts.closures(case) == [(dt.date(2026, 7, 10), "no-contact"), (dt.date(2026, 11, 2), "withdrawn")]
    assert facts.open_on(case, dt.date(2026, 7, 31)) is False and facts.open_on(case, dt.date(2026, 8, 1)) is True


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind, start, end, name", [
    ("2026Q3", "vermont", "2026-01-01", "2026-03-31", "Vermont FY2026 Q3"),
    ("2026Q1", "vermont", "2025-07-01", "2025-09-30", "Vermont FY2026 Q1"),
    ("FY2026 Q3", "federal", "2026-04-01", "2026-06-30", "Federal FY2026 Q3"),
    ("2026q1", "federal", "2025-10-01", "2025-12-31", "Federal FY2026 Q1"),
    ("2026-Q3", "calendar", "2026-07-01", "2026-09-30", "2026 Q3"),
])
def test_quarters_are_named_by_the_year_they_belong_to(text, kind, start, end, name):
    from rjc.model import periods

    found = periods.parse_quarter(text, kind)
    assert (found.start.isoformat(), found.end.isoformat(), periods.quarter_name(found, kind)) == (start, end, name)


def test_previous_and_default_periods():
    from rjc.model import periods

    assert periods.last_complete_quarter(dt.date(2026, 10, 1), "vermont").label == "FY2027 Q1"
    assert periods.last_complete_quarter(dt.date(2026, 9, 30), "vermont").label == "FY2026 Q4"
    assert periods.last_complete_quarter(dt.date(2026, 1, 5), "calendar").label == "2025 Q4"
    months = periods.preceding(periods.Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30), ""))
    assert (months.start, months.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    days = periods.preceding(periods.Period(dt.date(2026, 7, 5), dt.date(2026, 7, 14), ""))
    assert (days.start, days.end) == (dt.date(2026, 6, 25), dt.date(2026, 7, 4))
    for bad in ("2026Q5", "2026Q0", "Q3", "26Q3"):
        with pytest.raises(ValueError):
            periods.parse_quarter(bad, "vermont")


DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31))


@given(day=DAYS, kind=st.sampled_from(["vermont", "federal", "calendar"]))
@settings(max_examples=300, deadline=None)
def test_every_day_is_in_exactly_one_quarter_of_each_kind_of_year(day, kind):
    from rjc.model import periods

    year = periods.fiscal_year(day, kind)
    named = int(year.label.removeprefix("FY"))
    quarters = [periods.fiscal_quarter(named, n, kind) for n in (1, 2, 3, 4)]
    assert [q for q in quarters if day in q] == [periods.quarter(day, kind)]
    # the four quarters tile their year: no gap, no overlap, three months each
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    for earlier, later in zip(quarters, quarters[1:]):
        assert later.start == earlier.end + dt.timedelta(days=1)
    assert all(periods.quarter(q.start, kind) == periods.quarter(q.end, kind) == q for q in quarters)
    assert all((q.end.year - q.start.year) * 12 + q.end.month - q.start.month == 2 for q in quarters)
