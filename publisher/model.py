"""The core article model: Issue → Section → Article, frozen and validated.

The model knows nothing of files, Flask or channels. Derived facts (weekday,
lunar date, character count, reading time) are properties computed from the
stored fields, never typed in by hand.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from publisher import calendar_zh

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISSUE_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")

#: Characters a Chinese reader gets through per minute, for reading times.
READING_SPEED_ZH = 400


class Frozen(BaseModel):
    """Base for every model class: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _check_slug(value: str, what: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{what} {value!r} must be ASCII lower-case letters, digits and single hyphens (e.g. 'yaowen' or 'jishu-zhongxin')"
        )
    return value


class Kind(str, Enum):
    """What sort of piece an article is; channels may style kinds differently."""

    news = "news"
    commentary = "commentary"
    feature = "feature"
    brief = "brief"
    speech = "speech"
    interview = "interview"
    essay = "essay"
    photo = "photo"
    notice = "notice"


class Author(Frozen):
    name: str = Field(min_length=1)
    role: str | None = None


class Figure(Frozen):
    """A picture, or only its caption when the image file is not at hand."""

    caption: str = ""
    credit: str | None = None
    src: str | None = None  # relative to the issue folder
    #: Set by the loader: ``src`` names a file inside the issue folder (so channels never ask the disk again).
    found: bool = False

    @field_validator("src")
    @classmethod
    def _relative_src(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("/", "\\")) or ":" in value or ".." in value.replace("\\", "/").split("/"):
            raise ValueError(f"figure src {value!r} must be a path inside the issue folder, e.g. images/photo.jpg")
        return value


def _inside_folder(value: str, what: str) -> str:
    if value.startswith(("/", "\\")) or ":" in value or ".." in value.replace("\\", "/").split("/"):
        raise ValueError(f"{what} {value!r} must be a path inside the issue folder, e.g. print.pdf")
    return value


Box = tuple[float, float, float, float]


class Placement(Frozen):
    """Where an article is printed on one page of the issue's print PDF: rectangles (x0, y0, x1, y1)
    in PDF points from the page's top left, for the e-paper page view (数字报) to make clickable."""

    page: int = Field(ge=1)
    boxes: tuple[Box, ...] = Field(min_length=1)

    @field_validator("boxes")
    @classmethod
    def _boxes(cls, value: tuple[Box, ...]) -> tuple[Box, ...]:
        for x0, y0, x1, y1 in value:
            if not (0 <= x0 < x1 and 0 <= y0 < y1):
                raise ValueError(f"box {[x0, y0, x1, y1]} must be [x0, y0, x1, y1] with 0 <= x0 < x1 and 0 <= y0 < y1")
        return value


class PrintEdition(Frozen):
    """The paper's own print PDF, kept in the issue folder, and the size (width, height in points) of each page."""

    file: str
    pages: tuple[tuple[float, float], ...] = Field(min_length=1)
    #: Set by the loader: ``file`` is inside the issue folder.
    found: bool = False

    @field_validator("file")
    @classmethod
    def _file(cls, value: str) -> str:
        return _inside_folder(value, "print_pdf file")


class BlockKind(str, Enum):
    paragraph = "paragraph"
    subhead = "subhead"
    quote = "quote"


class Block(Frozen):
    """One block of an article body: ``html`` is sanitized inline HTML, ``text`` its plain text."""

    kind: BlockKind = BlockKind.paragraph
    html: str
    text: str


class Section(Frozen):
    slug: str
    name: str = Field(min_length=1)
    page: int | None = Field(default=None, ge=1)
    editor: str | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_slug(value, "section slug")

    @property
    def page_label(self) -> str | None:
        """The page as a Chinese newspaper prints it, e.g. 第2版."""
        return f"第{self.page}版" if self.page else None


