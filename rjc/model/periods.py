"""Reporting periods: the Vermont fiscal year (July-June), the federal one (October-September)
and the calendar year, and their quarters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The month each kind of year starts in.
YEAR_STARTS = {"vermont": 7, "federal": 10, "calendar": 1}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def fiscal_year(day: dt.date, kind: str) -> Period:
    """The fiscal year holding `day`; named by the year it ends in (federal FY2027 starts Oct 2026)."""
    first = YEAR_STARTS[kind]
    start_year = day.year if day.month >= first else day.year - 1
    start = dt.date(start_year, first, 1)
    end = _month_start(start_year, first + 12) - dt.timedelta(days=1)
    label = str(end.year) if kind == "calendar" else f"FY{end.year}"
    return Period(start, end, label)


def quarter(day: dt.date, kind: str) -> Period:
    """The quarter of that kind of year holding `day`, e.g. FY2027 Q1."""
    year = fiscal_year(day, kind)
    index = ((day.year - year.start.year) * 12 + day.month - year.start.month) // 3
    start = _month_start(year.start.year, year.start.month + 3 * index)
    end = _month_start(start.year, start.month + 3) - dt.timedelta(days=1)
    return Period(start, end, f"{year.label} Q{index + 1}")


# --- naming and parsing quarters (reports) -------------------------------------------------------

YEAR_NAMES = {"vermont": "Vermont", "federal": "Federal", "calendar": "Calendar"}
_QUARTER_TEXT = re.compile(r"(?:FY)?\s*([0-9]{4})\s*[- ]?\s*Q\s*([0-9]+)", re.IGNORECASE)


def fiscal_quarter(year: int, number: int, kind: str) -> Period:
    """Quarter `number` (1-4) of the year named `year` of this kind.

    A fiscal year is named by the year it ends in, so Vermont FY2026 Q3 is January-March 2026
    and federal FY2026 Q1 is October-December 2025; a calendar year's Q3 is July-September.
    ValueError for a quarter that does not exist.
    """
    if kind not in YEAR_STARTS:
        raise ValueError(f"the year is one of: {', '.join(YEAR_STARTS)}; not '{kind}'")
    if not 1 <= number <= 4:
        raise ValueError(f"a year has quarters Q1 to Q4, not Q{number}")
    first = YEAR_STARTS[kind]
    start_year = year - 1 if first > 1 else year
    try:
        return quarter(_month_start(start_year, first + 3 * (number - 1)), kind)
    except (ValueError, OverflowError):
        raise ValueError(f"there is no quarter {number} of {year}") from None


def parse_quarter(text: str, kind: str) -> Period:
    """'2026Q3' (also 'FY2026 Q3', '2026-q3'): quarter 3 of the `kind` year named 2026.

    For vermont and federal that is the fiscal year ending in 2026; for calendar, 2026 itself.
    ValueError, saying why, for anything else.
    """
    found = _QUARTER_TEXT.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"'{text}' is not a quarter; write it like 2026Q3")
    return fiscal_quarter(int(found.group(1)), int(found.group(2)), kind)


def previous_quarter(period: Period, kind: str) -> Period:
    """The quarter of this kind just before the one starting `period`."""
    return quarter(period.start - dt.timedelta(days=1), kind)


def last_complete_quarter(today: dt.date, kind: str) -> Period:
    """The latest quarter of this kind that has ended before `today`."""
    return previous_quarter(quarter(today, kind), kind)


def quarter_name(period: Period, kind: str) -> str:
    """A quarter's name that says which year it belongs to: 'Vermont FY2026 Q3', '2026 Q3'."""
    return period.label if kind == "calendar" else f"{YEAR_NAMES[kind]} {period.label}"


def preceding(period: Period) -> Period:
    """The period of the same length that ends the day before `period` starts.

    Whole months (from a 1st to a month's last day) give the same number of whole months
    before (July-September -> April-June); any other period, the same number of days.
    """
    end = period.start - dt.timedelta(days=1)
    last_of_month = (period.end + dt.timedelta(days=1)).day == 1
    if period.start.day == 1 and last_of_month:
        months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
        start = _month_start(period.start.year, period.start.month - months)
    else:
        start = end - (period.end - period.start)
    return Period(start, end, f"{start} to {end}")
