"""Crash safety: a change killed at any instant leaves the records as before or as after.

Each test runs rjc in a child process that is killed with SIGKILL (no clean-up of any kind),
then repairs with `rjc doctor` and checks that `rjc check` is clean, that nothing is torn, and
that every change rjc reported as committed is there.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import git
from rjc import layout

RJC = str(Path(sys.executable).parent / "rjc")


def _env(root: Path) -> dict:
    return {**os.environ, "RJC_RECORDS": str(root), "RJC_COORDINATOR": "KB"}


def _run(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([RJC, *args], env=_env(root), input=stdin, capture_output=True, text=True)


def _killed_at(root: Path, target: str, after_calls: int, *args: str, stdin: str = "",
               once_returned: bool = False) -> subprocess.CompletedProcess:
    """Run rjc in a child that SIGKILLs itself on call number after_calls + 1 of `target`
    ("module:attribute", the attribute possibly a class's method)."""
    module_name, _, attribute = target.partition(":")
    owner_path, _, name = attribute.rpartition(".")
    script = textwrap.dedent(f"""
        import importlib, os, signal
        owner = importlib.import_module({module_name!r})
        for part in {owner_path!r}.split(".") if {owner_path!r} else []:
            owner = getattr(owner, part)
        original = getattr(owner, {name!r})
        calls = [0]
        def dying(*args, **kwargs):
            calls[0] += 1
            if calls[0] > {after_calls} and not {once_returned}:
                os.kill(os.getpid(), signal.SIGKILL)
            result = original(*args, **kwargs)
            if calls[0] > {after_calls}:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(owner, {name!r}, dying)
        from rjc.cli.main import main
        main()
    """)
    return subprocess.run([sys.executable, "-c", script, *args], env=_env(root), input=stdin,
                          capture_output=True, text=True)


def _accepting(repo, rjc) -> str:
    """A pending referral about a new person: accepting it writes two files in one commit."""
    person = rjc("--records", repo.root, "new", "person", "-f", "-", stdin="given_name: Ana\n").out.strip()
    referral = rjc("--records", repo.root, "new", "referral", "-f", "-",
                   stdin=f"received: 2026-11-02\nprogram: mediation\nsource: self\n"
                         f"people:\n- person: {person}\n  role: party\n").out.strip()
    return referral


def _clean(root: Path) -> None:
    doctor = _run(root, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    check = _run(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("target, calls, returned, state", [
    ("rjc.transaction:write_atomically", 1, False, "before"),  # the journal written, no record yet
    ("rjc.transaction:write_atomically", 2, False, "before"),  # one of the two files written
    ("rjc.gitrepo:Git.commit_paths", 0, False, "before"),  # both files written, no commit
    ("rjc.gitrepo:Git.run", 1, False, "before"),  # during git add
    ("rjc.gitrepo:Git.commit_paths", 0, True, "after"),  # committed, the journal still there
])
def test_a_change_killed_at_each_step_is_undone_or_kept_whole(repo, rjc, target, calls, returned, state):
    referral = _accepting(repo, rjc)
    head = git(repo.root, "rev-parse", "HEAD")
    killed = _killed_at(repo.root, target, calls, "referral", "accept", referral, once_returned=returned)
    assert killed.returncode == -signal.SIGKILL
    warned = _run(repo.root, "list", "cases")
    assert "run: rjc doctor" in warned.stderr
    refused = _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n")
    assert refused.returncode == 1 and "interrupted; run: rjc doctor" in refused.stderr
    doctor = _run(repo.root, "doctor")
    assert doctor.returncode == 0 and "an interrupted change (rjc referral accept" in doctor.stdout
    assert ("not been committed" if state == "before" else "had been committed") in doctor.stdout
    _clean(repo.root)
    decision = repo.get(referral).screening.decision
    if state == "before":
        assert git(repo.root, "rev-parse", "HEAD") == head and decision == "pending"
        assert list(layout.record_paths(repo.root, [layout.KINDS["case"]])) == []
    else:
        assert git(repo.root, "rev-parse", "HEAD") != head and decision == "accepted"
        assert len(layout.record_paths(repo.root, [layout.KINDS["case"]])) == 1


def test_doctor_removes_a_stale_git_lock_and_temporary_files(repo, rjc):
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 60
    os.utime(lock, (old, old))
    temp = repo.root / "people" / ".P-2026-KB-0001.yaml.4242.tmp"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_text("half")
    doctor = _run(repo.root, "doctor")
    assert "index.lock was left" in doctor.stdout and "temporary file" in doctor.stdout
    assert not lock.exists() and not temp.exists()
    assert _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n").returncode == 0
    assert _run(repo.root, "doctor").stdout.strip() == "nothing to repair"


def test_doctor_lists_hand_edits_and_commits_them_only_when_valid(repo, rjc):
    person = rjc("--records", repo.root, "new", "person", "-f", "-", stdin="given_name: Ana\n").out.strip()
    path = repo.root / layout.parse_id(person).path
    path.write_text(path.read_text() + "pronouns: she/her\n")
    listed = _run(repo.root, "doctor")
    assert listed.returncode == 1 and layout.parse_id(person).path in listed.stdout
    path.write_text(path.read_text() + "shoe_size: 9\n")
    refused = _run(repo.root, "doctor", "--commit-edits")
    assert refused.returncode == 1 and "unknown field 'shoe_size'" in refused.stderr
    path.write_text(path.read_text().replace("shoe_size: 9\n", ""))
    committed = _run(repo.root, "doctor", "--commit-edits")
    assert committed.returncode == 0, committed.stderr
    assert git(repo.root, "log", "-1", "--format=%s").strip() == f"hand edits {person}"
    assert git(repo.root, "status", "--porcelain") == ""


def test_doctor_makes_files_owner_only(repo):
    record_dir = repo.root / "people"
    record_dir.mkdir(exist_ok=True)
    os.chmod(record_dir, 0o755)
    os.chmod(repo.root / layout.SETTINGS_FILE, 0o644)
    doctor = _run(repo.root, "doctor")
    assert "made them owner-only" in doctor.stdout
    assert (record_dir.stat().st_mode & 0o077, (repo.root / layout.SETTINGS_FILE).stat().st_mode & 0o077) == (0, 0)


def _kill_trials(repo, rjc, trials: int, seed: int) -> None:
    rng = random.Random(seed)
    acknowledged: list[str] = []
    for trial in range(trials):
        process = subprocess.Popen([RJC, "new", "person", "-f", "-"], env=_env(repo.root), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.stdin.write(f"given_name: Trial{trial}\n")
        process.stdin.close()
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        out = process.stdout.read()
        process.wait()
        if process.returncode == 0 and out.strip():
            acknowledged.append(out.strip())
        _clean(repo.root)
        for record_id in acknowledged:
            assert repo.get(record_id).given_name.startswith("Trial")
        for path in layout.record_paths(repo.root):  # never a torn file
            assert (repo.root / path).read_text().endswith("\n")


def test_a_handful_of_kills_at_random_instants(repo, rjc):
    _kill_trials(repo, rjc, 6, seed=7)


@pytest.mark.slow
def test_a_hundred_kills_at_random_instants(repo, rjc):
    _kill_trials(repo, rjc, 120, seed=11)
