"""Finding people on file: `rjc person find`, `rjc show P-...`'s cases, and the name search at
`rjc referral new`'s "already on file?" prompt."""

from __future__ import annotations

import pytest

from rjc.storage import layout

from helpers import git


@pytest.fixture
def on_file(repo, rjc, built):
    """Three people, one of them in a referral that was accepted into a case."""
    return {"root": repo.root, **built.reuse("find-on-file", repo.root, lambda: _on_file(rjc, repo.root))}


def _on_file(rjc, root) -> dict:
    def new(kind: str, text: str) -> str:
        result = rjc("--records", root, "new", kind, "-f", "-", stdin=text)
        assert result.code == 0, result.err
        return result.out.strip()

    zoe = new("person", "given_name: Zoë\nfamily_name: Nguyễn\ndate_of_birth: 2001-04-02\nphone: 802-555-0100\n")
    sam = new("person", "given_name: Sam\nfamily_name: O'Brien\n")
    other = new("person", "given_name: Zoe\nfamily_name: Ngo\ndate_of_birth: 1999-12-01\n")
    referral = new("referral", f"received: 2026-11-02\nprogram: restorative-panel\nsource: police\n"
                               f"people:\n- person: {zoe}\n  role: responsible-party\n"
                               f"- person: {sam}\n  role: victim\n")
    case = rjc("--records", root, "referral", "accept", referral, "--date", "2026-11-03").out.strip()
    return {"zoe": zoe, "sam": sam, "other": other, "referral": referral, "case": case}


def people_files(root) -> list[str]:
    return layout.record_paths(root, [layout.KINDS["person"]])


def test_find_reads_queries_from_stdin_ignoring_case_and_accents(on_file, rjc):
    result = rjc("--records", on_file["root"], "person", "find", stdin="zoe NGUYEN\n")
    assert result.code == 0, result.err
    assert result.out == (
        f"{on_file['zoe']}  Zoë Nguyễn, born 2001-04-02\n"
        f"    {on_file['referral']}  responsible-party  restorative-panel  accepted\n"
        f"    {on_file['case']}  responsible-party  restorative-panel  referred\n")
    assert result.err == ""


def test_find_by_form_misspelled_name_date_of_birth_and_phone(on_file, rjc):
    queries = ("name: Zoey Nguen\n"  # close spellings: both Zoës, the closer first
               "name: zoe, dob: 1999-12-01\n"  # the date of birth exactly
               "phone: (802) 555 0100\n"  # the phone by its digits
               "Sam O’Brien\n")
    result = rjc("--records", on_file["root"], "person", "find", stdin=queries)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "line 1:" and lines[1].startswith(f"{on_file['zoe']}  Zoë Nguyễn")
    assert f"{on_file['other']}  Zoe Ngo, born 1999-12-01" in lines[2:6]
    assert lines[lines.index("line 2:") + 1:lines.index("line 3:")] == [
        f"{on_file['other']}  Zoe Ngo, born 1999-12-01", "    no referrals or cases"]
    assert lines[lines.index("line 3:") + 1].startswith(on_file["zoe"])
    assert lines[lines.index("line 4:") + 1:] == [
        f"{on_file['sam']}  Sam O'Brien, date of birth not on file",
        f"    {on_file['referral']}  victim  restorative-panel  accepted",
        f"    {on_file['case']}  victim  restorative-panel  referred"]


def test_find_no_match_exits_1_and_bad_queries_name_the_line(on_file, rjc):
    result = rjc("--records", on_file["root"], "person", "find", stdin="Robin Ames\n")
    assert (result.code, result.out, result.err) == (1, "", "no one on file matches\n")
    both = rjc("--records", on_file["root"], "person", "find", stdin="Robin Ames\nSam O'Brien\n")
    assert both.code == 1 and both.err == "line 1: no one on file matches\n" and "line 2:" in both.out
    bad = rjc("--records", on_file["root"], "person", "find", stdin="name: Sam\ndob: 2001-02-30\n")
    assert (bad.code, bad.out) == (1, "")
    assert bad.err == "Error: <stdin> line 2: dob: not a date (YYYY-MM-DD): 2001-02-30\n"
    bad = rjc("--records", on_file["root"], "person", "find", stdin="phone: call me\n")
    assert bad.err == ("Error: <stdin> line 1: phone: not a phone number (7 to 15 digits, "
                       "e.g. 802-555-0134): call me\n")
    empty = rjc("--records", on_file["root"], "person", "find", stdin="\n")
    assert empty.code == 1 and empty.err.startswith("Error: no query on stdin")
    assert rjc("--records", on_file["root"], "person", "find", "Zoë").code == 2  # never on the command line


