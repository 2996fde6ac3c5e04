"""The admin speaks Chinese: message catalogues with Flask-Babel, zh-CN by default, English per editor.

Source strings are written in Chinese (``_('保存')`` in templates and views);
``translations/en/LC_MESSAGES/messages.po`` holds their English. An editor's
choice (``?lang=en`` or ``?lang=zh_CN``, kept in a cookie) picks the locale;
everything else gets zh_CN. Times are shown in the paper's time zone
(``site.timezone``).
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
COOKIE = "publisher_lang"


def select_locale() -> str:
    """The editor's chosen locale, else zh_CN."""
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def init_app(app: Flask, timezone: str) -> None:
    """Install gettext (``_``, ``ngettext``) in views and templates; remember a ``?lang=`` choice."""
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE, default_timezone=timezone)

    @app.after_request
    def remember_choice(response):
        chosen = request.args.get("lang")
        if chosen in LOCALES:
            response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response
