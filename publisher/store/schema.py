"""The tables, and how an existing database is brought up to date; SQLite's connection settings."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, overload

import sqlalchemy as sa

metadata = sa.MetaData()

builds_t = sa.Table(
    "builds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(64), nullable=False, index=True),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    # The issue id while queued or running, else NULL: the unique index allows one active build per issue.
    sa.Column("active_issue", sa.String(64), unique=True),
    sa.Column("requested_by", sa.String(64)),
    sa.Column("runner", sa.String(200)),  # who runs it: "embedded:<host>:<pid>" or "rq:<job id>"
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("results", sa.JSON, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("log", sa.Text, nullable=False, default=""),
    # When 'publisher prune' deleted the build's files (the record stays, for the history), else NULL.
    sa.Column("pruned_at", sa.DateTime(timezone=True)),
)

live_t = sa.Table(
    "live",
    metadata,
    sa.Column("issue_id", sa.String(64), primary_key=True),
    sa.Column("build_id", sa.Integer, sa.ForeignKey("builds.id"), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.String(64)),
)

history_t = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("issue_id", sa.String(64)),
    sa.Column("build_id", sa.Integer),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

users_t = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The admin's language for this editor ("zh_CN", "en"), NULL for the default (Chinese).
    sa.Column("locale", sa.String(16)),
)

#: Issues an editor took off the public site: their URLs answer 410 Gone until the issue is published again.
withdrawn_t = sa.Table(
    "withdrawn",
    metadata,
    sa.Column("issue_id", sa.String(64), primary_key=True),
    sa.Column("build_id", sa.Integer),  # the build that was live, so it can be published again
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(64)),
)

#: One row: a token every change of what is live (publish, roll back, unpublish) sets anew in its own
#: transaction. Server processes read this row to know whether what is live changed, instead of
#: reading every live build again (:class:`publisher.admin.public.LiveSite`).
live_version_t = sa.Table(
    "live_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token", sa.String(32), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

#: Columns newer than the first release, added to an existing database by :func:`migrate`.
_ADDED = [(builds_t, "pruned_at"), (users_t, "locale")]


# Failed (and in-progress) sign-in attempts, by "account:<name>", "address:<ip>" or "known:<name>"; rows older
# than the limit's window are deleted as new ones come. Shared by every process and machine on the database.
sign_in_attempts_t = sa.Table(
    "sign_in_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)


def migrate(conn: sa.Connection) -> None:
    """Create missing tables; add columns newer than an existing database (see ``_ADDED``)."""
    metadata.create_all(conn)
    for table, name in _ADDED:
        if name not in {c["name"] for c in sa.inspect(conn).get_columns(table.name)}:
            kind = table.c[name].type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """Every moment the store hands out is aware UTC.

    SQLite hands back naive datetimes (stored as UTC); PostgreSQL hands back the session's time zone.
    """
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an ``INSERT`` of one row gave it (every table here has a one-column integer key)."""
    key = result.inserted_primary_key
    assert key is not None, "not the result of a single-row INSERT"
    return key[0]


def sqlite_setup(engine: sa.Engine) -> None:
    """WAL, a busy timeout, foreign keys; transactions begun by us, IMMEDIATE for writes."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let the begin hook below issue BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "BEGIN")
