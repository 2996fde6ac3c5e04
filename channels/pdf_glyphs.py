"""Which characters of an issue the paper's fonts cannot print.

WeasyPrint (through Pango) quietly falls back to another font, or to a blank
box, for a character the chosen fonts lack; the channel reports each such
character with the article it is in instead.
"""
from __future__ import annotations

import subprocess
import unicodedata
from functools import lru_cache

from fontTools.ttLib import TTFont

from publisher.model import Article, Issue

#: The families the layout sets text in (layouts/pdf/pdf.css).
FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
#: Characters that print no glyph of their own: controls, format marks (bidi, zero width), separators.
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


class FontMissing(Exception):
    """A family of the layout is not installed."""


@lru_cache(maxsize=None)
def coverage(family: str) -> frozenset[int]:
    """Code points ``family`` has a glyph for, found through fontconfig."""
    found = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}\n%{index}", family], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if len(found) < 3 or family not in found[0].split(","):
        raise FontMissing(
            f"the font {family!r} is not installed; install Debian's fonts-noto-cjk (./dev setup does)"
        )
    font = TTFont(found[1], fontNumber=int(found[2] or 0), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def article_texts(article: Article) -> list[str]:
    """Everything of ``article`` that prints."""
    parts = [article.headline, article.kicker, article.subtitle, article.series, article.byline,
             article.source, article.editor_note, article.text]
    for figure in article.figures:
        parts += [figure.caption, figure.credit]
    return [p for p in parts if p]


def issue_texts(issue: Issue) -> list[str]:
    parts = [issue.paper, issue.paper_en, issue.serial, issue.grade, issue.publisher, issue.sponsor, issue.website]
    return [p for p in parts if p] + [s.name for s in issue.sections] + [s.editor for s in issue.sections if s.editor]


def missing(texts: list[str], families: tuple[str, ...] = FAMILIES) -> list[str]:
    """Characters of ``texts`` that none of ``families`` has, in order of first appearance."""
    covered = frozenset().union(*(coverage(f) for f in families))
    seen: dict[str, None] = {}
    for value in texts:
        for ch in value:
            if ord(ch) not in covered and ch not in seen and unicodedata.category(ch) not in _INVISIBLE:
                seen[ch] = None
    return list(seen)


def describe(ch: str) -> str:
    return f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')})"
