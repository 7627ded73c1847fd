"""The repository itself: rjc init, rjc whoami, rjc check, rjc migrate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from rjc.cli.options import format_option

RECORDS = "rjc.records"  # the --records option, in the run's Click context (ctx.meta)


def options(
    ctx: typer.Context,
    records: Annotated[Optional[Path], typer.Option(
        "--records", metavar="DIR",
        help="Records repository to use (default: $RJC_RECORDS, else the one containing the current directory).",
    )] = None,
    version: Annotated[bool, typer.Option("--version", "-V", help="Print rjc's version and exit.")] = False,
) -> None:
    """Case management for a community restorative-justice center."""
    if version:
        from rjc import __version__

        print(f"rjc {__version__}")
        raise typer.Exit()
    ctx.meta[RECORDS] = str(records) if records else None  # kept with this run, gone with it


def open_repository(*, warn_leftovers: bool = True):
    from rjc.cli.output import message, progress_bar
    from rjc.workflows.repository import Repository

    ctx = _current_context()  # none outside a command: no --records was given
    repo = Repository.find(ctx.meta.get(RECORDS) if ctx else None,
                           on_wait=lambda: message("waiting for another rjc to finish writing..."))
    repo.progress = progress_bar()
    from rjc.workflows.doctor import leftovers

    found = leftovers(repo.root) if warn_leftovers else []
    if found:
        message(f"warning: found {' and '.join(found)}; run: rjc doctor")
    return repo


def _current_context():
    """The running command's Click context, or None outside a run. Found through typer.Context:
    newer Typer versions carry their own copy of Click, whose contexts `import click` never sees."""
    import importlib

    base = next(c for c in typer.Context.__mro__ if c.__name__ == "Context" and c.__module__.endswith(".core"))
    return importlib.import_module(base.__module__.removesuffix(".core") + ".globals").get_current_context(silent=True)


def interactive(no_input: bool) -> bool:
    """Prompt only when a person is at a terminal and has not said --no-input."""
    return not no_input and sys.stdin.isatty()


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the records repository.")] = Path("."),
    center: Annotated[Optional[str], typer.Option(
        help="The center's name, for letters and reports: the first line of every letter's letterhead.")] = None,
    address: Annotated[Optional[str], typer.Option(
        help="The center's postal address, on one line: the letterhead's second line.")] = None,
    phone: Annotated[Optional[str], typer.Option(help="The center's phone number, printed under each letter.")] = None,
    email: Annotated[Optional[str], typer.Option(help="The center's email address, for letter templates that print it.")] = None,
    website: Annotated[Optional[str], typer.Option(help="The center's website, for letter templates that print it.")] = None,
    code: Annotated[Optional[str], typer.Option(
        help="Your coordinator code: 1-4 capitals, e.g. initials. It is part of every id you create.")] = None,
    name: Annotated[Optional[str], typer.Option(help="Your name, as coordinator.")] = None,
    sealing_key: Annotated[Optional[str], typer.Option(
        "--sealing-key", metavar="AGE1...", help="The center's sealing public key (age): what a seal removes is "
                                                 "archived encrypted to it. The private key stays with the director.")] = None,
    hooks: Annotated[Optional[bool], typer.Option(
        "--hooks/--no-hooks", help="Install a git pre-commit hook that checks hand edits (rjc check --staged) "
                                   "before git commits them (asked on a terminal).")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if something is missing.")] = False,
) -> None:
    """Create a new records repository (git, layout, settings, schemas; owner-only).

    The center's address and phone are printed on its letters; what is not given here can be
    set later with rjc settings set center.address VALUE (or center.phone, center.email...).
    """
    from rjc.cli.output import message
    from rjc.storage.errors import RjcError
    from rjc.workflows.repository import init_repository

    contact = {"address": address, "phone": phone, "email": email, "website": website}
    if interactive(no_input):
        center = center or typer.prompt("Center name")
        for field, question in _CENTER_QUESTIONS.items():
            if contact[field] is None:
                contact[field] = typer.prompt(question, default="", show_default=False).strip()
        code = code or typer.prompt("Your coordinator code (e.g. your initials)").strip().upper()
        name = name or typer.prompt("Your name")
        hooks = ask_hooks() if hooks is None else hooks
    missing = [flag for flag, value in (("--center", center), ("--code", code), ("--name", name)) if not value]
    if missing:
        raise RjcError(f"missing {', '.join(missing)} (no terminal to ask on)")
    assert center and code and name  # none is missing
    repo = init_repository(directory, center=center, code=code.upper(), name=name, sealing_key=sealing_key,
                           contact={field: value for field, value in contact.items() if value}, hooks=bool(hooks))
    message(f"created records repository in {repo.root}")
    unset = [field for field in ("address", "phone") if not contact[field]]
    if unset:
        message(f"letters print the center's {' and '.join(unset)}; set {'them' if len(unset) > 1 else 'it'} "
                f"with: rjc settings set center.{unset[0]} VALUE")
    message(f"you are coordinator {code.upper()}; next: cd {repo.root} && rjc new person")


def ask_hooks() -> bool:
    return typer.confirm("Check hand edits before each git commit (a pre-commit hook)?", default=True)


# What init asks for the center on a terminal, beyond its name; each may be left empty.
_CENTER_QUESTIONS = {
    "address": "Center address, on one line, for letterheads (Enter to skip)",
    "phone": "Center phone, for letters (Enter to skip)",
    "email": "Center email (Enter to skip)",
    "website": "Center website (Enter to skip)",
}


def whoami(
    code: Annotated[Optional[str], typer.Argument(help="Set this clone's coordinator code.")] = None,
    signing_key: Annotated[Optional[str], typer.Option(
        "--signing-key", metavar="PATH|KEYID",
        help="Sign this clone's commits with this SSH key file or GPG key; its public half is listed in rjc.yaml.")] = None,
) -> None:
    """Show (or set) the coordinator working in this clone, and the key its commits are signed with.

    The private key stays where it is: git's own config in this clone names it (user.signingKey).
    Commits are signed once the center turns signing on: rjc settings set signing.format ssh
    (or openpgp).
    """
    from rjc.cli.output import committed, message, say

    repo = open_repository()
    if code:
        repo.set_actor(code.upper())
        message(f"this clone now works as coordinator {code.upper()}")
    if signing_key:
        from rjc.workflows.settings import set_signing_key

        fmt, result = set_signing_key(repo, signing_key)
        message(f"this clone signs its commits with {signing_key} ({fmt})")
        if result is not None:
            committed(result)
        if repo.settings.signing.format is None:
            message(f"commits are signed once signing is on: rjc settings set signing.format {fmt}")
    actor = repo.actor()
    coordinator = repo.settings.coordinator(actor)
    say(f"{actor}\t{coordinator.name}")


def check(
    fmt: Annotated[Literal["text", "json"], format_option()] = "text",
    staged: Annotated[bool, typer.Option(
        "--staged", help="Check only the YAML files staged for the next git commit, as git's index holds "
                         "them (the errors; for a pre-commit hook).")] = False,
) -> None:
    """Validate every record and the rules between them; exit 1 if anything is wrong.

    Each problem is printed as `path:line:col: level: message [rule-id]`.
    """
    import json

    from rjc.checks import check_repository
    from rjc.cli.output import message, say
    from rjc.storage.errors import TOO_MANY

    repo = open_repository(warn_leftovers=not staged)
    if staged:
        from rjc.workflows.gitsetup import staged_problems

        problems = staged_problems(repo.root, repo.git)
    else:
        problems = check_repository(repo.root, cache=repo.cache, progress=repo.progress)
    if fmt == "json":
        print(json.dumps([p.as_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            say(problem)
    listed = [p for p in problems if p.rule != TOO_MANY]
    crowded = len(problems) - len(listed)  # files whose problems were cut short
    errors = sum(p.level == "error" for p in problems)  # (a cut-short file's count is of its kind)
    shown = sum(p.level == "error" for p in listed)
    if problems:
        counts = f"{shown} error{'s' * (shown != 1)}, {len(listed) - shown} warning{'s' * (len(listed) - shown != 1)}"
        message(counts + (f" listed, and more in {crowded} file{'s' * (crowded != 1)} (see above)" if crowded else ""))
    else:
        message("the staged files are valid" if staged else "all records valid")
    if errors:
        raise typer.Exit(1)


def migrate() -> None:
    """Upgrade every file written in an older format to this rjc's format, in one commit."""
    from rjc.cli.output import committed, message
    from rjc.model import SCHEMA_VERSION
    from rjc.storage import migrations

    result, count = migrations.migrate(open_repository())
    if result is None:
        message(f"every file is already in format {SCHEMA_VERSION}; nothing to migrate")
        return
    message(f"upgraded {count} file{'s' * (count != 1)} to format {SCHEMA_VERSION}")
    committed(result)


def doctor(
    commit_edits: Annotated[bool, typer.Option(
        "--commit-edits", help="Commit record files changed by hand, when they are all valid.")] = False,
) -> None:
    """Find and repair what a crash or a hand edit left behind, saying what was done.

    It first waits (up to 30 s) for git commands still running in the repository. An interrupted
    change is kept if it was committed, else undone; git lock files left behind, temporary files
    and an interrupted sync are cleaned up; files others could read are made owner-only.
    Exit 0 when the repository is in order afterwards, 1 when something needs you.
    """
    from rjc.cli.output import message, say
    from rjc.workflows.doctor import repair

    repo = open_repository(warn_leftovers=False)
    findings = repair(repo, commit_edits=commit_edits, say=message)
    for finding in findings:
        say(f"{finding.problem}: {finding.action}")
    if not findings:
        say("nothing to repair")
    if any(f.needs_you for f in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(whoami)
    app.command()(check)
    app.command()(migrate)
    app.command()(doctor)
