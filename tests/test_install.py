"""rjc installed the normal way: a wheel of the project, in a fresh virtual environment, works.

The fresh environment borrows the development environment's dependencies (a .pth line naming its
site-packages: a plain path, so the editable rjc installed there is not put on the path), and the
test checks that the rjc it runs is the wheel's, not this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, **kwargs)


def test_a_wheel_installed_in_a_fresh_environment_renders_a_letter(case_repo, rjc, tmp_path):
    # Build from a copy of what a source distribution holds, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    shutil.copytree(PROJECT / "rjc", source / "rjc", ignore=shutil.ignore_patterns("__pycache__"))
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                "--disable-pip-version-check", "--quiet", "--wheel-dir", tmp_path / "wheels", source)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheels").glob("rjc-*.whl")

    fresh = tmp_path / "fresh"
    made = run(sys.executable, "-m", "venv", "--without-pip", fresh)
    assert made.returncode == 0, made.stderr
    python = fresh / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (purelib / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr

    where = run(python, "-c", "import rjc.outputs.letters as m; print(m.__file__); print(m.DEFAULT_TEMPLATES)",
                cwd=tmp_path)
    module, templates = map(Path, where.stdout.split())
    assert module.is_relative_to(purelib) and templates.is_relative_to(purelib), where.stdout + where.stderr

    listed = run(fresh / "bin" / "rjc", "letter", "--list", cwd=case_repo.root)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert "agreement                to responsible-party  the agreement's terms and due dates (default: agreement.md.j2)\n" in listed.stdout

    letter = run(fresh / "bin" / "rjc", "letter", "agreement", "C-2026-KB-0001", "--as-of", "2026-11-06",
                 cwd=case_repo.root)
    assert (letter.returncode, letter.stderr) == (0, "")
    lines = letter.stdout.splitlines()
    assert lines[:2] == ["Barre Community Justice Center", "1 Main Street, Barre, VT 05641"]
    assert "Dear Ana," in lines and "Amount owed: $250.00; paid so far: $50.00." in letter.stdout
    # the same letter this checkout renders
    assert letter.stdout == rjc("letter", "agreement", "C-2026-KB-0001", "--as-of", "2026-11-06").out
