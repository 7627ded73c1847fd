"""`rjc report quarterly`: the measures of a period beside the period before it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rjc.outputs.reports import measures, suppress
from rjc.outputs.reports.data import Records
from rjc.outputs.reports.measures import Row
from rjc.outputs.reports.window import Window


@dataclass
class Quarterly:
    center: str | None
    current: Window
    previous: Window
    rows: list[Row]
    as_of: dt.date
    threshold: int | None = None  # a public report: counts below this are hidden
    skipped: list[str] = field(default_factory=list)

    @property
    def public(self) -> bool:
        return self.threshold is not None

    @property
    def windows(self) -> list[Window]:
        return [self.current, self.previous]

    def value(self, measure: str, breakdown: str, period: str | None = None):
        label = period or self.current.label
        return next((r.value for r in self.rows
                     if (r.measure, r.breakdown, r.period) == (measure, breakdown, label)), None)


def build(records: Records, window: Window, *, threshold: int | None = None,
          today: dt.date | None = None) -> Quarterly:
    """The report for `window` and the period before it; public (suppressed) with a threshold."""
    previous = window.previous()
    rows = measures.quarterly_rows(records, window, previous)
    if threshold is not None:
        rows = suppress.suppress(rows, threshold)
    return Quarterly(records.center, window, previous, rows, today or dt.date.today(), threshold,
                     list(records.skipped))
