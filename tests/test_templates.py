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
    assert templates.search_path("rss", own, tmp_path / "site") == [tmp_path / "site" / "rss", own, templates.PARTIALS]
    assert templates.search_path("rss", own, None) == [own, templates.PARTIALS]


def test_autoescape_is_on(tmp_path):
    (tmp_path / "t.html").write_text("<h1>{{ headline }}</h1>", encoding="utf-8")
    env = templates.environment("demo", tmp_path)
    assert env.get_template("t.html").render(headline="<script>x</script>") == "<h1>&lt;script&gt;x&lt;/script&gt;</h1>"


def test_a_failing_site_template_is_blamed_on_that_file(tmp_path):
    from publisher.admin.views import explain

    override = tmp_path / "site-templates" / "rss"
    override.mkdir(parents=True)
    override.joinpath("article.html").write_text("<p>{{ article.headline }}</p>\n{{ no_such_value.x }}\n", encoding="utf-8")
    config = make_config(root("tiny"), tmp_path, templates=tmp_path / "site-templates")
    issue = loading.load_issue(root("tiny") / "issues" / TINY_ID)
    report = pipeline.build(issue, [plugins.discover()["rss"].cls], config)
    [result] = report.results
    assert not result.ok
    assert result.error.startswith(
        "网站自己的模板 rss/article.html（第2行，在 config.yaml 的 templates: 文件夹里）出错：UndefinedError"
    )
    assert explain("RSS", result.error) == result.error  # shown as it is, not as "a fault in publisher"
    assert str(tmp_path) not in result.error

    override.joinpath("article.html").write_text("<p>{% if %}</p>\n", encoding="utf-8")
    [result] = pipeline.build(issue, [plugins.discover()["rss"].cls], config).results
    assert result.error.startswith("网站自己的模板 rss/article.html（第1行") and "TemplateSyntaxError" in result.error


def test_compiled_templates_are_cached_and_a_changed_template_is_compiled_again(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "t.html").write_text("<p>{{ x }}</p>", encoding="utf-8")
    cache = tmp_path / "cache"
    assert templates.environment("demo", own, cache=cache).get_template("t.html").render(x=1) == "<p>1</p>"
    assert len(list(cache.iterdir())) == 1  # another process finds it compiled
    (own / "t.html").write_text("<b>{{ x }}</b>", encoding="utf-8")
    assert templates.environment("demo", own, cache=cache).get_template("t.html").render(x=2) == "<b>2</b>"
