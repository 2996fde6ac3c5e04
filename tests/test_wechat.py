"""WeChat 公众号 articles: every article of the sample obeys the editor's rules; links, images, limits, the look."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
import yaml
from PIL import Image

from publisher import loading, pipeline
from publisher_channels.wechat.channel import MAX_BYTES, MAX_TEXT_CHARS, WECHAT_ATTRIBUTES, WECHAT_TAGS, WechatChannel

from .conftest import SAMPLE_CONTENT, SAMPLE_ID, make_config

DOCUMENT_TAGS = {"html", "head", "meta", "title", "body"}


def build(config, issue_id: str):
    issue = loading.load_issue(loading.issue_dir(config.content_dir, issue_id))
    report = pipeline.build(issue, [WechatChannel], config)
    assert report.ok, report.errors
    return issue, config.output_dir / issue_id / "wechat", report


def fragment(path: Path) -> lxml.html.HtmlElement:
    """The pasteable part of an article file: the one element in <body>."""
    body = lxml.html.fromstring(path.read_bytes()).find("body")
    assert len(body) == 1
    return body[0]


def assert_wechat_rules(root: lxml.html.HtmlElement, folder: Path) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            raise AssertionError(f"comment or processing instruction left: {element!r}")
        assert element.tag in WECHAT_TAGS, element.tag
        allowed = WECHAT_ATTRIBUTES.get(element.tag, set()) | WECHAT_ATTRIBUTES["*"] | ({"rel"} if element.tag == "a" else set())
        assert set(element.attrib) <= allowed, (element.tag, element.attrib)
        if element.tag == "img":
            src = element.get("src")
            assert "://" not in src and not src.startswith("/"), src
            assert (folder / src).is_file()
            assert int(element.get("width")) > 0 and int(element.get("height")) > 0
        if element.tag == "a":
            assert "mp.weixin.qq.com" in element.get("href")
    markup = lxml.html.tostring(root, encoding="unicode")
    assert not re.search(r"<(style|script|link|iframe)\b|\s(class|id)=|javascript:", markup)
    assert len(markup.encode()) <= MAX_BYTES
    assert len(re.sub(r"\s", "", root.text_content())) <= MAX_TEXT_CHARS


def test_every_sample_article_obeys_the_editor_rules(sample_config, sample_issue):
    issue, folder, _ = build(sample_config, SAMPLE_ID)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [a["headline"] for a in manifest["articles"]] == [a.headline for a in issue.articles]
    assert len(list(folder.glob("*.html"))) == len(issue.articles) == 33
    for entry, article in zip(manifest["articles"], issue.articles):
        root = fragment(folder / entry["html"])
        assert_wechat_rules(root, folder)
        assert entry["fits"] and entry["chars"] == len(re.sub(r"\s", "", root.text_content()))
        # The paper's look: headline, byline, 2em indents, 编者按 box, source line.
        assert root.find(".//h1").text_content() == article.headline
        paragraphs = [p for p in root.iter("p") if "text-indent: 2em" in (p.get("style") or "")]
        assert len(paragraphs) >= len(article.paragraphs)
        text = root.text_content()
        if article.kicker:
            assert article.kicker in text
        if article.byline:
            assert article.byline in text
        if article.source:
            assert root.xpath(f'.//p[contains(@style, "text-align: right")][.="{article.source}"]')
        if article.editor_note:
            box = root.xpath('.//section[contains(@style, "border-left")][.//strong="编者按"]')
            assert box and article.editor_note.splitlines()[0][:20] in box[0].text_content()
        for block in article.body:
            assert block.text.strip()[:30] in text


def test_links_become_footnotes_and_hostile_markup_is_gone(hostile_config):
    issue, folder, _ = build(hostile_config, "2025-06-01-1400")
    root = fragment(next(folder.glob("01-*.html")))
    assert_wechat_rules(root, folder)
    text = root.text_content()
    assert "正常链接[1]" in text
    assert "[1] 正常链接：https://example.org/ok" in text
    assert root.find(".//h1").text_content().startswith("危险<script>alert(1)</script>标题")  # text, never markup
    assert "点我" in text and "javascript" not in lxml.html.tostring(root, encoding="unicode")


def test_images_are_copied_beside_the_html_and_listed(tmp_path, copy_root):
    content = copy_root("tiny")
    issue_dir = content / "issues" / "2025-05-01-1331"
    (issue_dir / "images").mkdir()
    Image.new("RGB", (2000, 1000), "steelblue").save(issue_dir / "images" / "wind.jpg")
    article = issue_dir / "01-lvse-dixing.md"
    front, body = article.read_text(encoding="utf-8").split("---\n", 2)[1:]
    data = yaml.safe_load(front)
    data["figures"] = [{"caption": "图为风电场。", "credit": "王五 摄", "src": "images/wind.jpg"}]
    article.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body, encoding="utf-8")
    _, folder, report = build(make_config(content, tmp_path), "2025-05-01-1331")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["articles"][0]
    assert entry["images"] == ["01-lvse-dixing/01.jpg"]
    root = fragment(folder / entry["html"])
    assert_wechat_rules(root, folder)
    (img,) = root.iter("img")
    assert (img.get("src"), img.get("width"), img.get("height")) == ("01-lvse-dixing/01.jpg", "1080", "540")
    assert "01-lvse-dixing/01.jpg" in [f.path for f in report.results[0].files]


@pytest.mark.parametrize("chars", [MAX_TEXT_CHARS + 1])
def test_an_article_over_the_limit_is_reported_by_headline(tmp_path, copy_root, chars):
    content = copy_root("tiny")
    article = content / "issues" / "2025-05-01-1331" / "02-pinglun.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n" + "铝" * chars + "\n", encoding="utf-8")
    _, folder, report = build(make_config(content, tmp_path), "2025-05-01-1331")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [a["fits"] for a in manifest["articles"]] == [True, False]
    assert any("over WeChat's limit" in w["message"] for w in report.warnings)


# --- the admin: 复制 and the phone-width preview ---------------------------------------------------


@pytest.fixture
def admin_server(tmp_path):
    """The admin over the sample issue with a succeeded WeChat build, served on 127.0.0.1 in a thread."""
    import threading

    from werkzeug.serving import make_server

    from publisher.admin import create_app
    from publisher.jobs import make_queue, wait
    from publisher.store import Store

    config = make_config(SAMPLE_CONTENT, tmp_path)
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", "correct horse battery")
    queue = make_queue(config, store, channels=[WechatChannel])
    record = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 120)
    assert record.ok, record.errors
    app = create_app(config, store=store, queue=queue, testing=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", record
    server.shutdown()
    queue.close()
    store.close()


@pytest.mark.slow
def test_admin_copies_the_rich_html_and_shows_a_phone_preview(admin_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, record = admin_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 1000})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        page.goto(f"/admin/builds/{record.id}/preview/wechat?article=jiajing-tongbao")
        rows = page.locator(".wechat-list tbody tr")
        assert rows.count() == 33
        assert page.locator(".wechat-copy").first.inner_text() == "复制"
        frame = page.frame_locator(".phone iframe")
        assert frame.locator("h1").inner_text() == "世界钱王“嘉靖通宝”迁徙之路"
        assert page.locator(".phone iframe").bounding_box()["width"] == 375
        row = rows.filter(has_text="世界钱王")
        row.locator(".wechat-copy").click()
        expect(row.locator(".wechat-status")).to_contain_text("已复制")  # no string eval: the admin's CSP forbids it
        copied = page.evaluate(
            """async () => {
                const [item] = await navigator.clipboard.read();
                return await (await item.getType('text/html')).text();
            }"""
        )
        assert "嘉靖通宝" in copied and "text-indent: 2em" in copied and "class=" not in copied
        page.locator(".wechat").screenshot(path=str(tmp_path / "wechat-admin.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 1400})
        html = page.evaluate("(u) => fetch(u).then(r => r.text())", row.locator(".wechat-copy").get_attribute("data-src"))
        phone.set_content(html)
        phone.screenshot(path=str(tmp_path / "wechat-phone.png"))
        browser.close()
