"""Sharing the records between coordinators: `rjc clone` and `rjc sync`.

Each coordinator works in a clone of their own; the clones meet in a git remote the center
hosts (`origin`, branch `main`). Ids carry the creating clone's coordinator code, so records
created on two clones never share an id or a path.

A sync, all of it under the repository's write lock (no rjc change can slip in between):

1. fetch `origin/main`. Unreachable: a clear error, nothing here is touched.
   If the remote's history was rewritten (the tip this clone took last, refs/remotes/origin/main,
   is no longer part of it), the sync refuses, changing nothing, unless the rewrite is accepted:
   then only the local commits made since that tip are replayed (rebase --onto), and main follows
   the new history. That ref moves only once what came in is taken, so a refusal holds until then.
2. integrate: every local commit the remote lacks is replayed, oldest first, on top of the
   remote's tip (rebase semantics: a linear history, no merge commits, the same subjects,
   trailers, authors and dates). Replaying is done with git plumbing in a private index, so the
   working tree and the index are untouched until the result is complete. For each file a local
   commit changed: if the remote has not changed it since, the local version is taken; if it
   has, the two are merged field by field (see `merge_data`). When both sides changed the same
   field to different values, the chooser decides (`--ours`, `--theirs`, or the coordinator at
   a terminal); with nobody to decide, the sync stops, names the files and fields, and changes
   nothing. Neither version is lost: the replayed local commit carries this clone's values,
   and when the remote's value was chosen, a further commit (`sync: keep origin's version of
   ID`) puts it back, so `git log -p` shows both.
3. move `main` to the result, bringing the index and the working tree along (refused, with
   nothing changed, if that would overwrite a file that is not committed).
4. validate: `rjc check` on the result. Errors: the integrated result is KEPT locally (it is
   consistent: every file committed, the index and working tree match), nothing is pushed, and
   the problems are listed; fix them (`rjc edit ID`) and run `rjc sync` again to send. Keeping
   it, rather than going back, is deliberate: a problem that only exists in the combination of
   both sides' work can only be seen and fixed there.
5. push. If the remote moved meanwhile (push refused as not a fast-forward), fetch and
   integrate again, up to PUSH_ATTEMPTS times.

What came in and what went out is reported as counts and the record ids found in commit
subjects, never any other text (subjects name ids only, by construction; anything else in a
subject written by hand is left out).

The sync state file (`private.SYNC_STATE`) exists only while a sync moves main, the index
and the working tree (step 3), the one phase that changes anything here. Fetching and building
the commits (and asking the coordinator at a terminal) change nothing here, so a sync stopped
then, however it is stopped, leaves nothing for `rjc doctor`. The file is written (atomically,
owner-only) before anything is moved, and removed when main, the index and the working tree
agree again. A JSON object:

    {"version": 1,              # this format
     "pid": 12345,              # the rjc process that wrote it
     "started": "2026-03-05T10:00:00+00:00",
     "phase": "updating",       # main, the index and the working tree being moved
                                # ("integrating": written by earlier versions while building)
     "before": "<sha>",         # local main when the sync started
     "remote": "<sha>",         # the remote tip integrated
     "after": "<sha>"}          # the integrated commit

`recover()` (called by `rjc doctor`, with the write lock held) finishes or undoes an
interrupted sync: "updating" is completed when main had already moved to `after`, and undone
(files back to `before`) when it had not; "integrating" left nothing to undo.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rjc.model import Settings
from rjc.storage import layout, private, store, yamlio
from rjc.storage.errors import Problem, RjcError, sort_key
from rjc.storage.gitrepo import TRAILER_ACTOR, TRAILER_COMMAND, Git, GitError
from rjc.workflows import gitsetup
from rjc.workflows.merging import MISSING, Chooser, Conflict, merge_data, parse_all, render_data
from rjc.workflows.sealing import purge, write_purge

REMOTE = "origin"
BRANCH = "main"
TRACKING = f"refs/remotes/{REMOTE}/{BRANCH}"  # the remote's tip as this clone last took it
PUSH_ATTEMPTS = 4
STATE_VERSION = 1

_ID_IN_SUBJECT = re.compile(rf"\b(?:PN|P|R|C|V|O)-[0-9]{{4}}-{layout.CODE_PATTERN}-[0-9]{{4,6}}\b|\brjc\.yaml\b")


@dataclass
class Report:
    """What a sync did, in ids and counts only."""

    received: list[str] = field(default_factory=list)  # commits that came in
    sent: list[str] = field(default_factory=list)  # commits that went out
    unsent: list[str] = field(default_factory=list)  # local commits not sent (--no-push, or check errors)
    subjects: dict[str, str] = field(default_factory=dict)  # commit -> subject
    merged: list[str] = field(default_factory=list)  # files merged field by field
    resolved: list[tuple[Conflict, str]] = field(default_factory=list)  # conflicts and the choice made
    already_there: int = 0  # local commits whose change the remote already had
    problems: list[Problem] = field(default_factory=list)  # `rjc check` errors after integrating
    pushed: bool = False
    remote_empty: bool = False
    rewritten: bool = False  # the remote's history had been rewritten, and this clone followed it
    sealed: list[str] = field(default_factory=list)  # cases sealed on the remote: this clone followed and purged
    dropped: list[str] = field(default_factory=list)  # records sealed there whose changes made here were dropped

    def ids(self, commits: list[str]) -> list[str]:
        """The record ids named in these commits' subjects, in order, each once."""
        found: dict[str, None] = {}
        for commit in commits:
            for match in _ID_IN_SUBJECT.finditer(self.subjects.get(commit, "")):
                found[match.group()] = None
        return list(found)


