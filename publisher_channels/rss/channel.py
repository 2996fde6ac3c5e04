"""Full-text RSS 2.0 and Atom 1.0 feeds over the newest issues, plus one RSS feed per section.

Writes ``feed.xml``, ``atom.xml``, ``feeds/<section slug>.xml`` and the feed image
into the channel folder, which the site serves at its root (``Urls.feed()``).
The items (guids, dates, summaries, full text) come from :mod:`publisher.feeds`,
which every feed channel shares; this module only writes them as RSS and Atom.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.ext.media import MediaEntryExtension
from feedgen.feed import FeedGenerator
from pydantic import BaseModel, ConfigDict, Field

from publisher import feeds, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Issue

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


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
class RssMeta:
    """What every feed of one build shares, with the RSS-only settings."""

    shared: feeds.FeedMeta
    language: str  # RSS form, e.g. zh-cn
    ttl: int
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


class FeedChannel(Channel):
    name = "rss"
    title = "全文订阅 (RSS/Atom)"
    Options = FeedOptions
    uses = ("pdf",)  # its page map gives this issue's articles their 第N版

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options = ctx.options_as(FeedOptions)
        found = feeds.collect(issue, ctx, options.issues, self.name)
        outputs: list[Output] = []
        image = None
        if options.image:
            data = ctx.layout_path(options.image).read_bytes()
            writer.write_bytes(ctx.out / Path(options.image).name, data)
            outputs.append(Output(Path(options.image).name, mimetypes.guess_type(options.image)[0] or "image/png"))
            image = ctx.urls.absolute("/" + Path(options.image).name)
        meta = RssMeta(found.meta, feeds.feed_language(found.meta.language), options.ttl, image)
        entries = {id(item): _entry(ctx, item) for item in found.items}

        paper = meta.shared.paper
        description = ctx.localize(f"《{paper}》全文订阅：最近{len(found.issues)}期的全部文章。")
        every = list(entries.values())
        writer.write_bytes(ctx.out / "feed.xml", _rss(meta, paper, description, ctx.urls.feed(), every))
        writer.write_bytes(ctx.out / "atom.xml", _atom(meta, description, ctx.urls.feed("atom"), every))
        outputs += [Output("feed.xml", RSS_TYPE), Output("atom.xml", ATOM_TYPE)]
        for slug, name in found.sections.items():
            data = _rss(
                meta,
                f"{paper} · {name}",
                ctx.localize(f"《{paper}》{name}栏目全文订阅。"),
                ctx.urls.section_feed(slug),
                [entries[id(item)] for item in found.in_section(slug)],
            )
            writer.write_bytes(ctx.out / "feeds" / f"{slug}.xml", data)
            outputs.append(Output(f"feeds/{slug}.xml", RSS_TYPE))
        return outputs


def _entry(ctx: BuildContext, item: feeds.Item) -> FeedEntry:
    """The feedgen entry of one item; shared by the paper's feeds and its section's feed."""
    entry = _Entry()
    entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    entry.register_extension("media", MediaEntryExtension, atom=True, rss=True)
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate")
    entry.guid(item.id, permalink=True)
    entry.published(item.published)
    entry.updated(item.published)
    entry.category(term=item.section, scheme=ctx.urls.section_feed(item.section_slug))
    if item.authors:
        entry.author([{"name": name} for name in item.authors])
        entry.dc.dc_creator(list(item.authors))
    entry.description(item.summary, isSummary=True)  # RSS description, Atom summary
    entry.content(item.content_html, type="html")
    if item.enclosure:
        picture = item.enclosure
        entry.enclosure(picture.url, str(picture.length), picture.media_type)
        entry.media.content(
            url=picture.url,
            fileSize=str(picture.length),
            type=picture.media_type,
            medium="image",
            width=str(picture.width),
            height=str(picture.height),
        )
    return entry


def _feed(meta: RssMeta, title: str, description: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.title(title)
    feed.description(description)
    feed.language(meta.language)
    feed.copyright(meta.shared.copyright)
    feed.author(name=meta.shared.publisher)
    feed.updated(meta.shared.updated)  # also lastBuildDate: from the content, never the clock
    feed.generator("publisher")
    if meta.image:
        feed.logo(meta.image)
        feed.icon(meta.image)
    return feed


def _links(feed: FeedGenerator, meta: RssMeta, self_url: str, self_type: str) -> None:
    # feedgen takes the RSS <link> from the *last* link, so self goes first.
    feed.link([{"href": self_url, "rel": "self", "type": self_type}, {"href": meta.shared.link, "rel": "alternate"}])


def _rss(meta: RssMeta, title: str, description: str, self_url: str, entries: list[FeedEntry]) -> bytes:
    feed = _feed(meta, title, description)
    _links(feed, meta, self_url, RSS_TYPE)
    feed.ttl(meta.ttl)
    if meta.image:
        feed.image(url=meta.image, title=title, link=meta.shared.link)
    feed.load_extension("dc", atom=False, rss=True)
    feed.load_extension("media")
    for entry in entries:
        feed.add_entry(entry, order="append")  # feedgen prepends by default
    return feed.rss_str(pretty=True)


def _atom(meta: RssMeta, description: str, self_url: str, entries: list[FeedEntry]) -> bytes:
    feed = _feed(meta, meta.shared.paper, description)
    feed.id(self_url)
    feed.subtitle(description)
    _links(feed, meta, self_url, ATOM_TYPE)
    feed.load_extension("media")
    for entry in entries:
        feed.add_entry(entry, order="append")
    return feed.atom_str(pretty=True)
