"""Newsletter subscribers (double opt-in), mailings of an issue, and one delivery row per issue and address.

A delivery row is written *before* each message is handed to the SMTP server
(state ``sending``) and updated after (``sent`` or ``failed``). The unique
(issue, address) key means a restarted or repeated mailing never sends an issue
twice to one address; a row left in ``sending`` by a crash is marked
``uncertain`` and not retried (the server may have accepted the message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.base import Database

subscribers_t = sa.Table(
    "subscribers",
    schema.metadata,
    sa.Column("address", sa.String(320), primary_key=True),  # lower-cased
    sa.Column("state", sa.String(16), nullable=False),  # pending, confirmed, unsubscribed
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
)

mailings_t = sa.Table(
    "mailings",
    schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(64), nullable=False, index=True),
    sa.Column("build_id", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # queued, running, done
    sa.Column("requested_by", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("error", sa.Text),  # why it stopped short (no SMTP server, files gone), else NULL
)

deliveries_t = sa.Table(
    "deliveries",
    schema.metadata,
    sa.Column("issue_id", sa.String(64), primary_key=True),
    sa.Column("address", sa.String(320), primary_key=True),
    sa.Column("mailing_id", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # sending, sent, failed, uncertain
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("error", sa.Text),
)

PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"


@dataclass(frozen=True)
class Subscriber:
    address: str
    state: str
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


@dataclass(frozen=True)
class Mailing:
    id: int
    issue_id: str
    build_id: int
    state: str
    requested_by: str | None
    created_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]  # deliveries by state
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.state == "done"


def normalise(address: str) -> str:
    return address.strip().lower()


class Subscribers(Database):
    # ---- subscribers ----------------------------------------------------------------------------

    def subscribe(self, address: str) -> Subscriber:
        """Record a sign-up awaiting confirmation; a confirmed subscriber stays confirmed."""
        address = normalise(address)
        with self.writing() as conn:
            row = conn.execute(sa.select(subscribers_t).where(subscribers_t.c.address == address)).first()
            if row is None:
                conn.execute(subscribers_t.insert().values(address=address, state=PENDING, created_at=schema.utcnow()))
            elif row.state == UNSUBSCRIBED:
                conn.execute(subscribers_t.update().where(subscribers_t.c.address == address).values(state=PENDING))
        subscriber = self.subscriber(address)
        assert subscriber is not None  # written above; subscribers are never deleted
        return subscriber

    def confirm_subscriber(self, address: str) -> bool:
        """Confirm a pending sign-up (the signed link was followed); False for an unknown or unsubscribed address."""
        with self.writing() as conn:
            done = conn.execute(
                subscribers_t.update()
                .where(subscribers_t.c.address == normalise(address), subscribers_t.c.state == PENDING)
                .values(state=CONFIRMED, confirmed_at=schema.utcnow())
            ).rowcount
            if done:
                self.log_action(conn, None, "subscribed", detail=normalise(address))
        found = self.subscriber(address)
        return found is not None and found.state == CONFIRMED

    def unsubscribe(self, address: str) -> bool:
        with self.writing() as conn:
            done = conn.execute(
                subscribers_t.update()
                .where(subscribers_t.c.address == normalise(address), subscribers_t.c.state != UNSUBSCRIBED)
                .values(state=UNSUBSCRIBED, unsubscribed_at=schema.utcnow())
            ).rowcount
            if done:
                self.log_action(conn, None, "unsubscribed", detail=normalise(address))
        return bool(done)

    def subscriber(self, address: str) -> Subscriber | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(subscribers_t).where(subscribers_t.c.address == normalise(address))).first()
        return _subscriber(row) if row else None

    def subscribers(self, state: str | None = None) -> list[Subscriber]:
        query = sa.select(subscribers_t).order_by(subscribers_t.c.address)
        if state:
            query = query.where(subscribers_t.c.state == state)
        with self.reading() as conn:
            return [_subscriber(r) for r in conn.execute(query)]

    # ---- mailings and deliveries ------------------------------------------------------------------

    def new_mailing(self, issue_id: str, build_id: int, user: str | None) -> Mailing:
        with self.writing() as conn:
            mailing_id = schema.inserted_id(
                conn.execute(
                    mailings_t.insert().values(
                        issue_id=issue_id, build_id=build_id, state="queued", requested_by=user, created_at=schema.utcnow()
                    )
                )
            )
            self.log_action(conn, user, "newsletter-queued", issue_id, build_id, f"mailing #{mailing_id}")
        mailing = self.mailing(mailing_id)
        assert mailing is not None  # written above; mailings are never deleted
        return mailing

    def mailing(self, mailing_id: int) -> Mailing | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(mailings_t).where(mailings_t.c.id == mailing_id)).first()
            return self._mailing(conn, row) if row else None

    def mailings(self, limit: int = 50) -> list[Mailing]:
        with self.reading() as conn:
            rows = conn.execute(sa.select(mailings_t).order_by(mailings_t.c.id.desc()).limit(limit)).all()
            return [self._mailing(conn, r) for r in rows]

    def unfinished_mailings(self) -> list[Mailing]:
        """Mailings queued or cut off by a stop, oldest first: to run (again) at start-up."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(mailings_t).where(mailings_t.c.state != "done").order_by(mailings_t.c.id)).all()
            return [self._mailing(conn, r) for r in rows]

    def start_mailing(self, mailing_id: int) -> Mailing | None:
        """Mark it running; rows a crash left in ``sending`` for its issue become ``uncertain``. None when done."""
        with self.writing() as conn:
            row = conn.execute(sa.select(mailings_t).where(mailings_t.c.id == mailing_id)).first()
            if row is None or row.state == "done":
                return None
            conn.execute(mailings_t.update().where(mailings_t.c.id == mailing_id).values(state="running"))
            conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.issue_id == row.issue_id, deliveries_t.c.state == "sending")
                .values(state="uncertain", error="the sender stopped while handing this message over; it may have arrived")
            )
        return self.mailing(mailing_id)

    def finish_mailing(self, mailing_id: int, error: str | None = None) -> Mailing:
        """Mark it done (``error``: why it could not be sent at all)."""
        with self.writing() as conn:
            conn.execute(
                mailings_t.update()
                .where(mailings_t.c.id == mailing_id)
                .values(state="done", finished_at=schema.utcnow(), error=error)
            )
            mailing = self._mailing(conn, conn.execute(sa.select(mailings_t).where(mailings_t.c.id == mailing_id)).one())
            counts = error or ", ".join(f"{k} {v}" for k, v in sorted(mailing.counts.items())) or "no subscribers"
            self.log_action(conn, None, "newsletter-sent", mailing.issue_id, mailing.build_id, counts)
        return mailing

    def claim_delivery(self, mailing_id: int, issue_id: str, address: str) -> bool:
        """Write the row that says this message is being sent; False when the address had (or may have had) it.

        A ``failed`` delivery (refused by the server) is claimed again: it never arrived.
        """
        address = normalise(address)
        values = {"mailing_id": mailing_id, "state": "sending", "at": schema.utcnow(), "error": None}
        try:
            with self.writing() as conn:
                conn.execute(deliveries_t.insert().values(issue_id=issue_id, address=address, **values))
            return True
        except sa.exc.IntegrityError:
            with self.writing() as conn:
                return bool(
                    conn.execute(
                        deliveries_t.update()
                        .where(
                            deliveries_t.c.issue_id == issue_id,
                            deliveries_t.c.address == address,
                            deliveries_t.c.state == "failed",
                        )
                        .values(**values)
                    ).rowcount
                )

    def end_delivery(self, issue_id: str, address: str, error: str | None = None) -> None:
        with self.writing() as conn:
            conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.issue_id == issue_id, deliveries_t.c.address == normalise(address))
                .values(state="failed" if error else "sent", at=schema.utcnow(), error=error)
            )

    def deliveries(self, issue_id: str) -> dict[str, str]:
        """Address → delivery state for one issue."""
        with self.reading() as conn:
            query = sa.select(deliveries_t.c.address, deliveries_t.c.state).where(deliveries_t.c.issue_id == issue_id)
            return dict(conn.execute(query).all())

    def _mailing(self, conn: sa.Connection, row) -> Mailing:
        query = (
            sa.select(deliveries_t.c.state, sa.func.count())
            .where(deliveries_t.c.mailing_id == row.id)
            .group_by(deliveries_t.c.state)
        )
        return Mailing(
            row.id,
            row.issue_id,
            row.build_id,
            row.state,
            row.requested_by,
            schema.aware(row.created_at),
            schema.aware(row.finished_at),
            dict(conn.execute(query).all()),
            row.error,
        )


def _subscriber(row) -> Subscriber:
    return Subscriber(
        row.address, row.state, schema.aware(row.created_at), schema.aware(row.confirmed_at), schema.aware(row.unsubscribed_at)
    )
