"""The center's calendar as an iCalendar file: upcoming panels and weekly CoSA circle meetings.

Calendar apps subscribe to it or import it, so each event keeps one UID for the life of its
record (`PN-2026-KB-0004@rjc`, `circle-C-2026-KB-0007@rjc`) and a SEQUENCE that grows with every
change (a panel's scheduling history is append-only, so its length only grows): a rescheduled
panel updates its event, a cancelled one is sent as STATUS:CANCELLED so subscribed calendars drop
it, and nothing is ever duplicated. Events carry ids, times and places only: no names, no case
details (calendars are synced to phones and shared with volunteers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from rjc.model import Case, Panel, Settings
from rjc.model.vocab import CaseStatus, PanelStatus, Program, Weekday
from rjc.storage.errors import RjcError

UID_DOMAIN = "rjc"
PRODID = "-//rjc//restorative justice case management//EN"
_BYDAY = {Weekday.MON: "MO", Weekday.TUE: "TU", Weekday.WED: "WE", Weekday.THU: "TH",
          Weekday.FRI: "FR", Weekday.SAT: "SA", Weekday.SUN: "SU"}
_TITLES = {
    Program.RESTORATIVE_PANEL: "Restorative panel",
    Program.REENTRY_PANEL: "Reentry panel",
    Program.PRE_CHARGE_DIVERSION: "Diversion panel",
    Program.FAMILY_GROUP_CONFERENCING: "Family group conference",
    Program.MEDIATION: "Mediation",
    Program.COSA: "CoSA meeting",
}


def panel_uid(panel_id: str) -> str:
    return f"{panel_id}@{UID_DOMAIN}"


def circle_uid(case_id: str) -> str:
    return f"circle-{case_id}@{UID_DOMAIN}"


def zone(settings: Settings):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RjcError(f"timezone '{settings.timezone}' in rjc.yaml is not a known time zone "
                       "(e.g. America/New_York)") from None


def panel_sequence(panel: Panel) -> int:
    """0 when first scheduled; one more with each reschedule, cancellation or other change logged."""
    return max(len(panel.history) - 1, 0)


def build(panels: Iterable[Panel], cases: Iterable[Case], settings: Settings, *, start: dt.date, days: int,
          now: dt.datetime | None = None, circle_revisions: Mapping[str, int] | None = None) -> bytes:
    """The .ics text of panels dated from `start` for `days` days, and the circles meeting weekly.

    Scheduled panels are CONFIRMED, cancelled ones CANCELLED (so a calendar that had them drops
    them); held panels are past. `circle_revisions` gives each circle case's SEQUENCE (how many
    times its file changed), since a circle's schedule has no history of its own.
    """
    import icalendar

    tz = zone(settings)
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    until = start + dt.timedelta(days=days)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Panels and circles")
    calendar.add("x-wr-timezone", settings.timezone)
    events = []
    for panel in panels:
        if panel.status == PanelStatus.HELD or not start <= panel.date <= until:
            continue
        events.append((panel.date, panel.start, _panel_event(icalendar, panel, tz, stamp)))
    for case in cases:
        circle = case.circle
        if (case.program != Program.COSA or circle is None or circle.schedule is None
                or circle.ended is not None or case.status == CaseStatus.CLOSED):
            continue
        event = _circle_event(icalendar, case, tz, stamp, (circle_revisions or {}).get(case.id, 0))
        events.append((event.decoded("dtstart").date(), circle.schedule.start, event))
    for _, _, event in sorted(events, key=lambda item: (item[0], item[1], str(item[2]["uid"]))):
        calendar.add_component(event)
    # The VTIMEZONE's rules cover these events, from a year before the first to years after the
    # window (a circle recurs with no end).
    first = min([start, *(day for day, _, _ in events)]) - dt.timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=max(dt.date(2038, 1, 1), until.replace(day=1) + dt.timedelta(days=5 * 366)))
    return calendar.to_ical()


def _panel_event(icalendar, panel: Panel, tz, stamp: dt.datetime):
    event = icalendar.Event()
    event.add("uid", panel_uid(panel.id))
    event.add("dtstamp", stamp)
    event.add("sequence", panel_sequence(panel))
    event.add("dtstart", dt.datetime.combine(panel.date, panel.start, tzinfo=tz))
    event.add("dtend", dt.datetime.combine(panel.date, panel.end, tzinfo=tz))
    event.add("summary", f"{_TITLES.get(panel.program, 'Panel')} {panel.id}")
    location = " / ".join(p for p in (panel.place, panel.video_link) if p)
    if location:
        event.add("location", location)
    if panel.video_link:
        event.add("url", panel.video_link)
    cases = ", ".join(entry.case for entry in panel.docket)
    event.add("description", f"Cases: {cases}" if cases else "No cases on the docket yet")
    cancelled = panel.status == PanelStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _circle_event(icalendar, case: Case, tz, stamp: dt.datetime, revision: int):
    circle = case.circle
    assert circle is not None and circle.schedule is not None  # only circles with a schedule have events
    schedule = circle.schedule
    weekday = list(Weekday).index(schedule.weekday)
    began = circle.started or case.opened
    first = began + dt.timedelta(days=(weekday - began.weekday()) % 7)  # fixed: never moves day to day
    event = icalendar.Event()
    event.add("uid", circle_uid(case.id))
    event.add("dtstamp", stamp)
    event.add("sequence", revision)
    event.add("dtstart", dt.datetime.combine(first, schedule.start, tzinfo=tz))
    event.add("dtend", dt.datetime.combine(first, schedule.end, tzinfo=tz))
    event.add("rrule", {"freq": "weekly", "byday": _BYDAY[schedule.weekday]})
    event.add("summary", f"CoSA circle meeting {case.id}")
    if schedule.place:
        event.add("location", schedule.place)
    event.add("description", f"Case: {case.id}")
    event.add("status", "CONFIRMED")
    return event


def collect(repo, *, start: dt.date, days: int, now: dt.datetime | None = None) -> tuple[bytes, int, int]:
    """The calendar of a repository: (ics bytes, events, records that could not be read)."""
    from rjc.storage import layout

    loaded = repo.load_all([layout.KINDS["panel"], layout.KINDS["case"]])
    records = [item.record for item in loaded if item.record is not None]
    invalid = sum(item.record is None for item in loaded)
    panels = [r for r in records if isinstance(r, Panel)]
    cases = [r for r in records if isinstance(r, Case)]
    revisions = {}
    for case in cases:
        if case.program == Program.COSA and case.circle and case.circle.schedule:
            revisions[case.id] = _revisions(repo, layout.parse_id(case.id).path)
    data = build(panels, cases, repo.settings, start=start, days=days, now=now, circle_revisions=revisions)
    return data, data.count(b"BEGIN:VEVENT"), invalid


def _revisions(repo, relpath: str) -> int:
    """How many commits changed a file, less one (so its first version is SEQUENCE 0)."""
    from rjc.outputs.history import record_commits

    if not repo.git.has_commits():
        return 0
    return max(len(record_commits(repo.git, repo.audit_index(), relpath)) - 1, 0)
