"""The site's secret key (sessions, signed newsletter links): $PUBLISHER_SECRET_KEY, else one kept in the data folder."""

from __future__ import annotations

import os
import secrets

from publisher.config import Config


def secret_key(config: Config) -> str:
    """$PUBLISHER_SECRET_KEY, else a key generated once and kept (mode 600) in the data folder."""
    if os.environ.get("PUBLISHER_SECRET_KEY"):
        return os.environ["PUBLISHER_SECRET_KEY"]
    path = config.data_dir / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
