"""The model as plain JSON-ready data (``publisher show --json``, the importer, the admin API)."""

from __future__ import annotations

from publisher.model import Article, Issue


def article_data(article: Article) -> dict:
    return {
        "slug": article.slug,
        "headline": article.headline,
        "kicker": article.kicker,
        "subtitle": article.subtitle,
        "section": article.section,
        "series": article.series,
        "byline": article.byline,
        "authors": [a.model_dump() for a in article.authors],
        "source": article.source,
        "kind": article.kind.value,
        "editor_note": article.editor_note,
        "text": article.text,
        "figures": [{"caption": f.caption, "credit": f.credit, "src": f.src} for f in article.figures],
        "print_boxes": [p.model_dump(mode="json") for p in article.print_boxes],
        "chars": article.char_count,
        "reading_minutes": article.reading_minutes,
    }


def issue_data(issue: Issue) -> dict:
    """``{"issue": masthead, "sections": [...], "articles": [...]}``, articles in reading order."""
    masthead = issue.model_dump(mode="json", exclude={"sections", "articles"})
    masthead.update(weekday=issue.weekday, lunar_date=issue.lunar_date, title=issue.title)
    return {
        "issue": masthead,
        "sections": [s.model_dump(mode="json") for s in issue.sections],
        "articles": [article_data(a) for a in issue.articles],
    }
