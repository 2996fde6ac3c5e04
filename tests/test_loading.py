"""The strict loader: a good issue loads; each kind of bad content names its file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher import loading
from publisher.loading import ContentErrors
from publisher.model import BlockKind

from .conftest import root

TINY = root("tiny") / "issues" / "2025-05-01-1331"


def test_tiny_issue_loads_with_derived_fields():
    issue = loading.load_issue(TINY)
    assert issue.id == "2025-05-01-1331"
    assert issue.date == dt.date(2025, 5, 1)
    assert issue.weekday == "星期四"
    assert issue.lunar_date == "乙巳年四月初四"
    assert issue.title == "中国铝业报 2025年5月1日 总第1331期"
    assert [a.slug for a in issue.articles] == ["lvse-dixing", "pinglun"]
    first = issue.articles[0]
    assert first.kicker == "新能源" and first.subtitle == "年用绿电七十亿千瓦时"
    assert first.authors[0].name == "李明" and first.authors[0].role == "记者"
    assert [b.kind for b in first.body] == [BlockKind.paragraph, BlockKind.subhead, BlockKind.paragraph, BlockKind.quote]
    # Wrapped CJK lines join without a space.
    assert "依赖转向清洁能源主导，构建起" in first.body[2].text
    assert first.char_count == sum(len(b.text.replace(" ", "")) for b in first.body)
    assert first.reading_minutes == 1
    assert issue.section("redian").page_label == "第2版"


def test_sample_dates_are_derived():
    issue = loading.load_issue(TINY)
    moved = issue.model_copy(update={"date": dt.date(2025, 4, 19)})
    assert (moved.weekday, moved.lunar_date) == ("星期六", "乙巳年三月廿二")


def _issue(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "2025-05-01-1331"
    folder.mkdir()
    (folder / "issue.yaml").write_text((TINY / "issue.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        loading.load(folder)
    return [str(p) for p in caught.value.problems]


GOOD = "---\nheadline: 标题\nsection: yaowen\n---\n正文。\n"


def test_unknown_key_names_file_line_and_allowed_keys(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 标题\nsection: yaowen\nheadlin: 错\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert problem.startswith(f"{folder / '01-a.md'}:4: unknown key 'headlin'")
    assert "allowed keys are:" in problem and "headline" in problem


def test_missing_headline(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nsection: yaowen\nkind: news\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:2:" in problem
    assert "'headline' is required" in problem


def test_duplicate_slug_names_both_files(tmp_path):
    folder = _issue(tmp_path, {"01-same.md": GOOD, "02-same.md": GOOD})
    [problem] = _problems(folder)
    assert "02-same.md" in problem and "already used by 01-same.md" in problem


def test_bad_date_in_issue_yaml(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": GOOD})
    meta = folder / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("date: 2025-05-01", "date: 2025-02-30"), encoding="utf-8")
    [problem] = _problems(folder)
    assert problem.startswith(f"{meta}:3: date: '2025-02-30' 不是有效的日期")


def test_date_not_matching_folder(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": GOOD})
    meta = folder / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("date: 2025-05-01", "date: 2025-05-02"), encoding="utf-8")
    [problem] = _problems(folder)
    assert "must start with its date 2025-05-02" in problem


def test_non_utf8_file_names_line(tmp_path):
    body = "---\nheadline: 标题\nsection: yaowen\n---\n第一段。\n".encode("utf-8") + "第二段。".encode("gb18030")
    folder = _issue(tmp_path, {"01-a.md": body})
    [problem] = _problems(folder)
    assert problem.startswith(f"{folder / '01-a.md'}:6: is not UTF-8")
    assert "GB18030" in problem


def test_yaml_alias_bomb_is_refused(tmp_path):
    bomb = "---\nheadline: &a 标题\nsection: yaowen\nkicker: *a\n---\n正文。\n"
    folder = _issue(tmp_path, {"01-a.md": bomb})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:2:" in problem and "anchors and aliases" in problem


def test_duplicate_key_is_refused(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 一\nsection: yaowen\nheadline: 二\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:4:" in problem and "appears twice (first on line 2)" in problem


def test_unknown_section_lists_the_known_ones(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 标题\nsection: sports\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:3:" in problem and "redian, yaowen" in problem


def test_broken_yaml_syntax_points_at_line(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 标题\nsection: [yaowen\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:" in problem and "not valid YAML" in problem


def test_bad_authors_entry_points_at_its_line(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 标题\nsection: yaowen\nauthors:\n  - {role: 记者}\n---\n正文。\n"})
    [problem] = _problems(folder)
    assert f"{folder / '01-a.md'}:5:" in problem and "authors.0.name" in problem


def test_every_problem_is_reported_at_once_and_nothing_loads(tmp_path):
    folder = _issue(
        tmp_path,
        {
            "01-a.md": "---\nsection: yaowen\n---\nx\n",
            "02-b.md": "---\nheadline: 标题\nsection: nowhere\n---\nx\n",
            "03-c.md": GOOD,
        },
    )
    problems = _problems(folder)
    assert len(problems) == 2
    assert any("01-a.md" in p for p in problems) and any("02-b.md" in p for p in problems)


def test_unsafe_markup_is_sanitized_at_load():
    issue = loading.load_issue(root("hostile") / "issues" / "2025-06-01-1400")
    article = issue.articles[0]
    html = "".join(b.html for b in article.body)
    for bad in ("<script", "onerror", "onclick", "javascript:", "<style", "<svg", "<math", "<img", "<link", "\x01", "\x7f"):
        assert bad not in html
    assert '<a href="https://example.org/ok"' in html
    assert "𡃁" in article.text and "😀" in article.text
    assert article.slug == "2025-hostile"


def test_hostile_issue_warnings_name_lines():
    loaded = loading.load(root("hostile") / "issues" / "2025-06-01-1400")
    messages = [str(w) for w in loaded.warnings]
    assert any("01-2025-hostile.md:2: control characters were removed" in m for m in messages)
    assert any("01-2025-hostile.md:9: 图片文件 images/missing.jpg 不在本期文件夹中" in m for m in messages)
    assert any("空版 (kong) has no articles" in m for m in messages)


def test_impossible_date_keeps_its_line_and_key_and_hides_no_other_error(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": "---\nheadline: 标题\nsection: yaowen\nkind: nonsense\n---\n正文。\n"})
    meta = folder / "issue.yaml"
    source = meta.read_text(encoding="utf-8").replace("date: 2025-05-01", "date: 2025-02-30")
    meta.write_text(source.replace("number: 1331", "number: 0"), encoding="utf-8")
    problems = _problems(folder)
    assert f"{meta}:3: date: '2025-02-30' 不是有效的日期；请写成“年-月-日”，例如 2025-04-19" in problems
    assert any(p.startswith(f"{meta}:4: number:") for p in problems)  # the same file's other error
    assert any(p.startswith(f"{folder / '01-a.md'}:4: kind:") for p in problems)  # and the articles'
    assert len(problems) == 3


def test_yaml_1_1_booleans_and_dates_stay_text_in_text_keys(tmp_path):
    folder = _issue(
        tmp_path,
        {
            "01-a.md": "---\nheadline: no\nkicker: 2025-02-30\nsubtitle: yes\nsection: yaowen\nauthors: [off, 1330]\n---\n正文。\n",
            "02-b.md": "---\nheadline: 标题\nsection: on\n---\n正文。\n",
        },
    )
    [problem] = _problems(folder)
    assert problem.startswith(f"{folder / '02-b.md'}:3: section 'on' is not declared")
    (folder / "02-b.md").unlink()
    [article] = loading.load_issue(folder).articles
    assert (article.headline, article.kicker, article.subtitle) == ("no", "2025-02-30", "yes")
    assert article.author_names == ["off", "1330"]


def test_a_bad_section_entry_names_its_own_line_and_key(tmp_path):
    folder = _issue(tmp_path, {"01-a.md": GOOD})
    meta = folder / "issue.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("page: 2}", "page: 0}"), encoding="utf-8")
    [problem] = _problems(folder)
    line = meta.read_text(encoding="utf-8").split("\n").index("  - {slug: redian, name: 热议, page: 0}") + 1
    assert problem.startswith(f"{meta}:{line}: sections.1.page:")


def test_the_model_knows_each_articles_file_and_which_figures_have_one(tmp_path):
    folder = _issue(
        tmp_path,
        {
            "01-a.md": "---\nheadline: 有图\nsection: yaowen\nfigures:\n  - {src: images/a.png, caption: 有}\n"
            "  - {src: images/none.png, caption: 无}\n  - {src: images/in.png, caption: 链内}\n---\n正文。\n",
        },
    )
    (folder / "images").mkdir()
    (folder / "images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "images" / "in.png").symlink_to("a.png")  # a link that stays inside is a file like any other
    loaded = loading.load(folder)
    [article] = loaded.issue.articles
    assert article.file == "01-a.md"
    assert [f.found for f in article.figures] == [True, False, True]
    warned = [str(w) for w in loaded.warnings]
    assert [w for w in warned if "不在本期文件夹中" in w] == [
        f"{folder / '01-a.md'}:6: 图片文件 images/none.png 不在本期文件夹中，这张图和它的图说不会发布；请补上文件"
    ]
    # A link out of the issue folder is refused (tests/test_attacks.py).


def test_derived_fields_cannot_be_set_by_content(tmp_path):
    folder = _issue(
        tmp_path,
        {
            "01-a.md": "---\nheadline: 标题\nsection: yaowen\nfile: x.md\n---\n正文。\n",
            "02-b.md": "---\nheadline: 标题\nsection: yaowen\nfigures:\n  - {src: a.png, found: true}\n---\n正文。\n",
        },
    )
    problems = _problems(folder)
    assert any("01-a.md:4: unknown key 'file'" in p for p in problems)
    assert any("02-b.md:5" in p and "'found' is set by publisher" in p for p in problems)


def test_the_newest_earlier_issues_are_those_the_full_listing_gives(tmp_path):
    """newest_issue_ids: the same ids as list_issue_ids, newest first; folders without issue.yaml left out."""
    issues = tmp_path / "issues"
    for day in range(1, 10):
        folder = issues / f"2025-01-0{day}-{day}"
        folder.mkdir(parents=True)
        if day != 7:  # a folder that is not (yet) an issue
            (folder / "issue.yaml").write_text("paper: x\n", encoding="utf-8")
    (issues / "notes.txt").write_text("not an issue", encoding="utf-8")
    every = loading.list_issue_ids(tmp_path)
    newest = loading.newest_issue_ids(tmp_path, "2025-01-09-9", 4)
    assert (
        newest
        == [i for i in reversed(every) if i < "2025-01-09-9"][:4]
        == ["2025-01-08-8", "2025-01-06-6", "2025-01-05-5", "2025-01-04-4"]
    )
    assert (
        loading.newest_issue_ids(tmp_path, "2025-01-09-9", 0) == [] and loading.newest_issue_ids(tmp_path / "none", "z", 3) == []
    )


def test_a_page_of_issues_looks_into_its_own_folders_alone_and_counts_the_rest(tmp_path, monkeypatch):
    """issue_page: the newest issues (before an id, when given), the folders in all and those older than the page;
    has_issue looks into one folder and takes nothing that is not a folder's name."""
    issues = tmp_path / "issues"
    for day in range(1, 10):
        (issues / f"2025-01-0{day}-{day}").mkdir(parents=True)
        if day != 7:  # a folder that is not (yet) an issue
            (issues / f"2025-01-0{day}-{day}" / "issue.yaml").write_text("paper: x\n", encoding="utf-8")
    (issues / "notes.txt").write_text("not an issue", encoding="utf-8")
    looked: list[str] = []
    real = Path.is_file
    monkeypatch.setattr(Path, "is_file", lambda self: looked.append(self.parent.name) or real(self))
    page = loading.issue_page(tmp_path, 3)
    assert page == (["2025-01-09-9", "2025-01-08-8", "2025-01-06-6"], 9, 5)
    assert looked == ["2025-01-09-9", "2025-01-08-8", "2025-01-07-7", "2025-01-06-6"]
    assert loading.issue_page(tmp_path, 3, before="2025-01-03-3") == (["2025-01-02-2", "2025-01-01-1"], 9, 0)
    assert loading.issue_page(tmp_path, None).ids == list(reversed(loading.list_issue_ids(tmp_path)))
    assert loading.issue_page(tmp_path / "none", 3) == ([], 0, 0)
    assert loading.has_issue(tmp_path, "2025-01-08-8") and not loading.has_issue(tmp_path, "2025-01-07-7")
    assert not any(loading.has_issue(tmp_path, i) for i in ("", ".", "..", "../issues/2025-01-08-8", "x\0"))
