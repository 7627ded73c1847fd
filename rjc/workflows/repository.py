"""A records repository: where it is, its settings, who is working in it, and its records."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from rjc import checks
from rjc.model import SCHEMA_VERSION, Record, Settings
from rjc.model.settings import Center, Coordinator, Sealing
from rjc.storage import layout, private, schema, store
from rjc.storage.errors import RjcError
from rjc.storage.gitrepo import Git
from rjc.storage.transaction import Result, Transaction, write_atomically, write_lock

ACTOR_ENV = "RJC_COORDINATOR"
ACTOR_CONFIG = "rjc.coordinator"
_README = """\
# Records of {center}

Confidential: case records of a restorative-justice center. Managed with `rjc`;
every change is a commit. Do not copy these files outside the center.
"""


class Repository:
    def __init__(self, root: Path, *, on_wait: Callable[[], None] | None = None):
        self.root = Path(root)
        self.on_wait = on_wait  # told once when a write has to wait for another rjc
        self.progress: Callable[[int, int], None] | None = None  # told how parsing many files goes

    @classmethod
    def find(cls, explicit: str | os.PathLike | None = None, *,
             on_wait: Callable[[], None] | None = None) -> Repository:
        return cls(layout.find_root(explicit), on_wait=on_wait)

    @functools.cached_property
    def git(self) -> Git:
        return Git(self.root)

    @functools.cached_property
    def settings(self) -> Settings:
        loaded = store.read_settings(self.root)
        if loaded.record is None:
            raise RjcError(f"{layout.SETTINGS_FILE} is not valid; fix it first", loaded.problems)
        return loaded.record

    def use_settings(self, settings: Settings) -> None:
        """Work with these settings (an upgraded rjc.yaml that is not written yet)."""
        self.__dict__["settings"] = settings

    def actor(self) -> str:
        """The coordinator code of whoever works in this clone (it also numbers new ids)."""
        code = os.environ.get(ACTOR_ENV) or self.git.config_get(ACTOR_CONFIG)
        if not code:
            raise RjcError(f"this clone has no coordinator set; run: rjc whoami CODE "
                           f"(one of: {', '.join(c.code for c in self.settings.coordinators)})")
        if self.settings.coordinator(code) is None:
            raise RjcError(f"coordinator '{code}' is not listed in {layout.SETTINGS_FILE}")
        return code

    def set_actor(self, code: str) -> None:
        if self.settings.coordinator(code) is None:
            raise RjcError(f"coordinator '{code}' is not listed in {layout.SETTINGS_FILE}; "
                           f"listed: {', '.join(c.code for c in self.settings.coordinators)}")
        self.git.config_set(ACTOR_CONFIG, code)

    # --- reading ------------------------------------------------------------------------

    def read(self, record_id: str) -> store.Loaded:
        """A record by id, with its problems; RjcError if there is no such record."""
        relpath = layout.parse_id(record_id).path
        link = layout.symlink_on_path(self.root, relpath)
        if link is not None:
            raise RjcError(f"{link} is a symbolic link; rjc does not read through links (run: rjc check)")
        if not (self.root / relpath).is_file():
            raise RjcError(f"no record {layout.parse_id(record_id)}")
        return store.read_record(self.root, relpath)

    def get(self, record_id: str) -> Record:
        """A valid record by id; RjcError listing its problems otherwise."""
        loaded = self.read(record_id)
        if loaded.record is None:
            raise RjcError(f"{loaded.path} is not valid; run: rjc check", loaded.problems)
        return loaded.record

    def seal_register(self):
        """The seal register (`sealed.yaml`): what was sealed or expunged, by case id."""
        loaded = store.read_seal_register(self.root)
        if loaded.record is None:
            raise RjcError(f"{layout.SEAL_REGISTER} is not valid; run: rjc check", loaded.problems)
        return loaded.record

    @functools.cached_property
    def cache(self):
        from rjc.cache import Cache

        return Cache(self.root)

    def audit_index(self, on_progress: Callable[[int], None] | None = None):
        """The index `rjc history` and `rjc log` locate commits with; None with RJC_NO_CACHE=1."""
        from rjc.cache import AuditIndex, disabled

        return None if disabled() else AuditIndex(self.git, on_progress=on_progress)

    def entries(self, kinds: list[layout.Kind] | None = None, *, rows_only: bool = False,
                facts_only: bool = False) -> dict:
        """Every record file of these kinds, fresh: from the cache where it holds, else parsed
        (with their `rjc list` rows, or their report facts, instead of their records)."""
        from rjc.cache import scan

        return self.cache.entries(scan(self.root, kinds), progress=self.progress, rows_only=rows_only,
                                  facts_only=facts_only)

    def state_key(self) -> str:
        """A digest of the content of every record file and rjc.yaml (see cache.state_key)."""
        from rjc.cache import scan, state_key

        found = scan(self.root)
        return state_key(self.root, found, self.cache.content_key(found, progress=self.progress))

    def memoized(self, name: str, params: tuple, compute: Callable[[], object]):
        """`compute()`, or its stored result when the records and `params` are exactly as then."""
        import pickle

        key = f"{self.state_key()} {params!r}"
        known = self.cache.memo(name, key)
        if known is not None:
            return pickle.loads(known)
        value = compute()
        self.cache.store_memo(name, key, pickle.dumps(value))
        return value

    def load_all(self, kinds: list[layout.Kind] | None = None) -> list[store.Loaded]:
        """Every record of these kinds (all by default), each with its own problems, by path."""
        return list(self.iter_loaded(kinds))

    def iter_loaded(self, kinds: list[layout.Kind] | None = None) -> Iterator[store.Loaded]:
        """`load_all`, one record at a time. Each record's JSON is fetched from the cache only as
        it is loaded, so it is never held for every record at once (100,000 records': ~100 MB)."""
        from rjc.cache import iter_loaded

        return iter_loaded(self.root, self.entries(kinds, rows_only=True))

    # --- writing ------------------------------------------------------------------------

    def sign_commits(self) -> None:
        """From here on this clone's commits are signed, if rjc.yaml asks for it (signing.format);
        a key that cannot sign without a prompt no one can answer is refused now, before anything
        is written."""
        self.git.use_signing(self.settings.signing.format)

    @contextlib.contextmanager
    def transaction(self, command: str) -> Iterator[Transaction]:
        """Hold the write lock around a Transaction; the caller stages records and commits."""
        actor = self.actor()
        self.sign_commits()
        with write_lock(self.root, on_wait=self.on_wait):
            if any(private.file(self.root, name).exists() for name in private.INTERRUPTED):
                raise RjcError("an earlier rjc change, sync or seal was interrupted; run: rjc doctor")
            yield Transaction(self.root, self.settings, self.git, actor=actor, command=command,
                              validate=checks.validate_change)

    def save(self, record: Record, action: str, *, command: str) -> Result:
        """Write one record in its own transaction."""
        with self.transaction(command) as tx:
            tx.stage(record)
            return tx.commit(action)


def init_repository(directory: Path, *, center: str, code: str, name: str,
                    sealing_key: str | None = None, contact: dict[str, str] | None = None,
                    hooks: bool = False) -> Repository:
    """Create a records repository: git, layout, settings, schemas, owner-only permissions,
    git's merge driver for records (and, with `hooks`, the pre-commit hook: see gitsetup).
    `sealing_key`: the center's sealing public key (age1...), which seals archive to.
    `contact`: the center's address, phone, email, website (the Center settings' fields)."""
    directory = Path(directory).expanduser().resolve()
    details = _center(center, contact or {})
    if sealing_key is not None:
        from pydantic import ValidationError

        try:
            Sealing(public_key=sealing_key)  # the settings' own pattern
        except ValidationError:
            raise RjcError("--sealing-key takes the center's age public key (age1..., 62 characters); "
                           "nothing was created") from None
    if (directory / layout.SETTINGS_FILE).exists() or (directory / ".git").exists():
        raise RjcError(f"{directory} already holds a repository; nothing was changed")
    if directory.exists() and any(directory.iterdir()):
        raise RjcError(f"{directory} is not empty; choose a new directory")
    if not layout.valid_code(code):
        raise RjcError(f"'{code}' is not a coordinator code (1-4 capitals/digits, like KB)")
    created = not directory.exists()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _populate(directory, center=details, code=code, name=name, sealing_key=sealing_key, hooks=hooks)
    except BaseException:
        # Leave nothing half-made behind, so the same command can simply be run again.
        if created:
            shutil.rmtree(directory)
        else:
            for path in directory.iterdir():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        raise


def _center(name: str, contact: dict[str, str]) -> Center:
    """The center's settings as given to init; a value the settings refuse creates nothing."""
    from pydantic import ValidationError

    try:
        return Center(name=name, **{field: value for field, value in contact.items() if value})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = str(error["loc"][0]) if error["loc"] else "name"
        flag = "--center" if field == "name" else f"--{field}"
        raise RjcError(f"{flag}: {error['msg'][0].lower()}{error['msg'][1:]}; nothing was created") from None


def _populate(directory: Path, *, center: Center, code: str, name: str, sealing_key: str | None,
              hooks: bool) -> Repository:
    from rjc.workflows import gitsetup

    os.chmod(directory, 0o700)
    repo = Repository(directory)
    repo.git.init()
    settings = Settings(schema_version=SCHEMA_VERSION, center=center,
                        coordinators=[Coordinator(code=code, name=name)],
                        sealing=Sealing(public_key=sealing_key))
    write_atomically(directory / layout.SETTINGS_FILE, store.render_settings(settings).encode())
    write_atomically(directory / "README.md", _README.format(center=center.name).encode())
    paths = [layout.SETTINGS_FILE, "README.md", gitsetup.write_attributes(directory), *schema.write_schemas(directory)]
    gitsetup.set_merge_driver(repo.git)
    if hooks:
        gitsetup.install_hook(repo.git)
    for kind in layout.KINDS.values():
        (directory / kind.directory).mkdir(mode=0o700, exist_ok=True)
    repo.git.config_set(ACTOR_CONFIG, code)
    repo.git.commit_paths(paths, "init records repository", command="init", actor=code,
                          identity=(name, f"{code.lower()}@rjc.invalid"))
    repo.git.maintain(private.file(directory, private.MAINTENANCE))  # the commit-graph history reads from
    return repo
