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

from rjc.storage import layout, private

from helpers import git

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
    assert _git_locks(root) == []


@pytest.mark.parametrize("target, calls, returned, state", [
    ("rjc.storage.transaction:write_atomically", 1, False, "before"),  # the journal written, no record yet
    ("rjc.storage.transaction:write_atomically", 2, False, "before"),  # one of the two files written
    ("rjc.storage.gitrepo:Git.commit_paths", 0, False, "before"),  # both files written, no commit
    ("rjc.storage.gitrepo:Git.run", 1, False, "before"),  # during git add
    ("rjc.storage.gitrepo:Git.commit_paths", 0, True, "after"),  # committed, the journal still there
])
def test_a_change_killed_at_each_step_is_undone_or_kept_whole(repo, rjc, target, calls, returned, state):
    referral = _accepting(repo, rjc)
    head = git(repo.root, "rev-parse", "HEAD")
    killed = _killed_at(repo.root, target, calls, "referral", "accept", referral, once_returned=returned)
    assert killed.returncode == -signal.SIGKILL
    warned = _run(repo.root, "list", "cases")
    assert "warning: found an interrupted rjc change; run: rjc doctor" in warned.stderr.splitlines()
    refused = _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n")
    assert refused.returncode == 1 and refused.stderr.splitlines()[-1] == "Error: an earlier rjc change, sync or seal was interrupted; run: rjc doctor"
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
    temp = repo.root / "people" / ".P-2026-KB-0001.yaml.4242.tmp"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_text("half")
    doctor = _run(repo.root, "doctor")
    assert doctor.stdout == ("a git lock file left by a git command that is no longer running: removed .git/index.lock\n"
                             "1 temporary file(s) of an interrupted write: removed them\n")
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


# --- kills inside git's own commit ---------------------------------------------------------
# rjc commits with --no-verify, which skips the commit hooks but not reference-transaction. On
# "prepared", git commit holds index.lock, HEAD.lock and the branch's lock; on "committed" the
# branch has moved and index.lock is still held. What the hook does, and in which state, is read
# from a file the test writes ("prepared kill"; none: nothing), once.

HOOK = """#!/bin/sh
[ -e "{git_dir}/test-hook-action" ] || exit 0
read -r state action < "{git_dir}/test-hook-action"
[ "$1" = "$state" ] || exit 0
rm -f "{git_dir}/test-hook-action"
case "$action" in
kill) kill -9 $PPID ;;
hold) echo $PPID > "{git_dir}/test-hook-held"
      i=0; while [ ! -e "{git_dir}/test-hook-release" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done ;;
pause) echo $PPID > "{git_dir}/test-hook-held"; sleep 0.3 ;;
esac
exit 0
"""


def _install_hook(root: Path) -> Path:
    git_dir = root / ".git"
    hook = git_dir / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(HOOK.format(git_dir=git_dir))
    hook.chmod(0o700)
    return git_dir


