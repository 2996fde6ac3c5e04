"""The desk in the admin: the article editor, arranging an issue, the masthead, revisions, the trash, schedules.

Views are thin over :class:`publisher.editing.Desk` (the same operations as the
API); every page works without JavaScript (forms and buttons), and
``editor.js`` adds validation as you type, the body toolbar and paste cleaning
through the API.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from publisher import loading
from publisher.admin import services
from publisher.admin.auth import login_manager
from publisher.admin.security import DOCUMENT_CSP, FILE_CSP, use_csp
from publisher.editing import Conflict, EditError, Invalid, NotFound, source
from publisher.editing.diff import LABELS
from publisher.editing.figures import BadImage
from publisher.editing.preview import make_preview, preview_dir
from publisher.scheduling import default_time
from publisher.store.schedules import OPEN

bp = Blueprint("editor", __name__, url_prefix="/admin")
KINDS = [
    ("news", "消息"),
    ("commentary", "评论"),
    ("feature", "通讯"),
    ("brief", "简讯"),
    ("speech", "讲话"),
    ("interview", "访谈"),
    ("essay", "散文随笔"),
    ("photo", "图片新闻"),
    ("notice", "公告"),
]


@bp.before_request
def require_editor():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


@bp.app_context_processor
def desk_links():
    """For the dashboard: schedules that failed (the live edition stayed as it was)."""
    return {"failed_schedules": lambda: services().store.failed_schedules(5)}


def desk():
    return services().desk


def _issue(issue_id: str) -> dict:
    try:
        return desk().issue(issue_id)
    except NotFound:
        abort(404)


def _zone() -> ZoneInfo:
    return ZoneInfo(services().config.site.timezone)


# ---- the article form ------------------------------------------------------------------------------


def form_fields(form) -> dict:
    """The article fields from the editor's form (authors one per line: 姓名 or 姓名，角色)."""
    fields = {k: form.get(k, "") for k in (*source.TEXT_FIELDS, "body")}
    authors = []
    for line in form.get("authors", "").splitlines():
        name, _sep, role = line.replace(",", "，").partition("，")
        if name.strip():
            authors.append({"name": name.strip(), "role": role.strip() or None})
    fields["authors"] = authors
    figures = []
    for index in range(int(form.get("figure_count", "0") or 0)):
        if form.get(f"figure-{index}-remove"):
            continue
        figures.append({k: form.get(f"figure-{index}-{k}", "").strip() or None for k in ("caption", "credit", "src")})
    fields["figures"] = [{**f, "caption": f["caption"] or ""} for f in figures]
    return fields


def authors_text(authors) -> str:
    return "\n".join(
        f"{a.get('name', '')}，{a['role']}" if a.get("role") else str(a.get("name", ""))
        for a in authors or []
        if isinstance(a, dict)
    )


def _article_page(issue_id: str, article: dict, *, errors=(), warnings=(), conflict=None, status=200):
    issue = _issue(issue_id)
    by_field: dict[str, list[str]] = {}
    for p in errors:
        by_field.setdefault(p.field.split(".")[0], []).append(p.message)
    return render_template(
        "editor_article.html",
        issue=issue,
        issue_id=issue_id,
        article=article,
        authors=authors_text(article.get("authors")),
        errors=by_field,
        all_errors=list(errors),
        warnings=list(warnings),
        conflict=conflict,
        conflict_fields=_differences(article, conflict) if conflict else [],
        kinds=KINDS,
        labels=LABELS,
        paragraphs=source.paragraphs(article.get("body") or ""),
        revisions=services().store.revisions(issue_id, article["slug"], limit=20),
    ), status


def _differences(mine: dict, theirs: dict) -> list[dict]:
    rows = []
    for key in (*source.ARTICLE_FIELDS, "body"):
        a, b = mine.get(key), theirs.get(key)
        if key == "authors":
            a, b = authors_text(a), authors_text(b)
        elif key == "figures":
            a = "\n".join(f"{f.get('caption') or ''} {f.get('credit') or ''}".strip() for f in a or [])
            b = "\n".join(f"{f.get('caption') or ''} {f.get('credit') or ''}".strip() for f in b or [])
        rows.append({"field": key, "label": LABELS[key], "mine": a or "", "theirs": b or "", "differs": (a or "") != (b or "")})
    return rows


