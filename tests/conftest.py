"""Shared fixtures: the fixture roots, the sample issue, configs pointing at temp folders, redis-server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from publisher import loading, sample
from publisher.config import Config

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).parent / "roots"
SAMPLE_CONTENT = sample.CONTENT
SAMPLE_ID = "2025-04-19-1330"
SEED = Path(__file__).parent / "data" / "chinalco-news-1330.txt"


def make_config(content: Path, tmp_path: Path, **overrides) -> Config:
    """A config that reads ``content`` and writes everything below ``tmp_path``."""
    return Config(content=content, output=tmp_path / "out", data=tmp_path / "data", base_dir=tmp_path, **overrides)


def root(name: str) -> Path:
    """A fixture content folder under tests/roots/ (holds issues/<id>/)."""
    return ROOTS / name


@pytest.fixture
def tiny_config(tmp_path) -> Config:
    return make_config(root("tiny"), tmp_path)


@pytest.fixture
def hostile_config(tmp_path) -> Config:
    return make_config(root("hostile"), tmp_path)


@pytest.fixture
def sample_config(tmp_path) -> Config:
    return make_config(SAMPLE_CONTENT, tmp_path)


@pytest.fixture(scope="session")
def sample_issue():
    return loading.load_issue(SAMPLE_CONTENT / "issues" / SAMPLE_ID)


@pytest.fixture
def store(tmp_path):
    """A fresh SQLite build store in tmp_path/data."""
    from publisher.store import Store

    store = Store(f"sqlite:///{tmp_path / 'data' / 'publisher.db'}")
    store.create_all()
    yield store
    store.close()


@pytest.fixture
def copy_root(tmp_path):
    """Copy a fixture root into a temp folder (to edit or extend it) and return the copy."""

    def copy(name: str) -> Path:
        target = tmp_path / "content" / name
        shutil.copytree(root(name), target)
        return target

    return copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port, for the session; stopped at the end."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed; run ./dev setup")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
