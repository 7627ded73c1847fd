"""`rjc`: the command line. A thin skin over the core; one error boundary, here.

Command modules import only Typer at the top and the core inside each command, so `rjc --help`
does not pay for pydantic, YAML or rich.
"""

from __future__ import annotations

import os
import sys
from typing import Any

EXIT_CODES_HELP = "Exit codes: 0 ok, 1 error or invalid records, 2 bad usage, 3 internal error."
INTERRUPTED = "Interrupted; nothing more was written."


# Which module registers each top-level command (or group). `rjc new ...` imports and builds only
# its own module's commands: building all of them costs about 50 ms, more than most commands do.
COMMANDS = {
    "init": "repo", "whoami": "repo", "check": "repo", "migrate": "repo", "doctor": "repo",
    "new": "records", "show": "records", "list": "records", "edit": "records", "person": "people",
    "referral": "referrals", "org": "organizations", "case": "casework", "victim": "casework", "agreement": "casework",
    "circle": "programs", "internship": "programs", "volunteer": "volunteers", "panel": "panels",
    "survey": "surveys", "letter": "letters", "calendar": "reminders", "remind": "reminders", "report": "reports",
    "history": "audit", "log": "audit", "undo": "audit", "clone": "sync", "sync": "sync", "merge-file": "sync", "seal": "sealing", "sealed": "sealing",
    "expunge": "sealing", "unseal": "sealing", "settings": "settings",
}
MODULES = ("repo", "records", "people", "referrals", "organizations", "casework", "programs", "volunteers", "panels", "surveys",
           "letters", "reminders",
           "reports", "audit", "sync", "sealing", "settings")  # in the order `rjc --help` lists their commands


def _build_app(modules: tuple[str, ...] = MODULES):
    import importlib

    import typer

    from rjc.cli import repo

    app = typer.Typer(
        name="rjc",
        help="Case management for a community restorative-justice center.\n\n"
             "Records are YAML files in a git repository; every change is a commit.",
        epilog=EXIT_CODES_HELP,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},  # every command's, inherited
        add_completion=True,  # --install-completion / --show-completion; ids come from rjc.cli.completion
        pretty_exceptions_enable=False,  # our boundary below prints errors; never locals
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,
    )
    app.callback()(repo.options)  # the callback keeps a one-module app a group: `rjc new`, not `rjc`
    for name in modules:
        importlib.import_module(f"rjc.cli.{name}").register(app)
    return app


def _modules_for(args: list[str]) -> tuple[str, ...]:
    """The command modules `args` need: the named command's own, or all of them (for --help, no
    command, or a name rjc does not know, so that Click's usage and suggestions stay the same)."""
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--records":  # the one global option that takes a value
            position += 2
        elif arg.startswith("--records="):
            position += 1
        elif arg.startswith("-"):
            return MODULES
        else:
            return (COMMANDS[arg],) if arg in COMMANDS else MODULES
    return MODULES


def main(argv: list[str] | None = None) -> None:
    """The `rjc` command. Run from the shell (no argv), it ends without tearing down the heap:
    freeing a hundred thousand records one by one takes about a second and changes nothing."""
    if argv is not None:
        return _main(argv)
    _interrupt_on_hangup_and_terminate()
    try:
        _main(sys.argv[1:])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # the reader, or the terminal, is gone
        pass
    os._exit(code)


def _interrupt_on_hangup_and_terminate() -> None:
    """The terminal closing (SIGHUP) or a kill (SIGTERM) interrupts rjc as Ctrl-C does, so that
    what it was doing unwinds (a sync asking at its prompt leaves nothing behind) instead of
    dying where it stands."""
    import signal

    def interrupt(signum, frame):
        global _signalled
        for other in (signal.SIGHUP, signal.SIGTERM):  # one interruption: its clean-up is not cut short
            signal.signal(other, signal.SIG_IGN)
        _signalled = signum
        raise KeyboardInterrupt

    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, interrupt)


_signalled: int | None = None  # the signal that interrupted this run, if not Ctrl-C


def _interrupted() -> int:
    """Say so, and the exit code: 128 + the signal's number, as a shell reports it."""
    from rjc.storage.errors import EXIT_INTERRUPTED

    try:  # stderr may be a terminal that is already gone
        print(INTERRUPTED, file=sys.stderr)
    except OSError:
        pass
    return 128 + _signalled if _signalled else EXIT_INTERRUPTED


def _main(args: list[str]) -> None:
    os.umask(0o077)  # every file and directory rjc creates is owner-only
    # pydantic looks for plugins through every installed package's entry points: 10 ms for none
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if args in (["--version"], ["-V"]):
        from rjc import __version__

        print(f"rjc {__version__}")
        return
    import typer

    from rjc.cli import completion

    if completion.asked():  # a shell asking what could come next (see: rjc --install-completion)
        import typer.main

        completion.with_id_completion(typer.main.get_command(_build_app()))(args=args, prog_name="rjc")
        return
    from rjc.storage.errors import EXIT_BUG, EXIT_ERROR, EXIT_INTERRUPTED, RjcError

    # Click's own usage error class, wherever this Typer version keeps Click.
    # Typed loosely: no public name for it to be typed by.
    usage_error: type[Any] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    try:
        code = _build_app(_modules_for(args))(args=args, prog_name="rjc", standalone_mode=False)
        if code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into this exit code
            code = _interrupted()
        sys.exit(code or 0)
    except usage_error as exc:
        # Typer checks values with pydantic, whose messages start "Value error, ": say it as Click does
        exc.message = exc.message.removeprefix("Value error, ")
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort as exc:  # Ctrl-C or end of input at a prompt
        if isinstance(exc.__context__, KeyboardInterrupt):
            sys.exit(_interrupted())
        print("Aborted.", file=sys.stderr)
        sys.exit(EXIT_ERROR)
    except RjcError as exc:
        from rjc.cli.output import report_error

        report_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(_interrupted())
    except Exception as exc:  # a bug: say where the log is, print no data
        from rjc.cli.output import report_bug

        report_bug(exc)
        sys.exit(EXIT_BUG)
