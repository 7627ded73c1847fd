"""Several coordinators, one history: rjc clone and rjc sync with two clones and a bare remote.

Clone A (coordinator KB) is made with rjc init and sends the first history to an empty bare
remote; clone B (coordinator MR) is made with rjc clone. Each test works offline on both clones
and syncs, then checks what landed, what the history holds, that `rjc check` is clean, and that
nothing printed carries a name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pty
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rjc.model.case import Participant
from rjc.model.entries import stable_id
from rjc.storage import gitrepo, layout, private, store
from rjc.storage.gitrepo import Git
from rjc.workflows import casework, merging
from rjc.workflows import sync as core
from rjc.workflows.repository import Repository

from helpers import assert_audit_index_agrees, git, sealing_key

YEAR = dt.date.today().year
NAMES = ("Ana", "Rivera", "Bruno", "Okafor", "Kim Bell", "Max Rossi")
PHONE_A, PHONE_B = "0802 555 0101", "0802 555 0202"


def pid(code: str, n: int = 1) -> str:
    return f"P-{YEAR}-{code}-{n:04d}"


def cid(code: str, n: int = 1) -> str:
    return f"C-{YEAR}-{code}-{n:04d}"


def path_of(record_id: str) -> str:
    return layout.parse_id(record_id).path


CLONES = ("remote.git", "a", "b")


@pytest.fixture
def clones(tmp_path, make_repo, rjc, monkeypatch, built):
    """(A, B): A made by rjc init and sent to an empty bare remote by rjc sync; B by rjc clone."""
    monkeypatch.delenv("RJC_COORDINATOR")  # each clone works as the coordinator its git config names
    built.reuse("clones", tmp_path, lambda: _clones(tmp_path, make_repo, rjc), only=CLONES)
    return _pointed_at_their_remote(tmp_path)


def _pointed_at_their_remote(tmp_path: Path) -> tuple[Path, Path]:
    """The clones in this test's tmp_path, each with origin at this test's remote (a copy of
    the clones still names the remote they were built with)."""
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        git(clone, "config", "remote.origin.url", str(tmp_path / "remote.git"))
    return a, b


def _clones(tmp_path: Path, make_repo, rjc) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    a = make_repo(tmp_path / "a").root
    git(a, "remote", "add", "origin", str(remote))
    first = rjc("--records", a, "sync")
    assert first.code == 0, first.err
    assert "sent 2 changes" in first.out
    b = tmp_path / "b"
    cloned = rjc("clone", remote, b, "--coordinator", "mr")
    assert cloned.code == 0, cloned.err


@pytest.fixture
def run(rjc):
    """rjc in one clone; asserts no name ever shows in what it prints."""

    def go(root: Path, *args, stdin: str | None = None, tty: bool = False, code: int | None = 0):
        result = rjc("--records", root, *args, stdin=stdin, tty=tty)
        if code is not None:
            assert result.code == code, (result.out, result.err)
        for name in NAMES:
            assert name not in result.out + result.err
        return result

    return go


@pytest.fixture
def synced(run):
    """rjc sync in a clone, then rjc check clean there."""

    def go(root: Path, *args, **kwargs):
        result = run(root, "sync", *args, **kwargs)
        checked = run(root, "check", code=None)
        assert checked.code == 0, checked.out
        assert not (root / ".git" / "rjc" / private.SYNC_STATE).exists()
        return result

    return go


def new_person(run, root: Path, tmp_path: Path, given: str, family: str) -> str:
    source = tmp_path / f"{given}.yaml"
    source.write_text(f"given_name: {given}\nfamily_name: {family}\n", encoding="utf-8")
    return run(root, "new", "person", "--from-file", source).out.strip()


def new_case(run, root: Path, tmp_path: Path, person: str) -> str:
    source = tmp_path / f"case-{person}.yaml"
    source.write_text(f"program: restorative-panel\nparticipants:\n- person: {person}\n  role: responsible-party\n",
                      encoding="utf-8")
    return run(root, "new", "case", "--from-file", source).out.strip()


def edit(root: Path, record_id: str, **fields) -> None:
    """Change fields of a record the way rjc does: one transaction, one commit."""
    repo = Repository(root)
    record = repo.get(record_id)
    repo.save(record.model_copy(update=fields), "edit", command="edit")


def data(root: Path, record_id: str) -> dict:
    return store.read_record(root, path_of(record_id)).document.data


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def assert_same_linear_history(a: Path, b: Path) -> None:
    assert head(a) == head(b) == git(a, "rev-parse", "origin/main").strip()
    assert git(a, "rev-list", "--merges", "HEAD") == ""
    assert git(a, "status", "--porcelain") == git(b, "status", "--porcelain") == ""


@pytest.fixture
def shared_person(clones, run, synced, tmp_path, built):
    """A person created on A, present on both clones."""
    a, b = clones

    def share() -> str:
        person = new_person(run, a, tmp_path, "Ana", "Rivera")
        synced(a)
        synced(b)
        return person

    person = built.reuse("shared-person", tmp_path, share, only=CLONES)
    _pointed_at_their_remote(tmp_path)
    return person


def test_a_sync_brings_what_came_in_into_the_audit_index(clones, run, synced, tmp_path):
    a, b = clones
    person = new_person(run, a, tmp_path, "Ana", "Rivera")
    synced(a)
    synced(b)
    mine = new_person(run, b, tmp_path, "Bruno", "Okafor")  # not sent yet: the sync will replay it
    run(b, "history", mine)  # B's audit index, up to B's own commit
    case = new_case(run, a, tmp_path, person)
    edit(a, person, phone=PHONE_A)
    synced(a)
    synced(b)
    with contextlib.closing(sqlite3.connect(private.location(b) / private.AUDIT)) as db:
        assert db.execute("SELECT value FROM meta WHERE key='tip'").fetchone() == (head(b),)  # by the sync itself
    assert run(b, "log", "--record", case).out
    for root in (a, b):
        assert_audit_index_agrees(root)


# --- rjc clone -------------------------------------------------------------------------------


def test_clone_is_owner_only_with_rjc_settings_and_its_coordinator(clones, rjc):
    a, b = clones
    for directory, dirnames, filenames in os.walk(b):
        for name in [directory, *(os.path.join(directory, n) for n in dirnames + filenames)]:
            mode = os.lstat(name).st_mode
            if not stat.S_ISLNK(mode):
                assert mode & 0o077 == 0, f"{name} is {stat.filemode(mode)}"
    for key, value in gitrepo.REPOSITORY_CONFIG.items():
        assert git(b, "config", key).strip() == value
    assert git(b, "config", "rjc.coordinator").strip() == "MR"
    assert rjc("--records", b, "whoami").out.startswith("MR\t")
    assert all((b / kind.directory).is_dir() for kind in layout.KINDS.values())
    assert head(a) == head(b)


def test_clone_prompts_for_the_code_on_a_terminal(clones, rjc, tmp_path):
    result = rjc("clone", tmp_path / "remote.git", tmp_path / "c", stdin="y\nmr\n", tty=True)
    assert result.code == 0, result.err
    assert "KB, MR" in result.out + result.err
    assert git(tmp_path / "c", "config", "rjc.coordinator").strip() == "MR"
    assert "rjc check --staged" in (tmp_path / "c" / ".git" / "hooks" / "pre-commit").read_text()


def test_clone_refuses_an_unlisted_coordinator_and_leaves_nothing(clones, rjc, tmp_path):
    result = rjc("clone", tmp_path / "remote.git", tmp_path / "c", "--coordinator", "ZZ")
    assert result.code == 1
    assert result.err == "Error: coordinator 'ZZ' is not listed in rjc.yaml (listed: KB, MR); add them on a clone that works, sync, and clone again\n"
    assert not (tmp_path / "c").exists()
    result = rjc("clone", tmp_path / "remote.git", tmp_path / "c", stdin="")
    assert result.code == 1 and result.err == "Error: say which coordinator works in this clone: --coordinator CODE (one of: KB, MR)\n"
    assert not (tmp_path / "c").exists()


def test_clone_warns_when_the_code_already_has_records(clones, run, tmp_path):
    a, _ = clones
    new_person(run, a, tmp_path, "Ana", "Rivera")
    run(a, "sync")
    result = run(a, "clone", tmp_path / "remote.git", tmp_path / "c", "--coordinator", "KB")
    assert "warning: records created as KB are already in the repository: if another clone still works as KB, give this one a code of its own (listed in rjc.yaml), so two clones never number the same ids" in result.err.splitlines()


def test_clone_refuses_what_is_not_a_records_repository(rjc, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "--quiet", "--initial-branch=main")
    (other / "notes.txt").write_text("x\n")
    git(other, "add", "notes.txt")
    git(other, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "--quiet", "-m", "x")
    result = rjc("clone", other, tmp_path / "c", "--coordinator", "KB")
    assert result.code == 1 and "not a records repository" in result.err
    assert not (tmp_path / "c").exists()
    empty = tmp_path / "empty.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(empty)], check=True)
    result = rjc("clone", empty, tmp_path / "d", "--coordinator", "KB")
    assert result.code == 1 and "has no records yet" in result.err
    assert not (tmp_path / "d").exists()


def test_clone_lists_the_problems_the_records_have(clones, run, tmp_path):
    a, _ = clones
    bad = a / path_of(pid("KB", 9))
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("id: P-2026-KB-0001\n")
    git(a, "add", "--all")
    git(a, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "--quiet", "-m", "hand edit")
    git(a, "push", "--quiet", "origin", "main")
    result = run(a, "clone", tmp_path / "remote.git", tmp_path / "c", "--coordinator", "MR", code=1)
    assert path_of(pid("KB", 9)) in result.out
    assert "error" in result.err and (tmp_path / "c" / "rjc.yaml").is_file()


# --- rjc sync --------------------------------------------------------------------------------


def test_records_created_offline_on_both_clones_both_land(clones, run, synced, tmp_path):
    a, b = clones
    person_a = new_person(run, a, tmp_path, "Ana", "Rivera")
    case_a = new_case(run, a, tmp_path, person_a)
    person_b = new_person(run, b, tmp_path, "Bruno", "Okafor")
    assert (person_a, case_a, person_b) == (pid("KB"), cid("KB"), pid("MR"))
    written = git(b, "log", "-1", "--format=%an <%ae> %ad %B")

    out = synced(a).out
    assert out.splitlines() == [f"sent 2 changes: {person_a} {case_a}"]
    out = synced(b).out
    assert f"received 2 changes: {person_a} {case_a}" in out
    assert f"sent 1 change: {person_b}" in out
    assert synced(a).out.splitlines() == [f"received 1 change: {person_b}"]
    assert synced(b).out.splitlines() == ["up to date"]

    assert_same_linear_history(a, b)
    for root in (a, b):
        for record in (person_a, case_a, person_b):
            assert (root / path_of(record)).is_file()
    # rebased, not merged: the same subjects and trailers, B's commit now on top of A's
    assert subjects(b)[:3] == [f"new person {person_b}", f"new case {case_a}", f"new person {person_a}"]
    assert git(b, "log", "-1", "--format=%an <%ae> %ad %B") == written  # author, date, message kept
    assert "Rjc-Command: new" in written and "Rjc-Coordinator: MR" in written


def test_edits_of_different_records_both_land_without_a_prompt(shared_person, clones, run, synced, tmp_path):
    a, b = clones
    person_b = new_person(run, b, tmp_path, "Bruno", "Okafor")
    synced(b)
    synced(a)
    edit(a, shared_person, phone=PHONE_A)
    edit(b, person_b, phone=PHONE_B)
    synced(a)
    out = synced(b, stdin="").out
    assert "conflict" not in out and "merged" not in out
    synced(a)
    assert_same_linear_history(a, b)
    for root in (a, b):
        assert data(root, shared_person)["phone"] == PHONE_A
        assert data(root, person_b)["phone"] == PHONE_B


def test_a_record_written_again_unchanged_is_updated_by_a_sync(shared_person, clones, run, synced):
    """A file written again with the same bytes (restored from a backup, saved by an editor without
    a change, the whole clone copied) is no change of the coordinator's: a sync updates it."""
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    synced(a)
    path = b / path_of(shared_person)
    path.write_bytes(path.read_bytes())
    os.utime(path, ns=(path.stat().st_mtime_ns + 5_000_000_000,) * 2)
    synced(b)
    assert data(b, shared_person)["phone"] == PHONE_A
    assert_same_linear_history(a, b)


