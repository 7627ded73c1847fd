"""rjc panel: scheduling under the seating rules, suggestions, reschedule, cancel, record."""

from __future__ import annotations

import datetime as dt

import pytest

from rjc.model.vocab import Notice
from rjc.workflows import scheduling

from helpers import git

FUTURE = (dt.date.today() + dt.timedelta(days=10))
while FUTURE.weekday() != 1:  # a Tuesday, an evening the volunteers below are free
    FUTURE += dt.timedelta(days=1)
DAY = FUTURE.isoformat()


def _new(rjc, root, kind: str, text: str) -> str:
    result = rjc("--records", root, "new", kind, "-f", "-", stdin=text)
    assert result.code == 0, result.err
    return result.out.strip()


def _volunteer(rjc, root, *, name: str, active: bool = True, trained: bool = True,
               check_expires: str = "2030-01-01", conflicts: tuple = (), availability: str = "tue") -> str:
    person = _new(rjc, root, "person", f"given_name: {name}\n")
    text = f"person: {person}\nactive: {str(active).lower()}\n"
    if trained:
        text += "trainings:\n- name: Panel training\n  date: 2024-01-10\n"
    text += f"background_checks:\n- date: 2024-01-01\n  expires: {check_expires}\n"
    text += f"availability:\n- day: {availability}\n  part: evening\n"
    if conflicts:
        text += "conflicts:\n" + "".join(f"- {c}\n" for c in conflicts)
    return _new(rjc, root, "volunteer", text)


@pytest.fixture
def center(repo, rjc, built):
    ids = built.reuse("panels-center", repo.root, lambda: _center(rjc, repo.root))
    return {"root": repo.root, "repo": repo, **ids}


def _center(rjc, root) -> dict:
    party = _new(rjc, root, "person", "given_name: Quinn\nfamily_name: Marsh\n")
    victim = _new(rjc, root, "person", "given_name: Rory\nfamily_name: Vale\n")
    cases = []
    for _ in range(2):
        referral = _new(rjc, root, "referral", f"received: 2026-11-02\nprogram: restorative-panel\nsource: police\n"
                                                f"people:\n- person: {party}\n  role: responsible-party\n"
                                                f"- person: {victim}\n  role: victim\n")
        accepted = rjc("--records", root, "referral", "accept", referral, "--date", "2026-11-03")
        cases.append(accepted.out.strip())
        assert rjc("--records", root, "case", "status", cases[-1], "intake", "--date", "2026-11-04").code == 0
    volunteers = [_volunteer(rjc, root, name=f"Vol{i}") for i in range(5)]
    return {"cases": cases, "volunteers": volunteers, "party": party, "victim": victim}


def _schedule(rjc, center, *extra, cases=None, volunteers=None):
    args = ["--records", center["root"], "panel", "schedule", "--date", DAY, "--time", "18:00",
            "--place", "Town Hall, room 2"]
    for case in cases if cases is not None else center["cases"][:1]:
        args += ["--case", case]
    for volunteer in volunteers if volunteers is not None else center["volunteers"][:3]:
        args += ["--volunteer", volunteer]
    return rjc(*args, *extra)


def _commits(root) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def test_schedule_seats_volunteers_and_moves_the_case_in_one_commit(rjc, center):
    before = _commits(center["root"])
    result = _schedule(rjc, center)
    assert result.code == 0, result.err
    panel_id = result.out.strip()
    panel = center["repo"].get(panel_id)
    assert (str(panel.date), f"{panel.start:%H:%M}", f"{panel.end:%H:%M}", panel.place) == (DAY, "18:00", "19:30",
                                                                                          "Town Hall, room 2")
    assert [s.volunteer for s in panel.seats] == center["volunteers"][:3]
    assert [(d.case, d.purpose) for d in panel.docket] == [(center["cases"][0], "agreement")]
    assert center["repo"].get(center["cases"][0]).status == "panel-scheduled"
    assert _commits(center["root"]) == before + 1
    assert scheduling.notices_due(panel) == list(scheduling.NOTICES)
    assert "referring agency" in result.err
    for name in ("Quinn", "Marsh", "Rory", "Vol0"):
        assert name not in git(center["root"], "log", "--format=%B")


