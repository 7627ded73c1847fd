"""Every file rjc writes means the same to every YAML reader: PyYAML (YAML 1.1, what rjc parses
with), ruamel.yaml (YAML 1.2, as editors, yq and check-jsonschema read), and rjc itself.

rjc keeps every plain scalar as the text typed and lets the models type it; the others type it
by its look. So a string must be quoted whenever either YAML version would take it for a number,
a boolean, null or a date, and a number, boolean or date must be written plain.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML

from rjc.model import MODELS
from rjc.model import base as model_base
from rjc.storage import store, yamlio
from rjc.storage.controls import CONTROL

_RUAMEL = YAML(typ="safe")  # YAML 1.2, ruamel's default


def readings(text: str) -> tuple[Any, Any]:
    return yaml.safe_load(text), _RUAMEL.load(text)


# Strings that some reader takes for something else, in each version's forms.
RETYPED = [
    "05059", "0123", "017", "0o17", "0O17", "0x1F", "0X1f", "0b101", "-0b1", "1_000", "1_", "+1", "-1", "0", "-0",
    ".5", "+.5", "-.5", "1.", "1.5", "1.10", "1e3", "1E3", "1e+3", ".5e3", "1_0.5", "6.8523015e+5",
    ".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN",
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    "true", "True", "TRUE", "false", "False", "FALSE",
    "null", "Null", "NULL", "~", "", "<<", "=",
    "2026-01-25", "2026-1-5", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2002-12-14",
    "1:20", "190:20:30", "1:20.5", "18:00", "12:30:00",
]


@pytest.mark.parametrize("value", RETYPED)
def test_a_string_any_reader_would_retype_is_quoted(value):
    text = yamlio.dump({"postal_code": value})
    assert readings(text) == ({"postal_code": value}, {"postal_code": value})
    assert yamlio.load(text).data == {"postal_code": value}


def test_a_postal_code_with_a_leading_zero_is_written_quoted():
    assert yamlio.dump({"postal_code": "05059"}) == "postal_code: '05059'\n"


@pytest.mark.parametrize("value", ["474 Prospect Street", "Route 5", "V-2026-KB-0001", "KB", "N/A", "phase-2"])
def test_plain_text_stays_plain(value):
    assert yamlio.dump({"k": value}) == f"k: {value}\n"


# Text rjc accepts in a field (it refuses control characters once read).
_CHARS = st.characters(exclude_categories=("Cs",),
                       exclude_characters="".join(chr(c) for c in range(0x2070) if CONTROL.match(chr(c))))
_WORDS = ["yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ".inf", "-.inf", ".nan", "<<", "="]
TRICKY = st.one_of(
    st.text(_CHARS, max_size=20),
    st.sampled_from(RETYPED),
    st.from_regex(r"[-+]?0[0-9_]{1,6}", fullmatch=True),  # leading zeros: postal codes, case numbers
    st.from_regex(r"[-+]?(0[xXoObB])?[0-9a-fA-F_]{0,5}(\.[0-9_]{0,3})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(:[0-5]?[0-9]){1,2}(\.[0-9]{0,2})?", fullmatch=True),  # sexagesimal, times
    st.tuples(st.sampled_from(_WORDS), st.sampled_from([str.lower, str.upper, str.title])).map(lambda w: w[1](w[0])),
    st.dates().map(str),
    st.datetimes().map(str),
    st.dates().map(lambda d: f"{d.year:04}-{d.month}-{d.day}"),
    st.from_regex(r"[0-9]{1,4}", fullmatch=True),
)


@settings(max_examples=500, deadline=None)
@given(TRICKY)
def test_any_string_reads_back_alike_in_every_reader(value):
    text = yamlio.dump({"k": value, "list": [value]})
    expected = {"k": value, "list": [value]}
    assert readings(text) == (expected, expected)
    assert yamlio.load(text).data == expected


# --- whole records, drawn from the models ---------------------------------------------------


def _pattern(metadata: list) -> str | None:
    for item in metadata:
        extra = getattr(item, "json_schema_extra", None)
        if isinstance(extra, dict) and "pattern" in extra:
            return extra["pattern"]
        if getattr(item, "pattern", None):
            return item.pattern
    return None


def _strategy(annotation: Any, metadata: list) -> st.SearchStrategy:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _strategy(args[0], [*metadata, *args[1:]])
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_strategy(arg, metadata) for arg in args])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(_strategy(args[0], metadata), max_size=2)
    if origin is dict:
        return st.dictionaries(_strategy(args[0], []), _strategy(args[1], metadata), max_size=2)
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if annotation is str:
        pattern = _pattern(metadata)
        return st.from_regex(pattern, fullmatch=True) if pattern else TRICKY
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(0, 10_000)
    if annotation is Decimal:
        return st.decimals(0, 99_999, places=2, allow_nan=False, allow_infinity=False)
    if annotation is dt.date:
        return st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))
    if annotation is dt.time:
        return st.times().map(lambda t: t.replace(microsecond=0))
    raise AssertionError(f"no strategy for {annotation!r}")


def _field(name: str, field: FieldInfo) -> tuple[str, st.SearchStrategy]:
    return field.alias or name, _strategy(field.annotation, list(field.metadata))


def _model(model: type[BaseModel]) -> st.SearchStrategy:
    fields = [(name, field) for name, field in model.model_fields.items() if name != "schema_version"]
    required = dict(_field(name, field) for name, field in fields if field.is_required())
    optional = dict(_field(name, field) for name, field in fields if not field.is_required())
    return st.deferred(lambda: st.fixed_dictionaries(required, optional=optional))


def _valid(model: type[model_base.Record], data: dict) -> model_base.Record | None:
    try:
        return model.model_validate({**data, "schema_version": model_base.SCHEMA_VERSION})
    except ValidationError:
        return None


def _id(kind: str) -> st.SearchStrategy:
    prefix = {"person": "P", "referral": "R", "case": "C", "panel": "PN", "volunteer": "V", "organization": "O"}[kind]
    return st.from_regex(rf"{prefix}-20[0-9]{{2}}-[A-Z][A-Z0-9]{{0,3}}-[0-9]{{4}}", fullmatch=True)


RECORDS = st.sampled_from(sorted(MODELS)).flatmap(
    lambda kind: st.tuples(st.just(MODELS[kind]), _model(MODELS[kind]), _id(kind))
).map(lambda drawn: _valid(drawn[0], {**drawn[1], "id": drawn[2]})).filter(lambda record: record is not None)


def _as_read(value: Any) -> Any:
    """What a typing YAML reader should get for a value rjc writes: amounts and hours are numbers,
    dates are dates, a time is the text rjc writes for it, an enum its value."""
    if isinstance(value, dict):
        return {k: _as_read(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(RECORDS)
def test_every_reader_reads_a_written_record_as_rjc_does(record):
    text = store.render(record)
    ours = type(record).model_validate(yamlio.load(text).data)
    assert ours.to_data() == record.to_data()  # (empty parts are left out when written)
    expected = _as_read(ours.to_data())
    pyyaml, ruamel = readings(text)
    assert pyyaml == expected
    assert ruamel == expected
