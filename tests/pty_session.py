"""rjc run in a child process on a real pseudo-terminal (pexpect), for tests of prompts and screens.

The terminal is 80 columns by 24 lines unless a test asks otherwise: what a coordinator's window
is. COLUMNS and LINES are removed from the environment, so rich and Click read the terminal's own
size, as they do for a person.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

RJC = Path(sys.executable).parent / "rjc"


class Session:
    """One `rjc ...` on a pseudo-terminal: `expect` what it shows, `answer` its prompts."""

    def __init__(self, root: Path, args: tuple[str, ...], *, columns: int, env: dict[str, str] | None):
        environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        environment.update(env or {})
        self.child = pexpect.spawn(str(RJC), ["--records", str(root), *args], env=environment,
                                   dimensions=(24, columns), encoding="utf-8", timeout=30)
        self.seen = ""

    def expect(self, text: str) -> str:
        """Wait for `text` (plain, not a pattern); return everything shown up to and including it."""
        self.child.expect_exact(text)
        shown = self.child.before + self.child.after
        self.seen += shown
        return shown

    def answer(self, prompt: str, typed: str) -> str:
        shown = self.expect(prompt)
        self.child.sendline(typed)
        self.expect(typed + "\r\n")  # the terminal's echo of what was typed: not rjc's output
        return shown

    def end(self) -> tuple[int, str]:
        """(exit code, the rest of what was shown) once rjc has finished."""
        self.child.expect(pexpect.EOF)
        rest = self.child.before
        self.seen += rest
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus, rest


@pytest.fixture
def terminal():
    """Factory: `terminal(root, "person", "find")` starts rjc on an 80-column pseudo-terminal."""
    sessions: list[Session] = []

    def start(root: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None) -> Session:
        sessions.append(Session(root, tuple(str(a) for a in args), columns=columns, env=env))
        return sessions[-1]

    yield start
    for session in sessions:
        if session.child.isalive():
            session.child.terminate(force=True)
