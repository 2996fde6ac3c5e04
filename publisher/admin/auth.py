"""Sign-in for editors: Flask-Login sessions over the store's users (hashed passwords)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from publisher.admin import services
from publisher.admin.security import RateLimited

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("请先登录，再使用编辑后台。")
login_manager.session_protection = "basic"


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("用户名"), validators=[DataRequired(lazy_gettext("请填写用户名。")), Length(max=80)])
    password = PasswordField(lazy_gettext("密码"), validators=[DataRequired(lazy_gettext("请填写密码。")), Length(max=200)])
    remember = BooleanField(lazy_gettext("在这台电脑上保持登录"))


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token, so no other site can sign an editor out."""


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

    @app.context_processor
    def forms():
        # formdata=None: the nav's form never reads the request (a body over the size limit would raise again)
        return {"logout_form": LogoutForm(formdata=None) if current_user.is_authenticated else None}


@login_manager.user_loader
def load_user(username: str):
    """The store's user (a Flask-Login user itself); the session keeps only the user name."""
    return services().store.get_user(username)


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (open redirect) nor a header break.

    Control characters (CR/LF would split the Location header; a tab or a NUL browsers drop)
    and backslashes (``/\\evil.example`` is another host to a browser) send the editor to the dashboard.
    """
    if target and not any(ch < " " or "\x7f" <= ch <= "\x9f" or ch == "\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.dashboard")


#: The cookie a browser gets when an editor signs in: proof that it has known the password before.
KNOWN_COOKIE = "publisher_known"
KNOWN_DAYS = 90


def _known_serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    assert key is not None  # create_app sets SECRET_KEY
    return URLSafeTimedSerializer(key, salt="publisher-known-sign-in")


def _known_here(username: str) -> bool:
    """Whether this browser signed in as ``username`` before (a signed cookie no attacker can make)."""
    try:
        return _known_serializer().loads(request.cookies.get(KNOWN_COOKIE, ""), max_age=KNOWN_DAYS * 86400) == username
    except BadSignature:
        return False


def _limit_keys(username: str) -> list[str]:
    """What an attempt counts against: the account and the address; from a known browser only its own count.

    So guessing at an account from elsewhere locks out the guesser, never the editor on a browser
    that has signed in as that account before.
    """
    if _known_here(username):
        return [f"known:{username}"]
    return [f"account:{username}", f"address:{request.remote_addr or '-'}"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        store = services().store
        limit, window = current_app.config["LOGIN_RATE_LIMIT"]
        username = form.username.data.strip()
        keys = _limit_keys(username)
        attempt, wait = store.begin_sign_in(keys, limit, window)
        if wait:
            raise RateLimited(_("登录尝试次数过多。"), wait)
        user = store.check_user(username, form.password.data)
        if user is not None:
            store.sign_in_succeeded(attempt, keys[0])
            login_user(user, remember=form.remember.data)
            store.record(user.username, "signed-in", detail=request.remote_addr or "")
            response = redirect(safe_next(request.args.get("next")))
            response.set_cookie(
                KNOWN_COOKIE,
                _known_serializer().dumps(user.username),
                max_age=KNOWN_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
            return response
        flash(_("用户名或密码不对，请再试一次；忘记密码请找管理员重设。"), "error")
    return render_template("login.html", form=form)


@bp.route("/admin/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services().store.record(current_user.username, "signed-out")
        logout_user()
        flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))
