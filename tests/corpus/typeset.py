"""A third PDF engine for the import corpus, added after the importers' rules and first measured untuned: Typst.

Typst breaks lines, justifies, balances nothing by itself and embeds subsets of real CJK fonts (as a layout
system's PDF does), unlike ReportLab's unembedded CID font; the layout lives in newspaper.typ beside this file.
Only the plan (which story goes in which row of which section, in how many columns) is made here, and the gold.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import typst

from .layout import WEEKDAYS, Piece, picture_jpeg

TEMPLATE = Path(__file__).with_name("newspaper.typ")


@dataclass(frozen=True)
class TypstStyle:
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


TYPST_STYLES = {
    "typst-four-col": TypstStyle("typst-four-col", 4, spans=(2, 2, 4, 1, 3), boxed=(3,), inline=True),
    "typst-five-col-jump": TypstStyle("typst-five-col-jump", 5, spans=(3, 2, 5, 2, 3), body=9.0, jump=0, condensed=0.8),
    "typst-six-col-vertical": TypstStyle(
        "typst-six-col-vertical",
        6,
        spans=(6, 2, 4, 3, 3, 2, 2, 2),
        body=9.0,
        leading=0.55,
        vertical=(2,),
        boxed=(4,),
        beside=True,
    ),
}


def _story(piece: Piece, index: int, span: int, style: TypstStyle, folder: Path) -> dict:
    """What newspaper.typ needs of one story; its photos are written into ``folder``."""
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
    }


def _plan(pieces: list[Piece], style: TypstStyle, folder: Path) -> tuple[list[dict], dict | None]:
    """Sections in print order, each a list of rows of stories that fill the page's columns."""
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
        story = _story(piece, index, span, style, folder)
        sections[-1]["rows"][-1].append(story)
        used += span
        if story["jump"]:
            jump = story
    return sections, jump


def render(paper: str, date: dt.date, number: int | None, pieces: list[Piece], style: str, path: Path) -> list[dict]:
    """Set ``pieces`` with Typst in ``style`` into ``path``; return the gold of every article printed."""
    chosen = TYPST_STYLES[style]
    weekday = f"星期{WEEKDAYS[date.weekday()]}"
    day = f"{date.year}年{date.month}月{date.day}日"
    masthead = [f"{day} {weekday}", f"总第{number}期" if number else None, f"{paper}社出版"]
    with tempfile.TemporaryDirectory(prefix="typst-") as name:
        folder = Path(name)
        sections, jump = _plan(pieces, chosen, folder)
        data = {
            "paper": paper,
            "date": f"{day} {weekday}",
            "masthead": [line for line in masthead if line],
            "style": {
                "body": chosen.body,
                "leading": chosen.leading,
                "condensed": chosen.condensed,
                "inline": chosen.inline,
                "beside": chosen.beside,
            },
            "sections": sections,
            "jump": jump,
        }
        (folder / "issue.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        (folder / "main.typ").write_bytes(TEMPLATE.read_bytes())
        typst.compile(str(folder / "main.typ"), output=str(path), root=str(folder), pdf_tags=False)
    return [{"headline": p.headline, "byline": p.gold_byline, "section": p.section, "photos": len(p.photos)} for p in pieces]
