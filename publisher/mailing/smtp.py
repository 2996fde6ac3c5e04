"""SMTP by URL: ``smtp://user:pass@host:port`` (STARTTLS when offered or required), ``smtps://`` (TLS from the start)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from publisher.config import MailConfig


class MailError(Exception):
    """Mail cannot go out (not configured, server unreachable, refused); the message says what to do."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None
    password: str | None
    ssl: bool
    starttls: bool | None
    timeout: int

    @classmethod
    def from_config(cls, mail: MailConfig) -> SmtpServer:
        if not mail.smtp_url:
            raise MailError(
                "no SMTP server is configured: set PUBLISHER_SMTP_URL=smtp://user:password@host:587 "
                "(or mail.smtp_url in config.yaml, without the password)"
            )
        url = urlsplit(mail.smtp_url)
        secure = url.scheme == "smtps"
        return cls(
            host=url.hostname or "localhost",
            port=url.port or (465 if secure else 587),
            user=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            ssl=secure,
            starttls=mail.starttls,
            timeout=mail.timeout,
        )

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated connection; MailError when it cannot be had."""
        context = ssl.create_default_context()
        client: smtplib.SMTP
        try:
            if self.ssl:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                client.ehlo()
                if self.starttls or (self.starttls is None and client.has_extn("starttls")):
                    client.starttls(context=context)
                    client.ehlo()
            if self.user:
                client.login(self.user, self.password or "")
            return client
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"the SMTP server {self.host} refused the user name or password; check PUBLISHER_SMTP_URL") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot reach the SMTP server {self.host}:{self.port} ({exc}); check PUBLISHER_SMTP_URL") from None


def send_one(server: SmtpServer, message: EmailMessage) -> None:
    """Send one message on its own connection (confirmation mails, test sends)."""
    client = server.connect()
    try:
        client.send_message(message)
    except smtplib.SMTPException as exc:
        raise MailError(f"the SMTP server refused the message to {message['To']} ({exc})") from None
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
