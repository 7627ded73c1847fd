"""How a table fits a terminal: the one owner of that, for lists, rosters and reports.

A piece of text holding a digit (an id, a number, a date, a time) is never cut or broken: it is
shown whole. Words may wrap, at spaces and after hyphens or underscores. When even the narrowest
wrapping is wider than the terminal, the columns of least value are left out whole, and the
caller says which ones (`left_out_note`), so nothing on screen is ever a cut-off id or number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_BREAK_AFTER = re.compile(r"(?<=[-_])(?=.)")  # a word may break after a hyphen or underscore


def plain_extra(count: int) -> int:
    """Width a borderless table (rich box=None, pad_edge=False) adds to its columns: the gaps."""
    return 2 * max(count - 1, 0)


@dataclass
class Layout:
    shown: list[int]  # indexes of the columns shown, in their order
    widths: list[int]  # one per shown column
    cells: list[list[str]]  # per row, per shown column: the cell as lines joined by newlines
    headers: list[str]  # per shown column, wrapped
    names: list[str]  # per shown column, as given
    left_out: list[str]  # the columns left out, by name, in their order
    width: int  # the whole table's width


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, joins the previous piece without a space) for one line of text."""
    pieces: list[tuple[str, bool]] = []
    for token in text.split():
        parts = [token] if any(c.isdigit() for c in token) else _BREAK_AFTER.split(token)
        pieces += [(part, index > 0) for index, part in enumerate(parts)]
    return pieces


def _narrowest(text: str) -> int:
    return max((len(piece) for line in text.splitlines() for piece, _ in _pieces(line)), default=0)


def _natural(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def wrap(text: str, width: int) -> str:
    """Text wrapped to `width`, breaking only between pieces (a piece is never cut)."""
    lines: list[str] = []
    for source in text.splitlines() or [""]:
        if len(source) <= width:
            lines.append(source)
            continue
        line = ""
        for piece, joined in _pieces(source):
            gap = "" if joined or not line else " "
            if line and len(line) + len(gap) + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line += gap + piece
        lines.append(line)
    return "\n".join(lines)


def fit(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None, *,
        rank: Sequence[str] | None = None, extra: Callable[[int], int] = plain_extra) -> Layout:
    """Which columns to show and how wide, for a terminal `width` columns wide (None: no limit).

    `rank` names the columns from most to least valuable (default: their order); the least
    valuable give way first: wrapped, down to their longest piece, or else left out. The most
    valuable column is always shown, even when it alone is too wide: the terminal then wraps the
    line rather than anything being cut.
    """
    order = [headers.index(name) for name in rank or headers if name in headers]
    order += [i for i in range(len(headers)) if i not in order]
    natural = [max([_natural(headers[i])] + [_natural(r[i]) for r in rows]) for i in range(len(headers))]
    narrowest = [max([_narrowest(headers[i])] + [_narrowest(r[i]) for r in rows]) for i in range(len(headers))]
    widths = dict(enumerate(natural))
    limit = width if width is not None else 10**9

    def excess() -> int:
        return sum(widths.values()) + extra(len(widths)) - limit

    for i in reversed(order[1:]):  # the least valuable give way first: wrapped if it can, else left out
        if excess() <= 0:
            break
        widths[i] = max(narrowest[i], widths[i] - excess())
        if excess() > 0:
            del widths[i]
    while excess() > 0:  # still too wide: narrow the widest column that can still wrap
        candidates = [i for i in widths if widths[i] > narrowest[i]]
        if not candidates:
            break
        widths[max(candidates, key=lambda i: (widths[i], -order.index(i)))] -= 1
    shown = sorted(widths)
    return Layout(shown=shown, widths=[widths[i] for i in shown],
                  cells=[[wrap(row[i], widths[i]) for i in shown] for row in rows],
                  headers=[wrap(headers[i], widths[i]) for i in shown], names=[headers[i] for i in shown],
                  left_out=[headers[i] for i in range(len(headers)) if i not in widths],
                  width=sum(widths.values()) + extra(len(shown)))


def left_out_note(left_out: Sequence[str], width: int, where: str = "") -> str:
    """The note (for stderr) naming the columns a narrow terminal left out, and how to see them."""
    columns = ", ".join(left_out)
    return (f"note: {width} columns is too narrow for {columns}{where}; "
            f"see every column with --format csv, or in a wider window")


def print_layout(console, layout: Layout, right: Sequence[str] = (), ends: Sequence[bool] = (), **table) -> None:
    """A fitted table on a rich console: each column exactly its width, so rich never shortens a
    cell with an ellipsis. `right` names the columns aligned right; `ends` says which rows end a
    section (a rule under them); `table` goes to rich's Table."""
    from rich.table import Table
    from rich.text import Text

    shown = Table(header_style="bold", **table)
    for header, name, width in zip(layout.headers, layout.names, layout.widths):
        shown.add_column(Text(header), width=width, no_wrap=True, overflow="fold",
                         justify="right" if name in right else "left")
    for index, cells in enumerate(layout.cells):  # as Text: "[bold]" in a record is shown as typed
        shown.add_row(*(Text(cell) for cell in cells), end_section=index < len(ends) and ends[index])
    console.print(shown, width=max(console.width, layout.width), crop=False)