@bp.route("/issues/<issue_id>/articles/<slug>", methods=["GET", "POST"])
def article(issue_id: str, slug: str):
    try:
        current = desk().article(issue_id, slug)
    except NotFound:
        abort(404)
    except EditError as exc:
        flash(str(exc), "error")
        return redirect(url_for("editor.arrange", issue_id=issue_id))
    if request.method == "GET":
        return _article_page(issue_id, current)
    fields = form_fields(request.form)
    mine = {**current, **fields, "revision": request.form.get("revision", "")}
    try:
        outcome = desk().save_article(issue_id, slug, fields, request.form.get("revision") or None, current_user.username)
    except Conflict as exc:
        return _article_page(issue_id, mine, conflict=exc.current, status=409)
    except Invalid as exc:
        return _article_page(issue_id, mine, errors=exc.problems, status=422)
    except EditError as exc:
        flash(str(exc), "error")
        return _article_page(issue_id, mine, status=409)
    flash(_("已保存《%(headline)s》。", headline=outcome.article["headline"]), "info")
    for warning in outcome.warnings:
        flash(warning.message, "info")
    return redirect(url_for("editor.article", issue_id=issue_id, slug=slug))


@bp.post("/issues/<issue_id>/articles/<slug>/photo")
def photo(issue_id: str, slug: str):
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        flash(_("请先选择一张照片。"), "error")
        return redirect(url_for("editor.article", issue_id=issue_id, slug=slug))
    try:
        outcome = desk().add_photo(
            issue_id, slug, upload.read(), upload.filename, current_user.username,
            request.form.get("caption", ""), request.form.get("credit", ""), request.form.get("revision") or None,
        )  # fmt: skip
    except BadImage as exc:
        flash(str(exc), "error")
    except Conflict:
        flash(_("稿件在您打开之后被修改过，照片没有加上；请看过最新的版本后再上传。"), "error")
    except (Invalid, EditError) as exc:
        flash(str(exc), "error")
    else:
        flash(_("照片已加到《%(headline)s》。", headline=outcome.article["headline"]), "info")
    return redirect(url_for("editor.article", issue_id=issue_id, slug=slug))


@bp.post("/issues/<issue_id>/articles/<slug>/preview")
def preview(issue_id: str, slug: str):
    svc = services()
    try:
        token, errors = make_preview(svc.desk, svc.config, _preview_channels(), issue_id, slug, form_fields(request.form))
    except Invalid as exc:
        current = desk().article(issue_id, slug)
        return _article_page(issue_id, {**current, **form_fields(request.form)}, errors=exc.problems, status=422)
    headline = request.form.get("headline", "")
    return render_template("editor_preview.html", issue_id=issue_id, slug=slug, token=token, errors=errors, headline=headline)


def _preview_channels() -> dict:
    queue_channels = getattr(services().queue, "channels", None)
    if queue_channels:
        return queue_channels
    from publisher import plugins

    return plugins.usable()


@bp.route("/previews/<token>/<path:name>")
def preview_file(token: str, name: str):
    folder = preview_dir(services().config, token)
    if folder is None:
        abort(404)
    use_csp(FILE_CSP if name.endswith((".png", ".pdf", ".jpg")) else DOCUMENT_CSP)
    return send_from_directory(folder, name)


@bp.post("/issues/<issue_id>/articles/<slug>/split")
def split(issue_id: str, slug: str):
    try:
        at = int(request.form.get("at", "0"))
        desk().split_article(
            issue_id, slug, at, request.form.get("headline", ""), current_user.username, request.form.get("revision") or None
        )
    except ValueError:
        flash(_("请选择从第几段拆分。"), "error")
    except (EditError, Conflict) as exc:
        flash(str(exc), "error")
    else:
        flash(_("已拆分：第%(at)d段起成为一篇新稿件。", at=at), "info")
    return redirect(url_for("editor.arrange", issue_id=issue_id))


