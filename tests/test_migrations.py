"""Format versions: an old file is refused until `rjc migrate` upgrades everything in one commit."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from rjc.cli.main import main
from rjc.model import Person
from rjc.model import base as model_base
from rjc.storage import migrations, store
from rjc.storage.errors import RjcError

from helpers import git


@pytest.fixture
def person(repo):
    record = Person(id="P-2026-KB-0001", schema_version=model_base.SCHEMA_VERSION, given_name="Ana", note="first contact by phone")
    repo.save(record, "new person", command="test")
    return record


@pytest.fixture
def format_4(monkeypatch):
    """A future rjc whose format 4 renames a person's `note` to `contact_notes`."""

    def step(kind: str, data: dict) -> dict:
        if kind == "person" and "note" in data:
            data = {k: v for k, v in data.items() if k != "note"} | {"contact_notes": data["note"]}
        return data

    monkeypatch.setattr(model_base, "SCHEMA_VERSION", 4)
    monkeypatch.setitem(migrations.MIGRATIONS, 3, step)


def test_nothing_to_migrate_when_current(repo, person, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--records", str(repo.root), "migrate"])
    assert exited.value.code == 0
    assert "already in format 3; nothing to migrate" in capsys.readouterr().err


def test_an_older_file_is_refused_until_migrated(repo, person, format_4):
    loaded = repo.read(person.id)
    assert loaded.record is None
    assert [(p.line, p.rule) for p in loaded.problems] == [(3, "invalid-value")]
    assert "format 3 is older than 4; run: rjc migrate" in loaded.problems[0].message
    with pytest.raises(RjcError):
        repo.get(person.id)


def test_migrate_upgrades_every_file_in_one_commit(repo, person, format_4):
    before = git(repo.root, "rev-parse", "HEAD").strip()
    result, count = migrations.migrate(repo)
    assert count == 2  # the settings file and the person
    assert git(repo.root, "rev-parse", "HEAD~1").strip() == before
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "migrate to format 4 rjc.yaml P-2026-KB-0001"
    changed = git(repo.root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["people/2026/KB/P-2026-KB-0001.yaml", "rjc.yaml"]
    upgraded = repo.get(person.id)
    assert (upgraded.schema_version, upgraded.contact_notes, upgraded.note) == (4, "first contact by phone", None)
    assert migrations.migrate(repo) == (None, 0)


def test_migrate_in_a_fresh_process_upgrades_the_settings_first(repo, person, format_4):
    from rjc.workflows.repository import Repository

    fresh = Repository(repo.root)  # nothing loaded yet: rjc.yaml is still in format 3
    result, count = migrations.migrate(fresh)
    assert count == 2
    changed = git(repo.root, "show", "--name-only", "--format=", "HEAD").split()
    assert "rjc.yaml" in changed and "schemas/person.schema.json" not in changed  # schema text unchanged
    assert Repository(repo.root).settings.schema_version == 4


def test_a_file_from_a_newer_rjc_stops_the_migration(repo, person):
    path = repo.root / "people/2026/KB/P-2026-KB-0001.yaml"
    path.write_text(path.read_text().replace("schema_version: 3", "schema_version: 4"))
    with pytest.raises(RjcError) as caught:
        migrations.migrate(repo)
    assert [str(p) for p in caught.value.problems] == [
        "people/2026/KB/P-2026-KB-0001.yaml:3:17: error: written by a newer rjc (format 4); upgrade rjc [invalid-value]"]
    loaded = store.read_record(repo.root, "people/2026/KB/P-2026-KB-0001.yaml")
    assert "written by a newer rjc (format 4)" in loaded.problems[0].message


SAMPLE = Path(__file__).parent.parent / "records"


def _in_format_1(text: str) -> str:
    """A file as format 1 wrote it: without entry ids."""
    text = re.sub(r"^( *)- id: \w+\n\1  ", r"\1- ", text, flags=re.MULTILINE)
    return text.replace("schema_version: 3", "schema_version: 1")


def _format_1_clone(tmp_path, name: str, case: str) -> Path:
    root = tmp_path / name
    shutil.copytree(SAMPLE, root)
    for path in [root / "rjc.yaml", root / case]:
        path.write_text(_in_format_1(path.read_text()))
    git(root.parent, "init", "--quiet", "--initial-branch=main", str(root))
    git(root, "add", "--all")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "format 1")
    git(root, "config", "rjc.coordinator", "KB")
    return root


def test_format_2_gives_every_entry_an_id_alike_on_every_clone(tmp_path):
    from rjc.workflows.repository import Repository

    case = "cases/2026/DW/C-2026-DW-0001.yaml"
    old = _in_format_1((SAMPLE / case).read_text())
    assert "- id:" not in old and old.count("- date:") > 3
    texts = []
    for name in ("a", "b"):
        root = _format_1_clone(tmp_path, name, case)
        result, count = migrations.migrate(Repository(root))
        assert count == 2  # the settings file and the one case in format 1
        texts.append((root / case).read_text())
    assert texts[0] == texts[1]  # two clones migrating apart agree, so their next sync merges cleanly
    upgraded = Repository(tmp_path / "a").get("C-2026-DW-0001")
    ids = [entry.id for entry in upgraded.contacts]
    assert len(ids) == len(set(ids)) == len(yaml.safe_load(old)["contacts"])


def _in_format_2(text: str) -> str:
    """A file as format 2 wrote it: postal codes, which a YAML 1.2 reader takes for numbers, plain."""
    text = re.sub(r"^( *postal_code: )'([0-9]+)'$", r"\1\2", text, flags=re.MULTILINE)
    return text.replace("schema_version: 3", "schema_version: 2")


def test_format_3_quotes_what_a_yaml_1_2_reader_would_retype(tmp_path):
    from ruamel.yaml import YAML

    from rjc.workflows.repository import Repository

    root = tmp_path / "records"
    shutil.copytree(SAMPLE, root)
    old = [path for path in root.rglob("*.yaml") if path.read_text() != _in_format_2(path.read_text())]
    for path in old:
        path.write_text(_in_format_2(path.read_text()))
    person = root / "people/2026/KB/P-2026-KB-0001.yaml"
    assert "postal_code: 05" in person.read_text()
    assert YAML(typ="safe").load(person.read_text())["address"]["postal_code"] == 5045  # as editors read it
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(root))
    git(root, "add", "--all")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "format 2")
    git(root, "config", "rjc.coordinator", "KB")
    result, count = migrations.migrate(Repository(root))
    assert count == len(old)
    assert git(root, "status", "--porcelain") == ""
    for path in root.rglob("*.yaml"):  # every file now as rjc writes it today
        assert path.read_text() == (SAMPLE / path.relative_to(root)).read_text(), path
    assert "postal_code: '05" in person.read_text()
    assert YAML(typ="safe").load(person.read_text())["address"]["postal_code"] == "05045"
