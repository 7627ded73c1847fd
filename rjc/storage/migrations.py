"""Format upgrades: a file's `schema_version` says which format it is in.

A record in an older format is refused by every command (never silently misread) until
`rjc migrate` upgrades all files in one commit. Each step is a function from format N to N+1
over plain data, registered in MIGRATIONS under N.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rjc.model import MODELS, Settings, entries
from rjc.model import base as model_base
from rjc.storage import layout, schema, store, yamlio
from rjc.storage.errors import Problem, RjcError
from rjc.storage.transaction import Result

# from-version -> step(kind, data) -> data in from-version + 1; kind is "settings" for rjc.yaml
MIGRATIONS: dict[int, Callable[[str, dict], dict]] = {}


def _entry_ids(kind: str, data: dict) -> dict:
    """Format 2: every entry of a log (payment, hours, contact, service, session, meeting) has an
    id, so that two equal entries appended on two clones stay two. Ids of existing entries are
    derived from the record and the entry's place, so every clone migrates a file alike."""
    if kind in MODELS:
        entries.assign_ids(MODELS[kind], data, lambda loc: entries.stable_id(data.get("id"), *loc))
    return data


MIGRATIONS[1] = _entry_ids


def _quoted_for_every_reader(kind: str, data: dict) -> dict:
    """Format 3: a string that a YAML 1.2 reader (editors, yq, ruamel) would take for a number,
    a boolean or null is quoted (`postal_code: '05059'`, not 05059 read as 5059). The data is
    unchanged: migrating writes every file again in the canonical form, which quotes them."""
    return data


MIGRATIONS[2] = _quoted_for_every_reader


def _kind_of(relpath: str) -> str:
    return "settings" if relpath == layout.SETTINGS_FILE else layout.record_kind(relpath).name


def upgrade(kind: str, data: dict, version: int) -> dict:
    """Data in the current format, applying each registered step in turn."""
    current = model_base.SCHEMA_VERSION
    while version < current:
        step = MIGRATIONS.get(version)
        if step is None:
            raise RjcError(f"rjc cannot upgrade format {version} (no migration registered)")
        data = step(kind, data)
        version += 1
    return {**data, "schema_version": current}


def migrate(repo) -> tuple[Result | None, int]:
    """Upgrade every file in an older format; one commit. Returns (result, files upgraded)."""
    current = model_base.SCHEMA_VERSION
    problems: list[Problem] = []
    # The settings come first: the transaction itself needs them valid in the current format.
    settings = _upgraded(repo.root, layout.SETTINGS_FILE, current, problems)
    if problems:
        raise RjcError("nothing was migrated; fix these first", problems)
    if settings is not None:
        repo.use_settings(settings)
    with repo.transaction("migrate") as tx:
        count = 0
        if settings is not None:
            tx.stage(settings)
            count += 1
        for relpath in layout.record_paths(repo.root):
            record = _upgraded(repo.root, relpath, current, problems)
            if record is not None:
                tx.stage(record)
                count += 1
        if problems:
            raise RjcError("nothing was migrated; fix these first", problems)
        if not count:
            return None, 0
        for relpath, text in schema.schema_files().items():
            tx.stage_generated(relpath, text)  # editors validate against the new format
        return tx.commit(f"migrate to format {current}"), count


def _upgraded(root: Path, relpath: str, current: int, problems: list[Problem]):
    try:
        document = yamlio.load((root / relpath).read_bytes(), relpath)
    except yamlio.YamlError as exc:
        problems.append(exc.problem)
        return None
    raw: Any = document.data.get("schema_version")  # int() refuses what is not a number
    try:
        version = int(raw)
    except (TypeError, ValueError):
        line, col = document.locate(("schema_version",))
        problems.append(Problem(relpath, line, col, "invalid-value", f"schema_version '{raw}' is not a number"))
        return None
    if version == current:
        return None
    if version > current:
        line, col = document.locate(("schema_version",))
        problems.append(Problem(relpath, line, col, "invalid-value",
                                f"written by a newer rjc (format {version}); upgrade rjc"))
        return None
    kind = _kind_of(relpath)
    model = Settings if kind == "settings" else MODELS[kind]
    data = upgrade(kind, document.data, version)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loaded = store.Loaded(relpath, document=document)
        problems.extend(store.schema_problems(loaded, exc, model))
        return None
