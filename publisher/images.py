"""Figure files for HTML channels: copied into the channel's ``media/`` and measured once.

The digest and the e-paper both publish an issue's pictures beside their pages;
this is the one copy of how they do it (and what they say about a bad file).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from publisher.channel import BuildContext
from publisher.model import Issue


@dataclass(frozen=True)
class Picture:
    """A copied figure image: its public URL and pixel size."""

    url: str
    width: int
    height: int


def copy_pictures(issue: Issue, ctx: BuildContext, channel: str, url) -> dict[str, Picture]:
    """Copy each figure file into ``media/`` and measure it; a missing or unreadable file is a warning.

    ``channel`` names the channel in warnings (e.g. "the digest"); ``url(src)`` gives a copied file's URL.
    """
    pictures: dict[str, Picture] = {}
    for article in issue.articles:
        for figure in article.figures:
            src = figure.src
            if src is None or src in pictures:
                continue
            source = ctx.figure_file(issue, figure)
            if source is None:
                ctx.warn(f"{article.slug}: image {src} is not in the issue folder; {channel} shows only its caption")
                continue
            try:
                with Image.open(source) as image:
                    width, height = image.size
            except (UnidentifiedImageError, OSError):
                ctx.warn(
                    f"{article.slug}: {src} is not a readable image (use JPEG, PNG or WebP); {channel} shows only its caption"
                )
                continue
            target = ctx.out / "media" / src
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            pictures[src] = Picture(url(src), width, height)
    return pictures


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_SPACE = re.compile(r"\s*([{}:;,>])\s*")


def minify_css(css: str) -> str:
    """Drop comments and the white space around CSS punctuation (enough for a hand-written sheet)."""
    css = _CSS_COMMENT.sub("", css)
    css = _CSS_SPACE.sub(r"\1", re.sub(r"\s+", " ", css))
    return css.replace(";}", "}").strip()
