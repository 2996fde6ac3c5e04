"""The JSON API under ``/api/v1/``: the editing desk, builds, publishing and schedules for other systems.

Thin over the same operations the admin uses (:class:`publisher.editing.Desk`,
the queue, the store). Callers authenticate with a per-user token
(``Authorization: Bearer …``, made by ``publisher token create``) or with a
signed-in admin session, which must then send its CSRF token in ``X-CSRFToken``
for anything that changes something. Errors are always
``{"errors": [{"field": …, "message": …}]}``, in Chinese. An article's
``ETag`` is its revision tag; ``PATCH`` and ``DELETE`` need ``If-Match``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from publisher import loading
from publisher.admin import csrf, services
from publisher.editing import Conflict, EditError, FieldProblem, Invalid, NotFound, source
from publisher.editing.figures import BadImage
from publisher.editing.paste import clean_paste
from publisher.scheduling import default_time
from publisher.serialize import article_data, issue_data
from publisher.store import BuildInProgress, PublishError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked below, for sessions only: a bearer token is not sent by browsers on their own
#: Largest body the API takes (a photo upload); other admin requests keep the app's small limit.
API_BODY_BYTES = 20 * 1024 * 1024
OPENAPI = Path(__file__).resolve().parent / "openapi.json"


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None, errors: list[dict] | None = None, extra=None):
        self.status = status
        self.errors = errors or [{"field": field, "message": message}]
        self.extra = extra or {}


def _json(data, status: int = 200, etag: str | None = None, **headers) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, default=str), status, mimetype="application/json")
    if etag:
        response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    response = _json({"errors": exc.errors, **exc.extra}, exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="publisher"'
    return response


@bp.errorhandler(404)
def _not_found(exc):
    return _json({"errors": [{"field": None, "message": "没有这个地址或对象。"}]}, 404)


@bp.errorhandler(405)
def _not_allowed(exc):
    return _json({"errors": [{"field": None, "message": "这个地址不接受这种请求方法。"}]}, 405)


@bp.errorhandler(413)
def _too_large(exc):
    return _json({"errors": [{"field": None, "message": "请求太大（上限 20 MB）。"}]}, 413)


def body_limit():
    """App-wide, before CSRF reads a form: the API (photo uploads) may send up to :data:`API_BODY_BYTES`."""
    if request.blueprint == "api" or (request.endpoint or "").startswith("editor."):
        request.max_content_length = API_BODY_BYTES
        request.max_form_memory_size = API_BODY_BYTES


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = services().store.user_for_token(header[7:].strip())
        if user is None:
            raise ApiError(401, "令牌无效或已被吊销；请用 publisher token create 新建一个。")
        g.api_user = user.username
        return None
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                csrf.protect()
            except CSRFError:
                raise ApiError(400, "缺少或过期的 CSRF 令牌；请刷新页面后再试。") from None
        g.api_user = current_user.username
        return None
    raise ApiError(401, "请先登录，或在 Authorization 头里带上 Bearer 令牌。")


def user() -> str:
    return g.api_user


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "请求体必须是一个 JSON 对象。")
    return data


def _problems(problems: list[FieldProblem]) -> list[dict]:
    return [{"field": p.field, "message": p.message} for p in problems]


def _if_match(required: bool) -> str | None:
    value = request.headers.get("If-Match")
    if value is None:
        if required:
            raise ApiError(428, "缺少 If-Match：请带上读取稿件时得到的 ETag，以免覆盖别人的修改。")
        return None
    value = value.strip()
    if value == "*":
        return None
    return value.removeprefix("W/").strip('"')


def _edit(action):
    """Run a desk operation, turning its errors into API answers."""
    try:
        return action()
    except Invalid as exc:
        raise ApiError(422, str(exc), errors=_problems(exc.problems)) from None
    except Conflict as exc:
        raise ApiError(412, str(exc), extra={"current": exc.current}) from None
    except NotFound as exc:
        raise ApiError(404, str(exc)) from None
    except BadImage as exc:
        raise ApiError(422, str(exc), field="file") from None
    except EditError as exc:
        raise ApiError(409, str(exc)) from None


def _issue_id(issue_id: str) -> str:
    if not loading.has_issue(services().config.content_dir, issue_id):
        raise ApiError(404, f"没有第 {issue_id} 期。")
    return issue_id


def _loaded(issue_id: str) -> loading.Loaded:
    try:
        return loading.load(loading.issue_dir(services().config.content_dir, _issue_id(issue_id)))
    except loading.ContentErrors as exc:
        from publisher.editing.checks import problem

        raise ApiError(409, "本期内容有错误，请先改正。", errors=[{**problem(p, {}).data()} for p in exc.problems]) from None


def article_json(issue_id: str, slug: str) -> tuple[dict, str]:
    """The article as ``publisher show --json`` has it, plus its Markdown ``body``, ``file`` and ``revision``."""
    desk = services().desk
    editable = _edit(lambda: desk.article(issue_id, slug))
    data = {k: editable.get(k) for k in ("slug", "file", "revision", "body")}
    try:
        model = next((a for a in loading.load_issue(desk.folder(issue_id)).articles if a.slug == slug), None)
    except loading.ContentErrors:
        model = None
    if model is not None:
        data = {**article_data(model), **data}
    else:  # the issue does not load right now (a hand edit elsewhere): the fields as written
        data = {**{k: editable.get(k) for k in source.ARTICLE_FIELDS}, **data}
    return data, editable["revision"]


# ---- issues and articles ---------------------------------------------------------------------------


#: Issues in one answer of ``GET /issues`` unless ``?limit=`` asks for another number, and the most it may ask for.
ISSUES_LIMIT, ISSUES_MAX = 50, 500


def _limit() -> int:
    value = request.args.get("limit", str(ISSUES_LIMIT))
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= ISSUES_MAX):
        raise ApiError(422, f"limit 要写成 1 到 {ISSUES_MAX} 之间的整数。", field="limit")
    return int(value)


@bp.get("/issues")
def issues():
    """The newest issues, ``limit`` at a time (``?before=<id>`` for older ones), paged as the dashboard is: only the
    issues answered are looked into; the total in ``X-Total-Count``, the next page in ``Link``."""
    svc = services()
    limit = _limit()
    page = loading.issue_page(svc.config.content_dir, limit, request.args.get("before") or None)
    live = svc.store.live_builds(page.ids)
    rows = [{**svc.index.row(i), "live_build": live[i].id if i in live else None} for i in page.ids]
    response = _json(rows)
    response.headers["X-Total-Count"] = str(page.folders)
    if page.next:
        response.headers["Link"] = f'<{url_for("api.issues", before=page.next, limit=limit, _external=True)}>; rel="next"'
    return response


@bp.post("/issues")
def create_issue():
    data = _body()
    try:
        date = dt.date.fromisoformat(str(data.get("date")))
    except ValueError:
        raise ApiError(422, "日期要写成 2025-04-26 的形式。", field="date") from None
    number = data.get("number")
    if not isinstance(number, int) or number < 1:
        raise ApiError(422, "总期号必须是正整数。", field="number")
    issue_id = _edit(
        lambda: services().desk.create_issue(
            date, number, user(), from_last=data.get("from_last", True) is not False, paper=data.get("paper")
        )
    )
    return _json({"id": issue_id}, 201, Location=url_for("api.issue", issue_id=issue_id))


@bp.get("/issues/<issue_id>")
def issue(issue_id: str):
    loaded = _loaded(issue_id)
    data = issue_data(loaded.issue)
    return _json(data, etag=services().desk.issue(issue_id)["revision"])


@bp.patch("/issues/<issue_id>")
def patch_issue(issue_id: str):
    """Masthead fields (paper, paper_en, serial, grade, publisher, sponsor, website); If-Match: the issue's ETag."""
    _issue_id(issue_id)
    fields, expected = _body(), _if_match(required=True)
    _edit(lambda: services().desk.save_masthead(issue_id, fields, expected, user()))
    return _json(issue_data(_loaded(issue_id).issue), etag=services().desk.issue(issue_id)["revision"])


