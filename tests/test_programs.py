"""CoSA circles and STAR internships, driven through the CLI and through the core."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rjc.model import SCHEMA_VERSION, Person, Volunteer
from rjc.model.case import Circle, CircleSeat, Internship
from rjc.model.vocab import CirclePhase, CircleRole, Program
from rjc.model.volunteer import BackgroundCheck, Training
from rjc.storage.errors import RjcError
from rjc.workflows import programs

from helpers import git

OPENED = "2026-11-03"
D = dt.date.fromisoformat
# Everyone's names: none may ever appear in a commit message.
CORE_NAME = ("Ana", "Rivera")
VOLUNTEER_NAMES = ["Vera Quill", "Otto Brandt", "Lena Marsh", "Ivo Petrov", "Nina Solis", "Remy Duval",
                   "Ines Haas", "Paul Ueda", "Rosa Vick", "Tom Crane"]


def _person(tx, name: str) -> Person:
    given, family = name.split()
    person = Person(id=tx.new_id("person", 2026), schema_version=SCHEMA_VERSION, given_name=given, family_name=family)
    tx.stage(person)
    return person


@pytest.fixture
def center(repo, rjc, monkeypatch, built):
    """A core member with a cosa case at intake, and volunteers: six who can serve, and one each
    inactive, untrained, with an expired background check, and with a conflict with the core member."""
    monkeypatch.chdir(repo.root)
    return {"repo": repo, **built.reuse("programs-center", repo.root, lambda: _center(repo, rjc))}


def _center(repo, rjc) -> dict:
    core = rjc("new", "person", "-f", "-", stdin=f"given_name: {CORE_NAME[0]}\nfamily_name: {CORE_NAME[1]}\n")
    assert core.code == 0, core.err
    person = core.out.strip()
    kinds = ["ok"] * 6 + ["inactive", "untrained", "expired", "conflict"]
    volunteers = {}
    with repo.transaction("test") as tx:
        for name, kind in zip(VOLUNTEER_NAMES, kinds):
            volunteer = Volunteer(
                id=tx.new_id("volunteer", 2026), schema_version=SCHEMA_VERSION, person=_person(tx, name).id,
                active=kind != "inactive", programs=["cosa"],
                trainings=[] if kind == "untrained" else [Training(name="CoSA volunteer training", date=D("2026-01-10"))],
                background_checks=[BackgroundCheck(date=D("2024-06-01"), expires=D("2026-06-01") if kind == "expired"
                                                   else D("2028-06-01"))],
                conflicts=[person] if kind == "conflict" else [],
            )
            tx.stage(volunteer)
            volunteers.setdefault(kind, []).append(volunteer.id)
        tx.commit("test volunteers")
    case = open_case(rjc, person, "cosa")
    assert rjc("case", "status", case, "intake", "--date", "2026-11-04").code == 0
    return {"person": person, "case": case, "ok": volunteers["ok"],
            **{kind: volunteers[kind][0] for kind in kinds[6:]}}


def open_case(rjc, person: str, program: str) -> str:
    referral = (f"received: 2026-11-02\nprogram: {program}\nsource: corrections\n"
                f"people:\n- person: {person}\n  role: responsible-party\n")
    result = rjc("new", "referral", "-f", "-", stdin=referral)
    assert result.code == 0, result.err
    case = rjc("referral", "accept", result.out.strip(), "--date", OPENED)
    assert case.code == 0, case.err
    return case.out.strip()


def head(repo) -> str:
    return git(repo.root, "rev-parse", "HEAD").strip()


def ok(result):
    assert result.code == 0, result.err
    return result


def refused(rjc, repo, *args, message: str, stdin: str | None = None, code: int = 1):
    """The command fails with `message` and commits nothing."""
    before = head(repo)
    result = rjc(*args, stdin=stdin)
    assert result.code == code, (result.out, result.err)
    assert message in result.err, result.err
    assert head(repo) == before
    return result


def seat(rjc, center, *volunteers, date="2026-11-10", role="member"):
    for volunteer in volunteers:
        ok(rjc("circle", "add", center["case"], volunteer, "--role", role, "--date", date))


def started(rjc, center, seats: int = 3, date: str = "2026-11-20"):
    seat(rjc, center, *center["ok"][:seats])
    ok(rjc("circle", "phase", center["case"], "phase-1", "--date", date))


def assert_no_names(repo, count: int) -> list[str]:
    """The last `count` commits: their subjects, each checked for names in the whole message."""
    messages = git(repo.root, "log", f"-{count}", "--format=%B%x00").split("\x00")
    names = [*CORE_NAME, *(part for name in VOLUNTEER_NAMES for part in name.split()), "Bakery"]
    for message in messages:
        assert not any(name in message for name in names), message
    return git(repo.root, "log", f"-{count}", "--format=%s").splitlines()


# --- CoSA through the CLI --------------------------------------------------------------------


def test_a_circle_from_roster_to_end(rjc, center):
    repo, case_id, (v1, v2, v3, v4, *_) = center["repo"], center["case"], center["ok"]
    start = head(repo)
    seat(rjc, center, v1, role="anchor")
    seat(rjc, center, v2, v3)
    circle = repo.get(case_id).circle
    assert (circle.phase, circle.started, [(s.volunteer, s.role) for s in circle.roster]) == (
        "forming", None, [(v1, "anchor"), (v2, "member"), (v3, "member")])
    result = ok(rjc("circle", "phase", case_id, "phase-1", "--date", "2026-11-20"))
    assert f"{case_id} is now in-circle" in result.err
    case = repo.get(case_id)
    assert (case.circle.phase, case.circle.started, case.status) == ("phase-1", D("2026-11-20"), "in-circle")
    assert (case.status_history[-1].note, case.status_history[-1].by) == ("circle started", "KB")
    ok(rjc("circle", "meeting", case_id, "--hours", "1.5", "--attended", v1, "--attended", v2.lower(),
           "--date", "2026-11-24", stdin="Talked about the job search.\n"))
    ok(rjc("circle", "meeting", case_id, "--hours", "2", "--attended", v1, "--attended", v2, "--attended", v3,
           "--core-member-absent", "--date", "2026-12-01", stdin=""))
    ok(rjc("circle", "meeting", case_id, "--hours", "1.25", "--attended", v3, "--no-note", "--date", "2026-12-08", "--yes"))
    ok(rjc("circle", "add", case_id, v4, "--role", "professional", "--date", "2026-12-09", "--yes"))
    ok(rjc("circle", "leave", case_id, v2, "--date", "2026-12-10", "--yes"))
    meetings = repo.get(case_id).circle.meetings
    assert [(str(m.date), m.hours, m.attended, m.core_member_attended, m.note) for m in meetings] == [
        ("2026-11-24", Decimal("1.5"), [v1, v2], True, "Talked about the job search."),
        ("2026-12-01", Decimal("2"), [v1, v2, v3], False, None),
        ("2026-12-08", Decimal("1.25"), [v3], True, None),
    ]
    assert ok(rjc("circle", "show", case_id, "--as-of", "2026-12-29")).out.splitlines() == [
        f"circle of {case_id} (case in-circle)",
        "phase: phase-1",
        "started: 2026-11-20 (12 months on 2027-11-20)",
        "ended: -",
        "active seats: 3 (3-5 expected)",
        "roster:",
        f"  {v1}  anchor  joined 2026-11-10",
        f"  {v2}  member  joined 2026-11-10, left 2026-12-10",
        f"  {v3}  member  joined 2026-11-10",
        f"  {v4}  professional  joined 2026-12-09",
        "meetings: 3, 4.75 hours (10.25 volunteer hours)",
        "last meeting: 2026-12-08, 3 weeks ago",
    ]
    ok(rjc("circle", "phase", case_id, "phase-2", "--date", "2027-03-01", "--yes"))
    ok(rjc("circle", "phase", case_id, "phase-3", "--date", "2027-09-01", "--yes"))
    result = ok(rjc("circle", "phase", case_id, "ended", "--date", "2027-11-22", "--yes"))
    assert "Warning" not in result.err  # a full year
    circle = repo.get(case_id).circle
    assert (circle.phase, circle.ended) == ("ended", D("2027-11-22"))
    assert ok(rjc("check")).code == 0
    changes = 12
    assert git(repo.root, "rev-list", "--count", f"{start}..HEAD").strip() == str(changes)
    subjects = assert_no_names(repo, changes)
    assert subjects == [f"circle {action} {case_id}" for action in
                        ["phase"] * 3 + ["leave", "add"] + ["meeting"] * 3 + ["phase"] + ["add"] * 3]
    for sha in git(repo.root, "rev-list", f"{start}..HEAD").split():  # each commit: the case file only
        assert git(repo.root, "show", "--name-only", "--format=", sha).split() == [f"cases/2026/KB/{case_id}.yaml"]
    assert "job search" not in git(repo.root, "log", "-8", "--format=%B")


@pytest.mark.parametrize("who, message", [
    ("inactive", "{v} is not active [volunteer-active]"),
    ("untrained", "{v} has no training completed by 2026-11-10 [volunteer-trained]"),
    ("expired", "{v} has no background check current on 2026-11-10 [background-check]"),
    ("conflict", "{v} has a declared conflict with {person} [volunteer-conflict]"),
])
def test_a_volunteer_who_cannot_serve_is_not_seated(rjc, center, who, message):
    v = center[who]
    refused(rjc, center["repo"], "circle", "add", center["case"], v, "--role", "member", "--date", "2026-11-10",
            message=message.format(v=v, person=center["person"], case=center["case"]))
    assert center["repo"].get(center["case"]).circle is None


def test_seating_refuses_a_second_seat_a_sixth_seat_and_bad_dates(rjc, center):
    repo, case_id, vs = center["repo"], center["case"], center["ok"]
    seat(rjc, center, vs[0])
    refused(rjc, repo, "circle", "add", case_id, vs[0], "--role", "anchor", message=f"{vs[0]} is already on the circle")
    refused(rjc, repo, "circle", "add", case_id, vs[1], "--role", "member", "--date", "2026-11-01",
            message=f"2026-11-01 is before the case was opened ({OPENED}); nothing was changed")
    refused(rjc, repo, "circle", "add", case_id, vs[1], "--role", "member", "--date", "2026-01-09",
            message="is before the case was opened")
    refused(rjc, repo, "circle", "add", case_id, vs[1], "--role", "chair", code=2,
            message="Error: Invalid value for '--role': 'chair' is not one of 'member', 'anchor', 'professional'.\n")
    refused(rjc, repo, "circle", "add", case_id, center["person"], "--role", "member",
            message=f"{center['person']} is not a volunteer")
    seat(rjc, center, *vs[1:5])
    refused(rjc, repo, "circle", "add", case_id, vs[5], "--role", "member",
            message=f"the circle of {case_id} already has 5 active seats, the most a circle has")
    ok(rjc("circle", "leave", case_id, vs[4], "--date", "2026-11-12"))
    refused(rjc, repo, "circle", "add", case_id, vs[4], "--role", "member", "--date", "2026-11-11",
            message=f"2026-11-11 is before {vs[4]} last left the circle (2026-11-12)")
    ok(rjc("circle", "add", case_id, vs[4], "--role", "member", "--date", "2026-11-13"))  # back again
    roster = repo.get(case_id).circle.roster
    assert [(s.volunteer, str(s.joined), s.left and str(s.left)) for s in roster if s.volunteer == vs[4]] == [
        (vs[4], "2026-11-10", "2026-11-12"), (vs[4], "2026-11-13", None)]
    assert ok(rjc("check")).code == 0


def test_training_must_be_done_by_the_day_of_seating(rjc, center):
    repo = center["repo"]
    volunteer = repo.get(center["ok"][0])
    volunteer.trainings[0].date = D("2026-11-30")
    repo.save(volunteer, "test", command="test")
    refused(rjc, repo, "circle", "add", center["case"], volunteer.id, "--role", "member", "--date", "2026-11-10",
            message=f"{volunteer.id} has no training completed by 2026-11-10")
    ok(rjc("circle", "add", center["case"], volunteer.id, "--role", "member", "--date", "2026-11-30"))


def test_circle_commands_belong_to_cosa_cases(rjc, center):
    star = open_case(rjc, center["person"], "star")
    for args in (("add", star, center["ok"][0], "--role", "member"), ("leave", star, center["ok"][0]),
                 ("phase", star, "phase-1"), ("meeting", star, "--hours", "1", "--attended", center["ok"][0]),
                 ("show", star)):
        refused(rjc, center["repo"], "circle", *args, stdin="",
                message=f"circles are for cosa cases; {star} is a star case")


def test_leaving_keeps_the_seat_and_warns_below_three(rjc, center):
    repo, case_id, (v1, v2, v3, v4, *_) = center["repo"], center["case"], center["ok"]
    refused(rjc, repo, "circle", "leave", case_id, v1, message=f"{case_id} has no circle yet; seat its volunteers with")
    started(rjc, center)
    refused(rjc, repo, "circle", "leave", case_id, v4, message=f"{v4} is not on the circle of {case_id}")
    refused(rjc, repo, "circle", "leave", case_id, v1, "--date", "2026-11-09",
            message=f"2026-11-09 is before {v1} joined the circle (2026-11-10)")
    ok(rjc("circle", "meeting", case_id, "--hours", "1", "--attended", v1, "--date", "2026-11-25", "--no-note"))
    refused(rjc, repo, "circle", "leave", case_id, v1, "--date", "2026-11-24",
            message=f"{v1} attended the meeting of 2026-11-25, after 2026-11-24")
    result = ok(rjc("circle", "leave", case_id, v1, "--date", "2026-11-26"))
    assert f"Warning: the circle of {case_id} now has 2 active seats; a circle needs 3-5" in result.err
    refused(rjc, repo, "circle", "leave", case_id, v1, message=f"{v1} is not on the circle of {case_id}")
    roster = repo.get(case_id).circle.roster
    assert [(s.volunteer, s.left) for s in roster] == [(v1, D("2026-11-26")), (v2, None), (v3, None)]
    show = ok(rjc("circle", "show", case_id)).out
    assert "active seats: 2 (3-5 expected); below 3: seat more with: rjc circle add" in show
    check = rjc("check")
    assert check.code == 0 and "a circle needs 3-5 active seats; this one has 2 [circle-seats]" in check.out
    refused(rjc, repo, "circle", "phase", case_id, "phase-2", "--date", "2026-12-01",
            message=f"a circle needs at least 3 active seats to be in phase-2; the circle of {case_id} has 2")
    refused(rjc, repo, "circle", "meeting", case_id, "--hours", "1", "--attended", v1, "--date", "2026-12-01",
            "--no-note", message=f"{v1} is not on the circle of {case_id} on 2026-12-01")
    ok(rjc("circle", "meeting", case_id, "--hours", "1", "--attended", v2, "--date", "2026-12-01", "--no-note"))


@pytest.mark.parametrize("args, message", [
    (["--hours", "0"], "hours must be more than 0"),
    (["--hours", "-1"], "hours must be more than 0"),
    (["--hours", "abc"], "Invalid value for --hours: takes a plain number such as 50.00 or 2.5, not 'abc'"),
    (["--hours", "nan"], "Invalid value for --hours: takes a plain number such as 50.00 or 2.5, not 'nan'"),
    (["--hours", "1e309"], "Invalid value for --hours: takes a plain number such as 50.00 or 2.5, not '1e309'"),
    (["--hours", "30"], "a meeting lasts at most 24 hours, not 30"),
    (["--hours", "1"], "name the volunteers who came (--attended VOLUNTEER, repeatable)"),
    (["--hours", "1", "--attended", "V-2026-KB-0099"], "V-2026-KB-0099 is not on the circle of {case} on 2026-11-24"),
    (["--hours", "1", "--attended", "{v4}"], "{v4} is not on the circle of {case} on 2026-11-24"),
    (["--hours", "1", "--attended", "{v1}", "--date", "2026-11-19"],
     "2026-11-19 is before the circle started (2026-11-20)"),
    (["--hours", "1", "--attended", "{v1}", "--date", "2026-11-22"], "a meeting on 2026-11-22 is already logged"),
])
def test_bad_meetings_change_nothing(rjc, center, args, message):
    case_id, vs = center["case"], center["ok"]
    started(rjc, center)
    ok(rjc("circle", "meeting", case_id, "--hours", "1", "--attended", vs[0], "--date", "2026-11-22", "--no-note"))
    fill = {"case": case_id, "v1": vs[0], "v4": vs[3]}
    args = [a.format(**fill) for a in args]
    if "--date" not in args:
        args += ["--date", "2026-11-24"]
    refused(rjc, center["repo"], "circle", "meeting", case_id, *args, "--no-note", message=message.format(**fill),
            code=2 if message.startswith("Invalid value") else 1)  # a number that is not one: a usage error


def test_meetings_wait_for_the_circle_to_start(rjc, center):
    seat(rjc, center, *center["ok"][:3])
    refused(rjc, center["repo"], "circle", "meeting", center["case"], "--hours", "1", "--attended", center["ok"][0],
            "--no-note", message=f"the circle of {center['case']} has not started; when it has at least 3 "
                                 f"volunteers, start it with: rjc circle phase {center['case']} phase-1")


def test_phases_go_forward_and_need_three_seats(rjc, center):
    repo, case_id, vs = center["repo"], center["case"], center["ok"]
    refused(rjc, repo, "circle", "phase", case_id, "phase-1", message=f"{case_id} has no circle yet")
    seat(rjc, center, *vs[:2])
    refused(rjc, repo, "circle", "phase", case_id, "phase-1", "--date", "2026-11-20",
            message=f"a circle needs at least 3 active seats to be in phase-1; the circle of {case_id} has 2")
    refused(rjc, repo, "circle", "phase", case_id, "forming",
            message=f"circles move forward only: the circle of {case_id} is in forming; "
                    "it can move to: phase-1, phase-2, phase-3, ended")
    refused(rjc, repo, "circle", "phase", case_id, "phase-9", code=2, message=(
        "Error: Invalid value for 'PHASE': 'phase-9' is not one of 'forming', 'phase-1', 'phase-2', 'phase-3', 'ended'.\n"))
    seat(rjc, center, vs[2])
    ok(rjc("circle", "phase", case_id, "phase-2", "--date", "2026-11-20"))  # skipping forward is allowed
    refused(rjc, repo, "circle", "phase", case_id, "phase-1",
            message=f"circles move forward only: the circle of {case_id} is in phase-2; it can move to: phase-3, ended"
            )
    refused(rjc, repo, "circle", "phase", case_id, "phase-2", message="circles move forward only")
    refused(rjc, repo, "circle", "phase", case_id, "phase-3", "--date", "2026-11-19",
            message="2026-11-19 is before the circle started (2026-11-20)")
    ok(rjc("circle", "meeting", case_id, "--hours", "1", "--attended", vs[0], "--date", "2026-11-27", "--no-note"))
    refused(rjc, repo, "circle", "phase", case_id, "ended", "--date", "2026-11-26",
            message="2026-11-26 is before its last meeting (2026-11-27)")
    result = ok(rjc("circle", "phase", case_id, "ended", "--date", "2027-06-01", "--yes"))
    assert (f"Warning: the circle of {case_id} ends on 2027-06-01, before 12 months since it started "
            "(2026-11-20); circles meet for at least 12 months") in result.err
    assert repo.get(case_id).circle.ended == D("2027-06-01")
    assert repo.get(case_id).status == "in-circle"  # the coordinator closes the case, with a reason
    for args in (("phase", case_id, "phase-3"), ("add", case_id, vs[3], "--role", "member"),
                 ("leave", case_id, vs[0]), ("meeting", case_id, "--hours", "1", "--attended", vs[0], "--no-note")):
        refused(rjc, repo, "circle", *args, message=f"the circle of {case_id} ended on 2027-06-01; nothing was changed")
    assert "ended: 2027-06-01" in ok(rjc("circle", "show", case_id)).out


def test_starting_the_circle_needs_intake_and_a_case_cannot_be_in_circle_before(rjc, center):
    repo, vs = center["repo"], center["ok"]
    referred = open_case(rjc, center["person"], "cosa")
    seat(rjc, {**center, "case": referred}, *vs[:3])
    refused(rjc, repo, "circle", "phase", referred, "phase-1", "--date", "2026-11-20",
            message=f"{referred} is still at referred; take it through intake first: rjc case status {referred} intake")
    result = refused(rjc, repo, "case", "status", center["case"], "in-circle", "--date", "2026-11-05",
                     message="refusing to commit invalid records; nothing was written")
    assert f"a cosa case is in-circle only once its circle has started (with 3-5 volunteers): " \
           f"rjc circle phase {center['case']} phase-1 [circle-status]" in result.err
    started(rjc, center)
    ok(rjc("case", "status", center["case"], "monitoring", "--date", "2026-12-01"))
    ok(rjc("case", "status", center["case"], "in-circle", "--date", "2026-12-02"))  # the circle has started
    ok(rjc("circle", "phase", center["case"], "phase-2", "--date", "2026-12-03"))
    assert repo.get(center["case"]).status == "in-circle"  # only a case at intake is moved
    ok(rjc("case", "close", center["case"], "--reason", "withdrawn", "--date", "2026-12-04"))
    refused(rjc, repo, "circle", "add", center["case"], vs[3], "--role", "member",
            message=f"{center['case']} is closed; reopen it first with: rjc case reopen {center['case']}")
    assert "phase: phase-2" in ok(rjc("circle", "show", center["case"])).out  # a closed case still shows


def test_show_without_a_circle(rjc, center):
    assert ok(rjc("circle", "show", center["case"])).out.strip() == (
        f"{center['case']} has no circle yet; seat its volunteers with: "
        f"rjc circle add {center['case']} VOLUNTEER --role ROLE")


def test_a_meeting_note_is_prompted_for_at_a_terminal(rjc, center):
    started(rjc, center)
    ok(rjc("circle", "meeting", center["case"], "--hours", "1", "--attended", center["ok"][0],
           "--date", "2026-11-24", stdin="Good week.\n", tty=True))
    assert center["repo"].get(center["case"]).circle.meetings[0].note == "Good week."


# --- CoSA through the core -------------------------------------------------------------------


def test_the_core_seats_meets_and_sums(center):
    repo, case_id, vs = center["repo"], center["case"], center["ok"]
    for number, volunteer in enumerate(vs[:4]):
        outcome = programs.seat_volunteer(repo, case_id, volunteer, CircleRole.ANCHOR if number == 0 else
                                          CircleRole.MEMBER, day=D("2026-11-10"))
        assert outcome.ids == [case_id] and outcome.warnings == [] and len(outcome.commit) == 40
    outcome = programs.move_phase(repo, case_id, CirclePhase.PHASE_1, day=D("2026-11-20"))
    assert outcome.notices == [f"{case_id} is now in-circle"]
    for week, hours in enumerate(["1.5", "2", "1.5", "1"]):
        programs.log_meeting(repo, case_id, day=D("2026-11-20") + dt.timedelta(weeks=week), hours=Decimal(hours),
                             attended=vs[:3 if week % 2 else 4])
    summary = programs.circle_summary(repo.get(case_id), D("2026-12-25"))
    assert (summary.meetings, summary.hours, summary.volunteer_hours, summary.active_seats) == (
        4, Decimal("6.0"), Decimal("21.0"), 4)
    assert (summary.last_meeting, summary.weeks_since_last_meeting, summary.year_mark, summary.seats_short) == (
        D("2026-12-11"), 2, D("2027-11-20"), False)
    with pytest.raises(RjcError, match="hours must be more than 0"):
        programs.log_meeting(repo, case_id, day=D("2026-12-20"), hours=Decimal("0"), attended=vs[:1])
    with pytest.raises(RjcError, match="already on the circle"):
        programs.seat_volunteer(repo, case_id, vs[0], day=D("2026-12-20"))
    outcome = programs.move_phase(repo, case_id, CirclePhase.ENDED, day=D("2026-12-20"))
    assert outcome.warnings and "before 12 months" in outcome.warnings[0]


def test_the_core_warns_about_a_volunteer_who_does_not_serve_cosa(center):
    repo = center["repo"]
    volunteer = repo.get(center["ok"][0])
    volunteer.programs = [Program.RESTORATIVE_PANEL]
    repo.save(volunteer, "test", command="test")
    outcome = programs.seat_volunteer(repo, center["case"], volunteer.id, day=D("2026-11-10"))
    assert outcome.warnings == [f"{volunteer.id} does not list cosa among the programs they serve"]


def test_one_year_after():
    assert programs.one_year_after(D("2028-02-29")) == D("2029-02-28")
    assert programs.one_year_after(D("2026-11-20")) == D("2027-11-20")


def test_the_record_rules_refuse_a_hand_made_circle(center):
    """What the commands refuse, the record rules refuse too (for `rjc edit` and hand edits)."""
    repo, case_id, vs = center["repo"], center["case"], center["ok"]
    programs.seat_volunteer(repo, case_id, vs[0], day=D("2026-11-10"))
    case = repo.get(case_id)
    case.circle.roster += [CircleSeat(volunteer=v, joined=D("2026-11-10")) for v in vs]  # vs[0] twice, 7 seats
    case.circle.phase = CirclePhase.PHASE_1
    with pytest.raises(RjcError) as error:
        repo.save(case, "test", command="test")
    messages = {(p.rule, p.message) for p in error.value.problems}
    assert {("circle-seats", "a circle has at most 5 active seats, not 7"),
            ("circle-seats", f"{vs[0]} holds two seats at the same time"),
            ("circle-phase", "a circle in phase-1 needs its started date")} <= messages


# --- STAR ------------------------------------------------------------------------------------


@pytest.fixture
def star(rjc, center):
    case_id = open_case(rjc, center["person"], "star")
    ok(rjc("case", "status", case_id, "intake", "--date", "2026-11-04"))
    return {**center, "case": case_id, "cosa": center["case"]}


def test_the_record_rules_keep_each_programs_part_on_its_own_cases(star):
    """A hand edit that gives a star case a circle, or a cosa case an internship, is refused."""
    repo = star["repo"]
    for case_id, part, value, message in (
            (star["case"], "circle", Circle(), "circles are for cosa cases, not star"),
            (star["cosa"], "internship", Internship(host="Barre Bakery"), "internships are for star cases, not cosa")):
        case = repo.get(case_id)
        setattr(case, part, value)
        with pytest.raises(RjcError) as error:
            repo.save(case, "test", command="test")
        assert ("program-parts", message) in {(p.rule, p.message) for p in error.value.problems}


def test_an_internship_from_host_to_references(rjc, star):
    repo, case_id = star["repo"], star["case"]
    start = head(repo)
    refused(rjc, repo, "case", "status", case_id, "in-internship", "--date", "2026-11-05",
            message="refusing to commit invalid records")
    steps = [
        ("internship", "set", case_id, "--host", "Barre Bakery", "--grant", "STAR workforce grant FY27",
         "--start", "2026-11-09", "--end", "2027-02-26"),
        ("case", "status", case_id, "in-internship", "--date", "2026-11-09"),
        ("internship", "hours", case_id, "--hours", "16", "--date", "2026-11-13"),
        ("internship", "hours", case_id, "--hours", "12.5", "--date", "2026-11-20"),
        ("internship", "hours", case_id, "--hours", "8", "--date", "2026-11-16"),
        ("internship", "skill", case_id, "--add", "Food safety"),
        ("internship", "skill", case_id, "--add", "Running the register"),
        ("internship", "reference", case_id, "--add", "Letter from the host supervisor"),
        ("internship", "set", case_id, "--end", "2027-03-05"),
    ]
    for step in steps:
        ok(rjc(*step))
    internship = repo.get(case_id).internship
    assert (internship.host, internship.grant, internship.start, internship.end) == (
        "Barre Bakery", "STAR workforce grant FY27", D("2026-11-09"), D("2027-03-05"))
    assert [(str(h.date), h.hours) for h in internship.hours] == [
        ("2026-11-13", Decimal("16")), ("2026-11-16", Decimal("8")), ("2026-11-20", Decimal("12.5"))]
    assert programs.internship_hours(internship) == Decimal("36.5")
    assert ok(rjc("internship", "show", case_id)).out.splitlines() == [
        f"internship of {case_id} (case in-internship)",
        "host: Barre Bakery",
        "grant: STAR workforce grant FY27",
        "dates: 2026-11-09 to 2027-03-05",
        "hours: 36.5 (3 entries)",
        "skills: Food safety; Running the register",
        "references: Letter from the host supervisor",
    ]
    assert ok(rjc("check")).code == 0
    assert git(repo.root, "rev-list", "--count", f"{start}..HEAD").strip() == str(len(steps))
    subjects = assert_no_names(repo, len(steps))
    assert subjects == [f"{action} {case_id}" for action in [
        "internship set", "internship reference", "internship skill", "internship skill", "internship hours",
        "internship hours", "internship hours", "case status in-internship", "internship set"]]


def test_internship_refusals_change_nothing(rjc, star):
    repo, case_id = star["repo"], star["case"]
    refused(rjc, repo, "internship", "hours", case_id, "--hours", "4",
            message=f"{case_id} has no internship yet; set it up with: rjc internship set {case_id} --host BUSINESS")
    refused(rjc, repo, "internship", "skill", case_id, "--add", "x", message=f"{case_id} has no internship yet")
    refused(rjc, repo, "internship", "set", case_id, "--grant", "G",
            message=f"{case_id} has no internship yet; name its host business (--host)")
    refused(rjc, repo, "internship", "set", case_id, message="give at least one of --host, --grant, --start, --end")
    refused(rjc, repo, "internship", "set", case_id, "--host", star["person"],
            message="the host is a business: give the business's name, not a person's id")
    refused(rjc, repo, "internship", "set", case_id, "--host", "ana rivera",
            message=f"the host is a business, not someone on {case_id}")
    refused(rjc, repo, "internship", "set", case_id, "--host", "  ", message="name the host business (--host)")
    refused(rjc, repo, "internship", "set", case_id, "--host", "Mill", "--start", "2026-11-01",
            message=f"2026-11-01 is before the case was opened ({OPENED})")
    refused(rjc, repo, "internship", "set", case_id, "--host", "Mill", "--start", "2026-12-01", "--end", "2026-11-30",
            message="the internship would end (2026-11-30) before it starts (2026-12-01)")
    ok(rjc("internship", "set", case_id, "--host", "Mill", "--start", "2026-11-09", "--end", "2026-12-18"))
    for hours, date, message in [("0", "2026-11-10", "hours must be more than 0"),
                                 ("-3", "2026-11-10", "hours must be more than 0"),
                                 ("lots", "2026-11-10", "Invalid value for --hours: takes a plain number such as "
                                                        "50.00 or 2.5, not 'lots'"),
                                 ("4", "2026-11-08", "2026-11-08 is outside the internship's dates "
                                                     "(2026-11-09 to 2026-12-18)"),
                                 ("4", "2026-12-19", "2026-12-19 is outside the internship's dates")]:
        refused(rjc, repo, "internship", "hours", case_id, "--hours", hours, "--date", date, "--yes", message=message,
                code=2 if message.startswith("Invalid value") else 1)
    ok(rjc("internship", "hours", case_id, "--hours", "4", "--date", "2026-12-18", "--yes"))
    refused(rjc, repo, "internship", "set", case_id, "--end", "2026-12-17",
            message="hours are logged on 2026-12-18, outside the internship's dates (2026-11-09 to 2026-12-17)")
    ok(rjc("internship", "skill", case_id, "--add", "Forklift"))
    refused(rjc, repo, "internship", "skill", case_id, "--add", "forklift ",
            message=f"that skill is already listed on {case_id}")
    refused(rjc, repo, "internship", "reference", case_id, "--add", " ", message="the reference cannot be blank")
    cosa = star["cosa"]
    for args in (("set", cosa, "--host", "Mill"), ("hours", cosa, "--hours", "1"), ("skill", cosa, "--add", "x"),
                 ("reference", cosa, "--add", "x"), ("show", cosa)):
        refused(rjc, repo, "internship", *args, message=f"internships are for star cases; {cosa} is a cosa case")


def test_the_core_logs_internship_hours(star):
    repo, case_id = star["repo"], star["case"]
    programs.set_internship(repo, case_id, host="Upper Valley Co-op", start=D("2026-11-09"))
    for day, hours in (("2026-11-13", "8"), ("2026-11-20", "7.5")):
        assert programs.log_internship_hours(repo, case_id, Decimal(hours), day=D(day)).ids == [case_id]
    assert programs.internship_hours(repo.get(case_id).internship) == Decimal("15.5")
    with pytest.raises(RjcError, match="hours must be more than 0"):
        programs.log_internship_hours(repo, case_id, Decimal("NaN"), day=D("2026-11-21"))
    with pytest.raises(RjcError, match="is outside the internship's dates"):
        programs.log_internship_hours(repo, case_id, Decimal("2"), day=D("2026-11-08"))


def test_show_without_an_internship(rjc, star):
    assert ok(rjc("internship", "show", star["case"])).out.strip() == (
        f"{star['case']} has no internship yet; set it up with: rjc internship set {star['case']} --host BUSINESS")


def test_a_host_checked_against_a_case_that_names_a_merged_person(rjc, star):
    """A case can name a person merged away (a clone that had not heard of the merge referred
    them): what the merge left has no name, and the host is checked against the others."""
    from rjc.storage import layout

    repo, case_id, gone = star["repo"], star["case"], star["person"]
    kept = ok(rjc("new", "person", "-f", "-", stdin="given_name: Ada\nfamily_name: Lind\n")).out.strip()
    ok(rjc("person", "merge", kept, gone, "--yes"))
    path = repo.root / layout.parse_id(case_id).path
    path.write_text(path.read_text().replace(kept, gone))
    git(repo.root, "-c", "user.name=t", "-c", "user.email=t@rjc.invalid", "commit", "-qam", "unsynced referral")
    ok(rjc("internship", "set", case_id, "--host", "Mill"))
    assert repo.get(case_id).internship.host == "Mill"
