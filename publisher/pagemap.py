"""The page map: on which printed page (版) each article sits, and where.

The print channel writes it beside its PDF (``pages.json``); channels that
``require`` the print channel read it, so 第N版 is one fact in every output
and the e-paper can draw each article's region on the page image. An issue
imported from the paper's own print PDF has its page map in the content
instead (``print_pdf`` and each article's ``print_boxes``, :func:`from_print`):
there the paper's pages are the fact, not our re-set PDF's. Sizes and
rectangles are in PDF points (1/72 in) from the page's top-left corner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from publisher.model import Article, Issue, Section

FILE = "pages.json"

Rect = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Region:
    slug: str
    headline: str
    rects: tuple[Rect, ...]


@dataclass(frozen=True)
class MapPage:
    number: int
    sections: tuple[str, ...]  # section names, in the order they appear on the page
    width: float
    height: float
    regions: tuple[Region, ...]
    fill: float | None = None  # share of the page's type area the layout filled

    @property
    def label(self) -> str:
        """第2版."""
        return page_label(self.number)


@dataclass(frozen=True)
class PageMap:
    pages: tuple[MapPage, ...]

    def page_of(self, slug: str) -> int | None:
        """The page an article starts on (its 版), None when it is not printed."""
        pages = self.pages_of(slug)
        return pages[0] if pages else None

    def pages_of(self, slug: str) -> list[int]:
        return [p.number for p in self.pages if any(r.slug == slug for r in p.regions)]

    def labels(self) -> dict[str, str]:
        """第N版 of every printed article, by slug."""
        return {r.slug: page_label(p.number) for p in reversed(self.pages) for r in p.regions}

    def to_json(self) -> str:
        pages = [
            {
                "number": p.number,
                "label": p.label,
                "sections": list(p.sections),
                "width": p.width,
                "height": p.height,
                "fill": p.fill,
                "articles": [{"slug": r.slug, "headline": r.headline, "rects": [list(x) for x in r.rects]} for r in p.regions],
            }
            for p in self.pages
        ]
        return json.dumps({"unit": "pt", "pages": pages}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> PageMap:
        data = json.loads(text)
        return cls(
            tuple(
                MapPage(
                    int(p["number"]),
                    tuple(p["sections"]),
                    float(p["width"]),
                    float(p["height"]),
                    tuple(
                        Region(a["slug"], a["headline"], tuple(cast(Rect, tuple(map(float, r))) for r in a["rects"]))
                        for a in p["articles"]
                    ),
                    p.get("fill"),
                )
                for p in data["pages"]
            )
        )


def from_print(issue: Issue) -> PageMap | None:
    """The page map of the paper's own print PDF kept in the issue folder, from the boxes ``publisher import-pdf``
    recorded for each article; None when the issue has no print PDF at hand or no article placed on it."""
    printed = issue.print_pdf
    if printed is None or not printed.found or not any(a.print_boxes for a in issue.articles):
        return None
    pages = []
    for number, (width, height) in enumerate(printed.pages, 1):
        regions, sections = [], []
        for article in issue.articles:
            rects = tuple(
                (x0, y0, round(x1 - x0, 2), round(y1 - y0, 2))
                for placed in article.print_boxes
                if placed.page == number
                for x0, y0, x1, y1 in placed.boxes
            )
            if rects:
                regions.append(Region(article.slug, article.headline, rects))
                name = issue.section(article.section).name
                sections += [name] if name not in sections else []
        pages.append(MapPage(number, tuple(sections), width, height, tuple(regions)))
    return PageMap(tuple(pages))


def page_label(number: int) -> str:
    return f"第{number}版"


def read(folder: Path) -> PageMap:
    """The page map the print channel wrote into ``folder``."""
    return PageMap.from_json((Path(folder) / FILE).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PageLabels:
    """第N版 of an issue's articles and sections, for channels that ``use`` the print channel.

    From the page map when the PDF was built in the same build (one fact in every channel);
    without it, the pages issue.yaml assigns to sections.
    """

    first: dict[str, int]  # article slug -> the page it starts on

    @classmethod
    def of(cls, issue: Issue, folder: Path | None) -> PageLabels:
        """The pages of the paper's own print PDF when the issue was imported from it (:func:`from_print`), else
        those of the page map in ``folder`` (the print channel's output, None when it is not in the build)."""
        pages = from_print(issue)
        if pages is None:
            if folder is None or not (Path(folder) / FILE).is_file():
                return cls({})
            pages = read(folder)
        return cls({r.slug: page for p in pages.pages for r in p.regions if (page := pages.page_of(r.slug))})

    def article(self, issue: Issue, article: Article) -> str | None:
        if article.slug in self.first:
            return page_label(self.first[article.slug])
        return issue.section(article.section).page_label

    def section(self, issue: Issue, section: Section) -> str | None:
        """第1版, or 第1—2版 when the section's articles start on several pages."""
        numbers = sorted({self.first[a.slug] for a in issue.articles_in(section) if a.slug in self.first})
        if not numbers:
            return section.page_label
        return page_label(numbers[0]) if len(numbers) == 1 else f"第{numbers[0]}—{numbers[-1]}版"