@pytest.mark.parametrize("setup, rule", [
    (lambda rjc, c: c["volunteers"][:2], "panel-seats"),
    (lambda rjc, c: [*c["volunteers"], _volunteer(rjc, c["root"], name="Six"),
                     _volunteer(rjc, c["root"], name="Seven")], "panel-seats"),
    (lambda rjc, c: [*c["volunteers"][:2], _volunteer(rjc, c["root"], name="Idle", active=False)], "volunteer-active"),
    (lambda rjc, c: [*c["volunteers"][:2], _volunteer(rjc, c["root"], name="New", trained=False)], "volunteer-trained"),
    (lambda rjc, c: [*c["volunteers"][:2], _volunteer(rjc, c["root"], name="Old", check_expires="2026-01-01")],
     "background-check"),
    (lambda rjc, c: [*c["volunteers"][:2], _volunteer(rjc, c["root"], name="Kin", conflicts=(c["victim"],))],
     "volunteer-conflict"),
    (lambda rjc, c: [*c["volunteers"][:2], "V-2026-KB-0099"], "unknown-volunteer"),
])
def test_each_seating_rule_is_refused_by_name(rjc, center, setup, rule):
    seats = setup(rjc, center)
    head = git(center["root"], "rev-parse", "HEAD")
    result = _schedule(rjc, center, volunteers=seats)
    assert result.code == 1
    assert f"[{rule}]" in result.err and "nothing was scheduled" in result.err
    assert git(center["root"], "rev-parse", "HEAD") == head
    assert center["repo"].get(center["cases"][0]).status == "intake"


def test_a_volunteer_cannot_sit_on_two_panels_at_once(rjc, center):
    assert _schedule(rjc, center).code == 0
    overlap = rjc("--records", center["root"], "panel", "schedule", "--date", DAY, "--time", "19:00",
                  "--place", "Library", "--case", center["cases"][1], *sum(
                      (["--volunteer", v] for v in center["volunteers"][2:5]), []))
    assert overlap.code == 1 and "[volunteer-double-booked]" in overlap.err
    assert center["volunteers"][2] in overlap.err
    later = rjc("--records", center["root"], "panel", "schedule", "--date", DAY, "--time", "19:30",
                "--place", "Library", "--case", center["cases"][1], *sum(
                    (["--volunteer", v] for v in center["volunteers"][2:5]), []))
    assert later.code == 0, later.err  # back to back is fine


def _panel_file(center, time: str, volunteers: list[str]) -> str:
    return (f"date: {DAY}\nstart: '{time}'\nend: '{time[:2]}:59'\nplace: Library\nprogram: restorative-panel\n"
            f"docket:\n- case: {center['cases'][1]}\n  purpose: agreement\n"
            "seats:\n" + "".join(f"- volunteer: {v}\n" for v in volunteers))


def test_a_panel_from_a_file_is_held_to_the_seating_rules_of_panel_schedule(rjc, center):
    panel = _schedule(rjc, center).out.strip()
    head = git(center["root"], "rev-parse", "HEAD")
    overlap = rjc("--records", center["root"], "new", "panel", "-f", "-",
                  stdin=_panel_file(center, "19:00", center["volunteers"][2:5]))
    assert overlap.code == 1
    assert f"<stdin>:10:14: error: {center['volunteers'][2]} is already seated on {panel} at an overlapping time " \
           "[volunteer-double-booked]" in overlap.err
    assert git(center["root"], "rev-parse", "HEAD") == head
    later = rjc("--records", center["root"], "new", "panel", "-f", "-",
                stdin=_panel_file(center, "20:00", center["volunteers"][2:5]))
    assert later.code == 0, later.err
    assert rjc("--records", center["root"], "check").code == 0


