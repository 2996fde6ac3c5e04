"""Jinja environments per channel: the site's override folder first, then the channel's own templates."""

from __future__ import annotations

from pathlib import Path

import jinja2


def search_path(name: str, own: Path, overrides: Path | None) -> list[Path]:
    """Folders searched for a channel's templates, first match wins: ``<overrides>/<name>/``, then ``own``."""
    return [*([overrides / name] if overrides is not None else []), own]


def environment(name: str, own: Path, overrides: Path | None = None, cache: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment for the templates of channel ``name``.

    With ``cache``, compiled templates are kept there (Jinja checks each template's
    source for changes), so a new process does not compile them again.
    """
    loader = jinja2.FileSystemLoader([str(p) for p in search_path(name, own, overrides)])
    bytecode = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(cache))
    return jinja2.Environment(
        loader=loader,
        bytecode_cache=bytecode,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
