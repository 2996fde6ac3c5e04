"""The Flask application: editors' admin (``/admin``) and the public site, one app factory.

The app holds no publishing logic: builds go to the queue (:mod:`publisher.jobs`),
records and the live pointer live in the store (:mod:`publisher.store`). Views
only read and ask.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from publisher import plugins
from publisher.admin.security import RateLimiter
from publisher.config import Config, load_config

HERE = Path(__file__).resolve().parent
#: Largest request body accepted (forms); only the import page takes more (``imports.UPLOAD_BYTES``).
MAX_REQUEST_BYTES = 64 * 1024

csrf = CSRFProtect()


@dataclass
class Services:
    """What the views work with, kept on ``app.extensions['publisher']``."""

    config: Config
    store: object
    queue: object
    channels: dict[str, str]  # installed channel name → title, in build order
    live: object = None
    build_limiter: RateLimiter = field(default_factory=RateLimiter)


def services() -> Services:
    return current_app.extensions["publisher"]


def secret_key(config: Config) -> str:
    """$PUBLISHER_SECRET_KEY, else a key generated once and kept (mode 600) in the data folder."""
    if os.environ.get("PUBLISHER_SECRET_KEY"):
        return os.environ["PUBLISHER_SECRET_KEY"]
    path = config.data_dir / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config: Config | None = None, *, store=None, queue=None, testing: bool = False) -> Flask:
    """Build the app; the store and queue are made from ``config`` unless given."""
    from publisher.admin import auth, i18n, public, security, views

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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # Paths are looked up, never joined; '//etc/passwd' must not be redirected to '/etc/passwd'.
    app.url_map.merge_slashes = False
    app.url_map.converters["target"] = views.TargetConverter

    own = getattr(queue, "channels", None)  # an embedded queue given its own channel classes
    channels = (
        {name: cls.title for name, cls in own.items()} if own else {name: cls.title for name, cls in plugins.usable().items()}
    )
    app.extensions["publisher"] = Services(config, store, queue, channels)
    app.before_request(views.upload_limit)  # before CSRF reads the form
    csrf.init_app(app)
    i18n.init_app(app, config.site.timezone)
    auth.init_app(app)
    security.init_app(app)
    public.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template(
            "error.html",
            code=400,
            title="The form expired",
            message="This form is too old or came from another site. Go back, reload the page and try again.",
        ), 400

    for code, title, message in [
        (404, "Not found", "There is nothing at this address."),
        (405, "Not allowed", "This address does not accept that kind of request."),
        (413, "Too large", "The request was larger than this site accepts."),
    ]:
        app.register_error_handler(code, _error_page(code, title, message))
    return app


def _error_page(code: int, title: str, message: str):
    def handler(exc):
        return render_template("error.html", code=code, title=title, message=message), code

    return handler
