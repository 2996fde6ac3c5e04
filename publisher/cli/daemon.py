"""``publisher daemon``: start, stop and look at the resident process that runs short commands warm."""

from __future__ import annotations

import sys
import time

import click


@click.group()
def daemon() -> None:
    """Keep publisher loaded, so 'build', 'check', 'show', 'issues' and 'channels' start at once.

    Each of those commands spends most of its time starting Python and importing
    its libraries. 'publisher daemon start' keeps one process that has done this;
    the commands then run in a fresh copy of it (forked), with your terminal,
    folder and environment, and give the same output and exit status. Without a
    daemon, or when publisher was upgraded or edited since it started (it then
    stops by itself), they run as before and start one in the background for the
    next commands, which stops after 15 minutes without a command.
    PUBLISHER_DAEMON=manual uses only a daemon started here; PUBLISHER_DAEMON=off
    none at all.
    """


@daemon.command()
def start() -> None:
    """Start the daemon in the background (its log is beside its socket)."""
    from publisher import daemon as resident

    if status := resident.control("status"):
        click.echo(f"publisher daemon already running (pid {status['pid']})")
        return
    try:
        log = resident.spawn()
    except resident.DaemonError as exc:
        raise click.ClickException(str(exc)) from None
    deadline = time.monotonic() + 60
    while not (status := resident.control("status", timeout=1.0)):
        if time.monotonic() > deadline:
            raise click.ClickException(f"the daemon did not start; see {log}")
        time.sleep(0.05)
    click.echo(f"publisher daemon running (pid {status['pid']}); stop it with 'publisher daemon stop'")


@daemon.command()
@click.option("--idle", type=click.FloatRange(min=1), help="Stop after this many seconds without a command.")
def run(idle: float | None) -> None:
    """Run the daemon in the foreground (for a service manager such as systemd).

    It exits with status 75 when it stopped because publisher was upgraded or edited (start it
    again to run the new code), and 0 after 'publisher daemon stop'.
    """
    from publisher import daemon as resident

    try:
        changed = resident.serve(log=lambda line: click.echo(line, err=True), idle=idle)
    except resident.DaemonError as exc:
        raise click.ClickException(str(exc)) from None
    sys.exit(resident.CHANGED if changed else 0)


@daemon.command()
def stop() -> None:
    """Stop the daemon; commands run in their own process again."""
    from publisher import daemon as resident

    status = resident.control("stop")
    click.echo(f"publisher daemon {status['pid']} stopped" if status else "no publisher daemon is running")


@daemon.command()
def status() -> None:
    """Say whether the daemon runs, since when and how many commands it ran."""
    from publisher import daemon as resident

    found = resident.control("status")
    if not found:
        click.echo("no publisher daemon is running (start one with 'publisher daemon start')")
        sys.exit(3)
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(found["started"]))
    idle = f"; it stops after {found['idle']:g} s without a command" if found.get("idle") else ""
    click.echo(f"publisher daemon {found['pid']} running since {since}, {found['served']} command(s) run{idle}")
