"""The command line as a user drives it: wiring, exact output, exit codes, and what it commits."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import git

YEAR = __import__("datetime").date.today().year
PERSON = f"P-{YEAR}-KB-0001"
CASE = f"C-{YEAR}-KB-0001"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def commits(root: Path) -> list[str]:
    return git(root, "log", "--format=%H").split()


@pytest.fixture
def person_file(tmp_path) -> Path:
    return write(tmp_path / "ana.yaml", """\
        given_name: Ana
        family_name: Rivera
        phone: "0802 555 0134"
        """)


@pytest.fixture
def with_person(repo, rjc, person_file, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "person", "--from-file", person_file)
    assert result.code == 0, result.err
    return repo


# --- init and finding the repository ---------------------------------------------------------


def test_init_creates_an_owner_only_repository_with_one_commit(rjc, tmp_path):
    target = tmp_path / "center"
    result = rjc("init", target, "--center", "Test Center", "--code", "kb", "--name", "Kim Bell")
    assert result.code == 0, result.err
    assert "created records repository" in result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for path in [target / "rjc.yaml", target / "schemas" / "case.schema.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    schema = json.loads((target / "schemas" / "case.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    assert len(commits(target)) == 1
    assert git(target, "config", "rjc.coordinator").strip() == "KB"
    assert git(target, "config", "core.splitIndex").strip() == "true"


def test_init_refuses_an_existing_repository_and_changes_nothing(rjc, repo):
    before = (repo.root / "rjc.yaml").read_bytes(), commits(repo.root)
    result = rjc("init", repo.root, "--center", "Other", "--code", "XY", "--name", "X", "--no-input")
    assert result.code == 1
    assert "already holds a repository; nothing was changed" in result.err
    assert "Traceback" not in result.err
    assert ((repo.root / "rjc.yaml").read_bytes(), commits(repo.root)) == before


def test_init_without_a_terminal_names_the_missing_options(rjc, tmp_path):
    result = rjc("init", tmp_path / "x", "--center", "C", stdin="")
    assert result.code == 1
    assert result.err == "Error: missing --code, --name (no terminal to ask on)\n"


def test_no_repository_here(rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = rjc("list", "cases")
    assert result.code == 1
    assert result.err.strip() == "Error: no records repository here; run: rjc init"


def test_repository_found_by_option_then_environment_then_cwd(rjc, make_repo, tmp_path, monkeypatch, person_file):
    first = make_repo(tmp_path / "first")
    second = make_repo(tmp_path / "second")
    monkeypatch.chdir(first.root / "cases")  # walking up finds `first`
    assert rjc("new", "person", "-f", person_file).code == 0
    monkeypatch.setenv("RJC_RECORDS", str(second.root))  # the environment beats the cwd
    assert rjc("new", "person", "-f", person_file).code == 0
    third = make_repo(tmp_path / "third")
    assert rjc("--records", third.root, "new", "person", "-f", person_file).code == 0  # the option beats both
    for repo in (first, second, third):
        assert (repo.root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml").is_file()
        assert len(commits(repo.root)) == 3  # init, settings, the person


def test_the_records_option_does_not_outlive_its_run(rjc, make_repo, tmp_path, monkeypatch, person_file):
    from rjc.cli.repo import open_repository

    first = make_repo(tmp_path / "first")
    second = make_repo(tmp_path / "second")
    monkeypatch.chdir(tmp_path)
    assert rjc("--records", first.root, "new", "person", "-f", person_file).code == 0
    monkeypatch.chdir(second.root / "cases")
    assert open_repository().root == second.root  # nothing kept from that run for a caller outside any run
    assert rjc("new", "person", "-f", person_file).code == 0  # the cwd's repository, not the last run's option
    assert len(commits(first.root)) == 3 and len(commits(second.root)) == 3  # init, settings, the person


# --- new ----------------------------------------------------------------------------------


def test_new_from_file_prints_the_id_and_commits_without_names(with_person, rjc):
    root = with_person.root
    assert (root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml").is_file()
    message = git(root, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == f"new person {PERSON}"
    assert "Rjc-Command: new" in message and "Rjc-Coordinator: KB" in message
    assert "Ana" not in message and "Rivera" not in message
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [f"people/{YEAR}/KB/{PERSON}.yaml"]


def test_new_prints_id_on_stdout_and_the_commit_on_stderr(repo, rjc, person_file, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "person", "--from-file", person_file)
    assert result.out == f"{PERSON}\n"
    assert result.err.startswith("committed ")


def test_new_from_stdin(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "person", "--from-file", "-", stdin="given_name: Bo\n")
    assert result.code == 0, result.err
    assert result.out == f"{PERSON}\n"


def test_new_person_at_the_prompts(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    # given name, then every optional single-value field: family name, preferred name,
    # date of birth (a wrong one first, re-asked), pronouns, phone (too short, re-asked), email,
    # contact notes, note; then the summary, and save
    answers = "Ana\nRivera\n\nnot-a-date\n1990-04-01\nshe/her\n0123\n01234567\n\n\n\ny\n"
    result = rjc("new", "person", tty=True, stdin=answers)
    assert result.code == 0, result.err
    assert "  not a date (YYYY-MM-DD): not-a-date\n" in result.err
    assert "  not a phone number (7 to 15 digits, e.g. 802-555-0134): 0123\n" in result.err
    assert ("The person to be saved:\n  given name: Ana\n  family name: Rivera\n  date of birth: 1990-04-01\n"
            "  pronouns: she/her\n  phone: 01234567\n") in result.err
    text = (repo.root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml").read_text()
    assert ("given_name: Ana\nfamily_name: Rivera\ndate_of_birth: 1990-04-01\npronouns: she/her\n"
            "phone: '01234567'\n") in text


def test_new_without_a_terminal_or_file_says_how(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "person", stdin="")
    assert result.code == 1
    assert result.err == "Error: no terminal to ask on: give the fields with --from-file FILE (or '-' for stdin)\n"
    assert len(commits(repo.root)) == 2


def test_new_with_a_typo_points_at_the_line_and_commits_nothing(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    bad = write(tmp_path / "bad.yaml", """\
        given_name: Ana
        famly_name: Rivera
        """)
    result = rjc("new", "person", "-f", bad)
    assert result.code == 1
    assert f"{bad}:2:1: error: unknown field 'famly_name' (did you mean 'family_name'?) [unknown-field]" in result.err
    assert result.err.rstrip().endswith("Error: nothing was created")
    assert len(commits(repo.root)) == 2
    assert not (repo.root / "people" / str(YEAR)).exists()


def test_new_refuses_an_id_in_the_file(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    bad = write(tmp_path / "bad.yaml", "id: P-2026-KB-0042\ngiven_name: Ana\n")
    result = rjc("new", "person", "-f", bad)
    assert result.code == 1
    assert f"{bad}:1:1: error: remove 'id': rjc assigns it [assigned-by-rjc]" in result.err


def test_new_case_naming_a_missing_person_is_refused(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    case = write(tmp_path / "case.yaml", """\
        program: restorative-panel
        participants:
        - person: P-2026-KB-0042
          role: responsible-party
        """)
    result = rjc("new", "case", "-f", case)
    assert result.code == 1
    assert f"{case}:3:11: error: P-2026-KB-0042 does not exist [reference-exists]" in result.err
    assert len(commits(repo.root)) == 2


def test_new_case_starts_in_intake_attributed_to_the_coordinator(with_person, rjc, tmp_path):
    case = write(tmp_path / "case.yaml", f"""\
        program: mediation
        participants:
        - person: {PERSON}
          role: party
        """)
    result = rjc("new", "case", "-f", case)
    assert result.code == 0, result.err
    record = with_person.get(CASE)
    assert record.coordinator == "KB"
    assert [(e.status, e.by) for e in record.status_history] == [("intake", "KB")]


# --- show and list ------------------------------------------------------------------------


def test_show_resolves_names_beside_ids(with_person, rjc, tmp_path):
    case = write(tmp_path / "case.yaml", f"program: star\nparticipants:\n- person: {PERSON}\n  role: client\n")
    assert rjc("new", "case", "-f", case).code == 0
    result = rjc("show", CASE)
    assert result.code == 0
    assert f"- person: {PERSON}  # Ana Rivera\n" in result.out
    assert "Ana" not in rjc("show", CASE, "--no-names").out
    data = json.loads(rjc("show", CASE, "--format", "json").out)
    assert data["participants"] == [{"person": PERSON, "role": "client"}]


@pytest.mark.parametrize("bad_id", ["../rjc", "C-2026-KB-0001/../x", "cases/2026", ""])
def test_show_refuses_what_is_not_an_id(repo, rjc, monkeypatch, bad_id):
    monkeypatch.chdir(repo.root)
    result = rjc("show", bad_id)
    assert result.code == 1
    assert "not a record id" in result.err and (bad_id.strip() == "" or bad_id not in result.err)
    assert "Traceback" not in result.err


def test_show_a_missing_record(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("show", "C-2026-KB-0099")
    assert (result.code, result.err.strip()) == (1, "Error: no record C-2026-KB-0099")


def test_list_filters_and_formats(with_person, rjc, tmp_path):
    for program in ("restorative-panel", "mediation", "restorative-panel"):
        case = write(tmp_path / "c.yaml", f"program: {program}\nparticipants:\n- person: {PERSON}\n  role: party\n")
        assert rjc("new", "case", "-f", case).code == 0
    result = rjc("list", "cases", "--status", "open", "--program", "restorative-panel", "--format", "csv")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "id,program,status,coordinator,opened,days_open,referral"
    assert [line.split(",")[0] for line in lines[1:]] == [f"C-{YEAR}-KB-0001", f"C-{YEAR}-KB-0003"]
    rows = json.loads(rjc("list", "case", "--program", "mediation", "--format", "json").out)
    assert [(r["id"], r["status"]) for r in rows] == [(f"C-{YEAR}-KB-0002", "intake")]
    assert rjc("list", "cases", "--status", "closed", "--format", "csv").out.splitlines() == [lines[0]]
    table = rjc("list", "cases")
    assert f"C-{YEAR}-KB-0003" in table.out and "3 records" in table.err
    assert "Ana" not in rjc("list", "people").out


def test_list_refuses_unknown_filter_values(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("list", "cases", "--status", "opne")
    assert result.code == 1
    assert result.err == "Error: --status 'opne' is not one of: referred, intake, victim-contacted, panel-scheduled, in-circle, in-mediation, conference-scheduled, in-services, in-internship, agreement-signed, monitoring, closed, open\n"
    assert rjc("list", "things").err.strip().startswith("Error: unknown record kind 'things'")


# --- edit ---------------------------------------------------------------------------------

EDITOR = """\
import os, sys
path = sys.argv[1]
text = open(path).read()
old, new = os.environ["EDIT_OLD"], os.environ["EDIT_NEW"]
with open(path, "w") as f:
    f.write(text.replace(old, new))
