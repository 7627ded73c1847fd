"""Shell completion: commands and options (Typer's own: `rjc --install-completion`), and record
ids for every argument that takes one, from the cache.

Only a shell asking for completions (the `_RJC_COMPLETE` variable set) comes here, so a normal run
pays nothing for it. Ids only, never names: what a shell shows may stay on the screen.
"""

from __future__ import annotations

import os
from typing import Any

COMPLETE_VAR = "_RJC_COMPLETE"
LIMIT = 200  # a shell lists more than a screen of candidates only after asking

# The kinds of record each argument (by its name in the command's function) takes; None: any kind.
KINDS_BY_ARGUMENT: dict[str, tuple[str, ...] | None] = {
    "record_id": None, "record": None, "target": None, "ids": ("case",), "case_id": ("case",),
    "referral_id": ("referral",), "person": ("person",), "keep": ("person",), "volunteer": ("volunteer",),
    "panel_id": ("panel",), "organization_id": ("organization",),
}
SAME_AS_BEFORE = "other"  # `case link ID OTHER`, `person merge KEEP OTHER`: the kind of the one before


def asked() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def with_id_completion(command: Any) -> Any:
    """Give every argument of `command` (a Click command tree, as Typer builds it) that takes a
    record id a completer of ids."""
    before: tuple[str, ...] | None = None
    for param in getattr(command, "params", []):
        if param.param_type_name != "argument":
            continue
        name = param.name
        if name in KINDS_BY_ARGUMENT or name == SAME_AS_BEFORE:
            kinds = before if name == SAME_AS_BEFORE else KINDS_BY_ARGUMENT[name]
            # Click's hook for a parameter's completions (what its `shell_complete=` argument sets)
            param._custom_shell_complete = _ids_of(kinds)
            before = kinds
    for sub in getattr(command, "commands", {}).values():
        with_id_completion(sub)
    return command


def _ids_of(kinds: tuple[str, ...] | None):
    def complete(ctx, param, incomplete: str) -> list:
        from typer._click.shell_completion import CompletionItem  # Typer's own copy of Click's

        return [CompletionItem(i) for i in record_ids(ctx, kinds, incomplete)]

    return complete


def record_ids(ctx, kinds: tuple[str, ...] | None, incomplete: str) -> list[str]:
    """The ids starting with what was typed (any case), read from the names of the files: only
    the directories the prefix can lead to are listed (`C-2026-KB-` reads one directory), and the
    walk stops at LIMIT ids. Nothing at all (never an error in the middle of a command line)
    outside a repository."""
    from rjc.storage import layout
    from rjc.storage.errors import RjcError

    prefix = incomplete.strip().upper()
    try:
        root = layout.find_root(ctx.find_root().params.get("records") if ctx else None)
    except (RjcError, OSError):
        return []
    found: list[str] = []
    for kind in (layout.KINDS[k] for k in kinds) if kinds else layout.KINDS.values():
        first = f"{kind.prefix}-"
        if not (first.startswith(prefix) or prefix.startswith(first)):
            continue
        for year in _names(root / kind.directory, prefix[len(first):len(first) + 4]):
            code_typed = prefix[len(first) + 5:].split("-", 1)[0] if len(prefix) > len(first) + 5 else ""
            for code in _names(root / kind.directory / year, code_typed):
                for name in _names(root / kind.directory / year / code, prefix, ".yaml"):
                    found.append(name)
                    if len(found) >= LIMIT:
                        return found
    return found


def _names(directory, start: str, suffix: str = "") -> list[str]:
    """The sorted names in `directory` that start with `start` (and end with `suffix`, dropped)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(n.removesuffix(suffix) for n in names if n.startswith(start) and n.endswith(suffix))
