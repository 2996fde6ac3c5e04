"""``publisher up`` (build, publish and serve the newest issue) and ``publisher serve``."""

from __future__ import annotations

import os
import shutil
import sys
import time

import click

from publisher.cli.context import Ctx, pass_ctx
from publisher.results import BuildState


def _sign_in_help(config, store, local: str) -> None:
    """Make sure the admin user exists; tell where the admin and the public URLs are and how to sign in."""
    generated = store.ensure_admin(os.environ.get("PUBLISHER_ADMIN_PASSWORD"))
    click.echo(f"Public: {local}/issues/ (往期, 手机版)  {local}/epaper/ (数字报)  {local}/search  {local}/feed.xml")
    if config.site.url != local:
        click.echo(
            f"        (feeds and downloads link to site.url {config.site.url}; set it, or $PUBLISHER_SITE_URL, "
            "to the address readers use)"
        )
    click.echo(f"Admin:  {local}/admin/  (user: admin)")
    if generated:
        click.echo(f"        password: {generated}")
        click.echo("        (generated now and shown once; set PUBLISHER_ADMIN_PASSWORD or run 'publisher user add' for more)")
    elif os.environ.get("PUBLISHER_ADMIN_PASSWORD"):
        click.echo("        password: the value of $PUBLISHER_ADMIN_PASSWORD")
    else:
        click.echo("        password: the one set when the admin user was created (see 'publisher user --help')")


def wait_for(store, build_id: int, timeout: float, echo=click.echo):
    """Poll a build until it ends, printing each channel as it starts and finishes; return the record."""
    seen: dict[str, BuildState] = {}
    started = time.monotonic()
    waiting_said = False
    while True:
        record = store.get_build(build_id)
        for name in record.channels:
            state = record.results.get(name) if record.results else None
            current = state.state if state else BuildState.QUEUED
            if seen.get(name) == current or current is BuildState.QUEUED:
                continue
            seen[name] = current
            assert state is not None  # a channel without a state is queued, skipped above
            if current is BuildState.RUNNING:
                echo(f"  {name:<10} building…")
            elif current is BuildState.SUCCEEDED:
                echo(f"  {name:<10} ✓ {state.seconds or 0:.1f} s, {state.bytes / 1024:.0f} KiB")
            else:
                echo(f"  {name:<10} ✗ {state.error}")
        if record.state.finished:
            return record
        if record.state is BuildState.QUEUED and not waiting_said and time.monotonic() > started + 5:
            echo("  (still queued: with an RQ queue, start a worker with 'publisher worker')")
            waiting_said = True
        if time.monotonic() > started + timeout:
            raise click.ClickException(f"build #{build_id} did not finish in {timeout:.0f} s; see it in the admin")
        time.sleep(0.25)


def build_and_publish(ctx: Ctx, store, queue, issue_id: str, user: str = "admin") -> bool:
    """Build ``issue_id`` into every channel through the queue, wait, publish it if it succeeded."""
    from publisher.store import BuildInProgress, PublishError

    loaded = ctx.load(issue_id)
    click.echo(f"Building {loaded.issue.title} ({issue_id}) into every channel…")
    try:
        record = queue.submit(issue_id, None, user)
    except BuildInProgress as exc:
        click.echo(f"  build #{exc.existing.id} is already running; waiting for it")
        record = exc.existing
    record = wait_for(store, record.id, ctx.config.queue.build_timeout * max(1, len(record.channels)) + 60)
    if not record.ok:
        click.echo(f"Build #{record.id} failed; nothing was published. Open the admin to see why.", err=True)
        return False
    try:
        store.publish(record.id, user)
    except PublishError as exc:
        click.echo(f"Build #{record.id} was not published: {exc}", err=True)
        return False
    click.echo(f"Published build #{record.id} ({record.seconds or 0:.1f} s).")
    return True


#: What ``--gunicorn`` runs: publisher's gunicorn settings (publisher/gunicorn_conf.py), the documented deployment.
GUNICORN_CONF = "python:publisher.gunicorn_conf"


def _exec_gunicorn(ctx: Ctx, host: str, port: int, workers: int | None) -> None:
    """Replace this process with gunicorn serving the app with :data:`GUNICORN_CONF` (threads, keep-alive)."""
    exe = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if ctx.config_path:
        os.environ["PUBLISHER_CONFIG"] = ctx.config_path
    processes: list[str] = []
    if not ctx.config.queue.url:  # the embedded queue lives in one process: threads, not processes
        click.echo("queue.url is not set: one gunicorn process with threads (set queue.url for more processes)")
    elif workers is not None:
        processes = ["--workers", str(workers)]
    args = [exe, "-c", GUNICORN_CONF, *processes, "--bind", f"{host}:{port}", "--access-logfile", "-"]
    click.echo(f"Starting gunicorn on http://{host}:{port}/")
    os.execv(exe, [*args, "publisher.admin:create_app()"])


def _run_single(app, host: str, port: int) -> None:
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl-C to stop; use --gunicorn in production)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--rebuild", is_flag=True, help="Build and publish again even when the newest issue is already live.")
@click.option("--no-serve", is_flag=True, help="Build and publish, then exit (e.g. before starting gunicorn).")
@click.option("--gunicorn", "use_gunicorn", is_flag=True, help="Then serve under gunicorn (as 'serve --gunicorn').")
@pass_ctx
def up(ctx: Ctx, host: str, port: int, rebuild: bool, no_serve: bool, use_gunicorn: bool) -> None:
    """Build the newest issue into every channel, publish it and serve the admin and the public site."""
    from publisher import loading, sample
    from publisher.admin import create_app
    from publisher.jobs import make_queue

    config = ctx.config
    if not loading.list_issue_ids(config.content_dir):
        for copied in sample.copy_into(config.content_dir):
            click.echo(f"The content folder was empty: copied the sample issue {copied} into it.")
    store = ctx.open_store()
    issue_id = ctx.issue_id(None)
    queue = make_queue(config, store, config_path=ctx.config_path)
    try:
        live = store.live_build(issue_id)
        ok = True
        if live is not None and not rebuild:
            click.echo(f"{issue_id} is live (build #{live.id}); not rebuilding (use --rebuild to build again).")
        else:
            ok = build_and_publish(ctx, store, queue, issue_id)
        _sign_in_help(config, store, f"http://{host}:{port}")
        if no_serve:
            if not ok:
                raise SystemExit(1)
            return
        if not use_gunicorn:
            _run_single(create_app(config, store=store, queue=queue), host, port)
            return
    finally:
        queue.close()
    store.close()
    _exec_gunicorn(ctx, host, port, None)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--gunicorn", "use_gunicorn", is_flag=True, help="Run under gunicorn (production) instead of one process.")
@click.option(
    "--workers", type=int, help="gunicorn worker processes with queue.url set  [default: two per CPU; one without queue.url]"
)
@pass_ctx
def serve(ctx: Ctx, host: str, port: int, use_gunicorn: bool, workers: int | None) -> None:
    """Serve the admin (/admin) and the public site (/feed.xml, /issues/…)."""
    config = ctx.config
    store = ctx.open_store()
    _sign_in_help(config, store, f"http://{host}:{port}")
    if use_gunicorn:
        store.close()
        _exec_gunicorn(ctx, host, port, workers)
    from publisher.admin import create_app
    from publisher.jobs import make_queue

    queue = make_queue(config, store, config_path=ctx.config_path)
    try:
        _run_single(create_app(config, store=store, queue=queue), host, port)
    finally:
        queue.close()
