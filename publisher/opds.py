"""An OPDS 1.2 acquisition feed (https://specs.opds.io/opds-1.2): the published issues for e-reader apps.

KOReader, Thorium, calibre and Moon+ Reader browse this catalogue and download
an issue's EPUB or PDF from it. The feed lists what is published, so the public
site makes it from its map of live builds (file sizes included), reading only
the issues a page shows; this module only writes the XML, newest issue first,
one page at a time, with an OpenSearch description so readers can search it.
Nothing in it comes from the clock: the feed's ``updated`` is its newest entry's.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ACQUISITION_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
PAGE_SIZE = 20

ET.register_namespace("", ATOM)
ET.register_namespace("dc", DC)
ET.register_namespace("opds", OPDS)
ET.register_namespace("opensearch", OPENSEARCH)


@dataclass(frozen=True)
class Download:
    href: str
    media_type: str
    length: int


@dataclass(frozen=True)
class Entry:
    """One published issue."""

    id: str  # stable: the digest URL
    title: str
    issued: dt.date
    updated: dt.datetime
    number: int
    summary: str
    author: str
    language: str
    page: str  # the digest, text/html
    downloads: tuple[Download, ...]
    cover: str | None = None  # the front page as PNG


@dataclass(frozen=True)
class Catalog:
    id: str
    title: str
    author: str
    language: str
    start: str  # the first page's URL
    search: str  # the OpenSearch description's URL
    alternates: tuple[tuple[str, str, str], ...] = ()  # (hreflang, title, url) of the same catalogue in other editions


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def pages(total: int) -> int:
    """How many pages ``total`` entries fill (one, when there are none)."""
    return max(1, math.ceil(total / PAGE_SIZE))


def page_slice(page: int) -> slice:
    """Where page ``page`` (from 1) is in the newest-first list of every entry."""
    return slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)


def feed(
    catalog: Catalog,
    shown: list[Entry],
    page: int,
    total: int,
    updated: dt.datetime | None,
    page_url: Callable[[int], str],
    query: str | None = None,
) -> bytes:
    """Page ``page`` (from 1) of the acquisition feed: its entries ``shown`` of ``total`` in all, newest first, and
    the newest entry's ``updated`` (the first page's: a later page is made without reading every entry)."""
    last = pages(total)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": catalog.language})
    _add(root, f"{{{ATOM}}}id", catalog.id + (f"?q={query}" if query else ""))
    _add(root, f"{{{ATOM}}}title", catalog.title + (f"：{query}" if query else ""))
    _add(root, f"{{{ATOM}}}updated", (updated or dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).isoformat())
    author = _add(root, f"{{{ATOM}}}author")
    _add(author, f"{{{ATOM}}}name", catalog.author)
    _add(root, f"{{{ATOM}}}link", rel="self", href=page_url(page), type=ACQUISITION_TYPE)
    _add(root, f"{{{ATOM}}}link", rel="start", href=catalog.start, type=ACQUISITION_TYPE)
    _add(root, f"{{{ATOM}}}link", rel="search", href=catalog.search, type=OPENSEARCH_TYPE)
    if last > 1:
        _add(root, f"{{{ATOM}}}link", rel="first", href=page_url(1), type=ACQUISITION_TYPE)
        _add(root, f"{{{ATOM}}}link", rel="last", href=page_url(last), type=ACQUISITION_TYPE)
    if page > 1:
        _add(root, f"{{{ATOM}}}link", rel="previous", href=page_url(page - 1), type=ACQUISITION_TYPE)
    if page < last:
        _add(root, f"{{{ATOM}}}link", rel="next", href=page_url(page + 1), type=ACQUISITION_TYPE)
    for hreflang, title, url in catalog.alternates:
        _add(root, f"{{{ATOM}}}link", rel="alternate", href=url, type=ACQUISITION_TYPE, hreflang=hreflang, title=title)
    _add(root, f"{{{OPENSEARCH}}}totalResults", str(total))
    _add(root, f"{{{OPENSEARCH}}}itemsPerPage", str(PAGE_SIZE))
    _add(root, f"{{{OPENSEARCH}}}startIndex", str((page - 1) * PAGE_SIZE + 1))
    for entry in shown:
        _entry(root, entry)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _entry(root: ET.Element, entry: Entry) -> None:
    element = _add(root, f"{{{ATOM}}}entry")
    _add(element, f"{{{ATOM}}}id", entry.id)
    _add(element, f"{{{ATOM}}}title", entry.title)
    _add(element, f"{{{ATOM}}}updated", entry.updated.isoformat())
    author = _add(element, f"{{{ATOM}}}author")
    _add(author, f"{{{ATOM}}}name", entry.author)
    _add(element, f"{{{DC}}}language", entry.language)
    _add(element, f"{{{DC}}}issued", entry.issued.isoformat())
    _add(element, f"{{{DC}}}identifier", f"{entry.id}#{entry.number}")
    _add(element, f"{{{ATOM}}}category", term=str(entry.number), label=f"总第{entry.number}期", scheme="issue-number")
    _add(element, f"{{{ATOM}}}summary", entry.summary, type="text")
    _add(element, f"{{{ATOM}}}link", rel="alternate", href=entry.page, type="text/html")
    if entry.cover:
        _add(element, f"{{{ATOM}}}link", rel="http://opds-spec.org/image", href=entry.cover, type="image/png")
        _add(element, f"{{{ATOM}}}link", rel="http://opds-spec.org/image/thumbnail", href=entry.cover, type="image/png")
    for download in entry.downloads:
        _add(
            element,
            f"{{{ATOM}}}link",
            rel="http://opds-spec.org/acquisition/open-access",
            href=download.href,
            type=download.media_type,
            length=str(download.length),
        )


def search_description(catalog: Catalog, template: str) -> bytes:
    """The OpenSearch description a reader uses to search the catalogue (``template`` has ``{searchTerms}``)."""
    root = ET.Element(f"{{{OPENSEARCH}}}OpenSearchDescription")
    _add(root, f"{{{OPENSEARCH}}}ShortName", catalog.title[:16])
    _add(root, f"{{{OPENSEARCH}}}Description", f"{catalog.title}：按日期、期号或标题搜索")
    _add(root, f"{{{OPENSEARCH}}}InputEncoding", "UTF-8")
    _add(root, f"{{{OPENSEARCH}}}OutputEncoding", "UTF-8")
    _add(root, f"{{{OPENSEARCH}}}Language", catalog.language)
    _add(root, f"{{{OPENSEARCH}}}Url", type=ACQUISITION_TYPE, template=template)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def matching(entries: list[Entry], *queries: str) -> list[Entry]:
    """Entries whose title, summary, date or number contain every word of one of ``queries`` (a reader's words,
    and their Simplified form)."""
    wanted = [query.split() for query in queries]

    def found(e: Entry) -> bool:
        text = f"{e.title} {e.summary} {e.issued.isoformat()} {e.number}"
        return any(all(w in text for w in words) for words in wanted)

    return [e for e in entries if found(e)]
