"""rjc undo: one change reversed by a new commit, validated like any change; history never rewritten."""

from __future__ import annotations

import sys

import pytest
from test_casework import ITEMS, center, with_victim  # noqa: F401  (fixtures)

from helpers import assert_audit_index_agrees, git


def head(root) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def sha_of(root, subject_start: str) -> str:
    for line in git(root, "log", "--format=%H %s").splitlines():
        sha, subject = line.split(" ", 1)
        if subject.startswith(subject_start):
            return sha
    raise AssertionError(subject_start)


@pytest.fixture
def set_field(tmp_path, monkeypatch):
    """`set_field(name, value)`: the next rjc edit sets that top-level field ($EDITOR is a script)."""
    script = tmp_path / "set-field.py"
    script.write_text("import os, sys\n"
                      "path, name, value = sys.argv[1], os.environ['FIELD'], os.environ['VALUE']\n"
                      "lines = [x for x in open(path) if not x.startswith(name + ':')]\n"
                      "open(path, 'w').writelines(lines + [f'{name}: {value}\\n'])\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)

    def set_field(name: str, value: str) -> None:
        monkeypatch.setenv("FIELD", name)
        monkeypatch.setenv("VALUE", value)

    return set_field


@pytest.fixture
def paid(rjc, with_victim):  # noqa: F811
    """The case with an agreement, then 50.00 paid on its restitution item: the change to undo."""
    case_id = with_victim["case"]
    assert rjc("agreement", "new", case_id, "-f", "-", "--signed", "2026-11-05",
               stdin=ITEMS.format(victim=with_victim["victim"])).code == 0
    result = rjc("agreement", "pay", case_id, "2", "--amount", "50.00", "--date", "2026-12-05")
    assert result.code == 0, result.err
    return {**with_victim, "payment": head(with_victim["repo"].root)}


def test_undo_reverses_your_last_change_in_a_new_commit(rjc, paid):
    repo, case_id = paid["repo"], paid["case"]
    commits = int(git(repo.root, "rev-list", "--count", "HEAD"))
    result = rjc("undo")
    assert result.code == 0, result.err
    day = git(repo.root, "log", "-1", "--format=%ad", "--date=short", paid["payment"]).strip()
    assert result.err.splitlines() == [
        f"undoing {paid['payment'][:10]} ({day}, KB): agreement pay {case_id}",
        f"  {case_id}: agreements[0].items[1].status, agreements[0].items[1].payments",
        f"committed {head(repo.root)[:10]}"]
    item = repo.get(case_id).agreements[0].items[1]
    assert (item.payments, item.status) == ([], "pending")
    assert int(git(repo.root, "rev-list", "--count", "HEAD")) == commits + 1  # history kept, one more commit
    assert git(repo.root, "log", "-1", "--format=%s%n%(trailers:key=Rjc-Command,valueonly)").split("\n")[:2] == [
        f"undo {paid['payment'][:10]} {case_id}", "undo"]
    assert git(repo.root, "status", "--porcelain") == ""
    assert rjc("check").code == 0
    assert_audit_index_agrees(repo.root)


def test_undoing_the_undo_puts_the_change_back(rjc, paid):
    repo, case_id = paid["repo"], paid["case"]
    assert rjc("undo").code == 0
    assert rjc("undo").code == 0  # your latest change is now the undo itself
    item = repo.get(case_id).agreements[0].items[1]
    assert [str(p.amount) for p in item.payments] == ["50.00"]


def test_undo_by_record_id_takes_that_record_s_latest_change(rjc, paid, set_field):
    repo, person = paid["repo"], paid["person"]
    before = repo.get(person).phone
    set_field("phone", "802-555-0142")
    edited = rjc("edit", person)
    assert edited.code == 0, edited.err
    assert rjc("agreement", "pay", paid["case"], "2", "--amount", "10.00", "--date", "2026-12-06").code == 0
    result = rjc("undo", person)  # not the payment, made after it
    assert result.code == 0, result.err
    assert repo.get(person).phone == before
    assert len(repo.get(paid["case"]).agreements[0].items[1].payments) == 2


def test_a_later_change_to_the_same_record_needs_yes_and_is_kept(rjc, paid):
    repo, case_id = paid["repo"], paid["case"]
    assert rjc("agreement", "log", case_id, "3", "--hours", "4", "--date", "2026-12-06", "--place", "Food shelf").code == 0
    later = head(repo.root)
    refused = rjc("undo", paid["payment"])
    assert refused.code == 1
    assert refused.err.splitlines()[-1] == (
        f"Error: {case_id} changed again after {paid['payment'][:10]}; undoing it puts back only the fields it set "
        "and keeps the later changes: to do so, run again with --yes (see: rjc history ID)")
    assert head(repo.root) == later
    result = rjc("undo", paid["payment"], "--yes")
    assert result.code == 0, result.err
    items = repo.get(case_id).agreements[0].items
    assert items[1].payments == [] and [str(h.hours) for h in items[2].logged] == ["4"]


def test_a_field_a_later_change_also_set_refuses_the_undo(rjc, paid, set_field):
    repo, person = paid["repo"], paid["person"]
    set_field("phone", "802-555-0101")
    assert rjc("edit", person).code == 0
    first = head(repo.root)
    set_field("phone", "802-555-0102")
    assert rjc("edit", person).code == 0
    before = head(repo.root)
    result = rjc("undo", first, "--yes")
    assert result.code == 1
    path = f"people/2026/KB/{person}.yaml"
    assert result.err.splitlines()[-2:] == [
        f"{path}:1:1: error: phone was changed again after {first[:10]} [undo-conflict]",
        f"Error: {first[:10]} cannot be undone: a later change set the same fields; nothing was written"]
    assert head(repo.root) == before and git(repo.root, "status", "--porcelain") == ""


def test_a_change_that_created_a_record_is_not_undone(rjc, center):  # noqa: F811
    result = rjc("new", "person", "-f", "-", stdin="given_name: Cy\n")
    person = result.out.strip()
    before = head(center["repo"].root)
    refused = rjc("undo")
    assert refused.code == 1
    assert refused.err.splitlines()[-1] == (
        f"Error: {before[:10]} created {person}; a record once made keeps its id, so undo cannot remove it: "
        f"correct it with rjc edit {person}, or close it")
    assert head(center["repo"].root) == before


def test_only_coordinators_changes_made_by_rjc_are_undone(rjc, center, tmp_path):  # noqa: F811
    root = center["repo"].root
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    init = rjc("undo", first)
    assert init.err.splitlines()[-1] == (
        f"Error: {first[:10]} is creating the repository (init); rjc undo reverses coordinators' changes only")
    (root / "README.md").write_text("changed by hand\n", encoding="utf-8")
    git(root, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-qam", "by hand")
    plain = rjc("undo", "HEAD")
    assert plain.err.splitlines()[-1] == (
        f"Error: {head(root)[:10]} was not made by rjc; only rjc's own changes can be undone")
    assert rjc("undo", "no-such-thing").err.splitlines()[-1] == (
        "Error: not a record id or a commit: no-such-thing (see: rjc log)")


def test_your_latest_change_is_yours_not_another_coordinator_s(rjc, paid, monkeypatch, set_field):
    repo, person = paid["repo"], paid["person"]
    monkeypatch.setenv("RJC_COORDINATOR", "MR")
    set_field("phone", "802-555-0177")
    assert rjc("edit", person).code == 0
    monkeypatch.setenv("RJC_COORDINATOR", "KB")
    result = rjc("undo")
    assert result.code == 0, result.err
    assert repo.get(person).phone == "802-555-0177"  # MR's change stands
    assert repo.get(paid["case"]).agreements[0].items[1].payments == []  # KB's payment is undone


def test_on_a_terminal_a_later_change_is_asked_about(rjc, paid, terminal):
    repo, case_id = paid["repo"], paid["case"]
    assert rjc("agreement", "log", case_id, "3", "--hours", "4", "--date", "2026-12-06", "--place", "Food shelf").code == 0
    said_no = terminal(repo.root, "undo", paid["payment"])
    said_no.answer(f"{case_id} changed again since; put back only the fields this change set, and keep the "
                   "later changes? [y/N]: ", "")
    code, rest = said_no.end()
    assert (code, rest.split()) == (1, ["nothing", "was", "undone"])
    said_yes = terminal(repo.root, "undo", paid["payment"])
    said_yes.answer("and keep the later changes? [y/N]: ", "y")
    code, rest = said_yes.end()
    assert code == 0 and rest.strip().startswith("committed ")
    assert repo.get(case_id).agreements[0].items[1].payments == []
