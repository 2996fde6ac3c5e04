"""The newsletter through a real SMTP server on 127.0.0.1 (aiosmtpd): the parts, the headers, double opt-in, resume after a kill."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from email.header import decode_header

import lxml.html
import pytest
import yaml

from publisher.admin import create_app
from publisher.config import Config, MailConfig
from publisher.jobs import make_queue, wait
from publisher.mailing.jobs import run_mailing
from publisher.store import Store
from publisher_channels.newsletter import NewsletterChannel

from . import mailserver
from .conftest import SAMPLE_CONTENT, SAMPLE_ID

SUBJECT = "中国铝业报 2025年4月19日 第1330期"


@pytest.fixture
def inbox():
    box = mailserver.Inbox()
    controller, url = mailserver.start(box)
    box.url = url
    yield box
    box.release.set()
    controller.stop()


@pytest.fixture
def published(tmp_path, inbox, monkeypatch):
    """The sample issue built into the newsletter channel and published; mail goes to the inbox."""
    monkeypatch.setenv("PUBLISHER_SECRET_KEY", "test-secret")
    config = Config(
        content=SAMPLE_CONTENT,
        output=tmp_path / "out",
        data=tmp_path / "data",
        base_dir=tmp_path,
        mail=MailConfig(smtp_url=inbox.url, sender="中国铝业报 <news@example.com>"),
    )
    store = Store.from_config(config)
    store.create_all()
    queue = make_queue(config, store, channels=[NewsletterChannel])
    record = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 120)
    assert record.ok, record.errors
    queue.close()
    store.publish(record.id, "editor")
    yield config, store, record
    store.close()


def subscribe(store: Store, *addresses: str) -> None:
    for address in addresses:
        store.subscribe(address)
        assert store.confirm_subscriber(address)


def test_the_issue_arrives_with_both_parts_every_headline_and_unsubscribe_headers(published, inbox, sample_issue):
    config, store, record = published
    subscribe(store, "reader@example.com", "retiree@example.org")
    store.subscribe("pending@example.com")  # never confirmed: gets nothing
    mailing = store.new_mailing(SAMPLE_ID, record.id, "editor")
    done = run_mailing(mailing.id, config=config, store=store)
    assert done.done and done.counts == {"sent": 2}
    assert sorted(r.rcpt[0] for r in inbox.received) == ["reader@example.com", "retiree@example.org"]

    (message,) = inbox.to("reader@example.com")
    raw_subject = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", inbox.received[0].raw, re.M)[1].decode()
    assert "=?utf-8?" in raw_subject.lower()  # RFC 2047 on the wire
    assert (
        "".join(
            part.decode(charset or "ascii") if isinstance(part, bytes) else part for part, charset in decode_header(raw_subject)
        )
        == SUBJECT
    )
    assert message["Subject"] == SUBJECT
    assert message.get_content_type() == "multipart/alternative"
    plain, html = (message.get_body(("plain",)), message.get_body(("html",)))
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, markup = plain.get_content(), html.get_content()
    for article in sample_issue.articles:
        assert article.headline in text
        assert article.headline in markup
    tree = lxml.html.fromstring(markup)
    assert [h.text_content() for h in tree.iter("h2")] == [a.headline for a in sample_issue.articles]
    assert not tree.xpath("//script|//link") and all(img.get("width") and img.get("height") for img in tree.iter("img"))
    assert tree.xpath("//table[@role='presentation']") and "prefers-color-scheme: dark" in markup
    assert all("padding" in td.get("style") for td in tree.xpath("//td[@class]"))  # CSS inlined
    assert all("font-size: 20px" in h.get("style") for h in tree.iter("h2"))

    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"])[1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://127.0.0.1:8000/newsletter/unsubscribe?t=")
    assert unsubscribe in text and unsubscribe in markup and "%%UNSUBSCRIBE_URL%%" not in markup + text
    assert inbox.to("retiree@example.org")[0]["List-Unsubscribe"] != message["List-Unsubscribe"]

    # The one-click unsubscribe a mail provider POSTs works, without a session or a form token.
    client = create_app(config, store=store, queue=make_queue(config, store, channels=[]), testing=True).test_client()
    path = unsubscribe.removeprefix("http://127.0.0.1:8000")
    assert "确定不再给 reader@example.com 发送" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "已退订" in response.get_data(as_text=True)
    assert store.subscriber("reader@example.com").state == "unsubscribed"
    assert client.post(path[:-3] + "xyz").status_code == 400  # a forged token does nothing

    # The same issue again: nobody gets it twice.
    again = run_mailing(store.new_mailing(SAMPLE_ID, record.id, "editor").id, config=config, store=store)
    assert again.done and again.counts == {} and len(inbox.received) == 2


def test_double_opt_in_with_a_signed_link(published, inbox):
    config, store, _ = published
    client = create_app(config, store=store, queue=make_queue(config, store, channels=[]), testing=True).test_client()
    assert "订阅中国铝业报电子版" in client.get("/newsletter").get_data(as_text=True)
    assert client.post("/newsletter", data={"email": "not an address"}).status_code == 400
    response = client.post("/newsletter", data={"email": "New.Reader@Example.com"})
    assert response.status_code == 200 and "请查收确认邮件" in response.get_data(as_text=True)
    assert store.subscriber("new.reader@example.com").state == "pending"
    inbox.wait_for(1)
    (mail,) = inbox.to("new.reader@example.com")
    assert mail["Subject"] == "请确认订阅中国铝业报电子版"
    link = re.search(r"http://127\.0\.0\.1:8000(/newsletter/confirm\?t=\S+)", mail.get_content())[1]
    assert client.get(link[:-4] + "AAAA").status_code == 400  # tampered
    assert store.subscriber("new.reader@example.com").state == "pending"
    response = client.get(link)
    assert response.status_code == 200 and "订阅成功" in response.get_data(as_text=True)
    assert store.subscriber("new.reader@example.com").state == "confirmed"

    # The admin lists subscribers and queues the mailing (with a form token).
    store.add_user("editor", "correct horse battery")
    editor = client
    page = editor.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    editor.post("/login", data={"username": "editor", "password": "correct horse battery", "csrf_token": token})
    page = editor.get("/admin/newsletter/").get_data(as_text=True)
    assert "new.reader@example.com" in page and "已确认" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    assert editor.post("/admin/newsletter/send", data={"issue_id": SAMPLE_ID}).status_code == 400  # no token
    response = editor.post("/admin/newsletter/send", data={"issue_id": SAMPLE_ID, "csrf_token": token})
    assert response.status_code == 302
    inbox.wait_for(2)
    assert len(inbox.to("new.reader@example.com")) == 2  # the confirmation, then the issue
    assert inbox.to("new.reader@example.com")[1]["Subject"] == SUBJECT


def test_a_mailing_killed_mid_send_resumes_and_never_sends_twice(published, inbox, tmp_path):
    config, store, record = published
    addresses = [f"reader{n:02d}@example.com" for n in range(1, 9)]
    subscribe(store, *addresses)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        yaml.safe_dump({"content": str(SAMPLE_CONTENT), "output": str(tmp_path / "out"), "data": str(tmp_path / "data")}),
        encoding="utf-8",
    )
    env = {**os.environ, "PUBLISHER_SMTP_URL": inbox.url, "PUBLISHER_SECRET_KEY": "test-secret"}
    inbox.hold_at = 4  # the fourth message waits at the server: the sender is killed while handing it over
    sender = subprocess.Popen(
        [sys.executable, "-m", "publisher", "--config", str(config_file), "newsletter", "send", SAMPLE_ID],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert inbox.holding.wait(60), sender.communicate()[0]
    os.kill(sender.pid, signal.SIGKILL)
    sender.wait()
    inbox.release.set()
    assert len(inbox.received) == 3
    (mailing,) = store.unfinished_mailings()
    assert store.deliveries(SAMPLE_ID) == {**{a: "sent" for a in addresses[:3]}, addresses[3]: "sending"}

    # A restart (the admin app starting) resumes it in the background.
    queue = make_queue(config, store, channels=[])
    app = create_app(config, store=store, queue=queue, testing=True)
    deadline = time.monotonic() + 60
    while not store.mailing(mailing.id).done:
        assert time.monotonic() < deadline, store.mailing(mailing.id)
        time.sleep(0.1)
    app.extensions["publisher"].mail.close()
    states = store.deliveries(SAMPLE_ID)
    assert states == {**{a: "sent" for a in addresses if a != addresses[3]}, addresses[3]: "uncertain"}
    got = sorted(r.rcpt[0] for r in inbox.received)
    assert got == sorted(a for a in addresses if a != addresses[3])  # each exactly once; the uncertain one never again
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "--config", str(config_file), "newsletter", "resume"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "No mailing to resume." in result.stdout and len(inbox.received) == 7


def test_send_to_one_address_and_clear_errors(published, inbox, tmp_path):
    config, store, _ = published
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        yaml.safe_dump({"content": str(SAMPLE_CONTENT), "output": str(tmp_path / "out"), "data": str(tmp_path / "data")}),
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "publisher", "--config", str(config_file), "newsletter", "send", SAMPLE_ID]
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_SMTP_URL"}
    result = subprocess.run(run + ["--to", "editor@example.com"], env=env, capture_output=True, text=True)
    assert result.returncode == 1 and "set PUBLISHER_SMTP_URL" in result.stderr
    wrong = inbox.url.replace(mailserver.PASSWORD.replace(" ", "%20"), "wrong")
    result = subprocess.run(
        run + ["--to", "editor@example.com"], env={**env, "PUBLISHER_SMTP_URL": wrong}, capture_output=True, text=True
    )
    assert result.returncode == 1 and "refused the user name or password" in result.stderr
    result = subprocess.run(
        run + ["--to", "editor@example.com"], env={**env, "PUBLISHER_SMTP_URL": inbox.url}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    (mail,) = inbox.to("editor@example.com")
    assert mail["Subject"] == SUBJECT and mail["From"] == "news@127.0.0.1".join(["中国铝业报 <", ">"])


@pytest.mark.slow
def test_the_html_part_renders_in_chromium_light_and_dark(published, inbox, tmp_path):
    from playwright.sync_api import sync_playwright

    config, store, record = published
    subscribe(store, "reader@example.com")
    run_mailing(store.new_mailing(SAMPLE_ID, record.id, "editor").id, config=config, store=store)
    markup = inbox.to("reader@example.com")[0].get_body(("html",)).get_content()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        shots = {}
        for scheme, width in (("light", 1280), ("dark", 390)):
            page = browser.new_page(viewport={"width": width, "height": 1400}, color_scheme=scheme)
            page.route("**/*", lambda route: route.abort())  # nothing is fetched: the mail must stand alone
            page.set_content(markup)
            sheet = page.locator("table.sheet")
            assert sheet.bounding_box()["width"] == min(600, width)
            assert page.locator("h2").count() == 33
            shots[scheme] = page.evaluate("getComputedStyle(document.querySelector('table.sheet')).backgroundColor")
            page.screenshot(path=str(tmp_path / f"newsletter-{scheme}.png"))
        browser.close()
    assert shots == {"light": "rgb(255, 255, 255)", "dark": "rgb(27, 27, 27)"}


def test_pictures_are_absolute_and_sized(tmp_path, copy_root):
    from PIL import Image

    from publisher import loading, pipeline

    from .conftest import make_config

    content = copy_root("tiny")
    issue_dir = content / "issues" / "2025-05-01-1331"
    (issue_dir / "images").mkdir()
    Image.new("RGB", (2000, 1000), "steelblue").save(issue_dir / "images" / "wind.jpg")
    article = issue_dir / "01-lvse-dixing.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace(
            "{caption: 图为风电场。, credit: 王五 摄}", "{caption: 图为风电场。, src: images/wind.jpg}"
        ),
        encoding="utf-8",
    )
    config = make_config(content, tmp_path)
    issue = loading.load_issue(issue_dir)
    assert pipeline.build(issue, [NewsletterChannel], config).ok
    tree = lxml.html.fromstring((config.output_dir / issue.id / "newsletter" / "newsletter.html").read_bytes())
    (img,) = tree.iter("img")
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/issues/2025-05-01-1331/media/wind-[0-9a-f]{10}-1200\.jpg", img.get("src"))
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("552", "276", "图为风电场。")
