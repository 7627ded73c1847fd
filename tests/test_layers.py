"""The layers' one-way imports are checked, not hoped for: the contract in pyproject.toml holds
for rjc as it is, and an import that points up breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=tree, env=env, capture_output=True, text=True)


def test_rjc_keeps_its_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_an_import_that_points_up_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "rjc", tmp_path / "rjc", ignore=shutil.ignore_patterns("__pycache__"))
    storage = tmp_path / "rjc" / "storage" / "layout.py"
    storage.write_text(storage.read_text() + "\nfrom rjc.outputs import listing  # noqa: E402\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "rjc.storage is not allowed to import rjc.outputs:" in result.stdout
    assert "- rjc.storage.layout -> rjc.outputs.listing" in result.stdout
