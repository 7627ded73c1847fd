"""A call comes in, on a real 80-column terminal, as a coordinator would take it: the caller is
found by a misspelled name, the referral names that person (no one taken in twice), it is
accepted, and every screen on the way shows its ids whole."""

from __future__ import annotations

import re

from test_find import _up_to_people, on_file, people_files  # noqa: F401  (fixture)

from rjc.storage import layout

from helpers import git

ID = re.compile(r"\b(?:P|R|C|PN|V)-[0-9]{4}-[A-Z][A-Z0-9]{0,3}-[0-9]{4,6}\b")


def whole_ids(shown: str) -> set[str]:
    """Every id on the screen; a cut one ("C-2026-KB-00…") is not matched, so it is missing."""
    return set(ID.findall(shown))


def test_a_call_from_a_misspelled_name_to_an_accepted_case_at_80_columns(on_file, terminal):  # noqa: F811
    root, zoe = on_file["root"], on_file["zoe"]
    before = people_files(root)

    # "It's Zoe Nguyen calling": the coordinator finds her, misspelled, without her accents
    find = terminal(root, "person", "find")
    find.answer("Name [blank to skip]: ", "zoe nguen")
    find.answer("Date of birth (YYYY-MM-DD) [blank to skip]: ", "")
    find.answer("Phone [blank to skip]: ", "")
    code, shown = find.end()
    assert code == 0, shown
    assert {zoe, on_file["referral"], on_file["case"]} <= whole_ids(shown)

    # she was harmed this time: a new referral names her, found again at the prompt
    take = terminal(root, "referral", "new", "--program", "mediation", "--source", "self", "--received",
                    "2026-11-20", "--agency", "none", "--docket", "none", "--offense-date", "2026-11-10",
                    "--town", "Hartford", "--charge", "none")
    _up_to_people(take)
    take.answer("blank to finish): ", "party")
    take.answer("  already on file? their person id, or a name to search for [blank to skip]: ", "Zoe Nguyn")
    offered = take.answer("  which one? (number; blank: none of them): ", "1")
    assert f"  1  {zoe}  Zoë Nguyễn, born 2001-04-02" in offered
    take.answer("blank to finish): ", "")
    take.answer("Save? [Y/n]: ", "y")
    code, rest = take.end()
    assert code == 0, rest
    referral = next(i for i in whole_ids(rest) if i.startswith("R-"))
    assert people_files(root) == before  # no one taken in twice

    # accepted: her new case
    accept = terminal(root, "referral", "accept", referral, "--date", "2026-11-21")
    code, rest = accept.end()
    assert code == 0, rest
    case = next(i for i in whole_ids(rest) if i.startswith("C-"))
    text = (root / layout.parse_id(case).path).read_text(encoding="utf-8")
    assert f"- person: {zoe}\n  role: party" in text

    # every screen at 80 columns shows every id whole
    for args, expected in ((("list", "cases"), {case, on_file["case"]}),
                           (("list", "referrals"), {referral, on_file["referral"]}),
                           (("show", zoe), {zoe, referral, case, on_file["referral"], on_file["case"]}),
                           (("report", "caseload", "--as-of", "2026-11-30"), {case, on_file["case"]})):
        screen = terminal(root, *args)
        code, shown = screen.end()
        assert code == 0, (args, shown)
        assert expected <= whole_ids(shown), (args, shown)
        assert "…" not in shown, (args, shown)
    assert git(root, "status", "--porcelain") == ""
