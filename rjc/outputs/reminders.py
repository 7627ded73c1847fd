"""What is due: the reminders a center's cron job prints or mails every morning.

`due()` is pure: given the records, the settings and a day, it returns every reminder that is
due that day. A reminder's text names record ids, dates and places only: never a person's name,
phone or any free text from the records, because it goes to cron's mail, to terminals and to
email. Recipients are coordinator codes (a case's own coordinator; center-wide reminders go to
every active coordinator) and volunteer ids (a volunteer hears only of their own panels).

A reminder is identified by (kind, record id, due date): the due date is the occasion, so a
reminder sent once is not sent again, yet a new occasion re-arms it (a new contact moves the
"no contact" date, a rescheduled panel has a new date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rjc.model import Case, Panel, Referral, Settings, Volunteer, lifecycle, periods
from rjc.model.sealing import seal_due
from rjc.model.vocab import (
    CaseStatus,
    ItemStatus,
    PanelPurpose,
    PanelStatus,
    Program,
    Role,
    ScreeningDecision,
    SurveyKind,
    VictimChoice,
    Weekday,
)

KINDS = (
    "panel",  # a panel in N days
    "panel-unrecorded",  # a panel whose day has passed with no `rjc panel record`
    "agreement-item-due",  # agreement items due in N days
    "agreement-overdue",  # an agreement past its due date with items still open
    "midterm-review",  # an agreement's mid-term review is coming (or passed without a review panel)
    "victim-notice",  # diversion: victims to be told of the referral within N business days
    "no-contact",  # an open case with no contact for N days
    "referral-idle",  # a referral still pending N days after it came in
    "background-check",  # a volunteer's background check expiring within N days (or expired)
    "circle-meeting",  # a CoSA circle with no meeting logged this week
    "quarterly-report",  # the quarterly report due on Jul 5, Oct 5, Jan 5, Apr 5
    "seal-due",  # a closed case whose sealing (or deletion) date under rjc.yaml's rules has come
    "survey",  # a closed case N days on without the participant or victim survey its program asks for
)
SURVEY_DAYS = 30  # a missing survey is reminded for this many days, then let go: not every survey comes back

REPORT_DAYS = ((1, 5), (4, 5), (7, 5), (10, 5))  # (month, day) of each quarterly report date
_OPEN_ITEM = (ItemStatus.PENDING, ItemStatus.IN_PROGRESS)
_DONE_ITEM = (ItemStatus.COMPLETED, ItemStatus.WAIVED)
_WEEKDAYS = list(Weekday)
_CIRCLE_CHECK_DAY = 4  # with no weekly schedule on file, a missing meeting is flagged from Friday


@dataclass(frozen=True)
class Meeting:
    date: dt.date
    start: dt.time
    end: dt.time
    where: str  # a place or a video link

    def words(self) -> str:
        """E.g. "on Tuesday 8 December 2026 at 18:00 at Town Hall (until 19:30)"."""
        return (f"on {self.date:%A} {self.date.day} {self.date:%B %Y} at {self.start:%H:%M} "
                f"at {self.where} (until {self.end:%H:%M})")


@dataclass(frozen=True)
class Reminder:
    kind: str
    record_id: str  # the record it is about (a quarter, for the quarterly report)
    due_date: dt.date  # the occasion: one reminder per kind, record and due date
    recipients: tuple[str, ...]  # coordinator codes and volunteer ids
    text: str  # ids, dates and places only
    meets: Meeting | None = None  # for a panel: when and where, for a volunteer's email

    def key(self, recipient: str) -> tuple[str, str, str, str]:
        """What the sent-log records: this reminder, on this occasion, to this recipient."""
        return (self.kind, self.record_id, self.due_date.isoformat(), recipient)

    def line(self) -> str:
        return f"{self.due_date}  {self.kind:<18}  {self.text}  [to {', '.join(self.recipients)}]"


def local_today(settings: Settings) -> dt.date:
    """Today in the center's time zone (the machine running cron may keep another)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        from rjc.storage.errors import RjcError

        raise RjcError(f"timezone '{settings.timezone}' in rjc.yaml is not a known time zone "
                       "(e.g. America/New_York)") from None
    return dt.datetime.now(zone).date()


