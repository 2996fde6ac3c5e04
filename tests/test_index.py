"""The index of parsed issues: the same model as a fresh parse, parsed again exactly when a file changes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from publisher import loading
from publisher.index import IssueIndex

from .conftest import SAMPLE_CONTENT, SAMPLE_ID


@pytest.fixture
def content(tmp_path):
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def counted(monkeypatch):
    loads: list[str] = []
    real = loading.load
    monkeypatch.setattr(loading, "load", lambda folder: loads.append(folder.name) or real(folder))
    return loads


def test_an_indexed_issue_equals_a_fresh_parse_and_is_parsed_once(content, tmp_path, counted):
    index = IssueIndex(tmp_path / "index.sqlite", content)
    first = index.load(SAMPLE_ID)
    assert counted == [SAMPLE_ID]
    again = IssueIndex(tmp_path / "index.sqlite", content).load(SAMPLE_ID)  # another process, the same file
    assert counted == [SAMPLE_ID] and again == first
    assert again == loading.load(loading.issue_dir(content, SAMPLE_ID)).issue
    assert again.articles[0].file == first.articles[0].file and again.date == first.date


def test_an_edited_article_is_parsed_again(content, tmp_path, counted):
    index = IssueIndex(tmp_path / "index.sqlite", content)
    index.load(SAMPLE_ID)
    article = sorted((content / "issues" / SAMPLE_ID).glob("01-*.md"))[0]
    info = article.stat()
    article.write_text(article.read_text(encoding="utf-8").replace("headline: ", "headline: 改过的", 1), encoding="utf-8")
    os.utime(article, ns=(info.st_atime_ns, info.st_mtime_ns))  # same time, different size: still noticed
    assert index.load(SAMPLE_ID).articles[0].headline.startswith("改过的")
    assert counted == [SAMPLE_ID, SAMPLE_ID]


def test_check_finds_an_entry_that_no_longer_matches_its_files_and_rebuild_mends_it(content, tmp_path):
    index = IssueIndex(tmp_path / "index.sqlite", content)
    index.load(SAMPLE_ID)
    assert index.check() == []
    model = index.load(SAMPLE_ID).model_copy(update={"paper": "别的报纸"}).model_dump_json()
    with sqlite3.connect(tmp_path / "index.sqlite") as db:  # a corrupted entry
        db.execute("UPDATE issues SET model = ?", (model,))
    assert index.check() == [SAMPLE_ID]
    assert index.rebuild() == 1 and index.check() == []


def test_an_outline_is_the_issue_without_bodies_and_read_from_the_same_entry(content, tmp_path, counted):
    index = IssueIndex(tmp_path / "index.sqlite", content)
    outline = index.load(SAMPLE_ID, outline=True)
    full = index.load(SAMPLE_ID)
    assert counted == [SAMPLE_ID]  # one parse fills both
    assert full.articles[0].body and all(a.body == () for a in outline.articles)
    assert outline.title == full.title and [a.headline for a in outline.articles] == [a.headline for a in full.articles]
    assert [a.byline for a in outline.articles] == [a.byline for a in full.articles]
    assert outline.model_copy(update={"articles": full.articles}) == full  # nothing else is left out


def test_an_index_of_an_older_layout_is_emptied_and_filled_again(content, tmp_path, counted):
    with sqlite3.connect(tmp_path / "index.sqlite") as db:  # the first layout: no outline column, no version
        db.execute("CREATE TABLE issues (id TEXT PRIMARY KEY, signature TEXT, title TEXT, articles INTEGER, model TEXT)")
        db.execute("INSERT INTO issues VALUES (?, 'old', 'old', 0, '{}')", (SAMPLE_ID,))
    index = IssueIndex(tmp_path / "index.sqlite", content)
    assert index.load(SAMPLE_ID, outline=True).id == SAMPLE_ID and counted == [SAMPLE_ID]
    assert index.check() == []


def test_archive_pages_read_outlines_and_the_feed_whole_issues(tmp_path, monkeypatch):
    """The digest's archive and 上一期 take outlines of the earlier issues; the feed takes its issues whole."""
    from publisher import pipeline
    from publisher_channels.digest import DigestChannel
    from publisher_channels.rss import FeedChannel

    from .conftest import make_config

    issues = tmp_path / "content" / "issues"
    for n, day in enumerate(("2025-04-05", "2025-04-12", "2025-04-19")):
        target = issues / f"{day}-{1328 + n}"
        shutil.copytree(SAMPLE_CONTENT / "issues" / SAMPLE_ID, target)
        yaml_file = target / "issue.yaml"
        text = yaml_file.read_text(encoding="utf-8").replace("date: 2025-04-19", f"date: {day}")
        yaml_file.write_text(text.replace("number: 1330", f"number: {1328 + n}"), encoding="utf-8")
    config = make_config(tmp_path / "content", tmp_path)
    asked: list[tuple[str, str, bool]] = []
    real = IssueIndex.load
    for channel in (DigestChannel, FeedChannel):
        monkeypatch.setattr(
            IssueIndex,
            "load",
            lambda self, i, outline=False, name=channel.name: asked.append((name, i, outline)) or real(self, i, outline),
        )
        newest = loading.load_issue(issues / "2025-04-19-1330")
        assert pipeline.build(newest, [channel], config).ok
    assert {(name, outline) for name, _, outline in asked} == {("digest", True), ("rss", False)}
    assert {i for _, i, _ in asked} == {"2025-04-05-1328", "2025-04-12-1329"}


