"""The print-layout PDF channel: a newspaper replica checked with the real readers of PDF.

The sample issue is rendered once per session and shared; pdftotext, pdffonts,
pdfinfo and qpdf read it as a print shop or a reader's tools would. The page
make-up arithmetic is tested on its own, without WeasyPrint.
"""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from publisher import images, loading, pagemap, pipeline
from publisher.fonts import cjk
from publisher.model import Issue
from publisher_channels.pdf import PdfChannel, compose
from publisher_channels.pdf import fork as pdf_fork
from publisher_channels.pdf.fetch import LocalOnlyFetcher
from publisher_channels.pdf.galley import Geometry
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, in_folder, make_config, root

PDF_TEMPLATES = PdfChannel.template_folder()

pytestmark = pytest.mark.slow

#: Characters a Chinese line may never start with (kinsoku: closing punctuation).
NO_LINE_START = set("。，、；：？！）」』》〉】”’")


@dataclass
class Built:
    issue: Issue
    result: pipeline.ChannelResult
    folder: Path  # the channel's output folder

    @property
    def pdf(self) -> Path:
        return self.folder / f"{self.issue.id}.pdf"


def build(content: Path, issue_id: str, out: Path, **options) -> Built:
    config = make_config(content, out, channels={"pdf": options} if options else {})
    folder = loading.issue_dir(config.content_dir, issue_id)
    issue = loading.load_issue(folder)
    result = pipeline.build_channel(PdfChannel, issue, folder, config, out / "out")
    return Built(images.readable(issue, in_folder(folder)).issue, result, out / "out" / issue_id / "pdf")  # as readers get it


