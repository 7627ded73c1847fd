"""`rjc remind --email`: digests delivered to a real SMTP server on loopback, each reminder once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import stat

import pytest
from aiosmtpd.controller import Controller
from test_reminders import (
    EXPECTED,
    PN1,
    PN2,
    PN4,
    C,
    V,
    assert_no_identity,
    save_settings,
    save_world,
    settings,
    world,
)

from rjc.model.settings import Mail
from rjc.outputs import mail
from rjc.storage import private
from rjc.storage.errors import RjcError
from rjc.workflows.repository import Repository

from helpers import git

KB, MR = "kb@center.example.org", "mr@center.example.org"
V1, V2, V3, V4 = (f"v{n}@volunteers.example.org" for n in (1, 2, 3, 4))
SENDER = "reminders@center.example.org"


class Handler:
    """Keeps every message; refuses the recipients in `reject`."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.reject: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, email.message.EmailMessage]:
        found = {}
        for recipients, content in self.messages:
            (to,) = recipients
            assert to not in found, f"two digests to {to}"
            found[to] = email.message_from_bytes(content, policy=email.policy.default)
        return found


class OnPortZero(Controller):
    """aiosmtpd's server on a port the kernel picks (port 0) and that stays ours from the start:
    tests running in parallel never race for a port."""

    def __init__(self, handler):
        self.listening = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self.listening.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.listening, ssl=self.ssl_context)


@pytest.fixture
def smtp():
    handler = Handler()
    controller = OnPortZero(handler)
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def mail_settings(port: int, **changes) -> Mail:
    return Mail(**{"host": "127.0.0.1", "port": port, "security": "none", "sender": SENDER, "send_from": "KB",
                   "timeout": 5, **changes})


@pytest.fixture
def center(repo, smtp) -> Repository:
    return save_world(repo, world(mail_settings(smtp.port)))


def remind(rjc, root, *args, today="2026-12-31"):
    return rjc("--records", root, "remind", "--as-of", today, *args)


def sent_log(root) -> list[dict]:
    path = root / ".git" / "rjc" / private.SENT_LOG
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- delivery ------------------------------------------------------------------------------------


def test_one_digest_per_recipient_with_ids_only(center, smtp, rjc):
    result = remind(rjc, center.root, "--email")
    assert result.code == 0, result.err
    got = smtp.by_recipient()
    assert set(got) == {KB, MR, V1, V2, V3, V4}  # V5 has no email address
    for raw in (content for _, content in smtp.messages):
        assert_no_identity(raw.decode())
    for address, message in got.items():
        assert message["To"] == address and message["From"] == SENDER
        assert message["Subject"].startswith("rjc reminders for 2026-12-31")
    kb, mr = body(got[KB]), body(got[MR])
    assert PN1 in kb and PN2 not in kb and C(3) in kb and C(4) in kb and "quarterly report" in kb
    assert PN2 in mr and C(2) in mr and C(5) in mr and PN1 not in mr and C(3) not in mr
    assert f"{V(4)}: background check" in kb and f"{V(4)}: background check" in mr
    # Volunteers hear of their own panels, and of nothing else.
    assert PN1 in body(got[V1]) and PN2 not in body(got[V1])
    assert PN1 in body(got[V2]) and PN2 in body(got[V2])
    assert PN2 in body(got[V4]) and PN1 not in body(got[V4]) and "background check" not in body(got[V4])
    for volunteer in (V1, V2, V3, V4):
        assert "Town Hall" in body(got[volunteer]) or "meet.example.org" in body(got[volunteer])
        assert C(3) not in body(got[volunteer]) and "quarterly" not in body(got[volunteer])
    # A volunteer does not run rjc: their own panel, when and where, in words.
    assert body(got[V1]).replace("\r\n", "\n") == (
        f"Reminders for {V(1)} on 2026-12-31 (1):\n\n"
        f"- Your panel meets on Friday 1 January 2027 at 18:00 at Town Hall, room 2 (until 19:30). "
        f"Its number, if you write to your coordinator: {PN1}.\n\n"
        "Your coordinator has the details; no names are sent by email, by design.\n"
        "Sent once by rjc for Barre Community Justice Center; reply to your coordinator, not to this address.\n")
    assert all("rjc show" not in body(got[v]) for v in (V1, V2, V3, V4)) and "rjc show" in kb
    assert (f"- 2026-12-18  panel-unrecorded: panel {PN4} on 2026-12-18 18:00-19:30 has passed and is not "
            f"recorded; cases: {C(1)}; run: rjc panel record {PN4}") in kb and PN4 not in body(got[V1])
    assert "sent KB: " in result.out and "Zebulon" not in result.out
    assert result.err == f"warning: no email address for {V(5)} in their person record; its reminders were not sent\n"
    assert_no_identity(result.out + result.err)


