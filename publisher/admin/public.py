"""The public site: feeds, the archive, each issue's digest and downloads, the e-paper (/epaper/) and the OPDS
catalogue, for the content as written and below each edition's path (/zh-hant/…).

Every URL is answered by looking the file up in a map of what is published
(built from the store's live builds), never by joining the request path to a
folder, so ``../``, encoded traversal, absolute paths and NUL bytes find
nothing and get 404. The map changes when an editor publishes in this
process, and at most ``PUBLIC_CACHE_SECONDS`` later in other processes (each
reads the store's live version token that often; see :class:`LiveSite`).
A published file's validators (ETag, Last-Modified) are worked out once per
process, so a conditional request is answered 304 without touching the file.
An issue an editor unpublished answers 410 Gone, and the feeds and the archive
are served without it (:mod:`publisher.admin.takedown`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from functools import cache, lru_cache
from typing import Any, Callable
from urllib.parse import quote
from zlib import adler32

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, redirect, request, send_file, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.wsgi import wrap_file

from publisher import calendar_zh, editions, feeds, loading, opds
from publisher.admin import services, takedown
from publisher.admin.files import BuildFile, channel_files
from publisher.admin.security import PUBLIC_CSP, use_csp
from publisher.config import EditionConfig
from publisher.model import Issue
from publisher.urls import Urls, content_disposition, download_file, download_name

bp = Blueprint("public", __name__)

#: Feeds and pages revalidate every time (a rollback must show at once; 304s are cheap);
#: downloads and media may be kept a few minutes.
REVALIDATE = "public, no-cache"
DOWNLOAD = "public, max-age=300"
SESSION_PATHS = ("/admin", "/login", "/api/")
COVER = "cover.png"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


@dataclass(frozen=True)
class LiveIssue:
    issue_id: str
    build_id: int
    files: dict[str, BuildFile]  # by the path below /issues/<id>/ ("" is the digest)


class LiveIssues(Mapping[str, LiveIssue]):
    """Every published issue by id, newest first; an issue's files are read from its build record when first asked for."""

    def __init__(self, builds: dict[str, int], files: Callable[[str, int], dict[str, BuildFile]]):
        self._builds, self._files = builds, files

    def __getitem__(self, issue_id: str) -> LiveIssue:
        build_id = self._builds[issue_id]
        return LiveIssue(issue_id, build_id, self._files(issue_id, build_id))

    def __contains__(self, issue_id: object) -> bool:
        return issue_id in self._builds

    def __iter__(self) -> Iterator[str]:
        return iter(self._builds)

    def __len__(self) -> int:
        return len(self._builds)


