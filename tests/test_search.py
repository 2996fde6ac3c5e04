"""Search: the sample issue published and found by one-, two- and four-character queries; publish and roll back
change what the public finds; editors also find drafts; the digest has the search box."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import lxml.html
import pytest

from publisher.admin import create_app
from publisher.index import IssueIndex
from publisher.jobs import make_queue, wait
from publisher.store import Store
from publisher.store.search import DRAFT
from publisher.writer import write_text
from publisher_channels.digest import DigestChannel

from .conftest import SAMPLE_CONTENT, SAMPLE_ID, make_config, root
from .test_rss import add_issue

TINY = "2025-05-01-1331"
PASSWORD = "correct horse battery"


def searchable(article) -> str:
    """Everything search covers: headline, kicker, subtitle, series, byline, authors, body."""
    fields = [article.headline, article.kicker, article.subtitle, article.series, article.byline, *article.author_names]
    return " ".join(filter(None, fields)) + "\n" + article.text


def matching(issue, query: str) -> set[str]:
    return {a.slug for a in issue.articles if query in searchable(a)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample issue (published) and the tiny issue (a draft, never built) in one content folder."""
    tmp = tmp_path_factory.mktemp("search")
    shutil.copytree(SAMPLE_CONTENT, tmp / "content")
    shutil.copytree(root("tiny") / "issues" / TINY, tmp / "content" / "issues" / TINY)
    config = make_config(tmp / "content", tmp)
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", PASSWORD)
    queue = make_queue(config, store, channels=[DigestChannel])
    record = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 120)
    assert record.ok, record.errors
    store.publish(record.id, "editor")
    app = create_app(config, store=store, queue=queue, testing=True)
    yield app, store, config, queue
    queue.close()
    store.close()


def test_two_and_four_character_queries_find_the_sample(site, sample_issue):
    _, store, _, _ = site
    hits, total = store.search("铝业")
    assert total == len(matching(sample_issue, "铝业")) == 4
    assert {h.slug for h in hits} == matching(sample_issue, "铝业")
    assert all("<mark>铝业</mark>" in h.snippet + h.headline for h in hits)

    (hit,), total = store.search("嘉靖通宝")
    assert total == 1 and hit.slug == "jiajing-tongbao" and hit.date == "2025-04-19"
    assert hit.headline == "世界钱王“<mark>嘉靖通宝</mark>”迁徙之路"
    assert hit.section == "文润中铝" and "<mark>嘉靖通宝</mark>" in hit.snippet


def test_one_character_queries_bylines_and_ranking(site, sample_issue):
    _, store, _, _ = site
    hits, total = store.search("铝")
    assert total == len(matching(sample_issue, "铝")) and {h.slug for h in hits} <= matching(sample_issue, "铝")
    hits, _ = store.search("何丹")  # a byline
    assert "jishu-zhongxin" in {h.slug for h in hits}
    hits, total = store.search("中铝集团")
    assert total == len(matching(sample_issue, "中铝集团")) and {h.slug for h in hits} == matching(sample_issue, "中铝集团")
    assert "<mark>中铝集团</mark>" in hits[0].headline  # a headline match ranks first
    top = next(i for i, h in enumerate(hits) if "<mark>" not in h.headline)
    assert all("<mark>" in h.headline for h in hits[:top])
    assert store.search("没有这种词组合") == ([], 0)
    assert store.search("“”，。") == ([], 0)  # nothing but punctuation
    assert store.search('"铝 OR') is not None  # FTS syntax in a query is text, not an error


