"""Publishing safely: the confirmation page shows what changes against what is live (from the builds' snapshots),
unpublishing answers 410 and drops the issue from the feeds and the archive, publishing again brings it back,
and the history tells who did each, in Chinese. Through the store, the CLI and the admin."""

from __future__ import annotations

import re
import shutil

from click.testing import CliRunner

from publisher import snapshots
from publisher.cli import main
from publisher.store import PublishError
from tests.conftest import root
from tests.test_admin import ISSUE, Site, sign_in, token

NEXT = "2025-05-08-1332"


def two_issues(tmp_path):
    """The tiny issue and a week later's (same articles, its own masthead), both published."""
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    later = content / "issues" / NEXT
    shutil.copytree(content / "issues" / ISSUE, later)
    meta = later / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("2025-05-01", "2025-05-08").replace("1331", "1332"), "utf-8")
    s = Site(tmp_path, content)
    for issue_id in (ISSUE, NEXT):
        record = s.queue.submit(issue_id, None, "editor")
        from publisher.jobs import wait

        assert wait(s.store, record.id, 120).ok
        s.store.publish(record.id, "editor")
    return s


def test_a_build_keeps_what_it_built_and_the_diff_names_articles_by_headline(tmp_path):
    s = Site(tmp_path, _copy(tmp_path))
    first = s.build()
    saved = snapshots.read(first.out_dir)
    assert [a["headline"] for a in saved["articles"]] == ["绿色低碳项目全面投产", "在深化内化转化上下功夫"]
    assert saved["issue"]["title"] == "中国铝业报 2025年5月1日 总第1331期"
    folder = tmp_path / "content" / "issues" / ISSUE
    article = folder / "01-lvse-dixing.md"
    article.write_text(article.read_text("utf-8").replace("绿色低碳项目全面投产", "绿色低碳项目全部投产"), "utf-8")
    (folder / "02-pinglun.md").unlink()
    (folder / "03-xin.md").write_text("---\nheadline: 新增的一篇\nsection: redian\n---\n\n新增的正文。\n", "utf-8")
    second = s.build()
    changes = snapshots.compare(snapshots.read(first.out_dir), snapshots.read(second.out_dir))
    assert [a["headline"] for a in changes.added] == ["新增的一篇"]
    assert [a["headline"] for a in changes.removed] == ["在深化内化转化上下功夫"]
    assert [(c.before["headline"], c.after["headline"], c.fields) for c in changes.changed] == [
        ("绿色低碳项目全面投产", "绿色低碳项目全部投产", ("headline",))
    ]
    assert snapshots.compare(None, snapshots.read(first.out_dir)).added == saved["articles"]  # first publication
    assert snapshots.compare(saved, saved).empty

    s.store.publish(first.id, "editor")
    c = s.app.test_client()
    sign_in(c)
    page = c.get(f"/admin/builds/{second.id}/publish").get_data(as_text=True)
    assert "确认发布" in page and f"线上现在是第 {first.id} 次生成，确认后换成第 {second.id} 次生成" in page
    for words in (
        "新增 1 篇",
        "《新增的一篇》",
        "删去 1 篇",
        "《在深化内化转化上下功夫》",
        "改动 1 篇",
        "《绿色低碳项目全部投产》",
    ):
        assert words in page, words
    assert "原标题：《绿色低碳项目全面投产》" in page and "改了标题" in page
    assert s.store.live_build(ISSUE).id == first.id  # looking at the confirmation publishes nothing
    stale = c.post(f"/admin/builds/{second.id}/publish", data={"csrf_token": token(c, "/admin/"), "live": "999"})
    assert stale.headers["Location"] == f"/admin/builds/{second.id}/publish"  # live changed meanwhile: shown again
    assert s.store.live_build(ISSUE).id == first.id
    done = c.post(f"/admin/builds/{second.id}/publish", data={"csrf_token": token(c, "/admin/"), "live": str(first.id)})
    assert done.status_code == 302 and s.store.live_build(ISSUE).id == second.id
    back = c.get(f"/admin/builds/{first.id}/rollback").get_data(as_text=True)
    assert "确认回退" in back and "《在深化内化转化上下功夫》" in back and "新增 1 篇" in back  # the way back, reversed
    assert "这次生成已经在线上了" in c.get(f"/admin/builds/{second.id}/publish").get_data(as_text=True)
    s.queue.close()


