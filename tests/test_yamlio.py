"""rjc.storage.yamlio: strict loading with positions, canonical dumping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rjc
from rjc.storage import yamlio
from rjc.storage.controls import CONTROL
from rjc.storage.errors import Problem, RjcError
from rjc.storage.yamlio import YamlError

from helpers import dedent

PATH = "cases/2026/KB/C-2026-KB-0019.yaml"


def refusal(source: str | bytes) -> Problem:
    """The one problem yamlio.load reports for a source it must refuse."""
    with pytest.raises(YamlError) as info:
        yamlio.load(source, PATH)
    assert info.value.problems == [info.value.problem]
    return info.value.problem


# --- loading: every plain scalar stays the string that was typed --------------------------


def test_plain_scalars_stay_the_exact_strings_typed():
    data = yamlio.load(dedent("""\
        answer: NO
        consent: yes
        start: 12:30
        zip: 0123
        count: 1e3
        version: 1.10
        opened: 2024-03-05
        flag: true
        number: 7
        """), PATH).data
    assert data == {"answer": "NO", "consent": "yes", "start": "12:30", "zip": "0123", "count": "1e3",
                    "version": "1.10", "opened": "2024-03-05", "flag": "true", "number": "7"}
    assert all(type(value) is str for value in data.values())


def test_only_a_plain_tilde_null_or_empty_value_is_none():
    data = yamlio.load(dedent("""\
        tilde: ~
        empty:
        word: null
        quoted_null: 'null'
        quoted_tilde: "~"
        quoted_empty: ''
        """), PATH).data
    assert data == {"tilde": None, "empty": None, "word": None,
                    "quoted_null": "null", "quoted_tilde": "~", "quoted_empty": ""}


def test_nested_values_and_their_positions_are_kept():
    document = yamlio.load(dedent("""\
        id: C-2026-KB-0019
        agreements:
        - signed: 2026-02-01
          items:
          - type: apology-letter
          - type: restitution
            amount: 250.00
        """), PATH)
    assert document.data["agreements"][0]["items"][1] == {"type": "restitution", "amount": "250.00"}
    assert document.value_at[("agreements", 0, "items", 1, "amount")] == (7, 13)
    assert document.key_at[("agreements", 0, "items", 1, "amount")] == (7, 5)
    assert document.locate(("agreements", 0, "items", 1, "amount")) == (7, 13)
    # a step that is not in the file falls back to the deepest one that is
    assert document.locate(("agreements", 0, "items", 1, "restitution", "payments")) == (6, 5)
    assert document.locate(("agreements", 0, "items", 1, "amount"), key=True) == (7, 5)


def test_a_byte_order_mark_is_accepted():
    assert yamlio.load(b"\xef\xbb\xbfname: Ana\n", PATH).data == {"name": "Ana"}


# --- loading: refusals, each with its exact position and rule ------------------------------


def test_duplicate_key_points_at_the_second_key():
    problem = refusal(dedent("""\
        given_name: Ana
        phone: '555-0101'
        given_name: Anna
        """))
    assert problem == Problem(PATH, 3, 1, "duplicate-key", "duplicate key 'given_name' (first at line 1)")


def test_nested_duplicate_key_points_at_the_second_key():
    problem = refusal(dedent("""\
        id: P-2026-KB-0001
        address:
          town: Barre
          street: 1 Main St
          town: Montpelier
        """))
    assert (problem.line, problem.col, problem.rule) == (5, 3, "duplicate-key")


def test_alias_is_refused_at_its_anchor():
    problem = refusal(dedent("""\
        opened: &day 2026-01-05
        closed: *day
        """))
    assert (problem.path, problem.line, problem.col, problem.rule) == (PATH, 1, 9, "alias")


def test_unused_anchor_is_refused():
    problem = refusal(dedent("""\
        id: P-2026-KB-0001
        address: &home
          town: Barre
        """))
    assert problem == Problem(PATH, 2, 10, "alias", "anchors (&name) are not allowed; write the value out")


def test_merge_key_is_refused():
    problem = refusal(dedent("""\
        defaults: {status: pending}
        item:
          <<: {status: pending}
          type: education
        """))
    assert problem == Problem(PATH, 3, 3, "alias", "merge keys (<<) are not allowed; write the fields out")


@pytest.mark.parametrize("value, shown", [
    ("!!python/object:os.system ls", "!!python/object:os.system"),
    ("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
    ("!!binary aGVsbG8=", "!!binary"),
    ("!custom x", "!custom"),
    ("!!set {a: null}", "!!set"),
])
def test_tags_are_refused(value, shown):
    problem = refusal(f"id: P-2026-KB-0001\nnote: {value}\n")
    assert problem == Problem(PATH, 2, 7, "tag", f"tags such as {shown} are not allowed")


def test_a_value_tagged_null_is_never_silently_dropped():
    # `!!null` on a non-empty value would turn the typed text into None: refuse the tag.
    problem = refusal("note: !!null call her back\n")
    assert (problem.line, problem.col, problem.rule) == (1, 7, "tag")


def test_complex_key_is_refused():
    problem = refusal("id: P-2026-KB-0001\n? [a, b]\n: 1\n")
    assert (problem.line, problem.col, problem.rule) == (2, 3, "complex-key")


@pytest.mark.parametrize("text, line, col, message", [
    ("note: [1, 2\n", 2, 1, "while parsing a flow sequence did not find expected ',' or ']'"),
    ("given_name: Ana\n  phone: 1\n", 2, 8, "mapping values are not allowed in this context"),
    ('note: "unterminated\n', 2, 1, "while scanning a quoted scalar found unexpected end of stream"),
    ("note: *undefined\n", 1, 7, "found undefined alias"),
])
def test_malformed_yaml_is_refused_at_the_spot(text, line, col, message):
    assert refusal(text) == Problem(PATH, line, col, "yaml-syntax", message)


def test_several_documents_are_refused_at_the_second():
    problem = refusal("given_name: Ana\n---\ngiven_name: Bo\n")
    assert problem == Problem(PATH, 2, 1, "yaml-syntax",
                              "expected a single document in the stream but found another document")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", "'quoted'\n"])
def test_top_level_must_be_a_mapping(text):
    assert refusal(text) == Problem(PATH, 1, 1, "not-a-mapping",
                                    "expected a mapping of fields (key: value) at top level")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_refused(text):
    assert refusal(text) == Problem(PATH, 1, 1, "empty-file", "file is empty; expected a mapping of fields")


def test_invalid_utf8_is_refused_at_the_byte():
    problem = refusal(b"given_name: Ana\nnote: caf\xe9 au lait\n")
    assert problem == Problem(PATH, 2, 10, "encoding",
                              "file is not valid UTF-8 text (binary data or another encoding)")


@pytest.mark.parametrize("source", [b"given_name: Ana\nnote: a\x00b\n", "given_name: Ana\nnote: a\x00b\n"])
def test_nul_byte_is_refused_at_the_byte(source):
    problem = refusal(source)
    assert problem == Problem(PATH, 2, 8, "encoding", "file contains a NUL byte; it is binary, not YAML text")


def test_control_character_is_refused_with_a_position_and_a_one_line_message():
    problem = refusal("given_name: Ana\nnote: a\x0cb\n")
    assert (problem.path, problem.rule) == (PATH, "encoding")
    assert (problem.line, problem.col) == (2, 8)
    assert "\n" not in str(problem)  # `rjc check` output is one line per problem


def test_control_character_in_a_long_file_is_a_yaml_error():
    # A CoSA case with years of weekly meetings has thousands of `-` and `:`.
    meetings = "".join(f"- date: 2026-01-{day % 28 + 1:02d}\n  hours: 1.5\n" for day in range(3000))
    text = "id: C-2026-KB-0019\nnote: pasted \x1b[31m from a terminal\nmeetings:\n" + meetings
    problem = refusal(text)
    assert (problem.path, problem.rule) == (PATH, "encoding")


def test_file_over_max_bytes_is_refused():
    problem = refusal("note: " + "x" * yamlio.MAX_BYTES + "\n")
    assert (problem.path, problem.line, problem.col, problem.rule) == (PATH, 0, 0, "file-too-large")


def test_file_over_max_bytes_is_refused_even_when_it_has_fewer_characters():
    source = ("note: " + "é" * (yamlio.MAX_BYTES // 2 + 1) + "\n").encode("utf-8")
    assert len(source) > yamlio.MAX_BYTES
    problem = refusal(source)
    assert (problem.path, problem.line, problem.col, problem.rule) == (PATH, 0, 0, "file-too-large")


def test_file_of_max_bytes_is_accepted():
    text = "note: " + "x" * (yamlio.MAX_BYTES - len("note: \n")) + "\n"
    assert len(text.encode()) == yamlio.MAX_BYTES
    assert len(yamlio.load(text, PATH).data["note"]) == yamlio.MAX_BYTES - 7


def _block_nesting(levels: int) -> str:
    """`levels` nested mappings (the top one counts as the first), a scalar in the deepest."""
    return "".join("  " * i + f"k{i}:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "v: x\n"


def test_block_nesting_of_max_depth_is_accepted():
    yamlio.load(_block_nesting(yamlio.MAX_DEPTH), PATH)


def test_block_nesting_deeper_than_max_depth_is_refused_at_the_first_level_too_many():
    problem = refusal(_block_nesting(40))
    # level 33 is the mapping on line 33, holding k32 at column 65
    assert problem == Problem(PATH, 33, 65, "too-deep", "nesting deeper than 32 levels")


_LOAD_IN_CHILD = """
import json, sys
from rjc.storage import yamlio
try:
    yamlio.load(sys.stdin.buffer.read(), sys.argv[1])
