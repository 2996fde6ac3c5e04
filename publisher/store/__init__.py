"""Build records, what is live, history and users, in one SQL database (SQLAlchemy Core).

SQLite by default (WAL, a busy timeout, write transactions taken up front with
``BEGIN IMMEDIATE`` so concurrent writers wait instead of failing); PostgreSQL
works by URL. Everything handed out is a plain frozen dataclass.

The package: ``schema`` (tables, migrations), ``records`` (what it hands out),
``base`` (connection, transactions, history), ``builds``, ``live`` (publish,
roll back, prune, the ``live/`` symlinks), ``search`` (updated by ``live``), ``users``, ``signins``
(the sign-in limit) and ``subscribers`` (newsletter); :class:`Store` is the
one facade callers use. Files live beside the database: build ``N`` writes into
``<data>/builds/N/``.
"""

from __future__ import annotations

from publisher.store.builds import Builds
from publisher.store.live import Publishing
from publisher.store.records import (
    INTERRUPTED,
    BuildInProgress,
    BuildRecord,
    HistoryEntry,
    LiveState,
    PublishError,
    User,
    Withdrawn,
)
from publisher.store.revisions import Revision, Revisions
from publisher.store.schedules import Schedule, Schedules
from publisher.store.schema import metadata
from publisher.store.signins import SignIns
from publisher.store.subscribers import Subscribers
from publisher.store.tokens import ApiToken, Tokens
from publisher.store.users import Accounts

__all__ = [
    "ApiToken",
    "Revision",
    "Schedule",
    "INTERRUPTED",
    "BuildInProgress",
    "BuildRecord",
    "HistoryEntry",
    "LiveState",
    "PublishError",
    "Store",
    "User",
    "Withdrawn",
    "metadata",
]


class Store(Builds, Publishing, Accounts, SignIns, Tokens, Revisions, Schedules, Subscribers):
    """The database and the data folder: builds, publishing and search, users, sign-in attempts, API tokens, revisions,
    schedules, newsletter subscribers and history."""
