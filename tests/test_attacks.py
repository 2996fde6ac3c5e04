"""Hostile content through every channel: bidi controls and symlinks out of the issue folder never reach readers."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from publisher import loading, pipeline, plugins
from publisher.loading import ContentErrors

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
    assert {"rss", "jsonfeed", "ninjs", "epub", "pdf", "digest", "epaper", "wechat", "newsletter"} <= channels  # every channel
    for name, value in texts.items():
        assert not any(ch in value for ch in BIDI), name
        for ref in ("&#x202e;", "&#8238;", "&rlm;", "&lrm;", "&#x200f;"):
            assert ref not in value.lower(), name
    feed = next(v for k, v in texts.items() if k.endswith("rss/feed.xml"))
    assert "<title>绿色低碳gpj.exe项目全面投产</title>" in feed and "每年可使用绿电" in feed


def _png(path: Path, size: tuple[int, int], colour: str) -> bytes:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "PNG")
    return path.read_bytes()


def _with_figure(content: Path) -> Path:
    """Give the tiny issue's first article a picture, images/pic.png; the article file."""
    article = content / "issues" / TINY_ID / "01-lvse-dixing.md"
    source = article.read_text(encoding="utf-8")
    article.write_text(
        source.replace(
            "  - {caption: 图为风电场。, credit: 王五 摄}", "  - {caption: 图为风电场。, credit: 王五 摄, src: images/pic.png}"
        ),
        encoding="utf-8",
    )
    return article


def test_publisher_check_refuses_a_figure_or_article_linked_out_of_the_issue(copy_root, tmp_path):
    import sys

    content = copy_root("tiny")
    folder = content / "issues" / TINY_ID
    article = _with_figure(content)
    _png(tmp_path / "secret" / "server.png", (7, 7), "red")
    (folder / "images").mkdir()
    (folder / "images" / "pic.png").symlink_to(tmp_path / "secret" / "server.png")
    (tmp_path / "secret" / "03-x.md").write_text("---\nheadline: 外部\nsection: yaowen\n---\n外部文件。\n", encoding="utf-8")
    (folder / "03-x.md").symlink_to(tmp_path / "secret" / "03-x.md")
    with pytest.raises(ContentErrors) as caught:
        loading.load(folder)
    problems = sorted(str(p) for p in caught.value.problems)
    assert problems == [
        f"{article}:10: figures.0.src: 'images/pic.png' 是指向本期文件夹之外的链接，不能使用；请把图片文件本身复制到本期文件夹里",
        f"{folder / '03-x.md'}: 此文件是指向本期文件夹之外的链接，不能使用；请把文件本身放进本期文件夹",
    ]
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {content}\n", encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "publisher"), "--config", str(config), "check", TINY_ID],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert f"error: {article}:10: figures.0.src: 'images/pic.png' 是指向本期文件夹之外的链接" in done.stderr

    # A link that stays inside the issue folder is fine.
    (folder / "03-x.md").unlink()
    (folder / "images" / "pic.png").unlink()
    _png(folder / "images" / "real.png", (5, 5), "blue")
    (folder / "images" / "pic.png").symlink_to("real.png")
    assert loading.load_issue(folder).articles[0].figures[0].src == "images/pic.png"


def test_channels_never_read_a_file_linked_out_after_loading(copy_root, tmp_path):
    """The file is swapped for a link after the check: no channel embeds, copies or measures the target."""
    content = copy_root("tiny")
    folder = content / "issues" / TINY_ID
    _with_figure(content)
    _png(folder / "images" / "pic.png", (4, 4), "blue")
    secret = _png(tmp_path / "secret" / "server.png", (97, 89), "red")
    config = make_config(content, tmp_path)
    issue = loading.load_issue(folder)
    (folder / "images" / "pic.png").unlink()
    (folder / "images" / "pic.png").symlink_to(tmp_path / "secret" / "server.png")

    wanted = [c for name, c in plugins.usable().items() if name in ("rss", "epub", "digest")]
    report = pipeline.build(issue, wanted, config)
    out = config.output_dir / TINY_ID
    epub_result = next(r for r in report.results if r.channel == "epub")
    assert any("images/pic.png" in w for w in epub_result.warnings)  # left out, said so, not embedded
    assert not (out / "digest" / "media").exists()  # nothing copied
    feed = (out / "rss" / "feed.xml").read_text(encoding="utf-8")
    assert "<enclosure" not in feed and f'length="{len(secret)}"' not in feed
    for path in out.rglob("*"):
        assert not (path.is_file() and secret in path.read_bytes()), path
