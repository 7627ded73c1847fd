"""The JSON Schemas written into each repository agree with rjc: a real validator (check-jsonschema,
which reads YAML as YAML 1.2 with its own parser) accepts every record rjc writes and refuses
what `rjc check` refuses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks.synth import generate_synthetic
from rjc import checks
from rjc.storage import layout

SAMPLE = Path(__file__).parent.parent / "records"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def validate(root: Path, schema: str, files: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--schemafile", schema, *files], cwd=root,
                          capture_output=True, text=True, timeout=300)


def validate_repository(root: Path) -> list[str]:
    """check-jsonschema over every file of the repository: the outputs of the runs that failed."""
    by_schema: dict[str, list[str]] = defaultdict(list)
    for relpath in layout.record_paths(root):
        by_schema[layout.record_kind(relpath).schema_file].append(relpath)
    by_schema[f"{layout.SCHEMA_DIR}/settings.schema.json"].append(layout.SETTINGS_FILE)
    assert len(by_schema) == len(layout.KINDS) + 1  # every kind of file is there
    failed = []
    for schema, files in by_schema.items():
        result = validate(root, schema, files)
        if result.returncode != 0 or "ok -- validation done" not in result.stdout:
            failed.append(result.stdout + result.stderr)
    return failed


def test_the_sample_records_pass_the_schemas():
    assert validate_repository(SAMPLE) == []


def test_a_synthetic_repository_of_a_thousand_records_passes_the_schemas(tmp_path):
    generate_synthetic(tmp_path / "records", 1000, 1)
    assert validate_repository(tmp_path / "records") == []


PANEL = "panels/2026/DW/PN-2026-DW-0001.yaml"
CASE = "cases/2026/KB/C-2026-KB-0001.yaml"
REFERRAL = "referrals/2026/KB/R-2026-KB-0001.yaml"
PERSON = "people/2026/KB/P-2026-KB-0001.yaml"


@pytest.mark.parametrize("relpath, old, new, refused, rule", [
    (PERSON, "given_name: Melissa\n", "given_name: Melissa\ncolour: blue\n",
     "$: Additional properties are not allowed ('colour' was unexpected)", "unknown-field"),
    (CASE, "- person: P-2026-DW-0006\n", "- person: P-26-DW-6\n",
     "$.participants[0].person: 'P-26-DW-6' does not match", "invalid-value"),
    (CASE, "program: pre-charge-diversion\n", "program: precharge-diversion\n",
     "$.program: 'precharge-diversion' is not one of", "invalid-choice"),
    (REFERRAL, "received: 2026-01-26\n", "",
     "$: 'received' is a required property", "missing-field"),
    (PANEL, "start: '18:00'\n", "start: '25:00'\n",
     "$.start: '25:00' does not match", "invalid-value"),
    (PANEL, "start: '18:00'\n", "start: 25:00\n",
     "$.start: '25:00' does not match", "invalid-value"),
])
def test_the_schemas_refuse_what_rjc_check_refuses(tmp_path, relpath, old, new, refused, rule):
    root = tmp_path / "records"
    shutil.copytree(SAMPLE, root)
    text = (root / relpath).read_text()
    assert old in text
    (root / relpath).write_text(text.replace(old, new, 1))
    problems = [p for p in checks.check_repository(root) if p.level == "error"]
    assert [(p.path, p.rule) for p in problems] == [(relpath, rule)]
    result = validate(root, layout.record_kind(relpath).schema_file, [relpath])
    assert result.returncode == 1
    assert f"{relpath}::{refused}" in result.stdout
