"""What every command shares: the configuration, issue lookup and loading, the store, the channels.

Command modules import this module and nothing of each other; the group in
``publisher.cli`` imports them all. The heavy parts (loading, channels, the store)
are imported where a command needs them, so ``publisher --help`` starts fast.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from publisher import loading
    from publisher.channel import Channel
    from publisher.config import Config


class Ctx:
    """The configuration (read when first needed) and the helpers commands use."""

    def __init__(self, config_path: str | None):
        self.config_path = os.path.abspath(config_path) if config_path else None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from publisher.config import ConfigError, load_config

            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._config

    def issue_id(self, issue: str | None) -> str:
        """``issue`` if it exists, the newest issue when None; a clear error otherwise."""
        from publisher import loading

        content = self.config.content_dir
        if issue is not None and loading.has_issue(content, issue):
            return issue  # looked up alone: an archive of thousands of issues is not listed for it
        newest = loading.issue_page(content, 5).ids
        if not newest:
            raise click.ClickException(
                f"no issues under {content / 'issues'}; add an issue folder, "
                "run 'publisher init' for the sample issue, or set 'content:' in config.yaml"
            )
        if issue is None:
            return newest[0]
        raise click.ClickException(f"no issue {issue!r}; the newest are {', '.join(newest)} (see 'publisher issues')")

    def load(self, issue_id: str) -> loading.Loaded:
        from publisher.loading import ContentErrors

        try:
            return self.index().load_checked(issue_id)  # parsed again only when a file of the issue changed
        except ContentErrors as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            raise click.ClickException(
                f"issue {issue_id} has {len(exc.problems)} problem(s); fix them and run 'publisher check {issue_id}'"
            ) from None

    def index(self):
        """The index of parsed issues of this configuration (see :mod:`publisher.index`)."""
        from publisher.index import IssueIndex

        return IssueIndex.of(self.config)

    def open_store(self):
        """The build store of this configuration, its tables created when missing."""
        from publisher.store import Store

        store = Store.from_config(self.config)
        store.create_all()
        return store

    def channels(self, names: tuple[str, ...] = ()) -> list[type[Channel]]:
        """The installed channels named (all when none), in order; broken plugins are warned about."""
        from publisher import plugins

        try:
            installed = plugins.discover(names or None)
        except plugins.PluginError as exc:
            raise click.ClickException(str(exc)) from None
        for info in installed.values():
            if info.error and (not names or info.name in names):
                click.echo(f"warning: channel {info.name} from {info.package} {info.error}", err=True)
        usable = plugins.usable(installed)
        unknown = [n for n in names if n not in usable]
        if unknown:
            raise click.ClickException(
                f"unknown channel(s): {', '.join(unknown)}; installed: {', '.join(usable) or 'none'} (see 'publisher channels')"
            )
        return [usable[n] for n in (names or usable)]


def actor() -> str:
    """Who did it, for the history: the operating-system user at the command line."""
    try:
        return f"{getpass.getuser()} (cli)"
    except Exception:  # no user name in this environment (some containers)
        return "cli"


pass_ctx = click.make_pass_decorator(Ctx)
