"""WeChat 公众号 articles: one HTML file per article, ready to paste into the 公众号 editor.

The editor keeps only a few tags and inline ``style`` attributes: it drops
``<style>``, ``class``, ``id``, scripts, stylesheets, outside links and images
from other sites. So each article is rendered with classes, ``wechat.css`` is
inlined into style attributes (css-inline), and the result is cut down to the
editor's allow-list by the shared sanitizer. Links become numbered footnotes
(参考链接); figure files are copied beside the HTML for the editor to upload,
and ``manifest.json`` lists each article's file, images and size against
WeChat's limits (20,000 characters of text, 1 MB).
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import css_inline
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from publisher import images, text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Article, Issue

#: What the 公众号 editor keeps of pasted HTML (links only to other 公众号 articles).
WECHAT_TAGS = {
    "a",
    "section",
    "p",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "sup",
    "sub",
    "br",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "img",
}
WECHAT_ATTRIBUTES = {"*": {"style"}, "a": {"href", "style"}, "img": {"src", "alt", "width", "height", "style"}}
#: WeChat's limits for one article.
MAX_TEXT_CHARS = 20_000
MAX_BYTES = 1_000_000
#: Images wider than this are listed at this width (the editor's column is narrower still).
IMAGE_WIDTH = 1080

_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)
_DEAD_LINK = re.compile(r"<a\b(?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S)  # its href was unsafe and removed


class WechatOptions(BaseModel):
    """``channels.wechat`` in config.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: Links to these hosts stay links (the editor keeps links to other 公众号 articles); all others become footnotes.
    keep_links_to: tuple[str, ...] = ("mp.weixin.qq.com",)


@dataclass(frozen=True)
class UploadImage:
    """A figure file copied beside the article, by the relative name the HTML uses."""

    file: str
    width: int
    height: int


class Footnotes:
    """Numbers an article's outside links in reading order; the same address keeps its number."""

    def __init__(self, keep: tuple[str, ...]):
        self.keep = keep
        self.notes: list[tuple[str, str]] = []

    def replace(self, markup: str) -> str:
        def footnote(match: re.Match) -> str:
            url, label = match[1], match[2]
            if any(f"//{host}" in url for host in self.keep):
                return match[0]
            urls = [u for _, u in self.notes]
            if url not in urls:
                self.notes.append((text.html_to_text(label).strip() or url, url))
                urls.append(url)
            return f"{label}<sup>[{urls.index(url) + 1}]</sup>"

        return _DEAD_LINK.sub(r"\1", _LINK.sub(footnote, markup))


def file_name(index: int, article: Article) -> str:
    """``07-huanbao-zaixian-fenxi.html``: in the paper's order, so the folder reads like the issue."""
    return f"{index:02d}-{article.slug}.html"


def text_length(markup: str) -> int:
    """Characters of text WeChat counts: everything between the tags, without white space."""
    return text.count_chars(text.html_to_text(markup))


class WechatChannel(Channel):
    name = "wechat"
    title = "微信公众号 (WeChat)"
    Options = WechatOptions

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        css = ctx.layout_source("wechat.css")
        outputs: list[Output] = []
        manifest = []
        for index, article in enumerate(issue.articles, 1):
            name = file_name(index, article)
            pictures = self._copy_pictures(issue, article, ctx, PurePosixPath(name).stem)
            fragment = self.article_html(issue, article, ctx, css, pictures)
            page = (
                f'<!DOCTYPE html>\n<html lang="{issue.language}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{Markup.escape(article.headline)}</title>\n</head>\n<body>{fragment}</body>\n</html>\n"
            )
            size, chars = len(fragment.encode("utf-8")), text_length(fragment)
            fits = size <= MAX_BYTES and chars <= MAX_TEXT_CHARS
            if not fits:
                ctx.warn(
                    f"《{article.headline}》: {chars} characters, {size} bytes is over WeChat's limit "
                    f"({MAX_TEXT_CHARS} characters, {MAX_BYTES} bytes); split it into two posts"
                )
            writer.write_text(ctx.out / name, page)
            outputs.append(Output(name, "text/html"))
            outputs.extend(Output(p.file, _image_type(p.file)) for p in pictures.values())
            manifest.append(
                {
                    "slug": article.slug,
                    "headline": article.headline,
                    "html": name,
                    "images": [p.file for p in pictures.values()],
                    "chars": chars,
                    "bytes": size,
                    "fits": fits,
                }
            )
        writer.write_text(
            ctx.out / "manifest.json", json.dumps({"issue": issue.id, "articles": manifest}, ensure_ascii=False, indent=1)
        )
        return [Output("manifest.json", "application/json"), *outputs]

    def article_html(self, issue: Issue, article: Article, ctx: BuildContext, css: str, pictures: dict[str, UploadImage]) -> str:
        """The paste-ready fragment: rendered with classes, CSS inlined, cut to the editor's allow-list."""
        notes = Footnotes(ctx.options_as(WechatOptions).keep_links_to)
        blocks = [{"kind": b.kind.value, "html": Markup(notes.replace(text.sanitize_inline(b.html)))} for b in article.body]
        shown = [f for f in article.figures if f.src in pictures or f.caption or f.credit]
        first = next((f for f in shown if f.src in pictures), None)
        rendered = ctx.render_template(
            "article.html",
            issue=issue,
            article=article,
            section=issue.section(article.section),
            blocks=blocks,
            top=[first] if first else [],
            rest=[f for f in shown if f is not first],
            pictures=pictures,
            notes=notes.notes,
        )
        inlined = css_inline.inline_fragment(rendered, css)
        cleaned = text.sanitize_with(inlined, WECHAT_TAGS, WECHAT_ATTRIBUTES)
        return re.sub(r">\s+<", "><", cleaned).strip()

    def _copy_pictures(self, issue: Issue, article: Article, ctx: BuildContext, folder: str) -> dict[str, UploadImage]:
        """Copy the article's figure files to ``<folder>/`` beside its HTML; a missing one is a warning."""
        pictures: dict[str, UploadImage] = {}
        for number, figure in enumerate(article.figures, 1):
            if figure.src is None or figure.src in pictures:
                continue
            path = ctx.figure_file(issue, figure)
            try:
                photo = images.check(path, figure.src) if path else None
            except images.PhotoError as exc:
                ctx.warn(f"《{article.headline}》: {exc}; WeChat shows only its caption")
                continue
            if photo is None:
                continue
            # Upright, at most IMAGE_WIDTH wide, no metadata (GPS, camera) — as every channel sends photos out.
            (made,) = images.render(photo, images.cache_dir(ctx.out), [images.Ask(images.fit(photo, width=IMAGE_WIDTH))])
            target = f"{folder}/{number:02d}.jpg"
            writer.write_bytes(ctx.out / target, made.data)
            pictures[figure.src] = UploadImage(target, made.width, made.height)
        return pictures


def _image_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
