"""Which characters of an issue the paper's fonts cannot print.

WeasyPrint (through Pango) quietly falls back to another font, or to a blank
box, for a character the chosen fonts lack; the channel reports each such
character with the article it is in instead. Coverage comes from fontconfig
(the same lookup Pango does), as code point ranges: a few milliseconds, where
parsing the CJK fonts' cmaps with fontTools takes half a second.
"""

from __future__ import annotations

import bisect
import subprocess
import unicodedata
from functools import lru_cache

from publisher.model import Article, Issue

#: The families the layout sets Simplified Chinese in (templates/pdf.css; other regions: publisher.fonts).
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
#: Characters that print no glyph of their own: controls, format marks (bidi, zero width), separators.
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


class FontMissing(Exception):
    """A family of the layout is not installed."""


class Coverage:
    """Code points a font has, as sorted inclusive ranges."""

    def __init__(self, ranges: list[tuple[int, int]]):
        self.starts = [a for a, _ in ranges]
        self.ends = [b for _, b in ranges]

    def __contains__(self, code: int) -> bool:
        i = bisect.bisect_right(self.starts, code) - 1
        return i >= 0 and code <= self.ends[i]


@lru_cache(maxsize=None)
def coverage(family: str) -> Coverage:
    """The code points ``family`` has a glyph for, from fontconfig."""
    found = subprocess.run(
        ["fc-match", "--format=%{family}\n%{charset}", family], capture_output=True, text=True, check=False
    ).stdout.split("\n", 1)
    if len(found) < 2 or family not in found[0].split(","):
        raise FontMissing(f"the font {family!r} is not installed; install Debian's fonts-noto-cjk (./dev setup does)")
    ranges = []
    for item in found[1].split():
        first, _, last = item.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return Coverage(sorted(ranges))


def article_texts(article: Article) -> list[str]:
    """Everything of ``article`` that prints."""
    parts = [
        article.headline,
        article.kicker,
        article.subtitle,
        article.series,
        article.byline,
        article.source,
        article.editor_note,
        article.text,
    ]
    for figure in article.figures:
        parts += [figure.caption, figure.credit]
    return [p for p in parts if p]


def issue_texts(issue: Issue) -> list[str]:
    parts = [issue.paper, issue.paper_en, issue.serial, issue.grade, issue.publisher, issue.sponsor, issue.website]
    return [p for p in parts if p] + [s.name for s in issue.sections] + [s.editor for s in issue.sections if s.editor]


def missing(texts: list[str], families: tuple[str, ...] = FAMILIES) -> list[str]:
    """Characters of ``texts`` that none of ``families`` has, in order of first appearance."""
    fonts = [coverage(f) for f in families]
    seen: dict[str, None] = {}
    for ch in dict.fromkeys("".join(texts)):
        if unicodedata.category(ch) not in _INVISIBLE and not any(ord(ch) in font for font in fonts):
            seen[ch] = None
    return list(seen)


def describe(ch: str) -> str:
    return f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')})"
