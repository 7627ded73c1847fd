"""What is coming and what is due: rjc calendar, rjc remind. Both only read the records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from rjc.cli.repo import open_repository

_DAY = ["%Y-%m-%d"]


def calendar(
    out: Annotated[Optional[Path], typer.Option(
        metavar="FILE", help="Write the .ics file here (owner-only, outside the records repository) "
                             "instead of printing it.")] = None,
    start: Annotated[Optional[dt.datetime], typer.Option(
        "--from", formats=_DAY, metavar="YYYY-MM-DD", help="First day of panels shown (default: today).")] = None,
    days: Annotated[int, typer.Option(min=1, help="How many days of panels, from --from.")] = 90,
) -> None:
    """An iCalendar file of upcoming panels and weekly CoSA circle meetings.

    Each event keeps its UID (PN-2026-KB-0004@rjc) and its SEQUENCE grows with each change, so a
    rescheduled panel updates the event in a subscribed calendar and a cancelled one is removed.
    Events carry ids, times and places only. Reads the records; never changes them.
    """
    import sys

    from rjc.cli.output import message
    from rjc.outputs import calendar as ical
    from rjc.outputs import reminders
    from rjc.storage.errors import RjcError
    from rjc.storage.transaction import write_atomically

    repo = open_repository()
    first = start.date() if start else reminders.local_today(repo.settings)
    target = out.expanduser().resolve() if out else None
    if target and (target == repo.root or repo.root in target.parents):
        raise RjcError("the calendar goes outside the records repository; choose another --out")
    data, events, invalid = ical.collect(repo, start=first, days=days)
    if invalid:
        message(f"warning: {invalid} record(s) could not be read and are left out; run: rjc check")
    if target is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if target.is_dir():
        assert out is not None  # target was made from it
        raise RjcError(f"{out} is a directory; give a file name, e.g. {Path(out) / 'panels.ics'}")
    write_atomically(target, data)
    message(f"wrote {events} event{'s' * (events != 1)} to {target}")


def remind(
    as_of: Annotated[Optional[dt.datetime], typer.Option(
        "--as-of", formats=_DAY, metavar="YYYY-MM-DD", help="What is due as of this day (default: today in rjc.yaml's time zone).")] = None,
    email: Annotated[bool, typer.Option(
        "--email", help="Send each recipient one digest by SMTP (mail: in rjc.yaml); each reminder is sent once.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show the digests --email would send; send and record nothing.")] = False,
    cron_line: Annotated[bool, typer.Option(
        "--cron-line", help="Print a crontab line and systemd units that run the reminders every morning.")] = False,
) -> None:
    """What is due today: panels, panels past their day not yet recorded, agreement items and reviews, overdue agreements, victim notices,
    cases without contact, idle referrals, background checks, CoSA meetings, the quarterly report.

    Made for cron: prints nothing when nothing is due; otherwise one line per reminder, with
    record ids, dates and places only, never names. With --email, only the clone of the
    coordinator named in mail.send_from sends (others say "not the sending clone" and exit 0);
    a sent-log in .git/rjc keeps each reminder to each recipient from being sent twice.

    Exit codes: 0 nothing due, or reminders printed or sent; 1 an error you can act on (missing
    mail settings, an unsafe password file, an SMTP server that refuses, times out or rejects a
    recipient: what was not sent is retried on the next run); 3 an internal error.
    """
    from rjc.cli.output import message, say
    from rjc.outputs import reminders

    if cron_line:
        say(_cron_units(open_repository().root), end="")
        return
    repo = open_repository()
    day = as_of.date() if as_of else reminders.local_today(repo.settings)
    if email or dry_run:
        _email(repo, day, dry_run=dry_run)
        return
    found, invalid = reminders.collect(repo, day)
    if invalid:
        message(f"warning: {invalid} record(s) could not be read, their reminders are missing; run: rjc check")
    for reminder in found:
        say(reminder.line())


def _email(repo, day: dt.date, *, dry_run: bool) -> None:
    from rjc.cli.output import message, say
    from rjc.outputs import mail, reminders
    from rjc.storage import private
    from rjc.storage.errors import RjcError

    settings = repo.settings
    sending = mail.require(settings)
    actor = repo.actor()
    if actor != sending.send_from and not dry_run:
        message(f"not the sending clone: reminders are mailed from {sending.send_from}'s clone "
                f"(mail.send_from), this one is {actor}; nothing was sent")
        return
    secret = mail.password(sending, repo.root)  # checked in a dry run too: a bad set-up shows at once
    with mail.send_lock(repo.root):
        found, invalid = reminders.collect(repo, day)
        if invalid:
            message(f"warning: {invalid} record(s) could not be read, their reminders are missing; run: rjc check")
        log = mail.SentLog(repo.root)
        volunteers = {v for r in found for v in r.recipients if v.startswith("V-")}
        digests = mail.pending(found, log.keys(), mail.addresses(settings, _volunteer_people(repo, volunteers)))
        if dry_run:
            if actor != sending.send_from:
                message(f"note: this is not the sending clone ({sending.send_from}'s is); it would send nothing")
            for digest in digests:
                where = "address on file" if digest.address else "NO ADDRESS: would not be sent"
                say(f"to {digest.recipient} ({where}): {len(digest.reminders)} reminder(s)")
                for reminder in digest.reminders:
                    say(f"  {reminder.due_date}  {reminder.kind}: {reminder.text}")
            return
        outcome = mail.send(digests, sending, secret, log, day, center=settings.center.name)
    for digest in outcome.sent:
        say(f"sent {digest.recipient}: {len(digest.reminders)} reminder(s)")
    if outcome.no_address:
        sources = {r: f"rjc.yaml (coordinators: {r}.email)" if not r.startswith("V-") else "their person record"
                   for r in (d.recipient for d in outcome.no_address)}
        for recipient, source in sources.items():
            message(f"warning: no email address for {recipient} in {source}; its reminders were not sent")
    if outcome.failed:
        lines = [f"{d.recipient}: {reason}" for d, reason in outcome.failed]
        raise RjcError(f"mail not sent to {len(outcome.failed)} recipient(s) "
                       f"({'; '.join(lines)}); {len(outcome.sent)} sent. "
                       f"What was not sent stays unsent and the next run tries again "
                       f"(sent-log: .git/{private.DIR}/{private.SENT_LOG})")


def _volunteer_people(repo, volunteer_ids: set[str]) -> dict[str, object]:
    """Volunteer id -> their person record (only its email is used)."""
    from rjc.model import Person, Volunteer
    from rjc.storage.errors import RjcError

    people: dict[str, object] = {}
    for volunteer_id in sorted(volunteer_ids):
        try:
            volunteer = repo.get(volunteer_id)
            person = repo.get(volunteer.person) if isinstance(volunteer, Volunteer) else None
        except RjcError:
            person = None
        people[volunteer_id] = person if isinstance(person, Person) else None
    return people


def _cron_units(root: Path) -> str:
    import shlex

    command = [*_rjc_executable(), "--records", str(root), "remind", "--email"]
    shell = " ".join(shlex.quote(part) for part in command).replace("%", "\\%")  # % ends a cron command
    systemd = " ".join(_systemd_quote(part) for part in command)
    return f"""\
