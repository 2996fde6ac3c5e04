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
from publisher.admin import imports
from publisher.importer import REPORT_TEXT, ImportFailure, import_text, known_section_slugs
from publisher.jobs import wait
from tests.conftest import SEED, root
from tests.test_admin import Site, sign_in, token
from tests.test_admin_i18n import english_words, visible

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
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert issue_ids(site) == [TINY_ID]


def test_nav_and_dashboard_link_to_the_import_page(editor):
    dashboard = editor.get("/admin/").get_data(as_text=True)
    assert dashboard.count('href="/admin/import"') == 2  # the nav and the dashboard
    form = editor.get("/admin/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    assert 'name="replace"' in form and "文件最大 100.0 MB" in form


# --- upload → import → review → build -----------------------------------------------------------


def test_the_seed_is_imported_reviewed_and_built(site, editor):
    # what the importer makes of the same file on its own, told the slugs the content folder already uses
    expected = import_text(SEED, known_sections=known_section_slugs(site.config.content_dir))
    assert {s.name: s.slug for s in expected.issue.sections}["热议"] == "redian"  # as the tiny issue has it
    response = upload(editor, SEED.read_bytes(), "chinalco-news-1330.txt")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/issues/{SEED_ID}/import-report"
    folder = loading.issue_dir(site.config.content_dir, SEED_ID)
    issue = loading.load(folder).issue
    assert len(issue.articles) == len(expected.issue.articles) >= 30
    assert article_files(folder) == expected.issue_files

    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    articles = page[page.index("<h2>版面与文章</h2>") : page.index("<h2>不属于任何文章的行</h2>")]
    assert articles.count("<tr>") - 1 == len(issue.articles)  # one row per article, plus the head
    for article in issue.articles:
        assert html.escape(article.headline[:60], quote=False) in articles, article.headline
    assert "中铝集团新增两家国家企业技术中心" in articles and "本报讯（见习记者 何丹）" in articles
    report = expected.report
    decisions = page[page.index("<h2>需要核对的地方</h2>") : page.index("<h2>版面与文章</h2>")]
    assert decisions.count("<tr>") - 1 == len(report.decisions) > 0
    for decision in report.decisions:
        assert f'<td class="lines" data-label="原文行号">{"、".join(map(str, decision["lines"]))}</td>' in decisions
    furniture = page[page.index("<h2>不属于任何文章的行</h2>") :]
    assert furniture.count("<tr>") - 1 == len(report.furniture) > 0
    assert "总第1330期" in furniture and "图片说明标记" in furniture
    assert f"{len(issue.articles)} 篇文章，{len(report.decisions)} 处需要核对" in page  # the flash
    assert "chinalco-news-1330.txt" in page
    assert "这份文本是分栏排的" not in page  # a paragraph a line: nothing guessed from columns

    entry = site.store.history(1)[0]
    assert (entry.user, entry.action, entry.issue_id, entry.detail) == ("editor", "imported", SEED_ID, "chinalco-news-1330.txt")
    assert SEED_ID in editor.get("/admin/").get_data(as_text=True)
    issue_page = editor.get(f"/admin/issues/{SEED_ID}").get_data(as_text=True)
    assert f'href="/admin/issues/{SEED_ID}/import-report"' in issue_page
    assert f'href="/admin/issues/{TINY_ID}/import-report"' not in editor.get(f"/admin/issues/{TINY_ID}").get_data(as_text=True)
    assert editor.get(f"/admin/issues/{TINY_ID}/import-report").status_code == 404  # not imported: no report

    build_form = re.search(r'<form method="post" action="([^"]+)"', page[page.index("<h2>生成</h2>") :])
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
    expected = import_text(SEED, known_sections=known_section_slugs(site.config.content_dir))
    data = SEED.read_text(encoding="utf-8").encode(encoding)
    assert data != SEED.read_bytes()
    assert upload(editor, data, f"seed-{encoding}.txt").status_code == 302
    folder = loading.issue_dir(site.config.content_dir, SEED_ID)
    assert article_files(folder) == expected.issue_files
    page = editor.get(f"/admin/issues/{SEED_ID}/import-report").get_data(as_text=True)
    assert f"（{encoding}，" in page


@pytest.mark.parametrize(
    "data, message, cli",
    [
        (b"", "文件是空的；请重新从电子版提取文字。", "paper.txt is empty; export the e-paper's text again"),
        (b" \n\n", "文件是空的", "paper.txt is empty"),
        (bytes(range(256)) * 40, "这不是文字文件", "paper.txt looks like a binary file, not text"),
        (
            "只是一段话，没有报头。".encode(),
            "报头上找不到报名、日期、期号；请在下面的表单里填写后再导入。",
            "the masthead does not give",
        ),
    ],
)
def test_bad_files_get_the_importers_message(site, editor, data, message, cli):
    response = upload(editor, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert alert(page).startswith("没有导入：") and message in alert(page)
    assert "Traceback" not in page and 'name="text"' in page  # the form again, to choose another file
    with pytest.raises(ImportFailure, match=re.escape(cli)):
        import_text(data, "paper.txt")  # the importer's own words, for the CLI
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
    assert "请选择报纸的印刷版 PDF，或从电子版提取出的文字文件" in response.get_data(as_text=True)


# --- what may be replaced -----------------------------------------------------------------------


def test_an_existing_issue_is_replaced_only_with_the_box_ticked(site, editor):
    fields = {"date": "2025-06-01", "number": "1400", "paper": "测试报"}
    assert upload(editor, HOSTILE.encode(), **fields).status_code == 302
    folder = loading.issue_dir(site.config.content_dir, "2025-06-01-1400")
    edited = sorted(folder.glob("01-*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("危险", "编辑改过"), encoding="utf-8")

    response = upload(editor, HOSTILE.encode(), **fields)
    assert response.status_code == 409
    assert "测试报 2025年6月1日 总第1400期已经存在，没有替换" in alert(response.get_data(as_text=True))
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
    assert f"中国铝业报 2025年5月1日 总第1331期已经发布（第 {record.id} 次生成在线上），导入不会替换已发布的一期" in message
    assert article_files(folder) == before
    assert site.store.history(1)[0].action == "published"  # no import recorded


def test_an_issue_being_built_is_not_replaced(site, editor, monkeypatch):
    class Running:
        active = True

    monkeypatch.setattr(site.store, "builds", lambda issue_id=None, limit=50: [Running()])
    fields = {"date": "2025-05-01", "number": "1331", "paper": "中国铝业报", "replace": "y"}
    response = upload(editor, HOSTILE.encode(), **fields)
    assert response.status_code == 409 and "正在生成，请等生成完成后再导入" in alert(response.get_data(as_text=True))


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


def test_uploads_over_the_limit_get_413_in_chinese_and_other_forms_keep_the_small_limit(site, editor, monkeypatch):
    from publisher.admin import imports

    assert imports.UPLOAD_BYTES == 100 * 1024 * 1024
    assert "100.0 MB" in editor.get("/admin/import").get_data(as_text=True)  # the form states the limit
    monkeypatch.setattr(imports, "UPLOAD_BYTES", 2 * 1024 * 1024)  # the same check, without a 100 MB body
    response = upload(editor, b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "文件超过了 2.0 MB 的上限，没有导入" in alert(response.get_data(as_text=True))
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
    assert response.status_code == 413 and "内容太大" in response.get_data(as_text=True)  # signed in: no 500
    assert site.store.builds(TINY_ID) == []


def test_text_extracted_from_a_print_pdf_is_reported_as_guessed_with_the_pdf_import_offered(site, editor, tmp_path):
    """Text that sets its columns as pdftotext prints a print PDF (here `pdftotext -layout` of a corpus issue laid
    out by ReportLab) is imported, and the report page says its heads and columns were guessed, offering the PDF
    import instead; the report file says so too."""
    import subprocess

    from tests import corpus

    issue = next(iter(corpus.crawl("rmrb")))
    pdf = tmp_path / "rmrb.pdf"
    corpus.render(issue, "four-col", pdf)
    for flags, columns in ((["-layout"], "side by side"), ([], "one after another")):
        text = subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
        response = upload(editor, text, "人民日报.txt", number="1", replace="y")
        assert response.status_code == 302, alert(response.get_data(as_text=True))
        folder = loading.issue_dir(site.config.content_dir, f"{issue.date.isoformat()}-1")
        assert imports.read_report(folder)["columns"] == columns
        assert f"sets its columns {columns}" in (folder / REPORT_TEXT).read_text(encoding="utf-8")  # for the CLI's user
        page = editor.get(response.headers["Location"]).get_data(as_text=True)
        hint = page[page.index("这份文本是分栏排的") :]
        assert "请改为上传 PDF 本身" in hint and 'href="/admin/import"' in hint[: hint.index("</section>")]
        decisions = page[page.index("<h2>需要核对的地方</h2>") : page.index("<h2>版面与文章</h2>")]
        assert decisions.count("<tr>") > 1 and english_words(visible(decisions)) == []  # readings told in Chinese


def test_a_print_pdf_is_imported_and_its_pages_shown_with_the_blocks_outlined(site, editor, tmp_path):
    from tests import corpus

    issue = next(i for i in corpus.crawl("rmrb") if any(p.photos for p in i.pieces))
    pdf = tmp_path / "rmrb.pdf"
    gold = corpus.render(issue, "four-col", pdf)
    response = upload(editor, pdf.read_bytes(), "人民日报.pdf", number="1")
    assert response.status_code == 302, alert(response.get_data(as_text=True))
    issue_id = f"{issue.date.isoformat()}-1"
    assert response.headers["Location"].endswith(f"/admin/issues/{issue_id}/import-report")
    folder = loading.issue_dir(site.config.content_dir, issue_id)
    loaded = loading.load_issue(folder)
    squeeze = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    assert [squeeze(a.headline) for a in loaded.articles] == [squeeze(g["headline"]) for g in gold]
    assert any(f.found for a in loaded.articles for f in a.figures)
    page = editor.get(f"/admin/issues/{issue_id}/import-report").get_data(as_text=True)
    assert "读出的版面" in page and f"/admin/issues/{issue_id}/print-page/1.png" in page
    rects = re.findall(r'<rect class="block-article"[^>]*><title>([^<]*)</title>', page)
    assert {squeeze(html.unescape(t)) for t in rects} == {squeeze(g["headline"]) for g in gold}
    assert 'class="block-furniture"' in page
    image = editor.get(f"/admin/issues/{issue_id}/print-page/1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    width, height = Image.open(io.BytesIO(image.data)).size
    assert abs(width - 505) <= 1 and abs(height - 715) <= 1  # an A3 page at 0.6 × 72 dpi
    assert editor.get(f"/admin/issues/{issue_id}/print-page/9.png").status_code == 404


def test_every_line_left_out_of_a_print_pdf_says_why_in_chinese(site, editor, tmp_path):
    """The report names why each line is in no article (a running head, a folio, a pull quote, the 导读, a jump
    line…) in Chinese, in the table and on the outlined page alike: the importer's own reasons are for the CLI. The
    upload is a browser-made PDF of about 1 MB, whose streams run past the 64 KB a form's field may hold in memory
    before a line break: the import page takes it (it answered 413 内容太大)."""
    from tests import corpus

    issue = corpus.dated("dskb", "2026-04-04")
    pdf = tmp_path / "dskb.pdf"
    corpus.render(issue, "chromium-six-col-features", pdf)
    response = upload(editor, pdf.read_bytes(), "都市快报.pdf", number="1")
    assert response.status_code == 302, alert(response.get_data(as_text=True))
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    table = page[page.index("<h2>不属于任何文章的行</h2>") :]
    reasons = [html.unescape(r) for r in re.findall(r'<td data-label="原因">([^<]*)</td>', table)]
    outlined = [html.unescape(t) for t in re.findall(r'<rect class="block-furniture"[^>]*><title>([^<]*)</title>', page)]
    assert len(reasons) > 20 and len(outlined) > 20
    assert {"页眉（报名、日期、版名）", "引语（文中一句话用大字重复）", "导读（本期要目）"} <= set(reasons)
    assert [r for r in reasons if re.search("[A-Za-z]", r)] == []
    assert [t for t in outlined if re.search("（[^（]*[A-Za-z][^（]*）$", t)] == []


def test_an_issue_exported_one_page_a_file_is_imported_as_its_whole_pdf(site, editor, tmp_path):
    """Chosen in any order, the pages go in the natural order of their names (page5 before page10)."""
    from publisher.pdfimport import import_pdf
    from tests import corpus

    issue = next(i for i in corpus.crawl("dskb"))
    whole = tmp_path / "dskb.pdf"
    corpus.render(issue, "four-col", whole)
    pages = corpus.split_pages(whole)
    assert len(pages) >= 3
    files = [(io.BytesIO(data), f"page{(n + 1) * 5}.pdf") for n, data in enumerate(pages)]
    form = {"text": list(reversed(files)), "number": "7", "csrf_token": token(editor, "/admin/import")}
    response = editor.post("/admin/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, alert(response.get_data(as_text=True))
    folder = loading.issue_dir(site.config.content_dir, f"{issue.date.isoformat()}-7")
    expected = import_pdf(whole, number=7).issue
    loaded = loading.load_issue(folder)
    assert [a.headline for a in loaded.articles] == [a.headline for a in expected.articles]
    assert [a.print_boxes for a in loaded.articles] == [a.print_boxes for a in expected.articles]
    assert len(loaded.print_pdf.pages) == len(pages)
    mixed = {"text": [files[0], (io.BytesIO("正文".encode()), "notes.txt")], "number": "8"}
    refused = editor.post(
        "/admin/import", data={**mixed, "csrf_token": token(editor, "/admin/import")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "一次只能导入一个文字文件" in alert(refused.get_data(as_text=True))


def test_a_damaged_pdf_gets_the_chinese_message(site, editor):
    """Even named .txt: a PDF goes to the PDF importer."""
    response = upload(editor, b"%PDF-1.7\n" + bytes(range(256)) * 10, "paper.txt", number="1", date="2025-06-01")
    assert response.status_code == 422
    assert "已损坏" in alert(response.get_data(as_text=True)) and issue_ids(site) == [TINY_ID]
