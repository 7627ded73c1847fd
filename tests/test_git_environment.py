"""The environment git runs in is an allowlist: an inherited git setting can never backdate an
audit entry, write it into another repository, or store its objects somewhere else."""

from __future__ import annotations

import datetime as dt
import shutil
import struct

from helpers import git

PERSON = "given_name: Ana\nfamily_name: Rivera\n"


def new_person(rjc, root) -> str:
    result = rjc("--records", root, "new", "person", "-f", "-", stdin=PERSON)
    assert result.code == 0, result.err
    return result.out.strip()


def test_an_inherited_author_or_committer_date_does_not_backdate_a_commit(repo, rjc, monkeypatch):
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2001-01-01T09:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2001-01-01T09:00:00+00:00")
    new_person(rjc, repo.root)
    dates = git(repo.root, "log", "-1", "--format=%aI %cI").split()
    assert [d[:10] for d in dates] == [dt.date.today().isoformat()] * 2


def test_an_inherited_common_dir_does_not_redirect_a_commit(repo, rjc, monkeypatch, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(repo.root / ".git", other)
    before = git(repo.root, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("GIT_COMMON_DIR", str(other))
    person = new_person(rjc, repo.root)
    monkeypatch.delenv("GIT_COMMON_DIR")
    assert git(repo.root, "rev-parse", "HEAD~1").strip() == before  # the commit is in the records' own history
    assert person in git(repo.root, "log", "-1", "--format=%s")
    assert git(other.parent / "other", "--git-dir", str(other), "rev-parse", "HEAD").strip() == before  # untouched


def test_inherited_object_directories_do_not_take_a_commit_s_objects(repo, rjc, monkeypatch, tmp_path):
    # A twin made the same change first: with its objects as alternates, git would find the new
    # person's blob and trees there and not store them in the records' own repository.
    twin = tmp_path / "twin"
    shutil.copytree(repo.root, twin)
    new_person(rjc, twin)
    monkeypatch.setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", str(twin / ".git" / "objects"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(tmp_path / "elsewhere"))
    new_person(rjc, repo.root)
    monkeypatch.delenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")
    monkeypatch.delenv("GIT_OBJECT_DIRECTORY")
    shutil.rmtree(twin)
    assert git(repo.root, "fsck", "--full", "--no-dangling").strip() == ""
    assert not (tmp_path / "elsewhere").exists()


def test_an_inherited_index_version_does_not_change_the_index(rjc, monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_INDEX_VERSION", "2")
    result = rjc("init", tmp_path / "records", "--center", "Test Center", "--code", "KB", "--name", "Kim Bell")
    assert result.code == 0, result.err
    header = (tmp_path / "records" / ".git" / "index").read_bytes()[:8]
    assert header[:4] == b"DIRC" and struct.unpack(">I", header[4:])[0] == 4  # feature.manyFiles: version 4


def test_inherited_config_parameters_do_not_reach_git(repo, rjc, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.email")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "someone@elsewhere.invalid")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'user.name'='Someone Else'")
    new_person(rjc, repo.root)
    assert git(repo.root, "log", "-1", "--format=%an <%ae>").strip() == "Kim Bell <kb@example.org>"
