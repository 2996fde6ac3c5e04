"""The mobile HTML digest: one self-contained page per issue, and the archive page.

``index.html`` (served at ``/issues/<id>/``) carries the whole issue for a phone:
inline CSS, no external requests, no JavaScript needed. Each article shows its
lead paragraph; the rest of the body sits in a ``<details>`` so no text appears
twice. ``archive.html`` (served at ``/issues/``) lists the newest issues.
Figure files are copied into ``media/``.
"""

from __future__ import annotations

import mimetypes
import re
import shutil
from dataclasses import dataclass

from markupsafe import Markup
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field

from publisher import text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Article, Block, BlockKind, Figure, Issue


class DigestOptions(BaseModel):
    """``channels.digest`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: How many issues (newest first, this one included) the archive page lists.
    archive_issues: int = Field(default=50, ge=1)


@dataclass(frozen=True)
class Picture:
    """A copied figure image: its public URL and pixel size."""

    url: str
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


def copy_pictures(issue: Issue, ctx: BuildContext) -> dict[str, Picture]:
    """Copy each figure file into ``media/`` and measure it; a missing or unreadable file is a warning."""
    pictures: dict[str, Picture] = {}
    for article in issue.articles:
        for figure in article.figures:
            src = figure.src
            if src is None or src in pictures:
                continue
            source = ctx.figure_file(issue, figure)
            if source is None:
                ctx.warn(f"{article.slug}: image {src} is not in the issue folder; the digest shows only its caption")
                continue
            try:
                with Image.open(source) as image:
                    width, height = image.size
            except (UnidentifiedImageError, OSError):
                ctx.warn(
                    f"{article.slug}: {src} is not a readable image (use JPEG, PNG or WebP); the digest shows only its caption"
                )
                continue
            target = ctx.out / "media" / src
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            pictures[src] = Picture(ctx.urls.media(issue, src), width, height)
    return pictures


class DigestChannel(Channel):
    name = "digest"
    title = "手机版 (HTML digest)"
    Options = DigestOptions

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        pictures = copy_pictures(issue, ctx)
        shared = {
            "issue": issue,
            "urls": ctx.urls,
            "css": Markup(minify_css(ctx.layout_source("digest.css"))),
            "editions": ctx.editions,  # hreflang links and the 简/繁 switch, when the site has editions
        }
        script = Markup(ctx.layout_source("enhance.js").strip())
        page = ctx.render_template(
            "issue.html",
            sections=[(s, arts) for s, arts in issue.by_section() if arts],
            pictures=pictures,
            split=lambda article: split_article(article, pictures),
            script=script,
            inline=inline_html,
            page="issue",
            **shared,
        )
        writer.write_text(ctx.out / "index.html", page)
        archive = ctx.render_template("archive.html", issues=ctx.archive(ctx.options.archive_issues), page="archive", **shared)
        writer.write_text(ctx.out / "archive.html", archive)
        media = [Output(f"media/{src}", mimetypes.guess_type(src)[0] or "application/octet-stream") for src in pictures]
        return [Output("index.html", "text/html"), Output("archive.html", "text/html"), *media]
