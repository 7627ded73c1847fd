"""Reports: rjc report quarterly, restitution, volunteers, caseload. Read-only, identity-free."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rjc.cli.options import AsOfOption, YearOption, format_option
from rjc.cli.repo import open_repository

report_app = typer.Typer(help="Reports for funders and for running the center: read-only, no names "
                              "(definitions in docs/reports.md).", no_args_is_help=True)

_DAY = ["%Y-%m-%d"]
QuarterOption = Annotated[Optional[str], typer.Option(
    "--quarter", metavar="YYYYQN",
    help="A quarter of --year, e.g. 2026Q3: the fiscal year ending in 2026 (vermont, federal) or 2026 (calendar).")]
FromOption = Annotated[Optional[dt.datetime], typer.Option(
    "--from", formats=_DAY, help="First day of the period (with --to).")]
ToOption = Annotated[Optional[dt.datetime], typer.Option(
    "--to", formats=_DAY, help="Last day of the period (with --from).")]
FormatOption = Annotated[Literal["table", "md", "csv", "json", "html"], format_option()]
OutOption = Annotated[Optional[Path], typer.Option(
    "--out", metavar="FILE", help="Write the report to this file (owner-only, outside the records repository).")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Report even if the records fail rjc check, leaving out the files with errors (named).")]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _report(repo, name: str, kinds: tuple[str, ...], force: bool, params: tuple, build, fmt: str,
            out: Path | None) -> None:
    """Build a report from the records and print or write it.

    The text is stored in the cache under the content of every record file and the options, so
    when neither changed it is written out again without being rebuilt (a report on a terminal
    is drawn afresh, for the terminal's width and colours).
    """
    import sys

    from rjc.cli.output import message

    on_terminal = fmt == "table" and out is None and sys.stdout.isatty()

    def compute():
        from rjc.outputs.reports import data

        records = data.load(repo, kinds, force=force)
        report = build(records)
        return records.skipped, records.problems, (report if on_terminal else _text(report, fmt))

    key = (kinds, force, fmt, on_terminal, *params)
    skipped, problems, result = repo.memoized(f"report {name}", key, compute)
    if skipped:
        for problem in problems:
            message(str(problem))
        count = len(skipped)
        message(f"Warning: --force: left out {count} file{'s' * (count != 1)} that "
                f"fail{'s' * (count == 1)} rjc check: {', '.join(skipped)}")
    if on_terminal:
        from rich.console import Console

        from rjc.outputs import screen
        from rjc.outputs.reports import render

        console = Console(highlight=False)
        left_out = render.render(result, fmt, console)
        if left_out:
            message(screen.left_out_note(left_out, console.width))
    else:
        _write(repo, result, out)


def _text(report, fmt: str) -> str:
    from rjc.outputs.reports import render

    if fmt != "table":
        text = render.render(report, fmt)
        assert isinstance(text, str)  # only a table is printed rather than returned
        return text
    import io

    from rich.console import Console

    buffer = io.StringIO()
    render.render(report, fmt, Console(file=buffer, width=200, highlight=False, color_system=None))
    return buffer.getvalue()


def _check_out(repo, out: Path | None) -> None:
    from rjc.storage.errors import RjcError

    if out is not None:
        target = out.expanduser().resolve()
        root = repo.root.resolve()
        if target == root or root in target.parents:
            raise RjcError("reports never write into the records repository; choose an --out outside it")
        if target.is_dir():
            raise RjcError(f"{target} is a directory; --out takes a file name")


def _write(repo, content: str, out: Path | None) -> None:
    """Print the report, or write it (owner-only) to a file outside the records repository."""
    from rjc.cli.output import message, say

    if out is None:
        say(content, end="" if content.endswith("\n") else "\n")
        return
    from rjc.storage.transaction import write_atomically

    target = out.expanduser().resolve()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(target, content.encode("utf-8"))
    message(f"wrote {target}")


@report_app.command("quarterly")
def quarterly(
    quarter: QuarterOption = None,
    year: YearOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    public: Annotated[bool, typer.Option(
        "--public", help="For publication: counts below --suppress-below are hidden, with the cells that "
                         "would reveal them; no case ids.")] = False,
    suppress_below: Annotated[Optional[int], typer.Option(
        "--suppress-below", metavar="N", min=2, help="With --public: hide counts from 1 to N-1 (default 5).")] = None,
    force: ForceOption = False,
) -> None:
    """The quarterly report: every measure for the period beside the period before it.

    Referrals, cases, closures, victims (NEW or continuing in the federal fiscal year),
    restitution and its aging, community service, volunteers and panels, CoSA, STAR, mediation
    and conferencing, and the open cases with no activity. Default period: the last complete
    quarter of --year (vermont) as of today. Definitions: docs/reports.md.
    """
    from rjc.outputs.reports import window
    from rjc.storage.errors import UsageProblem

    if suppress_below is not None and not public:
        raise UsageProblem("--suppress-below goes with --public")
    today = _day(as_of) or dt.date.today()
    chosen = window.choose(quarter=quarter, year=year, start=_day(from_), end=_day(to), today=today)
    repo = open_repository()
    _check_out(repo, out)
    from rjc.outputs.reports import DEFAULT_THRESHOLD

    threshold = (suppress_below or DEFAULT_THRESHOLD) if public else None

    def build(records):
        from rjc.outputs.reports import quarterly as core

        return core.build(records, chosen, threshold=threshold, today=today)

    _report(repo, "quarterly", ("case", "referral", "panel", "volunteer", "person"), force,
            (chosen, threshold, today), build, fmt, out)


@report_app.command("restitution")
def restitution(
    as_of: AsOfOption = None,
    outstanding: Annotated[bool, typer.Option("--outstanding", help="Only items with a balance outstanding.")] = False,
    to_whom: Annotated[bool, typer.Option(
        "--to-whom", help="Add to whom each item is owed: the payee, or the victim's name. The one report "
                          "that shows names; only when asked.")] = False,
    fmt: FormatOption = "table",
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Restitution: owed, paid and outstanding per case and item (by id), and outstanding balances
    by age (under 60 days, 60 days-2 years, 2-4 years, 4+ years, from the agreement's signing)."""
    day = _day(as_of) or dt.date.today()
    repo = open_repository()
    _check_out(repo, out)

    def build(records):
        from rjc.outputs.reports import restitution as core

        return core.report(records, day, to_whom=to_whom, outstanding_only=outstanding)

    _report(repo, "restitution", ("case", "person") if to_whom else ("case",), force,
            (day, to_whom, outstanding), build, fmt, out)


@report_app.command("volunteers")
def volunteers(
    year: YearOption = None,
    quarter: QuarterOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Volunteer hours by volunteer id and program, and by program: held panels sat and CoSA
    meetings attended in the period (default: this Vermont fiscal year). --year alone is the whole
    fiscal year holding today; with --quarter, the kind of year the quarter belongs to. Ids only,
    never names."""
    from rjc.outputs.reports import window

    today = _day(as_of) or dt.date.today()
    chosen = window.choose(quarter=quarter, year=year, start=_day(from_), end=_day(to), today=today,
                           whole_year=True)
    repo = open_repository()
    _check_out(repo, out)

    def build(records):
        from rjc.outputs.reports import volunteers as core

        return core.report(records, chosen, today=today)

    _report(repo, "volunteers", ("case", "panel"), force, (chosen, today), build, fmt, out)


@report_app.command("caseload")
def caseload(
    as_of: AsOfOption = None,
    coordinator: Annotated[Optional[str], typer.Option(
        "--coordinator", metavar="CODE", help="Only this coordinator's cases.")] = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Open cases by coordinator and status, with days open and days in their current status."""
    day = _day(as_of) or dt.date.today()
    repo = open_repository()
    _check_out(repo, out)
    code = coordinator and coordinator.upper()

    def build(records):
        from rjc.outputs.reports import caseload as core

        return core.report(records, day, coordinator=code)

    _report(repo, "caseload", ("case",), force, (day, code), build, fmt, out)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
