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


def test_compiled_templates_are_cached_and_a_changed_template_is_compiled_again(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "t.html").write_text("<p>{{ x }}</p>", encoding="utf-8")
    cache = tmp_path / "cache"
    assert templates.environment("demo", own, cache=cache).get_template("t.html").render(x=1) == "<p>1</p>"
    assert len(list(cache.iterdir())) == 1  # another process finds it compiled
    (own / "t.html").write_text("<b>{{ x }}</b>", encoding="utf-8")
    assert templates.environment("demo", own, cache=cache).get_template("t.html").render(x=2) == "<b>2</b>"
