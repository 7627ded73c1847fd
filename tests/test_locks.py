"""The one lock module: waiting, giving up with the caller's message, owner-only files, and a lock
that dies with its holder."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys

import pytest

from rjc.storage import locks
from rjc.storage.errors import RjcError

HOLDER = """
import sys
from pathlib import Path
from rjc.storage import locks
with locks.hold(Path(sys.argv[1]), busy="held elsewhere"):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin, or kills us
"""


@pytest.fixture
def other_process():
    """Start another process holding the lock at a path; it holds it until stopped or killed."""
    started = []

    def start(path):
        process = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout.readline() == "held\n"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_a_lock_held_by_another_process_is_waited_for_then_refused_with_the_callers_message(tmp_path, other_process):
    path = tmp_path / "write.lock"
    other_process(path)
    told = []
    with pytest.raises(RjcError) as info:
        with locks.hold(path, timeout=0.3, on_wait=lambda: told.append(1), busy="another is writing; try again later"):
            pass
    assert str(info.value) == "another is writing; try again later"
    assert told == [1]  # told once, however long the wait


def test_without_a_timeout_one_try_and_no_waiting_message(tmp_path, other_process):
    path = tmp_path / "send.lock"
    other_process(path)
    told = []
    with pytest.raises(RjcError) as info:
        with locks.hold(path, on_wait=lambda: told.append(1), busy="another is sending; nothing was sent"):
            pass
    assert str(info.value) == "another is sending; nothing was sent"
    assert told == []


def test_a_lock_is_taken_once_its_holder_lets_go(tmp_path, other_process):
    path = tmp_path / "write.lock"
    holder = other_process(path)
    holder.stdin.close()  # the holder leaves its block and exits; we wait for it meanwhile
    with locks.hold(path, timeout=60, busy="never"):
        pass
    assert holder.wait() == 0


def test_a_lock_dies_with_its_holder(tmp_path, other_process):
    path = tmp_path / "write.lock"
    holder = other_process(path)
    assert locks.held(path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert path.exists()  # the file stays behind, the lock does not
    assert not locks.held(path)
    with locks.hold(path, busy="never"):  # one try is enough
        pass


def test_lock_files_are_owner_only_whatever_the_umask(tmp_path):
    path = tmp_path / "write.lock"
    old = os.umask(0o022)
    try:
        with locks.hold(path, busy="never"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_asking_whether_a_lock_is_held_creates_nothing(tmp_path):
    path = tmp_path / "write.lock"
    assert not locks.held(path)
    assert not path.exists()
