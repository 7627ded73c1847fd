"""rjc.storage.yamlio: positions found only when asked for, and the fast build for text without tags.

`load` builds a file without tags fast and without positions, and finds the positions by
building the text again when first asked for; `load(positions=True)` always takes the full,
located build. Both must give the same data, the same positions and the same refusals.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rjc.storage import store, yamlio
from rjc.storage.errors import Problem
from rjc.storage.yamlio import YamlError

from helpers import dedent

PATH = "cases/2026/KB/C-2026-KB-0019.yaml"

CASE = dedent("""\
    # yaml-language-server: $schema=../../../schemas/case.schema.json
    id: C-2026-KB-0019
    schema_version: 3
    program: mediation
    coordinator: KB
    opened: 2026-01-05
    status_history:
    - status: intake
      date: 2026-01-05
      by: KB
      note: ~
    contacts:
    - id: tmbr8bpxq4
      date: 2026-01-06
      kind: phone
      by: KB
      with:
      - P-2026-KB-0001
      note: 'NO answer: left a message'
    """)


def outcome(source: str | bytes, **options):
    """What load gives: the data with every position, or the one problem."""
    try:
        document = yamlio.load(source, PATH, **options)
    except YamlError as exc:
        return exc.problem
    return document.data, document.value_at, document.key_at


def test_positions_found_later_are_the_positions_found_at_once():
    later, at_once = yamlio.load(CASE, PATH), yamlio.load(CASE, PATH, positions=True)
    assert later.data == at_once.data
    assert later.value_at == at_once.value_at and later.key_at == at_once.key_at
    assert later.value_at[("contacts", 0, "with", 0)] == (18, 5)
    assert later.key_at[("contacts", 0, "note")] == (19, 3)
    assert later.data["status_history"][0]["note"] is None


def test_a_document_locates_with_positions_found_on_first_use():
    document = yamlio.load(CASE, PATH)
    assert document.locate(("contacts", 0, "kind")) == (15, 9)
    assert document.locate(("contacts", 0, "kind"), key=True) == (15, 3)
    assert document.locate(("contacts", 0, "nowhere")) == (13, 3)  # the item holding it
    assert document.sub(("contacts", 0)).locate(("by",)) == (16, 7)


def test_a_document_of_data_alone_locates_at_the_top():
    document = yamlio.Document({"id": "P-2026-KB-0001"})
    assert document.value_at == {} and document.key_at == {}
    assert document.locate(("id",)) == (1, 1)


def test_a_text_with_a_bang_takes_the_full_build_and_keeps_its_positions():
    # a tag that changes nothing is accepted, as it always was
    document = yamlio.load("note: Well done!\ntown: !!str Barre\n", PATH)
    assert document.data == {"note": "Well done!", "town": "Barre"}
    assert document.value_at[("town",)] == (2, 7)


@pytest.mark.parametrize("text, problem", [
    ("note: =\n", Problem(PATH, 1, 7, "tag", "tags such as !!value are not allowed")),
    ("note: <<\n", Problem(PATH, 1, 7, "tag", "tags such as !!merge are not allowed")),
    ("a: 1\n<<: {a: 2}\n", Problem(PATH, 2, 1, "alias", "merge keys (<<) are not allowed; write the fields out")),
    ("a:\n  b: 1\n  c: 2\n  b: 3\n", Problem(PATH, 4, 3, "duplicate-key", "duplicate key 'b' (first at line 2)")),
    ("a: 1\n[b]: 2\n", Problem(PATH, 2, 1, "complex-key", "keys must be plain names")),
    ("a: " + "[" * 32 + "]" * 32 + "\n", Problem(PATH, 1, 35, "too-deep", "nesting deeper than 32 levels")),
])
def test_what_the_fast_build_leaves_is_refused_as_by_the_full_build(text, problem):
    assert outcome(text) == problem
    assert outcome(text, positions=True) == problem


def test_keys_the_resolver_reads_as_null_or_a_value_stay_strings():
    assert yamlio.load("~: a\n=: b\nnull: c\n'<<': d\n", PATH).data == {"~": "a", "=": "b", "null": "c", "<<": "d"}


def test_a_record_with_a_problem_is_located_by_building_it_again():
    loaded = store.parse_record(PATH, CASE.replace("  kind: phone\n", "  kind: fax\n"))
    assert loaded.record is None
    assert [(p.line, p.col, p.rule) for p in loaded.problems] == [(15, 9, "invalid-choice")]


def test_a_cached_record_locates_a_problem_by_reading_its_file(tmp_path):
    (tmp_path / PATH).parent.mkdir(parents=True)
    (tmp_path / PATH).write_text(CASE)
    loaded = store.Loaded(PATH, root=tmp_path)
    assert loaded.problem(("contacts", 0, "with", 0), "reference-exists", "missing") == \
        Problem(PATH, 18, 5, "reference-exists", "missing")


_PIECES = st.sampled_from([
    "a: ", "b: ", "\na: ", "\nb: ", "\n- ", "\n  ", "\n  - ", "  c: ", "x", "NO", "2026-01-05", "12:30", "~", "null",
    "Null", "''", "'~'", '"null"', "=", "<<", "<<: ", "? ", ": ", "[", "]", "{", "}", ", ", "&a ", "*a", "!", "!!str ",
    "!!null ", "! ", "#c", "|\n  x", ">\n  y", "\t", "é", "\r\n", "---\n",
])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_fast_build_gives_what_the_full_build_gives(text):
    assert outcome(text) == outcome(text, positions=True)