def test_the_public_page_and_the_digest_box(site):
    app, store, config, _ = site
    client = app.test_client()
    page = client.get("/search?q=铝业")
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.data)
    assert tree.get("lang") == "zh-CN"
    links = [a.get("href") for a in tree.xpath("//a[@class='hit-title']")]
    assert len(links) == 4 and all(re.fullmatch(r"/issues/2025-04-19-1330/#[a-z0-9-]+", link) for link in links)
    assert "共找到 4 篇文章" in tree.text_content()
    assert tree.xpath("//p[@class='hit-meta'][contains(., '2025-04-19')]")
    assert "第1版 · 要闻" in client.get("/search?q=何丹").get_data(as_text=True)
    assert "没有找到" in client.get("/search?q=绿色低碳项目全面投产").get_data(as_text=True)  # a draft: not public
    assert "<script>" not in client.get("/search?q=<script>").get_data(as_text=True)
    digest = lxml.html.fromstring(client.get(f"/issues/{SAMPLE_ID}/").data)
    (form,) = digest.xpath("//form[@role='search']")
    assert form.get("action") == "http://127.0.0.1:8000/search" and form.xpath(".//input[@name='q']")


def test_editors_search_drafts_too(site):
    app, _, _, _ = site
    editor = app.test_client()
    page = editor.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    editor.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token})
    page = editor.get("/admin/search/?q=绿色低碳项目").get_data(as_text=True)
    assert "<mark>绿色低碳项目</mark>全面投产" in page and f"/admin/issues/{TINY}" in page
    page = editor.get("/admin/search/?q=绿色低碳项目&scope=live").get_data(as_text=True)
    assert "没有找到" in page
    assert "世界钱王" in editor.get("/admin/search/?q=嘉靖通宝").get_data(as_text=True)


def test_publish_rollback_and_unpublish_change_what_is_found(tmp_path, copy_root, database_url):
    """On SQLite (FTS5) and on PostgreSQL (ILIKE): the same answers."""
    from publisher.config import DatabaseConfig

    content = copy_root("tiny")
    config = make_config(content, tmp_path, database=DatabaseConfig(url=database_url))
    store = Store.from_config(config)
    store.create_all()
    queue = make_queue(config, store, channels=[DigestChannel])
    try:
        first = wait(store, queue.submit(TINY, None, "editor").id, 120)
        article = content / "issues" / TINY / "01-lvse-dixing.md"
        article.write_text(article.read_text(encoding="utf-8").replace("绿色低碳项目全面投产", "风光储一体化项目并网"), "utf-8")
        second = wait(store, queue.submit(TINY, None, "editor").id, 120)
        assert first.ok and second.ok
        assert store.search("绿色低碳") == ([], 0)  # nothing is public before publishing
        assert store.search("铝") == ([], 0)
        store.publish(first.id, "editor")
        assert store.search("绿色低碳")[1] == 1 and store.search("风光储")[1] == 0
        (hit,), _ = store.search("绿色低碳")
        assert hit.headline == "<mark>绿色低碳</mark>项目全面投产" and hit.page_label == "第1版"
        store.publish(second.id, "editor")
        assert store.search("绿色低碳")[1] == 0 and store.search("风光储")[1] == 1
        store.rollback(TINY, first.id, "editor")
        assert store.search("绿色低碳")[1] == 1 and store.search("风光储")[1] == 0
        store.unpublish(TINY, "editor")
        assert store.search("绿色低碳") == ([], 0) and store.search("铝") == ([], 0)
        store.publish(second.id, "editor")  # publishing again makes it findable again
        assert store.search("风光储")[1] == 1
    finally:
        queue.close()
        store.close()


