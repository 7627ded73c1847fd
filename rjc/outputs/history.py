"""The audit trail, read back from git: who changed what, when, field by field.

A record's history and a filtered log locate their commits through the audit index
(rjc.cache.audit) and read just those from git; the answer is checked against git before it is
printed, and when the index cannot answer (or fails the check) git's history is walked instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rjc.cache.audit import AuditIndex, actor_of
from rjc.storage import layout
from rjc.storage.errors import RjcError
from rjc.storage.gitrepo import Commit, Git

if TYPE_CHECKING:  # `rjc log` without --verify builds no model
    from rjc.model import Settings


@dataclass
class Change:
    """One commit's effect on one record, in plain words."""

    commit: str
    date: str
    actor: str
    action: str
    lines: list[str] = field(default_factory=list)


def record_history(git: Git, record_id: str, index: AuditIndex | None = None) -> list[Change]:
    """Oldest first: each commit that touched the record, with the fields it changed."""
    relpath = layout.parse_id(record_id).path
    commits = record_commits(git, index, relpath)
    commits.reverse()
    if not commits:
        raise RjcError(f"no history for {record_id}: it was never committed")
    contents = git.blobs([c.blobs.get(relpath, "") for c in commits])
    changes, before = [], None
    for commit in commits:
        blob = contents.get(commit.blobs.get(relpath, ""))
        after = _data(blob, relpath) if blob is not None else None
        lines = describe(before, after) if after is not None else ["deleted"]
        changes.append(Change(commit.sha, commit.date, actor_of(commit), commit.subject, lines))
        before = after
    return changes


def audit_log(git: Git, *, since: str | None = None, until: str | None = None,
              record_id: str | None = None, actor: str | None = None, limit: int | None = None,
              index: AuditIndex | None = None) -> list[Commit]:
    """The center's audit trail, newest first, filtered by the day shown, record and coordinator."""
    path = layout.parse_id(record_id).path if record_id else None
    for value, name in ((since, "--since"), (until, "--until")):
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise RjcError(f"{name} takes a date like 2026-11-01, not '{value}'") from None

    def wanted(commit: Commit) -> bool:
        return ((not since or commit.date[:10] >= since) and (not until or commit.date[:10] <= until)
                and (not actor or actor_of(commit) == actor))

    # Unfiltered, git's own walk is already what the answer costs: it stops after `limit` commits.
    found: Iterable[Commit] | None = None
    if path:  # a record's few commits, then the other filters
        found = record_commits(git, index, path)
    elif since or until or actor:
        found = _located(git, index, wanted, since=since, until=until, actor=actor, limit=limit)
    if found is None:
        # Not git's --since/--until: they compare commit dates and stop at the first older one,
        # but the filter is on the day shown (the author's), which a sync's replayed commits, an
        # import or a wrong clock take out of order.
        found = git.iter_log(path=path)
    matching = (c for c in found if wanted(c))
    try:  # streamed from git: with a limit, it stops once enough commits have matched
        return list(itertools.islice(matching, limit) if limit else matching)
    finally:
        if isinstance(found, Generator):
            found.close()


def signatures(git: Git, settings: Settings, commits: list[str]) -> dict[str, str]:
    """commit id -> whether it is signed, and by whom, in words: "signed KB" (a good signature by
    the key rjc.yaml lists for KB), "signed by an unknown key", "not signed", "bad signature".

    git checks each signature (gpg, or ssh-keygen against a file of allowed signers written from
    rjc.yaml's coordinators, whose principals are their codes). An OpenPGP key is known by its
    fingerprint; gpg must hold the public key to check the signature at all."""
    from rjc.storage import private

    ssh_keys = {c.code: c.signing_key for c in settings.coordinators
                if c.signing_key and not c.signing_key[0].isdigit() and " " in c.signing_key}
    fingerprints = {c.signing_key: c.code for c in settings.coordinators
                    if c.signing_key and c.code not in ssh_keys}
    allowed = private.file(git.root, private.ALLOWED_SIGNERS)
    allowed.write_text("".join(f'{code} namespaces="git" {key}\n' for code, key in ssh_keys.items()),
                       encoding="utf-8")
    found = {}
    for sha, (letter, signer, fingerprint, primary) in git.signatures(commits, allowed).items():
        if fingerprint.startswith("SHA256:"):  # ssh: the principal is the coordinator's code
            code = signer if letter == "G" and signer in ssh_keys else None
        else:
            code = fingerprints.get(primary) or fingerprints.get(fingerprint)
        if letter == "N":
            found[sha] = "not signed"
        elif letter == "B":
            found[sha] = "bad signature"
        elif letter == "R":
            found[sha] = f"signed {code}, by a revoked key" if code else "signed by a revoked key"
        elif letter == "E":
            found[sha] = "signed, but gpg does not have the key to check it"
        elif code:  # G, U (gpg's trust: rjc.yaml is what says whose key it is), X, Y (expired)
            found[sha] = f"signed {code}" + (", key expired" if letter in "XY" else "")
        else:
            found[sha] = "signed by an unknown key"
    return found


def record_commits(git: Git, index: AuditIndex | None, path: str) -> list[Commit]:
    """Every commit that touched `path`, newest first, with its blobs (what `git log -- path`
    gives): from the audit index when it can answer, else from git's walk."""
    found = _indexed_record(git, index, path)
    return found if found is not None else git.log(path=path, with_blobs=True)


def _indexed_record(git: Git, index: AuditIndex | None, path: str) -> list[Commit] | None:
    """`record_commits` located by the audit index, read from git, and verified link by link
    (each commit starts from the version the one before it left, the first from nothing, the
    newest ends at HEAD's). None when the index cannot answer or the chain does not hold (the
    index is then dropped, to be built again)."""
    found = index.find(path=path) if index is not None else None
    if found is None:
        return None
    if not found:  # "never committed" has no links to verify: git's walk says it
        walked = git.log(path=path, with_blobs=True)
        if walked:
            index.drop()  # type: ignore[union-attr]
        return walked
    commits = list(git.iter_log(only=found, path=path, with_blobs=True))
    expected = git.blob_at("HEAD", path)
    unbroken = [c.sha for c in commits] == found
    for commit in commits if unbroken else []:
        if _blob(commit.blobs.get(path, "")) != expected:
            unbroken = False
            break
        expected = _blob(commit.before[path])
    if unbroken and expected is None:
        return commits
    index.drop()  # type: ignore[union-attr]  # found, so there is an index
    return None


def _blob(blob_id: str) -> str | None:
    """None for the all-zero id git gives the side of a change where the file did not exist."""
    return None if set(blob_id) == {"0"} else blob_id


def _located(git: Git, index: AuditIndex | None, wanted: Callable[[Commit], bool],
             **filters) -> list[Commit] | None:
    """The commits the audit index locates for these filters, read from git, each confirmed to
    match them; None when the index cannot answer or git does not confirm it."""
    found = index.find(**filters) if index is not None else None
    if not found:
        return None if found is None else []
    commits = list(git.iter_log(only=found))
    if [c.sha for c in commits] == found and all(wanted(c) for c in commits):
        return commits
    index.drop()  # type: ignore[union-attr]
    return None


def _data(blob: bytes, relpath: str) -> dict:
    from rjc.storage import yamlio  # here: `rjc log` parses no YAML, and need not import a parser

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
