"""What the store hands out: plain frozen dataclasses, safe for templates and threads; and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from publisher.results import BuildState, ChannelResult

#: Why a build whose server or worker stopped was failed.
INTERRUPTED = "interrupted: the server stopped while this build ran; start it again"


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
class BuildRecord:
    id: int
    issue_id: str
    channels: list[str]
    state: BuildState
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results: dict[str, ChannelResult]
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
        return self.state is BuildState.SUCCEEDED

    @property
    def active(self) -> bool:
        return self.state.active

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
class Withdrawn:
    """An issue taken off the public site (its URLs answer 410 Gone) and the build that was live."""

    issue_id: str
    build_id: int | None
    at: datetime
    by: str | None


@dataclass(frozen=True)
class LiveState:
    """What is live, as one reading: the version token, each published issue's live build, the withdrawn issues."""

    version: str  # "" before anything was ever published (or in a database older than the token)
    builds: dict[str, int]  # issue id → live build id, newest issue first
    withdrawn: tuple[str, ...]


@dataclass(frozen=True)
class User:
    """A signed-up editor; also usable directly as a Flask-Login user."""

    username: str
    created_at: datetime
    locale: str | None = None  # the admin's language chosen by this editor; None: the default
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.username