def test_find_uses_the_cache_and_says_the_same_without_it(on_file, rjc, monkeypatch):
    first = rjc("--records", on_file["root"], "person", "find", stdin="Sam\n")
    warm = rjc("--records", on_file["root"], "person", "find", stdin="Sam\n")
    monkeypatch.setenv("RJC_NO_CACHE", "1")
    cold = rjc("--records", on_file["root"], "person", "find", stdin="Sam\n")
    assert first.out == warm.out == cold.out and on_file["sam"] in cold.out


def test_show_a_person_lists_their_referrals_and_cases(on_file, rjc):
    result = rjc("--records", on_file["root"], "show", on_file["sam"])
    assert result.code == 0, result.err
    assert result.out.endswith(
        "# referrals and cases:\n"
        f"#   {on_file['referral']}  victim  restorative-panel  accepted\n"
        f"#   {on_file['case']}  victim  restorative-panel  referred\n")
    alone = rjc("--records", on_file["root"], "show", on_file["other"])
    assert alone.out.endswith("# referrals and cases:\n#   no referrals or cases\n")


def test_find_on_a_terminal_a_misspelled_name_with_an_accent_difference(on_file, terminal):
    s = terminal(on_file["root"], "person", "find")
    s.answer("Name [blank to skip]: ", "Zoe Nguyn")
    s.answer("Date of birth (YYYY-MM-DD) [blank to skip]: ", "2001-4-2")
    s.expect("  not a date (YYYY-MM-DD): 2001-4-2")
    s.answer("Date of birth (YYYY-MM-DD) [blank to skip]: ", "")
    s.answer("Phone [blank to skip]: ", "")
    code, _ = s.end()
    assert code == 0
    assert s.seen.rsplit("Phone [blank to skip]: ", 1)[1].splitlines() == ["",
        f"{on_file['zoe']}  Zoë Nguyễn, born 2001-04-02",
        f"    {on_file['referral']}  responsible-party  restorative-panel  accepted",
        f"    {on_file['case']}  responsible-party  restorative-panel  referred"]


SCRIPTED = ("referral", "new", "--program", "mediation", "--source", "self", "--received", "2026-11-20",
            "--agency", "none", "--docket", "none", "--offense-date", "2026-11-10", "--town", "Hartford",
            "--charge", "none")


def _up_to_people(s) -> None:
    """Answer what `referral new` asks before the people, with the flags above given."""
    s.answer("harm [blank to skip]: ", "")
    s.answer("agency contact's name [blank to skip]: ", "")
    s.answer("agency contact's phone [blank to skip]: ", "$350")
    s.expect("  not a phone number (7 to 15 digits, e.g. 802-555-0134): $350")
    s.answer("agency contact's phone [blank to skip]: ", "")
    s.answer("agency contact's email [blank to skip]: ", "nobody")
    s.expect("  not an email address (like name@example.org): nobody")
    s.answer("agency contact's email [blank to skip]: ", "")


def test_referral_prompt_finds_a_misspelled_name_and_uses_the_match(on_file, terminal):
    before = people_files(on_file["root"])
    s = terminal(on_file["root"], *SCRIPTED)
    _up_to_people(s)
    s.answer("blank to finish): ", "party")
    s.answer("  already on file? their person id, or a name to search for [blank to skip]: ", "Robin Ames")
    s.expect("  no one on file matches; search again, or blank to enter them as new")
    s.answer("  already on file? their person id, or a name to search for [blank to skip]: ", "Zoe Nguyn")
    shown = s.answer("  which one? (number; blank: none of them): ", "1")
    assert f"  1  {on_file['zoe']}  Zoë Nguyễn, born 2001-04-02" in shown
    s.answer("blank to finish): ", "")
    summary = s.answer("Save? [Y/n]: ", "")
    assert ("The referral to be saved:\r\n  program: mediation\r\n  source: self\r\n  received: 2026-11-20\r\n"
            "  agency: none\r\n  docket: none\r\n  offense date: 2026-11-10\r\n  town: Hartford\r\n"
            f"  charges: none\r\n  person 1: party, {on_file['zoe']} (on file)\r\n") in summary
    code, rest = s.end()
    assert code == 0, rest
    assert people_files(on_file["root"]) == before  # no one taken in twice
    referral = rest.split()[0]
    assert f"- person: {on_file['zoe']}\n  role: party" in (
        on_file["root"] / layout.parse_id(referral).path).read_text()


