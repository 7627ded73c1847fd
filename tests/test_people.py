"""One person on file twice: `rjc check` warns, naming ids only; `rjc person merge` makes them one."""

from __future__ import annotations

import pytest

from rjc.model import Person
from rjc.storage import layout

from helpers import git

NAMES = ("Zoë", "Nguyễn", "Sam", "O'Brien", "802-555")


@pytest.fixture
def twice(repo, rjc, built):
    """A referral accepted into a case; then a second referral takes the responsible party in
    again as a new person, as a clone that had not yet synced the first would."""
    return {"root": repo.root, "repo": repo, **built.reuse("people-twice", repo.root, lambda: _twice(rjc, repo.root))}


def _twice(rjc, root) -> dict:

    def new(kind: str, text: str) -> str:
        result = rjc("--records", root, "new", kind, "-f", "-", stdin=text)
        assert result.code == 0, result.err
        return result.out.strip()

    first = new("person", "given_name: Zoë\nfamily_name: Nguyễn\ndate_of_birth: 2001-04-02\n")
    victim = new("person", "given_name: Sam\nfamily_name: O'Brien\n")
    referral = new("referral", f"received: 2026-11-02\nprogram: restorative-panel\nsource: police\n"
                               f"people:\n- person: {first}\n  role: responsible-party\n"
                               f"- person: {victim}\n  role: victim\n")
    case = rjc("--records", root, "referral", "accept", referral, "--date", "2026-11-03").out.strip()
    second = new("person", "given_name: ' zoë'\nfamily_name: NGUYỄN\ndate_of_birth: 2001-04-02\n"
                           "phone: 802-555-0100\n")
    again = new("referral", f"received: 2026-11-04\nprogram: restorative-panel\nsource: police\n"
                            f"people:\n- person: {second}\n  role: responsible-party\n")
    return {"first": first, "second": second, "victim": victim, "case": case,
            "referral": referral, "again": again}


def test_check_warns_of_a_person_on_file_twice_naming_ids_only(twice, rjc):
    checked = rjc("--records", twice["root"], "check")
    path = layout.parse_id(twice["second"]).path
    assert checked.code == 0  # a warning: two people may share a name and a birth date
    assert f"{path}:4:13: warning: {twice['second']} may be {twice['first']} on file twice (same name and date " \
           f"of birth); if so: rjc person merge {twice['first']} {twice['second']} [person-on-file-twice]" \
           in checked.out
    for name in NAMES:
        assert name not in checked.out + checked.err


def test_people_without_a_birth_date_or_with_another_are_not_taken_for_one(repo, rjc):
    for text in ("given_name: Ana\n", "given_name: Ana\n", "given_name: Ana\ndate_of_birth: 1990-01-01\n",
                 "given_name: Ana\ndate_of_birth: 1990-01-02\n"):
        assert rjc("--records", repo.root, "new", "person", "-f", "-", stdin=text).code == 0
    assert "person-on-file-twice" not in rjc("--records", repo.root, "check").out


def test_merge_moves_every_reference_in_one_commit_and_leaves_where_the_person_went(twice, rjc):
    root, first, second, again = twice["root"], twice["first"], twice["second"], twice["again"]
    before = git(root, "rev-parse", "HEAD").strip()
    merged = rjc("--records", root, "person", "merge", first, second, "--yes")
    assert merged.code == 0, merged.err
    assert merged.err.splitlines()[:2] == [f"now refer to {first}: {again}", f"filled from {second}: phone"]
    assert git(root, "rev-parse", "HEAD~1").strip() == before  # one commit
    assert git(root, "log", "-1", "--format=%s").strip() == f"person merge {again} {first} {second}"
    repo = twice["repo"]
    kept, gone = repo.get(first), repo.get(second)
    assert isinstance(kept, Person) and kept.phone == "802-555-0100" and kept.given_name == "Zoë"
    assert gone.merged_into == first and gone.given_name is None and gone.phone is None
    assert (root / layout.parse_id(second).path).read_text().splitlines()[1:] == [
        f"id: {second}", "schema_version: 3", f"merged_into: {first}"]
    assert [p.person for p in repo.get(again).people] == [first]
    checked = rjc("--records", root, "check")
    assert checked.code == 0 and "person-on-file-twice" not in checked.out, checked.out
    for name in NAMES:
        assert name not in merged.out + merged.err + git(root, "log", "-1", "--format=%B")


def test_merging_both_people_of_one_list_keeps_one(twice, rjc):
    root, first, victim, case = twice["root"], twice["first"], twice["victim"], twice["case"]
    assert rjc("--records", root, "case", "note", case, "--kind", "phone", "--with", first, "--with", victim,
               "--date", "2026-11-05", stdin="both\n").code == 0
    assert rjc("--records", root, "person", "merge", first, victim, "--yes").code == 0
    assert twice["repo"].get(case).contacts[-1].with_ == [first]
    participants = [(p.person, p.role.value) for p in twice["repo"].get(case).participants]
    assert participants == [(first, "responsible-party"), (first, "victim")]


def test_merging_again_moves_references_made_since(twice, rjc):
    root, first, second, case = twice["root"], twice["first"], twice["second"], twice["case"]
    assert rjc("--records", root, "person", "merge", first, second, "--yes").code == 0
    # a clone that had not heard of the merge refers to the old id (as a sync would bring in)
    path = root / layout.parse_id(case).path
    path.write_text(path.read_text().replace(f"- person: {first}", f"- person: {second}"))
    git(root, "-c", "user.name=MR", "-c", "user.email=mr@example.org", "commit", "-q", "-am", f"edit {case}")
    again = rjc("--records", root, "person", "merge", first, second, "--yes")
    assert again.code == 0, again.err
    assert again.err.splitlines()[0] == f"now refer to {first}: {case}"
    assert rjc("--records", root, "person", "merge", first, second, "--yes").err.strip() == \
        f"{second} was merged into {first} before; nothing refers to it now"


@pytest.mark.parametrize("args, error", [
    (["P-2026-KB-0001", "P-2026-KB-0001"], "give two different people: the one to keep, then the one merged into it"),
    (["P-2026-KB-0001", "C-2026-KB-0001"], "C-2026-KB-0001 is not a person"),
    (["P-2026-KB-0001", "P-2026-KB-0009"], "no record P-2026-KB-0009"),
])
def test_merge_refusals(twice, rjc, args, error):
    head = git(twice["root"], "rev-parse", "HEAD")
    result = rjc("--records", twice["root"], "person", "merge", *args, "--yes")
    assert (result.code, result.err.strip()) == (1, f"Error: {error}")
    assert git(twice["root"], "rev-parse", "HEAD") == head


def test_merge_asks_first_and_without_a_terminal_needs_yes(twice, rjc):
    refused = rjc("--records", twice["root"], "person", "merge", twice["first"], twice["second"])
    assert (refused.code, refused.err.strip()) == (1, "Error: nothing was merged; confirm with --yes")
    declined = rjc("--records", twice["root"], "person", "merge", twice["first"], twice["second"], stdin="n\n",
                   tty=True)
    assert declined.code == 1 and twice["repo"].get(twice["second"]).merged_into is None
    accepted = rjc("--records", twice["root"], "person", "merge", twice["first"], twice["second"], stdin="y\n",
                   tty=True)
    assert accepted.code == 0 and twice["repo"].get(twice["second"]).merged_into == twice["first"]
