"""Read a build's output for preview: feed items, an EPUB's table of contents and its members.

Build output is our own, but the text inside it came from editors and
authors: nothing read here is marked safe for a template except markup that
went through :func:`publisher.text.sanitize_inline` again; summaries are plain text.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from publisher.text import html_to_text, sanitize_article, sanitize_inline, trim_at_sentence

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "opf": "http://www.idpf.org/2007/opf",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}


class PreviewError(Exception):
    """The output cannot be read for preview; the message says what is wrong."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    date: str
    author: str
    category: str
    summary: str  # plain text, cut at a sentence end
    enclosure: str | None
    content: Markup = Markup("")  # the full text readers get, sanitized again


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    items: list[FeedItem]


def _text(node: ET.Element | None, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _summary(markup: str) -> str:
    """A reader's summary of an item's HTML: its plain text, cut at a sentence end."""
    return trim_at_sentence(" ".join(html_to_text(sanitize_inline(markup)).split()), 300)


def inside_preview(markup: str, moves: list[tuple[str, str]]) -> str:
    """``markup`` with each public URL prefix of ``moves`` replaced by the build's own, in order (the issue's
    downloads, then its digest page with anchors, then its media): an unpublished build's links and pictures work."""
    for public, preview in moves:
        markup = markup.replace(public, preview)
    return markup


def read_feed(path: Path) -> Feed:
    """The items of an RSS 2.0 or Atom feed, as a reader would list them."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise PreviewError(f"{path.name} is not well-formed XML: {exc}") from None
    if root.tag == f"{{{NS['atom']}}}feed":
        items = [
            FeedItem(
                title=_text(entry, "atom:title"),
                link=next((a.get("href", "") for a in entry.findall("atom:link", NS)), ""),
                date=_text(entry, "atom:published") or _text(entry, "atom:updated"),
                author=_text(entry, "atom:author/atom:name"),
                category=", ".join(c.get("label") or c.get("term") or "" for c in entry.findall("atom:category", NS)),
                summary=_summary(_text(entry, "atom:summary") or _text(entry, "atom:content")),
                enclosure=None,
                content=Markup(sanitize_article(_text(entry, "atom:content"))),
            )
            for entry in root.findall("atom:entry", NS)
        ]
        return Feed(_text(root, "atom:title"), _text(root, "atom:subtitle"), items)
    channel = root.find("channel")
    if channel is None:
        raise PreviewError(f"{path.name} is neither RSS 2.0 nor Atom")
    items = []
    for item in channel.findall("item"):
        enclosure = item.find("enclosure")
        items.append(
            FeedItem(
                title=_text(item, "title"),
                link=_text(item, "link"),
                date=_text(item, "pubDate"),
                author=_text(item, "dc:creator") or _text(item, "author"),
                category=", ".join((c.text or "").strip() for c in item.findall("category")),
                summary=_summary(_text(item, "description") or _text(item, "content:encoded")),
                enclosure=enclosure.get("url") if enclosure is not None else None,
                content=Markup(sanitize_article(_text(item, "content:encoded"))),
            )
        )
    return Feed(_text(channel, "title"), _text(channel, "description"), items)


def read_json_feed(path: Path) -> Feed:
    """The items of a JSON Feed, as a reader would list them."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = [
            FeedItem(
                title=str(item.get("title", "")),
                link=str(item.get("url", "")),
                date=str(item.get("date_published", "")),
                author=", ".join(str(a.get("name", "")) for a in item.get("authors", [])),
                category=", ".join(map(str, item.get("tags", []))),
                summary=_summary(str(item.get("summary") or item.get("content_html") or "")),
                enclosure=item.get("image"),
                content=Markup(sanitize_article(str(item.get("content_html") or ""))),
            )
            for item in data["items"]
        ]
        return Feed(str(data.get("title", "")), str(data.get("description", "")), items)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PreviewError(f"{path.name} is not a JSON Feed: {exc}") from None


@dataclass(frozen=True)
class TocEntry:
    label: str
    href: str  # member path inside the EPUB, with any #fragment
    depth: int


@dataclass(frozen=True)
class Epub:
    title: str
    toc: list[TocEntry]
    members: frozenset[str]


def _resolve(base: str, href: str) -> str:
    path, _, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), path)) if path else base
    return f"{joined}#{fragment}" if fragment else joined


def _nav_entries(ol: ET.Element, base: str, depth: int) -> list[TocEntry]:
    entries = []
    for li in ol.findall("xhtml:li", NS):
        link = li.find("xhtml:a", NS)
        if link is not None:
            label = "".join(link.itertext()).strip()
            entries.append(TocEntry(label, _resolve(base, link.get("href", "")), depth))
        for sub in li.findall("xhtml:ol", NS):
            entries.extend(_nav_entries(sub, base, depth + 1))
    return entries


def _ncx_entries(parent: ET.Element, base: str, depth: int) -> list[TocEntry]:
    entries = []
    for point in parent.findall("ncx:navPoint", NS):
        label = _text(point, "ncx:navLabel/ncx:text")
        content = point.find("ncx:content", NS)
        entries.append(TocEntry(label, _resolve(base, content.get("src", "") if content is not None else ""), depth))
        entries.extend(_ncx_entries(point, base, depth + 1))
    return entries


def read_epub(path: Path) -> Epub:
    """Title and table of contents (EPUB 3 nav, else NCX) of the EPUB at ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = frozenset(archive.namelist())
            container = ET.fromstring(archive.read("META-INF/container.xml"))
            opf_path = _required(container.find("container:rootfiles/container:rootfile", NS), "full-path")
            opf = ET.fromstring(archive.read(opf_path))
            title = _text(opf, "opf:metadata/dc:title")
            manifest = opf.findall("opf:manifest/opf:item", NS)
            nav = next((i for i in manifest if "nav" in (i.get("properties") or "").split()), None)
            ncx = next((i for i in manifest if i.get("media-type") == "application/x-dtbncx+xml"), None)
            toc: list[TocEntry] = []
            if nav is not None:
                nav_path = _resolve(opf_path, _required(nav, "href"))
                doc = ET.fromstring(archive.read(nav_path))
                for element in doc.iter(f"{{{NS['xhtml']}}}nav"):
                    if element.get(f"{{{NS['epub']}}}type") == "toc":
                        for ol in element.findall("xhtml:ol", NS):
                            toc = _nav_entries(ol, nav_path, 0)
            if not toc and ncx is not None:
                ncx_path = _resolve(opf_path, _required(ncx, "href"))
                doc = ET.fromstring(archive.read(ncx_path))
                nav_map = doc.find("ncx:navMap", NS)
                toc = _ncx_entries(nav_map, ncx_path, 0) if nav_map is not None else []
    except (zipfile.BadZipFile, KeyError, AttributeError, ET.ParseError) as exc:
        raise PreviewError(f"{path.name} cannot be read as an EPUB: {exc}") from None
    return Epub(title, toc, members)


def _required(element: ET.Element | None, attribute: str) -> str:
    """``attribute`` of ``element``; KeyError when either is missing (the EPUB is reported as unreadable)."""
    value = element.get(attribute) if element is not None else None
    if value is None:
        raise KeyError(attribute)
    return value


def read_member(path: Path, member: str) -> bytes | None:
    """One file inside the EPUB, found by exact name in its listing (never a joined path)."""
    with zipfile.ZipFile(path) as archive:
        if member not in archive.namelist() or member.endswith("/"):
            return None
        return archive.read(member)
