"""Reminder digests by email: one message per recipient, each reminder sent once.

Once is kept by a sent-log (`private.SENT_LOG`) in the clone that sends: outside
version control (sending is read-only for the records: it never takes the write lock, never
commits), owner-only, one JSON line per (kind, record, occasion, recipient). A line is appended
and fsynced right after its digest was accepted by the server, so a crash between sending and
recording gives a duplicate on the next run, never a miss. Only the clone of the coordinator
named in `mail.send_from` sends, so two coordinators' machines never both send the same digest.

The password comes from an environment variable or an owner-only file outside the repository,
never from the repository itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import smtplib
import socket
import ssl
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from rjc.model import Settings
from rjc.model.settings import Mail
from rjc.outputs.reminders import Reminder
from rjc.storage import layout, locks, private
from rjc.storage.errors import RjcError

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
_ADDRESS = re.compile(r"\S+@\S+")


# --- settings and password -----------------------------------------------------------------------


def require(settings: Settings) -> Mail:
    """The mail settings, or an error naming every one that is missing."""
    mail = settings.mail
    needed = ("host", "sender", "send_from")
    missing = [f"mail.{name}" for name in needed if mail is None or not getattr(mail, name)]
    if missing:
        raise RjcError(f"missing mail settings in {layout.SETTINGS_FILE}: {', '.join(missing)} "
                       "(see the README: Reminders and the calendar)")
    assert mail is not None  # else every setting is missing
    if mail.send_from and settings.coordinator(mail.send_from) is None:
        raise RjcError(f"mail.send_from is {mail.send_from}, which is not a coordinator in {layout.SETTINGS_FILE}")
    return mail


def port(mail: Mail) -> int:
    return mail.port or DEFAULT_PORTS[mail.security]


def password(mail: Mail, root: Path) -> str | None:
    """The SMTP password: from the environment variable, else the owner-only file; None if no login."""
    if mail.password_env:
        value = os.environ.get(mail.password_env)
        if value:
            return value
        if not mail.password_file:
            raise RjcError(f"mail.password_env names {mail.password_env}, which is not set in the environment "
                           "(cron and systemd start with an almost empty one: consider mail.password_file)")
    if mail.password_file:
        return _password_file(Path(mail.password_file).expanduser(), root)
    if mail.username:
        raise RjcError("mail.username is set but no password source: set mail.password_env or mail.password_file")
    return None


_MAX_PASSWORD_FILE = 4096  # bytes: a password, not a file to read into memory whatever its size


def _password_file(path: Path, root: Path) -> str:
    if not path.is_absolute():
        raise RjcError(f"mail.password_file must be an absolute path (or start with ~), not {path}")
    resolved = path.resolve()
    root = root.resolve()
    if resolved == root or root in resolved.parents:
        raise RjcError("mail.password_file is inside the records repository; a password never lives there: "
                       "move it to a file outside it (e.g. ~/.config/rjc/smtp-password, mode 600)")
    try:
        # O_NONBLOCK: a FIFO (or a device) named here must not make cron's run hang on open
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise RjcError(f"cannot read mail.password_file {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RjcError(f"mail.password_file {path} is not a regular file; refusing to use it")
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise RjcError(f"mail.password_file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); "
                           f"refusing to use it: run chmod 600 {path}")
        if info.st_uid != os.getuid():
            raise RjcError(f"mail.password_file {path} belongs to another user; refusing to use it")
        data = b""
        try:
            while len(data) <= _MAX_PASSWORD_FILE:
                chunk = os.read(fd, _MAX_PASSWORD_FILE + 1 - len(data))
                if not chunk:
                    break
                data += chunk
        except OSError as exc:
            raise RjcError(f"cannot read mail.password_file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > _MAX_PASSWORD_FILE:
        raise RjcError(f"mail.password_file {path} is over {_MAX_PASSWORD_FILE:,} bytes; "
                       "it should hold the password alone")
    try:
        value = data.decode("utf-8").strip("\r\n")
    except UnicodeDecodeError:
        raise RjcError(f"mail.password_file {path} is not UTF-8 text; it should hold the password alone") from None
    if not value:
        raise RjcError(f"mail.password_file {path} is empty")
    return value


# --- the sent-log --------------------------------------------------------------------------------


class SentLog:
    """What this clone has sent: append-only JSON lines, fsynced after each digest."""

    def __init__(self, root: Path):
        self.path = private.file(root, private.SENT_LOG)

    def keys(self) -> set[tuple[str, str, str, str]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return set()
        found = set()
        for line in text.splitlines():
            try:
                entry = json.loads(line)
                found.add((entry["kind"], entry["record"], entry["occasion"], entry["to"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash: its digest is sent again (a duplicate, never a miss)
        return found

    def record(self, reminders: Iterable[Reminder], recipient: str, when: dt.datetime) -> None:
        lines = "".join(json.dumps({"kind": r.kind, "record": r.record_id, "occasion": r.due_date.isoformat(),
                                    "to": recipient, "sent": when.isoformat(timespec="seconds")}) + "\n"
                        for r in reminders)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size and not self._ends_with_newline():
                lines = "\n" + lines  # never glue a line onto one a crash left torn
            os.write(fd, lines.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"


@contextlib.contextmanager
def send_lock(root: Path):
    """One sending run per clone at a time (never the records' write lock: nothing is committed)."""
    with locks.hold(private.file(root, private.SEND_LOCK),
                    busy="another rjc remind is sending mail from this clone; nothing was sent"):
        yield


# --- digests -------------------------------------------------------------------------------------


@dataclass
class Digest:
    recipient: str  # coordinator code or volunteer id
    address: str | None
    reminders: list[Reminder]


def pending(reminders: list[Reminder], sent: set, addresses: Mapping[str, str | None]) -> list[Digest]:
    """One digest per recipient, of the reminders not yet sent to them."""
    by_recipient: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        for recipient in reminder.recipients:
            if reminder.key(recipient) not in sent:
                by_recipient.setdefault(recipient, []).append(reminder)
    order = sorted(by_recipient, key=lambda r: (r.startswith("V-"), r))
    return [Digest(r, addresses.get(r), by_recipient[r]) for r in order]


def compose(digest: Digest, sender: str, today: dt.date, center: str | None = None) -> EmailMessage:
    """The digest as a plain-text message: ids, dates and places only, no names."""
    count = len(digest.reminders)
    message = EmailMessage()
    message["Subject"] = f"rjc reminders for {today}: {count} due"
    message["From"] = sender
    message["To"] = digest.address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    lines = [f"Reminders for {digest.recipient} on {today} ({count}):", ""]
    if digest.recipient.startswith("V-"):  # a volunteer does not run rjc: when and where, in words
        lines += [f"- Your panel meets {r.meets.words()}. Its number, if you write to your coordinator: "
                  f"{r.record_id}." if r.meets else f"- {r.due_date}  {r.kind}: {r.text}" for r in digest.reminders]
        lines += ["", "Your coordinator has the details; no names are sent by email, by design."]
    else:
        lines += [f"- {r.due_date}  {r.kind}: {r.text}" for r in digest.reminders]
        lines += ["", "Record ids only, by design: look them up with `rjc show ID`."]
    lines += [f"Sent once by rjc{' for ' + center if center else ''}; reply to your coordinator, not to this address."]
    message.set_content("\n".join(lines) + "\n")
    return message


# --- sending -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    sent: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    no_address: list[Digest] = field(default_factory=list)


def describe(exc: BaseException) -> str:
    """An SMTP or network failure in words, without echoing any address the server sent back."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        texts = [_clean(msg) for _, msg in exc.recipients.values()]
        return f"recipient refused ({', '.join(codes)} {'; '.join(texts)})".rstrip()
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {exc.smtp_code} {_clean(exc.smtp_error)}".rstrip()
    if isinstance(exc, (socket.timeout, TimeoutError)) or isinstance(exc.__context__, (socket.timeout, TimeoutError)):
        return "timed out"  # smtplib reports a timed-out reply as a disconnection
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or type(exc).__name__})"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def _clean(text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return _ADDRESS.sub("<address>", " ".join(text.split()))[:200]


def connect(mail: Mail, secret: str | None) -> smtplib.SMTP:
    host, number = mail.host, port(mail)
    assert host is not None  # require() checked it
    if secret is not None and mail.security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
        raise RjcError(f"refusing to send the mail password unencrypted to {host}: "
                       "set mail.security to starttls or ssl")
    try:
        if mail.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, number, timeout=mail.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, number, timeout=mail.timeout)
        try:
            if mail.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if mail.username and secret is not None:
                smtp.login(mail.username, secret)
        except BaseException:
            with contextlib.suppress(Exception):
                smtp.close()
            raise
    except (OSError, smtplib.SMTPException) as exc:
        raise RjcError(f"cannot send mail through {host}:{number}: {describe(exc)}; nothing was sent, "
                       "the next run will try again") from None
    return smtp


def send(digests: list[Digest], mail: Mail, secret: str | None, log: SentLog, today: dt.date, *,
         center: str | None = None, now: Callable[[], dt.datetime] | None = None,
         connect_with: Callable[[Mail, str | None], smtplib.SMTP] = connect) -> Outcome:
    """Send each digest; record each one right after the server accepts it."""
    assert mail.sender is not None  # require() checked it
    now = now or (lambda: dt.datetime.now(dt.UTC))
    outcome = Outcome()
    reachable: list[Digest] = []
    for digest in digests:
        (reachable if digest.address else outcome.no_address).append(digest)
    if not reachable:
        return outcome
    smtp = connect_with(mail, secret)
    try:
        for index, digest in enumerate(reachable):
            message = compose(digest, mail.sender, today, center)
            assert digest.address is not None  # reachable: each has one
            try:
                smtp.send_message(message, from_addr=mail.sender, to_addrs=[digest.address])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                outcome.failed.append((digest, describe(exc)))  # the connection is still usable
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The connection is gone: this digest and the rest stay unsent, for the next run.
                reason = describe(exc)
                outcome.failed += [(d, reason) for d in reachable[index:]]
                break
            try:
                log.record(digest.reminders, digest.recipient, now())
            except OSError as exc:
                raise RjcError(f"sent {digest.recipient}'s digest but could not record it in {log.path} "
                               f"({exc.strerror or type(exc).__name__}); it will be sent again on the next run, "
                               "the rest stay unsent until then") from None
            outcome.sent.append(digest)
    finally:
        with contextlib.suppress(Exception):
            smtp.quit()
    return outcome


def addresses(settings: Settings, volunteer_people: Mapping[str, object]) -> dict[str, str | None]:
    """Recipient -> email: coordinators from rjc.yaml, volunteers from their person record."""
    found: dict[str, str | None] = {c.code: c.email for c in settings.coordinators}
    for volunteer_id, person in volunteer_people.items():
        found[volunteer_id] = getattr(person, "email", None)
    return found
