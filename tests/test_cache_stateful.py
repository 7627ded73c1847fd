"""The cache can never change what is reported, whatever happens to the records between commands.

A state machine edits, breaks, deletes, restores and touches the files of a small real records
repository, changes rjc.yaml, lets time pass beyond the racy window and runs a second `rjc
check` at the same time as this one; after every step `rjc check`, `rjc list cases` and a
quarterly report must say, and exit with, exactly what they do with RJC_NO_CACHE=1.

The cache's clock is a fake one that moves only when time passes, and every write the machine
makes is stamped with it: so every write between two passings of time shares one mtime, as on
a file system with the coarsest timestamps, and the cache must tell them apart by content.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from report_fixtures import fixture_records

from rjc.cache import parsed as cache
from rjc.storage import layout, private
from rjc.workflows.repository import Repository

COMMANDS = (("check",), ("list", "cases"), ("report", "quarterly", "--as-of", "2026-11-24", "--format", "json"))
ADDED_COORDINATOR = "- code: ZZ\n  name: Zoe Zimmer\n  active: true\n"


@pytest.fixture
def template(repo, tmp_path) -> Path:
    """The report fixture's records, committed, with no cache yet."""
    with repo.transaction("test") as tx:
        for record in fixture_records():
            tx.stage(record)
        tx.commit("test")
    for found in private.location(repo.root).glob(private.CACHE + "*"):
        found.unlink()
    return repo.root


def machine(template: Path, rjc, monkeypatch):
    files = sorted(p.relative_to(template).as_posix() for p in template.rglob("*.yaml")
                   if ".git" not in p.parts and p.name != layout.SETTINGS_FILE)

    class CacheAgainstNoCache(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.root = Path(tempfile.mkdtemp(dir=template.parent)) / "records"
            shutil.copytree(template, self.root)
            self.original = {path: (self.root / path).read_text() for path in files}
            self.now = os.stat(self.root / files[0]).st_mtime_ns + 3600 * 10**9  # ahead of the real clock
            monkeypatch.setattr(cache, "time", SimpleNamespace(time_ns=lambda: self.now))

        def teardown(self):
            shutil.rmtree(self.root.parent, ignore_errors=True)

        def write(self, path: str, text: str) -> None:
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            os.utime(target, ns=(self.now, self.now))

        def run(self, args: tuple[str, ...], *, cached: bool):
            if cached:
                monkeypatch.delenv("RJC_NO_CACHE", raising=False)
            else:
                monkeypatch.setenv("RJC_NO_CACHE", "1")
            try:
                result = rjc("--records", self.root, *args)
            finally:
                monkeypatch.delenv("RJC_NO_CACHE", raising=False)
            return result.code, result.out, result.err

        @rule(path=st.sampled_from([p for p in files if p.startswith("cases/")]), code=st.sampled_from(["KB", "MR"]))
        def edit_a_field(self, path, code):
            target = self.root / path
            if target.exists():
                self.write(path, re.sub(r"(?m)^coordinator: \w+$", f"coordinator: {code}", target.read_text()))

        def swap_coordinator(self, path: str) -> None:
            text = (self.root / path).read_text()
            code = "MR" if re.search(r"(?m)^coordinator: KB$", text) else "KB"
            self.write(path, re.sub(r"(?m)^coordinator: \w+$", f"coordinator: {code}", text))

        @rule(path=st.sampled_from([p for p in files if p.startswith("cases/")]))
        def edit_twice_within_one_clock_tick(self, path):
            """Two changes of the same size in one tick, read in between, as if the file's ctime
            had not moved either (this machine's ctime is finer than some file systems'): the
            cache holds the first content under what is now the file's stat, and must compare
            content."""
            target = self.root / path
            if not target.exists():
                return
            self.swap_coordinator(path)
            self.run(("list", "cases"), cached=True)
            self.swap_coordinator(path)
            db = sqlite3.connect(Repository(self.root).cache.path)
            with db:
                db.execute("UPDATE files SET size=?, mtime_ns=?, ino=?, ctime_ns=? WHERE path=?",
                           (*cache.stat_key(target.lstat()), path))
            db.close()

        @rule(path=st.sampled_from(files))
        def break_the_yaml(self, path):
            target = self.root / path
            if target.exists():
                self.write(path, target.read_text() + "people: [\n")

        @rule(path=st.sampled_from(files))
        def delete(self, path):
            (self.root / path).unlink(missing_ok=True)

        @rule(path=st.sampled_from(files))
        def restore(self, path):
            self.write(path, self.original[path])

        @rule(path=st.sampled_from(files), rewrite=st.booleans())
        def touch_without_changing(self, path, rewrite):
            target = self.root / path
            if target.exists():
                if rewrite:  # the same bytes written again: a new ctime
                    self.write(path, target.read_text())
                else:
                    os.utime(target, ns=(self.now, self.now))

        @rule(add=st.booleans())
        def change_the_settings(self, add):
            settings_file = self.root / layout.SETTINGS_FILE
            text = settings_file.read_text().replace(ADDED_COORDINATOR, "")
            if add:
                text = text.replace("agreement:\n", ADDED_COORDINATOR + "agreement:\n")
            self.write(layout.SETTINGS_FILE, text)

        @rule()
        def time_passes(self):
            self.now += cache.RACY_NS + 10**9

        @rule()
        def another_check_at_the_same_time(self):
            other = subprocess.Popen([sys.executable, "-m", "rjc", "--records", str(self.root), "check"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            mine = self.run(("check",), cached=True)
            out, err = other.communicate()
            expected = self.run(("check",), cached=False)
            assert mine == expected
            assert (other.returncode, out, err) == expected

        @invariant()
        def the_cache_changes_nothing(self):
            for args in COMMANDS:
                assert self.run(args, cached=True) == self.run(args, cached=False), args

    return CacheAgainstNoCache


def test_what_is_reported_is_the_same_with_and_without_the_cache(template, rjc, monkeypatch):
    run_state_machine_as_test(machine(template, rjc, monkeypatch), settings=settings(
        max_examples=4, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)))


@pytest.mark.slow
def test_what_is_reported_is_the_same_with_and_without_the_cache_at_length(template, rjc, monkeypatch):
    run_state_machine_as_test(machine(template, rjc, monkeypatch), settings=settings(
        max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)))
