"""Surveys returned: recorded against a case from a file, stdin or prompts, checked against the
questions in rjc.yaml, and checked again by `rjc check`."""

from __future__ import annotations

import pytest

from helpers import git

OPENED = "2026-11-03"


@pytest.fixture
def center(repo, rjc, monkeypatch, built):
    """A pre-charge diversion case with a responsible party and a victim."""
    monkeypatch.chdir(repo.root)
    return {"repo": repo, **built.reuse("surveys-center", repo.root, lambda: _center(rjc))}


def _center(rjc) -> dict:
    party = rjc("new", "person", "-f", "-", stdin="given_name: Ana\nfamily_name: Rivera\n").out.strip()
    victim = rjc("new", "person", "-f", "-", stdin="given_name: Bo\n").out.strip()
    case = rjc("new", "case", "-f", "-", stdin=(
        f"program: pre-charge-diversion\nopened: {OPENED}\nparticipants:\n"
        f"- person: {party}\n  role: responsible-party\n- person: {victim}\n  role: victim\n"))
    assert case.code == 0, case.err
    return {"party": party, "victim": victim, "case": case.out.strip()}


def test_a_participant_survey_from_a_file_is_kept_on_the_case(rjc, center, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("felt_heard: 4\nwould_recommend: yes\nagreement_fair: about-right\n"
                       "comments: The panel listened.\n")
    result = rjc("survey", "record", center["case"], "--kind", "participant", "--file", str(answers),
                 "--date", "2026-12-01")
    assert result.code == 0, result.err
    [survey] = center["repo"].get(center["case"]).surveys
    assert (survey.kind, str(survey.date), survey.person, survey.answers) == (
        "participant", "2026-12-01", None,
        {"felt_heard": "4", "would_recommend": "yes", "agreement_fair": "about-right",
         "comments": "The panel listened."})
    assert git(center["repo"].root, "log", "-1", "--format=%s").strip() == f"survey record {center['case']}"
    assert rjc("check").code == 0


def test_answers_that_do_not_fit_are_named_by_file_line_and_question(rjc, center, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("felt_heard: 6\nhow_was_it: fine\nagreement_fair: too-long\nwould_recommend: maybe\n")
    head = git(center["repo"].root, "rev-parse", "HEAD")
    result = rjc("survey", "record", center["case"], "--kind", "participant", "--file", str(answers))
    path = str(answers)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{path}:1:13: error: 'felt_heard' is answered 1 to 5, not '6' [survey-answers]",
        f"{path}:2:1: error: 'how_was_it' is not a question of the participant survey in rjc.yaml (its questions: "
        "felt_heard, treated_fairly, understood_harm, would_recommend, agreement_fair, comments) [survey-answers]",
        f"{path}:3:17: error: 'agreement_fair' is answered with one of too-hard, about-right, too-easy, "
        "not 'too-long' [survey-answers]",
        f"{path}:4:18: error: 'would_recommend' is answered yes or no, not 'maybe' [survey-answers]",
        "Error: the survey's answers do not fit its questions in rjc.yaml (4 problems); nothing was changed"]
    assert git(center["repo"].root, "rev-parse", "HEAD") == head


def test_a_victim_survey_names_the_victim_by_id(rjc, center):
    case, victim, party = center["case"], center["victim"], center["party"]
    missing = rjc("survey", "record", case, "--kind", "victim", stdin="felt_safe: yes\n")
    assert (missing.code, missing.err.strip()) == (
        1, f"Error: a victim survey names the victim who answered it: --person ID (victims on {case}: {victim})")
    wrong = rjc("survey", "record", case, "--kind", "victim", "--person", party, stdin="felt_safe: yes\n")
    assert (wrong.code, wrong.err.strip()) == (1, f"Error: {party} is not a victim on {case}")
    result = rjc("survey", "record", case, "--kind", "victim", "--person", victim.lower(),
                 stdin="felt_safe: yes\nharm_addressed: 3\n")
    assert result.code == 0, result.err
    [survey] = center["repo"].get(case).surveys
    assert (survey.kind, survey.person, survey.answers) == ("victim", victim, {"felt_safe": "yes", "harm_addressed": "3"})


def test_rjc_check_finds_an_answer_edited_by_hand(rjc, center):
    case = center["case"]
    assert rjc("survey", "record", case, "--kind", "participant", stdin="felt_heard: 5\n").code == 0
    path = next(center["repo"].root.glob(f"cases/*/KB/{case}.yaml"))
    text = path.read_text()
    path.write_text(text.replace("felt_heard: '5'", "felt_heard: '0'\n    fun: 'yes'"))
    result = rjc("check")
    relpath = path.relative_to(center["repo"].root).as_posix()
    lines = [line for line in result.out.splitlines() if "survey" in line]
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if "felt_heard" in text)
    assert result.code == 1
    assert lines == [
        f"{relpath}:{line}:17: error: 'felt_heard' is answered 1 to 5, not '0' [survey-answers]",
        f"{relpath}:{line + 1}:5: error: 'fun' is not a question of the participant survey in rjc.yaml (its questions: "
        "felt_heard, treated_fairly, understood_harm, would_recommend, agreement_fair, comments) [survey-answers]"]


def test_the_questions_are_asked_on_a_terminal_and_each_answer_checked(rjc, center, terminal):
    case = center["case"]
    s = terminal(center["repo"].root, "survey", "record", case, "--kind", "participant", "--date", "2026-12-02")
    s.answer("I felt heard during the process (1 = not at all, 5 = completely) [1-5]:", "7")
    s.expect("'felt_heard' is answered 1 to 5, not '7'")
    s.answer("I felt heard during the process (1 = not at all, 5 = completely) [1-5]:", "5")
    s.answer("I was treated fairly (1 = not at all, 5 = completely) [1-5]:", "")
    s.answer("I understand better how my actions affected others [1-5]:", "4")
    s.answer("Would you recommend the program to someone in your place? [yes/no]:", "Yes")
    s.answer("The agreement was [too-hard/about-right/too-easy]:", "about-right")
    s.answer("Anything else you want to tell us? [text]:", "")
    code, rest = s.end()
    assert code == 0, rest
    [survey] = center["repo"].get(case).surveys
    assert survey.answers == {"felt_heard": "5", "understood_harm": "4", "would_recommend": "yes",
                              "agreement_fair": "about-right"}


def test_the_victim_is_asked_for_first_on_a_terminal(rjc, center, terminal):
    case, victim = center["case"], center["victim"]
    s = terminal(center["repo"].root, "survey", "record", case, "--kind", "victim")
    s.answer(f"Victim who answered (person id: {victim}) [{victim}]:", "")
    s.answer("I felt heard during the process (1 = not at all, 5 = completely) [1-5]:", "3")
    for _ in range(5):
        s.answer("]:", "")
    code, rest = s.end()
    assert code == 0, rest
    [survey] = center["repo"].get(case).surveys
    assert (survey.person, survey.answers) == (victim, {"felt_heard": "3"})
