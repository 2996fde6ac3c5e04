"""Layouts: a site folder overrides any template of a channel; autoescape is on everywhere."""

from __future__ import annotations

from publisher import loading, pipeline, plugins, templates

from .conftest import make_config, root

TINY_ID = "2025-05-01-1331"


def test_site_folder_overrides_a_channel_template(tmp_path):
    override = tmp_path / "site-templates" / "digest"
    override.mkdir(parents=True)
    original = (plugins.discover()["digest"].cls.template_folder() / "digest.css").read_text(encoding="utf-8")
    override.joinpath("digest.css").write_text(original + "\n.site-override { color: #123456; }\n", encoding="utf-8")
    config = make_config(root("tiny"), tmp_path, templates=tmp_path / "site-templates")
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    report = pipeline.build(issue, [plugins.discover()["digest"].cls], config)
    assert report.ok, report.errors
    page = (config.output_dir / TINY_ID / "digest" / "index.html").read_text(encoding="utf-8")
    assert ".site-override{color:#123456}" in page


def test_search_order_is_site_then_the_channels_own_folder(tmp_path):
    own = plugins.discover()["rss"].cls.template_folder()
    assert own.parts[-3:] == ("publisher_channels", "rss", "templates") and (own / "logo.png").is_file()
    assert templates.search_path("rss", own, tmp_path / "site") == [tmp_path / "site" / "rss", own]
    assert templates.search_path("rss", own, None) == [own]


def test_autoescape_is_on(tmp_path):
    (tmp_path / "t.html").write_text("<h1>{{ headline }}</h1>", encoding="utf-8")
    env = templates.environment("demo", tmp_path)
    assert env.get_template("t.html").render(headline="<script>x</script>") == "<h1>&lt;script&gt;x&lt;/script&gt;</h1>"
