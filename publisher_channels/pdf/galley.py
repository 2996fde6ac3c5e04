"""Pass one of the print layout: every piece of the issue set once at its width, then measured.

Each paragraph is broken into lines at the column width exactly as it will
print: plain text by WeasyPrint's own line breaker called directly, marked-up
text by setting it in the *galley* (an HTML page WeasyPrint lays out) and
reading its line boxes back. For every line we keep its markup and the space it
leaves, so pass two can set each line where the composer puts it and justify it
by letter spacing (WeasyPrint only stretches spaces, which Chinese text has none
of). Headers, figures and furniture are measured in the galley, in whole grid
lines.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

from markupsafe import Markup
from weasyprint.formatting_structure.boxes import InlineBox, LineBox, TextBox
from weasyprint.text.line_break import split_first_line

from publisher import text
from publisher.model import Article, BlockKind, Figure, Issue, Kind

from . import compose

PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72

_SPACES = re.compile(r"[ \t\n\r\f]+")  # what CSS white-space: normal collapses

#: Page sizes (width, height) in mm: A3, and the Chinese broadsheet (对开).
PAGE_SIZES = {"A3": (297.0, 420.0), "broadsheet": (390.0, 540.0)}

#: Inline elements pass two may re-create from a line box (the sanitizer's list, plus the dateline's).
LINE_TAGS = text.INLINE_TAGS - {"br"}
LINE_ATTRIBUTES = ("class", "href", "title", "lang")

#: Justify a line by letter spacing only up to this share of the font size per gap (else leave it ragged).
MAX_SPACING_EM = 0.2
#: Longer articles always take the full width, so the galley sets their headers at that width only.
PAIRABLE_CHARS = 1500
#: Justify a line a hair short of the column edge, so rounding never pushes a glyph past it.
JUSTIFY_SLACK_PX = 0.05


@dataclass(frozen=True)
class Geometry:
    """Page, grid and type sizes in CSS px, from the channel options."""

    page_width: float
    page_height: float
    margins: tuple[float, float, float, float]  # top, right, bottom, left
    columns: int
    font_size: float
    leading: float
    column_width: float
    gap: float
    rows: int

    @classmethod
    def create(
        cls, page: str, margins_mm: tuple[float, float, float, float], columns: int, body_pt: float, leading_pt: float
    ) -> Geometry:
        width_mm, height_mm = PAGE_SIZES[page]
        top, right, bottom, left = (m * PX_PER_MM for m in margins_mm)
        margins = (top, right, bottom, left)
        content_width = (width_mm * PX_PER_MM) - margins[1] - margins[3]
        content_height = (height_mm * PX_PER_MM) - margins[0] - margins[2]
        font_size = body_pt * PX_PER_PT
        leading = leading_pt * PX_PER_PT
        # A column holds a whole number of characters, so a line of Chinese fills it exactly.
        chars = math.floor((content_width - (columns - 1) * 1.2 * font_size) / columns / font_size)
        column_width = chars * font_size
        gap = (content_width - columns * column_width) / (columns - 1)
        return cls(
            width_mm * PX_PER_MM,
            height_mm * PX_PER_MM,
            margins,
            columns,
            font_size,
            leading,
            column_width,
            gap,
            math.floor(content_height / leading + 1e-6),
        )

    @property
    def content_width(self) -> float:
        return self.page_width - self.margins[1] - self.margins[3]

    @property
    def figure_height(self) -> float:
        """The tallest a picture prints: half the page's grid (pdf.css caps it there)."""
        return self.rows * self.leading / 2

    def span_width(self, span: int) -> float:
        return span * self.column_width + (span - 1) * self.gap

    def x(self, col: int) -> float:
        return col * (self.column_width + self.gap)

    def lines(self, px: float) -> int:
        """Whole grid lines that hold ``px``."""
        return max(0, math.ceil(px / self.leading - 0.02))


@dataclass
class SetLine:
    html: Markup
    spacing: float  # letter spacing (px) that justifies it; 0 for a paragraph's last line
    indent: bool