class Article(Frozen):
    slug: str
    headline: str = Field(min_length=1)
    section: str
    kicker: str | None = None
    subtitle: str | None = None
    series: str | None = None
    byline: str | None = None
    authors: tuple[Author, ...] = ()
    source: str | None = None
    kind: Kind = Kind.news
    editor_note: str | None = None
    figures: tuple[Figure, ...] = ()
    print_boxes: tuple[Placement, ...] = ()  # where it stands in the print PDF (issue.print_pdf)
    body: tuple[Block, ...] = ()
    #: The article's file in its issue folder (``03-slug.md``), set by the loader, for messages that name it.
    file: str | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_slug(value, "article slug")

    @property
    def text(self) -> str:
        """The body as plain text, one block per line."""
        return "\n".join(block.text for block in self.body)

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.body if b.kind is not BlockKind.subhead)

    @property
    def lead(self) -> str:
        """The first paragraph's plain text (empty when the body is empty)."""
        return self.paragraphs[0].text if self.paragraphs else ""

    @property
    def char_count(self) -> int:
        """Characters of body text, not counting white space."""
        return len("".join(self.text.split()))  # str.split() cuts at exactly the characters isspace() finds

    @property
    def reading_minutes(self) -> int:
        """Whole minutes to read the body at Chinese reading speed (at least 1)."""
        return max(1, math.ceil(self.char_count / READING_SPEED_ZH))

    @property
    def author_names(self) -> list[str]:
        return [a.name for a in self.authors]


class Issue(Frozen):
    id: str
    paper: str = Field(min_length=1)
    paper_en: str | None = None
    date: dt.date
    number: int = Field(ge=1)
    serial: str | None = None
    grade: str | None = None
    publisher: str | None = None
    sponsor: str | None = None
    website: str | None = None
    language: str = "zh-CN"
    sections: tuple[Section, ...] = Field(min_length=1)
    articles: tuple[Article, ...] = ()
    furniture: tuple[str, ...] = ()
    print_pdf: PrintEdition | None = None

    @field_validator("id")
    @classmethod
    def _issue_id(cls, value: str) -> str:
        if not ISSUE_ID_RE.match(value):
            raise ValueError(f"issue id {value!r} must look like 2025-04-19-1330 (date, then the number)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Issue:
        if not self.id.startswith(self.date.isoformat()):
            raise ValueError(f"issue id {self.id!r} must start with its date {self.date.isoformat()}")
        seen: set[str] = set()
        for section in self.sections:
            if section.slug in seen:
                raise ValueError(f"section slug {section.slug!r} is declared twice")
            seen.add(section.slug)
        slugs: set[str] = set()
        for article in self.articles:
            if article.section not in seen:
                raise ValueError(f"article {article.slug!r} names unknown section {article.section!r}")
            if article.slug in slugs:
                raise ValueError(f"article slug {article.slug!r} is used twice")
            slugs.add(article.slug)
            for placed in article.print_boxes:
                self._check_placement(article, placed)
        return self

    def _check_placement(self, article: Article, placed: Placement) -> None:
        if self.print_pdf is None:
            raise ValueError(f"article {article.slug!r} has print_boxes but issue.yaml names no print_pdf")
        if placed.page > len(self.print_pdf.pages):
            raise ValueError(
                f"article {article.slug!r}: print page {placed.page} is past the print PDF's {len(self.print_pdf.pages)} pages"
            )
        width, height = self.print_pdf.pages[placed.page - 1]
        for x0, y0, x1, y1 in placed.boxes:
            if x1 > width + 1 or y1 > height + 1:
                raise ValueError(
                    f"article {article.slug!r}: box {[x0, y0, x1, y1]} on page {placed.page} lies outside the page ({width} × {height} pt)"
                )

    @property
    def weekday(self) -> str:
        """星期六 for a Saturday."""
        return calendar_zh.weekday(self.date)

    @property
    def lunar_date(self) -> str:
        """乙巳年三月廿二, from the solar date by a calendar library."""
        return calendar_zh.lunar_date(self.date)

    @property
    def date_zh(self) -> str:
        """2025年4月19日."""
        return calendar_zh.date_zh(self.date)

    @property
    def number_label(self) -> str:
        """总第1330期."""
        return f"总第{self.number}期"

    @property
    def title(self) -> str:
        """The edition's title: 中国铝业报 2025年4月19日 总第1330期."""
        return f"{self.paper} {self.date_zh} {self.number_label}"

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)

    def articles_in(self, section: Section | str) -> list[Article]:
        slug = section if isinstance(section, str) else section.slug
        return [a for a in self.articles if a.section == slug]

    def by_section(self) -> list[tuple[Section, list[Article]]]:
        """Sections in order, each with its articles in reading order (empty sections kept)."""
        return [(s, self.articles_in(s)) for s in self.sections]

    @property
    def char_count(self) -> int:
        return sum(a.char_count for a in self.articles)
