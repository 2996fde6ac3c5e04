"""The store: build records, one active build per issue, publishing and rollback, history, users."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from publisher.results import BuildState, ChannelFile, ChannelResult
from publisher.store import BuildInProgress, PublishError, Store

BIN = Path(sys.executable).parent
ISSUE = "2025-05-01-1331"
OLDER = "2025-04-19-1330"


def finished_build(
    store: Store, issue_id: str = ISSUE, channels=("rss", "digest"), fail: str | None = None, user: str | None = "alice"
) -> int:
    """A build run to the end by hand, with a file in each channel folder (as run_build leaves it)."""
    record = store.new_build(issue_id, list(channels), user)
    store.start_build(record.id)
    for name in channels:
        folder = record.channel_dir(name)
        folder.mkdir(parents=True)
        (folder / "index.txt").write_text(f"build {record.id} {name}")
        failed = fail == name
        store.update_channel(
            record.id,
            ChannelResult(
                name,
                BuildState.FAILED if failed else BuildState.SUCCEEDED,
                0.5,
                () if failed else (ChannelFile("index.txt", "text/plain", 9),),
                "the image 图1.jpg is missing" if failed else None,
            ),
            log=f"{name} done",
        )
    store.finish_build(record.id)
    return record.id


def test_new_build_is_queued_with_each_channel_queued(store, tmp_path):
    record = store.new_build(ISSUE, ["rss", "digest"], "alice")
    assert (record.state, record.channels, record.requested_by) == ("queued", ["rss", "digest"], "alice")
    assert {n: s.state for n, s in record.results.items()} == {"rss": "queued", "digest": "queued"}
    assert record.out_dir == str(tmp_path / "data" / "builds" / str(record.id))
    assert record.created_at.tzinfo == timezone.utc and record.started_at is None and record.seconds is None
    assert abs(record.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert store.get_build(record.id) == record
    assert store.get_build(999) is None


def test_second_build_of_an_issue_is_refused_while_one_is_active(store):
    first = store.new_build(ISSUE, ["rss"], "alice")
    with pytest.raises(BuildInProgress) as refused:
        store.new_build(ISSUE, ["pdf"], "bob")
    assert refused.value.existing.id == first.id
    message = str(refused.value)
    assert f"build #{first.id}" in message and "by alice" in message and "is queued" in message
    assert f"{first.created_at:%Y-%m-%d %H:%M:%S} UTC" in message
    other = store.new_build(OLDER, ["rss"], "bob")  # another issue may build meanwhile
    store.start_build(first.id)
    with pytest.raises(BuildInProgress, match="is running"):
        store.new_build(ISSUE, ["rss"], "bob")
    store.finish_build(first.id)
    assert store.new_build(ISSUE, ["rss"], "bob").id > other.id


def test_one_active_build_per_issue_even_when_processes_race(store, tmp_path):
    """Eight stores (eight connections pools, as in eight processes) queue the same issue at once."""
    stores = [Store(store.url, store.data_dir) for _ in range(8)]
    outcomes: list[str] = []
    gate = threading.Barrier(len(stores))

    def attempt(s: Store) -> None:
        gate.wait()
        try:
            s.new_build(ISSUE, ["rss"], "racer")
            outcomes.append("queued")
        except BuildInProgress:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["queued"] + ["refused"] * 7
    assert [b.state for b in store.builds(ISSUE)] == ["queued"]
    for s in stores:
        s.close()


def test_build_succeeds_only_when_every_channel_did(store):
    good = store.get_build(finished_build(store))
    bad = store.get_build(finished_build(store, fail="digest"))
    assert good.state == "succeeded" and good.ok and good.seconds >= 0 and good.log == "rss done\ndigest done"
    assert bad.state == "failed" and not bad.ok
    assert bad.errors == ["digest: the image 图1.jpg is missing"]
    assert [b.id for b in store.builds()] == [bad.id, good.id]  # newest first
    assert store.builds(OLDER) == []


def test_channel_never_reached_is_failed_when_the_build_stops(store):
    record = store.new_build(ISSUE, ["rss", "pdf"], None)
    store.start_build(record.id)
    store.update_channel(record.id, ChannelResult("rss", BuildState.SUCCEEDED, 0.1))
    ended = store.fail_build(record.id, "the worker process running this build was killed (status 9); start it again")
    assert ended.state == "failed" and ended.results["pdf"].state == "failed"
    assert ended.errors[0].startswith("the worker process running this build was killed")
    assert store.fail_build(record.id, "late callback") is None  # an ended build keeps its outcome
    assert store.get_build(record.id).error.startswith("the worker process")


def test_fail_interrupted_ends_queued_and_running_builds(store):
    done = finished_build(store, OLDER)
    running = store.new_build(ISSUE, ["rss"], "alice")
    store.start_build(running.id)
    queued = store.new_build("2025-06-01-1400", ["rss"], "bob")
    assert store.fail_interrupted() == 2
    for build_id in (running.id, queued.id):
        record = store.get_build(build_id)
        assert record.state == "failed" and record.finished_at is not None
        assert record.error == "interrupted: the server stopped while this build ran; start it again"
    assert store.get_build(done).state == "succeeded"
    assert store.fail_interrupted() == 0
    assert store.new_build(ISSUE, ["rss"], "alice").state == "queued"  # the issue is free again


def test_last_builds_by_channel_takes_each_channel_from_its_newest_build(store):
    first = finished_build(store, channels=("rss", "digest"))
    second = finished_build(store, channels=("digest",), fail="digest")
    last = store.last_builds_by_channel(ISSUE)
    assert set(last) == {"rss", "digest"}
    assert last["rss"].state == "succeeded" and last["rss"].files[0].path == "index.txt"
    assert last["digest"].state == "failed" and last["digest"].error == "the image 图1.jpg is missing"
    assert store.get_build(first).results["digest"].state == "succeeded" and second > first


def test_a_page_of_issues_gets_its_channel_states_and_live_builds_in_one_query_each(store):
    """channel_states and live_builds answer for many issues what the one-issue calls answer for each."""
    other = "2025-04-12-1329"
    finished_build(store, channels=("rss", "digest"))
    published = finished_build(store, other, channels=("digest",), fail=None)
    store.publish(published, "alice")
    ids = [ISSUE, other, "2025-01-01-1"]  # built, built and published, never built
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    states, live = store.channel_states(ids), store.live_builds(ids)
    assert len([s for s in statements if s.startswith("SELECT")]) == 2
    assert states == {i: store.last_builds_by_channel(i) for i in ids} and states["2025-01-01-1"] == {}
    assert live == {other: store.live_build(other)} and live[other].id == published


def _link(store: Store, name: str) -> str:
    return os.readlink(store.data_dir / "live" / name)


def test_publish_and_rollback_switch_what_is_live(store):
    one, two = finished_build(store), finished_build(store)
    assert store.live_build(ISSUE) is None and store.published_issues() == []
    store.publish(one, "alice")
    assert store.live_build(ISSUE).id == one
    assert _link(store, ISSUE) == "../builds/1" and _link(store, "site") == "../builds/1"
    assert (store.data_dir / "live" / ISSUE / ISSUE / "rss" / "index.txt").read_text() == "build 1 rss"
    store.publish(two, "bob")
    assert store.live_build(ISSUE).id == two and _link(store, ISSUE) == f"../builds/{two}"
    store.rollback(ISSUE, one, "carol")
    assert store.live_build(ISSUE).id == one and _link(store, ISSUE) == "../builds/1"
    assert (store.data_dir / "live" / ISSUE / ISSUE / "digest" / "index.txt").read_text() == "build 1 digest"
    actions = [(e.user, e.action, e.build_id) for e in store.history() if e.action in ("published", "rolled-back")]
    assert actions == [("carol", "rolled-back", one), ("bob", "published", two), ("alice", "published", one)]
    assert store.history()[0].detail == f"build #{one} is live; was build #{two}"
    assert not list((store.data_dir / "live").glob(".*"))  # no temporary links left behind


def test_publish_refuses_what_cannot_go_live(store):
    failed = finished_build(store, fail="rss")
    with pytest.raises(PublishError, match=f"build #{failed} of {ISSUE} is failed; only a succeeded build"):
        store.publish(failed, "alice")
    active = store.new_build(ISSUE, ["rss"], "alice")
    with pytest.raises(PublishError, match="is queued; .* wait for it to finish"):
        store.publish(active.id, "alice")
    store.fail_build(active.id, "stopped")
    with pytest.raises(PublishError, match="there is no build #77"):
        store.publish(77, "alice")
    good = finished_build(store)
    store.publish(good, "alice")
    with pytest.raises(PublishError, match="already live"):
        store.publish(good, "alice")
    other = finished_build(store, OLDER)
    with pytest.raises(PublishError, match=f"build #{other} is not a build of {ISSUE}"):
        store.rollback(ISSUE, other, "alice")
    gone = finished_build(store)
    os.rename(store.build_dir(gone), store.data_dir / "moved")
    with pytest.raises(PublishError, match="files of build .* are gone"):
        store.publish(gone, "alice")
    assert store.live_build(ISSUE).id == good and _link(store, ISSUE) == f"../builds/{good}"


def test_site_link_follows_the_newest_published_issue(store):
    newer, older = finished_build(store, ISSUE), finished_build(store, OLDER)
    store.publish(newer, "alice")
    store.publish(older, "alice")
    assert _link(store, "site") == f"../builds/{newer}" and _link(store, OLDER) == f"../builds/{older}"
    assert [(i, b.id) for i, b in store.published_issues()] == [(ISSUE, newer), (OLDER, older)]
    os.unlink(store.data_dir / "live" / "site")
    store.sync_links()
    assert _link(store, "site") == f"../builds/{newer}"


def test_live_with_lists_the_issues_whose_live_build_made_a_channel_newest_first(store):
    """What the OPDS catalogue pages by: the live build counts, not an earlier one; one query."""
    third = "2025-04-12-1329"
    store.publish(finished_build(store, ISSUE, channels=("rss", "epub")), "alice")
    store.publish(finished_build(store, OLDER, channels=("zh-Hant/epub", "pdf")), "alice")
    finished_build(store, third, channels=("epub",))  # built, never published
    store.publish(finished_build(store, third, channels=("rss",)), "alice")
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert store.live_with(["epub", "pdf"]) == [ISSUE, OLDER]
    assert len([s for s in statements if s.startswith("SELECT")]) == 1
    assert store.live_with(["zh-Hant/epub", "zh-Hant/pdf"]) == [OLDER]
    assert store.live_with(["rss"]) == [ISSUE, third]


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'data' / 'publisher.db'}")
    store.create_all()
    yield store
    store.close()


def test_sqlite_runs_in_wal_mode_and_writers_wait_for_each_other(sqlite_store, tmp_path):
    store = sqlite_store
    db = tmp_path / "data" / "publisher.db"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a moment
    threading.Timer(0.5, blocker.execute, args=("COMMIT",)).start()
    started = time.monotonic()
    record = store.new_build(ISSUE, ["rss"], "alice")
    assert record.state == "queued" and time.monotonic() - started >= 0.4


def test_users_have_hashed_passwords(store, tmp_path):
    user = store.add_user("alice", "correct horse", by="admin")
    assert user.username == "alice" and user.get_id() == "alice" and user.is_authenticated
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert "correct horse" not in stored and stored.split(":")[0] in ("scrypt", "pbkdf2")
    assert store.check_user("alice", "correct horse").username == "alice"
    assert store.check_user("alice", "wrong horse!") is None
    assert store.check_user("nobody", "correct horse") is None
    with pytest.raises(ValueError, match="already a user named 'alice'"):
        store.add_user("alice", "another password")
    with pytest.raises(ValueError, match="at least 8 characters"):
        store.add_user("bob", "short")
    assert store.get_user("bob") is None and store.get_user("alice").username == "alice"
    store.set_password("alice", "battery staple")
    assert store.check_user("alice", "correct horse") is None and store.check_user("alice", "battery staple")
    assert [(e.user, e.action, e.detail) for e in store.history()] == [
        (None, "password-changed", "alice"),
        ("admin", "user-added", "alice"),
    ]


def test_first_admin_takes_the_password_from_the_environment(store):
    assert store.ensure_admin("s3cret-from-env") is None
    assert store.check_user("admin", "s3cret-from-env").username == "admin"
    assert store.ensure_admin("something else") is None  # only the first time
    assert store.check_user("admin", "something else") is None


def test_first_admin_without_the_variable_gets_a_generated_password_once(store):
    generated = store.ensure_admin(None)
    assert generated and len(generated) >= 12
    assert store.check_user("admin", generated) is not None
    assert store.ensure_admin(None) is None


def test_too_short_admin_password_says_which_variable(store):
    with pytest.raises(ValueError, match="PUBLISHER_ADMIN_PASSWORD: the password must have at least 8"):
        store.ensure_admin("short")


def test_history_records_who_did_what_newest_first(store):
    store.record("alice", "signed-in", detail="127.0.0.1")
    build = finished_build(store, user="bob")
    entries = store.history()
    assert [(e.user, e.action, e.build_id) for e in entries] == [
        (None, "build-succeeded", build),
        ("bob", "build-requested", build),
        ("alice", "signed-in", None),
    ]
    assert entries[1].detail == "rss, digest" and entries[2].detail == "127.0.0.1"
    assert all(e.at.tzinfo == timezone.utc for e in entries) and entries[0].at >= entries[2].at
    assert len(store.history(limit=1)) == 1 and [e.action for e in store.history(issue_id=ISSUE)][-1] == "build-requested"


def test_cli_publish_rollback_builds_history(store, tmp_path):
    one, two = finished_build(store), finished_build(store, fail="rss")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"data: {tmp_path / 'data'}\ncontent: {tmp_path}\ndatabase:\n  url: {store.url}\nsite:\n  timezone: Asia/Shanghai\n",
        encoding="utf-8",
    )

    def cli(*args, stdin=None):
        return subprocess.run(
            [str(BIN / "publisher"), "--config", str(config), *args], capture_output=True, text=True, input=stdin, cwd=tmp_path
        )

    assert cli("publish", str(one)).returncode == 0
    refused = cli("publish", str(two))
    assert refused.returncode == 1 and f"build #{two} of {ISSUE} is failed" in refused.stderr
    rows = json.loads(cli("builds", ISSUE, "--json").stdout)
    assert [(r["id"], r["state"], r["live"]) for r in rows] == [(two, "failed", False), (one, "succeeded", True)]
    assert rows[0]["results"]["rss"]["error"] == "the image 图1.jpg is missing"
    table = cli("builds").stdout.splitlines()
    assert table[0].startswith(f"#{two} ") and table[1] == "       ✗ rss: the image 图1.jpg is missing"
    assert table[2].startswith(f"#{one} ") and table[2].endswith("LIVE")
    # Shown in the paper's time zone (site.timezone), labelled as such, whatever the database server's zone is.
    created = store.get_build(one).created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"alice {created:%Y-%m-%d %H:%M} CST  LIVE" in table[2]
    assert cli("rollback", ISSUE, str(two)).returncode == 1
    assert cli("user", "add", "dora", "--password-stdin", stdin="long enough\n").returncode == 0
    assert store.check_user("dora", "long enough") is not None
    history = json.loads(cli("history", "--json").stdout)
    assert [h["action"] for h in history[:2]] == ["user-added", "published"]
    assert history[1]["user"].endswith("(cli)") and history[1]["build_id"] == one


def test_schema_is_portable_to_postgresql():
    """The schema compiles for PostgreSQL unchanged (the store tests also run on a real server)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    from publisher.store import metadata

    ddl = {t.name: str(CreateTable(t).compile(dialect=postgresql.dialect())) for t in metadata.sorted_tables}
    assert set(ddl) == {
        *("builds", "live", "live_version", "history", "users", "sign_in_attempts", "api_tokens", "revisions", "schedules"),
        "withdrawn",
        *("subscribers", "mailings", "deliveries", "search_docs", "search_issues"),
    }
    assert "PRIMARY KEY (issue_id, address)" in ddl["deliveries"]  # one delivery per issue and address
    assert "UNIQUE (active_issue)" in ddl["builds"] and "id SERIAL" in ddl["builds"]
    assert '"user" VARCHAR(64)' in ddl["history"]  # a reserved word there, quoted
    assert "TIMESTAMP WITH TIME ZONE" in ddl["live"]


