"""What is live: publish and roll back in one transaction, the ``live/`` symlinks, pruning old builds.

``<data>/live/<issue id>`` is a symlink to the published build's folder and
``<data>/live/site`` to the newest published issue's, switched atomically (a new
link renamed over the old) so a static file server never sees a half-switched state.
Publishing is serialised across processes and machines by a database lock, and the
links are switched after the commit from what the database says.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.records import BuildRecord, LiveState, PublishError, Withdrawn
from publisher.store.search import Search


class Publishing(Search):
    if TYPE_CHECKING:  # from Builds, beside this in Store

        def get_build(self, build_id: int) -> BuildRecord | None: ...

    def live_build(self, issue_id: str) -> BuildRecord | None:
        return self.live_builds([issue_id]).get(issue_id)

    def live_builds(self, issue_ids: list[str]) -> dict[str, BuildRecord]:
        """The live build of each of ``issue_ids`` that is published, in one query (a page of the dashboard)."""
        query = (
            sa.select(schema.builds_t)
            .join(schema.live_t, schema.live_t.c.build_id == schema.builds_t.c.id)
            .where(schema.live_t.c.issue_id.in_(issue_ids))
        )
        with self.reading() as conn:
            return {row.issue_id: self.record_of(row) for row in conn.execute(query)}

    def live_version(self) -> str:
        """A token that changes with every publish, rollback and unpublish (one row: cheap to read every second)."""
        with self.reading() as conn:
            return conn.execute(sa.select(schema.live_version_t.c.token)).scalar() or ""

    def live_state(self) -> LiveState:
        """Which build of each issue is live and which issues are withdrawn, with the version token, in one reading."""
        with self.reading() as conn:
            version = conn.execute(sa.select(schema.live_version_t.c.token)).scalar() or ""
            query = sa.select(schema.live_t.c.issue_id, schema.live_t.c.build_id).order_by(schema.live_t.c.issue_id.desc())
            builds = {issue_id: build_id for issue_id, build_id in conn.execute(query)}
            withdrawn = tuple(sorted(conn.execute(sa.select(schema.withdrawn_t.c.issue_id)).scalars()))
        return LiveState(version, builds, withdrawn)

    def live_with(self, channels: list[str]) -> list[str]:
        """The published issues whose live build made any of ``channels``, newest first (the OPDS catalogue's).

        A live build succeeded, so every channel it lists made its files: the channel lists alone are read, never
        the records' results.
        """
        query = (
            sa.select(schema.live_t.c.issue_id, schema.builds_t.c.channels)
            .join(schema.builds_t, schema.live_t.c.build_id == schema.builds_t.c.id)
            .order_by(schema.live_t.c.issue_id.desc())
        )
        wanted = set(channels)
        with self.reading() as conn:
            return [issue_id for issue_id, made in conn.execute(query) if wanted.intersection(made)]

    def _live_changed(self, conn: sa.Connection) -> None:
        """Set a new version token, in the transaction that changes what is live (under the publishing lock)."""
        values = {"token": secrets.token_hex(16), "at": schema.utcnow()}
        if not conn.execute(schema.live_version_t.update().values(**values)).rowcount:
            conn.execute(schema.live_version_t.insert().values(id=1, **values))

    def published_issues(self, limit: int | None = None) -> list[tuple[str, BuildRecord]]:
        """Every published issue (the newest ``limit`` ones if given) with its live build, newest issue first.

        Each record comes whole (results, log): with thousands of issues published, use :meth:`live_state`
        for the ids alone.
        """
        query = (
            sa.select(schema.builds_t)
            .join(schema.live_t, schema.live_t.c.build_id == schema.builds_t.c.id)
            .order_by(schema.live_t.c.issue_id.desc())
            .limit(limit)
        )
        with self.reading() as conn:
            return [(row.issue_id, self.record_of(row)) for row in conn.execute(query)]

    def publish(self, build_id: int, user: str | None, *, action: str = "published") -> BuildRecord:
        """Make a succeeded build what its issue's public URLs serve.

        The database switch is one transaction under the publishing lock (one publisher at a
        time on every machine); the ``live/`` symlinks follow after the commit, from what the
        database then says (see :meth:`sync_links`), so the last publisher always writes the truth.
        """
        with self.publishing() as conn:
            record = self.get_in(conn, build_id)
            current = self._check_publishable(conn, record, build_id)
            assert record is not None  # _check_publishable raised otherwise
            values = {"build_id": build_id, "published_at": schema.utcnow(), "published_by": user}
            if current is None:
                conn.execute(schema.live_t.insert().values(issue_id=record.issue_id, **values))
            else:
                conn.execute(schema.live_t.update().where(schema.live_t.c.issue_id == record.issue_id).values(**values))
            withdrawn = conn.execute(schema.withdrawn_t.delete().where(schema.withdrawn_t.c.issue_id == record.issue_id))
            was = f"; was build #{current}" if current is not None else ""
            again = "; the issue was unpublished before" if withdrawn.rowcount else ""
            self.log_action(conn, user, action, record.issue_id, build_id, f"build #{build_id} is live{was}{again}")
            self.index_live(conn, record.issue_id, Path(record.out_dir))  # search shows what is live, in the same step
            self._live_changed(conn)
        self.sync_links([record.issue_id])
        return record

    def _check_publishable(self, conn: sa.Connection, record: BuildRecord | None, build_id: int) -> int | None:
        """Raise PublishError unless ``record`` can go live; return the build live now, if any."""
        if record is None:
            raise PublishError(f"there is no build #{build_id}; see 'publisher builds' for the builds there are")
        if record.pruned_at is not None:
            raise PublishError(f"build #{build_id} was pruned (its files were deleted); build the issue again")
        if not record.ok:
            raise PublishError(
                f"build #{build_id} of {record.issue_id} is {record.state}; only a succeeded build can be published"
                + ("; wait for it to finish" if record.active else "; fix the errors and build again")
            )
        if not Path(record.out_dir, record.issue_id).is_dir():
            raise PublishError(f"the files of build #{build_id} are gone from {record.out_dir}; build the issue again")
        current = conn.execute(sa.select(schema.live_t.c.build_id).where(schema.live_t.c.issue_id == record.issue_id)).scalar()
        if current == build_id:
            raise PublishError(f"build #{build_id} is already live for {record.issue_id}")
        return current

    def unpublish(self, issue_id: str, user: str | None) -> int:
        """Take ``issue_id`` off the public site; return the build that was live.

        Its URLs answer 410 Gone from then on, the site's feeds and archive come
        from the newest issue still published, and publishing any of its builds
        puts it back. The record of what was live is kept (:meth:`withdrawn`).
        """
        with self.publishing() as conn:
            current = conn.execute(sa.select(schema.live_t.c.build_id).where(schema.live_t.c.issue_id == issue_id)).scalar()
            if current is None:
                raise PublishError(f"issue {issue_id} is not published, so there is nothing to unpublish")
            conn.execute(schema.live_t.delete().where(schema.live_t.c.issue_id == issue_id))
            conn.execute(schema.withdrawn_t.delete().where(schema.withdrawn_t.c.issue_id == issue_id))
            conn.execute(schema.withdrawn_t.insert().values(issue_id=issue_id, build_id=current, at=schema.utcnow(), by=user))
            self.log_action(conn, user, "unpublished", issue_id, current, f"build #{current} is no longer public")
            self.unindex_live(conn, issue_id)  # nothing withdrawn stays findable
            self._live_changed(conn)
        self.sync_links([issue_id])
        return current

    def withdrawn(self) -> dict[str, Withdrawn]:
        """The issues taken off the public site and not published since, by issue id."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(schema.withdrawn_t)).all()
        return {r.issue_id: Withdrawn(r.issue_id, r.build_id, schema.aware(r.at), r.by) for r in rows}

    def rollback(self, issue_id: str, build_id: int, user: str | None) -> BuildRecord:
        """Publish an earlier succeeded build of ``issue_id`` again."""
        record = self.get_build(build_id)
        if record is None or record.issue_id != issue_id:
            raise PublishError(f"build #{build_id} is not a build of {issue_id}; see 'publisher builds {issue_id}'")
        return self.publish(build_id, user, action="rolled-back")

    def prune(self, keep: int = 5, user: str | None = None, dry_run: bool = False) -> list[BuildRecord]:
        """Delete the files of old builds; return the builds pruned (or, with ``dry_run``, that would be).

        Of each issue it keeps the live build (by the database and by every
        ``live/*`` symlink), the build of an unpublished issue, every queued or running build and the ``keep`` newest
        finished ones. The records stay, marked pruned, so the history is complete.
        """
        if keep < 0:
            raise ValueError("--keep must be 0 or more")
        with self.publishing() as conn:  # nothing is published meanwhile (and on SQLite nothing started)
            kept = set(conn.execute(sa.select(schema.live_t.c.build_id)).scalars()) | self._linked_builds()
            kept |= set(conn.execute(sa.select(schema.withdrawn_t.c.build_id)).scalars())  # to publish again
            query = sa.select(schema.builds_t).where(schema.builds_t.c.pruned_at.is_(None)).order_by(schema.builds_t.c.id.desc())
            finished: dict[str, int] = {}
            chosen = []
            for record in map(self.record_of, conn.execute(query)):
                if record.active:
                    continue
                finished[record.issue_id] = finished.get(record.issue_id, 0) + 1
                if finished[record.issue_id] > keep and record.id not in kept:
                    chosen.append(record)
            if dry_run or not chosen:
                return chosen
            ids = [r.id for r in chosen]
            conn.execute(schema.builds_t.update().where(schema.builds_t.c.id.in_(ids)).values(pruned_at=schema.utcnow()))
            listed = ", ".join(f"#{i}" for i in sorted(ids))
            self.log_action(conn, user, "pruned", detail=f"{len(ids)} build(s): {listed}; kept {keep} per issue")
            chosen = [self.written_in(conn, i) for i in ids]
        for record in chosen:
            self._delete_build_dir(record.id)
        return chosen

    def _linked_builds(self) -> set[int]:
        """The builds a ``live/*`` symlink points into (by its own target and by the resolved path)."""
        roots = {self.data_dir / "builds", (self.data_dir / "builds").resolve()}
        found: set[int] = set()
        live = self.data_dir / "live"
        for link in live.iterdir() if live.is_dir() else ():
            if not link.is_symlink():
                continue
            for target in (Path(os.path.normpath(live / os.readlink(link))), Path(os.path.realpath(link))):
                for root in roots:
                    parts = target.relative_to(root).parts if target.is_relative_to(root) else ()
                    if parts and parts[0].isdigit():
                        found.add(int(parts[0]))
        return found

    def _delete_build_dir(self, build_id: int) -> None:
        """Delete ``builds/<id>/``; a symlink there is removed, never followed."""
        folder = self.build_dir(build_id)
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)  # removes symlinks inside without following them

    def sync_links(self, issues: list[str] | None = None) -> None:
        """Point ``live/<issue>`` (every issue, or those named) and ``live/site`` at the builds the database says.

        Under the publishing lock, so links are never switched from a stale reading: whoever
        switches last read the database after every earlier publish had committed. Also run after a
        restore or a crash between a commit and its links.
        """
        with self.publishing() as conn:
            rows = dict(conn.execute(sa.select(schema.live_t.c.issue_id, schema.live_t.c.build_id)).all())
            gone = set(conn.execute(sa.select(schema.withdrawn_t.c.issue_id)).scalars()) - set(rows)
            if issues is None:
                wanted: dict[str, int | None] = {**dict.fromkeys(gone), **rows}
            else:
                wanted = {i: rows.get(i) for i in issues}  # an issue no longer live loses its link
            self._switch_links({**wanted, "site": rows[max(rows)] if rows else None})

    def _switch_links(self, targets: dict[str, int | None]) -> None:
        """Point ``live/<name>`` at ``builds/<id>`` for each entry (a new symlink renamed over the old one); None removes it."""
        live = self.data_dir / "live"
        live.mkdir(parents=True, exist_ok=True)
        for name, build_id in targets.items():
            link = live / name
            if build_id is None:
                if link.is_symlink():
                    link.unlink()
                continue
            target = str(Path("..") / "builds" / str(build_id))
            if not (link.is_symlink() and os.readlink(link) == target):
                self._link(link, target)

    @staticmethod
    def _link(link: Path, target: str) -> None:
        tmp = link.with_name(f".{link.name}.{secrets.token_hex(4)}.tmp")
        os.symlink(target, tmp)
        os.replace(tmp, link)
