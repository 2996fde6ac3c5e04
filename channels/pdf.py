"""Print-layout PDF: the issue as a newspaper replica, with page thumbnails for the admin.

Two WeasyPrint passes (see ``pdf_galley`` and ``pdf_compose``):

1. the *galley*: every headline, figure and paragraph set once at the width it
   will print, and measured;
2. the *pages*: the composer has placed each story in a rectangle of columns
   on the line grid (balanced by arithmetic, split over pages where needed) and
   each paragraph line in a column; WeasyPrint sets them where they were put.

WeasyPrint never balances columns (the slow part of CSS multi-column), Chinese
lines are justified by letter spacing, baselines line up across columns, and a
headline never ends up at the foot of a column or page. WeasyPrint reads files
only through :class:`pdf_fetch.LocalOnlyFetcher`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pypdfium2
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, model_validator
from weasyprint import HTML
from weasyprint.urls import path2url

from publisher import urls, writer
from publisher.channel import BuildContext, Channel, ChannelError, Output
from publisher.model import Issue, Kind

from . import pdf_compose as compose
from . import pdf_glyphs as glyphs
from .pdf_fetch import LocalOnlyFetcher
from .pdf_galley import Geometry, StorySource, measure, prepare

log = logging.getLogger(__name__)


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
    #: Tagged PDF (structure tree for screen readers and reflow).
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
    """Wall and CPU seconds per step of a render (the bench script and the design note read them)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
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
    title = "Print PDF"
    layout = "pdf"
    Options = PdfOptions

    #: Timings of the most recent render in this process.
    last_timings: Timings | None = None

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options: PdfOptions = ctx.options
        if not issue.articles:
            raise ChannelError("the issue has no articles to print; add at least one article file")
        timings = Timings()
        g = Geometry.create(
            options.page,
            (options.margins.top, options.margins.right, options.margins.bottom, options.margins.left),
            options.columns, options.body_size, options.leading,
        )
        fetcher = LocalOnlyFetcher([ctx.issue_dir, *ctx.templates.loader.searchpath])
        base_url = path2url(str(ctx.issue_dir) + "/")
        css = Markup(ctx.render_template("pdf.css", g=g))  # numbers and fixed names only; not HTML-escaped in <style>
        self._warn_missing_glyphs(issue, ctx)

        with timings.step("galley"):
            by_section = []
            stories: list[StorySource] = []
            for i, section in enumerate(issue.sections):
                articles = issue.articles_in(section)
                if not articles:
                    ctx.warn(f"section {section.name} ({section.slug}) has no articles; it is left out of the PDF")
                own = [prepare(len(stories) + n, a, self._figure_urls(a, ctx)) for n, a in enumerate(articles)]
                stories += own
                by_section.append((i, own))
            spans = compose.spans(g.columns)
            sizes = {s.index: {k: headline_size(s, k, g.columns, s.index == 0) for k in spans} for s in stories}
            galley = ctx.render_template(
                "galley.html", issue=issue, stories=stories, spans=spans, sizes=sizes, g=g, css=css
            )
            document = HTML(string=galley, base_url=base_url, url_fetcher=fetcher).render()
            masthead, bands = self._measure(document, issue, stories, spans, g)
            del document
        with timings.step("compose"):
            grid = compose.Grid(g.columns, g.rows)
            plan = compose.compose(grid, masthead, bands, [(i, [_story(s) for s in own]) for i, own in by_section])
            pages = [self._page_view(issue, page, stories, sizes, g) for page in plan]
        with timings.step("layout"):
            html = ctx.render_template(
                "issue.html", issue=issue, pages=pages, css=css, leading=g.leading, created=_created(issue, ctx)
            )
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        for page in plan:
            if page.flow is not None:
                article = stories[page.flow].article
                ctx.warn(f"article {article.slug}: its headline ({len(article.headline)} characters) or figures are too "
                         "long for a page of columns, so it is set as running text on pages of its own; shorten it")
        if len(document.pages) != len(plan) and all(page.flow is None for page in plan):
            ctx.warn(f"the PDF has {len(document.pages)} pages where {len(plan)} were planned; "
                     "check the proof for text that ran over a page")
        with timings.step("write"):
            pdf = document.write_pdf(
                pdf_tags=options.tagged,
                pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode(),
            )
            name = urls.download_file(issue, "pdf")
            writer.write_bytes(ctx.out / name, pdf)
        timings.pages = len(document.pages)
        outputs = [Output(name, "application/pdf")]
        with timings.step("thumbnails"):
            outputs += thumbnails(pdf, ctx.out / "thumbs", options.thumbnail_width)
        for url in dict.fromkeys(fetcher.refused):
            ctx.warn(f"the layout asked for {url[:120]}, which the PDF may not read (only the issue's files "
                     "and layouts/); it was left out")
        PdfChannel.last_timings = timings
        return outputs

    @staticmethod
    def _measure(document, issue: Issue, stories: list[StorySource], spans: list[int], g: Geometry):
        """Read the galley back into the stories (header, piece and figure heights; paragraph lines)."""
        ids = {"mast"} | {f"band{i}" for i in range(len(issue.sections))}
        for s in stories:
            ids |= {f"h{s.index}-{k}" for k in spans} | {p.id for p in s.pieces}
            ids |= {f"f{s.index}-{j}-{w}" for j in range(len(s.figures)) for w in (1, 2)}
        found = measure(document, ids, g.font_size)
        lost = ids - set(found)
        if lost:
            raise ChannelError(f"the layout dropped parts of the issue ({', '.join(sorted(lost)[:5])}); "
                               "check the layouts/pdf templates of the site for missing ids")
        for s in stories:
            s.headers = {k: g.lines(found[f"h{s.index}-{k}"].height) for k in spans}
            for p in s.pieces:
                if p.breakable:
                    p.lines = found[p.id].lines
                    p.height = len(p.lines)
                else:
                    p.height = g.lines(found[p.id].height)
            for j, f in enumerate(s.figures):
                f.heights = {w: g.lines(found[f"f{s.index}-{j}-{w}"].height) for w in (1, 2)}
        masthead = g.lines(found["mast"].height) + 1
        bands = {i: g.lines(found[f"band{i}"].height) + 1 for i in range(len(issue.sections))}
        return masthead, bands

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _figure_urls(article, ctx: BuildContext) -> list[str | None]:
        found = []
        for figure in article.figures:
            path = ctx.issue_dir / figure.src if figure.src else None
            found.append(path2url(str(path)) if path and path.is_file() else None)
        return found

    @staticmethod
    def _warn_missing_glyphs(issue: Issue, ctx: BuildContext) -> None:
        try:
            for ch in glyphs.missing(glyphs.issue_texts(issue)):
                ctx.warn(f"the paper's fonts have no {glyphs.describe(ch)} (masthead or sections); "
                         "it prints in a fallback font or as a blank box")
            for article in issue.articles:
                for ch in glyphs.missing(glyphs.article_texts(article)):
                    ctx.warn(f"article {article.slug}: the paper's fonts have no {glyphs.describe(ch)}; "
                             "it prints in a fallback font or as a blank box, so replace it or check the proof")
        except glyphs.FontMissing as exc:
            raise ChannelError(str(exc)) from None

    @staticmethod
    def _page_view(issue: Issue, page: compose.Page, stories: list[StorySource], sizes, g: Geometry) -> dict:
        """Positions in px for the template: modules, their columns, figures and the rules between them."""
        section = issue.sections[page.section]
        lh = g.leading
        rows = sorted({m.top for m in page.modules})
        extra = min(page.gaps * lh / (len(rows) - 1), 2 * lh) if len(rows) > 1 and page.gaps > 0 else 0.0
        shift = {top: i * extra for i, top in enumerate(rows)}
        first_row = page.masthead + page.band
        modules, rules = [], []
        for m in page.modules:
            story = stories[m.story]
            top = m.top * lh + shift[m.top]
            left, width, height = g.x(m.col), g.span_width(m.span), m.height * lh
            taken = compose.cuts(m.figures, m.span)
            modules.append({
                "story": story,
                "size": sizes[story.index][m.span],
                "left": _px(left), "top": _px(top), "width": _px(width), "height": _px(height),
                "header": _px(m.header * lh),
                "columns": [
                    {"left": _px(g.x(j)), "top": _px((m.header + taken[j]) * lh), "width": _px(g.column_width),
                     "frags": [(story.pieces[b], s, e) for b, s, e in frags]}
                    for j, frags in enumerate(m.columns)
                ],
                "figures": [
                    {"source": story.figures[f.figure], "left": _px(g.x(f.col)), "top": _px((m.header + f.top) * lh),
                     "width": _px(g.span_width(f.span)), "height": _px(f.lines * lh)}
                    for f in m.figures
                ],
            })
            if m.col > 0:
                rules.append({"kind": "v", "left": _px(left - g.gap / 2), "top": _px(top), "length": _px(height - lh / 2)})
            if m.top > first_row:
                rules.append({"kind": "h", "left": _px(left), "top": _px(top - (lh + extra) / 2), "length": _px(width)})
        return {
            "section": section,
            "left": f"{issue.paper}　{issue.date_zh}　{issue.weekday}",
            "right": section.name,
            "masthead": _px(page.masthead * lh),
            "band": _px(page.band * lh),
            "flow": stories[page.flow] if page.flow is not None else None,
            "modules": modules,
            "rules": rules,
        }


