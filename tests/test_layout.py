"""rjc.storage.layout: ids, paths, numbering, the records tree, finding the repository."""

from __future__ import annotations

import pytest

from rjc.storage import layout
from rjc.storage.errors import RjcError

# --- ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind, year, code, number", [
    ("C-2026-KB-0019", "case", 2026, "KB", 19),
    ("P-2026-KB-0001", "person", 2026, "KB", 1),
    ("R-2025-MR-0420", "referral", 2025, "MR", 420),
    ("PN-2026-K1-0007", "panel", 2026, "K1", 7),
    ("V-2026-ABCD-123456", "volunteer", 2026, "ABCD", 123456),
    ("c-2026-kb-0019", "case", 2026, "KB", 19),  # as typed on the phone
    ("  C-2026-KB-0019\n", "case", 2026, "KB", 19),
])
def test_parse_id_accepts_ids(text, kind, year, code, number):
    record_id = layout.parse_id(text)
    assert (record_id.kind.name, record_id.year, record_id.code, record_id.number) == (kind, year, code, number)


def test_parse_id_gives_back_the_canonical_spelling():
    assert str(layout.parse_id("c-2026-kb-0019")) == "C-2026-KB-0019"
    assert str(layout.parse_id("V-2026-ABCD-123456")) == "V-2026-ABCD-123456"


@pytest.mark.parametrize("text", [
    "", "   ", "../x", "C-2026-KB-0019/..", "C-2026-kb/0019", "../C-2026-KB-0019", "C-2026-KB-0019.yaml",
    "cases/2026/KB/C-2026-KB-0019", "X-2026-KB-0019", "C-26-KB-0019", "C-2026-KB-019", "C-2026-KB-1234567",
    "C-2026-KBCDE-0019", "C-2026-1B-0019", "C-2026--0019", "C 2026 KB 0019", "C-2026-KB-0019\x00",
])
def test_parse_id_refuses_anything_else(text):
    with pytest.raises(RjcError) as info:
        layout.parse_id(text)
    assert str(info.value) == ("not a record id: ids look like C-2026-KB-0019 "
                               "(kind P, R, C, PN, V or O; year; coordinator code; number)")


@pytest.mark.parametrize("text", ["P-2026-KB-00001", "C-2026-KB-000019"])
def test_parse_id_accepts_one_spelling_per_id(text):
    with pytest.raises(RjcError, match="ids look like"):
        layout.parse_id(text)


def test_parse_id_refuses_a_non_string():
    with pytest.raises(RjcError):
        layout.parse_id(None)


@pytest.mark.parametrize("text, path", [
    ("P-2026-KB-0001", "people/2026/KB/P-2026-KB-0001.yaml"),
    ("R-2026-KB-0002", "referrals/2026/KB/R-2026-KB-0002.yaml"),
    ("C-2026-KB-0019", "cases/2026/KB/C-2026-KB-0019.yaml"),
    ("PN-2026-MR-0003", "panels/2026/MR/PN-2026-MR-0003.yaml"),
    ("V-2025-MR-0004", "volunteers/2025/MR/V-2025-MR-0004.yaml"),
    ("C-2026-KB-12345", "cases/2026/KB/C-2026-KB-12345.yaml"),
])
def test_path_for_each_kind(text, path):
    assert layout.parse_id(text).path == path


@pytest.mark.parametrize("name, kind", [
    ("case", "case"), ("cases", "case"), ("Cases", "case"), ("people", "person"), ("persons", "person"),
    ("person", "person"), ("panels", "panel"), ("volunteer", "volunteer"), ("referrals", "referral"),
])
def test_kind_named(name, kind):
    assert layout.kind_named(name).name == kind


def test_kind_named_refuses_an_unknown_kind():
    with pytest.raises(RjcError) as info:
        layout.kind_named("widgets")
    assert str(info.value) == "unknown record kind 'widgets'; kinds are: person, referral, case, panel, volunteer, organization"


# --- paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("relpath, expected", [
    ("cases/2026/KB/C-2026-KB-0019.yaml", "C-2026-KB-0019"),
    ("people/2026/MR/P-2026-MR-0001.yaml", "P-2026-MR-0001"),
    ("panels/2026/KB/PN-2026-KB-0002.yaml", "PN-2026-KB-0002"),
    ("cases/2026/MR/C-2026-KB-0019.yaml", None),  # wrong code directory
    ("cases/2025/KB/C-2026-KB-0019.yaml", None),  # wrong year directory
    ("people/2026/KB/C-2026-KB-0019.yaml", None),  # wrong kind directory
    ("cases/2026/KB/C-2026-KB-00019.yaml", None),  # not the canonical spelling
    ("cases/2026/KB/c-2026-kb-0019.yaml", None),
    ("cases/2026/KB/C-2026-KB-0019.yml", None),
    ("cases/2026/KB/notes.yaml", None),
    ("cases/C-2026-KB-0019.yaml", None),
    ("cases/2026/KB/sub/C-2026-KB-0019.yaml", None),
    ("../cases/2026/KB/C-2026-KB-0019.yaml", None),
    ("rjc.yaml", None),
])
def test_expected_id(relpath, expected):
    assert layout.expected_id(relpath) == expected


def test_schema_ref_points_back_to_the_schemas_directory():
    assert layout.schema_ref("cases/2026/KB/C-2026-KB-0019.yaml", layout.KINDS["case"]) == \
        "yaml-language-server: $schema=../../../schemas/case.schema.json"
    assert layout.settings_schema_ref() == "yaml-language-server: $schema=schemas/settings.schema.json"


def _touch(root, relpath, text="x"):
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_next_number_starts_at_one(tmp_path):
    assert layout.next_number(tmp_path, layout.KINDS["case"], 2026, "KB") == 1


