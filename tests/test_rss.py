"""The RSS/Atom channel: strict XML, full text, stable items across the archive, reference readers."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from publisher import images, loading, pipeline
from publisher.config import SiteConfig
from publisher.feeds import summary as _summary
from publisher.model import Article, Block, Figure, Issue, Section
from publisher_channels.rss.channel import FeedChannel
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, in_folder, make_config, root

RSS_TEMPLATES = FeedChannel.template_folder()

TINY_ISSUE = root("tiny") / "issues" / "2025-05-01-1331"
SAMPLE_DIR = SAMPLE_CONTENT / "issues" / SAMPLE_ID
NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
HOSTILE_ELEMENTS = {"script", "style", "iframe", "svg", "math", "object", "embed", "link", "meta", "form", "input"}


def build_feed(config, issue_id: str | None = None, out: Path | None = None) -> Path:
    """Build the rss channel for ``issue_id`` (default: the newest) and return its folder."""
    issue_id = issue_id or loading.list_issue_ids(config.content_dir)[-1]
    issue = loading.load_issue(loading.issue_dir(config.content_dir, issue_id))
    report = pipeline.build(issue, [FeedChannel], config, out_root=out)
    assert report.ok, report.errors
    return Path(out or config.output_dir) / issue_id / "rss"


def strict(path: Path) -> etree._Element:
    """Parse with lxml in strict mode and check feedparser finds nothing wrong."""
    raw = path.read_bytes()
    tree = etree.fromstring(raw, etree.XMLParser(recover=False, resolve_entities=False, no_network=True))
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return tree


def feed_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xml"))


@functools.cache
def tiny_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in TINY_ISSUE.iterdir()}


def add_issue(content: Path, date: dt.date, number: int) -> str:
    """A copy of the tiny issue under a new date and number (headlines say which); returns its id."""
    issue_id = f"{date.isoformat()}-{number}"
    folder = content / "issues" / issue_id
    folder.mkdir(parents=True)
    for name, source in tiny_files().items():
        if name == "issue.yaml":
            source = source.replace("date: 2025-05-01", f"date: {date}").replace("number: 1331", f"number: {number}")
        else:
            source = source.replace("headline: ", f"headline: 第{number}期 ", 1)
        (folder / name).write_text(source, encoding="utf-8")
    return issue_id


def archive_root(tmp_path: Path, count: int, start: dt.date = dt.date(2025, 1, 1)) -> Path:
    content = tmp_path / "content"
    for index in range(count):
        add_issue(content, start + dt.timedelta(days=index), 100 + index)
    return content


def check_html(markup: str) -> None:
    """No hostile element, event handler, script URL or relative URL in a feed's article HTML."""
    fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in fragment.iter():
        assert element.tag not in HOSTILE_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src"):
                assert value.startswith(("http://", "https://", "mailto:")), (element.tag, value)


# --- the tiny issue: every field of an item and of the channel --------------------------------


def test_rss_items_carry_title_link_guid_date_category_author_lead_and_full_text(tiny_config):
    folder = build_feed(tiny_config)
    tree = strict(folder / "feed.xml")
    items = tree.findall("channel/item")
    assert [i.findtext("title") for i in items] == ["绿色低碳项目全面投产", "在深化内化转化上下功夫"]
    first = items[0]
    url = "http://127.0.0.1:8000/issues/2025-05-01-1331/#lvse-dixing"
    assert first.findtext("link") == url
    assert first.find("guid").text == url and first.find("guid").get("isPermaLink") == "true"
    assert first.findtext("pubDate") == "Thu, 01 May 2025 06:00:00 +0800"
    assert first.findtext("category") == "要闻"
    assert first.find("author") is None  # RSS author needs an e-mail address; names go to dc:creator
    assert first.findtext("dc:creator", namespaces=NS) == "李明"
    assert (
        first.findtext("description")
        == "近日，包头铝业新能源项目全面投产，每年可使用绿电70亿千瓦时以上。项目建成后，绿电占比达到40%以上。"
    )
    content = first.findtext("content:encoded", namespaces=NS)
    check_html(content)
    body = lxml.html.fragment_fromstring(content, create_parent="div")
    assert body.xpath("string(//p[@class='kicker'])") == "新能源"
    assert "年用绿电七十亿千瓦时" in body.xpath("string(//p[@class='subtitle'])")
    assert body.xpath("string(//h3)") == "闭环体系"
    assert body.xpath("string(//blockquote)") == "我们实行“日跟踪、周调度、月复盘”机制。"
    assert "构建起“新能源开发—绿电直供—电解铝生产”的闭环体系" in body.text_content()
    assert not body.xpath("//figure | //img")  # the figure has no image file: its caption is printed nowhere
    assert first.find("enclosure") is None
    second = lxml.html.fragment_fromstring(items[1].findtext("content:encoded", namespaces=NS), create_parent="div")
    assert "编者按" in second.text_content() and "摘自《经济日报》" in second.text_content()