except yamlio.YamlError as exc:
    print(json.dumps(exc.problem.as_dict()))
"""


def refusal_in_a_child_process(source: str) -> Problem:
    """Load in a separate interpreter: if the C parser blew its stack, this test fails, the run goes on."""
    env = {**os.environ, "PYTHONPATH": str(Path(rjc.__file__).parent.parent)}
    result = subprocess.run([sys.executable, "-c", _LOAD_IN_CHILD, PATH], input=source.encode(), env=env,
                            capture_output=True, timeout=60)
    assert result.returncode == 0, f"the interpreter died (exit {result.returncode}): {result.stderr[-300:]!r}"
    assert result.stdout, "a 100,000-deep document was accepted"
    return Problem(**json.loads(result.stdout))


def test_flow_nesting_100000_deep_is_refused_without_crashing():
    problem = refusal_in_a_child_process("note: " + "[" * 100_000 + "]" * 100_000 + "\n")
    # the top mapping is level 1; the 32nd `[` (column 38) is level 33
    assert problem == Problem(PATH, 1, 38, "too-deep", "nesting deeper than 32 levels")


def test_flow_nesting_100000_deep_at_top_level_is_refused_without_crashing():
    problem = refusal_in_a_child_process("[" * 100_000 + "]" * 100_000 + "\n")
    assert problem == Problem(PATH, 1, 33, "too-deep", "nesting deeper than 32 levels")


@pytest.mark.parametrize("levels", [40, 999, 1001, 2400])
def test_nesting_is_refused_at_rjcs_limit_whatever_libyamls_own(levels):
    """libyaml stops at 1,000 levels in some versions (PyYAML 6.0.4), with a message of its own."""
    problem = refusal("note: " + "[" * levels + "]" * levels + "\n")
    assert problem == Problem(PATH, 1, 38, "too-deep", "nesting deeper than 32 levels")


def test_block_nesting_100000_deep_is_refused_without_crashing():
    problem = refusal_in_a_child_process("items:\n" + "- " * 100_000 + "x\n")
    # the 32nd `- ` (column 63) opens level 33
    assert problem == Problem(PATH, 2, 63, "too-deep", "nesting deeper than 32 levels")


def _outcome(text: str):
    try:
        yamlio.load(text, PATH)
    except YamlError as exc:
        return exc.problem
    return "accepted"


@pytest.mark.parametrize("inner", ["x", ""])
@pytest.mark.parametrize("levels", [31, 32])
def test_nesting_limit_does_not_depend_on_the_rest_of_the_file(levels, inner):
    # `levels` flow sequences inside the top mapping; a long comment changes nothing about depth
    text = "note: " + "[" * levels + inner + "]" * levels + "\n"
    padded = text + "# " + "-" * 6000 + "\n"
    assert _outcome(text) == _outcome(padded)


def test_alias_bomb_is_refused_quickly():
    bomb = dedent("""\
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """)
    assert len(bomb) < 400
    started = time.perf_counter()
    problem = refusal(bomb)
    assert time.perf_counter() - started < 0.5
    assert (problem.line, problem.col, problem.rule) == (1, 4, "alias")


def test_yaml_error_is_an_rjc_error_printed_as_path_line_col():
    with pytest.raises(RjcError) as info:
        yamlio.load("a: 1\na: 2\n", PATH)
    assert str(info.value) == f"{PATH}:2:1: error: duplicate key 'a' (first at line 1) [duplicate-key]"


_YAMLISH = st.lists(st.sampled_from(list("ab1:-?[]{},&*!|>#'\"%@` \t\n\r\\~.=<") +
                                     ["\x00", "\x0c", "\x85", "\ufeff", "é", "\u2028", "---", "...", "  "]),
                    max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), _YAMLISH))
def test_any_input_gives_a_document_or_a_located_yaml_error(source):
    try:
        document = yamlio.load(source, "fuzz.yaml")
    except YamlError as exc:
        assert exc.problem.path == "fuzz.yaml"
        assert exc.problems == [exc.problem]
        assert exc.problem.line >= 0 and exc.problem.col >= 0
        assert exc.problem.rule
    else:
        assert isinstance(document.data, dict)


# --- dumping: canonical text --------------------------------------------------------------


TRICKY = {
    "answer": "NO", "consent": "yes", "start": "12:30", "zip": "0123", "count": "1e3", "version": "1.10",
    "opened": "2024-03-05", "tilde": "~", "null_word": "null", "empty": "", "colon": "a: b", "hash": "# c",
    "lead": "  indented", "dash": "-", "note": "First line.\nSecond line.\n", "no_end": "one\ntwo",
    "name": "Zoë Ngô 日本", "list": ["NO", {"nested": "0123"}], "nothing": None,
}


def test_dump_is_canonical():
    once = yamlio.dump(TRICKY)
    assert yamlio.load(once, PATH).data == TRICKY
    assert yamlio.dump(yamlio.load(once, PATH).data) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=10), st.sampled_from("\x00\x07\x1b\r\x7f\x85\x9b\u061c\u200e\u202e\u2066"), st.text(max_size=10))
def test_text_with_a_control_character_is_written_but_never_read_back(before, control, after):
    with pytest.raises(YamlError) as info:
        yamlio.load(yamlio.dump({"note": before + control + after}), PATH)
    assert info.value.problem.rule in ("control-character", "encoding")


def test_dump_quotes_what_yaml_would_retype():
    text = yamlio.dump({"answer": "NO", "start": "12:30", "zip": "0123", "consent": "yes",
                        "version": "1.10", "opened": "2024-03-05", "word": "null", "plain": "Barre"})
    assert text == dedent("""\
        answer: 'NO'
        start: '12:30'
        zip: '0123'
        consent: 'yes'
        version: '1.10'
        opened: '2024-03-05'
        word: 'null'
        plain: Barre
        """)


def test_dump_writes_multi_line_strings_as_literal_blocks():
    text = yamlio.dump({"note": "First session.\nWent well.\n", "after": "x"})
    assert text == "note: |\n  First session.\n  Went well.\nafter: x\n"


def test_dump_writes_decimals_plain_and_keeps_their_places():
    assert yamlio.dump({"amount": Decimal("250.00"), "hours": Decimal("2.5"), "whole": Decimal("7")}) == \
        "amount: 250.00\nhours: 2.5\nwhole: 7\n"


def test_dump_keeps_unicode():
    assert yamlio.dump({"name": "Zoë Ngô", "town": "Montréal", "note": "日本語"}) == \
        "name: Zoë Ngô\ntown: Montréal\nnote: 日本語\n"


def test_dump_keeps_unicode_beyond_the_basic_plane():
    # 𠮷 is written in a common Japanese family name; an editor must show it, not an escape
    assert yamlio.dump({"family_name": "𠮷田"}) == "family_name: 𠮷田\n"


def test_dump_does_not_fold_long_strings():
    long = " ".join(["word"] * 300)
    assert yamlio.dump({"note": long}) == f"note: {long}\n"


def test_dump_keeps_field_order_and_writes_the_header():
    assert yamlio.dump({"z": "1", "a": "2"}, header="modeline") == "# modeline\nz: '1'\na: '2'\n"


# Any text a record may hold: control characters are refused once read (see the test after this one).
_TEXT = st.characters(exclude_categories=("Cs",),  # (every control character is below U+2070)
                      exclude_characters="".join(chr(c) for c in range(0x2070) if CONTROL.match(chr(c))))
_KEYS = st.text(_TEXT, min_size=1, max_size=8)
_VALUES = st.recursive(st.none() | st.text(_TEXT, max_size=30),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
                       max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4))
def test_dump_load_dump_is_stable_for_any_strings(data):
    once = yamlio.dump(data)
    assert yamlio.load(once, PATH).data == data
    assert yamlio.dump(yamlio.load(once, PATH).data) == once
