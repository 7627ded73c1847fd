"""rjc clone and rjc sync over SSH, with the connection cut in the middle of a push.

The remote is a bare repository served by a throwaway SSH server on 127.0.0.1 (asyncssh, in a
thread of the test process), with a host key and a client key of its own; the clones reach it
with the system's ssh client, as a coordinator's machine does. The server runs the
git-upload-pack or git-receive-pack it is asked for against the bare repository, and can be
told to cut the connection part-way through a push.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import threading
import warnings
from pathlib import Path

import pytest

from rjc.storage import layout, private
from rjc.workflows import sync as core

from helpers import git

with warnings.catch_warnings():  # the crypto library's deprecation notices, at import
    warnings.simplefilter("ignore")
    import asyncssh

HEALTHY, CUT_MID_PACK, CUT_BEFORE_REPORT = "healthy", "cut in the middle of the pack", "cut before the report"
PACK_BYTES_BEFORE_CUT = 20  # of the packfile a push sends, what reaches the remote before the cut


class GitOverSsh:
    """An SSH server that serves one bare repository to git, and can cut a push short."""

    def __init__(self, directory: Path, repository: Path):
        self.repository = repository
        self.mode = HEALTHY
        self.cuts = 0  # connections cut
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.key_file = directory / "client_key"
        client_key.write_private_key(str(self.key_file))
        os.chmod(self.key_file, 0o600)
        self.authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
        self.known_hosts = directory / "known_hosts"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()
        async def listen():
            return await asyncssh.create_server(
                asyncssh.SSHServer, "127.0.0.1", 0, server_host_keys=[self.host_key],
                authorized_client_keys=self.authorized, process_factory=self._serve, encoding=None)

        self.acceptor = self._call(listen())
        self.port = self.acceptor.get_port()
        algorithm, key = self.host_key.export_public_key("openssh").decode().split()[:2]
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {algorithm} {key}\n")

    def stop(self) -> None:
        self.acceptor.close()
        self._call(self.acceptor.wait_closed())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    @property
    def url(self) -> str:
        return f"ssh://coordinator@127.0.0.1:{self.port}{self.repository}"

    @property
    def ssh_command(self) -> str:
        """The client, strict and non-interactive: this host key only, this client key only."""
        return shlex.join(["ssh", "-F", "/dev/null", "-i", str(self.key_file), "-o", "IdentitiesOnly=yes",
                           "-o", "IdentityAgent=none", "-o", f"UserKnownHostsFile={self.known_hosts}",
                           "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
                           "-o", "BatchMode=yes"])

    async def _serve(self, process: asyncssh.SSHServerProcess) -> None:
        argv = shlex.split(process.command or "")
        if len(argv) != 2 or argv[0] not in ("git-upload-pack", "git-receive-pack") \
                or Path(argv[1]) != self.repository:
            process.stderr.write(b"this server serves git, for one repository\n")
            process.exit(1)
            return
        mode = self.mode if argv[0] == "git-receive-pack" else HEALTHY
        child = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.PIPE,
                                                     stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        client_spoke, cut = asyncio.Event(), asyncio.Event()

        async def from_client() -> None:
            seen = b""
            try:
                while chunk := await process.stdin.read(65536):
                    client_spoke.set()
                    if mode == CUT_MID_PACK:
                        before, seen = len(seen), seen + chunk
                        at = seen.find(b"PACK")  # the packfile's signature, after the ref updates
                        if at >= 0 and len(seen) >= at + PACK_BYTES_BEFORE_CUT:
                            child.stdin.write(chunk[:at + PACK_BYTES_BEFORE_CUT - before])
                            self.cuts += 1
                            cut.set()
                            return
                    child.stdin.write(chunk)
                    await child.stdin.drain()
            finally:
                child.stdin.close()

        async def to_client(stream, writer) -> None:
            while chunk := await stream.read(65536):
                if cut.is_set() or (mode == CUT_BEFORE_REPORT and client_spoke.is_set()):
                    continue  # the client is gone, or must not hear that the push was taken
                writer.write(chunk)

        reading = asyncio.ensure_future(from_client())
        writing = asyncio.ensure_future(asyncio.gather(to_client(child.stdout, process.stdout),
                                                       to_client(child.stderr, process.stderr)))
        cutting = asyncio.ensure_future(cut.wait())
        await asyncio.wait([writing, cutting], return_when=asyncio.FIRST_COMPLETED)
        if cut.is_set():
            process.get_extra_info("connection").abort()  # the network goes, mid-push
        await writing  # git on this side sees its input end, and stops
        code = await child.wait()
        for task in (reading, cutting):
            task.cancel()
        await asyncio.gather(reading, cutting, return_exceptions=True)
        if mode == CUT_BEFORE_REPORT:
            self.cuts += 1
            process.get_extra_info("connection").abort()  # the push is in, the answer lost
        elif not cut.is_set():
            process.exit(code)


@pytest.fixture
def server(tmp_path, monkeypatch):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    served = GitOverSsh(tmp_path, remote)
    served.start()
    monkeypatch.setenv("GIT_SSH_COMMAND", served.ssh_command)
    yield served
    served.stop()


@pytest.fixture
def clones(server, tmp_path, make_repo, rjc, monkeypatch):
    """(A, B): A made by rjc init and sent to the empty remote over SSH; B cloned from it over SSH."""
    monkeypatch.delenv("RJC_COORDINATOR")  # each clone works as the coordinator its git config names
    a = make_repo(tmp_path / "a").root
    core.make_owner_only(a)  # made in this process, under its umask: as `rjc init` (umask 077) makes it
    git(a, "remote", "add", "origin", server.url)
    first = rjc("--records", a, "sync")
    assert (first.code, first.out) == (0, "sent 2 changes\n"), first.err
    b = tmp_path / "b"
    cloned = rjc("clone", server.url, b, "--coordinator", "mr")
    assert cloned.code == 0, cloned.err
    return a, b


def new_person(rjc, root: Path, tmp_path: Path, n: int) -> str:
    source = tmp_path / f"person-{n}.yaml"
    source.write_text(f"given_name: Given{n}\nfamily_name: Family{n}\n", encoding="utf-8")
    result = rjc("--records", root, "new", "person", "--from-file", source)
    assert result.code == 0, result.err
    return result.out.strip()


def head(root: Path, ref: str = "HEAD") -> str:
    return git(root, "rev-parse", ref).strip()


def assert_nothing_left(rjc, root: Path) -> None:
    """No sync state, every file committed and valid, nothing for rjc doctor to repair."""
    assert not (root / ".git" / "rjc" / private.SYNC_STATE).exists()
    assert git(root, "status", "--porcelain") == ""
    checked = rjc("--records", root, "check")
    assert (checked.code, checked.err) == (0, "all records valid\n"), checked
    doctor = rjc("--records", root, "doctor")
    assert (doctor.code, doctor.out) == (0, "nothing to repair\n"), doctor


def test_clone_and_sync_both_ways_over_ssh(clones, server, rjc, tmp_path):
    a, b = clones
    assert head(a) == head(b) == head(server.repository, "main")
    person_b = new_person(rjc, b, tmp_path, 1)
    assert rjc("--records", b, "sync").out == f"sent 1 change: {person_b}\n"
    person_a = new_person(rjc, a, tmp_path, 2)
    synced = rjc("--records", a, "sync")
    assert synced.out == f"received 1 change: {person_b}\nsent 1 change: {person_a}\n", synced
    assert rjc("--records", b, "sync").out == f"received 1 change: {person_a}\n"
    assert head(a) == head(b) == head(server.repository, "main")
    assert (b / layout.parse_id(person_a).path).is_file()
    assert_nothing_left(rjc, a)
    assert_nothing_left(rjc, b)


def test_a_connection_cut_in_the_middle_of_a_push_loses_nothing_and_the_next_sync_sends(clones, server, rjc,
                                                                                         tmp_path):
    a, b = clones
    remote_before = head(server.repository, "main")
    person = new_person(rjc, a, tmp_path, 1)
    local = head(a)
    server.mode = CUT_MID_PACK
    cut = rjc("--records", a, "sync")
    assert cut.code == 1 and server.cuts == 1, cut
    assert cut.err.startswith("Error: could not send to 'origin': ")
    assert cut.err.endswith(". What came in is integrated here and your changes are safe in this clone; "
                            "run rjc sync again when 'origin' can be reached\n")
    assert ".." not in cut.err and "Traceback" not in cut.err and cut.out == ""
    assert head(a) == local and head(a, "origin/main") == remote_before
    assert head(server.repository, "main") == remote_before
    assert_nothing_left(rjc, a)
    server.mode = HEALTHY
    assert rjc("--records", a, "sync").out == f"sent 1 change: {person}\n"
    assert head(server.repository, "main") == head(a) == local
    assert rjc("--records", b, "sync").out == f"received 1 change: {person}\n"
    assert_nothing_left(rjc, a)


def test_a_push_taken_by_the_remote_whose_answer_is_lost_is_not_sent_twice(clones, server, rjc, tmp_path):
    a, b = clones
    person = new_person(rjc, a, tmp_path, 1)
    local = head(a)
    server.mode = CUT_BEFORE_REPORT
    cut = rjc("--records", a, "sync")
    assert cut.code == 1 and server.cuts == 1, cut
    assert cut.err.startswith("Error: could not send to 'origin': ")
    assert head(server.repository, "main") == local  # it arrived; only the answer was lost
    server.mode = HEALTHY
    assert rjc("--records", a, "sync").out == "up to date\n"
    assert head(a) == head(a, "origin/main") == head(server.repository, "main") == local
    assert rjc("--records", b, "sync").out == f"received 1 change: {person}\n"
    assert_nothing_left(rjc, a)


def test_ssh_gives_up_on_a_stalled_connection_unless_the_user_chose_their_own_ssh(repo, rjc, tmp_path, monkeypatch):
    """ssh runs with keep-alives, so a connection that stalls without closing ends the sync
    within a minute instead of holding it (and the write lock) for as long as TCP waits."""
    calls = tmp_path / "ssh-calls"
    fake = tmp_path / "bin" / "ssh"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\necho "ssh: connect to host 127.0.0.1: Connection refused" >&2\n'
                    "exit 255\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    git(repo.root, "remote", "add", "origin", "ssh://coordinator@127.0.0.1:2222/records.git")
    result = rjc("--records", repo.root, "sync")
    assert result.code == 1 and result.err == "Error: cannot reach 'origin': ssh: connect to host 127.0.0.1: Connection refused. Nothing was changed here; your work is safe in this clone. Run rjc sync again when the remote can be reached\n"
    assert calls.read_text().startswith("-o ServerAliveInterval=15 -o ServerAliveCountMax=4 ")
    calls.unlink()
    git(repo.root, "config", "core.sshCommand", f"{fake} -o BatchMode=yes")
    assert rjc("--records", repo.root, "sync").code == 1
    assert "ServerAlive" not in calls.read_text()
