"""The record cache: warm answers are the answers a fresh parse gives, whatever happened between."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rjc.cache import parsed as cache
from rjc.checks import engine as checks
from rjc.storage import layout, store
from rjc.workflows.repository import Repository

from helpers import git

SAMPLE = Path(__file__).resolve().parent.parent / "records"


@pytest.fixture
def sample(tmp_path, monkeypatch, built) -> Repository:
    """The bundled sample year as a real git repository."""
    root = tmp_path / "records"
    built.reuse("cache-sample", root, lambda: _commit_sample(root))
    monkeypatch.setenv("RJC_COORDINATOR", "KB")
    return Repository(root)


def _commit_sample(root: Path) -> None:
    shutil.copytree(SAMPLE, root)
    for args in (["init", "-q", "-b", "main"], ["add", "--all"],
                 ["-c", "user.name=t", "-c", "user.email=t@rjc.invalid", "commit", "-q", "-m", "sample"]):
        git(root, *args)


def _fresh(root: Path, monkeypatch) -> list[store.Loaded]:
    monkeypatch.setenv("RJC_NO_CACHE", "1")
    try:
        return [store.read_record(root, p) for p in layout.record_paths(root)]
    finally:
        monkeypatch.delenv("RJC_NO_CACHE")


def _check(root: Path, monkeypatch, *, use_cache: bool) -> list:
    if not use_cache:
        monkeypatch.setenv("RJC_NO_CACHE", "1")
    try:
        return checks.check_repository(root)
    finally:
        monkeypatch.delenv("RJC_NO_CACHE", raising=False)


def _break(root: Path) -> None:
    """Problems of every sort: a file that does not parse, a bad field, a dangling reference."""
    case = next((root / "cases").rglob("*.yaml"))
    case.write_text(case.read_text().replace("coordinator: ", "coordinator: ZZ\nnote_: x\ncoordinator_old: "))
    referral = next((root / "referrals").rglob("*.yaml"))
    referral.write_text(referral.read_text() + "people: [\n")


def test_records_from_the_cache_equal_records_parsed_afresh(sample, monkeypatch):
    expected = _fresh(sample.root, monkeypatch)
    sample.load_all()  # fills the cache
    warm = Repository(sample.root).load_all()
    assert [(loaded.path, loaded.record, loaded.problems) for loaded in warm] == [(loaded.path, loaded.record, loaded.problems) for loaded in expected]
    assert (sample.root / ".git" / "rjc" / "cache.sqlite").stat().st_mode & 0o077 == 0


def test_check_reports_the_same_with_and_without_the_cache_run_after_run(sample, monkeypatch):
    _break(sample.root)
    without = _check(sample.root, monkeypatch, use_cache=False)
    assert without, "the broken files must have problems"
    assert _check(sample.root, monkeypatch, use_cache=True) == without  # cold cache
    assert _check(sample.root, monkeypatch, use_cache=True) == without  # warm: nothing hidden
    assert _check(sample.root, monkeypatch, use_cache=True) == without


def test_a_change_to_a_record_a_rule_consulted_is_seen(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    case_path = next(p for p in (sample.root / "cases").rglob("*.yaml") if "person: P-" in p.read_text())
    person_id = next(line.split(": ")[1] for line in case_path.read_text().splitlines() if "person: P-" in line)
    person_file = sample.root / layout.parse_id(person_id).path
    saved = person_file.read_bytes()
    person_file.unlink()  # the case itself is unchanged, but what it refers to is gone
    found = _check(sample.root, monkeypatch, use_cache=True)
    assert found == _check(sample.root, monkeypatch, use_cache=False)
    assert any(p.path == case_path.relative_to(sample.root).as_posix() and p.rule == "reference-exists"
               for p in found)
    person_file.write_bytes(saved)
    assert _check(sample.root, monkeypatch, use_cache=True) == []


def test_a_settings_change_is_seen(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    settings = sample.root / layout.SETTINGS_FILE
    settings.write_text(settings.read_text().replace("- code: DW", "- code: XW"))  # DW is no longer known
    found = _check(sample.root, monkeypatch, use_cache=True)
    assert any(p.rule == "coordinator-known" for p in found)
    assert found == _check(sample.root, monkeypatch, use_cache=False)


def test_a_double_booking_made_by_editing_one_panel_is_seen(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    panels = [store.read_record(sample.root, p) for p in layout.record_paths(sample.root, [layout.KINDS["panel"]])]
    held = [loaded for loaded in panels if loaded.record.status != "cancelled"]
    first, second = held[0], held[1]
    path = sample.root / second.path
    text = path.read_text()
    text = text.replace(f"date: {second.record.date}", f"date: {first.record.date}")
    text = text.replace(f"start: '{second.record.start:%H:%M}'", f"start: '{first.record.start:%H:%M}'")
    text = text.replace(f"end: '{second.record.end:%H:%M}'", f"end: '{first.record.end:%H:%M}'")
    seat = second.record.seats[0].volunteer
    text = text.replace(f"- volunteer: {seat}", f"- volunteer: {first.record.seats[0].volunteer}", 1)
    path.write_text(text)
    found = _check(sample.root, monkeypatch, use_cache=True)
    assert found == _check(sample.root, monkeypatch, use_cache=False)
    assert any("at an overlapping time" in p.message for p in found)


def test_a_change_in_the_same_clock_tick_is_caught_by_content(sample, monkeypatch):
    """A write that leaves size, mtime, inode and ctime as cached (coarse clocks) is still seen."""
    found = cache.scan(sample.root)
    sample.cache.entries(found)
    path = next(p for p in found.files if p.startswith("cases/"))
    target = sample.root / path
    text = target.read_text()
    changed = text.replace("coordinator: ", "coordinator: Q", 1).replace("opened: ", "opened:", 1)
    assert len(changed) == len(text)
    target.write_text(changed)
    key = cache.stat_key(target.lstat())
    db = sqlite3.connect(sample.cache.path)
    db.execute("UPDATE files SET size=?, mtime_ns=?, ino=?, ctime_ns=? WHERE path=?", (*key, path))
    db.commit()
    db.close()
    entry = Repository(sample.root).cache.entries(cache.scan(sample.root))[path]
    assert entry.record_id is None and entry.problems  # re-read: the new content is invalid


def test_a_corrupt_cache_is_rebuilt_silently(sample, monkeypatch):
    _break(sample.root)
    expected = _check(sample.root, monkeypatch, use_cache=False)
    _check(sample.root, monkeypatch, use_cache=True)
    db_path = sample.root / ".git" / "rjc" / "cache.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db_path.write_bytes(b"this is not a database" * 100)
    assert _check(sample.root, monkeypatch, use_cache=True) == expected
    assert _check(sample.root, monkeypatch, use_cache=True) == expected


_ENGINE_ASKS = {name for name in vars(checks.CheckCache) if not name.startswith("_")}


class _OnlyWhatTheEngineLists:
    """A cache that answers only the methods of the engine's CheckCache protocol."""

    def __init__(self, real: cache.Cache):
        self._real = real

    def __getattr__(self, name):
        if name not in _ENGINE_ASKS:
            raise AttributeError(f"the engine asked the cache for {name}, which CheckCache does not list")
        return getattr(self._real, name)


