"""The wheel is the product: it carries every template and the sample, and builds from anywhere once installed."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [str(VENV_BIN / "pip"), "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("publisher-*.whl")
    return built


def test_the_wheel_carries_every_template_static_file_and_the_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        p.relative_to(REPO).as_posix()
        for folder in (
            "publisher_channels",
            "publisher/admin/templates",
            "publisher/partials",
            "publisher/admin/static",
            "publisher/admin/translations",
            "publisher/sample",
            "publisher/feeds/templates",
            "publisher/editions_data",
        )
        for p in (REPO / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert [n for n in expected if n not in names] == []
    assert "publisher/admin/translations/en/LC_MESSAGES/messages.mo" in names  # the admin's English
    assert "publisher_channels/pdf/templates/pdf.css" in names and "publisher/sample/issues/2025-04-19-1330/issue.yaml" in names


def test_installed_elsewhere_it_builds_the_sample_into_every_channel(wheel, tmp_path):
    """A fresh venv holding only the wheel (the dependencies come from this venv's site-packages)."""
    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    subprocess.run(
        [str(VENV_BIN / "pip"), "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # this venv's packages, not its publisher
    where = subprocess.check_output(
        [str(python), "-c", "import publisher, publisher_channels; print(publisher.__file__, publisher_channels.__file__)"],
        text=True,
        cwd=tmp_path,
    )
    assert all(path.startswith(str(site)) for path in where.split()), where

    run = lambda *args: subprocess.run(
        [str(python), "-m", "publisher", *args], cwd=tmp_path / "newsroom", capture_output=True, text=True
    )  # noqa: E731
    (tmp_path / "newsroom").mkdir()
    init = run("init")
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "newsroom" / "content" / "issues" / "2025-04-19-1330" / "issue.yaml").is_file()
    built = run("build", "--json")
    assert built.returncode == 0, built.stderr
    manifest = json.loads(built.stdout)
    assert {a["channel"] for a in manifest["artifacts"]} == {
        "rss",
        "jsonfeed",
        "ninjs",
        "epub",
        "pdf",
        "digest",
        "epaper",
        "wechat",
        "newsletter",
    } and manifest["errors"] == []
    assert all(a["path"].startswith(str(tmp_path / "newsroom" / "out")) for a in manifest["artifacts"])
    commands = run("--help").stdout
    for command in (
        "init",
        "issues",
        "check",
        "show",
        "build",
        "channels",
        "import-text",
        "up",
        "serve",
        "worker",
        "user",
        "builds",
        "publish",
        "rollback",
        "history",
        "prune",
        "newsletter",
    ):
        assert f"  {command} " in commands, command