def test_rss_channel_metadata(tiny_config):
    channel = strict(build_feed(tiny_config) / "feed.xml").find("channel")
    assert channel.findtext("title") == "中国铝业报"
    assert channel.findtext("link") == "http://127.0.0.1:8000/issues/"
    assert "中国铝业报" in channel.findtext("description")
    assert channel.findtext("language") == "zh-cn"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "http://127.0.0.1:8000/feed.xml")
    assert channel.findtext("lastBuildDate") == "Thu, 01 May 2025 06:00:00 +0800"
    assert channel.findtext("ttl") == "60"
    assert channel.findtext("image/url") == "http://127.0.0.1:8000/logo.png"
    assert channel.findtext("image/title") == channel.findtext("title")
    assert channel.findtext("image/link") == channel.findtext("link")
    assert channel.findtext("copyright") == "© 2025 中国铝业报社"


def test_feed_image_is_written_next_to_the_feed(tiny_config):
    folder = build_feed(tiny_config)
    logo = (RSS_TEMPLATES / "logo.png").read_bytes()
    assert (folder / "logo.png").read_bytes() == logo and logo.startswith(b"\x89PNG")


def test_atom_feed(tiny_config):
    folder = build_feed(tiny_config)
    strict(folder / "atom.xml")
    parsed = feedparser.parse((folder / "atom.xml").read_bytes())
    assert parsed.version == "atom10"
    assert parsed.feed.title == "中国铝业报"
    assert parsed.feed.language == "zh-cn"
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["http://127.0.0.1:8000/atom.xml"]
    assert parsed.feed.updated == "2025-05-01T06:00:00+08:00"
    entry = parsed.entries[0]
    assert entry.id == entry.link == "http://127.0.0.1:8000/issues/2025-05-01-1331/#lvse-dixing"
    assert entry.title == "绿色低碳项目全面投产"
    assert entry.published == entry.updated == "2025-05-01T06:00:00+08:00"
    assert entry.author == "李明"
    assert [t.term for t in entry.tags] == ["要闻"]
    assert entry.summary.startswith("近日，包头铝业新能源项目全面投产")
    assert entry.content[0].type == "text/html" and "闭环体系" in entry.content[0].value
    assert [e.title for e in parsed.entries] == ["绿色低碳项目全面投产", "在深化内化转化上下功夫"]


def test_one_rss_feed_per_section(tiny_config):
    folder = build_feed(tiny_config)
    assert [p.name for p in feed_files(folder / "feeds")] == ["redian.xml", "yaowen.xml"]
    yaowen = strict(folder / "feeds" / "yaowen.xml").find("channel")
    assert yaowen.findtext("title") == "中国铝业报 · 要闻"
    assert yaowen.find("atom:link", NS).get("href") == "http://127.0.0.1:8000/feeds/yaowen.xml"
    assert [i.findtext("title") for i in yaowen.findall("item")] == ["绿色低碳项目全面投产"]
    redian = strict(folder / "feeds" / "redian.xml").find("channel")
    assert [i.findtext("category") for i in redian.findall("item")] == ["热议"]