also = os.environ.get("EDIT_ALSO")  # someone else changes the real file meanwhile
if also:
    with open(also, "a") as f:
        f.write("note: changed elsewhere\\n")
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)

    def set_edit(old: str, new: str, also: Path | None = None):
        monkeypatch.setenv("EDIT_OLD", old)
        monkeypatch.setenv("EDIT_NEW", new)
        if also:
            monkeypatch.setenv("EDIT_ALSO", str(also))

    return set_edit


def test_edit_commits_a_valid_change_and_history_shows_it(with_person, rjc, editor):
    editor("phone: 0802 555 0134", "phone: 0802 555 0199")
    result = rjc("edit", PERSON)
    assert result.code == 0, result.err
    assert "committed" in result.err
    assert git(with_person.root, "log", "-1", "--format=%s").strip() == f"edit person {PERSON}"
    history = rjc("history", PERSON)
    assert "phone: 0802 555 0134 -> 0802 555 0199" in history.out
    assert list(history.out.splitlines())[1].strip() == "created"
    drafts = with_person.root / ".git" / "rjc" / "drafts"
    assert list(drafts.glob("*.yaml")) == []


def test_edit_with_no_change_commits_nothing(with_person, rjc, editor):
    editor("nothing-matches", "x")
    before = commits(with_person.root)
    result = rjc("edit", PERSON)
    assert (result.code, result.err.strip()) == (0, "no changes; nothing committed")
    assert commits(with_person.root) == before


