"""Letters: rjc letter KIND RECORD."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rjc.cli.options import format_option
from rjc.cli.repo import open_repository

_DAY = ["%Y-%m-%d"]


def letter(
    kind: Annotated[Optional[str], typer.Argument(metavar="KIND", help="Which letter (see --list).")] = None,
    record: Annotated[Optional[str], typer.Argument(
        metavar="RECORD", help=(
            "The case the letter is about; for a volunteer letter, the volunteer; for a referral "
            "acknowledgement, the referral."))] = None,
    to: Annotated[Optional[str], typer.Option(
        metavar="PERSON", help="The recipient, when the case has several who could be.")] = None,
    fmt: Annotated[Literal["md", "html", "pdf"], format_option(help="md, html or pdf (pdf needs --out).")] = "md",
    paper: Annotated[Literal["letter", "a4"], typer.Option(case_sensitive=False, help="Paper size of a pdf.")] = "letter",
    out: Annotated[Optional[Path], typer.Option(
        metavar="DIR", help="Write the letter into this directory (owner-only) instead of printing it.")] = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Render even with missing fields, each shown as [MISSING: field].")] = False,
    into_records: Annotated[bool, typer.Option(
        "--into-records", help="Allow --out inside the records repository.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the letters and where their templates are.")] = False,
    as_of: Annotated[Optional[dt.datetime], typer.Option(
        "--as-of", formats=_DAY, metavar="YYYY-MM-DD", help="The letter's date, as of which it is written (default: today).")] = None,
    since: Annotated[Optional[dt.datetime], typer.Option(
        "--from", formats=_DAY,
        help="Volunteer letters: first day counted (default: January 1 of the last day's year).")] = None,
    until: Annotated[Optional[dt.datetime], typer.Option(
        "--until", formats=_DAY,
        help="Volunteer letters: last day counted (default: December 31 of the letter's year).")] = None,
) -> None:
    """Render a letter from its template (the center's own in templates/, else rjc's)."""
    import sys

    from rjc.cli.output import message, say
    from rjc.outputs import letters
    from rjc.storage.errors import RjcError

    repo = open_repository()
    if list_:
        width = max(20, *(len(item.name) for item in letters.LETTERS.values()))
        for item in letters.LETTERS.values():
            source = next(d for d in letters.template_dirs(repo) if (d / item.template).is_file())
            where = "center's own" if source != letters.DEFAULT_TEMPLATES else "default"
            say(f"{item.name:<{width}} to {item.to:<18} {item.about} ({where}: {item.template})")
        return
    if not kind or not record:
        raise RjcError("give the letter and the case (or volunteer), e.g.: rjc letter agreement C-2026-KB-0019 "
                       "(or --list)")
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        raise RjcError("a PDF is not for the terminal; write it to a directory with --out DIR")
    record_id = record.upper()
    text = letters.render(repo, kind, record_id, draft=draft, person=to and to.upper(),
                          today=as_of.date() if as_of else None,
                          period=(since.date() if since else None, until.date() if until else None))
    title = f"{kind} letter, {record_id}"
    data = (letters.to_pdf(text, title, paper=paper, draft=draft) if fmt == "pdf"
            else (letters.to_html(text, title) if fmt == "html" else text).encode("utf-8"))
    if out is None:
        if fmt != "pdf":
            say(data.decode("utf-8"), end="")
            return
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # into a pipe (a printer, a file): never a terminal, see above
        sys.stdout.buffer.flush()
        return
    target_dir = out.expanduser().resolve()
    if (target_dir == repo.root or repo.root in target_dir.parents) and not into_records:
        raise RjcError("letters go outside the records repository; choose another --out, or add --into-records")
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    recipient = f"-{to.upper()}" if to else ""  # two recipients of one case's letter get two files
    target = target_dir / f"{record_id}-{kind}{recipient}{'-draft' if draft else ''}.{fmt}"
    from rjc.storage.transaction import write_atomically

    write_atomically(target, data)
    message(f"wrote {target}")


def register(app: typer.Typer) -> None:
    app.command()(letter)
