"""Background builds: one queue interface, two backends.

* :class:`EmbeddedQueue` (default): worker threads inside the server process;
  nothing else to start.
* :class:`RqQueue` when ``queue.url`` is set: jobs go to the RQ queue
  ``publisher`` on that Redis and run in ``publisher worker`` processes on any
  number of machines (sharing the database and the data folder). Workers send
  a heartbeat every ``queue.heartbeat`` seconds while they build; the server
  fails a build whose worker went silent (its machine died) and frees its issue.

Either way a job is :func:`run_build`: it builds the issue channel by channel
into the build's own folder ``<data>/builds/<id>/``, each channel's render in a
child process with a time and a memory limit (forked from a process that has
imported the channels: the server's fork server, or the RQ work horse), and
records progress in the store. Renders run below the server's CPU priority
(``queue.render_nice``, ``queue.render_policy``), so a build never slows the public site.
What is live is never touched: publishing is a separate step.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Literal, Protocol
from zoneinfo import ZoneInfo

from publisher import editions, loading, pipeline, plugins, sandbox, snapshots
from publisher.channel import Channel
from publisher.config import Config, load_config
from publisher.model import Issue
from publisher.results import BuildState, ChannelResult
from publisher.store import INTERRUPTED, BuildInProgress, BuildRecord, Store

log = logging.getLogger(__name__)

QUEUE_NAME = "publisher"
#: Seconds an RQ job may run beyond the sum of its channels' time limits (loading, bookkeeping).
JOB_MARGIN = 120
#: A running build whose worker missed this many heartbeats (``queue.heartbeat``), plus HEARTBEAT_MARGIN s, is lost.
LOST_AFTER = 3
HEARTBEAT_MARGIN = 10
#: Why a build whose worker machine went silent was failed (shown to editors).
LOST_WORKER = "运行这次生成的 worker 已停止响应（所在机器可能已关机、断网或进程被强制结束）；这次生成已作废，请重新生成"


class BuildQueue(Protocol):
    def submit(self, issue_id: str, channels: list[str] | None = None, user: str | None = None) -> BuildRecord:
        """Queue a build of ``issue_id`` (every installed channel when ``channels`` is None).

        Raises store.BuildInProgress when the issue already has a queued or running build,
        ValueError for an unknown issue or channel.
        """

    def recover(self) -> int:
        """Fail builds nobody is running any more; returns how many."""

    def close(self) -> None: ...


def make_queue(
    config: Config, store: Store, *, channels: list[type[Channel]] | None = None, config_path: str | None = None
) -> BuildQueue:
    """The embedded queue, or the RQ queue when ``queue.url`` is set; stale builds are failed first.

    ``channels`` replaces the installed channels (embedded queue only: RQ workers
    use what is installed where they run). RQ jobs load ``config_path`` on the
    worker, or the worker's own config when None.
    """
    if config.queue.url:
        if channels is not None:
            raise ValueError("RQ workers build the channels installed where they run; channels= is for the embedded queue")
        queue: BuildQueue = RqQueue(config, store, config_path)
    else:
        queue = EmbeddedQueue(config, store, channels)
    queue.recover()
    return queue


def _check(config: Config, issue_id: str, names: list[str] | None, available: dict[str, type[Channel]]) -> list[str]:
    """The channels to build, with those they require, in build order; ValueError for an unknown issue or channel."""
    if not loading.has_issue(config.content_dir, issue_id):
        newest = loading.issue_page(config.content_dir, 5).ids
        raise ValueError(
            f"there is no issue {issue_id!r} in {config.content_dir / 'issues'}; the newest: {', '.join(newest) or 'none'}"
        )
    names = list(names) if names else [editions.target(e, c) for e in editions.names(config) for c in available]
    unknown = [n for n in names if editions.split(n)[1] not in available]
    if unknown:
        raise ValueError(f"unknown channel(s): {', '.join(unknown)}; installed: {', '.join(available) or 'none'}")
    for name in names:
        config.edition(editions.split(name)[0])  # raises for an edition config.yaml does not have
    return [
        editions.target(edition, c.name)
        for edition, group in editions.grouped(names)
        for c in pipeline.in_order([available[n] for n in group], available)
    ]


class EmbeddedQueue:
    """Builds in ``queue.workers`` threads of this process; one server process only."""

    def __init__(self, config: Config, store: Store, channels: list[type[Channel]] | None = None):
        self.config = config
        self.store = store
        self.channels = {c.name: c for c in channels} if channels is not None else None
        self.runner = f"embedded:{socket.gethostname()}:{os.getpid()}"
        self._pool = ThreadPoolExecutor(config.queue.workers, thread_name_prefix="publisher-build")
        # Renders fork from one process that imported the pipeline and every channel once.
        self.renderer = warm_renderer(self._available().values())

    def _available(self) -> dict[str, type[Channel]]:
        return self.channels if self.channels is not None else plugins.usable()

    def submit(self, issue_id: str, channels: list[str] | None = None, user: str | None = None) -> BuildRecord:
        available = self._available()
        names = _check(self.config, issue_id, channels, available)
        record = self.store.new_build(issue_id, names, user, runner=self.runner)
        self._pool.submit(
            run_build, record.id, config=self.config, store=self.store, channels=list(available.values()), renderer=self.renderer
        )
        return record

    def recover(self) -> int:
        """At start-up nothing of ours can be running: fail every queued or running build."""
        return self.store.fail_interrupted()

    def close(self) -> None:
        """Let running builds finish; fail the ones still waiting."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        for record in self.store.active_builds():
            if record.runner == self.runner:
                self.store.fail_build(record.id, "the server stopped before this build started; start it again")


