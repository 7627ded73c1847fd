"""The one module that talks to git.

It runs the git executable itself: at 100k files git's own index is about 15x faster than a
Python reimplementation (and reads every index version), and a plain subprocess adds no import
cost to commands that never touch history.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from rjc.storage.errors import RjcError

_FIELD = "\x1f"
_OBJECT_ID = re.compile("[0-9a-f]{40}|[0-9a-f]{64}")
_RECORD = "\x1e"
_LOCK_EXISTS = re.compile(r"Unable to create '([^'\n]+\.lock)': File exists")
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
    before: dict[str, str] = field(default_factory=dict)  # path -> blob id before it (zeros: none)
    parents: list[str] = field(default_factory=list)


# What git is given of rjc's environment: what it needs to run, to read the user's own git
# configuration, to reach a remote (ssh agent, proxies, certificates) and to sign. Nothing else
# passes: an inherited GIT_AUTHOR_DATE or GIT_COMMITTER_DATE would backdate an audit entry;
# GIT_DIR, GIT_COMMON_DIR, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES or
# GIT_INDEX_FILE would put it, or the objects it is made of, somewhere else; GIT_INDEX_VERSION,
# GIT_CONFIG_PARAMETERS or GIT_CONFIG_COUNT would change how the repository is written.
PASSED_TO_GIT = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "XDG_CONFIG_HOME", "SYSTEMROOT",
    "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT",
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "ALL_PROXY", "all_proxy",
    "GNUPGHOME", "GPG_TTY",
})


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in PASSED_TO_GIT}
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


@contextlib.contextmanager
def _environment_for_git_in_process() -> Iterator[None]:
    """os.environ narrowed to what git may see, while a library (git-filter-repo) runs git from
    inside this process with os.environ as it finds it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_environment())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# A connection that stalls without closing (a cable pulled, a laptop lid shut) would otherwise hold
# a sync, and the write lock with it, for as long as TCP waits: ssh gives up after a minute.
SSH_KEEPALIVE = "ssh -o ServerAliveInterval=15 -o ServerAliveCountMax=4"


def _network_options(config: Callable[[str], str | None]) -> list[str]:
    """`-c` options for a fetch, push or clone: ssh keep-alives, unless the user chose their own
    ssh command (GIT_SSH_COMMAND, GIT_SSH or core.sshCommand), which stays theirs."""
    if os.environ.get("GIT_SSH_COMMAND") or os.environ.get("GIT_SSH") or config("core.sshCommand"):
        return []
    return ["-c", f"core.sshCommand={SSH_KEEPALIVE}"]


