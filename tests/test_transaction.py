"""rjc.storage.transaction: one commit of exactly the touched files per change, or nothing at all."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rjc
from rjc.model import SCHEMA_VERSION, Case, Person
from rjc.model.settings import Coordinator
from rjc.storage import layout, private, store
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import write_lock
from rjc.workflows.repository import Repository

from helpers import git

PERSON = "people/2026/KB/P-2026-KB-0001.yaml"
CASE = "cases/2026/KB/C-2026-KB-0001.yaml"


def ana(**changes) -> Person:
    fields = {"id": "P-2026-KB-0001", "schema_version": 3, "given_name": "Ana", "family_name": "Rivera",
              "phone": "0802 555 0134"}
    return Person(**{**fields, **changes})


def case(*people: str) -> Case:
    return Case(id="C-2026-KB-0001", schema_version=SCHEMA_VERSION, program="restorative-panel", coordinator="KB",
                opened="2026-01-05", participants=[{"person": p, "role": "responsible-party"} for p in people],
                status_history=[{"status": "intake", "date": "2026-01-05", "by": "KB"}])


def head(repo: Repository) -> str:
    return git(repo.root, "rev-parse", "HEAD").strip()


def touched(repo: Repository, commit: str = "HEAD") -> list[str]:
    return git(repo.root, "show", "--name-only", "--format=", commit).split()


def commit_count(repo: Repository) -> int:
    return int(git(repo.root, "rev-list", "--count", "HEAD"))


# --- one commit per change, of exactly its files --------------------------------------------


def test_save_makes_one_commit_touching_only_the_record(repo):
    before = commit_count(repo)
    result = repo.save(ana(), "add person", command="new person")
    assert result.ids == ["P-2026-KB-0001"]
    assert result.commit == head(repo)
    assert commit_count(repo) == before + 1
    assert touched(repo) == [PERSON]
    assert (repo.root / PERSON).read_text() == store.render(ana())
    assert git(repo.root, "status", "--porcelain") == ""


def test_commit_message_names_only_the_action_and_ids_with_trailers(repo):
    repo.save(ana(), "add person", command="new person")
    message = git(repo.root, "log", "-1", "--format=%B")
    assert message == "add person P-2026-KB-0001\n\nRjc-Command: new person\nRjc-Coordinator: KB\n\n"
    for detail in ("Ana", "Rivera", "0802"):
        assert detail not in message


def test_commit_is_attributed_to_the_coordinator(repo, monkeypatch):
    repo.save(ana(), "add person", command="new person")
    assert git(repo.root, "log", "-1", "--format=%an <%ae>").strip() == "Kim Bell <kb@example.org>"
    monkeypatch.setenv("RJC_COORDINATOR", "MR")
    Repository(repo.root).save(ana(phone="555"), "edit person", command="edit")
    assert git(repo.root, "log", "-1", "--format=%an <%ae>|%(trailers:key=Rjc-Coordinator,valueonly)").strip() \
        == "Max Rossi <mr@rjc.invalid>|MR"


def test_no_commit_when_nothing_changed(repo):
    first = repo.save(ana(), "add person", command="new person")
    again = repo.save(ana(), "edit person", command="edit")
    assert again.commit is None
    assert head(repo) == first.commit


def test_no_commit_when_a_hand_edit_is_written_back_and_what_others_staged_stays_staged(repo):
    first = repo.save(ana(), "add person", command="new person")
    path = repo.root / PERSON
    path.write_text(path.read_text() + "note: hand edit\n")  # not committed: rjc writes HEAD's text back
    (repo.root / "notes.txt").write_text("someone else's\n")
    git(repo.root, "add", "notes.txt")
    again = repo.save(ana(), "edit person", command="edit")
    assert again.commit is None and head(repo) == first.commit
    assert git(repo.root, "status", "--porcelain") == "A  notes.txt\n"


def test_head_is_read_from_loose_packed_and_detached_refs(repo):
    first = repo.save(ana(), "add person", command="new person").commit
    assert repo.git.head() == first == head(repo)
    git(repo.root, "pack-refs", "--all")  # no loose ref file: git is asked
    assert not (repo.root / ".git" / "refs" / "heads" / "main").exists()
    assert repo.git.head() == first
    second = repo.save(ana(phone="555"), "edit person", command="edit").commit
    assert second == head(repo) != first
    git(repo.root, "checkout", "--quiet", "--detach")
    assert repo.git.head() == second


def test_an_edit_commits_only_that_file(repo):
    repo.save(ana(), "add person", command="new person")
    result = repo.save(ana(phone="0802 555 0199"), "edit person", command="edit")
    assert touched(repo, result.commit) == [PERSON]
    assert git(repo.root, "show", "--format=", "--unified=0", result.commit).splitlines()[-2:] == \
        ["-phone: 0802 555 0134", "+phone: 0802 555 0199"]


def test_several_records_in_one_transaction_are_one_commit(repo):
    with repo.transaction("new case") as tx:
        tx.stage(ana())
        tx.stage(case("P-2026-KB-0001"))
        result = tx.commit("add")
    assert result.ids == ["P-2026-KB-0001", "C-2026-KB-0001"]
    assert sorted(touched(repo)) == [CASE, PERSON]
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "add P-2026-KB-0001 C-2026-KB-0001"


def test_many_records_are_counted_in_the_subject(repo):
    with repo.transaction("import") as tx:
        for number in range(1, 10):
            tx.stage(ana(id=f"P-2026-KB-{number:04d}"))
        tx.commit("import")
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "import (9 files)"
    assert len(touched(repo)) == 9


def test_new_ids_follow_the_highest_number_and_skip_staged_ones(repo):
    repo.save(ana(), "add person", command="new person")
    with repo.transaction("import") as tx:
        first = tx.new_id("person", 2026)
        tx.stage(ana(id=first))
        second = tx.new_id("person", 2026)
    assert (first, second) == ("P-2026-KB-0002", "P-2026-KB-0003")


def test_settings_are_committed_like_a_record(repo):
    coordinators = [*repo.settings.coordinators, Coordinator(code="JS", name="Jo Smith")]
    with repo.transaction("coordinator add") as tx:
        tx.stage(repo.settings.model_copy(update={"coordinators": coordinators}))
        result = tx.commit("add coordinator")
    assert result.ids == ["rjc.yaml"]
    assert touched(repo) == ["rjc.yaml"]
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "add coordinator rjc.yaml"
    assert Repository(repo.root).settings.coordinator("JS").name == "Jo Smith"


def test_invalid_settings_are_refused(repo):
    before = (repo.root / "rjc.yaml").read_bytes()
    duplicated = [*repo.settings.coordinators, Coordinator(code="KB", name="Kate Bo")]
    with pytest.raises(RjcError) as info:
        with repo.transaction("coordinator add") as tx:
            tx.stage(repo.settings.model_copy(update={"coordinators": duplicated}))
            tx.commit("add coordinator")
    assert [(p.path, p.rule) for p in info.value.problems] == [("rjc.yaml", "invalid-value")]
    assert (repo.root / "rjc.yaml").read_bytes() == before


# --- invalid data is never written ----------------------------------------------------------


def test_invalid_record_is_refused_and_nothing_is_written(repo):
    before = head(repo)
    with pytest.raises(RjcError) as info:
        repo.save(case("P-2026-KB-0009"), "add case", command="new case")
    assert info.value.message == "refusing to commit invalid records; nothing was written"
    assert info.value.problems == [Problem(CASE, 8, 11, "reference-exists", "P-2026-KB-0009 does not exist")]
    assert not (repo.root / CASE).exists()
    assert not (repo.root / "cases" / "2026").exists() or not any((repo.root / "cases" / "2026").rglob("*.yaml"))
    assert head(repo) == before
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""


def test_invalid_edit_leaves_the_file_as_it_was(repo):
    repo.save(ana(), "add person", command="new person")
    repo.save(case("P-2026-KB-0001"), "add case", command="new case")
    before, content = head(repo), (repo.root / CASE).read_bytes()
    with pytest.raises(RjcError):
        repo.save(case("P-2026-KB-0001", "P-2026-KB-0009"), "edit case", command="edit")
    assert (repo.root / CASE).read_bytes() == content
    assert head(repo) == before


def test_one_invalid_record_stops_the_whole_transaction(repo):
    before = head(repo)
    with pytest.raises(RjcError):
        with repo.transaction("new case") as tx:
            tx.stage(ana())
            tx.stage(case("P-2026-KB-0001", "P-2026-KB-0009"))
            tx.commit("add")
    assert not (repo.root / PERSON).exists()
    assert head(repo) == before


def test_a_failed_commit_puts_the_files_back(repo, monkeypatch):
    repo.save(ana(), "add person", command="new person")
    original = (repo.root / PERSON).read_bytes()
    before = head(repo)

    def fail(*args, **kwargs):
        raise RjcError("git commit failed: disk full")

    monkeypatch.setattr(repo.git, "commit_paths", fail)
    with pytest.raises(RjcError, match="disk full"):
        with repo.transaction("new") as tx:
            tx.stage(ana(phone="555"))
            tx.stage(ana(id="P-2026-KB-0002"))
            tx.commit("add")
    assert (repo.root / PERSON).read_bytes() == original
    assert not (repo.root / "people/2026/KB/P-2026-KB-0002.yaml").exists()
    assert head(repo) == before


# --- other people's work is left alone --------------------------------------------------------


def test_a_file_staged_by_someone_else_is_not_swept_in(repo):
    (repo.root / "notes.txt").write_text("draft\n")
    git(repo.root, "add", "notes.txt")
    repo.save(ana(), "add person", command="new person")
    assert touched(repo) == [PERSON]
    assert git(repo.root, "diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_an_unstaged_change_to_another_file_is_not_swept_in(repo):
    (repo.root / "README.md").write_text("changed by hand\n")
    repo.save(ana(), "add person", command="new person")
    assert touched(repo) == [PERSON]
    assert git(repo.root, "status", "--porcelain").splitlines() == [" M README.md"]


def test_a_concurrent_change_is_refused_with_check_expected(repo):
    repo.save(ana(), "add person", command="new person")
    seen = (repo.root / PERSON).read_bytes()
    Repository(repo.root).save(ana(phone="555 0100"), "edit person", command="edit")  # someone else
    theirs, before = (repo.root / PERSON).read_bytes(), head(repo)
    with repo.transaction("edit") as tx:
        tx.stage(ana(phone="555 0199"), expected=seen, check_expected=True)
        with pytest.raises(RjcError) as info:
            tx.commit("edit person")
    assert str(info.value) == "P-2026-KB-0001 was changed by someone else while you worked on it; nothing was written"
    assert (repo.root / PERSON).read_bytes() == theirs
    assert head(repo) == before


def test_check_expected_passes_when_nobody_else_changed_the_file(repo):
    repo.save(ana(), "add person", command="new person")
    seen = (repo.root / PERSON).read_bytes()
    with repo.transaction("edit") as tx:
        tx.stage(ana(phone="555 0199"), expected=seen, check_expected=True)
        assert tx.commit("edit person").commit == head(repo)


def test_check_expected_for_a_new_file_refuses_one_created_meanwhile(repo):
    with repo.transaction("new") as tx:
        tx.stage(ana(), expected=None, check_expected=True)
        # another writer, not using rjc's lock, creates the file meanwhile
        (repo.root / PERSON).parent.mkdir(parents=True, exist_ok=True)
        (repo.root / PERSON).write_text(store.render(ana(given_name="Bo")))
        with pytest.raises(RjcError, match="changed by someone else"):
            tx.commit("add person")
    assert "Bo" in (repo.root / PERSON).read_text()


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o077, 0o022])
def test_files_are_owner_only(repo, umask):
    previous = os.umask(umask)
    try:
        repo.save(ana(), "add person", command="new person")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(repo.root / PERSON).st_mode) == 0o600
    for directory in ("people/2026", "people/2026/KB", ".git/rjc"):
        assert stat.S_IMODE(os.stat(repo.root / directory).st_mode) == 0o700, directory
    assert stat.S_IMODE(os.stat(repo.root).st_mode) == 0o700
    assert not list((repo.root / "people/2026/KB").glob(".*.tmp"))


def test_init_under_umask_077_leaves_nothing_readable_by_others(make_repo, tmp_path):
    previous = os.umask(0o077)
    try:
        repo = make_repo(tmp_path / "private")
    finally:
        os.umask(previous)
    for path in [repo.root, *repo.root.rglob("*")]:
        assert stat.S_IMODE(os.lstat(path).st_mode) & 0o077 == 0, path


# --- the lock and concurrent writers ----------------------------------------------------------


def test_a_writer_waits_for_the_lock_and_gives_up_after_the_timeout(repo):
    told = []
    with write_lock(repo.root):
        started = time.monotonic()
        with pytest.raises(RjcError) as info:
            with write_lock(repo.root, timeout=0.3, on_wait=lambda: told.append(1)):
                pass
        assert time.monotonic() - started >= 0.3
    assert told == [1]
    assert str(info.value) == "another rjc has been writing for over 0 s; try again later"
    with write_lock(repo.root, timeout=0.3):  # released by the holder
        pass


_WRITER = """
import sys, time
from pathlib import Path
from rjc.model import Person
from rjc.model.base import SCHEMA_VERSION
from rjc.workflows.repository import Repository

