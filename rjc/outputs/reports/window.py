"""Which days a report covers, and the period before it that it is compared with.

A quarter is named by the year it belongs to: `--quarter 2026Q3 --year vermont` is the third
quarter of the Vermont fiscal year that ends in June 2026 (January-March 2026); with `--year
federal`, of the federal year ending in September 2026 (April-June 2026); with `--year
calendar`, July-September 2026. Without a quarter or dates, the last complete quarter as of
today. `--from/--to` that is exactly a quarter is that quarter. The previous period is the quarter
before (for a quarter), else the same number of whole months (or days) just before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rjc.model import periods
from rjc.model.periods import Period
from rjc.storage.errors import UsageProblem

DEFAULT_YEAR = "vermont"


@dataclass(frozen=True)
class Window:
    """A report's period: its days, its name in every format, and the kind of year it uses."""

    period: Period
    label: str
    year: str  # vermont, federal or calendar: quarters and fiscal years are of this kind
    is_quarter: bool

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    def __contains__(self, day: dt.date) -> bool:
        return day in self.period

    def previous(self) -> Window:
        if self.is_quarter:
            before = periods.previous_quarter(self.period, self.year)
            return Window(before, periods.quarter_name(before, self.year), self.year, True)
        before = periods.preceding(self.period)
        return Window(before, range_label(before.start, before.end), self.year, False)


def range_label(start: dt.date, end: dt.date) -> str:
    return f"{start} to {end}"


def check_year(year: str | None) -> str:
    year = year or DEFAULT_YEAR
    if year not in periods.YEAR_STARTS:
        raise UsageProblem(f"--year is one of: {', '.join(periods.YEAR_STARTS)}; not '{year}'")
    return year


def choose(*, quarter: str | None = None, year: str | None = None, start: dt.date | None = None,
           end: dt.date | None = None, today: dt.date | None = None, whole_year: bool = False) -> Window:
    """The window a command line asks for; UsageProblem (exit 2) for one that cannot be.

    Without a quarter or dates: the last complete quarter as of `today`, or with `whole_year`
    the fiscal year (of `year`) holding `today`.
    """
    kind = check_year(year)
    today = today or dt.date.today()
    if quarter is not None and (start is not None or end is not None):
        raise UsageProblem("give --quarter, or --from and --to, not both")
    if quarter is not None:
        try:
            period = periods.parse_quarter(quarter, kind)
        except ValueError as exc:
            raise UsageProblem(f"--quarter: {exc}") from None
        return Window(period, periods.quarter_name(period, kind), kind, True)
    if start is not None or end is not None:
        if start is None or end is None:
            raise UsageProblem("give both --from and --to")
        if end < start:
            raise UsageProblem(f"--to {end} is before --from {start}")
        same = periods.quarter(start, kind)
        if (same.start, same.end) == (start, end):  # exactly a quarter: named, and compared, as one
            return Window(same, periods.quarter_name(same, kind), kind, True)
        return Window(Period(start, end, range_label(start, end)), range_label(start, end), kind, False)
    if whole_year:
        fiscal = periods.fiscal_year(today, kind)
        name = fiscal.label if kind == "calendar" else f"{periods.YEAR_NAMES[kind]} {fiscal.label}"
        return Window(fiscal, name, kind, False)
    period = periods.last_complete_quarter(today, kind)
    return Window(period, periods.quarter_name(period, kind), kind, True)
