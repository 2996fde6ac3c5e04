"""The JSON Feed channel: JSON Feed 1.1 keys, the very items of the RSS feed, served like the other feeds."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import shutil

import feedparser
import lxml.html
from lxml import etree
from PIL import Image

from publisher import loading, pipeline, plugins
from publisher_channels.jsonfeed import JsonFeedChannel
from publisher_channels.rss import FeedChannel
from tests.conftest import SAMPLE_CONTENT, make_config, root
from tests.test_admin import ISSUE, Site, sign_in
from tests.test_rss import add_issue

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def build_both(config):
    issue_id = loading.list_issue_ids(config.content_dir)[-1]
    issue = loading.load_issue(loading.issue_dir(config.content_dir, issue_id))
    report = pipeline.build(issue, [FeedChannel, JsonFeedChannel], config)
    assert report.ok, report.errors
    return config.output_dir / issue_id


def assert_same_items(rss_path, json_path):
    """Every JSON Feed item is the RSS item at the same place: id, link, title, text, date, section, authors, image."""
    rss = feedparser.parse(rss_path.read_bytes())
    assert rss.bozo == 0
    raw_items = etree.fromstring(rss_path.read_bytes()).findall("channel/item")
    feed = json.loads(json_path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == rss.feed.title
    assert len(feed["items"]) == len(rss.entries) == len(raw_items) > 0
    for item, entry, raw in zip(feed["items"], rss.entries, raw_items):
        assert isinstance(item["id"], str) and item["id"] == entry.id
        assert item["url"] == entry.link
        assert item["title"] == entry.title
        assert item["summary"] == raw.findtext("description")
        assert item["content_html"] == raw.findtext(CONTENT)  # the same sanitized full text, byte for byte
        published = dt.datetime.fromisoformat(item["date_published"])
        assert calendar.timegm(published.utctimetuple()) == calendar.timegm(entry.published_parsed)
        assert item["tags"] == [t.term for t in entry.tags]
        assert [a["name"] for a in item.get("authors", [])] == raw.xpath("*[local-name()='creator']/text()")
        enclosure = raw.find("enclosure")
        assert item.get("image") == (enclosure.get("url") if enclosure is not None else None)
    return feed


def test_json_feed_items_equal_the_rss_items_across_issues(copy_root, tmp_path):
    content = copy_root("tiny")
    add_issue(content, dt.date(2025, 5, 8), 1332)
    add_issue(content, dt.date(2025, 5, 15), 1333)
    out = build_both(make_config(content, tmp_path))
    feed = assert_same_items(out / "rss" / "feed.xml", out / "jsonfeed" / "feed.json")
    assert feed["feed_url"] == "http://127.0.0.1:8000/feed.json"
    assert feed["home_page_url"] == "http://127.0.0.1:8000/issues/"
    assert feed["language"] == "zh-CN"
    assert feed["authors"] == [{"name": "中国铝业报社"}]
    assert feed["items"][0]["title"].startswith("第1333期")  # newest issue first
    for section in ("yaowen", "redian"):
        section_feed = assert_same_items(out / "rss" / "feeds" / f"{section}.xml", out / "jsonfeed" / "feeds" / f"{section}.json")
        assert section_feed["feed_url"] == f"http://127.0.0.1:8000/feeds/{section}.json"


def test_json_feed_of_the_sample_issue_matches_rss_and_rebuilds_byte_identical(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path)
    out = build_both(config)
    feed = assert_same_items(out / "rss" / "feed.xml", out / "jsonfeed" / "feed.json")
    assert any("authors" in item for item in feed["items"])
    first = {p.relative_to(out): p.read_bytes() for p in (out / "jsonfeed").rglob("*.json")}
    shutil.rmtree(out)
    build_both(config)
    assert {p.relative_to(out): p.read_bytes() for p in (out / "jsonfeed").rglob("*.json")} == first


def test_hostile_markup_and_pictures_come_out_as_in_rss(copy_root, tmp_path):
    content = copy_root("hostile")
    picture = content / "issues" / "2025-06-01-1400" / "images" / "missing.jpg"
    picture.parent.mkdir()
    Image.new("RGB", (40, 30), "red").save(picture)
    out = build_both(make_config(content, tmp_path))
    feed = assert_same_items(out / "rss" / "feed.xml", out / "jsonfeed" / "feed.json")
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/issues/2025-06-01-1400/media/missing-\w+-40\.jpg", feed["items"][0]["image"])
    for item in feed["items"]:
        tree = lxml.html.fragment_fromstring(item["content_html"], create_parent="div")
        assert not tree.xpath("//script | //iframe | //svg | //*[@onerror or @onclick or @onload]")
        assert not [href for href in tree.xpath("//@href | //@src") if href.startswith("javascript:")]


def test_the_public_site_serves_json_feeds_with_etags(tmp_path):
    installed = plugins.discover()
    shutil.copytree(root("tiny"), tmp_path / "content")
    site = Site(tmp_path, tmp_path / "content", channels=[installed[n].cls for n in ("rss", "jsonfeed", "digest")])
    try:
        site.store.publish(site.build().id, "editor")
        client = site.app.test_client()
        feed = client.get("/feed.json")
        assert feed.status_code == 200 and feed.headers["Content-Type"] == "application/feed+json"
        assert feed.headers["Cache-Control"] == "public, no-cache"
        assert json.loads(feed.data)["items"][0]["id"].startswith("http://127.0.0.1:8000/issues/2025-05-01-1331/#")
        assert client.get("/feed.json", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
        section = client.get("/feeds/yaowen.json")
        assert section.status_code == 200 and json.loads(section.data)["title"].endswith("要闻")
        assert client.get("/feeds/nope.json").status_code == 404
        digest = client.get(f"/issues/{ISSUE}/").get_data(as_text=True)
        assert (
            '<link rel="alternate" type="application/feed+json" title="中国铝业报" href="http://127.0.0.1:8000/feed.json">'
            in digest
        )
    finally:
        site.queue.close()


def test_the_admin_previews_the_json_feed(tmp_path):

    installed = plugins.discover()
    shutil.copytree(root("tiny"), tmp_path / "content")
    site = Site(tmp_path, tmp_path / "content", channels=[installed[n].cls for n in ("rss", "jsonfeed")])
    try:
        record = site.build()
        client = site.app.test_client()
        assert sign_in(client).status_code == 302
        page = client.get(f"/admin/builds/{record.id}/preview/jsonfeed").get_data(as_text=True)
        feed = json.loads((record.channel_dir("jsonfeed") / "feed.json").read_text(encoding="utf-8"))
        assert page.count('class="feed-item"') == len(feed["items"]) > 0
        for item in feed["items"]:
            assert item["title"] in page
    finally:
        site.queue.close()