def test_the_engine_asks_the_cache_only_what_its_protocol_lists(sample, monkeypatch):
    def check():
        return checks.check_repository(sample.root, cache=_OnlyWhatTheEngineLists(cache.Cache(sample.root)))

    assert check() == _check(sample.root, monkeypatch, use_cache=False)  # a cold cache
    assert check() == _check(sample.root, monkeypatch, use_cache=False)  # nothing changed: the stored answer
    _break(sample.root)
    assert check() == _check(sample.root, monkeypatch, use_cache=False)  # a few files re-checked


def test_the_cache_takes_every_call_the_engine_lists():
    import inspect

    for name in sorted(_ENGINE_ASKS):
        listed = inspect.signature(getattr(checks.CheckCache, name)).parameters
        real = inspect.signature(getattr(cache.Cache, name)).parameters
        for parameter in listed.values():
            assert parameter.name in real, (name, parameter.name)
            assert (real[parameter.name].kind, real[parameter.name].default) == (parameter.kind, parameter.default), \
                (name, parameter.name)


def test_no_cache_means_no_cache_file(sample, monkeypatch):
    monkeypatch.setenv("RJC_NO_CACHE", "1")
    sample.load_all()
    checks.check_repository(sample.root)
    assert not (sample.root / ".git" / "rjc" / "cache.sqlite").exists()


def test_new_code_drops_the_cache(sample, monkeypatch):
    sample.load_all()
    db = sqlite3.connect(sample.cache.path)
    db.execute("UPDATE files SET data = replace(data, 'restorative-panel', 'nonsense')")
    db.commit()
    db.close()
    monkeypatch.setattr(cache, "_fingerprint", lambda: "another version of rjc")
    assert [loaded.record for loaded in Repository(sample.root).load_all()] == [loaded.record for loaded in _fresh(sample.root, monkeypatch)]


