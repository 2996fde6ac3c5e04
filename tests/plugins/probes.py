"""What a process sees of its own CPU priority: run inside sandboxed children by the tests (a fixture)."""

from __future__ import annotations

import os
from pathlib import Path


def autogroup_nice() -> int | None:
    """The niceness of this process's autogroup (Linux: ``/proc/self/autogroup`` reads "/autogroup-N nice K"), or None."""
    try:
        return int(Path("/proc/self/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def priority_seen() -> dict:
    """This process's niceness, scheduling policy, autogroup niceness and session, as it sees them itself."""
    return {
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "policy": os.sched_getscheduler(0),
        "autogroup": autogroup_nice(),
        "session": os.getsid(0),
        "pid": os.getpid(),
    }
