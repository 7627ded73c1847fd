"""Cases and referrals moving along, driven through the CLI as a coordinator would."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rjc.model.case import Participant

from helpers import git

RECEIVED = "2026-11-02"


@pytest.fixture
def center(repo, rjc, monkeypatch, built):
    """A repository with one person and a pending restorative-panel referral about them."""
    monkeypatch.chdir(repo.root)
    return {"repo": repo, **built.reuse("casework-center", repo.root, lambda: _center(repo, rjc))}


def _center(repo, rjc) -> dict:
    assert rjc("new", "person", "-f", "-", stdin="given_name: Ana\nfamily_name: Rivera\n").code == 0
    person = "P-" + repo.root.joinpath("people").glob("*/KB/*.yaml").__next__().stem[2:]
    referral = (f"received: {RECEIVED}\nprogram: restorative-panel\nsource: police\n"
                f"people:\n- person: {person}\n  role: responsible-party\n")
    result = rjc("new", "referral", "-f", "-", stdin=referral)
    assert result.code == 0, result.err
    return {"person": person, "referral": result.out.strip()}


def accept(rjc, center, *extra) -> str:
    result = rjc("referral", "accept", center["referral"], "--date", "2026-11-03", *extra)
    assert result.code == 0, result.err
    return result.out.strip()


def test_accept_opens_the_case_in_one_commit(rjc, center):
    case_id = accept(rjc, center)
    repo = center["repo"]
    case, referral = repo.get(case_id), repo.get(center["referral"])
    assert (case.program, case.referral, case.coordinator, str(case.opened)) == (
        "restorative-panel", center["referral"], "KB", "2026-11-03")
    assert [(p.person, p.role) for p in case.participants] == [(center["person"], "responsible-party")]
    assert [(e.status, str(e.date), e.by) for e in case.status_history] == [("referred", "2026-11-03", "KB")]
    assert (referral.screening.decision, referral.screening.case) == ("accepted", case_id)
    assert sorted(git(repo.root, "show", "--name-only", "--format=", "HEAD").split()) == sorted(
        [f"cases/2026/KB/{case_id}.yaml", f"referrals/2026/KB/{center['referral']}.yaml"])
    assert git(repo.root, "log", "-1", "--format=%s").strip() == f"referral accept {center['referral']} {case_id}"
    again = rjc("referral", "accept", center["referral"])
    assert (again.code, again.err.strip()) == (1, f"Error: {center['referral']} was already accepted as {case_id}")


def test_accept_into_another_program_maps_roles(rjc, center):
    case_id = accept(rjc, center, "--program", "cosa")
    case = center["repo"].get(case_id)
    assert (case.program, case.participants[0].role) == ("cosa", "core-member")


def test_decline_and_return_need_a_reason_and_a_pending_referral(rjc, center):
    result = rjc("referral", "decline", center["referral"], "--reason", "ineligible", "--date", "2026-11-04")
    assert result.code == 0, result.err
    referral = center["repo"].get(center["referral"])
    assert (referral.screening.decision, referral.screening.reason) == ("declined", "ineligible")
    assert rjc("referral", "return", center["referral"], "--reason", "x").code == 1
    assert rjc("referral", "decline", center["referral"]).code == 2  # --reason is required


def test_a_screening_date_before_the_referral_is_refused(rjc, center):
    before = git(center["repo"].root, "rev-parse", "HEAD")
    result = rjc("referral", "accept", center["referral"], "--date", "2026-10-01")
    assert (result.code, result.err.strip()) == (
        1, f"Error: 2026-10-01 is before the referral was received ({RECEIVED}); nothing was changed")
    assert git(center["repo"].root, "rev-parse", "HEAD") == before


def test_only_the_program_s_transitions_are_allowed(rjc, center):
    case_id = accept(rjc, center)
    result = rjc("case", "status", case_id, "monitoring")
    assert (result.code, result.err.strip()) == (
        1, "Error: restorative-panel cases cannot go from referred to monitoring; from referred they go to: intake")
    for status in ("intake", "victim-contacted", "panel-scheduled", "agreement-signed", "monitoring"):
        result = rjc("case", "status", case_id, status, "--date", "2026-11-10")
        assert result.code == 0, result.err
    case = center["repo"].get(case_id)
    assert case.status == "monitoring" and len(case.status_history) == 6
    flying = rjc("case", "status", case_id, "flying")
    assert flying.code == 2 and flying.err.splitlines()[-1] == (
        "Error: Invalid value for 'STATUS': 'flying' is not one of 'referred', 'intake', 'victim-contacted', 'panel-scheduled', 'in-circle', 'in-mediation', 'conference-scheduled', 'in-services', 'in-internship', 'agreement-signed', 'monitoring', 'closed'.")
    assert rjc("case", "status", case_id, "INTAKE").err == (  # any case: read as intake
        "Error: restorative-panel cases cannot go from monitoring to intake; "
        "from monitoring they go to: agreement-signed, panel-scheduled\n")
    assert rjc("case", "status", case_id, "closed").err.strip() == (
        "Error: close a case with: rjc case close ID --reason REASON")


def test_a_status_dated_before_the_last_one_is_refused(rjc, center):
    case_id = accept(rjc, center)
    result = rjc("case", "status", case_id, "intake", "--date", "2026-11-02")
    assert result.code == 1 and result.err == "Error: 2026-11-02 is before its last status change (2026-11-03); nothing was changed\n"


def test_close_needs_a_reason_and_reopen_keeps_the_history(rjc, center):
    case_id = accept(rjc, center)
    assert rjc("case", "close", case_id).code == 2  # --reason is required
    finished = rjc("case", "close", case_id, "--reason", "finished")
    assert finished.code == 2 and finished.err.splitlines()[-1] == (
        "Error: Invalid value for '--reason': 'finished' is not one of 'completed-successfully', 'completed-partially', 'returned-non-compliance', 'returned-new-offense', 'declined', 'no-contact', 'withdrawn', 'ineligible', 'transferred'.")
    assert rjc("case", "close", case_id, "--reason", "withdrawn", "--date", "2026-11-20").code == 0
    case = center["repo"].get(case_id)
    assert (case.status, case.closure.reason, str(case.closure.date)) == ("closed", "withdrawn", "2026-11-20")
    assert rjc("case", "status", case_id, "intake").err.strip() == (
        f"Error: {case_id} is closed; reopen it first with: rjc case reopen {case_id}")
    assert rjc("case", "reopen", case_id).code == 2  # a reason is required
    assert rjc("case", "reopen", case_id, "--note", "asked to resume", "--date", "2026-11-21").code == 0
    case = center["repo"].get(case_id)
    assert case.closure is None and case.status == "intake"
    assert [(e.status, e.note) for e in case.status_history[-2:]] == [
        ("closed", "withdrawn"), ("intake", "asked to resume")]
    assert rjc("check").code == 0


def test_a_contact_note_is_read_from_stdin_never_argv(rjc, center):
    case_id = accept(rjc, center)
    result = rjc("case", "note", case_id, "--kind", "phone", "--with", center["person"], "--date", "2026-11-05",
                 stdin="Talked about the panel date.\n")
    assert result.code == 0, result.err
    contact = center["repo"].get(case_id).contacts[-1]
    assert (contact.kind, contact.by, contact.with_, contact.note) == (
        "phone", "KB", [center["person"]], "Talked about the panel date.")
    message = git(center["repo"].root, "log", "-1", "--format=%B")
    assert "panel date" not in message and message.startswith(f"case note {case_id}")
    stranger = rjc("case", "note", case_id, "--kind", "phone", "--with", "P-2026-KB-0099", stdin="x")
    assert stranger.err.strip() == f"Error: P-2026-KB-0099 is not on {case_id}"


@pytest.fixture
def with_victim(rjc, center, built):
    """The accepted case, with a second person on it as the victim."""
    return {**center, **built.reuse("casework-with-victim", center["repo"].root, lambda: _with_victim(rjc, center))}


def _with_victim(rjc, center) -> dict:
    repo = center["repo"]
    victim = rjc("new", "person", "-f", "-", stdin="given_name: Bo\n").out.strip()
    case_id = accept(rjc, center)
    case = repo.get(case_id)
    case.participants.append(Participant(person=victim, role="victim"))
    repo.save(case, "edit case", command="test")
    return {"case": case_id, "victim": victim}


ITEMS = """\
items:
- type: apology-letter
- type: restitution
  amount: 250.00
  victim: {victim}
