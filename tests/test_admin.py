"""The Flask app through its test client: sign-in everywhere in /admin, CSRF, limits, headers, previews,
publishing and rolling back, and the public URLs (conditional GETs, ranges, download names, traversal)."""

from __future__ import annotations

import re
import shutil
from urllib.parse import unquote, urlsplit

import pytest
from werkzeug.routing import IntegerConverter, PathConverter

from publisher import plugins
from publisher.admin import create_app
from publisher.admin.views import explain
from publisher.channel import Channel
from publisher.config import DatabaseConfig
from publisher.jobs import make_queue, wait
from publisher.store import Store
from tests.conftest import make_config, root

ISSUE = "2025-05-01-1331"
PASSWORD = "correct horse battery"
FAST = ("rss", "epub", "digest")  # the PDF is covered end to end (tests/test_e2e.py)


def token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client, user: str = "editor", password: str = PASSWORD):
    return client.post("/login", data={"username": user, "password": password, "csrf_token": token(client)})


class Site:
    """An app over a copy of the tiny root, with one succeeded build of the three fast channels."""

    def __init__(self, tmp_path, content=None, channels=None, database_url=None):
        self.config = make_config(content or root("tiny"), tmp_path, database=DatabaseConfig(url=database_url))
        self.store = Store.from_config(self.config)
        self.store.create_all()
        self.store.add_user("editor", PASSWORD)
        installed = plugins.discover()
        channels = channels or [installed[n].cls for n in FAST]
        self.queue = make_queue(self.config, self.store, channels=channels)
        self.app = create_app(self.config, store=self.store, queue=self.queue, testing=True)

    def build(self, user="editor"):
        record = self.queue.submit(ISSUE, None, user)
        record = wait(self.store, record.id, 120)
        assert record.ok, record.errors
        return record


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Built once for the read-only tests of this module: build #1 published."""
    tmp = tmp_path_factory.mktemp("admin")
    shutil.copytree(root("tiny"), tmp / "content")
    s = Site(tmp, tmp / "content")
    s.first = s.build()
    s.store.publish(s.first.id, "editor")
    yield s
    s.queue.close()


@pytest.fixture
def client(site):
    return site.app.test_client()


@pytest.fixture
def editor(site):
    c = site.app.test_client()
    assert sign_in(c).status_code == 302
    return c


def sample_values(rule, site) -> dict:
    """Real values for a rule's arguments: the issue, build #1, a channel, a file of that build."""
    values = {}
    for arg, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[arg] = site.first.id
        elif isinstance(converter, PathConverter):
            values[arg] = "feed.xml"
        elif arg == "channel":
            values[arg] = "rss"
        else:
            values[arg] = ISSUE
    return values


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]


# --- sign-in, CSRF, limits ----------------------------------------------------------------------


def test_every_admin_route_refuses_an_anonymous_user(site, client):
    rules = admin_rules(site.app)
    assert len(rules) >= 12, [r.rule for r in rules]  # the walk covers the whole admin
    csrf = token(client)  # a valid token: only the missing sign-in can refuse these
    for rule in rules:
        url = site.app.url_map.bind("localhost").build(rule.endpoint, sample_values(rule, site))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": csrf} if method == "POST" else None)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert len(site.store.builds(ISSUE)) == 1  # nothing was built by an anonymous POST


def test_every_post_without_a_csrf_token_gets_400(site, editor):
    # The newsletter's public sign-up and one-click unsubscribe carry no session, so no token (see admin/newsletter.py).
    exempt = {"newsletter.signup", "newsletter.unsubscribe"}
    posts = [
        r
        for r in site.app.url_map.iter_rules()
        if "POST" in r.methods and not r.endpoint.startswith("api.") and r.endpoint not in exempt  # api: test_api
    ]
    assert {r.endpoint for r in posts} >= {"auth.login", "auth.logout", "admin.build", "admin.publish", "admin.rollback"}
    live = site.store.live_build(ISSUE).id
    for rule in posts:
        url = site.app.url_map.bind("localhost").build(rule.endpoint, sample_values(rule, site))
        response = editor.post(url, data={"channel": "rss"})
        assert response.status_code == 400, (url, response.status_code)
        assert "表单已过期" in response.get_data(as_text=True)
    assert len(site.store.builds(ISSUE)) == 1
    assert site.store.live_build(ISSUE).id == live
    assert editor.get("/admin/").status_code == 200  # still signed in: logout without a token did nothing