def test_a_second_run_sends_nothing(center, smtp, rjc):
    assert remind(rjc, center.root, "--email").code == 0
    first = len(smtp.messages)
    again = remind(rjc, center.root, "--email")
    assert again.code == 0 and again.out == ""
    assert len(smtp.messages) == first


def test_sent_log_is_private_uncommitted_and_keyed_by_occasion(center, smtp, rjc):
    commits = git(center.root, "rev-list", "--count", "HEAD")
    assert remind(rjc, center.root, "--email").code == 0
    path = center.root / ".git" / "rjc" / private.SENT_LOG
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = sent_log(center.root)
    assert {(e["kind"], e["record"], e["occasion"], e["to"]) for e in entries} >= {
        ("panel", PN1, "2027-01-01", "KB"), ("panel", PN1, "2027-01-01", V(1)), ("no-contact", C(3), "2026-12-15", "KB")}
    assert not any(e["to"] == V(5) for e in entries)  # never sent, so never recorded
    assert git(center.root, "rev-list", "--count", "HEAD") == commits
    assert git(center.root, "status", "--porcelain") == ""
    # A new occasion (a rescheduled panel) re-arms the reminder.
    panel = center.get(PN1)
    panel.date = dt.date(2027, 1, 2)
    panel.history.append(panel.history[0].model_copy(update={"action": "rescheduled", "date": dt.date(2026, 12, 31)}))
    center.save(panel, "reschedule", command="test")
    smtp.messages.clear()
    assert remind(rjc, center.root, "--email").code == 0
    got = smtp.by_recipient()
    assert set(got) == {KB, V1, V2, V3}
    assert "Saturday 2 January 2027" in body(got[V1]) and C(3) not in body(got[KB])


def test_dry_run_sends_and_records_nothing(center, smtp, rjc):
    result = remind(rjc, center.root, "--email", "--dry-run")
    assert result.code == 0, result.err
    assert smtp.messages == [] and sent_log(center.root) == []
    assert "to KB (address on file)" in result.out and f"to {V(5)} (NO ADDRESS" in result.out
    assert PN1 in result.out
    assert_no_identity(result.out + result.err)


def test_only_the_sending_clone_sends(center, smtp, rjc, monkeypatch):
    monkeypatch.setenv("RJC_COORDINATOR", "MR")
    result = remind(rjc, center.root, "--email")
    assert result.code == 0
    assert "not the sending clone" in result.err and result.out == ""
    assert smtp.messages == [] and sent_log(center.root) == []


# --- failures ------------------------------------------------------------------------------------


def test_a_rejected_recipient_stays_unsent_and_is_retried(center, smtp, rjc):
    smtp.reject.add(V2)
    result = remind(rjc, center.root, "--email")
    assert result.code == 1
    assert result.err.splitlines()[-1] == f"Error: mail not sent to 1 recipient(s) ({V(2)}: recipient refused (550 5.1.1 <address> Recipient address rejected)); 5 sent. What was not sent stays unsent and the next run tries again (sent-log: .git/rjc/reminders-sent.jsonl)" and "the next run tries again" in result.err
    assert V2 not in result.err  # the server's echo of the address is not repeated
    assert set(smtp.by_recipient()) == {KB, MR, V1, V3, V4}
    assert not any(e["to"] == V(2) for e in sent_log(center.root))
    smtp.reject.clear()
    smtp.messages.clear()
    again = remind(rjc, center.root, "--email")
    assert again.code == 0, again.err
    assert set(smtp.by_recipient()) == {V2}
    text = body(smtp.by_recipient()[V2])
    assert PN1 in text and PN2 in text


def test_smtp_down_is_a_clear_error_and_nothing_is_recorded(repo, rjc):
    with socket.socket() as taken:  # bound, so no other test can listen there, but not listening
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        center = save_world(repo, world(mail_settings(port)))
        result = remind(rjc, center.root, "--email")
    assert result.code == 1
    assert result.err == f"Error: cannot send mail through 127.0.0.1:{port}: connection refused; nothing was sent, the next run will try again\n"
    assert sent_log(center.root) == []


def test_smtp_that_never_answers_times_out(repo, rjc):
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        center = save_world(repo, world(mail_settings(silent.getsockname()[1], timeout=0.5)))
        result = remind(rjc, center.root, "--email")
    assert result.code == 1
    assert "timed out" in result.err and sent_log(center.root) == []


