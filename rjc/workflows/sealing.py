"""Sealing: the law's duty to seal and delete, in a repository whose history is the audit log.

What a record keeps once sealed is `rjc.model.sealing.tombstone`; when a case is due under the
center's rules is `rjc.model.sealing.seal_due`; the seal register (`sealed.yaml`) says what
was sealed, when and why, by ids only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rjc.model import MODELS, Case
from rjc.model.sealing import SealDue, Sealed, SealRegister, seal_due, tombstone, tombstone_data
from rjc.model.vocab import CaseStatus
from rjc.storage import layout, private, store, yamlio
from rjc.storage.errors import RjcError
from rjc.storage.gitrepo import Git, GitError
from rjc.storage.transaction import identity, write_atomically


def due(repo, as_of: dt.date) -> list[SealDue]:
    """The closed cases whose sealing (or deletion) date under rjc.yaml's rules has come by
    `as_of` and that the register does not hold yet, the longest overdue first."""
    sealed = repo.seal_register().ids()
    found = []
    for item in repo.load_all([layout.KINDS["case"]]):
        case = item.record
        if isinstance(case, Case) and case.id not in sealed:
            when = seal_due(case, repo.settings)
            if when is not None and when.due <= as_of:
                found.append(when)
    return sorted(found, key=lambda d: (d.due, d.case))


def orders(repo, ids: list[str], court_order: str | None, as_of: dt.date) -> dict[str, str]:
    """Why each of these cases may be sealed now: the court order, or the rule that made it due."""
    found = {}
    for case_id in ids:
        record_id = str(layout.parse_id(case_id))
        if court_order:
            found[record_id] = f"court order {court_order}"
            continue
        case = repo.get(record_id)
        when = seal_due(case, repo.settings) if isinstance(case, Case) else None
        if when is None or when.due > as_of:
            due = f"due {when.due}" if when else "no rule makes it due"
            raise RjcError(f"{record_id} is not due for sealing under rjc.yaml's rules ({due}); "
                           f"to seal it on a court's order: --court-order REF")
        found[record_id] = when.rule
    return found


# --- sealing ---------------------------------------------------------------------------------


@dataclass
class Sealing:
    """What one `rjc seal` did: the cases sealed, every record tombstoned, versions rewritten."""

    cases: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    versions: int = 0
    remote: str = ""  # what became of the center's remote: "purged", or the command to run there
    archive: Path | None = None  # the encrypted archive of what was removed (a seal, not an expunge)


def seal(repo, orders: dict[str, str], *, action: Literal["seal", "expunge"] = "seal",
         today: dt.date | None = None) -> Sealing:
    """Seal these cases (id -> the rule or court order): every version of every record that
    tells who they concern, in every commit, replaced by its tombstone; the seal register
    updated; the old objects deleted; the remote given the sealed history. Refuses, changing
    nothing, unless each is a closed case not sealed yet, the working tree is clean and this
    clone is in step with its remote.

    What it will do is written first (`private.SEALING`), then done by `finish`: killed at any
    instant, `rjc doctor` runs `finish` again, and a seal is never left half made."""
    from rjc.storage.transaction import write_lock

    today = today or dt.date.today()
    git = repo.git
    repo.sign_commits()  # the register's commit; the rewritten commits before it lose their signatures
    with write_lock(repo.root, on_wait=repo.on_wait):
        _not_interrupted(repo)
        register = repo.seal_register()
        cases = [_sealable(repo, case_id, register) for case_id in orders]
        if git.uncommitted():
            raise RjcError("there are changes not committed here; commit or discard them first "
                           "(rjc doctor --commit-edits), nothing was sealed")
        lease = _synced(repo)  # the remote's tip, which the sealed history will replace
        paths = _records_of(repo, cases, register)
        records = sorted(_id_of(p) for p in paths)
        actor = repo.actor()
        register.sealed += [Sealed(case=c.id, date=today, action=action, rule=orders[c.id], by=actor,
                                   records=_own(repo, c, paths)) for c in cases]
        kept = None
        if action == "seal":  # archived for a court before anything is removed; an expunge keeps nothing
            kept = archive(repo, [c.id for c in cases], records, _recipient(repo), today)
        state = {"version": 1, "cases": [c.id for c in cases], "records": records, "actor": actor,
                 "message": f"{action} {' '.join(c.id for c in cases)}",
                 "register": store.render_seal_register(register)}
        if lease is not None:
            write_atomically(private.file(repo.root, private.SEAL_UNSENT),
                             json.dumps({"lease": lease, "cases": state["cases"]}).encode())
        write_atomically(private.file(repo.root, private.SEALING), json.dumps(state).encode())
        done = finish(repo)
        done.archive = kept
        return done


def finish(repo) -> Sealing:
    """Make (or finish making) the seal `private.SEALING` describes; safe to run again after a kill
    at any point, since a tombstone is its own tombstone. The caller holds the write lock."""
    git = repo.git
    state_file = private.location(repo.root) / private.SEALING
    state = json.loads(state_file.read_text(encoding="utf-8"))
    done = Sealing(cases=state["cases"], records=state["records"])
    done.versions = git.rewrite_files({layout.parse_id(r).path for r in done.records}, sealed_text)
    git.run("reset", "--quiet", "--hard", "HEAD")  # the files, as the rewritten HEAD has them
    if git.run("show", f"HEAD:{layout.SEAL_REGISTER}", check=False) != state["register"]:  # not committed yet
        if git.signing is None:  # finished by rjc doctor
            repo.sign_commits()
        write_atomically(repo.root / layout.SEAL_REGISTER, state["register"].encode())
        git.commit_paths([layout.SEAL_REGISTER], state["message"], command=state["message"].split()[0],
                         actor=state["actor"], identity=identity(repo.settings, state["actor"]))
    forget(repo, done.records)
    git.purge()
    state_file.unlink()
    if (private.location(repo.root) / private.SEAL_UNSENT).exists():
        done.remote = send(repo)
    return done


def repair(repo) -> Sealing:
    """Seal again, in every commit, every record the register lists: after the history from before
    a seal came back (a plain `git pull` or merge), its versions of them are tombstoned too and
    the old objects deleted. Changes nothing that is already sealed."""
    from rjc.storage.transaction import write_lock

    git = repo.git
    with write_lock(repo.root, on_wait=repo.on_wait):
        _not_interrupted(repo)
        register = repo.seal_register()
        if git.uncommitted():
            raise RjcError("there are changes not committed here; commit or discard them first "
                           "(rjc doctor --commit-edits), nothing was sealed")
        records = sorted({record for entry in register.sealed for record in entry.records})
        done = Sealing(cases=[entry.case for entry in register.sealed], records=records)
        done.versions = git.rewrite_files({layout.parse_id(r).path for r in records}, sealed_text)
        git.run("reset", "--quiet", "--hard", "HEAD")
        forget(repo, records)
        git.purge()
    return done


def _not_interrupted(repo) -> None:
    """An interrupted change's journal holds a record's old text: rjc doctor first, then a seal."""
    if any((private.location(repo.root) / name).exists() for name in private.INTERRUPTED):
        raise RjcError("an earlier rjc change, sync or seal was interrupted; run: rjc doctor (nothing was sealed)")


def _synced(repo) -> str | None:
    """The remote's tip, when this clone has one and is in step with it; else why not."""
    from rjc.workflows.sync import BRANCH, REMOTE

    git = repo.git
    if git.remote_url(REMOTE) is None:
        return None
    try:
        tip = git.fetch(REMOTE, BRANCH)
    except GitError as exc:
        raise RjcError(f"cannot reach '{REMOTE}': {str(exc).rstrip(' .')}. A seal rewrites the history every clone "
                       f"shares, so it starts from a fresh sync; nothing was sealed") from None
    if tip != git.head():
        raise RjcError(f"this clone and '{REMOTE}' are not in step; run rjc sync first (a seal rewrites the "
                       f"history every clone shares, so it starts from a fresh sync); nothing was sealed")
    return tip