def test_sign_in_wrong_password_and_open_redirect(client):
    response = client.post("/login", data={"username": "editor", "password": "nope", "csrf_token": token(client)})
    assert response.status_code == 200
    assert "用户名或密码不对" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "editor", "password": PASSWORD, "csrf_token": token(client)}
    )
    assert response.headers["Location"] == "/admin/"


def test_sign_out_needs_a_post_with_token(editor):
    response = editor.post("/admin/logout", data={"csrf_token": token(editor, "/admin/")})
    assert response.headers["Location"] == "/login"
    assert editor.get("/admin/").status_code == 302


def test_sign_in_limit_counts_per_account_and_per_address_and_lets_a_known_browser_through(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PUBLISHER_PROXIES", "1")  # behind nginx: the address comes from X-Forwarded-For
    s = Site(tmp_path, database_url=database_url)
    s.store.add_user("other", PASSWORD)
    s.app.config["LOGIN_RATE_LIMIT"] = (3, 300)
    editor_browser = s.app.test_client()
    assert sign_in(editor_browser).status_code == 302  # the editor signed in here before: a known browser
    editor_browser.post("/admin/logout", data={"csrf_token": token(editor_browser, "/admin/")})
    attacker = s.app.test_client()

    def attempt(c, address, user="editor", password="wrong"):
        form = {"username": user, "password": password, "csrf_token": token(c)}
        return c.post("/login", data=form, headers={"X-Forwarded-For": address})

    assert [attempt(attacker, "203.0.113.7").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = attempt(attacker, "198.51.100.2")  # the account is locked from any other address too
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "登录尝试次数过多。请等" in refused.get_data(as_text=True)
    assert attempt(attacker, "203.0.113.7", "other").status_code == 429  # and the address for any account
    assert attempt(s.app.test_client(), "198.51.100.2", "other").status_code == 200  # another address, another account
    # The editor, on the browser that knew the password before, still gets in.
    assert attempt(editor_browser, "203.0.113.7", password=PASSWORD).status_code == 302
    assert editor_browser.get("/admin/").status_code == 200
    s.queue.close()


def test_sign_in_limit_is_shared_by_four_gunicorn_workers(tmp_path, postgres_server):
    """40 wrong passwords from one address at 4 worker processes over one PostgreSQL database: exactly the limit gets through."""
    import http.cookiejar
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from publisher.config import load_config
    from publisher.keys import secret_key
    from tests.conftest import free_port, new_pg_database

    database_url = new_pg_database(postgres_server)
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        f"content: {root('tiny')}\ndata: {tmp_path / 'data'}\ndatabase:\n  url: {database_url}\n", encoding="utf-8"
    )
    config = load_config(config_path)
    store = Store.from_config(config)
    store.create_all()
    store.add_user("editor", PASSWORD)
    secret_key(config)  # made once before the workers start
    port = free_port()
    env = {**os.environ, "PUBLISHER_CONFIG": str(config_path)}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    args = [str(gunicorn), "--workers", "4", "--bind", f"127.0.0.1:{port}", "publisher.admin:create_app()"]
    server = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)

        def attempt(_n) -> int:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            page = opener.open(f"{base}/login", timeout=30).read().decode()
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            form = urllib.parse.urlencode({"username": "editor", "password": "wrong", "csrf_token": csrf}).encode()
            try:
                return opener.open(f"{base}/login", data=form, timeout=30).status
            except urllib.error.HTTPError as exc:
                return exc.code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(attempt, range(40)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        store.close()
    assert (codes.count(200), codes.count(429)) == (10, 30), codes


def test_request_body_over_the_limit_gets_413(client):
    response = client.post("/login", data={"username": "x" * 100_000, "password": "y", "csrf_token": "z"})
    assert response.status_code == 413


def test_security_headers_and_cookie_flags(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script == "'self'" and "unsafe-inline" not in script
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script anywhere
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_on_https(tmp_path):
    config = make_config(root("tiny"), tmp_path, site={"url": "https://news.example.com"})
    store = Store.from_config(config)
    store.create_all()
    app = create_app(config, store=store, queue=object(), testing=True)
    response = app.test_client().get("/login")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_secret_key_from_the_environment_else_generated_once_in_the_data_folder(tmp_path, monkeypatch):
    from publisher.keys import secret_key

    config = make_config(root("tiny"), tmp_path)
    monkeypatch.delenv("PUBLISHER_SECRET_KEY", raising=False)
    first = secret_key(config)
    kept = config.data_dir / "secret_key"
    assert len(first) == 64 and kept.read_text() == first
    assert kept.stat().st_mode & 0o777 == 0o600
    assert secret_key(config) == first  # sessions survive a restart
    monkeypatch.setenv("PUBLISHER_SECRET_KEY", "from-the-environment")
    assert secret_key(config) == "from-the-environment"


def test_build_triggers_are_rate_limited(tmp_path):
    s = Site(tmp_path)
    s.app.config["BUILD_RATE_LIMIT"] = (2, 60)
    c = s.app.test_client()
    sign_in(c)
    csrf = token(c, "/admin/")
    codes = []
    for _ in range(3):
        codes.append(c.post(f"/admin/issues/{ISSUE}/build", data={"csrf_token": csrf, "channel": "rss"}).status_code)
        wait(s.store, s.store.builds(ISSUE)[0].id, 60)
    assert codes == [302, 302, 429]
    response = c.post(f"/admin/issues/{ISSUE}/build", data={"csrf_token": csrf})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert len(s.store.builds(ISSUE)) == 2
    s.queue.close()


# --- admin pages --------------------------------------------------------------------------------


def test_dashboard_shows_each_channel_state_and_what_is_live(site, editor):
    page = editor.get("/admin/").get_data(as_text=True)
    assert ISSUE in page and "中国铝业报 2025年5月1日 总第1331期" in page
    row = page[page.index(ISSUE) :]
    assert row.count("state-succeeded") == len(FAST)
    assert f"第 {site.first.id} 次生成" in row


def test_dashboard_pages_through_the_issues_looking_into_only_those_it_shows(tmp_path, monkeypatch):
    """A page of the newest issues, each checked against its files through the index (one edited in place shows
    its new masthead); how many there are in all, and links to older pages and back."""
    from publisher import index, loading
    from publisher.admin import views

    from .conftest import daily_copies, edit_in_place

    ids = daily_copies(root("tiny") / "issues" / ISSUE, tmp_path / "content", 5)
    s = Site(tmp_path, tmp_path / "content")
    c = s.app.test_client()
    sign_in(c)
    monkeypatch.setattr(views, "DASHBOARD_ISSUES", 2)
    monkeypatch.setattr(loading, "list_issue_ids", lambda content_dir: pytest.fail("every issue folder looked into"))
    signed: list[str] = []
    real = index.signature
    monkeypatch.setattr(index, "signature", lambda folder: signed.append(folder.name) or real(folder))
    page = c.get("/admin/").get_data(as_text=True)
    assert signed == ids[:2] and "中国铝业报 2025年5月1日 总第1331期" in page and ids[2] not in page
    assert "共 5 期；这里是 2025-04-30 至 2025-05-01 的 2 期，从新到旧。" in page
    assert f'href="/admin/?before={ids[1]}">更早的各期（还有 3 期）</a>' in page and "回到最新的各期" not in page
    edit_in_place(tmp_path / "content" / "issues" / ids[1] / "issue.yaml", "paper: 中国铝业报", "paper: 中国铝业报（试刊）")
    assert "中国铝业报（试刊） 2025年4月30日 总第1330期" in c.get("/admin/").get_data(as_text=True)
    signed.clear()
    older = c.get(f"/admin/?before={ids[3]}").get_data(as_text=True)
    assert signed == ids[4:] and "2025年4月27日 总第1327期" in older
    assert "更早的各期" not in older and 'href="/admin/">回到最新的各期</a>' in older
    assert "没有更早的期次了。" in c.get(f"/admin/?before={ids[4]}").get_data(as_text=True)
    s.queue.close()


def test_issue_page_lists_articles_and_content_warnings(editor):
    page = editor.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert "绿色低碳项目全面投产" in page and "本报讯（记者 李明）" in page
    assert page.count("字 ·") == 2  # two articles with their length
    assert "生成全部" in page
    assert editor.get("/admin/issues/2099-01-01-9999").status_code == 404


def test_hostile_content_is_escaped_in_the_admin(tmp_path):
    s = Site(tmp_path, root("hostile"))
    c = s.app.test_client()
    sign_in(c)
    page = c.get("/admin/issues/2025-06-01-1400").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/static/admin.js" defer>']
    assert "危险&lt;script&gt;alert(1)&lt;/script&gt;标题" in page
    assert "还没有文章" in page  # the loader's warning about the empty section, in Chinese
    s.queue.close()


def test_build_page_and_status_show_each_channel(site, editor):
    page = editor.get(f"/admin/builds/{site.first.id}").get_data(as_text=True)
    assert page.count("state-succeeded") >= len(FAST) and "现在在线上" in page
    status = editor.get(f"/admin/builds/{site.first.id}/status").get_json()
    assert status["finished"] and status["state"] == "succeeded"
    assert [c["channel"] for c in status["channels"]] == list(FAST)
    assert "全文订阅 (RSS/Atom)：✓" in status["log"]  # channels by title, in Chinese


def test_rss_preview_lists_the_items_a_reader_sees(site, editor):
    page = editor.get(f"/admin/builds/{site.first.id}/preview/rss").get_data(as_text=True)
    assert page.count('class="feed-item"') == 2
    assert "&lt;rss" in page  # the raw XML, escaped


def test_epub_preview_has_a_toc_and_sandboxed_chapters(site, editor):
    page = editor.get(f"/admin/builds/{site.first.id}/preview/epub").get_data(as_text=True)
    links = re.findall(r'href="(/admin/builds/\d+/preview/epub\?chapter=[^"]+)"', page)
    assert len(links) >= 2
    frame = re.search(r'<iframe class="chapter"[^>]*sandbox="allow-same-origin allow-popups"[^>]*src="([^"]+)"', page)
    chapter = editor.get(frame.group(1).replace("&amp;", "&"))
    assert chapter.status_code == 200 and "<html" in chapter.get_data(as_text=True)
    assert chapter.headers["Content-Security-Policy"].startswith("sandbox ")
    assert "allow-scripts" not in chapter.headers["Content-Security-Policy"]
    assert editor.get(f"/admin/builds/{site.first.id}/epub/../../etc/passwd").status_code == 404
    assert editor.get(f"/admin/builds/{site.first.id}/preview/epub?chapter=nope.xhtml").status_code == 404


def test_digest_preview_is_a_sandboxed_phone_frame(site, editor):
    page = editor.get(f"/admin/builds/{site.first.id}/preview/digest").get_data(as_text=True)
    assert re.search(r'<div class="phone">\s*<iframe[^>]*sandbox="allow-same-origin allow-popups"', page)
    html = editor.get(f"/admin/builds/{site.first.id}/files/digest/index.html")
    assert html.status_code == 200 and "总第1331期" in html.get_data(as_text=True)
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert editor.get(f"/admin/builds/{site.first.id}/files/digest/..%2Findex.html").status_code == 404
    feed = editor.get(f"/admin/builds/{site.first.id}/files/rss/feed.xml")  # XML could carry script: sandboxed too
    assert feed.status_code == 200 and feed.headers["Content-Security-Policy"].startswith("sandbox ")


def test_explain_turns_internal_errors_into_editor_words(site):
    with site.app.test_request_context("/admin/"):
        assert "系统出了故障，不是稿件的问题" in explain("PDF", "TypeError: 'NoneType' object is not subscriptable", 7)
        assert "第 7 次生成" in explain("PDF", "KeyError: 'x'", 7)
        limit = "the PDF render took longer than 600 s and was stopped; raise queue.build_timeout in config.yaml"
        assert explain("PDF", limit) == "PDF 生成超过 600 秒被停止；请减少或缩小图片后重新生成，或请管理员放宽时限。"
        unknown = "figure /srv/paper/content/issues/x/images/missing.jpg of article 02-long is missing"
        assert explain("EPUB", unknown) == "figure missing.jpg of article 02-long is missing"  # as written, without the path


class BrokenChannel(Channel):
    """A channel with a bug (not the editor's fault)."""

    name = "broken"
    title = "Broken (test)"

    def render(self, issue, ctx):
        return {}["missing"]


def test_a_failed_channel_is_explained_and_cannot_be_published(tmp_path, database_url):
    from tests.plugins.jobs_channels import FailChannel

    s = Site(tmp_path, channels=[plugins.discover()["rss"].cls, BrokenChannel, FailChannel], database_url=database_url)
    c = s.app.test_client()
    sign_in(c)
    response = c.post(f"/admin/issues/{ISSUE}/build", data={"csrf_token": token(c, "/admin/")})
    build_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert wait(s.store, build_id, 120).state == "failed"
    page = c.get(f"/admin/builds/{build_id}").get_data(as_text=True)
    assert "Broken (test)没有生成，原因是系统出了故障，不是稿件的问题。" in page
    assert "KeyError: &#39;missing&#39;" in page  # the raw message, under 'Technical detail'
    assert "图片 图1.jpg 缺失；请把它上传到本期。" in page  # the editor's own problem, in Chinese
    assert "发布这次生成" not in page and "没有发布任何内容" in page
    status = c.get(f"/admin/builds/{build_id}/status").get_json()
    assert [ch["state"] for ch in status["channels"]] == ["succeeded", "failed", "failed"]
    response = c.post(f"/admin/builds/{build_id}/publish", data={"csrf_token": token(c, "/admin/")}, follow_redirects=True)
    assert "没有发布：只有成功的生成才能发布" in response.get_data(as_text=True)
    assert s.store.live_build(ISSUE) is None
    s.queue.close()


# --- publishing, rollback, history --------------------------------------------------------------


def test_publish_and_roll_back_switch_the_public_urls(tmp_path, database_url):
    s = Site(tmp_path, database_url=database_url)
    c = s.app.test_client()
    sign_in(c)
    csrf = token(c, "/admin/")
    first = s.build()
    assert c.get("/feed.xml").status_code == 404  # nothing published yet
    assert c.post(f"/admin/builds/{first.id}/publish", data={"csrf_token": csrf}).status_code == 302
    old = c.get("/feed.xml")
    assert old.status_code == 200 and "<rss" in old.get_data(as_text=True)
    second = s.build()
    c.post(f"/admin/builds/{second.id}/publish", data={"csrf_token": csrf})
    new = c.get("/feed.xml")
    assert new.headers["ETag"] != old.headers["ETag"]
    issue_page = c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert "回退到这一次" in issue_page
    assert c.post(f"/admin/builds/{first.id}/rollback", data={"csrf_token": csrf}).status_code == 302
    assert c.get("/feed.xml").headers["ETag"] == old.headers["ETag"]
    assert s.store.live_build(ISSUE).id == first.id
    history = c.get("/admin/history").get_data(as_text=True)
    for action in ("signed-in", "build-requested", "published", "rolled-back"):
        assert action in history
    assert "editor" in history
    response = c.post(f"/admin/builds/{first.id}/publish", data={"csrf_token": csrf}, follow_redirects=True)
    assert "这次生成已经在线上了" in response.get_data(as_text=True)
    s.queue.close()


# --- the public site ----------------------------------------------------------------------------


def test_feeds_have_media_types_and_answer_conditional_gets(client):
    feed = client.get("/feed.xml")
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert feed.headers["Cache-Control"] == "public, no-cache"
    assert "Vary" not in feed.headers and "Set-Cookie" not in feed.headers
    assert client.get("/feed.xml", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    assert client.get("/feed.xml", headers={"If-Modified-Since": feed.headers["Last-Modified"]}).status_code == 304
    assert client.get("/feed.xml", headers={"If-None-Match": '"other"'}).status_code == 200
    atom = client.get("/atom.xml")
    assert atom.headers["Content-Type"] == "application/atom+xml; charset=utf-8" and b"<feed" in atom.data
    section = client.get("/feeds/yaowen.xml")
    assert section.status_code == 200 and "要闻" in section.get_data(as_text=True)
    assert client.get("/feeds/nope.xml").status_code == 404


def test_archive_and_digest_pages(client):
    archive = client.get("/issues/")
    assert archive.headers["Content-Type"] == "text/html; charset=utf-8"
    assert ISSUE in archive.get_data(as_text=True)
    digest = client.get(f"/issues/{ISSUE}/")
    assert "总第1331期" in digest.get_data(as_text=True)
    assert "Content-Disposition" not in digest.headers
    script_src = re.search(r"script-src ([^;]+)", digest.headers["Content-Security-Policy"]).group(1)
    assert "unsafe-inline" not in script_src and "'sha256-" in script_src  # the digest's own script, by hash
    assert client.get("/").headers["Location"] == "/issues/"


def test_epub_download_has_a_chinese_name_and_answers_ranges(client):
    url = f"/issues/{ISSUE}/{ISSUE}.epub"
    full = client.get(url)
    assert full.status_code == 200 and full.headers["Content-Type"] == "application/epub+zip"
    assert full.data[:2] == b"PK"
    disposition = full.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=\"{ISSUE}.epub\"; filename*=UTF-8''")
    assert unquote(disposition.split("UTF-8''")[1]) == "中国铝业报-2025-05-01-1331.epub"
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == full.data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(full.data)}"
    tail = client.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == full.data[-10:]
    assert client.get(url, headers={"Range": f"bytes={len(full.data) + 10}-"}).status_code == 416
    assert client.get(url, headers={"If-None-Match": full.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        f"/issues/{ISSUE}/../../../etc/passwd",
        "/issues/..%2F..%2Fetc/passwd",
        f"/issues/{ISSUE}/..%2f..%2f..%2fetc%2fpasswd",
        f"/issues/{ISSUE}/%2e%2e/%2e%2e/etc/passwd",
        "/issues//etc/passwd",
        f"/issues/{ISSUE}//etc/passwd",
        f"/issues/{ISSUE}/%2Fetc%2Fpasswd",
        f"/issues/{ISSUE}/{ISSUE}.epub%00.html",
        f"/issues/{ISSUE}/%00",
        "/feeds/..%2F..%2Fdata%2Fpublisher.db.xml",
        f"/issues/{ISSUE}/media/..%2F..%2F..%2Fpublisher.db",
        f"/issues/{ISSUE}/archive.html",
        f"/issues/{ISSUE}/thumbs/page-001.png",
    ],
)
def test_traversal_attempts_get_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert b"root:" not in response.data


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "live": ISSUE, "issues": 1}


