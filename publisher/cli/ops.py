"""Operations commands: ``worker``, ``user``, ``builds``, ``prune``, ``publish``, ``rollback``, ``unpublish``, ``history``."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

import click

from publisher.cli.context import Ctx, actor, pass_ctx
from publisher.results import BuildState

#: How `publisher builds` marks each channel.
MARKS = {BuildState.SUCCEEDED: "✓", BuildState.FAILED: "✗"}


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
@pass_ctx
def worker(ctx: Ctx, burst: bool) -> None:
    """Run builds from the RQ queue on queue.url (start as many as you like, on any machine).

    Every worker needs the same database and the same data folder as the
    server (a shared folder), and the content folder.
    """
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, Worker

    from publisher import jobs, plugins

    config = ctx.config
    if not config.queue.url:
        raise click.ClickException(
            "queue.url is not set, so builds run inside 'publisher serve' and need no worker. To run builds "
            "in workers, set queue.url (e.g. redis://127.0.0.1:6379/0) in config.yaml or $PUBLISHER_QUEUE_URL"
        )
    if ctx.config_path:  # work horses load the config again: give them the same file
        os.environ["PUBLISHER_CONFIG"] = ctx.config_path
    connection = Redis.from_url(config.queue.url, socket_connect_timeout=5)
    try:
        connection.ping()
    except RedisError as exc:
        raise click.ClickException(
            f"cannot reach Redis at {config.queue.url} ({exc}); start redis-server or correct queue.url"
        ) from None
    ctx.open_store().close()
    channels = plugins.usable()
    click.echo(f"worker: queue {jobs.QUEUE_NAME!r} on {config.queue.url}; channels: {', '.join(channels) or 'none'}", err=True)
    rq_worker = Worker(
        [Queue(jobs.QUEUE_NAME, connection=connection)],
        connection=connection,
        work_horse_killed_handler=jobs.on_horse_killed,
        job_monitoring_interval=config.queue.heartbeat,  # how often it tells Redis it is alive while building
    )
    scheduler = None
    if not burst:  # scheduled publishing runs in workers too; each schedule is claimed by one runner
        from publisher import scheduling

        store = ctx.open_store()
        scheduler = scheduling.Scheduler(store, jobs.make_queue(config, store, config_path=ctx.config_path)).start()
    try:
        rq_worker.work(burst=burst, logging_level="INFO")
    finally:
        if scheduler is not None:
            scheduler.stop()


@click.group()
def user() -> None:
    """Manage the editors who may sign in to the admin."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_ctx
def user_add(ctx: Ctx, name: str, password_stdin: bool) -> None:
    """Add the editor NAME (the password is asked for twice)."""
    password = _password(password_stdin)
    store = ctx.open_store()
    try:
        store.add_user(name, password, by=actor())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added {name}; they sign in at {ctx.config.site.url}/admin/")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_ctx
