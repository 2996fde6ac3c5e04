"""What a build is and what each channel of it gave: one record type for the pipeline, the queue and the store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class BuildState(StrEnum):
    """The state of a build and of each of its channels (a ``str``, so it compares and stores as text)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        return self in (BuildState.QUEUED, BuildState.RUNNING)

    @property
    def finished(self) -> bool:
        return not self.active


#: The states of a build that is not over yet.
ACTIVE = (BuildState.QUEUED, BuildState.RUNNING)


@dataclass(frozen=True)
class ChannelFile:
    """A file a channel wrote: its path relative to the channel's folder, media type and size."""

    path: str
    media_type: str
    bytes: int


@dataclass(frozen=True)
class ChannelResult:
    """One channel of one build: its state, time, files, and the error and warnings in an editor's words."""

    channel: str
    state: BuildState
    seconds: float | None = None
    files: tuple[ChannelFile, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()
    detail: str | None = field(default=None, compare=False)  # a traceback for logs; never stored or shown

    @property
    def ok(self) -> bool:
        return self.state is BuildState.SUCCEEDED

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict:
        """The stored form (JSON): everything but ``detail``."""
        data = asdict(self)
        data.pop("detail")
        data["state"] = str(self.state)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ChannelResult:
        return cls(
            channel=data["channel"],
            state=BuildState(data["state"]),
            seconds=data.get("seconds"),
            files=tuple(ChannelFile(**f) for f in data.get("files") or ()),
            error=data.get("error"),
            warnings=tuple(data.get("warnings") or ()),
        )

    @classmethod
    def failed(cls, channel: str, error: str, seconds: float | None = None, warnings=(), detail=None) -> ChannelResult:
        return cls(channel, BuildState.FAILED, seconds, error=error, warnings=tuple(warnings), detail=detail)
