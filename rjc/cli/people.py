"""People on file: rjc person find, rjc person merge."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from rjc.cli.options import checked_prompt, date_problem, phone_problem
from rjc.cli.repo import interactive, open_repository

person_app = typer.Typer(help="People on file.", no_args_is_help=True)


@person_app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The person id to keep.")],
    other: Annotated[str, typer.Argument(help="The person id found to be the same person; merged into KEEP.")],
    yes: Annotated[bool, typer.Option("--yes", help="Merge without asking.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail unless --yes.")] = False,
) -> None:
    """Merge two person records found to be one person, in one commit.

    Every referral, case, panel and volunteer record that refers to OTHER is made to refer to
    KEEP; KEEP's empty fields are filled from OTHER; OTHER is left saying only where the
    person went. `rjc check` warns of likely duplicates (same name and date of birth).
    """
    from rjc.cli.output import committed, message
    from rjc.storage.errors import RjcError
    from rjc.workflows import people

    repo = open_repository()
    if not yes and not (interactive(no_input) and typer.confirm(
            f"Merge {other.upper()} into {keep.upper()}? Everything that refers to {other.upper()} will "
            f"refer to {keep.upper()}", default=False)):
        raise RjcError("nothing was merged; confirm with --yes")
    merged = people.merge(repo, keep, other)
    if merged.moved:
        message(f"now refer to {keep.upper()}: {', '.join(merged.moved)}")
    if merged.filled:
        message(f"filled from {other.upper()}: {', '.join(merged.filled)}")
    if merged.result is None:
        message(f"{other.upper()} was merged into {keep.upper()} before; nothing refers to it now")
    else:
        committed(merged.result)


FIND_HELP = """Find people on file by name (close spellings too), date of birth and phone.

Asks for a name, a date of birth and a phone at the terminal (each may be left blank); or reads
queries from standard input, one a line: a name alone (`Ana Rivera`), or any of
`name: ...`, `dob: YYYY-MM-DD`, `phone: ...` separated by commas
(`name: Ana Rivera, dob: 2001-04-02`). Never from the command line, which the shell keeps in
its history.

Names match ignoring case and accents, and close spellings match too; a date of birth matches
exactly, a phone by its digits. Prints each match, best first, with its id, name, date of birth,
and the referrals and cases the person is in (role, program, status). Exit 1 when a query
matches no one on file.
"""


@person_app.command("find", help=FIND_HELP)
def find(
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; read the queries from stdin.")] = False,
) -> None:
    from rjc.cli.output import message
    from rjc.storage.errors import RjcError
    from rjc.workflows import people

    if interactive(no_input):
        queries = [ask_query()]
    else:
        queries = read_queries(sys.stdin.read())
        if not queries:
            raise RjcError("no query on stdin: one a line, a name or 'name: ..., dob: YYYY-MM-DD, phone: ...'")
    repo = open_repository()
    missed = False
    for line, query in queries:
        findings = people.find(repo, query)
        if findings.found:
            print_found(findings, heading=f"line {line}:" if len(queries) > 1 else None)
        else:
            missed = True
            message(("" if len(queries) == 1 else f"line {line}: ") + "no one on file matches")
    if missed:
        raise typer.Exit(1)


_FORM = re.compile(r"\s*(name|dob|phone)\s*:\s*(.*?)\s*(?=,\s*(?:name|dob|phone)\s*:|$)", re.IGNORECASE)


def read_queries(text: str) -> list:
    """(line number, Query) for each line that is not blank."""
    from rjc.storage.errors import RjcError
    from rjc.workflows.people import Query

    queries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not re.match(r"\s*(name|dob|phone)\s*:", line, re.IGNORECASE):
            queries.append((number, Query(name=line.strip())))
            continue
        fields: dict[str, str] = {}
        position = 0
        for match in _FORM.finditer(line):
            if match.start() != position or match.group(1).lower() in fields:
                break
            fields[match.group(1).lower()] = match.group(2)
            position = match.end() + (1 if line[match.end():match.end() + 1] == "," else 0)
        if position < len(line.rstrip()) and line[position:].strip():
            raise RjcError(f"<stdin> line {number}: write name: ..., dob: YYYY-MM-DD, phone: ... "
                           "(each at most once, separated by commas)")
        for key, check in (("dob", date_problem), ("phone", phone_problem)):
            problem = check(fields[key]) if fields.get(key) else None
            if problem:
                raise RjcError(f"<stdin> line {number}: {key}: {problem}")
        query = Query(name=fields.get("name") or None, date_of_birth=fields.get("dob") or None,
                      phone=fields.get("phone") or None)
        if not (query.name or query.date_of_birth or query.phone):
            raise RjcError(f"<stdin> line {number}: give a name, a dob or a phone")
        queries.append((number, query))
    return queries


def ask_query():
    """A name, a date of birth and a phone, each checked as typed; at least one."""
    from rjc.workflows.people import Query

    while True:
        name = checked_prompt("Name")
        dob = checked_prompt("Date of birth (YYYY-MM-DD)", date_problem)
        phone = checked_prompt("Phone", phone_problem)
        if name or dob or phone:
            return (1, Query(name=name, date_of_birth=dob, phone=phone))
        typer.echo("  give a name, a date of birth or a phone", err=True)


def print_found(findings, heading: str | None = None, numbered: bool = False) -> None:
    """The matches, best first: id, name, date of birth, then their referrals and cases. Names go
    to the terminal (stdout) for the coordinator, as `rjc show` prints them; never to a log."""
    from rjc.cli.output import message, say

    if heading:
        say(heading)
    for index, found in enumerate(findings.found, 1):
        born = f"born {found.person.date_of_birth}" if found.person.date_of_birth else "date of birth not on file"
        number = f"{index:>3}  " if numbered else ""
        say(f"{number}{found.person.id}  {found.person.display_name}, {born}")
        for line in involvement_lines(found.involvements, indent=" " * (len(number) + 4)):
            say(line)
    if findings.more:
        message(f"and {findings.more} more; add a date of birth or a phone to narrow the search")


def involvement_lines(involvements, indent: str = "    ") -> list[str]:
    if not involvements:
        return [f"{indent}no referrals or cases"]
    return [f"{indent}{i.record}  {i.role}  {i.program}  {i.status}" for i in involvements]


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")
