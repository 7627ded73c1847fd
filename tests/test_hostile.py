"""Hostile input: whatever reaches rjc is refused with a located, clear error and nothing is written.

Two halves:
- property tests (hypothesis) feeding malformed YAML and odd strings (random text and bytes,
  mutations of valid record files) to `yamlio.load`, `store.parse_record` and the record rules:
  the only exception that may escape is `RjcError`, and every problem has a location and a rule;
- the command line driven with alias bombs, deep nesting, huge files, duplicate keys, binary
  garbage, invalid UTF-8, ids with path separators, symlinks out of the records tree, templates
  reaching for Python internals or the file system, and an unsafe SMTP password file: every one
  exits non-zero with a message naming the file (and line), prints no traceback, and leaves the
  working tree, the index and HEAD exactly as they were.

What `tests/test_yamlio.py` covers (each refusal's exact position, the timing of the alias bomb,
100 000 levels of nesting in a subprocess) is not repeated here.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import random
import re
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rjc import checks
from rjc.model import SCHEMA_VERSION, Case, Panel, Person, Referral, Settings, Volunteer
from rjc.model.case import Agreement, Participant, StatusEntry
from rjc.storage import layout, store, yamlio
from rjc.storage.errors import Problem, RjcError

from helpers import COORDINATORS, Result, git, settings_text

YEAR = dt.date.today().year
PERSON = f"P-{YEAR}-KB-0001"
RJC = Path(sys.executable).parent / "rjc"

# Problems at line 0 (the whole file, no position in it), each documented where it is raised:
FILE_LEVEL_RULES = {
    "file-too-large",  # yamlio.load: refused before it is parsed
    "id-matches-path",  # store.parse_record: the path is not where any record lives
    "unreadable",  # store.read_record: the file cannot be read at all
    "symlink",  # checks.check_repository: a symbolic link in the records tree
}
_RULE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


# --- valid records to start from -----------------------------------------------------------------


def _base_records() -> list:
    address = {"street": "12 Elm Street", "town": "Hartford", "state": "VT", "postal_code": "05047"}
    return [
        Person(id="P-2026-KB-0001", schema_version=SCHEMA_VERSION, given_name="Ana", family_name="Rivera", address=address,
               phone="802-555-0111", date_of_birth="1990-04-01"),
        Person(id="P-2026-KB-0002", schema_version=SCHEMA_VERSION, given_name="Bo", family_name="Lind"),
        Referral(id="R-2026-KB-0001", schema_version=SCHEMA_VERSION, received="2026-11-01", program="restorative-panel",
                 source="police", agency="Hartford Police Department", docket="26-CR-1",
                 contact={"name": "Sgt. Pat Doe"}, people=[{"person": "P-2026-KB-0001", "role": "responsible-party"}],
                 screening={"decision": "accepted", "date": "2026-11-02", "by": "KB", "case": "C-2026-KB-0001"}),
        Case(id="C-2026-KB-0001", schema_version=SCHEMA_VERSION, program="restorative-panel", referral="R-2026-KB-0001",
             coordinator="KB", opened="2026-11-02",
             participants=[Participant(person="P-2026-KB-0001", role="responsible-party"),
                           Participant(person="P-2026-KB-0002", role="victim")],
             status_history=[StatusEntry(status="intake", date="2026-11-02", by="KB")],
             agreements=[Agreement(signed="2026-11-05", due="2027-02-03", midterm_review="2026-12-20", items=[
                 {"type": "apology-letter", "description": "Write to the store owner"},
                 {"type": "restitution", "amount": "250.00", "victim": "P-2026-KB-0002",
                  "payments": [{"id": "u82jntqitt", "date": "2026-11-20", "amount": "50.00"}]},
                 {"type": "community-service", "hours_required": "20"}])]),
        *[Person(id=f"P-2026-KB-{n:04d}", schema_version=SCHEMA_VERSION, given_name=f"Volunteer {n}") for n in (3, 4, 5)],
        *[Volunteer(id=f"V-2026-KB-{n:04d}", schema_version=SCHEMA_VERSION, person=f"P-2026-KB-{n + 2:04d}", since="2024-03-01",
                    trainings=[{"name": "Restorative justice volunteer training", "date": "2024-02-10"}],
                    background_checks=[{"date": "2024-02-01", "expires": "2028-02-01"}],
                    programs=["restorative-panel"]) for n in (1, 2, 3)],
        Panel(id="PN-2026-KB-0001", schema_version=SCHEMA_VERSION, date="2026-12-01", start="18:00", end="19:30",
              place="Town Hall", seats=[{"volunteer": f"V-2026-KB-{n:04d}", "attended": True, "hours": "1.5"}
                                        for n in (1, 2, 3)],
              docket=[{"case": "C-2026-KB-0001", "attended": ["P-2026-KB-0001"]}]),
    ]


BASE = _base_records()
VALID = {layout.parse_id(r.id).path: store.render(r) for r in BASE}  # path -> canonical text
PATHS = sorted(VALID)
SETTINGS = store.parse(layout.SETTINGS_FILE, settings_text(), Settings).record


def test_the_starting_records_are_valid_and_pass_every_rule(tmp_path):
    ctx = checks.Context(tmp_path, SETTINGS, {r.id: r for r in BASE}, complete=True)
    for path, text in VALID.items():
        loaded = store.parse_record(path, text)
        assert loaded.problems == [], loaded.problems
        assert [p for p in checks.check_record(loaded, ctx) if p.level == "error"] == []


# --- strategies: odd strings and mutations of valid files ----------------------------------------

_TOKENS = [
    "&", "*", "!", "%", "@", "{", "}", "[", "]", "`", "|", ">", "#", "'", '"', "\\", "~", ",", "?", ":", "-",
    "&a ", "*a", "&a [1]", "*a, *a", "<<: ", "<<: *a", "? ", ": ", "- ", "-", "---\n", "...\n", "--- ",
    "!!python/object/apply:os.system ['true'] ", "!!python/name:os.system ", "!!binary aGVsbG8= ", "!!set ",
    "!!int ", "!!null ", "!!str ", "!x ", "!<tag:yaml.org,2002:str> ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "\t", "\ufeff", "\r\n", "\r", "\n", "\x00", "\x85", "\u2028", "\u2029", "\x1b", "\x7f", "\x0c", "\ud800",
    "é", "𠮷", "\u202e", "\u200b", "  ", "\n  - ", "\n    ", "{a: 1, a: 2}", "[[[[", "]]]]", "{{{{", "}}}}",
    "'unterminated", '"unterminated', '"\\x00"', '"\\uD800"', '"\\q"', "|+\n", ">-\n", "key: value\n",
]
_ODD_VALUES = [
    "1e30", "-1e30", "1e999999", "-1e999999", "1e-999999", "NaN", ".nan", ".inf", "-.inf", "Infinity", "-0",
    "0x1F", "0o17", "0b101", "1_000", "+1", "١٢٣", "１２", "²", "99999999999999999999999999999", "1" * 4400,
    "0.001", "250.005", "-250.00", "9999-12-31", "0001-01-01", "0000-01-01", "2026-02-30", "2026-13-01",
    "10000-01-01", "2026-1-1", "2026-11-02T10:00:00", "2026-11-02 10:00", "24:00", "23:59:60", "25:00", "12:30",
    "-1:00", "00:00", "yes", "NO", "on", "~", "null", "''", '""', "[]", "{}", "[a, b]", "{a: b}", "-1", "0",
    "true", "P-2026-KB-0001/../x", "../../etc/passwd", "/etc/passwd", "C-2026-KB-0001", "P-2026-KB-9999",
    "P-2026-kb-0001", "P-0000-KB-0000", "V-2026-KB-0001", "PN-2026-KB-0001", "P-2026-KB-00001", "KB", "ZZZZ",
    "x" * 70000, "é" * 3000, "'" + "a" * 5000 + "'", "\"\\t\\u0000\"", "|\n  line one\n  line two",
    "restorative-panel", "victim", "responsible-party", "held", "cancelled", "completed",
]


@st.composite
def mutated_record(draw) -> tuple[str, str | bytes]:
    """(path, source): a valid record file with one to four mutations, as text or bytes."""
    path = draw(st.sampled_from(PATHS))
    text = VALID[path]
    for _ in range(draw(st.integers(1, 4))):
        mutation = draw(_MUTATIONS)
        event(f"mutation {mutation.__name__}")
        text = mutation(draw, text)
    encoding = draw(_encodings)
    event(f"encoding {encoding.__name__}")
    return path, encoding(draw, text)


def _truncate(draw, text: str) -> str:
    return text[:draw(st.integers(0, len(text)))]


def _insert(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    token = draw(st.sampled_from(_TOKENS) | st.text(max_size=4))
    return text[:at] + token + text[at:]


def _replace_value(draw, text: str) -> str:
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[\w]+: ", line)]
    if not candidates:
        return text
    i = draw(st.sampled_from(candidates))
    head = re.match(r"^(\s*(- )?[\w]+: )", lines[i]).group(1)
    lines[i] = head + draw(st.sampled_from(_ODD_VALUES) | st.text(max_size=12))
    return "\n".join(lines)


def _rename_key(draw, text: str) -> str:
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[\w]+:", line)]
    if not candidates:
        return text
    i = draw(st.sampled_from(candidates))
    new = draw(st.sampled_from(["id", "schema_version", "given_name", "amount", "date", "type", "<<", "? x",
                                "'quoted key'", "[a]", "{a: 1}", "x" * 2000, "é", "", "-1", "1e3", "null"]))
    lines[i] = re.sub(r"[\w]+:", lambda _: new + ":", lines[i], count=1)
    return "\n".join(lines)


def _shuffle_lines(draw, text: str) -> str:
    lines = text.split("\n")
    i = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "tab-indent"]))
    if action == "delete":
        del lines[i]
    elif action == "duplicate":
        lines.insert(i, lines[i])
    elif action == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "indent":
        lines[i] = "  " + lines[i]
    elif action == "dedent":
        lines[i] = lines[i].removeprefix("  ")
    else:
        lines[i] = re.sub(r"^( +)", lambda m: "\t" * (len(m.group(1)) // 2), lines[i])
    return "\n".join(lines)


def _nest(draw, text: str) -> str:
    levels = draw(st.sampled_from([31, 32, 33, 100, 5001, 60000]))
    style = draw(st.sampled_from(["flow-seq", "flow-map", "block-seq", "block-map"]))
    inner = {"flow-seq": "[" * levels + "]" * levels, "flow-map": "{a: " * levels + "}" * levels,
             "block-seq": "".join("\n" + "  " * (n + 1) + "-" for n in range(min(levels, 2000))) + " x",
             "block-map": "".join("\n" + "  " * (n + 1) + "a:" for n in range(min(levels, 2000))) + " x"}[style]
    if draw(st.booleans()):
        inner = inner[:draw(st.integers(0, len(inner)))]  # unbalanced
    return text + f"deep: {inner}\n"


def _huge(draw, text: str) -> str:
    room = yamlio.MAX_BYTES - len(text.encode("utf-8", "surrogatepass")) - 20
    size = draw(st.sampled_from([room, yamlio.MAX_BYTES, 3 << 20]))
    filler = draw(st.sampled_from(["x", "é", "[", "- ", "\n", "#"]))
    return text + "note: " + filler * max(size // len(filler.encode()), 0) + "\n"


def _bom_crlf(draw, text: str) -> str:
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = text.replace("\n", "\r")
    return text


def _alias_bomb(draw, text: str) -> str:
    levels = draw(st.integers(1, 9))
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return text + "\n".join(lines) + "\n"


_MUTATIONS = st.sampled_from([_truncate, _insert, _insert, _replace_value, _replace_value, _replace_value,
                              _rename_key, _shuffle_lines, _shuffle_lines, _nest, _huge, _bom_crlf, _alias_bomb])


def _as_utf8(draw, text: str) -> str | bytes:
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text


def _other_encoding(draw, text: str) -> bytes:
    return text.encode(draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"])), "replace")


def _corrupt_bytes(draw, text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    at = draw(st.integers(0, len(data)))
    junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x00",
                                 codecs.BOM_UTF16_LE, b"\x80\x81\x82"]) | st.binary(max_size=8))
    return data[:at] + junk + data[at:]


_encodings = st.sampled_from([_as_utf8, _as_utf8, _as_utf8, _other_encoding, _corrupt_bytes])

ODD_INPUT = st.one_of(
    mutated_record(), mutated_record(), mutated_record(), mutated_record(),
    st.tuples(st.sampled_from(PATHS), st.text(max_size=300)),
    st.tuples(st.sampled_from(PATHS), st.binary(max_size=300)),
    st.tuples(st.sampled_from(PATHS), st.text(st.characters(codec="utf-8"), max_size=300).map(
        lambda t: "id: P-2026-KB-0001\nschema_version: 3\n" + t)),
    st.tuples(st.sampled_from(["notes/x.yaml", "people/x.yaml", "people/2026/KB/../../../x.yaml", ""]),
              st.sampled_from(list(VALID.values()))),
)


# --- the contract ---------------------------------------------------------------------------------


def assert_located(problem: Problem, path: str, source: str | bytes) -> None:
    """A problem names its file, a rule, a one-line message and a position (or is file-level)."""
    assert problem.path == path
    assert _RULE.fullmatch(problem.rule), problem
    assert problem.message and "\n" not in problem.message and "\r" not in problem.message, problem
    if problem.line == 0:
        assert problem.rule in FILE_LEVEL_RULES and problem.col == 0, problem
    else:
        assert 1 <= problem.line <= _lines(source) and problem.col >= 1, problem


def _lines(source: str | bytes) -> int:
    """Lines in the file, counting every line break YAML knows, and the (empty) line after a final one."""
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    return len(re.split("\r\n|[\r\n\x85\u2028\u2029]", text))


def assert_load_contract(path: str, source: str | bytes) -> yamlio.Document | None:
    try:
        document = yamlio.load(source, path)
    except RjcError as exc:
        assert isinstance(exc, yamlio.YamlError)
        assert exc.problems == [exc.problem]
        assert_located(exc.problem, path, source)
        event(f"load refused: {exc.problem.rule}")
        return None
    event("load accepted")
    assert isinstance(document.data, dict)
    assert all(line >= 1 and col >= 1 for line, col in [*document.value_at.values(), *document.key_at.values()])
    return document


def assert_parse_contract(path: str, source: str | bytes) -> store.Loaded | None:
    try:
        loaded = store.parse_record(path, source)
    except RjcError as exc:  # allowed, though store promises to return problems instead
        for problem in exc.problems:
            assert_located(problem, path, source)
        return None
    assert (loaded.record is None) == bool(loaded.problems), loaded.problems
    for problem in loaded.problems:
        assert_located(problem, path, source)
    if loaded.record is not None and loaded.record.id == layout.expected_id(path):
        # what validates (with the id its path gives) can be written back, reads back without a
        # problem, and is written the same way again; or, if its written form would be over the
        # size limit, it is refused (rjc never writes a file it then refuses)
        try:
            text = store.render(loaded.record)
        except RjcError as exc:
            assert "nothing was written" in str(exc) and path in str(exc), exc
            return loaded
        again = store.parse_record(path, text)
        assert again.problems == [], again.problems
        assert store.render(again.record) == text
    return loaded


# With every record given (complete=True), the rules never read the disk: the root is not used.
_CHECK_ROOT = Path(tempfile.gettempdir()) / "rjc-hostile-no-such-repository"
_CONTEXT_RECORDS = {r.id: r for r in BASE}


def assert_rules_contract(loaded: store.Loaded | None, source: str | bytes) -> None:
    """The record rules (as `rjc check` runs them) on whatever parsed: problems, never an exception."""
    if loaded is None or loaded.record is None:
        return
    ctx = checks.Context(_CHECK_ROOT, SETTINGS, _CONTEXT_RECORDS | {loaded.record.id: loaded.record},
                         complete=True)
    try:
        problems = checks.check_record(loaded, ctx)
    except RjcError as exc:
        problems = exc.problems
    for problem in problems:
        assert_located(problem, loaded.path, source)


def _hostile_contract(path: str, source: str | bytes) -> None:
    assert_load_contract(path, source)
    assert_rules_contract(assert_parse_contract(path, source), source)


_FAST = settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
_SLOW = settings(max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))


@_FAST
@given(ODD_INPUT)
def test_malformed_yaml_and_odd_strings_give_only_located_rjc_errors(case):
    _hostile_contract(*case)


@pytest.mark.slow
@_SLOW
@given(ODD_INPUT)
def test_malformed_yaml_and_odd_strings_give_only_located_rjc_errors_thoroughly(case):
    _hostile_contract(*case)


@pytest.mark.parametrize("text, line, col", [
    ("given_name: Ana\n0", 2, 2),  # libyaml said 3:1, a line the file does not have
    ("given_name: [Ana", 1, 17),
    ("given_name: Ana\r\nnote: 'x", 2, 9),
    ("given_name: [Ana\n", 2, 1),  # after a final line break: the empty last line
])
def test_an_error_at_the_end_of_the_file_points_at_a_place_in_it(text, line, col):
    with pytest.raises(yamlio.YamlError) as info:
        yamlio.load(text, "people/2026/KB/P-2026-KB-0001.yaml")
    assert (info.value.problem.line, info.value.problem.col) == (line, col)


# --- known bugs, reproduced exactly (files this suite does not own) ------------------------------


def test_an_amount_too_large_to_round_is_a_located_problem():
    path = "cases/2026/KB/C-2026-KB-0001.yaml"
    text = VALID[path].replace("    amount: 250.00\n", "    amount: 1e30\n")
    loaded = store.parse_record(path, text)
    assert [(p.line, p.rule) for p in loaded.problems] == [(text[:text.index("1e30")].count("\n") + 1,
                                                            "invalid-value")]


def test_an_absurd_number_of_hours_is_a_located_problem():
    path = "cases/2026/KB/C-2026-KB-0001.yaml"
    text = VALID[path].replace("hours_required: 20\n", "hours_required: 1e999999\n")
    loaded = store.parse_record(path, text)
    assert loaded.record is None or len(store.render(loaded.record)) < 100_000


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def cli(rjc):
    """rjc in-process, through the real entry point and its error boundary (stdin may be bytes)."""
    return rjc


def run_real(root: Path, *args: str, stdin: bytes = b"", timeout: float = 60, **env: str) -> Result:
    """The installed `rjc` executable in a process of its own (a crash cannot take pytest with it)."""
    done = subprocess.run([str(RJC), *args], input=stdin, capture_output=True, timeout=timeout, cwd=root,
                          env={**os.environ, "RJC_RECORDS": str(root), **env})
    return Result(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def snapshot(root: Path, *outside: Path) -> dict:
    """HEAD, the index and work tree as git sees them, and every file (not following links) under
    the working tree (but .git) and under each `outside` directory: what "nothing written" compares."""
    state: dict = {"HEAD": git(root, "rev-parse", "HEAD").strip(),
                   "status": git(root, "status", "--porcelain", "--untracked-files=all")}
    for top in (root, *outside):
        for dirpath, dirnames, filenames in os.walk(top):
            if Path(dirpath) == root and ".git" in dirnames:
                dirnames.remove(".git")
            for name in dirnames + filenames:
                path = Path(dirpath, name)
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    state[str(path)] = ("link", os.readlink(path))
                elif stat.S_ISDIR(info.st_mode):
                    state[str(path)] = ("dir", stat.S_IMODE(info.st_mode))
                elif stat.S_ISREG(info.st_mode):
                    state[str(path)] = ("file", stat.S_IMODE(info.st_mode), hashlib.sha256(path.read_bytes()).digest())
                else:  # a FIFO or a device: never opened
                    state[str(path)] = ("special", stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
    return state


def assert_refused(result: Result, before: dict, root: Path, *outside: Path, name: str | None = None,
                   line: int | None = None, rule: str | None = None, says: str | None = None) -> None:
    """Exit 1 with a clear message (naming the file, and line), no traceback, nothing written."""
    assert result.code == 1, result
    text = result.out + result.err
    assert "Traceback" not in text and "internal error" not in text, result
    if name is not None:
        assert name in text, result
    if line is not None:
        assert re.search(rf"{re.escape(name)}:{line}(:\d+)?[: ]", text), result
    if rule is not None:
        assert f"[{rule}]" in text, result
    if says is not None:
        assert says in text, result
    after = snapshot(root, *outside)
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
                             if before.get(k) != after.get(k)}


BOMB = "".join([
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
    *(f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")),
])

# name -> (file content, line of the problem or None, rule)
HOSTILE = {
    "alias-bomb": (BOMB.encode(), 1, "alias"),
    "deep-flow": (b"given_name: Ana\nnote: " + b"[" * 100_000 + b"\n", 2, "too-deep"),
    "deep-block": (b"given_name: Ana\nnote:\n" + b"- " * 100_000 + b"x\n", 3, "too-deep"),
    "huge": (b"given_name: Ana\nnote: " + b"x" * yamlio.MAX_BYTES + b"\n", None, "file-too-large"),
    "duplicate-key": (b"given_name: Ana\nfamily_name: Rivera\ngiven_name: Eve\n", 3, "duplicate-key"),
    "binary": (random.Random(7).randbytes(4096), None, "encoding"),
    "invalid-utf8": (b"given_name: Ana\nfamily_name: Rivi\xe8re\n", 2, "encoding"),
    "nul": (b"given_name: Ana\nnote: a\x00b\n", 2, "encoding"),
    "utf-16": ("given_name: Ana\n".encode("utf-16"), 1, "encoding"),
    "python-tag": (b"given_name: Ana\nnote: !!python/object/apply:os.system ['touch pwned']\n", 2, "tag"),
}
_SHOWN_AT_LINE_1 = {"huge"}  # a whole-file problem is printed at 1:1


def _line(case: str) -> int | None:
    return 1 if case in _SHOWN_AT_LINE_1 else HOSTILE[case][1]


@pytest.fixture
def records(repo, monkeypatch) -> Path:
    monkeypatch.chdir(repo.root)
    return repo.root


@pytest.mark.parametrize("case", HOSTILE)
def test_new_from_stdin_refuses_hostile_input(records, case):
    source, _, rule = HOSTILE[case]
    before = snapshot(records)
    started = time.monotonic()
    result = run_real(records, "new", "person", "-f", "-", stdin=source)
    assert time.monotonic() - started < 10
    assert_refused(result, before, records, name="<stdin>", line=_line(case), rule=rule)
    assert not (records / "pwned").exists()


@pytest.mark.parametrize("case", HOSTILE)
def test_new_from_a_file_refuses_hostile_input(records, cli, tmp_path, case):
    source, _, rule = HOSTILE[case]
    given = tmp_path / "fields.yaml"
    given.write_bytes(source)
    before = snapshot(records)
    result = cli("new", "person", "-f", given)
    assert_refused(result, before, records, name=str(given), line=_line(case), rule=rule)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_edit_refuses_hostile_input(records, cli, tmp_path, monkeypatch, case):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\nfamily_name: Rivera\n").code == 0
    source, _, rule = HOSTILE[case]
    payload = tmp_path / "payload"
    payload.write_bytes(source)
    editor = tmp_path / "editor.py"
    editor.write_text("import shutil, sys\nshutil.copyfile(sys.argv[1], sys.argv[2])\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor} {payload}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = snapshot(records)
    result = cli("edit", PERSON)
    draft = records / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert_refused(result, before, records, name=str(draft), line=_line(case), rule=rule,
                   says="nothing committed")


def test_check_reports_every_hostile_file_and_writes_nothing(records):
    shard = records / "people" / str(YEAR) / "KB"
    shard.mkdir(parents=True)
    expected = []
    for number, (case, (source, _, rule)) in enumerate(HOSTILE.items(), start=1):
        relpath = f"people/{YEAR}/KB/P-{YEAR}-KB-{number:04d}.yaml"
        (records / relpath).write_bytes(source)
        expected.append((relpath, _line(case), rule))
    before = snapshot(records)
    started = time.monotonic()
    first = run_real(records, "check")
    assert time.monotonic() - started < 15
    for relpath, line, rule in expected:
        assert_refused(first, before, records, name=relpath, line=line, rule=rule)
    again = run_real(records, "check")  # the second answer comes from the cache, and says the same
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    listed = run_real(records, "list", "people")
    assert listed.code == 0 and "Traceback" not in listed.err, listed
    assert f"{len(HOSTILE)} people could not be read" in listed.err
    assert snapshot(records) == before


BAD_IDS = [
    "../../etc/passwd", "C-2026-KB-0001/../x", f"{PERSON}/../../../../etc/passwd", "/etc/passwd",
    f"people/{YEAR}/KB/{PERSON}.yaml", f"{PERSON}\x00", f"{PERSON}\x00/../x", "..\\..\\x", f"{PERSON}%2F..",
    "P-２０２６-KB-0001", f"{PERSON}\n../x", "~/x", f"P-{YEAR}-KB-../0001", "", "-",
]


@pytest.mark.parametrize("command", [["show"], ["edit"], ["history"], ["letter", "agreement"]])
def test_ids_with_path_separators_are_refused(records, cli, command):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    before = snapshot(records)
    for bad_id in BAD_IDS:
        result = cli(*command, bad_id)
        empty = not bad_id and command[0] == "letter"  # the letter command asks for its arguments instead
        assert_refused(result, before, records, says="give the letter and the case" if empty else "not a record id")
        assert "root:" not in result.out, bad_id
        assert bad_id.strip() in ("", "-") or bad_id not in result.err, bad_id  # the text is never repeated


# --- control characters, escaped into a value ----------------------------------------------------
#
# Raw control characters are refused in `decode`; YAML's double-quoted escapes make them again once
# the text is read. ESC can retitle, clear or recolour the terminal a record is shown on, U+009B
# is a one-byte escape sequence, and the bidirectional controls make a line read in another order.

CONTROL_ESCAPES = {  # as typed in the file -> the character it stands for
    "\\e": "\x1b", "\\x1b": "\x1b", "\\a": "\x07", "\\0": "\x00", "\\b": "\x08", "\\r": "\r", "\\x7f": "\x7f",
    "\\x9b": "\x9b", "\\N": "\x85", "\\u202e": "\u202e", "\\u202a": "\u202a", "\\u2066": "\u2066",
    "\\u2069": "\u2069", "\\u200f": "\u200f", "\\u061c": "\u061c", "\u202e": "\u202e", "\u200e": "\u200e",
}


def _fields_with(escape: str) -> bytes:
    return f'family_name: Rivera\ngiven_name: "Ana{escape}B"\n'.encode()


@pytest.mark.parametrize("escape", CONTROL_ESCAPES)
def test_new_refuses_a_control_character_escaped_in_a_value(records, cli, tmp_path, escape):
    given = tmp_path / "fields.yaml"
    given.write_bytes(_fields_with(escape))
    before = snapshot(records)
    result = cli("new", "person", "-f", given)
    assert_refused(result, before, records)
    assert result.err == (f"{given}:2:13: error: given_name: control character U+{ord(CONTROL_ESCAPES[escape]):04X} "
                          "is not allowed in text [control-character]\n")


def test_new_refuses_a_control_character_in_a_nested_value_and_in_a_key(records, cli):
    before = snapshot(records)
    nested = cli("new", "person", "-f", "-", stdin=b'given_name: Ana\naddress:\n  town: "Barre\\e[2J"\n')
    assert_refused(nested, before, records)
    assert nested.err.startswith("<stdin>:3:9: error: address.town: control character U+001B is not allowed "
                                 "in text [control-character]\n")
    key = cli("new", "person", "-f", "-", stdin=b'given_name: Ana\n"note\\e[2J": x\n')
    assert_refused(key, before, records)
    assert key.err.startswith("<stdin>:2:1: error: note\\x1b[2J: control character U+001B is not allowed "
                              "in a field name [control-character]\n")


def test_tabs_and_line_breaks_in_text_are_kept(records, cli):
    result = cli("new", "person", "-f", "-", stdin=b'given_name: Ana\nnote: "first line\\n\\tindented"\n')
    assert result.code == 0, result
    assert cli("show", PERSON, "--format", "json").out.count("first line\\n\\tindented") == 1


def test_edit_refuses_a_control_character_escaped_in_a_value(records, cli, tmp_path, monkeypatch):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\nfamily_name: Rivera\n").code == 0
    editor = tmp_path / "editor.py"  # an editor that retitles the name: `given_name: "Ana\e]0;pwned\a"`
    editor.write_text("import sys\npath = sys.argv[1]\ntext = open(path).read()\n"
                      "open(path, 'w').write(text.replace('given_name: Ana', 'given_name: \"Ana\\\\e]0;pwned\\\\a\"'))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = snapshot(records)
    result = cli("edit", PERSON)
    draft = records / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert_refused(result, before, records, says="nothing committed")
    assert result.err.startswith(f"{draft}:4:13: error: given_name: control character U+001B is not allowed in "
                                 "text [control-character]\n")
    assert "\x1b" not in result.out + result.err


def test_check_and_show_refuse_a_committed_record_with_an_escaped_control_character(records, cli):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    path = records / layout.parse_id(PERSON).path
    path.write_text(path.read_text().replace("given_name: Ana", 'given_name: "Ana\\e]0;pwned\\a\\e[2J"'))
    git(records, "-c", "user.name=Kim Bell", "-c", "user.email=kb@example.org", "commit", "-qam", "outside rjc")
    before = snapshot(records)
    relpath = layout.parse_id(PERSON).path
    checked = run_real(records, "check")
    assert_refused(checked, before, records)
    assert checked.out == (f"{relpath}:4:13: error: given_name: control character U+001B is not allowed in text "
                           "[control-character]\n")
    shown = cli("show", PERSON)
    assert_refused(shown, before, records, name=relpath, line=4, rule="control-character")
    assert "\x1b" not in shown.out + shown.err and "\x07" not in shown.out + shown.err


def test_show_writes_control_characters_visibly_whatever_got_into_the_file(records, cli):
    # A comment is no value: a bidirectional override in one passes the refusal, not the terminal.
    assert cli("new", "person", "-f", "-", stdin=b'given_name: "[bold]Ana[/bold]"\n').code == 0
    path = records / layout.parse_id(PERSON).path
    path.write_text(path.read_text().replace("given_name:", "# \u202eeman nevig\u202c\ngiven_name:"))
    shown = run_real(records, "show", PERSON)
    assert shown.code == 0, shown
    assert shown.out.endswith("# \\u202eeman nevig\\u202c\ngiven_name: '[bold]Ana[/bold]'\n"
                              "# referrals and cases:\n#   no referrals or cases\n")
    assert "\u202e" not in shown.out


def test_everything_printed_from_a_record_goes_through_one_escape():
    from rjc.cli.output import safe

    assert safe("Ana\x1b]0;pwned\x07\x1b[2J\x9b\x7f\x00\r\u202e\u2066\u200f\u061c\tB\nC") == \
        "Ana\\x1b]0;pwned\\x07\\x1b[2J\\x9b\\x7f\\x00\\x0d\\u202e\\u2066\\u200f\\u061c\tB\nC"
    assert safe("Rivière [bold]𠮷[/bold]") == "Rivière [bold]𠮷[/bold]"


def test_a_table_on_a_terminal_shows_record_text_as_typed(monkeypatch, capsys):
    from rjc.cli.output import print_rows

    class Terminal:  # rich asks stdout whether it is a terminal, and writes to it
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    print_rows([{"id": "R-2026-KB-0001", "agency": "[bold]Barre PD[/bold] \x1b]0;pwned\x07"}], ["id", "agency"],
               "table")
    assert "[bold]Barre PD[/bold] \\x1b]0;pwned\\x07" in terminal.text
    assert "]0;" not in terminal.text.replace("\\x1b]0;", "")


def test_check_names_a_file_whose_name_holds_an_escape_sequence_visibly(records):
    shard = records / "people" / str(YEAR) / "KB"
    shard.mkdir(parents=True)
    (shard / "\x1b]0;pwned\x07.yaml").write_text("given_name: Ana\n")
    result = run_real(records, "check")
    assert result.code == 1, result
    assert f"people/{YEAR}/KB/\\x1b]0;pwned\\x07.yaml:1:1: error: missing required field 'id'" in result.out
    assert "\x1b" not in result.out + result.err and "\x07" not in result.out + result.err


# --- a file with a hundred thousand problems ------------------------------------------------------


def test_check_reports_the_first_twenty_problems_of_a_file_then_how_many_more(records):
    relpath = f"people/{YEAR}/KB/P-{YEAR}-KB-0001.yaml"
    (records / relpath).parent.mkdir(parents=True)
    (records / relpath).write_text("given_name: Ana\n" + "".join(f"k{n}: 1\n" for n in range(30)))
    result = run_real(records, "check")
    assert result.code == 1, result
    assert result.out == "".join([
        f"{relpath}:1:1: error: missing required field 'id' [missing-field]\n",
        f"{relpath}:1:1: error: missing required field 'schema_version' [missing-field]\n",
        *(f"{relpath}:{n + 2}:1: error: unknown field 'k{n}' [unknown-field]\n" for n in range(18)),
        f"{relpath}:19:1: error: … and 12 more problems in this file [too-many-problems]\n",
    ])
    assert result.err == "20 errors, 0 warnings listed, and more in 1 file (see above)\n"


def test_a_megabyte_of_unknown_keys_is_reported_in_twenty_one_lines(records):
    relpath = f"people/{YEAR}/KB/P-{YEAR}-KB-0001.yaml"
    (records / relpath).parent.mkdir(parents=True)
    keys = "".join(f"k{n}: 1\n" for n in range(100_000))
    (records / relpath).write_text("given_name: Ana\n" + keys)
    assert (records / relpath).stat().st_size < yamlio.MAX_BYTES
    before = snapshot(records)
    first = run_real(records, "check")
    assert_refused(first, before, records)
    lines = first.out.splitlines()
    assert len(lines) == 21 and lines[-1] == \
        f"{relpath}:19:1: error: … and 99,982 more problems in this file [too-many-problems]"
    again = run_real(records, "check")  # from the cache: the same
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)


def test_a_record_breaking_a_rule_many_times_is_reported_in_twenty_one_lines(records, cli):
    missing = "".join(f"  - P-{YEAR}-KB-{n:04d}\n" for n in range(100, 150))
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    result = cli("new", "volunteer", "-f", "-", stdin=(
        f"person: {PERSON}\nsince: 2024-03-01\nconflicts:\n{missing}").encode())
    assert result.code == 1, result
    lines = result.err.splitlines()
    assert len(lines) == 21 and lines[-3:] == [
        f"<stdin>:22:5: error: P-{YEAR}-KB-0118 does not exist [reference-exists]",
        "<stdin>:22:5: error: … and 31 more problems in this file [too-many-problems]",
        "Error: nothing was created"]


# --- the editor, and a record that grows when written out ----------------------------------------


@pytest.mark.parametrize("editor, why", [("/nonexistent/editor", "no such file or directory"),
                                         ("not-executable", "permission denied"),
                                         ("'unclosed", "no closing quotation")])
def test_an_editor_that_cannot_run_is_named_with_what_to_do(records, cli, tmp_path, monkeypatch, editor, why):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    if editor == "not-executable":
        editor = str(tmp_path / "editor.sh")
        Path(editor).write_text("#!/bin/sh\nexit 0\n")
        Path(editor).chmod(0o644)
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    before = snapshot(records)
    result = cli("edit", PERSON)
    draft = records / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert_refused(result, before, records)
    assert result.err == (f"Error: cannot run the editor '{editor}' ($EDITOR): {why}; set $VISUAL or $EDITOR to "
                          f"your editor's command, e.g. export EDITOR=nano; nothing committed; your draft is kept "
                          f"at {draft}\n")


def _growing(items: int) -> bytes:
    """Person fields under the size limit that are three times as long written out: a flow list
    of one-letter items becomes a block list, one indented line each."""
    return ("given_name: Ana\ndemographics:\n  race: [" + ",".join(["a"] * items) + "]\n").encode()


def test_new_refuses_fields_that_grow_over_the_limit_naming_the_input(records, cli, tmp_path):
    given = tmp_path / "fields.yaml"
    given.write_bytes(_growing(200_000))
    assert given.stat().st_size < yamlio.MAX_BYTES
    before = snapshot(records)
    result = cli("new", "person", "-f", given)
    assert_refused(result, before, records)
    assert result.err == (f"{given}:3:9: error: demographics.race: written out, the record would be 1,200,143 "
                          f"bytes; rjc keeps files under 1,048,576: shorten it [file-too-large]\n"
                          "Error: nothing was created\n")


def test_edit_refuses_a_draft_that_grows_over_the_limit_naming_the_draft(records, cli, tmp_path, monkeypatch):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    payload = tmp_path / "payload"
    payload.write_bytes(f"id: {PERSON}\nschema_version: 3\n".encode() + _growing(200_000))
    editor = tmp_path / "editor.py"
    editor.write_text("import shutil, sys\nshutil.copyfile(sys.argv[1], sys.argv[2])\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor} {payload}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = snapshot(records)
    result = cli("edit", PERSON)
    draft = records / ".git" / "rjc" / "drafts" / f"{PERSON}.yaml"
    assert_refused(result, before, records, says="nothing committed")
    assert result.err.startswith(f"{draft}:5:9: error: demographics.race: written out, the record would be "
                                 "1,200,143 bytes; rjc keeps files under 1,048,576: shorten it [file-too-large]\n")


# --- symbolic links out of the records tree -------------------------------------------------------


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A directory outside the records repository holding a record-like file with a secret in it."""
    directory = tmp_path_factory.mktemp("outside")
    (directory / "secret.yaml").write_text(
        f"id: P-{YEAR}-KB-0002\nschema_version: 3\ngiven_name: TOPSECRET\n", encoding="utf-8")
    return directory


