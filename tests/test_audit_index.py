"""rjc.cache.audit: the audit index gives exactly what walking git gives, after rjc's commits,
plain git commits outside rjc, a history rewrite, a merge, and when it is deleted or corrupted.
(After a sync: tests/test_sync.py.)"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from rjc.cache import AuditIndex
from rjc.outputs import history
from rjc.storage import layout, private
from rjc.storage.gitrepo import Git

from helpers import assert_audit_index_agrees, git


@pytest.fixture
def worked(repo, rjc, monkeypatch, tmp_path, commits_on):
    """Two people and a case, made and changed by rjc commands on several days by KB and MR."""
    root = repo.root

    def run(*args: str, actor: str = "KB", day: str = "2026-03-02", stdin: str | None = None) -> str:
        monkeypatch.setenv("RJC_COORDINATOR", actor)
        commits_on(day)
        result = rjc("--records", root, *args, stdin=stdin)
        assert result.code == 0, result
        return result.out.strip()

    def new(kind: str, text: str, **when) -> str:
        source = tmp_path / "new.yaml"
        source.write_text(text, encoding="utf-8")
        return run("new", kind, "--from-file", str(source), **when)

    first = new("person", "given_name: Ana\nfamily_name: Rivera\n", day="2026-03-02")
    second = new("person", "given_name: Bruno\nfamily_name: Okafor\n", actor="MR", day="2026-03-03")
    case = new("case", f"program: restorative-panel\nparticipants:\n- person: {first}\n  role: responsible-party\n",
               day="2026-03-03")
    run("case", "note", case, "--kind", "phone", stdin="Left a message\n", actor="MR", day="2026-03-05")
    run("case", "note", case, "--kind", "in-person", stdin="Met at the office\n", day="2026-03-09")
    run("case", "status", case, "victim-contacted", actor="MR", day="2026-03-09")
    run.ids = (first, second, case)
    run.root = root
    run.new = new
    return run


def plain_commit(root: Path, relpath: str, text: str | None, subject: str, day: str) -> None:
    """A commit made with git alone, by someone rjc does not know: no trailers."""
    target = root / relpath
    if text is None:
        git(root, "rm", "-q", relpath)
    else:
        target.write_text(text, encoding="utf-8")
        git(root, "add", relpath)
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T12:00:00+00:00"}
    import subprocess

    subprocess.run(["git", "-c", "user.name=Outside Editor", "-c", "user.email=o@example.org",
                    "commit", "-q", "-m", subject], cwd=root, env=env, check=True)


def index_of(root: Path) -> Path:
    return private.location(root) / private.AUDIT


def test_after_rjc_commits_the_index_agrees_and_grows_with_each(worked):
    assert_audit_index_agrees(worked.root)  # built from the whole history
    first, _, case = worked.ids
    worked("case", "note", case, "--kind", "phone", stdin="Called back\n", day="2026-03-10")
    worked("case", "status", case, "panel-scheduled", actor="MR", day="2026-03-11")
    assert_audit_index_agrees(worked.root)  # extended by the two commits since


def test_commands_print_the_same_from_the_index_and_from_git(worked, rjc, monkeypatch):
    _, _, case = worked.ids
    for args in (["history", case], ["log", "--coordinator", "MR"], ["log", "--record", case, "--limit", "2"],
                 ["log", "--since", "2026-03-05", "--until", "2026-03-09"]):
        indexed = rjc("--records", worked.root, *args)
        monkeypatch.setenv("RJC_NO_CACHE", "1")
        walked = rjc("--records", worked.root, *args)
        monkeypatch.delenv("RJC_NO_CACHE")
        assert indexed.code == walked.code == 0
        assert indexed.out == walked.out and indexed.out
    assert index_of(worked.root).exists()
    assert oct(index_of(worked.root).stat().st_mode & 0o777) == "0o600"


def test_log_by_coordinator_and_record_reads_only_the_answer_from_git(worked, monkeypatch):
    _, second, case = worked.ids
    AuditIndex(Git(worked.root)).find()  # built
    walk = Git.iter_log

    def answer_only(self, **kwargs):  # reading given commits is allowed; walking history is not
        assert kwargs.get("only") is not None, f"walked git's history: {kwargs}"
        return walk(self, **kwargs)

    monkeypatch.setattr(Git, "iter_log", answer_only)
    commits = history.audit_log(Git(worked.root), actor="MR", index=AuditIndex(Git(worked.root)))
    assert [c.subject for c in commits] == [f"case status victim-contacted {case}", f"case note {case}",
                                            f"new person {second}"]
    commits = history.audit_log(Git(worked.root), record_id=case, since="2026-03-05", limit=2,
                                index=AuditIndex(Git(worked.root)))
    assert [c.subject for c in commits] == [f"case status victim-contacted {case}", f"case note {case}"]
    assert [c.action for c in history.record_history(Git(worked.root), case, AuditIndex(Git(worked.root)))] == [
        f"new case {case}", f"case note {case}", f"case note {case}", f"case status victim-contacted {case}"]


def test_after_plain_git_commits_outside_rjc(worked):
    first, second, _ = worked.ids
    assert_audit_index_agrees(worked.root)
    root = worked.root
    path = layout.parse_id(first).path
    text = (root / path).read_text(encoding="utf-8").replace("Rivera", "Rivera-Diaz")
    plain_commit(root, path, text, "fix a spelling", "2026-03-12")
    plain_commit(root, layout.parse_id(second).path, None, "remove a duplicate", "2026-03-12")
    assert_audit_index_agrees(root)
    changes = history.record_history(Git(root), second, AuditIndex(Git(root)))
    assert (changes[-1].actor, changes[-1].lines) == ("Outside Editor", ["deleted"])


def test_after_a_history_rewrite(worked):
    root = worked.root
    assert_audit_index_agrees(root)
    _, _, case = worked.ids
    # The last two commits undone, and a different change made in their place.
    git(root, "reset", "-q", "--hard", "HEAD~2")
    worked("case", "note", case, "--kind", "phone", stdin="A different note\n", day="2026-03-20")
    assert_audit_index_agrees(root)
    # Every commit rewritten (a filter over the whole history): nothing the index had is left.
    env = {**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"}
    import subprocess

    subprocess.run(["git", "filter-branch", "-f", "--msg-filter", "sed s/^case/Case/"], cwd=root, env=env,
                   check=True, capture_output=True)
    assert_audit_index_agrees(root)
    assert history.record_history(Git(root), case, AuditIndex(Git(root)))[-1].action.startswith("Case note")


def test_a_merge_commit_sets_the_index_aside_and_git_is_walked(worked):
    root = worked.root
    first, second, _ = worked.ids
    AuditIndex(Git(root)).find()  # built
    git(root, "checkout", "-q", "-b", "side", "HEAD~1")
    plain_commit(root, layout.parse_id(second).path, None, "remove on a side branch", "2026-03-12")
    git(root, "checkout", "-q", "main")
    git(root, "-c", "user.name=Outside Editor", "-c", "user.email=o@example.org", "merge", "-q", "--no-edit", "side")
    assert AuditIndex(Git(root)).find(path=layout.parse_id(first).path) is None
    repo_git = Git(root)
    assert history.audit_log(repo_git, record_id=second, index=AuditIndex(repo_git)) == \
        history.audit_log(repo_git, record_id=second)
    assert history.record_history(repo_git, second, AuditIndex(repo_git))[-1].lines == ["deleted"]


def test_a_deleted_index_is_built_again(worked):
    root = worked.root
    assert_audit_index_agrees(root)
    for found in private.location(root).glob(private.AUDIT + "*"):
        found.unlink()
    assert_audit_index_agrees(root)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong-commit", "missing-commit", "lost-touches",
                                    "unknown-tip"])
def test_a_corrupted_index_is_never_believed(worked, damage):
    root = worked.root
    _, _, case = worked.ids
    repo_git = Git(root)
    expected = history.record_history(repo_git, case)
    expected_log = history.audit_log(repo_git, actor="MR")
    AuditIndex(repo_git).find()
    path = index_of(root)
    if damage in ("garbage", "truncated"):
        for found in path.parent.glob(private.AUDIT + "-*"):
            found.unlink()
        path.write_bytes(b"not a database" * 100 if damage == "garbage" else path.read_bytes()[:1000])
    else:
        db = sqlite3.connect(path)
        if damage == "wrong-commit":  # the case's newest commit located at an older commit instead
            db.execute("UPDATE commits SET sha = (SELECT sha FROM commits WHERE seq = 1)"
                       " WHERE seq = (SELECT MAX(seq) FROM commits)")
        elif damage == "missing-commit":  # one of the case's commits forgotten
            db.execute("DELETE FROM touches WHERE seq = (SELECT MAX(seq) - 1 FROM commits)")
        elif damage == "lost-touches":  # complete up to HEAD, it says, but it lost which commit touched what
            db.execute("DELETE FROM touches")
        else:  # complete up to a commit this repository does not have (copied from another clone)
            db.execute("UPDATE meta SET value = ? WHERE key = 'tip'", ("1" * 40,))
        db.commit()
        db.close()
    assert history.record_history(repo_git, case, AuditIndex(repo_git)) == expected
    assert history.audit_log(repo_git, actor="MR", index=AuditIndex(repo_git)) == expected_log
    assert_audit_index_agrees(root)  # and, built again, it answers once more


def test_building_the_index_over_a_long_history_says_how_far_it_has_got(worked, rjc, monkeypatch):
    from rjc.cache import audit

    monkeypatch.setattr(audit, "BATCH", 2)
    monkeypatch.setattr(audit, "PROGRESS_EVERY", 4)
    _, _, case = worked.ids
    result = rjc("--records", worked.root, "history", case)
    assert result.code == 0
    assert result.err.splitlines() == [
        "indexing the history for rjc history and rjc log (once): 4 commits so far...",
        "indexing the history for rjc history and rjc log (once): 8 commits so far...",
    ]
    assert rjc("--records", worked.root, "history", case).err == ""  # once


def test_while_another_process_builds_the_index_a_command_walks_git(worked):
    root, (_, _, case) = worked.root, worked.ids
    AuditIndex(Git(root)).find()
    worked("case", "note", case, "--kind", "phone", stdin="Called again\n", day="2026-03-12")  # to index
    other = sqlite3.connect(index_of(root), timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another rjc, in the middle of indexing
    try:
        index = AuditIndex(Git(root))
        assert index.find(path=layout.parse_id(case).path) is None  # it does not wait, nor fail
        assert history.record_history(Git(root), case, index) == history.record_history(Git(root), case)
    finally:
        other.rollback()
        other.close()
    assert_audit_index_agrees(root)
