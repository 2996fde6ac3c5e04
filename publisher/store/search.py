"""Search over published issues (and, for editors, drafts): one row per article, two SQLite FTS5 indexes.

* ``search_words_<scope>``: the text segmented into words by jieba (precise mode); a
  query of three or more characters is a phrase of its words, ranked by BM25
  with the headline weighted over kicker/subtitle/byline over the body.
* ``search_chars_<scope>``: every CJK character a token of its own, so a query is a
  phrase of characters: exact substring matching that works for one- and
  two-character queries (铝, 铝业), which word and trigram indexes cannot do,
  and the fallback when the word phrase finds nothing.

On PostgreSQL the same rows are searched with ``ILIKE`` (indexed by pg_trgm
when the extension can be created). Rows are written in the transaction that
publishes or rolls back (:mod:`publisher.store.live`), from the ``issue.json``
every build writes beside its channels; drafts are indexed from the content
folder when an editor searches (:meth:`Search.index_draft`).
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import jieba
import sqlalchemy as sa

from publisher import pagemap
from publisher.store import schema
from publisher.store.base import Database

jieba.setLogLevel(logging.WARNING)

LIVE, DRAFT = "live", "draft"
#: Characters of context either side of the first match in a snippet.
SNIPPET_CONTEXT = 40

search_docs_t = sa.Table(
    "search_docs",
    schema.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(8), nullable=False),  # live or draft
    sa.Column("issue_id", sa.String(64), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("slug", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # reading order in the issue
    sa.Column("section", sa.String(200), nullable=False),
    sa.Column("page", sa.Integer),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("meta", sa.Text, nullable=False),  # kicker, subtitle, series, byline, authors
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("search_docs_issue", "scope", "issue_id"),
)

#: What each draft issue was indexed from (a stamp of its files), so unchanged drafts are not read again.
search_issues_t = sa.Table(
    "search_issues",
    schema.metadata,
    sa.Column("scope", sa.String(8), primary_key=True),
    sa.Column("issue_id", sa.String(64), primary_key=True),
    sa.Column("stamp", sa.String(64), nullable=False),
)

_FTS_COLUMNS = "headline, meta, body"
#: One FTS5 table per index and scope (``search_words_live`` …), so a query ranks only its scope's rows.
FTS_TABLES = {(kind, scope): f"search_{kind}_{scope}" for kind in ("words", "chars") for scope in (LIVE, DRAFT)}
for _name in FTS_TABLES.values():
    sa.event.listen(
        search_docs_t,
        "after_create",
        sa.DDL(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_name} USING fts5({_FTS_COLUMNS}, tokenize='unicode61')").execute_if(
            dialect="sqlite"
        ),
    )
sa.event.listen(
    search_docs_t,
    "after_create",
    sa.DDL(
        "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
        "CREATE INDEX IF NOT EXISTS search_docs_trgm ON search_docs USING gin ((headline || ' ' || meta || ' ' || body) gin_trgm_ops); "
        "EXCEPTION WHEN OTHERS THEN NULL; END $$"
    ).execute_if(dialect="postgresql"),
)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"([{_CJK}])")
_PUNCT = re.compile(r"[^\w]+")
#: BM25 weights of the FTS columns: headline, kicker/subtitle/byline, body.
WEIGHTS = (10.0, 4.0, 1.0)


@dataclass(frozen=True)
class Hit:
    issue_id: str
    date: str
    slug: str
    section: str
    page: int | None
    headline: str  # HTML, the match in <mark>
    snippet: str  # HTML, the match in <mark>

    @property
    def page_label(self) -> str:
        return f"第{self.page}版" if self.page else ""


def words(value: str) -> str:
    """Text as jieba's words, separated by spaces (what the words indexes hold)."""
    return " ".join(w for w in jieba.lcut(value) if not _PUNCT.fullmatch(w))


def chars(value: str) -> str:
    """Text with every CJK character on its own (what the character indexes hold)."""
    return _CJK_CHAR.sub(r" \1 ", value)


def _phrase(tokens: str) -> str | None:
    """An FTS5 phrase query of space-separated tokens, or None when nothing searchable is left."""
    parts = [p for p in _PUNCT.sub(" ", tokens).split() if p]
    return '"' + " ".join(parts) + '"' if parts else None


