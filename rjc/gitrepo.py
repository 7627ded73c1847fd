"""The one module that talks to git.

It runs the git executable itself: at 100k files git's own index is about 15x faster than a
Python reimplementation (and reads every index version), and a plain subprocess adds no import
cost to commands that never touch history.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from rjc.errors import RjcError

_FIELD = "\x1f"
_RECORD = "\x1e"
TRAILER_COMMAND = "Rjc-Command"
TRAILER_ACTOR = "Rjc-Coordinator"

# Settings rjc applies to every records repository: see README, "Git settings".
REPOSITORY_CONFIG = {
    "core.quotePath": "false",
    "core.splitIndex": "true",  # a commit rewrites a small index delta, not 100k entries
    "core.untrackedCache": "true",
    "feature.manyFiles": "true",
    "fetch.writeCommitGraph": "true",
    "commit.gpgSign": "false",
    "gc.auto": "0",  # rjc runs maintenance itself, never in the middle of a command
}


MAINTENANCE_EVERY = 100


class GitError(RjcError):
    pass


@dataclass
class Commit:
    sha: str
    author: str
    date: str  # ISO 8601 with offset
    subject: str
    command: str = ""
    actor: str = ""
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob id after this commit


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")}
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


class Git:
    def __init__(self, root: Path):
        self.root = Path(root)
        # Pinned to this repository's own .git: never one that merely encloses it.
        self._env = _environment() | {"GIT_DIR": str(self.root / ".git"), "GIT_WORK_TREE": str(self.root)}

    def run(self, *args: str, input: str | bytes | None = None, check: bool = True,
            binary: bool = False) -> str | bytes:
        try:
            result = subprocess.run(
                ["git", *args], cwd=self.root, env=self._env, input=input,
                capture_output=True, text=not binary, check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and result.returncode != 0:
            stderr = result.stderr if isinstance(result.stderr, str) else result.stderr.decode(errors="replace")
            command = next((a for i, a in enumerate(args) if not a.startswith("-") and args[i - 1:i] != ("-c",)), "")
            raise GitError(f"git {command} failed: {stderr.strip() or 'exit ' + str(result.returncode)}")
        return result.stdout

    # --- set-up -------------------------------------------------------------------------

    def init(self) -> None:
        self.run("init", "--quiet", "--initial-branch=main")
        self.configure()

    def configure(self) -> None:
        for key, value in REPOSITORY_CONFIG.items():
            self.run("config", key, value)

    def config_get(self, key: str) -> str | None:
        value = self.run("config", "--get", key, check=False).strip()
        return value or None

    def config_set(self, key: str, value: str) -> None:
        self.run("config", key, value)

    # --- writing ------------------------------------------------------------------------

    def commit_paths(self, paths: list[str], subject: str, *, command: str, actor: str,
                     identity: tuple[str, str] | None = None) -> str | None:
        """Commit exactly these paths (added, changed or deleted) and nothing else.

        Returns the new commit's id, or None when the paths hold no change.
        """
        self.run("add", "--all", "--", *paths)
        changed = self.run("diff", "--cached", "--name-only", "-z", "--", *paths).strip("\0")
        if not changed:
            return None
        message = f"{subject}\n\n{TRAILER_COMMAND}: {command}\n{TRAILER_ACTOR}: {actor}\n"
        identity_args: list[str] = []
        if identity and not self.config_get("user.email"):
            identity_args = ["-c", f"user.name={identity[0]}", "-c", f"user.email={identity[1]}"]
        # With paths, `git commit` takes only them: files others left staged are not swept in.
        try:
            self.run(*identity_args, "commit", "--quiet", "--no-verify", "--only", "-F", "-", "--", *paths,
                     input=message)
        except GitError:
            # Unstage what we added: a later plain `git commit` must not pick it up.
            self.run("reset", "--quiet", "--", *paths, check=False)
            raise
        return self.run("rev-parse", "HEAD").strip()

    def maintain(self, state_dir: Path) -> None:
        """Every MAINTENANCE_EVERY commits: extend the commit-graph (with changed-path filters, which make
        `git log -- path` skip commits that did not touch the record) and pack loose objects.

        Incremental (--split), so it costs little; automatic gc is off (see REPOSITORY_CONFIG)
        so that git never starts a long repack in the middle of a command.
        """
        every = MAINTENANCE_EVERY
        counter = state_dir / "commits-since-maintenance"
        try:
            count = int(counter.read_text() or "0") + 1
        except (OSError, ValueError):
            count = every  # first time, or unreadable: maintain now
        if count >= every:
            self.write_commit_graph()
            self.run("maintenance", "run", "--task=loose-objects", check=False)
            count = 0
        counter.write_text(str(count))

    def write_commit_graph(self) -> None:
        self.run("commit-graph", "write", "--reachable", "--changed-paths", "--split", check=False)

    # --- reading ------------------------------------------------------------------------

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip())

    def log(self, *, path: str | None = None, since: str | None = None, until: str | None = None,
            limit: int | None = None, with_blobs: bool = False) -> list[Commit]:
        """Commits newest first, with rjc's trailers; optionally the blob ids they wrote."""
        if not self.has_commits():
            return []
        fmt = _FIELD.join(["%H", "%an", "%aI", "%s",
                           f"%(trailers:key={TRAILER_COMMAND},valueonly,separator=%x2C)",
                           f"%(trailers:key={TRAILER_ACTOR},valueonly,separator=%x2C)"])
        args = ["log", f"--format={_RECORD}{fmt}"]
        if with_blobs:
            args += ["--raw", "--no-abbrev", "--no-renames"]
        if since:
            args.append(f"--since={since}")
        if until:
            args.append(f"--until={until}")
        if limit:
            args.append(f"--max-count={limit}")
        if path:
            args += ["--", path]
        commits = []
        for chunk in self.run(*args).split(_RECORD)[1:]:
            header, _, rest = chunk.partition("\n")
            sha, author, date, subject, command, actor = (header.split(_FIELD) + [""] * 6)[:6]
            commit = Commit(sha, author, date, subject, command.strip(), actor.strip())
            for line in rest.splitlines():
                if line.startswith(":"):
                    meta, _, changed_path = line.partition("\t")
                    commit.blobs[changed_path] = meta.split()[3]
            commits.append(commit)
        return commits

    def blobs(self, blob_ids: list[str]) -> dict[str, bytes]:
        """Contents of many blobs in one `git cat-file --batch` call."""
        wanted = [b for b in dict.fromkeys(blob_ids) if b and set(b) != {"0"}]
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode(), binary=True)
        contents: dict[str, bytes] = {}
        position = 0
        for blob_id in wanted:
            header_end = out.index(b"\n", position)
            header = out[position:header_end].split()
            if len(header) < 3:  # "<id> missing"
                position = header_end + 1
                continue
            size = int(header[2])
            contents[blob_id] = out[header_end + 1:header_end + 1 + size]
            position = header_end + 1 + size + 1
        return contents