class RqQueue:
    """Builds in ``publisher worker`` processes fed by the RQ queue ``publisher`` on ``queue.url``."""

    def __init__(self, config: Config, store: Store, config_path: str | None = None):
        from redis import Redis
        from rq import Queue

        self.config = config
        self.store = store
        self.config_path = str(config_path) if config_path else None
        assert config.queue.url, "make_queue makes an RqQueue only when queue.url is set"
        self.connection = Redis.from_url(config.queue.url, socket_connect_timeout=5)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="publisher-lost-builds", daemon=True).start()

    def submit(self, issue_id: str, channels: list[str] | None = None, user: str | None = None) -> BuildRecord:
        from redis.exceptions import RedisError
        from rq import Callback

        names = _check(self.config, issue_id, channels, plugins.usable())
        job_id = f"publisher-build-{secrets.token_hex(6)}"
        try:
            record = self.store.new_build(issue_id, names, user, runner=f"rq:{job_id}")
        except BuildInProgress as exc:  # the build in the way may be lost: then it is failed and the issue free
            if not self._fail_if_lost(exc.existing):
                raise
            record = self.store.new_build(issue_id, names, user, runner=f"rq:{job_id}")
        # Each render may also wait for a CPU (it runs at a lower priority than the server): see sandbox.CPU_WAIT_ALLOWANCE.
        timeout = self.config.queue.build_timeout * (1 + sandbox.CPU_WAIT_ALLOWANCE) * len(names) + JOB_MARGIN
        try:
            self.queue.enqueue(
                run_queued_build,
                record.id,
                self.config_path,
                job_id=job_id,
                job_timeout=timeout,
                result_ttl=7 * 86400,
                failure_ttl=30 * 86400,
                description=f"build #{record.id} of {issue_id}",
                on_failure=Callback(on_job_failure),
            )
        except RedisError as exc:
            failed = self.store.fail_build(
                record.id,
                f"the build queue at {self.config.queue.url} cannot be reached ({exc}); "
                "start Redis or correct queue.url in config.yaml, then build again",
            )
            assert failed is not None  # it was queued a moment ago
            return failed
        return record

    def recover(self) -> int:
        """Fail active builds whose job is gone, failed, or held by a worker that stopped."""
        from redis.exceptions import RedisError

        count = 0
        try:
            for record in self.store.active_builds():
                count += self._fail_if_lost(record)
        except RedisError as exc:
            log.warning("cannot check queued builds: Redis at %s: %s", self.config.queue.url, exc)
        return count

    def _fail_if_lost(self, record: BuildRecord) -> bool:
        reason = self._lost(record)
        return bool(reason and self.store.fail_build(record.id, reason))

    def _watch(self) -> None:
        """While the server runs: every heartbeat, fail the builds whose worker went silent, so no issue stays blocked."""
        while not self._stopped.wait(self.config.queue.heartbeat):
            try:
                self.recover()
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("checking for lost builds failed")

    def _lost(self, record: BuildRecord) -> str | None:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus
        from rq.worker import Worker

        runner = record.runner or ""
        if not runner.startswith("rq:"):
            return INTERRUPTED  # queued in the embedded queue of a server that has stopped
        try:
            job = Job.fetch(runner[3:], connection=self.connection)
        except NoSuchJobError:
            return "the queue lost this build (Redis was emptied or replaced); start it again"
        status = job.get_status()
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED, JobStatus.FINISHED):
            return f"the worker ended this build without recording it (job {status.value}); start it again"
        if status == JobStatus.STARTED and job.worker_name:
            key = Worker.redis_worker_namespace_prefix + job.worker_name
            worker = Worker.find_by_key(key, connection=self.connection)
            if worker is None:
                return "the worker running this build stopped; start it again"
            # A worker SIGKILLed with its work horse (or its machine gone) leaves its key for a minute
            # more, but its heartbeats stop: the job started, or the worker last beat, too long ago.
            last = max(t for t in (worker.last_heartbeat, job.started_at) if t is not None)
            silence = LOST_AFTER * self.config.queue.heartbeat + HEARTBEAT_MARGIN
            if datetime.now(timezone.utc) - last > timedelta(seconds=silence):
                return LOST_WORKER
        return None

    def close(self) -> None:
        self._stopped.set()
        self.connection.close()


