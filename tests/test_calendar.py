"""`rjc calendar`: an .ics of panels and circle meetings, parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import stat
from zoneinfo import ZoneInfo

import icalendar
import pytest
from test_reminders import PN1, PN2, PN3, C, assert_no_identity, save_settings, save_world, world

from rjc.model.panel import Change
from rjc.model.vocab import PanelStatus, Weekday
from rjc.outputs import calendar as ical
from rjc.storage.transaction import write_lock
from rjc.workflows.repository import Repository

from helpers import git

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def center(repo, built) -> Repository:
    built.reuse("calendar-center", repo.root, lambda: _save_world(repo))
    return Repository(repo.root)


def _save_world(repo) -> None:
    save_world(repo, world())


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["uid"])
        assert uid not in found, f"{uid} twice"
        found[uid] = event
    return found


def export(rjc, root, tmp_path, *args) -> bytes:
    out = tmp_path / "out" / "panels.ics"
    result = rjc("--records", root, "calendar", "--from", "2026-12-31", "--out", out, *args)
    assert result.code == 0, result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    return out.read_bytes()


def reschedule(repo: Repository, panel_id: str, **changes) -> Repository:
    """Change a panel as `rjc panel reschedule` does: the new date and a line in its history."""
    panel = repo.get(panel_id)
    action = "cancelled" if changes.get("status") == PanelStatus.CANCELLED else "rescheduled"
    for name, value in changes.items():
        setattr(panel, name, value)
    panel.history.append(Change(date=dt.date(2026, 12, 31), by="KB", action=action))
    repo.save(panel, f"panel {action}", command="test")
    return Repository(repo.root)


def test_panels_and_circles_with_stable_uids(center, rjc, tmp_path):
    data = export(rjc, center.root, tmp_path)
    found = events(data)
    assert set(found) == {f"{PN1}@rjc", f"{PN2}@rjc", f"{PN3}@rjc", f"circle-{C(5)}@rjc"}
    first = found[f"{PN1}@rjc"]
    assert first.decoded("dtstart") == dt.datetime(2027, 1, 1, 18, 0, tzinfo=NEW_YORK)
    assert first.decoded("dtend") == dt.datetime(2027, 1, 1, 19, 30, tzinfo=NEW_YORK)
    assert str(first["summary"]) == f"Restorative panel {PN1}"
    assert str(first["location"]) == "Town Hall, room 2"
    assert str(first["description"]) == f"Cases: {C(1)}"
    assert str(first["status"]) == "CONFIRMED" and first["sequence"] == 0
    video = found[f"{PN2}@rjc"]
    assert str(video["location"]) == "https://meet.example.org/rjc-panel"
    cancelled = found[f"{PN3}@rjc"]
    assert str(cancelled["status"]) == "CANCELLED" and cancelled["sequence"] == 1
    circle = found[f"circle-{C(5)}@rjc"]
    assert circle["rrule"]["FREQ"] == ["WEEKLY"] and circle["rrule"]["BYDAY"] == ["MO"]
    assert circle.decoded("dtstart") == dt.datetime(2026, 6, 1, 18, 0, tzinfo=NEW_YORK)  # first Monday
    assert str(circle["location"]) == "Library annex" and str(circle["description"]) == f"Case: {C(5)}"
    assert_no_identity(data.decode())


def test_time_zone_comes_from_the_settings(center, rjc, tmp_path):
    data = export(rjc, center.root, tmp_path)
    assert b"DTSTART;TZID=America/New_York:20270101T180000" in data
    calendar = icalendar.Calendar.from_ical(data)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    chicago = center.settings.model_copy(update={"timezone": "America/Chicago"})
    center = save_settings(center, chicago)
    data = export(rjc, center.root, tmp_path)
    calendar = icalendar.Calendar.from_ical(data)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    event = events(data)[f"{PN1}@rjc"]
    assert event["dtstart"].params["TZID"] == "America/Chicago"
    assert event.decoded("dtstart") == dt.datetime(2027, 1, 1, 18, 0, tzinfo=ZoneInfo("America/Chicago"))


def test_a_reschedule_updates_the_event_never_duplicates_it(center, rjc, tmp_path):
    before = events(export(rjc, center.root, tmp_path))[f"{PN1}@rjc"]
    center = reschedule(center, PN1, date=dt.date(2027, 1, 8), start=dt.time(18, 30), end=dt.time(20, 0))
    after = events(export(rjc, center.root, tmp_path))
    moved = after[f"{PN1}@rjc"]  # the same UID, one event
    assert moved["sequence"] > before["sequence"]
    assert moved.decoded("dtstart") == dt.datetime(2027, 1, 8, 18, 30, tzinfo=NEW_YORK)
    center = reschedule(center, PN1, status=PanelStatus.CANCELLED)
    gone = events(export(rjc, center.root, tmp_path))[f"{PN1}@rjc"]
    assert str(gone["status"]) == "CANCELLED"
    assert gone["sequence"] > moved["sequence"]


def test_a_circle_schedule_change_raises_its_sequence(center, rjc, tmp_path):
    before = events(export(rjc, center.root, tmp_path))[f"circle-{C(5)}@rjc"]
    case = center.get(C(5))
    case.circle.schedule.weekday = Weekday.TUE
    center.save(case, "circle schedule", command="test")
    after = events(export(rjc, Repository(center.root).root, tmp_path))[f"circle-{C(5)}@rjc"]
    assert after["sequence"] > before["sequence"]
    assert after["rrule"]["BYDAY"] == ["TU"]
    assert after.decoded("dtstart") == dt.datetime(2026, 6, 2, 18, 0, tzinfo=NEW_YORK)


def test_the_window_leaves_out_later_held_and_ended(center):
    w = world()
    build = lambda **kw: events(ical.build(w.panels, w.cases, w.settings, **kw))  # noqa: E731
    assert set(build(start=dt.date(2026, 12, 31), days=1)) == {f"{PN1}@rjc", f"{PN3}@rjc", f"circle-{C(5)}@rjc"}
    assert f"{PN1}@rjc" not in build(start=dt.date(2027, 1, 2), days=30)
    w.panels[1].status = "held"
    assert f"{PN2}@rjc" not in build(start=dt.date(2026, 12, 31), days=30)
    w.cases[4].circle.ended, w.cases[4].circle.phase = dt.date(2026, 12, 30), "ended"
    assert f"circle-{C(5)}@rjc" not in build(start=dt.date(2026, 12, 31), days=30)


def test_prints_to_stdout_without_the_write_lock(center, rjc):
    commits = git(center.root, "rev-list", "--count", "HEAD")
    with write_lock(center.root, timeout=0.5):
        result = rjc("--records", center.root, "calendar", "--from", "2026-12-31")
    assert result.code == 0, result.err
    assert result.out.startswith("BEGIN:VCALENDAR")
    assert set(events(result.out.encode())) >= {f"{PN1}@rjc"}
    assert git(center.root, "rev-list", "--count", "HEAD") == commits
    assert git(center.root, "status", "--porcelain") == ""


def test_refuses_to_write_into_the_records(center, rjc):
    result = rjc("--records", center.root, "calendar", "--out", center.root / "panels.ics")
    assert result.code == 1 and result.err == "Error: the calendar goes outside the records repository; choose another --out\n"
    assert not (center.root / "panels.ics").exists()