def test_manifest_lists_every_feed(tiny_config):
    issue = loading.load_issue(TINY_ISSUE)
    report = pipeline.build(issue, [FeedChannel], tiny_config)
    assert report.ok
    kinds = {f.path: f.media_type for f in report.results[0].files}
    assert kinds == {
        "feed.xml": "application/rss+xml",
        "atom.xml": "application/atom+xml",
        "logo.png": "image/png",
        "feeds/yaowen.xml": "application/rss+xml",
        "feeds/redian.xml": "application/rss+xml",
    }


def test_description_is_the_lead_cut_at_a_sentence_end():
    def article(*paragraphs: str) -> Article:
        blocks = tuple(Block(html=p, text=p) for p in paragraphs)
        return Article(slug="a", headline="标题", section="s", body=blocks, figures=(Figure(caption="图说"),))

    long = "第一句很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。" * 6
    assert _summary(article(long, "第二段。")) == long[: long.rindex("。", 0, 120) + 1]
    assert _summary(article("（接上期）", "正文从这里开始，这是一个足够长的句子，用来作为摘要的内容。后面还有。")) == (
        "（接上期）正文从这里开始，这是一个足够长的句子，用来作为摘要的内容。后面还有。"
    )
    assert _summary(article()) == "图说"
    assert _summary(article("A short lead.", "And the next paragraph follows it here.")) == (
        "A short lead. And the next paragraph follows it here."
    )


# --- hostile content ------------------------------------------------------------------------------


def test_hostile_issue_gives_strict_clean_feeds(hostile_config):
    folder = build_feed(hostile_config)
    files = feed_files(folder)
    assert {p.relative_to(folder).as_posix() for p in files} == {"feed.xml", "atom.xml", "feeds/yaowen.xml", "feeds/kong.xml"}
    for path in files:
        strict(path)
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            for value in (entry.title, entry.summary, entry.content[0].value if "content" in entry else ""):
                assert not FORBIDDEN_CHARS.search(value)
            if "content" in entry:
                check_html(entry.content[0].value)
    rss = feedparser.parse((folder / "feed.xml").read_bytes())
    hostile = rss.entries[0]
    # Plain-text fields stay literal text: escaped once, never markup, nothing lost.
    assert hostile.title == "危险<script>alert(1)</script>标题 ]]> 𡃁 😀 مرحبا"
    content = lxml.html.fragment_fromstring(hostile.content[0].value, create_parent="div")
    text_content = content.text_content()
    assert "\u202e" not in text_content and "\u202c" not in text_content  # bidi overrides never reach a reader
    for kept in ("𡃁", "😀", "以及右到左文字مرحبا。", "]]>", "点我", "正常链接", "文本", "<b onmouseover=alert(1)>粗</b>"):
        assert kept in text_content, kept
    assert "alert('x')" not in text_content and "display:none" not in text_content
    assert [(a.get("href"), a.get("rel")) for a in content.iter("a")] == [
        (None, None),
        ("https://example.org/ok", "noopener noreferrer nofollow"),
    ]
    assert not content.xpath("//img")  # the hostile figure's file is missing
    issue = loading.load_issue(root("hostile") / "issues" / "2025-06-01-1400")
    assert [e.title for e in rss.entries] == [a.headline for a in issue.articles]  # the 10,000-character one too
    assert len(feedparser.parse((folder / "feeds" / "kong.xml").read_bytes()).entries) == 0