@dataclass
class GalleyPiece:
    """A body block as printed: a paragraph, quote, subhead or the source line.

    A paragraph of plain text (``plain``, with ``lead`` the dateline run into it) is
    broken into lines by WeasyPrint's own line breaker called directly, without
    setting it in the galley: a quarter of the time.
    """

    id: str
    kind: str  # para | quote | sub | src
    html: Markup
    plain: str | None = None
    lead: str = ""
    lines: list[SetLine] = field(default_factory=list)
    height: int = 0  # grid lines

    @property
    def breakable(self) -> bool:
        return self.kind in ("para", "quote")


@dataclass
class FigureSource:
    figure: Figure
    urls: dict[int, str]  # file: URL of the picture made for each width in columns (1, 2)
    alt: str = ""  # the caption, or the headline of a photo story without one
    heights: dict[int, int] = field(default_factory=dict)  # width in columns -> grid lines


@dataclass
class StorySource:
    """An article prepared for the galley: its pieces, figures and header style."""

    index: int
    article: Article
    pieces: list[GalleyPiece]
    figures: list[FigureSource]
    dateline: bool  # the byline runs into the first paragraph (本报讯…)
    sizes: dict[int, str]  # columns spanned -> headline size class
    headers: dict[int, int] = field(default_factory=dict)  # columns spanned -> grid lines

    @property
    def headline(self) -> Markup:
        """The headline with its last two characters kept together: never one character alone on the last line."""
        return keep_last_two(self.article.headline)

    def story(self) -> compose.Story:
        """What the composer needs: header and body heights in grid lines."""
        blocks = tuple(compose.GridBlock(p.height, p.breakable, p.kind == "sub") for p in self.pieces)
        return compose.Story(self.index, self.headers, blocks, tuple(f.heights for f in self.figures))


def prepare(index: int, article: Article, figure_urls: list[dict[int, str]], g: Geometry) -> StorySource:
    """The pieces of ``article`` in print order: dateline run into the first paragraph, body, source line."""
    pieces: list[GalleyPiece] = []
    blocks = list(article.body)
    byline = article.byline or ""
    dateline = text.is_dateline(byline) and bool(blocks) and blocks[0].kind is BlockKind.paragraph
    for i, block in enumerate(blocks):
        if not block.text.strip():
            continue
        kind = {BlockKind.paragraph: "para", BlockKind.quote: "quote", BlockKind.subhead: "sub"}[block.kind]
        piece = GalleyPiece(f"b{index}-{len(pieces)}", kind, Markup(block.html))
        if kind == "sub" and "<" not in block.html:  # a centred subhead: no character alone on its last line
            piece.html = keep_last_two(html.unescape(block.html))
        if kind != "sub" and "<" not in block.html:
            piece.plain = _SPACES.sub(" ", html.unescape(block.html)).strip()
        if dateline and i == 0:
            joiner = "" if byline.rstrip().endswith("）") else "\u3000"
            piece.lead = byline.strip()
            piece.html = Markup('<strong class="dl">{}</strong>{}').format(piece.lead, joiner) + piece.html
            if piece.plain is not None:
                piece.plain = joiner + piece.plain
            if len(piece.lead) > g.column_width / g.font_size - 4:  # a long dateline wraps: leave it to the galley
                piece.plain = None
        pieces.append(piece)
    if article.source:
        pieces.append(GalleyPiece(f"b{index}-{len(pieces)}", "src", Markup.escape(article.source)))
    figures = [FigureSource(f, url, f.caption or article.headline) for f, url in zip(article.figures, figure_urls)]
    pairable = article.char_count <= PAIRABLE_CHARS
    sizes = {k: headline_size(article, k, g.columns, index == 0) for k in compose.spans(g.columns, pairable)}
    return StorySource(index, article, pieces, figures, dateline, sizes)


def keep_last_two(value: str) -> Markup:
    """``value`` escaped, its last two characters in a no-break span (short texts unchanged)."""
    value = value.strip()
    if len(value) < 4:
        return Markup.escape(value)
    return Markup.escape(value[:-2]) + Markup('<span class="nobr">{}</span>').format(value[-2:])


