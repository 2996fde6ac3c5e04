"""Every save of an article or a masthead, kept so that any of them can be read back and restored.

A revision holds the file's text before and after the save (None when the file
was created or deleted), who saved it and when, and a readable summary of what
changed in Chinese (made by :mod:`publisher.editing.diff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from publisher.store import schema
from publisher.store.base import Database

revisions_t = sa.Table(
    "revisions",
    schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(64), nullable=False, index=True),
    sa.Column("target", sa.String(200), nullable=False),  # an article slug, or "issue.yaml"
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("diff", sa.Text, nullable=False, default=""),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
)


@dataclass(frozen=True)
class Revision:
    id: int
    issue_id: str
    target: str
    at: datetime
    user: str | None
    action: str
    summary: str
    diff: str
    before: str | None
    after: str | None


class Revisions(Database):
    def add_revisions(self, issue_id: str, user: str | None, action: str, entries: list[dict]) -> list[int]:
        """Record one revision per entry ({target, summary, diff, before, after}) and one history line; their ids."""
        ids = []
        with self.writing() as conn:
            now = schema.utcnow()
            for entry in entries:
                ids.append(
                    schema.inserted_id(
                        conn.execute(revisions_t.insert().values(issue_id=issue_id, at=now, user=user, action=action, **entry))
                    )
                )
            summary = "；".join(e["summary"] for e in entries if e.get("summary"))
            self.log_action(conn, user, action, issue_id, detail=summary[:2000])
        return ids

    def revisions(self, issue_id: str, target: str | None = None, limit: int = 100) -> list[Revision]:
        """Revisions of an issue (of one article or issue.yaml when ``target`` is given), newest first."""
        query = sa.select(revisions_t).where(revisions_t.c.issue_id == issue_id).order_by(revisions_t.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(revisions_t.c.target == target)
        with self.reading() as conn:
            return [_revision(row) for row in conn.execute(query)]

    def get_revision(self, revision_id: int) -> Revision | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(revisions_t).where(revisions_t.c.id == revision_id)).first()
        return _revision(row) if row else None


def _revision(row) -> Revision:
    m = row._mapping
    return Revision(
        m["id"], m["issue_id"], m["target"], schema.aware(m["at"]), m["user"], m["action"], m["summary"], m["diff"],
        m["before"], m["after"],
    )  # fmt: skip
