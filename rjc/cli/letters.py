"""Letters: rjc letter KIND CASE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from rjc.cli.repo import open_repository


def letter(
    kind: Annotated[Optional[str], typer.Argument(metavar="KIND", help="Which letter (see --list).")] = None,
    case_id: Annotated[Optional[str], typer.Argument(metavar="CASE", help="The case it is about.")] = None,
    to: Annotated[Optional[str], typer.Option(
        metavar="PERSON", help="The recipient, when the case has several who could be.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
    out: Annotated[Optional[Path], typer.Option(
        metavar="DIR", help="Write the letter into this directory (owner-only) instead of printing it.")] = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Render even with missing fields, each shown as [MISSING: field].")] = False,
    into_records: Annotated[bool, typer.Option(
        "--into-records", help="Allow --out inside the records repository.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the letters and where their templates are.")] = False,
    date: Annotated[Optional[dt.datetime], typer.Option(
        formats=["%Y-%m-%d"], help="The letter's date (default today).")] = None,
) -> None:
    """Render a letter from its template (the center's own in templates/, else rjc's)."""
    from rjc import letters
    from rjc.cli.output import message
    from rjc.errors import RjcError

    repo = open_repository()
    if list_:
        for item in letters.LETTERS.values():
            source = next(d for d in letters.template_dirs(repo) if (d / item.template).is_file())
            where = "center's own" if source != letters.DEFAULT_TEMPLATES else "default"
            print(f"{item.name:<16} to {item.to:<16} {item.about} ({where}: {item.template})")
        return
    if not kind or not case_id:
        raise RjcError("give the letter and the case, e.g.: rjc letter agreement C-2026-KB-0019 (or --list)")
    if fmt not in letters.FORMATS:
        raise RjcError(f"--format is one of: {', '.join(letters.FORMATS)}")
    text = letters.render(repo, kind, case_id.upper(), draft=draft, person=to and to.upper(),
                          today=date.date() if date else None)
    if fmt == "html":
        text = letters.to_html(text, f"{kind} letter, {case_id.upper()}")
    if out is None:
        print(text, end="")
        return
    target_dir = out.expanduser().resolve()
    if (target_dir == repo.root or repo.root in target_dir.parents) and not into_records:
        raise RjcError("letters go outside the records repository; choose another --out, or add --into-records")
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = target_dir / f"{case_id.upper()}-{kind}{'-draft' if draft else ''}.{fmt}"
    from rjc.transaction import write_atomically

    write_atomically(target, text.encode("utf-8"))
    message(f"wrote {target}")


def register(app: typer.Typer) -> None:
    app.command()(letter)