def test_no_at_save_saves_nothing(on_file, terminal):
    head = git(on_file["root"], "rev-parse", "HEAD")
    s = terminal(on_file["root"], *SCRIPTED)
    _up_to_people(s)
    s.answer("blank to finish): ", "victim")
    s.answer("  already on file? their person id, or a name to search for [blank to skip]: ", "")
    s.answer("given name: ", "Robin")
    for _ in range(6):  # family name ... email
        s.answer("[blank to skip]: ", "")
    for _ in range(4):  # the address
        s.answer("[blank to skip]: ", "")
    s.expect("  A new victim's demographics, as the victim-services grant counts them:")
    s.answer("  gender (e.g. woman, man, non-binary) [blank to skip]: ", "")
    s.answer("  race (several: separate with commas) [blank to skip]: ", "White, Asian")
    for _ in range(3):  # ethnicity, age group, disability
        s.answer("[blank to skip]: ", "")
    s.answer("  veteran (yes/no) [blank to skip]: ", "maybe")
    s.expect("  answer yes or no, or leave it blank")
    s.answer("  veteran (yes/no) [blank to skip]: ", "no")
    s.answer("  primary language [blank to skip]: ", "")
    s.answer("blank to finish): ", "")
    summary = s.answer("Save? [Y/n]: ", "n")
    assert "  person 1: victim, new:\r\n    given name: Robin\r\n    demographics: race: White, Asian; veteran: no\r\n" \
        in summary
    code, _ = s.end()
    assert code == 1 and s.seen.rsplit("Save? [Y/n]: ", 1)[1].splitlines() == ["n", "Error: nothing was saved"]
    assert git(on_file["root"], "rev-parse", "HEAD") == head
    assert not list((on_file["root"] / "people").rglob("*.tmp"))


def test_an_amount_with_a_currency_sign_is_refused_at_its_prompt(on_file, terminal):
    s = terminal(on_file["root"], "agreement", "new", on_file["case"], "--signed", "2026-11-05")
    s.answer("blank to finish): ", "restitution")
    s.answer("  description: ", "the window")
    s.answer("  amount owed (e.g. 250.00): ", "$350")
    s.expect("  a plain number such as 50.00 or 2.5, not '$350'")
    s.answer("  amount owed (e.g. 250.00): ", "350")
    s.answer("  to victim (person id, blank if none): ", on_file["sam"])
    s.answer("  or payee (blank if the victim): ", "")
    s.answer("blank to finish): ", "")
    code, rest = s.end()
    assert code == 0, rest
    case = (on_file["root"] / layout.parse_id(on_file["case"]).path).read_text()
    assert ("  - type: restitution\n    description: the window\n    status: pending\n"
            f"    victim: {on_file['sam']}\n    amount: 350.00\n") in case


def test_a_namesake_without_a_birth_date_is_refused_without_a_terminal(on_file, rjc, tmp_path):
    intake = tmp_path / "intake.yaml"
    intake.write_text("people:\n- role: victim\n  given_name: SAM\n  family_name: O’Brien\n", encoding="utf-8")
    head = git(on_file["root"], "rev-parse", "HEAD")
    refused = rjc("--records", on_file["root"], "referral", "new", "--no-input", "--program", "mediation",
                  "--source", "self", "--person-file", intake)
    assert refused.code == 1 and refused.out == ""
    assert refused.err == (
        f"Error: person 1 has the same name as {on_file['sam']} on file, and no date of birth to tell them apart; "
        f"nothing was created. If it is them, name them by id (--person {on_file['sam']}=victim, or person: "
        f"{on_file['sam']} in the person file); if not, give their date_of_birth, or different_person: true, "
        "in their entry in the person file\n")
    assert git(on_file["root"], "rev-parse", "HEAD") == head
    before = people_files(on_file["root"])
    intake.write_text(intake.read_text(encoding="utf-8") + "  different_person: true\n", encoding="utf-8")
    taken = rjc("--records", on_file["root"], "referral", "new", "--no-input", "--program", "mediation",
                "--source", "self", "--person-file", intake)
    assert taken.code == 0, taken.err
    assert len(people_files(on_file["root"])) == len(before) + 1
    bad = intake.read_text(encoding="utf-8").replace("true", "perhaps")
    intake.write_text(bad, encoding="utf-8")
    refused = rjc("--records", on_file["root"], "referral", "new", "--no-input", "--program", "mediation",
                  "--source", "self", "--person-file", intake)
    assert refused.code == 1 and f"{intake}:5:21: error: different_person: is true or false" in refused.err


def test_a_namesake_without_a_birth_date_is_asked_about_on_a_terminal(on_file, rjc):
    answers = "\n".join([
        "", "", "",  # harm, agency contact's name, phone
        "", "party", "",  # email; person 1 is a party, not looked up
        "Sam", "O'Brien", "", "", "", "", "",  # given and family name; no date of birth
        "", "", "", "",  # address
        "1",  # the person on file with that name
        "", "y"]) + "\n"
    before = people_files(on_file["root"])
    result = rjc("--records", on_file["root"], *SCRIPTED, tty=True, stdin=answers)
    assert result.code == 0, result.err
    assert "Person 1 has the same name as someone on file, and no date of birth was given to tell them apart:\n" \
        in result.err
    assert f"  1  {on_file['sam']}  Sam O'Brien, date of birth not on file\n" in result.out
    assert people_files(on_file["root"]) == before
    referral = result.out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert f"person 1: party, {on_file['sam']} (on file)" in result.err
    assert f"- person: {on_file['sam']}\n  role: party" in (
        on_file["root"] / layout.parse_id(referral).path).read_text()
