"""The newsletter on the web: sign-up with double opt-in and unsubscribe (public), subscribers and sending (admin).

Public pages carry no session, so their two forms have no CSRF token: a
forged sign-up only sends a confirmation mail (nothing happens until the
address's owner follows the signed link), and unsubscribing is authorised by
the signed token in the URL (RFC 8058 one-click POSTs come from mail providers).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from publisher.admin import csrf, services
from publisher.admin.security import RateLimited, RateLimiter
from publisher.admin.views import require_editor
from publisher.keys import secret_key
from publisher.mailing.compose import Newsletter, confirmation_message
from publisher.mailing.smtp import MailError, SmtpServer, send_one
from publisher.mailing.tokens import Links

public_bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")
admin_bp = Blueprint("mail_admin", __name__, url_prefix="/admin/newsletter")
admin_bp.before_request(require_editor)

_ADDRESS = re.compile(r"^[^@\s<>\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
#: Sign-ups per client address per ten minutes.
SIGNUP_LIMIT = (5, 600)
_signups = RateLimiter()


def links() -> Links:
    config = services().config
    return Links(secret_key(config), config.site.url)


def paper() -> str:
    """The paper's name: ``site.title``, else the newest published newsletter's, else 本报."""
    if title := services().config.site.title:
        return title
    for _issue_id, build in services().store.published_issues(limit=1):
        try:
            return Newsletter.read(build.channel_dir("newsletter")).paper
        except MailError:
            pass
    return "本报"


def _page(title: str, message: str, status: int = 200, form: bool = False, token: str | None = None):
    return render_template("newsletter_page.html", title=title, message=message, form=form, token=token, paper=paper()), status


# --- public ---------------------------------------------------------------------------------------


@public_bp.route("", methods=["GET"])
def signup_form():
    return _page(f"订阅{paper()}电子版", "每期出版后，我们把要目和导读发到您的邮箱。", form=True)


@public_bp.route("", methods=["POST"])
@csrf.exempt
def signup():
    address = (request.form.get("email") or "").strip()
    if not _ADDRESS.match(address):
        return _page("邮箱地址不对", "请检查邮箱地址（例如 name@example.com）后再试一次。", 400, form=True)
    try:
        _signups.hit(request.remote_addr or "-", *SIGNUP_LIMIT, "订阅请求太多了。")
    except RateLimited as exc:
        return _page("请稍后再试", f"订阅请求太多了，请 {exc.retry_after} 秒后再试。", 429)
    store, config = services().store, services().config
    subscriber = store.subscribe(address)
    if subscriber.state == "confirmed":
        return _page("您已经订阅了", f"{subscriber.address} 已在订阅名单中，每期都会收到。")
    try:
        send_one(SmtpServer.from_config(config.mail), confirmation_message(subscriber.address, links(), config, paper()))
    except MailError:
        return _page("暂时无法订阅", "确认邮件现在发不出去。请稍后再试；如果一直不行，请联系本报。", 503, form=True)
    return _page("请查收确认邮件", f"我们给 {subscriber.address} 发了一封确认邮件，打开其中的链接即完成订阅（7天内有效）。")


@public_bp.route("/confirm")
def confirm():
    address = links().confirmed_address(request.args.get("t", ""))
    if address is None or not services().store.confirm_subscriber(address):
        return _page("链接无效或已过期", "请重新订阅，我们会再发一封确认邮件。", 400, form=True)
    return _page("订阅成功", f"{address} 已订阅{paper()}电子版。每封邮件末尾都有退订链接。")


@public_bp.route("/unsubscribe", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe():
    token = request.args.get("t", "")
    address = links().unsubscribe_address(token)
    if address is None:
        return _page("退订链接无效", "请使用邮件末尾的退订链接。", 400)
    if request.method == "GET":
        return _page("退订电子版", f"确定不再给 {address} 发送{paper()}电子版吗？", token=token)
    services().store.unsubscribe(address)
    return _page("已退订", f"{address} 不会再收到{paper()}电子版。想再订阅时，随时可以回来。")


# --- admin ----------------------------------------------------------------------------------------


@admin_bp.route("/")
def overview():
    store = services().store
    return render_template(
        "newsletter.html",
        subscribers=store.subscribers(),
        mailings=store.mailings(20),
        published=list(store.live_state().builds),
        smtp=bool(services().config.mail.smtp_url),
    )


@admin_bp.route("/send", methods=["POST"])
def send():
    issue_id = request.form.get("issue_id", "")
    if issue_id not in services().store.live_state().builds:
        abort(404)
    try:
        mailing = services().mail.submit(issue_id, current_user.username)
    except MailError:
        flash(_("电子报没有发出：请先确认本期已发布且包含电子邮件渠道，并已设置发信服务器（SMTP）。"), "error")
    else:
        flash(_("第 %(id)s 次发送已排队：正在发给所有已确认的订阅者，每人只发一次。", id=mailing.id), "ok")
    return redirect(url_for("mail_admin.overview"))