def test_edits_of_different_fields_of_one_record_are_merged(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, email="ar@example.org", pronouns="she/her")
    synced(a)
    out = synced(b, stdin="").out
    assert f"merged field by field: {shared_person}" in out
    synced(a)
    assert_same_linear_history(a, b)
    merged = data(b, shared_person)
    assert (merged["phone"], merged["email"], merged["pronouns"]) == (PHONE_A, "ar@example.org", "she/her")
    loaded = store.read_record(b, path_of(shared_person))
    assert (b / loaded.path).read_text() == store.render(loaded.record)  # canonical


def test_both_sides_appending_to_a_history_keep_every_entry(shared_person, clones, run, synced, tmp_path):
    a, b = clones
    case = new_case(run, a, tmp_path, shared_person)
    synced(a)
    synced(b)
    run(a, "case", "note", case, "--kind", "phone", stdin="left a message\n")
    run(b, "case", "note", case, "--kind", "email", stdin="sent the forms\n")
    run(b, "case", "status", case, "victim-contacted")
    synced(a)
    out = synced(b).out
    assert f"merged field by field: {case}" in out
    contacts = data(b, case)["contacts"]
    assert [(c["kind"], c["by"]) for c in contacts] == [("phone", "KB"), ("email", "MR")]  # origin's first
    assert data(b, case)["status_history"][-1]["status"] == "victim-contacted"