def send_unsent(repo) -> str:
    """`rjc seal --send`: the seal made here that did not reach the remote, sent now."""
    from rjc.storage.transaction import write_lock

    with write_lock(repo.root, on_wait=repo.on_wait):
        if not (private.location(repo.root) / private.SEAL_UNSENT).exists():
            raise RjcError("no seal made here is waiting to be sent")
        return send(repo)


def send(repo) -> str:
    """Send a seal made here to the remote: its history replaced by the sealed one (if it still
    has the tip the seal started from), and purged of the old objects when it is a path here.
    Says what became of the remote; RjcError when it could not be sent (the seal stays here)."""
    from rjc.workflows.sync import BRANCH, REMOTE, TRACKING

    git = repo.git
    state_file = private.location(repo.root) / private.SEAL_UNSENT
    state = json.loads(state_file.read_text(encoding="utf-8"))
    try:
        git.force_push(REMOTE, BRANCH, state["lease"])
    except GitError as exc:
        raise RjcError(f"sealed here, but not sent to '{REMOTE}': {str(exc).rstrip(' .')}. Run rjc seal --send "
                       f"when it can be reached; rjc sync waits until then") from None
    git.update_ref(TRACKING, git.head())
    state_file.unlink()
    host, path = _where(git.remote_url(REMOTE) or "")
    if host is None and Path(path).is_dir():
        Git(Path(path), bare=not (Path(path) / ".git").exists()).purge()
        return f"'{REMOTE}' now has the sealed history, and its old objects are deleted"
    return (f"'{REMOTE}' now has the sealed history; to delete its old objects, run on {host}: "
            f"git -C {path} reflog expire --expire=now --all && git -C {path} gc --prune=now")