@bp.put("/issues/<issue_id>/layout")
def layout(issue_id: str):
    """Every article's place: ``{"sections": [{"slug": …, "articles": [slug, …]}, …]}``."""
    _issue_id(issue_id)
    sections = _body().get("sections")
    if not isinstance(sections, list) or not all(isinstance(s, dict) and isinstance(s.get("articles"), list) for s in sections):
        raise ApiError(422, "sections 必须是 [{slug, articles: [...]}] 的列表。", field="sections")
    _edit(lambda: services().desk.arrange(issue_id, [(s.get("slug"), list(s["articles"])) for s in sections], user()))
    return _json({"sections": [{"slug": s, "articles": a} for s, a in services().desk.layout(issue_id)]})


@bp.get("/issues/<issue_id>/articles/<slug>")
def article(issue_id: str, slug: str):
    _issue_id(issue_id)
    data, tag = article_json(issue_id, slug)
    return _json(data, etag=tag)


@bp.patch("/issues/<issue_id>/articles/<slug>")
def patch_article(issue_id: str, slug: str):
    _issue_id(issue_id)
    expected = _if_match(required=True)
    fields = _without_read_only(_body(), slug)
    outcome = _edit(lambda: services().desk.save_article(issue_id, slug, fields, expected, user()))
    data, tag = article_json(issue_id, slug)
    return _json({**data, "warnings": _problems(outcome.warnings)}, etag=tag)


