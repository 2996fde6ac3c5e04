"""Feed items, defined once for every feed channel (RSS/Atom, JSON Feed).

Every item is one article of one of the newest issues, newest issue first and
reading order within an issue. Ids, links and dates depend only on the
article's issue, so a new issue never changes older items, and the feed's own
date comes from the newest issue, never the clock: two builds of the same
content are byte-identical, and every feed format carries the same items.

The item HTML comes from ``article.html`` beside this module; a site
overrides it per channel in ``<templates>/<channel>/article.html``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2

from publisher import images, templates, text
from publisher.channel import BuildContext, ChannelError
from publisher.config import SiteConfig
from publisher.model import Article, Issue, Section
from publisher.pagemap import PageLabels

SUMMARY_MIN, SUMMARY_MAX = 40, 120  # characters of an item's summary
TEMPLATES = Path(__file__).resolve().parent / "templates"


def plain(value: str) -> str:
    """Plain text made safe for XML and JSON: no control characters or lone surrogates."""
    return text.clean(value).strip()


def feed_language(tag: str) -> str:
    """RSS's form of a BCP 47 tag: region kept, script dropped, lower case (zh-Hant-TW → zh-tw, zh-CN → zh-cn)."""
    parts = [p for i, p in enumerate(tag.split("-")) if not (i and len(p) == 4 and p.isalpha())]
    return "-".join(parts).lower()


def summary(article: Article) -> str:
    """The lead trimmed at a sentence end; a stub lead such as （接上期） takes the next paragraph along."""
    lead = ""
    for block in article.paragraphs:
        lead += ("" if text.has_cjk(lead + block.text) or not lead else " ") + block.text
        if len(lead) >= SUMMARY_MIN:
            break
    lead = lead or next((f.caption for f in article.figures if f.caption), "") or article.headline
    return plain(text.trim_at_sentence(lead, SUMMARY_MAX))


def publication_time(site: SiteConfig):
    """A function dating an issue at ``site.publish_hour`` of its date in ``site.timezone``."""
    try:
        zone = ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ChannelError(
            f"site.timezone {site.timezone!r} is not a known time zone; use a name such as Asia/Shanghai"
        ) from None
    return lambda issue: dt.datetime.combine(issue.date, dt.time(site.publish_hour), tzinfo=zone)


@dataclass(frozen=True)
class Enclosure:
    """An item's first picture: the largest JPEG the digest publishes of it."""

    url: str
    length: int
    media_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Item:
    id: str  # the permalink, also the RSS guid and the JSON Feed id
    url: str
    title: str
    summary: str
    content_html: str  # sanitized, links absolute
    published: dt.datetime
    authors: tuple[str, ...]
    section: str  # the section's name
    section_slug: str
    enclosure: Enclosure | None


@dataclass(frozen=True)
class FeedMeta:
    """What every feed of one build shares."""

    paper: str
    language: str
    copyright: str
    publisher: str
    updated: dt.datetime
    link: str


@dataclass
class Items:
    """The items of one build: all of them in feed order, and each section's."""

    meta: FeedMeta
    issues: list[Issue]
    items: list[Item] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # slug → name, first seen first

    def in_section(self, slug: str) -> list[Item]:
        return [item for item in self.items if item.section_slug == slug]


def collect(issue: Issue, ctx: BuildContext, count: int, channel: str) -> Items:
    """The items of the newest ``count`` issues up to ``issue`` (``channel`` names the option in errors).

    A feed channel ``uses`` the pdf channel: when it is in the build, its page map gives this issue's
    articles their 第N版.
    """
    published = publication_time(ctx.site)
    try:
        issues = ctx.archive(count)
    except ChannelError as exc:
        raise ChannelError(f"{exc}, or lower channels.{channel}.issues ({count})") from None
    env = templates.with_fallback(ctx.templates, TEMPLATES)
    meta = FeedMeta(
        paper=plain(ctx.site.title or issue.paper),
        language=issue.language,
        copyright=f"© {issue.date.year} {plain(issue.publisher or issue.paper)}",
        publisher=plain(issue.publisher or issue.paper),
        updated=published(issue),
        link=ctx.urls.archive(),
    )
    found = Items(meta, issues)
    cache = images.cache_dir(ctx.out)
    printed = ctx.output_if_built("pdf")
    for item_issue in issues:
        current = item_issue.id == issue.id
        labels = PageLabels.of(item_issue, printed if current else None)  # an older issue's PDF is not this build's
        readable = images.readable(item_issue, functools.partial(ctx.figure_file, item_issue))
        if current:
            for note in readable.warnings:
                ctx.warn(note)
        item_issue = readable.issue
        pictures = {src: images.web_set(photo, cache)["jpeg"][-1] for src, photo in readable.photos.items()}
        for section, articles in item_issue.by_section():
            found.sections.setdefault(section.slug, plain(section.name))
            for article in articles:
                page = labels.article(item_issue, article)
                found.items.append(_item(ctx, env, item_issue, section, article, pictures, published(item_issue), page))
    return found


def _item(
    ctx: BuildContext,
    env: jinja2.Environment,
    issue: Issue,
    section: Section,
    article: Article,
    pictures: dict[str, images.Rendition],
    date: dt.datetime,
    page: str | None,
) -> Item:
    """One item; ``pictures`` are the largest JPEGs the digest publishes in its ``media/``, by figure ``src``:
    the item links them absolutely, and the first is its enclosure."""
    url = ctx.urls.article(issue, article)
    figures = []
    for figure in article.figures:
        picture = pictures[images.photo_key(figure)]
        figures.append(
            {
                "url": ctx.urls.media(issue, picture.name),
                "width": picture.width,
                "height": picture.height,
                "caption": figure.caption,
                "credit": figure.credit,
            }
        )
    lead = pictures[images.photo_key(article.figures[0])] if article.figures else None
    enclosure = (
        Enclosure(ctx.urls.media(issue, lead.name), len(lead.data), lead.media_type, lead.width, lead.height) if lead else None
    )
    html = env.get_template("article.html").render(issue=issue, section=section, article=article, figures=figures, page=page)
    return Item(
        id=url,
        url=url,
        title=plain(article.headline),
        summary=summary(article),
        content_html=text.sanitize_article(html, base=url),
        published=date,
        authors=tuple(name for name in (plain(n) for n in article.author_names) if name),
        section=plain(section.name),
        section_slug=section.slug,
        enclosure=enclosure,
    )