def headline_size(article: Article, span: int, columns: int, lead: bool) -> str:
    """Headline size class: by the columns it spans, a step down for a long headline; photo captions small."""
    if article.kind is Kind.photo and not article.body:
        return "caption"
    if len(article.headline) > 60:
        return "xs"
    level = 4 if lead and span == columns else 3 if span >= 4 else 2 if span == 3 else 1
    if len(article.headline) > 26:
        level -= 1
    return ["xs", "s", "m", "l", "xl"][level]


def halves(stories: list[StorySource]) -> int:
    """Where to cut the stories so both galley halves take about as long (the first also sets the furniture).

    Costs are in headers set: a figure costs about as much as a header, a plain paragraph's
    lines a fifth of the time the galley needs to set them.
    """

    def cost(s: StorySource) -> float:
        chars = sum(len(p.html) / (1500 if p.plain is not None else 300) for p in s.pieces)
        return len(s.sizes) + len(s.figures) + chars

    costs = [cost(s) for s in stories]
    furniture = 4.0
    total, running = sum(costs) + furniture, furniture
    for i, c in enumerate(costs):
        if running + c / 2 > total / 2:
            return i
        running += c
    return len(stories)


def galley_ids(issue: Issue, stories: list[StorySource], furniture: bool) -> set[str]:
    """Ids of what a galley measures: masthead and bands (``furniture``), headers, figures, pieces."""
    ids = ({"mast"} | {f"band{i}" for i in range(len(issue.sections))}) if furniture else set()
    for s in stories:
        ids |= {f"h{s.index}-{k}" for k in s.sizes} | {p.id for p in s.pieces}
        ids |= {f"f{s.index}-{j}-{w}" for j in range(len(s.figures)) for w in (1, 2)}
    return ids


def read_back(found: dict[str, Measured], issue: Issue, stories: list[StorySource], g: Geometry) -> tuple[int, dict[int, int]]:
    """Put the galley's measures into the stories; the masthead's and bands' lines."""
    lost = galley_ids(issue, stories, True) - set(found)
    if lost:
        raise LayoutError(
            f"the galley lost {', '.join(sorted(lost)[:5])}; a site override of the pdf templates "
            "must keep the ids of galley.html and parts.html"
        )
    for s in stories:
        s.headers = {k: g.lines(found[f"h{s.index}-{k}"].height) for k in s.sizes}
        for p in s.pieces:
            if p.breakable:
                p.lines = found[p.id].lines
                p.height = len(p.lines)
            else:
                p.height = g.lines(found[p.id].height)
        for j, f in enumerate(s.figures):
            f.heights = {w: g.lines(found[f"f{s.index}-{j}-{w}"].height) for w in (1, 2)}
    bands = {i: g.lines(found[f"band{i}"].height) + 1 for i in range(len(issue.sections))}
    return g.lines(found["mast"].height) + 1, bands


class LayoutError(Exception):
    """The layout templates do not produce what the channel measures."""


# -- reading the galley back ------------------------------------------------------------


def _inline_html(box) -> str:
    """Markup for one inline box of a line: text escaped, allowed elements re-created, generated content dropped."""
    if isinstance(box, TextBox):
        return html.escape(box.text, quote=False)
    if not isinstance(box, InlineBox) or "::" in box.element_tag:
        return ""
    inner = "".join(_inline_html(child) for child in box.children)
    tag = box.element_tag
    if tag not in LINE_TAGS or box.element is None:
        return inner
    attributes = "".join(
        f' {name}="{html.escape(value)}"' for name, value in box.element.attrib.items() if name in LINE_ATTRIBUTES
    )
    return f"<{tag}{attributes}>{inner}</{tag}>"


def _text(box) -> str:
    if isinstance(box, TextBox):
        return box.text
    if isinstance(box, InlineBox) and "::" not in box.element_tag:
        return "".join(_text(child) for child in box.children)
    return ""


def _has_break(box) -> bool:
    if getattr(box, "element_tag", "") == "br":
        return True
    return any(_has_break(child) for child in getattr(box, "children", ()) or ())


def _line(paragraph, line: LineBox, last: bool, first: bool, font_size: float) -> SetLine:
    children = line.children
    markup = Markup("".join(_inline_html(child) for child in children))
    if not children:
        return SetLine(markup, 0.0, first)
    end = max(child.position_x + child.margin_width() for child in children)
    room = paragraph.content_box_x() + paragraph.width - end
    gaps = len("".join(_text(child) for child in children).rstrip()) - 1
    return SetLine(markup, _spacing(room, gaps, last or _has_break(line), font_size), first)