def test_unclean_model_is_cleaned_before_feedgen(tmp_path):
    """Even a model built without the loader (control characters, raw HTML) gives strict XML."""
    dirty = "标题\x01\x0b\x1f\x7f\x85]]>结束"  # (the model itself refuses lone surrogates)
    issue = Issue(
        id="2025-07-01-1",
        paper="测试报",
        date=dt.date(2025, 7, 1),
        number=1,
        sections=(Section(slug="yaowen", name="要闻\x08"),),
        articles=(
            Article(
                slug="a",
                headline=dirty,
                section="yaowen",
                kicker="\x02引题",
                authors=({"name": "记者\x00甲"},),
                figures=(Figure(caption="图\x03说"),),
                body=(
                    Block(
                        html='正文\x0c<script>alert(1)</script><a href="javascript:x()" onclick="y()">链</a>]]>'
                        '<svg onload="z()"></svg><img src=x onerror=alert(1)>',
                        text="正文\x0c]]>",
                    ),
                ),
            ),
        ),
    )
    config = make_config(tmp_path / "content", tmp_path)
    report = pipeline.build(issue, [FeedChannel], config, issue_dir=tmp_path / "nowhere")
    assert report.ok, report.errors
    folder = config.output_dir / issue.id / "rss"
    for path in feed_files(folder):
        raw = path.read_bytes().decode("utf-8")
        assert not FORBIDDEN_CHARS.search(raw)
        strict(path)
    entry = feedparser.parse((folder / "feed.xml").read_bytes()).entries[0]
    assert entry.title == "标题]]>结束"
    assert entry.tags[0].term == "要闻"
    check_html(entry.content[0].value)
    assert "alert" not in entry.content[0].value and "]]&gt;" in entry.content[0].value


# --- the archive ----------------------------------------------------------------------------------


def test_feed_spans_the_newest_issues_newest_first(tmp_path):
    content = archive_root(tmp_path, 12)
    config = make_config(content, tmp_path)
    folder = build_feed(config)
    for path in feed_files(folder):
        strict(path)
    items = strict(folder / "feed.xml").findall("channel/item")
    assert len(items) == 10 * 2  # default: the newest 10 issues
    numbers = [int(re.match(r"第(\d+)期", i.findtext("title")).group(1)) for i in items]
    assert numbers == [n for n in range(111, 101, -1) for _ in range(2)]
    dates = [i.findtext("pubDate") for i in items]
    assert dates[0] == "Sun, 12 Jan 2025 06:00:00 +0800" and dates[-1] == "Fri, 03 Jan 2025 06:00:00 +0800"
    assert len({i.findtext("guid") for i in items}) == 20
    assert strict(folder / "feed.xml").findtext("channel/lastBuildDate") == dates[0]
    assert len(strict(folder / "feeds" / "yaowen.xml").findall("channel/item")) == 10
    assert len(feedparser.parse((folder / "atom.xml").read_bytes()).entries) == 20


def test_section_feeds_cover_sections_of_older_issues(tmp_path):
    content = archive_root(tmp_path, 2)
    older = content / "issues" / "2025-01-01-100"
    meta = (older / "issue.yaml").read_text(encoding="utf-8")
    (older / "issue.yaml").write_text(
        meta.replace("name: 热议, page: 2}", "name: 热议, page: 2}\n  - {slug: zhuanti, name: 专题}"), encoding="utf-8"
    )
    md = older / "02-pinglun.md"
    md.write_text(md.read_text(encoding="utf-8").replace("section: redian", "section: zhuanti"), encoding="utf-8")
    config = make_config(content, tmp_path, site=SiteConfig(title="铝业报"))
    folder = build_feed(config)
    assert [p.name for p in feed_files(folder / "feeds")] == ["redian.xml", "yaowen.xml", "zhuanti.xml"]
    zhuanti = strict(folder / "feeds" / "zhuanti.xml").find("channel")
    assert zhuanti.findtext("title") == "铝业报 · 专题"
    assert [i.findtext("title") for i in zhuanti.findall("item")] == ["第100期 在深化内化转化上下功夫"]
    assert [i.findtext("title") for i in strict(folder / "feeds" / "redian.xml").iter("item")] == [
        "第101期 在深化内化转化上下功夫"
    ]


def test_a_new_issue_leaves_older_items_unchanged(tmp_path):
    content = archive_root(tmp_path, 3)
    config = make_config(content, tmp_path)
    before = build_feed(config, out=tmp_path / "before")
    old_items = {i.findtext("guid"): etree.tostring(i) for i in strict(before / "feed.xml").iter("item")}
    old_feed = (before / "feed.xml").read_bytes()
    old_id = loading.list_issue_ids(content)[-1]
    add_issue(content, dt.date(2025, 1, 4), 103)
    after = build_feed(config, out=tmp_path / "after")
    new_items = {i.findtext("guid"): etree.tostring(i) for i in strict(after / "feed.xml").iter("item")}
    assert len(new_items) == len(old_items) + 2
    for guid, item in old_items.items():
        assert new_items[guid] == item  # same guid, date, title and text, byte for byte
    # Rebuilding the older issue later still gives its feed as it was.
    assert (build_feed(config, old_id, out=tmp_path / "again") / "feed.xml").read_bytes() == old_feed


