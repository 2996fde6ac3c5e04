"""The ``publisher`` command's entry point: a short command goes to a running daemon, anything else runs here."""

from __future__ import annotations

import sys


def main() -> None:
    from publisher import daemon

    status = daemon.attempt(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from publisher.cli import main as command_line

    command_line(prog_name="publisher")
