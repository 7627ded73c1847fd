"""Characters that can drive a terminal or reorder what it shows: refused in records, shown escaped.

C0 controls but tab and line feed (ESC starts escape sequences that retitle, clear or recolour a
terminal; BEL, NUL, CR, backspace), DEL, C1 controls (U+009B is a one-byte escape sequence start),
and the Unicode bidirectional controls, which make text read in another order than it is stored.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def describe(char: str) -> str:
    """`U+001B` for a message: the character's code, never the character itself."""
    return f"U+{ord(char):04X}"


def visible(text: str) -> str:
    """`text` with every such character written out as an escape (`\\x1b`, `\\u202e`)."""
    return CONTROL.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
