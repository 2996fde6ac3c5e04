"""End to end in a real browser (Playwright on Debian's Chromium) against a real server process.

`publisher up --no-serve` builds and publishes the first edition; then an editor
signs in, builds a corrected edition, watches it, previews every channel,
publishes it, checks the public URLs and rolls back. Once with the embedded
queue, once with RQ and a real `publisher worker`. Screenshots land in the test's temp folder, never in
the checkout; docs/images/confirm-publish-*.png and issue-390-dark.png are copies of them, remade with
``pytest tests/test_e2e.py -k embedded --basetemp=/tmp/shots``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, SEED, free_port, root

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
PUBLISHER = str(Path(sys.executable).parent / "publisher")
PASSWORD = "e2e-password-123"
FIX = "（更正版）"


def content_copy(tmp_path: Path, tiny: bool = False) -> tuple[Path, str]:
    """The sample issue (or the tiny root, when asked or while the sample is absent), copied so the test can edit it."""
    sample = SAMPLE_CONTENT / "issues" / SAMPLE_ID
    source = sample if (sample / "issue.yaml").is_file() and not tiny else next((root("tiny") / "issues").iterdir())
    target = tmp_path / "content" / "issues" / source.name
    shutil.copytree(source, target)
    return tmp_path / "content", source.name


def first_headline(issue_dir: Path) -> tuple[Path, str]:
    article = sorted(issue_dir.glob("[0-9]*.md"))[0]
    for line in article.read_text(encoding="utf-8").splitlines():
        if line.startswith("headline:"):
            return article, line.split(":", 1)[1].strip().strip("\"'")
    raise AssertionError(f"{article} has no headline")


class Server:
    def __init__(self, tmp_path: Path, queue_url: str | None, tiny: bool = False):
        self.tmp = tmp_path
        self.content, self.issue = content_copy(tmp_path, tiny)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = tmp_path / "config.yaml"
        self.config.write_text(
            yaml.safe_dump(
                {
                    "site": {"url": self.url},
                    "content": str(self.content),
                    "output": str(tmp_path / "out"),
                    "data": str(tmp_path / "data"),
                    "queue": {"url": queue_url},
                }
            ),
            encoding="utf-8",
        )
        self.env = {**os.environ, "PUBLISHER_ADMIN_PASSWORD": PASSWORD, "PUBLISHER_SECRET_KEY": "e2e-secret"}
        self.env.pop("PUBLISHER_CONFIG", None)
        self.procs: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [PUBLISHER, "--config", str(self.config), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [PUBLISHER, "--config", str(self.config), *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def serve(self) -> None:
        proc = self.start("serve", "--port", str(self.port))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer /healthz in 30 s")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def flow(server: Server, browser) -> None:
    issue_dir = server.content / "issues" / server.issue
    out = server.run("up", "--no-serve")
    assert "Published build #1" in out, out
    assert "Admin:  http://127.0.0.1:8000/admin/  (user: admin)" in out
    assert "password: the value of $PUBLISHER_ADMIN_PASSWORD" in out
    server.serve()
    article, old_headline = first_headline(issue_dir)
    article.write_text(article.read_text(encoding="utf-8").replace(old_headline, old_headline + FIX, 1), encoding="utf-8")
    new_headline = old_headline + FIX

    page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{msg.text} {msg.location}") if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    public = page.request

    # Sign in.
    page.goto("/admin/")
    assert page.url.startswith(server.url + "/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/admin/")
    assert page.locator("td.channel .state-succeeded").count() >= 3  # edition 1, built by 'publisher up'

    # Build every channel and watch the progress update in place.
    page.click(f"a[href='/admin/issues/{server.issue}']")
    page.click("button:has-text('生成全部')")
    page.wait_for_url(server.url + "/admin/builds/2")
    assert page.get_attribute("#build", "data-finished") == "no"
    first_log = page.text_content("[data-field=log]")
    page.wait_for_function(
        "initial => document.querySelector('#build').dataset.finished === 'no'"
        " && document.querySelector('[data-field=log]').textContent !== initial",
        arg=first_log,
        timeout=60_000,
    )
    page.wait_for_selector("#build[data-finished=yes]", timeout=180_000)
    rows = page.locator("tr[data-channel]")
    channels = [rows.nth(i).get_attribute("data-channel") for i in range(rows.count())]
    assert page.locator("tr[data-channel] .state-succeeded").count() == len(channels), page.text_content("#build")

    # Preview each channel before it is public.
    page.click("a[href='/admin/builds/2/preview/rss']")
    assert page.locator(".feed-item").count() >= 1
    assert new_headline in page.text_content(".feed-items")
    assert "<rss" in page.text_content("pre.raw")
    page.goto("/admin/builds/2/preview/epub")
    toc = page.locator(".toc li a")
    assert toc.count() >= 3
    label = toc.nth(2).text_content().strip()
    toc.nth(2).click()
    chapter = page.frame_locator("iframe.chapter")
    chapter.locator("body").wait_for()
    assert len(chapter.locator("body").text_content().strip()) > 10
    assert label[:4] in page.text_content(".toc [aria-current]")
    if "pdf" in channels:
        page.goto("/admin/builds/2/preview/pdf")
        thumbs = page.locator(".thumbs img")
        assert thumbs.count() >= 1
        thumbs.first.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('.thumbs img').naturalWidth > 100")
        pdf_href = page.get_attribute("a:has-text('打开 PDF')", "href")
        pdf = public.get(pdf_href)
        assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    page.goto("/admin/builds/2/preview/digest")
    phone = page.frame_locator(".phone iframe")
    assert new_headline in phone.locator("body").text_content()
    assert page.locator(".phone iframe").bounding_box()["width"] == 375

    # Before publishing, the public site still serves edition 1.
    assert old_headline in public.get("/feed.xml").text() and new_headline not in public.get("/feed.xml").text()

    # Publish edition 2: first the confirmation with what changes against what is live, then the public URLs serve it.
    page.goto("/admin/builds/2")
    page.click("a:has-text('发布这次生成')")
    page.wait_for_url(server.url + "/admin/builds/2/publish")
    changes = page.text_content(".changes")
    assert "改动 1 篇" in changes and f"《{new_headline}》" in changes and f"原标题：《{old_headline}》" in changes
    assert page.locator(".changes h3.added, .changes h3.removed").count() == 0  # nothing added or removed
    page.screenshot(path=str(server.tmp / "confirm-publish-1280.png"), full_page=True)
    page.click("button:has-text('确认发布第 2 次生成')")
    page.wait_for_url(f"{server.url}/admin/issues/{server.issue}")
    assert "现在在线上" in page.text_content(".flash")
    feed = public.get("/feed.xml")
    assert feed.ok and feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert new_headline in feed.text()
    assert public.get("/feed.xml", headers={"If-None-Match": feed.headers["etag"]}).status == 304
    assert new_headline in public.get(f"/issues/{server.issue}/").text()
    epub = public.get(f"/issues/{server.issue}/{server.issue}.epub")
    assert epub.ok and epub.body()[:2] == b"PK"
    assert unquote(epub.headers["content-disposition"].split("UTF-8''")[1]).startswith("中国铝业报-")
    if "pdf" in channels:
        pdf = public.get(f"/issues/{server.issue}/{server.issue}.pdf", headers={"Range": "bytes=0-4"})
        assert pdf.status == 206 and pdf.body() == b"%PDF-"
    page.goto(f"/issues/{server.issue}/")  # the public digest runs its own script (allowed by hash)
    page.goto("/issues/")
    assert server.issue in page.content()

    # Roll back to edition 1 (confirmed, with the change reversed): the public URLs serve it again.
    page.goto(f"/admin/issues/{server.issue}")
    page.click("a:has-text('回退到这一次')")
    assert f"《{old_headline}》" in page.text_content(".changes")
    page.click("button:has-text('确认回退到第 1 次生成')")
    assert "已回退" in page.text_content(".flash")
    feed = public.get("/feed.xml").text()
    assert old_headline in feed and new_headline not in feed
    assert new_headline not in public.get(f"/issues/{server.issue}/").text()

    # Unpublish: confirmed, then the issue's URLs answer 410 with a Chinese page and the feeds drop it.
    page.click("a:has-text('撤下这一期')")
    assert old_headline in page.text_content(".changes")
    page.click("button:has-text('确认撤下这一期')")
    assert "已撤下" in page.text_content(".flash")
    errors.clear()
    gone = page.goto(f"/issues/{server.issue}/")
    assert gone.status == 410 and page.get_attribute("html", "lang") == "zh-CN"
    assert "这一期已撤下" in page.text_content("h1")
    assert all("410" in e for e in errors)  # the answer and the console line about it
    errors.clear()
    assert public.get(f"/issues/{server.issue}/{server.issue}.epub").status == 410
    feed = public.get("/feed.xml")
    assert feed.status == 404 or old_headline not in feed.text()  # the only issue: no feed; else without it

    # Publish it again.
    page.goto(f"/admin/issues/{server.issue}")
    page.click("a:has-text('重新发布第 1 次生成')")
    assert "这一期已撤下；确认后第 1 次生成重新公开" in page.text_content("main")
    page.click("button:has-text('确认发布第 1 次生成')")
    assert public.get(f"/issues/{server.issue}/").status == 200 and old_headline in public.get("/feed.xml").text()

    page.goto("/admin/history")
    history = page.text_content("table")
    for told in (
        "回退到第 1 次生成",
        "发布了第 2 次生成",
        "撤下了这一期",
        "重新上线了撤下的这一期",
        "第 2 次生成成功",
        "登录了后台",
    ):
        assert told in history, told
    assert "None" not in history and "admin" in history
    # No CSP violations, script errors or missing files; only the preview sandbox refusing the digest's script.
    assert [e for e in errors if "frame is sandboxed and the 'allow-scripts' permission is not set" not in e] == []
    page.close()


def import_flow(server: Server, browser) -> None:
    """Upload the seed text as issue 1331 → review the import report → start its build."""
    page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav a:has-text('导入')")
    page.set_input_files("input[name=text]", str(SEED))
    if server.issue == SAMPLE_ID:  # the seed's own issue is the published sample: never replaced
        page.check("input[name=replace]")
        page.click("button:has-text('导入')")
        assert "已经发布（第" in page.text_content("[role=alert]")
        assert f"409 {server.url}/admin/import" in errors and all("409" in e for e in errors)  # answer + console
        errors.clear()
        page.set_input_files("input[name=text]", str(SEED))
    page.fill("input[name=number]", "1331")
    page.click("button:has-text('导入')")
    assert "报头印的是“1330”，您填写的是“1331”" in page.text_content("[role=alert]")  # never silently
    errors.clear()
    page.set_input_files("input[name=text]", str(SEED))
    page.check("input[name=override_masthead]")
    page.click("button:has-text('导入')")
    page.wait_for_url(server.url + "/admin/issues/2025-04-19-1331/import-report")
    assert "中铝集团新增两家国家企业技术中心" in page.text_content("table.articles")
    assert page.locator("table.articles tbody tr").count() >= 30
    assert page.locator("table.decisions tbody tr").count() >= 1
    page.click("button:has-text('生成全部')")
    page.wait_for_url(f"{server.url}/admin/builds/*")
    assert "中国铝业报 2025年4月19日 总第1331期" in page.text_content("h1")
    page.goto("/admin/history")
    assert "导入了电子版文字 chinalco-news-1330.txt" in page.text_content("table")
    assert errors == []
    page.close()


OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"


def sign_in(page) -> None:
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def on_a_phone_in_dark_mode(server: Server, browser) -> None:
    """Every admin page at 390 px in dark mode: nothing wider than the screen, tables as cards, dark colours."""
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    page.goto("/login")
    assert page.evaluate(OVERFLOW)[0] <= 390
    sign_in(page)
    issue = f"/admin/issues/{server.issue}"
    urls = ["/admin/", issue, "/admin/builds/1", "/admin/builds/2", "/admin/builds/2/publish", f"{issue}/unpublish"]
    urls += [f"/admin/builds/2/preview/{c}" for c in ("rss", "epub", "pdf", "digest")]
    urls += ["/admin/history", "/admin/import"]
    if (server.content / "issues" / "2025-04-19-1331").is_dir():
        urls.append("/admin/issues/2025-04-19-1331/import-report")
    for url in urls:
        assert page.goto(url).status == 200, url
        width, screen = page.evaluate(OVERFLOW)
        assert width <= screen, (url, width)
        assert max(page.evaluate(BACKGROUND)) < 60, url  # a dark page, not the light one
    page.goto(issue)
    cards = page.locator("table.builds tbody tr")
    assert cards.first.evaluate("row => getComputedStyle(row).display") == "grid"  # a table row became a card
    assert page.locator("table.builds thead").is_hidden()
    page.screenshot(path=str(server.tmp / "issue-390-dark.png"))
    page.goto("/admin/builds/2/publish")
    page.screenshot(path=str(server.tmp / "confirm-publish-390-dark.png"), full_page=True)
    context.close()


def in_english(server: Server, browser) -> None:
    """The header's switch turns the admin English for this editor, and back."""
    page = browser.new_page(base_url=server.url, viewport={"width": 1280, "height": 900})
    sign_in(page)
    assert page.text_content("h1") == "各期" and page.get_attribute("html", "lang") == "zh-CN"
    page.click(".top button:has-text('English')")
    page.wait_for_load_state()
    assert page.text_content("h1") == "Issues" and page.get_attribute("html", "lang") == "en"
    page.goto(f"/admin/issues/{server.issue}")
    assert page.locator("button:has-text('Build all channels')").count() == 1
    page.click(".top button:has-text('中文')")
    page.wait_for_load_state()
    assert page.locator("button:has-text('生成全部')").count() == 1
    page.close()


def test_flow_with_the_embedded_queue(tmp_path, browser):
    server = Server(tmp_path, None)
    try:
        flow(server, browser)
        if SEED.is_file():
            import_flow(server, browser)
        on_a_phone_in_dark_mode(server, browser)
        in_english(server, browser)
    finally:
        server.stop()


def test_flow_with_rq_and_a_worker(tmp_path, browser, redis_url):
    """The same flow through Redis and a worker process, on the two-article root: the queue is what is tested here,
    the sample's channels are the embedded flow's."""
    server = Server(tmp_path, redis_url.rsplit("/", 1)[0] + "/15", tiny=True)  # a database no other test uses
    server.start("worker")
    try:
        flow(server, browser)
    finally:
        server.stop()
