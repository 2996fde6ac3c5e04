"""Importing an e-paper's text from the admin: upload → import → review the report → build.

Each test runs its own app over a copy of the tiny root, so imports write into a temp content folder.
"""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest

from publisher import loading, plugins
from publisher.importer import ImportFailure, import_text
from publisher.jobs import wait
from tests.conftest import SEED, root
from tests.test_admin import Site, sign_in, token

SEED_ID = "2025-04-19-1330"
TINY_ID = "2025-05-01-1331"
HOSTILE = """危险<script>alert(1)</script>标题

本报讯（记者 李明）近日，某公司<img src=x onerror=alert(3)>召开会议，研究部署下一阶段的工作。会议强调，要坚持问题导向。

第二篇<iframe src=javascript:alert(4)>报道

本报讯 会议指出，要统筹发展和安全，扎实做好各项工作，确保全年目标任务顺利完成。
"""


@pytest.fixture
def site(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    s = Site(tmp_path, tmp_path / "content", channels=[plugins.discover()["rss"].cls])
    yield s
    s.queue.close()


@pytest.fixture
def editor(site):
    c = site.app.test_client()
    assert sign_in(c).status_code == 302
    return c


def upload(client, data: bytes, filename: str = "paper.txt", csrf: bool = True, **fields):
    form = {"text": (io.BytesIO(data), filename), **fields}
    if csrf:
        form["csrf_token"] = token(client, "/admin/import")
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def issue_ids(site) -> list[str]:
    return loading.list_issue_ids(site.config.content_dir)


def article_files(folder) -> dict[str, str]:
    """The issue's own files (not the import report, which names the source and its encoding)."""
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if not p.name.startswith("import-report")}


