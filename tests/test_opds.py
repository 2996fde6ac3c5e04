"""The OPDS catalogue: every published issue newest first, paged, with downloads and covers; read by calibre."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading

import feedparser
import pytest
from lxml import etree
from werkzeug.serving import make_server

from publisher import opds, plugins
from publisher.admin import create_app, public
from publisher.config import SiteConfig
from publisher.index import IssueIndex
from publisher.jobs import make_queue, wait
from publisher.store import Store
from tests.conftest import free_port, make_config
from tests.test_rss import add_issue

NS = {"a": opds.ATOM, "dc": opds.DC, "os": opds.OPENSEARCH}
ACQUIRE = "http://opds-spec.org/acquisition/open-access"


class Catalogue:
    """A public site over the tiny issue and two later copies, each built and published."""

    def __init__(self, tmp_path, content, channels, url="http://127.0.0.1:8000", publish=None):
        self.config = make_config(content, tmp_path, site=SiteConfig(url=url))
        self.store = Store.from_config(self.config)
        self.store.create_all()
        installed = plugins.discover()
        self.queue = make_queue(self.config, self.store, channels=[installed[n].cls for n in channels])
        self.app = create_app(self.config, store=self.store, queue=self.queue, testing=True)
        for issue_id in publish:
            record = wait(self.store, self.queue.submit(issue_id, None, "editor").id, 300)
            assert record.ok, record.errors
            self.store.publish(record.id, "editor")
        self.client = self.app.test_client()

    def get(self, path: str) -> etree._Element:
        response = self.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "application/atom+xml;profile=opds-catalog;kind=acquisition"
        parsed = feedparser.parse(response.data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        return etree.fromstring(response.data)


def three_issues(copy_root) -> tuple[object, list[str]]:
    content = copy_root("tiny")
    ids = ["2025-05-01-1331", add_issue(content, dt.date(2025, 5, 8), 1332), add_issue(content, dt.date(2025, 5, 15), 1333)]
    return content, ids


def links(element, rel: str) -> list[etree._Element]:
    return element.xpath("a:link[@rel=$rel]", namespaces=NS, rel=rel)


def test_the_catalogue_lists_every_published_issue_newest_first_with_its_downloads(copy_root, tmp_path):
    content, ids = three_issues(copy_root)
    site = Catalogue(tmp_path, content, ("epub", "digest"), publish=ids[:2])  # the third is not published
    try:
        feed = site.get("/opds.xml")
        # OPDS 1.2 §2 (Atom): id, title, updated, author, self and start links on the feed; id, title, updated,
        # an acquisition link with type on every entry.
        for tag in ("a:id", "a:title", "a:updated", "a:author/a:name"):
            assert feed.findtext(tag, namespaces=NS), tag
        assert links(feed, "self")[0].get("href") == "http://127.0.0.1:8000/opds.xml"
        assert links(feed, "start")[0].get("type") == opds.ACQUISITION_TYPE
        assert feed.findtext("a:title", namespaces=NS) == "中国铝业报 电子版书库"
        entries = feed.findall("a:entry", NS)
        assert [e.findtext("dc:issued", namespaces=NS) for e in entries] == ["2025-05-08", "2025-05-01"]
        assert [e.find("a:category", NS).get("label") for e in entries] == ["总第1332期", "总第1331期"]
        assert entries[0].findtext("a:title", namespaces=NS) == "中国铝业报 2025年5月8日 总第1332期"
        assert feed.findtext("a:updated", namespaces=NS) == "2025-05-08T06:00:00+08:00"
        for entry, issue_id in zip(entries, ["2025-05-08-1332", "2025-05-01-1331"]):
            for tag in ("a:id", "a:title", "a:updated", "dc:language"):
                assert entry.findtext(tag, namespaces=NS), tag
            (epub,) = links(entry, ACQUIRE)
            assert epub.get("type") == "application/epub+zip"
            assert epub.get("href") == f"http://127.0.0.1:8000/issues/{issue_id}/{issue_id}.epub"
            download = site.client.get(epub.get("href").removeprefix("http://127.0.0.1:8000"))
            assert download.status_code == 200 and int(epub.get("length")) == len(download.data) > 1000
            assert links(entry, "alternate")[0].get("href") == f"http://127.0.0.1:8000/issues/{issue_id}/"
        etag = site.client.get("/opds.xml").headers["ETag"]
        assert site.client.get("/opds.xml", headers={"If-None-Match": etag}).status_code == 304
        archive = site.client.get("/issues/").get_data(as_text=True)
        assert 'href="http://127.0.0.1:8000/opds.xml"' in archive and "OPDS 书库" in archive
    finally:
        site.queue.close()


def test_the_catalogue_is_paged_and_searchable(copy_root, tmp_path, monkeypatch):
    content, ids = three_issues(copy_root)
    site = Catalogue(tmp_path, content, ("epub",), publish=ids)
    monkeypatch.setattr(opds, "PAGE_SIZE", 2)
    try:
        first = site.get("/opds.xml")
        assert [e.findtext("dc:issued", namespaces=NS) for e in first.findall("a:entry", NS)] == ["2025-05-15", "2025-05-08"]
        assert first.findtext("os:totalResults", namespaces=NS) == "3"
        assert links(first, "next")[0].get("href") == "http://127.0.0.1:8000/opds.xml?page=2"
        assert not links(first, "previous")
        second = site.get("/opds.xml?page=2")
        assert [e.findtext("dc:issued", namespaces=NS) for e in second.findall("a:entry", NS)] == ["2025-05-01"]
        assert links(second, "previous")[0].get("href") == "http://127.0.0.1:8000/opds.xml"
        assert links(second, "last")[0].get("href") == "http://127.0.0.1:8000/opds.xml?page=2" and not links(second, "next")
        assert site.client.get("/opds.xml?page=3").status_code == 404
        assert site.client.get("/opds.xml?page=x").status_code == 404
        found = site.get("/opds.xml?q=1332")
        assert [e.findtext("a:title", namespaces=NS) for e in found.findall("a:entry", NS)] == [
            "中国铝业报 2025年5月8日 总第1332期"
        ]
        description = etree.fromstring(site.client.get("/opensearch.xml").data)
        assert description.find("os:Url", NS).get("template") == "http://127.0.0.1:8000/opds.xml?q={searchTerms}"
    finally:
        site.queue.close()


def test_a_page_reads_the_mastheads_it_shows_and_counts_from_the_store(copy_root, tmp_path, monkeypatch):
    """With the newest issue published without an EPUB: the catalogue asks the store once per change of what is
    live which issues have a download, and a page loads only its own issues (and the newest, for the titles)."""
    content, ids = three_issues(copy_root)
    newest = add_issue(content, dt.date(2025, 5, 22), 1334)
    site = Catalogue(tmp_path, content, ("epub", "digest"), publish=ids)
    record = wait(site.store, site.queue.submit(newest, ["digest"], "editor").id, 300)
    site.store.publish(record.id, "editor")
    monkeypatch.setattr(opds, "PAGE_SIZE", 2)
    read: list[str] = []
    asked: list[list[str]] = []
    load, live_with = IssueIndex.load, Store.live_with
    monkeypatch.setattr(IssueIndex, "load", lambda self, i, outline=False: (read.append(i), load(self, i, outline))[1])
    monkeypatch.setattr(Store, "live_with", lambda self, channels: (asked.append(channels), live_with(self, channels))[1])

    def page(path: str) -> tuple[etree._Element, set[str]]:
        public._load_masthead.cache_clear()
        read.clear()
        return site.get(path), set(read)

    try:
        first, loaded = page("/opds.xml")
        assert [e.findtext("dc:issued", namespaces=NS) for e in first.findall("a:entry", NS)] == ["2025-05-15", "2025-05-08"]
        assert first.findtext("os:totalResults", namespaces=NS) == "3"
        assert loaded == {newest, ids[2], ids[1]}
        second, loaded = page("/opds.xml?page=2")
        assert [e.findtext("dc:issued", namespaces=NS) for e in second.findall("a:entry", NS)] == ["2025-05-01"]
        assert second.findtext("a:updated", namespaces=NS) == "2025-05-15T06:00:00+08:00"  # the newest entry's
        assert loaded == {newest, ids[2], ids[0]}
        found, loaded = page("/opds.xml?q=1332")  # a search reads the mastheads of the issues that may match
        assert [e.findtext("a:title", namespaces=NS) for e in found.findall("a:entry", NS)] == [
            "中国铝业报 2025年5月8日 总第1332期"
        ]
        assert loaded == {newest, ids[1]}  # (the newest for the catalogue's title)
        by_weekday, loaded = page("/opds.xml?q=星期四 總第1332期")  # the Traditional form of the words as well
        assert [e.findtext("dc:issued", namespaces=NS) for e in by_weekday.findall("a:entry", NS)] == ["2025-05-08"]
        assert loaded == {newest, ids[1]}
        assert asked == [["epub", "pdf"]]
    finally:
        site.queue.close()


CALIBRE_CLIENT = """
import json, sys
from calibre.gui2.store.opensearch_store import open_search
print(json.dumps([
    {"title": r.title, "author": r.author, "cover": r.cover_url, "downloads": r.downloads, "id": r.detail_item}
    for r in open_search(sys.argv[1], sys.argv[2], max_results=10, timeout=60)
]))
"""


@pytest.mark.slow
def test_calibre_finds_and_lists_the_issues_with_covers(copy_root, tmp_path):
    """calibre's own OPDS client (its OpenSearch store) reads the catalogue over HTTP."""
    content, ids = three_issues(copy_root)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    site = Catalogue(tmp_path, content, ("epub", "pdf"), url=url, publish=ids[:2])
    server = make_server("127.0.0.1", port, site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        script = tmp_path / "client.py"
        script.write_text(CALIBRE_CLIENT, encoding="utf-8")
        run = subprocess.run(
            ["calibre-debug", str(script), f"{url}/opensearch.xml", "中国铝业报"],
            capture_output=True,
            text=True,
            timeout=180,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
        )
        assert run.returncode == 0, run.stderr
        results = json.loads(run.stdout.strip().splitlines()[-1])
        assert [r["title"] for r in results] == ["中国铝业报 2025年5月8日 总第1332期", "中国铝业报 2025年5月1日 总第1331期"]
        first = results[0]
        assert first["author"] == "中国铝业报社"
        assert first["downloads"] == {
            "EPUB": f"{url}/issues/2025-05-08-1332/2025-05-08-1332.epub",
            "PDF": f"{url}/issues/2025-05-08-1332/2025-05-08-1332.pdf",
        }
        cover = site.client.get(first["cover"].removeprefix(url))
        assert cover.status_code == 200 and cover.data.startswith(b"\x89PNG")
    finally:
        server.shutdown()
        site.queue.close()