def _where(url: str) -> tuple[str | None, str]:
    """(host, path) of a remote's URL; no host for a path on this machine."""
    from urllib.parse import urlsplit

    if url.startswith("file://"):
        return None, urlsplit(url).path
    if "://" in url:
        parts = urlsplit(url)
        return parts.hostname or "the server", parts.path
    if ":" in url.split("/", 1)[0]:  # scp-like: [user@]host:path
        host, _, path = url.partition(":")
        return host.rpartition("@")[2], path
    return None, url


def _sealable(repo, case_id: str, register: SealRegister) -> Case:
    record_id = layout.parse_id(case_id)
    if record_id.kind.name != "case":
        raise RjcError(f"{case_id} is not a case: a seal is of a case, with its referral and people")
    case = repo.get(str(record_id))
    if case.status != CaseStatus.CLOSED:
        raise RjcError(f"{case.id} is open; only a closed case can be sealed")
    done = next((s for s in register.sealed if s.case == case.id), None)
    if done is not None:
        raise RjcError(f"{case.id} was already sealed on {done.date}")
    return case


def _records_of(repo, cases: list[Case], register: SealRegister) -> set[str]:
    """The files a seal tombstones: each case, its referral, the people who appear in no case or
    referral left unsealed (nor are volunteers), and the panels that heard only sealed cases."""
    paths = {layout.parse_id(c.id).path for c in cases}
    paths |= {layout.parse_id(c.referral).path for c in cases if c.referral}
    sealed = paths | {layout.parse_id(i).path for s in register.sealed for i in s.records}
    people = set()
    for path in sorted(paths):
        people |= set(layout.PEOPLE_ID.findall((repo.root / path).read_text(encoding="utf-8")))
    mentions = repo.git.files_mentioning_each(sorted(p for p in people if p.startswith("P-")),
                                              [layout.KINDS[k].directory for k in ("case", "referral", "volunteer")])
    for person, mentioned in mentions.items():
        if mentioned <= sealed:
            paths.add(layout.parse_id(person).path)
    # A panel that heard only sealed cases was about them alone: its notes and place go too.
    sealed_cases = {c.id for c in cases} | register.ids()
    heard = repo.git.files_mentioning_each(sorted(c.id for c in cases), [layout.KINDS["panel"].directory])
    for panel in set().union(*heard.values()) if heard else set():
        if set(layout.CASE_ID.findall((repo.root / panel).read_text(encoding="utf-8"))) <= sealed_cases:
            paths.add(panel)
    return {p for p in paths if (repo.root / p).exists()}


