"""The editors' admin (``/admin``): dashboard, issue pages, importing text, builds, previews, publishing, history.

Views are thin: they read the store, hand builds to the queue and ask the
store to publish. Every route here needs a signed-in editor (checked once for
the whole blueprint) and every POST a CSRF token (checked app-wide).
"""

from __future__ import annotations

import re
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

from publisher import editions, loading
from publisher.admin import imports, services
from publisher.admin.auth import login_manager
from publisher.admin.files import channel_files, media_type
from publisher.admin.previews import PreviewError, inside_preview, read_epub, read_feed, read_json_feed, read_member
from publisher.admin.security import DOCUMENT_CSP, FILE_CSP, use_csp
from publisher.importer import REPORT_JSON, ImportFailure
from publisher.results import BuildState, ChannelResult
from publisher.store import BuildInProgress, PublishError

bp = Blueprint("admin", __name__, url_prefix="/admin")
LOG_TAIL_LINES = 40
RAW_XML_LIMIT = 200_000
DASHBOARD_ISSUES = 60  # newest issues on the dashboard; older ones are reached by their URL
_INTERNAL = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)|Traceback)\b")


@bp.before_request
def require_editor():
    """Every admin route: anonymous users are sent to sign in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


# --- what editors read -------------------------------------------------------------------------


@bp.app_template_global()
def explain(title: str, error: str | None, build_id: int | None = None) -> str:
    """An editor's sentence for a channel error; the raw message stays in the log and the details."""
    if not error:
        return ""
    if _INTERNAL.match(error):
        ref = f" with build #{build_id}" if build_id else ""
        return (
            f"The {title} could not be made because of a fault in publisher, not in your content. "
            f"Build again; if it fails again, tell the developers{ref}."
        )
    return error  # a ChannelError or a limit the queue reports: already written for editors


def human_bytes(n: int | None) -> str:
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
        return f"{s:.2f} s"
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(s % 60)} s"


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
    try:
        return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
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


def known_issue(issue_id: str) -> str:
    if issue_id not in loading.list_issue_ids(services().config.content_dir):
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
    rows = []
    for name in build.channels:
        state = build.results.get(name) or ChannelResult(name, BuildState.QUEUED)
        title = titles.get(name, name)
        rows.append(
            {
                "channel": name,
                "title": title,
                "state": state.state,
                "seconds": state.seconds,
                "bytes": state.bytes,
                "error": state.error,
                "explanation": explain(title, state.error, build.id),
                "warnings": list(state.warnings),
            }
        )
    return rows


def log_tail(build, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join((build.log or "").splitlines()[-lines:])


# --- pages ------------------------------------------------------------------------------------


@bp.route("/")
def dashboard():
    svc = services()
    rows = []
    for issue_id in list(reversed(loading.list_issue_ids(svc.config.content_dir)))[:DASHBOARD_ISSUES]:
        loaded = load_issue(issue_id)
        live = svc.store.live_build(issue_id)
        last = svc.store.last_builds_by_channel(issue_id)
        rows.append(
            {
                "id": issue_id,
                "title": loaded.issue.title if isinstance(loaded, loading.Loaded) else None,
                "problems": len(loaded.problems) if isinstance(loaded, loading.ContentErrors) else 0,
                "live": live,
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
    return render_template("dashboard.html", issues=rows, channels=svc.channels)


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
    try:
        record = svc.queue.submit(issue_id, [channel] if channel else None, current_user.username)
    except BuildInProgress as exc:
        flash(f"Issue {issue_id} is already being built (build #{exc.existing.id}); follow it here.", "info")
        return redirect(url_for("admin.build_page", build_id=exc.existing.id))
    except ValueError as exc:  # an issue or channel the queue cannot build
        flash(f"Nothing was built: {exc}.", "error")
        return redirect(url_for("admin.issue", issue_id=issue_id))
    flash(f"Build #{record.id} of {issue_id} is queued.", "info")
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
    )


@bp.route("/builds/<int:build_id>/status")
def build_status(build_id: int):
    """The build's progress as JSON, polled by admin.js every second while it runs."""
    record = get_build(build_id)
    response = jsonify(
        id=record.id,
        state=record.state,
        finished=record.state.finished,
        duration=human_seconds(record.seconds),
        channels=[
            {**row, "seconds": human_seconds(row["seconds"]), "bytes": human_bytes(row["bytes"])} for row in channel_rows(record)
        ],
        log=log_tail(record),
        error=explain("build", record.error, record.id),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _switch_live(record, switch, done: str, refused: str, back: str):
    """Run a publish or rollback; flash the outcome and return to ``back`` when it was refused."""
    svc = services()
    try:
        switch(svc.store)
    except PublishError as exc:
        flash(f"{refused}: {exc}", "error")
        return redirect(back)
    svc.live.invalidate()
    flash(done, "info")
    return redirect(url_for("admin.issue", issue_id=record.issue_id))


@bp.route("/builds/<int:build_id>/publish", methods=["POST"])
def publish(build_id: int):
    record = get_build(build_id)
    return _switch_live(
        record,
        lambda store: store.publish(record.id, current_user.username),
        done=f"Build #{record.id} of {record.issue_id} is live now.",
        refused=f"Build #{record.id} was not published",
        back=url_for("admin.build_page", build_id=record.id),
    )


@bp.route("/builds/<int:build_id>/rollback", methods=["POST"])
def rollback(build_id: int):
    record = get_build(build_id)
    return _switch_live(
        record,
        lambda store: store.rollback(record.issue_id, record.id, current_user.username),
        done=f"Rolled back: build #{record.id} of {record.issue_id} is live again.",
        refused=f"Could not roll back to build #{record.id}",
        back=url_for("admin.issue", issue_id=record.issue_id),
    )


# --- importing an e-paper's text --------------------------------------------------------------


def upload_limit():
    """Before CSRF reads the form (app-wide): the import page alone takes a file up to ``UPLOAD_BYTES``."""
    if request.endpoint != "admin.import_upload":
        return None
    request.max_content_length = imports.UPLOAD_BYTES
    if (request.content_length or 0) > imports.UPLOAD_BYTES and current_user.is_authenticated:
        return _import_page(
            imports.ImportForm(formdata=None),
            (
                f"The file is larger than {human_bytes(imports.UPLOAD_BYTES)}; an issue's text is about 100 KB. "
                "Choose the text extracted from the e-paper, not the PDF or a scan."
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
    name = imports.upload_name(form.text.data.filename)
    try:
        result = imports.import_upload(form.text.data.read(), name, form, svc.config.content_dir, svc.store)
    except imports.Refused as exc:
        return _import_page(form, str(exc), 409)
    except ImportFailure as exc:
        return _import_page(form, f"Nothing was imported: {exc}", 422)
    svc.store.record(current_user.username, "imported", issue_id=result.issue.id, detail=name)
    flash(
        f"Imported {name} as {result.issue.id}: {len(result.issue.articles)} articles, "
        f"{len(result.report.decisions)} decisions to review.",
        "info",
    )
    return redirect(url_for("admin.import_report", issue_id=result.issue.id))


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
    )


@bp.route("/history")
def history():
    return render_template("history.html", entries=services().store.history(200))


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
    edition, kind = editions.split(channel)
    title = services().channels.get(kind, kind) + (f" · {edition}" if edition else "")
    context = {"build": record, "channel": channel, "title": title, "files": files}
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
    except PreviewError as exc:
        return render_template("preview_error.html", **context, message=str(exc))
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
