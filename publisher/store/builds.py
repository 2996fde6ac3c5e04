"""Build records: queue, start, progress per channel, finish or fail; one active build per issue."""

from __future__ import annotations

import sqlalchemy as sa

from publisher.results import ACTIVE, BuildState, ChannelResult
from publisher.store import schema
from publisher.store.base import Database
from publisher.store.records import INTERRUPTED, BuildInProgress, BuildRecord

#: A build keeps the last this many progress lines.
LOG_LINES = 200


class Builds(Database):
    def new_build(self, issue_id: str, channels: list[str], user: str | None, *, runner: str | None = None) -> BuildRecord:
        """Record a queued build; raises BuildInProgress if the issue has a queued or running one."""
        channels = list(channels)
        if not channels:
            raise ValueError("a build needs at least one channel; install one (see 'publisher channels')")
        try:
            with self.writing() as conn:
                existing = self.active_in(conn, issue_id)
                if existing:
                    raise BuildInProgress(existing)
                build_id = schema.inserted_id(
                    conn.execute(
                        schema.builds_t.insert().values(
                            issue_id=issue_id,
                            channels=channels,
                            state=BuildState.QUEUED,
                            active_issue=issue_id,
                            requested_by=user,
                            runner=runner,
                            created_at=schema.utcnow(),
                            results={c: ChannelResult(c, BuildState.QUEUED).to_dict() for c in channels},
                            log="",
                        )
                    )
                )
                self.log_action(conn, user, "build-requested", issue_id, build_id, ", ".join(channels))
                return self.written_in(conn, build_id)
        except sa.exc.IntegrityError:  # another process queued one between our check and insert
            with self.reading() as conn:
                existing = self.active_in(conn, issue_id)
            if existing is None:
                raise
            raise BuildInProgress(existing) from None

    def get_build(self, build_id: int) -> BuildRecord | None:
        with self.reading() as conn:
            return self.get_in(conn, build_id)

    def builds(self, issue_id: str | None = None, limit: int = 50) -> list[BuildRecord]:
        """Builds, newest first (of one issue if given)."""
        query = sa.select(schema.builds_t).order_by(schema.builds_t.c.id.desc()).limit(limit)
        if issue_id is not None:
            query = query.where(schema.builds_t.c.issue_id == issue_id)
        with self.reading() as conn:
            return [self.record_of(row) for row in conn.execute(query)]

    def active_builds(self) -> list[BuildRecord]:
        """Queued and running builds, oldest first."""
        query = sa.select(schema.builds_t).where(schema.builds_t.c.active_issue.is_not(None)).order_by(schema.builds_t.c.id)
        with self.reading() as conn:
            return [self.record_of(row) for row in conn.execute(query)]

    def last_builds_by_channel(self, issue_id: str) -> dict[str, ChannelResult]:
        """For each channel, its state in the newest build of ``issue_id`` that included it."""
        return self.channel_states([issue_id])[issue_id]

    def channel_states(self, issue_ids: list[str]) -> dict[str, dict[str, ChannelResult]]:
        """:meth:`last_builds_by_channel` of each of ``issue_ids``, in one query (a page of the dashboard)."""
        found: dict[str, dict[str, ChannelResult]] = {issue_id: {} for issue_id in issue_ids}
        query = (
            sa.select(schema.builds_t.c.issue_id, schema.builds_t.c.results)
            .where(schema.builds_t.c.issue_id.in_(issue_ids))
            .order_by(schema.builds_t.c.id.desc())
        )
        with self.reading() as conn:
            for issue_id, results in conn.execute(query):
                for name, data in (results or {}).items():
                    found[issue_id].setdefault(name, ChannelResult.from_dict(data))
        return {issue_id: dict(sorted(states.items())) for issue_id, states in found.items()}

    def start_build(self, build_id: int) -> BuildRecord | None:
        """Mark a queued build running; None when it is no longer queued (failed meanwhile, or unknown)."""
        with self.writing() as conn:
            record = self.get_in(conn, build_id)
            if record is None or record.state is not BuildState.QUEUED:
                return None
            conn.execute(
                schema.builds_t.update()
                .where(schema.builds_t.c.id == build_id)
                .values(state=BuildState.RUNNING, started_at=schema.utcnow())
            )
            return self.get_in(conn, build_id)

    def update_channel(self, build_id: int, state: ChannelResult, log: str | None = None) -> bool:
        """Replace one channel's state (and append a progress line) of an active build.

        Returns False, changing nothing, when the build has ended meanwhile (failed by a
        restart or by the queue): its runner should stop.
        """
        with self.writing() as conn:
            row = conn.execute(
                sa.select(schema.builds_t.c.state, schema.builds_t.c.results, schema.builds_t.c.log).where(
                    schema.builds_t.c.id == build_id
                )
            ).one()
            if row.state not in ACTIVE:
                return False
            values: dict[str, object] = {"results": {**(row.results or {}), state.channel: state.to_dict()}}
            if log is not None:
                values["log"] = _append(row.log, log)
            conn.execute(schema.builds_t.update().where(schema.builds_t.c.id == build_id).values(**values))
            return True

    def append_log(self, build_id: int, line: str) -> None:
        with self.writing() as conn:
            current = conn.execute(sa.select(schema.builds_t.c.log).where(schema.builds_t.c.id == build_id)).scalar_one()
            conn.execute(schema.builds_t.update().where(schema.builds_t.c.id == build_id).values(log=_append(current, line)))

    def finish_build(self, build_id: int, error: str | None = None) -> BuildRecord | None:
        """End a running or queued build: succeeded when every channel succeeded and no ``error``, else failed.

        Does nothing (returns None) when the build has already ended, so a late
        callback never overwrites the outcome.
        """
        with self.writing() as conn:
            record = self.get_in(conn, build_id)
            if record is None or record.state not in ACTIVE:
                return None
            ok = error is None and all(record.results.get(c, ChannelResult(c, BuildState.QUEUED)).ok for c in record.channels)
            results = {
                name: ChannelResult.failed(name, "not built: the build stopped before this channel").to_dict()
                if state.state in ACTIVE
                else state.to_dict()
                for name, state in record.results.items()
            }
            log = record.log
            if error:
                log = _append(log, f"build failed: {error}")
            conn.execute(
                schema.builds_t.update()
                .where(schema.builds_t.c.id == build_id)
                .values(
                    state=BuildState.SUCCEEDED if ok else BuildState.FAILED,
                    active_issue=None,
                    finished_at=schema.utcnow(),
                    error=error,
                    results=results,
                    log=log,
                )
            )
            record = self.written_in(conn, build_id)
            detail = f"{record.seconds or 0:.1f} s" if ok else "; ".join(record.errors)
            self.log_action(conn, None, "build-succeeded" if ok else "build-failed", record.issue_id, build_id, detail)
            return record

    def fail_build(self, build_id: int, error: str) -> BuildRecord | None:
        """Fail a queued or running build with ``error``; None when it had already ended."""
        return self.finish_build(build_id, error=error)

    def fail_interrupted(self) -> int:
        """Fail every queued or running build (at start-up: nothing can be running yet); returns how many."""
        count = 0
        for record in self.active_builds():
            if self.fail_build(record.id, INTERRUPTED):
                count += 1
        return count


def _append(log: str, line: str) -> str:
    lines = (log.splitlines() if log else []) + line.splitlines()
    return "\n".join(lines[-LOG_LINES:])