class Git:
    def __init__(self, root: Path, *, bare: bool = False):
        self.root = Path(root)
        # Pinned to this repository's own .git: never one that merely encloses it.
        self._env = _environment() | ({"GIT_DIR": str(self.root)} if bare else
                                      {"GIT_DIR": str(self.root / ".git"), "GIT_WORK_TREE": str(self.root)})
        self.bare = bare
        self.signing: str | None = None  # the format commits are signed in: see use_signing
        self._no_terminal = False  # signing where no one can answer a passphrase prompt

    def run(self, *args: str, input: str | None = None, check: bool = True) -> str:
        """Run git; its standard output as text."""
        return self._run(args, input, check, binary=False)

    def run_bytes(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        """Run git; its standard output as bytes (blobs, commit objects)."""
        return self._run(args, input, check, binary=True)

    @overload
    def _run(self, args: tuple[str, ...], input: str | None, check: bool, binary: Literal[False]) -> str: ...
    @overload
    def _run(self, args: tuple[str, ...], input: bytes | None, check: bool, binary: Literal[True]) -> bytes: ...

    def _run(self, args: tuple[str, ...], input: str | bytes | None, check: bool, binary: bool) -> str | bytes:
        try:
            result = subprocess.run(
                ["git", *args], cwd=self.root, env=self._env, input=input,
                capture_output=True, text=not binary, check=False, start_new_session=self._no_terminal,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and result.returncode != 0:
            stderr = result.stderr if isinstance(result.stderr, str) else result.stderr.decode(errors="replace")
            command = next((a for i, a in enumerate(args) if not a.startswith("-") and args[i - 1:i] != ("-c",)), "")
            if result.returncode < 0:  # killed: whatever it held (lock files) is still there
                raise GitError(f"git {command} was killed (signal {-result.returncode})")
            lock = _LOCK_EXISTS.search(stderr)
            if lock:
                shown = os.path.relpath(lock.group(1), self.root)
                raise GitError(f"git {command} failed: {shown} exists (a git command is running here, or one "
                               f"was killed and left it); run: rjc doctor")
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
        # update-index, not `git add`: it stages just these files (new, changed or gone) without
        # `add`'s scan of their directories (twice as fast at 100k files).
        self.run("update-index", "--add", "--remove", "--", *paths)
        message = f"{subject}\n\n{TRAILER_COMMAND}: {command}\n{TRAILER_ACTOR}: {actor}\n"
        identity_args: list[str] = []
        if identity and not self.config_get("user.email"):
            identity_args = ["-c", f"user.name={identity[0]}", "-c", f"user.email={identity[1]}"]
        # With paths, `git commit` takes only them: files others left staged are not swept in.
        # maintenance.auto=false: rjc maintains the repository itself (see maintain); git's own
        # check after each commit costs one more process and finds nothing to do (gc.auto=0).
        head = self.head_or_none()
        try:
            self.run(*identity_args, *self._signing_options(), "-c", "maintenance.auto=false", "commit", "--quiet",
                     "--no-verify", "--only", *self._sign(), "-F", "-", "--", *paths, input=message)
        except GitError:
            if self.head_or_none() != head:
                raise  # git died after moving the branch: committed, but not finished
            # Asked only now, so a commit costs no extra process: did git refuse because the paths
            # already hold what HEAD has? Then there is nothing to commit, and nothing to unstage.
            if not self.run("diff", "--cached", "--name-only", "-z", "--", *paths).strip("\0"):
                return None
            # Unstage what we added: a later plain `git commit` must not pick it up.
            self.run("reset", "--quiet", "--", *paths, check=False)
            raise
        return self.head()

    # --- signing ------------------------------------------------------------------------

    def use_signing(self, fmt: str | None) -> None:
        """Sign every commit made from now on in this format ("ssh", "openpgp"; None: do not sign),
        with the key git's user.signingKey names. Without a terminal the key is tried now, before
        anything is written: one that needs a passphrase no agent holds is refused here, since no
        one could answer the prompt (and none is ever opened: see _try_key)."""
        self.signing, self._no_terminal = None, False
        if fmt is None:
            return
        key = self.config_get("user.signingKey")
        if not key:
            kind = "PATH (an SSH key file)" if fmt == "ssh" else "KEYID (a GPG key)"
            raise GitError(f"commits are signed here (rjc.yaml signing.format: {fmt}) and this clone has no "
                           f"signing key; set yours: rjc whoami --signing-key {kind}; nothing was changed")
        if not _terminal():
            self._no_terminal = True
            self._try_key(fmt, key)
        self.signing = fmt

    def _signing_options(self) -> list[str]:
        # The center's format, whatever the user's own git config says.
        return ["-c", f"gpg.format={self.signing}"] if self.signing else []

    def _sign(self) -> list[str]:
        return ["-S"] if self.signing else []

    def _try_key(self, fmt: str, key: str) -> None:
        """Sign a few bytes with `key` as git would, where no prompt can open: no controlling
        terminal (a new session), stdin empty, no askpass (SSH_ASKPASS and DISPLAY never reach
        git), gpg in batch mode with pinentry refused."""
        with tempfile.TemporaryDirectory(prefix="rjc-sign-") as scratch:
            payload = Path(scratch, "payload")
            payload.write_text("rjc signing check\n")
            if fmt == "ssh":
                program = self.config_get("gpg.ssh.program") or "ssh-keygen"
                literal = key.removeprefix("key::") if key.startswith(("key::", "ssh-", "ecdsa-", "sk-")) else None
                key_file = Path(scratch, "key.pub") if literal else Path(os.path.expanduser(key))
                if literal:
                    key_file.write_text(literal + "\n")
                args = [program, "-Y", "sign", "-n", "git", "-f", str(key_file), *(["-U"] if literal else []),
                        str(payload)]
            else:
                program = self.config_get("gpg.openpgp.program") or self.config_get("gpg.program") or "gpg"
                # --output to a file of our own: gpg deletes its output file when signing fails
                # (given /dev/null, it deletes /dev/null).
                args = [program, "--batch", "--no-tty", "--pinentry-mode", "error", "--local-user", key,
                        "--detach-sign", "--output", str(Path(scratch, "payload.sig")), str(payload)]
            try:
                result = subprocess.run(args, env=self._env, stdin=subprocess.DEVNULL, capture_output=True,
                                        text=True, check=False, start_new_session=True)
            except FileNotFoundError:
                raise GitError(f"{program} is not installed or not on PATH: commits cannot be signed; "
                               f"nothing was changed") from None
        if result.returncode == 0:
            return
        error = result.stderr.lower()
        if "passphrase" in error or "pinentry" in error:
            unlock = f"ssh-add {key}" if fmt == "ssh" else "gpg-agent keeps it once you sign on a terminal"
            raise GitError(f"the signing key {key} needs its passphrase and no agent holds it; unlock it "
                           f"({unlock}) or run rjc on a terminal; nothing was changed")
        reason = _first_line(result.stderr.replace("gpg: ", "")) or f"exit {result.returncode}"
        raise GitError(f"the signing key {key} cannot sign: {reason}; nothing was changed")

    def signatures(self, commits: list[str], allowed_signers: Path) -> dict[str, tuple[str, str, str, str]]:
        """commit id -> (git's signature letter %G?, signer %GS, key fingerprint %GF, primary key
        fingerprint %GP); SSH signatures are checked against `allowed_signers`."""
        if not commits:
            return {}
        out = self.run("-c", f"gpg.ssh.allowedSignersFile={allowed_signers}", "log", "--no-walk=unsorted",
                       f"--format=%H{_FIELD}%G?{_FIELD}%GS{_FIELD}%GF{_FIELD}%GP", "--stdin",
                       input="\n".join(commits) + "\n")
        found = {}
        for line in out.splitlines():
            fields = line.split(_FIELD)
            if len(fields) == 5 and _OBJECT_ID.fullmatch(fields[0]):
                found[fields[0]] = (fields[1], fields[2], fields[3], fields[4])
        return found

    def head(self) -> str:
        """The commit HEAD is at. Read from .git's own files when they are plain (no process to
        start); asked of git otherwise (packed or other ref storage)."""
        git_dir = self.root / ".git"
        try:
            value = (git_dir / "HEAD").read_text(encoding="ascii").strip()
            if value.startswith("ref: refs/"):
                value = (git_dir / value[5:]).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            value = ""
        if _OBJECT_ID.fullmatch(value):
            return value
        return self.run("rev-parse", "HEAD").strip()

    def head_or_none(self) -> str | None:
        try:
            return self.head()
        except GitError:  # no commit yet
            return None

    def maintain(self, counter: Path) -> None:
        """Every MAINTENANCE_EVERY commits: extend the commit-graph (with changed-path filters, which make
        `git log -- path` skip commits that did not touch the record), pack loose objects, and
        roll the small packs up.

        Incremental (--split, --geometric), so it costs little; automatic gc is off (see
        REPOSITORY_CONFIG) so that git never starts a long repack in the middle of a command.
        """
        every = MAINTENANCE_EVERY  # `counter`: a file keeping the commits since the last time
        try:
            count = int(counter.read_text() or "0") + 1
        except (OSError, ValueError):
            count = every  # first time, or unreadable: maintain now
        if count >= every:
            self.write_commit_graph()
            self.run("maintenance", "run", "--task=loose-objects", check=False)
            self.repack()
            count = 0
        counter.write_text(str(count))

    def repack(self) -> None:
        """Merge packs so that each is at least twice the size of all smaller ones together. Packing
        loose objects adds a pack every time (and so does a fetch): 1,084 packs at 108k commits,
        where each object git writes is first looked for in every pack, and a commit took twice
        as long. Kept geometric, the packs stay about log2(objects) in number and a repack
        rewrites mostly the newest, small ones."""
        self.run("repack", "-d", "-q", "--geometric=2", check=False)

    def write_commit_graph(self) -> None:
        self.run("commit-graph", "write", "--reachable", "--changed-paths", "--split", check=False)

    # --- reading ------------------------------------------------------------------------

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip())

    def log(self, *, path: str | list[str] | None = None, with_blobs: bool = False) -> list[Commit]:
        """Commits newest first, with rjc's trailers; optionally the blob ids they wrote."""
        return list(self.iter_log(path=path, with_blobs=with_blobs))

    def iter_log(self, *, path: str | list[str] | None = None, with_blobs: bool = False,
                 only: list[str] | None = None) -> Generator[Commit, None, None]:
        """`log`, one commit at a time as git walks: a caller that stops early stops git too, so
        reading the newest few commits costs what they cost, not what the whole history does.

        `only` shows just these commits, in this order, without walking their ancestors.
        """
        if not self.has_commits():
            return
        fmt = _FIELD.join(["%H", "%an", "%aI", "%s",
                           f"%(trailers:key={TRAILER_COMMAND},valueonly,separator=%x2C)",
                           f"%(trailers:key={TRAILER_ACTOR},valueonly,separator=%x2C)", "%P"])
        args = ["git", "log", f"--format={_RECORD}{fmt}"]
        if with_blobs:
            args += ["--raw", "--no-abbrev", "--no-renames", "--root"]
        args += ["--no-walk=unsorted", "--stdin"] if only is not None else ["HEAD"]
        if path:
            args += ["--", *([path] if isinstance(path, str) else path)]
        commit: Commit | None = None
        for line in self._stream(args, "".join(f"{sha}\n" for sha in only) if only is not None else None):
            if line is None:  # git printed everything: the last commit is complete
                if commit is not None:
                    yield commit
                commit = None  # asked for more, the loop goes on to how git ended
            elif line.startswith(_RECORD):
                if commit is not None:
                    yield commit
                sha, author, date, subject, command, actor, parents = (line[1:].split(_FIELD) + [""] * 7)[:7]
                commit = Commit(sha, author, date, subject, command.strip(), actor.strip(), parents=parents.split())
            elif line.startswith(":") and commit is not None:
                meta, _, changed_path = line.partition("\t")
                _, _, commit.before[changed_path], commit.blobs[changed_path], _ = meta.split(maxsplit=4)

    def iter_chain(self, revisions: str) -> Generator[tuple[str, list[str]], None, None]:
        """The commits of `revisions`, oldest first, each with its parents: what an index of the
        history walks before reading the commits themselves in batches (one `git log` over a
        million commits holds them all, 1.5 GB at 1.1M)."""
        for line in self._stream(["git", "rev-list", "--reverse", "--parents", revisions], None):
            if line is not None:
                sha, *parents = line.split()
                yield sha, parents

    def _stream(self, args: list[str], input: str | None) -> Generator[str | None, None, None]:
        """The lines git prints, as it prints them, then None: a caller that stops early stops git
        too, and one that stops at the None (it had what it needed) does not hear how git ended."""
        try:
            process = subprocess.Popen(args, cwd=self.root, env=self._env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True,
                                       stdin=subprocess.DEVNULL if input is None else subprocess.PIPE)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        assert process.stdout is not None and process.stderr is not None
        if process.stdin is not None:  # git reads all of it before it prints anything
            with contextlib.suppress(BrokenPipeError):  # git's own error is read below
                process.stdin.write(input or "")
                process.stdin.close()
        finished = False
        try:
            for line in process.stdout:
                yield line.rstrip("\n")
            yield None
            finished = True
        finally:
            if not finished:  # the caller stopped early: so does git
                process.kill()
            process.stdout.close()
            error = process.stderr.read()
            process.stderr.close()
            if process.wait() != 0 and finished:
                raise GitError(f"git {args[1]} failed: {error.strip() or 'exit ' + str(process.returncode)}")

    def blob_at(self, commit: str, path: str) -> str | None:
        """The blob id of `path` in `commit`; None when the commit has no such file."""
        return self.run("rev-parse", "--verify", "--quiet", f"{commit}:{path}", check=False).strip() or None

    def blobs(self, blob_ids: list[str]) -> dict[str, bytes]:
        """Contents of many blobs in one `git cat-file --batch` call."""
        wanted = [b for b in dict.fromkeys(blob_ids) if b and set(b) != {"0"}]
        if not wanted:
            return {}
        out = self.run_bytes("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode())
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

    # --- rewriting history (sealing) ------------------------------------------------------------

    def rewrite_files(self, paths: set[str], transform: Callable[[str, bytes], bytes]) -> int:
        """Replace every version of these files, in every commit of every ref, by what
        `transform(path, content)` makes of it; commits, messages, authors and dates stay. The
        working tree is left as it was (the caller checks out HEAD). Returns how many distinct
        versions were replaced.

        git-filter-repo does the rewrite (one fast-export and fast-import, reading the content of
        just these files' versions). --partial: origin, its tracking ref and the reflogs are left
        to the caller (see `purge`), which filter-repo would otherwise remove or remap.
        """
        import git_filter_repo as filter_repo

        wanted = {path.encode() for path in paths}
        replaced: dict[bytes, object] = {}

        def each_file(filename: bytes, mode: bytes, blob_id: bytes, value) -> tuple:
            if filename not in wanted:
                return filename, mode, blob_id
            if blob_id not in replaced:
                content = value.get_contents_by_identifier(blob_id)
                replaced[blob_id] = value.insert_file_with_contents(transform(filename.decode(), content))
            return filename, mode, replaced[blob_id]

        options = filter_repo.FilteringOptions.parse_args(["--force", "--quiet", "--partial", "--no-gc"])
        previous = os.getcwd()
        os.chdir(self.root)  # filter-repo works on the repository it is run in
        try:
            with contextlib.redirect_stdout(_Discard()), _environment_for_git_in_process():
                filter_repo.RepoFilter(options, file_info_callback=each_file).run()
        except SystemExit as exc:  # how filter-repo reports a failure
            raise GitError(f"git filter-repo failed (exit {exc.code})") from None
        finally:
            os.chdir(previous)
        shutil.rmtree(self.root / ".git" / "filter-repo", ignore_errors=True)  # its maps of old ids
        return len(replaced)

    def purge(self) -> None:
        """Delete every object no ref reaches any more: reflogs expired, the refs git keeps of
        past operations removed, everything repacked, the rest pruned now. Works on a bare
        repository too (the center's remote, when it is a path)."""
        bare = self.bare
        git_dir = self.root if bare else self.root / ".git"
        for name in ("ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD"):
            (git_dir / name).unlink(missing_ok=True)
        self.run("reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
        self.run("-c", "gc.auto=0", "gc", "--quiet", "--prune=now")
        if not bare:  # the split index's shared part still names the old versions until it expires
            self.run("-c", "splitIndex.sharedIndexExpire=now", "update-index", "--split-index")

    def force_push(self, remote: str, branch: str, expected: str) -> None:
        """Replace `branch` on `remote` by ours, provided the remote still has `expected` there
        (--force-with-lease: nothing that landed meanwhile is overwritten). GitError otherwise."""
        result = self.run_full(*_network_options(self.config_get), "push", "--porcelain",
                               f"--force-with-lease=refs/heads/{branch}:{expected}", remote,
                               f"+refs/heads/{branch}:refs/heads/{branch}")
        if result.returncode != 0:
            text = result.stdout + result.stderr
            if "stale info" in text or "[rejected]" in text:
                raise GitError(f"'{remote}' has changes made since this clone last synced")
            lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("To ")]
            raise GitError(_first_line("\n".join(lines)) or f"git push failed (exit {result.returncode})")

    # --- sharing with a remote (rjc sync, rjc clone) ------------------------------------------
    # Added for rjc/sync.py; plumbing only, so a sync builds its commits without touching the
    # working tree or the index until its very last step.

    def run_full(self, *args: str, input: str | None = None,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run git and hand back the whole result (exit code, stdout, stderr); never raises on failure."""
        try:
            return subprocess.run(["git", *args], cwd=self.root, env=self._env | (env or {}), input=input,
                                  capture_output=True, text=True, check=False,
                                  start_new_session=self._no_terminal)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None

    def files_mentioning_each(self, words: list[str], directories: list[str]) -> dict[str, set[str]]:
        """For each of these words, the tracked files under `directories` whose working-tree text
        holds it as a whole word: one `git grep` for them all."""
        found: dict[str, set[str]] = {word: set() for word in words}
        if not words:
            return found
        patterns = [arg for word in words for arg in ("-e", word)]
        result = self.run_full("grep", "-o", "-F", "-w", *patterns, "--", *directories)
        if result.returncode not in (0, 1):  # 1: no file holds any
            raise GitError(f"git grep failed: {result.stderr.strip() or 'exit ' + str(result.returncode)}")
        for line in result.stdout.splitlines():
            path, _, word = line.rpartition(":")
            if word in found:
                found[word].add(path)
        return found

    def files_mentioning(self, word: str, directories: list[str]) -> list[str]:
        """Tracked files under `directories` whose working-tree text holds `word` as a whole word."""
        result = self.run_full("grep", "-l", "-F", "-w", "-e", word, "--", *directories)
        if result.returncode not in (0, 1):  # 1: no file holds it
            raise GitError(f"git grep failed: {result.stderr.strip() or 'exit ' + str(result.returncode)}")
        return result.stdout.splitlines()

    def rev_parse(self, rev: str) -> str | None:
        """The commit (or object) id `rev` names, or None when it names nothing."""
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", rev, check=False).strip()
        return out or None

    def current_branch(self) -> str | None:
        """`refs/heads/NAME` that HEAD points at, or None when HEAD is detached."""
        return self.run("symbolic-ref", "--quiet", "HEAD", check=False).strip() or None

    def remote_url(self, remote: str) -> str | None:
        return self.run("remote", "get-url", "--", remote, check=False).strip() or None

    def fetch(self, remote: str, branch: str) -> str | None:
        """Fetch `branch` of `remote`; its commit id, or None when the remote has no such branch yet
        (a new, empty remote). GitError when the remote cannot be reached. The remote-tracking ref
        is left as it was (`--refmap=`): the caller moves it once it has taken what came in, so it
        always names the last remote tip this clone accepted."""
        result = self.run_full(*_network_options(self.config_get), "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--refmap=", remote,
                               f"refs/heads/{branch}")
        if result.returncode != 0:
            if "couldn't find remote ref" in result.stderr:
                return None
            raise GitError(_first_line(result.stderr) or f"git fetch failed (exit {result.returncode})")
        return self.rev_parse("FETCH_HEAD")

    def push(self, remote: str, branch: str) -> bool:
        """Push local `branch` to the same branch of `remote`, never forcing.

        True when pushed; False when the remote refused because it has commits this clone has not
        fetched (it moved); GitError for any other failure (unreachable, no permission).
        """
        result = self.run_full(*_network_options(self.config_get), "push", "--porcelain", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        if result.returncode == 0:
            return True
        text = result.stdout + result.stderr
        if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
            return False
        lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("To ")]
        raise GitError(_first_line("\n".join(lines)) or f"git push failed (exit {result.returncode})")

    def merge_base(self, a: str, b: str) -> str | None:
        return self.run("merge-base", a, b, check=False).strip() or None

    def is_ancestor(self, ancestor: str, commit: str) -> bool:
        result = self.run_full("merge-base", "--is-ancestor", ancestor, commit)
        if result.returncode not in (0, 1):
            self._checked(result)
        return result.returncode == 0

    def rev_list(self, exclude: str | list[str] | None, include: str) -> list[str]:
        """Commits reachable from `include` and not from `exclude` (one commit or several), oldest first."""
        args = ["rev-list", "--reverse", "--topo-order", include]
        args += [f"^{e}" for e in ([exclude] if isinstance(exclude, str) else exclude or []) if e]
        return self.run(*args).split()

    def subjects(self, commits: list[str], fmt: str = "%s") -> dict[str, str]:
        """commit id -> subject line (or another `--format`), for many commits in one call."""
        if not commits:
            return {}
        out = self.run("log", "--no-walk=unsorted", f"--format=%H{_FIELD}{fmt}", "--stdin",
                       input="\n".join(commits) + "\n")
        return dict(line.split(_FIELD, 1) for line in out.splitlines() if _FIELD in line)

    def commit_info(self, commit: str) -> dict:
        """A commit's parents, tree, author (name, email, raw date) and exact message."""
        raw = self.run_bytes("cat-file", "commit", commit).decode("utf-8", errors="surrogateescape")
        header, _, message = raw.partition("\n\n")
        info: dict = {"parents": [], "message": message, "author": None, "tree": None}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "parent":
                info["parents"].append(value)
            elif key == "tree":
                info["tree"] = value
            elif key == "author":
                name, _, rest = value.partition(" <")
                email, _, date = rest.partition("> ")
                info["author"] = (name, email, date)
        return info

    def changes(self, old: str, new: str) -> dict[str, tuple[str, str] | None]:
        """Files that differ between two commits: path -> (mode, blob) in `new`, None if deleted."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new)
        fields = out.split("\0")
        changed: dict[str, tuple[str, str] | None] = {}
        for meta, path in zip(fields[0::2], fields[1::2]):
            if not meta.startswith(":"):
                continue
            _, new_mode, _, new_blob, status = meta[1:].split(" ")
            changed[path] = None if status.startswith("D") else (new_mode, new_blob)
        return changed

    def entries_at(self, commit: str, paths: list[str]) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob) of these files in a commit; paths absent there are left out."""
        if not paths:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(paths), 1000):
            out = self.run("--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit, "--",
                           *paths[start:start + 1000])
            for entry in filter(None, out.split("\0")):
                meta, _, path = entry.partition("\t")
                mode, kind, blob = meta.split(" ")
                if kind == "blob":
                    found[path] = (mode, blob)
        return found

    def write_blob(self, data: bytes) -> str:
        return self.run_bytes("hash-object", "-w", "--stdin", input=data).decode().strip()

    def tree_of(self, commit: str) -> str:
        return self.run("rev-parse", f"{commit}^{{tree}}").strip()

    def make_tree(self, commit: str, updates: dict[str, tuple[str, str] | None], index_file: Path, *,
                  loaded: bool = False) -> str:
        """A tree: `commit`'s, with these paths set to (mode, blob) or removed (None).

        Built in a private index file (the caller removes it), so the repository's own index and
        working tree are untouched. `loaded`: the index file already holds `commit`'s tree (the
        last tree built in it), so it is not read again (at 100k files reading costs ~0.1 s).
        """
        env = {"GIT_INDEX_FILE": str(index_file)}
        if not loaded:
            self._checked(self.run_full("-c", "core.splitIndex=false", "read-tree", commit, env=env))
        lines = "".join(f"0 {'0' * 40}\t{path}\0" if entry is None else f"{entry[0]} {entry[1]}\t{path}\0"
                        for path, entry in updates.items())
        if lines:
            self._checked(self.run_full("-c", "core.splitIndex=false", "update-index", "-z", "--index-info",
                                        input=lines, env=env))
        return self._checked(self.run_full("-c", "core.splitIndex=false", "write-tree", env=env)).strip()

    def commit_tree(self, tree: str, parent: str, message: str, *, author: tuple[str, str, str],
                    identity: tuple[str, str] | None = None) -> str:
        """A commit of `tree` on `parent`, with this author (name, email, raw date) and exact message.

        The committer is whoever runs rjc (git's user.name/user.email, else `identity`).
        """
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": author[2]}
        if identity and not self.config_get("user.email"):
            env |= {"GIT_COMMITTER_NAME": identity[0], "GIT_COMMITTER_EMAIL": identity[1]}
        return self._checked(self.run_full(*self._signing_options(), "commit-tree", *self._sign(), tree, "-p", parent,
                                           "-F", "-", input=message, env=env)).strip()

    def update_branch(self, branch: str, new: str, old: str) -> None:
        """Move refs/heads/BRANCH from `old` to `new` (refused if it is no longer at `old`)."""
        self.run("update-ref", "-m", "rjc sync", f"refs/heads/{branch}", new, old)

    def update_ref(self, ref: str, new: str) -> None:
        self.run("update-ref", ref, new)

    def checkout_tree(self, old: str, new: str) -> None:
        """Bring the index and the working tree from commit `old` to commit `new` (a two-tree
        merge: refuses, changing nothing, if that would overwrite changes not committed)."""
        # read-tree trusts the index's stat data, which our status runs never write back
        # (GIT_OPTIONAL_LOCKS=0): a file written again unchanged would count as changed.
        self.run_full("update-index", "-q", "--refresh")
        self.run("read-tree", "-m", "-u", old, new)

    def reset_paths(self, target: str, paths: list[str]) -> None:
        """Make these paths in the index and working tree what they are in `target` (removing the
        ones `target` does not have). For repairs after an interrupted sync."""
        if not paths:
            return
        present = self.entries_at(target, paths)
        if present:
            self.run("--literal-pathspecs", "checkout", target, "--pathspec-from-file=-", "--pathspec-file-nul",
                     input="\0".join(present) + "\0")
        absent = [p for p in paths if p not in present]
        if absent:
            self.run("--literal-pathspecs", "rm", "--cached", "--quiet", "--ignore-unmatch",
                     "--pathspec-from-file=-", "--pathspec-file-nul", input="\0".join(absent) + "\0")
            for path in absent:
                (self.root / path).unlink(missing_ok=True)

    def staged_differs(self, paths: list[str]) -> bool:
        """Whether the index holds, for any of these paths, something other than HEAD has."""
        result = self.run_full("diff", "--cached", "--quiet", "--", *paths)
        if result.returncode not in (0, 1):
            raise GitError(f"git diff failed: {_first_line(result.stderr) or 'exit ' + str(result.returncode)}")
        return result.returncode == 1

    def status(self, paths: list[str]) -> dict[str, str]:
        """path -> git's two status letters (index, working tree), for these paths' changes and
        new files; empty when the working tree, the index and HEAD agree on all of them."""
        out = self.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *paths)
        return {entry[3:]: entry[:2] for entry in out.split("\0") if len(entry) > 3}

    def uncommitted(self) -> list[str]:
        """Tracked files whose content differs from the last commit (in the index or on disk)."""
        out = self.run("status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames")
        return sorted({entry[3:] for entry in out.split("\0") if len(entry) > 3})

    @staticmethod
    def _checked(result: subprocess.CompletedProcess[str]) -> str:
        if result.returncode != 0:
            raise GitError(f"git failed: {_first_line(result.stderr) or 'exit ' + str(result.returncode)}")
        return result.stdout


# Lock files git takes (a file NAME.lock beside NAME, renamed over it when done) and leaves behind
# when it is killed: in .git itself (index, HEAD, config, packed-refs, shallow, the next-index of
# `commit --only`), under refs/ and logs/ (a branch, its reflog), and objects/info (commit-graph).
LOCK_DIRECTORIES = ("refs", "logs", "objects/info")


class _Discard:
    """Where filter-repo's progress lines go: rjc says what it did in its own words."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def lock_files(root: Path) -> list[Path]:
    """Every git lock file in this repository's .git, sorted (rjc's own directory aside)."""
    git_dir = Path(root) / ".git"
    found = []
    try:
        found += [Path(e.path) for e in os.scandir(git_dir) if e.name.endswith(".lock") and e.is_file(follow_symlinks=False)]
    except OSError:
        return []
    for name in LOCK_DIRECTORIES:
        for directory, _, files in os.walk(git_dir / name):
            found += [Path(directory, f) for f in files if f.endswith(".lock")]
    return sorted(found)


def processes(root: Path) -> list[int] | None:
    """Live git processes working in this repository: their cwd is inside it, or their GIT_DIR is
    its .git. None where there is no /proc to ask (not Linux). Processes this one runs under
    (rjc started from a git hook or alias) are left out: they wait for it."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    real_root = os.path.realpath(root)
    git_dir = os.path.join(real_root, ".git")
    ancestors = _ancestors()
    found = []
    for entry in os.scandir(proc):
        if not entry.name.isdigit() or int(entry.name) in ancestors:
            continue
        try:  # a process that is gone, a zombie (no cwd) or another user's: not ours to wait for
            if (proc / entry.name / "comm").read_text().strip() != "git":
                continue
            cwd = os.readlink(proc / entry.name / "cwd")
            if cwd == real_root or cwd.startswith(real_root + os.sep):
                found.append(int(entry.name))
                continue
            for variable in (proc / entry.name / "environ").read_bytes().split(b"\0"):
                if variable.startswith(b"GIT_DIR="):
                    value = os.fsdecode(variable[len(b"GIT_DIR="):])
                    if os.path.realpath(os.path.join(cwd, value)) == git_dir:
                        found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)


