"""config.yaml: defaults, relative paths, environment overrides, clear errors."""

from __future__ import annotations

import pytest

from publisher.config import ConfigError, load_config


def test_embedded_defaults_are_relative_to_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PUBLISHER_CONFIG", raising=False)
    config = load_config()
    assert config.content_dir == tmp_path / "content"
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'publisher.db'}"
    assert config.queue.url is None and config.site.timezone == "Asia/Shanghai"


def test_config_yaml_in_the_current_folder_is_found(monkeypatch, tmp_path):
    (tmp_path / "config.yaml").write_text("content: papers\nsite: {timezone: Asia/Taipei}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PUBLISHER_CONFIG", raising=False)
    config = load_config()
    assert config.content_dir == tmp_path / "papers" and config.site.timezone == "Asia/Taipei"


def test_relative_paths_and_environment_overrides(monkeypatch, tmp_path):
    path = tmp_path / "site" / "config.yaml"
    path.parent.mkdir()
    path.write_text("site: {url: 'https://news.example.com/'}\ncontent: ../papers\nqueue: {workers: 2}\n", encoding="utf-8")
    monkeypatch.setenv("PUBLISHER_QUEUE_URL", "redis://127.0.0.1:6379/3")
    config = load_config(path)
    assert config.site.url == "https://news.example.com"
    assert config.content_dir == tmp_path / "papers"
    assert config.queue.url == "redis://127.0.0.1:6379/3" and config.queue.workers == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site: {url: news.example.com}\n", "site.url: site.url must start with http:// or https://"),
        ("sites: {}\n", "sites: Extra inputs are not permitted"),
        ("queue: {workers: 0}\n", "queue.workers: Input should be greater than or equal to 1"),
        ("- a list\n", "must be a mapping of settings"),
        ("site: [unclosed\n", "not valid YAML"),
        ("base_dir: /\n", "base_dir is not a setting"),
    ],
)
def test_bad_config_says_where_and_what(tmp_path, text, expected):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_missing_config_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PUBLISHER_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="no such config file"):
        load_config()