def test_check_reports_symlinks_pointing_out_of_the_records_tree(records, cli, outside):
    assert cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n").code == 0
    shard = records / "people" / str(YEAR)
    (shard / "KB" / f"P-{YEAR}-KB-0002.yaml").symlink_to(outside / "secret.yaml")
    (shard / "MR").symlink_to(outside, target_is_directory=True)
    (records / "referrals").rmdir()
    (records / "referrals").symlink_to(outside, target_is_directory=True)
    before = snapshot(records, outside)
    result = cli("check")
    for relpath in (f"people/{YEAR}/KB/P-{YEAR}-KB-0002.yaml", f"people/{YEAR}/MR", "referrals"):
        assert_refused(result, before, records, outside, name=relpath, line=1, rule="symlink")
    assert "TOPSECRET" not in result.out + result.err
    listed = cli("list", "people")  # a record behind a link is not listed either
    assert listed.code == 0 and f"P-{YEAR}-KB-0002" not in listed.out and "TOPSECRET" not in listed.out


def test_show_does_not_read_through_a_symlinked_record(records, cli, outside):
    target = records / "people" / str(YEAR) / "KB" / f"P-{YEAR}-KB-0002.yaml"
    target.parent.mkdir(parents=True)
    target.symlink_to(outside / "secret.yaml")
    before = snapshot(records, outside)
    result = cli("show", f"P-{YEAR}-KB-0002")
    assert "TOPSECRET" not in result.out + result.err
    assert_refused(result, before, records, outside, name=f"people/{YEAR}/KB/P-{YEAR}-KB-0002.yaml",
                   says="symbolic link")


