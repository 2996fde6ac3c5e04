"""Sign-in for editors: Flask-Login sessions over the store's users (hashed passwords)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from publisher.admin import services

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to use the admin."
login_manager.session_protection = "basic"


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this computer")


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


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (open redirect) nor a header break.

    Control characters (CR/LF would split the Location header; a tab or a NUL browsers drop)
    and backslashes (``/\\evil.example`` is another host to a browser) send the editor to the dashboard.
    """
    if target and not any(ch < " " or "\x7f" <= ch <= "\x9f" or ch == "\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        limit, window = current_app.config["LOGIN_RATE_LIMIT"]
        services().login_limiter.hit(
            f"login:{request.remote_addr}", limit, window, "Too many sign-in attempts from this address."
        )
        user = services().store.check_user(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services().store.record(user.username, "signed-in", detail=request.remote_addr or "")
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong user name or password.", "error")
    return render_template("login.html", form=form)


@bp.route("/admin/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services().store.record(current_user.username, "signed-out")
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