def due(cases: Iterable[Case], panels: Iterable[Panel], referrals: Iterable[Referral],
        volunteers: Iterable[Volunteer], settings: Settings, today: dt.date,
        sealed: frozenset[str] = frozenset()) -> list[Reminder]:
    """Every reminder due on `today`, soonest first (`sealed`: the cases the seal register holds)."""
    cases, panels = list(cases), list(panels)
    referrals, volunteers = list(referrals), list(volunteers)
    ctx = _Context(settings, today, {c.id: c for c in cases}, {r.id: r for r in referrals}, panels)
    found: list[Reminder] = []
    found += _panels(ctx, panels)
    for case in cases:
        if case.status == CaseStatus.CLOSED:
            found += _seal(ctx, case, sealed)
            found += _survey(ctx, case)
            continue
        found += _agreement(ctx, case)
        found += _victim_notice(ctx, case)
        found += _no_contact(ctx, case)
        found += _circle(ctx, case)
    found += _referrals(ctx, referrals)
    found += _background_checks(ctx, volunteers)
    found += _quarterly_report(ctx)
    return sorted(found, key=lambda r: (r.due_date, KINDS.index(r.kind), r.record_id))


@dataclass
class _Context:
    settings: Settings
    today: dt.date
    cases: dict[str, Case]
    referrals: dict[str, Referral]
    panels: list[Panel]

    @property
    def lead(self):
        return self.settings.reminders

    def everyone(self) -> tuple[str, ...]:
        """Every active coordinator: the recipients of center-wide reminders."""
        return tuple(sorted(c.code for c in self.settings.coordinators if c.active))

    def coordinator_of(self, case: Case | None) -> tuple[str, ...]:
        """A case's coordinator; every active coordinator if theirs is unknown or inactive."""
        own = self.settings.coordinator(case.coordinator) if case else None
        return (own.code,) if own and own.active else self.everyone()


def _reminder(kind: str, record_id: str, due_date: dt.date, recipients: Iterable[str], text: str,
              meets: Meeting | None = None) -> Reminder:
    coordinators = sorted({r for r in recipients if not r.startswith("V-")})
    volunteers = sorted({r for r in recipients if r.startswith("V-")})
    return Reminder(kind, record_id, due_date, tuple(coordinators + volunteers), text, meets)


def _ago(day: dt.date, today: dt.date) -> str:
    return " (passed)" if day < today else (" (today)" if day == today else "")


# --- panels ------------------------------------------------------------------------------------


def _panels(ctx: _Context, panels: list[Panel]) -> list[Reminder]:
    found = []
    horizon = ctx.today + dt.timedelta(days=ctx.lead.panel_days)
    for panel in panels:
        if panel.status == PanelStatus.SCHEDULED and panel.date < ctx.today:
            found.append(_unrecorded(ctx, panel))
        if panel.status != PanelStatus.SCHEDULED or not ctx.today <= panel.date <= horizon:
            continue
        recipients: set[str] = {seat.volunteer for seat in panel.seats}
        for entry in panel.docket:
            recipients.update(ctx.coordinator_of(ctx.cases.get(entry.case)))
        if not panel.docket:
            recipients.update(ctx.everyone())
        where = panel.place or panel.video_link or "place not set"
        cases = ", ".join(entry.case for entry in panel.docket) or "none yet"
        text = (f"panel {panel.id} on {panel.date} {panel.start:%H:%M}-{panel.end:%H:%M}{_ago(panel.date, ctx.today)} "
                f"at {where}; cases: {cases}")
        meets = Meeting(panel.date, panel.start, panel.end, where)
        found.append(_reminder("panel", panel.id, panel.date, recipients, text, meets))
    return found


def _unrecorded(ctx: _Context, panel: Panel) -> Reminder:
    """Every day after a panel's date until it is recorded (held) or cancelled: its coordinators only."""
    recipients = {c for entry in panel.docket for c in ctx.coordinator_of(ctx.cases.get(entry.case))}
    cases = ", ".join(entry.case for entry in panel.docket) or "none"
    text = (f"panel {panel.id} on {panel.date} {panel.start:%H:%M}-{panel.end:%H:%M} has passed and is not "
            f"recorded; cases: {cases}; run: rjc panel record {panel.id}")
    return _reminder("panel-unrecorded", panel.id, panel.date, recipients or ctx.everyone(), text)


# --- agreements --------------------------------------------------------------------------------


