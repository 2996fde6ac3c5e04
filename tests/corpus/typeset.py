"""A third PDF engine for the import corpus, added after the importers' rules and first measured untuned: Typst.

Typst breaks lines, justifies, balances nothing by itself and embeds subsets of real CJK fonts (as a layout
system's PDF does), unlike ReportLab's unembedded CID font; the layout lives in newspaper.typ beside this file.
The plan (which story goes in which row of which section, in how many columns) and the gold come from modules.py.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import typst

from .layout import WEEKDAYS, Piece
from .modules import ModuleStyle, gold, plan

TEMPLATE = Path(__file__).with_name("newspaper.typ")


TYPST_STYLES = {
    "typst-four-col": ModuleStyle("typst-four-col", 4, spans=(2, 2, 4, 1, 3), boxed=(3,), inline=True),
    "typst-five-col-jump": ModuleStyle("typst-five-col-jump", 5, spans=(3, 2, 5, 2, 3), body=9.0, jump=0, condensed=0.8),
    "typst-six-col-vertical": ModuleStyle(
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


def render(paper: str, date: dt.date, number: int | None, pieces: list[Piece], style: str, path: Path) -> list[dict]:
    """Set ``pieces`` with Typst in ``style`` into ``path``; return the gold of every article printed."""
    chosen = TYPST_STYLES[style]
    weekday = f"星期{WEEKDAYS[date.weekday()]}"
    day = f"{date.year}年{date.month}月{date.day}日"
    masthead = [f"{day} {weekday}", f"总第{number}期" if number else None, f"{paper}社出版"]
    with tempfile.TemporaryDirectory(prefix="typst-") as name:
        folder = Path(name)
        sections, jump = plan(pieces, chosen, folder)
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
    return gold(pieces)
