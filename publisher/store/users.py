"""Editors' accounts: names and salted password hashes."""

from __future__ import annotations

import functools
import secrets

import sqlalchemy as sa

from publisher.passwords import check_password, hash_password
from publisher.store import schema
from publisher.store.base import Database
from publisher.store.records import User

#: The shortest password accepted.
MIN_PASSWORD = 8


class Accounts(Database):
    def add_user(self, username: str, password: str, by: str | None = None) -> User:
        """Add an editor; raises ValueError for a taken name or a password shorter than 8 characters."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise ValueError("a user name is 1 to 64 characters without spaces")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        created = schema.utcnow()
        try:
            with self.writing() as conn:
                conn.execute(
                    schema.users_t.insert().values(username=username, password_hash=hash_password(password), created_at=created)
                )
                self.log_action(conn, by, "user-added", detail=username)
        except sa.exc.IntegrityError:
            raise ValueError(f"there is already a user named {username!r}; choose another name") from None
        return User(username, created)

    def set_password(self, username: str, password: str, by: str | None = None) -> None:
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
        with self.writing() as conn:
            done = conn.execute(
                schema.users_t.update().where(schema.users_t.c.username == username).values(password_hash=hash_password(password))
            ).rowcount
            if not done:
                raise ValueError(f"there is no user named {username!r}; add one with 'publisher user add'")
            self.log_action(conn, by, "password-changed", detail=username)

    def get_user(self, username: str) -> User | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(schema.users_t).where(schema.users_t.c.username == username)).first()
        return User(row.username, schema.aware(row.created_at), row.locale) if row else None

    def set_locale(self, username: str, locale: str | None) -> None:
        """Keep the admin language ``username`` chose (None: back to the default)."""
        with self.writing() as conn:
            conn.execute(schema.users_t.update().where(schema.users_t.c.username == username).values(locale=locale))

    def users(self) -> list[User]:
        with self.reading() as conn:
            return [
                User(r.username, schema.aware(r.created_at), r.locale)
                for r in conn.execute(sa.select(schema.users_t).order_by(schema.users_t.c.username))
            ]

    def check_user(self, username: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (same work either way, so timing tells nothing)."""
        with self.reading() as conn:
            row = conn.execute(sa.select(schema.users_t).where(schema.users_t.c.username == username)).first()
        if row is None:
            check_password(_dummy_hash(), password)
            return None
        return (
            User(row.username, schema.aware(row.created_at), row.locale) if check_password(row.password_hash, password) else None
        )

    def ensure_admin(self, password_from_env: str | None) -> str | None:
        """Create ``admin`` when there is no user yet.

        Its password is ``password_from_env`` ($PUBLISHER_ADMIN_PASSWORD); without one a
        random password is generated and returned, once, for the caller to show.
        Returns None when nothing was generated.
        """
        with self.reading() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(schema.users_t)).scalar():
                return None
        password = password_from_env or secrets.token_urlsafe(12)
        generated = None if password_from_env else password
        try:
            self.add_user("admin", password, by="setup")
        except ValueError as exc:
            if "already" in str(exc):
                return None  # another process created it first
            raise ValueError(f"PUBLISHER_ADMIN_PASSWORD: {exc}") from None
        return generated


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown user names against, so they take as long as known ones."""
    return hash_password(secrets.token_hex(16))
