"""Text helpers shared by the loader and every channel, defined once.

- ``clean``: drop characters no XML document may carry (C0/C1 controls, lone
  surrogates, non-characters) and the bidi controls that can make a headline
  display reversed, and normalise line ends;
- ``sanitize_inline``: the one HTML allow-list (nh3) for article markup;
- ``html_to_text``: plain text of sanitized markup;
- ``trim_at_sentence``: a lead or summary cut at a Chinese or Western sentence end;
- ``count_chars`` and ``has_cjk``;
- ``slugify``: an ASCII pinyin slug for a Chinese title.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

# XML 1.0 forbids C0 controls except tab/newline/return; C1 controls and
# non-characters are legal but break feed readers and PDF text, so they go too.
# Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the direction marks
# (U+200E/200F, U+061C) reorder what a reader sees ("gpj.exe" shown as "exe.jpg"); a Chinese
# paper never needs them, so they go as well.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)

#: Inline elements article text may carry, and their attributes.
INLINE_TAGS = {"a", "em", "strong", "b", "i", "u", "sup", "sub", "br", "span", "small", "mark", "q", "cite", "code"}
INLINE_ATTRIBUTES = {"a": {"href", "title"}, "span": {"lang"}, "q": {"lang"}}
URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[。！？!?…]+[”’」』）)]*|[.](?=\s)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def clean(value: str) -> str:
    """Remove characters that XML, feeds and PDFs cannot carry; keep everything else."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _FORBIDDEN.sub("", value)


def _sanitize(markup: str, tags: set[str], attributes: dict[str, set[str]], attribute_filter=None) -> str:
    """The one nh3 call every sanitizer goes through: safe URL schemes, no comments, safe rel on links.

    Cleaned again after nh3, which decodes character references: ``&#x202E;`` must not come back as a control.
    """
    return _drop_rel_without_href(
        clean(
            nh3.clean(
                clean(markup),
                tags=tags,
                attributes=attributes,
                url_schemes=URL_SCHEMES,
                link_rel="noopener noreferrer nofollow",
                strip_comments=True,
                attribute_filter=attribute_filter,
            )
        )
    )


def sanitize_with(markup: str, tags: set[str], attributes: dict[str, set[str]]) -> str:
    """Sanitize to a channel's own allow-list (e.g. what the WeChat editor keeps), through the same nh3 call."""
    return _sanitize(markup, tags, attributes)


def sanitize_inline(markup: str) -> str:
    """Sanitize article markup to the inline allow-list: no script, styles, handlers or javascript: URLs."""
    return _sanitize(markup, INLINE_TAGS, INLINE_ATTRIBUTES)


_A_TAG = re.compile(r"<a\b[^>]*>")


def _drop_rel_without_href(markup: str) -> str:
    """nh3 adds rel to every <a>; HTML forbids rel on an <a> whose href was removed (e.g. javascript:)."""
    return _A_TAG.sub(
        lambda m: m[0] if re.search(r'\shref="', m[0]) else m[0].replace(' rel="noopener noreferrer nofollow"', ""),
        markup,
    )


def html_to_text(markup: str) -> str:
    """Plain text of (already sanitized) inline markup."""
    return clean(html.unescape(_TAG.sub("", markup.replace("<br>", "\n"))))


def count_chars(value: str) -> int:
    """Characters that are not white space."""
    return sum(1 for ch in value if not ch.isspace())


def has_cjk(value: str) -> bool:
    return bool(_CJK.search(value))


def trim_at_sentence(value: str, limit: int = 120) -> str:
    """Shorten ``value`` to at most ``limit`` characters, ending at a sentence end when one is near.

    Falls back to a hard cut with an ellipsis when the first sentence alone is longer than ``limit``.
    """
    value = value.strip()
    if len(value) <= limit:
        return value
    best = 0
    for match in _SENTENCE_END.finditer(value):
        if match.end() > limit:
            break
        best = match.end()
    if best >= limit // 3:
        return value[:best]
    return value[: limit - 1] + "…"


#: A whole article's HTML (feed content, EPUB chapters): the inline list plus block elements.
ARTICLE_TAGS = INLINE_TAGS | {"p", "h2", "h3", "h4", "blockquote", "figure", "figcaption", "img", "div", "header", "footer", "hr"}
ARTICLE_ATTRIBUTES = {**INLINE_ATTRIBUTES, "img": {"src", "alt", "width", "height"}, "*": {"class", "lang"}}


def sanitize_article(markup: str, base: str | None = None) -> str:
    """Sanitize a rendered article (block and inline markup) to the article allow-list.

    With ``base`` (an absolute URL), relative ``href``/``src`` values are made absolute
    against it, as feeds and e-mail need.
    """

    def absolute(tag: str, attribute: str, value: str) -> str:
        if base and attribute in ("href", "src") and not urlsplit(value).scheme:
            return urljoin(base, value)
        return value

    return _sanitize(markup, ARTICLE_TAGS, ARTICLE_ATTRIBUTES, absolute)


_DATELINE = re.compile(r"^(本报讯|.{0,24}?电(（[^）]*）)?$)")


def is_dateline(byline: str | None) -> bool:
    """A news dateline (本报讯（记者 …）, 新华社北京4月17日电（记者 …）) that print runs into the first paragraph."""
    return bool(byline and _DATELINE.match(byline.strip()))


def slugify(value: str, words: int = 6) -> str:
    """An ASCII slug from the first ``words`` syllables or words of ``value``: 中铝集团新增两家 → zhong-lv-ji-tuan-xin-zeng.

    Chinese becomes toneless pinyin; Latin letters and digits stay; everything else separates.
    Returns "" when nothing usable is left.
    """
    from pypinyin import lazy_pinyin  # its phrase tables take 0.2 s to import: only when a slug is made

    parts: list[str] = []
    for chunk in lazy_pinyin(value):  # what has no pinyin comes back as it is, and is split below
        parts.extend(p.lower() for p in re.split(r"[^0-9A-Za-z]+", chunk) if p)
        if len(parts) >= words:
            break
    return "-".join(p.replace("ü", "v") for p in parts[:words])
