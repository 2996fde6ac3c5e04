"""Scores of an import against the gold of what was printed (headline precision/recall, bylines, sections,
photos), and the characters an import put somewhere (for the tests that nothing is lost); both importers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path


def norm(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "")


def output_chars(result) -> Counter:
    """Every character the import put somewhere: articles, figures, masthead, section labels, furniture."""
    parts: list[str | None] = []
    for a in result.issue.articles:
        parts += [a.headline, a.kicker, a.subtitle, a.series, a.byline, a.source, a.editor_note]
        parts += [b.text for b in a.body]
        parts += [x for f in a.figures for x in (f.caption, f.credit)]
    report = result.report.data()
    parts += [m["text"] for m in report["masthead"]]
    parts += [f["text"] for f in report["furniture"]]
    parts += [s["name"] for s in report["sections"] if s["line"] is not None]
    made_up = Counter(ch for s in report["synthesized"] for ch in s["text"] if not ch.isspace())
    return Counter(ch for p in parts if p for ch in p if not ch.isspace()) - made_up


def score(issue, gold: list[dict], folder: Path | None = None) -> dict:
    """Counts (not rates) so that issues add up: matched, got, want, bylines and sections right, photos found."""
    got = {norm(a.headline): a for a in issue.articles} if issue is not None else {}
    want = {norm(g["headline"]): g for g in gold}
    matched = [h for h in want if h in got]
    photos = sum(g["photos"] for g in gold)
    found = 0
    for h in matched:
        images = [f for f in got[h].figures if f.src]
        if folder is not None:
            images = [f for f in images if (folder / f.src).is_file()]
        found += min(len(images), want[h]["photos"])
    return {
        "matched": len(matched),
        "got": len(got),
        "want": len(want),
        "bylines": sum(1 for h in matched if norm(got[h].byline) == norm(want[h]["byline"])),
        "sections": sum(1 for h in matched if issue.section(got[h].section).name == want[h]["section"]),
        "photos": photos,
        "photos_found": found,
    }


def add(total: dict, part: dict) -> dict:
    return {k: total.get(k, 0) + v for k, v in part.items()}


def rates(counts: dict) -> dict:
    m = counts["matched"] or 1
    return {
        "precision": counts["matched"] / counts["got"] if counts["got"] else 0.0,
        "recall": counts["matched"] / counts["want"] if counts["want"] else 0.0,
        "bylines": counts["bylines"] / m,
        "sections": counts["sections"] / m,
        "photos": counts["photos_found"] / counts["photos"] if counts["photos"] else None,
    }
