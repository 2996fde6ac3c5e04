"""Shared fixtures: the fixture roots, the sample issue, configs pointing at temp folders, redis-server, PostgreSQL."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from publisher import loading, sample
from publisher.config import Config

# A daemon the developer started must never run the tests' commands; tests/test_daemon.py starts its own.
os.environ["PUBLISHER_DAEMON"] = "off"

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).parent / "roots"
SAMPLE_CONTENT = sample.CONTENT
SAMPLE_ID = "2025-04-19-1330"
SEED = Path(__file__).parent / "data" / "chinalco-news-1330.txt"


def make_config(content: Path, tmp_path: Path, **overrides) -> Config:
    """A config that reads ``content`` and writes everything below ``tmp_path``."""
    return Config(content=content, output=tmp_path / "out", data=tmp_path / "data", base_dir=tmp_path, **overrides)


def in_folder(folder: Path):
    """A figure locator for :func:`publisher.images.readable` over an issue folder, as the loader found the files."""
    return lambda figure: Path(folder) / figure.src if figure.src and figure.found else None


def root(name: str) -> Path:
    """A fixture content folder under tests/roots/ (holds issues/<id>/)."""
    return ROOTS / name


def daily_copies(source: Path, content: Path, count: int) -> list[str]:
    """``count`` copies of the issue folder ``source`` under ``content/issues``, a day and a number apart counting
    back from its own; their ids, newest first."""
    import datetime as dt

    day, number = dt.date.fromisoformat(source.name[:10]), int(source.name[11:])
    text = (source / loading.ISSUE_FILE).read_text(encoding="utf-8")
    ids = []
    for n in range(count):
        date = (day - dt.timedelta(days=n)).isoformat()
        target = content / "issues" / f"{date}-{number - n}"
        shutil.copytree(source, target)
        meta = text.replace(f"date: {day.isoformat()}", f"date: {date}").replace(f"number: {number}", f"number: {number - n}")
        (target / loading.ISSUE_FILE).write_text(meta, encoding="utf-8")
        ids.append(target.name)
    return ids


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Change ``path`` as nano or VS Code save it: the same file rewritten (no rename), so its folder's time stays."""
    folder = path.parent.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(text.replace(old, new, 1))
        handle.truncate()
    os.utime(path.parent, ns=(folder.st_atime_ns, folder.st_mtime_ns))


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


#: The PostgreSQL server's own time zone in the tests: deliberately not UTC (stored times must not care).
PG_TIMEZONE = "America/New_York"
_pg_databases = itertools.count(1)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is not installed; run ./dev setup (Debian package postgresql)")
    return found[-1]


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on a free loopback port, run as an unprivileged user; its base URL.

    initdb + pg_ctl in a temp folder; as root the server runs as ``nobody`` (PostgreSQL refuses root).
    fsync is off: the data is thrown away.
    """
    folder = Path(tempfile.mkdtemp(prefix="publisher-pg-"))
    data, port = folder / "data", free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)  # nobody
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    env = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        env=env,
        cwd=folder,
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c timezone={PG_TIMEZONE} -c max_connections=200"
    )
    subprocess.run(
        [*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        env=env,
        cwd=folder,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True, env=env, cwd=folder
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_pg_database(server: str) -> str:
    """A new empty database on the test server; its URL."""
    import sqlalchemy as sa

    name = f"t{os.getpid()}_{next(_pg_databases)}"
    engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of a fresh database: SQLite in tmp_path/data, then a database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'publisher.db'}"
    return new_pg_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(database_url, tmp_path):
    """A fresh build store on each database (SQLite, PostgreSQL) with its data folder in tmp_path/data."""
    from publisher.store import Store

    store = Store(database_url, tmp_path / "data")
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
