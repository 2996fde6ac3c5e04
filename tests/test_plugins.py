"""Third-party channels: a real package installed from tests/plugins is discovered, listed and built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from publisher import plugins

from .conftest import root

PLUGIN = Path(__file__).parent / "plugins" / "publisher-wordcount"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory) -> Path:
    """pip-install the plugin package into a private folder (the venv and the repo stay untouched)."""
    source = tmp_path_factory.mktemp("src") / PLUGIN.name
    shutil.copytree(PLUGIN, source)
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )
    return target


def _publisher(args: list[str], plugin_path: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    return subprocess.run([str(BIN / "publisher"), *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_builtin_channels_are_entry_points():
    installed = plugins.discover()
    assert {"rss", "epub", "pdf", "digest"} <= set(installed)
    assert all(installed[n].package == "publisher" for n in ("rss", "epub", "pdf", "digest"))


def test_plugin_is_listed_with_its_package(plugin_path, tmp_path):
    result = _publisher(["channels", "--json"], plugin_path, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["wordcount"]["package"] == "publisher-wordcount"
    assert rows["wordcount"]["title"] == "Word count report"
    assert rows["wordcount"]["error"] is None


def test_plugin_builds_with_its_own_layout_and_options(plugin_path, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"content: {root('tiny')}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n"
        "channels:\n  wordcount:\n    title: 本期字数\n",
        encoding="utf-8",
    )
    result = _publisher(["--config", str(config), "build", "-c", "wordcount", "--json"], plugin_path, tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["errors"] == []
    [artifact] = manifest["artifacts"]
    assert artifact["channel"] == "wordcount" and artifact["media_type"] == "text/plain"
    lines = Path(artifact["path"]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "本期字数 中国铝业报 2025年5月1日 总第1331期"
    assert lines[1].split("\t") == ["lvse-dixing", "123", "绿色低碳项目全面投产"]
    assert lines[2].split("\t")[0] == "pinglun"


def test_bad_plugin_options_fail_that_channel_with_the_key(plugin_path, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"content: {root('tiny')}\noutput: {tmp_path / 'out'}\nchannels:\n  wordcount:\n    titel: x\n", encoding="utf-8"
    )
    result = _publisher(["--config", str(config), "build", "-c", "wordcount", "--json"], plugin_path, tmp_path)
    assert result.returncode == 1
    [error] = json.loads(result.stdout)["errors"]
    assert error["channel"] == "wordcount"
    assert "config.yaml channels.wordcount: titel: Extra inputs are not permitted" in error["message"]


def test_duplicate_channel_name_names_both_packages(plugin_path, tmp_path):
    clash = tmp_path / "clash"
    dist = clash / "publisher_clash-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: publisher-clash\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[publisher.channels]\nwordcount = publisher_wordcount:WordCountChannel\n")
    env_path = f"{plugin_path}{os.pathsep}{clash}"
    result = _publisher(["channels"], Path(env_path), tmp_path)
    assert result.returncode == 1
    assert "'wordcount' is registered twice" in result.stderr
    assert "publisher-wordcount" in result.stderr and "publisher-clash" in result.stderr
