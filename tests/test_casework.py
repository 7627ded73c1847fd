"""Cases and referrals moving along, driven through the CLI as a coordinator would."""

from __future__ import annotations

import pytest

from helpers import git

RECEIVED = "2026-11-02"


@pytest.fixture
def center(repo, rjc, monkeypatch):
    """A repository with one person and a pending restorative-panel referral about them."""
    monkeypatch.chdir(repo.root)
    assert rjc("new", "person", "-f", "-", stdin="given_name: Ana\nfamily_name: Rivera\n").code == 0
    person = "P-" + repo.root.joinpath("people").glob("*/KB/*.yaml").__next__().stem[2:]
    referral = (f"received: {RECEIVED}\nprogram: restorative-panel\nsource: police\n"
                f"people:\n- person: {person}\n  role: responsible-party\n")
    result = rjc("new", "referral", "-f", "-", stdin=referral)
    assert result.code == 0, result.err
    return {"repo": repo, "person": person, "referral": result.out.strip()}


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
    assert rjc("case", "status", case_id, "flying").err.startswith("Error: status 'flying' is not one of:")
    assert rjc("case", "status", case_id, "closed").err.strip() == (
        "Error: close a case with: rjc case close ID --reason REASON")


def test_a_status_dated_before_the_last_one_is_refused(rjc, center):
    case_id = accept(rjc, center)
    result = rjc("case", "status", case_id, "intake", "--date", "2026-11-02")
    assert result.code == 1 and "is before its last status change (2026-11-03)" in result.err


def test_close_needs_a_reason_and_reopen_keeps_the_history(rjc, center):
    case_id = accept(rjc, center)
    assert rjc("case", "close", case_id).code == 2  # --reason is required
    assert rjc("case", "close", case_id, "--reason", "finished").err.startswith("Error: --reason 'finished'")
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
