"""Layouts: a site folder overrides any template of a channel; autoescape is on everywhere."""
from __future__ import annotations

from publisher import loading, pipeline, plugins, templates

from .conftest import make_config, root

TINY_ID = "2025-05-01-1331"


def test_site_folder_overrides_a_channel_template(tmp_path):
    override = tmp_path / "site-templates" / "digest"
    override.mkdir(parents=True)
    original = (templates.LAYOUTS / "digest" / "digest.css").read_text(encoding="utf-8")
    override.joinpath("digest.css").write_text(original + "\n.site-override { color: #123456; }\n", encoding="utf-8")
    config = make_config(root("tiny"), tmp_path, templates=tmp_path / "site-templates")
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    report = pipeline.build(issue, [plugins.discover()["digest"].cls], config)
    assert report.ok, report.errors
    page = (config.output_dir / TINY_ID / "digest" / "index.html").read_text(encoding="utf-8")
    assert ".site-override{color:#123456}" in page


def test_search_order_is_site_then_layout_then_base(tmp_path):
    folders = templates.search_path("rss", None, tmp_path / "site")
    assert folders == [tmp_path / "site" / "rss", templates.LAYOUTS / "rss", templates.LAYOUTS / "base"]


def test_autoescape_is_on(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "t.html").write_text("<h1>{{ headline }}</h1>", encoding="utf-8")
    env = templates.environment("demo", layout_root=tmp_path)
    assert env.get_template("t.html").render(headline="<script>x</script>") == "<h1>&lt;script&gt;x&lt;/script&gt;</h1>"