- type: community-service
  hours_required: 20
"""


def test_victim_choice_only_for_a_victim_on_the_case(rjc, with_victim):
    case_id, victim = with_victim["case"], with_victim["victim"]
    result = rjc("victim", "choose", case_id, victim, "written-statement-shared", "--notified", "2026-11-04")
    assert result.code == 0, result.err
    entry = with_victim["repo"].get(case_id).participants[-1]
    assert (entry.participation, str(entry.notified)) == ("written-statement-shared", "2026-11-04")
    wrong = rjc("victim", "choose", case_id, with_victim["person"], "attend")
    assert wrong.err.strip() == f"Error: {with_victim['person']} is not a victim on {case_id}"
    maybe = rjc("victim", "choose", case_id, victim, "maybe")
    assert maybe.code == 2 and maybe.err.splitlines()[-1] == (
        "Error: Invalid value for 'CHOICE': 'maybe' is not one of 'undecided', 'attend', 'written-statement-shared', "
        "'written-statement-panel-only', 'not-participate'.")


def test_a_victim_s_new_choice_keeps_the_one_it_replaces_with_its_day(rjc, with_victim):
    case_id, victim = with_victim["case"], with_victim["victim"]
    for choice, day in (("attend", "2026-11-04"), ("attend", "2026-11-06"), ("not-participate", "2026-11-10")):
        result = rjc("victim", "choose", case_id, victim, choice, "--date", day)
        assert result.code == 0, result.err
    entry = with_victim["repo"].get(case_id).participants[-1]
    assert (entry.participation, str(entry.decided)) == ("not-participate", "2026-11-10")
    assert [(e.choice, str(e.date)) for e in entry.earlier_choices] == [("attend", "2026-11-04")]  # the same again: one
    refused = rjc("victim", "choose", case_id, victim, "attend", "--date", "2026-11-09")
    assert refused.err.strip() == "Error: 2026-11-09 is before their last choice (2026-11-10); nothing was changed"


def test_agreement_dates_default_from_settings_and_items_track_progress(rjc, with_victim):
    case_id = with_victim["case"]
    items = ITEMS.format(victim=with_victim["victim"])
    result = rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=items)
    assert result.code == 0, result.err
    agreement = with_victim["repo"].get(case_id).agreements[0]
    assert (str(agreement.due), str(agreement.midterm_review)) == ("2027-02-03", "2026-12-20")  # +90, +45
    assert rjc("agreement", "log", case_id, "3", "--hours", "4", "--date", "2026-12-02",
               "--place", "Food shelf").code == 0
    assert rjc("agreement", "pay", case_id, "2", "--amount", "50.00", "--date", "2026-12-05").code == 0
    status = rjc("agreement", "status", case_id, "--as-of", "2026-12-06").out.splitlines()
    assert status == [
        "agreement 1: signed 2026-11-05, mid-term review 2026-12-20, due 2027-02-03: on track",
        "  1. apology-letter: pending",
        "  2. restitution: in-progress 50.00 of 250.00 paid",
        "  3. community-service: in-progress 4 of 20 hours",
    ]
    assert rjc("agreement", "status", case_id, "--as-of", "2027-02-04").out.splitlines()[0].endswith(": overdue")
    assert rjc("agreement", "status", case_id, "--as-of", "2027-01-30").out.splitlines()[0].endswith(": due soon")


@pytest.mark.parametrize("args, message", [
    (["pay", "1", "--amount", "10.00"], "item 1 is apology-letter, not restitution"),
    (["pay", "2", "--amount", "300.00"], "300.00 is more than the 250.00 still owed on item 2; if that is right, repeat with --yes"),
    (["pay", "2", "--amount", "-5"], "the amount must be more than 0"),
    (["log", "3", "--hours", "-2"], "hours must be more than 0"),
    (["log", "2", "--hours", "2"], "item 2 is restitution, not community-service"),
    (["log", "9", "--hours", "2"], "has items 1-3, not 9"),
    (["pay", "2", "--amount", "10.00", "--date", "2026-11-01"], "is before the agreement was signed"),
])
def test_bad_payments_and_hours_change_nothing(rjc, with_victim, args, message):
    case_id = with_victim["case"]
    rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=ITEMS.format(victim=with_victim["victim"]))
    before = git(with_victim["repo"].root, "rev-parse", "HEAD")
    result = rjc("agreement", args[0], case_id, *args[1:])
    assert result.code == 1 and message in result.err
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") == before


def test_an_overpayment_goes_through_with_yes_and_check_warns(rjc, with_victim):
    case_id = with_victim["case"]
    rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=ITEMS.format(victim=with_victim["victim"]))
    assert rjc("agreement", "pay", case_id, "2", "--amount", "300.00", "--yes").code == 0
    item = with_victim["repo"].get(case_id).agreements[0].items[1]
    assert (item.status, str(item.paid)) == ("completed", "300.00")
    check = rjc("check")
    assert check.code == 0 and "payments 300.00 exceed the amount owed 250.00 [restitution-overpaid]" in check.out


def test_an_agreement_item_for_someone_who_is_not_a_victim_is_refused(rjc, with_victim):
    items = ITEMS.format(victim=with_victim["person"])
    result = rjc("agreement", "new", with_victim["case"], "-f", "-", stdin=items)
    assert result.err.strip() == f"Error: {with_victim['person']} is not a victim on {with_victim['case']}"


def referral_into(rjc, center, program: str, source: str = "self") -> str:
    text = (f"received: {RECEIVED}\nprogram: {program}\nsource: {source}\n"
            f"people:\n- person: {center['person']}\n  role: responsible-party\n")
    result = rjc("new", "referral", "-f", "-", stdin=text)
    assert result.code == 0, result.err
    case = rjc("referral", "accept", result.out.strip(), "--date", "2026-11-03")
    assert case.code == 0, case.err
    return case.out.strip()


def test_a_mediation_case_from_referral_to_closure(rjc, center):
    case_id = referral_into(rjc, center, "mediation")
    person = center["person"]
    steps = [
        ("case", "status", case_id, "intake", "--date", "2026-11-04"),
        ("case", "status", case_id, "in-mediation", "--date", "2026-11-10"),
        ("case", "session", case_id, "--minutes", "90", "--attended", person, "--date", "2026-11-12"),
        ("case", "session", case_id, "--minutes", "60", "--attended", person, "--date", "2026-11-19"),
        ("case", "resolve", case_id, "partial", "--date", "2026-11-12"),
        ("case", "resolve", case_id, "agreement", "--date", "2026-11-19"),
        ("case", "status", case_id, "agreement-signed", "--date", "2026-11-19"),
        ("case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-30"),
    ]
    for step in steps:
        result = rjc(*step)
        assert result.code == 0, (step, result.err)
    case = center["repo"].get(case_id)
    assert [(str(s.date), s.minutes) for s in case.sessions] == [("2026-11-12", 90), ("2026-11-19", 60)]
    assert (case.resolution, case.status, case.closure.reason) == ("agreement", "closed", "completed-successfully")
    # the outcome it replaced is kept with its day, for the reports of the days it stood
    assert (str(case.resolved), [(e.resolution, str(e.date)) for e in case.earlier_resolutions]) == (
        "2026-11-19", [("partial", "2026-11-12")])
    assert rjc("check").code == 0
    subjects = git(center["repo"].root, "log", "--format=%s", f"-{len(steps)}").splitlines()
    assert all(case_id in s and "Ana" not in s for s in subjects)


def test_sessions_and_outcomes_belong_to_mediation_and_conferences(rjc, center):
    case_id = accept(rjc, center)  # a restorative panel case
    result = rjc("case", "session", case_id, "--minutes", "30")
    assert result.err.strip() == (f"Error: sessions belong to family-group-conferencing, mediation cases; "
                                  f"{case_id} is restorative-panel")
    other = referral_into(rjc, center, "family-group-conferencing")
    assert rjc("case", "resolve", other, "partial").err.strip() == (
        f"Error: {other} has no session yet; log one with: rjc case session {other}")
    assert rjc("case", "session", other, "--minutes", "0").err.strip() == "Error: a session lasts more than 0 minutes"


def test_victim_support_services_and_reentry_goals(rjc, center):
    support = referral_into(rjc, center, "victim-support")
    result = rjc("case", "service", support, "--service", "Safety planning", "--person", center["person"],
                 "--date", "2026-11-06")
    assert result.code == 0, result.err
    service = center["repo"].get(support).services[0]
    assert (service.service, service.person, service.by, str(service.date)) == (
        "Safety planning", center["person"], "KB", "2026-11-06")
    reentry = referral_into(rjc, center, "offender-reentry", "corrections")
    assert rjc("case", "goal", reentry, "--add", "Stable housing", "--target", "2027-03-01").code == 0
    assert rjc("case", "goal", reentry, "--number", "1", "--status", "met").code == 0
    goals = center["repo"].get(reentry).goals
    assert [(g.goal, g.status, str(g.target)) for g in goals] == [("Stable housing", "met", "2027-03-01")]
    assert rjc("case", "goal", reentry, "--number", "2", "--status", "met").err.strip() == (
        f"Error: {reentry} has goals 1-1, not 2")
    assert "plan goals belong to" in rjc("case", "goal", support, "--add", "x").err


def test_item_status_completes_the_agreement_and_close_warns_about_open_items(rjc, with_victim):
    case_id = with_victim["case"]
    rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=ITEMS.format(victim=with_victim["victim"]))
    assert rjc("agreement", "item", case_id, "1", "completed", "--date", "2026-11-20").code == 0
    assert rjc("agreement", "item", case_id, "2", "waived", "--date", "2026-11-20").code == 0
    item = with_victim["repo"].get(case_id).agreements[0].items[0]
    assert (item.status, str(item.completed)) == ("completed", "2026-11-20")
    bad = rjc("agreement", "item", case_id, "1", "finished")
    assert bad.code == 2 and bad.err.splitlines()[-1] == (
        "Error: Invalid value for 'STATUS': 'finished' is not one of 'pending', 'in-progress', 'completed', "
        "'not-completed', 'waived'.")
    early = rjc("agreement", "item", case_id, "1", "completed", "--date", "2026-11-01")
    assert early.code == 1 and early.err == "Error: 2026-11-01 is before the agreement was signed (2026-11-05); nothing was changed\n"
    before = git(with_victim["repo"].root, "rev-parse", "HEAD")
    refused = rjc("case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-21", "--yes")
    assert (refused.code, refused.err) == (1, (
        f"Error: {case_id} still has open agreement items: 3 community-service; to close it as "
        "completed-successfully anyway, repeat with --yes and --note WHY; nothing was changed\n"))
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") == before
    closed = rjc("case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-21",
                 "--yes", "--note", "hours replaced by a second apology, agreed with the referrer")
    assert closed.code == 0, closed.err
    closure = with_victim["repo"].get(case_id).closure
    assert (closure.reason, closure.note) == (
        "completed-successfully", "hours replaced by a second apology, agreed with the referrer")


@pytest.mark.parametrize("args", [
    ["victim", "choose", "{case}", "{victim}", "attend"],
    ["agreement", "new", "{case}", "-f", "-"],
    ["case", "session", "{case}", "--minutes", "30"],
    ["case", "service", "{case}", "--service", "court accompaniment"],
    ["case", "goal", "{case}", "--add", "housing"],
    ["agreement", "item", "{case}", "1", "waived"],
])
def test_a_closed_case_refuses_changes_until_reopened(rjc, with_victim, args):
    case_id = with_victim["case"]
    assert rjc("case", "close", case_id, "--reason", "withdrawn", "--date", "2026-11-05").code == 0
    before = git(with_victim["repo"].root, "rev-parse", "HEAD")
    result = rjc(*[a.format(case=case_id, victim=with_victim["victim"]) for a in args],
                 stdin=ITEMS.format(victim=with_victim["victim"]))
    if args[:2] == ["agreement", "item"]:  # an outcome dated (today) after the closure
        assert result.code == 1 and result.err == (
            f"Error: {case_id} closed on 2026-11-05; {dt.date.today()} is after that, so it needs reopening first "
            f"(rjc case reopen {case_id} --note WHY); nothing was changed\n")
    else:
        assert result.code == 1 and f"{case_id} is closed; reopen it first" in result.err
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") == before


def test_link_relates_two_cases_both_ways(rjc, center):
    first = accept(rjc, center)
    other = rjc("new", "referral", "-f", "-", stdin=f"received: {RECEIVED}\nprogram: offender-reentry\nsource: corrections\n"
                                                  f"people:\n- person: {center['person']}\n  role: client\n").out.strip()
    second = rjc("referral", "accept", other).out.strip()
    assert rjc("case", "link", first, second).code == 0
    assert center["repo"].get(first).related_cases == [second]
    assert center["repo"].get(second).related_cases == [first]
    assert git(center["repo"].root, "log", "-1", "--format=%s").strip() == f"case link {first} {second}"
    assert rjc("case", "link", first, first).code == 1


@pytest.mark.parametrize("command, option", [(("agreement", "pay"), "--amount"), (("agreement", "log"), "--hours")])
@pytest.mark.parametrize("value", ["nan", "Infinity", "1e309", "$350", "50,00"])
def test_an_amount_or_hours_that_is_not_a_plain_number_is_a_usage_error(repo, rjc, command, option, value):
    result = rjc("--records", repo.root, *command, "C-2026-KB-0001", "1", option, value)
    assert result.code == 2
    assert result.err.splitlines()[-1] == (f"Error: Invalid value for {option}: takes a plain number such as "
                                           f"50.00 or 2.5, not '{value}'")


# --- late paperwork ---------------------------------------------------------------------------


def _agreement_closed(rjc, with_victim, reason="completed-partially", day="2026-11-21") -> str:
    case_id = with_victim["case"]
    result = rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05",
                 stdin=ITEMS.format(victim=with_victim["victim"]))
    assert result.code == 0, result.err
    assert rjc("case", "close", case_id, "--reason", reason, "--date", day).code == 0
    return case_id


def test_payments_hours_and_outcomes_dated_up_to_the_closure_go_on_a_closed_case(rjc, with_victim):
    case_id = _agreement_closed(rjc, with_victim)
    for args in (("pay", case_id, "2", "--amount", "50.00", "--date", "2026-11-15"),
                 ("log", case_id, "3", "--hours", "4", "--date", "2026-11-21"),
                 ("item", case_id, "1", "waived", "--date", "2026-11-20")):
        result = rjc("agreement", *args)
        assert result.code == 0, (args, result.err)
    case = with_victim["repo"].get(case_id)
    apology, restitution, service = case.agreements[0].items
    assert (apology.status, str(apology.decided), apology.completed) == ("waived", "2026-11-20", None)
    assert [(str(p.date), str(p.amount)) for p in restitution.payments] == [("2026-11-15", "50.00")]
    assert [(str(h.date), str(h.hours)) for h in service.logged] == [("2026-11-21", "4")]
    assert (case.status, str(case.closure.date)) == ("closed", "2026-11-21")  # never reopened
    # A report that counts by date sees the payment on its own day, not on the day it was typed.
    def paid(as_of: str) -> list[str]:
        report = rjc("report", "restitution", "--as-of", as_of, "--format", "json")
        assert report.code == 0, report.err
        return re.findall(r'"paid": "([0-9.]+)"', report.out)

    assert "50.00" in paid("2026-11-16") and "50.00" not in paid("2026-11-14")


@pytest.mark.parametrize("args", [
    ("pay", "{case}", "2", "--amount", "50.00", "--date", "2026-11-22"),
    ("log", "{case}", "3", "--hours", "4", "--date", "2026-11-22"),
    ("item", "{case}", "1", "completed", "--date", "2026-11-22"),
])
def test_an_entry_dated_after_the_closure_is_refused_naming_the_closure(rjc, with_victim, args):
    case_id = _agreement_closed(rjc, with_victim)
    before = git(with_victim["repo"].root, "rev-parse", "HEAD")
    result = rjc("agreement", *[a.format(case=case_id) for a in args])
    assert (result.code, result.err) == (1, (
        f"Error: {case_id} closed on 2026-11-21; 2026-11-22 is after that, so it needs reopening first "
        f"(rjc case reopen {case_id} --note WHY); nothing was changed\n"))
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") == before


def test_a_victim_s_choice_is_dated(rjc, with_victim):
    case_id, victim = with_victim["case"], with_victim["victim"]
    result = rjc("victim", "choose", case_id, victim, "attend", "--date", "2026-11-06", "--notified", "2026-11-04")
    assert result.code == 0, result.err
    entry = with_victim["repo"].get(case_id).participants[-1]
    assert (entry.participation, str(entry.decided), str(entry.notified)) == ("attend", "2026-11-06", "2026-11-04")


def test_a_case_opened_with_rjc_new_takes_its_date(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "case", "-f", "-", "--date", "2026-10-01", stdin="program: victim-support\n")
    assert result.code == 0, result.err
    case = repo.get(result.out.strip())
    assert (str(case.opened), [(s.status, str(s.date)) for s in case.status_history]) == (
        "2026-10-01", [("intake", "2026-10-01")])


FUTURE = dt.date.today() + dt.timedelta(days=30)


@pytest.mark.parametrize("args", [
    ("agreement", "pay", "{case}", "2", "--amount", "50.00", "--date", "{future}"),
    ("agreement", "item", "{case}", "1", "waived", "--date", "{future}"),
    ("victim", "choose", "{case}", "{victim}", "attend", "--date", "{future}"),
    ("case", "status", "{case}", "intake", "--date", "{future}"),
])
def test_a_date_in_the_future_is_refused_unless_yes(rjc, with_victim, args):
    rjc("agreement", "new", with_victim["case"], "-f", "-", "--signed", "2026-11-05",
        stdin=ITEMS.format(victim=with_victim["victim"]))
    before = git(with_victim["repo"].root, "rev-parse", "HEAD")
    command = [a.format(case=with_victim["case"], victim=with_victim["victim"], future=FUTURE) for a in args]
    refused = rjc(*command)
    assert refused.code == 2 and refused.err.splitlines()[-1] == (
        f"Error: Invalid value for --date: {FUTURE} is in the future; add --yes if that is what you mean")
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") == before
    accepted = rjc(*command, "--yes")
    assert accepted.code == 0, accepted.err
    assert git(with_victim["repo"].root, "rev-parse", "HEAD") != before


# --- closing honestly -------------------------------------------------------------------------


def test_closing_as_completed_with_open_items_asks_on_a_terminal(rjc, with_victim, terminal):
    case_id = with_victim["case"]
    rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=ITEMS.format(victim=with_victim["victim"]))
    assert rjc("agreement", "item", case_id, "1", "completed", "--date", "2026-11-20").code == 0
    root = with_victim["repo"].root
    said_no = terminal(root, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-21")
    said_no.expect("agreement items still open: 2 restitution, 3 community-service")
    said_no.answer("Close it as completed-successfully anyway? [y/N]:", "n")
    code, rest = said_no.end()
    assert (code, rest.splitlines()[-1]) == (1, "Error: nothing was changed")
    assert with_victim["repo"].get(case_id).closure is None
    session = terminal(root, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-21")
    session.answer("Close it as completed-successfully anyway? [y/N]:", "y")
    session.answer("Why (no names):", "terms renegotiated at the closing panel")
    code, rest = session.end()
    assert code == 0, rest
    closure = with_victim["repo"].get(case_id).closure
    assert (closure.reason, str(closure.date), closure.note) == (
        "completed-successfully", "2026-11-21", "terms renegotiated at the closing panel")


def test_without_a_terminal_it_needs_yes_and_a_note(rjc, with_victim):
    case_id = with_victim["case"]
    rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05", stdin=ITEMS.format(victim=with_victim["victim"]))
    message = (f"Error: {case_id} still has open agreement items: 1 apology-letter, 2 restitution, 3 community-service; "
               "to close it as completed-successfully anyway, repeat with --yes and --note WHY; nothing was changed\n")
    for extra in ((), ("--yes",), ("--note", "why")):
        result = rjc("case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-21", *extra)
        assert (result.code, result.err) == (1, message)
    assert with_victim["repo"].get(case_id).closure is None
    assert rjc("case", "close", case_id, "--reason", "completed-partially", "--date", "2026-11-21").code == 0
