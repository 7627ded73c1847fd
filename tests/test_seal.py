"""rjc seal: a closed case, its referral and the people in no other case, sealed out of every
commit; proven on the bytes of every object, file and private file of the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rjc.storage import layout

from helpers import dedent, git, sealing_key

FIRST = dedent("""\
    people:
      - role: responsible-party
        given_name: Zoë
        family_name: Nguyễn
        date_of_birth: 2001-04-02
        phone: 802-555-0100
        address:
          street: 14 Quarry Hill Rd
      - role: victim
        given_name: Sam
        family_name: O'Brien
        date_of_birth: 1970-01-15
    contact:
      name: Pat Jones
      phone: 802-555-0199
    harm: Took a bicycle from the porch.
    """)
SECOND = dedent("""\
    people:
      - role: responsible-party
        given_name: Quinn
        family_name: Ashgrove
        date_of_birth: 1999-09-09
      - role: victim
        given_name: Sam
        family_name: O'Brien
        date_of_birth: 1970-01-15
    harm: Broke a window at the store.
    """)
NOTE = "Returned the bicycle, apologised at the shed"
SEALED_TEXT = ("Zoë", "Nguyễn", "2001-04-02", "802-555-0100", "Quarry Hill", "Pat Jones", "802-555-0199",
               "Took a bicycle", "Windsor County SA", "123-4-26", "Hartford", "petit larceny", NOTE)
QUARTERS = ("2024Q1", "2024Q2", "2024Q3", "2025Q2", "2026Q2")


@pytest.fixture
def center(repo, rjc, tmp_path):
    """Two diversion cases sharing a victim: the first closed successfully in June 2024."""
    root = repo.root
    key = sealing_key(root, tmp_path)

    def run(*args, stdin=None):
        result = rjc("--records", root, *args, stdin=stdin)
        assert result.code == 0, result
        return result.out.strip()

    def referral(text: str, received: str, *flags: str) -> str:
        path = tmp_path / "intake.yaml"
        path.write_text(text, encoding="utf-8")
        return run("referral", "new", "--no-input", "--program", "pre-charge-diversion", "--source",
                   "states-attorney", "--received", received, "--person-file", path, *flags)

    first = referral(FIRST, "2024-03-04", "--agency", "Windsor County SA", "--docket", "123-4-26",
                     "--town", "Hartford", "--charge", "petit larceny")
    case = run("referral", "accept", first, "--date", "2024-03-06")
    run("case", "note", case, "--kind", "phone", "--date", "2024-03-08", stdin=NOTE + "\n")
    run("case", "close", case, "--reason", "completed-successfully", "--date", "2024-06-10")
    second = referral(SECOND, "2024-05-01")
    other = run("referral", "accept", second, "--date", "2024-05-02")
    run("case", "note", other, "--kind", "phone", "--date", "2024-05-03", stdin="Called about the window\n")
    run.root, run.case, run.referral, run.other, run.key = root, case, first, other, key
    run.people = {repo.get(p.person).given_name: p.person for p in repo.get(first).people}
    return run


def everything(root: Path) -> bytes:
    """Every byte rjc or git keeps here: each object's content, uncompressed, and every file."""
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root, check=True,
                             capture_output=True).stdout
    files = b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())
    return objects + files


def test_sealing_removes_every_trace_and_keeps_every_past_report(center, rjc):
    root = center.root
    reports = {q: center("report", "quarterly", "--quarter", q, "--year", "calendar") for q in QUARTERS}
    subjects = git(root, "log", "--format=%s %an %aI")
    assert all(text.encode() in everything(root) for text in SEALED_TEXT)  # there, to begin with

    sealed = center("seal", center.case, "--as-of", "2026-06-10", "--yes").splitlines()
    zoe, sam = center.people["Zoë"], center.people["Sam"]
    # the case's 3 versions, the referral's 2, Zoë's 1; the victim is in another case: kept
    assert sealed[0] == (f"sealed {center.case}: 3 records tombstoned ({center.case} {zoe} {center.referral}), "
                         "6 versions rewritten, the old ones deleted")
    archive = Path(sealed[1].removeprefix("what was removed is archived, encrypted to the center's sealing key, in "))
    assert archive.parent == center.key.parent / "archives" and archive.name.startswith("sealed-2026-06-10-")
    assert oct(archive.stat().st_mode & 0o777) == "0o600" and b"Took a bicycle" not in archive.read_bytes()

    found = everything(root)
    for text in SEALED_TEXT:
        assert text.encode() not in found, f"{text!r} is still in the repository"
    assert b"O'Brien" in found and b"Broke a window" in found  # the unsealed case and its people stay
    assert {q: center("report", "quarterly", "--quarter", q, "--year", "calendar") for q in QUARTERS} == reports
    assert git(root, "log", "--format=%s %an %aI").endswith(subjects)  # every commit kept, one added
    assert git(root, "log", "-1", "--format=%s") == f"seal {center.case}\n"
    assert center("check") == "" or "0 errors" in center("check")
    for record in (center.case, center.referral, zoe):
        assert center("show", record, "--no-names")  # the ids still resolve
    assert "given_name: (sealed)" in (root / layout.parse_id(zoe).path).read_text(encoding="utf-8")
    assert "given_name: Sam" in (root / layout.parse_id(sam).path).read_text(encoding="utf-8")
    assert center("seal", "--due", "--as-of", "2026-12-01") == ""  # sealed: no longer due
    register = (root / "sealed.yaml").read_text(encoding="utf-8")
    assert f"case: {center.case}" in register and "pre-charge-diversion: 2 years after" in register
    history = center("history", center.case)
    assert "Returned" not in history and "created" in history


