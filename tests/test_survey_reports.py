"""The quarterly report's survey section, against figures worked out by hand, with the
suppression of a public report; free-text answers never reach a report."""

from __future__ import annotations

from decimal import Decimal

from report_fixtures import closure_of, status_entries

from rjc.model import SCHEMA_VERSION, Case, report_facts
from rjc.model.entries import stable_id
from rjc.outputs.reports import data, measures, suppress, window

# Vermont FY2027 Q1: July to September 2026
RP, VICTIM = "responsible-party", "victim"


def _case(number: int, program: str, closed: str, surveys: list[dict], victim_choice: str | None = None) -> Case:
    participants = [{"person": f"P-2026-KB-{number:04d}", "role": RP}]
    if victim_choice:
        participants.append({"person": f"P-2026-KB-{number + 50:04d}", "role": VICTIM,
                             "participation": victim_choice, "decided": "2026-06-05"})
    return Case(id=f"C-2026-KB-{number:04d}", schema_version=SCHEMA_VERSION, program=program, coordinator="KB",
                opened="2026-06-01", participants=participants,
                status_history=status_entries(("intake", "2026-06-01"), ("closed", closed, "completed-successfully")),
                closure=closure_of(closed, "completed-successfully"),
                surveys=[{"id": stable_id(number, i), **s} for i, s in enumerate(surveys)])


def survey_records() -> list[Case]:
    return [
        # D1: diversion closed in the quarter; its participant and its victim (who attended) answered
        _case(1, "pre-charge-diversion", "2026-08-10", [
            {"kind": "participant", "date": "2026-08-15", "answers": {
                "felt_heard": "5", "would_recommend": "yes", "agreement_fair": "about-right",
                "comments": "Thank you Ana"}},
            {"kind": "victim", "date": "2026-08-20", "person": "P-2026-KB-0051", "answers": {
                "felt_heard": "4", "felt_safe": "yes", "how_took_part": "attended"}}], victim_choice="attend"),
        # D2: diversion closed in the quarter; its survey came back only after it; its victim did not take part
        _case(2, "pre-charge-diversion", "2026-09-05", [
            {"kind": "participant", "date": "2026-10-02", "answers": {"felt_heard": "1"}}],
            victim_choice="not-participate"),
        # D3: diversion closed in the quarter, answered in it
        _case(3, "pre-charge-diversion", "2026-07-20", [
            {"kind": "participant", "date": "2026-07-25", "answers": {
                "felt_heard": "2", "would_recommend": "no", "agreement_fair": "too-hard"}}]),
        # D4: a restorative panel case asks for no survey, but the one returned counts
        _case(4, "restorative-panel", "2026-09-10", [
            {"kind": "participant", "date": "2026-09-12", "answers": {
                "felt_heard": "4", "would_recommend": "yes", "agreement_fair": "about-right"}}]),
        # D5: diversion closed in the quarter before, answered in this one
        _case(5, "pre-charge-diversion", "2026-06-10", [
            {"kind": "participant", "date": "2026-07-05", "answers": {"felt_heard": "3"}}]),
    ]


def rows(records: list[Case]) -> list[measures.Row]:
    found = data.Records(cases=[report_facts.facts_of(c) for c in records])
    return measures.Calculator(found).rows(window.choose(quarter="2027Q1", year="vermont"))


def values(found: list[measures.Row], measure: str) -> dict:
    return {r.breakdown: r.value for r in found if r.measure == measure}


def test_the_survey_section_against_hand_computed_figures():
    found = rows(survey_records())
    # returned in the quarter: D1, D3, D4, D5 (participant; D2's came in October), D1's victim
    assert values(found, "survey_responses") == {"total": 5, "participant": 4, "victim": 1}
    # asked: the diversion cases closed in the quarter (D1, D2, D3), of them returned by 09-30: D1, D3;
    # victims who took part on cases closed in it: D1's, who answered
    assert values(found, "survey_response_rate") == {
        "participant asked": 3, "participant returned": 2, "participant percent": Decimal("66.7"),
        "victim asked": 1, "victim returned": 1, "victim percent": Decimal("100.0")}
    scales = values(found, "participant_survey_scales")
    assert scales["felt_heard: answers"] == 4  # 5, 2, 4, 3
    assert scales["felt_heard: average"] == Decimal("3.5")
    assert (scales["treated_fairly: answers"], scales["treated_fairly: average"]) == (0, None)
    victim = values(found, "victim_survey_scales")
    assert (victim["felt_heard: answers"], victim["felt_heard: average"]) == (1, Decimal("4.0"))
    yes_no = values(found, "participant_survey_yes_no")
    assert [yes_no[f"would_recommend: {b}"] for b in ("answers", "yes", "percent yes")] == [3, 2, Decimal("66.7")]
    victim = values(found, "victim_survey_yes_no")
    assert [victim[f"felt_safe: {b}"] for b in ("answers", "yes", "percent yes")] == [1, 1, Decimal("100.0")]
    assert values(found, "participant_survey_choices") == {
        "agreement_fair: total": 3, "agreement_fair: too-hard": 1, "agreement_fair: about-right": 2,
        "agreement_fair: too-easy": 0}
    assert values(found, "victim_survey_choices") == {
        "how_took_part: total": 1, "how_took_part: attended": 1, "how_took_part: statement": 0,
        "how_took_part: other": 0}


def test_free_text_answers_never_reach_the_report():
    records = survey_records()
    facts = report_facts.facts_of(records[0])
    assert dict(facts.surveys[0].answers) == {"felt_heard": "5", "would_recommend": "yes",
                                              "agreement_fair": "about-right"}
    found = rows(records)
    assert not any("comments" in r.breakdown or "Ana" in str(r.value) for r in found)


def test_small_survey_counts_are_suppressed_in_a_public_report():
    public = suppress.suppress(rows(survey_records()), 5)
    assert values(public, "survey_responses") == {"total": 5, "participant": "<5", "victim": "<5"}
    assert values(public, "survey_response_rate")["participant percent"] == "suppressed"
    scales = values(public, "participant_survey_scales")
    assert (scales["felt_heard: answers"], scales["felt_heard: average"]) == ("<5", "suppressed")
    assert scales["treated_fairly: average"] is None  # nothing answered: nothing to hide
    assert values(public, "participant_survey_yes_no")["would_recommend: percent yes"] == "suppressed"
    # at 2, one hidden option of a question shown in total would be given away by subtraction
    choices = values(suppress.suppress(rows(survey_records()), 2), "participant_survey_choices")
    assert [choices[f"agreement_fair: {b}"] for b in ("total", "too-hard", "about-right", "too-easy")] == [
        3, "<2", "suppressed", 0]
    assert values(suppress.suppress(rows(survey_records()), 2), "survey_responses") == {
        "total": 5, "participant": "suppressed", "victim": "<2"}
