"""The sign-in limit's memory: attempts per account and per address, in the database every process shares."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.base import Database


class SignIns(Database):
    def begin_sign_in(self, keys: list[str], limit: int, window: float) -> tuple[list[int], int]:
        """Count an attempt against each of ``keys``, unless one of them is over ``limit`` in ``window`` seconds.

        Returns (the attempt's row ids, 0), or ([], seconds to wait) when refused. The attempt is
        counted before the password is checked, under a lock, so parallel tries cannot slip past
        the limit; :meth:`sign_in_succeeded` takes it back. Rows older than the window are evicted.
        """
        now = schema.utcnow()
        since = now - timedelta(seconds=window)
        table = schema.sign_in_attempts_t
        with self.exclusive(self.SIGN_IN_LOCK) as conn:
            conn.execute(table.delete().where(table.c.at < since))
            query = (
                sa.select(table.c.key, sa.func.count(), sa.func.min(table.c.at))
                .where(table.c.key.in_(keys), table.c.at >= since)
                .group_by(table.c.key)
            )
            waits = [
                (schema.aware(oldest) + timedelta(seconds=window) - now).total_seconds()
                for _key, count, oldest in conn.execute(query)
                if count >= limit
            ]
            if waits:
                return [], max(1, int(max(waits) + 0.999))
            ids = [schema.inserted_id(conn.execute(table.insert().values(key=key, at=now))) for key in keys]
            return ids, 0

    def sign_in_succeeded(self, attempt: list[int], account_key: str) -> None:
        """A correct password: the attempt does not count, nor do the account's earlier failures."""
        table = schema.sign_in_attempts_t
        with self.exclusive(self.SIGN_IN_LOCK) as conn:
            conn.execute(table.delete().where(sa.or_(table.c.id.in_(attempt), table.c.key == account_key)))
