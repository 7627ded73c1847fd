"""The on-disk layout of a records repository: which file holds which record.

A record id looks like `C-2026-KB-0019`: kind, year of creation, the code of the
coordinator's clone that created it, and a sequence number within that kind, year and code.
Coordinators can say it on the phone, and two clones that create records before syncing can
never pick the same id because each clone numbers only its own code's records.

The path is derived from the id alone and never changes (status lives inside the file):
`cases/2026/KB/C-2026-KB-0019.yaml`. Directories are sharded by year and code, so a directory
holds one coordinator's records of one kind for one year (hundreds, not tens of thousands),
and a commit rewrites only small tree objects. Paths carry no names or other identifying detail.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from rjc.model.base import CODE_PATTERN
from rjc.storage.errors import RjcError

SETTINGS_FILE = "rjc.yaml"
SEAL_REGISTER = "sealed.yaml"  # the seal register: what was sealed, when, why (ids only)
SCHEMA_DIR = "schemas"
TEMPLATE_DIR = "templates"


@dataclass(frozen=True)
class Kind:
    name: str  # as typed on the command line: `rjc list cases`
    prefix: str  # first part of the id
    directory: str

    @property
    def schema_file(self) -> str:
        return f"{SCHEMA_DIR}/{self.name}.schema.json"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("person", "P", "people"),
        Kind("referral", "R", "referrals"),
        Kind("case", "C", "cases"),
        Kind("panel", "PN", "panels"),
        Kind("volunteer", "V", "volunteers"),
        Kind("organization", "O", "organizations"),
    )
}
_BY_PREFIX = {k.prefix: k for k in KINDS.values()}
_BY_PLURAL = {k.directory: k for k in KINDS.values()} | {"persons": KINDS["person"]}

# [0-9], not \d (which admits other scripts' digits); always used with fullmatch.
_ID_RE = re.compile(rf"(P|R|C|PN|V|O)-([0-9]{{4}})-({CODE_PATTERN})-([0-9]{{4,6}})")
_CODE_RE = re.compile(CODE_PATTERN)
PEOPLE_ID = re.compile(rf"\b(?:P|V)-[0-9]{{4}}-{CODE_PATTERN}-[0-9]{{4,6}}\b")  # ids that stand for a person
CASE_ID = re.compile(rf"\bC-[0-9]{{4}}-{CODE_PATTERN}-[0-9]{{4,6}}\b")


@dataclass(frozen=True)
class RecordId:
    kind: Kind
    year: int
    code: str
    number: int

    def __str__(self) -> str:
        return f"{self.kind.prefix}-{self.year:04d}-{self.code}-{self.number:04d}"

    @property
    def path(self) -> str:
        """Path relative to the repository root, with forward slashes."""
        return f"{self.kind.directory}/{self.year:04d}/{self.code}/{self}.yaml"


def parse_id(text: str) -> RecordId:
    """Parse a record id; refuse anything that is not exactly one (no `/`, no `..`)."""
    match = _ID_RE.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if not match:
        # The text is not repeated: it may be a name typed in the wrong place.
        raise RjcError("not a record id: ids look like C-2026-KB-0019 "
                       "(kind P, R, C, PN, V or O; year; coordinator code; number)")
    prefix, year, code, number = match.groups()
    record_id = RecordId(_BY_PREFIX[prefix], int(year), code, int(number))
    if str(record_id) != text.strip().upper():  # one spelling per id: no extra leading zeros
        raise RjcError(f"not a record id: ids look like {record_id}")
    return record_id


def is_id(text: object) -> bool:
    return isinstance(text, str) and bool(_ID_RE.fullmatch(text))


def valid_code(code: str) -> bool:
    return bool(_CODE_RE.fullmatch(code))


def kind_named(name: str) -> Kind:
    """`case`, `cases`, `people`... -> Kind; a clear error for anything else."""
    key = name.strip().lower()
    kind = KINDS.get(key) or _BY_PLURAL.get(key) or KINDS.get(key.rstrip("s"))
    if kind is None:
        raise RjcError(f"unknown record kind '{name}'; kinds are: {', '.join(KINDS)}")
    return kind


def next_number(root: Path, kind: Kind, year: int, code: str) -> int:
    """One more than the highest number this code has used for this kind and year."""
    shard = root / kind.directory / f"{year:04d}" / code
    highest = 0
    if shard.is_dir():
        for entry in os.scandir(shard):
            match = _ID_RE.fullmatch(entry.name.removesuffix(".yaml"))
            if match and entry.name.endswith(".yaml"):
                highest = max(highest, int(match.group(4)))
    return highest + 1


def record_paths(root: Path, kinds: list[Kind] | None = None) -> list[str]:
    """Every record file's relative path, sorted, for the given kinds (all by default).

    Walks only the fixed three-level layout, so stray files elsewhere are not records.
    """
    found: list[str] = []
    for kind in kinds or KINDS.values():
        base = root / kind.directory
        if not base.is_dir():
            continue
        for year in sorted(os.scandir(base), key=lambda e: e.name):
            if not year.is_dir(follow_symlinks=False):
                continue
            for code in sorted(os.scandir(year.path), key=lambda e: e.name):
                if not code.is_dir(follow_symlinks=False):
                    continue
                for entry in sorted(os.scandir(code.path), key=lambda e: e.name):
                    if entry.name.endswith(".yaml") and entry.is_file(follow_symlinks=False):
                        found.append(f"{kind.directory}/{year.name}/{code.name}/{entry.name}")
    return found


def expected_id(relpath: str) -> str | None:
    """The id a file at this path must hold, or None when the path fits no record."""
    parts = relpath.split("/")
    if len(parts) != 4 or not parts[3].endswith(".yaml"):
        return None
    candidate = parts[3].removesuffix(".yaml")
    try:
        record_id = parse_id(candidate)
    except RjcError:
        return None
    return candidate if record_id.path == relpath and str(record_id) == candidate else None


def schema_ref(relpath: str, kind: Kind) -> str:
    """The yaml-language-server modeline for a file at this path."""
    depth = relpath.count("/")
    return f"yaml-language-server: $schema={'../' * depth}{kind.schema_file}"


def settings_schema_ref() -> str:
    return f"yaml-language-server: $schema={SCHEMA_DIR}/settings.schema.json"


def find_root(explicit: str | os.PathLike | None = None, start: Path | None = None) -> Path:
    """The records repository: --records, then $RJC_RECORDS, then walking up from the cwd.

    A repository is a directory with both the settings file and its own `.git`, so rjc never
    commits records into some other repository that happens to enclose them.
    """
    for given in (explicit, os.environ.get("RJC_RECORDS")):
        if given:
            root = Path(given).expanduser().resolve()
            if not _is_root(root):
                raise RjcError(f"{root} is not a records repository ({SETTINGS_FILE} and .git); "
                               f"run: rjc init {given}")
            return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    raise RjcError("no records repository here; run: rjc init")


def is_records_repository(path: Path) -> bool:
    return (path / SETTINGS_FILE).is_file() and (path / ".git").is_dir()


_is_root = is_records_repository


def kind_of_path(relpath: str) -> Kind | None:
    """The kind whose directory a relative path is in, if any."""
    directory = relpath.split("/", 1)[0]
    return next((k for k in KINDS.values() if k.directory == directory), None)


def record_kind(relpath: str) -> Kind:
    """The kind of a path already known to be a record's."""
    kind = kind_of_path(relpath)
    if kind is None:
        raise ValueError(f"not a record path: {relpath}")
    return kind


def symlink_on_path(root: Path, relpath: str) -> str | None:
    """The first part of `relpath` (from the root down) that is a symbolic link, if any.

    rjc neither reads nor writes through a link in the repository: one could lead outside it.
    """
    current, shown = root, ""
    for part in relpath.split("/"):
        current, shown = current / part, f"{shown}/{part}" if shown else part
        if current.is_symlink():
            return shown
        if not current.exists():
            return None
    return None
