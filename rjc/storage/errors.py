"""The one user-facing error type, and data problems as values.

Problems are what `rjc check` reports: collected, never raised one at a time.
`RjcError` is fatal: raised anywhere in the core, caught once at the CLI's edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1  # a user error or invalid data
EXIT_USAGE = 2  # bad command line (Click's own code)
EXIT_BUG = 3  # an unexpected failure inside rjc
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file; line and column are 1-based (0 = unknown)."""

    path: str
    line: int
    col: int
    rule: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        # Always path:line:col, so editors can parse every line; a whole-file problem is at 1:1.
        return f"{self.path}:{self.line or 1}:{self.col or 1}: {self.level}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict:
        return asdict(self)


MAX_PER_FILE = 20  # problems reported for one file; a file with more gets one line saying how many
TOO_MANY = "too-many-problems"


def capped(problems: list[Problem], total: int | None = None) -> list[Problem]:
    """A file's first MAX_PER_FILE problems, then one saying how many more it has (`total` when
    only some were made into problems): a file of a hundred thousand unknown keys costs and prints
    about as much as a file with twenty."""
    total = len(problems) if total is None else total
    if total <= MAX_PER_FILE:
        return problems
    shown = sorted(problems, key=sort_key)[:MAX_PER_FILE]
    last = shown[-1]
    level = "error" if any(p.level == "error" for p in problems) else "warning"
    return shown + [Problem(last.path, last.line, last.col, TOO_MANY,
                            f"… and {total - MAX_PER_FILE:,} more problems in this file", level)]


def sort_key(p: Problem) -> tuple:
    """By file, then position; a file's "and N more" line last."""
    return p.path, p.rule == TOO_MANY, p.line, p.col, p.rule, p.message


class RjcError(Exception):
    """A failure the user can act on: printed as `Error: ...`, never as a traceback."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return self.message


class UsageProblem(RjcError):
    """The command line lacks something it needs (exit 2, like any other usage error)."""

    exit_code = EXIT_USAGE
