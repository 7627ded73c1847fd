"""Turning a word typed on the command line into one of a vocabulary's values."""

from __future__ import annotations

import enum
from typing import TypeVar

from rjc.storage.errors import RjcError

E = TypeVar("E", bound=enum.Enum)


def choice(vocabulary: type[E], value: str, name: str) -> E:
    try:
        return vocabulary(value.strip().lower())
    except ValueError:
        raise RjcError(f"{name} '{value}' is not one of: {', '.join(v.value for v in vocabulary)}") from None
