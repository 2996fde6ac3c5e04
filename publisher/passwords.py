"""Password hashes for editors' accounts: scrypt from the standard library, salted, compared in constant time.

The stored form is ``scrypt:N:r:p$salt$hex`` (the format Werkzeug writes, so
hashes made by earlier versions keep working) and ``pbkdf2:sha256:N$salt$hex``
is read as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**15, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_urlsafe(12)
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=_N, r=_R, p=_P, maxmem=132 * _N * _R * _P)
    return f"scrypt:{_N}:{_R}:{_P}${salt}${key.hex()}"


def check_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored``; False for any other value, malformed ones included."""
    try:
        method, salt, expected = stored.split("$", 2)
        name, *params = method.split(":")
        if name == "scrypt":
            n, r, p = (int(x) for x in params)
            key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p)
        elif name == "pbkdf2":
            digest, rounds = params[0], int(params[1])
            key = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), rounds)
        else:
            return False
    except (ValueError, TypeError, IndexError):
        return False
    return hmac.compare_digest(key.hex(), expected)
