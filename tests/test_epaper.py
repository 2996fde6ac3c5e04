"""The e-paper (数字报) of the sample issue, as the public site serves it, and 第N版 agreeing in every channel.

The sample issue is built once with every installed channel through the build
queue, published, and served by the real app on 127.0.0.1; pages are read
over HTTP and in Chromium (Playwright) at 360 and 1280 px.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import lxml.html
import pypdfium2
import pytest
from PIL import Image
from werkzeug.serving import make_server

from publisher import images, pagemap
from publisher.admin import create_app
from publisher.jobs import make_queue, wait
from publisher.store import Store
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, free_port, make_config

pytestmark = pytest.mark.slow

DATE = SAMPLE_ID[:10]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


@dataclass
class Live:
    url: str
    out: Path  # the published build's issue folder (<build>/<issue id>/)
    issue: object
    pages: pagemap.PageMap
    app: object
    build_id: int

    def get(self, path: str):
        import urllib.request

        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("epaper")
    port = free_port()
    config = make_config(SAMPLE_CONTENT, tmp, site={"url": f"http://127.0.0.1:{port}"})
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", PASSWORD)
    queue = make_queue(config, store)
    record = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 900)
    assert record.ok, record.errors
    store.publish(record.id, "editor")
    app = create_app(config, store=store, queue=queue, testing=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    out = Path(record.out_dir) / SAMPLE_ID
    from publisher import loading

    folder = SAMPLE_CONTENT / "issues" / SAMPLE_ID
    loaded = loading.load_issue(folder)
    issue = images.readable(loaded, lambda f: folder / f.src if f.src and f.found else None).issue  # as printed
    yield Live(f"http://127.0.0.1:{port}", out, issue, pagemap.read(out / "pdf"), app, record.id)
    server.shutdown()
    queue.close()


def html(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body)


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


# -- the page views, over HTTP --------------------------------------------------------------


def test_one_page_view_per_pdf_page_with_image_regions_and_navigation(live):
    pdf = pypdfium2.PdfDocument(live.out / "pdf" / f"{SAMPLE_ID}.pdf")
    count = len(pdf)
    texts = [page.get_textpage().get_text_range() for page in pdf]
    pdf.close()
    assert [p.number for p in live.pages.pages] == list(range(1, count + 1))
    reached: set[str] = set()
    for page in live.pages.pages:
        base = f"/epaper/{DATE}/{page.number:02d}/"
        status, headers, body = live.get(base)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        doc = html(body)
        assert doc.get("lang") == "zh-CN"
        image = doc.find(".//img[@usemap='#regions']")
        _, kind, data = live.get(base + image.get("src"))
        assert kind["Content-Type"] == "image/webp"
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.size == (int(image.get("width")), int(image.get("height"))) and picture.width == 1200
        areas = doc.findall(".//map[@name='regions']/area")
        assert len(areas) == sum(len(r.rects) for r in page.regions)
        headlines = {r.slug: r.headline for r in page.regions}
        for area in areas:
            assert area.get("shape") == "poly" and area.get("alt") in headlines.values()
            xs = [int(v) for v in area.get("coords").split(",")]
            assert len(xs) == 8 and all(0 <= v <= max(picture.size) for v in xs)
            _, _, article = live.get(urljoin(base, area.get("href")))
            assert squeeze(html(article).findtext(".//h1")) == squeeze(area.get("alt"))  # the link opens its article
            reached.add(area.get("href").rsplit("/", 1)[-1].removesuffix(".html"))
        sidecar = json.loads(live.get(base + "regions.json")[2])
        assert sidecar["unit"] == "pt" and [a["slug"] for a in sidecar["articles"]] == [r.slug for r in page.regions]
        nav = doc.findall(".//nav[@class='nav']//a")
        assert len(nav) == count and nav[page.number - 1].get("aria-current") == "page"
        assert all(squeeze(a.text_content()).startswith(f"第{i}版") for i, a in enumerate(nav, 1))
        pager = {a.get("rel"): a.get("href") for a in doc.findall(".//nav[@class='pager']/a")}
        assert ("prev" in pager) == (page.number > 1) and ("next" in pager) == (page.number < count)
        listed = [squeeze(a.get("aria-label")) for a in doc.findall(".//section[@class='list']//li/a")]
        assert listed == [squeeze(r.headline) for r in page.regions]
        single = doc.find(".//p[@class='downloads']/a").get("href")
        one = pypdfium2.PdfDocument(live.get(base + single)[2])
        assert len(one) == 1 and one[0].get_textpage().get_text_range() == texts[page.number - 1]  # that page alone
        one.close()
    assert reached == {a.slug for a in live.issue.articles}  # every article has a region


def test_article_view_has_hierarchy_neighbours_way_back_and_a_share_card(live):
    order = [r.slug for p in live.pages.pages for r in p.regions if live.pages.page_of(r.slug) == p.number]
    by_slug = {a.slug: a for a in live.issue.articles}
    for i, slug in enumerate(order):
        number = live.pages.page_of(slug)
        path = f"/epaper/{DATE}/{number:02d}/{slug}.html"
        doc = html(live.get(path)[2])
        article = by_slug[slug]
        assert squeeze(doc.findtext(".//article//h1")) == squeeze(article.headline)
        if article.kicker or article.series:
            kicker = doc.find(".//article//p[@class='kicker']")
            assert squeeze(kicker.text_content()) == squeeze((article.series or "") + (article.kicker or ""))
        if article.subtitle:
            assert squeeze(doc.find(".//article//p[@class='subtitle']").text_content()).endswith(squeeze(article.subtitle))
        og = {m.get("property"): m.get("content") for m in doc.findall(".//meta[@property]")}
        assert og["og:title"] == article.headline and og["og:url"] == live.url + path
        assert og["og:description"] and og["og:type"] == "article"
        back = doc.find(".//a[@class='back']").get("href")
        assert back == f"index.html#r-{slug}"
        rel = {a.get("rel"): a for a in doc.findall(".//nav[@class='pager']/a")}
        assert ("prev" in rel) == (i > 0) and ("next" in rel) == (i + 1 < len(order))
        if i + 1 < len(order):
            assert rel["next"].get("href").endswith(f"{order[i + 1]}.html")
        body = squeeze(" ".join(p.text_content() for p in doc.findall(".//article/p")))
        assert squeeze(article.lead)[:30] in body or not article.lead


def test_archive_redirect_and_lookup_only(live):
    status, _, body = live.get("/epaper/")
    assert status == 200 and f"/epaper/{DATE}/01/" in body.decode()
    import urllib.error
    import urllib.request

    request = urllib.request.Request(live.url + f"/epaper/{DATE}/")
    with urllib.request.urlopen(request) as response:  # follows the redirect to page one
        assert response.url.endswith(f"/epaper/{DATE}/01/")
    for path in (
        f"/epaper/{DATE}/..%2F..%2Fpdf/{SAMPLE_ID}.pdf",
        f"/epaper/{DATE}/01/../../pdf/pages.json",
        "/epaper/1999-01-01/01/",
        f"/epaper/{DATE}/99/",
        f"/epaper/{DATE}/archive.html",
    ):
        with pytest.raises(urllib.error.HTTPError) as caught:
            live.get(path)
        assert caught.value.code == 404, path


# -- in a browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_tap_a_region_open_its_article_and_come_back_to_it_highlighted(live, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=True, is_mobile=width < 600)
    tab = context.new_page()
    for page in live.pages.pages:
        tab.goto(f"{live.url}/epaper/{DATE}/{page.number:02d}/")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scroll
        small = tab.evaluate(
            """() => [...document.querySelectorAll('main a')].filter(a => !a.classList.contains('hot'))
                 .map(a => a.getBoundingClientRect()).filter(r => r.width > 0 && (r.height < 44 || r.width < 44)).length"""
        )
        assert small == 0  # every link is a 44 px tap target
    page = live.pages.pages[1]
    region = page.regions[-1]
    tab.goto(f"{live.url}/epaper/{DATE}/{page.number:02d}/")
    hot = tab.locator(f"#r-{region.slug}")
    hot.scroll_into_view_if_needed()
    box = hot.bounding_box()
    tab.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2) if width < 600 else hot.click()
    tab.wait_for_url(f"**/{region.slug}.html")
    assert squeeze(tab.locator("article h1").inner_text()) == squeeze(region.headline)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.locator("a.back").first.click()
    tab.wait_for_url(f"**/{page.number:02d}/index.html#r-{region.slug}")
    outline = tab.locator(f"#r-{region.slug}").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # 返回版面 highlights the region
    others = tab.locator(f"#r-{page.regions[0].slug}").evaluate("e => getComputedStyle(e).outlineStyle")
    assert others == "none"
    in_view = tab.locator(f"#r-{region.slug}").evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }"
    )
    assert in_view
    context.close()


def test_the_article_header_reads_the_same_in_the_digest_and_the_e_paper(live):
    """One header partial for both web channels: series and kicker, subtitle, byline read alike in each."""
    digest = html((live.out / "digest" / "index.html").read_bytes())
    compared = 0
    for article in live.issue.articles:
        if not article.body:
            continue
        there = digest.get_element_by_id(article.slug)
        here = html(next((live.out / "epaper").glob(f"*/{article.slug}.html")).read_bytes()).find(".//article/header")
        for name in ("kicker", "subtitle"):
            a, b = there.find(f"p[@class='{name}']"), here.find(f"p[@class='{name}']")
            assert (a is None) == (b is None), (article.slug, name)
            if a is not None:
                assert squeeze(a.text_content()) == squeeze(b.text_content())
                compared += 1
        byline = article.byline or "　".join(article.author_names)
        for found in (there.find("p[@class='byline']"), here.find("p[@class='byline']")):
            assert squeeze(found.text_content()).startswith(squeeze(byline))
        assert here.find("p[@class='byline']/span[@class='printed']") is not None
        assert there.find("p[@class='byline']/span").text == f"约{article.reading_minutes}分钟"
    assert compared > 5


@pytest.mark.parametrize("width", [360, 1280])
def test_a_search_box_on_every_view_finds_the_archive(live, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=True, is_mobile=width < 600)
    tab = context.new_page()
    article = live.issue.articles[0]
    for path in (f"/epaper/{DATE}/01/", f"/epaper/{DATE}/{live.pages.page_of(article.slug):02d}/{article.slug}.html", "/epaper/"):
        tab.goto(live.url + path)
        form = tab.locator("form[role=search]")
        assert form.count() == 1 and form.get_attribute("action") == live.url + "/search", path
        sizes = form.locator("input, button").evaluate_all(
            "es => es.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
        )
        assert len(sizes) == 2 and all(w >= 44 and h >= 44 for w, h in sizes), sizes  # 44 px targets
        assert form.locator("input").get_attribute("aria-label") == "搜索往期"
        assert tab.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scroll
    tab.goto(f"{live.url}/epaper/{DATE}/01/")
    tab.locator("form[role=search] input[name=q]").fill("嘉靖通宝")
    tab.locator("form[role=search] button").click()
    tab.wait_for_url("**/search?q=*")
    titles = tab.locator("a.hit-title").all_inner_texts()
    assert [squeeze(t) for t in titles] == ["世界钱王“嘉靖通宝”迁徙之路"]
    context.close()


# -- one 版 numbering in every channel -----------------------------------------------------------


def test_every_channel_gives_each_article_the_page_the_pdf_prints_it_on(live):
    """第N版 per article read from the PDF's outline, the e-paper, the EPUB, the digest and the feeds."""
    pdf = pypdfium2.PdfDocument(live.out / "pdf" / f"{SAMPLE_ID}.pdf")
    titles = {squeeze(a.headline): a.slug for a in live.issue.articles}
    from_pdf = {
        titles[squeeze(m.get_title())]: m.get_dest().get_index() + 1 for m in pdf.get_toc() if squeeze(m.get_title()) in titles
    }
    pdf.close()
    assert len(from_pdf) == len(live.issue.articles)

    def number(label: str) -> int:
        return int(re.search(r"第(\d+)版", label).group(1))

    epaper = {}
    for slug in from_pdf:
        for folder in sorted((live.out / "epaper").glob(f"*/{slug}.html")):
            doc = html(folder.read_bytes())
            epaper[slug] = number(doc.findtext(".//span[@class='printed']"))
            assert int(folder.parent.name) == epaper[slug]
    digest = html((live.out / "digest" / "index.html").read_bytes())
    from_digest = {a.get("id"): number(a.findtext(".//p[@class='pg']")) for a in digest.findall(".//article")}
    book = zipfile.ZipFile(next((live.out / "epub").glob("*.epub")))
    from_epub = {}
    for name in book.namelist():
        if name.endswith(".xhtml") and "/a-" not in name and "text/" in name:
            doc = lxml.html.fromstring(book.read(name))
            label = doc.findtext(".//p[@class='section-label']")
            headline = doc.findtext(".//h1")
            if label and headline and squeeze(headline) in titles:
                from_epub[titles[squeeze(headline)]] = number(label)
    feed = feedparser.parse((live.out / "rss" / "feed.xml").read_bytes())
    from_feed = {
        titles[squeeze(e.title)]: number(lxml.html.fromstring(e.content[0].value).find(".//p[@class='meta']").text_content())
        for e in feed.entries
        if squeeze(e.title) in titles
    }
    items = json.loads((live.out / "jsonfeed" / "feed.json").read_text(encoding="utf-8"))["items"]
    from_json_feed = {
        titles[squeeze(i["title"])]: number(lxml.html.fromstring(i["content_html"]).find(".//p[@class='meta']").text_content())
        for i in items
        if squeeze(i["title"]) in titles
    }
    assert epaper == from_pdf
    with_text = {a.slug for a in live.issue.articles if a.body}  # web channels leave out photo stories without a photo
    for found in (from_digest, from_epub, from_feed, from_json_feed):
        assert set(found) >= with_text
        assert found == {slug: from_pdf[slug] for slug in found}
    assert len(set(from_pdf.values())) > 3  # the stories really are on many pages


