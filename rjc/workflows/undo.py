"""Undo one rjc change: a new commit that reverses it. History is never rewritten.

The change's files go back to what they held before it. When a later change touched one of them
too, only the fields this change set are put back (the same field-level merge as `rjc sync`,
run backwards), and only when the caller says so: the later change may have built on it.

What undo does not do:
- remove a record the change created: a record once made keeps its id, and rjc never gives an
  id twice (the numbering reads the files on disk). Such a record is corrected or closed instead;
- reverse a seal, an expungement, an unsealing, a format migration or the repository's creation:
  those are not coordinators' edits, and undoing a seal would put sealed text back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rjc.storage import layout, store, yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.gitrepo import Commit
from rjc.storage.transaction import Result
from rjc.workflows.merging import MISSING, Conflict, dotted, merge_data, render_data
from rjc.workflows.repository import Repository

NOT_UNDONE = {"init": "creating the repository", "migrate": "a format migration", "seal": "a seal",
              "expunge": "an expungement", "unseal": "an unsealing", "clone": "a clone"}
HOW_FAR = 5000  # how many commits `rjc undo` (no argument) looks back for this coordinator's last change


@dataclass
class Plan:
    """What undoing one commit would do, found before anything is written."""

    commit: Commit
    changed: dict[str, list[str]] = field(default_factory=dict)  # record id -> the fields it set
    touched_later: list[str] = field(default_factory=list)  # ids a later change touched too
    # path -> (the data before the change, the data it wrote, the file as HEAD has it)
    versions: dict[str, tuple[Any, Any, bytes]] = field(default_factory=dict)


@dataclass
class Undone:
    plan: Plan
    result: Result


def find(repo: Repository, target: str | None) -> Commit:
    """The change `target` names (a commit), or, when None, this coordinator's latest change."""
    git = repo.git
    if not git.has_commits():
        raise RjcError("nothing to undo: the repository has no changes yet")
    if target is None:
        actor = repo.actor()
        for depth, commit in enumerate(git.iter_log()):
            if commit.command and commit.actor == actor:
                return commit
            if depth >= HOW_FAR:
                break
        raise RjcError(f"no change by {actor} among the last {HOW_FAR} changes; "
                       "name it: rjc undo ID or rjc undo COMMIT (see: rjc log)")
    sha = git.rev_parse(f"{target.strip()}^{{commit}}") if target.strip().isalnum() else None
    if sha is None:
        raise RjcError(f"not a record id or a commit: {target} (see: rjc log)")
    return next(git.iter_log(only=[sha]))


def plan(repo: Repository, commit: Commit) -> Plan:
    """Check that `commit` can be undone, and what it changed."""
    git = repo.git
    short = commit.sha[:10]
    if not commit.command:
        raise RjcError(f"{short} was not made by rjc; only rjc's own changes can be undone")
    if commit.command.split()[0] in NOT_UNDONE:
        raise RjcError(f"{short} is {NOT_UNDONE[commit.command.split()[0]]} ({commit.command}); "
                       "rjc undo reverses coordinators' changes only")
    if len(commit.parents) != 1:
        raise RjcError(f"{short} is the first commit or a merge; it cannot be undone")
    changes = git.changes(commit.parents[0], commit.sha)
    paths = sorted(changes)
    before = git.entries_at(commit.parents[0], paths)
    now = git.entries_at("HEAD", paths)
    result = Plan(commit)
    for path in paths:
        name = _name(path)
        if name is None:
            raise RjcError(f"{short} changed {path}, which rjc undo does not put back")
        if path not in before:
            raise RjcError(f"{short} created {name}; a record once made keeps its id, so undo cannot "
                           f"remove it: correct it with rjc edit {name}, or close it")
        if changes[path] is None or path not in now:
            raise RjcError(f"{name} is no longer on file; {short} cannot be undone")
        if now[path] != changes[path]:
            result.touched_later.append(name)
    written_blobs = {path: entry[1] for path, entry in changes.items() if entry}  # every path, as checked above
    contents = git.blobs([*(e[1] for e in before.values()), *written_blobs.values(), *(e[1] for e in now.values())])
    for path in paths:
        old, written = _data(path, contents[before[path][1]]), _data(path, contents[written_blobs[path]])
        result.changed[_name(path) or path] = _fields(old, written)
        result.versions[path] = (old, written, contents[now[path][1]])
    return result


def undo(repo: Repository, target: str | None, *, later_too: bool = False) -> Undone:
    """Undo the change `target` names (see `find`) as a new commit, its subject "undo COMMIT"
    and the ids. When a later change touched
    the same record, `later_too` must be given: then only this change's fields go back, and a
    field the later change also set is a conflict that refuses the whole undo."""
    with repo.transaction("undo") as tx:
        commit = find(repo, target)
        undoing = plan(repo, commit)
        if undoing.touched_later and not later_too:
            raise RjcError(f"{', '.join(undoing.touched_later)} changed again after {commit.sha[:10]}; "
                           "undoing it puts back only the fields it set and keeps the later changes: "
                           "to do so, run again with --yes (see: rjc history ID)")
        conflicts: list[Problem] = []
        for path, (old, written, current) in undoing.versions.items():
            def conflict(c: Conflict, path=path) -> Any:
                conflicts.append(Problem(path, 0, 0, "undo-conflict",
                                         f"{dotted(c.loc)} was changed again after {commit.sha[:10]}"))
                return c.ours

            # backwards: from what it wrote, HEAD's side kept and the old side put back
            reverted = merge_data(written, _data(path, current), old, on_conflict=conflict)
            tx.stage(_model(path, render_data(path, reverted)), expected=current, check_expected=True)
        if conflicts:
            raise RjcError(f"{commit.sha[:10]} cannot be undone: a later change set the same fields; "
                           "nothing was written", conflicts)
        return Undone(undoing, tx.commit(f"undo {commit.sha[:10]}"))


def _name(path: str) -> str | None:
    """The record id (or rjc.yaml) a path holds; None for a file undo does not put back."""
    if path == layout.SETTINGS_FILE:
        return path
    return layout.expected_id(path) if layout.kind_of_path(path) else None


def _data(path: str, text: bytes) -> Any:
    try:
        return yamlio.load(text, path).data
    except yamlio.YamlError as exc:
        raise RjcError(f"{path} was not valid YAML at that change; it cannot be undone", [exc.problem]) from None


def _model(path: str, text: str):
    """The record (or settings) to stage, validated as any change is."""
    from rjc.model.settings import Settings

    loaded = store.parse(path, text, Settings) if path == layout.SETTINGS_FILE else store.parse_record(path, text)
    if loaded.record is None:
        raise RjcError(f"{path} as it was before would not be valid today; nothing was written", loaded.problems)
    return loaded.record


def _fields(old: Any, new: Any, loc: tuple = ()) -> list[str]:
    """The fields that differ between two versions of a record, as dotted names."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            found += _fields(old.get(key, MISSING), new.get(key, MISSING), loc + (key,))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [f for i, (a, b) in enumerate(zip(old, new)) for f in _fields(a, b, loc + (i,))]
    if old == new and type(old) is type(new):
        return []
    return [dotted(loc) or "(the whole record)"]