def _other_libyaml(monkeypatch, tmp_path):
    from yaml import _yaml

    monkeypatch.setattr(_yaml, "get_version_string", lambda: "0.9.9")


def _pure_loader(monkeypatch, tmp_path):
    import yaml

    from rjc.storage import yamlio

    monkeypatch.setattr(yamlio, "Loader", yaml.SafeLoader)


def _installed_first(name: str):
    def change(monkeypatch, tmp_path):
        (tmp_path / "site" / f"{name}-99.0.dist-info").mkdir(parents=True)
        monkeypatch.syspath_prepend(str(tmp_path / "site"))  # found before the installed one, as import would
    return change


@pytest.mark.parametrize("change", [
    lambda monkeypatch, tmp_path: monkeypatch.setattr(sys, "version", sys.version + " (another build)"),
    lambda monkeypatch, tmp_path: monkeypatch.setattr(__import__("pydantic_core"), "__version__", "2.0.0"),
    lambda monkeypatch, tmp_path: monkeypatch.setattr(__import__("yaml"), "__version__", "5.4"),
    _other_libyaml, _pure_loader, _installed_first("pygal"), _installed_first("markdown_it_py"),
], ids=["python", "pydantic-core", "pyyaml", "libyaml", "loader", "pygal", "markdown-it-py"])
def test_another_python_or_library_drops_the_cache(sample, monkeypatch, tmp_path, change):
    sample.load_all()
    db = sqlite3.connect(sample.cache.path)
    db.execute("UPDATE files SET data = replace(data, 'restorative-panel', 'nonsense')")
    db.commit()
    db.close()
    before = cache._fingerprint()
    change(monkeypatch, tmp_path)
    assert cache._fingerprint() != before
    assert [loaded.record for loaded in Repository(sample.root).load_all()] == [loaded.record for loaded in _fresh(sample.root, monkeypatch)]


def test_parsing_in_a_pool_gives_what_parsing_in_process_gives(sample, monkeypatch):
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    monkeypatch.setattr(cache, "CHUNK", 16)
    seen = []
    sample.progress = lambda done, total: seen.append((done, total))
    pooled = sample.load_all()
    assert seen and seen[-1][0] == seen[-1][1] == len(pooled)
    assert [(loaded.path, loaded.record, loaded.problems) for loaded in pooled] == [
        (loaded.path, loaded.record, loaded.problems) for loaded in _fresh(sample.root, monkeypatch)]


def test_workers_check_what_they_parse_as_this_process_would(sample, monkeypatch):
    """Parse workers check each file with the records they have at hand. A result resting on
    anything this process sees otherwise (here: a file named for a record it does not hold) is
    not taken, and the file is checked again here."""
    root = sample.root
    _break(root)
    case = next(p for p in sorted((root / "cases").rglob("*.yaml")) if "\nreferral: R-" in p.read_text())
    case.write_text(re.sub(r"\nopened: \S+", "\nopened: 2026-01-02", case.read_text(), count=1))
    person_id = re.search(r"person: (P-\S+)", case.read_text()).group(1)
    person_file = root / layout.parse_id(person_id).path
    person_file.rename(person_file.with_name(person_id[:-4] + "0999.yaml"))  # holds an id it is not named for
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10**9)
    expected = _check(root, monkeypatch, use_cache=False)  # every file parsed and checked here
    assert {"dates-in-order", "id-matches-path", "unknown-field"} <= {p.rule for p in expected}

    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    monkeypatch.setattr(cache, "CHUNK", 16)
    taken, refused = [], []
    take = checks._WorkerResults.take

    def counting(self, entry):
        done = entry.done_in_worker
        result = take(self, entry)
        (taken if result else refused if done else []).append(entry.path)
        return result

    monkeypatch.setattr(checks._WorkerResults, "take", counting)
    assert _check(root, monkeypatch, use_cache=True) == expected
    assert len(taken) > len(refused) > 0
    seated = [path for path in taken if path.startswith("panels/")
              and "status: cancelled" not in (text := (root / path).read_text()) and "volunteer: V-" in text]
    assert seated  # a panel's volunteers are at hand in every worker
    assert all(person_id in (root / path).read_text() for path in refused)  # they asked for the person
    assert _check(root, monkeypatch, use_cache=True) == expected  # and warm


