"""Turning a word typed on the command line into one of a vocabulary's values."""

from __future__ import annotations

import enum

from rjc.storage.errors import RjcError


def choice(vocabulary: type[enum.Enum], value: str, name: str):
    try:
        return vocabulary(value.strip().lower())
    except ValueError:
        raise RjcError(f"{name} '{value}' is not one of: {', '.join(v.value for v in vocabulary)}") from None