def test_an_edit_is_held_to_the_seating_rules_too(rjc, center, monkeypatch):
    assert _schedule(rjc, center).code == 0
    later = _schedule(rjc, center, "--time", "20:00", cases=center["cases"][1:], volunteers=center["volunteers"][2:5])
    panel = later.out.strip()
    monkeypatch.setenv("EDITOR", "sed -i s/20:00/18:30/")
    head = git(center["root"], "rev-parse", "HEAD")
    edited = rjc("--records", center["root"], "edit", panel, stdin="")
    assert edited.code == 1
    assert "is already seated on PN-2026-KB-0001 at an overlapping time [volunteer-double-booked]" in edited.err
    assert f"drafts/{panel}.yaml:" in edited.err  # the lines are the draft's
    assert git(center["root"], "rev-parse", "HEAD") == head


def test_a_case_that_cannot_go_to_panel_is_refused(rjc, center):
    assert rjc("--records", center["root"], "case", "close", center["cases"][1], "--reason", "withdrawn").code == 0
    result = _schedule(rjc, center, cases=center["cases"][1:])
    assert result.code == 1 and "[case-status]" in result.err


def test_past_dates_need_yes(rjc, center):
    result = rjc("--records", center["root"], "panel", "schedule", "--date", "2020-01-07", "--time", "18:00",
                 "--place", "Hall", "--case", center["cases"][0], "--volunteer", center["volunteers"][0])
    assert result.code == 1 and result.err == "Error: 2020-01-07 is in the past; add --yes if that is what you mean\n"


def test_suggest_proposes_only_eligible_available_volunteers_least_recently_seated(rjc, center):
    root = center["root"]
    _volunteer(rjc, root, name="Idle", active=False)
    _volunteer(rjc, root, name="Stale", check_expires="2026-01-01")
    _volunteer(rjc, root, name="Kin", conflicts=(center["party"],))
    _volunteer(rjc, root, name="Weekend", availability="sat")
    assert _schedule(rjc, center).code == 0  # seats volunteers 0-2 on DAY
    later = (FUTURE + dt.timedelta(days=7)).isoformat()
    result = rjc("--records", root, "panel", "schedule", "--date", later, "--time", "18:00", "--place", "Hall",
                 "--case", center["cases"][1], "--suggest", "3", "--yes")
    assert result.code == 0, result.err
    suggested = result.out.splitlines()[0].split()[1:]
    # the two never seated first, then the least recently seated of the rest
    assert suggested == [*center["volunteers"][3:5], center["volunteers"][0]]
    no_confirm = rjc("--records", root, "panel", "schedule", "--date", later, "--time", "10:00", "--place", "Hall",
                     "--case", center["cases"][0], "--suggest", "3", stdin="")
    assert no_confirm.code == 1 and no_confirm.err.splitlines()[-1] == "Error: nothing was scheduled; accept with --yes, or seat with --volunteer"


def test_suggest_never_proposes_an_ineligible_volunteer(rjc, center):
    root = center["root"]
    bad = {_volunteer(rjc, root, name="Idle", active=False), _volunteer(rjc, root, name="Stale", check_expires="2026-01-01"),
           _volunteer(rjc, root, name="Kin", conflicts=(center["victim"],)), _volunteer(rjc, root, name="Raw", trained=False)}
    roster = scheduling.Roster.load(center["repo"], center["cases"][:1])
    slot = scheduling.Slot(FUTURE, dt.time(18), dt.time(19, 30))
    proposed = scheduling.suggest(roster, slot, 20)
    assert set(proposed) == set(center["volunteers"]) and not bad & set(proposed)