# ---- the job --------------------------------------------------------------------------------------


def warm_renderer(channels: Iterable[type[Channel]], method: Literal["forkserver", "fork"] = "forkserver") -> sandbox.Prefork:
    """Renders forked from a process that has imported the pipeline and ``channels``' modules (their libraries)."""
    return sandbox.Prefork(["publisher.pipeline", *{c.__module__ for c in channels}], method)


def run_queued_build(build_id: int, config_path: str | None = None) -> BuildRecord | None:
    """An RQ job: :func:`run_build` with renders forked from this work horse.

    The horse is a fork of ``publisher worker``, which imported every installed channel
    at its start, so each render starts warm instead of in a fresh interpreter.
    """
    return run_build(build_id, config_path, renderer=warm_renderer(plugins.usable().values(), method="fork"))


def run_build(
    build_id: int,
    config_path: str | None = None,
    *,
    config: Config | None = None,
    store: Store | None = None,
    channels: list[type[Channel]] | None = None,
    renderer: sandbox.Prefork | None = None,
) -> BuildRecord | None:
    """Run queued build ``build_id``: every channel into ``<data>/builds/<id>/``, progress into the store.

    ``config``/``store`` are the caller's (embedded queue) or made from ``config_path``
    (RQ worker; the worker's own config when None). ``channels`` replaces the
    installed channels; ``renderer`` forks renders from a warm process (else each
    starts a fresh interpreter). Never raises for a failed build: the record says why.
    """
    config = config or load_config(config_path)
    own_store = store is None
    store = store or Store.from_config(config)
    try:
        record = store.start_build(build_id)
        if record is None:  # failed meanwhile (server restarted) or unknown
            return store.get_build(build_id)
        try:
            _run(record, config, store, channels, renderer)
        except Exception as exc:  # a bug, or the queue's own time limit: never leave the build running
            log.exception("build #%s failed", build_id)
            store.fail_build(build_id, f"{type(exc).__name__}: {exc}; see the worker's log")
        return store.get_build(build_id)
    finally:
        if own_store:
            store.close()


