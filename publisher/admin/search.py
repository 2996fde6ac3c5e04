"""Search pages: ``/search`` over every published issue (public), ``/admin/search`` over drafts too (editors).

The store does the searching (:mod:`publisher.store.search`); drafts are
indexed here from the content folder, only the issues whose files changed since
the last search.
"""

from __future__ import annotations

import threading

from flask import Blueprint, render_template, request, url_for

from publisher import editions, loading, serialize
from publisher.admin import services
from publisher.admin.views import require_editor
from publisher.store.search import DRAFT, LIVE

public_bp = Blueprint("search", __name__)
admin_bp = Blueprint("admin_search", __name__, url_prefix="/admin/search")
admin_bp.before_request(require_editor)

RESULTS = 20


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
    """Index every issue of the content folder whose files changed; forget issues that are gone."""
    store, content = services().store, services().config.content_dir
    known = store.draft_stamps()
    present = loading.list_issue_ids(content)
    for issue_id in present:
        folder = loading.issue_dir(content, issue_id)
        files = [p.stat() for p in folder.iterdir() if p.is_file()]
        stamp = f"{max((s.st_mtime_ns for s in files), default=0)}-{len(files)}-{sum(s.st_size for s in files)}"
        if known.get(issue_id) == stamp:
            continue
        try:
            data = serialize.issue_data(loading.load_issue(folder))
        except loading.ContentErrors:
            continue  # not loadable: 'publisher check' and the issue page say why; searched once fixed
        store.index_draft(issue_id, data, stamp)
    for issue_id in set(known) - set(present):
        store.index_draft(issue_id, None, "")


def _paper() -> str:
    return services().config.site.title or "本报"


def init_app(app) -> None:
    """Load the word segmenter's dictionary in the background (seconds), so the first search is quick too."""
    import jieba

    threading.Thread(target=jieba.initialize, name="jieba-init", daemon=True).start()