# crontab -e: every morning at 07:15 (cron mails any output to you; a quiet day prints nothing)
15 7 * * * {shell}

# or systemd (a missed morning, with the machine off, runs at the next boot):
# ~/.config/systemd/user/rjc-remind.service
[Unit]
Description=rjc reminders

[Service]
Type=oneshot
ExecStart={systemd}

# ~/.config/systemd/user/rjc-remind.timer
[Unit]
Description=rjc reminders every morning

[Timer]
OnCalendar=*-*-* 07:15:00
Persistent=true

[Install]
WantedBy=timers.target

# then: systemctl --user daemon-reload && systemctl --user enable --now rjc-remind.timer
#       loginctl enable-linger $USER   (so it runs when you are not logged in)
"""


def _rjc_executable() -> list[str]:
    """The absolute command that runs this rjc: the script beside this Python, else `python -m rjc`."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "rjc"
    if beside.is_file() and _executable(beside):
        return [str(beside.absolute())]
    found = shutil.which("rjc")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "rjc"]


def _executable(path: Path) -> bool:
    import os

    return os.access(path, os.X_OK)


def _systemd_quote(part: str) -> str:
    if part and all(c.isalnum() or c in "/._-+:=@," for c in part):
        return part
    escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def register(app: typer.Typer) -> None:
    app.command()(calendar)
    app.command()(remind)
