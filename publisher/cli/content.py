"""Content commands: ``init``, ``issues``, ``check``, ``show``, ``build``, ``channels``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publisher.cli.context import Ctx, pass_ctx

if TYPE_CHECKING:
    from publisher.results import ChannelResult


@click.command("issues")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=30, show_default=True, help="List the newest N issues.")
@click.option("--all", "every", is_flag=True, help="List every issue (looks into every issue folder: slow with thousands).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table (the same rows; the count goes to stderr).")
@pass_ctx
def issues_cmd(ctx: Ctx, limit: int, every: bool, as_json: bool) -> None:
    """List the newest issues in the content folder, newest first, and how many issue folders there are in all.

    Each issue listed is checked against its files, so one edited since is read
    again (unchanged ones come from the index, unparsed). Only the newest are
    looked into, so the listing is as quick with 10,000 issues as with ten: give
    --limit N for more, --all for every issue.
    """
    from publisher import loading

    index = ctx.index()
    page = loading.issue_page(ctx.config.content_dir, None if every else limit)
    rows = [index.row(issue_id) for issue_id in page.ids]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        click.echo(f"No issues under {ctx.config.content_dir / 'issues'}.")
    else:
        for row in rows:
            if row["ok"]:
                click.echo(f"{row['id']}  {row['title']}  ({row['articles']} articles)")
            else:
                click.echo(f"{row['id']}  ✗ {row['problems']} problem(s): run 'publisher check {row['id']}'")
    if page.older and not every:
        click.echo(
            f"The newest {len(rows)} of {page.folders:,} issue folders; 'publisher issues --all' lists every issue, "
            "'--limit N' the newest N.",
            err=as_json,
        )
    elif rows:
        click.echo(f"{len(rows):,} issue(s) in all.", err=as_json)


@click.command()
@click.argument("issue", required=False)
@pass_ctx
def check(ctx: Ctx, issue: str | None) -> None:
    """Validate an issue's content (default: every issue); list every error and warning with file:line."""
    from publisher import loading
    from publisher.loading import ContentErrors

    ids = [ctx.issue_id(issue)] if issue else loading.list_issue_ids(ctx.config.content_dir)
    failed = 0
    for issue_id in ids:
        try:
            loaded = loading.load(loading.issue_dir(ctx.config.content_dir, issue_id))
        except ContentErrors as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            click.echo(f"{issue_id}: {len(exc.problems)} error(s)", err=True)
            continue
        for problem in loaded.warnings:
            click.echo(f"warning: {problem}", err=True)
        click.echo(f"{issue_id}: ok, {len(loaded.issue.articles)} articles, {len(loaded.warnings)} warning(s)")
    if failed:
        raise SystemExit(1)


