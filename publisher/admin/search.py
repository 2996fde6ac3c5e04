"""Search pages: ``/search`` over every published issue (public), ``/admin/search`` over drafts too (editors).

The store does the searching (:mod:`publisher.store.search`); drafts are
indexed here from the content folder, only the issues whose folders changed since
the last search.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from flask import Blueprint, render_template, request, url_for

from publisher import editions, loading, serialize
from publisher.admin import services
from publisher.admin.views import require_editor
from publisher.store.search import DRAFT, LIVE

public_bp = Blueprint("search", __name__)
admin_bp = Blueprint("admin_search", __name__, url_prefix="/admin/search")
admin_bp.before_request(require_editor)

RESULTS = 20
#: How long (ns) after its last change a folder's time is trusted to change with its next change.
SETTLED_NS = 2_000_000_000


def _query() -> str:
    return " ".join((request.args.get("q") or "").split())[:100]


def _search(query: str, scope: str):
    """The hits for ``query``; one typed in 繁體 that finds nothing is searched again in Simplified, as content is written."""
    if not query:
        return [], 0
    hits, total = services().store.search(query, scope, RESULTS)
    if not total and (simple := editions.simplified(query)) != query:
        return services().store.search(simple, scope, RESULTS)
    return hits, total


@public_bp.route("/search")
def search():
    query = _query()
    hits, total = _search(query, LIVE)
    return render_template(
        "search_public.html",
        query=query,
        hits=hits,
        total=total,
        paper=_paper(),
        public_link=digest_link,
        epaper_link=epaper_link,
    )


@admin_bp.route("/")
def search_admin():
    query = _query()
    scope = DRAFT if request.args.get("scope", DRAFT) == DRAFT else LIVE
    if query and scope == DRAFT:
        refresh_drafts()
    hits, total = _search(query, scope)
    return render_template(
        "search_admin.html", query=query, hits=hits, total=total, scope=scope, link=digest_link if scope == LIVE else issue_link
    )


def digest_link(hit) -> str:
    """The article in its issue's digest (the anchor the feeds use too)."""
    return url_for("public.issue_file", issue_id=hit.issue_id, name="") + "#" + hit.slug


def epaper_link(hit) -> str | None:
    """The article in the 数字报, below the page it starts on, when the e-paper of its live build has it."""
    if not hit.page:
        return None
    name = f"{hit.page:02d}/{hit.slug}.html"
    return (
        url_for("public.epaper_file", date=hit.date, name=name)
        if name in services().live.snapshot().epaper.get(hit.date, {})
        else None
    )


def issue_link(hit) -> str:
    return url_for("admin.issue", issue_id=hit.issue_id)


def refresh_drafts() -> None:
    """Index the drafts whose folder changed since the last search; forget issues that are gone.

    Adding, replacing or removing a file changes its folder's modification time, and the desk, the importer, git
    and rsync all write by replacing; so a folder whose time is the one recorded is not looked into (one stat per
    issue, where 10,000 issues have some 340,000 files). A changed folder's files are compared with the stamp
    recorded before anything is read; what changed is read through the index. A file rewritten in place (not
    replaced) is seen once its folder changes.
    """
    store, index = services().store, services().index
    root = services().config.content_dir / "issues"
    known = store.draft_stamps()
    present: set[str] = set()
    restamped: dict[str, str] = {}
    now = time.time_ns()
    for issue_id, changed in _folders(root).items():
        recorded = known.get(issue_id, "")
        if recorded.partition("/")[0] == str(changed):
            present.add(issue_id)
            continue
        folder = root / issue_id
        if not (folder / loading.ISSUE_FILE).is_file():
            continue
        present.add(issue_id)
        files = _files_stamp(folder)
        # A folder changed within the clock's tick may change again with the same time: its files are looked at next time.
        stamp = f"{changed if now - changed > SETTLED_NS else ''}/{files}"
        if recorded.rpartition("/")[2] == files:
            restamped[issue_id] = stamp
            continue
        try:
            data = serialize.issue_data(index.load(issue_id))
        except (loading.ContentErrors, OSError):  # OSError: the folder went away meanwhile
            continue  # not loadable: 'publisher check' and the issue page say why; searched once fixed
        store.index_draft(issue_id, data, stamp)
    store.restamp_drafts(restamped)
    for issue_id in set(known) - present:
        store.index_draft(issue_id, None, "")


def _folders(root: Path) -> dict[str, int]:
    """Each folder under ``issues/`` with its modification time (ns): one listing, one stat per folder."""
    if not root.is_dir():
        return {}
    with os.scandir(root) as entries:
        return {e.name: e.stat().st_mtime_ns for e in entries if e.is_dir()}


def _files_stamp(folder: Path) -> str:
    """The newest modification time, the number and the total size of the files of an issue folder."""
    files = [p.stat() for p in folder.iterdir() if p.is_file()]
    return f"{max((s.st_mtime_ns for s in files), default=0)}-{len(files)}-{sum(s.st_size for s in files)}"


def _paper() -> str:
    return services().config.site.title or "本报"


def init_app(app) -> None:
    """Load the word segmenter's dictionary in the background (seconds), so the first search is quick too."""
    import jieba

    threading.Thread(target=jieba.initialize, name="jieba-init", daemon=True).start()