def test_reschedule_keeps_history_and_rechecks_seats(rjc, center):
    panel_id = _schedule(rjc, center).out.strip()
    root = center["root"]
    assert rjc("--records", root, "panel", "notice", panel_id, "--to", "participants").code == 0
    new_day = (FUTURE + dt.timedelta(days=7)).isoformat()
    told = dt.date.today() - dt.timedelta(days=2)  # entered late: the change was agreed two days ago
    result = rjc("--records", root, "panel", "reschedule", panel_id, "--to", new_day, "--time", "17:30",
                 "--note", "room taken", "--date", str(told))
    assert result.code == 0, result.err
    panel = center["repo"].get(panel_id)
    assert (str(panel.date), f"{panel.start:%H:%M}", f"{panel.end:%H:%M}") == (new_day, "17:30", "19:00")
    assert [(c.action, c.date) for c in panel.history] == [("scheduled", dt.date.today()), ("rescheduled", told)]
    assert panel.history[-1].note == f"from {DAY} 18:00; notices sent: participants {dt.date.today()}; room taken"
    assert Notice.PARTICIPANTS in scheduling.notices_due(panel)  # told of the old date only
    blocker = rjc("--records", root, "panel", "schedule", "--date", DAY, "--time", "18:00", "--place", "Hall",
                  "--case", center["cases"][1], *sum((["--volunteer", v] for v in center["volunteers"][2:5]), []))
    assert blocker.code == 0, blocker.err
    back = rjc("--records", root, "panel", "reschedule", panel_id, "--to", DAY, "--time", "18:00")
    assert back.code == 1 and "[volunteer-double-booked]" in back.err
    only_when = rjc("--records", root, "panel", "reschedule", panel_id, "--date", DAY)
    assert (only_when.code, only_when.err.splitlines()[-1]) == (2, (
        "Error: give what changes: --to (the new date), --time, --place or --video; "
        "--date is the day the change was made"))


def test_cancel_returns_cases_to_their_earlier_status(rjc, center):
    panel_id = _schedule(rjc, center).out.strip()
    yesterday = dt.date.today() - dt.timedelta(days=1)  # entered the day after it was called off
    result = rjc("--records", center["root"], "panel", "cancel", panel_id, "--note", "snow", "--date", str(yesterday))
    assert result.code == 0, result.err
    panel = center["repo"].get(panel_id)
    assert panel.status == "cancelled" and (panel.history[-1].action, panel.history[-1].date) == ("cancelled", yesterday)
    assert center["repo"].get(center["cases"][0]).status == "intake"
    again = rjc("--records", center["root"], "panel", "cancel", panel_id)
    assert again.code == 1 and "only a scheduled panel" in again.err


def test_record_stores_attendance_outcomes_and_hours(rjc, center, repo):
    root = center["root"]
    result = rjc("--records", root, "panel", "schedule", "--date", "2026-11-10", "--time", "18:00", "--place", "Hall",
                 "--case", center["cases"][0], "--case", center["cases"][1], "--yes",
                 *sum((["--volunteer", v] for v in center["volunteers"][:3]), []))
    assert result.code == 0, result.err
    panel_id = result.out.strip()
    missing = rjc("--records", root, "panel", "record", panel_id, "--outcome", f"{center['cases'][0]}=agreement-signed",
                  "--no-input")
    assert missing.code == 1 and missing.err == f"Error: give the outcome for {center['cases'][1]} (--outcome CASE=OUTCOME)\n"
    record = ("--records", root, "panel", "record", panel_id, "--no-input",
              "--outcome", f"{center['cases'][0]}=agreement-signed", "--outcome", f"{center['cases'][1]}=no-show",
              "--absent", center["volunteers"][2], "--attended", f"{center['cases'][0]}={center['party']}",
              "--end", "20:15")
    early = rjc(*record, "--date", "2026-11-09")
    assert (early.code, early.err) == (1, f"Error: 2026-11-09 is before {panel_id} met (2026-11-10); nothing was changed\n")
    recorded = rjc(*record, "--date", "2026-11-12")  # written up two days after it met
    assert recorded.code == 0, recorded.err
    panel = repo.get(panel_id)
    assert panel.status == "held" and (panel.history[-1].action, str(panel.history[-1].date)) == ("held", "2026-11-12")
    assert [str(e.date) for e in repo.get(center["cases"][0]).status_history][-1] == "2026-11-10"
    assert [(s.attended, s.hours and str(s.hours)) for s in panel.seats] == [(True, "2.25"), (True, "2.25"), (False, None)]
    assert [(d.outcome, d.attended) for d in panel.docket] == [("agreement-signed", [center["party"]]), ("no-show", [])]
    assert repo.get(center["cases"][0]).status == "agreement-signed"
    assert repo.get(center["cases"][1]).status == "panel-scheduled"
    assert rjc("--records", root, "check").code == 0
    late = rjc("--records", root, "panel", "notice", panel_id, "--to", "participants")
    assert late.code == 1 and "notices are for a panel still to meet" in late.err


