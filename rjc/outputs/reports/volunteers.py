"""`rjc report volunteers`: hours by volunteer id and program, from the hours ledger.

The hours are rjc.workflows.volunteers' ledger entries (a held panel's seat: its hours, else the panel's
length when attended; a CoSA meeting attended: the meeting's hours), dated in the period.
Volunteer ids only, never names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from rjc.outputs.reports.data import Records
from rjc.outputs.reports.measures import hours
from rjc.outputs.reports.tables import Table, TablesReport
from rjc.outputs.reports.window import Window
from rjc.workflows import volunteers as ledger

COLUMNS = ["volunteer", "program", "hours", "panels", "circle_meetings"]
PROGRAM_COLUMNS = ["program", "volunteers", "hours"]


def report(records: Records, window: Window, *, today: dt.date) -> TablesReport:
    per: dict[tuple[str, str], dict] = defaultdict(lambda: {"hours": Decimal("0"), "panels": 0, "circle_meetings": 0})
    for volunteer, entry in ledger.entries(records.panels, records.cases):
        if entry.date not in window:
            continue
        row = per[(volunteer, entry.program)]
        row["hours"] += entry.hours
        row["panels" if entry.kind == "panel" else "circle_meetings"] += 1
    rows = [{"volunteer": v, "program": p, **{**found, "hours": hours(found["hours"])}}
            for (v, p), found in sorted(per.items())]
    by_program: dict[str, dict] = defaultdict(lambda: {"volunteers": set(), "hours": Decimal("0")})
    for row in rows:
        by_program[row["program"]]["volunteers"].add(row["volunteer"])
        by_program[row["program"]]["hours"] += row["hours"]
    programs = [{"program": p, "volunteers": len(found["volunteers"]), "hours": hours(found["hours"])}
                for p, found in sorted(by_program.items())]
    programs.append({"program": "total", "volunteers": len({r["volunteer"] for r in rows}),
                     "hours": hours(sum((r["hours"] for r in rows), Decimal("0")))})
    facts = {"period": f"{window.label} ({window.start} to {window.end})"}
    return TablesReport(kind="volunteers", title="volunteer hours", center=records.center, facts=facts,
                        tables=[Table("hours", "Hours by volunteer and program", COLUMNS, rows),
                                Table("programs", "Hours by program", PROGRAM_COLUMNS, programs)],
                        as_of=today, skipped=list(records.skipped),
                        notes=["Held panels sat (the seat's hours, else the panel's length) and CoSA meetings "
                               "attended. Volunteer ids only."])