def test_admin_previews_the_e_paper_in_a_phone_frame(live):
    from tests.test_admin import sign_in

    editor = live.app.test_client()
    assert sign_in(editor, "editor", PASSWORD).status_code == 302
    page = editor.get(f"/admin/builds/{live.build_id}/preview/epaper").get_data(as_text=True)
    frame = f"/admin/builds/{live.build_id}/files/epaper/01/index.html"
    assert re.search(rf'<iframe name="phone"[^>]*sandbox="allow-same-origin allow-popups"[^>]*\s+src="{frame}"', page)
    assert f"共 {len(live.pages.pages)} 版、{len(live.issue.articles)} 篇" in page
    shown = editor.get(frame)
    assert shown.status_code == 200 and "第1版" in shown.get_data(as_text=True)
    assert "sandbox" in shown.headers["Content-Security-Policy"]


# -- an issue imported from the paper's own print PDF -------------------------------------------


@dataclass
class Imported:
    original: Path  # the print PDF as another engine made it
    issue: object  # the issue as the import wrote it and the loader reads it
    out: Path  # the build's issue folder


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Imported:
    """A 人民日报 issue of the corpus printed by another engine (ReportLab, six columns, a vertical headline, a story
    continued on page 2), imported with ``publisher import-pdf`` and built into the e-paper and the digest."""
    from click.testing import CliRunner

    from publisher import loading, pipeline
    from publisher.cli import main
    from publisher_channels.digest import DigestChannel
    from publisher_channels.epaper import EpaperChannel
    from tests import corpus

    tmp = tmp_path_factory.mktemp("epaper-imported")
    original = tmp / "print.pdf"
    corpus.render(corpus.dated("rmrb", "2026-01-05"), "six-col-vertical-jump", original)
    content = tmp / "content"
    (content / "issues").mkdir(parents=True)
    config_file = tmp / "config.yaml"
    config_file.write_text(f"content: {content}\noutput: {tmp / 'out'}\ndata: {tmp / 'data'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config_file), "import-pdf", str(original), "--number", "1"])
    assert result.exit_code == 0, result.output
    [folder] = (content / "issues").iterdir()
    issue = loading.load_issue(folder)
    report = pipeline.build(issue, [EpaperChannel, DigestChannel], make_config(content, tmp), issue_dir=folder)
    assert all(r.ok for r in report.results), [(r.channel, r.error) for r in report.results]
    return Imported(original, issue, tmp / "out" / issue.id)


def test_an_imported_issue_shows_the_papers_own_pages(imported):
    """The page images are the original PDF's pages (pixels), not our re-set PDF's; its PDFs are the original's."""
    from PIL import ImageChops, ImageStat

    original = pypdfium2.PdfDocument(imported.original)
    own = pypdfium2.PdfDocument(imported.out / "pdf" / f"{imported.issue.id}.pdf")
    pages = sorted(p.name for p in (imported.out / "epaper").iterdir() if p.is_dir() and p.name.isdigit())
    assert pages == [f"{n:02d}" for n in range(1, len(original) + 1)] and len(original) == 2

    def drawn(doc, index: int, size: tuple[int, int]) -> Image.Image:
        page = doc[index]
        image = page.render(scale=size[0] / page.get_width()).to_pil().convert("L").resize(size)
        page.close()
        return image

    for index, name in enumerate(pages):
        folder = imported.out / "epaper" / name
        with Image.open(folder / "page.webp") as shown:
            shown = shown.convert("L")
            assert shown.width == 1200
            to_original = ImageStat.Stat(ImageChops.difference(shown, drawn(original, index, shown.size))).mean[0]
            assert to_original < 3, to_original  # the original page, as WebP
            if index < len(own):
                to_own = ImageStat.Stat(ImageChops.difference(shown, drawn(own, index, shown.size))).mean[0]
                assert to_own > 3 * to_original + 3, (to_own, to_original)
        doc = html((folder / "index.html").read_bytes())
        single = doc.find(".//p[@class='downloads']/a").get("href")
        one = pypdfium2.PdfDocument(folder / single)
        assert len(one) == 1 and one[0].get_textpage().get_text_range() == original[index].get_textpage().get_text_range()
        one.close()
        whole = doc.find(".//p[@class='downloads']/a[2]").get("href")
        assert whole.endswith(f"/epaper/{imported.issue.date.isoformat()}/{imported.issue.id}.pdf")
    assert (imported.out / "epaper" / f"{imported.issue.id}.pdf").read_bytes() == imported.original.read_bytes()
    original.close()
    own.close()


def test_an_imported_issues_regions_are_the_importers_boxes(imported):
    """Each article's areas are the rectangles import-pdf recorded for it on that page, scaled to the image."""
    issue = imported.issue
    placed = {(a.slug, p.page): p.boxes for a in issue.articles for p in a.print_boxes}
    assert any(len([k for k in placed if k[0] == a.slug]) == 2 for a in issue.articles)  # the story continued
    seen = set()
    for number, (width, _) in enumerate(issue.print_pdf.pages, 1):
        folder = imported.out / "epaper" / f"{number:02d}"
        doc = html((folder / "index.html").read_bytes())
        scale = 1200 / width
        areas = doc.findall(".//map[@name='regions']/area")
        expected = [
            (a.headline, [round(v * scale) for v in (x0, y0, x1, y0, x1, y1, x0, y1)])
            for a in issue.articles
            for x0, y0, x1, y1 in placed.get((a.slug, number), ())
        ]
        assert len(areas) == len(expected) > 0
        for area, (headline, coords) in zip(areas, expected):
            assert area.get("alt") == headline
            found = [int(v) for v in area.get("coords").split(",")]
            assert all(abs(f - c) <= 1 for f, c in zip(found, coords)), (found, coords)
            target = html((folder / area.get("href")).read_bytes())
            assert squeeze(target.findtext(".//article//h1")) == squeeze(headline)
        sidecar = json.loads((folder / "regions.json").read_text(encoding="utf-8"))
        for entry in sidecar["articles"]:
            boxes = placed[(entry["slug"], number)]
            rects = [(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]
            assert all(abs(a - b) < 0.01 for got, want in zip(entry["rects"], rects) for a, b in zip(got, want))
            seen.add(entry["slug"])
    assert seen == {a.slug for a in issue.articles}


def test_an_imported_issue_has_the_papers_page_numbers_in_every_channel(imported):
    """第N版 is the page of the paper's PDF an article starts on, in the e-paper and the digest alike."""
    first = {a.slug: min(p.page for p in a.print_boxes) for a in imported.issue.articles}
    digest = html((imported.out / "digest" / "index.html").read_bytes())
    from_digest = {
        a.get("id"): int(re.search(r"第(\d+)版", a.findtext(".//p[@class='pg']")).group(1)) for a in digest.findall(".//article")
    }
    assert from_digest == first
    for slug, number in first.items():
        doc = html((imported.out / "epaper" / f"{number:02d}" / f"{slug}.html").read_bytes())
        assert re.findall(r"第(\d+)版", doc.findtext(".//span[@class='printed']")) == [
            str(p.page) for a in imported.issue.articles if a.slug == slug for p in a.print_boxes
        ]
