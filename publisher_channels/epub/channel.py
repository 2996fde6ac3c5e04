"""EPUB edition: one EPUB 3 per issue that reads like the paper, for e-readers.

Cover (a PNG drawn with a CJK font: masthead, dates, number, page-one
headlines), a contents page by section, then one XHTML document per article
in the paper's reading order. ebooklib builds the package (OPF metadata,
manifest, spine, EPUB 3 nav with landmarks, NCX); the pages come from the
Jinja templates in ``templates/`` beside this module. The zip is deterministic: same issue in,
same bytes out.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import io
import json
import uuid
from functools import lru_cache
from pathlib import Path

from ebooklib import epub
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict

from publisher import images as photos
from publisher import writer
from publisher.channel import BuildContext, Channel, ChannelError, Output
from publisher.fonts import cjk
from publisher.model import Article, Issue, Section
from publisher.pagemap import PageLabels
from publisher.text import trim_at_sentence
from publisher.urls import download_file

MEDIA_TYPE = "application/epub+zip"
XHTML = "application/xhtml+xml"

#: E-book limits: the longest side of a photo and the bytes of one.
PHOTO_SIDE = 1600
PHOTO_MAX_BYTES = 600 * 1024
#: The box the lead photo fills on the cover, below the edition line.
_COVER_PHOTO_BOX = (1020, 560)

#: Where labels (nav, contents, cover) cut a runaway headline.
_LABEL_CHARS = 80


class EpubOptions(BaseModel):
    """``channels.epub`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A font file (TTF/OTF/TTC) with Chinese glyphs for the cover; default: Noto Serif CJK SC.
    cover_font: Path | None = None


class EpubChannel(Channel):
    name = "epub"
    title = "电子书 (EPUB)"
    Options = EpubOptions
    uses = ("pdf",)  # its page map gives each article's 第N版

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        readable = photos.readable(issue, functools.partial(ctx.figure_file, issue))
        for note in readable.warnings:
            ctx.warn(note)
        issue = readable.issue
        sections = [(s, arts) for s, arts in issue.by_section() if arts]
        if not sections:
            raise ChannelError(f"issue {issue.id} has no articles; add at least one before building the EPUB")
        cache = photos.cache_dir(ctx.out)
        images = _book_images(readable.photos, cache)
        lead = photos.lead_photo(issue, readable.photos)
        labels = PageLabels.of(issue, ctx.output_if_built("pdf"))
        book = _book(issue, ctx, sections, images, labels, _cover_photo(lead, cache) if lead else None)
        entries = _Writer(book, issue, ctx.localize("导览")).entries()
        name = download_file(issue, "epub")
        writer.write_bytes(ctx.out / name, writer.deterministic_zip(entries))
        return [Output(name, MEDIA_TYPE)]


# -- identity and metadata -------------------------------------------------------------------


def identifier(issue: Issue) -> str:
    """The issue's stable dc:identifier: the same on every rebuild of the same paper and issue."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'publisher:epub:{issue.paper}:{issue.id}')}"


def _label(text: str) -> str:
    return trim_at_sentence(text, _LABEL_CHARS)


def _section_label(section: Section, page: str | None) -> str:
    return f"{page} {section.name}" if page else section.name


def _metadata(book: epub.EpubBook, issue: Issue, front: list[Article], has_figures: bool, words) -> None:
    book.set_identifier(identifier(issue))
    book.set_title(issue.title)
    book.set_language(issue.language)
    book.add_author(issue.paper)
    book.add_metadata("DC", "publisher", issue.publisher or issue.paper)
    book.add_metadata("DC", "date", issue.date.isoformat())
    summary = "；".join(_label(a.headline) for a in front)
    book.add_metadata("DC", "description", f"{issue.title}。{words('头版')}：{summary}" if summary else issue.title)
    meta = [
        # EPUB 3 series (Apple Books, calibre, Thorium) and calibre's own series fields.
        (issue.paper, {"property": "belongs-to-collection", "id": "series"}),
        ("series", {"refines": "#series", "property": "collection-type"}),
        (str(issue.number), {"refines": "#series", "property": "group-position"}),
        ("", {"name": "calibre:series", "content": issue.paper}),
        ("", {"name": "calibre:series_index", "content": str(issue.number)}),
        # EPUB Accessibility 1.1 discovery metadata.
        ("textual", {"property": "schema:accessMode"}),
        *([("visual", {"property": "schema:accessMode"})] if has_figures else []),
        ("textual", {"property": "schema:accessModeSufficient"}),
        ("structuralNavigation", {"property": "schema:accessibilityFeature"}),
        ("tableOfContents", {"property": "schema:accessibilityFeature"}),
        ("readingOrder", {"property": "schema:accessibilityFeature"}),
        ("displayTransformability", {"property": "schema:accessibilityFeature"}),
        *([("alternativeText", {"property": "schema:accessibilityFeature"})] if has_figures else []),
        ("none", {"property": "schema:accessibilityHazard"}),
        (
            words(
                "报纸电子版：封面、按版面排列的目录，每篇文章一个章节，标题层级清楚，阅读顺序与报纸一致；"
                "图片附有说明文字；文字可由阅读器调整字体、字号与颜色。"
            ),
            {"property": "schema:accessibilitySummary"},
        ),
    ]
    for value, attributes in meta:
        book.add_metadata(None, "meta", value, attributes)


# -- images ----------------------------------------------------------------------------------


def _book_images(found: dict[str, photos.Photo], cache: Path) -> dict[str, tuple[str, str, bytes]]:
    """Every photo by its ``src``: (href in the book, media type, bytes), at most 1600 px and 600 KB, baseline JPEG."""
    images: dict[str, tuple[str, str, bytes]] = {}
    for src, photo in found.items():
        ask = photos.Ask(photos.fit(photo, side=PHOTO_SIDE), max_bytes=PHOTO_MAX_BYTES, progressive=False)
        (made,) = photos.render(photo, cache, [ask])
        images[src] = (f"images/{made.name}", made.media_type, made.data)
    return images


def _cover_photo(photo: photos.Photo, cache: Path) -> Image.Image:
    """The lead photo sized for the cover's photo box."""
    box_w, box_h = _COVER_PHOTO_BOX
    (made,) = photos.render(photo, cache, [photos.Ask(photos.fit(photo, width=min(box_w, box_h * photo.width // photo.height)))])
    return Image.open(io.BytesIO(made.data)).convert("RGB")


# -- pages -----------------------------------------------------------------------------------


def xhtml(markup: str) -> Markup:
    """Sanitized inline HTML (``Block.html``) re-serialized as XHTML: ``<br/>``, no named entities."""
    if "<" not in markup and "&" not in markup:
        return Markup(markup)
    fragment = lxml_html.fragment_fromstring(markup, create_parent="div")
    inner = html.escape(fragment.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="xml", with_tail=True) for child in fragment
    )
    return Markup(inner)


class _Page(epub.EpubHtml):
    """An XHTML document rendered by our templates; ebooklib stores it as is instead of re-parsing it."""

    def get_content(self, default=None):
        return self.content


def _page(uid: str, file_name: str, title: str, content: str) -> _Page:
    page = _Page(uid=uid, file_name=file_name, media_type=XHTML, title=title)
    page.content = content.encode("utf-8")
    return page


def _article_href(article: Article) -> str:
    return f"text/{article.slug}.xhtml"


def _book(
    issue: Issue,
    ctx: BuildContext,
    sections: list[tuple[Section, list[Article]]],
    images: dict[str, tuple[str, str, bytes]],
    labels: PageLabels,
    cover_photo: Image.Image | None = None,
) -> epub.EpubBook:
    front = sections[0][1]

    def section_label(section: Section) -> str:
        return _section_label(section, labels.section(issue, section))

    book = epub.EpubBook()
    words = ctx.localize
    _metadata(book, issue, front, bool(images), words)
    common = {"issue": issue, "css": "style.css"}

    book.add_item(
        epub.EpubItem(
            uid="style",
            file_name="style.css",
            media_type="text/css",
            content=ctx.render_template("style.css", fonts=cjk(issue.language)).encode("utf-8"),
        )
    )
    cover_data, cover_type = _cover(
        issue,
        [s for s, _ in sections],
        front,
        ctx.options_as(EpubOptions).cover_font,
        cover_photo,
        words,
        photos.cache_dir(ctx.out),
    )
    # what book.set_cover does, minus its mimetypes scan
    cover_image = epub.EpubCover(file_name="cover.jpg" if cover_type == "image/jpeg" else "cover.png")
    cover_image.media_type = cover_type
    cover_image.content = cover_data
    book.add_item(cover_image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": cover_image.id})
    cover_alt = words(f"封面：{issue.title}，{issue.weekday}，农历{issue.lunar_date}。头版：") + "；".join(
        _label(a.headline) for a in front
    )
    width, height = _COVER_SIZE
    cover = _page(
        "cover",
        "cover.xhtml",
        words("封面"),
        ctx.render_template("cover.xhtml", alt=cover_alt, width=width, height=height, cover_href=cover_image.file_name, **common),
    )
    cover.properties.append("svg")
    contents = _page(
        "contents",
        "contents.xhtml",
        words("目录"),
        ctx.render_template(
            "contents.xhtml", sections=sections, href=_article_href, label=_label, section_label=section_label, **common
        ),
    )
    for item in (cover, contents):
        book.add_item(item)
    for src, (href, media_type, data) in images.items():
        book.add_item(epub.EpubImage(uid=f"img-{Path(href).stem}", file_name=href, media_type=media_type, content=data))

    page_css = {**common, "css": "../style.css"}
    image_href = {src: f"../{href}" for src, (href, _, _) in images.items()}
    toc, spine = [], [cover, contents]
    for section, articles in sections:
        pages = []
        for article in articles:
            page = _page(
                f"a-{article.slug}",
                _article_href(article),
                _label(article.headline),
                ctx.render_template(
                    "article.xhtml",
                    article=article,
                    section_label=_section_label(section, labels.article(issue, article)),
                    images=image_href,
                    xhtml=xhtml,
                    label=_label,
                    **page_css,
                ),
            )
            book.add_item(page)
            pages.append(page)
        spine.extend(pages)
        # A section opens its first article; articles point at their <article>, so every NCX entry
        # has a target of its own and the nav stays in document order.
        links = [epub.Link(f"{p.file_name}#article", p.title, f"n-{p.id}") for p in pages]
        toc.append((epub.Section(section_label(section), href=pages[0].file_name), links))
    book.toc = toc
    book.spine = spine
    book.guide = [
        {"type": "cover", "href": cover.file_name, "title": words("封面")},
        {"type": "toc", "href": contents.file_name, "title": words("目录")},
        {"type": "text", "href": spine[2].file_name, "title": words("正文")},
    ]
    nav = epub.EpubNav(title=words("目录"))
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    return book


class _Writer(epub.EpubWriter):
    """ebooklib's writer, handing its files to :func:`writer.deterministic_zip` instead of a timestamped zip."""

    def __init__(self, book: epub.EpubBook, issue: Issue, landmarks: str):
        modified = dt.datetime.combine(issue.date, dt.time())  # from the content, never the clock
        super().__init__(
            "",
            book,
            {
                "epub3_pages": False,
                "landmark_title": landmarks,
                "play_order": {"enabled": True, "start_from": 1},
                "mtime": modified,
            },
        )

    def writestr(self, name: str, data: str | bytes) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        self._entries.append((name, data, not name.endswith((".png", ".jpg", ".gif", ".webp"))))

    def _get_ncx(self) -> bytes:
        # ebooklib always writes depth 0; ours is section → article.
        return super()._get_ncx().replace(b'content="0" name="dtb:depth"', b'content="2" name="dtb:depth"', 1)

    def entries(self) -> list[tuple[str, bytes, bool]]:
        """(name, data, compress) for every file, mimetype first, in ebooklib's order."""
        self._entries: list[tuple[str, bytes, bool]] = [("mimetype", MEDIA_TYPE.encode("ascii"), False)]
        self.out = self
        self._write_container()
        self._write_opf()
        self._write_items()
        return self._entries


# -- cover -----------------------------------------------------------------------------------

_COVER_SIZE = (1200, 1600)
_MARGIN = 90
_NOTO = Path("/usr/share/fonts/opentype/noto")
#: Palette of the cover: indices 0-127 shade white to ink, 128-255 white to masthead red.
_INK, _RED = (17, 17, 17), (176, 18, 27)
_PALETTE = [round(255 + (c - 255) * i / 127) for i in range(128) for c in _INK] + [
    round(255 + (c - 255) * i / 127) for i in range(128) for c in _RED
]


@lru_cache(maxsize=64)
def _font(path: Path | None, bold: bool, size: int, face: str) -> ImageFont.FreeTypeFont:
    """The cover font at ``size``: the configured file, else ``face`` of Noto Serif CJK (the issue language's)."""
    if path is not None:
        if not path.is_file():
            raise ChannelError(f"channels.epub.cover_font: {path} does not exist; point it at a TTF/OTF/TTC font file")
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    ttc = _NOTO / f"NotoSerifCJK-{'Bold' if bold else 'Regular'}.ttc"
    if not ttc.is_file():
        raise ChannelError(
            f"no CJK font for the EPUB cover at {ttc}: install fonts-noto-cjk (./dev setup) "
            "or set channels.epub.cover_font in config.yaml"
        )
    for index in range(10):
        font = ImageFont.truetype(str(ttc), size, index=index, layout_engine=ImageFont.Layout.BASIC)
        if font.getname()[0] == face:
            return font
    raise ChannelError(f"{ttc} has no {face} face; reinstall fonts-noto-cjk or set channels.epub.cover_font")


_NO_LINE_START = set("，。、；：？！）》」』”’…—·%")


def _words(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` cut into words (jieba's dictionary), so a line never breaks inside 国家; a word wider than a line
    is cut into characters."""
    import rjieba  # its dictionary takes a quarter of a second to load: only when a cover is drawn

    words: list[str] = []
    for word in rjieba.cut(text):
        words.extend(word if len(word) > 1 and font.getlength(word) > width else [word])
    return words


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` pixels between words; closing punctuation never starts a line."""
    lines, line, used = [], "", 0.0
    for ch in _words(text, font, width):
        advance = font.getlength(ch)
        if line and used + advance > width and ch[0] not in _NO_LINE_START:
            lines.append(line)
            line, used = "", 0.0
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        line += ch
        used += advance
    return lines + [line] if line else lines


def _fit(text: str, path: Path | None, bold: bool, size: int, width: int, face: str) -> ImageFont.FreeTypeFont:
    """The font at ``size``, shrunk until ``text`` fits ``width`` on one line."""
    font = _font(path, bold, size, face)
    while size > 24 and font.getlength(text) > width:
        size = size * 9 // 10
        font = _font(path, bold, size, face)
    return font


_COVER_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def _cover(
    issue: Issue,
    sections: list[Section],
    front: list[Article],
    font_path: Path | None,
    photo: Image.Image | None,
    words,
    cache: Path,
) -> tuple[bytes, str]:
    """The cover and its media type, drawn once per look: kept in the build's image ``cache`` under a hash of
    everything drawn on it, the fonts and this module (drawing it loads a word dictionary and takes a third of
    the EPUB's time)."""
    fonts = [font_path] if font_path is not None else sorted(_NOTO.glob("NotoSerifCJK-*.ttc"))
    drawn = [issue.model_dump_json(exclude={"articles"}), [s.name for s in sections], [a.headline for a in front]]
    drawn.append([words(w) for w in ("国内统一连续出版物号", "农历", "出版")])
    key = hashlib.sha256(json.dumps(drawn, ensure_ascii=False).encode())
    key.update(Path(__file__).read_bytes())
    for font in fonts:
        key.update(f"{font}:{font.stat().st_size}:{font.stat().st_mtime_ns}".encode() if font.is_file() else str(font).encode())
    if photo is not None:
        key.update(f"{photo.size}".encode() + photo.tobytes())
    stem = cache / "covers" / key.hexdigest()
    for suffix, media_type in _COVER_TYPES.items():
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix).read_bytes(), media_type
    data, media_type = _draw_cover(issue, sections, front, font_path, photo, words)
    writer.write_bytes(stem.with_suffix(".jpg" if media_type == "image/jpeg" else ".png"), data)
    return data, media_type


