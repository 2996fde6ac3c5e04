"""The admin speaks Chinese: message catalogues with Flask-Babel, zh-CN by default, English per editor.

Source strings are written in Chinese (``_('保存')`` in templates and views);
``translations/en/LC_MESSAGES/messages.po`` holds their English. A signed-in
editor's language is kept with their account (the switch in the header);
before signing in ``?lang=en`` (kept in a cookie) chooses. The public site is
always Chinese. Times are shown in the paper's time zone (``site.timezone``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request
from flask_babel import Babel
from flask_login import current_user
from flask_wtf import FlaskForm

LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
COOKIE = "publisher_lang"
ADMIN_PATHS = ("/admin", "/login")

bp = Blueprint("i18n", __name__)


class LanguageForm(FlaskForm):
    """The header's language switch: a POST with a CSRF token (it changes the editor's account)."""


def select_locale() -> str:
    """The editor's language in the admin: ``?lang=``, then their account's, then the cookie; zh_CN elsewhere."""
    if not request.path.startswith(ADMIN_PATHS):
        return DEFAULT_LOCALE
    chosen = request.args.get("lang")
    if chosen not in LOCALES and current_user and current_user.is_authenticated:
        chosen = getattr(current_user, "locale", None)
    if chosen not in LOCALES:
        chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag of a locale for ``lang=`` (zh-CN, en); the current one when ``code`` is None."""
    code = code or select_locale()
    return "zh-CN" if code.startswith("zh") else code


def init_app(app: Flask, timezone: str) -> None:
    """Install gettext (``_``, ``ngettext``) in views and templates; remember a ``?lang=`` choice."""
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE, default_timezone=timezone)
    app.jinja_env.globals.update(LOCALES=LOCALES, current_locale=select_locale, html_lang=html_lang)

    @app.context_processor
    def language_form():
        signed_in = current_user and current_user.is_authenticated
        return {"language_form": LanguageForm(formdata=None) if signed_in else None}

    @app.after_request
    def remember_choice(response):
        chosen = request.args.get("lang")
        if chosen in LOCALES:
            response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response


@bp.route("/admin/language", methods=["POST"])
def switch():
    """Keep the language an editor chose with their account, then go back to the page they were on."""
    from publisher.admin import services
    from publisher.admin.auth import login_manager, safe_next

    chosen = request.form.get("lang")
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if LanguageForm().validate_on_submit() and chosen in LOCALES:
        services().store.set_locale(current_user.username, chosen)
        services().store.record(current_user.username, "language-changed", detail=LOCALES[chosen])
    response = redirect(safe_next(request.form.get("next")))
    if chosen in LOCALES:
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
