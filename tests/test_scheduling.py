"""Scheduled publishing (定时发布) with a clock the tests move: fires once, by itself, survives restarts, fails safely."""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest

from publisher import plugins
from publisher.jobs import make_queue, wait
from publisher.scheduling import Scheduler
from publisher.store import Store
from tests.conftest import make_config, root
from tests.test_admin import FAST, ISSUE, Site, sign_in

T0 = dt.datetime(2025, 4, 30, 21, 59, tzinfo=dt.timezone.utc)  # 05:59 Beijing time on the issue's date


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def setup(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    config = make_config(tmp_path / "content", tmp_path)
    store = Store.from_config(config)
    store.create_all()
    installed = plugins.discover()
    queue = make_queue(config, store, channels=[installed[n].cls for n in FAST])
    yield config, store, queue
    queue.close()
    store.close()


def until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_schedule_a_minute_ahead_publishes_by_itself(setup):
    config, store, queue = setup
    clock = Clock(T0)
    schedule = store.add_schedule(ISSUE, T0 + dt.timedelta(minutes=1), "编辑甲")
    runner = Scheduler(store, queue, clock, interval=0.05).start()
    try:
        time.sleep(0.5)
        assert store.get_schedule(schedule.id).state == "pending" and store.builds(ISSUE) == []
        clock.now = T0 + dt.timedelta(minutes=1, seconds=1)
        assert until(lambda: store.get_schedule(schedule.id).state == "done")
    finally:
        runner.stop()
    done = store.get_schedule(schedule.id)
    assert store.live_build(ISSUE).id == done.build_id
    assert [h.action for h in store.history(5)][:2] == ["schedule-done", "published"]


def test_two_runners_fire_a_schedule_once(setup):
    config, store, queue = setup
    clock = Clock(T0)
    schedule = store.add_schedule(ISSUE, T0, "ed")
    other_store = Store.from_config(config)  # another process's connection to the same database
    first, second = Scheduler(store, queue, clock), Scheduler(other_store, queue, clock)
    first.tick()
    second.tick()
    assert len(store.builds(ISSUE)) == 1
    wait(store, store.get_schedule(schedule.id).build_id, 120)
    second.tick()
    first.tick()
    assert store.get_schedule(schedule.id).state == "done"
    assert [h.action for h in store.history(50)].count("published") == 1
    other_store.close()


def test_a_schedule_survives_a_restart(setup, tmp_path):
    config, store, queue = setup
    schedule = store.add_schedule(ISSUE, T0, "ed")
    store.close()
    reopened = Store.from_config(config)  # the server was restarted
    reopened.create_all()
    assert reopened.get_schedule(schedule.id).state == "pending"
    runner = Scheduler(reopened, queue, Clock(T0 + dt.timedelta(seconds=1)))
    runner.tick()
    wait(reopened, reopened.get_schedule(schedule.id).build_id, 120)
    runner.tick()
    assert reopened.get_schedule(schedule.id).state == "done"
    reopened.close()


def test_a_failed_scheduled_build_leaves_the_live_edition_and_shows_on_the_dashboard(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    site = Site(tmp_path, tmp_path / "content")
    try:
        live = site.build()
        site.store.publish(live.id, "editor")
        article = next((tmp_path / "content" / "issues" / ISSUE).glob("01-*.md"))
        article.write_text(article.read_text(encoding="utf-8").replace("section: yaowen", "section: nowhere"), encoding="utf-8")
        schedule = site.store.add_schedule(ISSUE, T0, "编辑甲")
        runner = Scheduler(site.store, site.queue, Clock(T0))
        runner.tick()
        wait(site.store, site.store.get_schedule(schedule.id).build_id, 120)
        runner.tick()
        failed = site.store.get_schedule(schedule.id)
        assert failed.state == "failed" and "线上版本未变" in failed.error
        assert site.store.live_build(ISSUE).id == live.id
        client = site.app.test_client()
        sign_in(client)
        page = client.get("/admin/").get_data(as_text=True)
        assert "定时发布失败" in page and ISSUE in page
    finally:
        site.queue.close()


def test_cancelled_schedules_do_not_fire(setup):
    config, store, queue = setup
    schedule = store.add_schedule(ISSUE, T0, "ed")
    assert store.cancel_schedule(schedule.id, "ed")
    assert not store.cancel_schedule(schedule.id, "ed")
    Scheduler(store, queue, Clock(T0 + dt.timedelta(hours=1))).tick()
    assert store.builds(ISSUE) == [] and store.get_schedule(schedule.id).state == "cancelled"
