"""Where a record holds entries (payments, hours, contacts...), found from the models themselves.

New input (a file given to `rjc new`, a draft from `rjc edit`) may leave an entry's id out:
rjc gives it one. `rjc migrate` gives the entries of older files ids that every clone
computes alike, so two clones migrating the same file write the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import typing
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from rjc.model.base import ENTRY_ID_ALPHABET, Entry, new_entry_id

Loc = tuple


def assign_ids(model: type[BaseModel], data: Any, make: Callable[[Loc], str] | None = None) -> None:
    """Give every entry in `data` (plain data of a `model`) that has no id one, in place.

    `make(loc)` makes the id for the entry at `loc`; by default a fresh random one.
    """
    for loc, entry in _entries(model, data, ()):
        if "id" not in entry:
            entry["id"] = make(loc) if make else new_entry_id()
            # the id first, as rjc writes it
            for key in [k for k in entry if k != "id"]:
                entry[key] = entry.pop(key)


def located(record: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, Entry]]:
    """(location in the file, entry) for every entry a validated record holds."""
    for key, _, _ in _nested(type(record)):
        name = _field_names(type(record))[key]
        value = getattr(record, name)
        elements = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, element in elements:
            here = loc + (key,) if index is None else loc + (key, index)
            if isinstance(element, Entry):
                yield here, element
            if isinstance(element, BaseModel):
                yield from located(element, here)


@functools.cache
def _field_names(model: type[BaseModel]) -> dict[str, str]:
    return {info.alias or name: name for name, info in model.model_fields.items()}


def stable_id(*parts: object) -> str:
    """An entry id derived from `parts`: the same on every machine."""
    number = int.from_bytes(hashlib.sha256("\0".join(map(str, parts)).encode()).digest()[:8], "big")
    letters = ENTRY_ID_ALPHABET[:24]
    text = letters[number % len(letters)]
    number //= len(letters)
    for _ in range(9):
        text += ENTRY_ID_ALPHABET[number % len(ENTRY_ID_ALPHABET)]
        number //= len(ENTRY_ID_ALPHABET)
    return text


def _entries(model: type[BaseModel], data: Any, loc: Loc) -> Iterator[tuple[Loc, dict]]:
    if not isinstance(data, dict):
        return
    for key, models, is_entry in _nested(model):
        value = data.get(key)
        elements = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, element in elements:
            here = loc + (key,) if index is None else loc + (key, index)
            if is_entry and isinstance(element, dict):
                yield here, element
            for inner in models:  # every member of a union: their fields do not overlap
                yield from _entries(inner, element, here)


@functools.cache
def _nested(model: type[BaseModel]) -> tuple[tuple[str, tuple[type[BaseModel], ...], bool], ...]:
    """(key in the file, the models its value may hold, whether they are entries) per field
    that holds models."""
    found = []
    for name, info in model.model_fields.items():
        models = tuple(models_in(info.annotation))
        if models:
            entry = all(issubclass(m, Entry) for m in models)
            found.append((info.alias or name, models, entry))
    return tuple(found)


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field's annotation may hold (`list[X]`, `X | None`, a union of several)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in models_in(arg)]
