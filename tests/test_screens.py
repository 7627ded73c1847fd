"""Screens on an 80-column terminal: ids and numbers are never cut; what does not fit is left out
whole, and a note on stderr says which columns and how to see them."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rjc.outputs import screen

SAMPLE = Path(__file__).parent.parent / "records"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_NOTE = re.compile(r"note: 80 columns is too narrow for (.*); see every column with --format csv, "
                   r"or in a wider window")


@pytest.fixture
def sample(tmp_path) -> Path:
    """The bundled sample records, as a records repository of their own."""
    root = tmp_path / "records"
    shutil.copytree(SAMPLE, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t.invalid",
                    "commit", "-qm", "sample records"], check=True)
    return root


def shown(session) -> str:
    code, _ = session.end()
    assert code == 0, session.seen
    return _ANSI.sub("", session.seen).replace("\r", "")


def _listing(rjc, root: Path, args: tuple[str, ...]) -> list[dict]:
    result = rjc("--records", root, *args, "--format", "csv")
    assert result.code == 0, result.err
    return list(csv.DictReader(io.StringIO(result.out)))


SCREENS = [
    ("list", "cases"), ("list", "referrals"), ("list", "panels"), ("list", "volunteers"),
    ("volunteer", "list"), ("report", "caseload"), ("report", "restitution"), ("report", "volunteers"),
]


@pytest.mark.parametrize("args", SCREENS, ids=" ".join)
def test_every_id_and_number_is_shown_whole_at_80_columns(args, sample, rjc, terminal):
    rows = _listing(rjc, sample, args)
    text = shown(terminal(sample, *args))
    lines = text.splitlines()
    note = [line for line in lines if line.startswith("note: ")]
    left_out = set()
    if note:
        found = _NOTE.fullmatch(note[0])
        assert found, note[0]
        left_out = {c for c in re.split(r", |: ", found.group(1))}
    words = {w.rstrip(",") for w in text.split()}
    ids = [row[next(iter(row))] for row in rows]  # the first column is the record's id
    assert ids and all(i in words for i in ids)
    for row in rows:
        for column, value in row.items():
            if column not in left_out:
                for token in value.split():
                    if any(c.isdigit() for c in token):
                        assert token.rstrip(",") in words, (column, token)
    assert "…" not in text
    assert all(len(line) <= 80 for line in lines if not line.startswith(("note: ", "hours_fy: ")))


def test_the_case_list_leaves_out_the_least_valuable_columns_and_says_so(sample, rjc, terminal):
    rows = _listing(rjc, sample, ("list", "cases"))
    text = shown(terminal(sample, "list", "cases"))
    assert ("note: 80 columns is too narrow for coordinator, referral; see every column with --format csv, "
            "or in a wider window") in text
    heading = next(line for line in text.splitlines() if line.startswith("id "))
    assert heading.split() == ["id", "program", "status", "opened", "days_open"]
    longest = max(rows, key=lambda r: int(r["days_open"]))
    assert re.search(rf"^{longest['id']} .* {longest['opened']}  {longest['days_open']}\s*$", text, re.M)


def test_a_wide_window_shows_every_column_and_no_note(sample, terminal):
    text = shown(terminal(sample, "list", "cases", columns=160))
    heading = next(line for line in text.splitlines() if line.startswith("id "))
    assert heading.split() == ["id", "program", "status", "coordinator", "opened", "days_open", "referral"]
    assert "note:" not in text


def test_the_quarterly_report_wraps_measures_and_keeps_every_period(sample, rjc, terminal):
    rows = _listing(rjc, sample, ("report", "quarterly"))
    text = shown(terminal(sample, "report", "quarterly"))
    assert "note:" not in text
    words = set(text.split())
    assert all(set(row["period"].split()) <= words and row["value"] in words | {""} for row in rows)
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_report_in_a_file_holds_every_column(sample, rjc, tmp_path):
    out = tmp_path / "caseload.txt"
    assert rjc("--records", sample, "report", "caseload", "--out", out).code == 0
    heading = next(line for line in out.read_text().splitlines() if line.startswith("case "))
    assert heading.split() == ["case", "program", "coordinator", "status", "opened", "days_open",
                               "status_since", "days_in_status"]


# --- the layout itself ------------------------------------------------------------------------


def test_words_wrap_after_hyphens_and_ids_never_break():
    layout = screen.fit(["id", "program"], [["C-2026-DW-0001", "family-group-conferencing"]], 30)
    assert layout.cells == [["C-2026-DW-0001", "family-group-\nconferencing"]]
    assert layout.left_out == []


def test_the_least_valuable_column_that_cannot_wrap_is_left_out():
    layout = screen.fit(["id", "referral", "status"], [["C-2026-DW-0001", "R-2026-DW-0001", "closed"]], 24,
                        rank=["id", "status", "referral"])
    assert layout.names == ["id", "status"]
    assert layout.left_out == ["referral"]


def test_the_most_valuable_column_is_shown_even_when_it_alone_is_too_wide():
    layout = screen.fit(["id", "days"], [["C-2026-DW-0001", "240"]], 8)
    assert layout.cells == [["C-2026-DW-0001"]] and layout.left_out == ["days"]
