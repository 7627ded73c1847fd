"""Reporting periods: the Vermont fiscal year (July-June), the federal one (October-September)
and the calendar year, and their quarters."""

from __future__ import annotations

import datetime as dt
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