def test_equal_entries_appended_on_both_sides_are_all_kept(shared_person, clones, run, synced, tmp_path):
    """Two payments of the same amount on the same day are two payments, however alike."""
    a, b = clones
    case = new_case(run, a, tmp_path, shared_person)
    victim = new_person(run, a, tmp_path, "Bo", "Lind")
    repo = Repository(a)
    opened = repo.get(case)
    repo.save(opened.model_copy(update={"participants": [*opened.participants,
                                                         Participant(person=victim, role="victim")]}),
              "edit", command="edit")
    casework.add_agreement(repo, case, [{"type": "restitution", "amount": "200.00", "victim": victim},
                                        {"type": "community-service", "hours_required": 20}],
                           signed=dt.date.today())
    synced(a)
    synced(b)
    for root in (a, b):
        run(root, "agreement", "pay", case, "1", "--amount", "50.00")  # today, on both
        run(root, "agreement", "log", case, "2", "--hours", "4")
        run(root, "case", "note", case, "--kind", "phone", stdin="left a message\n")
    synced(a)
    synced(b)
    synced(a)
    for root in (a, b):
        merged = Repository(root).get(case)
        restitution, service = merged.agreements[0].items
        assert [str(p.amount) for p in restitution.payments] == ["50.00", "50.00"]
        assert str(restitution.paid) == "100.00"
        assert [str(h.hours) for h in service.logged] == ["4", "4"]
        assert [c.note for c in merged.contacts] == ["left a message", "left a message"]
        assert len({p.id for p in restitution.payments}) == 2
    assert_same_linear_history(a, b)


def test_one_person_taken_in_on_two_clones_is_flagged_and_merged(clones, run, synced, tmp_path):
    a, b = clones
    source = tmp_path / "person.yaml"
    source.write_text("given_name: Ana\nfamily_name: Rivera\ndate_of_birth: 1990-03-04\n", encoding="utf-8")
    first = run(a, "new", "person", "--from-file", source).out.strip()
    second = run(b, "new", "person", "--from-file", source).out.strip()
    synced(a)
    synced(b)
    assert f"{second} may be {first} on file twice" in run(b, "check").out
    run(b, "person", "merge", first, second, "--yes")
    synced(b)
    synced(a)
    assert "person-on-file-twice" not in run(a, "check").out
    assert Repository(a).get(second).merged_into == first


def test_a_true_conflict_stops_a_sync_without_a_terminal(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, phone=PHONE_B)
    synced(a)
    before = head(b), (b / path_of(shared_person)).read_bytes()
    result = run(b, "sync", stdin="", code=1)
    assert f"{path_of(shared_person)}:" in result.err and f"{shared_person} phone" in result.err
    assert "[sync-conflict]" in result.err and result.err.splitlines()[-1] == "Error: 1 field(s) in 1 file(s) were changed both here and on 'origin', to different values; nothing was changed. Run rjc sync at a terminal to choose for each, or rerun with --ours (keep this clone's values) or --theirs (keep origin's)"
    assert PHONE_A not in result.err + result.out and PHONE_B not in result.err + result.out
    assert (head(b), (b / path_of(shared_person)).read_bytes()) == before
    assert not (b / ".git" / "rjc" / private.SYNC_STATE).exists()
    assert git(b, "status", "--porcelain") == ""


def test_theirs_keeps_the_remote_value_and_both_stay_in_history(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, phone=PHONE_B)
    synced(a)
    out = synced(b, "--theirs").out
    assert f"conflict {shared_person} phone: kept origin's value" in out
    synced(a)
    assert_same_linear_history(a, b)
    assert data(a, shared_person)["phone"] == data(b, shared_person)["phone"] == PHONE_A
    history = git(b, "log", "-p", "--", path_of(shared_person))
    assert f"+phone: {PHONE_A}" in history and f"+phone: {PHONE_B}" in history
    assert subjects(b)[0] == f"sync: keep origin's version of {shared_person}"
    assert subjects(b)[1:3] == [f"edit {shared_person}", f"edit {shared_person}"]


def test_ours_keeps_this_clones_value_and_both_stay_in_history(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, phone=PHONE_B)
    synced(a)
    out = synced(b, "--ours").out
    assert f"conflict {shared_person} phone: kept this clone's value" in out
    synced(a)
    assert_same_linear_history(a, b)
    assert data(a, shared_person)["phone"] == data(b, shared_person)["phone"] == PHONE_B
    history = git(a, "log", "-p", "--", path_of(shared_person))
    assert f"+phone: {PHONE_A}" in history and f"+phone: {PHONE_B}" in history


def test_at_a_terminal_the_coordinator_sees_both_values_and_chooses(shared_person, clones, rjc, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, phone=PHONE_B)
    synced(a)
    result = rjc("--records", b, "sync", stdin="theirs\n", tty=True)
    assert result.code == 0, result.err
    assert f"{shared_person} phone was changed both here and on origin" in result.err
    assert f"ours   (this clone): {PHONE_B}" in result.err and f"theirs (origin):     {PHONE_A}" in result.err
    assert data(b, shared_person)["phone"] == PHONE_A
    assert rjc("--records", b, "check").code == 0


def test_status_moved_on_both_sides_is_a_conflict_not_a_bad_history(shared_person, clones, run, synced, tmp_path):
    a, b = clones
    case = new_case(run, a, tmp_path, shared_person)
    synced(a)
    synced(b)
    run(a, "case", "status", case, "victim-contacted")
    run(b, "case", "status", case, "victim-contacted")
    synced(a)
    assert f"{case} status_history" in run(b, "sync", stdin="", code=1).err
    asked = run(b, "sync", "--no-push", stdin="ours\n", tty=True).err
    assert "earlier entr" in asked and '"by": "KB"' in asked and '"by": "MR"' in asked
    git(b, "reset", "--quiet", "--hard", "HEAD@{1}")  # back to before that sync, to try --theirs
    synced(b, "--theirs")
    assert [e["by"] for e in data(b, case)["status_history"]][-1] == "KB"


