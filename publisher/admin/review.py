"""The import review page: each unsure decision with its article, the input around it and the other reading as a button."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from publisher.editing import EditError, Invalid, NotFound
from publisher.editing.readings import can_switch, read_report, switch

#: How the importer's decision kinds read to an editor.
KINDS = {
    "headline": "标题的读法",
    "rejoin": "段落接续",
    "loose-end": "段落中断",
    "byline": "署名",
    "series": "专栏标签",
    "orphan-caption": "图片说明",
    "orphan-headline": "标题与正文分开",
    "headline-after-body": "标题印在正文之后",
    "label": "版面标签",
    "editor-note": "编者按",
    "jump": "转版",
    "no-headline": "没有标题",
}
FIELDS = {"date": "出版日期", "number": "总期号", "paper": "报名"}


def mismatch_message(exc) -> str:
    """The masthead prints something other than the form says: name both, say what to do."""
    parts = [f"{FIELDS.get(k, k)}：报头印的是“{printed}”，您填写的是“{given}”" for k, printed, given in exc.differences]
    return (
        "没有导入："
        + "；".join(parts)
        + "。请核对文件；如果确实以您填写的为准，请勾选“报头印的与上面填写的不一致时，以填写的为准”后再导入。"
    )


def page(desk, issue_id: str):
    try:
        folder = desk.folder(issue_id)
    except NotFound:
        abort(404)
    report = read_report(folder)
    if report is None:
        abort(404)
    rows = []
    for index, decision in enumerate(report.get("decisions") or []):
        article = None
        if decision.get("article"):
            try:
                article = desk.article(issue_id, decision["article"])
            except (NotFound, EditError):
                article = None
        rows.append({"index": index, "d": decision, "kind": KINDS.get(decision.get("kind"), decision.get("kind")), "article": article,
                     "switchable": can_switch(decision, article), "lines": set(decision.get("lines") or [])})  # fmt: skip
    return render_template("editor_review.html", issue_id=issue_id, report=report, rows=rows)


def switch_view(desk, issue_id: str, index: int):
    try:
        switch(desk, issue_id, index, current_user.username)
    except (EditError, Invalid) as exc:
        flash(str(exc), "error")
    else:
        flash(_("已改用另一种读法；不对的话可以再点一次改回来，或在修改记录里恢复。"), "info")
    return redirect(url_for("editor.review", issue_id=issue_id) + f"#d{index}")
