"""A fourth PDF engine for the import corpus, added after every importer rule and first measured untuned:
Chromium (Blink's layout, Skia's PDF), as a web-to-print system makes a page.

The page is HTML and CSS (newspaper.html beside this file): CSS columns balanced by the browser, named pages whose
margin boxes print the running heads, writing-mode for a vertical head. The plan and the gold come from
modules.py, so a story sits in the same row and span as in the Typst styles.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import jinja2
import pypdfium2
from playwright.sync_api import sync_playwright

from .layout import WEEKDAYS, Piece
from .modules import ModuleStyle, gold, plan

CHROMIUM = "/usr/bin/chromium"
TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True)


CHROMIUM_STYLES = {
    "chromium-five-col-rules": ModuleStyle("chromium-five-col-rules", 5, spans=(3, 2, 2, 3, 5, 1, 4), boxed=(3,), jump=0),
    "chromium-four-col-vertical": ModuleStyle("chromium-four-col-vertical", 4, spans=(4, 2, 2, 3, 1), body=9.0, vertical=(3,)),
    "chromium-six-col-features": ModuleStyle(
        "chromium-six-col-features", 6, spans=(4, 2, 3, 3, 6, 2, 2, 2), body=9.0, pull=(0, 2, 4), photo_first=True
    ),
}
#: What each style prints beyond the common page: hairlines in the gutters; a 导读 box on the front page (the
#: heads of the inside pages' lead stories and their pages); section flags reversed out of a red band.
LOOKS = {"chromium-five-col-rules": {"rules"}, "chromium-six-col-features": {"digest", "reversed"}}
HEADS = {1: 15, 2: 19, 3: 23, 4: 26, 5: 28, 6: 30}  # pt, by the columns a head spans
DIGEST = 2  # stories of each inside section the 导读 lists


def _digest(sections: list[dict], pages: dict[str, int]) -> list[dict]:
    """The 导读 lines: the first stories of every section after the front page's, each with the page it is on."""
    heads = [piece["headline"] for section in sections[1:] for piece in _pieces(section)[:DIGEST]]
    return [{"headline": head, "page": pages.get(head, 2)} for head in heads]


def _pieces(section: dict) -> list[dict]:
    return [piece for row in section["rows"] for piece in row if piece["head_printed"] and piece["paragraphs"]]


def _html(
    paper: str,
    date: dt.date,
    number: int | None,
    sections: list[dict],
    jump: dict | None,
    style: str,
    pages: dict[str, int],
) -> str:
    weekday = f"星期{WEEKDAYS[date.weekday()]}"
    day = f"{date.year}年{date.month}月{date.day}日"
    masthead = [line for line in (f"{day} {weekday}", f"总第{number}期" if number else None, f"{paper}社出版") if line]
    chosen = CHROMIUM_STYLES[style]
    return TEMPLATES.get_template("newspaper.html").render(
        paper=paper,
        date=f"{day} {weekday}",
        masthead=masthead,
        sections=sections,
        jump=jump,
        jump_to=pages.get("（上接", 2),
        digest=_digest(sections, pages) if "digest" in LOOKS.get(style, ()) else [],
        heads=HEADS,
        style={"body": chosen.body, "looks": LOOKS.get(style, set())},
    )


def _print(html: str, folder: Path, path: Path) -> None:
    page_file = folder / "issue.html"
    page_file.write_text(html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
        browser.close()


def _pages(path: Path, heads: list[str]) -> dict[str, int]:
    """The page each of ``heads`` was first set on after the front page, and under "（上接" the page of a jumped
    story's rest: the browser decides where a page breaks, so the lines that name a page are set again."""
    doc = pypdfium2.PdfDocument(path)
    texts = [re.sub(r"\s+", "", doc[index].get_textpage().get_text_range()) for index in range(len(doc))]
    found: dict[str, int] = {}
    for number, text in enumerate(texts[1:], start=2):
        for head in ["（上接", *heads]:
            if head not in found and (
                re.search(r"（上接第\d+版）", text) if head == "（上接" else re.sub(r"\s+", "", head) in text
            ):
                found[head] = number
    return found


def render(paper: str, date: dt.date, number: int | None, pieces: list[Piece], style: str, path: Path) -> list[dict]:
    """Set ``pieces`` with Chromium in ``style`` into ``path``; return the gold of every article printed."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as name:
        folder = Path(name)
        sections, jump = plan(pieces, CHROMIUM_STYLES[style], folder)
        _print(_html(paper, date, number, sections, jump, style, {}), folder, path)
        named = [item["headline"] for item in _digest(sections, {})] if "digest" in LOOKS.get(style, ()) else []
        if jump is not None or named:
            pages = _pages(path, named)
            if jump is not None and "（上接" not in pages:
                raise AssertionError("the jumped story's rest was not printed")
            if any(pages.get(head, 2) != 2 for head in ["（上接", *named]):  # set again with the pages they are on
                _print(_html(paper, date, number, sections, jump, style, pages), folder, path)
    return gold(pieces)