#: Keys a GET answers with that are not fields (so a client may send back what it read, changed).
READ_ONLY = (
    "file",
    "revision",
    "text",
    "chars",
    "reading_minutes",
    "warnings",
    "print_boxes",
)  # print_boxes: set by the PDF import


def _without_read_only(fields: dict, slug: str) -> dict:
    if fields.get("slug", slug) != slug:
        raise ApiError(422, "网址名（slug）发布后不能改。", field="slug")
    return {k: v for k, v in fields.items() if k not in READ_ONLY and k != "slug"}


@bp.post("/issues/<issue_id>/articles/<slug>/validate")
def validate_article(issue_id: str, slug: str):
    """What saving these fields would give, without saving: ``{"errors": […], "warnings": […]}`` (always 200)."""
    _issue_id(issue_id)
    fields = _without_read_only(_body(), slug)
    errors, warnings = _edit(lambda: services().desk.check(issue_id, slug, fields))
    return _json({"errors": _problems(errors), "warnings": _problems(warnings)})


@bp.post("/issues/<issue_id>/articles")
def create_article(issue_id: str):
    _issue_id(issue_id)
    fields = _body()
    slug = fields.pop("slug", None)
    outcome = _edit(lambda: services().desk.create_article(issue_id, fields, user(), slug=slug))
    new = outcome.article["slug"]
    data, tag = article_json(issue_id, new)
    return _json(data, 201, etag=tag, Location=url_for("api.article", issue_id=issue_id, slug=new))


@bp.delete("/issues/<issue_id>/articles/<slug>")
def delete_article(issue_id: str, slug: str):
    _issue_id(issue_id)
    expected = _if_match(required=True)
    _edit(lambda: services().desk.delete_article(issue_id, slug, user(), revision=expected))
    return Response(status=204)


@bp.post("/issues/<issue_id>/articles/<slug>/figures")
def upload_figure(issue_id: str, slug: str):
    """A photo (multipart field ``file``) with ``caption`` and ``credit``; If-Match optional."""
    _issue_id(issue_id)
    expected = _if_match(required=False)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "请在 file 字段里上传照片。", field="file")
    data = upload.read()
    form = request.form
    _edit(
        lambda: services().desk.add_photo(
            issue_id, slug, data, upload.filename, user(), form.get("caption", ""), form.get("credit", ""), expected
        )
    )
    body, tag = article_json(issue_id, slug)
    return _json(body, 201, etag=tag)


@bp.get("/issues/<issue_id>/trash")
def trash(issue_id: str):
    _issue_id(issue_id)
    return _json(services().desk.trash(issue_id))


@bp.post("/issues/<issue_id>/trash/<name>/restore")
def restore(issue_id: str, name: str):
    _issue_id(issue_id)
    outcome = _edit(lambda: services().desk.restore(issue_id, name, user()))
    data, tag = article_json(issue_id, outcome.article["slug"])
    return _json(data, etag=tag)