def alert(page: str) -> str:
    found = re.search(r'role="alert">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


# --- sign-in and CSRF ---------------------------------------------------------------------------


def test_anonymous_users_cannot_see_or_use_the_import_page(site):
    client = site.app.test_client()
    assert client.get("/admin/import").headers["Location"].startswith("/login?next=")
    response = upload(
        client, HOSTILE.encode(), csrf=False, csrf_token=token(client), date="2025-06-01", number="1400", paper="测试报"
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.get(f"/admin/issues/{TINY_ID}/import-report").status_code == 302
    assert issue_ids(site) == [TINY_ID]


def test_an_upload_without_a_csrf_token_gets_400(site, editor):
    response = upload(editor, HOSTILE.encode(), csrf=False, date="2025-06-01", number="1400", paper="测试报")
    assert response.status_code == 400 and "form expired" in response.get_data(as_text=True)
    assert issue_ids(site) == [TINY_ID]


def test_nav_and_dashboard_link_to_the_import_page(editor):
    dashboard = editor.get("/admin/").get_data(as_text=True)
    assert dashboard.count('href="/admin/import"') == 2  # the nav and the dashboard
    form = editor.get("/admin/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    assert 'name="replace"' in form and "At most 2.0 MB" in form


# --- upload → import → review → build -----------------------------------------------------------


def test_the_seed_is_imported_reviewed_and_built(site, editor):
    expected = import_text(SEED)  # what the importer makes of the same file on its own
    response = upload(editor, SEED.read_bytes(), "chinalco-news-1330.txt")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/issues/{SEED_ID}/import-report"
    folder = loading.issue_dir(site.config.content_dir, SEED_ID)
    issue = loading.load(folder).issue
    assert len(issue.articles) == len(expected.issue.articles) >= 30
    assert article_files(folder) == expected.issue_files

    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    articles = page[page.index("<h2>Sections and articles</h2>") : page.index("<h2>Not in any article</h2>")]
    assert articles.count("<tr>") - 1 == len(issue.articles)  # one row per article, plus the head
    for article in issue.articles:
        assert html.escape(article.headline[:60], quote=False) in articles, article.headline
    assert "中铝集团新增两家国家企业技术中心" in articles and "本报讯（见习记者 何丹）" in articles
    report = expected.report
    decisions = page[page.index("<h2>Decisions to review</h2>") : page.index("<h2>Sections and articles</h2>")]
    assert decisions.count("<tr>") - 1 == len(report.decisions) > 0
    for decision in report.decisions:
        assert f'<td class="lines">{", ".join(map(str, decision["lines"]))}</td>' in decisions
    furniture = page[page.index("<h2>Not in any article</h2>") :]
    assert furniture.count("<tr>") - 1 == len(report.furniture) > 0
    assert "总第1330期" in furniture and "caption marker" in furniture
    assert f"{len(issue.articles)} articles, {len(report.decisions)} decisions to review" in page  # the flash
    assert "chinalco-news-1330.txt" in page and "utf-8" in page

    entry = site.store.history(1)[0]
    assert (entry.user, entry.action, entry.issue_id, entry.detail) == ("editor", "imported", SEED_ID, "chinalco-news-1330.txt")
    assert SEED_ID in editor.get("/admin/").get_data(as_text=True)
    issue_page = editor.get(f"/admin/issues/{SEED_ID}").get_data(as_text=True)
    assert f'href="/admin/issues/{SEED_ID}/import-report"' in issue_page
    assert f'href="/admin/issues/{TINY_ID}/import-report"' not in editor.get(f"/admin/issues/{TINY_ID}").get_data(as_text=True)
    assert editor.get(f"/admin/issues/{TINY_ID}/import-report").status_code == 404  # not imported: no report

    build_form = re.search(r'<form method="post" action="([^"]+)"', page[page.index("<h2>Build</h2>") :])
    assert build_form.group(1) == f"/admin/issues/{SEED_ID}/build"
    built = editor.post(build_form.group(1), data={"csrf_token": token(editor, "/admin/import")})
    assert built.status_code == 302
    record = wait(site.store, int(built.headers["Location"].rsplit("/", 1)[1]), 120)
    assert record.ok and record.issue_id == SEED_ID
    feed = (record.channel_dir("rss") / "feed.xml").read_text(encoding="utf-8")
    without_photo = [a for a in issue.articles if a.kind.value == "photo" and not any(f.found for f in a.figures) and not a.body]
    assert feed.count("<item>") == len(issue.articles) - len(without_photo) and "中铝集团新增两家国家企业技术中心" in feed


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_a_gb18030_or_utf16_seed_gives_the_same_issue(site, editor, encoding):
    expected = import_text(SEED)
    data = SEED.read_text(encoding="utf-8").encode(encoding)
    assert data != SEED.read_bytes()
    assert upload(editor, data, f"seed-{encoding}.txt").status_code == 302
    folder = loading.issue_dir(site.config.content_dir, SEED_ID)
    assert article_files(folder) == expected.issue_files
    page = editor.get(f"/admin/issues/{SEED_ID}/import-report").get_data(as_text=True)
    assert f"({encoding}," in page


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "paper.txt is empty; export the e-paper's text again"),
        (b" \n\n", "paper.txt is empty"),
        (bytes(range(256)) * 40, "paper.txt looks like a binary file, not text"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 10, "paper.txt is a PDF, not text; extract its text first"),
        ("只是一段话，没有报头。".encode(), "the masthead does not give the paper, date, number"),
    ],
)
def test_bad_files_get_the_importers_message(site, editor, data, message):
    response = upload(editor, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert alert(page).startswith("Nothing was imported: ") and message in alert(page)
    assert "Traceback" not in page and 'name="text"' in page  # the form again, to choose another file
    with pytest.raises(ImportFailure, match=re.escape(message)):
        import_text(data, "paper.txt")  # the same words as the importer's own
    assert issue_ids(site) == [TINY_ID]


def test_form_fields_stand_in_for_the_masthead_and_are_checked(site, editor):
    response = upload(editor, HOSTILE.encode(), date="2025-13-45", number="0", paper="测试报")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "不是有效的日期值" in page and "数值大小必须介于 1 到 999999 之间" in page  # WTForms speaks Chinese
    assert upload(editor, HOSTILE.encode(), number="1400", paper="测试报").status_code == 422  # still no date
    response = upload(editor, HOSTILE.encode(), date="2025-06-01", number="1400", paper="测试报")
    assert response.headers["Location"] == "/admin/issues/2025-06-01-1400/import-report"
    issue = loading.load_issue(loading.issue_dir(site.config.content_dir, "2025-06-01-1400"))
    assert (issue.paper, issue.number, str(issue.date)) == ("测试报", 1400, "2025-06-01")


def test_no_file_chosen_is_refused_with_a_hint(site, editor):
    response = editor.post(
        "/admin/import", data={"csrf_token": token(editor, "/admin/import")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose the text file extracted from the e-paper" in response.get_data(as_text=True)


# --- what may be replaced -----------------------------------------------------------------------


def test_an_existing_issue_is_replaced_only_with_the_box_ticked(site, editor):
    fields = {"date": "2025-06-01", "number": "1400", "paper": "测试报"}
    assert upload(editor, HOSTILE.encode(), **fields).status_code == 302
    folder = loading.issue_dir(site.config.content_dir, "2025-06-01-1400")
    edited = sorted(folder.glob("01-*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("危险", "编辑改过"), encoding="utf-8")

    response = upload(editor, HOSTILE.encode(), **fields)
    assert response.status_code == 409
    assert "Issue 2025-06-01-1400 already exists and was not replaced" in alert(response.get_data(as_text=True))
    assert "编辑改过" in edited.read_text(encoding="utf-8")  # the editor's correction is still there
    assert upload(editor, HOSTILE.encode(), replace="y", **fields).status_code == 302
    assert "编辑改过" not in edited.read_text(encoding="utf-8")
    assert [e.action for e in site.store.history(3)][:2] == ["imported", "imported"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_published_issue_is_never_replaced(site, editor):
    record = site.build()
    site.store.publish(record.id, "editor")
    folder = loading.issue_dir(site.config.content_dir, TINY_ID)
    before = article_files(folder)
    response = upload(editor, HOSTILE.encode(), date="2025-05-01", number="1331", paper="中国铝业报", replace="y")
    assert response.status_code == 409
    message = alert(response.get_data(as_text=True))
    assert f"Issue {TINY_ID} is published (build #{record.id} is live), so an import never replaces it" in message
    assert article_files(folder) == before
    assert site.store.history(1)[0].action == "published"  # no import recorded


def test_an_issue_being_built_is_not_replaced(site, editor, monkeypatch):
    class Running:
        active = True

    monkeypatch.setattr(site.store, "builds", lambda issue_id=None, limit=50: [Running()])
    fields = {"date": "2025-05-01", "number": "1331", "paper": "中国铝业报", "replace": "y"}
    response = upload(editor, HOSTILE.encode(), **fields)
    assert response.status_code == 409 and "is being built right now" in alert(response.get_data(as_text=True))


# --- untrusted text and sizes -------------------------------------------------------------------


def test_hostile_text_and_file_names_are_escaped(site, editor):
    response = upload(
        editor, HOSTILE.encode(), "<img src=x onerror=alert(9)>.txt", date="2025-06-01", number="1400", paper="测试报"
    )
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/admin.js" defer>']
    assert "危险&lt;script&gt;alert(1)&lt;/script&gt;标题" in page
    assert "<iframe" not in page and "<img" not in page
    assert page.count("&lt;img src=x onerror=alert(9)&gt;.txt") == 2  # in the flash and the report's source
    history = editor.get("/admin/history").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(9)&gt;.txt" in history and "<img" not in history


def test_a_file_name_keeps_only_its_own_name():
    from publisher.admin.imports import upload_name

    assert upload_name("C:\\Users\\编辑\\报纸 1330.txt") == "报纸 1330.txt"
    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name("a\x00b.txt") == "ab.txt"
    assert upload_name(None) == upload_name("") == "upload.txt"


def test_uploads_over_2mb_get_413_and_other_forms_keep_the_small_limit(site, editor):
    response = upload(editor, b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "The file is larger than 2.0 MB" in alert(response.get_data(as_text=True))
    assert issue_ids(site) == [TINY_ID]
    big = upload(
        editor,
        HOSTILE.encode() + "会议指出，要统筹发展和安全。".encode() * 5000,
        date="2025-06-01",
        number="1400",
        paper="测试报",
    )
    assert big.status_code == 302  # a 200 KB text is well within the import's limit
    response = editor.post(
        f"/admin/issues/{TINY_ID}/build", data={"csrf_token": token(editor, "/admin/"), "channel": "x" * 100_000}
    )
    assert response.status_code == 413 and "Too large" in response.get_data(as_text=True)  # signed in: no 500
    assert site.store.builds(TINY_ID) == []
