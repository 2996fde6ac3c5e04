"""A resident process that runs short ``publisher`` commands already warm, so they pay no start-up.

A build of the feed does 0.05 s of work but waits 0.4 s for the interpreter and its imports
(pydantic, Jinja, click, YAML, the channels). ``publisher daemon start`` keeps one process that
has imported all of it. A short command (:data:`COMMANDS`) then connects to its socket and hands
over its standard input, output and error, working folder, environment and arguments; the daemon
forks a child that runs the command exactly as the command line would, writing straight to the
caller's terminal, and the caller exits with the child's status (Ctrl-C is passed on). Every child
starts from the same freshly imported state and reads configuration and content anew, so no
command sees another's caches, like the render fork server of :mod:`publisher.prefork`.

Whenever no daemon answers, or it runs older code than is installed (it compares the files of
the modules it imported at every request, and then stops), the command runs in its own process
as before, and then starts one in the background for the commands that follow, as Gradle does
(``PUBLISHER_DAEMON=auto``, the default); that one stops after :data:`IDLE` seconds without a
command. ``PUBLISHER_DAEMON=manual`` uses only a daemon started with ``publisher daemon start``,
``off`` none at all. The socket lives in a folder only its user can enter, and the daemon serves only
connections from that user. This module imports nothing but the standard library: the caller
side runs before anything else of publisher is loaded.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

#: Commands worth handing to the daemon: short, and reading only files (never serving or waiting).
COMMANDS = frozenset({"build", "check", "show", "issues", "channels", "import-text", "import-pdf"})
#: Modules a child needs, imported once by the daemon (the channels are added by discovery); pypinyin makes
#: the importers' slugs and spends 0.3 s loading its phrase tables, more than an A3 page takes to read.
WARM = (
    "publisher.cli",
    "publisher.pipeline",
    "publisher.loading",
    "publisher.index",
    "publisher.config",
    "publisher.serialize",
    "publisher.importer",
    "publisher.pdfimport",
    "pypinyin",
)
_MAX_REQUEST = 1 << 20
#: Seconds without a command after which a daemon started by a command (not by ``daemon start``) stops.
IDLE = 900
#: ``daemon run``'s exit status when it stopped because the installed code changed (EX_TEMPFAIL): a service
#: manager starts it again on the new code, while a ``daemon stop`` (status 0) stays stopped.
CHANGED = 75


class DaemonError(Exception):
    """The daemon cannot start or be reached; the message says what to do."""


def folder() -> Path:
    """The private folder of this user's sockets (``$PUBLISHER_DAEMON_DIR``, else the runtime or temp folder)."""
    if chosen := os.environ.get("PUBLISHER_DAEMON_DIR"):
        return Path(chosen)
    if runtime := os.environ.get("XDG_RUNTIME_DIR"):
        return Path(runtime, f"publisher-{os.getuid()}")
    import tempfile  # only here: every command pays for what this module imports

    return Path(tempfile.gettempdir(), f"publisher-{os.getuid()}")


def socket_path() -> Path:
    """One daemon per installation and user: the socket is named after this interpreter and package."""
    here = f"{sys.executable}\0{Path(__file__).resolve().parent}"
    return folder() / f"daemon-{hashlib.sha256(here.encode()).hexdigest()[:12]}.sock"


