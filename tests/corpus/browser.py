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
}
RULED = {"chromium-five-col-rules"}  # gutters with a hairline in them
HEADS = {1: 15, 2: 19, 3: 23, 4: 26, 5: 28}  # pt, by the columns a head spans


def _html(
    paper: str, date: dt.date, number: int | None, sections: list[dict], jump: dict | None, style: str, jump_to: int
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
        jump_to=jump_to,
        heads=HEADS,
        style={"body": chosen.body, "rules": style in RULED},
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


def _rest_page(path: Path) -> int:
    """The page the jumped story's rest was set on (the browser decides where a page breaks)."""
    doc = pypdfium2.PdfDocument(path)
    for index in range(len(doc)):
        if re.search(r"（上接第\d+版）", re.sub(r"\s+", "", doc[index].get_textpage().get_text_range())):
            return index + 1
    raise AssertionError("the jumped story's rest was not printed")


def render(paper: str, date: dt.date, number: int | None, pieces: list[Piece], style: str, path: Path) -> list[dict]:
    """Set ``pieces`` with Chromium in ``style`` into ``path``; return the gold of every article printed."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as name:
        folder = Path(name)
        sections, jump = plan(pieces, CHROMIUM_STYLES[style], folder)
        _print(_html(paper, date, number, sections, jump, style, 2), folder, path)
        if jump is not None and (to := _rest_page(path)) != 2:  # set the jump line again with the page it points to
            _print(_html(paper, date, number, sections, jump, style, to), folder, path)
    return gold(pieces)