def _wait_for(condition, what: str) -> None:
    """Wait (up to a minute) for something another process does; no assertion about how long."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaped counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def _git_locks(root: Path) -> list[str]:
    git_dir = root / ".git"
    return sorted(str(p.relative_to(git_dir)) for p in git_dir.rglob("*.lock")
                  if p.relative_to(git_dir).parts[0] != private.DIR)


def _state(repo, referral: str) -> str:
    """'before' or 'after' accepting the referral, asserting it is wholly one of them."""
    decision = repo.get(referral).screening.decision
    cases = list(layout.record_paths(repo.root, [layout.KINDS["case"]]))
    assert (decision, len(cases)) in (("pending", 0), ("accepted", 1)), (decision, cases)
    return "before" if decision == "pending" else "after"


@pytest.mark.parametrize("state", ["prepared", "committed"])
def test_git_commit_killed_while_holding_its_locks(repo, rjc, state):
    referral = _accepting(repo, rjc)
    head = git(repo.root, "rev-parse", "HEAD")
    git_dir = _install_hook(repo.root)
    (git_dir / "test-hook-action").write_text(f"{state} kill")
    failed = _run(repo.root, "referral", "accept", referral)
    assert failed.returncode == 1
    assert failed.stderr.strip().endswith("Error: git commit was killed (signal 9); run: rjc doctor")
    next_index = next(git_dir.glob("next-index-*.lock")).name  # git commit --only's own index
    locks = ["HEAD.lock", "index.lock", next_index, "refs/heads/main.lock"] if state == "prepared" \
        else ["index.lock", next_index]
    assert _git_locks(repo.root) == locks
    shown = ", ".join(f".git/{lock}" for lock in locks)
    warned = _run(repo.root, "list", "cases")
    assert warned.stderr.startswith(f"warning: found an interrupted rjc change and git lock files left behind "
                                    f"({shown}); run: rjc doctor\n")
    doctor = _run(repo.root, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    outcome = "it had not been committed, so its files were put back as they were" if state == "prepared" \
        else "it had been committed, so it stays; the index and its files now match it"
    assert doctor.stdout == (
        f"{len(locks)} git lock files left by a git command that is no longer running: removed {shown}\n"
        f"an interrupted change (rjc referral accept, 2 file(s)): {outcome}\n")
    assert _git_locks(repo.root) == []
    assert git(repo.root, "status", "--porcelain") == ""
    if state == "prepared":
        assert git(repo.root, "rev-parse", "HEAD") == head and _state(repo, referral) == "before"
        accepted = _run(repo.root, "referral", "accept", referral)
        assert accepted.returncode == 0, accepted.stderr
    assert _state(repo, referral) == "after" and git(repo.root, "status", "--porcelain") == ""
    assert _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n").returncode == 0
    assert _run(repo.root, "doctor").stdout.strip() == "nothing to repair"


def test_rjc_killed_while_its_git_commit_goes_on(repo, rjc):
    """The orphaned git commit finishes after rjc is gone: doctor waits for it, then judges."""
    referral = _accepting(repo, rjc)
    git_dir = _install_hook(repo.root)
    (git_dir / "test-hook-action").write_text("prepared hold")
    process = subprocess.Popen([RJC, "referral", "accept", referral], env=_env(repo.root),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    held = git_dir / "test-hook-held"
    _wait_for(held.exists, "git commit to reach its ref update")
    _wait_for(lambda: held.read_text().strip() != "", "the hook to name git commit's pid")
    git_pid = int(held.read_text())
    process.kill()
    process.communicate()
    doctor = subprocess.Popen([RJC, "doctor"], env=_env(repo.root), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    first = doctor.stderr.readline()
    (git_dir / "test-hook-release").write_text("")
    out, err = doctor.communicate()
    _wait_for(lambda: _gone(git_pid), "git commit to finish")
    assert git(repo.root, "status", "--porcelain") == "" and _git_locks(repo.root) == []
    assert _state(repo, referral) == "after"
    assert first == f"waiting for a git command still running in this repository (pid {git_pid}) to finish...\n"
    assert doctor.returncode == 0, out + first + err
    assert out == "an interrupted change (rjc referral accept, 2 file(s)): " \
                  "it had been committed, so it stays; the index and its files now match it\n"
    assert _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n").returncode == 0
    assert git(repo.root, "status", "--porcelain") == ""


@pytest.mark.parametrize("lock", ["index.lock", "HEAD.lock", "refs/heads/main.lock", "refs/remotes/origin/main.lock",
                                  "packed-refs.lock", "config.lock", "shallow.lock", "next-index-4242.lock"])
def test_doctor_removes_each_kind_of_git_lock_left_behind(repo, rjc, lock):
    path = repo.root / ".git" / lock
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    warned = _run(repo.root, "list", "cases")
    assert f"warning: found a git lock file left behind (.git/{lock}); run: rjc doctor\n" in warned.stderr
    blocked = _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n")
    if lock in ("index.lock", "HEAD.lock", "refs/heads/main.lock"):  # the ones a commit takes
        assert blocked.returncode == 1 and blocked.stderr.endswith(
            f" failed: .git/{lock} exists (a git command is running here, or one was killed and left it); "
            "run: rjc doctor\n"), blocked.stderr
        assert git(repo.root, "status", "--porcelain") == ""  # the refused change left nothing behind
    doctor = _run(repo.root, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert doctor.stdout == f"a git lock file left by a git command that is no longer running: removed .git/{lock}\n"
    assert not path.exists()
    assert _run(repo.root, "new", "person", "-f", "-", stdin="given_name: Bo\n").returncode == 0
    assert _run(repo.root, "doctor").stdout.strip() == "nothing to repair"


def test_a_lock_held_by_a_running_git_is_left_alone(repo, rjc, monkeypatch):
    git_dir = _install_hook(repo.root)
    (git_dir / "test-hook-action").write_text("prepared hold")
    committing = subprocess.Popen(["git", "-c", "user.name=Kim Bell", "-c", "user.email=kb@example.org",
                                   "commit", "--quiet", "--allow-empty", "-m", "by hand"], cwd=repo.root,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    held = git_dir / "test-hook-held"
    _wait_for(lambda: held.exists() and held.read_text().strip() != "", "git commit to reach its ref update")
    assert "git lock" not in _run(repo.root, "list", "cases").stderr  # its owner is alive: no leftover
    doctor = subprocess.run([RJC, "doctor"], env=_env(repo.root) | {"RJC_GIT_WAIT": "0.5"},
                            capture_output=True, text=True)
    assert doctor.returncode == 1
    assert doctor.stderr == (
        f"waiting for a git command still running in this repository (pid {committing.pid}) to finish...\n"
        f"Error: a git command is still running in this repository (pid {committing.pid}); nothing was "
        "repaired: run rjc doctor again once it has finished\n")
    assert _git_locks(repo.root) == ["HEAD.lock", "refs/heads/main.lock"]
    (git_dir / "test-hook-release").write_text("")
    assert committing.wait() == 0
    assert _git_locks(repo.root) == []
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "by hand"
    assert _run(repo.root, "doctor").stdout.strip() == "nothing to repair"


def test_commit_edits_says_when_there_was_nothing_to_commit(repo, rjc):
    person = rjc("--records", repo.root, "new", "person", "-f", "-", stdin="given_name: Ana\n").out.strip()
    path = repo.root / layout.parse_id(person).path
    original = path.read_text()
    path.write_text(original + "pronouns: she/her\n")
    git(repo.root, "add", "--", str(path))
    path.write_text(original)  # staged, then undone on disk: git status lists it, a commit holds nothing
    head = git(repo.root, "rev-parse", "HEAD")
    done = _run(repo.root, "doctor", "--commit-edits")
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1 record file(s) changed outside rjc: they hold what the last commit has: nothing was committed\n"
    assert git(repo.root, "status", "--porcelain") == ""


# What git's commit does in a trial of the drill: nothing special; paused while it holds its
# locks, before or after the branch moves, while rjc is killed (git goes on without it); or
# killed there itself.
GIT_STEPS = [None, "prepared pause", "committed pause", "prepared kill", "committed kill"]


def _kill_trials(repo, rjc, trials: int, seed: int, *, inside_git: bool = False) -> None:
    rng = random.Random(seed)
    acknowledged: list[str] = []
    git_dir = _install_hook(repo.root) if inside_git else None
    for trial in range(trials):
        step = rng.choice(GIT_STEPS) if git_dir else None
        if git_dir:
            (git_dir / "test-hook-action").unlink(missing_ok=True)
            (git_dir / "test-hook-held").unlink(missing_ok=True)
            if step:
                (git_dir / "test-hook-action").write_text(step)
        process = subprocess.Popen([RJC, "new", "person", "-f", "-"], env=_env(repo.root), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.stdin.write(f"given_name: Trial{trial}\n")
        process.stdin.close()
        if step and step.endswith("pause"):  # the kill lands while git's commit is paused
            _wait_for(lambda p=process: (git_dir / "test-hook-held").exists() or p.poll() is not None,
                      "git commit to pause")
            time.sleep(rng.uniform(0.0, 0.25))
        else:
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


def test_a_handful_of_kills_with_git_held_or_killed_inside_its_commit(repo, rjc):
    _kill_trials(repo, rjc, 8, seed=5, inside_git=True)


@pytest.mark.slow
def test_a_hundred_kills_at_random_instants(repo, rjc):
    _kill_trials(repo, rjc, 120, seed=11)


@pytest.mark.slow
def test_a_hundred_kills_with_git_held_or_killed_inside_its_commit(repo, rjc):
    _kill_trials(repo, rjc, 120, seed=13, inside_git=True)
