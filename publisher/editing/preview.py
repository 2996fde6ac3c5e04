"""An article as readers will see it, before it is saved: the digest page and a PDF page of it alone.

The form's fields are written as a save would write them into a scratch copy
of the issue folder, the issue is loaded there, cut down to this one article and rendered by the real digest and PDF channels into
``<data>/previews/<token>/``. Nothing in the content folder or the builds changes.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from publisher import loading, pipeline
from publisher.editing import source
from publisher.editing.checks import link_tree, problem
from publisher.editing.desk import Desk, Invalid

#: Previews kept per data folder; older ones are deleted when a new one is made.
KEEP = 20
CHANNELS = ("digest", "pdf")


def make_preview(desk: Desk, config, channels: dict, issue_id: str, slug: str, fields: dict) -> tuple[str, dict[str, str]]:
    """Render the article with ``fields`` applied; (token, {channel: error}) — the files are under :func:`preview_dir`."""
    root = Path(config.data_dir) / "previews"
    token = secrets.token_hex(8)
    out = root / token
    staged = out / "src" / issue_id
    staged.mkdir(parents=True)
    files = desk.files(issue_id)
    name = desk._name(files, slug)
    current = desk._article(name, files[name])
    files[name] = source.article_source({**current, **fields}).encode("utf-8")
    for file_name, data in files.items():
        (staged / file_name).write_bytes(data)
    folder = desk.folder(issue_id)
    for entry in folder.iterdir():
        if entry.suffix != ".md" and entry.name not in (loading.ISSUE_FILE, ".trash"):
            link_tree(entry, staged / entry.name)
    try:
        issue = loading.load_issue(staged)
    except loading.ContentErrors as exc:
        shutil.rmtree(out, ignore_errors=True)
        texts = {k: v.decode("utf-8", "replace") for k, v in files.items()}
        raise Invalid([problem(p, texts) for p in exc.problems]) from None
    article = next(a for a in issue.articles if a.slug == slug)
    alone = issue.model_copy(update={"articles": (article,)})
    errors = {}
    for channel in CHANNELS:
        if channel not in channels:
            continue
        result = pipeline.build_channel(channels[channel], alone, staged, config, out / "build")
        if not result.ok:
            errors[channel] = result.error or "预览没有做成"
    _prune(root)
    return token, errors


def preview_dir(config, token: str) -> Path | None:
    """The folder of preview ``token`` (hex only), or None."""
    if not token.isalnum():
        return None
    folder = Path(config.data_dir) / "previews" / token / "build"
    return folder if folder.is_dir() else None


def _prune(root: Path) -> None:
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        if time.time() - old.stat().st_mtime > 60:
            shutil.rmtree(old, ignore_errors=True)
