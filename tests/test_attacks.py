"""Hostile content through every channel: bidi controls and symlinks out of the issue folder never reach readers."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from publisher import loading, pipeline, plugins

from .conftest import make_config

TINY_ID = "2025-05-01-1331"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def _build_all(content: Path, tmp_path: Path) -> Path:
    """Build the tiny issue under ``content`` into every installed channel; the issue's output folder."""
    config = make_config(content, tmp_path)
    issue = loading.load_issue(content / "issues" / TINY_ID)
    report = pipeline.build(issue, list(plugins.usable().values()), config)
    assert report.ok, report.errors
    return config.output_dir / TINY_ID


def _texts(out: Path) -> dict[str, str]:
    """Every text a reader gets, by file: feeds and pages as they are, EPUB members, PDF text (pdftotext)."""
    found: dict[str, str] = {}
    for path in out.rglob("*"):
        if path.suffix in (".xml", ".html", ".xhtml", ".json", ".txt"):
            found[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    if name.endswith((".xhtml", ".opf", ".ncx", ".html")):
                        found[f"{path}!{name}"] = book.read(name).decode("utf-8")
        elif path.suffix == ".pdf":
            found[str(path)] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return found


@pytest.mark.slow
def test_bidi_controls_reach_no_channel(copy_root, tmp_path):
    content = copy_root("tiny")
    article = content / "issues" / TINY_ID / "01-lvse-dixing.md"
    source = article.read_text(encoding="utf-8")
    source = source.replace("headline: 绿色低碳项目全面投产", "headline: 绿色低碳\u202egpj.exe\u202c项目全面投产")
    source = source.replace("kicker: 新能源", "kicker: 新\u2067能\u2069源\u200f")
    # Also as character references in the body, which the sanitizer decodes.
    source = source.replace("每年可使用绿电", "每年&#x202E;可使用&#8238;绿电&rlm;&lrm;")
    article.write_text(source, encoding="utf-8")

    texts = _texts(_build_all(content, tmp_path))
    channels = {Path(name.split("!")[0]).relative_to(tmp_path / "out" / TINY_ID).parts[0] for name in texts}
    assert channels == {"rss", "epub", "pdf", "digest"}
    for name, value in texts.items():
        assert not any(ch in value for ch in BIDI), name
        for ref in ("&#x202e;", "&#8238;", "&rlm;", "&lrm;", "&#x200f;"):
            assert ref not in value.lower(), name
    feed = next(v for k, v in texts.items() if k.endswith("rss/feed.xml"))
    assert "<title>绿色低碳gpj.exe项目全面投产</title>" in feed and "每年可使用绿电" in feed