def printed_pages(issue_out: Path) -> dict[str, int]:
    """The 版 each article of a build starts on, as readers see it: the e-paper's pages when it was built (an
    imported issue's own print pages), else the print PDF's page map; empty when neither was built."""
    pages: dict[str, int] = {}
    for regions in sorted((issue_out / "epaper").glob("[0-9]*/regions.json")):
        page = json.loads(regions.read_text(encoding="utf-8"))
        for article in page["articles"]:
            pages.setdefault(article["slug"], page["page"])
    if not pages and (issue_out / "pdf" / pagemap.FILE).is_file():
        printed = pagemap.read(issue_out / "pdf")
        pages = {r.slug: n for p in printed.pages for r in p.regions if (n := printed.page_of(r.slug))}
    return pages


def rows_of(data: dict, pages: dict[str, int] | None = None) -> list[dict]:
    """Search rows for an issue in the ``publisher show --json`` shape (:func:`publisher.serialize.issue_data`);
    ``pages``: the 版 of its articles as printed (:func:`printed_pages`), else their sections' pages."""
    masthead = data["issue"]
    sections = {s["slug"]: s for s in data["sections"]}
    rows = []
    for position, article in enumerate(data["articles"]):
        section = sections.get(article["section"], {})
        authors = " ".join(a["name"] for a in article.get("authors") or [])
        meta = " ".join(filter(None, [article.get(k) for k in ("kicker", "subtitle", "series", "byline")] + [authors]))
        rows.append(
            {
                "issue_id": masthead["id"],
                "date": masthead["date"],
                "slug": article["slug"],
                "position": position,
                "section": section.get("name", article["section"]),
                "page": (pages or {}).get(article["slug"], section.get("page")),
                "headline": article["headline"],
                "meta": meta,
                "body": article["text"],
            }
        )
    return rows


class Search(Database):
    # ---- indexing ---------------------------------------------------------------------------------

    def index_live(self, conn: sa.Connection, issue_id: str, build_dir: Path) -> None:
        """Make the search rows of ``issue_id`` those of the build being published (inside its transaction)."""
        source = Path(build_dir) / issue_id / "issue.json"
        data = json.loads(source.read_text(encoding="utf-8")) if source.is_file() else None
        self._replace(conn, LIVE, issue_id, rows_of(data, printed_pages(Path(build_dir) / issue_id)) if data else [])

    def unindex_live(self, conn: sa.Connection, issue_id: str) -> None:
        """Drop the public search rows of ``issue_id`` (it is being unpublished, inside that transaction)."""
        self._replace(conn, LIVE, issue_id, [])

    def index_draft(self, issue_id: str, data: dict | None, stamp: str) -> None:
        """Index the draft ``issue_id`` (``data`` as :func:`publisher.serialize.issue_data` gives; None: it is gone)."""
        with self.writing() as conn:
            self._replace(conn, DRAFT, issue_id, rows_of(data) if data else [])
            key = (search_issues_t.c.scope == DRAFT) & (search_issues_t.c.issue_id == issue_id)
            conn.execute(search_issues_t.delete().where(key))
            if data is not None:
                conn.execute(search_issues_t.insert().values(scope=DRAFT, issue_id=issue_id, stamp=stamp))

    def restamp_drafts(self, stamps: dict[str, str]) -> None:
        """Record new stamps of drafts indexed as they are (their folders changed, their files did not), in one step."""
        if not stamps:
            return
        with self.writing() as conn:
            for issue_id, stamp in stamps.items():
                key = (search_issues_t.c.scope == DRAFT) & (search_issues_t.c.issue_id == issue_id)
                conn.execute(search_issues_t.update().where(key).values(stamp=stamp))

    def draft_stamps(self) -> dict[str, str]:
        with self.reading() as conn:
            query = sa.select(search_issues_t.c.issue_id, search_issues_t.c.stamp).where(search_issues_t.c.scope == DRAFT)
            return dict(conn.execute(query).all())

    def _replace(self, conn: sa.Connection, scope: str, issue_id: str, rows: list[dict]) -> None:
        where = (search_docs_t.c.scope == scope) & (search_docs_t.c.issue_id == issue_id)
        old = list(conn.execute(sa.select(search_docs_t.c.id).where(where)).scalars())
        words_table, chars_table = FTS_TABLES["words", scope], FTS_TABLES["chars", scope]
        if self.sqlite and old:
            marks = ",".join("?" * len(old))
            for table in (words_table, chars_table):
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid IN ({marks})", tuple(old))
        conn.execute(search_docs_t.delete().where(where))
        for row in rows:
            doc_id = schema.inserted_id(conn.execute(search_docs_t.insert().values(scope=scope, **row)))
            if self.sqlite:
                fields = (row["headline"], row["meta"], row["body"])
                for table, split in ((words_table, words), (chars_table, chars)):
                    conn.exec_driver_sql(
                        f"INSERT INTO {table}(rowid, headline, meta, body) VALUES (?, ?, ?, ?)", (doc_id, *map(split, fields))
                    )

    # ---- searching --------------------------------------------------------------------------------

    def search(self, query: str, scope: str = LIVE, limit: int = 20) -> tuple[list[Hit], int]:
        """The best ``limit`` hits for ``query`` in ``scope`` (live: published issues; draft: the content folder), and how many match."""
        query = " ".join(query.split())[:100]
        if not _PUNCT.sub("", query):
            return [], 0
        with self.reading() as conn:
            if not self.sqlite:
                return self._search_like(conn, query, scope, limit)
            by_chars = _phrase(chars(query))
            found = []
            if len(_PUNCT.sub("", query)) >= 3:  # whole-word matches first
                found = self._ranked(conn, FTS_TABLES["words", scope], _phrase(words(query)), limit)
            if len(found) < limit:  # then exact substrings (all of a 1–2-character query)
                more = self._ranked(conn, FTS_TABLES["chars", scope], by_chars, limit + len(found))
                found += [i for i in more if i not in found][: limit - len(found)]
            if not found:
                return [], 0
            total = conn.exec_driver_sql(
                f"SELECT count(*) FROM {FTS_TABLES['chars', scope]} WHERE {FTS_TABLES['chars', scope]} MATCH ?", (by_chars,)
            ).scalar_one()
            order = {doc_id: n for n, doc_id in enumerate(found)}
            rows = conn.execute(sa.select(search_docs_t).where(search_docs_t.c.id.in_(order))).all()
            return _hits(sorted(rows, key=lambda row: order[row.id]), query), max(total, len(found))

    @staticmethod
    def _ranked(conn, table: str, match: str | None, limit: int) -> list[int]:
        """Ids of the best ``limit`` rows of ``table`` for an FTS5 ``match``, by BM25 (headline first)."""
        if match is None:
            return []
        weights = ", ".join(map(str, WEIGHTS))
        query = f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}, {weights}) LIMIT ?"
        return list(conn.exec_driver_sql(query, (match, limit)).scalars())

    def _search_like(self, conn, query: str, scope: str, limit: int):
        """PostgreSQL: substring match (ILIKE; pg_trgm indexes it), headline matches first, newest first."""
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        t = search_docs_t.c
        matched = (t.scope == scope) & (t.headline.ilike(pattern) | t.meta.ilike(pattern) | t.body.ilike(pattern))
        rank = sa.case((t.headline.ilike(pattern), 0), (t.meta.ilike(pattern), 1), else_=2)
        total = conn.execute(sa.select(sa.func.count()).where(matched)).scalar()
        rows = conn.execute(sa.select(search_docs_t).where(matched).order_by(rank, t.date.desc(), t.position).limit(limit)).all()
        return _hits(rows, query), total