def test_record_prompts_for_outcomes_on_a_terminal(rjc, center, repo):
    result = rjc("--records", center["root"], "panel", "schedule", "--date", "2026-11-10", "--time", "18:00",
                 "--place", "Hall", "--case", center["cases"][0], "--yes",
                 *sum((["--volunteer", v] for v in center["volunteers"][:3]), []))
    panel_id = result.out.strip()
    recorded = rjc("--records", center["root"], "panel", "record", panel_id, tty=True, stdin="on-track\n")
    assert recorded.code == 0, recorded.err
    assert repo.get(panel_id).docket[0].outcome == "on-track"


def test_suggestions_show_names_on_a_terminal_and_a_no_offers_the_next_ones(center, terminal):
    volunteers = center["volunteers"]
    s = terminal(center["root"], "panel", "schedule", "--date", DAY, "--time", "18:00", "--place", "Hall",
                 "--case", center["cases"][0], "--volunteer", volunteers[4], "--suggest", "2")
    first = s.answer("Seat them? [Y/n]: ", "n")
    assert first.replace("\r", "").endswith(f"suggested, least recently seated first:\n  {volunteers[0]}  Vol0\n"
                                            f"  {volunteers[1]}  Vol1\nSeat them? [Y/n]: ")
    second = s.answer("Seat them? [Y/n]: ", "y")
    assert second.replace("\r", "").lstrip("n\n") == (f"the next ones:\n  {volunteers[2]}  Vol2\n"
                                                     f"  {volunteers[3]}  Vol3\nSeat them? [Y/n]: ")
    code, rest = s.end()
    assert code == 0, s.seen
    panel = next(word for word in rest.split() if word.startswith("PN-"))
    seats = center["repo"].get(panel).seats
    assert [seat.volunteer for seat in seats] == [volunteers[4], volunteers[2], volunteers[3]]
    assert "Vol" not in git(center["root"], "log", "-1", "--format=%B")


def test_every_suggestion_refused_schedules_nothing(center, terminal):
    s = terminal(center["root"], "panel", "schedule", "--date", DAY, "--time", "18:00", "--place", "Hall",
                 "--case", center["cases"][0], "--suggest", "3")
    s.answer("Seat them? [Y/n]: ", "n")
    s.answer("Seat them? [Y/n]: ", "n")
    code, rest = s.end()
    assert code == 1
    assert rest.replace("\r", "").strip().splitlines()[-1] == (
        "Error: nothing was scheduled: no more eligible, available volunteers for that time; seat with --volunteer")


# --- which program a panel is filed under --------------------------------------------------------


@pytest.fixture
def diversion(rjc, center, built):
    """The center, plus a pre-charge diversion case ready for a panel and a volunteer who serves
    diversion panels only."""
    return {**center, **built.reuse("panels-diversion", center["root"], lambda: _diversion(rjc, center))}


