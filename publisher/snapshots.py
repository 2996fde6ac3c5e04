"""What a build built, kept beside its files, and what publishing it would change against what is live.

The queue saves the issue as ``publisher show --json`` gives it (``issue.json`` in
the build folder) before rendering; comparing two builds' snapshots tells an
editor which articles a publish or a rollback adds, removes or changes, by
headline, without reading the content folder (which may have moved on since).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from publisher import writer
from publisher.model import Issue
from publisher.serialize import issue_data

FILE = "issue.json"
#: Article fields compared, in the order an editor reads them.
FIELDS = (
    "kicker",
    "headline",
    "subtitle",
    "section",
    "series",
    "byline",
    "authors",
    "source",
    "kind",
    "editor_note",
    "text",
    "figures",
)
MASTHEAD = ("paper", "date", "number", "title")


def save(build_dir: Path, issue: Issue) -> None:
    """Write the snapshot of ``issue`` into ``build_dir`` (atomically)."""
    writer.write_text(Path(build_dir) / FILE, json.dumps(issue_data(issue), ensure_ascii=False, indent=1))


def read(build_dir: Path | str | None) -> dict | None:
    """The snapshot a build saved, or None (no build, a build made before snapshots, pruned files)."""
    if build_dir is None:
        return None
    try:
        return json.loads((Path(build_dir) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Changed:
    before: dict
    after: dict
    fields: tuple[str, ...]  # names from FIELDS that differ

    @property
    def text_delta(self) -> int:
        """Characters of body text gained (negative: lost)."""
        return len(self.after.get("text") or "") - len(self.before.get("text") or "")


@dataclass(frozen=True)
class Changes:
    """What goes live when ``after`` replaces ``before`` (``before`` None: nothing of the issue is live)."""

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    masthead: list[str] = field(default_factory=list)  # names from MASTHEAD that differ
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.masthead)


def compare(before: dict | None, after: dict) -> Changes:
    """Articles added, removed and changed (matched by slug) between two snapshots, in reading order."""
    if before is None:
        return Changes(added=list(after["articles"]))
    old = {a["slug"]: a for a in before["articles"]}
    new = {a["slug"]: a for a in after["articles"]}
    changed, unchanged = [], 0
    for slug, article in new.items():
        if slug in old:
            differ = tuple(f for f in FIELDS if old[slug].get(f) != article.get(f))
            if differ:
                changed.append(Changed(old[slug], article, differ))
            else:
                unchanged += 1
    return Changes(
        added=[a for s, a in new.items() if s not in old],
        removed=[a for s, a in old.items() if s not in new],
        changed=changed,
        masthead=[f for f in MASTHEAD if before["issue"].get(f) != after["issue"].get(f)],
        unchanged=unchanged,
    )
