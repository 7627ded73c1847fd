"""Days in each stage and the dates a case is held to: diversion deadlines, business days."""

from __future__ import annotations

import datetime as dt
import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from rjc.model import SCHEMA_VERSION, lifecycle

from helpers import dedent

INTAKE = dedent("""\
    people:
      - role: responsible-party
        given_name: Ana
        family_name: Rivera
      - role: victim
        given_name: Bo
        family_name: Lind
    """)


def test_business_days_skip_weekends_and_vermont_holidays():
    # Friday 2026-11-20 + 7 business days: Thanksgiving (Thu 26th) and the weekends are skipped
    assert lifecycle.business_days_after(dt.date(2026, 11, 20), 7, "US-VT") == dt.date(2026, 12, 2)
    assert lifecycle.business_days_after(dt.date(2026, 11, 20), 7, "") == dt.date(2026, 12, 1)
    # Town Meeting Day (first Tuesday of March) is a Vermont holiday
    assert lifecycle.business_days_after(dt.date(2026, 3, 2), 1, "US-VT") == dt.date(2026, 3, 4)


def test_stages_count_days_in_each_status():
    from rjc.model.case import StatusEntry

    history = [StatusEntry(status="referred", date="2026-11-02", by="KB"),
               StatusEntry(status="intake", date="2026-11-05", by="KB")]
    stages = lifecycle.stages(history, dt.date(2026, 11, 24))
    assert [(s.status, s.days, s.end) for s in stages] == [
        ("referred", 3, dt.date(2026, 11, 5)), ("intake", 19, None)]


def _diversion(repo, rjc, tmp_path, *accept_flags):
    path = tmp_path / "intake.yaml"
    path.write_text(INTAKE, encoding="utf-8")
    made = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "pre-charge-diversion",
               "--source", "states-attorney", "--received", "2026-11-20", "--person-file", path)
    assert made.code == 0, made.err
    accepted = rjc("--records", repo.root, "referral", "accept", made.out.strip(), "--date", "2026-11-23", *accept_flags)
    assert accepted.code == 0, accepted.err
    return accepted.out.strip()


def test_diversion_case_is_due_back_and_victims_must_be_told(repo, rjc, tmp_path):
    case_id = _diversion(repo, rjc, tmp_path)
    assert str(repo.get(case_id).diversion.return_by) == "2027-02-18"  # received + 90 days
    result = rjc("--records", repo.root, "case", "timeline", case_id, "--as-of", "2026-12-03")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].split() == ["referred", "from", "2026-11-23", "so", "far", "10", "days"]
    assert "victims to be told of the referral: 2026-12-02 (passed)" in result.out
    assert "due back to the referrer: 2027-02-18" in result.out
    late = rjc("--records", repo.root, "victim", "choose", case_id, "P-2026-KB-0002", "attend", "--notified", "2026-12-03")
    assert late.code == 0 and late.err.splitlines()[-1] == "warning: notified after the diversion deadline (2026-12-02, 7 business days after the referral)"
    timeline = rjc("--records", repo.root, "case", "timeline", case_id, "--as-of", "2026-12-03").out
    assert "victims to be told" not in timeline


def test_return_by_and_outcome_notice(repo, rjc, tmp_path):
    case_id = _diversion(repo, rjc, tmp_path, "--return-by", "2027-01-15")
    assert str(repo.get(case_id).diversion.return_by) == "2027-01-15"
    early = rjc("--records", repo.root, "case", "notify-referrer", case_id)
    assert early.code == 1 and "is not closed" in early.err
    assert rjc("--records", repo.root, "case", "close", case_id, "--reason", "withdrawn", "--date", "2026-12-01").code == 0
    before = rjc("--records", repo.root, "case", "notify-referrer", case_id, "--date", "2026-11-30")
    assert before.code == 1 and before.err == "Error: 2026-11-30 is before its closure (2026-12-01); nothing was changed\n"
    told = rjc("--records", repo.root, "case", "notify-referrer", case_id, "--date", "2026-12-02")
    assert told.code == 0, told.err
    case = repo.get(case_id)
    assert str(case.diversion.outcome_reported) == "2026-12-02" and str(case.closure.referrer_notified) == "2026-12-02"
    assert "due back" not in rjc("--records", repo.root, "case", "timeline", case_id).out


def test_return_by_is_only_for_diversion(repo, rjc, tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_text(INTAKE, encoding="utf-8")
    made = rjc("--records", repo.root, "referral", "new", "--no-input", "--program", "mediation",
               "--source", "self", "--received", "2026-11-20", "--person-file", path)
    result = rjc("--records", repo.root, "referral", "accept", made.out.strip(), "--return-by", "2027-01-01")
    assert result.code == 1 and result.err == "Error: --return-by is for pre-charge diversion cases\n"


def test_victims_are_new_once_per_federal_fiscal_year(repo, rjc, tmp_path):
    from rjc.model.case import Case, Participant, Service, StatusEntry
    from rjc.workflows import victims

    def case(number: int, opened: str, program: str = "victim-support", services=()):
        return Case(id=f"C-2025-KB-{number:04d}", schema_version=SCHEMA_VERSION, program=program, coordinator="KB",
                    opened=opened, participants=[Participant(person="P-2025-KB-0001", role="victim")],
                    status_history=[StatusEntry(status="intake", date=opened, by="KB")],
                    services=[Service.new(date=d, service="court accompaniment") for d in services])

    served = victims.served_dates([case(1, "2025-09-15", services=["2025-09-20", "2025-10-02"]),
                                   case(2, "2026-12-01", program="restorative-panel")])
    assert served["P-2025-KB-0001"][0] == dt.date(2025, 9, 15)
    dates = served["P-2025-KB-0001"]
    assert victims.standing(dates, dt.date(2025, 9, 30)) == "new"  # FY2025: first served
    assert victims.standing(dates, dt.date(2025, 10, 1)) == "continuing"  # FY2026: served again
    assert victims.standing(dates, dt.date(2026, 10, 1)) == "continuing"  # FY2027
    assert victims.standing([dt.date(2026, 10, 1)], dt.date(2027, 9, 30)) == "new"  # first day of FY2027
    assert victims.standing(dates, dt.date(2028, 1, 1)) is None  # not served in FY2028


def test_victim_list_shows_participation_and_standing(repo, rjc, tmp_path):
    case_id = _diversion(repo, rjc, tmp_path)
    assert rjc("--records", repo.root, "victim", "choose", case_id, "P-2026-KB-0002",
               "written-statement-shared", "--notified", "2026-11-24").code == 0
    out = rjc("--records", repo.root, "victim", "list", case_id, "--as-of", "2026-12-01").out
    assert out.split() == ["P-2026-KB-0002", "written-statement-shared", "notified", "2026-11-24",
                           "new", "in", "federal", "FY2027"]


@functools.cache
def _closed(calendar: str, year: int) -> frozenset[dt.date]:
    """The public holidays of `calendar` ("US-VT"), straight from the holidays package."""
    import holidays

    return frozenset(holidays.country_holidays(*calendar.split("-"), years=year)) if calendar else frozenset()


@given(start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31)), count=st.integers(0, 40),
       calendar=st.sampled_from(["", "US-VT", "US"]))
@settings(max_examples=300, deadline=None)
def test_adding_business_days_then_counting_them_gives_the_same_number(start, count, calendar):
    def business(day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _closed(calendar, day.year)

    end = lifecycle.business_days_after(start, count, calendar)
    days = [start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(business(day) for day in days) == count
    if count == 0:
        assert end == start
    else:
        assert business(end)  # it never lands on a weekend or a holiday
