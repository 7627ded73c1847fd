"""The audit trail, read back from git: who changed what, when, field by field."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from rjc.storage import layout, yamlio
from rjc.storage.errors import RjcError
from rjc.storage.gitrepo import Commit, Git


@dataclass
class Change:
    """One commit's effect on one record, in plain words."""

    commit: str
    date: str
    actor: str
    action: str
    lines: list[str] = field(default_factory=list)


def record_history(git: Git, record_id: str) -> list[Change]:
    """Oldest first: each commit that touched the record, with the fields it changed."""
    relpath = layout.parse_id(record_id).path
    commits = list(reversed(git.log(path=relpath, with_blobs=True)))
    if not commits:
        raise RjcError(f"no history for {record_id}: it was never committed")
    contents = git.blobs([c.blobs.get(relpath, "") for c in commits])
    changes, before = [], None
    for commit in commits:
        blob = contents.get(commit.blobs.get(relpath, ""))
        after = _data(blob, relpath) if blob is not None else None
        lines = describe(before, after) if after is not None else ["deleted"]
        changes.append(Change(commit.sha, commit.date, _actor(commit), commit.subject, lines))
        before = after
    return changes


def audit_log(git: Git, *, since: str | None = None, until: str | None = None,
              record_id: str | None = None, actor: str | None = None, limit: int | None = None) -> list[Commit]:
    """The center's audit trail, newest first, filtered by date, record and coordinator."""
    path = layout.parse_id(record_id).path if record_id else None
    for value, name in ((since, "--since"), (until, "--until")):
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise RjcError(f"{name} takes a date like 2026-11-01, not '{value}'") from None
    # git's --since/--until narrow the walk (by commit date); the exact filter is on the
    # author date shown to the user, which also copes with dates git cannot parse.
    # streamed: with a limit, git stops once enough commits have passed the filters
    with contextlib.closing(git.iter_log(path=path, since=since and f"{since} 00:00",
                                         until=until and f"{until} 23:59:59")) as commits:
        wanted = (c for c in commits
                  if (not since or c.date[:10] >= since) and (not until or c.date[:10] <= until)
                  and (not actor or _actor(c) == actor))
        return list(itertools.islice(wanted, limit) if limit else wanted)


def _actor(commit: Commit) -> str:
    return commit.actor or commit.author


def _data(blob: bytes, relpath: str) -> dict:
    try:
        return yamlio.load(blob, relpath).data
    except yamlio.YamlError:
        return {"(unreadable)": "this version was not valid YAML"}


def describe(before: dict | None, after: dict) -> list[str]:
    """Field-level lines: `status: intake -> panel-scheduled`, `added contacts[2]: ...`."""
    if before is None:
        return ["created"]
    lines: list[str] = []
    _diff(before, after, "", lines)
    status = _status_change(before, after)
    if status:
        lines.insert(0, status)
    return lines or ["no field changed (formatting only)"]


def _status_change(before: dict, after: dict) -> str | None:
    old, new = before.get("status_history") or [], after.get("status_history") or []
    if len(new) > len(old) and isinstance(new[-1], dict):
        previous = old[-1].get("status") if old and isinstance(old[-1], dict) else "(none)"
        return f"status: {previous} -> {new[-1].get('status')}"
    return None


def _diff(old: Any, new: Any, where: str, lines: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        if where:  # an entry's id is rjc's bookkeeping, not something a reader follows
            old, new = _without_id(old), _without_id(new)
        for key in new:
            path = f"{where}.{key}" if where else key
            if key not in old:
                lines.append(f"added {path}: {_brief(new[key])}")
            else:
                _diff(old[key], new[key], path, lines)
        for key in old:
            if key not in new:
                lines.append(f"removed {where + '.' if where else ''}{key} (was {_brief(old[key])})")
    elif isinstance(old, list) and isinstance(new, list):
        for i, item in enumerate(new):
            if i < len(old):
                _diff(old[i], item, f"{where}[{i}]", lines)
            else:
                lines.append(f"added {where}[{i}]: {_brief(item)}")
        for i in range(len(new), len(old)):
            lines.append(f"removed {where}[{i}] (was {_brief(old[i])})")
    elif old != new:
        lines.append(f"{where}: {_brief(old)} -> {_brief(new)}")


def _without_id(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "id"}


def _brief(value: Any, limit: int = 160) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_brief(v, 60)}" for k, v in _without_id(value).items())
    elif isinstance(value, list):
        text = "[" + ", ".join(_brief(v, 60) for v in value) + "]"
    elif value is None:
        text = "(empty)"
    else:
        text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
