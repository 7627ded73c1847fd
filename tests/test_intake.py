"""rjc referral new: scripted with flags and an intake file, or guided by prompts."""

from __future__ import annotations

from rjc.model import Person, Referral
from rjc.storage import layout

from helpers import dedent, git

INTAKE = dedent("""\
    people:
      - role: responsible-party
        given_name: Zoë
        family_name: Nguyễn
        date_of_birth: 2001-04-02
        phone: 802-555-0100
      - role: victim
        given_name: Sam
        family_name: O'Brien
        date_of_birth: 1970-01-15
    contact:
      name: Pat Jones
      phone: 802-555-0199
    harm: Took a bicycle from the porch.
    """)

FLAGS = ("--program", "pre-charge-diversion", "--source", "states-attorney", "--agency", "Windsor County SA",
         "--docket", "123-4-26", "--received", "2026-11-20", "--offense-date", "2026-11-02",
         "--town", "Hartford", "--charge", "petit larceny")


def _intake(tmp_path, text: str = INTAKE):
    path = tmp_path / "intake.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _files(repo, kind: str) -> list:
    return sorted(layout.record_paths(repo.root, [layout.KINDS[kind]]))


def test_scripted_intake_records_every_field_and_people_in_one_commit(repo, rjc, tmp_path):
    before = git(repo.root, "rev-list", "--count", "HEAD")
    result = rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS,
                 "--person-file", _intake(tmp_path))
    assert result.code == 0, result.err
    referral_id = result.out.strip()
    referral = repo.get(referral_id)
    assert isinstance(referral, Referral)
    assert (referral.program, referral.source, referral.agency, referral.docket) == (
        "pre-charge-diversion", "states-attorney", "Windsor County SA", "123-4-26")
    assert str(referral.received) == "2026-11-20" and str(referral.offense_date) == "2026-11-02"
    assert referral.town == "Hartford" and referral.charges == ["petit larceny"]
    assert referral.harm == "Took a bicycle from the porch." and referral.contact.name == "Pat Jones"
    roles = {p.role.value: repo.get(p.person) for p in referral.people}
    assert roles["responsible-party"].display_name == "Zoë Nguyễn"
    assert roles["victim"].display_name == "Sam O'Brien"
    assert int(git(repo.root, "rev-list", "--count", "HEAD")) == int(before) + 1
    subject = git(repo.root, "log", "-1", "--format=%B")
    assert subject.startswith(f"referral new P-2026-KB-0001 P-2026-KB-0002 {referral_id}")
    for secret in ("Zoë", "Nguyễn", "O'Brien", "Pat Jones", "bicycle", "802-555"):
        assert secret not in git(repo.root, "log", "--format=%B")


def test_no_input_names_every_missing_flag_and_creates_nothing(repo, rjc):
    head = git(repo.root, "rev-parse", "HEAD")
    result = rjc("--records", repo.root, "referral", "new", "--no-input")
    assert result.code == 2
    for flag in ("--program", "--source", "--person ID=ROLE or --person-file FILE"):
        assert flag in result.err
    assert git(repo.root, "rev-parse", "HEAD") == head and _files(repo, "referral") == []


def test_without_a_terminal_it_does_not_prompt(repo, rjc):
    result = rjc("--records", repo.root, "referral", "new", "--program", "mediation", stdin="")
    assert result.code == 2
    assert result.err == "Error: missing --source, --person ID=ROLE or --person-file FILE (no terminal to ask on); nothing was created\n"
    assert "?" not in result.out and result.out == ""


def test_same_name_and_birth_date_reuses_the_person_on_file(repo, rjc, tmp_path):
    first = rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS, "--person-file", _intake(tmp_path))
    assert first.code == 0, first.err
    again = INTAKE.replace("given_name: Zoë", "given_name: ZOË ").replace("phone: 802-555-0100", "phone: 802-555-0111")
    second = rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS,
                 "--person-file", _intake(tmp_path, again))
    assert second.code == 0, second.err
    assert "already on file as P-2026-KB-0001" in second.err and "rjc edit P-2026-KB-0001" in second.err
    assert len(_files(repo, "person")) == 2
    referral = repo.get(second.out.strip())
    assert [p.person for p in referral.people] == ["P-2026-KB-0001", "P-2026-KB-0002"]
    assert repo.get("P-2026-KB-0001").phone == "802-555-0100"  # not silently overwritten