def _own(repo, case: Case, paths: set[str]) -> list[str]:
    """The records of a seal that are this case's: itself, its referral, and its people among them."""
    mine = {layout.parse_id(case.id).path} | ({layout.parse_id(case.referral).path} if case.referral else set())
    people = set()
    for path in mine:
        people |= set(layout.PEOPLE_ID.findall((repo.root / path).read_text(encoding="utf-8")))
    mine |= {layout.parse_id(p).path for p in people if p.startswith("P-")}
    panels = {p for p in paths if layout.kind_of_path(p) == layout.KINDS["panel"]}
    mine |= {p for p in panels if case.id in layout.CASE_ID.findall((repo.root / p).read_text(encoding="utf-8"))}
    return sorted(_id_of(p) for p in mine & paths)


def sealed_text(relpath: str, content: bytes) -> bytes:
    """The tombstone of one version of a record file, whatever that version was."""
    loaded = store.parse_record(relpath, content)
    if loaded.record is not None:
        return store.render(tombstone(loaded.record)).encode()
    kind = layout.kind_of_path(relpath)
    record_id = _id_of(relpath)
    try:  # an older format, or a version that was never valid: sealed from its plain data
        data = yamlio.load(content, relpath).data
    except yamlio.YamlError:
        data = {}
    model = MODELS[kind.name] if kind else None
    kept = tombstone_data(model, data) if model and isinstance(data, dict) else {}
    kept = {"id": record_id, **{k: v for k, v in kept.items() if k != "id"}}
    return yamlio.dump(kept, header=layout.schema_ref(relpath, kind) if kind else None).encode()


def _id_of(relpath: str) -> str:
    return relpath.rsplit("/", 1)[-1].removesuffix(".yaml")


def write_purge(repo, records: list[str]) -> None:
    """Note that a seal made elsewhere is being followed here, before anything moves."""
    write_atomically(private.file(repo.root, private.PURGE), json.dumps({"records": records}).encode())


def purge(repo) -> None:
    """Delete here what a seal followed from elsewhere left of the old history (`write_purge`);
    run again by rjc doctor when killed."""
    state_file = private.location(repo.root) / private.PURGE
    forget(repo, json.loads(state_file.read_text(encoding="utf-8"))["records"])
    repo.git.purge()
    state_file.unlink()


def forget(repo, records: list[str]) -> None:
    """What rjc kept beside the records that could hold a sealed record's text: the parsed-record
    cache, the audit index (built again on first use) and any draft of an edit."""
    from rjc.cache import AuditIndex

    repo.cache.remove()
    AuditIndex(repo.git).drop()
    drafts = private.location(repo.root) / private.DRAFTS
    for record_id in records:
        for found in drafts.glob(f"{record_id}.*"):
            found.unlink()


def set_key(repo, key: str) -> None:
    """Set the center's sealing public key in rjc.yaml, in one commit."""
    from pydantic import ValidationError

    from rjc.model.settings import Sealing as SealingSettings

    try:
        sealing = SealingSettings.model_validate({**repo.settings.sealing.model_dump(), "public_key": key})
    except ValidationError:
        raise RjcError("the sealing key is the center's age public key (age1..., 62 characters); "
                       "nothing was changed") from None
    with repo.transaction("seal --set-key") as tx:
        tx.stage(repo.settings.model_copy(update={"sealing": sealing}))
        tx.commit("set the sealing key")


# --- the sealed archive --------------------------------------------------------------------------


def _recipient(repo):
    """The center's sealing public key, as pyrage takes it; a clear error when there is none."""
    from pyrage import x25519

    key = repo.settings.sealing.public_key
    if not key:
        raise RjcError(f"{layout.SETTINGS_FILE} has no sealing.public_key: a seal first archives what it removes, "
                       f"encrypted to the center's sealing key (age1...); set it, or expunge instead; "
                       f"nothing was sealed")
    try:
        return x25519.Recipient.from_str(key)
    except Exception:  # pyrage's RecipientError
        raise RjcError(f"sealing.public_key in {layout.SETTINGS_FILE} is not an age public key; "
                       f"nothing was sealed") from None