def private(path: Path) -> bool:
    """True when ``path`` is a real folder of ours that nobody else can enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0 and os.path.isdir(path) and not path.is_symlink()


def command_of(args: list[str]) -> str | None:
    """The command named in ``args`` (after the group's ``--config``), or None when an option comes first."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif not arg.startswith("--config="):
            return None if arg.startswith("-") else arg
    return None


# --- the caller's side ------------------------------------------------------------------------


def mode() -> str:
    """``$PUBLISHER_DAEMON``: ``auto`` (the default), ``manual`` or ``off`` (also written 0, false or no)."""
    chosen = os.environ.get("PUBLISHER_DAEMON", "auto").strip().lower()
    if chosen in ("off", "0", "false", "no"):
        return "off"
    return "manual" if chosen == "manual" else "auto"


_RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def attempt(args: list[str]) -> int | None:
    """Run ``args`` in the daemon and return its exit status; None when the command must run here."""
    if mode() == "off" or command_of(args) not in COMMANDS or not private(folder()):
        return None
    try:
        request = {
            "argv": args,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "umask": _umask(),
            "streams": _streams(),
            "python": interpreter(),
        }
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(str(socket_path()))
    except OSError:  # no daemon, or no working folder to hand over
        return None
    held: list[int] = []  # signals that came before the daemon named the command's process
    child: int | None = None

    def relay(signum: int, _frame: object) -> None:
        if child is None:
            held.append(signum)
        else:
            _forward(child, signum)

    previous = {signum: signal.signal(signum, relay) for signum in _RELAYED}
    try:
        with connection:
            try:
                socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
                replies = connection.makefile("rb")
                started = json.loads(replies.readline() or b"{}")
            except (OSError, ValueError):  # a closed standard stream, or the daemon went away: run here
                started = {}
            if "pid" not in started:  # the daemon runs older code, or another interpreter set-up
                return 128 + held[0] if held else None  # Ctrl-C meanwhile: the command is not run at all
            child = int(started["pid"])
            for pending in held:
                _forward(child, pending)
            line = replies.readline()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if not line:
        print(
            "publisher: the command's process in the daemon ended without an exit status (killed?); "
            "run the command again, or without the daemon (PUBLISHER_DAEMON=off)",
            file=sys.stderr,
        )
        return 1
    return int(json.loads(line)["exit"])


def autostart(args: list[str]) -> bool:
    """After a short command ran here, start a daemon for the next ones (``auto`` mode); True when started.

    Not when another daemon answers (one with another set-up of the interpreter, say), nor in a
    socket folder that is not private. It starts after the command, so the command never waits for it.
    """
    home = folder()
    if mode() != "auto" or command_of(args) not in COMMANDS or (os.path.lexists(home) and not private(home)):
        return False
    if control("status", timeout=1.0) is not None:
        return False
    try:
        spawn(idle=IDLE)
    except (OSError, DaemonError):
        return False
    if sys.stderr.isatty():
        print(
            f"publisher: started a background process that keeps publisher loaded, so the next commands start at once "
            f"(it stops after {IDLE // 60} minutes without one; PUBLISHER_DAEMON=off turns this off)",
            file=sys.stderr,
        )
    return True


def spawn(idle: float | None = None) -> Path:
    """Start ``publisher daemon run`` in the background, in a session of its own; the path of its log."""
    import subprocess  # only here: every command pays for what this module imports

    home = prepare()
    log = home / "daemon.log"
    command = [sys.executable, "-m", "publisher", "daemon", "run", *(["--idle", str(idle)] if idle else [])]
    with open(log, "ab") as out:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            cwd=home,  # keeps no folder of the caller's busy, and puts none of them on its sys.path
            env={**os.environ, "PUBLISHER_DAEMON": "off"},
        )
    return log


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _streams() -> dict[str, list[str | None]]:
    """The encodings of our text streams, so the child writes the bytes we would."""
    streams = (("stdin", sys.stdin), ("stdout", sys.stdout), ("stderr", sys.stderr))
    return {name: [getattr(stream, "encoding", None), getattr(stream, "errors", None)] for name, stream in streams}


def interpreter() -> dict:
    """What decides which code an interpreter runs: its ``PYTHON*`` variables (a ``PYTHONPATH``), flags and options.

    A caller whose interpreter differs from the daemon's would run other code there, so it runs itself.
    """
    return {
        "env": {name: value for name, value in os.environ.items() if name.startswith("PYTHON")},
        "flags": list(sys.flags),
        "options": [sys.warnoptions, sorted(map(str, sys._xoptions.items()))],
    }


