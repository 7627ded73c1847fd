"""Small counts hidden in a public report, with the cells that would give them away.

In a small town a count of one or two can identify a person. With a threshold N:

1. every count from 1 to N-1 is shown as "<N" (a 0 stays 0: it identifies nobody);
2. a derived value (a percentage, a median) is shown as "suppressed" when a count it is computed
   from is hidden, and so is a count that is the sum of hidden ones (victims who took part);
3. in a measure whose breakdowns add up to a total that is shown (or each group of its breakdowns
   to the group's total: the options of one survey question), a single hidden breakdown could
   be recovered by subtraction, so the smallest other non-zero breakdown is hidden too
   ("suppressed"); this is repeated until no measure has exactly one hidden breakdown;
4. lists of case ids are left out.

Amounts (dollars, hours) are not counts of people and are shown as they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from rjc.outputs.reports.measures import AMOUNT, COUNT, LISTING, MEASURES, TOTAL, Row

SUPPRESSED = "suppressed"


def below(threshold: int) -> str:
    return f"<{threshold}"


def hidden(row: Row) -> bool:
    return isinstance(row.value, str)


def suppress(rows: list[Row], threshold: int) -> list[Row]:
    """The rows of a public report: same order, small counts and what reveals them hidden."""
    kept = [r for r in rows if r.kind != LISTING]
    cells = {(r.measure, r.breakdown, r.period): r for r in kept}

    def hide(row: Row, text: str) -> None:
        cells[(row.measure, row.breakdown, row.period)] = replace(row, value=text)

    for row in kept:
        if row.kind == COUNT and isinstance(row.value, int) and 0 < row.value < threshold:
            hide(row, below(threshold))
    changed = True
    while changed:
        changed = False
        for row in list(cells.values()):
            if hidden(row) or row.kind == AMOUNT or not row.basis:
                continue
            if any(hidden(cells.get((m, b, row.period), row)) for m, b in row.basis):
                hide(row, SUPPRESSED)
                changed = True
        groups: dict[tuple[str, str, str], list[Row]] = {}
        for (measure, _, period), row in cells.items():
            if (MEASURES[measure].additive or MEASURES[measure].grouped) and row.kind == COUNT:
                groups.setdefault((measure, period, _group(measure, row.breakdown)), []).append(row)
        for group in groups.values():
            total = next((r for r in group if _is_total(r)), None)
            parts = [r for r in group if not _is_total(r)]
            if total is None or hidden(total) or sum(hidden(r) for r in parts) != 1:
                continue
            shown = [r for r in parts if not hidden(r) and r.value]
            if shown:
                hide(min(shown, key=lambda r: cast(int, r.value)), SUPPRESSED)  # count rows hold ints
                changed = True
    return [cells[(r.measure, r.breakdown, r.period)] for r in kept]


def _group(measure: str, breakdown: str) -> str:
    """The group a breakdown adds up in: "agreement_fair" of "agreement_fair: too-hard" in a grouped
    measure; the whole measure otherwise."""
    return breakdown.rpartition(": ")[0] if MEASURES[measure].grouped else ""


def _is_total(row: Row) -> bool:
    return row.breakdown == TOTAL or (MEASURES[row.measure].grouped and row.breakdown.endswith(f": {TOTAL}"))

