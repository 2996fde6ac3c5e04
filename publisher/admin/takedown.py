"""An unpublished issue leaves the site at once: its entries are dropped from the feeds (RSS, Atom, JSON Feed) and the
archive served.

The feeds and the archive page are written at build time and list earlier
issues too, so the newest build's files may still name an issue taken down
after it was built. Rather than rebuild, the public site serves those files
without the items that link into ``/issues/<id>/`` of an unpublished issue.
"""

from __future__ import annotations

import json
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

_XML = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)


def _links_into(ids: tuple[str, ...]) -> str:
    """An XPath test: does this node's link point into one of the issues ``ids``?"""
    return " or ".join(f"contains(., '/issues/{i}/') or contains(@href, '/issues/{i}/')" for i in ids)


@lru_cache(maxsize=64)
def feed_without(path: str, mtime_ns: int, ids: tuple[str, ...]) -> bytes:
    """The RSS or Atom feed at ``path`` without the items or entries of the issues ``ids``."""
    with open(path, "rb") as handle:
        tree = etree.parse(handle, _XML)
    test = _links_into(ids)
    for node in tree.xpath(f"//*[local-name()='item' or local-name()='entry'][*[local-name()='link'][{test}]]"):
        node.getparent().remove(node)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


@lru_cache(maxsize=16)
def archive_without(path: str, mtime_ns: int, ids: tuple[str, ...]) -> bytes:
    """The archive page at ``path`` without the list items of the issues ``ids``."""
    with open(path, "rb") as handle:
        doc = lxml_html.document_fromstring(handle.read())
    test = " or ".join(f"contains(@href, '/issues/{i}/')" for i in ids)
    for node in doc.xpath(f"//li[.//a[{test}]]"):
        node.getparent().remove(node)
    return lxml_html.tostring(doc, doctype="<!doctype html>", encoding="utf-8")


@lru_cache(maxsize=16)
def json_feed_without(path: str, mtime_ns: int, ids: tuple[str, ...]) -> bytes:
    """The JSON Feed at ``path`` without the items of the issues ``ids``."""
    with open(path, "rb") as handle:
        document = json.load(handle)
    marks = tuple(f"/issues/{i}/" for i in ids)
    document["items"] = [item for item in document.get("items", []) if not any(m in item.get("url", "") for m in marks)]
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
