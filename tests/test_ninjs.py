"""The ninjs channel: every document valid against IPTC's own ninjs 2.2 schema, with our content in it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from publisher import images, loading, pipeline, text
from publisher_channels.ninjs import NinjsChannel
from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID, make_config, root
from tests.test_admin import ISSUE, Site

SCHEMA = json.loads((Path(__file__).parent / "data" / "ninjs" / "ninjs-schema_2.2.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def build(config, issue_id: str) -> tuple[object, Path]:
    issue = loading.load_issue(loading.issue_dir(config.content_dir, issue_id))
    report = pipeline.build(issue, [NinjsChannel], config)
    assert report.ok, report.errors
    folder = loading.issue_dir(config.content_dir, issue_id)
    published = images.readable(issue, lambda f: folder / f.src if f.src and f.found else None).issue
    return published, config.output_dir / issue_id / "ninjs"  # the articles readers get (as in every channel)


def documents(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def problems(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_validator_refuses_what_the_schema_forbids():
    assert problems({"uri": "http://example.com/a", "headlines": [{"value": "x"}]}) == []
    assert problems({"uri": "not a uri"})  # format checking is on
    assert problems({"uri": "http://example.com/a", "bylines": "x"})  # no unknown properties
    assert problems({"uri": "http://example.com/a", "pubstatus": "live"})
    assert problems({"uri": "http://example.com/a", "versioncreated": "19 April"})


def test_every_sample_document_validates_and_carries_the_article(tmp_path):
    config = make_config(SAMPLE_CONTENT, tmp_path)
    issue, folder = build(config, SAMPLE_ID)
    docs = documents(folder)
    assert len(docs) == len(issue.articles) + 1
    for name, document in docs.items():
        assert problems(document) == [], name
    for article in issue.articles:
        doc = docs[f"{article.slug}.json"]
        assert doc["uri"] == f"http://127.0.0.1:8000/issues/{SAMPLE_ID}/ninjs/{article.slug}.json"
        assert doc["type"] in ("text", "picture") and doc["pubstatus"] == "usable"
        assert doc["language"] == "zh-CN" and doc["versioncreated"] == "2025-04-19T06:00:00+08:00"
        assert doc["copyrightholder"] == "中国铝业报社"
        roles = {h["role"]: h["value"] for h in doc["headlines"]}
        assert roles["main"] == article.headline
        assert roles.get("kicker") == article.kicker and roles.get("subtitle") == article.subtitle
        body = doc["bodies"][0]
        assert body["contenttype"] == "text/html" and body["charcount"] == article.char_count
        assert text.count_chars(text.html_to_text(body["value"]).replace("（" + (article.source or "") + "）", "")) >= (
            article.char_count
        )
        assert doc["genres"][0]["literal"] == article.kind.value
        assert doc["subjects"][0] == {"name": issue.section(article.section).name, "rel": "section", "literal": article.section}
        assert [p["name"] for p in doc.get("people", [])] == article.author_names
    package = docs["issue.json"]
    assert package["type"] == "composite" and package["headlines"][0]["value"] == issue.title
    assert [a["uri"] for a in package["associations"]] == [docs[f"{a.slug}.json"]["uri"] for a in issue.articles]
    assert [a["version"] for a in package["associations"]] == [docs[f"{a.slug}.json"]["version"] for a in issue.articles]
    commentary = next(a for a in issue.articles if a.kind.value == "commentary")
    assert docs[f"{commentary.slug}.json"]["genres"][0]["uri"] == "http://cv.iptc.org/newscodes/genre/Opinion"


def test_uris_and_versions_are_stable_and_versions_follow_the_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    config = make_config(content, tmp_path)
    issue, folder = build(config, SAMPLE_ID)
    first = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    shutil.rmtree(config.output_dir)
    build(config, SAMPLE_ID)
    assert {p.name: p.read_bytes() for p in folder.glob("*.json")} == first  # byte-identical rebuild
    article = issue.articles[0]
    source = next((content / "issues" / SAMPLE_ID).glob("01-*.md"))
    source.write_text(
        source.read_text(encoding="utf-8").replace(article.headline, article.headline + "（更正）"), encoding="utf-8"
    )
    build(config, SAMPLE_ID)
    after = documents(folder)
    before = {name: json.loads(data) for name, data in first.items()}
    assert after[f"{article.slug}.json"]["uri"] == before[f"{article.slug}.json"]["uri"]
    assert after[f"{article.slug}.json"]["version"] != before[f"{article.slug}.json"]["version"]
    assert after[f"{issue.articles[1].slug}.json"]["version"] == before[f"{issue.articles[1].slug}.json"]["version"]


@pytest.mark.parametrize("with_file", [True, False])
def test_photos_are_picture_associations_with_renditions(copy_root, tmp_path, with_file):
    content = copy_root("hostile")
    picture = content / "issues" / "2025-06-01-1400" / "images" / "missing.jpg"
    if with_file:
        picture.parent.mkdir()
        Image.new("RGB", (40, 30), "red").save(picture)
    _, folder = build(make_config(content, tmp_path), "2025-06-01-1400")
    docs = documents(folder)
    for name, document in docs.items():
        assert problems(document) == [], name
    doc = docs["2025-hostile.json"] if "2025-hostile.json" in docs else next(d for n, d in docs.items() if n != "issue.json")
    if not with_file:  # a figure without its file is not published, in ninjs as in every channel
        assert "associations" not in doc
        return
    photo = doc["associations"][0]
    assert photo["type"] == "picture" and photo["by"] == "某某 摄"
    assert photo["descriptions"][0]["value"] == "图为<svg onload=alert(1)>现场。"  # plain text, escaped by JSON readers
    renditions = photo["renditions"]
    assert {r["contenttype"] for r in renditions} == {"image/webp", "image/jpeg"}
    for rendition in renditions:
        assert rendition["href"].startswith("http://127.0.0.1:8000/issues/2025-06-01-1400/media/")
        assert (rendition["width"], rendition["height"]) == (40, 30) and rendition["sizeinbytes"] > 0
    body = doc["bodies"][0]["value"]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body


def test_the_public_site_serves_each_document_at_its_uri(tmp_path):
    shutil.copytree(root("tiny"), tmp_path / "content")
    site = Site(tmp_path, tmp_path / "content", channels=[NinjsChannel])
    try:
        site.store.publish(site.build().id, "editor")
        client = site.app.test_client()
        package = client.get(f"/issues/{ISSUE}/ninjs/issue.json")
        assert package.status_code == 200 and package.headers["Content-Type"] == "application/json"
        for member in package.get_json()["associations"]:
            path = member["uri"].removeprefix("http://127.0.0.1:8000")
            document = client.get(path).get_json()
            assert document["uri"] == member["uri"] and problems(document) == []
        assert client.get(f"/issues/{ISSUE}/ninjs/nope.json").status_code == 404
    finally:
        site.queue.close()
