"""The editors' admin (``/admin``): dashboard, issue pages, importing text, builds, previews, publishing, history.

Everything an editor reads is in the admin's language (Chinese by default; see
:mod:`publisher.admin.i18n`), names issues by their masthead and articles by
their headline, and shows times in the paper's time zone.

Views are thin: they read the store, hand builds to the queue and ask the
store to publish. Every route here needs a signed-in editor (checked once for
the whole blueprint) and every POST a CSRF token (checked app-wide).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import BaseConverter

from publisher import editions, loading, snapshots
from publisher.admin import imports, messages, problems, readings, services
from publisher.admin.auth import login_manager
from publisher.admin.files import channel_files, media_type
from publisher.admin.messages import explain
from publisher.admin.previews import PreviewError, inside_preview, read_epub, read_feed, read_json_feed, read_member
from publisher.admin.review import mismatch_message
from publisher.admin.security import DOCUMENT_CSP, FILE_CSP, use_csp
from publisher.importer import REPORT_JSON, ImportFailure, MastheadMismatch
from publisher.results import BuildState, ChannelResult
from publisher.store import BuildInProgress, PublishError

bp = Blueprint("admin", __name__, url_prefix="/admin")
LOG_TAIL_LINES = 40
RAW_XML_LIMIT = 200_000
DASHBOARD_ISSUES = 60  # issues on a page of the dashboard


@bp.before_request
def require_editor():
    """Every admin route: anonymous users are sent to sign in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


# --- what editors read -------------------------------------------------------------------------


bp.add_app_template_global(explain)
bp.add_app_template_global(messages.state_label)
bp.add_app_template_global(messages.who)
bp.add_app_template_global(problems.describe, "describe_problem")
bp.add_app_template_global(readings.describe, "describe_reading")