def _hits(rows, query: str) -> list[Hit]:
    terms = _terms(query)
    return [Hit(r.issue_id, r.date, r.slug, r.section, r.page, mark(r.headline, terms), snippet(r.body, terms)) for r in rows]


def _terms(query: str) -> list[str]:
    """What to highlight: the whole query, else its words (longest first)."""
    whole = _PUNCT.sub("", query)
    parts = sorted({w for w in jieba.lcut(query) if not _PUNCT.fullmatch(w)}, key=len, reverse=True)
    return [whole, *[p for p in parts if p != whole]]


def mark(value: str, terms: list[str]) -> str:
    """``value`` escaped, each occurrence of the terms in ``<mark>``."""
    pattern = "|".join(re.escape(t) for t in terms if t)
    if not pattern:
        return html.escape(value)
    out, last = [], 0
    for match in re.finditer(pattern, value, re.I):
        out += [html.escape(value[last : match.start()]), f"<mark>{html.escape(match[0])}</mark>"]
        last = match.end()
    return "".join(out) + html.escape(value[last:])


def snippet(body: str, terms: list[str], context: int = SNIPPET_CONTEXT) -> str:
    """About ``2 × context`` characters of ``body`` around the first match, the matches marked."""
    body = " ".join(body.split())
    starts = [i for i in (body.lower().find(t.lower()) for t in terms if t) if i >= 0]
    if not starts:
        return mark(body[: 2 * context] + ("…" if len(body) > 2 * context else ""), terms)
    start = max(0, min(starts) - context)
    end = min(len(body), min(starts) + context)
    return ("…" if start else "") + mark(body[start:end], terms) + ("…" if end < len(body) else "")
