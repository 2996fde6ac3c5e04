"""API tokens: one or more per editor, shown once when made, stored only as a SHA-256 hash.

A token is 32 random bytes, so a plain hash is enough (nothing to guess);
``last_used_at`` shows which tokens are in use before one is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.base import Database
from publisher.store.records import User

#: What every token starts with, so a leaked one is recognisable (secret scanners, logs).
PREFIX = "pub_"

tokens_t = sa.Table(
    "api_tokens",
    schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)


@dataclass(frozen=True)
class ApiToken:
    id: int
    username: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens(Database):
    if TYPE_CHECKING:  # from Accounts, beside this in Store

        def get_user(self, username: str) -> User | None: ...

    def create_token(self, username: str, label: str = "", by: str | None = None) -> tuple[ApiToken, str]:
        """A new token for ``username`` (who must exist): its record and the token itself, which is not kept."""
        if self.get_user(username) is None:
            raise ValueError(f"there is no user named {username!r}; add one with 'publisher user add'")
        token = PREFIX + secrets.token_urlsafe(32)
        with self.writing() as conn:
            token_id = schema.inserted_id(
                conn.execute(
                    tokens_t.insert().values(username=username, token_hash=_hash(token), label=label, created_at=schema.utcnow())
                )
            )
            self.log_action(conn, by, "token-created", detail=f"#{token_id} {username} {label}".strip())
            row = conn.execute(sa.select(tokens_t).where(tokens_t.c.id == token_id)).one()
        return _token(row), token

    def tokens(self, username: str | None = None) -> list[ApiToken]:
        query = sa.select(tokens_t).order_by(tokens_t.c.id)
        if username is not None:
            query = query.where(tokens_t.c.username == username)
        with self.reading() as conn:
            return [_token(row) for row in conn.execute(query)]

    def revoke_token(self, token_id: int, by: str | None = None) -> bool:
        """Revoke a token; False when there is no such active token."""
        with self.writing() as conn:
            done = conn.execute(
                tokens_t.update()
                .where(tokens_t.c.id == token_id, tokens_t.c.revoked_at.is_(None))
                .values(revoked_at=schema.utcnow())
            ).rowcount
            if done:
                self.log_action(conn, by, "token-revoked", detail=f"#{token_id}")
        return bool(done)

    def user_for_token(self, token: str):
        """The user a valid, unrevoked token belongs to, else None."""
        with self.writing() as conn:
            row = conn.execute(
                sa.select(tokens_t).where(tokens_t.c.token_hash == _hash(token), tokens_t.c.revoked_at.is_(None))
            ).first()
            if row is None:
                return None
            conn.execute(tokens_t.update().where(tokens_t.c.id == row.id).values(last_used_at=schema.utcnow()))
        return self.get_user(row.username)


def _token(row) -> ApiToken:
    m = row._mapping
    return ApiToken(
        m["id"], m["username"], m["label"], schema.aware(m["created_at"]), schema.aware(m["last_used_at"]),
        schema.aware(m["revoked_at"]),
    )  # fmt: skip
