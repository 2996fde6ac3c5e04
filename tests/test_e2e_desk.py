"""The desk end to end in Chromium, in Chinese, against a real HTTP server in this process (so the test owns the clock).

An editor fixes a headline and a typo, moves an article to another section,
uploads a photo, previews, publishes, and the public feed, EPUB, PDF and digest
carry the change; two editors on one article get the conflict view; a schedule
a minute ahead publishes by itself; an import's unsure decision is switched in one click.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import threading
import time
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect
from werkzeug.serving import make_server

from publisher import loading, plugins
from publisher.admin import create_app
from publisher.config import SiteConfig
from publisher.jobs import make_queue
from publisher.store import Store
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, SEED, free_port, make_config, root
from tests.test_e2e import CHROMIUM

pytestmark = pytest.mark.slow
PASSWORD = "desk-password-123"


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class LiveApp:
    """The app over a copy of ``content``, served by werkzeug in a thread, with a clock the test sets."""

    def __init__(self, tmp_path, content, channels=None):
        shutil.copytree(content, tmp_path / "content")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = make_config(tmp_path / "content", tmp_path, site=SiteConfig(url=self.url))
        self.store = Store.from_config(self.config)
        self.store.create_all()
        for name in ("zhang", "li"):
            self.store.add_user(name, PASSWORD)
        installed = plugins.discover()
        self.queue = make_queue(self.config, self.store, channels=[installed[n].cls for n in channels] if channels else None)
        self.clock = Clock(dt.datetime(2025, 4, 30, 21, 0, tzinfo=dt.timezone.utc))
        self.app = create_app(self.config, store=self.store, queue=self.queue, clock=self.clock, schedule_interval=0.2)
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.app.extensions["publisher"].scheduler.stop()
        self.server.shutdown()
        self.queue.close()
        self.store.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def signed_in(browser, live, user="zhang"):
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/admin/")
    return page


def png(color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_fix_move_photo_preview_publish(tmp_path, browser):
    live = LiveApp(tmp_path, SAMPLE_CONTENT)
    try:
        page = signed_in(browser, live)
        issue = SAMPLE_ID
        page.goto(f"/admin/issues/{issue}")
        page.click(f"a[href='/admin/issues/{issue}/desk']")
        page.click("a.headline:has-text('中铝集团新增两家国家企业技术中心')")
        page.wait_for_selector("#article-form")
        assert "编辑稿件" in page.text_content("h1")

        # Validation as you type: an empty headline is named beside the field, in Chinese.
        page.fill("input[name=headline]", "")
        page.wait_for_selector(".field-messages[data-for=headline] .error")
        assert "标题不能为空" in page.text_content(".field-messages[data-for=headline]")
        # Fix the headline and a typo in the body.
        page.fill("input[name=headline]", "中铝集团新增两家国家级企业技术中心")
        body = page.input_value("textarea[name=body]")
        assert "厚植高质量发展强劲动能" in body
        page.fill("textarea[name=body]", body.replace("厚植高质量发展强劲动能", "厚植高质量发展的强劲动能"))
        page.wait_for_function("() => !document.querySelector('.field-messages[data-for=headline] .error')")
        page.click("button.primary:has-text('保存')")
        assert "已保存《中铝集团新增两家国家级企业技术中心》" in page.text_content(".flash")

        # A photo, checked and kept with the issue.
        (tmp_path / "jishu.png").write_bytes(png())
        page.set_input_files("input[name=photo]", str(tmp_path / "jishu.png"))
        page.fill("form[enctype] input[name=caption]", "图为中铝集团技术中心实验室。")
        page.fill("form[enctype] input[name=credit]", "本报记者 摄")
        page.click("button:has-text('上传并加到稿件')")
        assert "照片已加到" in page.text_content(".flash")
        assert page.input_value("input[name=figure-0-caption]") == "图为中铝集团技术中心实验室。"

        # The preview: the digest page and a PDF page of this article alone.
        with page.context.expect_page() as opened:
            page.click("button:has-text('预览')")
        preview = opened.value
        preview.wait_for_load_state()
        assert "中铝集团新增两家国家级企业技术中心" in preview.frame_locator("iframe.phone").locator("body").text_content()
        preview.wait_for_function("() => document.querySelector('img.pdf-page').naturalWidth > 100")
        preview.close()

        # Move an article to another section without JavaScript's help (the buttons).
        page.goto(f"/admin/issues/{issue}/desk")
        row = page.locator("li.desk-article[data-slug=yijidu-waimao]")
        row.locator("select[name=section]").select_option("yaowen")
        row.locator("button[value=to]").click()
        assert "已移动《" in page.text_content(".flash")
        # expect() waits: a page's flash is parsed before the rest of the page, and count() would not wait
        expect(page.locator("#s_yaowen li.desk-article[data-slug=yijidu-waimao]")).to_have_count(1)

        # Build and publish.
        page.goto(f"/admin/issues/{issue}")
        page.click("form[action$='/build'] button.primary")
        page.wait_for_selector("#build[data-finished=yes]", timeout=300_000)
        page.click("a:has-text('发布这次生成')")  # the confirmation with what changes, then publish
        page.wait_for_url("**/publish")
        page.click("button:has-text('确认发布')")
        page.wait_for_load_state()
        public = page.request
        feed = public.get("/feed.xml").text()
        assert "中铝集团新增两家国家级企业技术中心" in feed and "厚植高质量发展的强劲动能" in feed
        assert "yijidu-waimao" in public.get("/feeds/yaowen.xml").text()
        digest = public.get(f"/issues/{issue}/").text()
        assert "中铝集团新增两家国家级企业技术中心" in digest and "图为中铝集团技术中心实验室。" in digest
        epub = zipfile.ZipFile(io.BytesIO(public.get(f"/issues/{issue}/{issue}.epub").body()))
        chapters = "".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
        assert "中铝集团新增两家国家级企业技术中心" in chapters and "图为中铝集团技术中心实验室。" in chapters
        pdf = tmp_path / "live.pdf"
        pdf.write_bytes(public.get(f"/issues/{issue}/{issue}.pdf").body())
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "国家级企业技术中心" in text.replace("\n", "")
        assert page.errors == []
        page.screenshot(path=str(tmp_path / "desk.png"))
    finally:
        live.close()


def test_two_editors_on_one_article_get_the_conflict_view(tmp_path, browser):
    live = LiveApp(tmp_path, root("tiny"), channels=["rss"])
    try:
        zhang, li = signed_in(browser, live, "zhang"), signed_in(browser, live, "li")
        url = "/admin/issues/2025-05-01-1331/articles/lvse-dixing"
        zhang.goto(url)
        li.goto(url)
        zhang.fill("input[name=headline]", "张编辑改的标题")
        zhang.click("button.primary:has-text('保存')")
        assert "已保存" in zhang.text_content(".flash")
        li.fill("input[name=headline]", "李编辑改的标题")
        li.fill("textarea[name=body]", li.input_value("textarea[name=body]") + "\n\n李编辑新加的一段。")
        li.click("button.primary:has-text('保存')")
        conflict = li.locator("#conflict")
        assert "保存冲突" in conflict.text_content()
        headline_row = conflict.locator("tr[data-field=headline]")
        assert "李编辑改的标题" in headline_row.locator("td.mine").text_content()
        assert "张编辑改的标题" in headline_row.locator("td.theirs").text_content()
        assert li.input_value("input[name=headline]") == "李编辑改的标题"  # nothing lost
        assert "李编辑新加的一段。" in li.input_value("textarea[name=body]")
        li.click("button.primary:has-text('以我的版本保存')")
        assert "已保存《李编辑改的标题》" in li.text_content(".flash")
        li.screenshot(path=str(tmp_path / "conflict.png"))
    finally:
        live.close()


def test_a_schedule_a_minute_ahead_publishes_by_itself(tmp_path, browser):
    live = LiveApp(tmp_path, root("tiny"), channels=["rss", "digest"])
    try:
        page = signed_in(browser, live)
        live.clock.now = dt.datetime(2025, 4, 30, 21, 59, tzinfo=dt.timezone.utc)  # 05:59 in Beijing
        page.goto("/admin/issues/2025-05-01-1331/desk")
        page.fill("input[name=at]", "2025-05-01T06:00")
        page.click("button:has-text('到时自动生成并发布')")
        assert "已设定时发布" in page.text_content(".flash")
        expect(page.locator("li.schedule[data-state=pending]")).to_have_count(1)
        page.wait_for_timeout(1000)
        assert live.store.live_build("2025-05-01-1331") is None  # not yet: the clock says 05:59
        live.clock.now += dt.timedelta(minutes=1, seconds=5)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and live.store.schedules("2025-05-01-1331")[0].state not in ("done", "failed"):
            page.wait_for_timeout(200)
        page.reload()
        assert "已发布" in page.text_content("li.schedule"), page.text_content("li.schedule")
        assert "绿色低碳项目全面投产" in page.request.get("/feed.xml").text()
    finally:
        live.close()


def test_an_import_decision_is_switched_in_one_click(tmp_path, browser):
    live = LiveApp(tmp_path, root("tiny"), channels=["rss"])
    try:
        page = signed_in(browser, live)
        page.goto("/admin/import")
        page.set_input_files("input[name=text]", str(SEED))
        page.click("form.import button.primary")
        page.wait_for_url(f"{live.url}/admin/issues/{SAMPLE_ID}/import-report")
        page.click(f"a[href='/admin/issues/{SAMPLE_ID}/review']")
        panel = page.locator("section.decision", has_text="我国经济起步稳开局好").filter(has_text="引题 + 主题")
        assert "一季度国内生产总值同比增长5.4%" in panel.locator("pre.context").text_content()
        panel.locator("button:has-text('改用另一种读法')").click()
        assert "已改用另一种读法" in page.text_content(".flash")
        article = next(
            a
            for a in loading.load_issue(loading.issue_dir(live.config.content_dir, SAMPLE_ID)).articles
            if a.slug == "wo-guo-jing-ji-qi-bu"
        )
        assert article.headline == "一季度国内生产总值同比增长5.4%" and article.subtitle == "我国经济起步稳开局好"
        expect(page.locator("button:has-text('改回原来的读法')")).to_have_count(1)
    finally:
        live.close()
