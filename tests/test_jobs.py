"""Background builds: the embedded queue in this process, and RQ with a real redis-server and real workers."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
import redis

from publisher import jobs, plugins
from publisher.config import QueueConfig, load_config
from publisher.results import ChannelFile
from publisher.store import INTERRUPTED, BuildInProgress, PublishError, Store

from .conftest import REPO, free_port, make_config, root
from .plugins.jobs_channels import (
    AfterFailChannel,
    CountChannel,
    EchoChannel,
    ExitChannel,
    FailChannel,
    HogChannel,
    PriorityChannel,
    SleepChannel,
)
from .plugins.probes import priority_seen

BIN = Path(sys.executable).parent
TINY = "2025-05-01-1331"
TITLE = "中国铝业报 2025年5月1日 总第1331期"
HEADLINES = ["绿色低碳项目全面投产", "在深化内化转化上下功夫"]
TEST_CHANNELS = [EchoChannel, FailChannel, SleepChannel, HogChannel, ExitChannel, PriorityChannel]


def embedded(tmp_path, content=None, **queue):
    config = make_config(content or root("tiny"), tmp_path, queue=QueueConfig(**queue))
    store = Store.from_config(config)
    store.create_all()
    return config, store, jobs.make_queue(config, store, channels=TEST_CHANNELS)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is dead too


def gone_soon(pid: int, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


# ---- the embedded queue ------------------------------------------------------------------------


def test_embedded_build_writes_into_its_own_folder(tmp_path):
    config, store, queue = embedded(tmp_path)
    record = queue.submit(TINY, ["testecho"], "alice")
    assert record.state == "queued" and record.requested_by == "alice"
    done = jobs.wait(store, record.id, timeout=60)
    assert done.state == "succeeded" and done.errors == []
    lines = (Path(done.out_dir) / TINY / "testecho" / "headlines.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [TITLE, *HEADLINES]
    size = len("\n".join(lines).encode())
    process = (Path(done.out_dir) / TINY / "testecho" / "process.txt").stat().st_size
    assert done.results["testecho"].files == (
        ChannelFile("headlines.txt", "text/plain", size),
        ChannelFile("process.txt", "text/plain", process),
    )
    assert done.results["testecho"].bytes == size + process and done.results["testecho"].state == "succeeded"
    assert f"{TITLE}: 2 articles" in done.log and "testecho: ✓" in done.log
    assert [e.action for e in store.history()][:2] == ["build-succeeded", "build-requested"]
    assert not config.output_dir.exists()  # builds go to data/builds/<id>/, never to what is served
    queue.close()


def test_second_build_refused_and_runaway_render_stopped_at_the_time_limit(tmp_path, monkeypatch):
    pidfile = tmp_path / "render.pid"
    monkeypatch.setenv("JOBTEST_PIDFILE", str(pidfile))
    config, store, queue = embedded(tmp_path, build_timeout=2)
    first = queue.submit(TINY, ["testsleep", "testecho"], "alice")
    with pytest.raises(BuildInProgress, match=f"build #{first.id} was requested by alice") as refused:
        queue.submit(TINY, ["testecho"], "bob")
    assert refused.value.existing.id == first.id
    done = jobs.wait(store, first.id, timeout=60)
    assert done.state == "failed"
    assert done.results["testsleep"].error == (
        "the Testsleep render took longer than 2 s and was stopped; simplify the issue (fewer or smaller images) "
        "or raise queue.build_timeout in config.yaml"
    )
    assert done.results["testsleep"].seconds >= 2  # stopped at the limit, not before
    assert done.results["testecho"].state == "succeeded"  # the next channel still ran in this process
    render_pid = int(pidfile.read_text().split()[0])
    assert gone_soon(render_pid)
    assert sorted(p.name for p in (Path(done.out_dir) / TINY).iterdir()) == ["issue.json", "testecho"]  # no staging left
    again = jobs.wait(store, queue.submit(TINY, ["testecho"], "bob").id, timeout=60)
    assert again.state == "succeeded"
    queue.close()


def seen_by_render(record) -> dict:
    """What the testpriority render reported of its own CPU priority, from inside its process."""
    return json.loads((record.channel_dir("testpriority") / "priority.json").read_text(encoding="utf-8"))


def test_renders_run_below_the_servers_cpu_priority_unless_configured_otherwise(tmp_path):
    here = priority_seen()
    config, store, queue = embedded(tmp_path / "default")
    assert (config.queue.render_nice, config.queue.render_policy) == (10, "batch")
    seen = seen_by_render(jobs.wait(store, queue.submit(TINY, ["testpriority"], None).id, timeout=60))
    queue.close()
    assert seen["nice"] == min(19, here["nice"] + 10) and seen["policy"] == os.SCHED_BATCH
    if seen["autogroup"] is not None:  # the kernel groups by session, and the render has a session (a group) of its own
        assert seen["autogroup"] == 10
    assert seen["session"] != here["session"]
    config, store, queue = embedded(tmp_path / "idle", render_nice=19, render_policy="idle")
    seen = seen_by_render(jobs.wait(store, queue.submit(TINY, ["testpriority"], None).id, timeout=60))
    queue.close()
    assert seen["nice"] == 19 and seen["policy"] == os.SCHED_IDLE
    config, store, queue = embedded(tmp_path / "same", render_nice=0, render_policy="normal")
    seen = seen_by_render(jobs.wait(store, queue.submit(TINY, ["testpriority"], None).id, timeout=60))
    queue.close()
    assert (seen["nice"], seen["policy"]) == (here["nice"], here["policy"])
    assert priority_seen() == here  # the server's own priority is never touched


def test_memory_hungry_or_exiting_render_fails_its_channel_only(tmp_path):
    config, store, queue = embedded(tmp_path, memory_limit_mb=300)
    done = jobs.wait(store, queue.submit(TINY, ["testhog", "testexit", "testecho"], None).id, timeout=60)
    assert done.state == "failed"
    assert done.results["testhog"].error == (
        "the Testhog render needed more than 300 MB of memory and was stopped; use smaller images or raise "
        "queue.memory_limit_mb in config.yaml"
    )
    assert done.results["testexit"].error == (
        "the Testexit render could not run (SystemExit: 3); reinstall the channel or tell the developers"
    )
    assert done.results["testecho"].state == "succeeded", done.results["testecho"].error
    queue.close()


def test_failed_build_leaves_what_is_live_untouched(tmp_path):
    config, store, queue = embedded(tmp_path)
    good = jobs.wait(store, queue.submit(TINY, ["testecho"], "alice").id, timeout=60)
    store.publish(good.id, "alice")
    link = store.data_dir / "live" / TINY
    served = link / TINY / "testecho" / "headlines.txt"
    before = (os.readlink(link), served.read_bytes())
    bad = jobs.wait(store, queue.submit(TINY, ["testecho", "testfail"], "bob").id, timeout=60)
    assert bad.state == "failed"
    assert bad.errors == ["testfail: the image 图1.jpg is missing; add it to the issue folder"]
    assert "testfail: ✗ failed after" in bad.log
    with pytest.raises(PublishError, match="is failed"):
        store.publish(bad.id, "bob")
    assert store.live_build(TINY).id == good.id
    assert (os.readlink(link), served.read_bytes()) == before
    assert Path(bad.out_dir) != Path(good.out_dir)
    queue.close()


def test_content_errors_fail_the_build_and_say_how_to_see_them(tmp_path, copy_root):
    content = copy_root("tiny")
    meta = content / "issues" / TINY / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("date: 2025-05-01", "date: someday"), encoding="utf-8")
    config, store, queue = embedded(tmp_path, content=content)
    done = jobs.wait(store, queue.submit(TINY, ["testecho"], None).id, timeout=60)
    assert done.state == "failed" and done.results["testecho"].state == "failed"
    assert done.error.startswith("the issue has 1 content error(s): ") and "issue.yaml" in done.error
    assert done.error.endswith(f"run 'publisher check {TINY}' for the full list")
    queue.close()


def test_unknown_issue_or_channel_is_refused_before_anything_is_queued(tmp_path):
    config, store, queue = embedded(tmp_path)
    with pytest.raises(ValueError, match=f"there is no issue '1999-01-01-1'.*the newest: {TINY}"):
        queue.submit("1999-01-01-1", None, None)
    with pytest.raises(ValueError, match="unknown channel\\(s\\): pdf; installed: testecho, testfail"):
        queue.submit(TINY, ["pdf"], None)
    assert store.builds() == []
    queue.close()


def test_every_installed_channel_when_none_named(tmp_path):
    config = make_config(root("tiny"), tmp_path)
    store = Store.from_config(config)
    store.create_all()
    queue = jobs.make_queue(config, store, channels=[EchoChannel, FailChannel])
    record = queue.submit(TINY, None, None)
    assert record.channels == ["testecho", "testfail"]
    done = jobs.wait(store, record.id, timeout=60)
    assert {n: s.state for n, s in done.results.items()} == {"testecho": "succeeded", "testfail": "failed"}
    queue.close()


def test_required_channels_build_first_and_a_failed_requirement_fails_its_dependant(tmp_path):
    config = make_config(root("tiny"), tmp_path)
    store = Store.from_config(config)
    store.create_all()
    queue = jobs.make_queue(config, store, channels=[AfterFailChannel, CountChannel, EchoChannel, FailChannel])
    record = queue.submit(TINY, ["testcount", "testafterfail"], None)
    assert record.channels == ["testecho", "testcount", "testfail", "testafterfail"]  # requirements added, first
    done = jobs.wait(store, record.id, timeout=60)
    states = {n: s.state for n, s in done.results.items()}
    assert states == {"testecho": "succeeded", "testcount": "succeeded", "testfail": "failed", "testafterfail": "failed"}
    assert (Path(done.out_dir) / TINY / "testcount" / "count.txt").read_text(encoding="utf-8") == "3"
    error = done.results["testafterfail"].error
    assert error.startswith("testfail 构建失败，所以依赖它的 testafterfail 没有构建") and "图1.jpg" in error
    assert not (Path(done.out_dir) / TINY / "testafterfail").exists()
    queue.close()


def test_a_build_ended_meanwhile_is_left_alone(tmp_path):
    config = make_config(root("tiny"), tmp_path)
    store = Store.from_config(config)
    store.create_all()
    record = store.new_build(TINY, ["testecho"], None)
    store.fail_build(record.id, INTERRUPTED)
    done = jobs.run_build(record.id, config=config, store=store, channels=TEST_CHANNELS)
    assert done.error == INTERRUPTED and not Path(done.out_dir).exists()
    running = store.new_build(TINY, ["testecho", "testfail"], None)
    store.start_build(running.id)
    store.fail_build(running.id, INTERRUPTED)
    assert not store.update_channel(running.id, store.get_build(running.id).results["testecho"])


def test_starting_the_queue_fails_builds_a_restart_interrupted(tmp_path):
    config = make_config(root("tiny"), tmp_path)
    store = Store.from_config(config)
    store.create_all()
    running = store.new_build(TINY, ["testecho"], "alice")
    store.start_build(running.id)
    queue = jobs.make_queue(config, store, channels=TEST_CHANNELS)
    record = store.get_build(running.id)
    assert record.state == "failed" and record.error == INTERRUPTED
    assert jobs.wait(store, queue.submit(TINY, ["testecho"], None).id, timeout=60).ok
    queue.close()


# ---- RQ: a real redis-server and real `publisher worker` processes ---------------------------------

_databases = itertools.count(1)


class Rq:
    """A config file for workers (tiny root, its own Redis database) and the test channels as a plugin."""

    def __init__(self, tmp_path: Path, redis_url: str, monkeypatch, database_url: str, **queue):
        db = next(_databases) % 15 + 1  # every test its own Redis database: no job of another test is seen
        self.url = redis_url.rsplit("/", 1)[0] + f"/{db}"
        redis.Redis.from_url(self.url).flushdb()
        lines = [
            f"content: {root('tiny')}",
            f"output: {tmp_path / 'out'}",
            f"data: {tmp_path / 'data'}",
            "database:",
            f"  url: {database_url}",
            "queue:",
            f"  url: {self.url}",
            *(f"  {k}: {v}" for k, v in queue.items()),
        ]
        self.config_path = tmp_path / "config.yaml"
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.config = load_config(self.config_path)
        # Registered the way any installed plugin is: an entry point in a dist-info folder on the path.
        site = tmp_path / "site"
        dist = site / "publisher_jobtest-1.0.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: publisher-jobtest\nVersion: 1.0\n")
        (dist / "entry_points.txt").write_text(
            "[publisher.channels]\n" + "".join(f"{c.name} = tests.plugins.jobs_channels:{c.__name__}\n" for c in TEST_CHANNELS)
        )
        monkeypatch.syspath_prepend(str(site))  # the server side knows them too (it checks names)
        self.env = {
            **os.environ,
            "PUBLISHER_CONFIG": str(self.config_path),
            "PYTHONPATH": os.pathsep.join([str(REPO), str(site)]),
            "JOBTEST_PIDFILE": str(tmp_path / "render.pid"),
        }
        self.pidfile = tmp_path / "render.pid"
        self.store = Store.from_config(self.config)
        self.store.create_all()
        self.workers: list[subprocess.Popen] = []

    def burst(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "publisher"), "worker", "--burst"],
            env=self.env,
            cwd=self.config_path.parent,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start_worker(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [str(BIN / "publisher"), "worker"],
            env=self.env,
            cwd=self.config_path.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(proc)
        return proc

    def stop(self) -> None:
        """Warm shutdown (RQ lets the job at hand finish), then cold (a second SIGTERM stops the work horse), then
        SIGKILL: a worker busy on a loaded machine never outlives the test."""
        for proc in self.workers:
            proc.terminate()
        for proc in self.workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        self.store.close()


@pytest.fixture
def rq(tmp_path, redis_url, monkeypatch, database_url):
    """RQ set-ups on a real redis-server, with the store on SQLite and on PostgreSQL."""
    made: list[Rq] = []

    def make(**queue) -> Rq:
        made.append(Rq(tmp_path, redis_url, monkeypatch, database_url, **queue))
        return made[-1]

    yield make
    for setup in made:
        setup.stop()


def working_real_channels() -> list[str]:
    """The fast built-in channels that are installed and import (never the PDF for the happy path)."""
    installed = plugins.discover()
    return [n for n in ("rss", "digest") if n in installed and installed[n].cls is not None]


def test_rq_worker_builds_the_installed_channels(rq):
    setup = rq()
    queue = jobs.make_queue(setup.config, setup.store)
    assert isinstance(queue, jobs.RqQueue)
    real = working_real_channels()
    record = queue.submit(TINY, [*real, "testecho", "testpriority"], "alice")
    assert record.state == "queued" and record.runner.startswith("rq:publisher-build-")
    worker = setup.burst()
    assert worker.returncode == 0, worker.stderr
    assert "channels: " in worker.stderr and "testecho" in worker.stderr
    done = setup.store.get_build(record.id)
    assert done.state == "succeeded", done.errors
    assert (done.channel_dir("testecho") / "headlines.txt").read_text(encoding="utf-8").splitlines() == [TITLE, *HEADLINES]
    # The render was forked from the work horse (a fork of the worker, channels imported), not a fresh interpreter.
    assert (done.channel_dir("testecho") / "process.txt").read_text(encoding="utf-8").endswith("publisher worker --burst")
    seen, here = seen_by_render(done), priority_seen()  # the worker started at this process's priority
    assert seen["nice"] == min(19, here["nice"] + 10) and seen["policy"] == os.SCHED_BATCH
    if "rss" in real:
        feed = feedparser.parse((done.channel_dir("rss") / "feed.xml").read_bytes())
        assert not feed.bozo and [e.title for e in feed.entries] == HEADLINES
        assert {f.path for f in done.results["rss"].files} >= {"feed.xml", "atom.xml"}
    if "digest" in real:
        page = (done.channel_dir("digest") / "index.html").read_text(encoding="utf-8")
        assert all(h in page for h in HEADLINES)
    setup.store.publish(done.id, "alice")
    assert (setup.store.data_dir / "live" / TINY / TINY / "testecho" / "headlines.txt").is_file()
    queue.close()


def test_rq_runaway_renders_fail_their_job_and_the_worker_keeps_working(rq):
    setup = rq(build_timeout=2, memory_limit_mb=300)
    queue = jobs.make_queue(setup.config, setup.store)
    worker = setup.start_worker()
    first = queue.submit(TINY, ["testsleep", "testhog", "testecho"], "alice")
    done = jobs.wait(setup.store, first.id, timeout=90)
    assert done.state == "failed"
    assert done.results["testsleep"].error.startswith("the Testsleep render took longer than 2 s and was stopped")
    assert done.results["testhog"].error.startswith("the Testhog render needed more than 300 MB of memory")
    assert done.results["testecho"].state == "succeeded", done.results["testecho"].error
    assert gone_soon(int(setup.pidfile.read_text().split()[0]))
    assert worker.poll() is None
    second = jobs.wait(setup.store, queue.submit(TINY, ["testecho"], "bob").id, timeout=90)
    assert second.state == "succeeded" and worker.poll() is None
    queue.close()


def test_rq_killed_work_horse_fails_the_build_and_its_render(rq):
    setup = rq(build_timeout=60)
    queue = jobs.make_queue(setup.config, setup.store)
    worker = setup.start_worker()
    record = queue.submit(TINY, ["testsleep"], "alice")
    deadline = time.monotonic() + 60
    while not setup.pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    render_pid, horse_pid = map(int, setup.pidfile.read_text().split())
    os.kill(horse_pid, signal.SIGKILL)
    done = jobs.wait(setup.store, record.id, timeout=60)
    assert done.state == "failed"
    assert done.error.startswith("the worker process running this build was killed")
    assert done.results["testsleep"].state == "failed"
    assert gone_soon(render_pid)  # the render died with its parent instead of running on for a minute
    assert worker.poll() is None
    queue.close()


def test_rq_worker_killed_with_its_work_horse_frees_the_issue_within_a_bounded_time(rq):
    """The worker machine dies: worker, work horse and render SIGKILLed at once, so no RQ hook runs."""
    setup = rq(build_timeout=120, heartbeat=1)
    queue = jobs.make_queue(setup.config, setup.store)
    worker = setup.start_worker()
    record = queue.submit(TINY, ["testsleep"], "alice")
    deadline = time.monotonic() + 60
    while not setup.pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    render_pid, horse_pid = map(int, setup.pidfile.read_text().split())
    for pid in (worker.pid, horse_pid, render_pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert setup.store.get_build(record.id).state == "running"
    with pytest.raises(BuildInProgress):  # its heartbeat is still fresh: not yet given up
        queue.submit(TINY, ["testecho"], "bob")
    killed = time.monotonic()
    # The server's watch fails it once LOST_AFTER heartbeats (+ margin) are missed; well before RQ's own timeout.
    bound = jobs.LOST_AFTER * 1 + jobs.HEARTBEAT_MARGIN + 30
    done = jobs.wait(setup.store, record.id, timeout=bound)
    assert done.state == "failed" and done.error == jobs.LOST_WORKER
    assert time.monotonic() - killed < bound
    assert done.results["testsleep"].state == "failed"
    again = queue.submit(TINY, ["testecho"], "bob")  # the issue is free: a new build is accepted
    assert again.state == "queued" and [b.id for b in setup.store.active_builds()] == [again.id]
    queue.close()


def test_rq_submit_fails_a_lost_build_in_the_way_instead_of_refusing(rq):
    from rq.job import Job

    setup = rq(heartbeat=1)
    queue = jobs.make_queue(setup.config, setup.store)
    queue._stopped.set()  # no watch: the submit itself must notice
    lost = queue.submit(TINY, ["testecho"], "alice")
    Job.fetch(lost.runner[3:], connection=queue.connection).delete()
    fresh = queue.submit(TINY, ["testecho"], "bob")
    assert fresh.state == "queued" and setup.store.get_build(lost.id).state == "failed"
    queue.close()


def test_rq_builds_whose_job_is_lost_are_failed_when_the_server_starts(rq):
    from rq.job import Job, JobStatus

    setup = rq()
    queue = jobs.make_queue(setup.config, setup.store)
    lost = queue.submit(TINY, ["testecho"], "alice")
    Job.fetch(lost.runner[3:], connection=queue.connection).delete()
    again = jobs.make_queue(setup.config, setup.store)  # as a second server starting
    assert again.recover() == 0  # make_queue already did it
    again.close()  # or its lost-build watch would go on polling the database after the test
    record = setup.store.get_build(lost.id)
    assert record.state == "failed"
    assert record.error == "the queue lost this build (Redis was emptied or replaced); start it again"
    waiting = queue.submit(TINY, ["testecho"], "alice")
    jobs.make_queue(setup.config, setup.store).close()
    assert setup.store.get_build(waiting.id).state == "queued"  # still in the queue: left for a worker
    Job.fetch(waiting.runner[3:], connection=queue.connection).set_status(JobStatus.FAILED)
    assert queue.recover() == 1
    assert setup.store.get_build(waiting.id).error == (
        "the worker ended this build without recording it (job failed); start it again"
    )
    queue.close()


def test_unreachable_queue_fails_the_build_and_says_what_to_do(tmp_path, monkeypatch):
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("PUBLISHER_QUEUE_URL", url)
    config = make_config(root("tiny"), tmp_path, queue=QueueConfig(url=url))
    store = Store.from_config(config)
    store.create_all()
    queue = jobs.make_queue(config, store)
    record = queue.submit(TINY, working_real_channels() or None, "alice")
    assert record.state == "failed"
    assert record.error.startswith(f"the build queue at {url} cannot be reached")
    assert record.error.endswith("start Redis or correct queue.url in config.yaml, then build again")
    queue.close()
    worker = subprocess.run(
        [str(BIN / "publisher"), "--config", str(_write(tmp_path, "")), "worker"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PUBLISHER_QUEUE_URL": url},
    )
    assert worker.returncode == 1 and f"cannot reach Redis at {url}" in worker.stderr


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plain.yaml"
    path.write_text(f"content: {root('tiny')}\ndata: {tmp_path / 'data'}\n{text}", encoding="utf-8")
    return path


def test_worker_without_a_queue_url_says_builds_run_in_the_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_QUEUE_URL"}
    worker = subprocess.run(
        [str(BIN / "publisher"), "--config", str(_write(tmp_path, "")), "worker", "--burst"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert worker.returncode == 1
    assert "queue.url is not set, so builds run inside 'publisher serve'" in worker.stderr
