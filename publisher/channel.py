"""The channel contract: what a plugin declares and what it gets to render with.

A channel is a class registered under the ``publisher.channels`` entry-point
group. It declares its ``name``, a human ``title``, the ``layout`` folder of
its templates (by default ``templates/`` beside the module that defines it, so
a wheel carries them) and an ``Options`` model for its part of ``config.yaml``,
and implements :meth:`Channel.render`, which writes files into ``ctx.out`` and
returns what it wrote. A channel that reads another channel's output (the
e-paper reads the PDF and its page map) names it in ``requires``: the pipeline
builds that one first and gives its finished folder through
:meth:`BuildContext.output_of`; a channel that reads one only when it is part
of the same build (the feeds read the PDF's page map for 第N版) names it in
``uses`` and gets it from :meth:`BuildContext.output_if_built`. Channels never
import each other.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ClassVar, TypeVar

import jinja2
from pydantic import BaseModel, ConfigDict

from publisher.config import SiteConfig
from publisher.model import Figure, Issue
from publisher.urls import Urls

O = TypeVar("O", bound=BaseModel)


class ChannelError(Exception):
    """A problem the editor can fix (a missing image, an impossible option); shown without a traceback."""


class NoOptions(BaseModel):
    """A channel without settings: any key under ``channels.<name>`` is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Output:
    """A file a channel wrote, relative to its output folder."""

    path: str
    media_type: str


@dataclass(frozen=True)
class EditionLink:
    """One edition of the site (a script of every issue), for ``hreflang`` links and an edition switch."""

    name: str  # zh-Hans, zh-Hant
    language: str  # the hreflang: the variant (zh-Hant-TW), or zh-Hans for the content as written
    label: str  # 简体, 繁體
    urls: Urls
    current: bool


def as_written(text: str) -> str:
    """The ``localize`` of the source edition: text as the content is written."""
    return text


@dataclass
class BuildContext:
    """What a channel renders with. Write only below ``out``; read only from ``issue_dir`` and layouts."""

    out: Path
    issue_dir: Path
    options: BaseModel
    urls: Urls
    templates: jinja2.Environment
    archive: Callable[..., list[Issue]]  # archive(n, outline=False)
    warnings: list[str] = field(default_factory=list)
    site: SiteConfig = field(default_factory=SiteConfig)  # time zone and publish hour for dates
    #: Finished folders of the channel's ``requires`` and of the ``uses`` built in the same build.
    required: dict[str, Path] = field(default_factory=dict)
    #: Words a channel writes from its own code (目录, 封面) in the edition's script; templates are converted already.
    localize: Callable[[str], str] = as_written
    #: Every edition of the site when there is more than one (the current one marked), else ().
    editions: tuple[EditionLink, ...] = ()

    def warn(self, message: str) -> None:
        """Report a non-fatal problem (e.g. a character no font has); it appears in the build report."""
        self.warnings.append(message)

    def output_of(self, channel: str) -> Path:
        """The finished output folder of ``channel``, one this channel ``requires``, from the same build."""
        try:
            return self.required[channel]
        except KeyError:
            raise ChannelError(
                f"渠道需要 {channel} 的输出，但没有声明 requires = ({channel!r},)；请告诉开发者"
                f" (the channel reads {channel} without declaring it in requires)"
            ) from None

    def output_if_built(self, channel: str) -> Path | None:
        """The finished output folder of ``channel``, one this channel ``uses``, if it was built in this build."""
        return self.required.get(channel)

    def figure_file(self, issue: Issue, figure: Figure) -> Path | None:
        """The image file of ``figure`` in ``issue`` (this one or an archive issue); None when it has none.

        Resolved again here (the loader checked it, but a file can be swapped for a link since):
        None when a symlink leads outside the issue folder, so a channel never embeds, copies or
        measures a file from elsewhere on the server.
        """
        if not (figure.src and figure.found):
            return None
        folder = os.path.realpath(self.issue_dir if issue.id == self.issue_dir.name else self.issue_dir.parent / issue.id)
        path = Path(os.path.realpath(Path(folder) / figure.src))
        return path if path.is_relative_to(folder) and path.is_file() else None

    def options_as(self, kind: type[O]) -> O:
        """:attr:`options` typed as the channel's own ``Options`` class (which the pipeline validated them with)."""
        if not isinstance(self.options, kind):
            raise TypeError(f"the options are {type(self.options).__name__}, not {kind.__name__}")
        return self.options

    @property
    def folders(self) -> list[str]:
        """The template folders searched, first match wins: site overrides, the channel's own, the partials."""
        loader = self.templates.loader
        assert isinstance(loader, jinja2.FileSystemLoader)  # templates.environment makes every channel's
        return [str(folder) for folder in loader.searchpath]

    def layout_source(self, name: str) -> str:
        """The text of a layout file (CSS, a static fragment), honouring site overrides."""
        assert self.templates.loader is not None
        return self.templates.loader.get_source(self.templates, name)[0]

    def render_template(self, name: str, **values) -> str:
        return self.templates.get_template(name).render(**values)

    def layout_path(self, name: str) -> Path:
        """A binary layout file (an image, a font), honouring site overrides."""
        folders = self.folders
        for folder in folders:
            if (Path(folder) / name).is_file():
                return Path(folder) / name
        raise ChannelError(f"layout file {name!r} is missing; put it in one of: {', '.join(folders)}")


class Channel:
    """Base class for channels. Subclasses set the class attributes and implement ``render``."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: The folder of this channel's templates; None means ``templates/`` beside the defining module.
    templates_dir: ClassVar[Path | None] = None
    Options: ClassVar[type[BaseModel]] = NoOptions
    #: Channels whose output this one reads; the pipeline builds them first, in the same build.
    requires: ClassVar[tuple[str, ...]] = ()
    #: Channels whose output this one reads when they are in the same build (built first then; never added).
    uses: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def template_folder(cls) -> Path:
        """Where this channel's own templates are; a site's ``<templates>/<name>/`` is searched before it."""
        if cls.templates_dir is not None:
            return Path(cls.templates_dir)
        return Path(inspect.getfile(cls)).resolve().parent / "templates"

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        """Write this channel's files for ``issue`` into ``ctx.out``; raise ChannelError for editor-fixable problems."""
        raise NotImplementedError
