"""Plain git on the records: `git merge` / `git pull` merge records field by field through rjc's
merge driver (the same merge as rjc sync), and a pre-commit hook checks hand edits before git
commits them. Real repositories, real git, the driver and hook run by git itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_sync import CLONES, clones, new_case, new_person, path_of, run  # noqa: F401  (fixtures)

from helpers import git

ROOT = Path(__file__).resolve().parent.parent
IDENTITY = {"GIT_AUTHOR_NAME": "Mo Reyes", "GIT_AUTHOR_EMAIL": "mr@example.org",
            "GIT_COMMITTER_NAME": "Mo Reyes", "GIT_COMMITTER_EMAIL": "mr@example.org"}
PYTHON = sys.executable


def plain_git(root: Path, *args: str) -> subprocess.CompletedProcess:
    """git as an administrator runs it: its hooks and merge drivers run, nothing is checked here."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=os.environ | IDENTITY)


def test_init_and_clone_set_up_git_merges(clones):  # noqa: F811
    a, b = clones
    for clone in (a, b):
        assert git(clone, "config", "merge.rjc.driver").strip() == f"{PYTHON} -m rjc merge-file %O %A %B %P"
        assert git(clone, "config", "merge.rjc.name").strip() == "rjc: records merged field by field"
        assert git(clone, "check-attr", "merge", "--", "cases/2026/KB/C-2026-KB-0001.yaml").strip() \
            == "cases/2026/KB/C-2026-KB-0001.yaml: merge: rjc"
    assert (a / ".gitattributes").read_text() == ("# git merges records field by field, as rjc sync does "
                                                  "(rjc merge-file)\n*.yaml merge=rjc\n")


def _shared_case(run, a: Path, b: Path, tmp_path: Path) -> str:  # noqa: F811
    case = new_case(run, a, tmp_path, new_person(run, a, tmp_path, "Ana", "Rivera"))
    run(a, "sync")
    run(b, "sync")
    return case


