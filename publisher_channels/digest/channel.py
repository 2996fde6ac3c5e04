"""The mobile HTML digest: one self-contained page per issue, and the archive page.

``index.html`` (served at ``/issues/<id>/``) carries the whole issue for a phone:
inline CSS, no external requests, no JavaScript needed. Each article shows its
lead paragraph; the rest of the body sits in a ``<details>`` so no text appears
twice. ``archive.html`` (served at ``/issues/``) lists the newest issues.
Each photo goes out in ``media/`` as responsive renditions (WebP and JPEG at three widths, made once
per build by :mod:`publisher.images`); figures without a picture are not shown at all.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from publisher import images, text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Article, Block, BlockKind, Figure, Issue
from publisher.pagemap import PageLabels


class DigestOptions(BaseModel):
    """``channels.digest`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: How many issues (newest first, this one included) the archive page lists.
    archive_issues: int = Field(default=50, ge=1)


#: How wide a picture shows: the page's text column (40rem less padding) or the whole screen.
SIZES = "(min-width: 42rem) 38rem, calc(100vw - 2rem)"


@dataclass(frozen=True)
class Picture:
    """A photo's renditions for the page: JPEG ``src`` (the middle width), the largest JPEG (for shared links),
    ``srcset`` per format, the largest size."""

    url: str
    full: str
    jpeg: str
    webp: str
    width: int
    height: int


@dataclass(frozen=True)
class Parts:
    """An article laid out for the page: lead block and first picture shown, the rest folded away."""

    lead: Block | None
    rest: tuple[Block, ...]
    figure: Figure | None  # the first figure with a picture, shown above the lead
    figures: tuple[Figure, ...]  # every other figure, after the body (folded away with the rest, if any)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_SPACE = re.compile(r"\s*([{}:;,>])\s*")


def description(issue: Issue) -> str:
    """What a shared link or a search result says: the edition, then the front page's headlines."""
    front = next((arts for _, arts in issue.by_section() if arts), [])
    return text.trim_at_sentence(f"{issue.title}。" + "；".join(a.headline for a in front[:4]), 150)


def minify_css(css: str) -> str:
    """Drop comments and the white space around CSS punctuation (enough for a hand-written sheet)."""
    css = _CSS_COMMENT.sub("", css)
    css = _CSS_SPACE.sub(r"\1", re.sub(r"\s+", " ", css))
    return css.replace(";}", "}").strip()


def split_article(article: Article, pictures: dict[str, Picture]) -> Parts:
    """The first non-subhead block is the lead; every other block, in order, is the rest.

    The first figure whose picture was copied goes above the lead; the others follow the body.
    """
    lead, rest = None, article.body
    for index, block in enumerate(article.body):
        if block.kind is not BlockKind.subhead:
            lead, rest = block, article.body[:index] + article.body[index + 1 :]
            break
    top = next((f for f in article.figures if f.src in pictures), None)
    return Parts(lead, rest, top, tuple(f for f in article.figures if f is not top))


def inline_html(block: Block) -> Markup:
    """A block's markup, passed once more through the shared sanitizer before it goes out unescaped."""
    return Markup(text.sanitize_inline(block.html))


def write_pictures(issue: Issue, photos: dict[str, images.Photo], ctx: BuildContext) -> tuple[dict[str, Picture], list[Output]]:
    """Write each photo's web renditions into ``media/``; the pictures by ``src`` and the files written."""
    pictures: dict[str, Picture] = {}
    outputs: list[Output] = []
    cache = images.cache_dir(ctx.out)
    for src, photo in photos.items():
        made = images.web_set(photo, cache)
        for rendition in made["webp"] + made["jpeg"]:
            writer.write_bytes(ctx.out / "media" / rendition.name, rendition.data)
            outputs.append(Output(f"media/{rendition.name}", rendition.media_type))

        def srcset(renditions: list[images.Rendition]) -> str:
            return ", ".join(f"{ctx.urls.media(issue, r.name)} {r.width}w" for r in renditions)

        jpeg = made["jpeg"]
        middle = jpeg[len(jpeg) // 2]
        pictures[src] = Picture(
            ctx.urls.media(issue, middle.name),
            ctx.urls.media(issue, jpeg[-1].name),
            srcset(jpeg),
            srcset(made["webp"]),
            jpeg[-1].width,
            jpeg[-1].height,
        )
    return pictures, outputs


class DigestChannel(Channel):
    name = "digest"
    title = "手机版 (HTML digest)"
    Options = DigestOptions
    uses = ("pdf",)  # its page map gives each article's 第N版

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        readable = images.readable(issue, functools.partial(ctx.figure_file, issue))
        for note in readable.warnings:
            ctx.warn(note)
        issue = readable.issue
        pictures, media = write_pictures(issue, readable.photos, ctx)
        shared = {
            "issue": issue,
            "urls": ctx.urls,
            "css": Markup(minify_css(ctx.layout_source("digest.css") + ctx.layout_source("search-box.css"))),
            "editions": ctx.editions,  # hreflang links and the 简/繁 switch, when the site has editions
        }
        script = Markup(ctx.layout_source("enhance.js").strip())
        older = ctx.archive(2, outline=True)
        lead = images.lead_photo(issue, readable.photos)
        page = ctx.render_template(
            "issue.html",
            sections=[(s, arts) for s, arts in issue.by_section() if arts],
            pictures=pictures,
            sizes=SIZES,
            previous=older[1] if len(older) > 1 else None,
            description=description(issue),
            share_image=pictures[lead.src] if lead else None,
            split=lambda article: split_article(article, pictures),
            script=script,
            inline=inline_html,
            labels=PageLabels.of(issue, ctx.output_if_built("pdf")),
            view="issue",  # which page the 简/繁 switch and hreflang links lead to in the other editions
            **shared,
        )
        writer.write_text(ctx.out / "index.html", page)
        archive = ctx.render_template(
            "archive.html",
            issues=ctx.archive(ctx.options_as(DigestOptions).archive_issues, outline=True),
            view="archive",
            **shared,
        )
        writer.write_text(ctx.out / "archive.html", archive)
        return [Output("index.html", "text/html"), Output("archive.html", "text/html"), *media]
