"""A word inside a compound value (`--person ID=ROLE`, `--outcome CASE=OUTCOME`) that must be one
of a vocabulary's values: refused as a usage error, in the words Typer uses for a choice option."""

from __future__ import annotations

import enum

import typer


def choice(vocabulary: type[enum.Enum], value: str, name: str):
    for member in vocabulary:
        if member.value == value.strip().lower():
            return member
    allowed = ", ".join(repr(v.value) for v in vocabulary)
    raise typer.BadParameter(f"{value!r} is not one of {allowed}.", param_hint=f"'{name}'")
