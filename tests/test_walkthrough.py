"""Walk-throughs: one case per program, from the referral to the closure, as a coordinator works.

Every step goes through the real `rjc` entry point and must add exactly one commit; a few
representative mistakes along the way must change nothing. At the end of each walk-through the
records pass `rjc check` and no name, phone number or description of the harm appears in any
commit message (commit messages carry ids only).
"""

from __future__ import annotations

import shlex
import sys

import pytest

from helpers import COORDINATORS, CENTER, git
from rjc import layout, store
from rjc.model import SCHEMA_VERSION, Settings
from rjc.model.settings import Center

# --- the coordinator at the terminal ------------------------------------------------------------


def commits(repo) -> int:
    return int(git(repo.root, "rev-list", "--count", "HEAD"))


def step(rjc, repo, *args, stdin: str | None = None) -> str:
    """Run one rjc command that must succeed with exactly one commit; returns its stdout."""
    before = commits(repo)
    result = rjc("--records", repo.root, *args, stdin=stdin)
    assert result.code == 0, (args, result.err)
    assert commits(repo) == before + 1, f"{args} made {commits(repo) - before} commits"
    return result.out.strip()


def refused(rjc, repo, code: int, message: str, *args, stdin: str | None = None) -> None:
    """Run a command that must fail with `code` and `message`, leaving no commit and no stray file."""
    head = git(repo.root, "rev-parse", "HEAD")
    result = rjc("--records", repo.root, *args, stdin=stdin)
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


def volunteer(rjc, repo, given_name: str) -> str:
    """A trained, active volunteer with a current background check (a person and a volunteer)."""
    person = step(rjc, repo, "new", "person", "-f", "-", stdin=f"given_name: {given_name}\nfamily_name: Volunteer\n")
    return step(rjc, repo, "new", "volunteer", "-f", "-", stdin=(
        f"person: {person}\n"
        "trainings:\n- name: Restorative justice volunteer training\n  date: 2026-03-14\n"
        "background_checks:\n- date: 2026-02-01\n  expires: 2029-02-01\n"
        "programs:\n- restorative-panel\n- reentry-panel\n"))


def editor(monkeypatch, tmp_path, old: str, new: str) -> None:
    """$EDITOR for `rjc edit`: changes `old` to `new` in the draft, as the coordinator would by hand."""
    script = tmp_path / "editor.py"
    script.write_text("import pathlib, sys\n"
                      "path = pathlib.Path(sys.argv[1])\n"
                      "text = path.read_text(encoding='utf-8')\n"
                      f"sys.exit(1) if {old!r} not in text else None\n"
                      f"path.write_text(text.replace({old!r}, {new!r}, 1), encoding='utf-8')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")


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
def center(repo):
    """The repository of a center that has filled in its letterhead (letters need it)."""
    settings = Settings(schema_version=SCHEMA_VERSION, coordinators=COORDINATORS,
                        center=Center(name=CENTER, address="41 Maple Street, Barre, VT 05641", phone="802-555-0000"))
    (repo.root / layout.SETTINGS_FILE).write_text(store.render_settings(settings), encoding="utf-8")
    repo.git.commit_paths([layout.SETTINGS_FILE], "letterhead", command="test", actor="KB",
                          identity=("Kim Bell", "kb@example.org"))
    return repo


# --- restorative panels (and reentry panels, which work the same way) ----------------------------

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
contact:
  name: Officer Reyes
