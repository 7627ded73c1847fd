"""Shell completion, as bash runs it: the script `rjc --show-completion` prints, sourced into a real
bash, completing commands, options and record ids (ids only: never a name)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from test_casework import center, with_victim  # noqa: F401  (fixtures)

BIN = Path(sys.executable).parent


def completions(cwd: Path, line: str) -> list[str]:
    """What bash offers at the end of `line` (typed in `cwd`) when Tab is pressed."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    script = (f"source <(rjc --show-completion) && COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); "
              f"COMP_CWORD={len(words) - 1}; _rjc_completion rjc; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "RJC_COORDINATOR": "KB"})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [w for w in done.stdout.splitlines() if w]


@pytest.fixture
def records(with_victim):  # noqa: F811
    """A repository with two people, a referral and its case."""
    return with_victim


def test_commands_and_options_complete(records):
    root = records["repo"].root
    assert completions(root, "rjc pe") == ["person"]
    assert completions(root, "rjc referral a") == ["accept"]
    assert "--format" in completions(root, "rjc show --f")


def test_an_argument_that_takes_a_record_offers_ids_of_its_kind(records):
    root, case_id, people = records["repo"].root, records["case"], sorted([records["person"], records["victim"]])
    assert completions(root, "rjc show ") == sorted([case_id, *people, records["referral"]], key=_by_kind)
    assert completions(root, "rjc case close ") == [case_id]
    assert completions(root, "rjc referral accept ") == [records["referral"]]
    assert completions(root, f"rjc victim choose {case_id} ") == people
    assert completions(root, f"rjc person merge {people[0]} ") == people  # OTHER: the kind of KEEP
    assert completions(root, "rjc history p-2026-kb-") == people  # typed in any case


def test_nothing_is_offered_outside_a_repository(tmp_path):
    assert completions(tmp_path, "rjc show ") == []


def _by_kind(record_id: str) -> tuple:
    order = ["P", "R", "C", "PN", "V"]  # people, referrals, cases, panels, volunteers: the layout's order
    return order.index(record_id.split("-")[0]), record_id