# --- clone ---------------------------------------------------------------------------------


@dataclass
class Cloned:
    root: Path
    coordinator: str
    problems: list[Problem]
    warnings: list[str]


def clone_repository(url: str, directory: Path, *, coordinator: str | None = None,
                     ask: Callable[[list[str]], str] | None = None, hooks: bool = False) -> Cloned:
    """Clone a records repository and make it a working rjc clone.

    Owner-only permissions on everything (a clone otherwise gets the default umask), rjc's git
    settings and merge driver (and, with `hooks`, the pre-commit hook), this clone's coordinator code (`coordinator`, else `ask(listed codes)`; it must be
    listed in rjc.yaml), the record directories; then every file is checked. Nothing is left
    behind if any step fails.
    """
    from rjc.checks import check_repository

    if coordinator is not None and not layout.valid_code(coordinator):
        raise RjcError(f"'{coordinator}' is not a coordinator code (1-4 capitals/digits, like KB)")
    directory = Path(directory).expanduser().absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise RjcError(f"{directory} already exists and is not empty; choose a new directory")
    created = not directory.exists()
    previous_umask = os.umask(0o077)
    try:
        try:
            git = _clone(url, directory)
            git.configure()
            gitsetup.set_merge_driver(git)  # git config is not cloned: each clone sets its own
            if hooks:
                gitsetup.install_hook(git)
            make_owner_only(directory)
            settings = _verify(directory, url)
            codes = [c.code for c in settings.coordinators]
            if coordinator is None:
                if ask is None:
                    raise RjcError(f"say which coordinator works in this clone: --coordinator CODE "
                                   f"(one of: {', '.join(codes)})")
                coordinator = ask(codes).strip().upper()
            if settings.coordinator(coordinator) is None:
                raise RjcError(f"coordinator '{coordinator}' is not listed in {layout.SETTINGS_FILE} "
                               f"(listed: {', '.join(codes)}); add them on a clone that works, sync, "
                               f"and clone again")
            from rjc.workflows.repository import ACTOR_CONFIG

            git.config_set(ACTOR_CONFIG, coordinator)
            for kind in layout.KINDS.values():
                (directory / kind.directory).mkdir(mode=0o700, exist_ok=True)
            private.directory(directory)
        except BaseException:
            _remove_clone(directory, created)
            raise
        warnings = []
        if any(any((directory / kind.directory).glob(f"*/{coordinator}")) for kind in layout.KINDS.values()):
            warnings.append(f"records created as {coordinator} are already in the repository: if another "
                            f"clone still works as {coordinator}, give this one a code of its own "
                            f"(listed in {layout.SETTINGS_FILE}), so two clones never number the same ids")
        problems = check_repository(directory)
        return Cloned(directory, coordinator, problems, warnings)
    finally:
        os.umask(previous_umask)


