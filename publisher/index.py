"""A cache of parsed issues, keyed by the size and modification time of every file in each issue folder.

Feeds and the digest's archive read the newest 10–50 issues at every build, and
``publisher issues`` and the admin's dashboard list the newest; parsing every article of every issue again
through the line-tracking loader is what made a large archive slow. The index
keeps each loaded issue as JSON in one SQLite file (``<data>/index.sqlite``)
beside the signature of its folder; a different signature means the folder
changed, and it is parsed again. Only a stat of each file is needed to know.
``publisher index --rebuild`` parses everything anew; ``--check`` compares every
entry with a fresh parse.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import loading
from publisher.model import Issue

if TYPE_CHECKING:
    from publisher.config import Config

#: The index's file, in the data folder.
INDEX_FILE = "index.sqlite"

#: The layout of the index file; a file of another version is emptied and filled again (it is only a cache).
VERSION = 3
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS issues (id TEXT PRIMARY KEY, signature TEXT NOT NULL, title TEXT NOT NULL, "
    "articles INTEGER NOT NULL, model TEXT NOT NULL, outline TEXT NOT NULL, warnings TEXT NOT NULL)"
)


def outline_of(issue: Issue) -> Issue:
    """``issue`` without its articles' bodies: masthead, sections, headlines, bylines and figures, what an archive
    page lists, at a fraction of the cost of reading the whole issue."""
    return issue.model_copy(update={"articles": tuple(a.model_copy(update={"body": ()}) for a in issue.articles)})


def signature(folder: Path) -> str:
    """The name, size and modification time (ns) of every file of an issue folder, hashed."""
    digest = hashlib.blake2b(digest_size=16)
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                info = entry.stat()
                digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class IssueIndex:
    """Issues of one content folder, parsed once per change of their files."""

    def __init__(self, path: Path, content_dir: Path):
        self.path = Path(path)
        self.content_dir = Path(content_dir)
        self._local = threading.local()

    @classmethod
    def of(cls, config: Config) -> IssueIndex:
        """The index of ``config``'s content folder (here, not in the pipeline: listing issues imports no channel)."""
        return cls(config.data_dir / INDEX_FILE, config.content_dir)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                db.execute("DROP TABLE IF EXISTS issues")
                db.execute(f"PRAGMA user_version = {VERSION}")
            db.execute(SCHEMA)
            self._local.db = db
        return db

    def load(self, issue_id: str, outline: bool = False) -> Issue:
        """The issue (with ``outline``, its :func:`outline_of`), from the index when its files are unchanged;
        raises ``loading.ContentErrors`` like the loader."""
        folder = loading.issue_dir(self.content_dir, issue_id)
        current = signature(folder)
        column = "outline" if outline else "model"
        row = self._db().execute(f"SELECT signature, {column} FROM issues WHERE id = ?", (issue_id,)).fetchone()
        if row is not None and row[0] == current:
            return Issue.model_validate_json(row[1])
        loaded = self._parse(issue_id, folder, current)
        return outline_of(loaded.issue) if outline else loaded.issue

    def load_checked(self, issue_id: str) -> loading.Loaded:
        """The issue with the loader's warnings, as :func:`loading.load` gives them, from the index when its files
        are unchanged (a build of an unchanged issue parses nothing); raises ``loading.ContentErrors`` like it."""
        folder = loading.issue_dir(self.content_dir, issue_id)
        current = signature(folder)
        row = self._db().execute("SELECT signature, model, warnings FROM issues WHERE id = ?", (issue_id,)).fetchone()
        if row is not None and row[0] == current:
            warnings = [
                loading.Problem(Path(w["path"]), w["line"], w["message"], w["code"], w["params"]) for w in json.loads(row[2])
            ]
            return loading.Loaded(Issue.model_validate_json(row[1]), warnings)
        return self._parse(issue_id, folder, current)

    def _parse(self, issue_id: str, folder: Path, current: str) -> loading.Loaded:
        """Parse ``folder`` and keep the issue, its outline and its warnings under the signature ``current``."""
        loaded = loading.load(folder)
        issue = loaded.issue
        warnings = [
            {"path": str(w.path), "line": w.line, "message": w.message, "code": w.code, "params": w.params}
            for w in loaded.warnings
        ]
        self._db().execute(
            "INSERT OR REPLACE INTO issues (id, signature, title, articles, model, outline, warnings) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                issue_id,
                current,
                issue.title,
                len(issue.articles),
                issue.model_dump_json(),
                outline_of(issue).model_dump_json(),
                json.dumps(warnings, ensure_ascii=False, default=str),
            ),
        )
        return loaded

    def summary(self, issue_id: str) -> tuple[str, int]:
        """(title, number of articles) of an issue, without reading its model when its files are unchanged."""
        folder = loading.issue_dir(self.content_dir, issue_id)
        row = self._db().execute("SELECT signature, title, articles FROM issues WHERE id = ?", (issue_id,)).fetchone()
        if row is not None and row[0] == signature(folder):
            return row[1], row[2]
        issue = self.load(issue_id)
        return issue.title, len(issue.articles)

    def stored_texts(self) -> dict[str, str]:
        """Every indexed issue's title, number of articles and first headline as last read, files unchecked: what
        the OPDS search narrows by before it reads the mastheads of the issues that may match."""
        rows = self._db().execute("SELECT id, title, articles, json_extract(outline, '$.articles[0].headline') FROM issues")
        return {issue_id: f"{title} {articles} {lead or ''}" for issue_id, title, articles, lead in rows}

    def row(self, issue_id: str) -> dict:
        """The issue as listings show it (``publisher issues``, the dashboard, the API): its title and number of
        articles, or how many problems keep it from loading; its files are checked, its model is not read."""
        try:
            title, articles = self.summary(issue_id)
        except loading.ContentErrors as exc:
            return {"id": issue_id, "title": None, "articles": None, "ok": False, "problems": len(exc.problems)}
        return {"id": issue_id, "title": title, "articles": articles, "ok": True}

    def rebuild(self) -> int:
        """Forget everything and parse every issue that loads; how many were indexed."""
        self._db().execute("DELETE FROM issues")
        count = 0
        for issue_id in loading.list_issue_ids(self.content_dir):
            try:
                self.load(issue_id)
            except loading.ContentErrors:
                continue
            count += 1
        return count

    def check(self) -> list[str]:
        """Ids whose indexed issue differs from a fresh parse of its folder (should be none)."""
        wrong = []
        for issue_id, model in self._db().execute("SELECT id, model FROM issues").fetchall():
            try:
                fresh = loading.load_issue(loading.issue_dir(self.content_dir, issue_id))
            except (loading.ContentErrors, OSError):
                wrong.append(issue_id)
                continue
            if Issue.model_validate_json(model) != fresh:
                wrong.append(issue_id)
        return wrong

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
