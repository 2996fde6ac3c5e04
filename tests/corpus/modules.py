"""The page plan the Typst and Chromium engines share: which story goes in which row of which section, in how
many columns, with which treatment (box, vertical head, jump). Each engine sets the plan its own way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .layout import Piece, picture_jpeg


@dataclass(frozen=True)
class ModuleStyle:
    name: str
    columns: int
    spans: tuple[int, ...]  # module widths in columns, repeated
    body: float = 9.5  # pt
    leading: float = 0.6  # em between lines
    boxed: tuple[int, ...] = ()  # indexes of pieces printed in a box
    vertical: tuple[int, ...] = ()  # indexes of pieces with a vertical headline
    jump: int | None = None  # index of a piece continued on a later page
    condensed: float = 1.0  # heads' horizontal scale (长体 at 0.8)
    inline: bool = False  # photos stand in the story's columns after its first paragraph, a column wide
    beside: bool = False  # a photo's caption stands at its right, not under it
    pull: tuple[int, ...] = ()  # indexes of pieces that print a pull quote (a sentence of their own, in display type)
    photo_first: bool = False  # a story's photos stand atop it, over its head


def pull_quote(piece: Piece) -> str | None:
    """The sentence a story's pull quote repeats: the first of its second paragraph, when it is of a quote's
    length (a real sentence of the story, as a desk picks one)."""
    for paragraph in piece.paragraphs[1:2]:
        sentence = re.match(r"[^。！？!?]{12,46}[。！？!?]", paragraph)
        if sentence:
            return sentence.group(0)
    return None


def story(piece: Piece, index: int, span: int, style: ModuleStyle, folder: Path) -> dict:
    """What a template needs of one story; its photos are written into ``folder``."""
    photos = []
    for n, (caption, credit) in enumerate(piece.photos):
        name = f"photo-{index}-{n}.jpg"
        (folder / name).write_bytes(picture_jpeg(index * 7 + n))
        photos.append({"file": name, "caption": caption, "credit": credit})
    jump = index == style.jump and len(piece.paragraphs) > 1
    half = (len(piece.paragraphs) + 1) // 2 if jump else len(piece.paragraphs)
    return {
        "headline": piece.headline,
        "kicker": piece.kicker,
        "subtitle": piece.subtitle,
        "series": piece.series,
        "byline_line": piece.byline_line,
        "head_printed": piece.head_printed,
        "paragraphs": piece.paragraphs[:half],
        "rest": piece.paragraphs[half:],
        "photos": photos,
        "span": span,
        "cols": max(1, span - 1) if span > 2 else span,
        "vertical": index in style.vertical,
        "boxed": index in style.boxed,
        "jump": jump,
        "pull": pull_quote(piece) if index in style.pull else None,
        "photo_first": style.photo_first,
    }


def plan(pieces: list[Piece], style: ModuleStyle, folder: Path) -> tuple[list[dict], dict | None]:
    """Sections in print order, each a list of rows of stories that fill the page's columns; and the jumped story."""
    sections: list[dict] = []
    jump = None
    used = style.columns
    for index, piece in enumerate(pieces):
        span = min(style.spans[index % len(style.spans)], style.columns)
        if not sections or sections[-1]["name"] != piece.section:
            sections.append({"name": piece.section, "rows": []})
            used = style.columns
        if used + span > style.columns:
            sections[-1]["rows"].append([])
            used = 0
        one = story(piece, index, span, style, folder)
        sections[-1]["rows"][-1].append(one)
        used += span
        if one["jump"]:
            jump = one
    return sections, jump


def gold(pieces: list[Piece]) -> list[dict]:
    """What was printed of each article, as the bench and tests score it."""
    return [{"headline": p.headline, "byline": p.gold_byline, "section": p.section, "photos": len(p.photos)} for p in pieces]
