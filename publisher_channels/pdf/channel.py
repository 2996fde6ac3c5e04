"""Print-layout PDF: the issue as a newspaper replica, with page thumbnails for the admin.

Two WeasyPrint passes:

1. the *galley* (``galley``): every headline, figure and paragraph set once
   at the width it will print, and measured; half of it in a forked child
   (``fork``) on the second core;
2. the *pages* (``compose``, ``pages``): each story placed in a
   rectangle of columns on the line grid, balanced by arithmetic and split over
   pages where needed, each paragraph line in its column; WeasyPrint sets the
   lines where they were put and writes the PDF.

WeasyPrint never balances columns (the slow part of CSS multi-column), Chinese
lines are justified by letter spacing, baselines line up across columns, and a
headline never ends up at the foot of a column or page. WeasyPrint reads files
only through :class:`fetch.LocalOnlyFetcher`.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import io
import time
import zoneinfo
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pypdfium2
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, model_validator
from weasyprint import HTML
from weasyprint.urls import path2url

from publisher import images, pagemap, urls, writer
from publisher.channel import BuildContext, Channel, ChannelError, Output
from publisher.fonts import cjk
from publisher.model import Issue

from . import compose, fork, glyphs
from .fetch import LocalOnlyFetcher
from .galley import (
    Geometry,
    LayoutError,
    Measured,
    StorySource,
    break_plain,
    galley_ids,
    halves,
    measure,
    prepare,
    prototype_styles,
    read_back,
)
from .pages import anchor_pages, jump_pages, page_map, page_view


class Margins(BaseModel):
    """Page margins in millimetres (the running head and folio sit inside the top and bottom ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    top: float = Field(default=20, ge=10, le=60)
    right: float = Field(default=14, ge=5, le=60)
    bottom: float = Field(default=16, ge=10, le=60)
    left: float = Field(default=14, ge=5, le=60)


class PdfOptions(BaseModel):
    """``channels.pdf`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: A3 (297 × 420 mm) or broadsheet (对开, 390 × 540 mm).
    page: Literal["A3", "broadsheet"] = "A3"
    margins: Margins = Margins()
    #: Text columns on a page.
    columns: int = Field(default=5, ge=4, le=6)
    #: Body type size and line spacing (the grid) in points.
    body_size: float = Field(default=9.5, ge=7, le=14)
    leading: float = Field(default=13.5, ge=8, le=21)
    #: Width of the page thumbnails (PNG) in pixels.
    thumbnail_width: int = Field(default=300, ge=64, le=2000)
    #: Tagged PDF (a structure tree for screen readers and reflow).
    tagged: bool = True

    @model_validator(mode="after")
    def _leading(self) -> PdfOptions:
        if not self.body_size * 1.1 <= self.leading < self.body_size * 1.45:
            raise ValueError(
                f"leading {self.leading:g}pt must be 1.1 to 1.45 times body_size {self.body_size:g}pt "
                f"(e.g. {self.body_size * 1.42:.1f}); wider line spacing makes text extraction "
                "(pdftotext, search, screen readers) read across the columns"
            )
        return self


class Timings:
    """Wall and CPU seconds per step of a render (for the bench script and the design note)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # this process only; the forked halves run beside it
        self.pages = 0

    @contextmanager
    def step(self, name: str):
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall[name] = round(time.perf_counter() - wall, 3)
        self.cpu[name] = round(time.process_time() - cpu, 3)

    def __repr__(self) -> str:
        steps = ", ".join(f"{k} {self.wall[k]:.2f}s (cpu {self.cpu[k]:.2f})" for k in self.wall)
        return f"<Timings {self.pages} pages: {steps}>"


class PdfChannel(Channel):
    name = "pdf"
    title = "印刷版 (PDF)"
    Options = PdfOptions

    #: Timings of the most recent render in this process.
    last_timings: Timings | None = None

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        with collector_paused():
            return self._render(issue, ctx)

    def _render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options = ctx.options_as(PdfOptions)
        readable = images.readable(issue, functools.partial(ctx.figure_file, issue))
        for note in readable.warnings:
            ctx.warn(note)
        issue = readable.issue
        if not issue.articles:
            raise ChannelError("the issue has no articles to print; add at least one article file")
        warn_missing_glyphs(issue, ctx)
        timings = PdfChannel.last_timings = Timings()
        g = Geometry.create(
            options.page,
            (options.margins.top, options.margins.right, options.margins.bottom, options.margins.left),
            options.columns,
            options.body_size,
            options.leading,
        )
        cache = images.cache_dir(ctx.out)
        roots = [ctx.issue_dir, cache, *map(Path, ctx.folders)]
        base_url = path2url(str(ctx.issue_dir) + "/")
        fonts = cjk(issue.language)
        css = Markup(ctx.render_template("pdf.css", g=g, fonts=fonts))  # numbers and fixed names only; <style> is not HTML
        refused: list[str] = []

        def render_html(html: str):
            fetcher = LocalOnlyFetcher(roots)
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
            return document, fetcher.refused

        def galley(part: list[StorySource], furniture: bool):
            """Set ``part`` (and with ``furniture`` the masthead and bands); what it measured and refused."""
            html = ctx.render_template(
                "galley.html", issue=issue, stories=part, g=g, css=css, furniture=furniture, guide=guide(issue, {})
            )
            document, asked = render_html(html)
            found = measure(document, galley_ids(issue, part, furniture), g.font_size)
            styles = prototype_styles(document)
            for piece in (p for s in part for p in s.pieces if p.plain is not None):
                found[piece.id] = Measured(lines=break_plain(piece, styles, g))
            return found, asked

        with timings.step("galley"):
            sections = stories_by_section(issue, ctx, g, print_images(readable.photos, cache, g))
            stories = [s for _, own in sections for s in own]
            cut = halves(stories)
            (found, asked), (found_there, asked_there) = fork.both(
                lambda: galley(stories[:cut], True), lambda: galley(stories[cut:], False)
            )
            refused += asked + asked_there
            try:
                masthead, bands = read_back({**found, **found_there}, issue, stories, g)
            except LayoutError as exc:
                raise ChannelError(str(exc)) from None
        with timings.step("compose"):
            grid = compose.Grid(g.columns, g.rows)
            plan = compose.compose(grid, masthead, bands, [(i, [s.story() for s in own]) for i, own in sections])
            numbers = jump_pages(plan)

        def set_pages(numbers: dict[str, int]):
            pages = [page_view(issue, page, stories, g, numbers) for page in plan]
            html = ctx.render_template(
                "issue.html",
                issue=issue,
                pages=pages,
                css=css,
                leading=g.leading,
                created=created(issue, ctx),
                guide=guide(issue, section_pages(plan, stories)),
            )
            document, asked = render_html(html)
            refused.extend(asked)
            return html, document, pages

        with timings.step("layout"):
            html, document, views = set_pages(numbers)
            placed = anchor_pages(document, set(numbers))
            if placed != numbers:  # running text took more pages than planned: number the jump lines as printed
                html, document, views = set_pages(placed)
        with timings.step("write"):
            pdf = document.write_pdf(
                pdf_tags=options.tagged, pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode()
            )
            name = urls.download_file(issue, "pdf")
            writer.write_bytes(ctx.out / name, pdf)
            printed = page_map(issue, views, g, len(document.pages), [compose.filled(p, grid) for p in plan])
            writer.write_text(ctx.out / pagemap.FILE, printed.to_json())
        warn_page_claims(issue, printed, ctx)
        timings.pages = len(document.pages)
        with timings.step("thumbnails"):
            outputs = [
                Output(name, "application/pdf"),
                Output(pagemap.FILE, "application/json"),
                *thumbnails(pdf, ctx.out / "thumbs", options.thumbnail_width),
            ]
        warn_layout(plan, stories, len(document.pages), refused, ctx)
        return outputs


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector: WeasyPrint allocates millions of short-lived objects and
    the collector's repeated sweeps of them cost an eighth of the render. It runs again afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def stories_by_section(
    issue: Issue, ctx: BuildContext, g: Geometry, printed: dict[str, dict[int, str]]
) -> list[tuple[int, list[StorySource]]]:
    """Each section (by index) with its articles prepared for the galley; empty sections are reported.

    ``printed`` gives each photo's file URL by the columns it spans (:func:`print_images`).
    """
    sections, count = [], 0
    for i, section in enumerate(issue.sections):
        articles = issue.articles_in(section)
        if not articles:
            ctx.warn(f"section {section.name} ({section.slug}) has no articles; it is left out of the PDF")
        sections.append(
            (i, [prepare(count + n, a, [printed[images.photo_key(f)] for f in a.figures], g) for n, a in enumerate(articles)])
        )
        count += len(articles)
    return sections


