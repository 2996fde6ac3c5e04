"""The issue as an e-mail newsletter, made at build time so what is sent is what was published.

``newsletter.html`` is the HTML part: a 600 px table (the one layout every
mail client renders), CSS inlined into style attributes (css-inline), images by
absolute URL with width and height, and dark-mode rules kept in ``<head>`` for
the clients that honour them. ``newsletter.txt`` is the plain-text part;
``newsletter.json`` holds the subject and the headlines. Each recipient's
unsubscribe link is put in place of ``urls.UNSUBSCRIBE_PLACEHOLDER`` when the mail is sent.
Images are the digest's copies (``/issues/<id>/media/…``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import css_inline
from pydantic import BaseModel, ConfigDict, Field

from publisher import images, text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Article, Issue
from publisher.urls import UNSUBSCRIBE_PLACEHOLDER

#: The content width of the HTML part (the sheet is 600 px with 24 px padding).
IMAGE_WIDTH = 552


class NewsletterOptions(BaseModel):
    """``channels.newsletter`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: Characters of each article's lead shown in the mail (cut at a sentence end).
    lead_chars: int = Field(default=160, ge=40, le=2000)


@dataclass(frozen=True)
class MailPicture:
    url: str
    width: int
    height: int
    caption: str


def subject(issue: Issue) -> str:
    """中国铝业报 2025年4月19日 第1330期."""
    return f"{issue.paper} {issue.date_zh} 第{issue.number}期"


class NewsletterChannel(Channel):
    name = "newsletter"
    title = "电子邮件 (newsletter)"
    Options = NewsletterOptions

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        options = ctx.options_as(NewsletterOptions)

        def picture(article: Article) -> MailPicture | None:
            for figure in article.figures:
                path = ctx.figure_file(issue, figure)
                try:
                    photo = images.check(path, figure.src) if path and figure.src else None  # a path means a src
                except images.PhotoError:
                    continue  # the digest and the build report say why
                if photo is not None:  # the digest's JPEG rendition nearest 2× the mail's column
                    jpeg = images.web_set(photo, images.cache_dir(ctx.out))["jpeg"]
                    best = min(jpeg, key=lambda r: abs(r.width - 2 * IMAGE_WIDTH))
                    width, height = images.fit(photo, width=IMAGE_WIDTH)
                    return MailPicture(ctx.urls.media(issue, best.name), width, height, figure.caption)
            return None

        values = {
            "issue": issue,
            "urls": ctx.urls,
            "subject": subject(issue),
            "sections": [(s, arts) for s, arts in issue.by_section() if arts],
            "unsubscribe": UNSUBSCRIBE_PLACEHOLDER,
            "picture": picture,
            "lead": lambda article: text.trim_at_sentence(article.lead, options.lead_chars),
            "preheader": "　".join(a.headline for a in issue.articles[:3]),
        }
        inliner = css_inline.CSSInliner(extra_css=ctx.layout_source("email.css"), keep_style_tags=False)
        html = inliner.inline(ctx.render_template("email.html", **values))
        dark = ctx.layout_source("dark.css").strip()
        html = html.replace("</head>", f"<style>{dark}</style></head>", 1)
        plain = ctx.templates.overlay(autoescape=False).get_template("email.txt").render(**values)
        writer.write_text(ctx.out / "newsletter.html", html)
        writer.write_text(ctx.out / "newsletter.txt", plain)
        meta = {
            "issue": issue.id,
            "paper": issue.paper,
            "subject": subject(issue),
            "headlines": [a.headline for a in issue.articles],
        }
        writer.write_text(ctx.out / "newsletter.json", json.dumps(meta, ensure_ascii=False, indent=1))
        return [
            Output("newsletter.html", "text/html"),
            Output("newsletter.txt", "text/plain"),
            Output("newsletter.json", "application/json"),
        ]