def test_the_feed_image_is_served_where_the_feed_points(client):
    feed = client.get("/feed.xml").get_data(as_text=True)
    url = re.search(r"<image>\s*<url>([^<]+)</url>", feed).group(1)
    image = client.get(urlsplit(url).path)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    assert client.get("/nothing-published.png").status_code == 404


@pytest.mark.parametrize(
    "target", ["/admin/%0d%0aSet-Cookie:%20x=1", "/admin/%0aX:1", "/admin%09", "/%5cevil.example/", "/a%00b"]
)
def test_next_with_control_characters_or_a_backslash_goes_to_the_dashboard(site, target):
    c = site.app.test_client()
    response = c.post(f"/login?next={target}", data={"username": "editor", "password": PASSWORD, "csrf_token": token(c)})
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/")  # after signing in
    response = c.get(f"/login?next={target}")
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/")  # and when signed in already
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]


def test_previews_of_an_unpublished_build_show_its_photos_and_stay_inside_it(tmp_path):
    """The photo fixture, built but not published: the digest frame and the feed preview show the build's own
    pictures, and item links open the build's digest, never the public site (which has nothing yet)."""
    from tests.test_photos import ISSUE as PHOTOS

    site = Site(tmp_path, root("photos"))
    record = site.queue.submit(PHOTOS, None, "editor")
    record = wait(site.store, record.id, 120)
    assert record.ok, record.errors
    client = site.app.test_client()
    sign_in(client)
    inside = f"/admin/builds/{record.id}/files/digest/"
    page = client.get(f"{inside}index.html").get_data(as_text=True)
    pictures = re.findall(r'<img src="([^"]+)"', page)
    assert len(pictures) == 6 and all(p.startswith(inside + "media/") for p in pictures)
    assert f"http://127.0.0.1:8000/issues/{PHOTOS}/" not in page
    downloads = re.findall(r'<a href="([^"]+\.(?:epub|pdf))"', page)
    assert downloads == [
        f"/admin/builds/{record.id}/files/epub/{PHOTOS}.epub",
        f"/admin/builds/{record.id}/files/pdf/{PHOTOS}.pdf",
    ]
    image = client.get(pictures[0])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    feed = client.get(f"/admin/builds/{record.id}/preview/rss").get_data(as_text=True)
    links = re.findall(r'<h3><a href="([^"]+)"', feed)
    assert links and all(link.startswith(f"{inside}index.html#") for link in links)
    assert feed.count('class="feed-content"') == 3
    assert "《方案》明确，组织开展新一代煤电升级专项行动工作" in feed  # the full text, not only the summary
    assert re.findall(r'<img src="([^"]+)"', feed)[0].startswith(inside + "media/")


def test_issue_page_warns_of_a_caption_without_its_picture(editor):
    page = editor.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert "图说没有图片文件" in page  # the tiny issue's figure has a caption and no src


def test_next_issue_goes_to_the_next_published_issue_or_the_archive(client):
    older = client.get("/issues/2025-01-01-1/next")
    assert older.status_code == 302 and urlsplit(older.location).path == f"/issues/{ISSUE}/"
    newest = client.get(f"/issues/{ISSUE}/next")
    assert newest.status_code == 302 and urlsplit(newest.location).path == "/issues/"