def test_a_file_that_is_not_yaml_changed_on_both_sides_is_a_whole_file_conflict(clones, run, synced):
    a, b = clones
    for root, text in ((a, "Kept at the center.\n"), (b, "Kept by the coordinators.\n")):
        (root / "README.md").write_text(text)
        git(root, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "--quiet", "-m", "readme", "README.md")
    synced(a)
    err = run(b, "sync", stdin="", code=1).err
    assert "README.md:1:1: error: README.md (whole file): changed here and on origin" in err
    synced(b, "--theirs")
    assert (b / "README.md").read_text() == "Kept at the center.\n"
    assert "Kept by the coordinators." in git(b, "log", "-p", "--", "README.md")


def test_a_remote_that_moves_during_the_push_is_integrated_again(shared_person, clones, run, synced, tmp_path,
                                                                   monkeypatch):
    a, b = clones
    person_b = new_person(run, b, tmp_path, "Bruno", "Okafor")
    synced(b)
    synced(a)
    edit(a, shared_person, phone=PHONE_A)
    original, calls = Git.push, []

    def push_after_b_pushed(self, remote, branch):
        calls.append(self.root)
        if len(calls) == 1:  # between A's fetch and A's push, B sends a change
            edit(b, person_b, phone=PHONE_B)
            git(b, "push", "--quiet", "origin", "main")
        return original(self, remote, branch)

    monkeypatch.setattr(Git, "push", push_after_b_pushed)
    out = synced(a).out
    assert len(calls) == 2  # refused once, then sent
    assert f"received 1 change: {person_b}" in out and f"sent 1 change: {shared_person}" in out
    synced(b)
    assert_same_linear_history(a, b)
    assert data(b, shared_person)["phone"] == PHONE_A and data(a, person_b)["phone"] == PHONE_B


def test_offline_says_so_and_leaves_local_work_untouched(shared_person, clones, run, tmp_path):
    a, _ = clones
    edit(a, shared_person, phone=PHONE_A)
    (tmp_path / "remote.git").rename(tmp_path / "away.git")
    before = head(a), git(a, "rev-parse", "origin/main"), (a / path_of(shared_person)).read_bytes()
    result = run(a, "sync", code=1)
    assert "cannot reach 'origin'" in result.err and "Nothing was changed here" in result.err
    assert "Traceback" not in result.err
    assert (head(a), git(a, "rev-parse", "origin/main"), (a / path_of(shared_person)).read_bytes()) == before
    assert git(a, "status", "--porcelain") == ""
    assert not (a / ".git" / "rjc" / private.SYNC_STATE).exists()
    (tmp_path / "away.git").rename(tmp_path / "remote.git")
    assert "sent 1 change" in run(a, "sync").out


