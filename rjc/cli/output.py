"""Printing for the CLI: data to stdout, messages to stderr, errors in one shape."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from rjc.storage.errors import Problem, RjcError


def safe(text: object) -> str:
    """Text as it may reach a terminal: control and bidirectional characters written out (\\x1b,
    \\u202e). Everything rjc prints that a record, a file name or a commit could hold passes here,
    so no record can retitle, clear or recolour the terminal, or make a line read backwards."""
    from rjc.storage.controls import visible

    return visible(str(text))


def say(text: object = "", end: str = "\n") -> None:
    """A line of data on stdout (a record, a listing row), through `safe`."""
    sys.stdout.write(safe(text) + end)


def message(text: str) -> None:
    """A message for the person at the terminal (stderr, so stdout stays data)."""
    print(safe(text), file=sys.stderr)


def read_source(path: str) -> bytes:
    """The bytes of a file named on the command line; '-' is standard input."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise RjcError(f"cannot read {path}: {exc.strerror}") from None


def problems_text(problems: Sequence[Problem]) -> str:
    return "\n".join(safe(p) for p in problems)


def report_error(exc: RjcError) -> None:
    if exc.problems:
        print(problems_text(exc.problems), file=sys.stderr)
        if [exc.message] == [str(p) for p in exc.problems]:
            return  # the message is the problem itself: say it once
    message(f"Error: {exc.message}")


def report_bug(exc: BaseException) -> None:
    """Log where rjc failed (frames only: no exception text, no values) and say where."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "rjc"
    try:
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
        log = state / "crash.log"
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} "
                         f"{type(exc).__name__}\n{frames}")
        where = f"; details for the developers are in {log}"
    except OSError:
        where = ""
    print(f"Error: internal error in rjc ({type(exc).__name__}){where}", file=sys.stderr)


def _plain(value) -> str:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return "" if value is None else safe(value)


def print_rows(rows: list[dict], columns: list[str], fmt: str, rank: Sequence[str] | None = None) -> None:
    """Rows as a table on a terminal, or as JSON or CSV for scripts.

    On a terminal the table fits its width (rjc/outputs/screen.py): ids and numbers are shown
    whole, words wrap, and the columns last in `rank` (most valuable first; default: their
    order) are left out when even that is too wide, with a note on stderr saying which.
    """
    if fmt == "json":
        print(json.dumps([{c: _json(row.get(c)) for c in columns} for row in rows], indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_plain(row.get(c)) for c in columns])
    elif not sys.stdout.isatty():  # a pipe: plain aligned columns, without loading rich
        cells = [columns] + [[_plain(row.get(c)) for c in columns] for row in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        for line in cells:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        message(f"{len(rows)} record{'s' if len(rows) != 1 else ''}")
    else:
        from rich.console import Console

        from rjc.outputs import screen

        console = Console()
        layout = screen.fit(columns, [[_plain(row.get(c)) for c in columns] for row in rows], console.width,
                            rank=rank)
        screen.print_layout(console, layout, box=None, pad_edge=False)
        message(f"{len(rows)} record{'s' if len(rows) != 1 else ''}")
        if layout.left_out:
            message(screen.left_out_note(layout.left_out, console.width))


def _json(value):
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def committed(result, verb: str = "committed") -> None:
    if result.commit:
        message(f"{verb} {result.commit[:10]}")
    else:
        message("no change; nothing committed")


def progress_bar(threshold: int = 1500):
    """A callback drawing a progress bar on a terminal while many files are parsed.

    Shown only when stderr is a terminal and the work is big enough to take over a second.
    """
    if not sys.stderr.isatty():
        return None
    state: dict = {}

    def update(done: int, total: int) -> None:
        if total < threshold:
            return
        if "bar" not in state:
            from rich.progress import Progress

            state["bar"] = Progress(transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("reading records", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state.pop("bar").stop()

    return update
