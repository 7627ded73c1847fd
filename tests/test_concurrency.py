"""Many rjc processes at once: writes queue on the lock, each change lands in its own commit,
and readers are never held up by a writer.

Every process here is the installed `rjc` executable (the one cron and coordinators run), not
rjc called in-process, so the lock, the commit and the exit codes are the real ones.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rjc.model import SCHEMA_VERSION, Person
from rjc.storage import store

from helpers import git

YEAR = dt.date.today().year
RJC = Path(sys.executable).parent / "rjc"
WAITING = "waiting for another rjc to finish writing..."
LEFTOVER_WARNING = "run: rjc doctor"


def env_for(root: Path, coordinator: str = "KB") -> dict[str, str]:
    return {**os.environ, "RJC_RECORDS": str(root), "RJC_COORDINATOR": coordinator, "RJC_LOCK_TIMEOUT": "120"}


def start(root: Path, *args: str, coordinator: str = "KB", stdin: bytes | None = None) -> subprocess.Popen:
    process = subprocess.Popen([str(RJC), *args], env=env_for(root, coordinator), cwd=root,
                               stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin is not None:  # written at once (it fits the pipe), so every process starts at once
        process.stdin.write(stdin)
        process.stdin.close()
        process.stdin = None
    return process


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out.decode(), err.decode()


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def person(n: int) -> bytes:
    return f"given_name: Writer{n:02d}\nfamily_name: Concurrent\nphone: '802-555-{n:04d}'\n".encode()


# --- many writers -----------------------------------------------------------------------------


def test_twenty_concurrent_writers_each_land_in_their_own_commit(repo):
    root = repo.root
    before = head(root)
    # Two coordinators' clones share nothing but the lock here: half write as KB, half as MR.
    coordinators = ["KB" if n % 2 else "MR" for n in range(20)]
    writers = [start(root, "new", "person", "-f", "-", coordinator=code, stdin=person(n))
               for n, code in enumerate(coordinators)]
    results = [finish(w) for w in writers]
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "internal error" not in err
    assert any(WAITING in err for _, _, err in results)  # they did contend for the lock
    ids = [out.strip() for _, out, _ in results]
    assert len(set(ids)) == 20
    assert sorted(ids) == sorted([f"P-{YEAR}-KB-{n:04d}" for n in range(1, 11)] +
                                 [f"P-{YEAR}-MR-{n:04d}" for n in range(1, 11)])

    commits = git(root, "rev-list", "--reverse", f"{before}..HEAD").split()
    assert len(commits) == 20
    written_by = {}  # id -> the writer whose fields its file holds
    for sha in commits:
        touched = git(root, "show", "--name-only", "--format=", sha).split()
        assert len(touched) == 1, (sha, touched)  # each commit holds its own file only
        (relpath,) = touched
        subject = git(root, "log", "-1", "--format=%s", sha).strip()
        record_id = Path(relpath).stem
        assert subject == f"new person {record_id}"
        loaded = store.parse_record(relpath, git(root, "show", f"{sha}:{relpath}"))
        assert loaded.problems == [] and loaded.record.id == record_id
        written_by[record_id] = int(loaded.record.given_name.removeprefix("Writer"))
    # the file each writer's id names holds that writer's own fields, by the coordinator it wrote as
    for n, record_id in enumerate(ids):
        assert written_by[record_id] == n
        assert f"-{coordinators[n]}-" in record_id
    assert git(root, "rev-list", "--count", "HEAD") == f"{int(git(root, 'rev-list', '--count', before)) + 20}\n"

    code, out, err = finish(start(root, "check"))
    assert code == 0 and (out + err).strip() == "all records valid", out + err
    assert git(root, "status", "--porcelain") == ""


# --- readers and a writer while the lock is held ------------------------------------------------

HOLDER = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from rjc.storage.transaction import begin_journal, write_lock
    root = Path(sys.argv[1])
    with write_lock(root):
        if sys.argv[2:] == ["--journal"]:  # where every writer is between its journal and its commit
            journal = begin_journal(root, "new", {"people/x.yaml": None}, {"people/x.yaml": "x"})
        print("locked", flush=True)
        sys.stdin.readline()  # held until the test says so, or ends (end of input)
        if sys.argv[2:] == ["--journal"]:
            journal.unlink()
    """)


