"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): ``feed.json`` and ``feeds/<section>.json``.

The items are :mod:`publisher.feeds`' items, exactly those of the RSS feed: an
item's ``id`` is the RSS guid, its ``content_html`` the RSS full text. Keys
are written in a fixed order and no date comes from the clock, so two builds
of the same content are byte-identical.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from publisher import feeds, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Issue

JSON_FEED_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


class JsonFeedOptions(BaseModel):
    """``channels.jsonfeed`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issues: int = Field(default=10, ge=1, le=100, description="how many of the newest issues the feeds span")


def _item(item: feeds.Item) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.content_html,
        "summary": item.summary,
    }
    if item.enclosure:
        data["image"] = item.enclosure.url
    data["date_published"] = item.published.isoformat()
    data["tags"] = [item.section]
    if item.authors:
        data["authors"] = [{"name": name} for name in item.authors]
    return data


def _document(meta: feeds.FeedMeta, title: str, description: str, feed_url: str, items: list[feeds.Item]) -> bytes:
    document = {
        "version": VERSION,
        "title": title,
        "home_page_url": meta.link,
        "feed_url": feed_url,
        "description": description,
        "language": meta.language,
        "authors": [{"name": meta.publisher}],
        "items": [_item(item) for item in items],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class JsonFeedChannel(Channel):
    name = "jsonfeed"
    title = "JSON Feed 订阅"
    Options = JsonFeedOptions
    uses = ("pdf",)  # its page map gives this issue's articles their 第N版 (as in the RSS items)

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options = ctx.options_as(JsonFeedOptions)
        found = feeds.collect(issue, ctx, options.issues, self.name)
        paper = found.meta.paper
        description = ctx.localize(f"《{paper}》全文订阅：最近{len(found.issues)}期的全部文章。")
        writer.write_bytes(ctx.out / "feed.json", _document(found.meta, paper, description, ctx.urls.json_feed(), found.items))
        outputs = [Output("feed.json", JSON_FEED_TYPE)]
        for slug, name in found.sections.items():
            data = _document(
                found.meta,
                f"{paper} · {name}",
                ctx.localize(f"《{paper}》{name}栏目全文订阅。"),
                ctx.urls.json_feed(slug),
                found.in_section(slug),
            )
            writer.write_bytes(ctx.out / "feeds" / f"{slug}.json", data)
            outputs.append(Output(f"feeds/{slug}.json", JSON_FEED_TYPE))
        return outputs