root, number, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
repo = Repository(root)
with repo.transaction("new person") as tx:
    record_id = tx.new_id("person", 2026)
    tx.stage(Person(id=record_id, schema_version=SCHEMA_VERSION, given_name="Writer " + number))
    print(tx.commit("add person").ids[0])
"""


def test_concurrent_processes_each_land_in_their_own_commit(repo, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(rjc.__file__).parent.parent), "RJC_COORDINATOR": "KB"}
    before = head(repo)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(repo.root), str(n), str(go)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(8)]
    time.sleep(0.3)
    go.touch()
    outputs = [writer.communicate(timeout=60) for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 8, [err for _, err in outputs]

    ids = sorted(out.strip() for out, _ in outputs)
    assert ids == [f"P-2026-KB-{n:04d}" for n in range(1, 9)]
    commits = git(repo.root, "rev-list", f"{before}..HEAD").split()
    assert len(commits) == 8
    files = [touched(repo, commit) for commit in commits]
    assert all(len(f) == 1 for f in files)
    assert sorted(f[0] for f in files) == [f"people/2026/KB/P-2026-KB-{n:04d}.yaml" for n in range(1, 9)]
    subjects = sorted(git(repo.root, "log", "--format=%s", f"{before}..HEAD").splitlines())
    assert subjects == [f"add person P-2026-KB-{n:04d}" for n in range(1, 9)]
    assert git(repo.root, "status", "--porcelain") == ""
    assert sorted(layout.record_paths(repo.root)) == sorted(f[0] for f in files)


def test_a_commit_git_refuses_leaves_nothing_staged_or_written(repo):
    hook = repo.root / ".git" / "hooks" / "prepare-commit-msg"  # --no-verify does not skip this one
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o700)
    before = head(repo)
    with pytest.raises(RjcError, match="git commit failed"):
        repo.save(ana(), "new person", command="test")
    assert head(repo) == before
    assert git(repo.root, "status", "--porcelain") == ""  # neither in the index nor on disk
    assert not (repo.root / layout.parse_id(ana().id).path).exists()


def test_records_inside_another_repository_are_never_committed_to_it(tmp_path, repo):
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    inner = outer / "records"
    inner.mkdir()
    (inner / "rjc.yaml").write_text((repo.root / "rjc.yaml").read_text())
    with pytest.raises(RjcError, match="is not a records repository"):
        Repository.find(inner)
    assert git(outer, "status", "--porcelain") == "?? records/\n"


def test_commits_keep_a_commit_graph_with_changed_path_filters(repo, monkeypatch):
    from rjc.storage import gitrepo

    graph = repo.root / ".git" / "objects" / "info"
    assert (graph / "commit-graphs").is_dir() or (graph / "commit-graph").is_file()  # written at init
    monkeypatch.setattr(gitrepo, "MAINTENANCE_EVERY", 2)
    counter = private.file(repo.root, private.MAINTENANCE)
    before = git(repo.root, "count-objects", "-v")
    for number in range(3):
        person = Person(id=f"P-2026-KB-{number + 1:04d}", schema_version=SCHEMA_VERSION, given_name=f"N{number}")
        repo.save(person, "new person", command="test")
    assert counter.read_text() in {"0", "1"}
    verify = subprocess.run(["git", "commit-graph", "verify"], cwd=repo.root, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    assert before != git(repo.root, "count-objects", "-v")


def test_maintenance_keeps_the_packs_few_as_history_grows(repo, monkeypatch):
    from rjc.storage import gitrepo

    monkeypatch.setattr(gitrepo, "MAINTENANCE_EVERY", 1)  # every commit packs its loose objects
    pack = repo.root / ".git" / "objects" / "pack"
    for number in range(16):
        person = Person(id=f"P-2026-KB-{number + 1:04d}", schema_version=SCHEMA_VERSION, given_name=f"N{number}")
        repo.save(person, "new person", command="test")
    # Sixteen packs of loose objects, rolled up geometrically: one large and a few small ones.
    assert len(list(pack.glob("*.pack"))) <= 5
    assert git(repo.root, "count-objects", "-v").splitlines()[0] == "count: 0"
    verify = subprocess.run(["git", "fsck", "--connectivity-only"], cwd=repo.root, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