def test_git_pull_merges_different_fields_exactly_as_rjc_sync_does(clones, run, tmp_path):  # noqa: F811
    a, b = clones
    case = _shared_case(run, a, b, tmp_path)
    run(a, "case", "status", case, "victim-contacted")
    run(a, "sync")
    run(b, "case", "note", case, "--kind", "phone", stdin="called back\n")
    path = path_of(case)
    twin = tmp_path / "twin"
    shutil.copytree(b, twin, symlinks=True)
    git(twin, "config", "remote.origin.url", str(tmp_path / "remote.git"))

    pulled = plain_git(b, "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    run(twin, "sync", "--no-push")
    assert (b / path).read_bytes() == (twin / path).read_bytes()
    assert run(b, "check").err == "all records valid\n"
    # git alone would have stopped on it: both sides added lines at the same place
    versions = {}
    for name, rev in (("base", "HEAD^1^"), ("ours", "HEAD^1"), ("theirs", "HEAD^2")):
        versions[name] = tmp_path / name
        versions[name].write_text(git(b, "show", f"{rev}:{path}"))
    line_merge = subprocess.run(["git", "merge-file", "-p", str(versions["ours"]), str(versions["base"]),
                                 str(versions["theirs"])], capture_output=True)
    assert line_merge.returncode == 1


def test_git_merge_of_a_field_changed_on_both_sides_is_a_conflict_rjc_check_names(clones, run, tmp_path):  # noqa: F811
    a, b = clones
    case = _shared_case(run, a, b, tmp_path)
    run(a, "case", "status", case, "victim-contacted")
    run(a, "sync")
    run(b, "case", "close", case, "--reason", "declined")
    path = path_of(case)
    kept = (b / path).read_text()

    pulled = plain_git(b, "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert pulled.returncode == 1
    assert f"CONFLICT (content): Merge conflict in {path}" in pulled.stdout
    assert (f"{path}: changed on both sides (status_history); this side's values are kept and both are listed "
            f"under merge_conflicts: keep one of each, delete merge_conflicts, then git add {path} "
            f"(rjc check lists what is left)") in pulled.stderr
    assert git(b, "status", "--porcelain", "--", path) == f"UU {path}\n"
    text = (b / path).read_text()
    assert text.startswith(kept) and "\nmerge_conflicts:\n- field: status_history\n  ours:\n" in text
    assert "  - status: victim-contacted\n" in text.split("  theirs:\n")[1]  # origin's value, for the choice
    checked = run(b, "check", code=1)
    assert checked.out == (f"{path}:10:1: error: status_history: changed on both sides of a git merge; this "
                           f"side's value is kept, both are under merge_conflicts: keep one, then delete "
                           f"merge_conflicts [merge-conflict]\n")
    # the repair: keep one value (here this side's, already in place), drop the list, commit
    (b / path).write_text(kept)
    plain_git(b, "add", path)
    assert plain_git(b, "commit", "--no-edit").returncode == 0
    assert run(b, "check").err == "all records valid\n"


def test_doctor_sets_up_git_merges_in_an_older_repository(repo, rjc):
    git(repo.root, "rm", "--quiet", ".gitattributes")
    plain_git(repo.root, "commit", "--quiet", "-m", "before merge drivers")
    git(repo.root, "config", "--unset", "merge.rjc.driver")
    doctor = rjc("--records", repo.root, "doctor")
    assert doctor.code == 0, doctor.err
    lines = doctor.out.splitlines()
    assert lines[0] == (f"git's merge driver for records is not set up in this clone: set it to {PYTHON} -m rjc "
                        f"merge-file: git merges records field by field, as rjc sync does")
    assert lines[1].startswith(".gitattributes does not send records to rjc's merge driver (a git merge would "
                               "merge them line by line): added '*.yaml merge=rjc' and committed it (")
    assert git(repo.root, "log", "-1", "--format=%s", "--", ".gitattributes") == "merge records field by field in git\n"
    assert git(repo.root, "config", "merge.rjc.driver").strip() == f"{PYTHON} -m rjc merge-file %O %A %B %P"
    assert rjc("--records", repo.root, "doctor").out == "nothing to repair\n"


def test_doctor_repoints_a_merge_driver_whose_rjc_is_gone(repo, rjc):
    git(repo.root, "config", "merge.rjc.driver", "/gone/bin/python -m rjc merge-file %O %A %B %P")
    doctor = rjc("--records", repo.root, "doctor")
    assert doctor.out == (f"git's merge driver for records names /gone/bin/python, which is gone: set it to "
                          f"{PYTHON} -m rjc merge-file: git merges records field by field, as rjc sync does\n")


# --- the pre-commit hook -----------------------------------------------------------------------


def test_pre_commit_hook_refuses_a_bad_hand_edit_and_takes_a_good_one(rjc, tmp_path):
    root = tmp_path / "center"
    made = rjc("init", root, "--center", "C", "--code", "KB", "--name", "Kim Bell", "--hooks", "--no-input")
    assert made.code == 0, made.err
    hook = root / ".git" / "hooks" / "pre-commit"
    assert hook.read_text() == (f"#!/bin/sh\n# installed by rjc: check the records about to be committed\n"
                                f"exec {PYTHON} -m rjc check --staged\n")
    (tmp_path / "p.yaml").write_text("given_name: Ana\nfamily_name: Rivera\n")
    person = rjc("--records", root, "new", "person", "--from-file", tmp_path / "p.yaml").out.strip()
    path = path_of(person)
    good = (root / path).read_text()
    head = git(root, "rev-parse", "HEAD")

    (root / path).write_text(good.replace("family_name: Rivera", "famly_name: Rivera"))
    plain_git(root, "add", path)
    (root / path).write_text(good)  # the staged version is the one checked, not the working tree's
    refused = plain_git(root, "commit", "-m", "hand edit")
    assert refused.returncode == 1
    assert refused.stderr == (f"{path}:5:1: error: unknown field 'famly_name' (did you mean 'family_name'?) "
                              f"[unknown-field]\n1 error, 0 warnings\n")
    assert git(root, "rev-parse", "HEAD") == head

    (root / path).write_text(good.replace("family_name: Rivera", "family_name: Rivera-Lopez"))
    accepted = plain_git(root, "commit", "-m", "hand edit", "--", path)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "the staged files are valid" in accepted.stderr
    assert git(root, "rev-parse", "HEAD") != head


def test_pre_commit_hooks_manifest_is_valid_for_the_pre_commit_framework():
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["language"], hook["files"], hook["pass_filenames"]) == \
        ("rjc-check", "rjc check --staged", "python", r"\.yaml$", False)