@pytest.mark.parametrize("case, message", [
    ("other", "{id} is open; only a closed case can be sealed"),
    ("referral", "{id} is not a case: a seal is of a case, with its referral and people"),
])
def test_what_cannot_be_sealed_is_refused_and_nothing_changes(center, rjc, case, message):
    record = getattr(center, case)
    head = git(center.root, "rev-parse", "HEAD")
    result = rjc("--records", center.root, "seal", record, "--court-order", "24-CR-0192", "--yes")
    assert (result.code, result.err) == (1, f"Error: {message.format(id=record)}\n")
    assert git(center.root, "rev-parse", "HEAD") == head


def test_a_case_not_due_needs_a_court_order(center, rjc):
    result = rjc("--records", center.root, "seal", center.case, "--as-of", "2025-01-01", "--yes")
    assert (result.code, result.err) == (1, f"Error: {center.case} is not due for sealing under rjc.yaml's rules "
                                            f"(due 2026-06-10); to seal it on a court's order: --court-order REF\n")
    ordered = center("seal", center.case, "--court-order", "24-CR-0192", "--as-of", "2025-01-01", "--yes")
    assert ordered.startswith(f"sealed {center.case}:")
    assert "archived, encrypted" in ordered
    assert "rule: court order 24-CR-0192" in (center.root / "sealed.yaml").read_text(encoding="utf-8")
    again = rjc("--records", center.root, "seal", center.case, "--court-order", "24-CR-0192", "--yes")
    assert again.err == f"Error: {center.case} was already sealed on 2025-01-01\n"


def test_sealing_asks_first_and_needs_yes_without_a_terminal(center, rjc):
    result = rjc("--records", center.root, "seal", center.case, "--court-order", "X", "--no-input")
    assert (result.code, result.err) == (1, "Error: nothing was sealed; confirm with --yes\n")


def test_the_old_history_merged_back_by_plain_git_is_caught_and_sealed_again(center, rjc, tmp_path):
    root = center.root
    old = tmp_path / "old.git"  # a copy of the history from before the seal, kept somewhere
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(old)], check=True)
    center("seal", center.case, "--as-of", "2026-06-10", "--yes")
    # merged line by line, -X theirs, as a clone without rjc's merge driver would (.git/info/attributes wins)
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("*.yaml merge\n")
    git(root, "-c", "user.name=x", "-c", "user.email=x@example.org", "pull", "-q", "--no-rebase", "-X", "theirs",
        "--no-edit", str(old), "main")
    assert b"Took a bicycle" in everything(root)

    checked = rjc("--records", root, "check")
    assert checked.code == 1
    referral = layout.parse_id(center.referral).path
    assert f"{referral}:1:1: error: {center.referral} was sealed on 2026-06-10 with {center.case}, but holds more " \
           f"than its tombstone: the history from before the seal came back (a plain git pull or merge?); " \
           f"run: rjc seal --repair [sealed-restored]" in checked.out

    repaired = center("seal", "--repair")
    assert repaired.startswith("sealed again: 3 records, ")
    found = everything(root)
    for text in SEALED_TEXT:
        assert text.encode() not in found, f"{text!r} is back"
    assert center("check") is not None  # clean again (center() asserts exit 0)


