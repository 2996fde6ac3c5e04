"""Signed links for the newsletter (itsdangerous): confirm a sign-up, unsubscribe; nothing stored to check them."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

#: A confirmation link works for a week; an unsubscribe link for ever.
CONFIRM_SECONDS = 7 * 86400


class Links:
    def __init__(self, secret: str, site_url: str):
        self._confirm = URLSafeTimedSerializer(secret, salt="newsletter-confirm")
        self._unsubscribe = URLSafeTimedSerializer(secret, salt="newsletter-unsubscribe")
        self.site = site_url.rstrip("/")

    def confirm_url(self, address: str) -> str:
        return f"{self.site}/newsletter/confirm?t={self._confirm.dumps(address)}"

    def unsubscribe_url(self, address: str) -> str:
        return f"{self.site}/newsletter/unsubscribe?t={self._unsubscribe.dumps(address)}"

    def confirmed_address(self, token: str) -> str | None:
        """The address of a valid, unexpired confirmation token; else None."""
        try:
            return self._confirm.loads(token, max_age=CONFIRM_SECONDS)
        except BadSignature:
            return None

    def unsubscribe_address(self, token: str) -> str | None:
        try:
            return self._unsubscribe.loads(token)
        except BadSignature:
            return None