def _clone(url: str, directory: Path) -> Git:
    from rjc.storage import gitrepo

    try:
        return gitrepo.clone(url, directory, BRANCH)
    except GitError as exc:
        reason = str(exc)
        if "not found in upstream" in reason:
            raise RjcError(f"{url} has no records yet (no {BRANCH} branch): create the first clone "
                           f"with rjc init, add the remote, and run rjc sync there") from None
        raise RjcError(f"could not clone {url}: {reason}") from None


def _verify(directory: Path, url: str) -> Settings:
    if not (directory / layout.SETTINGS_FILE).is_file() or (directory / layout.SETTINGS_FILE).is_symlink():
        raise RjcError(f"{url} is not a records repository (it has no {layout.SETTINGS_FILE})")
    loaded = store.read_settings(directory)
    if loaded.record is None:
        raise RjcError(f"{url} holds a {layout.SETTINGS_FILE} that is not valid; fix it on a clone that "
                       f"works and sync first", loaded.problems)
    return loaded.record


def _remove_clone(directory: Path, created: bool) -> None:
    if created:
        shutil.rmtree(directory, ignore_errors=True)
    elif directory.is_dir():
        for path in directory.iterdir():
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink()


def make_owner_only(root: Path) -> None:
    """chmod -R go-rwx: every file and directory readable by its owner only (links left alone)."""
    for directory, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = os.path.join(directory, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                os.chmod(path, stat.S_IMODE(mode) & 0o700)
    os.chmod(root, stat.S_IMODE(os.stat(root).st_mode) & 0o700)


# --- sync ----------------------------------------------------------------------------------


def sync(repo, *, prefer: str | None = None, choose: Chooser | None = None, push: bool = True,
         accept_rewrite: bool = False) -> Report:
    """Fetch, integrate, validate and push; see the module's docstring.

    `prefer` ("ours"/"theirs") settles every conflict; else `choose` is asked for each one; with
    neither, conflicts stop the sync (RjcError naming files and fields; nothing changed).
    A report is returned also when the result has `rjc check` errors (report.problems; nothing
    was pushed). A remote whose history was rewritten is refused unless `accept_rewrite`.
    """
    from rjc.storage.transaction import write_lock

    if prefer not in (None, "ours", "theirs"):
        raise RjcError("choose --ours or --theirs, not both")
    git = repo.git
    if git.remote_url(REMOTE) is None:
        raise RjcError(f"this clone has no remote '{REMOTE}' to sync with; add the center's: "
                       f"git remote add {REMOTE} URL")
    actor = _actor(repo)
    _sign(repo)
    report = Report()
    with write_lock(repo.root, on_wait=repo.on_wait):
        _refuse_to_start(repo)
        for _attempt in range(PUSH_ATTEMPTS):
            last_seen = git.rev_parse(TRACKING)
            remote_tip = _fetch(git)
            local = git.rev_parse(f"refs/heads/{BRANCH}")
            if local is None:
                raise RjcError("this clone has no commits yet; nothing to sync")
            rewritten = _rewritten(git, last_seen, remote_tip)
            seals = _new_seals(repo, remote_tip) if rewritten else []
            if rewritten and not accept_rewrite and not seals:
                raise RjcError(_rewrite_message(len(git.rev_list([last_seen, remote_tip], local))))
            report.sealed = [s.case for s in seals]
            sealed = {layout.parse_id(r).path for s in seals for r in s.records}
            if seals:  # written first: killed before the old history is deleted, rjc doctor deletes it
                write_purge(repo, sorted({r for s in seals for r in s.records}))
            incoming = git.rev_list(local, remote_tip) if remote_tip else []
            if rewritten:  # the rewritten copies of commits this clone has did not come in
                made = "%an %aI %s"
                had = set(git.subjects(git.rev_list(remote_tip, local), made).values())
                copies = git.subjects(incoming, made)
                incoming = [c for c in incoming if copies.get(c) not in had]
            report.received += [c for c in incoming if c not in report.received]
            report.rewritten = report.rewritten or rewritten
            try:
                result = _integrate(repo, actor, local, remote_tip, prefer, choose, report,
                                    rewritten_since=last_seen if rewritten else None, sealed=sealed)
            except RjcError:  # refused (a conflict, say): nothing moved, nothing to delete yet
                if seals:
                    (private.location(repo.root) / private.PURGE).unlink(missing_ok=True)
                raise
            if remote_tip:
                git.update_ref(TRACKING, remote_tip)  # taken: the tip later fetches are compared with
            if seals:  # the old history, sealed text and all, goes from this clone too
                purge(repo)
            report.subjects |= git.subjects(incoming)
            index = repo.audit_index()
            if incoming and index is not None:  # what came in joins the audit index now, at its own cost
                index.refresh()
            report.problems = _errors(repo)
            outgoing = git.rev_list(remote_tip, result)
            report.subjects |= git.subjects(outgoing)
            report.remote_empty = remote_tip is None
            if report.problems or not push or not outgoing:
                report.unsent = outgoing
                return report
            try:
                pushed = git.push(REMOTE, BRANCH)
            except GitError as exc:
                raise RjcError(f"could not send to '{REMOTE}': {_sentence(exc)}. What came in is integrated here and "
                               f"your changes are safe in this clone; run rjc sync again when '{REMOTE}' "
                               f"can be reached") from None
            if pushed:
                git.update_ref(TRACKING, result)
                report.sent, report.pushed = outgoing, True
                return report
            # the remote moved between our fetch and our push: fetch and integrate again
        raise RjcError(f"'{REMOTE}' kept changing while this sync ran ({PUSH_ATTEMPTS} tries); what came in is "
                       f"integrated here, nothing was lost; run rjc sync again")


def _sign(repo) -> None:
    """The commits a sync makes (this clone's commits replayed on the remote's, and its choices
    in conflicts) are signed by this clone's key, as rjc.yaml asks: a replayed commit is a new
    commit, which the old signature does not cover. An rjc.yaml the sync may be bringing the fix
    for cannot say: its commits are then not signed."""
    try:
        fmt = repo.settings.signing.format
    except RjcError:
        fmt = None
    repo.git.use_signing(fmt)


def _actor(repo) -> str:
    """This clone's coordinator code, even one no longer listed in rjc.yaml (a sync may be what
    brings the fix in); it only attributes the commits a sync itself makes."""
    from rjc.workflows.repository import ACTOR_CONFIG, ACTOR_ENV

    code = os.environ.get(ACTOR_ENV) or repo.git.config_get(ACTOR_CONFIG)
    if not code:
        return repo.actor()  # says how to set it
    return code


def _refuse_to_start(repo) -> None:
    if any(private.file(repo.root, name).exists() for name in private.INTERRUPTED):
        raise RjcError("an earlier rjc change, sync or seal was interrupted; run: rjc doctor (nothing was synced)")
    if (private.location(repo.root) / private.SEAL_UNSENT).exists():  # syncing would send the old history back
        raise RjcError(f"a seal made here has not reached '{REMOTE}' yet; run: rjc seal --send (nothing was synced)")
    branch = repo.git.current_branch()
    if branch != f"refs/heads/{BRANCH}":
        raise RjcError(f"this clone is not on its {BRANCH} branch; run: git checkout {BRANCH} (nothing was synced)")
    dirty = repo.git.uncommitted()
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise RjcError(f"{len(dirty)} file(s) changed but not committed ({shown}); commit them with "
                       f"rjc doctor --commit-edits or undo them with git checkout HEAD -- FILE, then sync "
                       f"(nothing was synced)")


def _rewritten(git: Git, last_seen: str | None, remote_tip: str | None) -> bool:
    """Whether the remote's history was rewritten since this clone last took it: the tip it
    took then is no longer part of it (force-pushed, say when records were sealed). Replaying
    every local commit the new history lacks would send the old history back."""
    return bool(last_seen and remote_tip and last_seen != remote_tip and not git.is_ancestor(last_seen, remote_tip))


def _new_seals(repo, remote_tip: str | None) -> list:
    """The seals the remote's register holds and this clone's does not: a rewrite they explain
    is followed without asking (the law requires it), and the old history purged here too."""
    from rjc.model.sealing import SealRegister

    text = repo.git.run("show", f"{remote_tip}:{layout.SEAL_REGISTER}", check=False) if remote_tip else ""
    if not text:
        return []
    theirs = store.parse(layout.SEAL_REGISTER, text, SealRegister).record
    if not isinstance(theirs, SealRegister):
        return []
    known = repo.seal_register().ids()
    return [s for s in theirs.sealed if s.case not in known]


def _rewrite_message(unsent: int) -> str:
    if unsent:
        replayed = (f"the {unsent} change{'s' * (unsent != 1)} made here and not yet sent "
                    f"{'is' if unsent == 1 else 'are'} replayed on top of it")
    else:
        replayed = "no change made here waits to be sent"
    return (f"the history on '{REMOTE}' was rewritten: what this clone last received from it is no longer part "
            f"of it (records sealed, or the history replaced). Nothing was changed here and nothing was sent. "
            f"If the rewrite is expected, run rjc sync --accept-rewrite: this clone follows the new history, "
            f"{replayed}, and the old history is not sent back. If it is not, ask whoever manages the "
            f"center's remote")


def _fetch(git: Git) -> str | None:
    try:
        return git.fetch(REMOTE, BRANCH)
    except GitError as exc:
        raise RjcError(f"cannot reach '{REMOTE}': {_sentence(exc)}. Nothing was changed here; your work is safe in this "
                       f"clone. Run rjc sync again when the remote can be reached") from None


def _sentence(exc: Exception) -> str:
    """git's (or ssh's) reason, to be followed by our own sentence: without its final period."""
    return str(exc).rstrip(" .")


def _errors(repo) -> list[Problem]:
    from rjc.checks import check_repository

    return [p for p in check_repository(repo.root, cache=repo.cache) if p.level == "error"]


def _integrate(repo, actor: str, local: str, remote: str | None, prefer: str | None,
               choose: Chooser | None, report: Report, *, rewritten_since: str | None = None,
               sealed: frozenset[str] | set[str] = frozenset()) -> str:
    """Replay the local commits the remote lacks on top of it; move main there. The new tip.

    After a rewrite of the remote's history (`rewritten_since`: the tip this clone last took),
    only the commits made here since then, never sent, are replayed (rebase --onto): the old
    history stays out, and main follows the new one."""
    git = repo.git
    if remote is None:  # an empty remote: nothing to take in (a rewrite always has a remote tip)
        return local
    if rewritten_since:
        replayed = git.rev_list([rewritten_since, remote], local)
    else:
        if remote == local:
            return local
        base = git.merge_base(local, remote)
        if base is None:
            raise RjcError(f"'{REMOTE}' holds an unrelated history (another repository, or one made with a "
                           f"second rjc init); nothing was changed. Clone the center's records with rjc clone")
        if base == remote:
            return local  # nothing came in
        replayed = git.rev_list(remote, local)
    unresolved: list[Conflict] = []

    def decide(conflict: Conflict) -> str:
        if prefer:
            choice = prefer
        elif choose is not None:
            choice = choose(conflict)
        else:
            unresolved.append(conflict)
            choice = "ours"  # provisional: go on, to name every conflict at once
        report.resolved.append((conflict, choice))
        return choice

    from rjc.storage.transaction import identity

    try:  # building commits changes nothing here: an interruption leaves nothing to undo
        committer = identity(repo.settings, actor)
        builder = _TreeBuilder(git, private.file(repo.root, private.SYNC_INDEX))
        tip = remote
        for commit in replayed:
            tip = _replay(git, builder, commit, tip, decide, report, actor, committer, sealed)
        if unresolved:
            raise RjcError(_conflict_message(unresolved), _conflict_problems(git, local, unresolved))
    finally:
        _remove_index(repo.root)
    if tip != local:
        _update(repo, local, remote, tip)
    git.maintain(private.file(repo.root, private.MAINTENANCE))
    return tip


def _update(repo, local: str, remote: str, tip: str) -> None:
    """Move main, the index and the working tree from `local` to `tip`, the one phase of a sync
    that changes anything here, and the only one with a state file (for rjc doctor, after SIGKILL)."""
    git = repo.git
    state = {"version": STATE_VERSION, "pid": os.getpid(),
             "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
             "phase": "updating", "before": local, "remote": remote, "after": tip}
    _write_state(repo.root, state)
    try:
        git.checkout_tree(local, tip)
    except GitError as exc:  # read-tree checks everything before it writes: nothing changed
        _remove_state(repo.root)
        raise RjcError(f"cannot update the files here: {exc}; nothing was changed "
                       f"(move that file away, then run rjc sync again)") from None
    except BaseException:
        _undo(repo, state)  # back to where the sync started (only SIGKILL leaves the state for rjc doctor)
        raise
    try:
        git.update_branch(BRANCH, tip, local)
    except BaseException:
        _undo(repo, state)
        raise
    git.update_ref(TRACKING, remote)  # before the state goes: a rewrite once taken is not seen again
    _remove_state(repo.root)


class _TreeBuilder:
    """Trees built in one private index, which is read from a commit only when it does not
    already hold that commit's tree (replaying many commits reads the tree once)."""

    def __init__(self, git: Git, index_file: Path):
        self.git, self.index_file = git, index_file
        self.holds: str | None = None  # the commit whose tree the index holds

    def tree(self, commit: str, updates: dict[str, tuple[str, str] | None]) -> str:
        tree = self.git.make_tree(commit, updates, self.index_file, loaded=self.holds == commit)
        self.holds = None  # until the caller says which commit has this tree
        return tree


def _replay(git: Git, builder: _TreeBuilder, commit: str, tip: str, decide: Callable[[Conflict], str],
            report: Report, actor: str, committer: tuple[str, str], sealed: frozenset[str] | set[str]) -> str:
    """One local commit, applied on top of `tip`, leaving out its changes to sealed records; the new tip."""
    info = git.commit_info(commit)
    parent = info["parents"][0] if info["parents"] else None
    if parent is None:
        raise RjcError("a local commit with no parent is not on the remote; nothing was changed")
    changed = git.changes(parent, commit)
    for path in sorted(sealed & changed.keys()):
        del changed[path]
        record = layout.expected_id(path) or path
        if record not in report.dropped:
            report.dropped.append(record)
    paths = list(changed)
    before = git.entries_at(parent, paths)
    theirs = git.entries_at(tip, paths)
    as_committed: dict[str, tuple[str, str] | None] = {}  # this clone's values in every conflict
    as_chosen: dict[str, tuple[str, str] | None] = {}  # the choices made
    resolved_files: list[str] = []
    contents = git.blobs([e[1] for e in (*before.values(), *theirs.values(),
                                         *(e for e in changed.values() if e))])
    for path in paths:
        ours_entry, base_entry, theirs_entry = changed[path], before.get(path), theirs.get(path)
        if theirs_entry == base_entry:
            as_committed[path] = as_chosen[path] = ours_entry
            continue
        if theirs_entry == ours_entry:
            continue  # the remote already has this very change
        first, second, merged = _merge_file(git, path, base_entry, ours_entry, theirs_entry, contents, decide)
        as_committed[path], as_chosen[path] = first, second
        if merged:
            report.merged.append(path)
        if first != second:
            resolved_files.append(path)
    tree = builder.tree(tip, as_committed)
    if tree == git.tree_of(tip):
        report.already_there += 1
        new_tip = tip
    else:
        new_tip = git.commit_tree(tree, tip, info["message"], author=info["author"], identity=committer)
    builder.holds = new_tip
    if resolved_files:
        ids = [layout.expected_id(p) or p for p in resolved_files]
        message = (f"sync: keep {REMOTE}'s version of {' '.join(ids)}\n\n"
                   f"{TRAILER_COMMAND}: sync\n{TRAILER_ACTOR}: {actor}\n")
        tree = builder.tree(new_tip, as_chosen)
        now = dt.datetime.now(dt.UTC)
        new_tip = git.commit_tree(tree, new_tip, message, author=(*committer, f"@{int(now.timestamp())} +0000"),
                                  identity=committer)
        builder.holds = new_tip
    return new_tip


def _merge_file(git: Git, path: str, base: tuple | None, ours: tuple | None, theirs: tuple | None,
                contents: dict[str, bytes], decide: Callable[[Conflict], str]):
    """Three versions of one file -> (entry keeping this clone's side of every conflict,
    entry with the choices made, whether it was merged field by field)."""
    texts = [contents.get(e[1]) if e else None for e in (base, ours, theirs)]
    data = parse_all(path, texts) if ours and theirs else None
    if data is None or ours is None:  # not YAML both sides can read, or deleted on one side: the file as a whole
        conflict = Conflict(path, (), _whole(base, texts[0]), _whole(ours, texts[1]), _whole(theirs, texts[2]))
        choice = decide(conflict)
        return ours, ours if choice == "ours" else theirs, False
    conflicts: list[Conflict] = []

    def keep_ours(c: Conflict) -> Any:  # for now: the choices are asked for below
        conflicts.append(c)
        return c.ours

    committed = merge_data(*data, on_conflict=keep_ours)
    if not conflicts:
        return _blob(git, path, committed, ours), _blob(git, path, committed, ours), True
    for conflict in conflicts:
        conflict.path = path
    choices = {c.loc: decide(c) for c in conflicts}
    chosen = merge_data(*data, on_conflict=lambda c: c.ours if choices[c.loc] == "ours" else c.theirs)
    return _blob(git, path, committed, ours), _blob(git, path, chosen, ours), True


def _whole(entry: tuple | None, text: bytes | None) -> Any:
    if entry is None:
        return None
    try:
        return yamlio.load(text, "").data if text is not None else "(changed)"
    except yamlio.YamlError:
        return "(a file that is not YAML)"


def _blob(git: Git, path: str, data: dict, like: tuple[str, str]) -> tuple[str, str]:
    return like[0], git.write_blob(render_data(path, data).encode("utf-8"))


def show_value(value: Any, limit: int = 200) -> str:
    """A value, on one line, for a coordinator choosing between two at the terminal."""
    if value is MISSING:
        return "(absent)"
    if value is None:
        return "(empty)"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_sides(conflict: Conflict) -> tuple[str, str]:
    """Both values of a conflict, one line each; lists both sides grew show only what each added."""
    ours, theirs, base = conflict.ours, conflict.theirs, conflict.base
    if not conflict.loc:  # the whole file: deleted on one side, or not YAML
        shown_ours, shown_theirs = ("(deleted)" if v is None else "(the file as changed)" if not isinstance(v, dict)
                                    else show_value(v) for v in (ours, theirs))
        return shown_ours, shown_theirs
    if isinstance(base, list) and base and all(isinstance(v, list) and v[:len(base)] == base for v in (ours, theirs)):
        earlier = f"{len(base)} earlier entr{'y' if len(base) == 1 else 'ies'}, then "
        return earlier + show_value(ours[len(base):]), earlier + show_value(theirs[len(base):])
    return show_value(ours), show_value(theirs)


def _conflict_message(conflicts: list[Conflict]) -> str:
    files = sorted({c.path for c in conflicts})
    return (f"{len(conflicts)} field(s) in {len(files)} file(s) were changed both here and on '{REMOTE}', to "
            f"different values; nothing was changed. Run rjc sync at a terminal to choose for each, or "
            f"rerun with --ours (keep this clone's values) or --theirs (keep {REMOTE}'s)")


def _conflict_problems(git: Git, local: str, conflicts: list[Conflict]) -> list[Problem]:
    """One located line per conflicting field (in this clone's version of the file), no values."""
    problems = []
    located: dict[str, yamlio.Document | None] = {}
    for c in conflicts:
        if c.path not in located:
            entry = git.entries_at(local, [c.path]).get(c.path)
            text = git.blobs([entry[1]]).get(entry[1]) if entry else None
            try:
                located[c.path] = yamlio.load(text, c.path) if text is not None else None
            except yamlio.YamlError:
                located[c.path] = None
        document = located[c.path]
        line, col = document.locate(c.loc, key=True) if document and c.loc else (0, 0)
        problems.append(Problem(c.path, line, col, "sync-conflict",
                                f"{c.record} {c.field}: changed here and on {REMOTE} to different values"))
    return sorted(set(problems), key=sort_key)


# --- the state file, and recovering from an interrupted sync ----------------------------------


def _state_path(root: Path) -> Path:
    return private.file(root, private.SYNC_STATE)


def _write_state(root: Path, state: dict) -> None:
    from rjc.storage.transaction import write_atomically

    write_atomically(_state_path(root), json.dumps(state, indent=1).encode())


def _remove_state(root: Path) -> None:
    _state_path(root).unlink(missing_ok=True)
    _remove_index(root)


def _remove_index(root: Path) -> None:
    private.file(root, private.SYNC_INDEX).unlink(missing_ok=True)


def _undo(repo, state: dict) -> None:
    """Put main, the index and the working tree back to where the sync started."""
    git = repo.git
    if state["phase"] == "updating" and state.get("after"):
        main = git.rev_parse(f"refs/heads/{BRANCH}")
        if main == state["after"]:
            git.update_branch(BRANCH, state["before"], state["after"])
        git.reset_paths(state["before"], list(git.changes(state["before"], state["after"])))
    _remove_state(repo.root)


def recover(repo) -> str:
    """Finish or undo an interrupted sync (the caller holds the write lock); what was done."""
    path = _state_path(repo.root)
    try:
        state = json.loads(path.read_text())
        phase, before, after = state["phase"], state["before"], state.get("after")
    except FileNotFoundError:
        return "nothing to do"
    except (OSError, ValueError, KeyError, TypeError):
        _remove_state(repo.root)
        return "its state file was unreadable and was removed; run rjc check, then rjc sync"
    git = repo.git
    if phase != "updating" or not after:
        _remove_state(repo.root)
        return "it had stopped before changing anything here; nothing to undo (run rjc sync again)"
    main = git.rev_parse(f"refs/heads/{BRANCH}")
    paths = list(git.changes(before, after)) if git.rev_parse(before) and git.rev_parse(after) else []
    if main == after:
        git.reset_paths(after, paths)
        if state.get("remote") and git.rev_parse(state["remote"]):
            git.update_ref(TRACKING, state["remote"])  # taken, as the sync would have recorded
        done = "it had integrated the remote's changes; the files now match them (run rjc sync to send yours)"
    elif main == before:
        git.reset_paths(before, paths)
        done = "it had not finished updating the files; they are back as before the sync (run rjc sync again)"
    else:
        done = "main has moved since; nothing was changed (run rjc check, then rjc sync)"
    _remove_state(repo.root)
    return done