class LiveEpaper(Mapping[str, dict[str, BuildFile]]):
    """The e-paper's files by issue date: of two issues on one date the newer one with an e-paper has the URL."""

    def __init__(self, builds: dict[str, int], files: Callable[[int], dict[str, BuildFile]]):
        self._by_date: dict[str, list[int]] = {}
        for issue_id, build_id in builds.items():  # newest first
            self._by_date.setdefault(issue_id[:10], []).append(build_id)
        self._files = files

    def __getitem__(self, date: str) -> dict[str, BuildFile]:
        for build_id in self._by_date[date]:
            if found := self._files(build_id):
                return found
        raise KeyError(date)

    def __iter__(self) -> Iterator[str]:
        return (date for date in self._by_date if date in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Snapshot:
    site: dict[str, BuildFile] = field(default_factory=dict)  # feed.xml, atom.xml, feeds/<s>.xml, issues/
    issues: Mapping[str, LiveIssue] = field(default_factory=dict)
    newest: str | None = None
    withdrawn: tuple[str, ...] = ()  # unpublished issues: 410 Gone, left out of the feeds and the archive
    epaper: Mapping[str, dict[str, BuildFile]] = field(default_factory=dict)  # by issue date, then path below it
    #: The published issues with an EPUB or a PDF, newest first: the OPDS catalogue's (asked of the store once).
    catalogue: Callable[[], list[str]] = list
    editions: dict[str, Snapshot] = field(default_factory=dict)  # the same below each edition's path

    def edition(self, name: str | None) -> Snapshot:
        return self if name is None else self.editions.get(name, Snapshot(withdrawn=self.withdrawn))


def issue_map(issue_id: str, build, edition: str | None = None) -> dict[str, BuildFile]:
    """Public paths below ``[/<edition>]/issues/<id>/`` of one live build."""

    def files_of(channel: str) -> dict[str, BuildFile]:
        return channel_files(build, editions.target(edition, channel))

    files: dict[str, BuildFile] = {}
    for rel, found in files_of("digest").items():
        if rel == "index.html":
            files[""] = found
        elif rel != "archive.html":
            files[rel] = found
    for rel, found in files_of("ninjs").items():
        files[f"ninjs/{rel}"] = found
    for channel, ext in (("epub", ".epub"), ("pdf", ".pdf")):
        for rel, found in files_of(channel).items():
            if rel.endswith(ext) and "/" not in rel:
                files[rel] = found
    front = files_of("pdf").get("thumbs/page-001.png")
    if front is not None:
        files[COVER] = front  # the front page, the issue's cover in the OPDS catalogue
    return files


def epaper_map(build, edition: str | None = None) -> dict[str, BuildFile]:
    """Public paths below ``[/<edition>]/epaper/<date>/`` of one live build: each page folder also as ``01/``."""
    files = {
        rel: found for rel, found in channel_files(build, editions.target(edition, "epaper")).items() if rel != "archive.html"
    }
    for rel in [r for r in files if r.endswith("/index.html")]:
        files[rel.removesuffix("index.html")] = files[rel]
    return files


def site_map(build, edition: str | None = None) -> dict[str, BuildFile]:
    """Site-wide paths served from the newest published issue's live build."""
    files = dict(channel_files(build, editions.target(edition, "rss")))  # feed.xml, atom.xml, feeds/<section>.xml, logo
    files.update(channel_files(build, editions.target(edition, "jsonfeed")))  # feed.json, feeds/<section>.json
    archive = channel_files(build, editions.target(edition, "digest")).get("archive.html")
    if archive is not None:
        files["issues/"] = archive
    epaper = channel_files(build, editions.target(edition, "epaper")).get("archive.html")
    if epaper is not None:
        files["epaper/"] = epaper
    return files


class LiveSite:
    """What the public URLs serve now, for every request of this process.

    Each process keeps one :class:`Snapshot` and, at most every ``ttl`` seconds, reads the
    store's live version token (one row) to learn whether anything was published, rolled back
    or unpublished meanwhile; only then does it read the live table again (issue ids and build
    ids). The files of an issue's live build are read from its record when first asked for and
    kept (a finished build never changes), so a site with 10,000 published issues costs a feed
    request no more than one with a single issue. :meth:`invalidate` (after publishing in this
    process) makes the next request check at once. While one request checks, the others go on
    with the snapshot they have.
    """

    #: Live builds whose public file maps each process keeps (the newest issues are asked for most).
    KEEP = 512

    def __init__(self, store, ttl: float, edition_names: tuple[str, ...] = ()):
        self.store, self.ttl, self.edition_names = store, ttl, edition_names
        self._snapshot: Snapshot | None = None
        self._version: str | None = None
        self._checked_at = 0.0
        self._forced = True
        self._lock = threading.Lock()
        self._maps: OrderedDict[tuple[str, int, str | None], dict[str, BuildFile]] = OrderedDict()
        self._maps_lock = threading.Lock()

    def invalidate(self) -> None:
        self._forced = True

    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and not self._forced and time.monotonic() - self._checked_at <= self.ttl:
            return snapshot
        # The first request and one after invalidate() wait for the check; otherwise one request checks, the rest go on.
        if not self._lock.acquire(blocking=snapshot is None or self._forced):
            return snapshot  # type: ignore[return-value]  # not None: a blocking acquire is taken when it is
        try:
            if self._snapshot is None or self._forced or time.monotonic() - self._checked_at > self.ttl:
                started = time.monotonic()
                self._forced = False
                if self._snapshot is None or self.store.live_version() != self._version:
                    state = self.store.live_state()
                    self._snapshot, self._version = self._load(state), state.version
                self._checked_at = started
            return self._snapshot
        finally:
            self._lock.release()

    def _map(self, kind: str, build_id: int, edition: str | None, make: Callable[[Any], dict[str, BuildFile]]):
        """One live build's public files of ``kind`` (kept: the records of finished builds never change)."""
        key = (kind, build_id, edition)
        with self._maps_lock:
            found = self._maps.get(key)
            if found is not None:
                self._maps.move_to_end(key)
                return found
        record = self.store.get_build(build_id)
        found = make(record) if record is not None else {}
        with self._maps_lock:
            self._maps[key] = found
            while len(self._maps) > self.KEEP * 3:
                self._maps.popitem(last=False)
        return found

    def _load(self, state) -> Snapshot:
        if not state.builds:
            return Snapshot(withdrawn=state.withdrawn)
        newest_id, newest_build = next(iter(state.builds.items()))

        def edition(name: str | None) -> Snapshot:
            issues = LiveIssues(state.builds, lambda i, b: self._map("issue", b, name, lambda r: issue_map(i, r, name)))
            epaper = LiveEpaper(state.builds, lambda b: self._map("epaper", b, name, lambda r: epaper_map(r, name)))
            site = self._map("site", newest_build, name, lambda r: site_map(r, name))
            downloads = [editions.target(name, channel) for channel in ("epub", "pdf")]
            catalogue = cache(lambda: [i for i in self.store.live_with(downloads) if i in state.builds])
            return Snapshot(site, issues, newest_id, state.withdrawn, epaper, catalogue)

        return replace(edition(None), editions={name: edition(name) for name in self.edition_names})


class SessionInterface(SecureCookieSessionInterface):
    """Only the admin has sessions: public answers are the same for everyone (no cookie, no ``Vary: Cookie``)."""

    def open_session(self, app, request):
        if request.path.startswith(SESSION_PATHS):
            return super().open_session(app, request)
        return self.make_null_session(app)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    services_ = app.extensions["publisher"]
    configured = services_.config.editions
    services_.live = LiveSite(services_.store, app.config["PUBLIC_CACHE_SECONDS"], tuple(e.name for e in configured))
    for edition in configured:  # the same public URLs below each edition's path, e.g. /zh-hant/feed.xml
        for rule, endpoint, view, defaults in EDITION_ROUTES:
            app.add_url_rule(
                edition.url_path + rule,
                endpoint=f"public.{endpoint}@{edition.name}",
                view_func=view,
                defaults={**defaults, "edition": edition.name},
            )


@dataclass(frozen=True)
class FileFacts:
    """What a conditional answer needs of a published file, worked out once: a finished build's files never change."""

    etag: str  # quoted, as werkzeug's send_file makes it (mtime-size-adler32 of the path), so ETags survive upgrades
    last_modified: str  # the HTTP date
    modified: datetime  # the same, to the second, for If-Modified-Since
    size: int
    mtime_ns: int


@lru_cache(maxsize=4096)
def _facts(path: str) -> FileFacts:
    """The validators of a published file (one ``stat`` per file and process); OSError when it is missing."""
    stat = os.stat(path)
    check = adler32(path.encode()) & 0xFFFFFFFF
    modified = datetime.fromtimestamp(int(stat.st_mtime), timezone.utc)
    return FileFacts(f'"{stat.st_mtime}-{stat.st_size}-{check}"', http_date(modified), modified, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _if_none_match(header: str):
    return parse_etags(header)


@lru_cache(maxsize=256)
def _if_modified_since(header: str) -> datetime | None:
    return parse_date(header)


def _not_modified(environ: dict, facts: FileFacts) -> bool:
    """If-None-Match (weak comparison; it decides when present), else If-Modified-Since, as werkzeug judges them."""
    none_match = environ.get("HTTP_IF_NONE_MATCH")
    if none_match:
        return _if_none_match(none_match).contains_weak(facts.etag[1:-1])
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        date = _if_modified_since(since)
        return date is not None and facts.modified <= date
    return False


@lru_cache(maxsize=512)
def _script_hashes(path: str, mtime_ns: int) -> str:
    """CSP sources for the inline scripts a channel wrote into a page (e.g. the digest's), by hash."""
    with open(path, "rb") as handle:
        found = _INLINE_SCRIPT.findall(handle.read())
    return "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in found)


def _policy(found: BuildFile) -> str:
    """The public CSP; a page's own inline scripts are allowed by their hash, nothing else inline."""
    if not found.media_type.startswith("text/html"):
        return PUBLIC_CSP
    try:
        hashes = _script_hashes(str(found.path), _facts(str(found.path)).mtime_ns)
    except OSError:
        return PUBLIC_CSP
    return PUBLIC_CSP.replace("script-src 'self'", f"script-src 'self'{hashes}", 1)


def _serve_without(found: BuildFile | None, withdrawn: tuple[str, ...], archive: bool = False):
    """A feed or the archive page, without the unpublished issues (as is when it names none of them)."""
    if found is None or not withdrawn:
        return _serve(found)
    try:
        facts = _facts(str(found.path))
        if not _names_any(str(found.path), facts.mtime_ns, withdrawn):
            return _serve(found)
    except OSError:
        abort(404)
    use_csp(_policy(found))
    kind = "archive" if archive else "json" if found.path.suffix == ".json" else "feed"
    data, etag = _cut(kind, str(found.path), facts.mtime_ns, withdrawn)
    response = Response(data, mimetype=found.media_type.partition(";")[0])
    response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATE
    return response.make_conditional(request)


@lru_cache(maxsize=256)
def _names_any(path: str, mtime_ns: int, ids: tuple[str, ...]) -> bool:
    """Does the file at ``path`` link into any of the issues ``ids`` (most feeds name only the newest issues)?"""
    with open(path, "rb") as handle:
        data = handle.read()
    return any(f"/issues/{i}/".encode() in data for i in ids)


@lru_cache(maxsize=64)
def _cut(kind: str, path: str, mtime_ns: int, ids: tuple[str, ...]) -> tuple[bytes, str]:
    """The file without the issues ``ids`` (see :mod:`publisher.admin.takedown`) and its ETag, made once."""
    cut = {"archive": takedown.archive_without, "json": takedown.json_feed_without, "feed": takedown.feed_without}[kind]
    data = cut(path, mtime_ns, ids)
    return data, hashlib.sha256(data).hexdigest()[:32]


#: Requests the quick answer leaves to werkzeug's send_file: ranges (and If-Range with them), If-Match (412).
_WERKZEUG_CASES = ("HTTP_RANGE", "HTTP_IF_MATCH")


def _serve(found: BuildFile | None, cache: str = REVALIDATE, attachment: tuple[str, str] | None = None):
    """A published file: 304 from its validators alone (no file is touched), else the file sent as is.

    Ranges and If-Match go through werkzeug's ``send_file``, with the same headers.
    """
    if found is None:
        abort(404)
    use_csp(_policy(found))
    path = str(found.path)
    environ = request.environ
    if any(key in environ for key in _WERKZEUG_CASES):
        return _send_file(found, cache, attachment)
    try:
        facts = _facts(path)
    except OSError:
        current_app.logger.error("published file is missing: %s", path)
        abort(404)
    headers = [("Cache-Control", cache), ("ETag", facts.etag), ("Accept-Ranges", "bytes")]
    if attachment:
        headers.append(("Content-Disposition", content_disposition(*attachment)))
    if _not_modified(environ, facts):
        return Response(status=304, headers=headers)
    headers += [("Last-Modified", facts.last_modified), ("Content-Length", str(facts.size))]
    # werkzeug adds "; charset=utf-8" to text and XML types itself.
    mimetype = found.media_type.partition(";")[0]
    if environ["REQUEST_METHOD"] == "HEAD":
        return Response(status=200, headers=headers, mimetype=mimetype)
    try:
        handle = open(path, "rb")
    except OSError:
        current_app.logger.error("published file is missing: %s", path)
        abort(404)
    return Response(wrap_file(environ, handle), headers=headers, mimetype=mimetype, direct_passthrough=True)


def _send_file(found: BuildFile, cache: str, attachment: tuple[str, str] | None):
    try:
        response = send_file(found.path, mimetype=found.media_type.partition(";")[0], conditional=True, etag=True)
    except FileNotFoundError:
        current_app.logger.error("published file is missing: %s", found.path)
        abort(404)
    response.headers["Cache-Control"] = cache
    if attachment:
        response.headers["Content-Disposition"] = content_disposition(*attachment)
    else:
        del response.headers["Content-Disposition"]
    return response


def _masthead(issue_id: str, build_id: int, edition: str | None = None) -> Issue | None:
    """The issue of a live build in ``edition`` (for its title and download names), or None when it no longer loads."""
    chosen = services().config.edition(edition)
    return _load_masthead(str(services().config.content_dir), issue_id, build_id, chosen.model_dump_json() if chosen else None)


@lru_cache(maxsize=256)
def _load_masthead(content_dir: str, issue_id: str, build_id: int, edition: str | None) -> Issue | None:
    """The issue's outline from the index, parsed once per change of its files (a catalogue page reads 20 of them);
    ``content_dir`` keeps sites apart in the cache."""
    try:
        issue = services().index.load(issue_id, outline=True)
    except (loading.ContentErrors, OSError):
        return None
    return editions.convert(issue, EditionConfig.model_validate_json(edition)) if edition else issue


def _download_name(issue_id: str, build_id: int, ext: str, edition: str | None) -> str | None:
    """The Chinese download name (from the issue's masthead), or None when the issue no longer loads."""
    issue = _masthead(issue_id, build_id, edition)
    return download_name(issue, ext) if issue is not None else None


def _catalog_entries(snapshot: Snapshot, urls: Urls, edition: str | None, ids: list[str]) -> list[opds.Entry]:
    """The OPDS entries of the published issues ``ids`` (of :attr:`Snapshot.catalogue`), in their order."""
    dated = feeds.publication_time(services().config.site)
    words = _words(edition)
    entries = []
    for issue_id in ids:
        live = snapshot.issues.get(issue_id)
        issue = _masthead(issue_id, live.build_id, edition) if live else None
        if live is None or issue is None:
            continue
        downloads = tuple(
            opds.Download(urls.download(issue, ext), live.files[download_file(issue, ext)].media_type, found.bytes)
            for ext in ("epub", "pdf")
            if (found := live.files.get(download_file(issue, ext)))
        )
        if not downloads:
            continue
        lead = issue.articles[0].headline if issue.articles else ""
        entries.append(
            opds.Entry(
                id=urls.issue(issue),
                title=issue.title,
                issued=issue.date,
                updated=dated(issue),
                number=issue.number,
                summary=f"{issue.date_zh} {issue.weekday} {issue.number_label}，{len(issue.articles)}{words('篇文章')}。{lead}",
                author=issue.publisher or issue.paper,
                language=issue.language,
                page=urls.issue(issue),
                downloads=downloads,
                cover=urls.absolute(f"/issues/{issue.id}/{COVER}") if COVER in live.files else None,
            )
        )
    return entries


@bp.route("/")
def home():
    return redirect(url_for("public.archive"))


@bp.route("/favicon.ico")
def favicon():
    """No icon (and no 404 in every browser's console)."""
    response = Response(status=204)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _site_feed(name: str, edition: str | None):
    snapshot = _live(edition)
    return _serve_without(snapshot.site.get(name), snapshot.withdrawn)


@bp.route("/feed.xml")
def feed(edition: str | None = None):
    return _site_feed("feed.xml", edition)


@bp.route("/atom.xml")
def atom(edition: str | None = None):
    return _site_feed("atom.xml", edition)


@bp.route("/feed.json")
def json_feed(edition: str | None = None):
    return _site_feed("feed.json", edition)


@bp.route("/feeds/<section>.xml")
def section_feed(section: str, edition: str | None = None):
    return _site_feed(f"feeds/{section}.xml", edition)


@bp.route("/feeds/<section>.json")
def section_json_feed(section: str, edition: str | None = None):
    return _site_feed(f"feeds/{section}.json", edition)


@bp.route("/issues/")
def archive(edition: str | None = None):
    snapshot = _live(edition)
    return _serve_without(snapshot.site.get("issues/"), snapshot.withdrawn, archive=True)


@bp.route("/issues/<issue_id>/next")
def next_issue(issue_id: str, edition: str | None = None):
    """下一期 of a digest (it could not know it when built): the next published issue, else the archive."""
    later = sorted(i for i in _live(edition).issues if i > issue_id)
    at = f"@{edition}" if edition else ""
    response = redirect(url_for(f"public.issue_file{at}", issue_id=later[0]) if later else url_for(f"public.archive{at}"))
    response.headers["Cache-Control"] = REVALIDATE
    return response


@bp.route("/issues/<issue_id>/", defaults={"name": ""})
@bp.route("/issues/<issue_id>/<path:name>")
def issue_file(issue_id: str, name: str, edition: str | None = None):
    snapshot = _live(edition)
    if issue_id in snapshot.withdrawn:
        abort(410)  # unpublished by an editor: gone, not missing
    live = snapshot.issues.get(issue_id)
    found = live.files.get(name) if live else None
    if live is None or found is None or not name.endswith((".epub", ".pdf")):
        return _serve(found, REVALIDATE if not name.startswith("media/") else DOWNLOAD)
    ext = name.rsplit(".", 1)[1]
    chinese = _download_name(issue_id, live.build_id, ext, edition)
    return _serve(found, DOWNLOAD, (chinese or name, name))


@bp.route("/epaper/")
def epaper_archive(edition: str | None = None):
    return _serve(_live(edition).site.get("epaper/"))


@bp.route("/epaper/<date>/")
def epaper_issue(date: str, edition: str | None = None):
    files = _live(edition).epaper.get(date, {})
    if "01/" not in files:
        abort(404)
    return redirect(url_for(f"public.epaper_file@{edition}" if edition else "public.epaper_file", date=date, name="01/"))


@bp.route("/epaper/<date>/<path:name>")
def epaper_file(date: str, name: str, edition: str | None = None):
    """A page, article, page image or page PDF of the e-paper of ``date``, by lookup in its live build."""
    found = _live(edition).epaper.get(date, {}).get(name)
    return _serve(found, REVALIDATE if name.endswith(("/", ".html", ".json")) else DOWNLOAD)


def _catalog(edition: str | None) -> opds.Catalog:
    """The catalogue's own metadata: the site's title, else the newest published issue's paper."""
    config = services().config
    snapshot = _live(edition)
    newest = snapshot.issues.get(snapshot.newest) if snapshot.newest else None
    issue = _masthead(newest.issue_id, newest.build_id, edition) if newest else None
    words = _words(edition)
    name = (config.site.title and words(config.site.title)) or (issue.paper if issue else words("报纸"))
    urls = editions.urls(config, config.edition(edition))
    chosen = config.edition(edition)
    return opds.Catalog(
        id=urls.opds(),
        title=f"{name} {words('电子版书库')}",
        author=name,
        language=chosen.variant if chosen else "zh-CN",
        start=urls.opds(),
        search=urls.absolute("/opensearch.xml"),
        alternates=tuple((e.language, e.label, e.urls.opds()) for e in editions.links(config, edition) if not e.current),
    )


def _live(edition: str | None) -> Snapshot:
    return services().live.snapshot().edition(edition)


def _words(edition: str | None):
    """The edition's conversion for words this module writes itself (as written for the source)."""
    chosen = services().config.edition(edition)
    return editions.converter(chosen) if chosen else (lambda words: words)


def _answer(data: bytes, media_type: str):
    """A generated document with an ETag of its bytes, so readers revalidate with 304s like for the feeds."""
    response = Response(data, mimetype=media_type)
    response.headers["Cache-Control"] = REVALIDATE
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    use_csp(PUBLIC_CSP)
    return response.make_conditional(request)


def _may_match(ids: list[str], queries: tuple[str, ...]) -> list[str]:
    """The issues among ``ids`` whose stored title, date, number, weekday, article count and first headline hold
    every word of one of ``queries`` (the index stores Simplified text): a superset of what :func:`opds.matching`
    finds in their entries, narrowed without reading a masthead. An issue the index has not read yet stays in."""
    texts = services().index.stored_texts()
    wanted = [query.split() for query in queries]

    def may(issue_id: str) -> bool:
        text = texts.get(issue_id)
        if text is None:
            return True
        day, number = issue_id[:10], issue_id[11:]  # an issue's id is its date and number
        try:
            weekday = calendar_zh.weekday(date.fromisoformat(day))
        except ValueError:
            return True
        known = f"{text} {day} {number} {weekday} 篇文章"
        return any(all(word in known for word in words) for words in wanted)

    return [issue_id for issue_id in ids if may(issue_id)]


@bp.route("/opds.xml")
def opds_catalog(edition: str | None = None):
    """The OPDS acquisition feed of every published issue, ``?page=N`` (from 1), ``?q=`` to search.

    A page reads the mastheads of its own issues alone, the store having said which published issues have an
    EPUB or a PDF (:attr:`Snapshot.catalogue`); a search reads those of the issues that may match.
    """
    config = services().config
    urls = editions.urls(config, config.edition(edition))
    snapshot = _live(edition)
    ids = snapshot.catalogue()
    query = request.args.get("q", "").strip()[:100]
    found = None
    if query:
        queries = (query, editions.simplified(query))  # a reader's words, and their Simplified form
        found = opds.matching(_catalog_entries(snapshot, urls, edition, _may_match(ids, queries)), *queries)
    total = len(found) if found is not None else len(ids)

    def show(at: slice) -> list[opds.Entry]:
        return found[at] if found is not None else _catalog_entries(snapshot, urls, edition, ids[at])

    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit() and 1 <= int(page) <= opds.pages(total)):
        abort(404)
    number = int(page)
    shown = show(opds.page_slice(number))
    # The catalogue's newest entry is its first (an issue's id begins with its date).
    newest = max((e.updated for e in (shown if number == 1 else show(slice(0, 1)))), default=None)
    base = urls.opds() + (f"?q={quote(query)}&" if query else "?")
    data = opds.feed(
        _catalog(edition),
        shown,
        number,
        total,
        newest,
        lambda n: urls.opds() if n == 1 and not query else f"{base}page={n}",
        query,
    )
    return _answer(data, opds.ACQUISITION_TYPE)


@bp.route("/opensearch.xml")
def opensearch(edition: str | None = None):
    catalog = _catalog(edition)
    return _answer(opds.search_description(catalog, catalog.start + "?q={searchTerms}"), opds.OPENSEARCH_TYPE)


@bp.route("/<name>")
def site_file(name: str, edition: str | None = None):
    """Other site-wide files the feed channel published (its image, e.g. /logo.png)."""
    return _serve(_live(edition).site.get(name))


#: The public URLs each edition has below its path: (rule, endpoint, view, defaults).
EDITION_ROUTES: list[tuple[str, str, Callable[..., Any], dict[str, str]]] = [
    ("/", "edition_home", lambda edition: redirect(url_for(f"public.archive@{edition}")), {}),
    ("/feed.xml", "feed", feed, {}),
    ("/atom.xml", "atom", atom, {}),
    ("/feed.json", "json_feed", json_feed, {}),
    ("/feeds/<section>.xml", "section_feed", section_feed, {}),
    ("/feeds/<section>.json", "section_json_feed", section_json_feed, {}),
    ("/issues/", "archive", archive, {}),
    ("/issues/<issue_id>/next", "next_issue", next_issue, {}),
    ("/issues/<issue_id>/", "issue_file", issue_file, {"name": ""}),
    ("/issues/<issue_id>/<path:name>", "issue_file_path", issue_file, {}),
    ("/epaper/", "epaper_archive", epaper_archive, {}),
    ("/epaper/<date>/", "epaper_issue", epaper_issue, {}),
    ("/epaper/<date>/<path:name>", "epaper_file", epaper_file, {}),
    ("/opds.xml", "opds_catalog", opds_catalog, {}),
    ("/opensearch.xml", "opensearch", opensearch, {}),
    ("/<name>", "site_file", site_file, {}),
]


@bp.route("/healthz")
def healthz():
    try:
        snapshot = services().live.snapshot()
    except Exception as exc:  # the database is down: say so, do not crash
        current_app.logger.error("healthz: %s", exc)
        return jsonify(status="error", error="the database cannot be read"), 503
    response = jsonify(status="ok", live=snapshot.newest, issues=len(snapshot.issues))
    response.headers["Cache-Control"] = "no-store"
    return response
