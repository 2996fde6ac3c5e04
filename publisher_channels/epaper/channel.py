"""The e-paper (数字报): the printed pages as images, each article a region that opens its text.

It reads the pdf channel's finished output (``requires = ("pdf",)``): the PDF,
rendered here into page images and split into one PDF per page, and the page
map (``pages.json``) saying where each article was set, so the regions are
exactly where the print layout put the stories. An issue imported from the
paper's own print PDF (``publisher import-pdf``) shows that PDF's pages instead,
with the boxes the importer found for each article as the regions
(:func:`print_source`). Every page is static HTML that
works without JavaScript: the regions are an HTML image map (``<area>``
coordinates in image pixels, for keyboards and screen readers) and links laid
over the image in percentages (for fingers and mice at any width);
``regions.json`` beside each page gives them in page units for scripts.
One folder per page (``01/``) gives stable URLs: ``/epaper/<date>/01/<slug>.html``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from markupsafe import Markup
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from publisher import images, pagemap, text, urls, writer
from publisher.channel import BuildContext, Channel, ChannelError, Output
from publisher.model import Article, Block, Issue


class EpaperOptions(BaseModel):
    """``channels.epaper`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: Width in pixels of the page image phones load, and of the sharper one for wide or dense screens.
    image_width: int = Field(default=1200, ge=400, le=3000)
    large_width: int = Field(default=2400, ge=800, le=5000)
    #: Width of the thumbnails in 版面导航.
    thumbnail_width: int = Field(default=160, ge=60, le=600)
    #: WebP quality (0–100) of the page images.
    quality: int = Field(default=80, ge=30, le=100)
    #: How many issues (newest first, this one included) 往期 lists.
    archive_issues: int = Field(default=100, ge=1)


@dataclass(frozen=True)
class Spot:
    """One rectangle of an article's region: in percent of the page (overlay) and in image pixels (map)."""

    left: float
    top: float
    width: float
    height: float
    coords: str  # "x1,y1,x2,y1,x2,y2,x1,y2" in pixels of the image_width image


@dataclass(frozen=True)
class Placed:
    """An article on a page: where it starts (its 版), its spots on this page, and its link from this page."""

    article: Article
    page: int  # the page it starts on
    spots: tuple[Spot, ...]
    href: str  # relative to the page folder
    continued: bool  # it started on an earlier page


def folder(number: int) -> str:
    return f"{number:02d}"


def spots(region: pagemap.Region, page: pagemap.MapPage, width: int) -> tuple[Spot, ...]:
    scale = width / page.width
    found = []
    for x, y, w, h in region.rects:
        x1, y1, x2, y2 = (round(v * scale) for v in (x, y, x + w, y + h))
        found.append(
            Spot(
                round(100 * x / page.width, 3),
                round(100 * y / page.height, 3),
                round(100 * w / page.width, 3),
                round(100 * h / page.height, 3),
                f"{x1},{y1},{x2},{y1},{x2},{y2},{x1},{y2}",
            )
        )
    return tuple(found)


def page_images(pdf: Path, options: EpaperOptions) -> list[tuple[bytes, bytes, bytes, tuple[int, int]]]:
    """Per page: the large and the normal WebP, the thumbnail, and the normal image's pixel size."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for page in document:
            large = page.render(scale=options.large_width / page.get_width()).to_pil().convert("RGB")
            page.close()
            normal = large.resize(
                (options.image_width, round(large.height * options.image_width / large.width)), Image.Resampling.LANCZOS
            )
            thumb = normal.resize(
                (options.thumbnail_width, round(normal.height * options.thumbnail_width / normal.width)), Image.Resampling.LANCZOS
            )
            found.append((_webp(large, options.quality), _webp(normal, options.quality), _webp(thumb, 70), normal.size))
        return found
    finally:
        document.close()


def _webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=2)  # half the time of method 4, 2% larger
    return buffer.getvalue()


def split_pages(pdf: Path, issued: dt.date) -> list[bytes]:
    """Each page of ``pdf`` as a PDF of its own, dated ``issued``."""
    source = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for index in range(len(source)):
            single = pypdfium2.PdfDocument.new()
            single.import_pages(source, [index])
            buffer = io.BytesIO()
            single.save(buffer)
            single.close()
            found.append(steady(buffer.getvalue(), issued))
        return found
    finally:
        source.close()


_CREATED = re.compile(rb"/CreationDate\(D:\d{14}")
_ID = re.compile(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]")


def steady(data: bytes, issued: dt.date) -> bytes:
    """A PDF PDFium saved, without its clock time and random /ID, so a rebuild gives the same bytes.

    Both are replaced by text of the same length (the issue's date; a digest of the rest), so the
    cross-reference offsets stay right.
    """
    data = _CREATED.sub(f"/CreationDate(D:{issued:%Y%m%d}000000".encode(), data, count=1)
    digest = hashlib.sha256(_ID.sub(b"", data)).hexdigest()[:32].upper().encode()
    return _ID.sub(b"/ID[<" + digest + b"><" + digest + b">]", data, count=1)


def _page_address(issue: Issue, number: int, where: urls.Urls) -> str:
    """A page view's URL in an edition's ``where`` (its hreflang alternate and 简/繁 link)."""
    return where.epaper_page(issue, number)


def _article_address(issue: Issue, number: int, article: Article, where: urls.Urls) -> str:
    return where.epaper_article(issue, number, article)


def inline_html(block: Block) -> Markup:
    """A block's markup, passed once more through the shared sanitizer before it goes out unescaped."""
    return Markup(text.sanitize_inline(block.html))


def print_source(issue: Issue, ctx: BuildContext) -> tuple[Path, pagemap.PageMap, bool]:
    """The PDF whose pages the e-paper shows, its page map, and whether it is our own print channel's.

    An issue imported from the paper's print PDF (``publisher import-pdf`` keeps it in the issue folder with
    each article's boxes) shows the paper's own pages with the importer's regions; any other our PDF's pages.
    """
    imported = pagemap.from_print(issue)
    if imported is not None and issue.print_pdf is not None:
        return ctx.issue_dir / issue.print_pdf.file, imported, False
    printed = ctx.output_of("pdf")
    pdf = printed / urls.download_file(issue, "pdf")
    if not pdf.is_file() or not (printed / pagemap.FILE).is_file():
        raise ChannelError(
            "数字报需要印刷版的 PDF 和版面图 (pages.json)；先成功构建 pdf 渠道再构建 (the pdf output is incomplete)"
        )
    return pdf, pagemap.read(printed), True


class EpaperChannel(Channel):
    name = "epaper"
    title = "数字报 (电子版)"
    Options = EpaperOptions
    requires = ("pdf",)

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options = ctx.options_as(EpaperOptions)
        pdf, pages, own = print_source(issue, ctx)
        by_slug = {a.slug: a for a in issue.articles}
        #: Each printed article's 版 (the page it starts on), in reading order.
        starts = {
            r.slug: p.number for p in pages.pages for r in p.regions if pages.page_of(r.slug) == p.number and r.slug in by_slug
        }
        order = list(starts)
        for article in issue.articles:
            if article.slug not in order:
                ctx.warn(f"「{article.headline}」不在印刷版上，数字报里没有它 (not in the PDF's page map)")
        outputs: list[Output] = []

        def put(name: str, data: bytes | str, media_type: str) -> None:
            if isinstance(data, str):
                writer.write_text(ctx.out / name, data)
            else:
                writer.write_bytes(ctx.out / name, data)
            outputs.append(Output(name, media_type))

        def href(slug: str, here: int) -> str:
            page = starts[slug]
            return f"{slug}.html" if page == here else f"../{folder(page)}/{slug}.html"

        pictures: dict[str, images.Rendition] = {}  # by figure src: the middle-sized JPEG, in media/
        cache = images.cache_dir(ctx.out)
        for src, photo in images.readable(issue, functools.partial(ctx.figure_file, issue)).photos.items():
            made = images.web_set(photo, cache)["jpeg"]
            for rendition in made:
                put(f"media/{rendition.name}", rendition.data, rendition.media_type)
            pictures[src] = made[len(made) // 2]
        shared = {
            "issue": issue,
            "urls": ctx.urls,
            "css": Markup(ctx.layout_source("epaper.css") + ctx.layout_source("search-box.css")),  # numbers and names only
            "pages": pages.pages,
            "folder": folder,
            "pdf_url": ctx.urls.download(issue, "pdf") if own else ctx.urls.epaper_print(issue),
            "editions": ctx.editions,  # hreflang links and the 简/繁 switch, when the site has editions
        }
        if not own:  # the paper's own PDF is the issue's PDF here
            put(urls.download_file(issue, "pdf"), pdf.read_bytes(), "application/pdf")
        rendered = page_images(pdf, options)
        singles = split_pages(pdf, issue.date)
        for page, (large, normal, thumb, size), single in zip(pages.pages, rendered, singles):
            here = folder(page.number)
            put(f"{here}/page.webp", normal, "image/webp")
            put(f"{here}/page-large.webp", large, "image/webp")
            put(f"{here}/thumb.webp", thumb, "image/webp")
            page_pdf = f"{issue.id}-{here}.pdf"
            put(f"{here}/{page_pdf}", single, "application/pdf")
            placed = [
                Placed(
                    by_slug[r.slug],
                    starts[r.slug],
                    spots(r, page, size[0]),
                    href(r.slug, page.number),
                    starts[r.slug] < page.number,
                )
                for r in page.regions
                if r.slug in by_slug
            ]
            regions = {
                "page": page.number,
                "label": page.label,
                "sections": list(page.sections),
                "unit": "pt",
                "width": page.width,
                "height": page.height,
                "image": {"src": "page.webp", "width": size[0], "height": size[1]},
                "articles": [
                    {"slug": r.slug, "headline": r.headline, "href": p.href, "rects": [list(x) for x in r.rects]}
                    for r, p in zip((r for r in page.regions if r.slug in by_slug), placed)
                ],
            }
            put(f"{here}/regions.json", json.dumps(regions, ensure_ascii=False, indent=1), "application/json")
            view = ctx.render_template(
                "page.html",
                page=page,
                placed=placed,
                size=size,
                page_pdf=page_pdf,
                address=functools.partial(_page_address, issue, page.number),
                **shared,
            )
            put(f"{here}/index.html", view, "text/html")
        for i, slug in enumerate(order):
            article, number = by_slug[slug], starts[slug]
            prev_slug = order[i - 1] if i > 0 else None
            next_slug = order[i + 1] if i + 1 < len(order) else None
            view = ctx.render_template(
                "article.html",
                article=article,
                section=issue.section(article.section),
                page=pages.pages[number - 1],
                printed_on=pages.pages_of(slug),
                pictures=pictures,
                inline=inline_html,
                prev=(by_slug[prev_slug], href(prev_slug, number)) if prev_slug else None,
                next=(by_slug[next_slug], href(next_slug, number)) if next_slug else None,
                address=functools.partial(_article_address, issue, number, article),
                **shared,
            )
            put(f"{folder(number)}/{slug}.html", view, "text/html")
        archive = ctx.render_template(
            "archive.html", issues=ctx.archive(options.archive_issues, outline=True), address=urls.Urls.epaper_archive, **shared
        )
        put("archive.html", archive, "text/html")
        return outputs