def _agreement(ctx: _Context, case: Case) -> list[Reminder]:
    if not case.agreements:
        return []
    number, agreement = len(case.agreements), case.agreements[-1]  # an earlier one was superseded
    if all(item.status in _DONE_ITEM for item in agreement.items):
        return []
    who = ctx.coordinator_of(case)
    found = []
    soon: dict[dt.date, list[int]] = {}
    horizon = ctx.today + dt.timedelta(days=ctx.lead.item_due_days)
    for index, item in enumerate(agreement.items, start=1):
        item_due = item.due or agreement.due
        if item.status in _OPEN_ITEM and ctx.today <= item_due <= horizon:
            soon.setdefault(item_due, []).append(index)
    for item_due, numbers in sorted(soon.items()):
        kinds = ", ".join(f"{n} ({agreement.items[n - 1].type})" for n in numbers)
        label = "items" if len(numbers) > 1 else "item"
        found.append(_reminder("agreement-item-due", case.id, item_due, who,
                               f"{case.id}: agreement {number} {label} {kinds} due {item_due}{_ago(item_due, ctx.today)}"))
    if ctx.today > agreement.due:
        still_open = sum(item.status not in _DONE_ITEM for item in agreement.items)
        found.append(_reminder("agreement-overdue", case.id, agreement.due, who,
                               f"{case.id}: agreement {number} overdue since {agreement.due} "
                               f"({still_open} of {len(agreement.items)} items not done)"))
    review = agreement.midterm_review
    if (review and ctx.today <= agreement.due
            and ctx.today >= review - dt.timedelta(days=ctx.lead.midterm_review_days)
            and not _review_panel(ctx, case.id, agreement.signed)):
        found.append(_reminder("midterm-review", case.id, review, who,
                               f"{case.id}: mid-term review of agreement {number} due {review}{_ago(review, ctx.today)}"))
    return found


def _review_panel(ctx: _Context, case_id: str, since: dt.date) -> bool:
    """Whether a mid-term review panel is held or scheduled for the case since the agreement."""
    return any(panel.status != PanelStatus.CANCELLED and panel.date >= since
               and any(e.case == case_id and e.purpose == PanelPurpose.MID_TERM_REVIEW for e in panel.docket)
               for panel in ctx.panels)


# --- cases -------------------------------------------------------------------------------------


def _victim_notice(ctx: _Context, case: Case) -> list[Reminder]:
    """Diversion: victims not yet told of the referral, until they are (the window is short)."""
    if case.program != Program.PRE_CHARGE_DIVERSION:
        return []
    waiting = [p for p in case.participants if p.role == Role.VICTIM and p.notified is None]
    if not waiting:
        return []
    referral = ctx.referrals.get(case.referral) if case.referral else None
    deadline = lifecycle.victim_notice_due(case, referral, ctx.settings)
    if deadline is None:
        return []
    count = f"{len(waiting)} victim{'s' if len(waiting) > 1 else ''}"
    return [_reminder("victim-notice", case.id, deadline, ctx.coordinator_of(case),
                      f"{case.id}: {count} to be told of the diversion referral by {deadline}"
                      f"{_ago(deadline, ctx.today)}")]


def _no_contact(ctx: _Context, case: Case) -> list[Reminder]:
    if case.contacts:
        last, what = max(c.date for c in case.contacts), "contact"
    else:
        last, what = max([case.opened, *(s.date for s in case.status_history)]), "activity"
    due_on = last + dt.timedelta(days=ctx.lead.no_contact_days)
    if ctx.today < due_on:
        return []
    days = (ctx.today - last).days
    return [_reminder("no-contact", case.id, due_on, ctx.coordinator_of(case),
                      f"{case.id}: no {what} since {last} ({days} days)")]