def _racer(url: str, data_dir: str, barrier, jobs, done) -> None:
    """A publishing process of its own (its own connections): publishes each build id it is given, at the barrier."""
    racer = Store(url, Path(data_dir))
    while (build_id := jobs.get()) is not None:
        barrier.wait()
        try:
            racer.publish(build_id, "racer")
            done.put("ok")
        except PublishError as exc:
            done.put(f"refused: {exc}")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever escaped
            done.put(f"{type(exc).__name__}: {exc}")
    racer.close()


class Racers:
    """Two processes that publish at the same moment."""

    def __init__(self, store: Store):
        import multiprocessing

        mp = multiprocessing.get_context("fork")
        self.barrier = mp.Barrier(2)
        self.done = mp.Queue()
        self.jobs = [mp.Queue(), mp.Queue()]
        self.procs = [
            mp.Process(target=_racer, args=(store.url, str(store.data_dir), self.barrier, jobs, self.done)) for jobs in self.jobs
        ]
        store.engine.dispose()  # no connection of the parent is shared with the children
        for proc in self.procs:
            proc.start()

    def publish(self, first: int, second: int) -> list[str]:
        self.jobs[0].put(first)
        self.jobs[1].put(second)
        return sorted(self.done.get(timeout=60) for _ in range(2))

    def stop(self) -> None:
        for jobs in self.jobs:
            jobs.put(None)
        for proc in self.procs:
            proc.join(timeout=30)


