"""Build records, what is live, history and users, in one SQL database (SQLAlchemy Core).

SQLite by default (WAL, a busy timeout, write transactions taken up front with
``BEGIN IMMEDIATE`` so concurrent writers wait instead of failing); PostgreSQL
works by URL. Everything handed out is a plain frozen dataclass.

The package: ``schema`` (tables, migrations), ``records`` (what it hands out),
``base`` (connection, transactions, history), ``builds``, ``live`` (publish,
roll back, prune, the ``live/`` symlinks), ``users`` and ``signins`` (the sign-in limit); :class:`Store` is the
one facade callers use. Files live beside the database: build ``N`` writes into
``<data>/builds/N/``.
"""

from __future__ import annotations

from publisher.store.builds import Builds
from publisher.store.live import Publishing
from publisher.store.records import INTERRUPTED, BuildInProgress, BuildRecord, HistoryEntry, PublishError, User
from publisher.store.schema import metadata
from publisher.store.signins import SignIns
from publisher.store.users import Accounts

__all__ = ["INTERRUPTED", "BuildInProgress", "BuildRecord", "HistoryEntry", "PublishError", "Store", "User", "metadata"]


class Store(Builds, Publishing, Accounts, SignIns):
    """The database and the data folder: builds, publishing, users, sign-in attempts and history."""
