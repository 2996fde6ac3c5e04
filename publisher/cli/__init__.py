"""The ``publisher`` command: the click group, and every command module registered on it.

Each command module imports :mod:`publisher.cli.context` and never this module,
so there is no import cycle; ``python -m publisher`` runs :func:`main`.
"""

from __future__ import annotations

import click

from publisher.cli import content, daemon, imports, newsletter, ops, serve, tokens
from publisher.cli.context import Ctx


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="PUBLISHER_CONFIG",
    help="config.yaml to use (default: ./config.yaml, else the embedded defaults).",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """publisher: one newspaper issue in; feed, EPUB, print PDF and mobile digest out.

    Issues live in content/issues/<id>/ (issue.yaml plus one Markdown file per
    article). Start with 'publisher init' (a site with the sample issue) or
    'publisher issues', check with 'publisher check', build with 'publisher
    build', publish and serve with 'publisher up'.
    """
    ctx.obj = Ctx(config_path)


for command in (
    content.init,
    content.issues_cmd,
    content.index_cmd,
    content.check,
    content.show,
    content.build,
    content.channels_cmd,
    imports.import_text_cmd,
    imports.import_pdf_cmd,
    serve.up,
    serve.serve,
    ops.worker,
    ops.user,
    ops.builds_cmd,
    ops.publish,
    ops.rollback,
    ops.unpublish,
    ops.history,
    ops.prune,
    tokens.token,
    newsletter.newsletter,
    daemon.daemon,
):
    main.add_command(command)
