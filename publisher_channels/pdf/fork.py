"""Use the second core: run half of a job in a forked child, the other half here.

WeasyPrint is single-threaded Python; a forked child inherits the already
imported WeasyPrint, fonts and caches, so it starts in milliseconds (a fresh
interpreter would spend a second importing). The child sends its result back
pickled through a pipe. Whenever forking is unsafe (other threads running) or
the child fails, the work is simply done here instead.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

#: Set (to anything) to keep every render in one process.
NO_FORK_ENV = "PUBLISHER_PDF_NO_FORK"


def can_fork() -> bool:
    """Forking is only safe while this process runs a single thread."""
    return hasattr(os, "fork") and not os.environ.get(NO_FORK_ENV) and threading.active_count() == 1


def both(here: Callable[[], T], there: Callable[[], T]) -> tuple[T, T]:
    """``(here(), there())``, with ``there`` run in a forked child at the same time when possible."""
    if not can_fork():
        return here(), there()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any of the parent's clean-up
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps((True, there()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - anything goes back as "failed"; the parent redoes the work
            payload, status = pickle.dumps((False, None)), 1
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(status)
    os.close(write_end)
    reader = os.fdopen(read_end, "rb")
    try:
        mine = here()
        data = reader.read()
    finally:
        reader.close()  # a child still writing gets a broken pipe and leaves
        os.waitpid(pid, 0)
    try:
        ok, theirs = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a child that died mid-write
        ok = False
    return mine, theirs if ok else there()