def _copy(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    return tmp_path / "content"


def test_unpublish_answers_410_drops_the_feeds_and_publishing_again_restores_it(tmp_path):
    s = two_issues(tmp_path)
    c = s.app.test_client()
    old_url = f"http://127.0.0.1:8000/issues/{ISSUE}/"
    feed = c.get("/feed.xml").get_data(as_text=True)
    assert feed.count("<item>") == 4 and old_url in feed  # both issues' articles
    assert old_url in c.get("/atom.xml").get_data(as_text=True) and old_url in c.get("/issues/").get_data(as_text=True)
    live = s.store.live_build(ISSUE)

    assert s.store.unpublish(ISSUE, "editor") == live.id
    s.app.extensions["publisher"].live.invalidate()
    gone = c.get(f"/issues/{ISSUE}/")
    assert gone.status_code == 410
    page = gone.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "这一期已撤下" in page and "往期目录" in page
    assert c.get(f"/issues/{ISSUE}/{ISSUE}.epub").status_code == 410
    feed = c.get("/feed.xml")
    text = feed.get_data(as_text=True)
    assert feed.status_code == 200 and text.count("<item>") == 2 and old_url not in text and NEXT in text
    assert feed.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert c.get("/feed.xml", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    atom = c.get("/atom.xml").get_data(as_text=True)
    assert atom.count("<entry>") == 2 and old_url not in atom
    assert old_url not in c.get("/feeds/yaowen.xml").get_data(as_text=True)
    archive = c.get("/issues/").get_data(as_text=True)
    assert old_url not in archive and f"/issues/{NEXT}/" in archive
    assert c.get(f"/issues/{NEXT}/").status_code == 200
    assert not (s.store.data_dir / "live" / ISSUE).exists()
    assert s.store.withdrawn()[ISSUE].build_id == live.id
    try:
        s.store.unpublish(ISSUE, "editor")
    except PublishError as exc:
        assert "not published" in str(exc)
    else:
        raise AssertionError("a second unpublish must be refused")

    s.store.publish(live.id, "chief")  # publish it again
    s.app.extensions["publisher"].live.invalidate()
    assert c.get(f"/issues/{ISSUE}/").status_code == 200 and ISSUE not in s.store.withdrawn()
    assert c.get("/feed.xml").get_data(as_text=True).count("<item>") == 4
    assert (s.store.data_dir / "live" / ISSUE).is_symlink()
    assert [(e.user, e.action) for e in s.store.history(2)] == [("chief", "published"), ("editor", "unpublished")]
    s.queue.close()


def test_unpublishing_the_newest_issue_serves_the_site_from_the_one_before(tmp_path):
    s = two_issues(tmp_path)
    s.store.unpublish(NEXT, "editor")
    c = s.app.test_client()
    assert c.get(f"/issues/{NEXT}/").status_code == 410
    assert NEXT not in c.get("/feed.xml").get_data(as_text=True)
    assert f"/issues/{ISSUE}/" in c.get("/feed.xml").get_data(as_text=True)
    assert (s.store.data_dir / "live" / "site").resolve() == (s.store.data_dir / "builds" / "1").resolve()
    assert c.get("/healthz").get_json()["live"] == ISSUE
    s.store.unpublish(ISSUE, "editor")
    assert not (s.store.data_dir / "live" / "site").exists()
    s.app.extensions["publisher"].live.invalidate()
    assert c.get("/feed.xml").status_code == 404 and c.get(f"/issues/{ISSUE}/").status_code == 410
    s.queue.close()


def test_the_admin_asks_before_unpublishing_and_history_says_who_in_chinese(tmp_path):
    s = two_issues(tmp_path)
    c = s.app.test_client()
    sign_in(c)
    issue_page = c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert f'href="/admin/issues/{ISSUE}/unpublish"' in issue_page and "撤下这一期" in issue_page
    confirm = c.get(f"/admin/issues/{ISSUE}/unpublish").get_data(as_text=True)
    assert "确认撤下" in confirm and "将从公开网站撤下 2 篇文章" in confirm and "《绿色低碳项目全面投产》" in confirm
    assert s.store.live_build(ISSUE) is not None  # asking changed nothing
    done = c.post(f"/admin/issues/{ISSUE}/unpublish", data={"csrf_token": token(c, "/admin/")}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "已撤下：中国铝业报 2025年5月1日 总第1331期不再公开" in page
    assert "重新发布第 1 次生成" in page and 'href="/admin/builds/1/publish"' in page
    assert c.get(f"/issues/{ISSUE}/").status_code == 410
    again = c.get("/admin/builds/1/publish").get_data(as_text=True)
    assert "这一期已撤下；确认后第 1 次生成重新公开" in again and "新增 2 篇" in again
    c.post("/admin/builds/1/publish", data={"csrf_token": token(c, "/admin/"), "live": "0"})
    assert c.get(f"/issues/{ISSUE}/").status_code == 200
    history = c.get("/admin/history").get_data(as_text=True)
    rows = re.findall(r'<tr data-action="([^"]+)">(.*?)</tr>', history, re.S)
    told: dict[str, str] = {}
    for action, cells in rows:  # newest first: keep each action's newest entry
        told.setdefault(action, re.sub(r"<[^>]+>|\s+", " ", cells))
    assert "editor" in told["unpublished"] and "撤下了这一期（第 1 次生成不再公开）" in told["unpublished"]
    assert "中国铝业报 2025年5月1日 总第1331期" in told["unpublished"]  # the issue by its masthead
    assert "发布了第 1 次生成" in told["published"] and "重新上线了撤下的这一期" in told["published"]
    assert "系统" in told["build-succeeded"] and "None" not in history  # the queue is 系统, never "None"
    assert "登录了后台" in told["signed-in"]
    s.queue.close()


def test_publisher_unpublish_on_the_command_line(tmp_path):
    s = two_issues(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"content: {tmp_path / 'content'}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8"
    )
    runner = CliRunner()
    done = runner.invoke(main, ["--config", str(config), "unpublish", ISSUE])
    assert done.exit_code == 0, done.output
    assert f"Unpublished {ISSUE} (build #1 was live)" in done.output and "publisher publish 1" in done.output
    assert s.store.live_build(ISSUE) is None and ISSUE in s.store.withdrawn()
    again = runner.invoke(main, ["--config", str(config), "unpublish", ISSUE])
    assert again.exit_code == 1 and "is not published" in again.output
    assert runner.invoke(main, ["--config", str(config), "publish", "1"]).exit_code == 0
    assert s.store.live_build(ISSUE).id == 1 and not s.store.withdrawn()
    s.queue.close()
