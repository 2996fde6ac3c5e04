"""The ``publisher`` command's entry point: a short command goes to a running daemon, anything else runs here.

A short command that ran here leaves a daemon behind for the next ones (see :mod:`publisher.daemon`).
"""

from __future__ import annotations

import sys


def main() -> None:
    from publisher import daemon

    status = daemon.attempt(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from publisher.cli import main as command_line

    try:
        command_line(prog_name="publisher")
    finally:
        daemon.autostart(sys.argv[1:])
