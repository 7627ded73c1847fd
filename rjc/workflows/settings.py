"""The center's settings (`rjc.yaml`): shown, one dotted key set, or the whole file edited.

Every change is validated by the settings model and committed like any other change to the
records, through a transaction, with a message naming the key only (never its value).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import types
import typing

from pydantic import BaseModel, ValidationError

from rjc.model import Settings
from rjc.storage import layout, private, store, yamlio
from rjc.storage.errors import RjcError
from rjc.storage.transaction import Result
from rjc.workflows.records import EditSession
from rjc.workflows.repository import Repository


def show(repo: Repository) -> str:
    """The settings in effect, as YAML: what rjc.yaml says, with every default filled in."""
    return yamlio.dump(repo.settings.to_data())


def set_value(repo: Repository, key: str, value: str) -> Result:
    """Set one setting, named by its dotted key (`center.phone`), in one commit. The value is
    read as the setting's type reads it (`90`, `true`); an empty value unsets an optional one."""
    parts = _parts(key)
    original, current = _current(repo)
    data = current.model_dump(mode="json", exclude_none=True, by_alias=True)
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        node = node.setdefault(part, {}) if not isinstance(child, dict) else child
    node[parts[-1]] = value if value != "" else None
    try:
        changed = Settings.model_validate(data)
    except ValidationError as exc:
        if value == "" and any(error["input"] is None for error in exc.errors()):
            raise RjcError(f"{key} is required: it cannot be unset; nothing was changed") from None
        raise RjcError(f"{_error_text(exc)}; nothing was changed") from None
    repo.use_settings(changed)
    with repo.transaction("settings set") as tx:
        tx.stage(changed, expected=original, check_expected=True)
        return tx.commit(f"settings: set {key} in")


def set_signing_key(repo: Repository, key: str) -> tuple[str, Result | None]:
    """Sign this clone's commits with `key` (an SSH key file, or a GPG key id): git's local
    user.signingKey and gpg.format name it (the private key stays where it is, never in the
    repository), and rjc.yaml lists its public half as this coordinator's `signing_key`, in one
    commit, so that `rjc log --verify` knows it. The format; the commit (None: already listed)."""
    from rjc.model.settings import Coordinator
    from rjc.storage.gitrepo import signing_key

    actor = repo.actor()
    fmt, configured, public = signing_key(key, repo.settings.signing.format)
    try:
        public = Coordinator(code=actor, name="-", signing_key=public).signing_key or ""
    except ValidationError as exc:
        raise RjcError(f"{key}: not a key rjc can list: {_error_text(exc)}") from None
    original, current = _current(repo)
    git = repo.git
    before = {name: git.config_get(name) for name in ("user.signingKey", "gpg.format")}
    git.config_set("user.signingKey", configured)
    git.config_set("gpg.format", fmt)
    if current.coordinator(actor).signing_key == public:  # type: ignore[union-attr]  # actor() checked it
        return fmt, None
    data = current.model_dump(mode="json", exclude_none=True, by_alias=True)
    for coordinator in data["coordinators"]:
        if coordinator["code"] == actor:
            coordinator["signing_key"] = public
    changed = Settings.model_validate(data)
    repo.use_settings(changed)
    try:
        with repo.transaction("whoami --signing-key") as tx:
            tx.stage(changed, expected=original, check_expected=True)
            return fmt, tx.commit(f"settings: set coordinators.{actor}.signing_key in")
    except BaseException:
        for name, value in before.items():  # nothing changed, the key included
            git.run("config", *(["--unset", name] if value is None else [name, value]), check=False)
        raise


def _current(repo: Repository) -> tuple[bytes, Settings]:
    """rjc.yaml's bytes and settings; an invalid one must be fixed as a whole first."""
    link = layout.symlink_on_path(repo.root, layout.SETTINGS_FILE)
    if link is not None:
        raise RjcError(f"{link} is a symbolic link; nothing was changed (run: rjc check)")
    original = (repo.root / layout.SETTINGS_FILE).read_bytes()
    loaded = store.parse(layout.SETTINGS_FILE, original, Settings)
    if loaded.record is None:
        raise RjcError(f"{layout.SETTINGS_FILE} is not valid; fix it first: rjc settings edit", loaded.problems)
    return original, loaded.record


