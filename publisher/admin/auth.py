"""Sign-in for editors: Flask-Login sessions over the store's users (hashed passwords)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from publisher.admin import services

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
    """Only a path on this site, never another host (open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        limit, window = current_app.config["LOGIN_RATE_LIMIT"]
        services().login_limiter.hit(f"login:{request.remote_addr}", limit, window, _("从这个地址登录的尝试次数太多了。"))
        user = services().store.check_user(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services().store.record(user.username, "signed-in", detail=request.remote_addr or "")
            return redirect(safe_next(request.args.get("next")))
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
