"""Pass two of the print layout: the composer's pages as positions (CSS px) for ``layouts/pdf/issue.html``."""
from __future__ import annotations

from publisher.model import Issue

from . import pdf_compose as compose
from .pdf_galley import Geometry, StorySource

#: Spare lines of a full page are shared out between its rows, at most this many per gap.
MAX_EXTRA_GAP = 2


def page_view(issue: Issue, page: compose.Page, stories: list[StorySource], g: Geometry) -> dict:
    """One page for the template: running head, furniture, modules with their columns and figures, rules."""
    section = issue.sections[page.section]
    lh = g.leading
    rows = sorted({m.top for m in page.modules})
    extra = min(page.gaps * lh / (len(rows) - 1), MAX_EXTRA_GAP * lh) if len(rows) > 1 and page.gaps > 0 else 0.0
    shift = {top: i * extra for i, top in enumerate(rows)}
    modules, rules = [], []
    for m in page.modules:
        story = stories[m.story]
        top = m.top * lh + shift[m.top]
        left, width, height = g.x(m.col), g.span_width(m.span), m.height * lh
        taken = compose.cuts(m.figures, m.span)
        modules.append({
            "story": story,
            "size": story.sizes[m.span],
            "left": _px(left), "top": _px(top), "width": _px(width), "height": _px(height),
            "header": _px(m.header * lh),
            "columns": [
                {"left": _px(g.x(j)), "top": _px((m.header + taken[j]) * lh), "width": _px(g.column_width),
                 "frags": [(story.pieces[b], start, end) for b, start, end in frags]}
                for j, frags in enumerate(m.columns)
            ],
            "figures": [
                {"source": story.figures[f.figure], "left": _px(g.x(f.col)), "top": _px((m.header + f.top) * lh),
                 "width": _px(g.span_width(f.span)), "height": _px(f.lines * lh)}
                for f in m.figures
            ],
        })
        if m.col > 0:  # a column rule between stories side by side
            rules.append({"kind": "v", "left": _px(left - g.gap / 2), "top": _px(top), "length": _px(height - lh / 2)})
        if m.top > page.masthead + page.band:  # a rule across the gap above a story
            rules.append({"kind": "h", "left": _px(left), "top": _px(top - (lh + extra) / 2), "length": _px(width)})
    return {
        "section": section,
        "left": f"{issue.paper}　{issue.date_zh}　{issue.weekday}",
        "right": section.name,
        "masthead": _px(page.masthead * lh),
        "band": _px(page.band * lh),
        "flow": stories[page.flow] if page.flow is not None else None,
        "modules": modules,
        "rules": rules,
    }


def _px(value: float) -> float:
    return round(value, 3)