def _parts(key: str) -> list[str]:
    """The key's parts, each checked against the settings model: a clear error names the
    setting that is not there, the one meant, or why the key cannot be set on its own."""
    parts = key.split(".")
    model: typing.Any = Settings
    for number, part in enumerate(parts):
        path = ".".join(parts[:number])
        if isinstance(model, type) and issubclass(model, BaseModel):
            names = list(model.model_fields)
            if part not in names:
                close = difflib.get_close_matches(part, names, n=1)
                meant = f"; did you mean {'.'.join([*parts[:number], close[0], *parts[number + 1:]])}?" if close else ""
                raise RjcError(f"no setting {key}{meant} ({path or layout.SETTINGS_FILE} has: {', '.join(names)})")
            model = _unwrap(model.model_fields[part].annotation)
        elif typing.get_origin(model) is dict:
            model = _unwrap(typing.get_args(model)[1])  # `part` is a key; the model checks it
        elif typing.get_origin(model) in (list, tuple):
            raise RjcError(f"{path} is a list; change it with: rjc settings edit")
        else:
            raise RjcError(f"{path} is one value, not a group of settings: rjc settings set {path} VALUE")
    if isinstance(model, type) and issubclass(model, BaseModel):
        raise RjcError(f"{key} is a group of settings ({', '.join(model.model_fields)}); "
                       f"set one of them, e.g.: rjc settings set {key}.{next(iter(model.model_fields))} VALUE")
    if typing.get_origin(model) is dict:
        raise RjcError(f"{key} is a group of settings; set one of them (rjc settings show lists them), "
                       f"or change it with: rjc settings edit")
    if typing.get_origin(model) in (list, tuple):
        raise RjcError(f"{key} is a list; change it with: rjc settings edit")
    return parts


def _unwrap(annotation: typing.Any) -> typing.Any:
    """`X | None` as X: an optional group (mail) is set like any other."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(others) == 1:
            return others[0]
    return annotation


def _error_text(exc: ValidationError) -> str:
    """The first error, as `dotted.key: what is wrong` (never the value given)."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(step) for step in error["loc"] if step != "[key]")
    text = error["msg"].removeprefix("Value error, ")
    return f"{where}: {text[0].lower()}{text[1:]}" if where else text[0].lower() + text[1:]


class SettingsEdit(EditSession):
    """rjc.yaml edited as text, as `rjc edit` edits a record: a private draft, validated by the
    settings model before it is committed, kept when the edit is invalid or abandoned. An
    invalid rjc.yaml can be edited too: that is how it is fixed."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._lock = contextlib.ExitStack()
        self.record_id = self.relpath = layout.SETTINGS_FILE
        link = layout.symlink_on_path(repo.root, self.relpath)
        if link is not None:
            raise RjcError(f"{link} is a symbolic link; rjc does not edit through links (run: rjc check)")
        self.original = (repo.root / self.relpath).read_bytes()
        folder = private.file(repo.root, private.DRAFTS)
        folder.mkdir(mode=0o700, exist_ok=True)
        self.draft = folder / layout.SETTINGS_FILE

    def validate(self):
        loaded = store.parse(self.relpath, self.text(), Settings)
        return loaded.record, [dataclasses.replace(p, path=str(self.draft)) for p in loaded.problems]

    def commit(self, record) -> Result:
        self.repo.use_settings(record)  # who commits is checked against the settings being written
        try:
            with self.repo.transaction("settings edit") as tx:
                tx.stage(record, expected=self.original, check_expected=True)
                result = tx.commit("settings: edit")
        except RjcError as exc:
            raise RjcError(f"{exc.message}; your draft is kept at {self.draft}", exc.problems) from None
        self.discard()
        return result
