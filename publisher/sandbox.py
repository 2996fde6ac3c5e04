"""Run one function in a child process under a time and a memory limit.

A runaway render (an endless layout loop, a gigantic image) then fails its own
job and never the server or worker that asked for it. The child runs in its own
session, with an address-space limit (``RLIMIT_AS``); when the time is up its
whole process group is killed. Function and arguments go in, the result comes
back, pickled through pipes. Two ways to make the child:

* :func:`run`: a fresh interpreter (safe anywhere),
  which pays for its imports every time;
* :class:`Prefork`: a fork of one process that imported the heavy libraries once
  (``multiprocessing``'s fork server, or the calling process itself), so a render
  starts at once; the embedded queue and the RQ work horses use it.

Either child can run at a lower CPU priority than the server (:class:`Priority`: a
niceness added to the child and to its session's autogroup, and the Linux policy
``SCHED_BATCH`` or ``SCHED_IDLE``), so a render never slows the readers of the
public site; it takes the CPU the server leaves. The time limit therefore does
not count the time the child waited for a CPU (Linux ``/proc/<pid>/schedstat``), up
to :data:`CPU_WAIT_ALLOWANCE` times the limit: a render on a busy machine finishes
late rather than failing, and a runaway or hung one is still stopped.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
import types
from dataclasses import dataclass
from multiprocessing.context import ForkContext, ForkServerContext
from pathlib import Path
from typing import Any, Callable, Literal

MB = 1024 * 1024
#: How long a child may take to start and import what it runs, before its time limit starts.
STARTUP_SECONDS = 120
#: What the child writes when it is ready to run the function.
READY = b"R"
PR_SET_PDEATHSIG = 1
#: The child's first step: take the parent's import path, then hand over to _child_main.
_BOOT = "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); import publisher.sandbox as s; s._child_main()"


#: A render may wait for a CPU this many times its time limit on top of the limit before it is stopped.
CPU_WAIT_ALLOWANCE = 9
#: Linux scheduling policies a child may run under (``normal``: as the server).
POLICIES = {"normal": "SCHED_OTHER", "batch": "SCHED_BATCH", "idle": "SCHED_IDLE"}


@dataclass(frozen=True)
class Priority:
    """How a child yields the CPU: ``nice`` added to its niceness (0-19) and the Linux policy (see :data:`POLICIES`)."""

    nice: int = 0
    policy: Literal["normal", "batch", "idle"] = "normal"


#: As the server: nothing lowered.
SAME = Priority()


class SandboxError(Exception):
    """The child gave no result."""


class TimeLimit(SandboxError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"took longer than {seconds:g} s")


class ChildDied(SandboxError):
    def __init__(self, returncode: int | None):
        self.returncode = returncode
        how = f"signal {-returncode}" if returncode is not None and returncode < 0 else f"exit status {returncode}"
        super().__init__(f"stopped unexpectedly ({how})")


class ChildRaised(SandboxError):
    """The function raised ``exception`` in the child (a MemoryError there usually means the memory limit)."""

    def __init__(self, exception: BaseException):
        self.exception = exception
        super().__init__(f"{type(exception).__name__}: {exception}")


def run(fn: Callable[..., Any], args: tuple, *, timeout: float, memory_mb: int | None, priority: Priority = SAME) -> Any:
    """``fn(*args)`` in a child at ``priority``; its result.

    ``timeout`` counts from the moment the child has started and unpickled the
    function and its arguments (imports included), so a slow interpreter start on a
    busy machine never eats into the render's time; the start itself may take up to
    :data:`STARTUP_SECONDS`. Time the child then waits for a CPU is added to the limit
    (see :func:`cpu_wait`). Raises :class:`TimeLimit` when the render is over time,
    :class:`ChildRaised` when ``fn`` raised (or could not be loaded) and
    :class:`ChildDied` when the child ended without an answer (killed by the kernel,
    crashed in C code). Exceptions of this process itself pass through. ``fn`` and
    ``args`` must be picklable by reference (module-level functions and classes).
    """
    limits = (memory_mb * MB if memory_mb else None, priority)
    payload = b"".join(pickle.dumps(part) for part in (sys.path, limits, (fn, args)))
    proc = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None  # a pipe, as asked
    feeder = threading.Thread(target=_feed, args=(proc.stdin, payload), daemon=True)
    feeder.start()
    try:
        started = _read_until(proc.stdout, time.monotonic() + STARTUP_SECONDS, first=len(READY))
        if started is None:  # stalled before it could run anything
            raise ChildDied(proc.poll())
        if started == READY:
            stdout = proc.stdout
            reader = _Reader(stdout)
            if not _wait(lambda left: reader.read(time.monotonic() + left), proc.pid, timeout):
                raise TimeLimit(timeout)
            out = reader.data
        else:  # no READY: the answer says why it could not start (the function failed to load), or nothing
            out = started + (_read_until(proc.stdout, time.monotonic() + STARTUP_SECONDS) or b"")
    finally:
        _kill_group(proc.pid)  # anything the child started and left behind
        proc.wait()
        feeder.join()
        proc.stdout.close()
    try:
        kind, value = pickle.loads(out)
    except Exception:  # nothing, or half an answer: the child was killed
        raise ChildDied(proc.returncode) from None
    if kind == "raised":
        raise ChildRaised(value)
    return value


def _feed(pipe, payload: bytes) -> None:
    """Write the job to the child (in a thread: a large issue fills the pipe before the child reads)."""
    try:
        pipe.write(payload)
        pipe.close()
    except (BrokenPipeError, OSError):  # the child died before reading it all: the reader reports that
        pass


class _Reader:
    """Everything a child writes up to end of file, read in steps (each up to a deadline)."""

    def __init__(self, stream):
        self.fd, self.chunks, self.done = stream.fileno(), [], False

    def read(self, deadline: float) -> bool:
        """Read on until end of file (True) or ``deadline`` (False; call again to go on)."""
        while not self.done:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return False
            chunk = os.read(self.fd, 1 << 16)
            self.chunks.append(chunk)
            self.done = not chunk
        return True

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def cpu_wait(pid: int) -> float:
    """Seconds the processes of ``pid``'s process group have waited for a CPU (the most of any; Linux schedstat).

    A render's group is the render and what it forked (the PDF channel's second process). 0.0 where the
    kernel does not say (no ``/proc/<pid>/schedstat``).
    """
    waited = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pid:  # the process group (field 5 of stat)
                waited = max(waited, int((stat.parent / "schedstat").read_text().split()[1]))
        except (OSError, IndexError, ValueError):  # gone meanwhile, or no schedstat
            continue
    return waited / 1e9


def _wait(answered: Callable[[float], bool], pid: int, timeout: float) -> bool:
    """Wait for a child's answer (``answered(seconds)``) up to ``timeout`` seconds, plus the time it waited for a CPU.

    At the deadline the limit is moved on by what the child's processes waited for a CPU since it started
    (at most :data:`CPU_WAIT_ALLOWANCE` times ``timeout``); False when the child used up its time.
    """
    started = time.monotonic()
    before = cpu_wait(pid)
    deadline = started + timeout
    while True:
        if answered(max(0.0, deadline - time.monotonic())):
            return True
        credit = min(cpu_wait(pid) - before, CPU_WAIT_ALLOWANCE * timeout)
        if started + timeout + credit <= deadline + 0.01:  # no more waiting for a CPU since the last look
            return False
        deadline = started + timeout + credit


def _read_until(stream, deadline: float, first: int | None = None) -> bytes | None:
    """Read ``first`` bytes, or everything up to end of file; None when ``deadline`` passes first."""
    chunks: list[bytes] = []
    size = 0
    fd = stream.fileno()
    while first is None or size < first:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, (first - size) if first is not None else 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class Prefork:
    """Children forked from a process that has imported ``preload`` (module names) once.

    ``forkserver`` (the default) forks them from a server process started for the
    purpose, which is safe in a threaded server; ``fork`` forks this process itself,
    for a single-threaded one such as an RQ work horse, which has the worker's
    imports already.
    """

    def __init__(self, preload: list[str], method: Literal["forkserver", "fork"] = "forkserver"):
        self.context: ForkContext | ForkServerContext
        if method == "forkserver":
            self.context = multiprocessing.get_context("forkserver")
            self.context.set_forkserver_preload(sorted({*preload, *main_imports()}))
        else:
            self.context = multiprocessing.get_context("fork")
            for module in sorted(set(preload)):
                importlib.import_module(module)

    def run(
        self, fn: Callable[..., Any], args: tuple, *, timeout: float, memory_mb: int | None, priority: Priority = SAME
    ) -> Any:
        """As :func:`run`, in a forked child."""
        receiver, sender = self.context.Pipe(duplex=False)
        here = (dict(os.environ), list(sys.path))  # as a fresh interpreter would see them now, not at the server's start
        limits = (memory_mb * MB if memory_mb else None, priority)
        proc = self.context.Process(target=_forked_main, args=(sender, limits, here, fn, args))
        proc.start()
        assert proc.pid is not None  # started
        sender.close()
        try:
            if not receiver.poll(STARTUP_SECONDS):
                raise ChildDied(proc.exitcode)
            kind, value = _receive(receiver, proc)
            if kind == "ready":
                if not _wait(receiver.poll, proc.pid, timeout):
                    raise TimeLimit(timeout)
                kind, value = _receive(receiver, proc)
        finally:
            _kill_group(proc.pid)
            proc.join()
            receiver.close()
        if kind == "raised":
            raise ChildRaised(value)
        return value


def main_imports() -> list[str]:
    """The modules the main script imported (those it holds, or holds a function or class of).

    multiprocessing runs a script's main module again in every child it forks from its server
    (to find the script's own functions); with these imported in the server first, that costs
    nothing instead of the script's imports each time (a quarter of a second with SQLAlchemy).
    """
    main = sys.modules.get("__main__")
    names: set[str] = set()
    for value in vars(main).values() if main is not None else ():
        name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        if isinstance(name, str) and name in sys.modules and name not in ("__main__", "__mp_main__"):
            names.add(name)
    return sorted(names)


def _receive(receiver, proc) -> tuple[str, Any]:
    try:
        return receiver.recv()
    except (EOFError, OSError):  # the child died before it could answer
        proc.join()
        raise ChildDied(proc.exitcode) from None


def lower_priority(priority: Priority) -> None:
    """Run this process (and what it forks) at ``priority``: call it in a new session, never in the server itself.

    The niceness is added to the process and to its session's autogroup: where the kernel groups
    processes by session (``/proc/sys/kernel/sched_autogroup_enabled``), a process alone in its
    session competes as a group of its own, whatever its niceness.
    """
    if priority.nice:
        os.nice(priority.nice)
        _autogroup_nice(priority.nice)
    if priority.policy != "normal" and hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, getattr(os, POLICIES[priority.policy]), os.sched_param(0))
        except OSError:  # a kernel without the policy: the niceness still applies
            pass


def _autogroup_nice(nice: int) -> None:
    """Lower this session's autogroup (Linux; allowed to any user, at most ten times a second machine-wide)."""
    for _ in range(20):
        try:
            Path("/proc/self/autogroup").write_text(str(min(19, nice)))
            return
        except BlockingIOError:  # EAGAIN: another process set one less than 0.1 s ago
            time.sleep(0.1)
        except OSError:  # no autogroups here
            return


def _forked_main(sender, limits: tuple, here: tuple[dict, list], fn: Callable[..., Any], args: tuple) -> None:
    """In a forked child: the caller's environment, its own session, the priority, the memory limit, then the function."""
    memory_bytes, priority = limits
    os.environ.clear()
    os.environ.update(here[0])
    sys.path[:] = here[1]
    os.setsid()
    _die_with_parent()
    lower_priority(priority)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    sender.send(("ready", None))  # the render's time starts now
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # MemoryError and SystemExit included: the parent reports them
        outcome = ("raised", exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # an unpicklable result or exception
        sender.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    sender.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _die_with_parent() -> None:
    """Linux: be killed when the parent dies (a killed worker must not leave its render running)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's timeout still applies while it lives
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)


def _child_main() -> None:
    """In the child: set the priority and the memory limit, run the function, write the outcome to the original stdout."""
    _die_with_parent()
    memory_bytes, priority = pickle.load(sys.stdin.buffer)
    lower_priority(priority)  # its own session already (start_new_session)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    result_fd = os.dup(1)
    os.dup2(2, 1)  # whatever the function prints goes to the log, not into the result
    try:
        fn, args = pickle.load(sys.stdin.buffer)
        os.write(result_fd, READY)  # the render's time starts now
        outcome = ("ok", fn(*args))
    except BaseException as exc:  # MemoryError and SystemExit included: the parent reports them
        outcome = ("raised", exc)
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:  # an unpicklable result or exception
        data = pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(result_fd, "wb") as result:
        result.write(data)