def user_passwd(ctx: Ctx, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (also to recover the admin account)."""
    password = _password(password_stdin)
    try:
        ctx.open_store().set_password(name, password, by=actor())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"New password set for {name}.")


@user.command("list")
@pass_ctx
def user_list(ctx: Ctx) -> None:
    """List the editors."""
    for account in ctx.open_store().users():
        click.echo(f"{account.username:<20} added {ctx.config.site.local(account.created_at):%Y-%m-%d %H:%M %Z}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password (8 characters or more)", hide_input=True, confirmation_prompt=True)


def _build_row(record, live_ids: set[int]) -> dict:
    row = asdict(record)
    for key in ("created_at", "started_at", "finished_at", "pruned_at"):
        row[key] = row[key].isoformat() if row[key] else None
    row["seconds"] = record.seconds
    row["live"] = record.id in live_ids
    return row


@click.command("builds")
@click.argument("issue", required=False)
@click.option("--limit", default=20, show_default=True, help="How many builds to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def builds_cmd(ctx: Ctx, issue: str | None, limit: int, as_json: bool) -> None:
    """List builds, newest first (of ISSUE if given); the live one is marked."""
    store = ctx.open_store()
    records = store.builds(issue, limit)
    live_ids = set(store.live_state().builds.values())
    if as_json:
        click.echo(json.dumps([_build_row(r, live_ids) for r in records], ensure_ascii=False, indent=2))
        return
    if not records:
        click.echo("No builds yet; start one in the admin or with 'publisher up'.")
    for r in records:
        marks = " ".join(f"{name}{MARKS.get(s.state, '…')}" for name, s in r.results.items())
        took = f"{r.seconds:.1f} s" if r.seconds is not None else "–"
        live = "  LIVE" if r.id in live_ids else "  PRUNED" if r.pruned_at else ""
        click.echo(
            f"#{r.id:<5} {r.issue_id}  {r.state:<9} {took:>8}  {marks}  "
            f"{r.requested_by or '-'} {ctx.config.site.local(r.created_at):%Y-%m-%d %H:%M %Z}{live}"
        )
        for error in r.errors if r.state is BuildState.FAILED else []:
            click.echo(f"       ✗ {error}")


@click.command()
@click.option(
    "--keep",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="N",
    help="Finished builds to keep per issue, newest first (the live one counts).",
)
@click.option("--dry-run", is_flag=True, help="List what would be pruned; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def prune(ctx: Ctx, keep: int, dry_run: bool, as_json: bool) -> None:
    """Delete the files of old builds (their folders under <data>/builds/) to free disk space.

    For every issue it keeps the live build, every queued or running build and
    the N newest finished builds, so editors can still roll back to those. The
    records of pruned builds stay in 'publisher builds' and the history, marked
    PRUNED; they can no longer be published or rolled back to.
    """
    store = ctx.open_store()
    pruned = store.prune(keep, actor(), dry_run=dry_run)
    if as_json:
        live_ids = set(store.live_state().builds.values())
        rows = [_build_row(r, live_ids) for r in pruned]
        click.echo(json.dumps({"dry_run": dry_run, "keep": keep, "pruned": rows}, ensure_ascii=False, indent=2))
        return
    for r in pruned:
        click.echo(f"#{r.id:<5} {r.issue_id}  {r.state:<9} {r.created_at:%Y-%m-%d %H:%M}")
    verb = "Would prune" if dry_run else "Pruned"
    click.echo(
        f"{verb} {len(pruned)} build(s); kept the live, the active and the {keep} newest finished "
        f"build(s) of each issue." + (" Nothing was deleted (dry run)." if dry_run else "")
    )


@click.command()
@click.argument("build_id", type=int)
@pass_ctx
def publish(ctx: Ctx, build_id: int) -> None:
    """Make succeeded build BUILD_ID what the public URLs of its issue serve."""
    from publisher.store import PublishError

    store = ctx.open_store()
    try:
        record = store.publish(build_id, actor())
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Build #{record.id} of {record.issue_id} is live ({store.data_dir / 'live' / record.issue_id}).")


@click.command()
@click.argument("issue")
@click.argument("build_id", type=int)
@pass_ctx
def rollback(ctx: Ctx, issue: str, build_id: int) -> None:
    """Publish an earlier succeeded build BUILD_ID of ISSUE again."""
    from publisher.store import PublishError

    try:
        record = ctx.open_store().rollback(issue, build_id, actor())
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Rolled back: build #{record.id} of {issue} is live again.")


@click.command()
@click.argument("issue")
@pass_ctx
def unpublish(ctx: Ctx, issue: str) -> None:
    """Take ISSUE off the public site: its URLs answer 410 Gone and the feeds drop it.

    Publish one of its builds again ('publisher publish BUILD_ID') to put it back.
    """
    from publisher.store import PublishError

    try:
        build_id = ctx.open_store().unpublish(issue, actor())
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Unpublished {issue} (build #{build_id} was live); publish it again with 'publisher publish {build_id}'.")


@click.command()
@click.option("--limit", default=50, show_default=True, help="How many entries to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(ctx: Ctx, limit: int, as_json: bool) -> None:
    """Who did what and when, newest first."""
    entries = ctx.open_store().history(limit)
    if as_json:
        rows = [{**asdict(e), "at": e.at.isoformat()} for e in entries]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for e in entries:
        where = " ".join(x for x in (e.issue_id, f"#{e.build_id}" if e.build_id else None) if x)
        click.echo(
            f"{ctx.config.site.local(e.at):%Y-%m-%d %H:%M:%S %Z}  {e.user or '-':<16} {e.action:<16} {where}  {e.detail}".rstrip()
        )
