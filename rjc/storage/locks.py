"""Locks between rjc processes: every lock rjc takes is taken here, with flock on an owner-only file.

flock is released by the kernel when its holder dies, so a crashed rjc never leaves a lock
behind, and a lock file left on disk means nothing by itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rjc.storage.errors import RjcError

POLL_SECONDS = 0.05


@contextlib.contextmanager
def hold(path: Path, *, busy: str, timeout: float = 0,
         on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock at `path` (created owner-only if missing) until the block ends.

    While another process holds it, wait up to `timeout` seconds, telling `on_wait` once; if it
    is still held then, raise RjcError(`busy`). With no timeout, one try: held elsewhere, busy.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RjcError(busy) from None
                if on_wait and not told:
                    on_wait()
                    told = True
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def held(path: Path) -> bool:
    """Whether another process holds the lock at `path` right now: tried without waiting, and
    without creating the file."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