def tool(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reading_text(built: Built) -> str:
    """The PDF's text in its reading order (pdftotext -raw), without running heads, folios and jump lines."""
    text = squeeze(tool("pdftotext", "-raw", str(built.pdf), "-"))
    issue = built.issue
    text = text.replace(squeeze(f"{issue.paper} {issue.date_zh} {issue.weekday}"), "")
    names = "|".join(re.escape(squeeze(s.name)) for s in issue.sections)
    return re.sub(rf"(?:{names})(?:·(?:{names}))*第\d+版|—\d+—|（(?:上接|下转)第\d+版）", "", without_guide(text, issue))


def without_guide(text: str, issue: Issue) -> str:
    """The text without page one's 导读 box (each later section, its first headline, its page)."""
    text = text.replace("导读", "", 1)
    for section, articles in issue.by_section()[1:]:
        if articles:
            text = re.sub(rf"{re.escape(squeeze(section.name))}.{{0,60}}?第\d+版", "", text, count=1)
    return text


def in_order(text: str, pieces: list[str]) -> list[str]:
    """The pieces that are not found, each contiguous, in this order."""
    missing, at = [], 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            missing.append(piece[:30])
        else:
            at = found + len(piece)
    return missing


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Built:
    """The sample issue, rendered once for every test here."""
    built = build(SAMPLE_CONTENT, SAMPLE_ID, tmp_path_factory.mktemp("pdf-sample"))
    assert built.result.ok, built.result.detail
    return built


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Built:
    built = build(root("hostile"), "2025-06-01-1400", tmp_path_factory.mktemp("pdf-hostile"))
    assert built.result.ok, built.result.detail
    return built


# -- the sample issue, as readers and printers see it --------------------------------------


def test_every_headline_and_every_article_in_full_in_reading_order(sample):
    text = reading_text(sample)
    pieces = []
    for article in sample.issue.articles:
        pieces.append(squeeze(article.headline))
        pieces += [squeeze(block.text) for block in article.body if block.text.strip()]
    assert in_order(text, pieces) == []
    assert len(pieces) > 200


def test_page_map_puts_every_article_where_the_pdf_prints_it(sample):
    """pages.json: one entry per PDF page; each article's first region holds its headline's text in the PDF."""
    pages = pagemap.read(sample.folder)
    document = pypdfium2.PdfDocument(sample.pdf)
    assert [p.number for p in pages.pages] == list(range(1, len(document) + 1))
    assert {a.slug for a in sample.issue.articles} == {r.slug for p in pages.pages for r in p.regions}
    for page in pages.pages:
        pdf_page = document[page.number - 1]
        assert (page.width, page.height) == (round(pdf_page.get_width(), 2), round(pdf_page.get_height(), 2))
        text = pdf_page.get_textpage()
        for region in page.regions:
            if pages.page_of(region.slug) != page.number:
                continue
            x, y, w, h = region.rects[0]
            inside = squeeze(text.get_text_bounded(x, page.height - y - h, x + w, page.height - y))
            assert squeeze(region.headline)[:12] in inside, (page.number, region.headline)
    for page in pages.pages[1:]:  # the running head names the page's section and its 版
        assert f"{squeeze(page.sections[-1])}{page.label}" in squeeze(document[page.number - 1].get_textpage().get_text_range())


def test_no_line_starts_with_closing_punctuation(sample):
    lines = [line.strip() for line in tool("pdftotext", "-raw", str(sample.pdf), "-").splitlines()]
    lines = [line for line in lines if line]
    assert len(lines) > 1500
    assert [line for line in lines if line[0] in NO_LINE_START] == []


def test_body_lines_are_justified_to_the_column_edge(sample):
    """Most body lines end exactly at their column's right edge (Chinese justified by letter spacing)."""
    layout = tool("pdftotext", "-f", "1", "-l", "3", "-bbox-layout", str(sample.pdf), "-")
    lines = re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', layout, re.S)
    heights = [round(float(y1) - float(y0), 1) for _, y0, _, y1, _ in lines]
    body_height = max(set(heights), key=heights.count)  # the body type is the commonest line
    body = [
        (float(x0), float(x1))
        for x0, y0, x1, y1, words in lines
        if abs(float(y1) - float(y0) - body_height) < 0.2 and len(re.sub(r"<[^>]+>|\s", "", words)) >= 10
    ]
    edges = sorted({round(x1) for _, x1 in body})
    right = [e for e in edges if sum(1 for _, x1 in body if abs(x1 - e) < 0.8) >= 20]
    flush = sum(1 for _, x1 in body if any(abs(x1 - e) < 0.8 for e in right))
    assert len(body) > 400
    assert flush / len(body) > 0.9, (flush, len(body), right)


def test_stories_split_over_pages_carry_jump_lines_to_each_other(sample):
    """下转第N版 at the foot of a story's part names the page it goes on, 上接第M版 there the page it came from."""
    pages = int(re.search(r"Pages:\s+(\d+)", tool("pdfinfo", str(sample.pdf)))[1])
    texts = {n: squeeze(tool("pdftotext", "-raw", "-f", str(n), "-l", str(n), str(sample.pdf), "-")) for n in range(1, pages + 1)}
    texts[1] = without_guide(texts[1], sample.issue)
    spans = []
    for article in sample.issue.articles:
        lines = [squeeze(b.text) for b in article.body if b.text.strip()]
        if not lines:
            continue  # a photo with its caption: nothing to split
        first = next(n for n, t in texts.items() if squeeze(article.headline) in t)
        last = next(n for n, t in texts.items() if lines[-1][-12:] in t and n >= first)
        spans += [(m, m + 1) for m in range(first, last)]
    assert spans, "the sample issue should have a story split over pages"
    for start, on in spans:
        assert re.findall(r"下转第(\d+)版", texts[start])[-1] == str(on), start
        assert re.findall(r"上接第(\d+)版", texts[on])[0] == str(start), on
    jumps = sum(len(re.findall(r"（(?:上接|下转)第\d+版）", t)) for t in texts.values())
    assert jumps == 2 * len(spans)  # no jump line where no story is split


def test_page_one_opens_with_the_masthead(sample):
    issue = sample.issue
    page_one = squeeze(tool("pdftotext", "-raw", "-f", "1", "-l", "1", str(sample.pdf), "-"))
    for value in (
        issue.paper,
        issue.paper_en,
        issue.serial,
        "国内统一连续出版物号",
        issue.date_zh,
        issue.weekday,
        issue.lunar_date,
        issue.number_label,
        issue.publisher,
        issue.website,
        issue.grade,
    ):
        assert squeeze(value) in page_one, value
    assert page_one.index(squeeze(issue.paper_en)) < page_one.index(squeeze(issue.articles[0].headline))


def test_every_page_has_running_head_and_folio(sample):
    pages = int(re.search(r"Pages:\s+(\d+)", tool("pdfinfo", str(sample.pdf)))[1])
    names = "|".join(re.escape(s.name) for s in sample.issue.sections)
    for n in range(1, pages + 1):
        text = squeeze(tool("pdftotext", "-raw", "-f", str(n), "-l", str(n), str(sample.pdf), "-"))
        if n > 1:  # page one has the masthead instead
            assert squeeze(f"{sample.issue.paper} {sample.issue.date_zh} {sample.issue.weekday}") in text
        head = re.search(rf"(?:{names})(?:·(?:{names}))*第{n}版", text)
        assert head, f"page {n} has no running head"
        assert f"—{n}—" in text


def test_page_one_prints_the_date_once_and_points_into_the_issue(sample):
    issue = sample.issue
    page_one = squeeze(tool("pdftotext", "-raw", "-f", "1", "-l", "1", str(sample.pdf), "-"))
    assert page_one.count(squeeze(issue.date_zh)) == 1
    guide = re.search(r"导读(.*?)" + re.escape(squeeze(issue.sections[0].name)), page_one).group(1)
    pages = pagemap.read(sample.folder)
    for section, articles in issue.by_section()[1:]:
        start = min(pages.page_of(a.slug) for a in articles)
        assert re.search(rf"{re.escape(section.name)}.*?第{start}版", guide), section.name


def test_sections_open_with_their_band_and_short_ones_share_a_page(sample):
    doc = pypdfium2.PdfDocument(str(sample.pdf))
    try:
        starts = {}
        for mark in doc.get_toc():
            if mark.level == 0:
                starts[mark.get_title()] = mark.get_dest().get_index()
    finally:
        doc.close()
    filled = [s.name for s, articles in sample.issue.by_section() if articles]
    assert list(starts) == filled
    pages = list(starts.values())
    assert pages == sorted(pages) and pages[0] == 0
    assert len(set(pages)) < len(pages)  # some page holds the start of two sections
    for name, index in starts.items():
        first = tool("pdftotext", "-raw", "-f", str(index + 1), "-l", str(index + 1), str(sample.pdf), "-")
        assert squeeze(name) in squeeze(first)


def test_pages_are_filled_like_a_newspaper(sample):
    """Every page but the last ≥ 85% full, none below 60%, as the page map reports it (grid lines set);
    and in the pixels: in each column, the grid lines down to the column's last ink, without blank runs of two
    lines or more (a line of space between stories counts as set; a blank column foot does not)."""
    pages = pagemap.read(sample.folder)
    fills = [p.fill for p in pages.pages]
    assert all(f >= 0.85 for f in fills[:-1]) and fills[-1] >= 0.6, fills
    g = Geometry.create("A3", (20, 14, 16, 14), 5, 9.5, 13.5)
    doc = pypdfium2.PdfDocument(str(sample.pdf))
    inked = []
    for page in doc:
        image = page.render(scale=96 / 72).to_pil().convert("L")  # one image pixel per CSS px
        empty = 0
        for col in range(g.columns):
            left = g.margins[3] + g.x(col)
            ink = []
            for row in range(g.rows):
                top = g.margins[0] + row * g.leading
                box = image.crop((round(left), round(top), round(left + g.column_width), round(top + g.leading)))
                ink.append(box.getextrema()[0] < 200)
            for row in range(g.rows):
                above = row > 0 and not ink[row - 1]
                below = row + 1 < g.rows and not ink[row + 1]
                empty += not ink[row] and (above or below)
        inked.append(1 - empty / (g.columns * g.rows))
        page.close()
    doc.close()
    print("fill by page (page map, pixels):", [(f, round(i, 3)) for f, i in zip(fills, inked)])
    assert all(f >= 0.7 for f in inked[:-1]) and inked[-1] >= 0.5, [round(f, 3) for f in inked]


def test_no_headline_or_subhead_leaves_one_character_alone_on_its_last_line(sample):
    lines = [squeeze(line) for line in tool("pdftotext", "-raw", str(sample.pdf), "-").splitlines()]
    texts = [squeeze(a.headline) for a in sample.issue.articles]
    texts += [squeeze(b.text) for a in sample.issue.articles for b in a.body if b.kind.value == "subhead"]
    assert len(texts) > 40
    for i, line in enumerate(lines[1:], 1):
        if len(line) == 1:
            assert not any(t.endswith(lines[i - 1][-3:] + line) for t in texts), (lines[i - 1], line)


def test_a_boxed_editors_note_keeps_its_paragraphs_apart(sample):
    text = tool("pdftotext", "-raw", str(sample.pdf), "-")
    notes = [a.editor_note for a in sample.issue.articles if a.editor_note and "\n\n" in a.editor_note]
    assert notes
    for note in notes:
        for para in note.split("\n\n")[1:]:
            assert re.search(r"(?:^|\n)\s*" + re.escape(para.strip()[:8]), text), para[:20]


def test_outline_is_section_then_article(sample):
    doc = pypdfium2.PdfDocument(str(sample.pdf))
    try:
        marks = [(m.level, m.get_title()) for m in doc.get_toc()]
    finally:
        doc.close()
    expected = []
    for section, articles in sample.issue.by_section():
        if articles:
            expected.append((0, section.name))
            expected += [(1, a.headline) for a in articles]
    assert marks == expected


def test_fonts_embedded_and_subset(sample):
    rows = tool("pdffonts", str(sample.pdf)).splitlines()[2:]
    assert len(rows) >= 2
    families = set()
    for row in rows:
        fields = row.split()
        assert fields[-5:-2] == ["yes", "yes", "yes"], row  # emb sub uni
        families.add(re.sub(r"^[A-Z]{6}\+", "", fields[0]))
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= families, families


def test_qpdf_check_is_clean(sample):
    result = subprocess.run(["qpdf", "--check", str(sample.pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_metadata_language_tags_and_size(sample):
    info = tool("pdfinfo", str(sample.pdf))
    issue = sample.issue
    assert re.search(rf"Title:\s+{re.escape(issue.title)}\n", info)
    assert re.search(rf"Author:\s+{re.escape(issue.publisher)}\n", info)
    assert "Tagged:          yes" in info
    assert "Page size:       841.89 x 1190.55 pts (A3)" in info
    assert "JavaScript:      no" in info
    doc = pypdfium2.PdfDocument(str(sample.pdf))
    try:
        meta = doc.get_metadata_dict()
    finally:
        doc.close()
    assert meta["CreationDate"].startswith("D:20250419") and meta["ModDate"] == meta["CreationDate"]
    catalog = tool("qpdf", "--show-object=trailer", str(sample.pdf))
    root_ref = re.search(r"/Root (\d+) 0 R", catalog)[1]
    assert "/Lang (zh-CN)" in tool("qpdf", f"--show-object={root_ref}", str(sample.pdf))
    assert sample.pdf.stat().st_size < 2 * 1024 * 1024


def test_thumbnails_show_every_page(sample):
    pages = int(re.search(r"Pages:\s+(\d+)", tool("pdfinfo", str(sample.pdf)))[1])
    thumbs = sorted((sample.folder / "thumbs").glob("*.png"))
    assert [t.name for t in thumbs] == [f"page-{n:03d}.png" for n in range(1, pages + 1)]
    outputs = {str(sample.folder / f.path) for f in sample.result.files}
    assert {str(t) for t in thumbs} <= outputs and str(sample.pdf) in outputs
    for number, thumb in enumerate(thumbs, start=1):
        with Image.open(thumb) as image:
            assert image.width == 300 and 1.38 < image.height / image.width < 1.44
            inked = sum(image.convert("L").point(lambda px: 255 if px < 235 else 0).histogram()[255:])
            share = inked / (image.width * image.height)
            assert share > (0.08 if number == 1 else 0.01), thumb  # printed matter, never a blank page
    assert sum(t.stat().st_size for t in thumbs) < 1024 * 1024


# -- the hostile issue --------------------------------------------------------------------


def test_hostile_text_survives_as_text(hostile):
    text = reading_text(hostile)
    assert "危险<script>alert(1)</script>标题" in text  # plain text stays text, escaped, never markup
    assert "𡃁" in text
    assert "正文第一段" in text and "很长的标题下面只有一段正文。" in text
    assert squeeze(hostile.issue.articles[1].headline) in text
    assert "JavaScript:      no" in tool("pdfinfo", str(hostile.pdf))
    assert b"javascript" not in hostile.pdf.read_bytes().lower()


def test_jump_lines_count_the_pages_running_text_took(copy_root, tmp_path):
    """After a story set as running text over three pages, a split story's jump lines name the pages as printed."""
    content = copy_root("hostile")
    paragraphs = "\n\n".join(
        f"第{i}段，铝业公司稳步推进绿色低碳转型，持续提升产业链供应链韧性和安全水平。" * 4 for i in range(90)
    )
    (content / "issues" / "2025-06-01-1400" / "03-split.md").write_text(
        f"---\nheadline: 分两版刊出的长文\nsection: yaowen\n---\n{paragraphs}\n"
    )
    built = build(content, "2025-06-01-1400", tmp_path)
    assert built.result.ok, built.result.detail
    pages = int(re.search(r"Pages:\s+(\d+)", tool("pdfinfo", str(built.pdf)))[1])
    texts = [squeeze(tool("pdftotext", "-raw", "-f", str(n), "-l", str(n), str(built.pdf), "-")) for n in range(1, pages + 1)]
    start = next(n for n, t in enumerate(texts, 1) if "分两版刊出的长文" in t)
    assert start >= 4  # the running text before it took more than its one planned page
    assert f"下转第{start + 1}版" in texts[start - 1] and f"要闻第{start}版" in texts[start - 1]
    assert f"上接第{start}版" in texts[start]


def test_hostile_missing_glyphs_and_problems_are_reported(hostile):
    warnings = hostile.result.warnings
    emoji = [w for w in warnings if "U+1F600" in w]
    assert emoji and "2025-hostile" in emoji[0]
    assert not any("U+210C1" in w for w in warnings)  # 𡃁 is in Noto CJK: printed, not reported
    assert any("空版" in w and "no articles" in w for w in warnings)
    assert any("running text" in w and "long" in w for w in warnings)


# -- nothing leaves the machine, nothing outside the issue is read -------------------------


class Canary(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that counts every connection it accepts."""

    def __init__(self):
        self.connections = 0
        super().__init__(("127.0.0.1", 0), Redirector)

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True


class Redirector(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    server = Canary()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_no_request_leaves_and_no_outside_file_is_read(canary, copy_root, tmp_path):
    url = f"http://127.0.0.1:{canary.server_address[1]}"
    content = copy_root("tiny")
    issue_dir = content / "issues" / "2025-05-01-1331"
    (issue_dir / "images").mkdir()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(issue_dir / "images" / "wind.png")
    (issue_dir / "images" / "evil.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{url}/svg.png" width="5" height="5"/><image href="file:///etc/passwd" width="5" height="5"/></svg>'
    )
    article = issue_dir / "01-lvse-dixing.md"
    article.write_text(
        article.read_text().replace(
            "figures:\n  - {caption: 图为风电场。, credit: 王五 摄}",
            "figures:\n  - {caption: 图为风电场。, credit: 王五 摄, src: images/wind.png}",
        )
        + f'\n<img src="{url}/img.png"><a href="{url}/link">链接</a> file:///etc/passwd\n'
    )
    # an SVG that fetches is no photo: its article is left out (a symlink out of the folder is a load error, test_loading)
    comment = issue_dir / "02-pinglun.md"
    comment.write_text(comment.read_text().replace("---\n", "---\nfigures:\n  - {caption: 矢量图。, src: images/evil.svg}\n", 1))
    site = tmp_path / "site" / "pdf"
    site.mkdir(parents=True)
    original = (PDF_TEMPLATES / "pdf.css").read_text()
    (site / "pdf.css").write_text(
        f"@import url({url}/import.css);\n{original}\n"
        f".mast {{ background: url({url}/redirect) }}\n"
        f".band {{ background-image: url(file:///etc/passwd) }}\n"
        f"@font-face {{ font-family: Canary; src: url({url}/font.woff) }} .kicker {{ font-family: Canary }}\n"
        f".head::after {{ content: url({url}/after.png) }}\n"
    )
    config = make_config(content, tmp_path, templates=tmp_path / "site")
    folder = loading.issue_dir(config.content_dir, "2025-05-01-1331")
    issue = loading.load_issue(folder)
    result = pipeline.build_channel(PdfChannel, issue, folder, config, tmp_path / "out")
    assert result.ok, result.detail
    assert canary.connections == 0
    refused = " ".join(w for w in result.warnings if "may not read" in w)
    for asked in ("import.css", "redirect", "font.woff", "after.png", "file:///etc/passwd"):
        assert asked in refused, asked
    pdf = tmp_path / "out" / "2025-05-01-1331" / "pdf" / "2025-05-01-1331.pdf"
    text = tool("pdftotext", "-raw", str(pdf), "-")
    assert "root:" not in text and "链接" in text and "图为风电场。" in text
    assert any("images/evil.svg 不是可读的图片" in w for w in result.warnings) and "矢量图" not in text
    # the fetcher really is reachable: an unguarded fetch of the canary would have counted
    with pytest.raises(Exception):
        LocalOnlyFetcher([issue_dir]).fetch(f"{url}/direct")
    assert canary.connections == 0


def test_fetcher_serves_only_files_below_its_roots(tmp_path):
    inside = tmp_path / "issue"
    (inside / "images").mkdir(parents=True)
    (inside / "images" / "a.png").write_bytes(b"\x89PNG")
    (inside / "images" / "escape.png").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = LocalOnlyFetcher([inside])
    assert fetcher.fetch((inside / "images" / "a.png").as_uri()).read() == b"\x89PNG"
    for url in (
        (tmp_path / "secret.txt").as_uri(),
        (inside / "images" / "escape.png").as_uri(),
        (inside / "images" / ".." / ".." / "secret.txt").as_uri().replace("/images/../..", "/images/%2e%2e/%2e%2e"),
        "file://evil.example/etc/passwd",
        "data:text/plain,hello",
        "ftp://127.0.0.1/x",
        "https://example.org/x.png",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7 and len(fetcher.served) == 1


# -- options, reproducibility -------------------------------------------------------------


def test_broadsheet_six_columns_and_rebuild_is_identical(tmp_path, monkeypatch):
    first = build(root("tiny"), "2025-05-01-1331", tmp_path / "a", page="broadsheet", columns=6)
    monkeypatch.setenv(pdf_fork.NO_FORK_ENV, "1")  # the same PDF whether half the galley ran in a child or not
    again = build(root("tiny"), "2025-05-01-1331", tmp_path / "b", page="broadsheet", columns=6)
    assert first.result.ok and again.result.ok, first.result.detail
    assert "Page size:       1105.51 x 1530.71 pts" in tool("pdfinfo", str(first.pdf))
    assert first.pdf.read_bytes() == again.pdf.read_bytes()
    text = squeeze(tool("pdftotext", "-raw", str(first.pdf), "-"))
    assert squeeze(first.issue.articles[0].body[0].text) in text


@pytest.mark.parametrize(
    "options, complaint",
    [
        ({"columns": 7}, "columns"),
        ({"page": "A4"}, "page"),
        ({"body_size": 10, "leading": 16}, "leading"),
    ],
)
def test_bad_options_fail_with_a_clear_message(tmp_path, options, complaint):
    built = build(root("tiny"), "2025-05-01-1331", tmp_path, **options)
    assert not built.result.ok
    assert built.result.error.startswith("config.yaml channels.pdf") and complaint in built.result.error


# -- page make-up on the grid, without WeasyPrint -----------------------------------------


def story(index: int, paragraphs: list[int], header: int = 3, subhead_at: int | None = None, figures=()) -> compose.Story:
    blocks = [compose.GridBlock(n) for n in paragraphs]
    if subhead_at is not None:
        blocks.insert(subhead_at, compose.GridBlock(2, breakable=False, keep_with_next=True))
    return compose.Story(index, {k: header for k in range(2, 7)}, tuple(blocks), tuple(figures))


def placed_lines(pages: list[compose.Page], stories: list[compose.Story]) -> dict[int, list[tuple[int, int]]]:
    """Every (block, line) each story printed, in the order printed."""
    seen: dict[int, list[tuple[int, int]]] = {s.index: [] for s in stories}
    for page in pages:
        for module in page.modules:
            for column in module.columns:
                for block, start, end in column:
                    seen[module.story] += [(block, line) for line in range(start, end)]
    return seen


def test_balanced_columns_hold_everything_in_order_and_end_level():
    s = story(0, [7, 12, 3, 9, 15, 4], subhead_at=3)
    height, columns, _ = compose.balance(s, 5)
    total = sum(b.lines for b in s.blocks)
    assert height == -(-total // 5) or height <= -(-total // 5) + 2
    flat = [(b, line) for column in columns for b, start, end in column for line in range(start, end)]
    assert flat == [(b, line) for b, block in enumerate(s.blocks) for line in range(block.lines)]
    used = [sum(end - start for _, start, end in column) for column in columns]
    assert max(used) <= height and min(used[:-1]) >= height - 2


def test_a_subhead_never_ends_a_column():
    s = story(0, [5, 5, 5, 5], subhead_at=1)  # the subhead would fall at the foot of the first column
    columns, _ = compose.fill(s.blocks, (0, 0), [6, 6, 6, 6])
    for column in columns:
        last_block = column[-1][0]
        assert not s.blocks[last_block].keep_with_next
    first = columns[0]
    assert first == [(0, 0, 5)]  # it moved to the next column with the lines that follow it


def test_long_story_splits_over_pages_with_its_headline_never_stranded():
    grid = compose.Grid(5, 60)
    stories = [story(0, [40] * 5), story(1, [30] * 14, header=6), story(2, [20] * 3)]
    pages = compose.compose(grid, masthead=8, bands={0: 3}, sections=[(0, stories)])
    assert len(pages) >= 3
    for page in pages:
        for module in page.modules:
            assert module.top + module.height <= grid.rows
            body = sum(e - s for column in module.columns for _, s, e in column)
            if module.header:
                assert body >= compose.MIN_BODY
        tops = sorted((m.top, m.col, m.top + m.height, m.col + m.span) for m in page.modules)
        for a, b in zip(tops, tops[1:]):  # no two modules overlap
            assert b[0] >= a[2] or b[1] >= a[3] or a[1] >= b[3]
    printed = placed_lines(pages, stories)
    for s in stories:
        assert printed[s.index] == [(b, line) for b, block in enumerate(s.blocks) for line in range(block.lines)]
    headers = [m.story for p in pages for m in p.modules if m.header]
    assert headers == [0, 1, 2]  # one headline per story, in reading order


def test_a_split_story_leaves_a_line_for_each_jump():
    grid = compose.Grid(5, 40)
    stories = [story(0, [30] * 14)]  # 420 lines: over three pages
    pages = compose.compose(grid, masthead=0, bands={0: 3}, sections=[(0, stories)])
    parts = [m for p in pages for m in p.modules]
    assert len(parts) == len(pages) >= 3
    assert parts[0].jump_in is None and parts[-1].jump_out is None
    for before, after in zip(parts, parts[1:]):
        assert before.jump_out == after.jump_in is not None  # both ends name the same cut
        used = [sum(e - s for _, s, e in column) for column in before.columns]
        assert used[-1] == before.height - before.header - compose.JUMP_LINES  # the 下转 line at the foot
        assert before.height == grid.rows - before.top
        assert after.tops()[0] == compose.JUMP_LINES  # the 上接 line atop the first column
        first_line = after.columns[0][0]
        assert (first_line[0], first_line[1]) == after.jump_in
    assert placed_lines(pages, stories)[0] == [(b, line) for b in range(14) for line in range(30)]


def test_two_short_stories_share_a_row():
    grid = compose.Grid(5, 80)
    stories = [story(0, [20, 10]), story(1, [8, 6])]
    pages = compose.compose(grid, masthead=0, bands={0: 3}, sections=[(0, stories)])
    [page] = pages
    left, right = page.modules
    assert left.top == right.top and left.col == 0 and right.col == left.span and left.span + right.span == 5
    assert left.span > right.span  # the longer story gets more columns


def test_a_page_followed_by_another_sets_its_pair_across_it_when_the_next_section_cannot_start_there():
    grid = compose.Grid(5, 30)
    short = [story(0, [20, 10]), story(1, [8, 6])]  # side by side: 13 lines under the band; stacked: 16
    following = compose.Story(2, {5: 10}, (compose.GridBlock(60),))  # its band, header and MIN_BODY need 17
    alone = compose.compose(grid, masthead=0, bands={0: 3}, sections=[(0, short)])
    shared = compose.compose(grid, masthead=0, bands={0: 3, 1: 3}, sections=[(0, short), (1, [following])])
    assert [m.span for m in alone[0].modules] == [3, 2]  # the issue's last page keeps the pair side by side
    first = shared[0]
    assert [(m.story, m.col, m.span) for m in first.modules] == [(0, 0, 5), (1, 0, 5)]
    assert first.modules[1].top == first.modules[0].top + first.modules[0].height + 1
    assert first.used <= grid.rows and first.gaps == grid.rows - first.used
    assert compose.filled(first, grid) > compose.filled(alone[0], grid)
    assert [m.story for m in shared[1].modules] == [2] and shared[1].band == 3
    printed = placed_lines(shared, [*short, following])
    for s in [*short, following]:
        assert printed[s.index] == [(b, line) for b, block in enumerate(s.blocks) for line in range(block.lines)]


def test_a_story_too_big_for_the_grid_is_set_as_running_text():
    grid = compose.Grid(5, 60)
    huge = compose.Story(1, {k: 50 for k in range(2, 7)}, (compose.GridBlock(4),))
    pages = compose.compose(grid, 8, {0: 3}, [(0, [story(0, [10]), huge, story(2, [10])])])
    assert [p.flow for p in pages] == [None, 1, None]
    assert [m.story for m in pages[2].modules] == [2]


def test_figures_sit_at_the_top_of_the_body():
    s = story(0, [30, 30], figures=({1: 8, 2: 6},))
    height, columns, slots = compose.balance(s, 5)
    assert slots == [compose.FigureSlot(0, 0, 0, 2, 6)]
    assert sum(e - b for _, b, e in columns[0]) <= height - 6


def test_datelines_run_into_the_first_paragraph(sample):
    """本报讯（…） opens the first paragraph, as printed; a signed comment keeps its byline line."""
    from publisher.text import is_dateline

    assert is_dateline("本报讯（见习记者 何丹）") and is_dateline("新华社北京4月17日电（记者 张三）")
    assert not is_dateline("□ 本报评论员") and not is_dateline("熊丽") and not is_dateline(None)
    text = reading_text(sample)
    lead = sample.issue.articles[0]
    assert squeeze(lead.byline + lead.body[0].text) in text


def test_plain_paragraphs_break_exactly_as_the_galley_sets_them(sample):
    """The direct line breaker gives the galley's very lines and justification, paragraph by paragraph."""
    from markupsafe import Markup
    from weasyprint import HTML

    from publisher import templates
    from publisher_channels.pdf.galley import Geometry, break_plain, measure, prepare, prototype_styles

    g = Geometry.create("A3", (20, 14, 16, 14), 5, 9.5, 13.5)
    env = templates.environment("pdf", PDF_TEMPLATES)

    def stories():
        return [prepare(i, a, [{}] * len(a.figures), g) for i, a in enumerate(sample.issue.articles)]

    plain = {p.id: p for s in stories() for p in s.pieces if p.plain is not None}
    assert len(plain) > 150
    in_galley = stories()
    for story in in_galley:
        for piece in story.pieces:
            piece.plain = None  # set every paragraph in the galley, as for marked-up text
    css = Markup(env.get_template("pdf.css").render(g=g, fonts=cjk("zh-CN")))
    html = env.get_template("galley.html").render(issue=sample.issue, stories=in_galley, g=g, css=css, furniture=False)
    document = HTML(string=html).render()
    galley = measure(document, set(plain), g.font_size)
    styles = prototype_styles(document)

    def lines(found):
        return [(str(line.html), line.spacing, line.indent) for line in found]

    assert {k: lines(break_plain(p, styles, g)) for k, p in plain.items()} == {k: lines(galley[k].lines) for k in plain}


FORK_PROBE = """
import os
from publisher_channels.pdf import fork
here, there = fork.both(os.getpid, os.getpid)
assert here == os.getpid() and there != here  # the second half ran in another process

def fails_in_the_child():
    if os.getpid() != here:
        raise RuntimeError("child trouble")
    return "redone here"

assert fork.both(lambda: 1, fails_in_the_child) == (1, "redone here")
print("forked")
"""


def test_half_the_work_runs_in_a_forked_child_and_falls_back_here():
    # In a process of its own: a test worker may hold other threads (a server, a loader), and then it must not fork.
    probe = subprocess.run([sys.executable, "-c", FORK_PROBE], capture_output=True, text=True)
    assert probe.returncode == 0 and probe.stdout.strip() == "forked", probe.stderr
    here = os.getpid()
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    try:  # another thread running: forking would be unsafe, so everything runs here
        assert pdf_fork.both(os.getpid, os.getpid) == (here, here)
    finally:
        stop.set()
        busy.join()
