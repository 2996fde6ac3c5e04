"""Pass two of the print layout: the composer's pages as positions (CSS px) for ``templates/issue.html``."""

from __future__ import annotations

from typing import Any

from publisher import pagemap
from publisher.model import Issue

from . import compose
from .galley import Geometry, StorySource

#: Spare lines of a full page are shared out between its rows, at most this many per gap.
MAX_EXTRA_GAP = 2


def page_view(issue: Issue, page: compose.Page, stories: list[StorySource], g: Geometry, numbers: dict[str, int]) -> dict:
    """One page for the template: running head, furniture, modules with their columns, figures, jump lines, rules.

    ``numbers`` gives the page number of each jump line by its id (:func:`jump_pages`).
    """
    section = issue.sections[page.section]
    lh = g.leading
    rows = sorted({m.top for m in page.modules})
    extra = min(page.gaps * lh / (len(rows) - 1), MAX_EXTRA_GAP * lh) if len(rows) > 1 and page.gaps > 0 else 0.0
    shift = {top: i * extra for i, top in enumerate(rows)}
    bands = []
    for index, (band_top, lines) in page.bands.items():
        below = [t for t in rows if t >= band_top + lines]
        bands.append(
            {
                "section": issue.sections[index],
                "top": _px(band_top * lh + (shift[below[0]] if below else 0.0)),
                "height": _px(lines * lh),
                "bottom": band_top + lines,
            }
        )
    under_band = {band_top + lines for band_top, lines in page.bands.values()}
    # A section's band goes before its first story, in reading order.
    band_at = {next((i for i, m in enumerate(page.modules) if m.top == b["bottom"]), -1): b for b in bands}
    modules, rules = [], []
    for index, m in enumerate(page.modules):
        story = stories[m.story]
        top = m.top * lh + shift[m.top]
        left, width, height = g.x(m.col), g.span_width(m.span), m.height * lh
        taken = m.tops()
        modules.append(
            {
                "band": band_at.get(index),
                "story": story,
                "size": story.sizes[m.span],
                "left": _px(left),
                "top": _px(top),
                "width": _px(width),
                "height": _px(height),
                "header": _px(m.header * lh),
                "columns": [
                    {
                        "left": _px(g.x(j)),
                        "top": _px((m.header + taken[j]) * lh),
                        "width": _px(g.column_width),
                        "frags": [(story.pieces[b], start, end) for b, start, end in frags],
                    }
                    for j, frags in enumerate(m.columns)
                ],
                "figures": [
                    {
                        "source": story.figures[f.figure],
                        "left": _px(g.x(f.col)),
                        "top": _px((m.header + f.top) * lh),
                        "width": _px(g.span_width(f.span)),
                        "height": _px(f.lines * lh),
                        "span": min(f.span, 2),
                    }
                    for f in m.figures
                ],
                "jumps": [{**j, "page": numbers[j["target"]]} for j in _jumps(m, g)],
            }
        )
        if m.col > 0:  # a column rule between stories side by side
            rules.append({"kind": "v", "left": _px(left - g.gap / 2), "top": _px(top), "length": _px(height - lh / 2)})
        if m.top > page.masthead + page.band and m.top not in under_band:  # a rule across the gap above a story
            rules.append({"kind": "h", "left": _px(left), "top": _px(top - (lh + extra) / 2), "length": _px(width)})
    return {
        "section": section,
        "left": "" if page.masthead else f"{issue.paper}　{issue.date_zh}　{issue.weekday}",  # page one has the masthead
        "right": "·".join([section.name, *(issue.sections[i].name for i in page.bands)]),
        "bands": bands,
        "masthead": _px(page.masthead * lh),
        "band": _px(page.band * lh),
        "flow": stories[page.flow] if page.flow is not None else None,
        "modules": modules,
        "rules": rules,
    }


def page_map(issue: Issue, views: list[dict], g: Geometry, printed: int, fills: list[float]) -> pagemap.PageMap:
    """Where each article was set, page by page, in PDF points; ``printed`` pages came out of WeasyPrint.

    A story set as running text takes its page's whole text area, and any pages it ran over.
    """
    pt = 72 / 96
    top, _, _, left = g.margins
    area = (left * pt, top * pt, g.content_width * pt, (g.page_height - g.margins[0] - g.margins[2]) * pt)
    pages = []
    for number in range(1, printed + 1):
        view = views[min(number, len(views)) - 1]
        rects: dict[str, list[pagemap.Rect]] = {}
        sections: list[str] = []
        stories: list[tuple[Any, pagemap.Rect | None]] = [
            (m["story"], (m["left"], m["top"], m["width"], m["height"])) for m in view["modules"]
        ]
        if view["flow"] is not None and (number <= len(views) or stories == []):
            stories.append((view["flow"], None))
        for story, box in stories:
            article = story.article
            rect: pagemap.Rect = area
            if box is not None:
                x, y, w, h = (round(v * pt, 2) for v in (left + box[0], top + box[1], box[2], box[3]))
                rect = (x, y, w, h)
            rects.setdefault(article.slug, []).append(rect)
            name = issue.section(article.section).name
            if name not in sections:
                sections.append(name)
        headlines = {s.article.slug: s.article.headline for s, _ in stories}
        regions = tuple(pagemap.Region(slug, headlines[slug], tuple(r)) for slug, r in rects.items())
        pages.append(
            pagemap.MapPage(
                number,
                tuple(sections or [view["section"].name]),
                round(g.page_width * pt, 2),
                round(g.page_height * pt, 2),
                regions if number <= len(views) or view["flow"] is not None else (),
                round(fills[number - 1], 3) if number <= len(fills) else None,
            )
        )
    return pagemap.PageMap(tuple(pages))


def jump_pages(plan: list[compose.Page]) -> dict[str, int]:
    """The page number of every jump line, by its id, one PDF page per planned page (as the running head counts)."""
    return {j["id"]: number for number, page in enumerate(plan, 1) for m in page.modules for j in _jumps(m)}


def anchor_pages(document, ids: set[str]) -> dict[str, int]:
    """The page number each of ``ids`` was set on in a rendered WeasyPrint document."""
    return {name: number for number, page in enumerate(document.pages, 1) for name in page.anchors if name in ids}


def _jumps(m: compose.Module, g: Geometry | None = None) -> list[dict]:
    """The module's jump lines: 上接 atop its first column, 下转 at the foot of its last; each links to the other.

    Both ends of a jump are named after the story and the cut (block, line), unique in the issue; with ``g``
    they come with their position.
    """
    ends = [("in", "out", m.jump_in, 0, m.header), ("out", "in", m.jump_out, m.span - 1, m.height - compose.JUMP_LINES)]
    jumps = []
    for kind, other, at, col, top in ends:
        if at is None:
            continue
        cut = "{}-{}-{}".format(m.story, *at)
        jump: dict[str, object] = {"kind": kind, "id": f"{kind}-{cut}", "target": f"{other}-{cut}"}
        if g is not None:
            jump.update(left=_px(g.x(col)), top=_px(top * g.leading), width=_px(g.column_width))
        jumps.append(jump)
    return jumps


def _px(value: float) -> float:
    return round(value, 3)