harm: Spray-painted the side of the hardware store.
"""
PANEL_SECRETS = ["Dana", "Whitcomb", "802-555-0141", "Lou", "Fairbanks", "802-555-0177", "Reyes",
                 "Spray-painted", "hardware store"]

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


def panel_case(rjc, repo, tmp_path, monkeypatch, referral_id: str, program: str) -> str:
    """A panel case from its accepted referral to the outcome told to the referrer."""
    case_id = step(rjc, repo, "referral", "accept", referral_id, "--date", "2026-11-03")
    roles = people(repo, case_id)
    (party,), (victim,) = roles["responsible-party"], roles["victim"]
    assert repo.get(case_id).program == program

    step(rjc, repo, "case", "status", case_id, "intake", "--date", "2026-11-04")
    refused(rjc, repo, 1, f"{program} cases cannot go from intake to monitoring",
            "case", "status", case_id, "monitoring", "--date", "2026-11-05")
    refused(rjc, repo, 1, f"{party} is not a victim on {case_id}", "victim", "choose", case_id, party, "attend")
    step(rjc, repo, "victim", "choose", case_id, victim, "attend", "--notified", "2026-11-05")
    step(rjc, repo, "case", "status", case_id, "victim-contacted", "--date", "2026-11-05")

    seats = [volunteer(rjc, repo, name) for name in ("Alder", "Birch", "Cedar")]
    panel = ("program: {program}\ndate: 2026-11-12\nstart: '18:00'\nend: '19:30'\nplace: Community room\n"
             "docket:\n- case: {case}\n  purpose: agreement\nseats:\n{seats}")
    two = "".join(f"- volunteer: {v}\n" for v in seats[:2])
    refused(rjc, repo, 1, "panel seats 3-6 volunteers, not 2", "new", "panel", "-f", "-",
            stdin=panel.format(program=program, case=case_id, seats=two))
    three = "".join(f"- volunteer: {v}\n" for v in seats)
    panel_id = step(rjc, repo, "new", "panel", "-f", "-", stdin=panel.format(program=program, case=case_id, seats=three))
    step(rjc, repo, "case", "status", case_id, "panel-scheduled", "--date", "2026-11-06")

    # The panel meets; the coordinator records it was held (there is no command for it: rjc edit).
    editor(monkeypatch, tmp_path, "status: scheduled\n", "status: held\n")
    step(rjc, repo, "edit", panel_id)
    assert repo.get(panel_id).status == "held"

    step(rjc, repo, "agreement", "new", case_id, "-f", "-", "--signed", "2026-11-12",
         stdin=AGREEMENT.format(victim=victim))
    step(rjc, repo, "case", "status", case_id, "agreement-signed", "--date", "2026-11-12")
    step(rjc, repo, "case", "status", case_id, "monitoring", "--date", "2026-11-13")

    refused(rjc, repo, 1, "item 1 is apology-letter, not restitution",
            "agreement", "pay", case_id, "1", "--amount", "10.00", "--date", "2026-11-20")
    refused(rjc, repo, 1, "hours must be more than 0", "agreement", "log", case_id, "3", "--hours", "-2")
    refused(rjc, repo, 1, "is before the agreement was signed",
            "agreement", "log", case_id, "3", "--hours", "2", "--date", "2026-11-11")
    step(rjc, repo, "agreement", "log", case_id, "3", "--hours", "12", "--place", "Food shelf", "--date", "2026-11-21")
    step(rjc, repo, "agreement", "pay", case_id, "2", "--amount", "100.00", "--date", "2026-11-30")
    step(rjc, repo, "agreement", "log", case_id, "3", "--hours", "8", "--place", "Food shelf", "--date", "2026-12-05")
    step(rjc, repo, "agreement", "pay", case_id, "2", "--amount", "150.00", "--date", "2026-12-20")
    assert look(rjc, repo, "agreement", "status", case_id, "--date", "2026-12-21").splitlines() == [
        "agreement 1: signed 2026-11-12, mid-term review 2026-12-27, due 2027-02-10: on track",
        "  1. apology-letter: pending",
        "  2. restitution: completed 250.00 of 250.00 paid",
        "  3. community-service: completed 20 of 20 hours",
    ]
    # The apology letter has no command of its own: it is marked done with rjc edit.
    editor(monkeypatch, tmp_path, "    description: To the store owner\n    status: pending\n",
           "    description: To the store owner\n    status: completed\n    completed: 2026-12-22\n")
    step(rjc, repo, "edit", case_id)
    status = look(rjc, repo, "agreement", "status", case_id, "--date", "2026-12-23").splitlines()
    assert status[0].endswith(": complete") and status[1] == "  1. apology-letter: completed"

    refused(rjc, repo, 2, "--reason", "case", "close", case_id, "--date", "2027-01-08")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2027-01-08")
    letter = look(rjc, repo, "letter", "completion", case_id, "--date", "2027-01-09")
    assert case_id in letter and "completed successfully" in letter and "Officer Reyes" in letter
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2027-01-09")
    assert str(repo.get(case_id).closure.referrer_notified) == "2027-01-09"
    return case_id


def test_restorative_panel(center, rjc, tmp_path, monkeypatch):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, PANEL_INTAKE, "--program", "restorative-panel", "--source", "police",
                           "--agency", "Barre City PD", "--docket", "24-11-0042", "--received", "2026-11-02",
                           "--offense-date", "2026-10-28", "--town", "Barre", "--charge", "unlawful mischief")
    case_id = panel_case(rjc, repo, tmp_path, monkeypatch, referral_id, "restorative-panel")
    finished(rjc, repo, case_id, "completed-successfully", PANEL_SECRETS)


def test_restorative_panel_taken_in_by_the_guided_prompts(center, rjc, tmp_path, monkeypatch):
    repo = center
    answers = "\n".join([
        "2026-11-02", "restorative-panel", "police",  # received, program, source
        "Barre City PD", "24-11-0042", "2026-10-28", "Spray-painted the side of the hardware store.", "Barre",
        "unlawful mischief", "",  # charges, then no more
        "Officer Reyes", "802-555-0123", "",  # agency contact: name, phone, email
        # role, not on file, given, family, preferred, birth, pronouns, phone, email, street, town, state, zip
        "responsible-party", "", "Dana", "Whitcomb", "", "2003-05-17", "", "802-555-0141", "", "", "", "", "",
        "victim", "", "Lou", "Fairbanks", "", "", "", "802-555-0177", "", "3 Depot Sq", "Barre", "VT", "05641",
        "",  # no more people
    ]) + "\n"
    before = commits(repo)
    result = rjc("--records", repo.root, "referral", "new", tty=True, stdin=answers)
    assert result.code == 0, result.err + result.out
    assert commits(repo) == before + 1
    referral_id = result.out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    taken = repo.get(referral_id)
    assert (taken.program, taken.source, taken.docket, taken.town) == ("restorative-panel", "police", "24-11-0042", "Barre")
    assert taken.harm == "Spray-painted the side of the hardware store." and taken.contact.name == "Officer Reyes"
    case_id = panel_case(rjc, repo, tmp_path, monkeypatch, referral_id, "restorative-panel")
    finished(rjc, repo, case_id, "completed-successfully", [*PANEL_SECRETS, "802-555-0123", "3 Depot Sq"])


def test_reentry_panel(center, rjc, tmp_path, monkeypatch):
    repo = center
    referral_id = referral(rjc, repo, tmp_path, PANEL_INTAKE, "--program", "reentry-panel",
                           "--source", "probation-parole", "--agency", "Barre Probation and Parole", "--docket", "26-CR-118",
                           "--received", "2026-11-02", "--town", "Barre")
    case_id = panel_case(rjc, repo, tmp_path, monkeypatch, referral_id, "reentry-panel")
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
    timeline = look(rjc, repo, "case", "timeline", case_id, "--date", "2026-11-04")
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
    assert look(rjc, repo, "agreement", "status", case_id, "--date", "2026-12-02").splitlines()[0].endswith(": complete")

    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-12-03")
    assert "due back to the referrer" in look(rjc, repo, "case", "timeline", case_id, "--date", "2026-12-03")
    letter = look(rjc, repo, "letter", "completion", case_id, "--date", "2026-12-04")
    assert "DA-26-311" in letter and "Deputy SA Holm" in letter
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2026-12-04")
    case = repo.get(case_id)
    assert str(case.diversion.outcome_reported) == "2026-12-04" and str(case.closure.referrer_notified) == "2026-12-04"
    assert "due back to the referrer" not in look(rjc, repo, "case", "timeline", case_id, "--date", "2026-12-05")
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
    refused(rjc, repo, 1, "--reason 'settled'", "case", "close", case_id, "--reason", "settled")
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
    assert look(rjc, repo, "agreement", "status", case_id, "--date", "2026-11-22").splitlines()[0].endswith(": complete")
    step(rjc, repo, "case", "close", case_id, "--reason", "completed-successfully", "--date", "2026-12-01")
    step(rjc, repo, "case", "notify-referrer", case_id, "--date", "2026-12-02")
    assert repo.get(case_id).sessions[0].attended == [youth, parent, aunt, victim]
    finished(rjc, repo, case_id, "completed-successfully",
             ["Tess", "Marchand", "Yvonne", "802-555-0155", "Rosalie", "Gervais", "Colm", "Haskins", "Ostrowski",
              "fights", "classmate"])