def test_only_the_newest_issues_are_read(tmp_path, monkeypatch):
    content = archive_root(tmp_path, 1000, start=dt.date(2022, 1, 1))
    # A broken issue outside the newest ten does not matter: it is never read.
    (content / "issues" / "2022-01-05-104" / "issue.yaml").write_text("paper: [broken\n", encoding="utf-8")
    loads = []
    real = loading.load
    monkeypatch.setattr(loading, "load", lambda folder: loads.append(Path(folder).name) or real(folder))
    newest = real(loading.issue_dir(content, loading.list_issue_ids(content)[-1])).issue
    config = make_config(content, tmp_path)
    report = pipeline.build(newest, [FeedChannel], config)
    assert report.ok, report.errors
    assert len(loads) == 9 and loads[0] == "2024-09-25-1098"
    items = strict(config.output_dir / newest.id / "rss" / "feed.xml").findall("channel/item")
    assert len(items) == 20
    # Built again, the older issues come from the index: not one of their files is parsed.
    loads.clear()
    first = (config.output_dir / newest.id / "rss" / "feed.xml").read_bytes()
    assert pipeline.build(newest, [FeedChannel], config).ok
    assert loads == [] and (config.output_dir / newest.id / "rss" / "feed.xml").read_bytes() == first


def test_a_broken_issue_inside_the_feed_window_is_reported(tmp_path):
    content = archive_root(tmp_path, 3)
    (content / "issues" / "2025-01-02-101" / "issue.yaml").write_text("paper: [broken\n", encoding="utf-8")
    config = make_config(content, tmp_path)
    issue = loading.load_issue(content / "issues" / "2025-01-03-102")
    report = pipeline.build(issue, [FeedChannel], config)
    assert not report.ok
    message = report.errors[0]["message"]
    assert "2025-01-02-101" in message and "publisher check" in message and "channels.rss.issues" in message


# --- determinism, options, time zone, figures --------------------------------------------------


def test_builds_are_byte_identical(tmp_path):
    content = archive_root(tmp_path, 4)
    config = make_config(content, tmp_path)
    first, second = build_feed(config, out=tmp_path / "one"), build_feed(config, out=tmp_path / "two")
    names = [p.relative_to(first) for p in sorted(first.rglob("*")) if p.is_file()]
    assert names == [p.relative_to(second) for p in sorted(second.rglob("*")) if p.is_file()]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_options_issues_ttl_and_no_image(tmp_path):
    content = archive_root(tmp_path, 3)
    config = make_config(content, tmp_path, channels={"rss": {"issues": 2, "ttl": 30, "image": None}})
    folder = build_feed(config)
    channel = strict(folder / "feed.xml").find("channel")
    assert len(channel.findall("item")) == 4
    assert channel.findtext("ttl") == "30"
    assert channel.find("image") is None and not (folder / "logo.png").exists()
    assert "<logo>" not in (folder / "atom.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"issuez": 3}, "channels.rss: issuez"),
        ({"issues": 0}, "channels.rss: issues"),
        ({"image": "nope.png"}, "layout file 'nope.png' is missing"),
    ],
)
def test_bad_options_say_what_to_fix(tmp_path, options, expected):
    config = make_config(root("tiny"), tmp_path, channels={"rss": options})
    report = pipeline.build(loading.load_issue(TINY_ISSUE), [FeedChannel], config)
    assert not report.ok and expected in report.errors[0]["message"]


