"""Build records, what is live, history and users, in one SQL database (SQLAlchemy Core).

SQLite by default (WAL, a busy timeout, write transactions taken up front with
``BEGIN IMMEDIATE`` so concurrent writers wait instead of failing); PostgreSQL
works by URL. Everything handed out is a plain frozen dataclass, safe to pass
to templates and across threads.

Files live beside the database: build ``N`` writes into ``<data>/builds/N/``;
``<data>/live/<issue id>`` is a symlink to the published build's folder and
``<data>/live/site`` to the newest published issue's, switched atomically so a
static file server never sees a half-switched state.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from publisher.passwords import check_password, hash_password

ACTIVE = ("queued", "running")
LOG_LINES = 200  # a build keeps the last this many progress lines
MIN_PASSWORD = 8
INTERRUPTED = "interrupted: the server stopped while this build ran; start it again"

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
)


class BuildInProgress(Exception):
    """The issue already has a queued or running build; ``existing`` is that build."""

    def __init__(self, existing: BuildRecord):
        self.existing = existing
        by = f" by {existing.requested_by}" if existing.requested_by else ""
        super().__init__(
            f"issue {existing.issue_id} is already being built: build #{existing.id} was requested{by} "
            f"at {existing.created_at:%Y-%m-%d %H:%M:%S} UTC and is {existing.state}; "
            "wait for it to finish, then start a new build"
        )


class PublishError(Exception):
    """The build cannot be published; the message says why and what to do."""


@dataclass(frozen=True)
class ChannelState:
    channel: str
    state: str  # queued | running | succeeded | failed
    seconds: float | None = None
    bytes: int = 0
    files: list[dict] = field(default_factory=list)  # {path (relative to the channel folder), media_type, bytes}
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> ChannelState:
        return cls(**data)


@dataclass(frozen=True)
class BuildRecord:
    id: int
    issue_id: str
    channels: list[str]
    state: str  # queued | running | succeeded | failed
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results: dict[str, ChannelState]
    log: str
    out_dir: str  # <data>/builds/<id>/; files are in <out_dir>/<issue id>/<channel>/
    error: str | None = None  # why the build as a whole failed (content errors, interrupted), else None
    runner: str | None = None
    pruned_at: datetime | None = None  # when its files were deleted by Store.prune

    @property
    def seconds(self) -> float | None:
        """How long it ran (so far, while running); None before it starts."""
        if self.started_at is None:
            return None
        end = self.finished_at or datetime.now(timezone.utc)
        return round((end - self.started_at).total_seconds(), 3)

    @property
    def ok(self) -> bool:
        return self.state == "succeeded"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def errors(self) -> list[str]:
        """Every failure in words an editor understands: the build's own, then each failed channel's."""
        found = [self.error] if self.error else []
        return found + [f"{c.channel}: {c.error}" for c in self.results.values() if c.error]

    def channel_dir(self, channel: str) -> Path:
        return Path(self.out_dir) / self.issue_id / channel


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    user: str | None
    action: str
    issue_id: str | None
    build_id: int | None
    detail: str


@dataclass(frozen=True)
class User:
    """A signed-up editor; also usable directly as a Flask-Login user."""

    username: str
    created_at: datetime
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.username


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class Store:
    """The database plus the build and live folders beside it."""

    def __init__(self, url: str, data_dir: Path | str | None = None):
        parsed = make_url(url)
        self.url = url
        self.sqlite = parsed.get_backend_name() == "sqlite"
        db_file = Path(parsed.database) if self.sqlite and parsed.database not in (None, "", ":memory:") else None
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        if data_dir is None:
            if db_file is not None:
                data_dir = db_file.resolve().parent
            else:
                from publisher.config import load_config

                data_dir = load_config().data_dir
        self.data_dir = Path(data_dir).resolve()
        self.engine = sa.create_engine(url, **({"connect_args": {"timeout": 30}} if self.sqlite else {}))
        self._links = threading.Lock()
        if self.sqlite:
            _sqlite_setup(self.engine)

    @classmethod
    def from_config(cls, config) -> Store:
        """The store a :class:`publisher.config.Config` names (its database, its data folder)."""
        return cls(config.database_url, config.data_dir)

    def create_all(self) -> None:
        """Create the tables; add columns newer than an existing database (``builds.pruned_at``)."""
        metadata.create_all(self.engine)
        with self._write() as conn:
            if "pruned_at" not in {c["name"] for c in sa.inspect(conn).get_columns("builds")}:
                kind = builds_t.c.pruned_at.type.compile(dialect=self.engine.dialect)
                conn.exec_driver_sql(f"ALTER TABLE builds ADD COLUMN pruned_at {kind}")

    def close(self) -> None:
        self.engine.dispose()

    # ---- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction; on SQLite it takes the write lock up front (waits up to the busy timeout)."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ---- builds -------------------------------------------------------------------------------

    def build_dir(self, build_id: int) -> Path:
        return self.data_dir / "builds" / str(build_id)

    def _record(self, row) -> BuildRecord:
        m = row._mapping
        return BuildRecord(
            id=m["id"],
            issue_id=m["issue_id"],
            channels=list(m["channels"]),
            state=m["state"],
            requested_by=m["requested_by"],
            created_at=_aware(m["created_at"]),
            started_at=_aware(m["started_at"]),
            finished_at=_aware(m["finished_at"]),
            results={name: ChannelState.from_dict(data) for name, data in (m["results"] or {}).items()},
            log=m["log"] or "",
            out_dir=str(self.build_dir(m["id"])),
            error=m["error"],
            runner=m["runner"],
            pruned_at=_aware(m["pruned_at"]),
        )

    def _get(self, conn: sa.Connection, build_id: int) -> BuildRecord | None:
        row = conn.execute(sa.select(builds_t).where(builds_t.c.id == build_id)).first()
        return self._record(row) if row else None

    def _active(self, conn: sa.Connection, issue_id: str) -> BuildRecord | None:
        row = conn.execute(sa.select(builds_t).where(builds_t.c.active_issue == issue_id)).first()
        return self._record(row) if row else None

    def new_build(self, issue_id: str, channels: list[str], user: str | None, *, runner: str | None = None) -> BuildRecord:
        """Record a queued build; raises BuildInProgress if the issue has a queued or running one."""
        channels = list(channels)
        if not channels:
            raise ValueError("a build needs at least one channel; install one (see 'publisher channels')")
        try:
            with self._write() as conn:
                existing = self._active(conn, issue_id)
                if existing:
                    raise BuildInProgress(existing)
                build_id = conn.execute(
                    builds_t.insert().values(
                        issue_id=issue_id,
                        channels=channels,
                        state="queued",
                        active_issue=issue_id,
                        requested_by=user,
                        runner=runner,
                        created_at=utcnow(),
                        results={c: asdict(ChannelState(c, "queued")) for c in channels},
                        log="",
                    )
                ).inserted_primary_key[0]
                self._history(conn, user, "build-requested", issue_id, build_id, ", ".join(channels))
                return self._get(conn, build_id)
        except sa.exc.IntegrityError:  # another process queued one between our check and insert
            with self._read() as conn:
                existing = self._active(conn, issue_id)
            if existing is None:
                raise
            raise BuildInProgress(existing) from None

    def get_build(self, build_id: int) -> BuildRecord | None:
        with self._read() as conn:
            return self._get(conn, build_id)

    def builds(self, issue_id: str | None = None, limit: int = 50) -> list[BuildRecord]:
        """Builds, newest first (of one issue if given)."""
        query = sa.select(builds_t).order_by(builds_t.c.id.desc()).limit(limit)
        if issue_id is not None:
            query = query.where(builds_t.c.issue_id == issue_id)
        with self._read() as conn:
            return [self._record(row) for row in conn.execute(query)]

    def active_builds(self) -> list[BuildRecord]:
        """Queued and running builds, oldest first."""
        query = sa.select(builds_t).where(builds_t.c.active_issue.is_not(None)).order_by(builds_t.c.id)
        with self._read() as conn:
            return [self._record(row) for row in conn.execute(query)]

    def last_builds_by_channel(self, issue_id: str) -> dict[str, ChannelState]:
        """For each channel, its state in the newest build of ``issue_id`` that included it."""
        found: dict[str, ChannelState] = {}
        query = sa.select(builds_t.c.results).where(builds_t.c.issue_id == issue_id).order_by(builds_t.c.id.desc())
        with self._read() as conn:
            for (results,) in conn.execute(query):
                for name, data in (results or {}).items():
                    found.setdefault(name, ChannelState.from_dict(data))
        return dict(sorted(found.items()))

    def start_build(self, build_id: int) -> BuildRecord | None:
        """Mark a queued build running; None when it is no longer queued (failed meanwhile, or unknown)."""
        with self._write() as conn:
            record = self._get(conn, build_id)
            if record is None or record.state != "queued":
                return None
            conn.execute(builds_t.update().where(builds_t.c.id == build_id).values(state="running", started_at=utcnow()))
            return self._get(conn, build_id)

    def update_channel(self, build_id: int, state: ChannelState, log: str | None = None) -> bool:
        """Replace one channel's state (and append a progress line) of an active build.

        Returns False, changing nothing, when the build has ended meanwhile (failed by a
        restart or by the queue): its runner should stop.
        """
        with self._write() as conn:
            row = conn.execute(
                sa.select(builds_t.c.state, builds_t.c.results, builds_t.c.log).where(builds_t.c.id == build_id)
            ).one()
            if row.state not in ACTIVE:
                return False
            values = {"results": {**(row.results or {}), state.channel: asdict(state)}}
            if log is not None:
                values["log"] = _append(row.log, log)
            conn.execute(builds_t.update().where(builds_t.c.id == build_id).values(**values))
            return True

    def append_log(self, build_id: int, line: str) -> None:
        with self._write() as conn:
            current = conn.execute(sa.select(builds_t.c.log).where(builds_t.c.id == build_id)).scalar_one()
            conn.execute(builds_t.update().where(builds_t.c.id == build_id).values(log=_append(current, line)))

    def finish_build(self, build_id: int, error: str | None = None) -> BuildRecord | None:
        """End a running or queued build: succeeded when every channel succeeded and no ``error``, else failed.

        Does nothing (returns None) when the build has already ended, so a late
        callback never overwrites the outcome.
        """
        with self._write() as conn:
            record = self._get(conn, build_id)
            if record is None or record.state not in ACTIVE:
                return None
            ok = error is None and all(
                record.results.get(c, ChannelState(c, "queued")).state == "succeeded" for c in record.channels
            )
            results = {
                name: asdict(ChannelState(name, "failed", error="not built: the build stopped before this channel"))
                if state.state in ACTIVE
                else asdict(state)
                for name, state in record.results.items()
            }
            log = record.log
            if error:
                log = _append(log, f"build failed: {error}")
            conn.execute(
                builds_t.update()
                .where(builds_t.c.id == build_id)
                .values(
                    state="succeeded" if ok else "failed",
                    active_issue=None,
                    finished_at=utcnow(),
                    error=error,
                    results=results,
                    log=log,
                )
            )
            record = self._get(conn, build_id)
            detail = f"{record.seconds or 0:.1f} s" if ok else "; ".join(record.errors)
            self._history(conn, None, "build-succeeded" if ok else "build-failed", record.issue_id, build_id, detail)
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

    # ---- publishing ---------------------------------------------------------------------------

    def live_build(self, issue_id: str) -> BuildRecord | None:
        with self._read() as conn:
            build_id = conn.execute(sa.select(live_t.c.build_id).where(live_t.c.issue_id == issue_id)).scalar()
            return self._get(conn, build_id) if build_id is not None else None

    def published_issues(self) -> list[tuple[str, BuildRecord]]:
        """Every published issue with its live build, newest issue first."""
        query = sa.select(builds_t).join(live_t, live_t.c.build_id == builds_t.c.id).order_by(live_t.c.issue_id.desc())
        with self._read() as conn:
            return [(row.issue_id, self._record(row)) for row in conn.execute(query)]

    def publish(self, build_id: int, user: str | None, *, action: str = "published") -> BuildRecord:
        """Make a succeeded build what its issue's public URLs serve.

        The database switch is one transaction; the ``live/`` symlinks are switched
        inside it and put back if the commit fails.
        """
        previous: dict[str, str | None] = {}
        try:
            with self._write() as conn:
                record = self._get(conn, build_id)
                current = self._check_publishable(conn, record, build_id)
                values = {"build_id": build_id, "published_at": utcnow(), "published_by": user}
                if current is None:
                    conn.execute(live_t.insert().values(issue_id=record.issue_id, **values))
                else:
                    conn.execute(live_t.update().where(live_t.c.issue_id == record.issue_id).values(**values))
                was = f"; was build #{current}" if current is not None else ""
                self._history(conn, user, action, record.issue_id, build_id, f"build #{build_id} is live{was}")
                newest = conn.execute(sa.select(sa.func.max(live_t.c.issue_id))).scalar()
                site = conn.execute(sa.select(live_t.c.build_id).where(live_t.c.issue_id == newest)).scalar()
                previous = self._switch_links({record.issue_id: build_id, "site": site})
        except BaseException:
            self._restore_links(previous)
            raise
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
        current = conn.execute(sa.select(live_t.c.build_id).where(live_t.c.issue_id == record.issue_id)).scalar()
        if current == build_id:
            raise PublishError(f"build #{build_id} is already live for {record.issue_id}")
        return current

    def rollback(self, issue_id: str, build_id: int, user: str | None) -> BuildRecord:
        """Publish an earlier succeeded build of ``issue_id`` again."""
        record = self.get_build(build_id)
        if record is None or record.issue_id != issue_id:
            raise PublishError(f"build #{build_id} is not a build of {issue_id}; see 'publisher builds {issue_id}'")
        return self.publish(build_id, user, action="rolled-back")

    def prune(self, keep: int = 5, user: str | None = None, dry_run: bool = False) -> list[BuildRecord]:
        """Delete the files of old builds; return the builds pruned (or, with ``dry_run``, that would be).

        Of each issue it keeps the live build (by the database and by every
        ``live/*`` symlink), every queued or running build and the ``keep`` newest
        finished ones. The records stay, marked pruned, so the history is complete.
        """
        if keep < 0:
            raise ValueError("--keep must be 0 or more")
        with self._write() as conn:  # the write lock: nothing is published or started meanwhile
            kept = set(conn.execute(sa.select(live_t.c.build_id)).scalars()) | self._linked_builds()
            query = sa.select(builds_t).where(builds_t.c.pruned_at.is_(None)).order_by(builds_t.c.id.desc())
            finished: dict[str, int] = {}
            chosen = []
            for record in map(self._record, conn.execute(query)):
                if record.active:
                    continue
                finished[record.issue_id] = finished.get(record.issue_id, 0) + 1
                if finished[record.issue_id] > keep and record.id not in kept:
                    chosen.append(record)
            if dry_run or not chosen:
                return chosen
            ids = [r.id for r in chosen]
            conn.execute(builds_t.update().where(builds_t.c.id.in_(ids)).values(pruned_at=utcnow()))
            listed = ", ".join(f"#{i}" for i in sorted(ids))
            self._history(conn, user, "pruned", detail=f"{len(ids)} build(s): {listed}; kept {keep} per issue")
            chosen = [self._get(conn, i) for i in ids]
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

    def sync_links(self) -> None:
        """Rewrite every ``live/`` symlink from the database (after a restore, or a crash mid-switch)."""
        with self._read() as conn:
            rows = dict(conn.execute(sa.select(live_t.c.issue_id, live_t.c.build_id)).all())
        if rows:
            self._switch_links({**rows, "site": rows[max(rows)]})

    def _switch_links(self, targets: dict[str, int]) -> dict[str, str | None]:
        """Point ``live/<name>`` at ``builds/<id>`` for each entry (a new symlink renamed over the old one).

        Returns the previous targets, for :meth:`_restore_links`.
        """
        live = self.data_dir / "live"
        live.mkdir(parents=True, exist_ok=True)
        previous: dict[str, str | None] = {}
        with self._links:
            for name, build_id in targets.items():
                link = live / name
                previous[name] = os.readlink(link) if link.is_symlink() else None
                self._link(link, str(Path("..") / "builds" / str(build_id)))
        return previous

    def _restore_links(self, previous: dict[str, str | None]) -> None:
        live = self.data_dir / "live"
        with self._links:
            for name, target in previous.items():
                if target is None:
                    (live / name).unlink(missing_ok=True)
                else:
                    self._link(live / name, target)

    @staticmethod
    def _link(link: Path, target: str) -> None:
        tmp = link.with_name(f".{link.name}.{secrets.token_hex(4)}.tmp")
        os.symlink(target, tmp)
        os.replace(tmp, link)

    # ---- history ------------------------------------------------------------------------------

    def _history(self, conn, user, action, issue_id=None, build_id=None, detail="") -> None:
        conn.execute(
            history_t.insert().values(
                at=utcnow(), user=user, action=action, issue_id=issue_id, build_id=build_id, detail=detail or ""
            )
        )

    def record(
        self, user: str | None, action: str, issue_id: str | None = None, build_id: int | None = None, detail: str = ""
    ) -> None:
        """Add a history entry (signed-in, …)."""
        with self._write() as conn:
            self._history(conn, user, action, issue_id, build_id, detail)

    def history(self, limit: int = 100, issue_id: str | None = None) -> list[HistoryEntry]:
        """Who did what and when, newest first."""
        query = sa.select(history_t).order_by(history_t.c.id.desc()).limit(limit)
        if issue_id is not None:
            query = query.where(history_t.c.issue_id == issue_id)
        with self._read() as conn:
            return [HistoryEntry(_aware(r.at), r.user, r.action, r.issue_id, r.build_id, r.detail) for r in conn.execute(query)]

    # ---- users --------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, by: str | None = None) -> User:
        """Add an editor; raises ValueError for a taken name or a password shorter than 8 characters."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise ValueError("a user name is 1 to 64 characters without spaces")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        created = utcnow()
        try:
            with self._write() as conn:
                conn.execute(
                    users_t.insert().values(username=username, password_hash=hash_password(password), created_at=created)
                )
                self._history(conn, by, "user-added", detail=username)
        except sa.exc.IntegrityError:
            raise ValueError(f"there is already a user named {username!r}; choose another name") from None
        return User(username, created)

    def set_password(self, username: str, password: str, by: str | None = None) -> None:
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        with self._write() as conn:
            done = conn.execute(
                users_t.update().where(users_t.c.username == username).values(password_hash=hash_password(password))
            ).rowcount
            if not done:
                raise ValueError(f"there is no user named {username!r}; add one with 'publisher user add'")
            self._history(conn, by, "password-changed", detail=username)

    def get_user(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        return User(row.username, _aware(row.created_at)) if row else None

    def users(self) -> list[User]:
        with self._read() as conn:
            return [User(r.username, _aware(r.created_at)) for r in conn.execute(sa.select(users_t).order_by(users_t.c.username))]

    def check_user(self, username: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (same work either way, so timing tells nothing)."""
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        if row is None:
            check_password(_dummy_hash(), password)
            return None
        return User(row.username, _aware(row.created_at)) if check_password(row.password_hash, password) else None

    def ensure_admin(self, password_from_env: str | None) -> str | None:
        """Create ``admin`` when there is no user yet.

        Its password is ``password_from_env`` ($PUBLISHER_ADMIN_PASSWORD); without one a
        random password is generated and returned, once, for the caller to show.
        Returns None when nothing was generated.
        """
        with self._read() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(users_t)).scalar():
                return None
        generated = None if password_from_env else secrets.token_urlsafe(12)
        try:
            self.add_user("admin", password_from_env or generated, by="setup")
        except ValueError as exc:
            if "already" in str(exc):
                return None  # another process created it first
            raise ValueError(f"PUBLISHER_ADMIN_PASSWORD: {exc}") from None
        return generated


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown user names against, so they take as long as known ones."""
    return hash_password(secrets.token_hex(16))


def _append(log: str, line: str) -> str:
    lines = (log.splitlines() if log else []) + line.splitlines()
    return "\n".join(lines[-LOG_LINES:])


def _sqlite_setup(engine: sa.Engine) -> None:
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