def human_bytes(n: float | None) -> str:
    if not n:
        return "–"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def human_seconds(s: float | None) -> str:
    if s is None:
        return "–"
    if s < 10:
        return _("%(s).2f 秒", s=s)
    return _("%(s).1f 秒", s=s) if s < 60 else _("%(m)d 分 %(s)d 秒", m=int(s // 60), s=int(s % 60))


def when(moment: datetime | None) -> str:
    """A moment in the paper's time zone (site.timezone)."""
    if moment is None:
        return "–"
    return services().config.site.local(moment).strftime("%Y-%m-%d %H:%M")


@bp.app_template_filter("bytes")
def _bytes_filter(n):
    return human_bytes(n)


@bp.app_template_filter("seconds")
def _seconds_filter(s):
    return human_seconds(s)


@bp.app_template_filter("when")
def _when_filter(moment):
    return when(moment)


def _stamp(folder: Path) -> float:
    try:  # the folder's own time too: renaming an article file (arranging) changes no file's time
        return max((p.stat().st_mtime for p in folder.iterdir()), default=folder.stat().st_mtime) + folder.stat().st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=128)
def _load(folder: str, stamp: float) -> loading.Loaded | loading.ContentErrors:
    try:
        return loading.load(Path(folder))
    except loading.ContentErrors as exc:
        return exc


def load_issue(issue_id: str) -> loading.Loaded | loading.ContentErrors:
    """The issue with its warnings (or its errors), reloaded only when a file in its folder changed."""
    folder = loading.issue_dir(services().config.content_dir, issue_id)
    return _load(str(folder), _stamp(folder))


@bp.app_template_global()
def issue_title(issue_id: str) -> str:
    """An issue as editors name it (its masthead line), or its id while it does not load."""
    loaded = load_issue(issue_id) if loading.has_issue(services().config.content_dir, issue_id) else None
    return loaded.issue.title if isinstance(loaded, loading.Loaded) else issue_id


def headlines(issue_id: str) -> dict[str, str]:
    """Each article's headline by its slug (to name articles in messages that give a slug)."""
    loaded = load_issue(issue_id)
    return {a.slug: a.headline for a in loaded.issue.articles} if isinstance(loaded, loading.Loaded) else {}


def known_issue(issue_id: str) -> str:
    if not loading.has_issue(services().config.content_dir, issue_id):
        abort(404)
    return issue_id


def get_build(build_id: int):
    build = services().store.get_build(build_id)
    if build is None:
        abort(404)
    return build


def channel_rows(build) -> list[dict]:
    """One row per channel of ``build``: state, time, size, the error in words and the raw one."""
    titles = services().channels
    named = headlines(build.issue_id)
    rows = []
    for name in build.channels:
        state = build.results.get(name) or ChannelResult(name, BuildState.QUEUED)
        title = messages.channel_title(titles, name)
        rows.append(
            {
                "channel": name,
                "title": title,
                "state": state.state,
                "state_label": messages.state_label(state.state),
                "seconds": state.seconds,
                "bytes": state.bytes,
                "error": messages.scrub(state.error) if state.error else None,
                "explanation": explain(title, state.error, build.id, named),
                "warnings": [messages.say(w, named) for w in state.warnings],
            }
        )
    return rows


def log_tail(build, lines: int = LOG_TAIL_LINES) -> str:
    tail = "\n".join((build.log or "").splitlines()[-lines:])
    return messages.log_lines(tail, services().channels, headlines(build.issue_id))


# --- pages ------------------------------------------------------------------------------------


@bp.route("/")
def dashboard():
    """The newest issues, a page at a time (``?before=<id>`` for older ones): each checked against its files and
    read from the index, so the page costs the same with 10,000 issues as with ten."""
    svc = services()
    withdrawn = svc.store.withdrawn()
    before = request.args.get("before") or None
    page = loading.issue_page(svc.config.content_dir, DASHBOARD_ISSUES, before)
    states, live = svc.store.channel_states(page.ids), svc.store.live_builds(page.ids)
    rows = []
    for issue_id in page.ids:
        last = states[issue_id]
        rows.append(
            {
                **svc.index.row(issue_id),
                "live": live.get(issue_id),
                "withdrawn": withdrawn.get(issue_id),
                "channels": [
                    {
                        "channel": name,
                        "title": title,
                        "state": last.get(name),
                        "explanation": explain(title, last[name].error) if name in last else "",
                    }
                    for name, title in svc.channels.items()
                ],
            }
        )
    return render_template("dashboard.html", issues=rows, channels=svc.channels, page=page, before=before)


@bp.route("/issues/<issue_id>")
def issue(issue_id: str):
    svc = services()
    known_issue(issue_id)
    loaded = load_issue(issue_id)
    builds = svc.store.builds(issue_id=issue_id, limit=30)
    live = svc.store.live_build(issue_id)
    return render_template(
        "issue.html",
        issue_id=issue_id,
        loaded=loaded if isinstance(loaded, loading.Loaded) else None,
        problems=loaded.problems if isinstance(loaded, loading.ContentErrors) else [],
        builds=builds,
        live=live,
        withdrawn=svc.store.withdrawn().get(issue_id),
        channels=svc.channels,
        rows_of=channel_rows,
        imported=(loading.issue_dir(svc.config.content_dir, issue_id) / REPORT_JSON).is_file(),
    )


@bp.route("/issues/<issue_id>/build", methods=["POST"])
def build(issue_id: str):
    svc = services()
    known_issue(issue_id)
    channel = request.form.get("channel") or None
    if channel is not None and channel not in svc.channels:
        abort(400)
    limit, window = current_app.config["BUILD_RATE_LIMIT"]
    svc.build_limiter.hit(f"build:{current_user.username}", limit, window, _("生成启动得太频繁。"))
    title = issue_title(issue_id)
    try:
        record = svc.queue.submit(issue_id, [channel] if channel else None, current_user.username)
    except BuildInProgress as exc:
        flash(_("%(issue)s正在生成（第 %(build)s 次），请在这里等它完成。", issue=title, build=exc.existing.id), "info")
        return redirect(url_for("admin.build_page", build_id=exc.existing.id))
    except ValueError:  # an issue or channel the queue cannot build
        flash(_("没有生成：这一期或这一项现在无法生成。请刷新页面再试；仍然不行请联系管理员。"), "error")
        return redirect(url_for("admin.issue", issue_id=issue_id))
    flash(_("%(issue)s的第 %(build)s 次生成已排队，马上开始。", issue=title, build=record.id), "info")
    return redirect(url_for("admin.build_page", build_id=record.id))


@bp.route("/builds/<int:build_id>")
def build_page(build_id: int):
    record = get_build(build_id)
    live = services().store.live_build(record.issue_id)
    return render_template(
        "build.html",
        build=record,
        rows=channel_rows(record),
        log=log_tail(record),
        duration=record.seconds,
        finished=record.state.finished,
        is_live=live is not None and live.id == record.id,
        live=live,
        withdrawn=services().store.withdrawn().get(record.issue_id),
    )


@bp.route("/builds/<int:build_id>/status")
def build_status(build_id: int):
    """The build's progress as JSON, polled by admin.js every second while it runs."""
    record = get_build(build_id)
    response = jsonify(
        id=record.id,
        state=record.state,
        state_label=messages.state_label(record.state),
        finished=record.state.finished,
        duration=human_seconds(record.seconds),
        channels=[
            {**row, "seconds": human_seconds(row["seconds"]), "bytes": human_bytes(row["bytes"])} for row in channel_rows(record)
        ],
        log=log_tail(record) or _("（还没有记录）"),
        error=explain(_("这一期"), record.error, record.id, headlines(record.issue_id)),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- publishing: confirm with what changes, then switch -----------------------------------------


def changes_against_live(record, live) -> snapshots.Changes | None:
    """What goes public if ``record`` replaces ``live``; None when a build kept no snapshot to compare."""
    after = snapshots.read(record.out_dir)
    if after is None:
        return None
    before = snapshots.read(live.out_dir) if live is not None else None
    if live is not None and before is None:
        return None
    return snapshots.compare(before, after)


def _confirm(record, kind: str):
    """The confirmation page of a publish or a rollback: what is live, what would be, the articles that change."""
    svc = services()
    live = svc.store.live_build(record.issue_id)
    return render_template(
        "confirm.html",
        build=record,
        kind=kind,
        live=live,
        withdrawn=svc.store.withdrawn().get(record.issue_id),
        changes=changes_against_live(record, live),
        sections={s["slug"]: s["name"] for s in (snapshots.read(record.out_dir) or {}).get("sections", [])},
        fields=problems.FIELD_NAMES,
        title=issue_title(record.issue_id),
        refusal=_refusal(record, live),
    )


def _refusal(record, live) -> str | None:
    """Why ``record`` cannot go live (shown instead of the confirm button), None when it can."""
    if live is not None and live.id == record.id:
        return publish_refusal("already live")
    if record.pruned_at is not None:
        return publish_refusal("pruned")
    if not record.ok:
        return publish_refusal("only a succeeded build")
    return None


def _switch_live(record, switch, done: str, back: str, rollback: bool = False):
    """Run a publish or rollback; flash the outcome and return to ``back`` when it was refused."""
    svc = services()
    expected = request.form.get("live", "")
    live = svc.store.live_build(record.issue_id)
    if expected != "" and expected != str(live.id if live else 0):  # another editor switched since the page was shown
        flash(_("在您确认期间，线上版本已经被别人改动了。请看清下面新的对比后再确认。"), "error")
        return redirect(back)
    try:
        switch(svc.store)
    except PublishError as exc:
        why = publish_refusal(str(exc))
        flash(_("没有回退：%(why)s", why=why) if rollback else _("没有发布：%(why)s", why=why), "error")
        return redirect(back)
    svc.live.invalidate()
    flash(done, "info")
    return redirect(url_for("admin.issue", issue_id=record.issue_id))


def publish_refusal(message: str) -> str:
    """Why the store refused, for editors."""
    if "pruned" in message:
        return _("这次生成的文件已被清理，请重新生成后再发布。")
    if "already live" in message:
        return _("这次生成已经在线上了。")
    if "only a succeeded build" in message:
        return _("只有成功的生成才能发布；请等生成完成，或改正错误后重新生成。")
    if "files of build" in message:
        return _("这次生成的文件不见了，请重新生成后再发布。")
    if "not published" in message:
        return _("这一期现在没有公开，无需撤下。")
    return _("请刷新页面后再试；仍然不行请联系管理员。")


@bp.route("/builds/<int:build_id>/publish", methods=["GET", "POST"])
def publish(build_id: int):
    record = get_build(build_id)
    if request.method == "GET":
        return _confirm(record, "publish")
    return _switch_live(
        record,
        lambda store: store.publish(record.id, current_user.username),
        done=_("已发布：%(issue)s的第 %(build)s 次生成现在在线上。", issue=issue_title(record.issue_id), build=record.id),
        back=url_for("admin.publish", build_id=record.id),
    )


@bp.route("/builds/<int:build_id>/rollback", methods=["GET", "POST"])
def rollback(build_id: int):
    record = get_build(build_id)
    if request.method == "GET":
        return _confirm(record, "rollback")
    return _switch_live(
        record,
        lambda store: store.rollback(record.issue_id, record.id, current_user.username),
        done=_("已回退：%(issue)s的第 %(build)s 次生成重新上线。", issue=issue_title(record.issue_id), build=record.id),
        back=url_for("admin.rollback", build_id=record.id),
        rollback=True,
    )


@bp.route("/issues/<issue_id>/unpublish", methods=["GET", "POST"])
def unpublish(issue_id: str):
    """Take an issue off the public site (its URLs answer 410) after the editor confirmed."""
    svc = services()
    live = svc.store.live_build(issue_id)
    if live is None:
        if not loading.has_issue(svc.config.content_dir, issue_id) and issue_id not in svc.store.withdrawn():
            abort(404)
        flash(_("这一期现在没有公开，无需撤下。"), "info")
        return redirect(url_for("admin.issue", issue_id=issue_id))
    if request.method == "GET":
        snapshot = snapshots.read(live.out_dir)
        return render_template(
            "unpublish.html", issue_id=issue_id, live=live, title=issue_title(issue_id), articles=(snapshot or {}).get("articles")
        )
    try:
        svc.store.unpublish(issue_id, current_user.username)
    except PublishError as exc:
        flash(_("没有撤下：%(why)s", why=publish_refusal(str(exc))), "error")
        return redirect(url_for("admin.issue", issue_id=issue_id))
    svc.live.invalidate()
    flash(
        _("已撤下：%(issue)s不再公开，读者打开它会看到“已撤下”。需要时可以重新发布。", issue=issue_title(issue_id)),
        "info",
    )
    return redirect(url_for("admin.issue", issue_id=issue_id))


# --- importing an e-paper's text --------------------------------------------------------------


def upload_limit():
    """Before CSRF reads the form (app-wide): the import page alone takes a file up to ``UPLOAD_BYTES``."""
    if request.endpoint != "admin.import_upload":
        return None
    request.max_content_length = imports.UPLOAD_BYTES
    # the multipart parser holds a file's bytes until it sees where the part may end: a PDF whose streams run long
    # without a line break fills more than a form's limit (64 KB), so this page's limit is the upload's
    request.max_form_memory_size = imports.UPLOAD_BYTES
    if (request.content_length or 0) > imports.UPLOAD_BYTES and current_user.is_authenticated:
        return _import_page(
            imports.ImportForm(formdata=None),
            _(
                "文件超过了 %(limit)s 的上限，没有导入。请上传排版系统导出的印刷版 PDF（去掉高分辨率图片或分版导出可以减小文件），"
                "或上传提取出的文字。",
                limit=human_bytes(imports.UPLOAD_BYTES),
            ),
            413,
        )
    return None


def _import_page(form, error: str | None = None, status: int = 200):
    return render_template("import.html", form=form, error=error, limit=human_bytes(imports.UPLOAD_BYTES)), status


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    """Upload an e-paper's text → the importer writes a draft issue → its report to review."""
    svc = services()
    form = imports.ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=400 if form.is_submitted() else 200)
    try:
        data, name = imports.uploaded(form.text.data)
        result = imports.import_upload(data, name, form, svc.config.content_dir, svc.store)
    except imports.Refused as exc:
        return _import_page(form, str(exc), 409)
    except MastheadMismatch as exc:
        return _import_page(form, mismatch_message(exc), 409)
    except ImportFailure as exc:
        return _import_page(form, _("没有导入：%(why)s", why=imports.failure(exc)), 422)
    svc.store.record(current_user.username, "imported", issue_id=result.issue.id, detail=name)
    flash(
        _(
            "已把 %(name)s 导入为%(issue)s：%(n)s 篇文章，%(d)s 处需要核对。",
            name=name,
            issue=result.issue.title,
            n=len(result.issue.articles),
            d=len(result.report.decisions),
        ),
        "info",
    )
    return redirect(url_for("admin.import_report", issue_id=result.issue.id))


@bp.route("/issues/<issue_id>/print-page/<int:page>.png")
def print_page(issue_id: str, page: int):
    """A page of the issue's print PDF as an image, for the import report's overlay of recognised blocks."""
    known_issue(issue_id)
    folder = loading.issue_dir(services().config.content_dir, issue_id)
    try:
        data = imports.page_image(folder, page)
    except LookupError:
        abort(404)
    return Response(data, mimetype="image/png", headers={"Cache-Control": "private, max-age=300"})


@bp.route("/issues/<issue_id>/import-report")
def import_report(issue_id: str):
    """The import report of an issue (what the importer was unsure of), its articles and the build button."""
    svc = services()
    known_issue(issue_id)
    report = imports.read_report(loading.issue_dir(svc.config.content_dir, issue_id))
    if report is None:
        abort(404)
    loaded = load_issue(issue_id)
    return render_template(
        "import_report.html",
        issue_id=issue_id,
        report=report,
        loaded=loaded if isinstance(loaded, loading.Loaded) else None,
        problems=loaded.problems if isinstance(loaded, loading.ContentErrors) else [],
        headlines={a["slug"]: a["headline"] for a in report.get("articles", [])},
        pages=imports.overlay(report, loaded.issue if isinstance(loaded, loading.Loaded) else None),
        decisions=imports.DECISIONS,
        left_out=imports.LEFT_OUT,
        fields=problems.FIELD_NAMES,
    )


@bp.route("/history")
def history():
    return render_template("history.html", entries=services().store.history(200), action=messages.action)


# --- previews ---------------------------------------------------------------------------------


def _file(record, channel: str, name: str):
    found = channel_files(record, channel).get(name)
    if found is None or not found.path.is_file():
        abort(404)
    return found


class TargetConverter(BaseConverter):
    """A channel of a build in URLs: ``rss``, or ``zh-Hant/rss`` for an edition's (an edition name has a subtag)."""

    regex = r"(?:[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})+/)?[a-z][a-z0-9_]*"
    part_isolating = False


def _preview_links(record, edition: str | None = None) -> list[tuple[str, str]]:
    """(public URL prefix, this build's file URL) pairs for the issue's digest and downloads (in ``edition``), for
    :func:`inside_preview`; none when the build has no digest to point at."""
    if not channel_files(record, editions.target(edition, "digest")):
        return []
    config = services().config
    public = editions.urls(config, config.edition(edition)).absolute(f"/issues/{record.issue_id}/")

    def files(channel: str, name: str = "") -> str:
        target = editions.target(edition, channel)
        return url_for("admin.build_file", build_id=record.id, channel=target, name="x")[:-1] + name

    moves = [(public + f"{record.issue_id}.{c}", files(c, f"{record.issue_id}.{c}")) for c in ("epub", "pdf")]
    return [*moves, (public + "#", files("digest", "index.html#")), (public, files("digest"))]


@bp.route("/builds/<int:build_id>/preview/<target:channel>")
def preview(build_id: int, channel: str):
    record = get_build(build_id)
    files = channel_files(record, channel)
    if not files:
        abort(404)
    titles = {name: messages.channel_title(services().channels, name) for name in {*record.channels, channel}}
    edition, kind = editions.split(channel)
    variant = next((e.variant for e in services().config.editions if e.name == edition), None)
    lang = variant or "zh-CN"  # the language of what is previewed (the admin's own may differ)
    context = {"build": record, "channel": channel, "title": titles[channel], "titles": titles, "files": files, "lang": lang}
    try:
        if kind in ("rss", "jsonfeed"):
            ext = ".xml" if kind == "rss" else ".json"
            main = f"feed{ext}" if f"feed{ext}" in files else next(n for n in files if n.endswith(ext))
            raw = files[main].path.read_text(encoding="utf-8", errors="replace")
            feed = (read_feed if kind == "rss" else read_json_feed)(files[main].path)
            moves = _preview_links(record, edition)  # item links and pictures lead into this build's digest, not the public site
            feed.items[:] = [
                replace(i, link=inside_preview(i.link, moves), content=Markup(inside_preview(i.content, moves)))
                for i in feed.items
            ]
            return render_template(
                "preview_rss.html",
                **context,
                feed=feed,
                main=main,
                raw=raw[:RAW_XML_LIMIT],
                cut=len(raw) > RAW_XML_LIMIT,
            )
        if kind == "epub":
            name = next(n for n in files if n.endswith(".epub"))
            book = read_epub(files[name].path)
            chapter = request.args.get("chapter") or (book.toc[0].href if book.toc else "")
            if chapter.partition("#")[0] not in book.members:
                abort(404)
            return render_template("preview_epub.html", **context, book=book, epub=name, chapter=chapter)
        if kind == "pdf":
            pdf = next(n for n in files if n.endswith(".pdf"))
            thumbs = sorted(n for n in files if n.startswith("thumbs/"))
            return render_template("preview_pdf.html", **context, pdf=pdf, thumbs=thumbs)
        if kind == "digest":
            return render_template("preview_digest.html", **context)
        if kind == "wechat" and "manifest.json" in files:
            articles = json.loads(files["manifest.json"].path.read_text(encoding="utf-8"))["articles"]
            wanted = request.args.get("article")
            chosen = next((a for a in articles if a["slug"] == wanted), articles[0])
            return render_template("preview_wechat.html", **context, articles=articles, chosen=chosen)
        if kind == "epaper" and "01/index.html" in files:
            pages = sorted(n for n in files if n.endswith("/index.html"))
            articles = sum(1 for n in files if n.endswith(".html") and "/" in n and not n.endswith("/index.html"))
            weight = sum(
                files[n].bytes for n in ("01/index.html", "01/page.webp", *(n for n in files if n.endswith("/thumb.webp")))
            )
            return render_template("preview_epaper.html", **context, pages=pages, articles=articles, weight=weight)
    except PreviewError as exc:
        current_app.logger.warning("preview of build #%s %s: %s", build_id, channel, exc)
        return render_template(
            "preview_error.html", **context, message=_("这一项的文件无法读取，可能已损坏；请重新生成后再预览。")
        )
    return render_template("preview_files.html", **context)


@bp.route("/builds/<int:build_id>/files/<target:channel>/<path:name>")
def build_file(build_id: int, channel: str, name: str):
    """A file of a build, inline, for previews; HTML in it runs sandboxed with no script."""
    record = get_build(build_id)
    found = _file(record, channel, name)
    use_csp(FILE_CSP if found.media_type.startswith(("application/pdf", "image/")) else DOCUMENT_CSP)
    edition, kind = editions.split(channel)
    moves = _preview_links(record, edition) if kind == "digest" and name.endswith(".html") else []
    if moves:  # the page's pictures and links come from this build, not the public site
        page = inside_preview(found.path.read_text(encoding="utf-8"), moves)
        response = Response(page, mimetype=found.media_type.partition(";")[0])
    else:
        response = send_file(found.path, mimetype=found.media_type, conditional=True)
    response.headers["Content-Type"] = found.media_type
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/builds/<int:build_id>/epub/<path:member>")
def epub_member(build_id: int, member: str):
    """One file inside a build's EPUB (a chapter, its stylesheet, an image), sandboxed."""
    record = get_build(build_id)
    files = (
        channel_files(record, request.args.get("channel", "epub")) if request.args.get("channel", "epub").endswith("epub") else {}
    )
    name = next((n for n in files if n.endswith(".epub")), None)
    if name is None:
        abort(404)
    data = read_member(files[name].path, member)
    if data is None:
        abort(404)
    use_csp(DOCUMENT_CSP)
    response = Response(data, content_type=media_type(member))
    response.headers["Cache-Control"] = "private, no-cache"
    return response
