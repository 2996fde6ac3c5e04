"""Scheduled publishing (定时发布): "build and publish this issue at 06:00 on its date", kept in the database.

A schedule moves pending → building → publishing → done, or to failed or
cancelled. Every step is a conditional UPDATE (``WHERE state = <the step before>``):
of several runners (server threads, ``publisher worker`` processes) only the one
whose UPDATE changed the row goes on, so a schedule fires once, and a restart
picks up where the row says it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.base import Database

PENDING, BUILDING, PUBLISHING, DONE, FAILED, CANCELLED = "pending", "building", "publishing", "done", "failed", "cancelled"
OPEN = (PENDING, BUILDING, PUBLISHING)

schedules_t = sa.Table(
    "schedules",
    schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(64), nullable=False, index=True),
    sa.Column("run_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("created_by", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("runner", sa.String(200)),
    sa.Column("build_id", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Schedule:
    id: int
    issue_id: str
    run_at: datetime
    state: str
    created_by: str | None
    created_at: datetime
    runner: str | None
    build_id: int | None
    error: str | None
    finished_at: datetime | None

    @property
    def open(self) -> bool:
        return self.state in OPEN


class Schedules(Database):
    def add_schedule(self, issue_id: str, run_at: datetime, user: str | None) -> Schedule:
        if run_at.tzinfo is None:
            raise ValueError("run_at must carry its time zone")
        run_at = run_at.astimezone(timezone.utc)  # SQLite keeps no offset: everything stored is UTC
        with self.writing() as conn:
            schedule_id = schema.inserted_id(
                conn.execute(
                    schedules_t.insert().values(
                        issue_id=issue_id, run_at=run_at, state=PENDING, created_by=user, created_at=schema.utcnow()
                    )
                )
            )
            self.log_action(conn, user, "schedule-added", issue_id, detail=f"#{schedule_id} {run_at.isoformat()}")
            return self._written_in(conn, schedule_id)

    def get_schedule(self, schedule_id: int) -> Schedule | None:
        with self.reading() as conn:
            return self._schedule_in(conn, schedule_id)

    def schedules(self, issue_id: str | None = None, states: tuple[str, ...] | None = None, limit: int = 100) -> list[Schedule]:
        """Schedules, soonest first."""
        query = sa.select(schedules_t).order_by(schedules_t.c.run_at, schedules_t.c.id).limit(limit)
        if issue_id is not None:
            query = query.where(schedules_t.c.issue_id == issue_id)
        if states is not None:
            query = query.where(schedules_t.c.state.in_(states))
        with self.reading() as conn:
            return [_schedule(row) for row in conn.execute(query)]

    def failed_schedules(self, limit: int = 10) -> list[Schedule]:
        """The newest failed schedules, for the dashboard."""
        query = sa.select(schedules_t).where(schedules_t.c.state == FAILED).order_by(schedules_t.c.id.desc()).limit(limit)
        with self.reading() as conn:
            return [_schedule(row) for row in conn.execute(query)]

    def due_schedules(self, now: datetime) -> list[Schedule]:
        query = (
            sa.select(schedules_t)
            .where(schedules_t.c.state == PENDING, schedules_t.c.run_at <= now)
            .order_by(schedules_t.c.run_at)
        )
        with self.reading() as conn:
            return [_schedule(row) for row in conn.execute(query)]

    def move_schedule(self, schedule_id: int, from_state: str, to_state: str, **values) -> bool:
        """Move a schedule on from ``from_state``; False (nothing changed) when another runner moved it first."""
        if to_state in (DONE, FAILED, CANCELLED):
            values.setdefault("finished_at", schema.utcnow())
        with self.writing() as conn:
            done = conn.execute(
                schedules_t.update()
                .where(schedules_t.c.id == schedule_id, schedules_t.c.state == from_state)
                .values(state=to_state, **values)
            ).rowcount
            if done and to_state in (DONE, FAILED, CANCELLED):
                row = self._written_in(conn, schedule_id)
                detail = f"#{schedule_id}" + (f"：{values['error']}" if values.get("error") else "")
                self.log_action(conn, values.pop("user", None), f"schedule-{to_state}", row.issue_id, row.build_id, detail)
        return bool(done)

    def cancel_schedule(self, schedule_id: int, user: str | None) -> bool:
        """Cancel a schedule that has not started; False when it is running or over."""
        with self.writing() as conn:
            done = conn.execute(
                schedules_t.update()
                .where(schedules_t.c.id == schedule_id, schedules_t.c.state == PENDING)
                .values(state=CANCELLED, finished_at=schema.utcnow())
            ).rowcount
            if done:
                row = self._written_in(conn, schedule_id)
                self.log_action(conn, user, "schedule-cancelled", row.issue_id, detail=f"#{schedule_id}")
        return bool(done)

    def _schedule_in(self, conn, schedule_id: int) -> Schedule | None:
        row = conn.execute(sa.select(schedules_t).where(schedules_t.c.id == schedule_id)).first()
        return _schedule(row) if row else None

    def _written_in(self, conn, schedule_id: int) -> Schedule:
        """Schedule ``schedule_id`` as this transaction has just written it (so it exists)."""
        schedule = self._schedule_in(conn, schedule_id)
        assert schedule is not None, f"schedule #{schedule_id} is gone within its own transaction"
        return schedule


def _schedule(row) -> Schedule:
    m = row._mapping
    return Schedule(
        m["id"], m["issue_id"], schema.aware(m["run_at"]), m["state"], m["created_by"], schema.aware(m["created_at"]),
        m["runner"], m["build_id"], m["error"], schema.aware(m["finished_at"]),
    )  # fmt: skip
