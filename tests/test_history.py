"""rjc.outputs.history: the audit trail read back from git, field by field and filtered."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from rjc.model import SCHEMA_VERSION, Case, Person
from rjc.outputs import history
from rjc.storage.errors import RjcError
from rjc.workflows.repository import Repository, init_repository

from helpers import CENTER, git

PERSON_ID = "P-2026-KB-0001"
CASE_ID = "C-2026-KB-0001"


@pytest.fixture
def dated(make_repo, monkeypatch, commits_on):
    """A repository whose commits carry the dates and coordinators a test gives them."""
    commits_on("2026-01-01")
    root = make_repo().root

    def save(record, action: str, *, actor: str, day: str):
        monkeypatch.setenv("RJC_COORDINATOR", actor)
        commits_on(day)
        return Repository(root).save(record, action, command="test")  # git's environment is made with it

    save.root = root
    return save


def person(**changes) -> Person:
    fields = {"id": PERSON_ID, "schema_version": 3, "given_name": "Ana", "family_name": "Rivera", "phone": "a"}
    return Person(**{**fields, **changes})


def case(statuses: list[tuple[str, str, str]], **changes) -> Case:
    fields = {"id": CASE_ID, "schema_version": 3, "program": "restorative-panel", "coordinator": "KB",
              "opened": "2026-01-05", "participants": [{"person": PERSON_ID, "role": "responsible-party"}],
              "status_history": [{"status": s, "date": d, "by": by} for s, d, by in statuses]}
    return Case(**{**fields, **changes})


INTAKE = ("intake", "2026-01-05", "KB")
CONTACTED = ("victim-contacted", "2026-01-08", "MR")


@pytest.fixture
def worked(dated):
    """A person and a case, each created and then edited twice, on known days."""
    dated(person(), "add person", actor="KB", day="2026-01-05")
    dated(case([INTAKE], note="first call"), "add case", actor="KB", day="2026-01-05")
    dated(person(phone="b", email="ana@example.org"), "edit person", actor="MR", day="2026-01-08")
    dated(case([INTAKE, CONTACTED], note="first call"), "edit case", actor="MR", day="2026-01-08")
    dated(person(phone="b", email="ana@example.org", family_name=None), "edit person", actor="KB", day="2026-01-20")
    dated(case([INTAKE, CONTACTED], contacts=[{"id": "f3h5fyvisg", "date": "2026-01-20", "kind": "phone", "by": "KB"}]),
          "edit case", actor="KB", day="2026-01-20")
    return Repository(dated.root)


def test_person_history_is_field_by_field_and_attributed(worked):
    changes = history.record_history(worked.git, PERSON_ID)
    assert [(c.actor, c.action, c.date[:10], c.lines) for c in changes] == [
        ("KB", f"add person {PERSON_ID}", "2026-01-05", ["created"]),
        ("MR", f"edit person {PERSON_ID}", "2026-01-08", ["phone: a -> b", "added email: ana@example.org"]),
        ("KB", f"edit person {PERSON_ID}", "2026-01-20", ["removed family_name (was Rivera)"]),
    ]
    assert changes[1].commit == git(worked.root, "log", "--format=%H", "--", "people").split()[1]


def test_case_history_shows_a_status_change_first(worked):
    changes = history.record_history(worked.git, CASE_ID)
    assert [c.lines for c in changes] == [
        ["created"],
        ["status: intake -> victim-contacted",
         "added status_history[1]: status=victim-contacted, date=2026-01-08, by=MR"],
        ["added contacts: [date=2026-01-20, kind=phone, by=KB]", "removed note (was first call)"],
    ]
    assert [c.actor for c in changes] == ["KB", "MR", "KB"]


def test_history_of_a_record_never_committed(repo):
    with pytest.raises(RjcError) as info:
        history.record_history(repo.git, "P-2026-KB-0042")
    assert str(info.value) == "no history for P-2026-KB-0042: it was never committed"


def test_history_refuses_a_path_for_an_id(repo):
    with pytest.raises(RjcError, match="not a record id"):
        history.record_history(repo.git, "../rjc.yaml")


def test_history_of_a_deleted_record(worked):
    (worked.root / "people/2026/KB/P-2026-KB-0001.yaml").unlink()
    worked.git.commit_paths(["people/2026/KB/P-2026-KB-0001.yaml"], f"delete {PERSON_ID}", command="test",
                            actor="KB", identity=("Kim Bell", "kb@example.org"))
    assert history.record_history(worked.git, PERSON_ID)[-1].lines == ["deleted"]


def test_describe():
    before = {"given_name": "Ana", "address": {"town": "Barre"}, "race": ["a", "b"]}
    after = {"given_name": "Anna", "address": {"town": "Barre", "state": "VT"}, "race": ["a"], "phone": "1"}
    assert history.describe(before, after) == [
        "given_name: Ana -> Anna", "added address.state: VT", "removed race[1] (was b)", "added phone: 1",
    ]
    assert history.describe(None, after) == ["created"]
    assert history.describe(after, dict(after)) == ["no field changed (formatting only)"]


def test_describe_shortens_long_values():
    lines = history.describe({"note": "x"}, {"note": "y" * 400})
    assert lines == ["note: x -> " + "y" * 159 + "…"]


# --- the audit log ---------------------------------------------------------------------------


def _subjects(commits) -> list[str]:
    return [c.subject for c in commits]


def test_audit_log_is_newest_first_with_trailers(worked):
    commits = history.audit_log(worked.git)
    assert _subjects(commits) == [
        f"edit case {CASE_ID}", f"edit person {PERSON_ID}", f"edit case {CASE_ID}", f"edit person {PERSON_ID}",
        f"add case {CASE_ID}", f"add person {PERSON_ID}", "add coordinator MR", "init records repository",
    ]
    assert (commits[0].command, commits[0].actor) == ("test", "KB")


def test_audit_log_since_and_until_are_whole_days(worked):
    assert _subjects(history.audit_log(worked.git, since="2026-01-08", until="2026-01-08")) == [
        f"edit case {CASE_ID}", f"edit person {PERSON_ID}",
    ]
    assert len(history.audit_log(worked.git, since="2026-01-06")) == 4
    assert len(history.audit_log(worked.git, until="2026-01-05")) == 4
    assert history.audit_log(worked.git, since="2026-01-21") == []


def test_audit_log_by_coordinator(worked):
    assert _subjects(history.audit_log(worked.git, actor="MR")) == [
        f"edit case {CASE_ID}", f"edit person {PERSON_ID}",
    ]


def test_audit_log_by_record(worked):
    assert _subjects(history.audit_log(worked.git, record_id=PERSON_ID)) == [
        f"edit person {PERSON_ID}", f"edit person {PERSON_ID}", f"add person {PERSON_ID}",
    ]
    assert _subjects(history.audit_log(worked.git, record_id=CASE_ID, actor="MR", since="2026-01-06")) == [
        f"edit case {CASE_ID}",
    ]


def test_audit_log_limit(worked):
    assert _subjects(history.audit_log(worked.git, actor="KB", limit=2)) == [
        f"edit case {CASE_ID}", f"edit person {PERSON_ID}",
    ]


@pytest.mark.parametrize("option, value", [
    ("since", "yesterday"), ("until", "2026-13-01"), ("since", "01/08/2026"), ("until", "2026-01-08; rm -rf"),
])
def test_audit_log_refuses_a_malformed_date(worked, option, value):
    with pytest.raises(RjcError) as info:
        history.audit_log(worked.git, **{option: value})
    assert str(info.value) == f"--{option} takes a date like 2026-11-01, not '{value}'"


def test_audit_log_of_an_empty_repository(tmp_path):
    from rjc.storage.gitrepo import Git

    git_repo = Git(tmp_path)
    git_repo.init()
    assert history.audit_log(git_repo) == []


def test_a_limited_audit_log_reads_only_the_newest_commits(tmp_path):
    """With a limit, git is stopped once enough commits are read: here the oldest commit is gone
    from the object store, so a walk of the whole history fails, and a limited log never gets there."""
    repo = init_repository(tmp_path / "records", center=CENTER, code="KB", name="Kim Bell")
    for n in range(3):
        repo.save(Person(id=f"P-2026-KB-{n + 1:04d}", schema_version=SCHEMA_VERSION, given_name=f"N{n}"),
                  "new person", command="new person")
    oldest = git(repo.root, "rev-list", "--max-parents=0", "HEAD").strip()
    objects = repo.root / ".git" / "objects"
    for pack in sorted((objects / "pack").glob("*.pack")):  # every object loose, then the oldest commit gone
        moved = tmp_path / pack.name
        shutil.move(pack, moved)
        pack.with_suffix(".idx").unlink()
        subprocess.run(["git", "unpack-objects", "-q"], cwd=repo.root, stdin=moved.open("rb"), check=True)
    (objects / oldest[:2] / oldest[2:]).unlink()
    (objects / "info" / "commit-graph").unlink(missing_ok=True)  # which would stand in for it
    shutil.rmtree(objects / "info" / "commit-graphs", ignore_errors=True)
    assert _subjects(history.audit_log(repo.git, limit=2)) == ["new person P-2026-KB-0003",
                                                               "new person P-2026-KB-0002"]
    with pytest.raises(RjcError, match="git log failed: .*Could not read"):
        history.audit_log(repo.git)
