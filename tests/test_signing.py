"""Signed commits, with real keys: an SSH key made by ssh-keygen, a GPG key in a GNUPGHOME of
the test's own. `rjc whoami --signing-key` names the key in git's config and lists its public
half in rjc.yaml; with `signing.format` set every rjc commit is signed; a key that would need a
passphrase no one can type is refused before anything is written; `rjc log --verify` says who
signed each commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from rjc.storage import layout

from helpers import git

RJC = str(Path(sys.executable).parent / "rjc")
YEAR = __import__("datetime").date.today().year
PERSON = f"P-{YEAR}-KB-0001"
SIGNER = ["-c", "user.name=Someone", "-c", "user.email=someone@example.org"]


def ssh_key(directory: Path, name: str, passphrase: str = "") -> Path:
    path = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "user@host", "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL)
    return path


def public(path: Path) -> str:
    return " ".join(path.with_name(path.name + ".pub").read_text().split()[:2])


def new_person(rjc, root: Path, tmp_path: Path) -> str:
    source = tmp_path / "person.yaml"
    source.write_text("given_name: Ana\nfamily_name: Rivera\n", encoding="utf-8")
    result = rjc("--records", root, "new", "person", "--from-file", source)
    assert result.code == 0, result.err
    return result.out.strip()


def verified(rjc, root: Path) -> list[str]:
    """rjc log --verify, each line without its date."""
    result = rjc("--records", root, "log", "--verify")
    assert result.code == 0, result.err
    return [line[18:] for line in result.out.splitlines()]


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_ssh_signed_commits_and_log_verify(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    key = ssh_key(tmp_path, "kb")
    listed = rjc("--records", repo.root, "whoami", "--signing-key", key)
    assert listed.code == 0, listed.err
    assert listed.out == "KB\tKim Bell\n"
    assert listed.err.splitlines()[0] == f"this clone signs its commits with {key} (ssh)"
    assert listed.err.splitlines()[-1] == "commits are signed once signing is on: rjc settings set signing.format ssh"
    assert git(repo.root, "config", "user.signingKey").strip() == str(key)
    assert git(repo.root, "config", "gpg.format").strip() == "ssh"
    text = (repo.root / layout.SETTINGS_FILE).read_text()
    assert f"  signing_key: {public(key)}\n" in text  # the public half, without its comment
    assert "user@host" not in text and "PRIVATE" not in text
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "settings: set coordinators.KB.signing_key in rjc.yaml"
    again = rjc("--records", repo.root, "whoami", "--signing-key", key)  # already listed: no commit
    assert again.code == 0 and "committed" not in again.err

    turned_on = rjc("--records", repo.root, "settings", "set", "signing.format", "ssh")
    assert turned_on.code == 0, turned_on.err
    assert "signing:\n  format: ssh\n" in (repo.root / layout.SETTINGS_FILE).read_text()
    person = new_person(rjc, repo.root, tmp_path)
    git(repo.root, *SIGNER, "commit", "--quiet", "--allow-empty", "-m", "plain commit")
    stranger = ssh_key(tmp_path, "stranger")
    git(repo.root, *SIGNER, "-c", "gpg.format=ssh", "-c", f"user.signingKey={stranger}", "commit", "--quiet",
        "--allow-empty", "-S", "-m", "signed by a stranger")
    # A signed commit whose content was changed afterwards: its signature no longer holds.
    signed = git(repo.root, "cat-file", "commit", "HEAD~2").replace("new person", "new persons")
    forged = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo.root, input=signed,
                            capture_output=True, text=True, check=True).stdout.strip()
    git(repo.root, *SIGNER, "-c", "gpg.format=ssh", "-c", f"user.signingKey={key}", "commit", "--quiet",
        "--allow-empty", "-S", "-m", "after the forged one")
    shas = git(repo.root, "log", "--format=%H").split()
    assert verified(rjc, repo.root) == [
        f"Someone  after the forged one  ({shas[0][:10]})  signed KB",
        f"Someone  signed by a stranger  ({shas[1][:10]})  signed by an unknown key",
        f"Someone  plain commit  ({shas[2][:10]})  not signed",
        f"KB    new person {person}  ({shas[3][:10]})  signed KB",
        f"KB    settings: set signing.format in rjc.yaml  ({shas[4][:10]})  signed KB",
        f"KB    settings: set coordinators.KB.signing_key in rjc.yaml  ({shas[5][:10]})  not signed",
        f"KB    add coordinator MR  ({shas[6][:10]})  not signed",
        f"KB    init records repository  ({shas[7][:10]})  not signed",
    ]
    git(repo.root, "update-ref", "refs/heads/main", forged)
    git(repo.root, "reset", "--quiet", "--hard")
    assert verified(rjc, repo.root)[0] == f"KB    new persons {person}  ({forged[:10]})  bad signature"
    allowed = repo.root / ".git" / "rjc" / "allowed-signers"
    assert allowed.read_text() == f'KB namespaces="git" {public(key)}\n'
    assert allowed.stat().st_mode & 0o077 == 0


def test_a_key_locked_by_its_passphrase_is_refused_before_anything_is_written(repo, rjc, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    locked = ssh_key(tmp_path, "locked", passphrase="correct horse")
    assert rjc("--records", repo.root, "whoami", "--signing-key", locked).code == 0  # signing is off: no signature
    before = head(repo.root)
    refused = rjc("--records", repo.root, "settings", "set", "signing.format", "ssh")
    message = (f"Error: the signing key {locked} needs its passphrase and no agent holds it; unlock it "
               f"(ssh-add {locked}) or run rjc on a terminal; nothing was changed\n")
    assert (refused.code, refused.err) == (1, message)
    assert head(repo.root) == before and "\nsigning:" not in (repo.root / layout.SETTINGS_FILE).read_text()

    # Turned on elsewhere (synced in): rjc, run as cron runs it, refuses at once and never waits.
    settings = repo.root / layout.SETTINGS_FILE
    settings.write_text(settings.read_text() + "signing:\n  format: ssh\n")
    git(repo.root, *SIGNER, "commit", "--quiet", "-am", "signing on")
    before = head(repo.root)
    source = tmp_path / "person.yaml"
    source.write_text("given_name: Ana\nfamily_name: Rivera\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "DISPLAY", "SSH_ASKPASS")}
    result = subprocess.run([RJC, "--records", str(repo.root), "new", "person", "--from-file", str(source)],
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                            start_new_session=True)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)
    assert head(repo.root) == before
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (repo.root / ".git" / "rjc" / "journal.json").exists()


def test_a_key_held_by_the_agent_signs_without_a_prompt(repo, rjc, tmp_path, monkeypatch):
    locked = ssh_key(tmp_path, "locked", passphrase="correct horse")
    agent = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent.sock")], capture_output=True, text=True,
                           check=True).stdout
    pid = int(agent.split("SSH_AGENT_PID=")[1].split(";")[0])
    try:
        monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
        askpass = tmp_path / "askpass"
        askpass.write_text("#!/bin/sh\necho 'correct horse'\n")
        askpass.chmod(0o700)
        subprocess.run(["ssh-add", "-q", str(locked)], check=True, stdin=subprocess.DEVNULL, capture_output=True,
                       env={**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"})
        assert rjc("--records", repo.root, "whoami", "--signing-key", locked).code == 0
        assert rjc("--records", repo.root, "settings", "set", "signing.format", "ssh").code == 0
        person = new_person(rjc, repo.root, tmp_path)
        assert verified(rjc, repo.root)[0] == f"KB    new person {person}  ({head(repo.root)[:10]})  signed KB"
    finally:
        os.kill(pid, 15)


def test_signing_on_without_a_key_in_this_clone_is_a_clear_error(repo, rjc, tmp_path):
    settings = repo.root / layout.SETTINGS_FILE
    settings.write_text(settings.read_text() + "signing:\n  format: ssh\n")
    git(repo.root, *SIGNER, "commit", "--quiet", "-am", "signing on")
    source = tmp_path / "person.yaml"
    source.write_text("given_name: Ana\nfamily_name: Rivera\n", encoding="utf-8")
    result = rjc("--records", repo.root, "new", "person", "--from-file", source)
    assert (result.code, result.err) == (1, "Error: commits are signed here (rjc.yaml signing.format: ssh) and this "
                                            "clone has no signing key; set yours: rjc whoami --signing-key PATH "
                                            "(an SSH key file); nothing was changed\n")


def test_a_key_rjc_cannot_find_changes_nothing(repo, rjc, tmp_path, gnupg):
    missing = tmp_path / "missing"
    bad = rjc("--records", repo.root, "whoami", "--signing-key", missing)
    assert (bad.code, bad.err) == (1, f"Error: no SSH key file {missing}, and gpg has no secret key {missing}\n")
    key = ssh_key(tmp_path, "kb")
    key.with_name("kb.pub").unlink()
    no_public = rjc("--records", repo.root, "whoami", "--signing-key", key)
    assert (no_public.code, no_public.err) == (1, f"Error: {key}.pub is missing: rjc.yaml lists the public half of "
                                                  f"your key; make it with: ssh-keygen -y -f {key} > {key}.pub\n")
    unset = subprocess.run(["git", "config", "--get", "user.signingKey"], cwd=repo.root, capture_output=True)
    assert unset.returncode == 1


@pytest.fixture
def gnupg(monkeypatch):
    """A GNUPGHOME of the test's own (short: gpg-agent's socket path must be), its agent stopped after."""
    if shutil.which("gpg") is None:
        pytest.fail("gpg is not installed")
    home = Path(tempfile.mkdtemp(prefix="g", dir="/tmp"))
    monkeypatch.setenv("GNUPGHOME", str(home))
    yield home
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env={**os.environ, "GNUPGHOME": str(home)}, check=False)
    shutil.rmtree(home, ignore_errors=True)


def gpg_key(uid: str, passphrase: str = "") -> str:
    subprocess.run(["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", passphrase,
                    "--quick-gen-key", uid, "ed25519", "sign", "never"], check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", uid], check=True,
                             capture_output=True, text=True).stdout
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))


def test_openpgp_signed_commits(repo, rjc, tmp_path, gnupg):
    fingerprint = gpg_key("Coordinator KB <kb@example.org>")
    listed = rjc("--records", repo.root, "whoami", "--signing-key", fingerprint[-16:])
    assert listed.code == 0, listed.err
    assert listed.err.splitlines()[0] == f"this clone signs its commits with {fingerprint[-16:]} (openpgp)"
    assert f"  signing_key: {fingerprint}\n" in (repo.root / layout.SETTINGS_FILE).read_text()
    assert git(repo.root, "config", "user.signingKey").strip() == fingerprint
    assert rjc("--records", repo.root, "settings", "set", "signing.format", "openpgp").code == 0
    person = new_person(rjc, repo.root, tmp_path)
    other = gpg_key("Someone Else <else@example.org>")
    git(repo.root, *SIGNER, "-c", "gpg.format=openpgp", "-c", f"user.signingKey={other}", "commit", "--quiet",
        "--allow-empty", "-S", "-m", "signed by a stranger")
    shas = git(repo.root, "log", "--format=%H").split()
    assert verified(rjc, repo.root)[:3] == [
        f"Someone  signed by a stranger  ({shas[0][:10]})  signed by an unknown key",
        f"KB    new person {person}  ({shas[1][:10]})  signed KB",
        f"KB    settings: set signing.format in rjc.yaml  ({shas[2][:10]})  signed KB",
    ]


def test_a_locked_gpg_key_is_refused_without_a_terminal(repo, rjc, tmp_path, gnupg):
    fingerprint = gpg_key("Coordinator KB <kb@example.org>", passphrase="correct horse")
    assert rjc("--records", repo.root, "whoami", "--signing-key", fingerprint).code == 0
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], check=False)  # forgets any passphrase it was given
    before = head(repo.root)
    refused = rjc("--records", repo.root, "settings", "set", "signing.format", "openpgp")
    assert (refused.code, refused.err) == (1, f"Error: the signing key {fingerprint} needs its passphrase and no "
                                              f"agent holds it; unlock it (gpg-agent keeps it once you sign on a "
                                              f"terminal) or run rjc on a terminal; nothing was changed\n")
    assert head(repo.root) == before


def test_a_private_key_pasted_into_rjc_yaml_is_refused(repo, rjc):
    settings = repo.root / layout.SETTINGS_FILE
    text = settings.read_text()
    settings.write_text(text.replace("  name: Kim Bell\n", "  name: Kim Bell\n  signing_key: b3BlbnNzaC1rZXktdjEAAAAA\n"))
    line = text.splitlines().index("  name: Kim Bell") + 2
    result = rjc("--records", repo.root, "check")
    assert result.code == 1
    assert result.out.splitlines()[0] == (f"rjc.yaml:{line}:16: error: coordinators[0].signing_key: must be an SSH "
                                          f"public key line (ssh-ed25519 AAAA...) or an OpenPGP fingerprint (40 hex "
                                          f"digits); never a private key [invalid-value]")
