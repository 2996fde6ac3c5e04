"""Scores of an import against the gold of what was printed: headline precision/recall, bylines, sections, photos."""

from __future__ import annotations

import re
from pathlib import Path


def norm(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "")


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