def _run(
    record: BuildRecord, config: Config, store: Store, channels: list[type[Channel]] | None, renderer: sandbox.Prefork | None
) -> None:
    issue_dir = loading.issue_dir(config.content_dir, record.issue_id)
    if not (issue_dir / loading.ISSUE_FILE).is_file():
        store.fail_build(
            record.id,
            f"there is no issue {record.issue_id} in {config.content_dir / 'issues'} "
            "on the machine that ran the build; check 'content:' in its config.yaml",
        )
        return
    try:
        loaded = loading.load(issue_dir)
    except loading.ContentErrors as exc:
        first = "; ".join(str(p) for p in exc.problems[:3])
        store.fail_build(
            record.id,
            f"the issue has {len(exc.problems)} content error(s): {first}; "
            f"run 'publisher check {record.issue_id}' for the full list",
        )
        return
    snapshots.save(Path(record.out_dir), loaded.issue)  # what was built, for the diff shown before publishing
    tz = config.site.timezone
    store.append_log(
        record.id,
        f"{_now(tz)} {loaded.issue.title}: {len(loaded.issue.articles)} articles, {len(loaded.warnings)} content warning(s)",
    )
    available = {c.name: c for c in channels} if channels is not None else plugins.usable()
    for name in [n for n in record.channels if editions.split(n)[1] not in available]:
        error = f"the channel {name} is not installed where this build ran; install it there, or build without it"
        store.update_channel(record.id, ChannelResult.failed(name, error, 0.0), log=f"{_now(tz)} {name}: ✗ {error}")

    def progress(event: str, name: str, result: ChannelResult | None) -> bool:
        if event == "start":  # False when the build was ended meanwhile (a restart failed it): stop there
            return store.update_channel(record.id, ChannelResult(name, BuildState.RUNNING), log=f"{_now(tz)} {name}: building…")
        assert result is not None  # every event but "start" comes with the channel's result
        return store.update_channel(record.id, result, log=_summary(result, tz))

    runner = functools.partial(sandboxed, renderer=renderer)
    for edition, names in editions.grouped(record.channels):
        wanted = [available[n] for n in names if n in available]
        report = pipeline.build(loaded.issue, wanted, config, Path(record.out_dir), issue_dir, progress, runner, edition)
        if len(report.results) < len(wanted):
            break  # the build was ended meanwhile
    store.finish_build(record.id)


def sandboxed(
    cls: type[Channel],
    issue: Issue,
    issue_dir: Path,
    config: Config,
    out_root: Path,
    built: frozenset[str] = frozenset(),
    edition: str | None = None,
    renderer: sandbox.Prefork | None = None,
) -> ChannelResult:
    """A :data:`pipeline.Runner`: the channel in a child process under ``queue.build_timeout`` and ``queue.memory_limit_mb``,
    at the priority of ``queue.render_nice`` and ``queue.render_policy`` (below the server's, so readers come first)."""
    name, limits = editions.target(edition, cls.name), config.queue
    label = cls.name.upper() if len(cls.name) <= 4 else cls.name.capitalize()
    started = time.monotonic()
    try:
        result = (renderer.run if renderer else sandbox.run)(
            pipeline.build_channel,
            (cls, issue, issue_dir, config, out_root, built, edition),
            timeout=limits.build_timeout,
            memory_mb=limits.memory_limit_mb,
            priority=sandbox.Priority(limits.render_nice, limits.render_policy),
        )
    except sandbox.SandboxError as exc:
        _remove_staging(out_root / issue.id / (edition or ""), cls.name)
        return ChannelResult.failed(name, _limit_error(exc, label, limits), round(time.monotonic() - started, 3))
    if not result.ok and (result.error or "").startswith("MemoryError"):
        return ChannelResult.failed(name, _memory_error(label, limits.memory_limit_mb), result.seconds, result.warnings)
    return result