def test_no_push_integrates_and_sends_nothing(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    synced(a)
    edit(b, shared_person, email="ar@example.org")
    remote_before = git(a, "ls-remote", "origin", "main")
    out = synced(b, "--no-push").out
    assert "received 1 change" in out and "not sent 1 change" in out
    assert git(a, "ls-remote", "origin", "main") == remote_before
    assert data(b, shared_person)["phone"] == PHONE_A


def test_errors_in_the_combined_records_stop_the_push_and_are_listed(shared_person, clones, run, synced, tmp_path,
                                                                       monkeypatch):
    a, b = clones
    # A takes coordinator MR off the list while MR, offline, opens a case
    repo_a = Repository(a)
    settings = repo_a.settings
    with repo_a.transaction("settings") as tx:
        tx.stage(settings.model_copy(update={"coordinators": [settings.coordinators[0]]}))
        tx.commit("remove coordinator")
    synced(a)
    case_b = new_case(run, b, tmp_path, shared_person)
    remote_before = git(a, "ls-remote", "origin", "main")
    result = run(b, "sync", code=1)
    assert f"{path_of(case_b)}:" in result.out and "[coordinator-known]" in result.out
    assert result.err == "Error: the records brought together have 2 errors, listed above; they are kept here and nothing was sent. Fix them (rjc edit ID), then run rjc sync again\n"
    assert git(a, "ls-remote", "origin", "main") == remote_before
    # kept integrated and consistent: A's change is here, every file committed
    assert subjects(b)[1].startswith("remove coordinator")
    assert git(b, "status", "--porcelain") == ""
    # the fix (MR listed again), then the sync sends everything
    monkeypatch.setenv("RJC_COORDINATOR", "KB")
    repo_b = Repository(b)
    with repo_b.transaction("settings") as tx:
        tx.stage(repo_b.settings.model_copy(update={"coordinators": settings.coordinators}))
        tx.commit("add coordinator")
    monkeypatch.delenv("RJC_COORDINATOR")
    assert f"sent 2 changes: {case_b} rjc.yaml" in synced(b).out


def test_sync_refuses_uncommitted_edits(shared_person, clones, run):
    a, _ = clones
    target = a / path_of(shared_person)
    target.write_text(target.read_text().replace("family_name: Rivera", "family_name: Rivera-Diaz"))
    result = run(a, "sync", code=1)
    assert "changed but not committed" in result.err and path_of(shared_person) in result.err


def test_sync_without_a_remote_says_how_to_add_one(repo, rjc):
    result = rjc("--records", repo.root, "sync")
    assert result.code == 1 and result.err == "Error: this clone has no remote 'origin' to sync with; add the center's: git remote add origin URL\n"


def test_ours_and_theirs_together_are_a_usage_error(clones, rjc):
    a, _ = clones
    assert rjc("--records", a, "sync", "--ours", "--theirs").code == 2


# --- a remote whose history was rewritten ----------------------------------------------------


def rewrite_origin(tmp_path: Path, record_id: str) -> str:
    """As whoever manages the remote might (sealing a record): the last commit amended on a third
    clone, so that it no longer holds the family name, and force-pushed. The new tip."""
    c = tmp_path / "rewriter"
    subprocess.run(["git", "clone", "--quiet", str(tmp_path / "remote.git"), str(c)], check=True)
    target = c / path_of(record_id)
    target.write_text(target.read_text().replace("family_name: Rivera", "family_name: R."))
    git(c, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "--quiet", "--amend", "--no-edit", "--all")
    git(c, "push", "--quiet", "--force", "origin", "main")
    return head(c)


REWRITTEN = ("Error: the history on 'origin' was rewritten: what this clone last received from it is no longer "
             "part of it (records sealed, or the history replaced). Nothing was changed here and nothing was "
             "sent. If the rewrite is expected, run rjc sync --accept-rewrite: this clone follows the new "
             "history, {}, and the old history is not sent back. If it is not, ask whoever manages the "
             "center's remote\n")


def test_a_rewritten_origin_is_refused_until_accepted(shared_person, clones, run, synced, tmp_path):
    a, b = clones
    old = head(b)
    new = rewrite_origin(tmp_path, shared_person)
    for _ in range(2):  # refused every time, not only the first: nothing here records the new tip
        result = run(b, "sync", code=1)
        assert result.err == REWRITTEN.format("no change made here waits to be sent")
        assert head(b) == git(b, "rev-parse", "origin/main").strip() == old
        assert data(b, shared_person)["family_name"] == "Rivera"
        assert git(b, "status", "--porcelain") == ""
        assert not (b / ".git" / "rjc" / private.SYNC_STATE).exists()
    assert git(b, "ls-remote", "origin", "main").split()[0] == new
    out = synced(b, "--accept-rewrite").out
    assert "followed origin's rewritten history" in out
    assert head(b) == git(b, "rev-parse", "origin/main").strip() == new
    assert data(b, shared_person)["family_name"] == "R."
    assert "Rivera" not in git(b, "log", "-p", "main")
    assert "up to date" in synced(b).out  # accepted once, then an ordinary remote again


def test_accepting_a_rewrite_replays_only_the_changes_never_sent(shared_person, clones, run, synced, tmp_path):
    a, b = clones
    old = head(a)
    edit(a, shared_person, phone=PHONE_A)
    person_a = new_person(run, a, tmp_path, "Bruno", "Okafor")
    new = rewrite_origin(tmp_path, shared_person)
    result = run(a, "sync", code=1)
    assert result.err == REWRITTEN.format("the 2 changes made here and not yet sent are replayed on top of it")
    out = synced(a, "--accept-rewrite").out
    assert f"sent 2 changes: {shared_person} {person_a}" in out
    # the two unsent commits, replayed on the new history, and nothing of the old one
    assert git(a, "rev-list", "--count", f"{new}..origin/main").strip() == "2"
    assert subjects(a)[:2] == [f"new person {person_a}", f"edit {shared_person}"]
    assert subprocess.run(["git", "merge-base", "--is-ancestor", old, "origin/main"], cwd=a).returncode == 1
    assert data(a, shared_person)["family_name"] == "R." and data(a, shared_person)["phone"] == PHONE_A
    assert "Rivera" not in git(a, "log", "-p", "main")
    synced(b, "--accept-rewrite")
    assert_same_linear_history(a, b)


# --- an interrupted sync ----------------------------------------------------------------------


def test_a_sync_killed_while_updating_is_finished_by_recover(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    synced(a)
    before = head(b)
    git(b, "fetch", "--quiet", "--refmap=", "origin", "main")  # as sync fetches: origin/main stays
    after = git(b, "rev-parse", "FETCH_HEAD").strip()
    # as if killed right after moving main: the files and the index are still the old ones
    git(b, "update-ref", "refs/heads/main", after)
    state = {"version": 1, "pid": 1, "started": "2026-01-01T00:00:00+00:00", "phase": "updating",
             "before": before, "remote": after, "after": after}
    (b / ".git" / "rjc" / private.SYNC_STATE).write_text(json.dumps(state))
    assert "rjc doctor" in run(b, "sync", code=1).err
    done = core.recover(Repository(b))
    assert "files now match" in done
    assert git(b, "rev-parse", "origin/main").strip() == after  # taken: a later fetch is compared with it
    assert data(b, shared_person)["phone"] == PHONE_A
    assert git(b, "status", "--porcelain") == ""
    synced(b)


def test_a_sync_killed_before_main_moved_is_undone_by_recover(shared_person, clones, run, synced):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    synced(a)
    before = head(b)
    git(b, "fetch", "--quiet", "origin")
    after = git(b, "rev-parse", "origin/main").strip()
    git(b, "read-tree", "-m", "-u", before, after)  # files half-way: updated, main not moved
    state = {"version": 1, "pid": 1, "started": "2026-01-01T00:00:00+00:00", "phase": "updating",
             "before": before, "remote": after, "after": after}
    (b / ".git" / "rjc" / private.SYNC_STATE).write_text(json.dumps(state))
    assert "back as before the sync" in core.recover(Repository(b))
    assert head(b) == before and "phone" not in data(b, shared_person)
    assert git(b, "status", "--porcelain") == ""
    synced(b)
    assert data(b, shared_person)["phone"] == PHONE_A


def test_doctor_clears_a_sync_that_stopped_while_integrating(clones, run, synced):
    a, _ = clones
    state = {"version": 1, "pid": 1, "started": "2026-01-01T00:00:00+00:00", "phase": "integrating",
             "before": head(a), "remote": head(a), "after": None}
    (a / ".git" / "rjc" / private.SYNC_STATE).write_text(json.dumps(state))
    assert "warning: found an interrupted rjc sync; run: rjc doctor" in run(a, "check").err.splitlines()
    out = run(a, "doctor").out
    assert "an interrupted sync: it had stopped before changing anything here" in out
    synced(a)


def test_a_failure_while_integrating_leaves_everything_as_it_was(shared_person, clones, run, monkeypatch):
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    run(a, "sync")
    edit(b, shared_person, email="ar@example.org")
    before = head(b), (b / path_of(shared_person)).read_bytes()

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Git, "update_branch", broken)
    assert run(b, "sync", code=130)
    assert (head(b), (b / path_of(shared_person)).read_bytes()) == before
    assert git(b, "status", "--porcelain") == ""
    assert not (b / ".git" / "rjc" / private.SYNC_STATE).exists()


# --- a sync interrupted at its conflict prompt --------------------------------------------------

RJC = Path(sys.executable).parent / "rjc"
PROMPT = b"Keep which (ours/theirs)"


class Terminal:
    """`rjc sync` run in a child on a real pseudo-terminal, its controlling terminal."""

    def __init__(self, root: Path):
        env = {**os.environ, "RJC_RECORDS": str(root)}
        self.pid, self.master = pty.fork()
        if self.pid == 0:  # the child: exec at once, nothing else
            os.execve(str(RJC), [str(RJC), "sync"], env)
        self.status: int | None = None

    def read(self, until: bytes | None = None) -> bytes:
        """What the child wrote, up to `until`, or all of it until it closes the terminal."""
        seen = b""
        while until is None or until not in seen:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the child has closed its side
                chunk = b""
            if not chunk:
                assert until is None, f"the terminal closed before {until!r}: {seen.decode(errors='replace')}"
                return seen
            seen += chunk
        return seen

    def close(self) -> None:
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def wait(self) -> int:
        self.close()
        if self.status is None:
            self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.status

    def end(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            self.wait()


@pytest.fixture
def at_the_prompt(shared_person, clones, run, synced):
    """(B, its HEAD, the terminal): B has a true conflict with origin, and `rjc sync` on a terminal
    is asking which value to keep."""
    a, b = clones
    edit(a, shared_person, phone=PHONE_A)
    edit(b, shared_person, phone=PHONE_B)
    synced(a)
    before = head(b)
    terminal = Terminal(b)
    try:
        shown = terminal.read(until=PROMPT)
        assert f"{shared_person} phone was changed both here and on origin".encode() in shown
        assert not (b / ".git" / "rjc" / private.SYNC_STATE).exists()  # asking has changed nothing yet
        yield b, before, terminal
    finally:
        terminal.end()


def assert_nothing_left(b: Path, before: str, synced, shared_person: str) -> None:
    assert not (b / ".git" / "rjc" / private.SYNC_STATE).exists()
    assert git(b, "status", "--porcelain") == ""
    assert head(b) == before
    assert data(b, shared_person)["phone"] == PHONE_B
    assert "kept this clone's value" in synced(b, "--ours").out  # no rjc doctor needed first


def test_closing_the_terminal_at_the_conflict_prompt_leaves_nothing_behind(at_the_prompt, synced, shared_person):
    b, before, terminal = at_the_prompt
    terminal.close()  # the terminal goes away: the kernel sends SIGHUP
    assert terminal.wait() == 128 + signal.SIGHUP
    assert_nothing_left(b, before, synced, shared_person)


@pytest.mark.parametrize(("typed", "code", "said"), [(b"\x03", 130, b"Interrupted; nothing more was written."),
                                                    (b"\x04", 1, b"Aborted.")], ids=["ctrl-c", "end-of-input"])
def test_ctrl_c_or_end_of_input_at_the_conflict_prompt_leaves_nothing_behind(at_the_prompt, synced, shared_person,
                                                                             typed, code, said):
    b, before, terminal = at_the_prompt
    os.write(terminal.master, typed)
    rest = terminal.read()
    assert terminal.wait() == code
    assert said in rest and b"Traceback" not in rest
    assert_nothing_left(b, before, synced, shared_person)


def test_a_terminate_signal_at_the_conflict_prompt_leaves_nothing_behind(at_the_prompt, synced, shared_person):
    b, before, terminal = at_the_prompt
    os.kill(terminal.pid, signal.SIGTERM)
    rest = terminal.read()
    assert terminal.wait() == 128 + signal.SIGTERM
    assert b"Interrupted; nothing more was written." in rest and b"Traceback" not in rest
    assert_nothing_left(b, before, synced, shared_person)


def test_a_sync_killed_at_the_conflict_prompt_needs_no_doctor(at_the_prompt, synced, shared_person):
    b, before, terminal = at_the_prompt
    os.kill(terminal.pid, signal.SIGKILL)
    assert terminal.wait() == -signal.SIGKILL
    assert_nothing_left(b, before, synced, shared_person)


# --- the three-way merge of data ---------------------------------------------------------------


def _merge(base, ours, theirs):
    conflicts = []
    merged = merging.merge_data(base, ours, theirs, on_conflict=lambda c: conflicts.append(c) or c.ours)
    return merged, [(merging.dotted(c.loc), c.ours, c.theirs) for c in conflicts]


def test_merge_takes_each_sides_changes_field_by_field():
    base = {"a": "1", "b": {"x": "1", "y": "1"}, "c": "1"}
    ours = {"a": "2", "b": {"x": "2", "y": "1"}, "c": "1"}
    theirs = {"a": "1", "b": {"x": "1", "y": "3"}, "d": "new"}
    assert _merge(base, ours, theirs) == ({"a": "2", "b": {"x": "2", "y": "3"}, "d": "new"}, [])


def test_merge_reports_each_field_changed_differently_on_both_sides():
    base = {"a": "1", "items": [{"status": "open", "amount": "10"}]}
    ours = {"a": "2", "items": [{"status": "completed", "amount": "10"}]}
    theirs = {"a": "3", "items": [{"status": "waived", "amount": "10"}]}
    merged, conflicts = _merge(base, ours, theirs)
    assert conflicts == [("a", "2", "3"), ("items[0].status", "completed", "waived")]
    assert merged == ours


def test_merge_keeps_what_both_sides_appended_nested_and_in_date_order():
    pay = lambda d, a: {"id": stable_id(d, a), "date": d, "amount": a}  # noqa: E731
    base = {"agreements": [{"items": [{"payments": [pay("2026-01-01", "5")]}]}]}
    ours = {"agreements": [{"items": [{"payments": [pay("2026-01-01", "5"), pay("2026-02-10", "7")]}]}]}
    theirs = {"agreements": [{"items": [{"payments": [pay("2026-01-01", "5"), pay("2026-02-01", "9")]}]}]}
    merged, conflicts = _merge(base, ours, theirs)
    assert conflicts == []
    assert [p["amount"] for p in merged["agreements"][0]["items"][0]["payments"]] == ["5", "9", "7"]


def _pay(entry_id: str, amount: str, date: str = "2026-12-05", **more) -> dict:
    return {"id": entry_id, "date": date, "amount": amount, **more}


def test_merge_keeps_equal_entries_added_on_both_sides():
    base = {"payments": [_pay("a000000001", "5")]}
    ours = {"payments": [_pay("a000000001", "5"), _pay("b000000001", "50")]}
    theirs = {"payments": [_pay("a000000001", "5"), _pay("c000000001", "50")]}
    merged, conflicts = _merge(base, ours, theirs)
    assert conflicts == []
    assert [p["id"] for p in merged["payments"]] == ["a000000001", "c000000001", "b000000001"]


def test_merge_matches_entries_by_id_not_by_place():
    first, second = _pay("a000000001", "5", "2026-01-01"), _pay("b000000001", "7", "2026-02-01")
    ours = [first, {**second, "note": "cash"}]  # this clone annotated the second payment
    theirs = [second]  # the remote removed the first
    merged, conflicts = _merge({"payments": [first, second]}, {"payments": ours}, {"payments": theirs})
    assert conflicts == [] and merged == {"payments": [{**second, "note": "cash"}]}


def test_merge_an_entry_removed_on_one_side_and_changed_on_the_other_is_a_conflict():
    first = _pay("a000000001", "5")
    merged, conflicts = _merge({"payments": [first]}, {"payments": []}, {"payments": [{**first, "amount": "6"}]})
    assert conflicts == [("payments[0]", merging.MISSING, {**first, "amount": "6"})]
    assert merged == {"payments": []}


def test_merge_the_same_entry_added_on_both_sides_is_one_entry():
    added = _pay("a000000001", "5")
    assert _merge({"payments": []}, {"payments": [added]}, {"payments": [added]}) == ({"payments": [added]}, [])


def test_merge_a_deleted_field_against_a_changed_one_is_a_conflict():
    merged, conflicts = _merge({"a": "1", "b": "1"}, {"b": "1"}, {"a": "2", "b": "1"})
    assert conflicts == [("a", merging.MISSING, "2")] and merged == {"b": "1"}
    assert _merge({"a": "1", "b": "1"}, {"b": "1"}, {"a": "1", "b": "2"}) == ({"b": "2"}, [])


def test_merge_of_a_list_shortened_on_one_side_and_grown_on_the_other_is_a_conflict():
    merged, conflicts = _merge({"l": ["a", "b"]}, {"l": ["a"]}, {"l": ["a", "b", "c"]})
    assert conflicts == [("l", ["a"], ["a", "b", "c"])]


def test_a_conflict_over_a_grown_list_shows_what_each_side_added():
    conflict = merging.Conflict("p", ("status_history",), [{"s": "a"}], [{"s": "a"}, {"s": "b"}], [{"s": "a"}, {"s": "c"}])
    assert core.show_sides(conflict) == ('1 earlier entry, then [{"s": "b"}]', '1 earlier entry, then [{"s": "c"}]')


def test_show_value_is_one_line():
    assert core.show_value(merging.MISSING) == "(absent)"
    assert core.show_value(None) == "(empty)"
    assert core.show_value({"a": ["x", "y"]}) == '{"a": ["x", "y"]}'
    assert core.show_value("two\nlines") == "two lines"


# Data as yamlio loads it: mappings with text keys, lists, and scalars.
KEYS = st.sampled_from(["a", "b", "c", "d", "e", "id", "date"])
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3)
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=12)
RECORDS = st.dictionaries(KEYS, DATA, max_size=5)


