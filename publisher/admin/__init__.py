"""The Flask application: editors' admin (``/admin``) and the public site, one app factory.

The app holds no publishing logic: builds go to the queue (:mod:`publisher.jobs`),
records and the live pointer live in the store (:mod:`publisher.store`). Views
only read and ask.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from publisher import plugins
from publisher.admin.security import RateLimiter
from publisher.config import Config, load_config
from publisher.keys import secret_key

if TYPE_CHECKING:
    from publisher.admin.public import LiveSite
    from publisher.editing import Desk
    from publisher.index import IssueIndex
    from publisher.jobs import BuildQueue
    from publisher.mailing.jobs import MailQueue
    from publisher.scheduling import Scheduler
    from publisher.store import Store

HERE = Path(__file__).resolve().parent
#: Largest request body accepted (forms); only the import page takes more (``imports.UPLOAD_BYTES``).
MAX_REQUEST_BYTES = 64 * 1024

csrf = CSRFProtect()


@dataclass
class Services:
    """What the views work with, kept on ``app.extensions['publisher']``."""

    config: Config
    store: Store
    queue: BuildQueue
    channels: dict[str, str]  # installed channel name → title, in build order
    desk: Desk  # over the content folder
    index: IssueIndex  # the parsed issues, as the CLI and the builds read them
    live: LiveSite = field(init=False)  # set by public.init_app, before the first request
    mail: MailQueue = field(init=False)  # set by create_app, before the first request
    scheduler: Scheduler | None = None  # when this process runs schedules
    build_limiter: RateLimiter = field(default_factory=RateLimiter)


def services() -> Services:
    return current_app.extensions["publisher"]


def create_app(
    config: Config | None = None, *, store=None, queue=None, testing: bool = False, clock=None, schedule_interval=None
) -> Flask:
    """Build the app; the store and queue are made from ``config`` unless given.

    Scheduled publishing runs in this process (every ``schedule_interval`` seconds,
    on ``clock``) unless ``testing`` without a clock.
    """
    from publisher.admin import api, auth, editor, i18n, newsletter, public, search, security, views
    from publisher.editing import Desk
    from publisher.index import IssueIndex
    from publisher.mailing.jobs import MailQueue

    config = config or load_config()
    if store is None:
        from publisher.store import Store

        store = Store.from_config(config)
        store.create_all()
    if queue is None:
        from publisher.jobs import make_queue

        queue = make_queue(config, store, config_path=os.environ.get("PUBLISHER_CONFIG"))

    app = Flask(
        __name__,
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/static",
    )
    https = config.site.url.startswith("https://")
    app.config.update(
        TESTING=testing,
        SECRET_KEY=secret_key(config),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_NAME="publisher_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        BUILD_RATE_LIMIT=(6, 60),  # build triggers per user per seconds
        LOGIN_RATE_LIMIT=(10, 300),  # failed sign-ins per account and per address per seconds (in the database)
        PUBLIC_CACHE_SECONDS=1.0,  # how stale another process's view of what is live may be
    )
    proxies = int(os.environ.get("PUBLISHER_PROXIES") or 0)
    if proxies:  # behind nginx: trust its X-Forwarded-For/-Proto/-Host (for the sign-in limit, redirects)
        cast(Any, app).wsgi_app = ProxyFix(  # Flask's documented way to wrap the WSGI app (mypy sees a method)
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    # Paths are looked up, never joined; '//etc/passwd' must not be redirected to '/etc/passwd'.
    app.url_map.merge_slashes = False
    app.url_map.converters["target"] = views.TargetConverter

    own = getattr(queue, "channels", None)  # an embedded queue given its own channel classes
    channels = (
        {name: cls.title for name, cls in own.items()} if own else {name: cls.title for name, cls in plugins.usable().items()}
    )
    svc = app.extensions["publisher"] = Services(
        config, store, queue, channels, Desk(config.content_dir, store), IssueIndex.of(config)
    )
    app.before_request(views.upload_limit)  # before CSRF reads the form
    app.before_request(api.body_limit)
    csrf.init_app(app)
    i18n.init_app(app, config.site.timezone)
    auth.init_app(app)
    security.init_app(app)
    public.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(editor.bp)
    if clock is not None or not testing:
        from publisher import scheduling

        svc.scheduler = scheduling.Scheduler(
            store,
            queue,
            clock or scheduling.system_clock,
            schedule_interval or scheduling.INTERVAL,
            on_publish=lambda: svc.live.invalidate(),
        ).start()
    app.register_blueprint(newsletter.public_bp)
    app.register_blueprint(newsletter.admin_bp)
    app.register_blueprint(search.public_bp)
    app.register_blueprint(search.admin_bp)
    search.init_app(app)
    app.extensions["publisher"].mail = MailQueue(config, store, os.environ.get("PUBLISHER_CONFIG"))
    app.extensions["publisher"].mail.resume()  # mailings a stop cut short carry on

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_page(400, _("表单已过期"), _("这个表单打开太久了，或者来自别的网站。请返回、刷新页面后再提交一次。"))

    for code in ERRORS:
        app.register_error_handler(code, lambda exc, code=code: error_page(code))
    return app


#: The error pages (admin and public site alike): a title and what to do, in the reader's language.
ERRORS = {
    400: (lambda: _("请求有误"), lambda: _("这个请求无法处理。请返回上一页再试一次。")),
    404: (lambda: _("找不到这个页面"), lambda: _("这个地址没有内容，可能输错了，或者已经移走。请从首页重新进入。")),
    405: (lambda: _("不能这样访问"), lambda: _("这个地址不接受这种请求。请从页面上的按钮或链接进入。")),
    410: (lambda: _("这一期已撤下"), lambda: _("这一期报纸已经撤下，不再公开。请到往期目录阅读其他各期。")),
    413: (lambda: _("内容太大"), lambda: _("提交的内容超过了网站允许的大小。")),
    500: (
        lambda: _("网站出了故障"),
        lambda: _("网站暂时出了问题，不是您的操作造成的。请稍后再试；如果一直这样，请告诉技术人员。"),
    ),
}


def error_page(code: int, title: str | None = None, message: str | None = None):
    """An error page in Chinese (the public site) or the editor's language (the admin); never a stack trace."""
    title = title or ERRORS[code][0]()
    message = message or ERRORS[code][1]()
    public = not request.path.startswith(("/admin", "/login"))
    return render_template("error.html", code=code, title=title, message=message, public=public), code