def test_a_build_takes_its_issue_and_warnings_from_the_index_until_a_file_changes(content, tmp_path, counted):
    """The CLI's build reads its own issue through the index: the loader's warnings come back as they were."""
    from publisher.cli.context import Ctx

    (tmp_path / "config.yaml").write_text(f"content: {content}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")
    ctx = Ctx(str(tmp_path / "config.yaml"))
    first, again = ctx.load(SAMPLE_ID), ctx.load(SAMPLE_ID)
    assert counted == [SAMPLE_ID]  # parsed once, then read from the index
    fresh = loading.load(content / "issues" / SAMPLE_ID)
    assert fresh.warnings  # the sample's captions without photos
    assert first.issue == again.issue == fresh.issue
    assert [(str(w.path), w.line, w.message, w.code) for w in again.warnings] == [
        (str(w.path), w.line, w.message, w.code) for w in fresh.warnings
    ]
    article = sorted((content / "issues" / SAMPLE_ID).glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8").replace("headline: ", "headline: 改过的", 1), encoding="utf-8")
    assert ctx.load(SAMPLE_ID).issue.articles[0].headline.startswith("改过的")
    assert counted == [SAMPLE_ID, SAMPLE_ID, SAMPLE_ID]  # the fresh parse above, and the changed file


# --- publisher issues: the newest page, checked; every issue on asking ------------------------------------------


@pytest.fixture
def archive(tmp_path):
    """Eight issues (copies of the tiny one), a folder that is no issue, and the CLI over them: (ids, run)."""
    from click.testing import CliRunner

    from publisher.cli import main

    from .conftest import daily_copies, root

    ids = daily_copies(root("tiny") / "issues" / "2025-05-01-1331", tmp_path / "content", 8)
    (tmp_path / "content" / "issues" / "2024-01-01-notes").mkdir()  # no issue.yaml: a folder, not an issue
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {tmp_path / 'content'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")

    def run(*args):
        result = CliRunner().invoke(main, ["--config", str(config), "issues", *args])
        assert result.exit_code == 0, result.output
        return result

    return ids, run


def test_issues_checks_only_the_newest_page(archive, monkeypatch):
    """The default listing looks into the newest issues' folders alone and says how to see the rest."""
    from publisher import index

    ids, run = archive
    run("--limit", "3")  # fills the index
    signed: list[str] = []
    real = index.signature
    monkeypatch.setattr(index, "signature", lambda folder: signed.append(folder.name) or real(folder))
    monkeypatch.setattr(loading, "list_issue_ids", lambda content_dir: pytest.fail("every issue folder looked into"))
    out = run("--limit", "3").stdout.splitlines()
    assert signed == ids[:3]
    assert [line.split()[0] for line in out[:3]] == ids[:3]
    assert out[3] == "The newest 3 of 9 issue folders; 'publisher issues --all' lists every issue, '--limit N' the newest N."
    signed.clear()
    assert len(run().stdout.splitlines()) == 8 + 1 and signed == ids  # the default page (30) holds them all


def test_an_issue_edited_in_place_among_the_listed_is_read_again(archive, tmp_path):
    from .conftest import edit_in_place

    ids, run = archive
    assert "中国铝业报" in run("-n", "2").stdout.splitlines()[1]
    edit_in_place(tmp_path / "content" / "issues" / ids[1] / "issue.yaml", "paper: 中国铝业报", "paper: 中国铝业报（试刊）")
    assert "中国铝业报（试刊）" in run("-n", "2").stdout.splitlines()[1]


def test_issues_all_lists_every_issue_and_json_keeps_its_rows(archive, tmp_path):
    ids, run = archive
    (tmp_path / "content" / "issues" / ids[5] / "issue.yaml").write_text("paper: [\n", encoding="utf-8")  # broken
    every = run("--all")
    assert [line.split()[0] for line in every.stdout.splitlines()[:-1]] == ids
    assert "✗" in every.stdout.splitlines()[5] and every.stdout.splitlines()[-1] == "8 issue(s) in all."
    listed = run("--json", "-n", "6")
    rows = json.loads(listed.stdout)  # the count goes to stderr: stdout stays the JSON list of rows
    assert [r["id"] for r in rows] == ids[:6] and set(rows[0]) == {"id", "title", "articles", "ok"}
    assert rows[5] == {"id": ids[5], "title": None, "articles": None, "ok": False, "problems": 1}
    assert listed.stderr.startswith("The newest 6 of 9 issue folders")
    assert [r["id"] for r in json.loads(run("--json", "--all").stdout)] == ids


def test_the_cli_finds_an_issue_by_looking_into_its_folder_alone(archive, tmp_path, monkeypatch):
    """'publisher build' finds the newest issue, or the one named, without looking into every issue folder."""
    import click

    from publisher.cli.context import Ctx

    ids, _ = archive
    ctx = Ctx(str(tmp_path / "config.yaml"))
    monkeypatch.setattr(loading, "list_issue_ids", lambda content_dir: pytest.fail("every issue folder looked into"))
    assert ctx.issue_id(None) == ids[0] and ctx.issue_id(ids[6]) == ids[6]
    with pytest.raises(click.ClickException, match=f"no issue '2024-01-01-notes'; the newest are {', '.join(ids[:5])} "):
        ctx.issue_id("2024-01-01-notes")
