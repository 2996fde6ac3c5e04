"""Security headers on every response, and a small in-process rate limiter (for build triggers).

The sign-in limit is shared by every process: its attempts are kept in the database (store.signins).

Pages get a strict Content Security Policy (no inline script, no inline
style, no framing by other sites). Build files shown in previews are
untrusted HTML: they are served with ``sandbox`` and no script at all.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from functools import lru_cache

from flask import Flask, Response, g, render_template
from flask_babel import gettext as _

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: For build output (digest pages, EPUB chapters) shown inside the admin or served publicly:
#: its own inline styles are allowed, script never; framed by this site only.
DOCUMENT_CSP = (
    "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; media-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
#: For PDFs and images shown in previews: nothing to sandbox, and a sandbox would stop the browser's PDF viewer.
FILE_CSP = "default-src 'self'; object-src 'self'; frame-ancestors 'self'"
#: For the public site: published pages may carry their own styles, never inline script.
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def use_csp(policy: str) -> None:
    """Answer the current request with ``policy`` instead of :data:`PAGE_CSP`."""
    g.csp = policy


def init_app(app: Flask) -> None:
    hsts = app.config["SESSION_COOKIE_SECURE"]

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.extend(_headers(g.get("csp", PAGE_CSP), hsts))
        return response

    @app.errorhandler(RateLimited)
    def rate_limited(exc: RateLimited):
        response = app.make_response(
            (
                render_template(
                    "error.html",
                    code=429,
                    title=_("请求太频繁"),
                    message=_("%(what)s请等 %(seconds)d 秒后再试。", what=exc.what, seconds=exc.retry_after),
                ),
                429,
            )
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response


@lru_cache(maxsize=64)
def _headers(policy: str, hsts: bool) -> tuple[tuple[str, str], ...]:
    """The security headers for a response with ``policy`` (built once per policy: this runs on every request)."""
    pairs = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY" if "frame-ancestors 'none'" in policy else "SAMEORIGIN"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if hsts:
        pairs.append(("Strict-Transport-Security", "max-age=31536000"))
    return tuple(pairs)


class RateLimited(Exception):
    def __init__(self, what: str, retry_after: int):
        super().__init__(what)
        self.what, self.retry_after = what, retry_after


class RateLimiter:
    """At most ``limit`` hits per key in a sliding ``window`` of seconds (per process)."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float, what: str) -> None:
        """Count a hit for ``key``; raise :class:`RateLimited` when over the limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                raise RateLimited(what, max(1, int(hits[0] + window - now + 0.999)))
            hits.append(now)