@bp.get("/issues/<issue_id>/revisions")
def revisions(issue_id: str):
    _issue_id(issue_id)
    rows = services().store.revisions(issue_id, request.args.get("article"))
    return _json(
        [
            {
                "id": r.id,
                "target": r.target,
                "at": r.at.isoformat(),
                "user": r.user,
                "action": r.action,
                "summary": r.summary,
                "diff": r.diff,
            }
            for r in rows
        ]
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore_revision(revision_id: int):
    outcome = _edit(lambda: services().desk.restore_revision(revision_id, user()))
    return _json({"revisions": outcome.revisions})


# ---- builds, publishing, schedules -----------------------------------------------------------------


def build_json(record) -> dict:
    live = services().store.live_build(record.issue_id)
    return {
        "id": record.id,
        "issue": record.issue_id,
        "state": str(record.state),
        "channels": {
            name: {"state": str(r.state), "seconds": r.seconds, "bytes": r.bytes, "error": r.error}
            for name, r in record.results.items()
        },
        "errors": record.errors,
        "requested_by": record.requested_by,
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "live": live is not None and live.id == record.id,
    }


def _build(build_id: int):
    record = services().store.get_build(build_id)
    if record is None:
        raise ApiError(404, f"没有生成 #{build_id}。")
    return record


@bp.post("/issues/<issue_id>/builds")
def start_build(issue_id: str):
    _issue_id(issue_id)
    svc = services()
    data = request.get_json(silent=True) or {}
    channels = data.get("channels") if isinstance(data, dict) else None
    if channels is not None and (not isinstance(channels, list) or any(c not in svc.channels for c in channels)):
        raise ApiError(422, f"channels 只能取：{'、'.join(svc.channels)}", field="channels")
    limit, window = current_app.config["BUILD_RATE_LIMIT"]
    svc.build_limiter.hit(f"build:{user()}", limit, window, "生成太频繁。")
    try:
        record = svc.queue.submit(issue_id, channels or None, user())
    except BuildInProgress as exc:
        raise ApiError(
            409, f"第 {issue_id} 期正在生成（#{exc.existing.id}），请等它结束。", extra={"id": exc.existing.id}
        ) from None
    except ValueError as exc:
        raise ApiError(422, f"没有开始生成：{exc}") from None
    return _json({"id": record.id, "state": str(record.state)}, 202, Location=url_for("api.build", build_id=record.id))


@bp.get("/builds/<int:build_id>")
def build(build_id: int):
    return _json(build_json(_build(build_id)))


def _switch(action):
    try:
        record = action()
    except PublishError as exc:
        raise ApiError(409, str(exc)) from None
    services().live.invalidate()
    return _json(build_json(_build(record.id)))


@bp.post("/builds/<int:build_id>/publish")
def publish(build_id: int):
    _build(build_id)
    return _switch(lambda: services().store.publish(build_id, user()))


@bp.post("/builds/<int:build_id>/rollback")
def rollback(build_id: int):
    record = _build(build_id)
    return _switch(lambda: services().store.rollback(record.issue_id, build_id, user()))


def schedule_json(s) -> dict:
    at = s.run_at.astimezone(ZoneInfo(services().config.site.timezone))
    return {
        "id": s.id,
        "issue": s.issue_id,
        "at": at.isoformat(),
        "state": s.state,
        "created_by": s.created_by,
        "build_id": s.build_id,
        "error": s.error,
    }


@bp.get("/schedules")
def schedules():
    return _json([schedule_json(s) for s in services().store.schedules(request.args.get("issue"))])


@bp.post("/issues/<issue_id>/schedules")
def add_schedule(issue_id: str):
    """``{"at": ISO 8601 with offset}``; without it, site.publish_hour on the issue's date in the paper's time zone."""
    svc = services()
    _issue_id(issue_id)
    data = request.get_json(silent=True) or {}
    if data.get("at"):
        try:
            at = dt.datetime.fromisoformat(str(data["at"]))
        except ValueError:
            raise ApiError(422, "时间要写成 2025-04-19T06:00:00+08:00 的形式。", field="at") from None
        if at.tzinfo is None:
            raise ApiError(422, "时间要带时区，例如 +08:00。", field="at")
    else:
        issue = _loaded(issue_id).issue
        at = default_time(issue.date, svc.config.site.publish_hour, svc.config.site.timezone)
    schedule = svc.store.add_schedule(issue_id, at, user())
    return _json(schedule_json(schedule), 201)


@bp.delete("/schedules/<int:schedule_id>")
def cancel_schedule(schedule_id: int):
    store = services().store
    if store.get_schedule(schedule_id) is None:
        raise ApiError(404, f"没有定时发布 #{schedule_id}。")
    if not store.cancel_schedule(schedule_id, user()):
        raise ApiError(409, "这个定时发布已经开始或结束，不能再取消。")
    return Response(status=204)


@bp.post("/paste")
def paste():
    """Pasted text (``text``, and ``html`` when the clipboard has it) as the Markdown body we store."""
    data = _body()
    text, markup = data.get("text") or "", data.get("html") or None
    if not isinstance(text, str) or (markup is not None and not isinstance(markup, str)):
        raise ApiError(422, "text 和 html 必须是文字。", field="text")
    return _json({"markdown": clean_paste(text, markup)})


@bp.get("/openapi.json")
def openapi():
    return Response(OPENAPI.read_bytes(), mimetype="application/json")
