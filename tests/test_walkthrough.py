"""Walk-throughs: one case per program, from the referral to the closure, as a coordinator works.

Every step goes through the real `rjc` entry point and must add exactly one commit (commands that
only read add none); a few representative mistakes along the way must change nothing. At the end
of each walk-through the records pass `rjc check` and no name, phone number or description of the
harm appears in any commit message (commit messages carry ids only).

The panel walk-throughs follow the real calendar: a panel is recorded only once its day has come,
and scheduling and recording date the case's status changes today, so those walk-throughs enter a
panel that met a few days ago (`--yes` allows the past date) and date their other steps around it.
The other walk-throughs keep fixed dates.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rjc.model import SCHEMA_VERSION, Settings
from rjc.model.settings import Center
from rjc.storage import layout, store

from helpers import CENTER, COORDINATORS, git

# --- the coordinator at the terminal ------------------------------------------------------------


def commits(repo) -> int:
    return int(git(repo.root, "rev-list", "--count", "HEAD"))


def _confirm_future(args) -> tuple[str, ...]:
    """The story's calendar runs past the real one: a change dated after today is confirmed
    with --yes, as a coordinator entering a date still to come must (a panel's own date is not
    a change's date)."""
    dates = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--date"]
    if args[:2] == ("panel", "schedule") or "--yes" in args or "-h" in args:
        return ()
    return ("--yes",) if any(dt.date.fromisoformat(d) > dt.date.today() for d in dates) else ()


def step(rjc, repo, *args, stdin: str | None = None) -> str:
    """Run one rjc command that must succeed with exactly one commit; returns its stdout."""
    before = commits(repo)
    result = rjc("--records", repo.root, *args, *_confirm_future(args), stdin=stdin)
    assert result.code == 0, (args, result.err)
    assert commits(repo) == before + 1, f"{args} made {commits(repo) - before} commits"
    return result.out.strip()


def refused(rjc, repo, code: int, message: str, *args, stdin: str | None = None) -> None:
    """Run a command that must fail with `code` and `message`, leaving no commit and no stray file."""
    head = git(repo.root, "rev-parse", "HEAD")
    result = rjc("--records", repo.root, *args, *_confirm_future(args), stdin=stdin)
    assert result.code == code, (args, result.code, result.err)
    assert message in result.err, (args, result.err)
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert git(repo.root, "status", "--porcelain") == ""


def look(rjc, repo, *args) -> str:
    """Run a command that only reads: it succeeds and commits nothing."""
    before = commits(repo)
    result = rjc("--records", repo.root, *args)
    assert result.code == 0, (args, result.err)
    assert commits(repo) == before
    return result.out


VOLUNTEER_SECRETS = ["Alder", "Birch", "Cedar", "Hollister", "802-555-02"]


def volunteers(rjc, repo, trained: str, programs: str, *given_names: str) -> list[str]:
    """Active volunteers registered with `rjc volunteer add`, trained and background-checked on `trained`."""
    return [step(rjc, repo, "volunteer", "add", "--no-input", "--from-file", "-", "--since", trained, stdin=(
        f"person:\n  given_name: {name}\n  family_name: Hollister\n  phone: 802-555-02{n:02d}\n"
        f"trainings:\n- name: Restorative justice volunteer training\n  date: {trained}\n"
        f"background_checks:\n- date: {trained}\n"
        f"programs: {programs}\n")) for n, name in enumerate(given_names)]


def intake_file(tmp_path, text: str):
    path = tmp_path / "intake.yaml"  # outside the records repository, as on the coordinator's desk
    path.write_text(text, encoding="utf-8")
    return path


def referral(rjc, repo, tmp_path, intake: str, *flags) -> str:
    return step(rjc, repo, "referral", "new", "--no-input", *flags, "--person-file", intake_file(tmp_path, intake))


def people(repo, case_id: str) -> dict[str, list[str]]:
    """The case's people by role."""
    found: dict[str, list[str]] = {}
    for participant in repo.get(case_id).participants:
        found.setdefault(participant.role.value, []).append(participant.person)
    return found


def finished(rjc, repo, case_id: str, reason: str, secrets: list[str]) -> None:
    """What every walk-through ends with: closed for the reason, valid records, no identity in git."""
    case = repo.get(case_id)
    assert (case.status, case.closure.reason) == ("closed", reason)
    check = rjc("--records", repo.root, "check")
    assert check.code == 0, check.out + check.err
    messages = git(repo.root, "log", "--format=%B")
    for secret in secrets:
        assert secret not in messages, f"{secret!r} is in a commit message"


@pytest.fixture
def center(repo, built):
    """The repository of a center that has filled in its letterhead (letters need it)."""
    built.reuse("walkthrough-center", repo.root, lambda: _letterhead(repo))
    return repo


def _letterhead(repo) -> None:
    settings = Settings(schema_version=SCHEMA_VERSION, coordinators=COORDINATORS,
                        center=Center(name=CENTER, address="41 Maple Street, Barre, VT 05641", phone="802-555-0000"))
    (repo.root / layout.SETTINGS_FILE).write_text(store.render_settings(settings), encoding="utf-8")
    repo.git.commit_paths([layout.SETTINGS_FILE], "letterhead", command="test", actor="KB",
                          identity=("Kim Bell", "kb@example.org"))


# --- restorative panels (and reentry panels, which work the same way) ----------------------------

HELD = dt.date.today() - dt.timedelta(days=3)  # the panel met three days ago; it is entered after the fact


def day(offset: int) -> str:
    """A date of the panel walk-throughs: `offset` days from the day the panel met."""
    return str(HELD + dt.timedelta(days=offset))


def long_date(iso: str) -> str:
    """A date as the letters write it: Thursday, November 12, 2026."""
    when = dt.date.fromisoformat(iso)
    return f"{when:%A}, {when:%B} {when.day}, {when.year}"


PANEL_INTAKE = """\
people:
  - role: responsible-party
    given_name: Dana
    family_name: Whitcomb
    date_of_birth: 2003-05-17
    phone: 802-555-0141
  - role: victim
    given_name: Lou
    family_name: Fairbanks
    phone: 802-555-0177
    address:
      street: 3 Depot Sq
      town: Barre
      state: VT
      postal_code: "05641"
contact:
  name: Officer Reyes
harm: Spray-painted the side of the hardware store.
"""
PANEL_SECRETS = ["Dana", "Whitcomb", "802-555-0141", "Lou", "Fairbanks", "802-555-0177", "Depot Sq", "Reyes",
                 "Spray-painted", "hardware store", *VOLUNTEER_SECRETS]

AGREEMENT = """\
items:
- type: apology-letter
  description: To the store owner
- type: restitution
  amount: 250.00
  victim: {victim}
- type: community-service
  hours_required: 20
"""


def panel_case(rjc, repo, referral_id: str, program: str, *, linked: str | None = None) -> str:
    """A panel case from its accepted referral to the outcome told to the referrer.

    `linked`: a case of the same person's in another program, linked to this one once it opens.
    """
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", day(-9))
    roles = people(repo, case_id)
    (party,), (victim,) = roles["responsible-party"], roles["victim"]
    assert repo.get(case_id).program == program
    if linked:
        refused(rjc, repo, 1, "a case cannot be linked to itself", "case", "link", case_id, case_id)
        step(rjc, repo, "case", "link", case_id, linked)
        assert repo.get(case_id).related_cases == [linked] and repo.get(linked).related_cases == [case_id]

    step(rjc, repo, "case", "status", case_id, "intake", "--date", day(-8))
    refused(rjc, repo, 1, f"{program} cases cannot go from intake to monitoring",
            "case", "status", case_id, "monitoring", "--date", day(-7))
    refused(rjc, repo, 1, f"{party} is not a victim on {case_id}", "victim", "choose", case_id, party, "attend")
    step(rjc, repo, "victim", "choose", case_id, victim, "attend", "--notified", day(-7))
    step(rjc, repo, "case", "status", case_id, "victim-contacted", "--date", day(-7))

    # The panel is scheduled: three volunteers, under the seating rules; the case moves with it.
    seats = volunteers(rjc, repo, day(-60), "restorative-panel, reentry-panel", "Alder", "Birch", "Cedar")
    schedule = ["panel", "schedule", "--date", day(0), "--time", "18:00", "--place", "Community room",
                "--case", case_id]
    seated = [arg for seat in seats for arg in ("--volunteer", seat)]
    refused(rjc, repo, 1, f"{day(0)} is in the past; add --yes", *schedule, *seated)
    refused(rjc, repo, 1, f"a {program} panel seats 3-6 volunteers, not 2 [panel-seats]",
            *schedule, *seated[:4], "--yes")
    panel_id = step(rjc, repo, *schedule, *seated, "--yes")
    panel = repo.get(panel_id)
    assert (str(panel.date), f"{panel.start:%H:%M}", f"{panel.end:%H:%M}") == (day(0), "18:00", "19:30")
    assert [s.volunteer for s in panel.seats] == seats and [d.case for d in panel.docket] == [case_id]
    assert repo.get(case_id).status == "panel-scheduled"

    # Everyone is told: the letters (read-only) went out before the panel; the notices are recorded.
    refused(rjc, repo, 1, f"{case_id} has no panel scheduled on or after {dt.date.today()}",
            "letter", "panel-notice", case_id, "--to", victim)
    refused(rjc, repo, 1, f"{case_id} has 2 possible recipients; choose one with --to PERSON",
            "letter", "panel-notice", case_id, "--as-of", day(-5))
    notice = look(rjc, repo, "letter", "panel-notice", case_id, "--to", victim, "--as-of", day(-5))
    assert all(fact in notice for fact in (long_date(day(0)), "6:00 p.m. to 7:30 p.m.", "Community room",
                                           "Lou", "3 Depot Sq", "Barre, VT 05641"))
    assert "Dana" not in notice and "Whitcomb" not in notice  # a victim's letter never names the party
    agency = look(rjc, repo, "letter", "panel-notice-agency", case_id, "--as-of", day(-5))
    assert long_date(day(0)) in agency and "Officer Reyes" in agency and "Dana Whitcomb" in agency
    assert not any(detail in agency for detail in ("Depot Sq", "802-555-0141", "802-555-0177"))  # no contacts
    for to in ("referring-agency", "participants", "volunteers"):
        step(rjc, repo, "panel", "notice", panel_id, "--to", to)
    assert [n.to for n in repo.get(panel_id).notices] == ["referring-agency", "participants", "volunteers"]

    # The panel met; it ran a quarter of an hour long, and the agreement was signed there.
    refused(rjc, repo, 1, f"give the outcome for {case_id} (--outcome CASE=OUTCOME)",
            "panel", "record", panel_id, "--no-input", "--end", "19:45")
    step(rjc, repo, "panel", "record", panel_id, "--no-input", "--outcome", f"{case_id}=agreement-signed",
         "--end", "19:45", "--attended", f"{case_id}={party}", "--attended", f"{case_id}={victim}")
    panel = repo.get(panel_id)
    assert panel.status == "held" and [s.attended for s in panel.seats] == [True, True, True]
    assert panel.docket[0].outcome == "agreement-signed" and panel.docket[0].attended == [party, victim]
    assert repo.get(case_id).status == "agreement-signed"
    ledger = json.loads(look(rjc, repo, "volunteer", "hours", seats[0], "--from", day(0), "--to", day(0),
                             "--format", "json"))
    assert [(e["record"], e["hours"]) for e in ledger["entries"]] == [(panel_id, "1.75")]

    step(rjc, repo, "agreement", "new", case_id, "-f", "-", "--signed", day(0),
         stdin=AGREEMENT.format(victim=victim))
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", day(4))

    refused(rjc, repo, 1, "item 1 is apology-letter, not restitution",
            "agreement", "pay", case_id, "1", "--amount", "10.00", "--date", day(8))
    refused(rjc, repo, 1, "hours must be more than 0", "agreement", "log", case_id, "3", "--hours", "-2")
    refused(rjc, repo, 1, "is before the agreement was signed",
            "agreement", "log", case_id, "3", "--hours", "2", "--date", day(-1))
    step(rjc, repo, "agreement", "log", case_id, "3", "--hours", "12", "--place", "Food shelf", "--date", day(9))
    step(rjc, repo, "agreement", "pay", case_id, "2", "--amount", "100.00", "--date", day(18))
    step(rjc, repo, "agreement", "log", case_id, "3", "--hours", "8", "--place", "Food shelf", "--date", day(23))
    step(rjc, repo, "agreement", "pay", case_id, "2", "--amount", "150.00", "--date", day(38))
    assert look(rjc, repo, "agreement", "status", case_id, "--as-of", day(39)).splitlines() == [
        f"agreement 1: signed {day(0)}, mid-term review {day(45)}, due {day(90)}: on track",
        "  1. apology-letter: pending",
        "  2. restitution: completed 250.00 of 250.00 paid",
        "  3. community-service: completed 20 of 20 hours",
    ]
    refused(rjc, repo, 1, f"agreement 1 of {case_id} has items 1-3, not 4",
            "agreement", "item", case_id, "4", "completed", "--date", day(40))
    step(rjc, repo, "agreement", "item", case_id, "1", "completed", "--date", day(40))  # the apology letter
    status = look(rjc, repo, "agreement", "status", case_id, "--as-of", day(41)).splitlines()
    assert status[0].endswith(": complete") and status[1] == "  1. apology-letter: completed"

    refused(rjc, repo, 2, "--reason", "case", "close", case_id, "--date", day(57))
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", day(57))
    letter = look(rjc, repo, "letter", "completion", case_id, "--as-of", day(58))
    assert case_id in letter and "completed successfully" in letter and "Officer Reyes" in letter
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", day(58))
    assert str(repo.get(case_id).closure.referrer_notified) == day(58)
    return case_id


def test_restorative_panel(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, PANEL_INTAKE, "--program", "restorative-panel", "--source", "police",
                           "--agency", "Barre City PD", "--docket", "24-11-0042", "--received", day(-10),
                           "--offense-date", day(-15), "--town", "Barre", "--charge", "unlawful mischief")
    case_id = panel_case(rjc, repo, referral_id, "restorative-panel")
    finished(rjc, repo, case_id, "completed-successfully", PANEL_SECRETS)


def test_restorative_panel_taken_in_by_the_guided_prompts(center, rjc):
    repo = center
    answers = "\n".join([
        day(-10), "restorative-panel", "police",  # received, program, source
        "Barre City PD", "24-11-0042", day(-15), "Spray-painted the side of the hardware store.", "Barre",
        "unlawful mischief", "",  # charges, then no more
        "Officer Reyes", "802-555-0123", "",  # agency contact: name, phone, email
        # role, not on file, given, family, preferred, birth, pronouns, phone, email, street, town, state, zip
        "responsible-party", "", "Dana", "Whitcomb", "", "2003-05-17", "", "802-555-0141", "", "", "", "", "",
        "victim", "", "Lou", "Fairbanks", "", "", "", "802-555-0177", "", "3 Depot Sq", "Barre", "VT", "05641",
        "", "", "", "", "", "", "",  # a new victim's demographics, each skipped
        "",  # no more people
        "y",  # save
    ]) + "\n"
    before = commits(repo)
    result = rjc("--records", repo.root, "referral", "new", tty=True, stdin=answers)
    assert result.code == 0, result.err + result.out
    assert commits(repo) == before + 1
    referral_id = result.out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    taken = repo.get(referral_id)
    assert (taken.program, taken.source, taken.docket, taken.town) == ("restorative-panel", "police", "24-11-0042", "Barre")
    assert taken.harm == "Spray-painted the side of the hardware store." and taken.contact.name == "Officer Reyes"
    case_id = panel_case(rjc, repo, referral_id, "restorative-panel")
    finished(rjc, repo, case_id, "completed-successfully", [*PANEL_SECRETS, "802-555-0123"])


def test_reentry_panel(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, PANEL_INTAKE, "--program", "reentry-panel",
                           "--source", "probation-parole", "--agency", "Barre Probation and Parole", "--docket", "26-CR-118",
                           "--received", day(-10), "--town", "Barre")
    # The responsible party is also a client of the center's reentry program: that case is linked to this one.
    (client,) = [p.person for p in repo.get(referral_id).people if p.role == "responsible-party"]
    reentry = step(rjc, repo, "referral", "new", "--no-input", "--program", "offender-reentry",
                   "--source", "corrections", "--agency", "Northern State Correctional Facility",
                   "--received", day(-10), "--person", f"{client}=responsible-party")
    reentry_case = step(rjc, repo, "referral", "accept", reentry, "--date", day(-9))
    assert people(repo, reentry_case) == {"client": [client]}
    case_id = panel_case(rjc, repo, referral_id, "reentry-panel", linked=reentry_case)
    assert repo.get(reentry_case).status == "referred"  # the reentry case goes its own way
    finished(rjc, repo, case_id, "completed-successfully", PANEL_SECRETS)


# --- pre-charge diversion ------------------------------------------------------------------------

DIVERSION_INTAKE = """\
people:
  - role: responsible-party
    given_name: Jordan
    family_name: Tibbetts
    date_of_birth: 1999-08-30
    phone: 802-555-0162
  - role: victim
    given_name: Maren
    family_name: Lacasse
contact:
  name: Deputy SA Holm
harm: Took two jackets from the thrift shop rack.
"""


def test_pre_charge_diversion(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, DIVERSION_INTAKE, "--program", "pre-charge-diversion",
                           "--source", "states-attorney", "--agency", "Washington County SA", "--docket", "DA-26-311",
                           "--received", "2026-11-02", "--offense-date", "2026-10-20", "--charge", "retail theft")
    refused(rjc, repo, 1, "is before the referral was received (2026-11-02)",
            "referral", "accept", referral_id, "--date", "2026-10-30")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    (victim,) = people(repo, case_id)["victim"]
    timeline = look(rjc, repo, "case", "timeline", case_id, "--as-of", "2026-11-04")
    assert "due back to the referrer: 2027-01-31" in timeline  # received + 90 days
    assert "victims to be told of the referral: 2026-11-12" in timeline  # 7 business days, Veterans Day skipped

    step(rjc, repo, "victim", "choose", case_id, victim, "written-statement-shared", "--notified", "2026-11-05")
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-05")
    step(rjc, repo, "agreement", "new", case_id, "-f", "-", "--signed", "2026-11-10",
         stdin=f"items:\n- type: restitution\n  amount: 64.00\n  victim: {victim}\n"
               "- type: community-service\n  hours_required: 10\n")
    step(rjc, repo, "case", "status", case_id, "agreement-signed", "--date", "2026-11-10")  # straight from intake
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", "2026-11-11")
    refused(rjc, repo, 1, "item 2 is community-service, not restitution",
            "agreement", "pay", case_id, "2", "--amount", "5.00", "--date", "2026-11-12")
    step(rjc, repo, "agreement", "pay", case_id, "1", "--amount", "64.00", "--date", "2026-11-20")
    step(rjc, repo, "agreement", "log", case_id, "2", "--hours", "10", "--place", "Town library", "--date", "2026-12-01")
    assert look(rjc, repo, "agreement", "status", case_id, "--as-of", "2026-12-02").splitlines()[0].endswith(": complete")

    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-12-03")
    assert "due back to the referrer" in look(rjc, repo, "case", "timeline", case_id, "--as-of", "2026-12-03")
    letter = look(rjc, repo, "letter", "completion", case_id, "--as-of", "2026-12-04")
    assert "DA-26-311" in letter and "Deputy SA Holm" in letter
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2026-12-04")
    case = repo.get(case_id)
    assert str(case.diversion.outcome_reported) == "2026-12-04" and str(case.closure.referrer_notified) == "2026-12-04"
    assert "due back to the referrer" not in look(rjc, repo, "case", "timeline", case_id, "--as-of", "2026-12-05")
    finished(rjc, repo, case_id, "completed-successfully",
             ["Jordan", "Tibbetts", "802-555-0162", "Maren", "Lacasse", "Holm", "jackets", "thrift"])


# --- victim support ------------------------------------------------------------------------------

VICTIM_INTAKE = """\
people:
  - role: victim
    given_name: Priya
    family_name: Castellano
    phone: 802-555-0188
    address:
      street: 9 Granite St
      town: Barre
harm: Her car was broken into twice in the same week.
"""


def test_victim_support(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, VICTIM_INTAKE, "--program", "victim-support", "--source", "self",
                           "--received", "2026-11-02", "--town", "Barre")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-02")
    (victim,) = people(repo, case_id)["victim"]
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-02")
    refused(rjc, repo, 1, "is before the case was opened (2026-11-02)",
            "case", "service", case_id, "--service", "Safety planning", "--person", victim, "--date", "2026-10-31")
    refused(rjc, repo, 1, "P-2026-KB-9999 is not on", "case", "service", case_id, "--service", "Safety planning",
            "--person", "P-2026-KB-9999", "--date", "2026-11-03")
    step(rjc, repo, "case", "service", case_id, "--service", "Safety planning", "--person", victim, "--date", "2026-11-03")
    step(rjc, repo, "case", "status", case_id, "in-services", "--date", "2026-11-03")
    step(rjc, repo, "case", "service", case_id, "--service", "Court accompaniment", "--person", victim,
         "--date", "2026-11-17")
    step(rjc, repo, "case", "service", case_id, "--service", "Victim compensation application", "--person", victim,
         "--date", "2026-11-20")
    refused(rjc, repo, 1, "from in-services they go to: none (close it)",
            "case", "status", case_id, "monitoring", "--date", "2026-11-21")
    assert [(str(s.date), s.service) for s in repo.get(case_id).services] == [
        ("2026-11-03", "Safety planning"), ("2026-11-17", "Court accompaniment"),
        ("2026-11-20", "Victim compensation application")]
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-23")
    finished(rjc, repo, case_id, "completed-successfully",
             ["Priya", "Castellano", "802-555-0188", "Granite", "car was broken"])


# --- offender reentry ----------------------------------------------------------------------------

REENTRY_INTAKE = """\
people:
  - role: responsible-party
    given_name: Wendell
    family_name: Osgood
    date_of_birth: 1988-02-09
    phone: 802-555-0110
contact:
  name: Caseworker Ibsen
harm: Released after serving a sentence for burglary.
"""


def test_offender_reentry(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, REENTRY_INTAKE, "--program", "offender-reentry",
                           "--source", "corrections", "--agency", "Northern State Correctional Facility",
                           "--received", "2026-11-02")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    (client,) = people(repo, case_id)["client"]  # the responsible party is the reentry client
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    step(rjc, repo, "case", "goal", case_id, "--add", "Stable housing", "--target", "2027-01-31")
    step(rjc, repo, "case", "goal", case_id, "--add", "Steady employment", "--target", "2027-03-31")
    step(rjc, repo, "case", "status", case_id, "in-services", "--date", "2026-11-05")
    step(rjc, repo, "case", "service", case_id, "--service", "Housing search", "--to", "Good Samaritan Haven",
         "--person", client, "--date", "2026-11-06")
    step(rjc, repo, "case", "service", case_id, "--service", "Job readiness", "--to", "Vermont Works",
         "--person", client, "--date", "2026-11-09")
    step(rjc, repo, "case", "note", case_id, "--kind", "phone", "--with", client, "--date", "2026-11-10",
         stdin="Wendell called from 802-555-0110: the landlord on Elm Street will show the flat Friday.\n")
    refused(rjc, repo, 1, "offender-reentry cases cannot go from in-services to agreement-signed",
            "case", "status", case_id, "agreement-signed", "--date", "2026-11-11")
    refused(rjc, repo, 1, f"{case_id} has goals 1-2, not 3", "case", "goal", case_id, "--number", "3", "--status", "met")
    step(rjc, repo, "case", "goal", case_id, "--number", "1", "--status", "met")
    step(rjc, repo, "case", "goal", case_id, "--number", "2", "--status", "met")
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", "2026-12-01")
    case = repo.get(case_id)
    assert [(g.goal, g.status) for g in case.goals] == [("Stable housing", "met"), ("Steady employment", "met")]
    assert [(s.service, s.to) for s in case.services] == [("Housing search", "Good Samaritan Haven"),
                                                          ("Job readiness", "Vermont Works")]
    assert case.contacts[-1].note.startswith("Wendell called") and case.contacts[-1].with_ == [client]
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2027-01-15")
    finished(rjc, repo, case_id, "completed-successfully",
             ["Wendell", "Osgood", "802-555-0110", "Ibsen", "burglary", "landlord", "Elm Street"])


# --- mediation -----------------------------------------------------------------------------------

MEDIATION_INTAKE = """\
people:
  - role: party
    given_name: Hollis
    family_name: Brault
    phone: 802-555-0131
  - role: party
    given_name: Greta
    family_name: Szabo
    phone: 802-555-0132
harm: A fence built over the property line and a barking dog.
"""


def test_mediation(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, MEDIATION_INTAKE, "--program", "mediation",
                           "--source", "community-member", "--received", "2026-11-02", "--town", "Barre")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    first, second = people(repo, case_id)["party"]
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    step(rjc, repo, "case", "status", case_id, "in-mediation", "--date", "2026-11-09")
    refused(rjc, repo, 1, "a session lasts more than 0 minutes", "case", "session", case_id, "--minutes", "0")
    step(rjc, repo, "case", "session", case_id, "--minutes", "90", "--attended", first, "--attended", second,
         "--date", "2026-11-12")
    step(rjc, repo, "case", "session", case_id, "--minutes", "60", "--attended", first, "--attended", second,
         "--date", "2026-11-19")
    step(rjc, repo, "case", "resolve", case_id, "agreement")
    step(rjc, repo, "case", "status", case_id, "agreement-signed", "--date", "2026-11-19")
    refused(rjc, repo, 2, "--reason", "case", "close", case_id)
    refused(rjc, repo, 2, "Invalid value for '--reason': 'settled' is not one of 'completed-successfully', 'completed-partially', 'returned-non-compliance', 'returned-new-offense', 'declined', 'no-contact', 'withdrawn', 'ineligible', 'transferred'.",
            "case", "close", case_id, "--reason", "settled")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-11-30")
    case = repo.get(case_id)
    assert [(str(s.date), s.minutes, s.attended) for s in case.sessions] == [
        ("2026-11-12", 90, [first, second]), ("2026-11-19", 60, [first, second])]
    assert case.resolution == "agreement"
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2026-11-30")
    finished(rjc, repo, case_id, "completed-successfully",
             ["Hollis", "Brault", "Greta", "Szabo", "802-555-013", "fence", "barking"])


# --- family group conferencing -------------------------------------------------------------------

FAMILY_INTAKE = """\
people:
  - role: responsible-party
    given_name: Tess
    family_name: Marchand
    date_of_birth: 2011-01-22
  - role: parent-guardian
    given_name: Yvonne
    family_name: Marchand
    phone: 802-555-0155
  - role: family-member
    given_name: Aunt Rosalie
    family_name: Gervais
  - role: victim
    given_name: Colm
    family_name: Haskins
contact:
  name: Principal Ostrowski
harm: Repeated fights at school with a classmate.
"""


def test_family_group_conferencing(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, FAMILY_INTAKE, "--program", "family-group-conferencing",
                           "--source", "school", "--agency", "Spaulding High School", "--received", "2026-11-02")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    roles = people(repo, case_id)
    (youth,), (parent,), (aunt,), (victim,) = (roles[r] for r in (
        "responsible-party", "parent-guardian", "family-member", "victim"))
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    refused(rjc, repo, 1, f"{aunt} is not a victim on {case_id}", "victim", "choose", case_id, aunt, "attend")
    step(rjc, repo, "victim", "choose", case_id, victim, "attend", "--notified", "2026-11-05")
    step(rjc, repo, "case", "status", case_id, "conference-scheduled", "--date", "2026-11-06")
    refused(rjc, repo, 1, "family-group-conferencing cases cannot go from conference-scheduled to monitoring",
            "case", "status", case_id, "monitoring", "--date", "2026-11-07")
    step(rjc, repo, "case", "session", case_id, "--minutes", "120", "--date", "2026-11-13",
         *[arg for person in (youth, parent, aunt, victim) for arg in ("--attended", person)])
    step(rjc, repo, "case", "resolve", case_id, "agreement")
    step(rjc, repo, "agreement", "new", case_id, "-f", "-", "--signed", "2026-11-13",
         stdin="items:\n- type: community-service\n  description: Help at the school garden\n  hours_required: 6\n")
    step(rjc, repo, "case", "status", case_id, "agreement-signed", "--date", "2026-11-13")
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", "2026-11-14")
    step(rjc, repo, "agreement", "log", case_id, "1", "--hours", "6", "--place", "School garden", "--date", "2026-11-21")
    assert look(rjc, repo, "agreement", "status", case_id, "--as-of", "2026-11-22").splitlines()[0].endswith(": complete")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-12-01")
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2026-12-02")
    assert repo.get(case_id).sessions[0].attended == [youth, parent, aunt, victim]
    finished(rjc, repo, case_id, "completed-successfully",
             ["Tess", "Marchand", "Yvonne", "802-555-0155", "Rosalie", "Gervais", "Colm", "Haskins", "Ostrowski",
              "fights", "classmate"])


# --- circles of support and accountability (CoSA) -----------------------------------------------

COSA_INTAKE = """\
people:
  - role: responsible-party
    given_name: Russell
    family_name: Pelkey
    date_of_birth: 1975-04-12
    phone: 802-555-0120
contact:
  name: Caseworker Lindqvist
harm: Released after serving a sentence for a sexual offense.
"""


def test_cosa_circle(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, COSA_INTAKE, "--program", "cosa", "--source", "corrections",
                           "--agency", "Northern State Correctional Facility", "--received", "2026-11-02")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    (core,) = people(repo, case_id)["core-member"]  # the responsible party is the circle's core member
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    refused(rjc, repo, 1, "a cosa case is in-circle only once its circle has started",
            "case", "status", case_id, "in-circle", "--date", "2026-11-05")

    # The circle forms: three volunteers, each seated with a role; it cannot start with two.
    anchor, member, professional = volunteers(rjc, repo, "2026-10-01", "cosa", "Alder", "Birch", "Cedar")
    step(rjc, repo, "circle", "add", case_id, anchor, "--role", "anchor", "--date", "2026-11-09")
    step(rjc, repo, "circle", "add", case_id, member, "--role", "member", "--date", "2026-11-09")
    refused(rjc, repo, 1, f"{member} is already on the circle of {case_id}",
            "circle", "add", case_id, member, "--role", "member", "--date", "2026-11-10")
    refused(rjc, repo, 1, f"a circle needs at least 3 active seats to be in phase-1; the circle of {case_id} has 2",
            "circle", "phase", case_id, "phase-1", "--date", "2026-11-10")
    refused(rjc, repo, 1, f"the circle of {case_id} has not started",
            "circle", "meeting", case_id, "--hours", "1.5", "--attended", anchor, "--no-note", "--date", "2026-11-10")
    step(rjc, repo, "circle", "add", case_id, professional, "--role", "professional", "--date", "2026-11-10")
    assert repo.get(case_id).status == "intake" and repo.get(case_id).circle.phase == "forming"
    step(rjc, repo, "circle", "phase", case_id, "phase-1", "--date", "2026-11-16")  # starts it: case in-circle
    case = repo.get(case_id)
    assert (case.status, str(case.status_history[-1].date), str(case.circle.started)) == (
        "in-circle", "2026-11-16", "2026-11-16")

    # It meets weekly; a meeting note is read from stdin, never the command line.
    everyone = [arg for v in (anchor, member, professional) for arg in ("--attended", v)]
    refused(rjc, repo, 1, "is before the circle started",
            "circle", "meeting", case_id, "--hours", "1.5", *everyone, "--no-note", "--date", "2026-11-13")
    refused(rjc, repo, 1, "name the volunteers who came", "circle", "meeting", case_id, "--hours", "1.5",
            "--no-note", "--date", "2026-11-17")
    step(rjc, repo, "circle", "meeting", case_id, "--hours", "1.5", *everyone, "--no-note", "--date", "2026-11-17")
    step(rjc, repo, "circle", "meeting", case_id, "--hours", "1.5", "--attended", anchor, "--attended", member,
         "--date", "2026-11-24", stdin="Russell has a job interview at the quarry on Monday.\n")
    step(rjc, repo, "circle", "meeting", case_id, "--hours", "2", *everyone, "--core-member-absent", "--no-note",
         "--date", "2026-12-01")
    assert look(rjc, repo, "circle", "show", case_id, "--as-of", "2026-12-10").splitlines() == [
        f"circle of {case_id} (case in-circle)",
        "phase: phase-1",
        "started: 2026-11-16 (12 months on 2027-11-16)",
        "ended: -",
        "active seats: 3 (3-5 expected)",
        "roster:",
        f"  {anchor}  anchor  joined 2026-11-09",
        f"  {member}  member  joined 2026-11-09",
        f"  {professional}  professional  joined 2026-11-10",
        "meetings: 3, 5.0 hours (13.5 volunteer hours)",
        "last meeting: 2026-12-01, 1 week ago",
    ]
    meetings = repo.get(case_id).circle.meetings
    assert meetings[1].note.startswith("Russell has") and meetings[2].core_member_attended is False

    # A year on, through the later phases, the circle ends; the case is monitored, then closed.
    step(rjc, repo, "circle", "phase", case_id, "phase-2", "--date", "2027-03-01")
    step(rjc, repo, "circle", "meeting", case_id, "--hours", "1.5", *everyone, "--no-note", "--date", "2027-03-02")
    refused(rjc, repo, 1, f"circles move forward only: the circle of {case_id} is in phase-2",
            "circle", "phase", case_id, "phase-1", "--date", "2027-03-03")
    step(rjc, repo, "circle", "phase", case_id, "phase-3", "--date", "2027-08-02")
    step(rjc, repo, "circle", "meeting", case_id, "--hours", "1", *everyone, "--no-note", "--date", "2027-11-09")
    step(rjc, repo, "circle", "phase", case_id, "ended", "--date", "2027-11-16")
    refused(rjc, repo, 1, f"the circle of {case_id} ended on 2027-11-16",
            "circle", "meeting", case_id, "--hours", "1", *everyone, "--no-note", "--date", "2027-11-23")
    show = look(rjc, repo, "circle", "show", case_id, "--as-of", "2027-11-16").splitlines()
    assert show[1:4] == ["phase: ended", "started: 2026-11-16 (12 months on 2027-11-16)", "ended: 2027-11-16"]
    assert show[-2:] == ["meetings: 5, 7.5 hours (21.0 volunteer hours)", "last meeting: 2027-11-09, 1 week ago"]
    ledger = json.loads(look(rjc, repo, "volunteer", "hours", member, "--from", "2026-11-01", "--to", "2027-11-30",
                             "--format", "json"))
    assert [(e["date"], e["kind"], e["hours"]) for e in ledger["entries"]] == [
        ("2026-11-17", "circle", "1.5"), ("2026-11-24", "circle", "1.5"), ("2026-12-01", "circle", "2"),
        ("2027-03-02", "circle", "1.5"), ("2027-11-09", "circle", "1")]
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", "2027-11-17")
    refused(rjc, repo, 1, "cosa cases cannot go from monitoring to intake",
            "case", "status", case_id, "intake", "--date", "2027-11-18")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2028-05-15")
    refused(rjc, repo, 1, f"{case_id} is closed; reopen it first",
            "circle", "add", case_id, anchor, "--role", "anchor", "--date", "2028-05-16")
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2028-05-16")
    finished(rjc, repo, case_id, "completed-successfully",
             ["Russell", "Pelkey", "802-555-0120", "Lindqvist", "sexual offense", "quarry", *VOLUNTEER_SECRETS])


# --- STAR internships ----------------------------------------------------------------------------

STAR_INTAKE = """\
people:
  - role: responsible-party
    given_name: Kayla
    family_name: Drouin
    date_of_birth: 2001-06-03
    phone: 802-555-0170
contact:
  name: Caseworker Amundsen
harm: Released after a sentence for selling stolen tools.
"""


def test_star_internship(center, rjc, tmp_path):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, STAR_INTAKE, "--program", "star", "--source", "corrections",
                           "--agency", "Chittenden Regional Correctional Facility", "--received", "2026-11-02")
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    (client,) = people(repo, case_id)["client"]  # the responsible party is the intern
    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    refused(rjc, repo, 1, "a star case is in-internship once its internship is set up",
            "case", "status", case_id, "in-internship", "--date", "2026-11-05")
    refused(rjc, repo, 1, f"{case_id} has no internship yet", "internship", "hours", case_id, "--hours", "4",
            "--date", "2026-11-05")

    # The internship: a host business (never a person), the grant that pays for it, its dates.
    refused(rjc, repo, 1, "the host is a business: give the business's name, not a person's id",
            "internship", "set", case_id, "--host", client)
    refused(rjc, repo, 1, "the internship would end (2026-11-01) before it starts (2026-11-16)",
            "internship", "set", case_id, "--host", "Granite City Hardware", "--start", "2026-11-16",
            "--end", "2026-11-01")
    step(rjc, repo, "internship", "set", case_id, "--host", "Granite City Hardware", "--grant", "Second Chance 2026",
         "--start", "2026-11-16", "--end", "2027-02-12")
    step(rjc, repo, "case", "status", case_id, "in-internship", "--date", "2026-11-16")

    refused(rjc, repo, 1, "2026-11-13 is outside the internship's dates (2026-11-16 to 2027-02-12)",
            "internship", "hours", case_id, "--hours", "8", "--date", "2026-11-13")
    refused(rjc, repo, 1, "hours must be more than 0", "internship", "hours", case_id, "--hours", "0",
            "--date", "2026-11-20")
    for when, hours in (("2026-11-20", "16"), ("2026-11-27", "12.5"), ("2026-12-04", "20"), ("2027-02-12", "24")):
        step(rjc, repo, "internship", "hours", case_id, "--hours", hours, "--date", when)
    step(rjc, repo, "internship", "skill", case_id, "--add", "Inventory and stock control")
    step(rjc, repo, "internship", "skill", case_id, "--add", "Forklift safety")
    refused(rjc, repo, 1, f"that skill is already listed on {case_id}",
            "internship", "skill", case_id, "--add", "forklift safety")
    step(rjc, repo, "internship", "reference", case_id, "--add", "Letter from the host supervisor")
    assert look(rjc, repo, "internship", "show", case_id).splitlines() == [
        f"internship of {case_id} (case in-internship)",
        "host: Granite City Hardware",
        "grant: Second Chance 2026",
        "dates: 2026-11-16 to 2027-02-12",
        "hours: 72.5 (4 entries)",
        "skills: Inventory and stock control; Forklift safety",
        "references: Letter from the host supervisor",
    ]

    refused(rjc, repo, 1, "star cases cannot go from in-internship to monitoring",
            "case", "status", case_id, "monitoring", "--date", "2027-02-13")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2027-02-19")
    refused(rjc, repo, 1, f"{case_id} is closed; reopen it first",
            "internship", "hours", case_id, "--hours", "2", "--date", "2027-02-12")
    letter = look(rjc, repo, "letter", "completion", case_id, "--as-of", "2027-02-22")
    assert case_id in letter and "Caseworker Amundsen" in letter and "Kayla Drouin" in letter
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2027-02-22")
    assert str(repo.get(case_id).closure.referrer_notified) == "2027-02-22"
    finished(rjc, repo, case_id, "completed-successfully",
             ["Kayla", "Drouin", "802-555-0170", "Amundsen", "stolen tools", "Granite City", "Second Chance",
              "Forklift", "host supervisor"])
