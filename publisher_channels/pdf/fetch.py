"""The only way WeasyPrint reads anything: local files below a few allowed folders.

No network (http, https, ftp, data…), no redirects, no file outside the issue's
own folder and the layout folders, symlinks resolved before the check. Every
refusal is kept so the channel can report it.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves ``file:`` URLs inside ``roots`` and refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = [Path(os.path.realpath(r)) for r in roots]
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused: {url[:200]} (only files of the issue and of the layout may be read)")
        self.served.append(url)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        real = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        if not real.is_file():
            return None
        if not any(real.is_relative_to(root) for root in self.roots):
            return None
        return real
