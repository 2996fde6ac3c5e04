"""What a command imports is what it needs: the help starts at once, the feed never loads WeasyPrint."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import SAMPLE_CONTENT, make_config

PROBE = """
import json, sys
from publisher.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {
    "weasyprint", "pypinyin", "flask", "sqlalchemy", "pydantic", "yaml", "ebooklib", "PIL", "jinja2", "publisher",
    "publisher_channels"})), file=sys.stderr)
"""


def imported(*args: str, cwd=None) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd)
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_imports_no_library_of_the_work():
    loaded = imported("--help")
    assert not {m for m in loaded if m.split(".")[0] in {"weasyprint", "pypinyin", "flask", "sqlalchemy", "pydantic", "yaml"}}
    assert not {"publisher.loading", "publisher.importer", "publisher.pipeline", "publisher.config"} & loaded


def test_building_the_feed_and_digest_never_imports_the_pdf_or_epub_channel(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path)
    (tmp_path / "config.yaml").write_text(
        f"content: {config.content}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8"
    )
    loaded = imported("build", "-c", "rss", "-c", "digest", cwd=tmp_path)
    assert {"publisher.pipeline", "publisher.loading", "publisher_channels.rss", "publisher_channels.digest"} <= loaded
    assert not {m for m in loaded if m.startswith(("publisher_channels.pdf", "publisher_channels.epub"))}
    assert not {m for m in loaded if m.split(".")[0] in {"weasyprint", "ebooklib", "pypinyin", "flask"}}
    assert "<title>中国铝业报" in (tmp_path / "out" / "2025-04-19-1330" / "rss" / "feed.xml").read_text(encoding="utf-8")


def test_listing_issues_imports_no_channel_pipeline_or_pillow(tmp_path):
    """``publisher issues`` reads unchanged issues from the index: nothing of building or parsing photos is loaded."""
    (tmp_path / "config.yaml").write_text(f"content: {SAMPLE_CONTENT}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")
    imported("issues", cwd=tmp_path)  # fills the index
    loaded = imported("issues", cwd=tmp_path)
    assert {"publisher.index", "publisher.loading"} <= loaded
    assert not {"publisher.pipeline", "publisher.channel", "publisher.images"} & loaded
    assert not {m for m in loaded if m.split(".")[0] in {"jinja2", "PIL", "publisher_channels", "flask", "sqlalchemy"}}