def _draw_cover(
    issue: Issue,
    sections: list[Section],
    front: list[Article],
    font_path: Path | None,
    photo: Image.Image | None,
    words,
) -> tuple[bytes, str]:
    """The cover and its media type: masthead in red, edition line, the lead photo (as a JPEG) when there is one,
    the page-one headlines, the sections; without a photo, a small paletted PNG."""
    face = cjk(issue.language).serif
    width, height = _COVER_SIZE
    inner = width - 2 * _MARGIN
    ink = Image.new("L", _COVER_SIZE, 0)  # values 0..127: white..ink
    red = Image.new("L", _COVER_SIZE, 0)  # values 128..255: white..red (0 where nothing is red)
    draw, draw_red = ImageDraw.Draw(ink), ImageDraw.Draw(red)
    center = width // 2

    if issue.paper_en:
        draw.text((center, 120), issue.paper_en, font=_font(font_path, False, 34, face), fill=127, anchor="mm")
    masthead = _fit(issue.paper, font_path, True, 190, inner, face)
    draw_red.text((center, 270), issue.paper, font=masthead, fill=255, anchor="mm")
    small = _font(font_path, False, 30, face)
    if issue.serial:
        draw.text((center, 410), f"{words('国内统一连续出版物号')} {issue.serial}", font=small, fill=110, anchor="mm")
    draw.line((_MARGIN, 450, width - _MARGIN, 450), fill=127, width=5)
    draw.line((_MARGIN, 462, width - _MARGIN, 462), fill=127, width=1)
    edition = f"{issue.date_zh}  {issue.weekday}  {words('农历')}{issue.lunar_date}  {issue.number_label}"
    draw.text((center, 512), edition, font=_fit(edition, font_path, False, 36, inner, face), fill=127, anchor="mm")
    draw.line((_MARGIN, 560, width - _MARGIN, 560), fill=127, width=1)

    y, bottom = 620, height - 200
    if photo is not None:
        y = 600 + photo.height + 50
    for index, article in enumerate(front):
        font = _font(font_path, True, 64 if index == 0 else 48, face)
        size = int(font.size)
        lines = _wrap(article.headline, font, inner, 2)
        if len(lines) == 2 and not lines[1].endswith("…"):  # balance the two lines: no lone character
            balanced = _wrap(article.headline, font, int(font.getlength(article.headline)) // 2 + size, 2)
            lines = balanced if len(balanced) == 2 and not balanced[1].endswith("…") else lines
        step = size * 13 // 10
        if y + step * len(lines) > bottom:
            break
        for line in lines:
            draw.text((_MARGIN, y), line, font=font, fill=127)
            y += step
        y += size // 2

    contents = " · ".join(section.name for section in sections)
    draw.text((center, height - 165), contents, font=_fit(contents, font_path, False, 30, inner, face), fill=127, anchor="mm")
    draw.line((_MARGIN, height - 120, width - _MARGIN, height - 120), fill=127, width=1)
    footer = " ".join(p for p in (issue.publisher and f"{issue.publisher}{words('出版')}", issue.website) if p)
    if footer:
        draw.text((center, height - 75), footer, font=_fit(footer, font_path, False, 28, inner, face), fill=110, anchor="mm")

    red = red.point(lambda v: 128 + v // 2 if v else 0)
    image = Image.frombytes("P", _COVER_SIZE, ImageChops.lighter(ink, red).tobytes())
    image.putpalette(_PALETTE)
    out = io.BytesIO()
    if photo is None:
        image.save(out, "PNG", compress_level=6)
        return out.getvalue(), "image/png"
    image = image.convert("RGB")
    image.paste(photo, ((width - photo.width) // 2, 600))
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"
