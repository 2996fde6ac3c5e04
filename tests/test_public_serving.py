"""What the public site does per request: what is live is read again only when it changed (a version token the
store sets with every publish, rollback and unpublish), an issue's files only when that issue is asked for, and a
conditional request is answered from the file's validators without touching the file."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
import sqlalchemy as sa

from publisher.store import Store, schema

from .conftest import root
from .test_admin import ISSUE, Site


@pytest.fixture
def two_builds(tmp_path):
    """The tiny issue built twice (the feed differs: a headline changed), nothing published; every request checks."""
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    s = Site(tmp_path, content)
    first = s.build()
    article = content / "issues" / ISSUE / "01-lvse-dixing.md"
    article.write_text(article.read_text(encoding="utf-8").replace("绿色低碳项目全面投产", "第二版标题", 1), encoding="utf-8")
    second = s.build()
    s.live = s.app.extensions["publisher"].live
    s.live.ttl = 0  # check the version at every request (normally at most once a second)
    yield s, first, second
    s.queue.close()


def counting(monkeypatch, store, *names: str) -> Counter:
    """Count the calls of the store's methods ``names``."""
    calls: Counter = Counter()
    for name in names:
        method = getattr(store, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls[_name] += 1
            return _method(*args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return calls


def test_every_change_of_what_is_live_sets_a_new_version_and_nothing_else_does(two_builds):
    s, first, second = two_builds
    seen = [s.store.live_version()]
    assert seen == [""]  # nothing ever published
    for change in (
        lambda: s.store.publish(first.id, "editor"),
        lambda: s.store.publish(second.id, "editor"),
        lambda: s.store.rollback(ISSUE, first.id, "editor"),
        lambda: s.store.unpublish(ISSUE, "editor"),
        lambda: s.store.publish(first.id, "editor"),
    ):
        change()
        state = s.store.live_state()
        assert state.version == s.store.live_version() not in seen
        seen.append(state.version)
    assert state.builds == {ISSUE: first.id} and state.withdrawn == ()
    s.store.prune(keep=0, user="editor")  # not a change of what is live
    s.build()
    assert s.store.live_version() == seen[-1]


def test_the_site_reads_what_is_live_again_only_when_another_process_changed_it(two_builds, monkeypatch):
    s, first, second = two_builds
    other = Store.from_config(s.config)  # another server process, or `publisher publish` on the command line
    other.publish(first.id, "editor")
    calls = counting(monkeypatch, s.store, "live_version", "live_state", "get_build")
    c = s.app.test_client()
    old = c.get("/feed.xml")
    assert old.status_code == 200
    reads = calls.copy()
    assert reads["live_state"] == 1 and reads["get_build"] == 1  # the live table once, the newest build's record once
    for _ in range(20):
        assert c.get("/feed.xml").headers["ETag"] == old.headers["ETag"]
    assert calls["live_version"] == reads["live_version"] + 20  # one row per check
    assert (calls["live_state"], calls["get_build"]) == (1, 1)  # nothing else read again

    other.publish(second.id, "editor")  # no invalidate() here: this process learns it from the version
    new = c.get("/feed.xml")
    assert new.headers["ETag"] != old.headers["ETag"] and "第二版标题" in new.get_data(as_text=True)
    assert (calls["live_state"], calls["get_build"]) == (2, 2)  # the new build's record only
    other.rollback(ISSUE, first.id, "editor")
    assert c.get("/feed.xml").headers["ETag"] == old.headers["ETag"]
    assert (calls["live_state"], calls["get_build"]) == (3, 2)  # the first build's files were kept: a build never changes
    other.unpublish(ISSUE, "editor")
    assert c.get("/feed.xml").status_code == 404 and c.get(f"/issues/{ISSUE}/").status_code == 410
    other.close()


def test_with_thousands_of_issues_published_a_feed_request_reads_one_build(two_builds, monkeypatch):
    s, first, _second = two_builds
    s.store.publish(first.id, "editor")
    with s.store.writing() as conn:  # 3,000 older issues published, their live builds copies of the first's record
        row = dict(conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.id == first.id)).one()._mapping)
        del row["id"]
        for n in range(3000):
            issue_id = f"2000-01-01-{n:04d}"
            build_id = schema.inserted_id(conn.execute(schema.builds_t.insert().values(**{**row, "issue_id": issue_id})))
            conn.execute(schema.live_t.insert().values(issue_id=issue_id, build_id=build_id, published_at=schema.utcnow()))
    s.live.invalidate()
    calls = counting(monkeypatch, s.store, "live_state", "get_build")
    c = s.app.test_client()
    assert c.get("/feed.xml").status_code == 200 and c.get(f"/issues/{ISSUE}/").status_code == 200
    assert c.get("/healthz").get_json()["issues"] == 3001
    assert calls == Counter({"live_state": 1, "get_build": 2})  # the site's map and the one issue asked for
    limits = []
    published = s.store.published_issues
    monkeypatch.setattr(s.store, "published_issues", lambda limit=None: limits.append(limit) or published(limit))
    assert c.get("/newsletter").status_code == 200  # the sign-up page names the paper
    assert limits and set(limits) == {1}  # from the newest issue's record only


def test_a_conditional_request_is_answered_from_the_validators_without_touching_the_file(two_builds):
    s, first, _second = two_builds
    s.store.publish(first.id, "editor")
    c = s.app.test_client()
    feed = c.get("/feed.xml")
    assert feed.status_code == 200 and feed.headers["Content-Length"] == str(len(feed.data))
    head = c.head("/feed.xml")
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(feed.data))
    served = first.channel_dir("rss") / "feed.xml"
    served.rename(served.with_suffix(".gone"))  # the file is not there any more: only its validators are known
    try:
        assert c.get("/feed.xml", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
        assert c.get("/feed.xml", headers={"If-Modified-Since": feed.headers["Last-Modified"]}).status_code == 304
        assert c.get("/feed.xml").status_code == 404  # a whole answer does need the file
    finally:
        served.with_suffix(".gone").rename(served)
    again = c.get("/feed.xml", headers={"If-None-Match": '"other"'})
    assert again.status_code == 200 and again.data == feed.data and again.headers["ETag"] == feed.headers["ETag"]
    part = c.get("/feed.xml", headers={"Range": "bytes=0-9"})  # ranges are werkzeug's, with the same validators
    assert part.status_code == 206 and part.data == feed.data[:10] and part.headers["ETag"] == feed.headers["ETag"]


def test_a_feed_that_names_no_unpublished_issue_is_served_as_built(two_builds):
    """Unpublishing an old issue (one the feed does not list) leaves the feed the file it was, ETag and all."""
    s, first, _second = two_builds
    s.store.publish(first.id, "editor")
    with s.store.writing() as conn:
        row = dict(conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.id == first.id)).one()._mapping)
        del row["id"]
        old = schema.inserted_id(conn.execute(schema.builds_t.insert().values(**{**row, "issue_id": "2000-01-01-0001"})))
        conn.execute(schema.live_t.insert().values(issue_id="2000-01-01-0001", build_id=old, published_at=schema.utcnow()))
    c = s.app.test_client()
    before = c.get("/feed.xml")
    s.store.unpublish("2000-01-01-0001", "editor")
    assert c.get("/issues/2000-01-01-0001/").status_code == 410  # the takedown is seen
    after = c.get("/feed.xml")
    assert after.data == before.data == (first.channel_dir("rss") / "feed.xml").read_bytes()
    assert after.headers["ETag"] == before.headers["ETag"]