def _px(value: float) -> float:
    return round(value, 3)


def _story(s: StorySource) -> compose.Story:
    blocks = tuple(compose.Block(p.height, p.breakable, p.kind == "sub") for p in s.pieces)
    return compose.Story(s.index, s.headers, blocks, tuple(f.heights for f in s.figures))


def headline_size(story: StorySource, span: int, columns: int, lead: bool) -> str:
    """Headline size class: by the columns it spans, a step down for a long headline; photo captions small."""
    article = story.article
    if article.kind is Kind.photo and not article.body:
        return "caption"
    steps = ["xs", "s", "m", "l", "xl"]
    level = 4 if lead and span == columns else 3 if span >= 4 else 2 if span == 3 else 1
    length = len(article.headline)
    if length > 60:
        return "xs"
    if length > 26:
        level -= 1
    return steps[max(level, 0)]


def _created(issue: Issue, ctx: BuildContext) -> str:
    """The issue's publication time (from its date), so a rebuild gives the same PDF."""
    import zoneinfo

    moment = dt.datetime.combine(issue.date, dt.time(ctx.site.publish_hour), zoneinfo.ZoneInfo(ctx.site.timezone))
    return moment.isoformat()


def thumbnails(pdf: bytes, folder: Path, width: int) -> list[Output]:
    """PNG previews of every page, ``width`` pixels wide, as ``thumbs/page-001.png`` …"""
    outputs = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            name = f"thumbs/page-{number:03d}.png"
            writer.write_bytes(folder.parent / name, buffer.getvalue())
            outputs.append(Output(name, "image/png"))
            page.close()
    finally:
        document.close()
    return outputs