def test_a_crash_between_send_and_record_gives_a_duplicate_not_a_miss(center, smtp, rjc, monkeypatch):
    real = mail.SentLog.record
    calls = []

    def crash_once(self, reminders, recipient, when):
        calls.append(recipient)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(self, reminders, recipient, when)

    monkeypatch.setattr(mail.SentLog, "record", crash_once)
    first = remind(rjc, center.root, "--email")
    assert first.code == 1
    assert "sent KB's digest but could not record it" in first.err
    assert [to for to, _ in smtp.messages] == [[KB]]  # delivered, but not recorded
    assert sent_log(center.root) == []
    monkeypatch.setattr(mail.SentLog, "record", real)
    smtp.messages.clear()
    assert remind(rjc, center.root, "--email").code == 0
    assert set(smtp.by_recipient()) == {KB, MR, V1, V2, V3, V4}  # KB's digest again: a duplicate


def test_missing_mail_settings_are_named(repo, rjc):
    center = save_world(repo, world())
    result = remind(rjc, center.root, "--email")
    assert result.code == 1
    assert result.err == "Error: missing mail settings in rjc.yaml: mail.host, mail.sender, mail.send_from (see the README: Reminders and the calendar)\n"
    center = save_settings(center, settings(Mail(host="smtp.example.org")))
    result = remind(rjc, center.root, "--email")
    assert result.err == "Error: missing mail settings in rjc.yaml: mail.sender, mail.send_from (see the README: Reminders and the calendar)\n"


def test_a_world_readable_password_file_is_refused(center, smtp, rjc, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2\n")
    secret.chmod(0o644)
    center = save_settings(center, settings(mail_settings(smtp.port, username="rjc", password_file=str(secret))))
    result = remind(rjc, center.root, "--email")
    assert result.code == 1
    assert "can be read by others" in result.err and "chmod 600" in result.err
    assert "hunter2" not in result.err + result.out
    assert smtp.messages == [] and sent_log(center.root) == []


def test_password_sources(tmp_path, monkeypatch, repo):
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2\n")
    secret.chmod(0o600)
    assert mail.password(mail_settings(25, username="rjc", password_file=str(secret)), repo.root) == "hunter2"
    monkeypatch.setenv("RJC_SMTP_PASSWORD", "from-env")
    with_env = mail_settings(25, username="rjc", password_env="RJC_SMTP_PASSWORD", password_file=str(secret))
    assert mail.password(with_env, repo.root) == "from-env"
    monkeypatch.delenv("RJC_SMTP_PASSWORD")
    assert mail.password(with_env, repo.root) == "hunter2"  # the file, when the variable is not set
    with pytest.raises(RjcError, match="RJC_SMTP_PASSWORD, which is not set"):
        mail.password(mail_settings(25, username="rjc", password_env="RJC_SMTP_PASSWORD"), repo.root)
    inside = repo.root / "password"
    inside.write_text("hunter2")
    inside.chmod(0o600)
    with pytest.raises(RjcError, match="inside the records repository"):
        mail.password(mail_settings(25, username="rjc", password_file=str(inside)), repo.root)
    with pytest.raises(RjcError, match="no password source"):
        mail.password(mail_settings(25, username="rjc"), repo.root)
    assert mail.password(mail_settings(25), repo.root) is None  # no login at all


def test_a_password_is_never_sent_in_the_clear_to_another_host():
    with pytest.raises(RjcError, match="unencrypted"):
        mail.connect(mail_settings(25, host="smtp.example.org", username="rjc"), "hunter2")


def test_a_torn_last_line_costs_a_duplicate_never_a_miss(repo):
    log = mail.SentLog(repo.root)
    reminder = world().due()[0]
    log.record([reminder], "KB", dt.datetime(2026, 12, 31, 7, 15, tzinfo=dt.UTC))
    with open(log.path, "a") as handle:
        handle.write('{"kind": "panel", "rec')  # a crash in the middle of a line
    log.record([reminder], "MR", dt.datetime(2026, 12, 31, 7, 16, tzinfo=dt.UTC))
    assert log.keys() == {reminder.key("KB"), reminder.key("MR")}


def test_pending_leaves_out_what_was_sent():
    found = world().due()
    sent = {r.key("KB") for r in found}
    digests = mail.pending(found, sent, {"KB": KB, "MR": MR})
    assert "KB" not in [d.recipient for d in digests]
    assert [d.recipient for d in digests][:1] == ["MR"]
    assert {(r.kind, r.record_id, r.due_date) for d in digests for r in d.reminders} < EXPECTED