@pytest.mark.parametrize("target, calls, returned", [
    ("rjc.storage.gitrepo:Git.run", 3, False),  # while it checks what to seal: nothing sealed
    ("rjc.storage.gitrepo:Git.rewrite_files", 0, False),  # the plan written, nothing rewritten
    ("git_filter_repo:RepoFilter.run", 0, True),  # history rewritten, the files not yet checked out
    ("rjc.storage.gitrepo:Git.commit_paths", 0, False),  # rewritten, the register not committed
    ("rjc.storage.gitrepo:Git.commit_paths", 0, True),  # registered, the old objects still there
    ("rjc.storage.gitrepo:Git.purge", 0, False),
])
def test_a_seal_killed_at_any_step_is_finished_by_rjc_doctor(center, target, calls, returned):
    from test_crash import _killed_at, _run

    root = center.root
    killed = _killed_at(root, target, calls, "seal", center.case, "--court-order", "X", "--yes",
                        once_returned=returned)
    assert killed.returncode == -9
    doctor = _run(root, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    found = everything(root)
    if b"court order X" not in (root / "sealed.yaml").read_bytes() if (root / "sealed.yaml").exists() else True:
        assert all(text.encode() in found for text in SEALED_TEXT)  # killed before it began: as it was
    else:
        assert "an interrupted seal: finished it" in doctor.stdout
        for text in SEALED_TEXT:
            assert text.encode() not in found, f"{text!r} is still in the repository"
    assert git(root, "status", "--porcelain") == ""
    assert _run(root, "check").returncode == 0


def test_the_register_and_the_history_say_what_was_sealed_by_id_only(center, rjc):
    assert rjc("--records", center.root, "sealed").err == "nothing has been sealed\n"
    center("seal", center.case, "--as-of", "2026-06-10", "--yes")
    zoe = center.people["Zoë"]
    assert center("sealed") == (f"{center.case}  sealed 2026-06-10  by KB  pre-charge-diversion: 2 years after "
                                f"completed-successfully  records: {center.case} {zoe} {center.referral}")
    history = center("history", zoe).splitlines()
    assert history[-1] == (f"2026-06-10        KB    seal {center.case}: every version above is what the seal "
                           f"left of it  (pre-charge-diversion: 2 years after completed-successfully)")
    assert history[1] == "    created" and "Zoë" not in "\n".join(history)


def test_a_court_order_reads_a_sealed_case_back_with_the_private_key_only(center, rjc, tmp_path):
    sealed = center("seal", center.case, "--as-of", "2026-06-10", "--yes").splitlines()
    archive = sealed[1].rsplit(" in ", 1)[1]
    court = tmp_path / "court"
    written = center("unseal", center.case, "--archive", archive, "--identity", center.key, "--out", court)
    target = court / f"{center.case}.unsealed.txt"
    assert written == f"written, owner-only: {target}"
    text = target.read_text(encoding="utf-8")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert "Took a bicycle from the porch." in text and "given_name: Zoë" in text and NOTE in text
    assert f"## {center.case}, version 3 of 3: " in text  # every version, not only the last
    assert b"Took a bicycle" not in everything(center.root)  # read outside; the records stay sealed

    other = tmp_path / "other.key"
    from pyrage import x25519

    other.write_text(f"{x25519.Identity.generate()}\n", encoding="utf-8")
    wrong = rjc("--records", center.root, "unseal", center.case, "--archive", archive, "--identity", other,
                "--out", court)
    assert (wrong.code, wrong.err) == (1, f"Error: this key does not open {archive} (or it is not a sealed archive)\n")
    inside = rjc("--records", center.root, "unseal", center.case, "--archive", archive, "--identity", center.key,
                 "--out", center.root / "out")
    assert inside.err == f"Error: {center.root / 'out'} is in a records repository; unsealed records are read " \
                         f"outside it, never shared\n"


def test_a_seal_needs_the_sealing_key_and_an_expunge_keeps_nothing(center, rjc, tmp_path):
    settings = (center.root / "rjc.yaml").read_text(encoding="utf-8")
    (center.root / "rjc.yaml").write_text(settings.replace("public_key: age1", "public_key: age2"), encoding="utf-8")
    git(center.root, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-qam", "break the key")
    bad = rjc("--records", center.root, "seal", center.case, "--court-order", "X", "--yes")
    assert bad.code == 1 and "public_key" in bad.out + bad.err
    git(center.root, "reset", "-q", "--hard", "HEAD~1")
    (center.root / "rjc.yaml").write_text(
        "\n".join(line for line in settings.splitlines() if "public_key" not in line) + "\n", encoding="utf-8")
    git(center.root, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-qam", "no key")
    missing = rjc("--records", center.root, "seal", center.case, "--court-order", "X", "--yes")
    assert missing.err == ("Error: rjc.yaml has no sealing.public_key: a seal first archives what it removes, "
                           "encrypted to the center's sealing key (age1...); set it, or expunge instead; "
                           "nothing was sealed\n")
    expunged = center("expunge", center.case, "--court-order", "X", "--yes").splitlines()
    assert expunged[0].startswith(f"expunged {center.case}: 3 records tombstoned")
    assert len(expunged) == 1 and not (tmp_path / "archives").exists()
    assert "action: expunge" in (center.root / "sealed.yaml").read_text(encoding="utf-8")


def test_rjc_init_sets_the_sealing_key_and_refuses_what_is_not_one(rjc, tmp_path):
    from pyrage import x25519

    key = str(x25519.Identity.generate().to_public())
    made = rjc("init", tmp_path / "center", "--center", "C", "--code", "KB", "--name", "K", "--sealing-key", key)
    assert made.code == 0, made
    assert f"public_key: {key}" in (tmp_path / "center" / "rjc.yaml").read_text(encoding="utf-8")
    bad = rjc("init", tmp_path / "other", "--center", "C", "--code", "KB", "--name", "K", "--sealing-key", "age1xyz")
    assert (bad.code, bad.err) == (1, "Error: --sealing-key takes the center's age public key (age1..., 62 "
                                      "characters); nothing was created\n")
    assert not (tmp_path / "other").exists()


def test_two_cases_sealed_together_take_the_person_they_shared(center, rjc):
    center("case", "close", center.other, "--reason", "completed-successfully", "--date", "2024-07-01")
    sam, zoe = center.people["Sam"], center.people["Zoë"]
    center("seal", center.case, center.other, "--court-order", "X", "--as-of", "2026-12-01", "--yes")
    assert "given_name: (sealed)" in (center.root / layout.parse_id(sam).path).read_text(encoding="utf-8")
    assert b"O'Brien" not in everything(center.root)
    lines = center("sealed").splitlines()
    assert len(lines) == 2
    first, second = (line.split("records: ")[1].split() for line in lines)
    assert set(first) == {center.case, center.referral, sam, zoe}
    assert center.other in second and sam in second and center.case not in second


def test_a_seal_waits_while_another_rjc_writes(center):
    import os
    import sys

    from rjc.storage.transaction import write_lock

    env = {**os.environ, "RJC_RECORDS": str(center.root), "RJC_COORDINATOR": "KB"}
    with write_lock(center.root):
        process = subprocess.Popen([sys.executable, "-m", "rjc", "seal", center.case, "--court-order", "X", "--yes"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1.5)  # still waiting while the other writer holds the lock
        assert not (center.root / "sealed.yaml").exists()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "waiting for another rjc to finish writing..." in err
    assert out.startswith(f"sealed {center.case}:")


def test_a_panel_that_heard_only_the_sealed_case_is_sealed_and_a_shared_one_is_kept(center, repo):
    from rjc.model import SCHEMA_VERSION, Panel

    def panel(number: int, cases: list[str], note: str) -> str:
        made = Panel(id=f"PN-2024-KB-{number:04d}", schema_version=SCHEMA_VERSION, date="2024-04-02",
                     start="18:00", end="19:00", place="Quarry Hill grange hall", status="cancelled",
                     docket=[{"case": c} for c in cases], note=note,
                     history=[{"date": "2024-03-20", "by": "KB", "action": "scheduled"},
                              {"date": "2024-03-30", "by": "KB", "action": "cancelled", "note": note}])
        repo.save(made, "panel schedule", command="panel schedule")
        return made.id

    alone = panel(1, [center.case], "Postponed: the bicycle owner is away")
    shared = panel(2, [center.case, center.other], "An evening of two cases")
    center("seal", center.case, "--as-of", "2026-06-10", "--yes")
    found = everything(center.root)
    assert b"the bicycle owner is away" not in found and b"Quarry Hill grange" in found  # the shared one's place
    assert b"An evening of two cases" in found
    lines = center("sealed").split("records: ")[1].split()
    assert alone in lines and shared not in lines
    assert center("check") is not None


def test_a_seal_waits_for_rjc_doctor_after_an_interrupted_change(center, rjc):
    from rjc.storage import private

    journal = private.file(center.root, private.JOURNAL)
    journal.write_text('{"command": "case note", "files": {}}', encoding="utf-8")
    refused = rjc("--records", center.root, "seal", center.case, "--court-order", "X", "--yes")
    assert (refused.code, refused.err.splitlines()[-1]) == (
        1, "Error: an earlier rjc change, sync or seal was interrupted; run: rjc doctor (nothing was sealed)")
    assert not (center.root / "sealed.yaml").exists()


def test_rjc_seal_set_key_sets_the_sealing_key_in_one_commit(repo, rjc):
    from pyrage import x25519

    key = str(x25519.Identity.generate().to_public())
    before = git(repo.root, "rev-list", "--count", "HEAD")
    done = rjc("--records", repo.root, "seal", "--set-key", key)
    assert (done.code, done.out) == (0, "the sealing key is set; what a seal removes is archived encrypted to it\n")
    assert f"public_key: {key}" in (repo.root / "rjc.yaml").read_text(encoding="utf-8")
    assert int(git(repo.root, "rev-list", "--count", "HEAD")) == int(before) + 1
    bad = rjc("--records", repo.root, "seal", "--set-key", "age1nope")
    assert (bad.code, bad.err) == (1, "Error: the sealing key is the center's age public key (age1..., 62 "
                                      "characters); nothing was changed\n")