def _limit_error(exc: sandbox.SandboxError, label: str, limits) -> str:
    """What went wrong with a render that gave no result, and what to do about it."""
    if isinstance(exc, sandbox.TimeLimit):
        return (
            f"the {label} render took longer than {limits.build_timeout} s and was stopped; "
            "simplify the issue (fewer or smaller images) or raise queue.build_timeout in config.yaml"
        )
    if isinstance(exc, sandbox.ChildRaised) and isinstance(exc.exception, MemoryError):
        return _memory_error(label, limits.memory_limit_mb)
    if isinstance(exc, sandbox.ChildRaised):
        return f"the {label} render could not run ({exc}); reinstall the channel or tell the developers"
    return (
        f"the {label} render {exc}; if it needed more than {limits.memory_limit_mb} MB, "
        "raise queue.memory_limit_mb in config.yaml"
    )


def _memory_error(label: str, limit_mb: int) -> str:
    return (
        f"the {label} render needed more than {limit_mb} MB of memory and was stopped; "
        "use smaller images or raise queue.memory_limit_mb in config.yaml"
    )


def _remove_staging(issue_out: Path, name: str) -> None:
    """A killed render leaves its staging folder behind; nothing else in the build folder is touched."""
    for leftover in issue_out.glob(f".{name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _now(tz: str) -> str:
    """The time of a log line, in the paper's time zone (site.timezone), as the admin shows every time."""
    return datetime.now(ZoneInfo(tz)).strftime("%H:%M:%S")


def _summary(state: ChannelResult, tz: str) -> str:
    now = _now(tz)
    if state.ok:
        line = f"{now} {state.channel}: ✓ {state.seconds:.2f} s, {len(state.files)} file(s), {state.bytes / 1024:.0f} KiB"
    else:
        line = f"{now} {state.channel}: ✗ failed after {state.seconds or 0:.2f} s: {state.error}"
    return "\n".join([line, *(f"{now} {state.channel}: warning: {w}" for w in state.warnings)])


def wait(store: Store, build_id: int, timeout: float = 600, interval: float = 0.1) -> BuildRecord:
    """Poll until build ``build_id`` has ended; raises TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        record = store.get_build(build_id)
        if record is None:
            raise ValueError(f"there is no build #{build_id}")
        if not record.active:
            return record
        if time.monotonic() > deadline:
            raise TimeoutError(f"build #{build_id} is still {record.state} after {timeout:g} s")
        time.sleep(interval)


# ---- RQ worker hooks ------------------------------------------------------------------------------


def _store_for(job) -> Store:
    config_path = job.args[1] if len(job.args) > 1 else None
    return Store.from_config(load_config(config_path))


def on_job_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback: the job raised, hit RQ's own time limit or was abandoned by a dead worker."""
    from rq.exceptions import AbandonedJobError
    from rq.timeouts import JobTimeoutException

    if exc_type is not None and issubclass(exc_type, AbandonedJobError):
        reason = "the worker running this build stopped (crashed or was killed); start it again"
    elif exc_type is not None and issubclass(exc_type, JobTimeoutException):
        reason = f"the build took longer than the queue allows ({job.timeout} s); start it again"
    else:
        reason = f"the worker failed: {exc_type.__name__ if exc_type else 'error'}: {exc_value}; see the worker's log"
    store = _store_for(job)
    try:
        store.fail_build(job.args[0], reason)
    finally:
        store.close()


def on_horse_killed(job, retpid, ret_val, rusage) -> None:
    """RQ worker hook: the process running the job died (killed by the kernel or an operator)."""
    store = _store_for(job)
    try:
        store.fail_build(job.args[0], f"the worker process running this build was killed (status {ret_val}); start it again")
    finally:
        store.close()
