"""The import-pdf development corpus: real articles (人民日报, 都市快报 and 蘋果日报 from public crawls, the sample
中国铝业报) laid out by four engines (our own pdf channel, ReportLab, Typst and Chromium in several styles), with the
gold of what was printed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from publisher import loading

from . import browser, typeset
from .browser import CHROMIUM_STYLES
from .layout import STYLES, Piece, Printer
from .typeset import TYPST_STYLES

HERE = Path(__file__).parent
SAMPLE = Path(__file__).resolve().parent.parent.parent / "publisher" / "sample" / "issues" / "2025-04-19-1330"


@dataclass
class CorpusIssue:
    paper: str
    date: dt.date
    number: int | None  # None: the paper's masthead prints none in our source, pass one to the importer
    pieces: list[Piece]
    source: str


CRAWLS = ("rmrb", "dskb", "hkad")  # tests/corpus/<name>.yaml: one paper each, from a public crawl


def piece(article: dict, section: str) -> Piece:
    """One article of a crawl file. A byline that opens the first paragraph is a dateline and is printed
    there, one that is the last paragraph closes the story; any other is printed on a line of its own under
    the head, as the paper does."""
    paragraphs = list(article["paragraphs"])
    byline = article.get("byline")
    photo = article.get("photo")
    return Piece(
        article["title"],
        paragraphs,
        section=article.get("section", section),
        kicker=article.get("kicker"),
        subtitle=article.get("subtitle"),
        series=article.get("series"),
        byline_line=byline if byline and not paragraphs[0].startswith(byline) and paragraphs[-1] != byline else None,
        gold_byline=byline,
        photos=[(photo["caption"], photo.get("credit"))] if photo else [],
    )


def crawl(name: str) -> list[CorpusIssue]:
    """The issues of tests/corpus/<name>.yaml, each with the repository, file and commit it was taken from."""
    data = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    out = []
    for issue in data["issues"]:
        source = issue["source"]
        out.append(
            CorpusIssue(
                data["paper"],
                issue["date"],
                issue.get("number"),
                [piece(a, data["section"]) for a in issue["articles"]],
                f"{source['repo']}:{source['path']}@{source['commit']}",
            )
        )
    return out


def dated(name: str, date: str) -> CorpusIssue:
    """The issue of tests/corpus/<name>.yaml printed on ``date`` (YYYY-MM-DD): named, so that a new issue in the
    file changes no test's page."""
    return next(i for i in crawl(name) if i.date.isoformat() == date)


def crawled() -> list[CorpusIssue]:
    """Every issue taken from a public crawl (all papers but the sample)."""
    return [issue for name in CRAWLS for issue in crawl(name)]


def sample() -> CorpusIssue:
    """The sample issue (中国铝业报 No. 1330, real articles): bylines on their own line unless they are datelines."""
    issue = loading.load_issue(SAMPLE)
    pieces = []
    for a in issue.articles:
        paragraphs = [b.text for b in a.body]
        byline_line = None
        if a.byline and paragraphs and re.match(r"^(本报讯|新华社|本报)", a.byline) and not a.byline.startswith("本报评论员"):
            paragraphs[0] = f"{a.byline}{paragraphs[0]}"
        else:
            byline_line = a.byline
        photos = [(f.caption, f.credit) for f in a.figures]
        lone_picture = not paragraphs and len(photos) == 1 and not photos[0][0]
        if lone_picture:  # the paper printed the picture, its caption (our headline) and credit, nothing else
            photos = [(a.headline, photos[0][1])]
        pieces.append(
            Piece(
                a.headline,
                paragraphs or ([] if lone_picture else [a.headline]),
                section=issue.section(a.section).name,
                kicker=a.kicker,
                subtitle=a.subtitle,
                series=a.series,
                byline_line=byline_line,
                gold_byline=a.byline,
                photos=photos,
                head_printed=not lone_picture,
            )
        )
    return CorpusIssue(issue.paper, issue.date, issue.number, pieces, "publisher/sample/issues/2025-04-19-1330")


def issues() -> list[CorpusIssue]:
    return [*crawled(), sample()]


def render(issue: CorpusIssue, style: str, path: Path) -> list[dict]:
    """Lay ``issue`` out in ``style`` (ReportLab's, or Typst's or Chromium's when its name says so) into ``path``;
    return the gold of every article printed."""
    if style in CHROMIUM_STYLES:
        return browser.render(issue.paper, issue.date, issue.number, issue.pieces, style, path)
    if style in TYPST_STYLES:
        return typeset.render(issue.paper, issue.date, issue.number, issue.pieces, style, path)
    return Printer(path, issue.paper, issue.date, issue.number, STYLES[style]).run(issue.pieces)