def test_a_run_cut_short_after_storing_some_rows_leaves_a_cache_the_next_run_can_trust(sample, monkeypatch):
    """Rows are stored chunk by chunk while the workers parse, before the snapshot: a run that
    dies in between leaves rows that the next run uses only where they still hold."""
    _break(sample.root)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    monkeypatch.setattr(cache, "CHUNK", 16)
    store_rows = cache.Cache._store_rows
    calls = []

    def store_then_die(self, entries, now):
        store_rows(self, entries, now)
        calls.append(len(entries))
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if killed with some chunks' rows stored, no snapshot yet

    monkeypatch.setattr(cache.Cache, "_store_rows", store_then_die)
    with pytest.raises(KeyboardInterrupt):
        checks.check_repository(sample.root)
    monkeypatch.setattr(cache.Cache, "_store_rows", store_rows)
    db = sqlite3.connect(sample.cache.path)
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == sum(calls)
    assert db.execute("SELECT count(*) FROM blobs WHERE name='snapshot'").fetchone()[0] == 0
    stored = db.execute("SELECT path FROM files WHERE record_id IS NOT NULL").fetchone()[0]
    db.close()
    changed = sample.root / stored  # and a file whose row was stored changes before the next run
    changed.write_text(changed.read_text() + "not_a_field: 1\n")
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10**9)
    expected = _check(sample.root, monkeypatch, use_cache=False)
    assert any(p.path == stored and p.rule == "unknown-field" for p in expected)
    assert _check(sample.root, monkeypatch, use_cache=True) == expected
    assert _check(sample.root, monkeypatch, use_cache=True) == expected


