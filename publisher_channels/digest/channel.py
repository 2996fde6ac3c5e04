"""The mobile HTML digest: one self-contained page per issue, and the archive page.

``index.html`` (served at ``/issues/<id>/``) carries the whole issue for a phone:
inline CSS, no external requests, no JavaScript needed. Each article shows its
lead paragraph; the rest of the body sits in a ``<details>`` so no text appears
twice. ``archive.html`` (served at ``/issues/``) lists the newest issues.
Figure files are copied into ``media/``.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from publisher import text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.images import Picture, copy_pictures, minify_css
from publisher.model import Article, Block, BlockKind, Figure, Issue
from publisher.pagemap import PageLabels


class DigestOptions(BaseModel):
    """``channels.digest`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: How many issues (newest first, this one included) the archive page lists.
    archive_issues: int = Field(default=50, ge=1)


@dataclass(frozen=True)
class Parts:
    """An article laid out for the page: lead block and first picture shown, the rest folded away."""

    lead: Block | None
    rest: tuple[Block, ...]
    figure: Figure | None  # the first figure with a picture, shown above the lead
    figures: tuple[Figure, ...]  # every other figure, after the body (folded away with the rest, if any)


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


class DigestChannel(Channel):
    name = "digest"
    title = "手机版 (HTML digest)"
    Options = DigestOptions
    uses = ("pdf",)  # its page map gives each article's 第N版

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        pictures = copy_pictures(issue, ctx, "the digest", lambda src: ctx.urls.media(issue, src))
        shared = {
            "issue": issue,
            "urls": ctx.urls,
            "css": Markup(minify_css(ctx.layout_source("digest.css"))),
        }
        script = Markup(ctx.layout_source("enhance.js").strip())
        page = ctx.render_template(
            "issue.html",
            sections=[(s, arts) for s, arts in issue.by_section() if arts],
            pictures=pictures,
            split=lambda article: split_article(article, pictures),
            script=script,
            inline=inline_html,
            labels=PageLabels.read(ctx.output_if_built("pdf")),
            **shared,
        )
        writer.write_text(ctx.out / "index.html", page)
        archive = ctx.render_template("archive.html", issues=ctx.archive(ctx.options.archive_issues), **shared)
        writer.write_text(ctx.out / "archive.html", archive)
        media = [Output(f"media/{src}", mimetypes.guess_type(src)[0] or "application/octet-stream") for src in pictures]
        return [Output("index.html", "text/html"), Output("archive.html", "text/html"), *media]