def control(message: str, timeout: float = 5.0) -> dict | None:
    """Send ``status`` or ``stop`` to the running daemon; its answer, or None when none runs."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(str(socket_path()))
            connection.sendall(json.dumps({"control": message}).encode() + b"\n")
            return json.loads(connection.makefile("rb").readline() or b"null")
    except (OSError, ValueError):
        return None


# --- the daemon's side ------------------------------------------------------------------------


def fingerprint(modules: dict | None = None, started_in: str = "") -> dict[str, tuple[int, int]]:
    """Size and modification time of the folders packages install into, and of every module file outside them.

    A changed entry means an upgrade (pip adds and removes folders there) or an edited source file (an
    editable install, like publisher's own in development) since the daemon started: its children would
    run old code. ``started_in``, the daemon's first folder, is left out: ``python -m`` puts it on sys.path,
    but nothing is installed there.
    """
    modules = sys.modules if modules is None else modules
    installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})  # pip changes a folder of sys.path there
    paths = {getattr(module, "__file__", None) for module in list(modules.values())}
    paths = {path for path in paths if path and not path.startswith(installed)}
    paths |= {entry for entry in sys.path if entry and os.path.isdir(entry) and entry != started_in}
    stamp = {}
    for path in sorted(p for p in paths if p):
        try:
            info = os.stat(path)
        except OSError:
            continue
        stamp[path] = (info.st_size, info.st_mtime_ns)
    return stamp


def warm() -> None:
    """Import what a child needs: the command line, the pipeline and every installed channel."""
    import importlib

    for name in WARM:
        importlib.import_module(name)
    from publisher import plugins

    plugins.discover()


#: The longest path a Unix socket may have (Linux: 108 bytes with the final NUL).
SOCKET_PATH_MAX = 107


def prepare() -> Path:
    """The socket folder, made private if new; an error when somebody else could enter it, or when a socket
    in it would have a longer path than a Unix socket may."""
    home = folder()
    if len(os.fsencode(socket_path())) > SOCKET_PATH_MAX:
        raise DaemonError(
            f"{home} is too deep a folder for the daemon's socket (a Unix socket's path has at most {SOCKET_PATH_MAX} "
            "bytes); set PUBLISHER_DAEMON_DIR to a shorter folder"
        )
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not private(home):
        raise DaemonError(f"{home} is not a private folder of this user; remove it or set PUBLISHER_DAEMON_DIR")
    return home


def serve(log=print, idle: float | None = None) -> bool:
    """Listen on :func:`socket_path` until told to stop or ``idle`` seconds pass without a command (False),
    or until the installed code changes (True)."""
    import fcntl

    prepare()
    path = socket_path()
    lock = open(path.with_suffix(".lock"), "ab")  # held while it runs: of two started at once, one goes on
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise DaemonError(f"a daemon already runs for this installation ({path})") from None
    warm()
    started_in = os.getcwd()
    stamp, python = fingerprint(started_in=started_in), interpreter()
    gc.freeze()  # the imported objects stay out of the collector's way, so children copy fewer pages
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(64)
    listener.settimeout(idle)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel; callers get their status
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started, served = time.time(), 0
    log(f"publisher daemon {os.getpid()} listening on {path}" + (f", until {idle:g} s pass without a command" if idle else ""))
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                log(f"publisher daemon: no command for {idle:g} s; stopping")
                return False
            with connection:
                try:
                    request, fds = _receive(connection)
                except (OSError, ValueError):
                    continue
                if "control" in request:
                    answer = {"pid": os.getpid(), "started": started, "served": served, "idle": idle}
                    connection.sendall(json.dumps(answer).encode() + b"\n")
                    if request["control"] == "stop":
                        return False
                    continue
                if request.get("python") != python:
                    _close(fds)
                    connection.sendall(b'{"other": "interpreter"}\n')
                    continue
                if fingerprint(started_in=started_in) != stamp:
                    _close(fds)
                    connection.sendall(b'{"stale": true}\n')
                    log("publisher daemon: the installed code changed; stopping so commands run the new code")
                    return True
                if os.fork() == 0:
                    listener.close()
                    lock.close()  # a long command must not keep the next daemon from starting
                    _child(connection, request, fds)  # never returns
                served += 1
                _close(fds)
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        lock.close()


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    """One request line, with the caller's file descriptors, from a connection of this user only."""
    pid, uid, gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    if uid != os.getuid():
        raise ValueError(f"connection from another user ({uid})")
    connection.settimeout(5.0)
    data, fds, _flags, _address = socket.recv_fds(connection, 65536, 3)
    while not data.endswith(b"\n") and len(data) < _MAX_REQUEST:
        more = connection.recv(65536)
        if not more:
            break
        data += more
    connection.settimeout(None)
    return json.loads(data), fds


def _close(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def _child(connection: socket.socket, request: dict, fds: list[int]) -> None:
    """Become the caller's command: its streams, folder, environment and arguments; report the exit status."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        _close([fd for fd in fds if fd > 2])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        os.umask(request["umask"])
        for fileno, (name, (encoding, errors)) in enumerate(request["streams"].items()):
            mode = "r" if fileno == 0 else "w"
            buffering = 1 if fileno == 2 or (fileno and os.isatty(fileno)) else -1  # as Python's own streams
            setattr(sys, name, open(fileno, mode, buffering=buffering, encoding=encoding, errors=errors, closefd=False))
        sys.argv = ["publisher", *request["argv"]]
        connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        from publisher.cli import main

        try:
            main.main(args=request["argv"], prog_name="publisher")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
    except KeyboardInterrupt:  # Ctrl-C before the command line was read
        code = 130
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        try:
            connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
        finally:
            os._exit(code)