def test_invalid_edit_commits_nothing_and_keeps_the_draft(with_person, rjc, editor):
    path = with_person.root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml"
    original = path.read_bytes()
    before = commits(with_person.root)
    editor("phone:", "phnoe:")
    result = rjc("edit", PERSON, stdin="")
    assert result.code == 1
    assert "unknown field 'phnoe' (did you mean 'phone'?)" in result.err
    draft = with_person.root / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert result.err.splitlines()[-1] == f"Error: invalid; nothing committed; your draft is kept at {draft}"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert "phnoe:" in draft.read_text()
    assert path.read_bytes() == original and commits(with_person.root) == before
    # The next edit resumes the draft; fixing it commits.
    editor("phnoe:", "phone:")
    result = rjc("edit", PERSON)
    assert "resuming your earlier draft" in result.err
    assert result.code == 0 and "no changes" in result.err  # fixed back to the original


def test_invalid_edit_on_a_terminal_reopens_with_the_problems_as_comments(with_person, rjc, editor, tmp_path):
    editor("given_name: Ana", "given_name: Ana\nstatus: x")
    # First pass adds a bad field; on the reopen the script finds nothing to replace, so the
    # user answers "n" and the draft with the problem comments is kept.
    result = rjc("edit", PERSON, tty=True, stdin="y\nn\n")
    assert result.code == 1
    draft = (with_person.root / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml").read_text()
    assert draft.startswith("# rjc! line ")
    assert "unknown field 'status'" in draft


def test_edit_refuses_to_clobber_a_concurrent_change(with_person, rjc, editor):
    path = with_person.root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml"
    editor("phone: 0802 555 0134", "phone: 0802 555 0199", also=path)
    before = commits(with_person.root)
    result = rjc("edit", PERSON)
    assert result.code == 1
    assert "was changed by someone else" in result.err
    assert f"draft is kept at {with_person.root / '.git' / 'rjc' / 'drafts' / (PERSON + '.yaml')}" in result.err
    assert "note: changed elsewhere" in path.read_text()  # their change is still there
    assert "0802 555 0199" not in path.read_text()
    assert commits(with_person.root) == before


# --- check, history, log ------------------------------------------------------------------


def test_check_reports_every_problem_with_its_position(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    shard = repo.root / "people" / "2026" / "KB"
    shard.mkdir(parents=True)
    (shard / "P-2026-KB-0001.yaml").write_text("id: P-2026-KB-0001\nschema_version: 3\ngiven_name: A\nphnoe: x\n")
    (shard / "P-2026-KB-0002.yaml").write_text("id: P-2026-KB-0002\nschema_version: 3\ngiven_name: [\n")
    (shard / "P-2026-KB-0003.yaml").write_text("id: P-2026-KB-0009\nschema_version: 3\ngiven_name: C\n")
    result = rjc("check")
    assert result.code == 1
    assert result.out.splitlines() == [
        "people/2026/KB/P-2026-KB-0001.yaml:4:1: error: unknown field 'phnoe' (did you mean 'phone'?) [unknown-field]",
        "people/2026/KB/P-2026-KB-0002.yaml:4:1: error: while parsing a flow node did not find expected node content [yaml-syntax]",
        "people/2026/KB/P-2026-KB-0003.yaml:1:5: error: id does not match the file name (expected 'P-2026-KB-0003') [id-matches-path]",
    ]
    assert result.err.strip() == "3 errors, 0 warnings"
    data = json.loads(rjc("check", "--format", "json").out)
    assert data[0] == {"path": "people/2026/KB/P-2026-KB-0001.yaml", "line": 4, "col": 1,
                       "rule": "unknown-field", "message": "unknown field 'phnoe' (did you mean 'phone'?)",
                       "level": "error"}


def test_check_clean_repository(with_person, rjc):
    result = rjc("check")
    assert (result.code, result.out, result.err.strip()) == (0, "", "all records valid")


def test_log_filters_by_coordinator_record_and_date(with_person, rjc, person_file, monkeypatch):
    monkeypatch.setenv("RJC_COORDINATOR", "MR")
    assert rjc("new", "person", "-f", person_file).code == 0
    lines = rjc("log").out.splitlines()
    assert [line.split("  ")[1].strip() for line in lines][:2] == ["MR", "KB"]
    assert f"new person P-{YEAR}-MR-0001" in lines[0]
    only_mr = rjc("log", "--coordinator", "mr").out.splitlines()
    assert len(only_mr) == 1 and f"P-{YEAR}-MR-0001" in only_mr[0]
    only_record = rjc("log", "--record", PERSON).out.splitlines()
    assert len(only_record) == 1 and f"new person {PERSON}" in only_record[0]
    assert rjc("log", "--since", "2999-01-01").out == ""
    bad = rjc("log", "--since", "yesterday")
    assert (bad.code, bad.err.strip()) == (1, "Error: --since takes a date like 2026-11-01, not 'yesterday'")


def test_whoami(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    monkeypatch.delenv("RJC_COORDINATOR")
    assert rjc("whoami").out == "KB\tKim Bell\n"
    assert rjc("whoami", "mr").out == "MR\tMax Rossi\n"
    assert git(repo.root, "config", "rjc.coordinator").strip() == "MR"
    bad = rjc("whoami", "ZZ")
    assert bad.code == 1 and bad.err == "Error: coordinator 'ZZ' is not listed in rjc.yaml; listed: KB, MR\n"


# --- the edge: version, help, internal errors -----------------------------------------------


def test_version_and_help(rjc):
    assert rjc("--version").out.startswith("rjc ")
    result = rjc("--help")
    assert result.code == 0
    for command in ("init", "whoami", "new", "show", "list", "edit", "check", "history", "log"):
        assert f" {command} " in result.out


def test_usage_error_exits_2(rjc):
    assert rjc("show").code == 2


def _helps(app) -> dict[str, str]:
    """`rjc NAME --help` (and `rjc NAME SUB --help`) text of every command an app has."""
    import typer

    group = typer.main.get_command(app)
    helps = {}
    with typer.Context(group, info_name="rjc") as ctx:
        for name, command in group.commands.items():
            with typer.Context(command, info_name=name, parent=ctx) as sub:
                helps[name] = command.get_help(sub)
                for leaf_name, leaf in getattr(command, "commands", {}).items():
                    with typer.Context(leaf, info_name=leaf_name, parent=sub) as leaf_ctx:
                        helps[f"{name} {leaf_name}"] = leaf.get_help(leaf_ctx)
    return helps


def test_a_command_built_alone_is_the_same_command():
    from rjc.cli.main import COMMANDS, MODULES, _build_app, _modules_for

    everything = _helps(_build_app())
    assert set(COMMANDS) == {name.split()[0] for name in everything}  # every command, in its own module
    assert set(COMMANDS.values()) == set(MODULES)
    alone = {}
    for module in MODULES:
        helps = _helps(_build_app((module,)))
        assert {COMMANDS[name.split()[0]] for name in helps} == {module}
        alone |= helps
    assert alone == everything
    assert _modules_for(["new", "person"]) == ("records",)
    assert _modules_for(["--records", "case", "case", "status"]) == ("casework",)
    assert _modules_for(["--records=x", "list", "cases"]) == ("records",)
    for args in ([], ["--help"], ["nwe"], ["--version"], ["--records"]):
        assert _modules_for(args) == MODULES


def test_help_and_a_mistyped_command_see_every_command(rjc):
    assert " referral " in rjc("--records", "x", "--help").out
    mistyped = rjc("nwe", "person")
    assert mistyped.code == 2 and mistyped.err.splitlines()[-1] == "Error: No such command 'nwe'. Did you mean 'new'?"


def test_an_internal_error_prints_no_data_and_logs_only_where(repo, rjc, monkeypatch, isolated_environment):
    monkeypatch.chdir(repo.root)

    def broken(*args, **kwargs):
        secret = "Ana Rivera, 1990-04-01"  # a local holding a participant's details
        raise ValueError(secret)

    monkeypatch.setattr("rjc.outputs.listing.rows", broken)
    result = rjc("list", "cases")
    assert result.code == 3
    assert "internal error in rjc (ValueError)" in result.err
    assert "Ana" not in result.err + result.out
    log = isolated_environment / ".local" / "state" / "rjc" / "crash.log"
    assert "Ana" not in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_cli_runs_as_a_real_process_with_umask_077(repo, person_file):
    env = {**os.environ, "RJC_RECORDS": str(repo.root)}
    result = subprocess.run([sys.executable, "-m", "rjc", "new", "person", "-f", str(person_file)],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    created = repo.root / "people" / str(YEAR) / "KB" / f"{PERSON}.yaml"
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    assert stat.S_IMODE(created.parent.stat().st_mode) == 0o700


def test_concurrent_writers_each_land_in_their_own_commit(repo, person_file):
    env = {**os.environ, "RJC_RECORDS": str(repo.root)}
    processes = [subprocess.Popen([sys.executable, "-m", "rjc", "new", "person", "-f", str(person_file)],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
    ids = sorted(p.communicate()[0].strip() for p in processes)
    assert all(p.returncode == 0 for p in processes)
    assert ids == [f"P-{YEAR}-KB-{n:04d}" for n in range(1, 7)]
    new = commits(repo.root)[:6]
    touched = [git(repo.root, "show", "--name-only", "--format=", sha).split() for sha in new]
    assert sorted(t[0] for t in touched) == sorted(f"people/{YEAR}/KB/{i}.yaml" for i in ids)
    assert all(len(t) == 1 for t in touched)


def test_a_writer_waits_for_the_lock_and_says_so(repo, person_file):
    from rjc.storage.transaction import write_lock

    env = {**os.environ, "RJC_RECORDS": str(repo.root)}
    with write_lock(repo.root):
        process = subprocess.Popen([sys.executable, "-m", "rjc", "new", "person", "-f", str(person_file)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1.5)  # still waiting while we hold the lock
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "waiting for another rjc to finish writing..." in err
    assert out.strip() == PERSON


def test_ctrl_c_exits_130_and_says_nothing_more_was_written(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("rjc.outputs.listing.rows", interrupted)
    result = rjc("list", "cases")
    assert (result.code, result.err.strip()) == (130, "Interrupted; nothing more was written.")


def test_end_of_input_at_a_prompt_aborts_without_creating_anything(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("new", "person", tty=True, stdin="")
    assert result.code == 1
    assert result.err.strip().endswith("Aborted.")
    assert len(commits(repo.root)) == 2


def test_list_refuses_a_filter_that_does_not_apply(repo, rjc, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = rjc("list", "referrals", "--coordinator", "KB")
    assert (result.code, result.err.strip()) == (1, "Error: --coordinator does not apply to referral records")


def test_a_second_edit_of_the_same_record_is_refused_while_the_first_is_open(with_person, rjc, editor):
    from rjc.workflows.records import EditSession

    first = EditSession(with_person, PERSON)
    first.start()
    try:
        editor("phone: 0802 555 0134", "phone: 0802 555 0199")
        result = rjc("edit", PERSON)
        assert result.code == 1
        assert result.err == f"Error: {PERSON} is already being edited in another rjc; finish that edit first\n"
    finally:
        first.close()


def test_invalid_edit_points_at_the_draft(with_person, rjc, editor):
    editor("phone:", "phnoe:")
    result = rjc("edit", PERSON, stdin="")
    draft = with_person.root / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert f"{draft}:6:1: error: unknown field 'phnoe'" in result.err


def test_an_edit_may_not_rewrite_a_status_history(with_person, rjc, editor, tmp_path):
    case = write(tmp_path / "case.yaml", f"program: star\nparticipants:\n- person: {PERSON}\n  role: client\n")
    assert rjc("new", "case", "-f", case).code == 0
    before = commits(with_person.root)
    editor("- status: intake", "- status: referred")
    result = rjc("edit", CASE, stdin="")
    assert result.code == 1
    assert "status_history is append-only: entry 1 was changed or removed [append-only]" in result.err
    assert commits(with_person.root) == before


def test_a_yaml_error_is_printed_once(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    bad = write(tmp_path / "bad.yaml", "given_name: [\n")
    result = rjc("new", "person", "-f", bad)
    assert result.code == 1
    assert result.err.count("did not find expected node content") == 1


def test_a_failed_init_leaves_nothing_behind(rjc, tmp_path, monkeypatch):
    def broken(root):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rjc.workflows.repository.schema.write_schemas", broken)
    target = tmp_path / "center"
    result = rjc("init", target, "--center", "C", "--code", "KB", "--name", "K", "--no-input")
    assert result.code == 3
    assert not target.exists()


def test_an_unreadable_input_file_is_a_plain_error(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    missing = tmp_path / "nowhere.yaml"
    result = rjc("new", "person", "-f", missing)
    assert (result.code, result.err.strip()) == (1, f"Error: cannot read {missing}: No such file or directory")
    assert len(commits(repo.root)) == 2


def test_vocabularies_and_help_load_without_pydantic():
    """The choices `--help` lists come from rjc.model.vocab: importing it, or building every command for
    `rjc --help`, must not pay for pydantic and the record types."""
    for code in ("import rjc.model.vocab", "from rjc.cli.main import main; main(['--help'])"):
        script = f"import sys\ntry:\n    {code}\nexcept SystemExit:\n    pass\nprint('pydantic' in sys.modules)"
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert run.stdout.splitlines()[-1] == "False", run.stderr


def test_a_choice_is_checked_as_usage_and_listed_in_help(rjc, tmp_path):
    helped = rjc("case", "note", "--help")
    assert "--kind <phone|email|letter|in-person|video|text|voicemail>" in helped.out
    assert "--format <table|json|csv>" in rjc("list", "--help").out
    result = rjc("--records", tmp_path, "case", "note", "C-2026-KB-0001", "--kind", "fax")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines()[-1] == ("Error: Invalid value for '--kind': 'fax' is not one of 'phone', 'email', "
                                           "'letter', 'in-person', 'video', 'text', 'voicemail'.")
    result = rjc("--records", tmp_path, "check", "--format", "xml")
    assert result.code == 2 and result.err.splitlines()[-1] == (
        "Error: Invalid value for '--format': 'xml' is not one of 'text', 'json'.")


def test_the_year_option_offers_every_kind_of_year_periods_knows():
    # --year's choices are spelled out for the type checker; they must stay the kinds periods computes.
    from typing import get_args

    from rjc.cli.options import YearKind
    from rjc.model.periods import YEAR_STARTS

    assert get_args(YearKind) == tuple(YEAR_STARTS)


@pytest.mark.parametrize("args", [(), ("case", "note"), ("agreement", "pay"), ("seal",)])
def test_dash_h_is_help_everywhere(rjc, args):
    short, long = rjc(*args, "-h"), rjc(*args, "--help")
    assert short.code == long.code == 0
    assert short.out == long.out and short.out.startswith(f"Usage: rjc {' '.join(args)}".rstrip() + " ")
