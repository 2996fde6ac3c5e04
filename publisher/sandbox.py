"""Run one function in a child process under a time and a memory limit.

A runaway render (an endless layout loop, a gigantic image) then fails its own
job and never the server or worker that asked for it. The child is started
fresh ("spawn": safe from threads and forked RQ work horses), gets an
address-space limit (``RLIMIT_AS``) and its own process group, and the whole
group is killed when the time is up.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from typing import Any, Callable

MB = 1024 * 1024


class LimitExceeded(Exception):
    """The child did not finish within its limits."""


class TimeLimit(LimitExceeded):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"took longer than {seconds:g} s")


class ChildDied(LimitExceeded):
    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit status {exitcode}"
        super().__init__(f"stopped unexpectedly ({how})")


def _child(conn, memory_bytes: int | None, fn: Callable, args: tuple) -> None:
    os.setsid()  # its own process group: a timeout kills anything it started too
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome = ("ok", fn(*args))
    except BaseException as exc:  # MemoryError included; the parent re-raises it
        outcome = ("raised", exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # an unpicklable result or exception
        conn.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


def run(fn: Callable[..., Any], args: tuple, *, timeout: float, memory_mb: int | None) -> Any:
    """``fn(*args)`` in a child; its result, or its exception re-raised.

    Raises :class:`TimeLimit` after ``timeout`` seconds and :class:`ChildDied` when the
    child ends without an answer (killed by the kernel, crashed in C code). ``fn``
    and ``args`` must be picklable (module-level functions and classes are).
    """
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, memory_mb * MB if memory_mb else None, fn, args), daemon=False)
    proc.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise TimeLimit(timeout)
        try:
            kind, value = receive.recv()
        except EOFError:
            proc.join(5)
            raise ChildDied(proc.exitcode) from None
    finally:
        _kill(proc)
        receive.close()
    if kind == "raised":
        raise value
    return value


def _kill(proc) -> None:
    """Kill the child's process group (anything it left behind) and reap the child."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.is_alive():
        proc.kill()
    proc.join()
    proc.close()
