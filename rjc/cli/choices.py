"""A word inside a compound value (`--person ID=ROLE`, `--outcome CASE=OUTCOME`) that must be one
of a vocabulary's values: refused as a usage error, in the words Typer uses for a choice option."""

from __future__ import annotations

import enum
from typing import TypeVar

import typer

E = TypeVar("E", bound=enum.Enum)

def choice(vocabulary: type[E], value: str, name: str) -> E:
    for member in vocabulary:
        if member.value == value.strip().lower():
            return member
    allowed = ", ".join(repr(v.value) for v in vocabulary)
    raise typer.BadParameter(f"{value!r} is not one of {allowed}.", param_hint=f"'{name}'")