@given(base=DATA, changed=DATA)
@settings(max_examples=300, deadline=None)
def test_a_change_on_one_side_only_is_taken_whole(base, changed):
    assert _merge(base, changed, base) == (changed, [])
    assert _merge(base, base, changed) == (changed, [])


@given(base=RECORDS, edits=st.dictionaries(KEYS, DATA | st.just(merging.MISSING), max_size=5), split=st.randoms())
@settings(max_examples=300, deadline=None)
def test_edits_of_different_keys_never_conflict(base, edits, split):
    """Each key is changed, added or removed (MISSING) on one side only: both sides' edits land."""
    mine = set(split.sample(sorted(edits), len(edits) // 2))

    def edited(keys):
        out = dict(base)
        for key in keys:
            if edits[key] is merging.MISSING:
                out.pop(key, None)
            else:
                out[key] = edits[key]
        return out

    expected = edited(edits)
    assert _merge(base, edited(mine), edited(set(edits) - mine)) == (expected, [])


ENTRY = st.fixed_dictionaries({"date": st.sampled_from(["2026-11-01", "2026-11-02"]),
                               "amount": st.sampled_from(["50.00", "25.00"])})


@given(entries=st.lists(ENTRY, max_size=9), split=st.tuples(st.integers(0, 9), st.integers(0, 9)))
@settings(max_examples=300, deadline=None)
def test_entries_appended_on_both_sides_are_all_kept(entries, split):
    """However equal in value (two payments of $50 on one day), every entry either side added is
    kept once, after the entries both had."""
    entries = [{"id": f"e{n}", **e} for n, e in enumerate(entries)]
    n_base, n_ours = sorted(split)
    base, ours_added, theirs_added = entries[:n_base], entries[n_base:n_ours], entries[n_ours:]
    merged, conflicts = _merge({"payments": base}, {"payments": base + ours_added},
                               {"payments": base + theirs_added})
    assert conflicts == []
    assert merged["payments"][:len(base)] == base
    assert sorted(merged["payments"], key=lambda e: e["id"]) == sorted(entries, key=lambda e: e["id"])


# --- a seal, everywhere ----------------------------------------------------------------------------

SEALED_INTAKE = """\
people:
  - role: responsible-party
    given_name: Zoë
    family_name: Nguyễn
    date_of_birth: 2001-04-02
    phone: 802-555-0100
contact:
  name: Pat Jones
harm: Took a bicycle from the porch.
"""
SEALED_STRINGS = ("Zoë", "Nguyễn", "2001-04-02", "802-555-0100", "Pat Jones", "Took a bicycle", "a new phone")


def _closed_diversion(run, root: Path, tmp_path: Path) -> tuple[str, str]:
    """(referral, case): a pre-charge diversion taken in and closed as completed in 2024, on `root`."""
    intake = tmp_path / "intake.yaml"
    intake.write_text(SEALED_INTAKE, encoding="utf-8")
    referral = run(root, "referral", "new", "--no-input", "--program", "pre-charge-diversion", "--source",
                   "states-attorney", "--received", "2024-03-04", "--person-file", intake).out.strip()
    case = run(root, "referral", "accept", referral, "--date", "2024-03-06").out.strip()
    run(root, "case", "close", case, "--reason", "completed-successfully", "--date", "2024-06-10")
    return referral, case


def _every_byte(root: Path) -> bytes:
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, check=True,
                             capture_output=True).stdout
    return objects + b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_a_seal_reaches_the_remote_and_every_clone_at_its_next_sync(clones, run, synced, tmp_path):
    a, b = clones
    sealing_key(a, tmp_path)
    referral, case = _closed_diversion(run, a, tmp_path)
    zoe = Repository(a).get(referral).people[0].person
    synced(a)
    synced(b)
    c = tmp_path / "c"
    assert run(tmp_path, "clone", tmp_path / "remote.git", c, "--coordinator", "kb", code=None).code == 0
    kept = new_person(run, b, tmp_path, "Bruno", "Okafor")  # not sent yet, on B
    edit(c, zoe, phone="a new phone")  # not sent yet, on C, to a record about to be sealed

    sealed = run(a, "seal", case, "--court-order", "24-CR-0192", "--yes").out.splitlines()
    assert sealed[0] == (f"sealed {case}: 3 records tombstoned ({case} {zoe} {referral}), 5 versions rewritten, "
                         f"the old ones deleted")
    assert sealed[1].startswith("what was removed is archived, encrypted to the center's sealing key, in ")
    assert sealed[2] == "'origin' now has the sealed history, and its old objects are deleted"
    assert synced(b).out.splitlines() == [
        f"origin sealed {case}: this clone follows the sealed history, and the old one is deleted here",
        f"received 1 change: {case}",  # the seal's own commit: the register
        f"sent 1 change: {kept}"]
    assert synced(c).out.splitlines() == [
        f"origin sealed {case}: this clone follows the sealed history, and the old one is deleted here",
        f"changes made here to sealed records were left out: {zoe}",
        f"received 2 changes: {case} {kept}", "1 change already on origin"]
    assert synced(a).out.splitlines() == [f"received 1 change: {kept}"]
    for root in (a, b, c, tmp_path / "remote.git"):
        found = _every_byte(root)
        for text in SEALED_STRINGS:
            assert text.encode() not in found, f"{text!r} is still in {root.name}"
    for root in (a, b, c):
        assert head(root) == head(a)
        assert run(root, "show", zoe, "--no-names").out
        assert f"case: {case}" in (root / "sealed.yaml").read_text(encoding="utf-8")


def test_sync_waits_while_a_seal_made_here_has_not_reached_the_remote(clones, run, tmp_path):
    a, _ = clones
    sealing_key(a, tmp_path)
    referral, case = _closed_diversion(run, a, tmp_path)
    run(a, "sync")
    remote = tmp_path / "remote.git"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho the server is read-only today >&2\nexit 1\n")
    hook.chmod(0o755)
    refused = run(a, "seal", case, "--court-order", "X", "--yes", code=1)
    assert refused.err.startswith("Error: sealed here, but not sent to 'origin': ")
    assert refused.err.endswith("Run rjc seal --send when it can be reached; rjc sync waits until then\n")
    assert run(a, "sync", code=1).err == (
        "Error: a seal made here has not reached 'origin' yet; run: rjc seal --send (nothing was synced)\n")
    hook.unlink()
    assert run(a, "seal", "--send").out == "'origin' now has the sealed history, and its old objects are deleted\n"
    assert run(a, "sync").out == "up to date\n"


def test_a_sync_killed_while_deleting_the_old_history_is_finished_by_rjc_doctor(clones, run, synced, tmp_path):
    from test_crash import _killed_at, _run

    a, b = clones
    sealing_key(a, tmp_path)
    referral, case = _closed_diversion(run, a, tmp_path)
    synced(a)
    synced(b)
    run(a, "seal", case, "--court-order", "X", "--yes")
    killed = _killed_at(b, "rjc.storage.gitrepo:Git.purge", 0, "sync")
    assert killed.returncode == -9
    assert b"Took a bicycle" in _every_byte(b)  # the old history, not yet deleted
    assert "an interrupted rjc seal" in _run(b, "check").stderr
    doctor = _run(b, "doctor")
    assert "an interrupted deletion of a sealed history: deleted it" in doctor.stdout, doctor.stdout
    for text in SEALED_STRINGS[:-1]:
        assert text.encode() not in _every_byte(b)
    assert synced(b).out == "up to date\n"


def test_a_seal_starts_only_from_a_fresh_sync(clones, run, synced, tmp_path):
    a, b = clones
    sealing_key(a, tmp_path)
    _, case = _closed_diversion(run, a, tmp_path)
    head_before = head(a)
    refused = run(a, "seal", case, "--court-order", "X", "--yes", code=1)
    assert refused.err == ("Error: this clone and 'origin' are not in step; run rjc sync first (a seal rewrites "
                           "the history every clone shares, so it starts from a fresh sync); nothing was sealed\n")
    assert head(a) == head_before and not (a / "sealed.yaml").exists()
    git(a, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    unreachable = run(a, "seal", case, "--court-order", "X", "--yes", code=1)
    assert unreachable.err.startswith("Error: cannot reach 'origin': ")
    assert unreachable.err.endswith("A seal rewrites the history every clone shares, so it starts from a fresh "
                                    "sync; nothing was sealed\n")


@pytest.mark.parametrize("url, host, path", [
    ("/srv/rjc/records.git", None, "/srv/rjc/records.git"),
    ("file:///srv/rjc/records.git", None, "/srv/rjc/records.git"),
    ("ssh://rjc@center.example.org:2222/srv/records.git", "center.example.org", "/srv/records.git"),
    ("rjc@center.example.org:records.git", "center.example.org", "records.git"),
])
def test_the_purge_command_for_a_remote_names_its_host_and_path(url, host, path):
    from rjc.workflows.sealing import _where

    assert _where(url) == (host, path)


def test_sync_sends_nothing_while_the_old_history_has_come_back(clones, run, synced, tmp_path):
    a, b = clones
    sealing_key(a, tmp_path)
    _, case = _closed_diversion(run, a, tmp_path)
    synced(a)
    old = tmp_path / "old.git"  # someone's copy of the history from before the seal
    subprocess.run(["git", "clone", "-q", "--bare", str(tmp_path / "remote.git"), str(old)], check=True)
    run(a, "seal", case, "--court-order", "X", "--yes")
    synced(b)
    # merged line by line, -X theirs, as a clone without rjc's merge driver would (.git/info/attributes wins)
    (b / ".git" / "info").mkdir(exist_ok=True)
    (b / ".git" / "info" / "attributes").write_text("*.yaml merge\n")
    git(b, "-c", "user.name=x", "-c", "user.email=x@example.org", "pull", "-q", "--no-rebase", "-X", "theirs",
        "--no-edit", str(old), "main")
    remote_before = git(tmp_path / "remote.git", "rev-parse", "main")
    refused = run(b, "sync", code=1)
    assert "[sealed-restored]" in refused.out and "nothing was sent" in refused.err
    assert git(tmp_path / "remote.git", "rev-parse", "main") == remote_before
    assert run(b, "seal", "--repair").out.startswith("sealed again: 3 records")
    assert b"Took a bicycle" not in _every_byte(b)
    assert run(b, "sync").out.startswith("sent ")
    assert b"Took a bicycle" not in _every_byte(tmp_path / "remote.git")


def test_signed_commits_stay_signed_through_a_sync(clones, rjc, run, synced, tmp_path, monkeypatch):
    """Commits that come in keep their signatures (the same commits); this clone's commits a sync
    replays on the remote's are new commits, signed again by this clone's coordinator."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    a, b = clones
    keys = {}
    for code in ("kb", "mr"):
        keys[code] = tmp_path / f"key-{code}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys[code])], check=True,
                       stdin=subprocess.DEVNULL)
    assert rjc("--records", a, "whoami", "--signing-key", keys["kb"]).code == 0  # (prints the name)
    run(a, "settings", "set", "signing.format", "ssh")
    synced(a)
    synced(b)
    assert rjc("--records", b, "whoami", "--signing-key", keys["mr"]).code == 0  # signed by MR's key: signing is on
    synced(b)
    synced(a)
    person_a = new_person(run, a, tmp_path, "Ana", "Rivera")
    synced(a)
    person_b = new_person(run, b, tmp_path, "Bruno", "Okafor")
    written = head(b)
    synced(b)
    assert head(b) != written  # replayed on A's commit
    synced(a)
    assert_same_linear_history(a, b)
    for root in (a, b):
        lines = [line[18:] for line in run(root, "log", "--verify", "--limit", "5").out.splitlines()]
        shas = git(root, "log", "-5", "--format=%h", "--abbrev=10").split()
        assert lines == [
            f"MR    new person {person_b}  ({shas[0]})  signed MR",
            f"KB    new person {person_a}  ({shas[1]})  signed KB",
            f"MR    settings: set coordinators.MR.signing_key in rjc.yaml  ({shas[2]})  signed MR",
            f"KB    settings: set signing.format in rjc.yaml  ({shas[3]})  signed KB",
            f"KB    settings: set coordinators.KB.signing_key in rjc.yaml  ({shas[4]})  not signed",
        ]