def _diversion(rjc, center) -> dict:
    root = center["root"]
    referral = _new(rjc, root, "referral", f"received: 2026-11-02\nprogram: pre-charge-diversion\nsource: "
                                            f"states-attorney\npeople:\n- person: {center['party']}\n"
                                            f"  role: responsible-party\n")
    accepted = rjc("--records", root, "referral", "accept", referral, "--date", "2026-11-03")
    assert accepted.code == 0, accepted.err
    case = accepted.out.strip()
    moved = rjc("--records", root, "case", "status", case, "intake", "--date", "2026-11-04")
    assert moved.code == 0, moved.err
    person = _new(rjc, root, "person", "given_name: Dana\n")
    only = _new(rjc, root, "volunteer", f"person: {person}\nprograms:\n- pre-charge-diversion\n"
                                        "trainings:\n- name: Diversion panel training\n  date: 2024-01-10\n"
                                        "background_checks:\n- date: 2024-01-01\n  expires: 2030-01-01\n"
                                        "availability:\n- day: tue\n  part: evening\n")
    return {"diversion_case": case, "diversion_only": only}


def test_a_diversion_docket_is_a_diversion_panel_and_its_suggestions_serve_diversion(rjc, diversion):
    result = _schedule(rjc, diversion, "--suggest", "6", "--yes", cases=[diversion["diversion_case"]], volunteers=[])
    assert result.code == 0, result.err
    panel = diversion["repo"].get(result.out.split()[-1])  # (after the line of suggestions)
    assert panel.program == "pre-charge-diversion"
    assert diversion["diversion_only"] in [s.volunteer for s in panel.seats]
    # a restorative panel never suggests the volunteer who serves diversion only
    week_later = (FUTURE + dt.timedelta(days=7)).isoformat()  # (the same evening, its volunteers are taken)
    restorative = _schedule(rjc, diversion, "--suggest", "6", "--yes", "--date", week_later, volunteers=[])
    assert restorative.code == 0, restorative.err
    seated = [s.volunteer for s in diversion["repo"].get(restorative.out.split()[-1]).seats]
    assert diversion["diversion_only"] not in seated


def test_a_docket_that_mixes_programs_needs_the_program_named(rjc, diversion):
    both = [diversion["cases"][0], diversion["diversion_case"]]
    refused = _schedule(rjc, diversion, cases=both)
    assert refused.code == 1
    assert refused.err.strip() == (
        f"Error: the docket mixes programs (pre-charge-diversion: {diversion['diversion_case']}; "
        f"restorative-panel: {diversion['cases'][0]}); say which one the panel is filed under, which the reports "
        "count it in: --program pre-charge-diversion or --program restorative-panel")
    wrong = _schedule(rjc, diversion, "--program", "reentry-panel", cases=both)
    assert wrong.err.strip() == ("Error: --program reentry-panel: the docket has pre-charge-diversion, "
                                 "restorative-panel cases, no reentry-panel case")
    chosen = _schedule(rjc, diversion, "--program", "pre-charge-diversion", cases=both)
    assert chosen.code == 0, chosen.err
    assert diversion["repo"].get(chosen.out.strip()).program == "pre-charge-diversion"


def test_a_diversion_panel_is_counted_under_diversion_in_the_report(rjc, diversion):
    import json

    held = "2026-11-17"  # a Tuesday: scheduled late, with --yes, then recorded
    scheduled = rjc("--records", diversion["root"], "panel", "schedule", "--date", held, "--time", "18:00",
                    "--place", "Town Hall", "--case", diversion["diversion_case"], "--suggest", "3", "--yes")
    assert scheduled.code == 0, scheduled.err
    panel = scheduled.out.split()[-1]
    recorded = rjc("--records", diversion["root"], "panel", "record", panel, "--date", held,
                   "--outcome", f"{diversion['diversion_case']}=agreement-signed", "--no-input")
    assert recorded.code == 0, recorded.err
    report = json.loads(rjc("--records", diversion["root"], "report", "quarterly", "--quarter", "2027Q2",
                            "--format", "json").out)
    row = {(r["measure"], r["breakdown"]): r["value"] for r in report["rows"] if r["period"] == "Vermont FY2027 Q2"}
    assert (row[("panels_held", "pre-charge-diversion")], row[("panels_held", "restorative-panel")]) == (1, 0)
    assert row[("volunteers_active", "pre-charge-diversion")] == 3
    assert row[("volunteer_hours_by_program", "pre-charge-diversion")] == 4.5  # three seats of 90 minutes
