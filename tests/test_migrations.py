"""Format versions: an old file is refused until `rjc migrate` upgrades everything in one commit."""

from __future__ import annotations

import pytest

from helpers import git
from rjc import migrations, store
from rjc.cli.main import main
from rjc.errors import RjcError
from rjc.model import Person
from rjc.model import base as model_base


@pytest.fixture
def person(repo):
    record = Person(id="P-2026-KB-0001", schema_version=1, given_name="Ana", note="first contact by phone")
    repo.save(record, "new person", command="test")
    return record


@pytest.fixture
def format_2(monkeypatch):
    """A future rjc whose format 2 renames a person's `note` to `contact_notes`."""

    def step(kind: str, data: dict) -> dict:
        if kind == "person" and "note" in data:
            data = {k: v for k, v in data.items() if k != "note"} | {"contact_notes": data["note"]}
        return data

    monkeypatch.setattr(model_base, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, step)


def test_nothing_to_migrate_when_current(repo, person, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--records", str(repo.root), "migrate"])
    assert exited.value.code == 0
    assert "already in format 1; nothing to migrate" in capsys.readouterr().err


def test_an_older_file_is_refused_until_migrated(repo, person, format_2):
    loaded = repo.read(person.id)
    assert loaded.record is None
    assert [(p.line, p.rule) for p in loaded.problems] == [(3, "invalid-value")]
    assert "format 1 is older than 2; run: rjc migrate" in loaded.problems[0].message
    with pytest.raises(RjcError):
        repo.get(person.id)


def test_migrate_upgrades_every_file_in_one_commit(repo, person, format_2):
    before = git(repo.root, "rev-parse", "HEAD").strip()
    result, count = migrations.migrate(repo)
    assert count == 2  # the settings file and the person
    assert git(repo.root, "rev-parse", "HEAD~1").strip() == before
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "migrate to format 2 rjc.yaml P-2026-KB-0001"
    changed = git(repo.root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["people/2026/KB/P-2026-KB-0001.yaml", "rjc.yaml"]
    upgraded = repo.get(person.id)
    assert (upgraded.schema_version, upgraded.contact_notes, upgraded.note) == (2, "first contact by phone", None)
    assert migrations.migrate(repo) == (None, 0)


def test_migrate_in_a_fresh_process_upgrades_the_settings_first(repo, person, format_2):
    from rjc.repository import Repository

    fresh = Repository(repo.root)  # nothing loaded yet: rjc.yaml is still in format 1
    result, count = migrations.migrate(fresh)
    assert count == 2
    changed = git(repo.root, "show", "--name-only", "--format=", "HEAD").split()
    assert "rjc.yaml" in changed and "schemas/person.schema.json" not in changed  # schema text unchanged
    assert Repository(repo.root).settings.schema_version == 2


def test_a_file_from_a_newer_rjc_stops_the_migration(repo, person):
    path = repo.root / "people/2026/KB/P-2026-KB-0001.yaml"
    path.write_text(path.read_text().replace("schema_version: 1", "schema_version: 3"))
    with pytest.raises(RjcError) as caught:
        migrations.migrate(repo)
    assert [str(p) for p in caught.value.problems] == [
        "people/2026/KB/P-2026-KB-0001.yaml:3:17: error: written by a newer rjc (format 3); upgrade rjc [invalid-value]"]
    loaded = store.read_record(repo.root, "people/2026/KB/P-2026-KB-0001.yaml")
    assert "written by a newer rjc (format 3)" in loaded.problems[0].message