@bp.route("/issues/<issue_id>/articles/<slug>/revisions")
def revisions(issue_id: str, slug: str):
    _issue(issue_id)
    return render_template(
        "editor_revisions.html", issue_id=issue_id, slug=slug, revisions=services().store.revisions(issue_id, slug)
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore_revision(revision_id: int):
    rev = services().store.get_revision(revision_id)
    if rev is None:
        abort(404)
    try:
        desk().restore_revision(revision_id, current_user.username)
    except (EditError, Invalid) as exc:
        flash(str(exc), "error")
    else:
        flash(_("已恢复到 #%(id)d 的版本。", id=revision_id), "info")
    if rev.target == loading.ISSUE_FILE:
        return redirect(url_for("editor.masthead", issue_id=rev.issue_id))
    return redirect(url_for("editor.article", issue_id=rev.issue_id, slug=rev.target))


# ---- arranging the issue --------------------------------------------------------------------------


@bp.route("/issues/<issue_id>/desk")
def arrange(issue_id: str):
    issue = _issue(issue_id)
    sections = [s for s in issue.get("sections") or [] if isinstance(s, dict)]
    by_slug = {a["slug"]: a for a in issue["articles"]}
    layout = [
        (next(s for s in sections if s.get("slug") == slug), [by_slug[a] for a in slugs])
        for slug, slugs in desk().layout(issue_id)
        if any(s.get("slug") == slug for s in sections)
    ]
    schedules = services().store.schedules(issue_id, limit=20)
    try:
        date = dt.date.fromisoformat(issue_id[:10])
        suggested = default_time(date, services().config.site.publish_hour, services().config.site.timezone)
    except ValueError:
        suggested = None
    return render_template(
        "editor_desk.html",
        issue=issue,
        issue_id=issue_id,
        layout=layout,
        sections=sections,
        trash=desk().trash(issue_id),
        schedules=schedules,
        open_states=OPEN,
        suggested=suggested.strftime("%Y-%m-%dT%H:%M") if suggested else "",
        zone=services().config.site.timezone,
        kinds=KINDS,
    )


def _done(issue_id: str, action, message: str):
    try:
        action()
    except (EditError, Invalid, Conflict) as exc:
        flash(str(exc), "error")
    else:
        flash(message, "info")
    return redirect(url_for("editor.arrange", issue_id=issue_id) + request.form.get("anchor", ""))


@bp.post("/issues/<issue_id>/desk/move")
def move(issue_id: str):
    slug, how = request.form.get("slug", ""), request.form.get("step", "")
    section = (request.form.get("section") or None) if how == "to" else None
    step = {"up": -1, "down": 1}.get(how, 0)
    headline = next((a["headline"] for a in _issue(issue_id)["articles"] if a["slug"] == slug), slug)
    return _done(
        issue_id,
        lambda: desk().move_article(issue_id, slug, current_user.username, section=section, step=step),
        _("已移动《%(h)s》。", h=headline),
    )


@bp.post("/issues/<issue_id>/desk/order")
def order(issue_id: str):
    """The whole layout at once (drag and drop in editor.js): ``section:slug`` pairs in order."""
    layout: dict[str, list[str]] = {s: [] for s, _ in desk().layout(issue_id)}
    for pair in request.form.getlist("place"):
        section, _sep, slug = pair.partition(":")
        layout.setdefault(section, []).append(slug)
    return _done(issue_id, lambda: desk().arrange(issue_id, list(layout.items()), current_user.username), _("排版已保存。"))


@bp.post("/issues/<issue_id>/desk/merge")
def merge(issue_id: str):
    first, second = request.form.get("first", ""), request.form.get("second", "")
    return _done(
        issue_id,
        lambda: desk().merge_articles(issue_id, first, second, current_user.username),
        _("已合并两篇稿件；后一篇已移入回收站。"),
    )


@bp.post("/issues/<issue_id>/desk/delete")
def delete(issue_id: str):
    slug = request.form.get("slug", "")
    return _done(
        issue_id, lambda: desk().delete_article(issue_id, slug, current_user.username), _("稿件已移入回收站，可随时恢复。")
    )


@bp.post("/issues/<issue_id>/desk/restore")
def restore(issue_id: str):
    name = request.form.get("name", "")
    return _done(issue_id, lambda: desk().restore(issue_id, name, current_user.username), _("稿件已从回收站恢复。"))


@bp.post("/issues/<issue_id>/desk/new-article")
def new_article(issue_id: str):
    fields = {
        "headline": request.form.get("headline", ""),
        "section": request.form.get("section") or None,
        "kind": request.form.get("kind") or "news",
    }
    try:
        outcome = desk().create_article(issue_id, fields, current_user.username)
    except (EditError, Invalid) as exc:
        flash(str(exc), "error")
        return redirect(url_for("editor.arrange", issue_id=issue_id))
    return redirect(url_for("editor.article", issue_id=issue_id, slug=outcome.article["slug"]))


@bp.post("/issues/<issue_id>/desk/section")
def section(issue_id: str):
    """Add, rename or move a section (``do`` = add | rename | up | down)."""
    do, slug, name = request.form.get("do"), request.form.get("slug", ""), request.form.get("name", "")
    user = current_user.username
    page = request.form.get("page", "").strip()
    page_number = int(page) if page.isdigit() else None
    if do == "add":
        return _done(
            issue_id, lambda: desk().add_section(issue_id, name, user, page=page_number), _("已新增版面“%(n)s”。", n=name)
        )
    if do == "rename":
        editor = request.form.get("editor")
        return _done(
            issue_id,
            lambda: desk().rename_section(issue_id, slug, name, user, page=page_number, editor=editor),
            _("版面已改名为“%(n)s”，地址不变。", n=name),
        )
    if do in ("up", "down"):
        return _done(issue_id, lambda: desk().move_section(issue_id, slug, -1 if do == "up" else 1, user), _("版面顺序已调整。"))
    abort(400)


@bp.route("/issues/<issue_id>/masthead", methods=["GET", "POST"])
def masthead(issue_id: str):
    issue = _issue(issue_id)
    errors = {}
    if request.method == "POST":
        fields = {k: request.form.get(k, "") for k in source.MASTHEAD_FIELDS}
        try:
            desk().save_masthead(issue_id, fields, request.form.get("revision") or None, current_user.username)
        except Conflict:
            flash(_("报头在您打开之后被修改过，您的修改没有保存；下面是现在的报头，请重新修改。"), "error")
        except Invalid as exc:
            errors = {p.field: p.message for p in exc.problems}
            issue = {**issue, **fields}
        else:
            flash(_("报头已保存。"), "info")
            return redirect(url_for("editor.masthead", issue_id=issue_id))
    return render_template("editor_masthead.html", issue=issue, issue_id=issue_id, fields=source.MASTHEAD_FIELDS, labels=LABELS, errors=errors,
                           revisions=services().store.revisions(issue_id, loading.ISSUE_FILE, limit=20))  # fmt: skip


@bp.route("/new-issue", methods=["GET", "POST"])
def new_issue():
    if request.method == "POST":
        try:
            date = dt.date.fromisoformat(request.form.get("date", ""))
            number = int(request.form.get("number", ""))
        except ValueError:
            flash(_("请填写出版日期和总期号。"), "error")
        else:
            try:
                issue_id = desk().create_issue(
                    date,
                    number,
                    current_user.username,
                    from_last=request.form.get("from") != "empty",
                    paper=request.form.get("paper") or None,
                )
            except (EditError, Invalid) as exc:
                flash(str(exc), "error")
            else:
                flash(_("第 %(id)s 期已新建。", id=issue_id), "info")
                return redirect(url_for("editor.arrange", issue_id=issue_id))
    newest = loading.issue_page(services().config.content_dir, 1).ids
    return render_template("editor_new_issue.html", last=newest[0] if newest else None)


# ---- schedules -------------------------------------------------------------------------------------


@bp.post("/issues/<issue_id>/schedule")
def schedule(issue_id: str):
    _issue(issue_id)
    try:
        at = dt.datetime.fromisoformat(request.form.get("at", "")).replace(tzinfo=_zone())
    except ValueError:
        flash(_("请填写定时发布的日期和时间。"), "error")
    else:
        services().store.add_schedule(issue_id, at, current_user.username)
        flash(_("已设定时发布：%(at)s 自动生成并发布。", at=at.strftime("%Y-%m-%d %H:%M")), "info")
    return redirect(url_for("editor.arrange", issue_id=issue_id) + "#schedules")


@bp.post("/schedules/<int:schedule_id>/cancel")
def cancel_schedule(schedule_id: int):
    found = services().store.get_schedule(schedule_id)
    if found is None:
        abort(404)
    if services().store.cancel_schedule(schedule_id, current_user.username):
        flash(_("定时发布已取消。"), "info")
    else:
        flash(_("这个定时发布已经开始或结束，不能取消。"), "error")
    return redirect(url_for("editor.arrange", issue_id=found.issue_id) + "#schedules")


# ---- the import review -----------------------------------------------------------------------------


@bp.route("/issues/<issue_id>/review")
def review(issue_id: str):
    from publisher.admin import review as import_review

    return import_review.page(desk(), issue_id)


@bp.post("/issues/<issue_id>/review/<int:index>")
def review_switch(issue_id: str, index: int):
    from publisher.admin import review as import_review

    return import_review.switch_view(desk(), issue_id, index)
