"""`rjc report caseload`: the open cases, by coordinator and status, with how long they have been
open and in their current status (rjc.model.lifecycle.stages), as of a day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from rjc.model import lifecycle
from rjc.model.vocab import CaseStatus
from rjc.outputs.reports import facts
from rjc.outputs.reports.data import Records
from rjc.outputs.reports.tables import Table, TablesReport

COLUMNS = ["case", "program", "coordinator", "status", "opened", "days_open", "status_since", "days_in_status"]
RANK = ["case", "status", "days_open", "days_in_status", "program", "coordinator", "opened", "status_since"]
SUMMARY_COLUMNS = ["coordinator", "status", "cases", "longest_open_days"]


def rows(records: Records, day: dt.date, coordinator: str | None = None) -> list[dict]:
    found = []
    for case in records.cases:
        if not facts.open_on(case, day) or (coordinator and case.coordinator != coordinator):
            continue
        history = [e for e in case.status_history if e.date <= day]
        stage = lifecycle.stages(history, day)[-1] if history else None
        found.append({"case": case.id, "program": case.program.value, "coordinator": case.coordinator,
                      "status": stage.status.value if stage else "not started", "opened": case.opened,
                      "days_open": (day - case.opened).days, "status_since": stage.start if stage else None,
                      "days_in_status": stage.days if stage else None})
    order = {s.value: i for i, s in enumerate(CaseStatus)}
    return sorted(found, key=lambda r: (r["coordinator"], order.get(r["status"], -1), -r["days_open"], r["case"]))


def summary(found: list[dict]) -> list[dict]:
    counts = Counter((r["coordinator"], r["status"]) for r in found)
    longest: dict[tuple[str, str], int] = {}
    for r in found:
        key = (r["coordinator"], r["status"])
        longest[key] = max(longest.get(key, 0), r["days_open"])
    result = [{"coordinator": c, "status": s, "cases": counts[(c, s)], "longest_open_days": longest[(c, s)]}
              for c, s in dict.fromkeys((r["coordinator"], r["status"]) for r in found)]
    result.append({"coordinator": "total", "status": "", "cases": len(found),
                   "longest_open_days": max((r["days_open"] for r in found), default=None)})
    return result


def report(records: Records, day: dt.date, *, coordinator: str | None = None) -> TablesReport:
    found = rows(records, day, coordinator)
    report_facts = {"as of": day.isoformat(), "open cases": str(len(found))}
    if coordinator:
        report_facts["coordinator"] = coordinator
    return TablesReport(kind="caseload", title="caseload", center=records.center, facts=report_facts,
                        tables=[Table("cases", "Open cases", COLUMNS, found, RANK),
                                Table("summary", "By coordinator and status", SUMMARY_COLUMNS, summary(found))],
                        as_of=day, skipped=list(records.skipped),
                        notes=["Open: opened on or before the day and not closed at its end. Days in status: "
                               "since the latest status change on or before the day."])
