"""Find a build's files by lookup in its record, never by joining a path from a request."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

#: Media types for what channels write, with the charset readers need.
MEDIA_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".xhtml": "application/xhtml+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".epub": "application/epub+zip",
    ".pdf": "application/pdf",
    ".ncx": "application/x-dtbncx+xml; charset=utf-8",
    ".opf": "application/oebps-package+xml; charset=utf-8",
}
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/xhtml+xml")


@dataclass(frozen=True)
class BuildFile:
    path: Path  # absolute, from the build record
    media_type: str
    bytes: int


def media_type(name: str, recorded: str | None = None) -> str:
    """The recorded media type (with ``charset=utf-8`` for text), else one from the file name."""
    kind = recorded or MEDIA_TYPES.get(Path(name).suffix.lower()) or mimetypes.guess_type(name)[0]
    kind = kind or "application/octet-stream"
    if kind.startswith(TEXT_TYPES) and "charset" not in kind:
        kind += "; charset=utf-8"
    return kind


def channel_files(build, channel: str) -> dict[str, BuildFile]:
    """The files a channel of ``build`` recorded, by their path relative to the channel folder."""
    state = build.results.get(channel)
    if state is None or not state.ok:
        return {}
    folder = build.channel_dir(channel)
    return {f.path: BuildFile(folder / f.path, media_type(f.path, f.media_type), f.bytes) for f in state.files}
