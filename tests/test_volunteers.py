"""Volunteers: registering (scripted and prompted), the roster's changes, the list, the hours ledger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from rjc.model import Case, Panel, Person, Volunteer, periods
from rjc.storage import layout
from rjc.storage.errors import RjcError
from rjc.workflows import volunteers

from helpers import dedent, git

D = dt.date.fromisoformat
AS_OF = "2026-11-24"
# (given, family, date of birth, programs, availability) of the three volunteers on file
VOLUNTEERS = [("Vera", "Quill", "1960-02-03", "restorative-panel, cosa", "tue evening, thu evening"),
              ("Otto", "Brandt", "1971-05-06", "[restorative-panel, cosa]", "thu evening"),
              ("Lena", "Marsh", "1985-07-08", "mediation", "sat morning")]
OTHERS = [("Ana", "Rivera"), ("Cole", "Dunn"), ("Nina", "Solis")]
NAMES = [part for v in VOLUNTEERS for part in v[:2]] + [part for o in OTHERS for part in o] + ["802-555", "example.org"]


def volunteer_file(given: str, family: str, birth: str, programs: str, availability: str) -> str:
    return dedent(f"""\
        person:
          given_name: {given}
          family_name: {family}
          date_of_birth: {birth}
          phone: 802-555-0101
          email: {given.lower()}@example.org
        trainings:
        - name: Restorative panel training
          date: 2026-01-10
        background_checks:
        - date: 2026-01-15
        programs: {programs}
        availability: {availability}
        """)


def ok(result):
    assert result.code == 0, result.err
    return result


def head(repo) -> str:
    return git(repo.root, "rev-parse", "HEAD").strip()


def commits(repo) -> int:
    return int(git(repo.root, "rev-list", "--count", "HEAD"))


def files(repo, kind: str) -> list[str]:
    return layout.record_paths(repo.root, [layout.KINDS[kind]])


def assert_no_names(text: str) -> None:
    for name in NAMES:
        assert name not in text, f"{name!r} in:\n{text}"


def new(rjc, kind: str, text: str) -> str:
    return ok(rjc("new", kind, "-f", "-", stdin=dedent(text))).out.strip()


def panel(rjc, date: str, start: str, end: str, status: str, case: str, seats: str) -> str:
    return new(rjc, "panel", f"date: {date}\nstart: '{start}'\nend: '{end}'\nstatus: {status}\nplace: Room 2\n"
                             f"docket:\n- case: {case}\nseats:\n{dedent(seats)}")


@pytest.fixture
def center(repo, rjc, monkeypatch, built):
    """Three volunteers (registered through `rjc volunteer add`), a restorative-panel case and a
    cosa case with a running circle, and panels: two held, one scheduled, one cancelled."""
    monkeypatch.chdir(repo.root)
    return {"repo": repo, **built.reuse("volunteers-center", repo.root, lambda: _center(rjc))}


def _center(rjc) -> dict:
    v1, v2, v3 = (ok(rjc("volunteer", "add", "--no-input", "-f", "-", stdin=volunteer_file(*v))).out.strip()
                  for v in VOLUNTEERS)
    party = new(rjc, "person", "given_name: Ana\nfamily_name: Rivera\ndate_of_birth: 1999-09-09\n")
    core = new(rjc, "person", "given_name: Cole\nfamily_name: Dunn\n")
    case = new(rjc, "case", f"""\
        program: restorative-panel
        opened: 2026-05-01
        participants:
        - person: {party}
          role: responsible-party
        status_history:
        - status: intake
          date: 2026-05-01
          by: KB
        """)
    cosa = new(rjc, "case", f"""\
        program: cosa
        opened: 2026-09-01
        participants:
        - person: {core}
          role: core-member
        status_history:
        - status: intake
          date: 2026-09-01
          by: KB
        circle:
          phase: phase-1
          started: 2026-09-20
          roster:
          - volunteer: {v1}
            role: anchor
            joined: 2026-09-15
          - volunteer: {v2}
            joined: 2026-09-15
          - volunteer: {v3}
            joined: 2026-09-15
          meetings:
          - id: gzct4y2fpc
            date: 2026-10-06
            attended: [{v1}, {v2}]
            hours: 1.5
          - id: brs9g4pji7
            date: 2026-11-03
            attended: [{v1}]
            hours: 2
        """)
    held_june = panel(rjc, "2026-06-15", "18:00", "20:30", "held", case, f"""\
        - volunteer: {v1}
          attended: true
          hours: 3
        - volunteer: {v2}
          attended: true
        - volunteer: {v3}
          attended: false
        """)
    held_sept = panel(rjc, "2026-09-10", "18:00", "19:45", "held", case,
                      "".join(f"- volunteer: {v}\n  attended: true\n" for v in (v1, v2, v3)))
    ahead = panel(rjc, "2028-06-15", "18:00", "20:00", "scheduled", case,
                  "".join(f"- volunteer: {v}\n" for v in (v1, v2, v3)))
    cancelled = panel(rjc, "2026-08-01", "18:00", "20:00", "cancelled", case,
                      "".join(f"- volunteer: {v}\n  attended: true\n  hours: 5\n" for v in (v1, v2, v3)))
    assert ok(rjc("check")).out == ""
    return {"volunteers": [v1, v2, v3], "party": party, "core": core, "case": case, "cosa": cosa,
            "held": [held_june, held_sept], "ahead": ahead, "cancelled": cancelled}


# --- add -----------------------------------------------------------------------------------------


def test_scripted_add_creates_person_and_volunteer_in_one_commit(repo, rjc, tmp_path):
    path = tmp_path / "volunteer.yaml"
    path.write_text(volunteer_file(*VOLUNTEERS[0]) + "conflicts: []\nnote: prefers evenings\n", encoding="utf-8")
    before = commits(repo)
    result = ok(rjc("--records", repo.root, "volunteer", "add", "--no-input", "--from-file", path))
    assert result.out == "V-2026-KB-0001\n"
    volunteer = repo.get("V-2026-KB-0001")
    person = repo.get(volunteer.person)
    assert isinstance(person, Person) and (person.display_name, str(person.date_of_birth), person.phone,
                                           person.email) == ("Vera Quill", "1960-02-03", "802-555-0101",
                                                             "vera@example.org")
    assert [(t.name, str(t.date)) for t in volunteer.trainings] == [("Restorative panel training", "2026-01-10")]
    assert [(str(c.date), str(c.expires)) for c in volunteer.background_checks] == [("2026-01-15", "2029-01-15")]
    assert volunteer.programs == ["restorative-panel", "cosa"]
    assert [(a.day, a.part) for a in volunteer.availability] == [("tue", "evening"), ("thu", "evening")]
    assert volunteer.active and volunteer.since == dt.date.today() and volunteer.note == "prefers evenings"
    assert commits(repo) == before + 1
    message = git(repo.root, "log", "-1", "--format=%B")
    assert message.startswith("volunteer add P-2026-KB-0001 V-2026-KB-0001\n")
    assert_no_names(git(repo.root, "log", "--format=%B"))
    assert "cannot be seated" not in result.err


def test_add_for_a_person_already_on_file_by_id_from_stdin(repo, rjc):
    person = ok(rjc("--records", repo.root, "new", "person", "-f", "-", stdin="given_name: Ana\n")).out.strip()
    text = f"person: {person.lower()}\nprograms: mediation\nsince: 2025-03-01\n"
    result = ok(rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", "-", stdin=text))
    volunteer = repo.get(result.out.strip())
    assert (volunteer.person, str(volunteer.since), volunteer.programs) == (person, "2025-03-01", ["mediation"])
    assert len(files(repo, "person")) == 1
    # Untrained and unchecked: registered, with advice on what keeps them from a seat.
    assert f"{volunteer.id} cannot be seated until it has a training" in result.err
    assert "a current background check" in result.err


def test_same_name_and_birth_date_reuses_the_person_and_one_volunteer_per_person(repo, rjc):
    party = ok(rjc("--records", repo.root, "new", "person", "-f", "-",
                   stdin="given_name: Ana\nfamily_name: Rivera\ndate_of_birth: 1999-09-09\nphone: 802-555-0100\n"))
    party = party.out.strip()
    text = "person:\n  given_name: ANA\n  family_name: rivera\n  date_of_birth: 1999-09-09\n  phone: 802-555-0111\n"
    result = ok(rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", "-", stdin=text))
    assert repo.get(result.out.strip()).person == party
    assert f"already on file as {party}" in result.err and f"rjc edit {party}" in result.err
    assert len(files(repo, "person")) == 1 and repo.get(party).phone == "802-555-0100"  # not overwritten
    assert git(repo.root, "log", "-1", "--format=%s").strip() == f"volunteer add {result.out.strip()}"
    before = head(repo)
    again = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", "-", stdin=text)
    assert again.code == 1 and f"{party} is already volunteer {result.out.strip()}" in again.err
    assert head(repo) == before


def test_no_input_names_what_is_missing_and_creates_nothing(repo, rjc, tmp_path):
    before = head(repo)
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input")
    assert result.code == 2 and result.err == "Error: missing --from-file FILE (the person: and the volunteer's fields); nothing was created\n"
    path = tmp_path / "v.yaml"
    path.write_text("programs: [mediation]\n", encoding="utf-8")
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", path)
    assert result.code == 2 and result.err == f"Error: missing person: in {path} (a new person's fields or an existing person's id); nothing was created\n"
    result = rjc("--records", repo.root, "volunteer", "add", stdin="")  # no terminal: never prompts
    assert result.code == 2 and result.err == "Error: missing --from-file FILE (the person: and the volunteer's fields) (no terminal to ask on); nothing was created\n" and result.out == ""
    assert head(repo) == before and files(repo, "volunteer") == [] and files(repo, "person") == []


def test_file_problems_name_file_line_and_column(repo, rjc, tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(dedent("""\
        person:
          given_name: Remy
        trainings:
        - name: Panel training
          date: 2999-01-10
        background_checks:
        - date: 2026-01-15
          expires: 2025-01-15
        availability: tue evening, noon
        programz: [cosa]
        """), encoding="utf-8")
    before = head(repo)
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", path)
    assert result.code == 1
    assert f"{path}:9:15: error: availability: availability is DAY PART" in result.err
    assert f"{path}:10:1: error: unknown field 'programz' (did you mean 'programs'?)" in result.err
    path.write_text(path.read_text().replace("availability: tue evening, noon\nprogramz", "programs"))
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", path)
    assert result.code == 1
    assert f"{path}:5:9: error: training date 2999-01-10 is in the future" in result.err
    assert f"{path}:8:12: error: background check expires 2025-01-15, not after it was done" in result.err
    path.write_text("person:\n  family_name: Duval\nconflicts: [P-2026-KB-0042]\n")
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", path)
    assert result.code == 1
    assert f"{path}:1:1: error: missing required field 'given_name'" in result.err
    path.write_text("person:\n  given_name: Remy\nconflicts: [P-2026-KB-0042]\n")
    result = rjc("--records", repo.root, "volunteer", "add", "--no-input", "-f", path)
    assert result.code == 1 and f"{path}:3:13: error: P-2026-KB-0042 is not a person on file" in result.err
    assert head(repo) == before and files(repo, "volunteer") == [] and files(repo, "person") == []


def test_prompted_add_asks_for_person_and_volunteer(center, rjc):
    repo, party = center["repo"], center["party"]
    answers = "\n".join([
        "",  # not on file by id
        "Nina", "Solis", "1990-03-04", "802-555-0199", "nina@example.org",
        "Panel training", "2026-02-01",  # training 1
        "",  # no more trainings
        "2999-01-01", "2026-02-02",  # a check in the future is asked again
        "",  # expires: the default, 3 years on
        "restorative-panel, circus", "restorative-panel,cosa",
        "tue evening, someday", "wednesday evening",
        "P-2026-KB-9999", party,
    ]) + "\n"
    before = commits(repo)
    result = rjc("volunteer", "add", tty=True, stdin=answers)
    assert result.code == 0, result.err + result.out
    volunteer = repo.get(result.out.strip().splitlines()[-1].split()[-1])
    assert isinstance(volunteer, Volunteer)
    assert repo.get(volunteer.person).display_name == "Nina Solis"
    assert [(t.name, str(t.date)) for t in volunteer.trainings] == [("Panel training", "2026-02-01")]
    assert [(str(c.date), str(c.expires)) for c in volunteer.background_checks] == [("2026-02-02", "2029-02-02")]
    assert volunteer.programs == ["restorative-panel", "cosa"]
    assert [(a.day, a.part) for a in volunteer.availability] == [("wed", "evening")]
    assert volunteer.conflicts == [party]
    assert "is in the future" in result.err and "'circus' is not a program" in result.err
    assert "not 'someday'" in result.err and "no record P-2026-KB-9999" in result.err
    assert commits(repo) == before + 1
    assert_no_names(git(repo.root, "log", "--format=%B"))


def test_prompted_add_offers_the_person_on_file(center, rjc):
    repo, party = center["repo"], center["party"]
    person_answers = ["", "Ana", "Rivera", "1999-09-09", "", ""]
    rest = ["", "", "", "", ""]  # no training, no check, programs, availability, conflicts
    people = len(files(repo, "person"))
    result = rjc("volunteer", "add", tty=True, stdin="\n".join([*person_answers, "y", *rest]) + "\n")
    assert result.code == 0, result.err + result.out
    assert repo.get(result.out.strip().splitlines()[-1].split()[-1]).person == party
    assert len(files(repo, "person")) == people
    # Answering no keeps a namesake distinct.
    result = rjc("volunteer", "add", tty=True, stdin="\n".join([*person_answers, "n", *rest]) + "\n")
    assert result.code == 0, result.err + result.out
    assert repo.get(result.out.strip().splitlines()[-1].split()[-1]).person != party
    assert len(files(repo, "person")) == people + 1
    # Someone who already volunteers is refused before anything else is asked.
    before = head(repo)
    v1_person = repo.get(center["volunteers"][0]).person
    result = rjc("volunteer", "add", tty=True, stdin=f"{v1_person}\n")
    assert result.code == 1 and f"{v1_person} is already volunteer {center['volunteers'][0]}" in result.err
    assert "training 1" not in result.out and head(repo) == before


# --- changes -----------------------------------------------------------------------------------


def one_commit(rjc, repo, *args, action: str):
    before = commits(repo)
    result = ok(rjc(*args))
    assert commits(repo) == before + 1
    assert git(repo.root, "log", "-1", "--format=%s").strip() == f"volunteer {action} {args[2].upper()}"
    assert git(repo.root, "diff", "--name-only", "HEAD~1", "HEAD").split() == [layout.parse_id(args[2]).path]
    return result


def refused(rjc, repo, *args, message: str, code: int = 1):
    before = head(repo)
    result = rjc(*args)
    assert result.code == code, (result.out, result.err)
    assert message in result.err, result.err
    assert head(repo) == before
    return result


def test_each_change_is_one_commit_with_ids_only(center, rjc):
    repo, (v1, v2, v3) = center["repo"], center["volunteers"]
    one_commit(rjc, repo, "volunteer", "train", v1, "--name", "CoSA volunteer training", "--date", "2026-03-02",
               action="train")
    assert [str(t.date) for t in repo.get(v1).trainings] == ["2026-01-10", "2026-03-02"]
    one_commit(rjc, repo, "volunteer", "train", v1.lower(), "--name", "Trauma-informed practice",
               "--date", "2026-02-01", action="train")
    assert [t.name for t in repo.get(v1).trainings] == [
        "Restorative panel training", "Trauma-informed practice", "CoSA volunteer training"]  # date order
    one_commit(rjc, repo, "volunteer", "check", v1, "--date", "2026-11-20", action="check")
    one_commit(rjc, repo, "volunteer", "check", v2, "--date", "2026-10-01", "--expires", "2027-10-01",
               action="check")
    one_commit(rjc, repo, "volunteer", "availability", v1, "--set", "mon morning, Friday afternoon",
               action="availability")
    assert [(a.day, a.part) for a in repo.get(v1).availability] == [("mon", "morning"), ("fri", "afternoon")]
    one_commit(rjc, repo, "volunteer", "programs", v1, "--set", "mediation,family-group-conferencing",
               action="programs")
    assert repo.get(v1).programs == ["mediation", "family-group-conferencing"]
    one_commit(rjc, repo, "volunteer", "conflict", v3, "--with", center["core"], action="conflict")
    one_commit(rjc, repo, "volunteer", "conflict", v3, "--with", center["core"], "--remove", action="unconflict")
    assert repo.get(v3).conflicts == []
    one_commit(rjc, repo, "volunteer", "deactivate", v3, "--note", "moved away", action="deactivate")
    assert (repo.get(v3).active, repo.get(v3).note) == (False, "moved away")
    one_commit(rjc, repo, "volunteer", "activate", v3, action="activate")
    assert repo.get(v3).active
    one_commit(rjc, repo, "volunteer", "availability", v3, "--set", "", action="availability")
    assert repo.get(v3).availability == []
    assert_no_names(git(repo.root, "log", "--format=%B"))


def test_background_check_renewals_are_appended(center, rjc):
    repo, v1 = center["repo"], center["volunteers"][0]
    first = repo.get(v1).background_checks[0]
    ok(rjc("volunteer", "check", v1, "--date", "2026-11-20"))
    checks = repo.get(v1).background_checks
    assert checks[0] == first and [(str(c.date), str(c.expires)) for c in checks[1:]] == [("2026-11-20", "2029-11-20")]
    assert repo.get(v1).check_expires == D("2029-11-20")
    refused(rjc, repo, "volunteer", "check", v1, "--date", "2026-11-20",
            message="already has a background check done on 2026-11-20")
    refused(rjc, repo, "volunteer", "check", v1, "--date", "2999-01-01", message="is in the future")
    refused(rjc, repo, "volunteer", "check", v1, "--date", "2026-11-01", "--expires", "2026-10-01",
            message="2026-10-01 is not after 2026-11-01")
    # An older check, recorded late, is appended too; one already expired is said to be.
    result = ok(rjc("volunteer", "check", v1, "--date", "2020-05-01"))
    assert "Warning: this background check expired on 2023-05-01" in result.err.splitlines()
    assert [str(c.date) for c in repo.get(v1).background_checks] == ["2026-01-15", "2026-11-20", "2020-05-01"]
    # Rewriting an earlier check is refused by the append-only rule, whoever tries.
    volunteer = repo.get(v1)
    volunteer.background_checks[0].expires = D("2030-01-01")
    before = head(repo)
    with pytest.raises(RjcError) as refusal:
        repo.save(volunteer, "volunteer check", command="test")
    assert "append-only" in str(refusal.value.problems[0]) and head(repo) == before


def test_changes_refused_with_a_clear_error(center, rjc):
    repo, v1, party = center["repo"], center["volunteers"][0], center["party"]
    refused(rjc, repo, "volunteer", "train", v1, "--name", "Panel training", "--date", "2999-01-01",
            message="Error: Invalid value for --date: 2999-01-01 is in the future; add --yes if that is what you mean",
            code=2)
    refused(rjc, repo, "volunteer", "train", v1, "--name", "Panel training", "--date", "2999-01-01", "--yes",
            message="the training date 2999-01-01 is in the future")
    refused(rjc, repo, "volunteer", "train", v1, "--name", "Restorative panel training", "--date", "2026-01-10",
            message="already has this training on 2026-01-10")
    refused(rjc, repo, "volunteer", "train", v1, "--name", "  ", message="name the training")
    refused(rjc, repo, "volunteer", "train", center["case"], "--name", "x", message="is not a volunteer id")
    refused(rjc, repo, "volunteer", "train", "V-2026-KB-0099", "--name", "x", message="no record V-2026-KB-0099")
    refused(rjc, repo, "volunteer", "activate", v1, message=f"{v1} is already active")
    refused(rjc, repo, "volunteer", "conflict", v1, "--with", repo.get(v1).person, message="themselves")
    refused(rjc, repo, "volunteer", "conflict", v1, "--with", center["case"], message="is not a person id")
    refused(rjc, repo, "volunteer", "conflict", v1, "--with", "P-2026-KB-0099", message="no record P-2026-KB-0099")
    refused(rjc, repo, "volunteer", "conflict", v1, "--with", party, "--remove",
            message=f"{v1} has no declared conflict with {party}")
    refused(rjc, repo, "volunteer", "availability", v1, "--set", "tue night", message="not 'tue night'")
    refused(rjc, repo, "volunteer", "programs", v1, "--set", "panel", message="'panel' is not a program")
    refused(rjc, repo, "volunteer", "check", v1, message="Missing option '--date'", code=2)


def test_deactivating_and_conflicts_warn_about_seats_ahead(center, rjc):
    repo, (v1, v2, v3), party = center["repo"], center["volunteers"], center["party"]
    result = ok(rjc("volunteer", "deactivate", v2))
    assert f"Warning: {v2} is seated on {center['ahead']} (2028-06-15); seat someone else there" in result.err.splitlines()
    assert f"Warning: {v2} is on the circle of {center['cosa']}; seat someone else there" in result.err.splitlines()
    refused(rjc, repo, "volunteer", "deactivate", v2, message=f"{v2} is already inactive")
    result = ok(rjc("volunteer", "conflict", v1, "--with", party))
    assert f"Warning: {v1} is seated on {center['ahead']} (2028-06-15), which involves {party}; seat someone else there" in result.err.splitlines()
    assert "circle" not in result.err  # the circle is around someone else
    refused(rjc, repo, "volunteer", "conflict", v1, "--with", party, message="already has a declared conflict")
    # A volunteer without training or a current check is told what keeps them from a seat.
    with repo.transaction("test") as tx:
        v3_record = repo.get(v3)
        v3_record.active = False
        v3_record.trainings = []
        tx.stage(v3_record)
        tx.commit("test")
    result = ok(rjc("volunteer", "activate", v3))
    assert f"Warning: {v3} cannot be seated until it has a training" in result.err


# --- list --------------------------------------------------------------------------------------


def listed(rjc, *args) -> list[dict]:
    result = ok(rjc("volunteer", "list", "--as-of", AS_OF, "--format", "json", *args))
    assert_no_names(result.out + result.err)
    return json.loads(result.out)


def test_list_shows_facts_and_hours_never_names(center, rjc):
    v1, v2, v3 = center["volunteers"]
    rows = listed(rjc)
    assert rows == [
        {"id": v1, "active": True, "programs": ["restorative-panel", "cosa"], "trainings": 1,
         "background_check_expires": "2029-01-15", "hours_fy": "5.25", "last_seated": "2026-11-03"},
        {"id": v2, "active": True, "programs": ["restorative-panel", "cosa"], "trainings": 1,
         "background_check_expires": "2029-01-15", "hours_fy": "3.25", "last_seated": "2026-10-06"},
        {"id": v3, "active": True, "programs": ["mediation"], "trainings": 1,
         "background_check_expires": "2029-01-15", "hours_fy": "1.75", "last_seated": "2026-09-10"},
    ]
    table = ok(rjc("volunteer", "list", "--as-of", AS_OF))
    assert table.out.split("\n")[0].split() == volunteers.COLUMNS
    assert f"{v1}  True" in table.out and "Vermont fiscal year FY2027 (2026-07-01 to 2027-06-30)" in table.err
    csv = ok(rjc("volunteer", "list", "--as-of", AS_OF, "--format", "csv")).out.splitlines()
    assert csv[0] == ",".join(volunteers.COLUMNS)
    assert csv[1] == f'{v1},True,"restorative-panel, cosa",1,2029-01-15,5.25,2026-11-03'
    assert_no_names(table.out + table.err + "\n".join(csv))
    # A year earlier: only the June panel counts in that fiscal year, and nothing had been sat since.
    earlier = {r["id"]: (r["hours_fy"], r["last_seated"]) for r in listed(rjc, "--as-of", "2026-06-30")}
    assert earlier == {v1: ("3", "2026-06-15"), v2: ("2.50", "2026-06-15"), v3: ("0", None)}


def test_list_filters(center, rjc):
    v1, v2, v3 = center["volunteers"]
    ok(rjc("volunteer", "deactivate", v2))

    def ids(*args):
        return [r["id"] for r in listed(rjc, *args)]

    assert ids("--active") == [v1, v3]
    assert ids("--inactive") == [v2]
    assert ids("--program", "cosa") == [v1, v2]
    assert ids("--program", "cosa", "--active") == [v1]
    assert ids("--available", "thu", "evening") == [v1, v2]
    assert ids("--available", "Saturday", "morning") == [v3]
    assert ids("--available", "mon", "morning") == []
    bad = rjc("volunteer", "list", "--available", "tue", "night")
    assert bad.code == 2 and bad.err == "Error: --available takes DAY PART, e.g. --available tue evening (days mon-sun, parts morning, afternoon, evening)\n"
    bad = rjc("volunteer", "list", "--program", "panels")
    assert bad.code == 2 and bad.err.splitlines()[-1] == (
        "Error: Invalid value for '--program': 'panels' is not one of 'restorative-panel', 'reentry-panel', "
        "'pre-charge-diversion', 'victim-support', 'offender-reentry', 'cosa', 'star', 'mediation', "
        "'family-group-conferencing'.")
    bad = rjc("volunteer", "list", "--program", "")  # refused too, not read as "serves no program"
    assert bad.code == 2 and bad.err.splitlines()[-1].startswith("Error: Invalid value for '--program': '' is not one of")
    assert rjc("volunteer", "list", "--format", "xml").code == 2


# --- hours -------------------------------------------------------------------------------------


def hours(rjc, volunteer: str, *args) -> dict:
    result = ok(rjc("volunteer", "hours", volunteer, "--as-of", AS_OF, "--format", "json", *args))
    assert_no_names(result.out + result.err)
    return json.loads(result.out)


def test_hours_ledger_from_held_panels_and_circle_meetings(center, rjc):
    (v1, v2, v3), (june, sept), cosa = center["volunteers"], center["held"], center["cosa"]
    everything = hours(rjc, v1, "--from", "2000-01-01")
    assert everything["entries"] == [
        {"date": "2026-06-15", "kind": "panel", "record": june, "program": "restorative-panel", "hours": "3"},
        {"date": "2026-09-10", "kind": "panel", "record": sept, "program": "restorative-panel", "hours": "1.75"},
        {"date": "2026-10-06", "kind": "circle", "record": cosa, "program": "cosa", "hours": "1.5"},
        {"date": "2026-11-03", "kind": "circle", "record": cosa, "program": "cosa", "hours": "2"},
    ]
    assert (everything["total"], everything["from"], everything["to"]) == ("8.25", "2000-01-01", None)
    assert hours(rjc, v1)["total"] == "5.25"  # the Vermont fiscal year by default
    assert (hours(rjc, v1, "--year", "vermont")["from"], hours(rjc, v1, "--year", "vermont")["to"]) == (
        "2026-07-01", "2027-06-30")
    assert hours(rjc, v1, "--year", "federal")["total"] == "3.5"
    assert hours(rjc, v1, "--year", "calendar")["total"] == "8.25"
    assert hours(rjc, v1, "--from", "2026-09-01", "--to", "2026-10-31")["total"] == "3.25"
    assert hours(rjc, v1, "--to", "2026-06-30")["total"] == "3"
    # A seat without hours counts the panel's length when attended; an absent seat, nothing.
    assert [(e["record"], e["hours"]) for e in hours(rjc, v2, "--year", "calendar")["entries"]] == [
        (june, "2.50"), (sept, "1.75"), (cosa, "1.5")]
    assert [(e["record"], e["hours"]) for e in hours(rjc, v3, "--year", "calendar")["entries"]] == [(sept, "1.75")]
    table = ok(rjc("volunteer", "hours", v1, "--as-of", AS_OF, "--year", "calendar"))
    assert table.out.splitlines()[0] == f"{v1}: hours, calendar 2026 (2026-01-01 to 2026-12-31)"
    assert table.out.splitlines()[-1] == "total: 8.25 hours in 4 sittings"
    assert ["2026-06-15", "panel", june, "restorative-panel", "3"] in [line.split() for line in table.out.splitlines()]
    csv = ok(rjc("volunteer", "hours", v1, "--as-of", AS_OF, "--format", "csv")).out.splitlines()
    assert csv[0] == "date,kind,record,program,hours" and csv[-1] == ",total,,,5.25"


def test_hours_command_line_problems(center, rjc):
    v1 = center["volunteers"][0]
    result = rjc("volunteer", "hours", v1, "--year", "federal", "--from", "2026-01-01")
    assert result.code == 2 and result.err == "Error: give --year, or --from and --to, not both\n"
    result = rjc("volunteer", "hours", v1, "--year", "lunar")
    assert result.code == 2 and result.err.splitlines()[-1] == (
        "Error: Invalid value for '--year': 'lunar' is not one of 'vermont', 'federal', 'calendar'.")
    result = rjc("volunteer", "hours", v1, "--from", "2026-05-01", "--to", "2026-04-01")
    assert result.code == 2 and result.err == "Error: --to 2026-04-01 is before --from 2026-05-01\n"
    result = rjc("volunteer", "hours", center["party"])
    assert result.code == 1 and "is not a volunteer id" in result.err
    empty = ok(rjc("volunteer", "hours", v1, "--as-of", "2025-01-01"))
    assert empty.out.splitlines()[-1] == "total: 0 hours in 0 sittings"


def test_ledger_is_a_pure_function_over_panels_and_cases(center):
    repo, (v1, v2, v3) = center["repo"], center["volunteers"]
    panels = [r.record for r in repo.load_all([layout.KINDS["panel"]])]
    cases = [r.record for r in repo.load_all([layout.KINDS["case"]])]
    assert all(isinstance(p, Panel) for p in panels) and all(isinstance(c, Case) for c in cases)
    year = periods.fiscal_year(D(AS_OF), "vermont")
    assert volunteers.ledger(v1, panels, cases, year).total == Decimal("5.25")
    assert volunteers.ledger(v1, panels, cases).total == Decimal("8.25")
    assert volunteers.ledger(v2, panels, [], year).total == Decimal("1.75")  # panels only
    assert volunteers.ledger(v3, [], cases).entries == []
    assert volunteers.ledger("V-2026-KB-0099", panels, cases).total == 0
    # Only held panels count: the same seats on a scheduled or cancelled panel do not.
    assert {e.record for e in volunteers.ledger(v1, panels, cases).entries} == {*center["held"], center["cosa"]}


def test_availability_and_programs_parsing():
    assert [(a.day, a.part) for a in volunteers.parse_availability("Tue evening; thurs Evening, tue evening")] == [
        ("tue", "evening"), ("thu", "evening")]
    assert volunteers.parse_availability(" ") == []
    for bad in ("tue", "tu evening", "tuesday night", "evening tue", "tue evening late"):
        with pytest.raises(RjcError, match="availability is DAY PART"):
            volunteers.parse_availability(bad)
    assert volunteers.parse_programs("restorative-panel, Mediation cosa,cosa") == ["restorative-panel", "mediation",
                                                                                  "cosa"]
    assert volunteers.default_expiry(D("2024-02-29")) == D("2027-02-28")