@click.command()
@click.argument("issue", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the whole model as JSON.")
@pass_ctx
def show(ctx: Ctx, issue: str | None, as_json: bool) -> None:
    """Show an issue (default: the newest): masthead, sections and articles in reading order."""
    from publisher.serialize import issue_data

    model = ctx.load(ctx.issue_id(issue)).issue
    if as_json:
        click.echo(json.dumps(issue_data(model), ensure_ascii=False, indent=2))
        return
    click.echo(f"{model.title}  {model.weekday}  农历{model.lunar_date}")
    for section, articles in model.by_section():
        label = f" {section.page_label}" if section.page_label else ""
        click.echo(f"\n【{section.name}】{label}")
        for article in articles:
            byline = f"  — {article.byline}" if article.byline else ""
            click.echo(f"  {article.slug:<28} {article.headline}{byline}  ({article.char_count}字)")


@click.command()
@click.argument("issue", required=False)
@click.option(
    "--channel",
    "-c",
    "names",
    multiple=True,
    metavar="NAME",
    help="Build only this channel (repeatable). Default: every installed channel.",
)
@click.option(
    "--edition",
    "-e",
    "chosen",
    multiple=True,
    metavar="NAME",
    help="Build only this edition (repeatable): zh-Hans (as written) or one of 'editions:' in config.yaml. Default: all.",
)
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: 'output:' in config.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print the build manifest as JSON on stdout.")
@pass_ctx
def build(ctx: Ctx, issue: str | None, names: tuple[str, ...], chosen: tuple[str, ...], out: str | None, as_json: bool) -> None:
    """Build an issue (default: the newest) into every channel, or the ones named.

    Each channel is written to OUT/<issue>/<channel>/ (an edition's to
    OUT/<issue>/<edition>/<channel>/) only when it succeeds; a failed channel
    keeps its previous output. Exits 1 when any channel failed.
    """
    from publisher import pipeline
    from publisher.config import ConfigError

    issue_id = ctx.issue_id(issue)
    loaded = ctx.load(issue_id)
    channels = ctx.channels(names)
    try:
        wanted = [ctx.config.edition(e) for e in chosen] if chosen else [None, *ctx.config.editions]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    total = len(channels) * len(wanted)
    counter = {"n": 0}
    shown: set[str] = set()  # a missing photo is reported by every channel: say it once

    def progress(event: str, name: str, result: ChannelResult | None) -> None:
        if event == "start":
            counter["n"] += 1
            click.echo(f"[{counter['n']}/{total}] {name:<10} building…", err=True)
            return
        assert result is not None  # every event but "start" comes with the channel's result
        if result.ok:
            size = result.bytes
            click.echo(
                f"[{counter['n']}/{total}] {name:<10} ✓ {result.seconds:.2f} s, {len(result.files)} file(s), {size / 1024:.0f} KiB",
                err=True,
            )
            repeated = [warning for warning in result.warnings if warning in shown]
            for warning in result.warnings:
                if warning not in shown:
                    click.echo(f"          warning: {warning}", err=True)
                    shown.add(warning)
            if repeated:
                click.echo(f"          ({len(repeated)} warning(s) as above)", err=True)
        else:
            click.echo(f"[{counter['n']}/{total}] {name:<10} ✗ failed after {result.seconds:.2f} s: {result.error}", err=True)

    click.echo(f"Building {loaded.issue.title} ({issue_id}), {len(loaded.issue.articles)} articles", err=True)
    report = pipeline.BuildReport(issue_id, Path(out) if out else ctx.config.output_dir)
    for edition in wanted:
        part = pipeline.build(
            loaded.issue,
            channels,
            ctx.config,
            Path(out) if out else None,
            progress=progress,
            edition=edition.name if edition else None,
        )
        report.results += part.results
    if as_json:
        click.echo(json.dumps(report.manifest(), ensure_ascii=False, indent=2))
    else:
        for result in report.results:
            for path in report.paths(result):
                click.echo(path)
    if not report.ok:
        click.echo(f"{len(report.errors)} channel(s) failed; the other channels were built.", err=True)
        raise SystemExit(1)


@click.command("channels")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def channels_cmd(as_json: bool) -> None:
    """List installed channels and the package that provides each."""
    from publisher import plugins

    try:
        installed = plugins.discover()
    except plugins.PluginError as exc:
        raise click.ClickException(str(exc)) from None
    rows = [
        {"name": i.name, "title": i.cls.title if i.cls else None, "package": i.package, "target": i.target, "error": i.error}
        for i in installed.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = f"BROKEN: {row['error']}" if row["error"] else row["title"]
        click.echo(f"{row['name']:<10} {row['package']:<20} {state}")


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def init(folder: str | None) -> None:
    """Start a site in FOLDER (default: here): a config.yaml and content/ with the sample issue.

    Existing files are kept; run 'publisher build' or 'publisher up' in FOLDER next.
    """
    from publisher import sample

    site = Path(folder or ".").resolve()
    site.mkdir(parents=True, exist_ok=True)
    config = site / "config.yaml"
    if not config.exists():
        config.write_text(
            "# publisher configuration; every key is optional (see 'docs/configuration.md').\n"
            "content: content\noutput: out\ndata: data\n",
            encoding="utf-8",
        )
        click.echo(f"wrote {config}")
    for issue_id in sample.copy_into(site / "content"):
        click.echo(f"copied the sample issue {issue_id} into {site / 'content' / 'issues'}")
    click.echo(f"Next: cd {site} && publisher build")


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Forget the index and parse every issue again.")
@click.option("--check", "verify", is_flag=True, help="Compare every entry with a fresh parse of its files.")
@pass_ctx
def index_cmd(ctx: Ctx, rebuild: bool, verify: bool) -> None:
    """The index of parsed issues (<data>/index.sqlite) that feeds, archives and 'issues' read.

    It updates itself whenever an issue's files change (by size and modification
    time); rebuild it after restoring a backup, check it when in doubt.
    """
    index = ctx.index()
    if rebuild:
        click.echo(f"Indexed {index.rebuild()} issue(s).")
    if verify:
        wrong = index.check()
        if wrong:
            raise click.ClickException(
                f"{len(wrong)} entr(ies) differ from their files: {', '.join(wrong)}; run 'publisher index --rebuild'"
            )
        click.echo("Every entry matches its files.")
    if not (rebuild or verify):
        click.echo("Nothing to do: give --rebuild or --check (the index updates itself as issues change).")
