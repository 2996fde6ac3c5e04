"""Test-only channels for the build queue: fast, failing, sleeping, memory-hungry, reporting their priority.

Injected as classes into the embedded queue, and registered for RQ workers
through a ``*.dist-info/entry_points.txt`` written by the test (no pip).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from publisher.channel import Channel, ChannelError, Output
from publisher.writer import write_text
from tests.plugins.probes import priority_seen


class EchoChannel(Channel):
    """Writes the issue's title and headlines (fast and checkable), and the command line its process began with."""

    name = "testecho"
    title = "Headlines (test)"

    def render(self, issue, ctx):
        write_text(ctx.out / "headlines.txt", "\n".join([issue.title, *(a.headline for a in issue.articles)]))
        write_text(ctx.out / "process.txt", " ".join(sys.argv))  # which program this render process began as
        return [Output("headlines.txt", "text/plain"), Output("process.txt", "text/plain")]


class FailChannel(Channel):
    name = "testfail"
    title = "Always fails (test)"

    def render(self, issue, ctx):
        raise ChannelError("the image 图1.jpg is missing; add it to the issue folder")


class SleepChannel(Channel):
    """Never finishes in time; writes "<its pid> <its parent's pid>" to $JOBTEST_PIDFILE if set."""

    name = "testsleep"
    title = "Sleeps (test)"

    def render(self, issue, ctx):
        if os.environ.get("JOBTEST_PIDFILE"):  # whole or not at all: the test reads it once it is there
            pidfile = Path(os.environ["JOBTEST_PIDFILE"])
            pidfile.with_suffix(".tmp").write_text(f"{os.getpid()} {os.getppid()}")
            pidfile.with_suffix(".tmp").replace(pidfile)
        time.sleep(60)
        return []


class HogChannel(Channel):
    """Asks for 2 GB at once."""

    name = "testhog"
    title = "Allocates 2 GB (test)"

    def render(self, issue, ctx):
        block = bytearray(2 * 1024**3)
        return [Output(f"{len(block)}.txt", "text/plain")]


class ExitChannel(Channel):
    """Exits the interpreter, as careless plugin code might."""

    name = "testexit"
    title = "Exits (test)"

    def render(self, issue, ctx):
        raise SystemExit(3)


class CountChannel(Channel):
    """Requires testecho and counts the lines of its output: a channel reading another's finished folder."""

    name = "testcount"
    title = "Counts the echo (test)"
    requires = ("testecho",)

    def render(self, issue, ctx):
        lines = (ctx.output_of("testecho") / "headlines.txt").read_text(encoding="utf-8").splitlines()
        write_text(ctx.out / "count.txt", str(len(lines)))
        return [Output("count.txt", "text/plain")]


class AfterFailChannel(Channel):
    """Requires testfail, which always fails: it must fail without rendering."""

    name = "testafterfail"
    title = "Requires a failing channel (test)"
    requires = ("testfail",)

    def render(self, issue, ctx):
        raise AssertionError("rendered although its requirement failed")


class PriorityChannel(Channel):
    """Writes the CPU priority its render process sees from inside (niceness, policy, autogroup) to priority.json."""

    name = "testpriority"
    title = "Reports its priority (test)"

    def render(self, issue, ctx):
        write_text(ctx.out / "priority.json", json.dumps(priority_seen()))
        return [Output("priority.json", "application/json")]
