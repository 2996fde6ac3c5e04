"""``publisher newsletter``: send an issue by e-mail, resume a mailing cut short, list subscribers."""

from __future__ import annotations

import click

from publisher.cli.context import Ctx, actor, pass_ctx


@click.group()
def newsletter() -> None:
    """The issue as an e-mail to subscribers (SMTP from $PUBLISHER_SMTP_URL)."""


@newsletter.command("send")
@click.argument("issue")
@click.option("--to", "address", help="Send only to this address, as a proof (not recorded; subscribers still get it).")
@pass_ctx
def send(ctx: Ctx, issue: str, address: str | None) -> None:
    """Send the published ISSUE to every confirmed subscriber, each at most once.

    The mailing runs in this process; if it is stopped, 'publisher newsletter
    resume' (or the next server start) carries on where it stopped.
    """
    from publisher.keys import secret_key
    from publisher.mailing.compose import issue_message
    from publisher.mailing.jobs import newsletter_of, run_mailing
    from publisher.mailing.smtp import MailError, SmtpServer, send_one
    from publisher.mailing.tokens import Links

    config = ctx.config
    issue_id = ctx.issue_id(issue)
    store = ctx.open_store()
    try:
        server = SmtpServer.from_config(config.mail)
        build_id, letter = newsletter_of(store, issue_id)
        if address:
            send_one(server, issue_message(letter, address, Links(secret_key(config), config.site.url), config))
            click.echo(f"Sent {issue_id} to {address} (a proof; not recorded).")
            return
        mailing = store.new_mailing(issue_id, build_id, actor())
        click.echo(
            f"Mailing #{mailing.id}: {issue_id} (build #{build_id}) to {len(store.subscribers('confirmed'))} subscriber(s)…"
        )
        _report(run_mailing(mailing.id, config=config, store=store))
    except MailError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


@newsletter.command("resume")
@pass_ctx
def resume(ctx: Ctx) -> None:
    """Carry on with every mailing that was stopped before it finished."""
    from publisher.mailing.jobs import run_mailing

    store = ctx.open_store()
    try:
        unfinished = store.unfinished_mailings()
        if not unfinished:
            click.echo("No mailing to resume.")
        for mailing in unfinished:
            click.echo(f"Resuming mailing #{mailing.id} of {mailing.issue_id}…")
            _report(run_mailing(mailing.id, config=ctx.config, store=store))
    finally:
        store.close()


@newsletter.command("subscribers")
@click.option("--state", type=click.Choice(["pending", "confirmed", "unsubscribed"]), help="Only these.")
@pass_ctx
def subscribers(ctx: Ctx, state: str | None) -> None:
    """List the newsletter's subscribers."""
    store = ctx.open_store()
    try:
        for subscriber in store.subscribers(state):
            click.echo(f"{subscriber.address}\t{subscriber.state}\t{subscriber.created_at:%Y-%m-%d}")
    finally:
        store.close()


def _report(mailing) -> None:
    counts = ", ".join(f"{n} {state}" for state, n in sorted(mailing.counts.items())) or "nothing to send"
    if mailing.error:
        raise click.ClickException(f"mailing #{mailing.id} could not be sent: {mailing.error}")
    if not mailing.done:
        raise click.ClickException(
            f"mailing #{mailing.id} stopped ({counts}): the SMTP server went away; run 'publisher newsletter resume'"
        )
    click.echo(f"Mailing #{mailing.id} done: {counts}.")
