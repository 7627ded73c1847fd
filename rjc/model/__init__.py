"""The model: what a center's records are, as types, with no files, git or terminal in sight.

The shape of every file, checked strictly (unknown keys are errors); the vocabularies; each
program's status machine (`lifecycle`); fiscal periods (`periods`); the entries of logs and
their ids (`entries`).

The record types are imported on first use (module `__getattr__`), so that `rjc.model.vocab`
can be imported without pydantic: the command line builds its choices from it at `--help`.

May import: nothing else of rjc. Imported by everything above it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rjc.model.base import SCHEMA_VERSION, Record
    from rjc.model.case import Case
    from rjc.model.organization import Organization
    from rjc.model.panel import Panel
    from rjc.model.person import Person
    from rjc.model.referral import Referral
    from rjc.model.settings import Settings
    from rjc.model.volunteer import Volunteer

_HOMES = {
    "SCHEMA_VERSION": "base", "Record": "base", "Case": "case", "Panel": "panel", "Person": "person",
    "Referral": "referral", "Settings": "settings", "Volunteer": "volunteer", "Organization": "organization",
}

__all__ = ["MODELS", "SCHEMA_VERSION", "Case", "Organization", "Panel", "Person", "Record", "Referral", "Settings", "Volunteer"]


def __getattr__(name: str):
    if name == "MODELS":
        models = {m.kind: m for m in (__getattr__(n) for n in ("Person", "Referral", "Case", "Panel", "Volunteer", "Organization"))}
        globals()["MODELS"] = models
        return models
    if name in _HOMES:
        value = getattr(importlib.import_module(f"rjc.model.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rjc.model' has no attribute {name!r}")