ROUNDS = 100


def test_concurrent_publishes_of_two_issues_leave_site_at_the_newest_live_build(store):
    """100 rounds of two processes publishing a new build of two issues at once: ``live/site`` always follows."""
    racers = Racers(store)
    stale = []
    try:
        for n in range(ROUNDS):
            older, newer = finished_build(store, OLDER, ("rss",)), finished_build(store, ISSUE, ("rss",))
            assert racers.publish(older, newer) == ["ok", "ok"]
            if (_link(store, "site"), _link(store, OLDER)) != (f"../builds/{newer}", f"../builds/{older}"):
                stale.append(n)
    finally:
        racers.stop()
    assert stale == [], f"live/site stale in {len(stale)} of {ROUNDS} rounds"
    assert store.live_build(ISSUE).id == newer and store.live_build(OLDER).id == older


def test_two_simultaneous_first_publishes_of_one_issue_never_raise_a_database_error(store):
    racers = Racers(store)
    try:
        for n in range(20):
            issue = f"2025-06-{n + 1:02d}-{1400 + n}"
            one, two = finished_build(store, issue, ("rss",)), finished_build(store, issue, ("rss",))
            assert racers.publish(one, two) == ["ok", "ok"]  # one after the other, under the lock
            live = store.live_build(issue).id
            assert live in (one, two) and _link(store, issue) == f"../builds/{live}"
    finally:
        racers.stop()
    assert _link(store, "site") == f"../builds/{store.live_build('2025-06-20-1419').id}"


def test_sign_in_attempts_are_counted_per_key_taken_back_on_success_and_evicted(store):
    import sqlalchemy as sa

    from publisher.store import schema

    def rows() -> int:
        with store.reading() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(schema.sign_in_attempts_t)).scalar()

    keys = ["account:alice", "address:203.0.113.7"]
    for _ in range(2):
        assert store.begin_sign_in(keys, 2, 300)[1] == 0
    refused, wait = store.begin_sign_in(["account:alice", "address:198.51.100.2"], 2, 300)
    assert refused == [] and 290 < wait <= 300  # the account is full, whatever the address
    attempt, wait = store.begin_sign_in(["account:bob", "address:198.51.100.2"], 2, 300)
    assert wait == 0 and rows() == 6
    store.sign_in_succeeded(attempt, "account:bob")
    assert rows() == 4
    time.sleep(1.1)
    assert store.begin_sign_in(["account:carol"], 2, 1)[1] == 0  # with a 1 s window, the older rows are evicted
    assert rows() == 1