def test_edit_does_not_read_or_commit_through_a_symlinked_record(records, cli, outside, tmp_path, monkeypatch):
    target = records / "people" / str(YEAR) / "KB" / f"P-{YEAR}-KB-0002.yaml"
    target.parent.mkdir(parents=True)
    target.symlink_to(outside / "secret.yaml")
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\np = sys.argv[1]\nopen(p, 'a').write('note: edited\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    before = snapshot(records, outside)
    result = cli("edit", f"P-{YEAR}-KB-0002")
    assert "TOPSECRET" not in git(records, "log", "-p", "--all")
    assert_refused(result, before, records, outside, name=f"people/{YEAR}/KB/P-{YEAR}-KB-0002.yaml",
                   says="symbolic link")


def test_new_does_not_write_through_a_symlinked_directory(records, cli, outside):
    (records / "people").rmdir()
    (records / "people").symlink_to(outside, target_is_directory=True)
    before = snapshot(records, outside)
    result = cli("new", "person", "-f", "-", stdin=b"given_name: Ana\n")
    assert_refused(result, before, records, outside, name="people", says="symbolic link")


@pytest.mark.parametrize("where", ["templates/agreement.md.j2", "rjc.yaml"])
def test_check_reports_a_symlink_elsewhere_in_the_repository(records, cli, outside, where):
    link = records / where
    if where == "rjc.yaml":
        (outside / "rjc.yaml").write_bytes(link.read_bytes())
        link.unlink()
        link.symlink_to(outside / "rjc.yaml")
    else:
        link.parent.mkdir()
        link.symlink_to(outside / "secret.yaml")
    before = snapshot(records, outside)
    result = cli("check")
    assert_refused(result, before, records, outside, name=where, rule="symlink")


# --- templates reaching for Python internals or the file system ----------------------------------


@pytest.fixture
def letter_repo(repo, monkeypatch) -> Path:
    """The records of the property tests, committed: a case with its people, referral and agreement."""
    monkeypatch.chdir(repo.root)
    with repo.transaction("test") as tx:
        for record in BASE:
            tx.stage(record)
        tx.commit("test")
    (repo.root / "templates").mkdir()
    return repo.root


LETTER = ("letter", "agreement", "C-2026-KB-0001")
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{{ lipsum.__globals__['os'].popen('cat /etc/passwd').read() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ recipient.__class__.__base__.__subclasses__() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../../../../../etc/passwd' %}",
    "{% import '../../x' as x %}{{ x }}",
    "{% from '../rjc.yaml' import center %}",
    "{% extends '../rjc.yaml' %}",
    "{% include 'agreement.md.j2' %}",  # itself, without end
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ 'x' * 10**10 }}",
    "{{ [0] * 10**10 }}",
    "{{ 2 ** 100000000 }}",
    "{{ (2 ** 5000) ** 5000 }}",
    "{% set n = namespace(x=3) %}{% for i in range(40) %}{% set n.x = n.x * n.x %}{% endfor %}{{ n.x }}",
    "{{ 1 / 0 }}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_templates_cannot_reach_python_internals_or_files(letter_repo, cli, template):
    (letter_repo / "templates" / "agreement.md.j2").write_text("Dear {{ recipient.given_name }},\n" + template + "\n")
    before = snapshot(letter_repo)
    started = time.monotonic()
    result = cli(*LETTER)
    assert time.monotonic() - started < 10
    assert_refused(result, before, letter_repo, name="agreement.md.j2", line=2, says="Error: template")
    assert "root:" not in result.out and "schema_version" not in result.out
    assert not (letter_repo / "pwned").exists()


@pytest.mark.parametrize("layout_", ["file", "directory", "included"])
def test_a_symlinked_template_is_refused(letter_repo, cli, outside, layout_):
    (outside / "agreement.md.j2").write_text("TOPSECRET\n")
    templates = letter_repo / "templates"
    if layout_ == "file":
        (templates / "agreement.md.j2").symlink_to(outside / "secret.yaml")
        shown = "templates/agreement.md.j2"
    elif layout_ == "directory":
        templates.rmdir()
        templates.symlink_to(outside, target_is_directory=True)
        shown = "templates"
    else:
        (templates / "agreement.md.j2").write_text("Dear {{ recipient.given_name }},\n{% include 'part.j2' %}\n")
        (templates / "part.j2").symlink_to(outside / "secret.yaml")
        shown = "templates/part.j2"
    before = snapshot(letter_repo, outside)
    result = cli(*LETTER)
    assert "TOPSECRET" not in result.out + result.err
    assert_refused(result, before, letter_repo, outside, name=shown, says="is a symbolic link")


def test_a_plain_center_template_still_renders(letter_repo, cli):
    (letter_repo / "templates" / "agreement.md.j2").write_text(
        "Dear {{ recipient.given_name }},\n{{ '-' * 20 }} {{ 2 ** 10 }} {% for i in range(3) %}{{ i }}{% endfor %}\n")
    result = cli(*LETTER)
    assert (result.code, result.out) == (0, "Dear Ana,\n" + "-" * 20 + " 1024 012\n"), result


# --- an SMTP password file anyone may read ---------------------------------------------------------


@pytest.fixture
def mail_repo(repo, monkeypatch, tmp_path):
    """Settings that send reminders from KB's clone, logging in with a password from a file."""
    from rjc.model.settings import Mail

    monkeypatch.chdir(repo.root)
    secret = tmp_path / "secrets" / "smtp-password"
    secret.parent.mkdir()
    settings = Settings(schema_version=SCHEMA_VERSION, center=SETTINGS.center, coordinators=COORDINATORS,
                        mail=Mail(host="127.0.0.1", port=2525, security="none", sender="rjc@center.example.org",
                                  send_from="KB", username="rjc", password_file=str(secret)))
    with repo.transaction("test") as tx:
        tx.stage(settings)
        tx.commit("mail settings")
    return repo.root, secret


def _fifo(path: Path) -> None:
    os.mkfifo(path, 0o600)


@pytest.mark.parametrize("kind, says", [
    ("world-readable", "can be read by others"),
    ("group-readable", "can be read by others"),
    ("link-to-world-readable", "can be read by others"),
    ("directory", "is not a regular file"),
    ("fifo", "is not a regular file"),
    ("not-utf8", "is not UTF-8 text"),
    ("huge", "is over 4,096 bytes"),
])
def test_an_unsafe_password_file_is_refused(mail_repo, kind, says):
    root, secret = mail_repo
    if kind in ("world-readable", "group-readable", "not-utf8", "huge"):
        secret.write_bytes({"not-utf8": b"hunter2\xff\n", "huge": b"hunter2" * 1000}.get(kind, b"hunter2\n"))
        secret.chmod({"world-readable": 0o644, "group-readable": 0o640}.get(kind, 0o600))
    elif kind == "link-to-world-readable":
        target = secret.with_name("real")
        target.write_bytes(b"hunter2\n")
        target.chmod(0o644)
        secret.symlink_to(target)
    elif kind == "directory":
        secret.mkdir(mode=0o700)
    else:
        _fifo(secret)
    before = snapshot(root, secret.parent)
    result = run_real(root, "remind", "--email", "--dry-run", timeout=20)  # a FIFO must not make it hang
    assert "hunter2" not in result.out + result.err
    assert_refused(result, before, root, secret.parent, name=str(secret), says=says)


def test_check_warns_about_a_world_readable_password_file(mail_repo, cli):
    root, secret = mail_repo
    secret.write_bytes(b"hunter2\n")
    secret.chmod(0o644)
    result = cli("check")
    report = result.out + result.err  # rjc check lists problems on stdout
    assert "password_file" in report and str(secret) in report and "hunter2" not in report
    assert "[password-file]" in result.out and result.code == 0  # a warning, not an error
