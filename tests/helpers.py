"""Plain helpers for the tests: inline records written exactly as rjc writes them."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from rjc.model import MODELS, SCHEMA_VERSION, Settings
from rjc.model.settings import Center, Coordinator
from rjc.storage import layout, store

CENTER = "Barre Community Justice Center"
COORDINATORS = [Coordinator(code="KB", name="Kim Bell", email="kb@example.org"),
                Coordinator(code="MR", name="Max Rossi")]


class Result:
    """What one rjc run gave: its exit code and output."""

    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out[:3000]}\n--- stderr\n{self.err[:3000]}"


def dedent(text: str) -> str:
    return textwrap.dedent(text)


def settings_text() -> str:
    """rjc.yaml with coordinators KB and MR, as rjc writes it."""
    settings = Settings(schema_version=SCHEMA_VERSION, center=Center(name=CENTER), coordinators=COORDINATORS)
    return store.render_settings(settings)


def put(root: Path, text: str, relpath: str | None = None) -> str:
    """Write a record given as its canonical text (modeline first) and return its path.

    The text must be exactly what `store.render` writes for it, so the line and column a
    test expects are the ones in the file on disk. `relpath` overrides where it goes.
    """
    text = dedent(text)
    record_id = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("id: "))
    kind = layout.parse_id(record_id).kind
    loaded = store.parse(layout.parse_id(record_id).path, text, MODELS[kind.name])
    assert loaded.problems == [], loaded.problems
    rendered = store.render(loaded.record)
    assert rendered == text, "test text is not canonical:\n" + rendered
    relpath = relpath or layout.parse_id(record_id).path
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rendered, encoding="utf-8")
    return relpath


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def assert_audit_index_agrees(root: Path) -> None:
    """`rjc history` of every record ever committed, and `rjc log` with every filter, give from
    the audit index exactly what walking git gives; and the index did answer them itself."""
    from rjc.cache import AuditIndex
    from rjc.outputs import history
    from rjc.storage.gitrepo import Git

    repo_git, index = Git(root), AuditIndex(Git(root))
    ids = sorted({Path(p).stem for p in git(root, "log", "--format=", "--name-only").split()
                  if Path(p).stem[:2] in ("P-", "R-", "C-", "N-", "V-")})
    assert ids, "no record was ever committed"
    days = sorted({d[:10] for d in git(root, "log", "--format=%aI").split()})
    actors = sorted({history.actor_of(c) for c in repo_git.log()}) + ["ZZ"]

    def printed(c) -> tuple:  # what rjc log prints of a commit
        return c.sha, c.author, c.date, c.subject, c.command, c.actor

    def log(**filters) -> list[tuple]:
        walked = history.audit_log(repo_git, **filters)
        indexed = history.audit_log(repo_git, index=index, **filters)
        assert [printed(c) for c in indexed] == [printed(c) for c in walked], filters
        return indexed

    for record_id in ids:
        relpath = layout.parse_id(record_id).path
        assert index.find(path=relpath), f"the index did not answer for {record_id}"
        assert history.record_history(repo_git, record_id, index) == history.record_history(repo_git, record_id)
        for actor in actors[:3]:
            log(record_id=record_id, actor=actor)
        log(record_id=record_id, limit=1)
        log(record_id=record_id, since=days[len(days) // 2])
    for actor in actors:
        assert index.find(actor=actor) is not None
        for limit in (None, 1, 2):
            log(actor=actor, limit=limit)
    for day in [*days, "2000-01-01", "2999-12-31"]:
        log(since=day)
        log(until=day, limit=2)
        log(since=day, until=day)
        log(since=day, actor=actors[0])


def sealing_key(root: Path, directory: Path) -> Path:
    """Give a repository the center's sealing key (archives kept in `directory`/archives), in one
    commit; the file holding its private key, as the director would keep it."""
    from pyrage import x25519

    from rjc.workflows.repository import Repository

    identity = x25519.Identity.generate()
    key_file = directory / "director.key"
    key_file.write_text(f"{identity}\n", encoding="utf-8")
    key_file.chmod(0o600)
    repo = Repository(root)
    sealing = repo.settings.sealing.model_copy(update={"public_key": str(identity.to_public()),
                                                       "archive_dir": str(directory / "archives")})
    with repo.transaction("settings") as tx:
        tx.stage(repo.settings.model_copy(update={"sealing": sealing}))
        tx.commit("set the sealing key")
    return key_file
