"""Scheduled publishing (定时发布): a loop that builds and publishes issues at the time set for them.

The schedules live in the store (:mod:`publisher.store.schedules`), so they
survive restarts; every step is claimed with a conditional UPDATE, so the
server's loop and any number of ``publisher worker`` loops can run side by side
and a schedule fires once. The build goes through the ordinary queue; only a
build that succeeded is published, so a failed scheduled build leaves the live
edition as it was and the schedule failed, with the reason, for the dashboard.
The clock is a function the caller passes (tests move it by hand).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Callable
from zoneinfo import ZoneInfo

from publisher.store import BuildInProgress, PublishError
from publisher.store.schedules import BUILDING, DONE, FAILED, PENDING, PUBLISHING

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Seconds between two looks at the schedules.
INTERVAL = 5.0
#: A schedule claimed but given no build for this long (its runner died in between) is tried again.
STALE_CLAIM = dt.timedelta(minutes=5)


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_time(date: dt.date, hour: int, timezone: str) -> dt.datetime:
    """The moment an issue is normally published: ``hour`` o'clock of its date in the paper's time zone."""
    return dt.datetime.combine(date, dt.time(hour), tzinfo=ZoneInfo(timezone))


class Scheduler:
    """Runs due schedules through ``queue`` and publishes their builds in ``store``; :meth:`tick` does one round."""

    def __init__(
        self, store, queue, clock: Clock = system_clock, interval: float = INTERVAL, on_publish: Callable[[], None] | None = None
    ):
        self.store, self.queue, self.clock, self.interval = store, queue, clock, interval
        self.on_publish = on_publish
        self.runner = f"scheduler:{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> None:
        now = self.clock()
        for schedule in self.store.due_schedules(now):
            if self.store.move_schedule(schedule.id, PENDING, BUILDING, runner=self.runner):
                self._start_build(schedule)
        for schedule in self.store.schedules(states=(BUILDING, PUBLISHING), limit=1000):
            self._follow(schedule, now)

    def _start_build(self, schedule) -> None:
        who = f"定时发布 #{schedule.id}（{schedule.created_by or '未知'}设置）"
        try:
            record = self.queue.submit(schedule.issue_id, None, who)
        except BuildInProgress as exc:  # someone is building it already: publish that build when it succeeds
            record = exc.existing
        except Exception as exc:  # the issue is gone, the queue cannot be reached: nothing was built
            self.store.move_schedule(schedule.id, BUILDING, FAILED, error=f"没能开始生成：{exc}")
            return
        self.store.move_schedule(schedule.id, BUILDING, BUILDING, build_id=record.id)

    def _follow(self, schedule, now: dt.datetime) -> None:
        if schedule.build_id is None:
            if schedule.state == BUILDING and now - schedule.run_at > STALE_CLAIM:
                self.store.move_schedule(schedule.id, BUILDING, PENDING, runner=None)
            return
        build = self.store.get_build(schedule.build_id)
        if build is None or build.active:
            return
        if not build.ok:
            reason = "；".join(build.errors) or "生成失败"
            self.store.move_schedule(schedule.id, schedule.state, FAILED, error=f"生成 #{build.id} 失败，线上版本未变：{reason}")
            return
        live = self.store.live_build(schedule.issue_id)
        if schedule.state == PUBLISHING and live is not None and live.id == build.id:
            self.store.move_schedule(schedule.id, PUBLISHING, DONE)  # published by a runner that stopped before recording it
            return
        if schedule.state == BUILDING and not self.store.move_schedule(schedule.id, BUILDING, PUBLISHING):
            return  # another runner took it
        try:
            self.store.publish(build.id, f"定时发布 #{schedule.id}")
        except PublishError as exc:
            self.store.move_schedule(schedule.id, PUBLISHING, FAILED, error=f"没能发布生成 #{build.id}：{exc}")
            return
        self.store.move_schedule(schedule.id, PUBLISHING, DONE)
        if self.on_publish is not None:
            self.on_publish()

    # ---- the loop -----------------------------------------------------------------------------

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="publisher-scheduler", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a database hiccup must not end the loop; the next round tries again
                log.exception("scheduled publishing: this round failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
