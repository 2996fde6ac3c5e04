"""The index of parsed issues: the same model as a fresh parse, parsed again exactly when a file changes."""

from __future__ import annotations

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
    real = loading.load_issue
    monkeypatch.setattr(loading, "load_issue", lambda folder: loads.append(folder.name) or real(folder))
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
