"""The editing layer on a copy of the sample issue: saves, checks tied to fields, locking, revisions, arranging."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from publisher import loading
from publisher.editing import Conflict, Desk, EditError, Invalid, source
from publisher.editing.figures import BadImage
from publisher.editing.paste import clean_paste
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID


@pytest.fixture
def content(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, target)
    return target


@pytest.fixture
def desk(content, store):
    return Desk(content, store)


def folder(content):
    return loading.issue_dir(content, SAMPLE_ID)


def check_cli(content) -> subprocess.CompletedProcess:
    """``publisher check`` itself, on the content as written."""
    config = content.parent / "config.yaml"
    config.write_text(f"content: {content}\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "publisher", "--config", str(config), "check", SAMPLE_ID], capture_output=True, text=True
    )


def test_reading_gives_fields_as_written_and_a_revision_of_the_bytes(desk, content):
    article = desk.article(SAMPLE_ID, "jishu-zhongxin")
    assert article["headline"] == "中铝集团新增两家国家企业技术中心"
    assert article["authors"] == [{"name": "何丹", "role": "见习记者"}]
    assert article["body"].startswith("近日，国家发展改革委")
    raw = (folder(content) / "01-jishu-zhongxin.md").read_bytes()
    assert article["revision"] == source.revision(raw)


def test_a_save_writes_the_content_format_and_check_still_passes(desk, content, store):
    article = desk.article(SAMPLE_ID, "jishu-zhongxin")
    body = article["body"].replace("近日，", "日前，", 1)
    outcome = desk.save_article(
        SAMPLE_ID, "jishu-zhongxin", {"headline": "中铝新增两家国家企业技术中心", "body": body}, article["revision"], "张编辑"
    )
    issue = loading.load_issue(folder(content))
    saved = next(a for a in issue.articles if a.slug == "jishu-zhongxin")
    assert saved.headline == "中铝新增两家国家企业技术中心"
    assert saved.lead.startswith("日前，国家发展改革委")
    assert saved.authors[0].role == "见习记者"
    assert check_cli(content).returncode == 0
    assert outcome.article["revision"] != article["revision"]
    [revision] = store.revisions(SAMPLE_ID, "jishu-zhongxin")
    assert revision.user == "张编辑"
    assert "标题由「中铝集团新增两家国家企业技术中心」改为「中铝新增两家国家企业技术中心」" in revision.diff
    assert "正文第1段：「近日」改为「日前」" in revision.diff


def test_an_invalid_save_is_refused_by_field_and_nothing_is_written(desk, content):
    path = folder(content) / "01-jishu-zhongxin.md"
    before = path.read_bytes()
    with pytest.raises(Invalid) as caught:
        desk.save_article(SAMPLE_ID, "jishu-zhongxin", {"section": "nowhere", "kind": "gossip"}, None, "ed")
    fields = {p.field: p.message for p in caught.value.problems}
    assert "版面“nowhere”不存在" in fields["section"]
    assert path.read_bytes() == before
    with pytest.raises(Invalid) as caught:
        desk.save_article(SAMPLE_ID, "jishu-zhongxin", {"kind": "gossip"}, None, "ed")
    assert [p.field for p in caught.value.problems] == ["kind"]
    assert "体裁必须是" in caught.value.problems[0].message
    with pytest.raises(Invalid) as caught:
        desk.save_article(SAMPLE_ID, "jishu-zhongxin", {"headline": "  ", "colour": "red"}, None, "ed")
    assert {p.field for p in caught.value.problems} == {"headline", "colour"}
    assert path.read_bytes() == before
    assert not list(folder(content).glob(".*.tmp"))


def test_stale_revision_and_a_hand_edit_are_conflicts(desk, content):
    first = desk.article(SAMPLE_ID, "dushuban")
    desk.save_article(SAMPLE_ID, "dushuban", {"headline": "第一位编辑的标题"}, first["revision"], "甲")
    with pytest.raises(Conflict) as caught:
        desk.save_article(SAMPLE_ID, "dushuban", {"headline": "第二位编辑的标题"}, first["revision"], "乙")
    assert caught.value.current["headline"] == "第一位编辑的标题"
    now = desk.article(SAMPLE_ID, "dushuban")
    path = folder(content) / now["file"]
    path.write_text(path.read_text(encoding="utf-8").replace("第一位编辑的标题", "手工改的标题"), encoding="utf-8")
    with pytest.raises(Conflict) as caught:
        desk.save_article(SAMPLE_ID, "dushuban", {"headline": "又一个"}, now["revision"], "甲")
    assert caught.value.current["headline"] == "手工改的标题"


def test_move_between_sections_and_reorder_renumber_the_files(desk, content, store):
    desk.move_article(SAMPLE_ID, "yijidu-waimao", "ed", section="yaowen")
    layout = dict(desk.layout(SAMPLE_ID))
    assert layout["yaowen"][-1] == "yijidu-waimao"
    assert "yijidu-waimao" not in layout["caijing-jujiao"]
    desk.move_article(SAMPLE_ID, "yijidu-waimao", "ed", step=-1)
    assert store.history(1)[0].action == "arranged" and store.history(1)[0].user == "ed"
    assert dict(desk.layout(SAMPLE_ID))["yaowen"][-2] == "yijidu-waimao"
    issue = loading.load_issue(folder(content))
    assert [a.slug for a in issue.articles_in("yaowen")] == dict(desk.layout(SAMPLE_ID))["yaowen"]
    names = sorted(p.name for p in folder(content).glob("*.md"))
    assert names[0].startswith("01-") and len(names) == 33 and len({n[:2] for n in names}) == 33


def test_trash_and_restore(desk, content):
    desk.delete_article(SAMPLE_ID, "yijidu-gdp", "ed")
    assert "yijidu-gdp" not in [a.slug for a in loading.load_issue(folder(content)).articles]
    [entry] = desk.trash(SAMPLE_ID)
    assert entry["headline"] == "我国经济起步稳开局好"
    desk.restore(SAMPLE_ID, entry["name"], "ed")
    assert dict(desk.layout(SAMPLE_ID))["caijing-jujiao"][-1] == "yijidu-gdp"
    assert desk.trash(SAMPLE_ID) == []


def test_split_and_merge(desk, content):
    before = desk.article(SAMPLE_ID, "yimen-yangjitong")
    paragraphs = source.paragraphs(before["body"])
    desk.split_article(SAMPLE_ID, "yimen-yangjitong", 2, "阳极精炼项目", "ed")
    yaowen = dict(desk.layout(SAMPLE_ID))["yaowen"]
    new_slug = yaowen[yaowen.index("yimen-yangjitong") + 1]
    assert source.paragraphs(desk.article(SAMPLE_ID, new_slug)["body"]) == paragraphs[1:]
    assert source.paragraphs(desk.article(SAMPLE_ID, "yimen-yangjitong")["body"]) == paragraphs[:1]
    desk.merge_articles(SAMPLE_ID, "yimen-yangjitong", new_slug, "ed")
    assert source.paragraphs(desk.article(SAMPLE_ID, "yimen-yangjitong")["body"]) == paragraphs
    assert new_slug not in dict(desk.layout(SAMPLE_ID))["yaowen"]
    assert check_cli(content).returncode == 0


def test_sections_keep_their_slug_and_reorder(desk, content):
    desk.rename_section(SAMPLE_ID, "reyi", "热议新说", "ed", page=5)
    desk.add_section(SAMPLE_ID, "特别报道", "ed")
    desk.move_section(SAMPLE_ID, "reyi", -1, "ed")
    issue = loading.load(folder(content)).issue
    slugs = [s.slug for s in issue.sections]
    assert slugs.index("reyi") < slugs.index("shendu-xuexi")
    assert issue.section("reyi").name == "热议新说" and issue.section("reyi").page == 5
    assert issue.sections[-1].name == "特别报道" and issue.sections[-1].slug == "te-bie-bao-dao"
    assert [a.section for a in issue.articles] == [s for s in slugs for a in issue.articles if a.section == s]


def test_masthead_and_revisions_restore(desk, content, store):
    issue = desk.issue(SAMPLE_ID)
    desk.save_masthead(SAMPLE_ID, {"grade": "一级报纸（试）"}, issue["revision"], "ed")
    assert loading.load_issue(folder(content)).grade == "一级报纸（试）"
    with pytest.raises(Invalid):
        desk.save_masthead(SAMPLE_ID, {"number": 9}, None, "ed")
    first = desk.article(SAMPLE_ID, "dushuban")
    desk.save_article(SAMPLE_ID, "dushuban", {"headline": "改一次"}, first["revision"], "ed")
    desk.save_article(SAMPLE_ID, "dushuban", {"headline": "改两次"}, None, "ed")
    oldest = store.revisions(SAMPLE_ID, "dushuban")[-1]
    desk.restore_revision(oldest.id, "ed")
    assert desk.article(SAMPLE_ID, "dushuban")["headline"] == "改一次"
    assert store.revisions(SAMPLE_ID, "dushuban")[0].action == "revision-restored"


def test_new_issue_from_the_last_and_a_new_article(desk, content):
    new_id = desk.create_issue(dt.date(2025, 4, 26), 1331, "ed")
    issue = loading.load_issue(loading.issue_dir(content, new_id))
    assert issue.paper == "中国铝业报" and [s.slug for s in issue.sections][:2] == ["yaowen", "caijing-jujiao"]
    assert issue.articles == ()
    with pytest.raises(EditError):
        desk.create_issue(dt.date(2025, 4, 26), 1331, "ed")
    outcome = desk.create_article(new_id, {"headline": "新的一篇", "section": "reyi", "body": "第一段。\n\n第二段。"}, "ed")
    assert outcome.article["file"] == "01-xin-de-yi-pian.md"
    assert [b.text for b in loading.load_issue(loading.issue_dir(content, new_id)).articles[0].body] == ["第一段。", "第二段。"]


def _png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_upload_is_checked_and_kept_in_the_issue(desk, content):
    with pytest.raises(BadImage):
        desk.add_photo(SAMPLE_ID, "dushuban", b"<svg onload=alert(1)>", "x.svg", "ed")
    with pytest.raises(BadImage):
        desk.add_photo(SAMPLE_ID, "dushuban", _png()[:60], "cut.png", "ed")
    outcome = desk.add_photo(
        SAMPLE_ID, "dushuban", _png(), "../../etc/Photo 1.PNG", "ed", caption="图为读书班现场。", credit="张三 摄"
    )
    figure = outcome.article["figures"][-1]
    assert figure["src"].startswith("images/photo-1-") and figure["src"].endswith(".png")
    assert (folder(content) / figure["src"]).is_file()
    article = next(a for a in loading.load_issue(folder(content)).articles if a.slug == "dushuban")
    assert article.figures[-1].caption == "图为读书班现场。" and article.figures[-1].credit == "张三 摄"


def test_pasted_word_and_web_text_is_cleaned():
    word = "\u3000\u3000近日，中铝集团\u200b召开会议。\n\u3000\u3000会议指出，要“稳中求进”！\n"
    assert clean_paste(word) == "近日，中铝集团召开会议。\n\n会议指出，要“稳中求进”！"
    wrapped = "近日，国家发展改革委、科技部\n联合印发名单，中铝集团\n两家单位入选。\n\n第二段，\n继续。"
    assert clean_paste(wrapped) == "近日，国家发展改革委、科技部联合印发名单，中铝集团两家单位入选。\n\n第二段，继续。"
    html = '<p style="x">第一段<b>加粗</b>，</p><script>alert(1)</script><p>第二段。&nbsp;</p>'
    assert clean_paste("", html) == "第一段加粗，\n\n第二段。"
