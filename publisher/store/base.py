"""The database connection, its transactions, and the history every operation writes to."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Self

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from publisher.results import BuildState, ChannelResult
from publisher.store import schema
from publisher.store.records import BuildRecord, HistoryEntry


class Database:
    """The database plus the data folder beside it (``builds/``, ``live/``)."""

    def __init__(self, url: str, data_dir: Path | str | None = None):
        parsed = make_url(url)
        self.url = url
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.postgresql = parsed.get_backend_name() == "postgresql"
        db_file = Path(parsed.database) if self.sqlite and parsed.database not in (None, "", ":memory:") else None
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        if data_dir is None:
            if db_file is None:
                raise ValueError("a store on a database server needs its data folder: Store(url, data_dir)")
            data_dir = db_file.resolve().parent
        self.data_dir = Path(data_dir).resolve()
        # PostgreSQL sessions in UTC whatever the server's time zone: SQL date arithmetic agrees with Python's.
        connect_args = {"timeout": 30} if self.sqlite else {"options": "-c timezone=UTC"} if self.postgresql else {}
        self.engine = sa.create_engine(url, connect_args=connect_args)
        if self.sqlite:
            schema.sqlite_setup(self.engine)

    @classmethod
    def from_config(cls, config) -> Self:
        """The store a :class:`publisher.config.Config` names (its database, its data folder)."""
        return cls(config.database_url, config.data_dir)

    def create_all(self) -> None:
        """Create the tables and bring an older database up to date (see :func:`schema.migrate`)."""
        with self.writing() as conn:
            schema.migrate(conn)

    def close(self) -> None:
        self.engine.dispose()

    # ---- transactions -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A write transaction; on SQLite it takes the write lock up front (waits up to the busy timeout)."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            yield conn

    #: Keys of PostgreSQL advisory locks (any numbers, the same everywhere): publishing, sign-in bookkeeping.
    PUBLISH_LOCK = 0x7075626C
    SIGN_IN_LOCK = 0x7369676E

    @contextmanager
    def exclusive(self, lock: int) -> Iterator[sa.Connection]:
        """A write transaction only one process holds at a time for ``lock``, across processes and machines.

        On PostgreSQL a transaction-scoped advisory lock (released at commit or rollback); on SQLite
        the write lock that :meth:`writing` already takes (one machine, every process).
        """
        with self.writing() as conn:
            if self.postgresql:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
            yield conn

    def publishing(self):
        """The transaction every change of what is live runs in: one publisher at a time, everywhere."""
        return self.exclusive(self.PUBLISH_LOCK)

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ---- records ------------------------------------------------------------------------------

    def build_dir(self, build_id: int) -> Path:
        return self.data_dir / "builds" / str(build_id)

    def record_of(self, row) -> BuildRecord:
        m = row._mapping
        return BuildRecord(
            id=m["id"],
            issue_id=m["issue_id"],
            channels=list(m["channels"]),
            state=BuildState(m["state"]),
            requested_by=m["requested_by"],
            created_at=schema.aware(m["created_at"]),
            started_at=schema.aware(m["started_at"]),
            finished_at=schema.aware(m["finished_at"]),
            results={name: ChannelResult.from_dict(data) for name, data in (m["results"] or {}).items()},
            log=m["log"] or "",
            out_dir=str(self.build_dir(m["id"])),
            error=m["error"],
            runner=m["runner"],
            pruned_at=schema.aware(m["pruned_at"]),
        )

    def get_in(self, conn: sa.Connection, build_id: int) -> BuildRecord | None:
        row = conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.id == build_id)).first()
        return self.record_of(row) if row else None

    def written_in(self, conn: sa.Connection, build_id: int) -> BuildRecord:
        """Build ``build_id`` as this transaction has just written it (so it exists)."""
        record = self.get_in(conn, build_id)
        assert record is not None, f"build #{build_id} is gone within its own transaction"
        return record

    def active_in(self, conn: sa.Connection, issue_id: str) -> BuildRecord | None:
        row = conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.active_issue == issue_id)).first()
        return self.record_of(row) if row else None

    # ---- history ------------------------------------------------------------------------------

    def log_action(self, conn, user, action, issue_id=None, build_id=None, detail="") -> None:
        """Add a history entry inside the caller's transaction."""
        conn.execute(
            schema.history_t.insert().values(
                at=schema.utcnow(), user=user, action=action, issue_id=issue_id, build_id=build_id, detail=detail or ""
            )
        )

    def record(
        self, user: str | None, action: str, issue_id: str | None = None, build_id: int | None = None, detail: str = ""
    ) -> None:
        """Add a history entry (signed-in, …)."""
        with self.writing() as conn:
            self.log_action(conn, user, action, issue_id, build_id, detail)

    def history(self, limit: int = 100, issue_id: str | None = None) -> list[HistoryEntry]:
        """Who did what and when, newest first."""
        query = sa.select(schema.history_t).order_by(schema.history_t.c.id.desc()).limit(limit)
        if issue_id is not None:
            query = query.where(schema.history_t.c.issue_id == issue_id)
        with self.reading() as conn:
            return [
                HistoryEntry(schema.aware(r.at), r.user, r.action, r.issue_id, r.build_id, r.detail) for r in conn.execute(query)
            ]