def _ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def _first_line(text: str) -> str:
    """git's message, without its `fatal:`/`error:` prefix: the first line that says something."""
    for line in text.splitlines():
        line = line.strip()
        for prefix in ("fatal: ", "error: ", "remote: "):
            line = line.removeprefix(prefix)
        if line:
            return line
    return ""


def _terminal() -> bool:
    """Whether someone can answer a prompt: rjc's stdin is a terminal (never under cron)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


def signing_key(key: str, fmt: str | None) -> tuple[str, str, str]:
    """What `key` (an SSH key file, or a GPG key id) is: (format, what git's user.signingKey is set
    to, the public half rjc.yaml lists). The format is `fmt`, or else what the key is: a file is an
    SSH key. Nothing private is returned: an SSH private key is named by its path only."""
    path = Path(os.path.expanduser(key))
    if fmt == "ssh" or (fmt is None and path.is_file()):
        if not path.is_file():
            raise GitError(f"no SSH key file {key}")
        try:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            raise GitError(f"cannot read {key}: {exc.strerror}") from None
        if not text.startswith("-----BEGIN"):  # a public key: its private half is in the agent
            return "ssh", str(path.resolve()), text.splitlines()[0] if text else ""
        public = path.with_name(path.name + ".pub")
        if not public.is_file():
            raise GitError(f"{key}.pub is missing: rjc.yaml lists the public half of your key; make it with: "
                           f"ssh-keygen -y -f {key} > {key}.pub")
        return "ssh", str(path.resolve()), public.read_text(encoding="utf-8", errors="replace").strip()
    try:
        result = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", "--", key],
                                env=_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                check=False)
    except FileNotFoundError:
        raise GitError(f"no SSH key file {key}, and gpg is not installed to look for a GPG key") from None
    fingerprints = [line.split(":")[9] for line in result.stdout.splitlines() if line.startswith("fpr:")]
    if result.returncode != 0 or not fingerprints:
        raise GitError(f"no SSH key file {key}, and gpg has no secret key {key}")
    return "openpgp", fingerprints[0], fingerprints[0]


def _global_config(key: str) -> str | None:
    result = subprocess.run(["git", "config", "--get", key], env=_environment(), capture_output=True, text=True,
                            check=False, cwd="/")
    return result.stdout.strip() or None


def clone(url: str, directory: Path, branch: str) -> Git:
    """`git clone` of `branch` from `url` into `directory` (copying objects, never hard-linking
    them to a local source, so their permissions are the clone's own)."""
    env = _environment()
    try:
        result = subprocess.run(["git", *_network_options(_global_config), "clone", "--quiet", "--no-hardlinks", "--origin", "origin",
                                 "--branch", branch, "--", url, str(directory)],
                                env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if result.returncode != 0:
        raise GitError(_first_line(result.stderr) or f"git clone failed (exit {result.returncode})")
    return Git(directory)