def test_time_zone_and_publish_hour_come_from_the_site_config(tmp_path):
    config = make_config(root("tiny"), tmp_path, site=SiteConfig(timezone="Europe/Berlin", publish_hour=9))
    folder = build_feed(config)
    channel = strict(folder / "feed.xml").find("channel")
    assert channel.findtext("item/pubDate") == "Thu, 01 May 2025 09:00:00 +0200"
    assert channel.findtext("lastBuildDate") == "Thu, 01 May 2025 09:00:00 +0200"
    bad = make_config(root("tiny"), tmp_path / "bad", site=SiteConfig(timezone="Mars/Olympus"))
    report = pipeline.build(loading.load_issue(TINY_ISSUE), [FeedChannel], bad)
    assert not report.ok and "site.timezone 'Mars/Olympus'" in report.errors[0]["message"]


def test_figures_enclosure_and_links_are_absolute(copy_root, tmp_path):
    content = copy_root("tiny")
    folder = content / "issues" / "2025-05-01-1331"
    (folder / "images").mkdir()
    png = (RSS_TEMPLATES / "logo.png").read_bytes()
    (folder / "images" / "wind farm.png").write_bytes(png)
    md = folder / "01-lvse-dixing.md"
    source = md.read_text(encoding="utf-8")
    source = source.replace(
        "{caption: 图为风电场。, credit: 王五 摄}", "{caption: 图为风电场。, credit: 王五 摄, src: images/wind farm.png}"
    )
    source = source.replace("## 闭环体系", "详见[专题](zhuanti.html)与[往期](/issues/)。\n\n## 闭环体系")
    md.write_text(source, encoding="utf-8")
    config = make_config(content, tmp_path, site=SiteConfig(url="https://news.example.com/"))
    out = build_feed(config)
    item = strict(out / "feed.xml").find("channel/item")
    # the feed links the digest's largest JPEG of the picture: the same bytes made here again
    made = images.web_set(images.check(folder / "images" / "wind farm.png", "images/wind farm.png"), tmp_path / "c")
    jpeg = made["jpeg"][-1]
    assert re.fullmatch(r"wind-farm-[0-9a-f]{10}-144\.jpg", jpeg.name)
    image_url = f"https://news.example.com/issues/2025-05-01-1331/media/{jpeg.name}"
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {"url": image_url, "length": str(len(jpeg.data)), "type": "image/jpeg"}
    content = item.find(".//{http://search.yahoo.com/mrss/}content")
    assert (content.get("url"), content.get("fileSize"), content.get("width")) == (image_url, str(len(jpeg.data)), "144")
    body = lxml.html.fragment_fromstring(item.findtext("content:encoded", namespaces=NS), create_parent="div")
    assert [(img.get("src"), img.get("alt")) for img in body.iter("img")] == [(image_url, "图为风电场。")]
    hrefs = [a.get("href") for a in body.iter("a")]
    assert hrefs == ["https://news.example.com/issues/2025-05-01-1331/zhuanti.html", "https://news.example.com/issues/"]
    atom = feedparser.parse((out / "atom.xml").read_bytes()).entries[0]
    assert [(link.rel, link.href) for link in atom.links] == [
        ("alternate", "https://news.example.com/issues/2025-05-01-1331/#lvse-dixing"),
        ("enclosure", image_url),
    ]
    assert atom.enclosures[0].type == "image/jpeg" and atom.enclosures[0].length == str(len(jpeg.data))