def _circle(ctx: _Context, case: Case) -> list[Reminder]:
    circle = case.circle
    if (case.program != Program.COSA or case.status != CaseStatus.IN_CIRCLE or circle is None
            or circle.ended is not None):
        return []
    week_start = ctx.today - dt.timedelta(days=ctx.today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    if circle.started and circle.started > week_start:
        return []  # its first week
    if any(week_start <= meeting.date <= week_end for meeting in circle.meetings):
        return []
    if circle.schedule:
        meets = _WEEKDAYS.index(circle.schedule.weekday)
        flag_from = min(meets + 1, 6)  # the day after the meeting (a Sunday circle: that Sunday)
    else:
        flag_from = _CIRCLE_CHECK_DAY
    if ctx.today.weekday() < flag_from:
        return []
    return [_reminder("circle-meeting", case.id, week_end, ctx.coordinator_of(case),
                      f"{case.id}: no circle meeting logged for the week of {week_start}")]


# --- referrals, volunteers, the center -----------------------------------------------------------


def _referrals(ctx: _Context, referrals: list[Referral]) -> list[Reminder]:
    found = []
    for referral in referrals:
        if referral.screening.decision != ScreeningDecision.PENDING:
            continue
        due_on = referral.received + dt.timedelta(days=ctx.lead.referral_idle_days)
        if ctx.today >= due_on:
            days = (ctx.today - referral.received).days
            found.append(_reminder("referral-idle", referral.id, due_on, ctx.everyone(),
                                   f"{referral.id}: referral received {referral.received} "
                                   f"not screened yet ({days} days)"))
    return found


def _background_checks(ctx: _Context, volunteers: list[Volunteer]) -> list[Reminder]:
    found = []
    for volunteer in volunteers:
        expires = volunteer.check_expires
        if not volunteer.active or expires is None:
            continue
        if ctx.today >= expires - dt.timedelta(days=ctx.lead.background_check_days):
            verb = "expired on" if expires < ctx.today else "expires"
            found.append(_reminder("background-check", volunteer.id, expires, ctx.everyone(),
                                   f"{volunteer.id}: background check {verb} {expires}"))
    return found


def _seal(ctx: _Context, case: Case, sealed: frozenset[str]) -> list[Reminder]:
    found = seal_due(case, ctx.settings)
    if found is None or case.id in sealed or found.due > ctx.today:
        return []
    return [_reminder("seal-due", case.id, found.due, ctx.coordinator_of(case),
                      f"{case.id}: due for {'sealing' if found.action == 'seal' else 'deletion'} since "
                      f"{found.due} ({found.rule}); run: rjc seal --due")]


_TOOK_PART = (VictimChoice.ATTEND, VictimChoice.WRITTEN_STATEMENT_SHARED, VictimChoice.WRITTEN_STATEMENT_PANEL_ONLY)


def _survey(ctx: _Context, case: Case) -> list[Reminder]:
    """A participant survey for a closed case of the programs rjc.yaml lists, and a victim survey
    from each victim who took part, once `surveys.remind_after_days` have passed since closing."""
    config = ctx.settings.surveys
    if case.closure is None:
        return []
    due_on = case.closure.date + dt.timedelta(days=config.remind_after_days)
    if not due_on <= ctx.today < due_on + dt.timedelta(days=SURVEY_DAYS):
        return []
    missing = []
    if case.program in config.participant_programs and not any(
            s.kind == SurveyKind.PARTICIPANT for s in case.surveys):
        missing.append("participant survey")
    answered = {s.person for s in case.surveys if s.kind == SurveyKind.VICTIM}
    waiting = [p.person for p in case.participants
               if p.role == Role.VICTIM and p.participation in _TOOK_PART and p.person not in answered]
    if waiting:
        missing.append(f"victim survey from {', '.join(waiting)}")
    if not missing:
        return []
    return [_reminder("survey", case.id, due_on, ctx.coordinator_of(case),
                      f"{case.id}: no {' and no '.join(missing)} since it closed on {case.closure.date}; "
                      f"rjc survey record {case.id}")]


def report_date(today: dt.date) -> dt.date:
    """The next quarterly report date on or after `today` (Jan 5 of next year after Oct 5)."""
    for year in (today.year, today.year + 1):
        for month, day in REPORT_DAYS:
            if dt.date(year, month, day) >= today:
                return dt.date(year, month, day)
    raise AssertionError("unreachable")


def _quarterly_report(ctx: _Context) -> list[Reminder]:
    report = report_date(ctx.today)
    if (report - ctx.today).days > ctx.lead.quarterly_report_days:
        return []
    quarter_end = report.replace(day=1) - dt.timedelta(days=1)
    calendar = periods.quarter(quarter_end, "calendar")
    labels = ", ".join(f"{kind} {periods.quarter(quarter_end, kind).label}" for kind in ("vermont", "federal"))
    record_id = f"report-{calendar.label.replace(' ', '-')}"  # report-2026-Q4
    return [_reminder("quarterly-report", record_id, report, ctx.everyone(),
                      f"quarterly report for {calendar.start} to {calendar.end} "
                      f"({labels}) due {report}{_ago(report, ctx.today)}")]


# --- reading the repository (the only part that is not pure) -----------------------------------------


def collect(repo, today: dt.date) -> tuple[list[Reminder], int]:
    """The reminders due in a repository, and how many records could not be read (skipped)."""
    from rjc.storage import layout

    loaded = repo.load_all([layout.KINDS[k] for k in ("case", "panel", "referral", "volunteer")])
    records = [item.record for item in loaded if item.record is not None]
    invalid = sum(item.record is None for item in loaded)
    found = due([r for r in records if isinstance(r, Case)], [r for r in records if isinstance(r, Panel)],
                [r for r in records if isinstance(r, Referral)], [r for r in records if isinstance(r, Volunteer)],
                repo.settings, today, frozenset(repo.seal_register().ids()))
    return found, invalid