def archive(repo, cases: list[str], records: list[str], recipient, today: dt.date) -> Path:
    """Every version of these records, with its commit, date and subject, in one file encrypted to
    the sealing key, outside the repository and owner-only. Written before anything is removed."""
    import pyrage

    git = repo.git
    paths = {layout.parse_id(record_id).path: record_id for record_id in records}
    commits = list(reversed(git.log(path=sorted(paths), with_blobs=True)))  # one walk for them all
    texts = git.blobs([blob for c in commits for blob in c.blobs.values()])
    content: dict[str, list[dict]] = {record_id: [] for record_id in records}
    for c in commits:
        for path, blob in c.blobs.items():
            if path in paths:
                content[paths[path]].append({"commit": c.sha, "date": c.date, "subject": c.subject,
                                             "text": texts.get(blob, b"").decode("utf-8", "replace")})
    made = {"format": 1, "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cases": cases,
            "records": content}
    sealed = pyrage.encrypt(json.dumps(made, ensure_ascii=False).encode(), [recipient])
    directory = Path(repo.settings.sealing.archive_dir).expanduser()
    if directory.resolve().is_relative_to(repo.root.resolve()):
        raise RjcError(f"sealing.archive_dir {directory} is inside the records repository; an archive of "
                       f"sealed records goes outside it; nothing was sealed")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%H%M%S")
    target = directory / f"sealed-{today}-{stamp}.age"
    write_atomically(target, sealed)
    target.chmod(0o600)
    return target


def unseal(archive_file: Path, identity_file: Path, case_id: str, out: Path) -> Path:
    """A sealed case's records, every version, read back from its archive with the private key
    (for a court order) into one owner-only file in `out`: never into a records repository."""
    import pyrage
    from pyrage import x25519

    case_id = str(layout.parse_id(case_id))
    try:
        key_text = identity_file.read_text(encoding="utf-8")
        identities = [x25519.Identity.from_str(line.strip()) for line in key_text.splitlines()
                      if line.strip().startswith("AGE-SECRET-KEY-")]
    except (OSError, UnicodeDecodeError) as exc:
        raise RjcError(f"cannot read the key {identity_file}: {getattr(exc, 'strerror', None) or exc}") from None
    except Exception:  # pyrage's IdentityError
        raise RjcError(f"{identity_file} does not hold an age private key (AGE-SECRET-KEY-...)") from None
    if not identities:
        raise RjcError(f"{identity_file} does not hold an age private key (AGE-SECRET-KEY-...)")
    try:
        made = json.loads(pyrage.decrypt(archive_file.read_bytes(), identities))
    except OSError as exc:
        raise RjcError(f"cannot read the archive {archive_file}: {exc.strerror or exc}") from None
    except Exception:  # pyrage's DecryptError, or not an archive
        raise RjcError(f"this key does not open {archive_file} (or it is not a sealed archive)") from None
    if case_id not in made.get("cases", []):
        raise RjcError(f"{archive_file} does not hold {case_id}; it holds {' '.join(made.get('cases', []))}")
    if layout.is_records_repository(out) or any(layout.is_records_repository(p) for p in out.resolve().parents):
        raise RjcError(f"{out} is in a records repository; unsealed records are read outside it, never shared")
    lines = [f"# {case_id}, unsealed from {archive_file.name} (sealed {made['made'][:10]}). Confidential: "
             f"for the court that ordered it; do not copy into the records."]
    for record_id, versions in made["records"].items():
        for n, version in enumerate(versions, 1):
            lines += ["", f"## {record_id}, version {n} of {len(versions)}: {version['date']}  {version['subject']}",
                      version["text"].rstrip("\n")]
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = out / f"{case_id}.unsealed.txt"
    write_atomically(target, ("\n".join(lines) + "\n").encode())
    target.chmod(0o600)
    return target
