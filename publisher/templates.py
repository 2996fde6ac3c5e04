"""Jinja environments per channel: site overrides → channel layout → ``layouts/base``."""
from __future__ import annotations

from pathlib import Path

import jinja2

from publisher.config import PROJECT_ROOT

LAYOUTS = PROJECT_ROOT / "layouts"


def search_path(layout: str, layout_root: Path | None, overrides: Path | None) -> list[Path]:
    """Folders searched for a channel's templates, first match wins."""
    folders = []
    if overrides is not None:
        folders.append(overrides / layout)
    folders.append((layout_root or LAYOUTS) / layout)
    folders.append(LAYOUTS / "base")
    return folders


def environment(layout: str, layout_root: Path | None = None, overrides: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment for one channel's layout."""
    loader = jinja2.FileSystemLoader([str(p) for p in search_path(layout, layout_root, overrides)])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env