# --- a real feed reader ---------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    """An HTTP server on a free loopback port serving a folder chosen later; yields (set_folder, base URL)."""
    state = {"folder": tmp_path}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(state["folder"]), **kwargs)

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield functools.partial(state.__setitem__, "folder"), f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def newsboat_titles(tmp_path: Path, url: str) -> list[str]:
    """Subscribe a fresh newsboat to ``url``, reload, and return the item titles it cached.

    One cache per feed: newsboat keeps an article once per guid, and the paper's feeds share guids.
    """
    exe = shutil.which("newsboat")
    if exe is None:
        pytest.fail("newsboat is not installed; run ./dev setup (it installs the Debian package)")
    home = Path(tempfile.mkdtemp(prefix="newsboat-", dir=tmp_path))
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    (home / "config").write_text("", encoding="utf-8")
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "no_proxy": "*",
        "NO_PROXY": "*",
    }
    args = ["-u", str(home / "urls"), "-c", str(home / "cache.db"), "-C", str(home / "config")]
    subprocess.run([exe, *args, "-x", "reload"], env=env, check=True, timeout=60, capture_output=True)
    unread = subprocess.run(
        [exe, *args, "-x", "print-unread"], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    with sqlite3.connect(home / "cache.db") as db:
        rows = db.execute("SELECT feedurl, title FROM rss_item ORDER BY id").fetchall()
    assert {feed for feed, _ in rows} <= {url}
    assert unread.strip() == f"{len(rows)} unread articles"
    return [title for _, title in rows]


def test_newsboat_reads_the_served_feeds(tmp_path, served):
    set_folder, base = served
    content = archive_root(tmp_path, 3)
    config = make_config(content, tmp_path, site=SiteConfig(url=base))
    set_folder(build_feed(config))
    issues = [loading.load_issue(loading.issue_dir(content, i)) for i in loading.list_issue_ids(content)]
    headlines = sorted(a.headline for issue in issues for a in issue.articles)
    assert len(headlines) == 6
    assert sorted(newsboat_titles(tmp_path, f"{base}/feed.xml")) == headlines
    assert sorted(newsboat_titles(tmp_path, f"{base}/atom.xml")) == headlines
    yaowen = sorted(a.headline for issue in issues for a in issue.articles_in("yaowen"))
    assert sorted(newsboat_titles(tmp_path, f"{base}/feeds/yaowen.xml")) == yaowen


def test_newsboat_reads_the_hostile_feed(tmp_path, served):
    set_folder, base = served
    config = make_config(root("hostile"), tmp_path, site=SiteConfig(url=base))
    set_folder(build_feed(config))
    issue = loading.load_issue(root("hostile") / "issues" / "2025-06-01-1400")
    titles = newsboat_titles(tmp_path, f"{base}/feed.xml")
    assert sorted(titles) == sorted(a.headline for a in issue.articles)


# --- the sample issue -----------------------------------------------------------------------------


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def test_sample_feeds_carry_every_article_in_full(sample_config, sample_issue):
    sample_issue = images.readable(sample_issue, in_folder(SAMPLE_CONTENT / "issues" / SAMPLE_ID)).issue  # as readers get it
    assert len(sample_issue.articles) == 30  # three photo stories have no photo: left out
    folder = build_feed(sample_config, SAMPLE_ID)
    for path in feed_files(folder):
        strict(path)
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((folder / name).read_bytes())
        by_link = {e.link: e for e in parsed.entries}
        assert len(parsed.entries) == len(sample_issue.articles), name
        for section, articles in sample_issue.by_section():
            for article in articles:
                entry = by_link[f"http://127.0.0.1:8000/issues/{SAMPLE_ID}/#{article.slug}"]
                assert entry.title == article.headline
                assert entry.published_parsed[:4] == (2025, 4, 18, 22)  # 06:00 in Shanghai, in UTC
                assert [t.term for t in entry.tags] == [section.name]
                check_html(entry.content[0].value)
                full = _squash(lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div").text_content())
                for block in article.body:
                    assert _squash(block.text) in full, (article.slug, block.text[:30])
    for section, articles in sample_issue.by_section():
        items = strict(folder / "feeds" / f"{section.slug}.xml").findall("channel/item")
        assert [i.findtext("title") for i in items] == [a.headline for a in articles]


def test_the_issue_line_is_a_small_dateline_not_body_text(tiny_config):
    item = strict(build_feed(tiny_config) / "feed.xml").find("channel/item")
    body = lxml.html.fragment_fromstring(item.findtext("content:encoded", namespaces=NS), create_parent="div")
    line = body.find(".//p[@class='meta']")
    assert line.text is None and [c.tag for c in line] == ["small"]  # all of it small, nothing at body size
    assert line.find("small").text_content() == "中国铝业报 2025年5月1日 第1版 要闻"
