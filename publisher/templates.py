"""Jinja environments per channel: the site's override folder first, then the channel's own templates, then the
partials every channel may include (``publisher/partials/``: the search box, the article header), so channels share
markup without importing each other."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Callable

import jinja2

#: Templates and CSS pieces shared by channels.
PARTIALS = Path(__file__).resolve().parent / "partials"


def search_path(name: str, own: Path, overrides: Path | None) -> list[Path]:
    """Folders searched for a channel's templates, first match wins: ``<overrides>/<name>/``, ``own``, the partials."""
    return [*([overrides / name] if overrides is not None else []), own, PARTIALS]


class ConvertingLoader(jinja2.FileSystemLoader):
    """A loader whose template text goes through ``convert`` (an edition's script conversion) as it is read.

    Template syntax is ASCII, which the conversion leaves alone; only the words change.
    """

    def __init__(self, searchpath: list[str], convert: Callable[[str], str]):
        super().__init__(searchpath)
        self.convert = convert

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        return self.convert(source), filename, uptodate


def environment(
    name: str,
    own: Path,
    overrides: Path | None = None,
    cache: Path | None = None,
    convert: Callable[[str], str] | None = None,
    edition: str | None = None,
) -> jinja2.Environment:
    """A strict, autoescaping environment for the templates of channel ``name``, converted by ``convert`` if given.

    With ``cache``, compiled templates are kept there (Jinja checks each template's
    source for changes), so a new process does not compile them again; an edition's
    converted templates are kept apart, below ``<cache>/<edition>/``.
    """
    folders = [str(p) for p in search_path(name, own, overrides)]
    loader = ConvertingLoader(folders, convert) if convert else jinja2.FileSystemLoader(folders)
    bytecode = None
    if cache is not None:
        cache = cache / edition if convert and edition else cache
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


def with_fallback(env: jinja2.Environment, folder: Path) -> jinja2.Environment:
    """``env`` also finding templates in ``folder`` (shared ones), after its own, converted the same way."""
    convert = getattr(env.loader, "convert", None)
    extra = ConvertingLoader([str(folder)], convert) if convert else jinja2.FileSystemLoader(str(folder))
    return env.overlay(loader=jinja2.ChoiceLoader([*([env.loader] if env.loader else []), extra]))


def site_fault(exc: BaseException, overrides: Path | None) -> str | None:
    """The editor's sentence when ``exc`` arose in one of the site's own templates (``templates:``), else None.

    Jinja puts template files and lines into the traceback, so the innermost frame inside the site's
    folder names the file to fix; it is the site's template that failed, not publisher or the content.
    """
    if overrides is None:
        return None
    root = os.path.realpath(overrides)
    found = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        found = (exc.filename, exc.lineno)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if os.path.realpath(frame.f_code.co_filename).startswith(root + os.sep):
            found = (frame.f_code.co_filename, line)
    if found is None:
        return None
    name = Path(os.path.realpath(found[0])).relative_to(root).as_posix()
    detail = getattr(exc, "message", None) or str(exc)
    return (
        f"网站自己的模板 {name}（第{found[1]}行，在 config.yaml 的 templates: 文件夹里）出错：{type(exc).__name__}: {detail}。"
        "这是本网站模板覆盖文件的问题，不是 publisher 或稿件的问题；请改正这个文件，或删掉它以使用默认模板，然后重新生成"
    )