class LockHolder:
    """Another process holding rjc's write lock (as a writer in the middle of its change) until
    `release()`: nothing the test does can be mistaken for finishing before the lock is let go."""

    def __init__(self, root: Path, *options: str):
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), *options], env=env_for(root),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def holding(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        if self.holding():
            self.process.communicate("release\n", timeout=30)
        assert self.process.returncode == 0


@pytest.fixture
def with_people(repo):
    with repo.transaction("test") as tx:
        for n in range(1, 4):
            tx.stage(Person(id=f"P-{YEAR}-KB-{n:04d}", schema_version=SCHEMA_VERSION, given_name=f"Reader{n}"))
        tx.commit("new person")
    return repo.root


READERS = (["list", "people"], ["check"], ["show", f"P-{YEAR}-KB-0001"], ["history", f"P-{YEAR}-KB-0001"],
           ["log"], ["remind"])
READER_LIMIT = 20  # seconds: a reader that waited for the lock would never finish before it is released


def test_readers_are_not_blocked_while_a_writer_holds_the_lock(with_people):
    root = with_people
    holder = LockHolder(root)
    try:
        results = []
        for args in READERS:
            started = time.monotonic()
            results.append(finish(start(root, *args), timeout=READER_LIMIT))
            elapsed = time.monotonic() - started
            assert holder.holding()  # done while the lock is still held
            assert elapsed < READER_LIMIT / 4, f"rjc {' '.join(args)} took {elapsed:.1f} s while the lock was held"
    finally:
        holder.release()
    for args, (code, out, err) in zip(READERS, results):
        assert code == 0, (args, out, err)
        assert WAITING not in err and LEFTOVER_WARNING not in err, (args, err)
    assert f"P-{YEAR}-KB-0003" in results[0][1]  # the list is complete


def test_a_writer_waiting_for_the_lock_says_so_then_succeeds(with_people):
    root = with_people
    before = head(root)
    holder = LockHolder(root)
    try:
        writer = start(root, "new", "person", "-f", "-", stdin=person(9))
        with pytest.raises(subprocess.TimeoutExpired):
            writer.wait(timeout=1.0)  # still waiting while the lock is held
        assert head(root) == before  # and nothing committed meanwhile
    finally:
        holder.release()
    code, out, err = finish(writer, timeout=30)
    assert code == 0, err
    assert err.count(WAITING) == 1  # said once, on stderr
    assert WAITING not in out
    assert out.strip() == f"P-{YEAR}-KB-0004"
    assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [f"people/{YEAR}/KB/P-{YEAR}-KB-0004.yaml"]


def test_a_live_writers_journal_is_not_reported_as_an_interrupted_change(with_people):
    root = with_people
    holder = LockHolder(root, "--journal")
    try:
        code, out, err = finish(start(root, "list", "people"), timeout=READER_LIMIT)
    finally:
        holder.release()
    assert code == 0, err
    assert LEFTOVER_WARNING not in err, err


@pytest.mark.slow
def test_readers_running_alongside_writers_see_whole_records(with_people):
    """Readers started while writers commit never see a torn file or a half-made change."""
    root = with_people
    writers = [start(root, "new", "person", "-f", "-", stdin=person(10 + n)) for n in range(6)]
    readers = []
    while (any(w.poll() is None for w in writers) and len(readers) < 8) or not readers:
        readers += [start(root, "check"), start(root, "list", "people")]
        time.sleep(0.2)
    for w in writers:
        code, _, err = finish(w)
        assert code == 0, err
    for r in readers:
        code, out, err = finish(r)
        assert code == 0, out + err  # every file a reader saw was a whole, valid record
        assert "Traceback" not in err and "could not be read" not in err, err
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.slow
def test_a_hundred_writers_of_two_coordinators_and_readers_at_once(repo):
    root = repo.root
    before = head(root)
    writers = [start(root, "new", "person", "-f", "-", coordinator="KB" if n % 2 else "MR", stdin=person(n))
               for n in range(100)]
    readers = [start(root, "check") for _ in range(10)]
    results = [finish(w, timeout=600) for w in writers]
    assert all(code == 0 for code, _, _ in results), [err for code, _, err in results if code]
    assert len({out.strip() for _, out, _ in results}) == 100
    for r in readers:
        code, out, err = finish(r)
        assert code == 0, out + err
    commits = git(root, "rev-list", f"{before}..HEAD").split()
    assert len(commits) == 100
    assert all(len(git(root, "show", "--name-only", "--format=", sha).split()) == 1 for sha in commits)
    assert finish(start(root, "check"))[0] == 0
