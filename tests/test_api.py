"""The JSON API (/api/v1) through the Flask test client: tokens, every endpoint, every error code."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from publisher import loading
from publisher.admin import api as api_module
from publisher.jobs import wait
from publisher.scheduling import Scheduler
from tests.conftest import root
from tests.test_admin import ISSUE, PASSWORD, Site, sign_in, token
from tests.test_rss import add_issue


@pytest.fixture
def site(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    s = Site(tmp_path, tmp_path / "content")
    _, s.secret = s.store.create_token("editor", "tests")
    yield s
    s.queue.close()


@pytest.fixture
def api(site):
    client = site.app.test_client()
    headers = {"Authorization": f"Bearer {site.secret}"}

    def call(method, url, **kwargs):
        kwargs["headers"] = {**headers, **kwargs.get("headers", {})}
        return client.open(url, method=method, **kwargs)

    return call


ARTICLE = f"/api/v1/issues/{ISSUE}/articles/lvse-dixing"


def test_anonymous_and_bad_tokens_get_401(site):
    client = site.app.test_client()
    for method, url in [
        ("GET", "/api/v1/issues"),
        ("GET", ARTICLE),
        ("PATCH", ARTICLE),
        ("POST", f"/api/v1/issues/{ISSUE}/builds"),
    ]:
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["errors"][0]["message"]
    assert client.get("/api/v1/issues", headers={"Authorization": "Bearer pub_wrong"}).status_code == 401
    [record] = site.store.tokens()
    site.store.revoke_token(record.id)
    assert client.get("/api/v1/issues", headers={"Authorization": f"Bearer {site.secret}"}).status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200  # the description is public


def test_openapi_describes_every_route(site):
    spec = site.app.test_client().get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for rule in site.app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, (path, method)


def test_issues_and_issue_are_show_json(site, api, tmp_path):
    rows = api("GET", "/api/v1/issues").json
    assert [(r["id"], r["articles"], r["ok"]) for r in rows] == [(ISSUE, 2, True)]
    data = api("GET", f"/api/v1/issues/{ISSUE}").json
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {tmp_path / 'content'}\n", encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "publisher", "--config", str(config), "show", ISSUE, "--json"], capture_output=True, text=True
    )
    assert data == json.loads(shown.stdout)
    assert api("GET", "/api/v1/issues/2099-01-01-1").status_code == 404


def test_issues_come_a_page_at_a_time_with_the_total_and_the_next_page(site, api, monkeypatch):
    content = site.config.content_dir
    older = [add_issue(content, dt.date(2025, 4, day), 1320 + day) for day in (1, 2, 3, 4)]
    record = wait(site.store, site.queue.submit(older[1], ["rss"], "editor").id, 120)
    site.store.publish(record.id, "editor")
    first = api("GET", "/api/v1/issues?limit=2")
    assert [r["id"] for r in first.json] == [ISSUE, older[3]]
    assert first.headers["X-Total-Count"] == "5"
    link = first.headers["Link"]
    assert link == f'<http://localhost/api/v1/issues?before={older[3]}&limit=2>; rel="next"'
    second = api("GET", link[1 : link.index(">")].removeprefix("http://localhost"))
    assert [(r["id"], r["live_build"]) for r in second.json] == [(older[2], None), (older[1], record.id)]
    last = api("GET", f"/api/v1/issues?before={older[1]}&limit=2")
    assert [r["id"] for r in last.json] == [older[0]] and "Link" not in last.headers
    monkeypatch.setattr(api_module, "ISSUES_LIMIT", 3)
    assert len(api("GET", "/api/v1/issues").json) == 3
    for wrong in ("0", "x", "2.5", str(api_module.ISSUES_MAX + 1)):
        answer = api("GET", f"/api/v1/issues?limit={wrong}")
        assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "limit", wrong


def test_get_patch_with_etags(site, api):
    response = api("GET", ARTICLE)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert response.json["headline"] == "绿色低碳项目全面投产" and response.json["body"].startswith("近日")
    assert etag == f'"{response.json["revision"]}"'
    assert api("PATCH", ARTICLE, json={"headline": "新标题"}).status_code == 428
    response = api("PATCH", ARTICLE, json={"headline": "绿色低碳项目全面投产运行"}, headers={"If-Match": etag})
    assert response.status_code == 200, response.json
    new = response.headers["ETag"]
    assert new != etag and response.json["headline"] == "绿色低碳项目全面投产运行"
    stale = api("PATCH", ARTICLE, json={"headline": "另一位编辑"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json["current"]["headline"] == "绿色低碳项目全面投产运行"
    invalid = api("PATCH", ARTICLE, json={"headline": "", "kind": "rumour", "section": "nowhere"}, headers={"If-Match": new})
    assert invalid.status_code == 422
    fields = {e["field"] for e in invalid.json["errors"]}
    assert "headline" in fields
    invalid = api("PATCH", ARTICLE, json={"kind": "rumour"}, headers={"If-Match": new})
    assert invalid.status_code == 422 and invalid.json["errors"][0]["field"] == "kind"
    assert api("PATCH", ARTICLE, json={"authors": "李明"}, headers={"If-Match": new}).json["errors"][0]["field"] == "authors"
    assert (
        api("PATCH", ARTICLE, data="not json", headers={"If-Match": new, "Content-Type": "application/json"}).status_code == 400
    )
    assert api("GET", ARTICLE).headers["ETag"] == new  # nothing was written by the refused saves
    read = api("GET", ARTICLE).json  # what a GET answers can be sent back, changed
    again = api("PATCH", ARTICLE, json={**read, "subtitle": "新副题"}, headers={"If-Match": new})
    assert again.status_code == 200 and again.json["subtitle"] == "新副题" and again.json["figures"] == read["figures"]
    new = again.headers["ETag"]
    assert api("PATCH", ARTICLE, json={"slug": "other"}, headers={"If-Match": new}).json["errors"][0]["field"] == "slug"
    assert api("GET", f"/api/v1/issues/{ISSUE}/articles/nothing-here").status_code == 404
    history = api("GET", f"/api/v1/issues/{ISSUE}/revisions?article=lvse-dixing").json
    assert history[0]["user"] == "editor" and "副题由「年用绿电七十亿千瓦时」改为「新副题」" in history[0]["diff"]
    assert "标题由「绿色低碳项目全面投产」改为「绿色低碳项目全面投产运行」" in history[1]["diff"]


def test_validate_create_delete_trash(site, api):
    checked = api("POST", f"{ARTICLE}/validate", json={"section": "nowhere"}).json
    assert checked["errors"][0]["field"] == "section" and "不存在" in checked["errors"][0]["message"]
    fine = api("POST", f"{ARTICLE}/validate", json={"headline": "好标题"}).json
    assert fine["errors"] == [] and {w["field"].split(".")[0] for w in fine["warnings"]} <= {
        "figures"
    }  # a caption without a photo
    created = api(
        "POST", f"/api/v1/issues/{ISSUE}/articles", json={"headline": "新来的稿件", "section": "redian", "body": "一段。"}
    )
    assert created.status_code == 201 and created.json["slug"] == "xin-lai-de-gao-jian"
    assert created.headers["Location"].endswith("/articles/xin-lai-de-gao-jian")
    assert api("POST", f"/api/v1/issues/{ISSUE}/articles", json={"section": "redian"}).status_code == 422
    url = f"/api/v1/issues/{ISSUE}/articles/xin-lai-de-gao-jian"
    assert api("DELETE", url).status_code == 428
    assert api("DELETE", url, headers={"If-Match": '"0000"'}).status_code == 412
    assert api("DELETE", url, headers={"If-Match": created.headers["ETag"]}).status_code == 204
    assert api("GET", url).status_code == 404
    [entry] = api("GET", f"/api/v1/issues/{ISSUE}/trash").json
    assert entry["headline"] == "新来的稿件"
    assert api("POST", f"/api/v1/issues/{ISSUE}/trash/{entry['name']}/restore").status_code == 200
    assert api("GET", url).status_code == 200
    revision = api("GET", f"/api/v1/issues/{ISSUE}/revisions?article=xin-lai-de-gao-jian").json[-1]
    assert api("POST", f"/api/v1/revisions/{revision['id']}/restore").status_code == 200
    assert api("POST", "/api/v1/revisions/9999/restore").status_code == 404


def test_figure_upload_layout_and_masthead(site, api):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 40)).save(buffer, "JPEG")
    response = api(
        "POST",
        f"{ARTICLE}/figures",
        data={"file": (io.BytesIO(buffer.getvalue()), "wind.jpg"), "caption": "图为风机。", "credit": "赵六 摄"},
    )
    assert response.status_code == 201, response.json
    figure = response.json["figures"][-1]
    assert figure["caption"] == "图为风机。" and figure["src"].startswith("images/wind-")
    bad = api("POST", f"{ARTICLE}/figures", data={"file": (io.BytesIO(b"GIF89a-not-really"), "x.gif")})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "file"
    assert api("POST", f"{ARTICLE}/figures", data={}).status_code == 422
    moved = api(
        "PUT",
        f"/api/v1/issues/{ISSUE}/layout",
        json={"sections": [{"slug": "yaowen", "articles": ["pinglun", "lvse-dixing"]}, {"slug": "redian", "articles": []}]},
    )
    assert moved.status_code == 200
    issue = loading.load_issue(loading.issue_dir(site.config.content_dir, ISSUE))
    assert [(a.slug, a.section) for a in issue.articles] == [("pinglun", "yaowen"), ("lvse-dixing", "yaowen")]
    assert (
        api("PUT", f"/api/v1/issues/{ISSUE}/layout", json={"sections": [{"slug": "yaowen", "articles": ["pinglun"]}]}).status_code
        == 409
    )
    assert api("PUT", f"/api/v1/issues/{ISSUE}/layout", json={"sections": "x"}).status_code == 422
    etag = api("GET", f"/api/v1/issues/{ISSUE}").headers["ETag"]
    assert api("PATCH", f"/api/v1/issues/{ISSUE}", json={"grade": "一级报纸"}).status_code == 428
    patched = api("PATCH", f"/api/v1/issues/{ISSUE}", json={"grade": "一级报纸"}, headers={"If-Match": etag})
    assert patched.status_code == 200 and patched.json["issue"]["grade"] == "一级报纸"
    assert api("PATCH", f"/api/v1/issues/{ISSUE}", json={"number": 2}, headers={"If-Match": "*"}).status_code == 422
    assert api("PATCH", f"/api/v1/issues/{ISSUE}", json={"grade": "x"}, headers={"If-Match": etag}).status_code == 412


def test_new_issue(site, api):
    response = api("POST", "/api/v1/issues", json={"date": "2025-05-08", "number": 1332})
    assert response.status_code == 201 and response.json["id"] == "2025-05-08-1332"
    assert api("POST", "/api/v1/issues", json={"date": "2025-05-08", "number": 1332}).status_code == 409
    assert api("POST", "/api/v1/issues", json={"date": "May 8", "number": 1}).json["errors"][0]["field"] == "date"
    assert api("POST", "/api/v1/issues", json={"date": "2025-05-08", "number": 0}).json["errors"][0]["field"] == "number"


def test_builds_publish_rollback(site, api):
    started = api("POST", f"/api/v1/issues/{ISSUE}/builds", json={"channels": ["rss"]})
    assert started.status_code == 202
    build_id = started.json["id"]
    assert api("POST", f"/api/v1/issues/{ISSUE}/builds", json={"channels": ["fax"]}).status_code == 422
    state = api("GET", f"/api/v1/builds/{build_id}").json["state"]
    assert state in ("queued", "running", "succeeded")
    wait(site.store, build_id, 120)
    data = api("GET", f"/api/v1/builds/{build_id}").json
    assert data["state"] == "succeeded" and data["channels"]["rss"]["state"] == "succeeded" and not data["live"]
    assert api("POST", f"/api/v1/builds/{build_id}/publish").json["live"] is True
    second = api("POST", f"/api/v1/issues/{ISSUE}/builds", json={"channels": ["rss"]}).json["id"]
    assert api("POST", f"/api/v1/issues/{ISSUE}/builds", json={"channels": ["rss"]}).status_code in (202, 409)
    wait(site.store, second, 120)
    assert api("POST", f"/api/v1/builds/{second}/publish").status_code == 200
    assert api("POST", f"/api/v1/builds/{build_id}/rollback").json["live"] is True
    assert site.store.live_build(ISSUE).id == build_id
    assert api("GET", "/api/v1/builds/999").status_code == 404
    assert api("POST", "/api/v1/builds/999/publish").status_code == 404


def test_a_second_build_while_one_runs_is_409(site, api):
    site.store.new_build(ISSUE, ["rss"], "other")  # queued by someone else, never run
    response = api("POST", f"/api/v1/issues/{ISSUE}/builds")
    assert response.status_code == 409 and "正在生成" in response.json["errors"][0]["message"]


def test_publishing_a_failed_build_is_409(site, api):
    record = site.store.new_build(ISSUE, ["rss"], "x")
    site.store.fail_build(record.id, "broken")
    assert api("POST", f"/api/v1/builds/{record.id}/publish").status_code == 409


def test_schedules(site, api):
    created = api("POST", f"/api/v1/issues/{ISSUE}/schedules", json={})
    assert created.status_code == 201
    assert created.json["at"] == "2025-05-01T06:00:00+08:00" and created.json["state"] == "pending"
    timed = api("POST", f"/api/v1/issues/{ISSUE}/schedules", json={"at": "2025-05-01T07:30:00+08:00"}).json
    assert api("POST", f"/api/v1/issues/{ISSUE}/schedules", json={"at": "2025-05-01T07:30:00"}).status_code == 422
    assert api("POST", f"/api/v1/issues/{ISSUE}/schedules", json={"at": "tomorrow"}).status_code == 422
    assert [s["id"] for s in api("GET", f"/api/v1/schedules?issue={ISSUE}").json] == [created.json["id"], timed["id"]]
    assert api("DELETE", f"/api/v1/schedules/{timed['id']}").status_code == 204
    assert api("DELETE", f"/api/v1/schedules/{timed['id']}").status_code == 409
    assert api("DELETE", "/api/v1/schedules/999").status_code == 404
    clock = [dt.datetime(2025, 4, 30, 22, 0, tzinfo=dt.timezone.utc)]  # 06:00 Beijing time
    scheduler = Scheduler(site.store, site.queue, lambda: clock[0])
    scheduler.tick()
    build_id = site.store.get_schedule(created.json["id"]).build_id
    assert build_id is not None
    wait(site.store, build_id, 120)
    scheduler.tick()
    assert site.store.get_schedule(created.json["id"]).state == "done"
    assert site.store.live_build(ISSUE).id == build_id


def test_sessions_need_the_csrf_header(site):
    client = site.app.test_client()
    sign_in(client, "editor", PASSWORD)
    assert client.get(ARTICLE).status_code == 200
    etag = client.get(ARTICLE).headers["ETag"]
    refused = client.patch(ARTICLE, json={"headline": "会话修改"}, headers={"If-Match": etag})
    assert refused.status_code == 400 and "CSRF" in refused.json["errors"][0]["message"]
    csrf = token(client, "/admin/")
    done = client.patch(ARTICLE, json={"headline": "会话修改"}, headers={"If-Match": etag, "X-CSRFToken": csrf})
    assert done.status_code == 200 and done.json["headline"] == "会话修改"


def test_token_commands(tmp_path, site):
    config = tmp_path / "cli.yaml"
    config.write_text(f"content: {tmp_path / 'content'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")
    cli = [sys.executable, "-m", "publisher", "--config", str(config), "token"]
    made = subprocess.run([*cli, "create", "editor", "--label", "CMS"], capture_output=True, text=True, check=True)
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("pub_") and " " not in secret
    client = site.app.test_client()
    assert client.get("/api/v1/issues", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = json.loads(subprocess.run([*cli, "list", "--json"], capture_output=True, text=True, check=True).stdout)
    cms = next(t for t in listed if t["label"] == "CMS")
    assert cms["last_used_at"] and not cms["revoked"]
    assert secret not in (tmp_path / "data" / "publisher.db").read_bytes().decode("latin-1")
    subprocess.run([*cli, "revoke", str(cms["id"])], check=True, capture_output=True)
    assert client.get("/api/v1/issues", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert subprocess.run([*cli, "revoke", str(cms["id"])], capture_output=True).returncode == 1
    assert subprocess.run([*cli, "create", "nobody"], capture_output=True).returncode == 1