def print_images(photos: dict[str, images.Photo], cache: Path, g: Geometry) -> dict[str, dict[int, str]]:
    """Each photo as a baseline JPEG at :data:`images.PRINT_PPI` for one and two columns: ``file:`` URLs by span."""
    printed: dict[str, dict[int, str]] = {}
    for src, photo in photos.items():
        spans = (1, 2)
        asks = [images.Ask(images.print_size(photo, g.span_width(n), g.figure_height), progressive=False) for n in spans]
        images.render(photo, cache, asks)
        printed[src] = {n: path2url(str(cache / ask.key(photo))) for n, ask in zip(spans, asks)}
    return printed


def warn_missing_glyphs(issue: Issue, ctx: BuildContext) -> None:
    """Report each character the paper's fonts lack, with the article it is in."""
    try:
        families = (cjk(issue.language).serif, cjk(issue.language).sans)
        for ch in glyphs.missing(glyphs.issue_texts(issue), families):
            ctx.warn(
                f"the paper's fonts have no {glyphs.describe(ch)} (masthead or sections); "
                "it prints in a fallback font or as a blank box"
            )
        for article in issue.articles:
            for ch in glyphs.missing(glyphs.article_texts(article), families):
                ctx.warn(
                    f"article {article.slug}: the paper's fonts have no {glyphs.describe(ch)}; "
                    "it prints in a fallback font or as a blank box, so replace it or check the proof"
                )
    except glyphs.FontMissing as exc:
        raise ChannelError(str(exc)) from None