def test_concurrent_processes_share_the_cache_safely(sample):
    _break(sample.root)
    command = [str(Path(sys.executable).parent / "rjc")]
    runs = [subprocess.Popen([*command, "--records", str(sample.root), "check", "--format", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [run.communicate()[0] for run in runs]
    assert all(run.returncode == 1 for run in runs)
    assert len(set(outputs)) == 1
    again = subprocess.run([*command, "--records", str(sample.root), "check", "--format", "json"],
                           capture_output=True)
    assert again.stdout == outputs[0]


def test_list_reads_rows_from_the_cache_and_sees_edits(sample, rjc, monkeypatch):
    first = rjc("--records", sample.root, "list", "cases", "--status", "closed", "--format", "csv").out
    path = next(p for p in layout.record_paths(sample.root, [layout.KINDS["case"]]))
    case = store.read_record(sample.root, path).record
    assert rjc("--records", sample.root, "list", "cases", "--status", "closed", "--format", "csv").out == first
    target = sample.root / path
    target.write_text(target.read_text().replace(f"coordinator: {case.coordinator}", "coordinator: MR"))
    after = rjc("--records", sample.root, "list", "cases", "--coordinator", "MR", "--format", "csv").out
    assert case.id in after


def test_a_report_from_the_cache_is_the_report_computed_afresh(sample, rjc, monkeypatch):
    args = ("--records", sample.root, "report", "quarterly", "--quarter", "2026Q3", "--year", "calendar",
            "--format", "csv")
    first = rjc(*args).out
    assert rjc(*args).out == first  # from the cache
    added = rjc("--records", sample.root, "new", "referral", "-f", "-",
                stdin="received: 2026-08-03\nprogram: mediation\nsource: self\n")
    assert added.code == 0, added.err
    warm = rjc(*args).out
    assert warm != first
    monkeypatch.setenv("RJC_NO_CACHE", "1")
    assert rjc(*args).out == warm
    monkeypatch.delenv("RJC_NO_CACHE")
    git(sample.root, "reset", "--quiet", "--hard", "HEAD~1")
    assert rjc(*args).out == first


def _checked(monkeypatch) -> list[str]:
    """The files `rjc check` runs the record rules on, from now on."""
    seen: list[str] = []
    original = checks.check_record

    def spy(loaded, ctx):
        seen.append(loaded.path)
        return original(loaded, ctx)
    monkeypatch.setattr(checks, "check_record", spy)
    return seen


def test_a_check_after_one_change_rechecks_only_that_file_and_those_that_consulted_it(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    case_path = next(p for p in (sample.root / "cases").rglob("*.yaml") if "person: P-" in p.read_text())
    person_id = next(line.split(": ")[1] for line in case_path.read_text().splitlines() if "person: P-" in line)
    person_file = sample.root / layout.parse_id(person_id).path
    consulting = {p.relative_to(sample.root).as_posix() for p in sample.root.rglob("*.yaml")
                  if person_id in p.read_text() and p != person_file}
    seen = _checked(monkeypatch)
    person_file.write_text(person_file.read_text() + "note: moved house\n")
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    assert set(seen) == {person_file.relative_to(sample.root).as_posix()} | consulting

    seen.clear()
    person_file.unlink()  # now every file that consulted it has a problem, and only they
    found = _check(sample.root, monkeypatch, use_cache=True)
    assert set(seen) == consulting
    assert {p.path for p in found} == consulting
    assert found == _check(sample.root, monkeypatch, use_cache=False)


def test_a_change_to_any_record_a_rule_consulted_rechecks_the_record_that_consulted_it(sample, monkeypatch):
    """Every record rule, run on every sample record against a Context noting what it looks up;
    for each rule that looked something up, a change to (the removal of) a record it consulted,
    then its return: the incremental check re-checks the consulting file, and finds what a
    check without the cache finds."""
    from rjc.checks import rules

    root = sample.root
    valid = [loaded for p in layout.record_paths(root) if (loaded := store.read_record(root, p)).record is not None]
    by_id = {loaded.record.id: loaded.record for loaded in valid}
    paths = {loaded.record.id: loaded.path for loaded in valid}
    settings = store.read_settings(root).record
    consulted: dict[str, tuple[str, str]] = {}  # rule -> (a file it checked, a record it consulted for it)
    for rule in rules.RECORD_RULES:
        for loaded in valid:
            ctx = rules.Context(root, settings, by_id, complete=True)
            list(rule(loaded, ctx))
            other = next((i for i in sorted(ctx.consulted) if i in paths and paths[i] != loaded.path), None)
            if other is not None:
                consulted.setdefault(rule.__name__, (loaded.path, other))
                break
    assert {"references_exist", "referral_link", "dates_in_order", "panel_seats"} <= set(consulted)

    assert _check(root, monkeypatch, use_cache=True) == _check(root, monkeypatch, use_cache=False)
    seen = _checked(monkeypatch)
    for rule_name, (path, other) in consulted.items():
        target = root / paths[other]
        text = target.read_text()
        for removed in (True, False):
            if removed:
                target.unlink()
            else:
                target.write_text(text)
            seen.clear()
            found = _check(root, monkeypatch, use_cache=True)
            assert path in seen, (rule_name, path, other)
            assert found == _check(root, monkeypatch, use_cache=False), rule_name


def test_nothing_changed_is_known_without_reading_the_snapshot(sample, monkeypatch):
    found = cache.scan(sample.root)
    key = sample.cache.content_key(found)
    monkeypatch.setattr(cache, "_read_snapshot", lambda db: pytest.fail("the snapshot was read"))
    assert Repository(sample.root).cache.content_key(cache.scan(sample.root)) == key
    monkeypatch.undo()
    path = next((sample.root / "panels").rglob("*.yaml"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**9))  # touched, same content
    assert Repository(sample.root).cache.content_key(cache.scan(sample.root)) == key
    path.write_text(path.read_text() + "\n")
    assert Repository(sample.root).cache.content_key(cache.scan(sample.root)) != key


def test_check_results_are_kept_across_a_new_version_of_rjc(sample, monkeypatch):
    monkeypatch.setattr(cache, "_fingerprint", lambda: "one version of rjc")
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    monkeypatch.setattr(cache, "_fingerprint", lambda: "another version of rjc")
    seen = _checked(monkeypatch)
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    assert len(seen) == len(layout.record_paths(sample.root))  # new code: everything checked again
    seen.clear()
    path = next((sample.root / "volunteers").rglob("*.yaml"))
    path.write_text(path.read_text() + "\n")
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    assert path.relative_to(sample.root).as_posix() in seen and len(seen) < len(layout.record_paths(sample.root)) / 2


@pytest.mark.parametrize("kept_apart", [1, 5000])
def test_checks_after_many_changes_find_what_a_fresh_check_finds(sample, monkeypatch, kept_apart):
    """Changes pile up against a stored base until there are too many, then the base is rewritten."""
    monkeypatch.setattr(cache, "CHANGE_KEPT_APART", kept_apart)
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    cases = sorted((sample.root / "cases").rglob("*.yaml"))
    people = sorted((sample.root / "people").rglob("*.yaml"))
    saved = people[0].read_bytes()
    steps = [
        lambda: cases[0].write_text(cases[0].read_text() + "\n"),
        lambda: people[0].unlink(),  # whoever refers to this person now has a problem
        lambda: cases[1].write_text(cases[1].read_text().replace("coordinator: ", "coordinator: Q", 1)),
        lambda: people[0].write_bytes(saved),
        lambda: cases[1].write_text(cases[1].read_text().replace("coordinator: Q", "coordinator: ", 1)),
    ]
    for step in steps:
        step()
        assert _check(sample.root, monkeypatch, use_cache=True) == _check(sample.root, monkeypatch, use_cache=False)
    assert _check(sample.root, monkeypatch, use_cache=True) == []


def test_a_change_then_another_is_one_change():
    before = cache.CheckState(1, "s", {"a": "1", "b": "2", "c": "3"}, {"A": "1", "B": "2"})
    middle = cache.CheckState(2, "s", {"a": "9", "c": "3", "d": "4"}, {"A": "9", "D": "4"})
    after = cache.CheckState(3, "s", {"b": "5", "c": "3", "d": "4"}, {"B": "5", "D": "4"})
    first, second = cache.StateChange.between(before, middle), cache.StateChange.between(middle, after)
    both = first.then(second)
    assert both.apply(dict(before.paths), dict(before.contents)) == (after.paths, after.contents)
    assert both == cache.StateChange.between(before, after)


def test_a_changed_file_is_seen_by_every_later_command_not_only_the_next(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    path = next((sample.root / "cases").rglob("*.yaml"))
    path.write_text(path.read_text().replace("coordinator: ", "coordinator: Q", 1))  # just now: racy
    expected = _check(sample.root, monkeypatch, use_cache=False)
    assert expected
    for _ in range(3):
        assert _check(sample.root, monkeypatch, use_cache=True) == expected
    past = path.stat().st_mtime_ns - 10 * cache.RACY_NS  # settled: the stat alone vouches for it
    os.utime(path, ns=(past, past))
    for _ in range(3):
        assert _check(sample.root, monkeypatch, use_cache=True) == expected


def _set_blob(root: Path, name: str, value: bytes) -> None:
    db = sqlite3.connect(root / ".git" / "rjc" / "cache.sqlite")
    db.execute("UPDATE blobs SET value=? WHERE name=?", (value, name))
    db.commit()
    db.close()


@pytest.mark.parametrize("name", ["check", "check-generation"])
def test_a_damaged_check_state_means_checking_everything_once_then_it_is_whole_again(sample, monkeypatch, name):
    _break(sample.root)
    expected = _check(sample.root, monkeypatch, use_cache=False)
    assert _check(sample.root, monkeypatch, use_cache=True) == expected
    _set_blob(sample.root, name, b"\x00 not what was stored")
    seen = _checked(monkeypatch)
    path = next((sample.root / "volunteers").rglob("*.yaml"))
    path.write_text(path.read_text() + "\n")
    assert _check(sample.root, monkeypatch, use_cache=True) == expected
    assert len(seen) > len(layout.record_paths(sample.root)) / 2  # nothing could be trusted
    seen.clear()
    path.write_text(path.read_text() + "\n")
    assert _check(sample.root, monkeypatch, use_cache=True) == expected
    assert path.relative_to(sample.root).as_posix() in seen and len(seen) < len(layout.record_paths(sample.root)) / 2


def test_check_results_stored_meanwhile_by_another_rjc_are_not_overwritten(sample, monkeypatch):
    assert _check(sample.root, monkeypatch, use_cache=True) == []
    first, second = cache.Cache(sample.root), cache.Cache(sample.root)
    before = first.check_state()
    assert second.check_state() == before
    after = before._replace(generation=before.generation + 1)
    first.store_checks(before, after, cache.NO_CHANGE, {}, everything=False)
    moved = cache.CheckState(before.generation + 1, "another settings digest", {}, {})
    second.store_checks(before, moved, cache.NO_CHANGE, {}, everything=False)  # started from the same state
    assert cache.Cache(sample.root).check_state() == after


def test_a_record_whose_cached_data_is_gone_is_read_from_its_file(sample, monkeypatch):
    found = cache.scan(sample.root)
    sample.cache.entries(found)
    entries = Repository(sample.root).cache.entries(cache.scan(sample.root), digests_only=True)
    path = next(p for p in entries if p.startswith("cases/"))
    monkeypatch.setattr(cache.Cache, "data_of", lambda self, p: None)  # as after the cache was dropped
    assert entries[path].load(sample.root).record == store.read_record(sample.root, path).record