def test_people_already_on_file_by_id(repo, rjc, tmp_path):
    made = rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS, "--person-file", _intake(tmp_path))
    assert made.code == 0
    result = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                 "--source", "community-member", "--person", "p-2026-kb-0001=party", "--person", "P-2026-KB-0002=party")
    assert result.code == 0, result.err
    assert [(p.person, p.role.value) for p in repo.get(result.out.strip()).people] == [
        ("P-2026-KB-0001", "party"), ("P-2026-KB-0002", "party")]
    bad_role = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                   "--source", "self", "--person", "P-2026-KB-0001=judge")
    assert bad_role.code == 2 and bad_role.err.splitlines()[-1] == (
        "Error: Invalid value for '--person': 'judge' is not one of 'responsible-party', 'victim', 'core-member', "
        "'client', 'party', 'family-member', 'parent-guardian', 'support-person', 'other'.")
    not_a_person = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                       "--source", "self", "--person", f"{made.out.strip()}=party")
    assert not_a_person.code == 1 and "is not a person" in not_a_person.err
    no_sep = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                 "--source", "self", "--person", "P-2026-KB-0001")
    assert no_sep.code == 2 and "ID=ROLE" in no_sep.err


def test_intake_file_problems_name_file_line_and_field(repo, rjc, tmp_path):
    text = dedent("""\
        people:
          - role: responsible-party
            given_name: Ash
            date_of_birth: 2001-13-40
          - role: judge
            given_name: Lee
        surprise: 1
        """)
    path = _intake(tmp_path, text)
    result = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                 "--source", "self", "--person-file", path)
    assert result.code == 1
    assert f"{path}:5:11: error: role is one of:" in result.err
    assert f"{path}:7:1: error: unknown field 'surprise'" in result.err
    assert _files(repo, "person") == []
    fixed = text.replace("judge", "victim").replace("surprise: 1\n", "")
    result = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
                 "--source", "self", "--person-file", _intake(tmp_path, fixed))
    assert result.code == 1
    assert f"{path}:4:20: error: date_of_birth:" in result.err
    assert _files(repo, "person") == [] and _files(repo, "referral") == []


def test_guided_prompts_offer_the_person_already_on_file(repo, rjc, tmp_path):
    first = rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS, "--person-file", _intake(tmp_path))
    assert first.code == 0
    answers = "\n".join([
        "2026-11-23", "restorative-panel", "police",  # received, program, source
        "Hartford PD", "", "", "Broke a window.", "Hartford",  # agency, docket, offense date, harm, town
        "unlawful mischief", "",  # charges
        "Officer Dee", "", "",  # agency contact
        "responsible-party", "", "Zoë", "Nguyễn", "", "2001-04-02", "", "", "", "", "", "", "",
        "y",  # use the person on file for person 1
        "victim", "", "Robin", "Ames", "", "", "", "", "", "12 Elm St", "Hartford", "VT", "05047",
        "woman", "White, Asian", "", "25-59", "", "no", "",  # a new victim's demographics
        "",  # no more people
        "y",  # save
    ]) + "\n"
    result = rjc("--records", repo.root, "referral", "new", tty=True, stdin=answers)
    assert result.code == 0, result.err + result.out
    referral = repo.get(result.out.strip().splitlines()[-1].rsplit(" ", 1)[-1])
    assert (referral.program, referral.source, str(referral.received)) == ("restorative-panel", "police", "2026-11-23")
    assert referral.charges == ["unlawful mischief"] and referral.contact.name == "Officer Dee"
    people = [(p.person, p.role.value) for p in referral.people]
    assert people[0] == ("P-2026-KB-0001", "responsible-party")
    victim = repo.get(people[1][0])
    assert isinstance(victim, Person) and victim.address.street == "12 Elm St"
    assert victim.demographics.model_dump(exclude_none=True) == {
        "gender": "woman", "race": ["White", "Asian"], "age_group": "25-59", "veteran": False}
    assert len(_files(repo, "person")) == 3


def test_answering_no_keeps_a_namesake_distinct(repo, rjc, tmp_path):
    rjc("--records", repo.root, "referral", "new", "--no-input", *FLAGS, "--person-file", _intake(tmp_path))
    answers = "\n".join(["", "mediation", "self", "", "", "", "", "", "", "", "", "",
                         "party", "", "Zoë", "Nguyễn", "", "2001-04-02", "", "", "", "", "", "", "",
                         "n", "", "y"]) + "\n"
    result = rjc("--records", repo.root, "referral", "new", tty=True, stdin=answers)
    assert result.code == 0, result.err + result.out
    assert len(_files(repo, "person")) == 3
