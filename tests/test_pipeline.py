"""The pipeline: channels build independently, failures are reported and never clobber good output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from publisher import loading, pipeline, sample, writer
from publisher.channel import Channel, ChannelError, Output
from publisher.writer import write_text

from .conftest import root

BIN = Path(sys.executable).parent
TINY_ID = "2025-05-01-1331"


class Headlines(Channel):
    name = "headlines"
    title = "Headlines"

    def render(self, issue, ctx):
        write_text(ctx.out / "headlines.txt", "\n".join(a.headline for a in issue.articles))
        write_text(ctx.out / "archive.txt", "\n".join(i.id for i in ctx.archive(10)))
        return [Output("headlines.txt", "text/plain"), Output("archive.txt", "text/plain")]


class Broken(Channel):
    name = "broken"
    title = "Always fails half-way"

    def render(self, issue, ctx):
        write_text(ctx.out / "partial.txt", "half")
        raise ChannelError("the image 图1.jpg is missing; add it to the issue folder")


class Crashing(Channel):
    name = "crashing"
    title = "Raises a bug"

    def render(self, issue, ctx):
        return [Output("never-written.txt", "text/plain")]


def test_one_failing_channel_does_not_stop_the_others(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    report = pipeline.build(issue, [Broken, Headlines, Crashing], tiny_config)
    assert [r.ok for r in report.results] == [False, True, False]
    assert report.errors == [
        {"channel": "broken", "message": "the image 图1.jpg is missing; add it to the issue folder"},
        {"channel": "crashing", "message": "the channel reported never-written.txt but did not write it"},
    ]
    out = tiny_config.output_dir / TINY_ID
    assert (out / "headlines" / "headlines.txt").read_text(encoding="utf-8").splitlines() == [
        "绿色低碳项目全面投产",
        "在深化内化转化上下功夫",
    ]
    # Nothing of the failed channels is visible, and no staging folder is left behind.
    assert sorted(p.name for p in out.iterdir()) == ["headlines", "issue.json"]  # issue.json: for search (#20)


class Count(Channel):
    name = "count"
    title = "Counts the headlines channel's lines"
    requires = ("headlines",)

    def render(self, issue, ctx):
        lines = (ctx.output_of("headlines") / "headlines.txt").read_text(encoding="utf-8").splitlines()
        write_text(ctx.out / "count.txt", str(len(lines)))
        return [Output("count.txt", "text/plain")]


class NeedsBroken(Count):
    name = "needs-broken"
    requires = ("broken",)


class Sneaky(Channel):
    name = "sneaky"
    title = "Reads a channel it did not declare"

    def render(self, issue, ctx):
        ctx.output_of("headlines")


def test_requirements_build_first_and_their_failure_fails_the_dependant(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    assert pipeline.in_order([Count, Headlines]) == [Headlines, Count]
    assert pipeline.in_order([Count], {"headlines": Headlines}) == [Headlines, Count]
    report = pipeline.build(issue, [NeedsBroken, Count, Headlines, Broken, Sneaky], tiny_config)
    assert [(r.channel, r.ok) for r in report.results] == [
        ("broken", False),
        ("needs-broken", False),
        ("headlines", True),
        ("count", True),
        ("sneaky", False),
    ]
    errors = {e["channel"]: e["message"] for e in report.errors}
    assert errors["needs-broken"].startswith("broken 构建失败，所以依赖它的 needs-broken 没有构建")
    assert "图1.jpg is missing" in errors["needs-broken"]
    assert "requires = ('headlines',)" in errors["sneaky"]
    assert (tiny_config.output_dir / TINY_ID / "count" / "count.txt").read_text(encoding="utf-8") == "2"


class Peek(Channel):
    name = "peek"
    title = "Reads the headlines channel's output when it is in the build"
    uses = ("headlines",)

    def render(self, issue, ctx):
        folder = ctx.output_if_built("headlines")
        found = (folder / "headlines.txt").read_text(encoding="utf-8").splitlines()[0] if folder else "none"
        write_text(ctx.out / "peek.txt", found)
        return [Output("peek.txt", "text/plain")]


def test_a_used_channel_is_built_first_when_in_the_build_and_never_added(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    peek = tiny_config.output_dir / TINY_ID / "peek" / "peek.txt"
    assert [r.channel for r in pipeline.build(issue, [Peek, Headlines], tiny_config).results] == ["headlines", "peek"]
    assert peek.read_text(encoding="utf-8") == "绿色低碳项目全面投产"
    assert [r.channel for r in pipeline.build(issue, [Peek], tiny_config).results] == ["peek"]
    assert peek.read_text(encoding="utf-8") == "none"  # the older headlines output is not this build's

    class HeadlinesNowBroken(Broken):
        name = "headlines"

    report = pipeline.build(issue, [Peek, HeadlinesNowBroken], tiny_config)
    assert [(r.channel, r.ok) for r in report.results] == [("headlines", False), ("peek", True)]
    assert peek.read_text(encoding="utf-8") == "none"


def test_a_requirement_missing_from_the_build_fails_the_dependant_cleanly(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    report = pipeline.build(issue, [NeedsBroken], tiny_config)  # "broken" is no installed channel
    assert report.errors == [
        {
            "channel": "needs-broken",
            "message": "needs-broken 需要先构建 broken，但这次构建没有 broken（未安装或顺序有环）；安装 broken 后重新构建"
            " (needs-broken requires the broken channel, which this build does not have)",
        }
    ]


def test_failed_rebuild_keeps_the_last_good_output(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    pipeline.build(issue, [Headlines], tiny_config)

    class HeadlinesNowBroken(Broken):
        name = "headlines"

    report = pipeline.build(issue, [HeadlinesNowBroken], tiny_config)
    assert not report.ok
    folder = tiny_config.output_dir / TINY_ID / "headlines"
    assert sorted(p.name for p in folder.iterdir()) == ["archive.txt", "headlines.txt"]
    assert "绿色低碳项目全面投产" in (folder / "headlines.txt").read_text(encoding="utf-8")


def test_rebuild_replaces_output_and_manifest_is_complete(tiny_config):
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    pipeline.build(issue, [Headlines], tiny_config)
    report = pipeline.build(issue, [Headlines], tiny_config)
    manifest = report.manifest()
    assert manifest["issue"] == TINY_ID and manifest["errors"] == []
    paths = {Path(a["path"]).name: a for a in manifest["artifacts"]}
    assert set(paths) == {"headlines.txt", "archive.txt"}
    assert paths["headlines.txt"]["bytes"] == len("绿色低碳项目全面投产\n在深化内化转化上下功夫".encode())


def test_archive_reads_only_issues_up_to_this_one(copy_root, tmp_path):
    from .conftest import make_config

    content = copy_root("tiny")
    older = content / "issues" / "2025-04-01-1329"
    older.mkdir()
    (older / "issue.yaml").write_text(
        (content / "issues" / TINY_ID / "issue.yaml")
        .read_text(encoding="utf-8")
        .replace("2025-05-01", "2025-04-01")
        .replace("1331", "1329"),
        encoding="utf-8",
    )
    newer = content / "issues" / "2025-06-01-1332"  # newer than the one built: never part of its archive
    newer.mkdir()
    (newer / "issue.yaml").write_text("this: [is broken", encoding="utf-8")
    config = make_config(content, tmp_path)
    issue = loading.load_issue(content / "issues" / TINY_ID)
    report = pipeline.build(issue, [Headlines], config)
    assert report.ok, report.errors
    archive = (config.output_dir / TINY_ID / "headlines" / "archive.txt").read_text(encoding="utf-8")
    assert archive.splitlines() == [TINY_ID, "2025-04-01-1329"]


def test_cli_build_reports_unknown_channel_and_bad_content(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {root('tiny')}\noutput: {tmp_path / 'out'}\n", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "publisher"), "--config", str(config), "build", "-c", "nope"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "unknown channel(s): nope" in result.stderr and "publisher channels" in result.stderr


def test_cli_show_json_shape(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {root('tiny')}\n", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "publisher"), "--config", str(config), "show", TINY_ID, "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"issue", "sections", "articles"}
    assert data["issue"]["weekday"] == "星期四" and data["issue"]["number"] == 1331
    first = data["articles"][0]
    for key in (
        "slug",
        "headline",
        "kicker",
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
    ):
        assert key in first
    assert first["figures"] == [{"caption": "图为风电场。", "credit": "王五 摄", "src": None}]
    assert first["text"].split("\n")[1] == "闭环体系"


def test_cli_check_fails_with_file_and_line(copy_root, tmp_path):
    content = copy_root("tiny")
    article = content / "issues" / TINY_ID / "02-pinglun.md"
    article.write_text(article.read_text(encoding="utf-8").replace("headline:", "headlin:"), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {content}\n", encoding="utf-8")
    result = subprocess.run([str(BIN / "publisher"), "--config", str(config), "check"], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"error: {article}:2: unknown key 'headlin'" in result.stderr


@pytest.mark.parametrize("memory_limit", [None, 300 * 1024 * 1024])
def test_a_staged_channel_is_synced_to_disk_at_once_before_it_is_moved_into_place(monkeypatch, tmp_path, memory_limit):
    if memory_limit:  # a sandboxed render: no threads, the same files synced
        monkeypatch.setattr(writer.resource, "getrlimit", lambda kind: (memory_limit, memory_limit))
    synced: list[str] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd))[1])
    staging, cache = tmp_path / "staging", tmp_path / "cache"
    with writer.synced_together(staging):
        writer.write_text(staging / "feed.xml", "<rss/>")
        writer.write_text(staging / "feeds" / "yaowen.xml", "<rss/>")
        writer.write_text(cache / "photo.jpg", "jpeg")  # outside the staged folder: synced before it shows
        assert len(synced) == 1 and synced[0].startswith(str(cache / ".photo.jpg."))
    assert sorted(synced[1:]) == [str(staging / "feed.xml"), str(staging / "feeds" / "yaowen.xml")]
    assert (staging / "feeds" / "yaowen.xml").read_text() == "<rss/>"
    writer.write_text(staging / "after.txt", "x")  # after the block: synced at once, as always
    assert len(synced) == 4 and synced[3].startswith(str(staging / ".after.txt."))


def test_cli_build_says_each_warning_once_however_many_channels_report_it(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {sample.CONTENT}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "publisher"), "--config", str(config), "build", "-c", "rss", "-c", "digest"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    warnings = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("warning:")]
    assert len(warnings) == len(set(warnings)) > 0
    assert any("没有图片文件" in w for w in warnings)
    digest_part = result.stderr.split("[2/2] digest")[-1]
    assert f"({len(warnings)} warning(s) as above)" in digest_part
