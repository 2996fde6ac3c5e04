"""The import review made into work: an unsure decision of the importer switched to its other reading in one step.

The import report (``import-report.json`` in the issue folder) lists each
decision with what the importer chose, the alternative, the article and the
input lines around it. The readings that are a rearrangement of fields
(kicker + headline ↔ headline + subtitle, one line as kicker + headline ↔ the
whole line as headline) and "this caption belongs to the story before" are
switched here through the desk (checked, revised, locked like any save); the
report then records the switch, and a field switch can be switched back.
"""

from __future__ import annotations

import json
from pathlib import Path

from publisher import writer
from publisher.editing.desk import Desk, EditError, Outcome

REPORT = "import-report.json"
KICKER_HEADLINE, HEADLINE_SUBTITLE = "kicker + headline", "headline + subtitle"
ONE_LINE, WHOLE_LINE = "one line read as kicker + headline", "the whole line as the headline"
ORPHAN_CAPTION, FIGURE_BEFORE = "a caption outside any story became a photo story", "a figure of the story before"


def read_report(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _line(decision: dict, number: int) -> str | None:
    """The text the importer read at input line ``number``: its ``read`` entry (an input line of pdftotext
    -layout text holds several columns, of which the reading took one), else the input line itself."""
    for n, text in (decision.get("read") or []) + (decision.get("context") or []):
        if n == number:
            return text.strip()
    return None


def field_switch(decision: dict, article: dict) -> dict | None:
    """The article fields of the other reading, or None when it is not a change of fields (or no longer applies)."""
    chose, other = decision.get("chose"), decision.get("alternative")
    if decision.get("previous") and decision.get("switched"):
        return dict(decision["previous"])  # switching back
    if chose == KICKER_HEADLINE and other == HEADLINE_SUBTITLE and article.get("kicker") and not article.get("subtitle"):
        return {"kicker": None, "headline": article["kicker"], "subtitle": article["headline"]}
    if chose == HEADLINE_SUBTITLE and other == KICKER_HEADLINE and article.get("subtitle") and not article.get("kicker"):
        return {"kicker": article["headline"], "headline": article["subtitle"], "subtitle": None}
    if chose == ONE_LINE and other == WHOLE_LINE and decision.get("lines"):
        whole = _line(decision, decision["lines"][0])
        if whole:
            return {"kicker": None, "headline": whole}
    return None


def can_switch(decision: dict, article: dict | None) -> bool:
    if article is None:
        return False
    if decision.get("chose") == ORPHAN_CAPTION and decision.get("alternative") == FIGURE_BEFORE:
        return not decision.get("switched")
    return field_switch(decision, article) is not None


def switch(desk: Desk, issue_id: str, index: int, user: str | None) -> Outcome:
    """Apply the other reading of decision ``index`` of the issue's import report; record it in the report."""
    folder = desk.folder(issue_id)
    report = read_report(folder)
    if report is None or not 0 <= index < len(report.get("decisions") or []):
        raise EditError("导入报告里没有这一项；请刷新页面。")
    decision = report["decisions"][index]
    slug = decision.get("article")
    if not slug:
        raise EditError("这一项不属于哪篇稿件，不能一键改；请直接编辑相关稿件。")
    article = desk.article(issue_id, slug)
    if decision.get("chose") == ORPHAN_CAPTION and decision.get("alternative") == FIGURE_BEFORE and not decision.get("switched"):
        outcome = _caption_to_story_before(desk, issue_id, slug, user)
        decision.update(switched=True)
    else:
        fields = field_switch(decision, article)
        if fields is None:
            raise EditError("这一项的另一种读法不能一键改（或稿件已被改过）；请在稿件里直接修改。")
        previous = {k: article.get(k) for k in fields}
        outcome = desk.save_article(issue_id, slug, fields, article["revision"], user)
        decision.update(switched=not decision.get("switched"), previous=previous)
    decision["chose"], decision["alternative"] = decision.get("alternative"), decision.get("chose")
    writer.write_text(folder / REPORT, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return outcome


def _caption_to_story_before(desk: Desk, issue_id: str, slug: str, user: str | None) -> Outcome:
    """The photo story's figures go to the article before it in reading order; the photo story goes to the trash."""
    order = [s for _, slugs in desk.layout(issue_id) for s in slugs]
    position = order.index(slug)
    if position == 0:
        raise EditError("这是本期第一篇，前面没有稿件可以放这张图片。")
    before = desk.article(issue_id, order[position - 1])
    photo = desk.article(issue_id, slug)
    outcome = desk.save_article(
        issue_id, before["slug"], {"figures": before["figures"] + photo["figures"]}, before["revision"], user
    )
    desk.delete_article(issue_id, slug, user)
    return outcome