def test_next_number_follows_the_highest_in_its_shard(tmp_path):
    for name in ("C-2026-KB-0001", "C-2026-KB-0002", "C-2026-KB-0007"):
        _touch(tmp_path, f"cases/2026/KB/{name}.yaml")
    _touch(tmp_path, "cases/2026/KB/C-2026-KB-0099.txt")  # not a record file
    _touch(tmp_path, "cases/2026/KB/.C-2026-KB-0050.yaml.1234.tmp")  # a write in progress
    _touch(tmp_path, "cases/2026/MR/C-2026-MR-0040.yaml")  # another coordinator's
    _touch(tmp_path, "cases/2025/KB/C-2025-KB-0030.yaml")  # another year
    _touch(tmp_path, "people/2026/KB/P-2026-KB-0020.yaml")  # another kind
    assert layout.next_number(tmp_path, layout.KINDS["case"], 2026, "KB") == 8
    assert layout.next_number(tmp_path, layout.KINDS["case"], 2026, "MR") == 41
    assert layout.next_number(tmp_path, layout.KINDS["person"], 2026, "KB") == 21
    assert layout.next_number(tmp_path, layout.KINDS["panel"], 2026, "KB") == 1


# --- the records tree ---------------------------------------------------------------------


def test_record_paths_lists_record_files_sorted_and_ignores_the_rest(tmp_path):
    outside = _touch(tmp_path, "elsewhere/P-2026-KB-0009.yaml")
    (tmp_path / "elsewhere" / "2027").mkdir()
    _touch(tmp_path, "people/2026/MR/P-2026-MR-0001.yaml")
    _touch(tmp_path, "people/2026/KB/P-2026-KB-0002.yaml")
    _touch(tmp_path, "people/2026/KB/P-2026-KB-0001.yaml")
    _touch(tmp_path, "cases/2026/KB/C-2026-KB-0001.yaml")
    _touch(tmp_path, "cases/README.md")
    _touch(tmp_path, "cases/2026/loose.yaml")  # not inside a code directory
    _touch(tmp_path, "cases/2026/KB/notes.txt")
    _touch(tmp_path, "cases/2026/KB/deeper/C-2026-KB-0002.yaml")
    _touch(tmp_path, "schemas/case.schema.json")
    (tmp_path / "people/2026/KB/P-2026-KB-0009.yaml").symlink_to(outside)
    (tmp_path / "people/2027").symlink_to(tmp_path / "elsewhere" / "2027", target_is_directory=True)
    (tmp_path / "people/2026/ZZ").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    assert layout.record_paths(tmp_path) == [
        "people/2026/KB/P-2026-KB-0001.yaml",
        "people/2026/KB/P-2026-KB-0002.yaml",
        "people/2026/MR/P-2026-MR-0001.yaml",
        "cases/2026/KB/C-2026-KB-0001.yaml",
    ]
    assert layout.record_paths(tmp_path, [layout.KINDS["case"]]) == ["cases/2026/KB/C-2026-KB-0001.yaml"]


def test_record_paths_includes_a_misnamed_yaml_file_in_a_code_directory(tmp_path):
    # it is where records live, so `rjc check` must see it (and report its name)
    _touch(tmp_path, "cases/2026/KB/notes.yaml")
    assert layout.record_paths(tmp_path) == ["cases/2026/KB/notes.yaml"]


def test_record_paths_of_an_empty_repository(tmp_path):
    assert layout.record_paths(tmp_path) == []


# --- finding the repository ---------------------------------------------------------------


def _records_repository(path):
    path.mkdir(parents=True)
    (path / layout.SETTINGS_FILE).write_text("center: {name: x}\n")
    (path / ".git").mkdir()
    return path


def test_find_root_prefers_explicit_then_environment_then_walking_up(tmp_path, monkeypatch):
    explicit = _records_repository(tmp_path / "explicit")
    from_env = _records_repository(tmp_path / "from-env")
    here = _records_repository(tmp_path / "here")
    (here / "cases" / "2026").mkdir(parents=True)
    monkeypatch.chdir(here / "cases" / "2026")
    monkeypatch.setenv("RJC_RECORDS", str(from_env))

    assert layout.find_root(explicit) == explicit
    assert layout.find_root(str(explicit)) == explicit
    assert layout.find_root() == from_env
    monkeypatch.delenv("RJC_RECORDS")
    assert layout.find_root() == here
    assert layout.find_root(start=from_env) == from_env


def test_find_root_expands_a_relative_explicit_path(tmp_path, monkeypatch):
    repo = _records_repository(tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    assert layout.find_root("records") == repo


def test_find_root_refuses_an_explicit_directory_that_is_not_a_repository(tmp_path, monkeypatch):
    _records_repository(tmp_path / "here")
    monkeypatch.chdir(tmp_path / "here")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RjcError) as info:
        layout.find_root(tmp_path / "empty")
    assert str(info.value) == (f"{tmp_path / 'empty'} is not a records repository (rjc.yaml and .git); "
                               f"run: rjc init {tmp_path / 'empty'}")


def test_find_root_refuses_a_bad_environment_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("RJC_RECORDS", str(tmp_path / "missing"))
    with pytest.raises(RjcError, match="is not a records repository"):
        layout.find_root()


def test_find_root_walking_up_needs_git_too(tmp_path, monkeypatch):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / layout.SETTINGS_FILE).write_text("center: {name: x}\n")
    monkeypatch.chdir(tmp_path / "half")
    with pytest.raises(RjcError) as info:
        layout.find_root()
    assert str(info.value) == "no records repository here; run: rjc init"


def test_find_root_when_there_is_no_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RjcError) as info:
        layout.find_root()
    assert str(info.value) == "no records repository here; run: rjc init"