@dataclass
class Measured:
    """A galley element read back: its height, and for a paragraph its lines (plain data, picklable)."""

    height: float = 0.0  # px, summed over galley page fragments
    lines: list[SetLine] = field(default_factory=list)


def measure(document, ids: set[str], font_size: float) -> dict[str, Measured]:
    """Heights (and the lines of paragraphs) of the galley elements whose id is in ``ids`` (those it has)."""
    found: dict[str, Measured] = {}
    boxes: dict[str, list] = {}

    def walk(box) -> None:
        element = getattr(box, "element", None)
        if element is not None and not isinstance(box, (LineBox, InlineBox, TextBox)) and "::" not in (box.element_tag or ""):
            ident = element.get("id")
            if ident in ids:
                found.setdefault(ident, Measured()).height += box.margin_height()
                boxes.setdefault(ident, []).extend((box, c) for c in box.children if isinstance(c, LineBox))
                return
        for child in getattr(box, "children", ()) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    for ident, pairs in boxes.items():
        if ident.startswith("b"):  # body pieces; only paragraphs are read line by line
            found[ident].lines = [
                _line(box, line, last=i == len(pairs) - 1, first=i == 0, font_size=font_size)
                for i, (box, line) in enumerate(pairs)
            ]
    return found


class _Context:
    """What WeasyPrint's line breaker needs of its layout context (hyphenation dictionaries only)."""

    dictionaries: dict = {}


def prototype_styles(document) -> dict[str, object]:
    """Computed styles of the galley's prototype paragraph text and dateline (``#proto``, ``#proto-dl``)."""
    styles: dict[str, object] = {}

    def walk(box) -> None:
        if isinstance(box, TextBox) and box.element is not None:
            ident = box.element.get("id")
            if ident in ("proto", "proto-dl", "proto-quote"):
                styles.setdefault(ident, box.style)
        for child in getattr(box, "children", ()) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return styles


def break_plain(piece: GalleyPiece, styles: dict[str, object], g: Geometry) -> list[SetLine]:
    """The lines of a plain-text paragraph at the column width, as the galley would set them."""
    style = styles["proto-quote" if piece.kind == "quote" else "proto"]
    width = g.column_width - (2 * g.font_size if piece.kind == "quote" else 0)
    indent = 2 * g.font_size
    lead_width = split_first_line(piece.lead, styles["proto-dl"], _Context, None, 0)[3] if piece.lead else 0.0
    assert piece.plain is not None  # only plain-text paragraphs are broken here
    rest = piece.plain
    lines: list[tuple[Markup, float, int]] = []  # markup, room left, characters
    while True:
        first = not lines
        room = width - (indent if first else 0) - (lead_width if first else 0)
        _, length, resume, used, _, _ = split_first_line(rest, style, _Context, room, 0, not (first and piece.lead))
        encoded = rest.encode()
        line = encoded[:length].decode().rstrip(" ")
        markup = Markup.escape(line)
        chars = len(line)
        if first and piece.lead:
            markup = Markup('<strong class="dl">{}</strong>').format(piece.lead) + markup
            chars += len(piece.lead)
        lines.append((markup, room - used, chars))
        if resume is None or resume >= len(encoded):
            break
        rest = (encoded[resume:].decode() if resume > 0 else rest[1:]).lstrip(" ")
        if not rest:
            break
    return [
        SetLine(markup, _spacing(room, chars - 1, last=i == len(lines) - 1, font_size=g.font_size), i == 0)
        for i, (markup, room, chars) in enumerate(lines)
    ]


def _spacing(room: float, gaps: int, last: bool, font_size: float) -> float:
    """Letter spacing that stretches a line by ``room`` over its ``gaps``; none for a last or loose line."""
    if last or gaps <= 0 or room <= JUSTIFY_SLACK_PX:
        return 0.0
    spacing = (room - JUSTIFY_SLACK_PX) / gaps
    return round(spacing, 4) if spacing <= MAX_SPACING_EM * font_size else 0.0
