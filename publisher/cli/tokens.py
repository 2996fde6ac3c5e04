"""``publisher token``: API tokens for other systems (``Authorization: Bearer …`` on /api/v1/)."""

from __future__ import annotations

import json

import click

from publisher.cli.context import Ctx, actor, pass_ctx


@click.group()
def token() -> None:
    """Make, list and revoke the API tokens of editors."""


@token.command("create")
@click.argument("user")
@click.option("--label", default="", help="What the token is for (shown by 'publisher token list').")
@pass_ctx
def token_create(ctx: Ctx, user: str, label: str) -> None:
    """Make a token for USER; it is printed once, alone on the last line, and stored only hashed."""
    store = ctx.open_store()
    try:
        record, secret = store.create_token(user, label, by=actor())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"Token #{record.id} for {user}; send it as 'Authorization: Bearer <token>'. It is shown only now:")
    click.echo(secret)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def token_list(ctx: Ctx, as_json: bool) -> None:
    """Every token: number, user, label, when made, last used, revoked."""
    store = ctx.open_store()
    try:
        rows = store.tokens()
    finally:
        store.close()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": t.id,
                        "user": t.username,
                        "label": t.label,
                        "created_at": t.created_at.isoformat(),
                        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                        "revoked": t.revoked_at is not None,
                    }
                    for t in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not rows:
        click.echo("No tokens; make one with 'publisher token create USER'.")
    for t in rows:
        used = f"last used {t.last_used_at:%Y-%m-%d %H:%M} UTC" if t.last_used_at else "never used"
        state = "REVOKED" if t.revoked_at else "active"
        click.echo(f"#{t.id}  {t.username}  {state}  made {t.created_at:%Y-%m-%d %H:%M} UTC, {used}  {t.label}".rstrip())


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_ctx
def token_revoke(ctx: Ctx, token_id: int) -> None:
    """Revoke token number TOKEN_ID (see 'publisher token list'); requests with it get 401 from now on."""
    store = ctx.open_store()
    try:
        done = store.revoke_token(token_id, by=actor())
    finally:
        store.close()
    if not done:
        raise click.ClickException(f"there is no active token #{token_id}; see 'publisher token list'")
    click.echo(f"Token #{token_id} is revoked.")
