"""Jinja environments per channel: the site's override folder first, then the channel's own templates."""

from __future__ import annotations

from pathlib import Path

import jinja2


def search_path(name: str, own: Path, overrides: Path | None) -> list[Path]:
    """Folders searched for a channel's templates, first match wins: ``<overrides>/<name>/``, then ``own``."""
    return [*([overrides / name] if overrides is not None else []), own]


def environment(name: str, own: Path, overrides: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment for the templates of channel ``name``."""
    loader = jinja2.FileSystemLoader([str(p) for p in search_path(name, own, overrides)])
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
