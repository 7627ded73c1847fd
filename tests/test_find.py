"""Finding people on file: `rjc person find`, `rjc show P-...`'s cases, and the name search at
`rjc referral new`'s "already on file?" prompt."""

from __future__ import annotations

import pytest

from rjc.storage import layout


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
    code, rest = s.end()
    assert code == 0
    assert rest.splitlines()[1:] == [
        f"{on_file['zoe']}  Zoë Nguyễn, born 2001-04-02",
        f"    {on_file['referral']}  responsible-party  restorative-panel  accepted",
        f"    {on_file['case']}  responsible-party  restorative-panel  referred"]
