"""What rjc keeps beside the records (in `.git/rjc`) so warm commands need not redo work, and
which can never change what is reported: the parsed records (`parsed`) and the audit index of
the history (`audit`). `RJC_NO_CACHE=1` does without both.

Names are imported on first use (module `__getattr__`): `rjc history` needs the audit index but
not the record parser's imports.

May import: rjc.model, rjc.storage. Imported by the checks, workflows and outputs.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rjc.cache.audit import AuditIndex
    from rjc.cache.parsed import (
        NO_CHANGE,
        RACY_NS,
        Cache,
        CheckState,
        Entry,
        InWorkers,
        StateChange,
        digest,
        iter_loaded,
        parse_file,
        scan,
        stat_key,
        state_key,
        without_gc,
    )

__all__ = ["NO_CHANGE", "RACY_NS", "AuditIndex", "Cache", "CheckState", "Entry", "InWorkers", "StateChange",
           "digest", "disabled", "iter_loaded", "parse_file", "scan", "stat_key", "state_key", "without_gc"]


def disabled() -> bool:
    """RJC_NO_CACHE=1: read everything from the files and git (for comparison, or a suspect cache)."""
    return os.environ.get("RJC_NO_CACHE", "") not in ("", "0")


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("rjc.cache.audit" if name == "AuditIndex" else "rjc.cache.parsed"), name)
    globals()[name] = value
    return value
