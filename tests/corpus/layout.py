"""A second PDF engine for the import-pdf corpus: ReportLab lays out real articles in several newspaper styles.

Nothing here is read by the importer: it only makes test PDFs (3–6 columns, stories side by side and
spanning columns, boxed pieces, photos with captions, a vertical headline, jump lines) and says what
was printed where (the gold). The text comes from tests/corpus/*.yaml and the sample issue.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
PAGE_W, PAGE_H = 842.0, 1191.0
MARGIN = 40.0
NO_LINE_START = "，。、；：？！”’）》」』%…"
WEEKDAYS = "一二三四五六日"


@dataclass
class Piece:
    """One article as it is to be printed."""

    headline: str
    paragraphs: list[str]
    section: str = "要闻"
    kicker: str | None = None
    subtitle: str | None = None
    series: str | None = None
    byline_line: str | None = None  # printed on a line of its own under the head
    gold_byline: str | None = None
    photos: list[tuple[str, str | None]] = field(default_factory=list)  # (caption, credit)
    head_printed: bool = True  # False: a picture story printed as its picture and caption alone


@dataclass
class Style:
    name: str
    columns: int
    body: float = 10.0
    leading: float = 14.0
    spans: tuple[int, ...] = ()  # module widths in columns, repeated
    boxed: tuple[int, ...] = ()  # indexes of pieces printed in a box
    vertical: tuple[int, ...] = ()  # indexes of pieces with a vertical headline
    jump: int | None = None  # index of a piece continued on the next page
    jump_lines: int = 6  # lines per column printed before the jump


STYLES = {
    "four-col": Style("four-col", 4, spans=(4, 2, 2, 2, 2, 1, 3)),
    "three-col-boxed": Style("three-col-boxed", 3, body=10.5, leading=15.0, spans=(3, 2, 1, 1, 2), boxed=(2, 5)),
    "six-col-vertical-jump": Style(
        "six-col-vertical-jump", 6, body=9.5, leading=13.0, spans=(4, 2, 3, 3, 2, 2, 2), vertical=(1,), jump=0
    ),
    "five-col": Style("five-col", 5, body=9.5, leading=13.5, spans=(5, 3, 2, 2, 3)),
    # added after the rules of 2026-12-02 and first measured untuned: a broadsheet's seven narrow columns
    "seven-col": Style("seven-col", 7, body=9.0, leading=12.5, spans=(7, 3, 4, 2, 5, 3, 2, 2), boxed=(3,)),
}


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, width: float, size: float, indent: int = 0) -> list[str]:
    """Break ``text`` into lines of ``width`` (first line indented ``indent`` characters); no line starts with a closer."""
    lines, cur = [], ""
    limit = width - indent * size
    for ch in text:
        if cur and _width(cur + ch, size) > limit and ch not in NO_LINE_START:
            lines.append(cur)
            cur, limit = "", width
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def picture_jpeg(seed: int, w: int = 320, h: int = 200) -> bytes:
    """A deterministic stand-in photograph (gradient bands) for a caption that is real."""
    image = Image.new("RGB", (w, h))
    pixels = image.load()
    for x in range(w):
        for y in range(h):
            pixels[x, y] = ((x * 3 + seed * 40) % 256, (y * 2 + seed * 70) % 256, ((x + y) + seed * 90) % 256)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def picture(seed: int) -> ImageReader:
    return ImageReader(io.BytesIO(picture_jpeg(seed)))


class Printer:
    """Lays out the pieces page by page in one style; ``gold`` records what was printed."""

    def __init__(self, path: Path, paper: str, date: dt.date, number: int | None, style: Style):
        self.c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
        self.paper, self.date, self.number, self.style = paper, date, number, style
        self.page = 0
        self.section: str | None = None
        self.col_w = (PAGE_W - 2 * MARGIN - (style.columns - 1) * 12) / style.columns
        self.y = 0.0
        self.pending_jump: Piece | None = None
        self.rest: list[str] = []

    # coordinates: y from the top of the page
    def text(self, x: float, y: float, s: str, size: float, space: float = 0.0) -> None:
        t = self.c.beginText()
        t.setFont(FONT, size)
        t.setCharSpace(space)
        t.setTextOrigin(x, PAGE_H - y - size)
        t.textLine(s)
        self.c.drawText(t)

    def new_page(self, section: str) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        date = f"{self.date.year}年{self.date.month}月{self.date.day}日 星期{WEEKDAYS[self.date.weekday()]}"
        self.text(MARGIN, 18, f"{self.paper} {date}", 8)
        head = f"{section} 第{self.page}版"
        self.text(PAGE_W - MARGIN - _width(head, 8), 18, head, 8)
        self.text(PAGE_W / 2 - 12, PAGE_H - 28, f"— {self.page} —", 8)
        y = MARGIN
        if self.page == 1:
            self.text(MARGIN, y, self.paper, 56)
            info = [date, f"总第{self.number}期" if self.number else "", f"{self.paper}社出版"]
            for k, line in enumerate(x for x in info if x):
                self.text(PAGE_W - MARGIN - 150, y + 4 + k * 14, line, 10)
            y += 80
            self.c.setLineWidth(2)
            self.c.line(MARGIN, PAGE_H - y, PAGE_W - MARGIN, PAGE_H - y)
            y += 10
        if section != self.section or self.page == 1:
            self.text(MARGIN, y, section, 16)
            self.text(PAGE_W - MARGIN - _width(date, 8), y + 6, date, 8)
            self.c.setLineWidth(0.8)
            self.c.line(MARGIN, PAGE_H - y - 22, PAGE_W - MARGIN, PAGE_H - y - 22)
            y += 32
        self.section = section
        self.y = y

    def run(self, pieces: list[Piece]) -> list[dict]:
        style = self.style
        gold = []
        row: list[tuple[Piece, int, int]] = []
        used = 0
        k = 0
        self.new_page(pieces[0].section)
        for index, piece in enumerate(pieces):
            span = style.spans[k % len(style.spans)] if style.spans else style.columns
            k += 1
            span = min(span, style.columns)
            if piece.section != self.section or used + span > style.columns:
                self.flush(row)
                row, used = [], 0
                if piece.section != self.section:
                    self.finish_jump()
                    self.new_page(piece.section)
            row.append((piece, span, index))
            used += span
            gold.append(
                {
                    "headline": piece.headline,
                    "byline": piece.gold_byline,
                    "section": piece.section,
                    "photos": len(piece.photos),
                }
            )
        self.flush(row)
        self.finish_jump()
        self.c.showPage()
        self.c.save()
        return gold

    def flush(self, row: list[tuple[Piece, int, int]]) -> None:
        if not row:
            return
        heights = [self.measure(piece, span, index) for piece, span, index in row]
        if self.y + max(heights) > PAGE_H - MARGIN - 20 and self.y > MARGIN + 120:
            if self.pending_jump is not None:
                self.finish_jump()  # the next page opens with the rest of the jumped story
            else:
                self.new_page(row[0][0].section)
        x = MARGIN
        for (piece, span, index), _ in zip(row, heights, strict=True):
            self.module(piece, span, index, x, self.y)
            x += span * (self.col_w + 12)
        self.y += max(heights) + 16
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN, PAGE_H - self.y + 8, PAGE_W - MARGIN, PAGE_H - self.y + 8)

    def head_size(self, span: int) -> float:
        return {1: 15.0, 2: 19.0, 3: 23.0}.get(span, 27.0)

    def body_lines(self, piece: Piece, width: float) -> list[tuple[str, bool]]:
        """(line, is the last line of its paragraph) for the whole body."""
        out = []
        for para in piece.paragraphs:
            lines = wrap(para, width, self.style.body, indent=2)
            out += [(line, n == len(lines) - 1) for n, line in enumerate(lines)]
        return out

    def layout(self, piece: Piece, span: int, index: int):
        """Header lines, text columns' width and x offset, lines per column, photo height."""
        style = self.style
        width = span * self.col_w + (span - 1) * 12
        vertical = index in style.vertical
        size = self.head_size(span)
        head: list[tuple[str, float]] = []
        if piece.series:
            head.append((f"【{piece.series}】", style.body * 0.9))
        if piece.kicker:
            head += [(x, style.body * 1.25) for x in wrap(piece.kicker, width, style.body * 1.25)]
        if not vertical and piece.head_printed:
            head += [(x, size) for x in wrap(piece.headline, width, size)]
        if piece.subtitle:
            head += [(x, style.body * 1.3) for x in wrap("——" + piece.subtitle, width, style.body * 1.3)]
        if piece.byline_line:
            head.append((piece.byline_line, style.body * 0.9))
        text_w, text_x = self.beside(width, vertical, size), 0.0
        cols = span if not vertical else max(1, span)
        col_w = (text_w - (cols - 1) * 12) / cols
        lines = self.body_lines(piece, col_w)
        per_col = max(1, math.ceil(len(lines) / cols))
        if index == style.jump:
            per_col = min(per_col, style.jump_lines)
        photo_h = width * 0.45 if piece.photos else 0.0
        return head, cols, col_w, text_x, lines, per_col, photo_h, width, vertical, size

    def measure(self, piece: Piece, span: int, index: int) -> float:
        head, cols, col_w, text_x, lines, per_col, photo_h, width, vertical, size = self.layout(piece, span, index)
        head_h = sum(s * 1.35 for _, s in head) + (8 if head else 0)
        cap_h = sum(len(wrap(self.caption(c), self.beside(width, vertical, size), 8)) * 11 for c in piece.photos)
        cap_h += 6 if piece.photos else 0
        body_h = per_col * self.style.leading + (14 if index == self.style.jump else 0)
        if vertical:
            body_h = max(body_h, len(piece.headline) * size * 1.1)
        return head_h + photo_h * len(piece.photos) + cap_h + body_h

    @staticmethod
    def beside(width: float, vertical: bool, size: float) -> float:
        """The width left of a vertical head set at ``size``, where its story's text and photos stand."""
        return width - size * 1.6 if vertical else width

    @staticmethod
    def caption(photo: tuple[str, str | None]) -> str:
        caption, credit = photo
        return f"{caption} {credit}" if credit else caption

    def module(self, piece: Piece, span: int, index: int, x: float, y: float) -> None:
        style = self.style
        head, cols, col_w, text_x, lines, per_col, photo_h, width, vertical, size = self.layout(piece, span, index)
        top = y
        for line, s in head:
            self.text(x, y, line, s)
            y += s * 1.35
        y += 8 if head else 0
        photo_w = self.beside(width, vertical, size)  # a vertical head runs down beside its photos too
        for n, photo in enumerate(piece.photos):
            self.c.drawImage(picture(index * 7 + n + self.page), x, PAGE_H - y - photo_h, photo_w, photo_h)
            y += photo_h + 3
            for line in wrap(self.caption(photo), photo_w, 8):
                self.text(x, y, line, 8)
                y += 11
            y += 3
        if vertical:
            vx = x + width - size * 1.2
            for k, ch in enumerate(piece.headline):
                self.text(vx, top + k * size * 1.1, ch, size)
        shown = lines[: per_col * cols]
        self.columns(shown, cols, per_col, col_w, x + text_x, y)
        bottom = y + per_col * style.leading
        if index == style.jump and len(shown) < len(lines):
            mark = f"（下转第{self.page + 1}版）"
            self.text(x + width - _width(mark, style.body * 0.85), bottom + 1, mark, style.body * 0.85)
            self.pending_jump = piece
            self.rest = [line for line, _ in lines[len(shown) :]]
            self.rest_ends = [end for _, end in lines[len(shown) :]]
            self.rest_fresh = shown[-1][1]  # the cut fell between paragraphs
        if index in style.boxed:
            self.c.setLineWidth(0.8)
            height = self.measure(piece, span, index)
            self.c.rect(x - 4, PAGE_H - top - height - 4, width + 8, height + 8)

    def columns(self, lines, cols: int, per_col: int, col_w: float, x: float, y: float) -> None:
        size, leading = self.style.body, self.style.leading
        for n, (line, last) in enumerate(lines):
            col, row = divmod(n, per_col)
            lx = x + col * (col_w + 12)
            first = n == 0 or lines[n - 1][1]
            if first:
                lx += 2 * size
            space = 0.0
            room = col_w - (2 * size if first else 0) - _width(line, size)
            if len(line) > 1 and (not last or room < 0):  # justify; squeeze a line that took a closer up
                space = room / (len(line) - 1)
            self.text(lx, y + row * leading, line, size, space)

    def finish_jump(self) -> None:
        """The rest of a jumped story at the top of the next page, under a shorter repeat of its head."""
        piece = self.pending_jump
        if piece is None:
            return
        self.pending_jump = None
        self.new_page(self.section)
        style = self.style
        x, y = MARGIN, self.y
        self.text(x, y, piece.headline, 16)
        y += 16 * 1.4
        mark = f"（上接第{self.page - 1}版）"
        self.text(x, y, mark, style.body * 0.85)
        y += style.leading
        cols = 3
        col_w = (3 * self.col_w + 24 - 24) / cols
        lines = list(zip(self.rest, self.rest_ends, strict=True))
        per_col = max(1, math.ceil(len(lines) / cols))
        size = style.body
        for n, (line, last) in enumerate(lines):
            col, row = divmod(n, per_col)
            lx = x + col * (col_w + 12)
            first = lines[n - 1][1] if n else self.rest_fresh
            if first:
                lx += 2 * size
            self.text(lx, y + row * style.leading, line, size)
        self.y = y + per_col * style.leading + 20