def warn_layout(plan: list[compose.Page], stories: list[StorySource], pages: int, refused: list[str], ctx: BuildContext) -> None:
    """Report stories too big for the grid, pages that ran over, and files the layout may not read."""
    for page in plan:
        if page.flow is not None:
            article = stories[page.flow].article
            ctx.warn(
                f"article {article.slug}: its headline ({len(article.headline)} characters) or figures are too "
                "long for a page of columns, so it is set as running text on pages of its own; shorten it"
            )
    if pages != len(plan) and all(page.flow is None for page in plan):
        ctx.warn(f"the PDF has {pages} pages where {len(plan)} were planned; check the proof for text that ran over")
    for url in dict.fromkeys(refused):
        ctx.warn(
            f"the layout asked for {url[:120]}, which the PDF may not read (only the issue's files "
            "and its layout); it was left out"
        )


def guide(issue: Issue, pages: dict[int, int]) -> list[dict[str, str]]:
    """导读 on page one: every later section with its first headline and the page it starts on.

    The galley measures it with a placeholder page (``pages`` empty) of the printed width.
    """
    entries = []
    for index, (section, articles) in enumerate(issue.by_section()):
        if index == 0 or not articles:
            continue
        entries.append({"section": section.name, "headline": articles[0].headline, "page": f"第{pages.get(index, 88)}版"})
    return entries


def section_pages(plan: list[compose.Page], stories: list[StorySource]) -> dict[int, int]:
    """The page each section starts on, by section index, as planned."""
    found: dict[int, int] = {}
    for number, page in enumerate(plan, 1):
        starts = [*page.bands, page.section] if page.band else list(page.bands)
        for index in starts:
            found.setdefault(index, number)
    return found


def warn_page_claims(issue: Issue, printed: pagemap.PageMap, ctx: BuildContext) -> None:
    """A section issue.yaml puts on one page but the layout starts on another: the layout's page is what every
    channel now says, so the editor should know. (An issue imported from the paper's print PDF keeps that PDF's
    pages in every channel, whatever this layout makes of it.)"""
    if pagemap.from_print(issue) is not None:
        return
    for section in issue.sections:
        pages = [printed.page_of(a.slug) for a in issue.articles_in(section)]
        first = min((p for p in pages if p), default=None)
        if section.page and first and first != section.page:
            ctx.warn(
                f"issue.yaml puts {section.name} on 第{section.page}版 but the PDF starts it on 第{first}版; "
                "every channel shows the PDF's page, so correct or remove page: in issue.yaml"
            )


def created(issue: Issue, ctx: BuildContext) -> str:
    """The issue's publication time (its date at the publish hour), so a rebuild gives the same PDF."""
    moment = dt.datetime.combine(issue.date, dt.time(ctx.site.publish_hour), zoneinfo.ZoneInfo(ctx.site.timezone))
    return moment.isoformat()


def thumbnails(pdf: bytes, folder: Path, width: int) -> list[Output]:
    """PNG previews of every page, ``width`` pixels wide, as ``thumbs/page-001.png`` … (half in a child)."""
    document = pypdfium2.PdfDocument(pdf)
    count = len(document)
    document.close()
    half = (count + 1) // 2
    first, second = fork.both(lambda: _pngs(pdf, range(half), width), lambda: _pngs(pdf, range(half, count), width))
    outputs = []
    for number, png in enumerate(first + second, start=1):
        name = f"thumbs/page-{number:03d}.png"
        writer.write_bytes(folder.parent / name, png)
        outputs.append(Output(name, "image/png"))
    return outputs


def _pngs(pdf: bytes, pages: range, width: int) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        pngs = []
        for index in pages:
            page = document[index]
            image = page.render(scale=width / page.get_width()).to_pil().quantize(64)  # a third of the bytes
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            pngs.append(buffer.getvalue())
            page.close()
        return pngs
    finally:
        document.close()