@pytest.mark.slow
def test_results_give_the_printed_page_link_the_epaper_and_take_traditional_queries(tmp_path, sample_issue):
    """The 版 of a hit is where the print PDF set the article (one fact with the e-paper), not its section's page."""
    from publisher import pagemap
    from publisher_channels.epaper import EpaperChannel
    from publisher_channels.pdf import PdfChannel

    config = make_config(SAMPLE_CONTENT, tmp_path)
    store = Store.from_config(config)
    store.create_all()
    queue = make_queue(config, store, channels=[PdfChannel, EpaperChannel, DigestChannel])
    try:
        record = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 300)
        assert record.ok, record.errors
        store.publish(record.id, "editor")
        printed = pagemap.read(record.channel_dir("pdf"))
        moved = [a for a in sample_issue.articles if printed.page_of(a.slug) != sample_issue.section(a.section).page]
        assert moved  # the sample prints some of 要闻 on 第2版
        article = moved[0]
        page = printed.page_of(article.slug)
        (hit,), _ = store.search(article.headline)
        assert hit.slug == article.slug and hit.page == page
        client = create_app(config, store=store, queue=queue, testing=True).test_client()
        tree = lxml.html.fromstring(client.get(f"/search?q={article.headline}").data)
        assert f"第{page}版" in tree.xpath("string(//p[@class='hit-meta'])")
        (link,) = tree.xpath("//a[@class='hit-epaper']/@href")
        assert link == f"/epaper/{sample_issue.date.isoformat()}/{page:02d}/{article.slug}.html"
        opened = client.get(link)
        assert opened.status_code == 200 and article.headline in opened.get_data(as_text=True)
        traditional = lxml.html.fromstring(client.get("/search?q=嘉靖通寶").data)  # typed in 繁體
        assert [a.text_content() for a in traditional.xpath("//a[@class='hit-title']")] == ["世界钱王“嘉靖通宝”迁徙之路"]
    finally:
        queue.close()
        store.close()


def test_a_draft_search_looks_only_into_the_folders_that_changed(tmp_path, copy_root, database_url, monkeypatch):
    """Untouched issues' folders are neither listed nor read; a folder whose files are as indexed is not read again;
    an edit is found and a removed issue forgotten (on SQLite and on PostgreSQL)."""
    from publisher.admin import search as pages
    from publisher.config import DatabaseConfig

    content = copy_root("tiny")
    ids = [TINY, add_issue(content, dt.date(2025, 5, 8), 1332), add_issue(content, dt.date(2025, 5, 15), 1333)]
    settled = time.time_ns() - 10 * pages.SETTLED_NS
    for issue_id in ids:
        os.utime(content / "issues" / issue_id, ns=(settled, settled))
    config = make_config(content, tmp_path, database=DatabaseConfig(url=database_url))
    store = Store.from_config(config)
    store.create_all()
    queue = make_queue(config, store, channels=[DigestChannel])
    app = create_app(config, store=store, queue=queue, testing=True)
    listed: list[str] = []
    read: list[str] = []
    iterdir, load = Path.iterdir, IssueIndex.load
    monkeypatch.setattr(Path, "iterdir", lambda self: (listed.append(self.name), iterdir(self))[1])
    monkeypatch.setattr(IssueIndex, "load", lambda self, i, outline=False: (read.append(i), load(self, i, outline))[1])

    def refresh() -> tuple[list[str], list[str]]:
        listed.clear()
        read.clear()
        with app.app_context():
            pages.refresh_drafts()
        return sorted(set(listed)), sorted(read)

    try:
        assert refresh() == (sorted(ids), sorted(ids))
        assert refresh() == ([], [])  # nothing changed: no issue folder looked into
        article = content / "issues" / ids[1] / "01-lvse-dixing.md"
        write_text(article, article.read_text(encoding="utf-8").replace("绿色低碳项目全面投产", "风光储一体化项目并网"))
        assert refresh() == ([ids[1]], [ids[1]])
        assert [h.issue_id for h in store.search("风光储", DRAFT)[0]] == [ids[1]]
        assert refresh() == ([ids[1]], [])  # changed just now: its files are compared again, not read
        os.utime(content / "issues" / ids[1], ns=(settled, settled))
        assert refresh() == ([ids[1]], [])  # its folder's time is recorded
        assert refresh() == ([], [])
        shutil.rmtree(content / "issues" / ids[2])
        assert refresh() == ([], [])
        assert {h.issue_id for h in store.search("绿色低碳", DRAFT)[0]} == {TINY}
        assert set(store.draft_stamps()) == {TINY, ids[1]}
    finally:
        queue.close()
        store.close()
