"""The messages: an issue for one recipient (multipart/alternative, unsubscribe headers), a sign-up confirmation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from publisher.config import Config
from publisher.mailing.smtp import MailError
from publisher.mailing.tokens import Links
from publisher.urls import UNSUBSCRIBE_PLACEHOLDER as UNSUBSCRIBE


@dataclass(frozen=True)
class Newsletter:
    """The newsletter channel's files of one build."""

    issue_id: str
    paper: str
    subject: str
    headlines: list[str]
    html: str
    text: str

    @classmethod
    def read(cls, folder: Path) -> Newsletter:
        try:
            meta = json.loads((folder / "newsletter.json").read_text(encoding="utf-8"))
            html = (folder / "newsletter.html").read_text(encoding="utf-8")
            text = (folder / "newsletter.txt").read_text(encoding="utf-8")
        except (OSError, ValueError):
            raise MailError(
                "this build has no newsletter (the newsletter channel was not built or its files are gone); "
                "build the issue with the newsletter channel and publish it"
            ) from None
        return cls(meta["issue"], meta["paper"], meta["subject"], meta["headlines"], html, text)


def sender(config: Config, paper: str | None = None) -> str:
    """``mail.sender``, else ``news@<the SMTP host>`` under the paper's name."""
    if config.mail.sender:
        return config.mail.sender
    host = urlsplit(config.mail.smtp_url or "").hostname or "localhost"
    return str(Address(display_name=paper or "", addr_spec=f"news@{host}"))


def _headers(message: EmailMessage, config: Config, to: str, subject: str, paper: str | None) -> None:
    message["Subject"] = subject  # the email package encodes it (RFC 2047)
    message["From"] = sender(config, paper)
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=urlsplit(config.site.url).hostname or "localhost")
    if config.mail.reply_to:
        message["Reply-To"] = config.mail.reply_to


def issue_message(letter: Newsletter, to: str, links: Links, config: Config) -> EmailMessage:
    """The issue for ``to``: plain text and HTML alternatives, with its own unsubscribe link in both and in the headers."""
    unsubscribe = links.unsubscribe_url(to)
    message = EmailMessage()
    _headers(message, config, to, letter.subject, letter.paper)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"<newsletter.{urlsplit(config.site.url).hostname or 'localhost'}>"
    message.set_content(letter.text.replace(UNSUBSCRIBE, unsubscribe), cte="quoted-printable")
    message.add_alternative(letter.html.replace(UNSUBSCRIBE, unsubscribe), subtype="html", cte="quoted-printable")
    return message


def confirmation_message(to: str, links: Links, config: Config, paper: str) -> EmailMessage:
    """The double opt-in mail: one signed link that confirms the sign-up."""
    url = links.confirm_url(to)
    message = EmailMessage()
    _headers(message, config, to, f"请确认订阅{paper}电子版", paper)
    message.set_content(
        f"您好！\n\n有人（希望是您）用这个邮箱订阅了{paper}电子版。请打开下面的链接确认订阅（7天内有效）：\n\n{url}\n\n"
        "如果不是您本人操作，请忽略这封邮件，我们不会再给您发信。\n",
        cte="quoted-printable",
    )
    return message