def split_pages(pdf: Path) -> list[bytes]:
    """Each page of ``pdf`` as a PDF of its own, as a layout system exports an issue one 版 a file (the e-paper's
    own splitting, which also dates each file)."""
    import datetime as dt

    from publisher_channels.epaper.channel import split_pages as split

    return split(pdf, dt.date(2026, 3, 28))


def as_printers_pdf(pdf: Path, out: Path, wrapped: bool, margin: float = 36.0) -> None:
    """``pdf`` as sent to the printer: bleed and a slug around each page, the plate's name, date and time printed
    in the slug, the trim box at the page. ``wrapped``: each page placed whole as a Form XObject on a larger page
    (as imposition tools do); else the boxes grow around the page's own content."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    source = pypdfium2.PdfDocument(pdf)
    doc = pypdfium2.PdfDocument.new() if wrapped else source
    font = raw.FPDFText_LoadStandardFont(doc, b"Helvetica")
    for index in range(len(source)):
        if wrapped:
            width, height = source[index].get_size()
            page = doc.new_page(width + 2 * margin, height + 2 * margin)
            placed = source.page_as_xobject(index, doc).as_pageobject()
            placed.transform(pypdfium2.PdfMatrix().translate(margin, margin))
            page.insert_obj(placed)
            left, bottom, right, top = margin, margin, margin + width, margin + height
        else:
            page = doc[index]
            left, bottom, right, top = page.get_mediabox()
            page.set_mediabox(left - margin, bottom - margin, right + margin, top + margin)
            page.set_cropbox(left - margin, bottom - margin, right + margin, top + margin)
        page.set_trimbox(left, bottom, right, top)
        slug = f"A{index + 1:02d}  C M Y K  16:32:05\0"
        text = raw.FPDFPageObj_CreateTextObj(doc, font, 8.0)
        raw.FPDFText_SetText(text, (ctypes.c_ushort * len(slug))(*map(ord, slug)))
        raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, left, bottom - margin * 2 / 3)
        raw.FPDFPage_InsertObject(page.raw, text)
        page.gen_content()
    doc.save(out)


def with_page_images(pdf: Path, out: Path) -> None:
    """``pdf`` with a picture of each page laid over it, as an archive's scan is laid under its recognised text."""
    import io

    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    for index in range(len(doc)):
        page = doc[index]
        width, height = page.get_size()
        picture = io.BytesIO()
        page.render(scale=0.5).to_pil().convert("RGB").save(picture, "JPEG")
        image = pypdfium2.PdfImage.new(doc)
        image.load_jpeg(io.BytesIO(picture.getvalue()), inline=True)
        image.set_matrix(pypdfium2.PdfMatrix().scale(width, height))
        page.insert_obj(image)
        page.gen_content()
    doc.save(out)


def as_turned_pages(pdf: Path, out: Path, turn: int) -> None:
    """``pdf`` with each page stored turned and a /Rotate of ``turn`` degrees that shows it upright again."""
    import pypdfium2

    source = pypdfium2.PdfDocument(pdf)
    doc = pypdfium2.PdfDocument.new()
    for index in range(len(source)):
        width, height = source[index].get_size()
        # a viewer turns the page clockwise by `turn`: draw it turned the other way
        stored = {90: (height, width, (0, 1, -1, 0, height, 0)), 180: (width, height, (-1, 0, 0, -1, width, height))}
        stored[270] = (height, width, (0, -1, 1, 0, 0, width))
        page_width, page_height, matrix = stored[turn]
        page = doc.new_page(page_width, page_height)
        placed = source.page_as_xobject(index, doc).as_pageobject()
        placed.transform(pypdfium2.PdfMatrix(*matrix))
        page.insert_obj(placed)
        page.gen_content()
        page.set_rotation(turn)
    doc.save(out)


def as_drawn_shuffled(pdf: Path, out: Path, seed: int) -> None:
    """``pdf`` with each page's objects (lines of text, single characters, rules, pictures) drawn in a shuffled
    order: what a page shows is the same, the order a layout system writes it in is not."""
    import random

    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    order = random.Random(seed)
    for index in range(len(doc)):
        page = doc[index]
        objects = list(page.get_objects(max_depth=1))
        for obj in objects:
            page.remove_obj(obj)
        order.shuffle(objects)
        for obj in objects:
            page.insert_obj(obj)
        page.gen_content()
    doc.save(out)
