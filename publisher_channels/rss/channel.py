"""Full-text RSS 2.0 and Atom 1.0 feeds over the newest issues, plus one RSS feed per section.

Writes ``feed.xml``, ``atom.xml``, ``feeds/<section slug>.xml`` and the feed image
into the channel folder, which the site serves at its root (``Urls.feed()``).
Every item is one article of one of the newest ``issues`` issues, newest issue
first and reading order within an issue. Guids, links and dates depend only on
the article's issue, so a new issue never changes older items; the channel
dates come from the newest issue, never the clock, so two builds of the same
content are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import functools
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.ext.media import MediaEntryExtension
from feedgen.feed import FeedGenerator
from pydantic import BaseModel, ConfigDict, Field

from publisher import images, text, writer
from publisher.channel import BuildContext, Channel, ChannelError, Output
from publisher.model import Article, Issue, Section
from publisher.pagemap import PageLabels

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
SUMMARY_MIN, SUMMARY_MAX = 40, 120  # characters of an item's description


class FeedOptions(BaseModel):
    """``channels.rss`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issues: int = Field(default=10, ge=1, le=100, description="how many of the newest issues the feeds span")
    ttl: int = Field(default=60, ge=1, description="minutes a reader may cache the feed")
    image: str | None = Field(
        default="logo.png",
        description="the paper's image: a file in the rss layout (site templates override it); null for none",
    )


@dataclass(frozen=True)
class Meta:
    """What every feed of one build shares."""

    paper: str
    language: str
    copyright: str
    publisher: str
    updated: dt.datetime
    ttl: int
    link: str
    image: str | None


class _Entry(FeedEntry):
    """A feedgen entry whose Atom links keep their attributes.

    feedgen 1.0.0 drops rel/type/length of an entry's Atom links (a shadowed loop
    variable), which turns the enclosure into a second "alternate" link.
    """

    def atom_entry(self, extensions: bool = True):
        entry = super().atom_entry(extensions)
        for element, link in zip(entry.findall("link"), self.link() or []):
            for key in ("rel", "type", "hreflang", "title", "length"):
                if link.get(key):
                    element.set(key, link[key])
        return entry


def _text(value: str) -> str:
    """Plain text made safe for XML: no control characters or lone surrogates reach feedgen."""
    return text.clean(value).strip()


def _summary(article: Article) -> str:
    """The lead trimmed at a sentence end; a stub lead such as （接上期） takes the next paragraph along."""
    lead = ""
    for block in article.paragraphs:
        lead += ("" if text.has_cjk(lead + block.text) or not lead else " ") + block.text
        if len(lead) >= SUMMARY_MIN:
            break
    lead = lead or next((f.caption for f in article.figures if f.caption), "") or article.headline
    return _text(text.trim_at_sentence(lead, SUMMARY_MAX))


class FeedChannel(Channel):
    name = "rss"
    title = "全文订阅 (RSS/Atom)"
    Options = FeedOptions
    uses = ("pdf",)  # its page map gives this issue's articles their 第N版

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options: FeedOptions = ctx.options
        try:
            zone = ZoneInfo(ctx.site.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ChannelError(
                f"site.timezone {ctx.site.timezone!r} is not a known time zone; use a name such as Asia/Shanghai"
            ) from None
        try:
            issues = ctx.archive(options.issues)
        except ChannelError as exc:
            raise ChannelError(f"{exc}, or lower channels.rss.issues ({options.issues})") from None

        def published(item_issue: Issue) -> dt.datetime:
            return dt.datetime.combine(item_issue.date, dt.time(ctx.site.publish_hour), tzinfo=zone)

        outputs: list[Output] = []
        image = None
        if options.image:
            data = ctx.layout_path(options.image).read_bytes()
            writer.write_bytes(ctx.out / Path(options.image).name, data)
            outputs.append(Output(Path(options.image).name, mimetypes.guess_type(options.image)[0] or "image/png"))
            image = ctx.urls.absolute("/" + Path(options.image).name)
        meta = Meta(
            paper=_text(ctx.site.title or issue.paper),
            language=issue.language.lower(),
            copyright=f"© {issue.date.year} {_text(issue.publisher or issue.paper)}",
            publisher=_text(issue.publisher or issue.paper),
            updated=published(issue),
            ttl=options.ttl,
            link=ctx.urls.archive(),
            image=image,
        )

        entries: list[FeedEntry] = []
        by_section: dict[str, list[FeedEntry]] = {}
        section_names: dict[str, str] = {}
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
                section_names.setdefault(section.slug, _text(section.name))
                by_section.setdefault(section.slug, [])
                for article in articles:
                    page = labels.article(item_issue, article)
                    entry = self._entry(ctx, item_issue, section, article, pictures, published(item_issue), page)
                    entries.append(entry)
                    by_section[section.slug].append(entry)

        description = f"《{meta.paper}》全文订阅：最近{len(issues)}期的全部文章。"
        writer.write_bytes(ctx.out / "feed.xml", _rss(meta, meta.paper, description, ctx.urls.feed(), entries))
        writer.write_bytes(ctx.out / "atom.xml", _atom(meta, description, ctx.urls.feed("atom"), entries))
        outputs += [Output("feed.xml", RSS_TYPE), Output("atom.xml", ATOM_TYPE)]
        for slug, section_entries in by_section.items():
            name = section_names[slug]
            data = _rss(
                meta,
                f"{meta.paper} · {name}",
                f"《{meta.paper}》{name}栏目全文订阅。",
                ctx.urls.section_feed(slug),
                section_entries,
            )
            writer.write_bytes(ctx.out / "feeds" / f"{slug}.xml", data)
            outputs.append(Output(f"feeds/{slug}.xml", RSS_TYPE))
        return outputs

    def _entry(
        self,
        ctx: BuildContext,
        issue: Issue,
        section: Section,
        article: Article,
        pictures: dict[str, images.Rendition],
        date: dt.datetime,
        page: str | None,
    ) -> FeedEntry:
        """One feed item for ``article``; shared by the paper's feeds and its section's feed.

        ``pictures`` are the largest JPEGs the digest publishes in its ``media/``, by figure ``src``:
        the feed links them absolutely, and the first is the item's enclosure and ``media:content``.
        """
        url = ctx.urls.article(issue, article)
        figures = []
        for figure in article.figures:
            picture = pictures[figure.src]
            figures.append(
                {
                    "url": ctx.urls.media(issue, picture.name),
                    "width": picture.width,
                    "height": picture.height,
                    "caption": figure.caption,
                    "credit": figure.credit,
                }
            )
        lead = pictures[article.figures[0].src] if article.figures else None
        html = ctx.render_template("article.html", issue=issue, section=section, article=article, figures=figures, page=page)
        summary = _summary(article)

        entry = _Entry()
        entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        entry.register_extension("media", MediaEntryExtension, atom=True, rss=True)
        entry.title(_text(article.headline))
        entry.link(href=url, rel="alternate")
        entry.guid(url, permalink=True)
        entry.published(date)
        entry.updated(date)
        entry.category(term=_text(section.name), scheme=ctx.urls.section_feed(section))
        names = [_text(name) for name in article.author_names if _text(name)]
        if names:
            entry.author([{"name": name} for name in names])
            entry.dc.dc_creator(names)
        entry.description(summary, isSummary=True)  # RSS description, Atom summary
        entry.content(text.sanitize_article(html, base=url), type="html")
        if lead is not None:
            lead_url = ctx.urls.media(issue, lead.name)
            entry.enclosure(lead_url, str(len(lead.data)), lead.media_type)
            entry.media.content(
                url=lead_url,
                fileSize=str(len(lead.data)),
                type=lead.media_type,
                medium="image",
                width=str(lead.width),
                height=str(lead.height),
            )
        return entry


def _feed(meta: Meta, title: str, description: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.title(title)
    feed.description(description)
    feed.language(meta.language)
    feed.copyright(meta.copyright)
    feed.author(name=meta.publisher)
    feed.updated(meta.updated)  # also lastBuildDate: from the content, never the clock
    feed.generator("publisher")
    if meta.image:
        feed.logo(meta.image)
        feed.icon(meta.image)
    return feed


def _links(feed: FeedGenerator, meta: Meta, self_url: str, self_type: str) -> None:
    # feedgen takes the RSS <link> from the *last* link, so self goes first.
    feed.link([{"href": self_url, "rel": "self", "type": self_type}, {"href": meta.link, "rel": "alternate"}])


def _rss(meta: Meta, title: str, description: str, self_url: str, entries: list[FeedEntry]) -> bytes:
    feed = _feed(meta, title, description)
    _links(feed, meta, self_url, RSS_TYPE)
    feed.ttl(meta.ttl)
    if meta.image:
        feed.image(url=meta.image, title=title, link=meta.link)
    feed.load_extension("dc", atom=False, rss=True)
    feed.load_extension("media")
    for entry in entries:
        feed.add_entry(entry, order="append")  # feedgen prepends by default
    return feed.rss_str(pretty=True)


def _atom(meta: Meta, description: str, self_url: str, entries: list[FeedEntry]) -> bytes:
    feed = _feed(meta, meta.paper, description)
    feed.id(self_url)
    feed.subtitle(description)
    _links(feed, meta, self_url, ATOM_TYPE)
    feed.load_extension("media")
    for entry in entries:
        feed.add_entry(entry, order="append")
    return feed.atom_str(pretty=True)
