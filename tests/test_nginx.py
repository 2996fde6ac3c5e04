"""nginx in front, with the documented configuration (docs/nginx.conf) and publisher's gunicorn settings: 100
publish/rollback switches while readers poll the feed and the EPUB through it; every answer must be whole, 200, and
exactly one build's file. The configuration's timings agree with gunicorn's, and `serve --gunicorn` runs them."""

from __future__ import annotations

import http.client
import importlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher import plugins
from publisher.cli import main as cli_main
from publisher.cli import serve as serve_cli
from publisher.config import load_config
from publisher.jobs import make_queue, wait
from publisher.keys import secret_key
from publisher.store import Store

from .conftest import REPO, free_port, root

ISSUE = "2025-05-01-1331"
SWITCHES = 100
NGINX_CONF = REPO / "docs" / "nginx.conf"
GUNICORN_CONF = "python:publisher.gunicorn_conf"


def nginx_config(folder: Path, listen: int, upstream: int) -> Path:
    """The documented server block with only its address, upstream port and cache folder changed, in a runnable nginx.conf."""
    documented = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("/var/cache/publisher", str(folder / "cache")),
    ]:
        assert documented.count(old) == 1, old
        documented = documented.replace(old, new)
    temp = folder / "temp"
    temp.mkdir(parents=True)
    (folder / "publisher.conf").write_text(documented, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}daemon off;
worker_processes 2;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder / "publisher.conf"};
}}
"""
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    return folder / "nginx.conf"


def wait_for(port: int, proc: subprocess.Popen, path: str = "/healthz", seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server on port {port} did not start")
        time.sleep(0.2)


@pytest.fixture
def two_builds(tmp_path):
    """The tiny issue built twice with different headlines (feed and EPUB differ); the first one live."""
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    config_path = tmp_path / "config.yaml"
    config_path.write_text(f"content: {content}\ndata: {tmp_path / 'data'}\noutput: {tmp_path / 'out'}\n", encoding="utf-8")
    config = load_config(config_path)
    store = Store.from_config(config)
    store.create_all()
    installed = plugins.discover()
    queue = make_queue(config, store, channels=[installed["rss"].cls, installed["epub"].cls])
    builds = []
    article = content / "issues" / ISSUE / "01-lvse-dixing.md"
    for headline in ("绿色低碳项目全面投产", "第二版标题：绿色低碳项目全面投产"):
        article.write_text(article.read_text(encoding="utf-8").replace("绿色低碳项目全面投产", headline, 1), encoding="utf-8")
        record = wait(store, queue.submit(ISSUE, None, "editor").id, 120)
        assert record.ok, record.errors
        builds.append(record)
    queue.close()
    store.publish(builds[0].id, "editor")
    secret_key(config)
    return config_path, store, builds


def test_nginx_in_front_serves_whole_answers_through_100_publish_switches(tmp_path, two_builds):
    config_path, store, builds = two_builds
    epub_name = next(f.path for f in builds[0].results["epub"].files if f.path.endswith(".epub"))
    paths = {"/feed.xml": ("rss", "feed.xml"), f"/issues/{ISSUE}/{epub_name}": ("epub", epub_name)}
    versions = {path: {(b.channel_dir(ch) / name).read_bytes(): b.id for b in builds} for path, (ch, name) in paths.items()}
    assert all(len(v) == 2 for v in versions.values())  # the two builds differ in both files

    app_port, nginx_port = free_port(), free_port()
    env = {**os.environ, "PUBLISHER_CONFIG": str(config_path), "PUBLISHER_PROXIES": "1"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    app = subprocess.Popen(  # publisher's gunicorn settings, as docs/deployment.md says to run it
        [str(gunicorn), "-c", GUNICORN_CONF, "--bind", f"127.0.0.1:{app_port}", "publisher.admin:create_app()"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = None
    stop = threading.Event()
    tally: dict[str, int] = {"ok": 0, "non-200": 0, "truncated": 0, "mixed": 0}
    seen: dict[str, set[int]] = {path: set() for path in paths}
    lock = threading.Lock()

    def poll(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=30)
        while not stop.is_set():
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=30)
                outcome = "non-200"
            else:
                length = response.getheader("Content-Length")
                if response.status != 200:
                    outcome = "non-200"
                elif length is not None and int(length) != len(body):
                    outcome = "truncated"
                elif body not in versions[path]:
                    outcome = "mixed"  # not exactly one build's file: torn, half-switched or from nowhere
                else:
                    outcome = "ok"
                    with lock:
                        seen[path].add(versions[path][body])
            with lock:
                tally[outcome] += 1

    try:
        wait_for(app_port, app)
        nginx = subprocess.Popen(
            ["/usr/sbin/nginx", "-c", str(nginx_config(tmp_path / "nginx", nginx_port, app_port))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(nginx_port, nginx)
        readers = [threading.Thread(target=poll, args=(path,)) for path in paths for _ in range(2)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 120  # on a busy machine the app's first answers can take seconds
        while not all(seen.values()) and time.monotonic() < deadline:
            time.sleep(0.05)  # the switches start once every reader has an answer
        n = 0
        while n < SWITCHES or (not all(ids == {b.id for b in builds} for ids in seen.values()) and n < 10 * SWITCHES):
            if n % 2 == 0:
                store.publish(builds[1].id, "editor")
            else:
                store.rollback(ISSUE, builds[0].id, "editor")
            n += 1
            time.sleep(0.05)
        time.sleep(1.5)  # nginx keeps answers for 1 s: let the last switch show
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    finally:
        stop.set()
        for proc in (nginx, app):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
        store.close()
    print(f"nginx under {n} publish/rollback switches: {tally}")
    assert (tally["non-200"], tally["truncated"], tally["mixed"]) == (0, 0, 0), tally
    assert tally["ok"] >= 4 * 20  # every reader got answers all along
    assert all(ids == {b.id for b in builds} for ids in seen.values()), seen  # both builds showed through nginx


def _directive(conf: str, name: str) -> list[str]:
    """The values of every ``name …;`` directive in an nginx configuration (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", conf)
    return [m.group(1).strip() for m in re.finditer(rf"(?:^|[;{{\s]){re.escape(name)}\s+([^;]*);", text)]


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[unit]


def test_nginx_neither_holds_readers_for_its_cache_lock_nor_reuses_connections_gunicorn_closes(monkeypatch, tmp_path):
    """Two timings of docs/nginx.conf against nginx's and gunicorn's own.

    nginx wakes requests waiting for the cache lock (a URL's first answer being fetched) only every 500 ms,
    so the lock needs a short proxy_cache_lock_timeout or a first burst of readers waits half a second;
    and an idle upstream connection must be dropped by nginx before gunicorn's keep-alive closes it.
    """
    conf = NGINX_CONF.read_text(encoding="utf-8")
    if _directive(conf, "proxy_cache_lock") == ["on"]:
        (timeout,) = _directive(conf, "proxy_cache_lock_timeout")
        assert _seconds(timeout) <= 0.1
    (upstream,) = re.findall(r"upstream publisher \{([^}]*)\}", conf)
    (idle,) = _directive(upstream, "keepalive_timeout")
    monkeypatch.setenv("PUBLISHER_CONFIG", str(_config_file(tmp_path, queue_url=None)))
    settings = _gunicorn_settings()
    assert settings["worker_class"] == "gthread"  # keeps connections open between requests (sync closes each)
    assert _seconds(idle) < settings["keepalive"]


def _config_file(tmp_path: Path, queue_url: str | None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.yaml"
    lines = [f"content: {root('tiny')}", f"data: {tmp_path / 'data'}"]
    if queue_url:
        lines += ["queue:", f"  url: {queue_url}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _gunicorn_settings() -> dict:
    """publisher's gunicorn settings as gunicorn itself reads them from ``-c python:publisher.gunicorn_conf``."""
    from gunicorn.config import Config

    import publisher.gunicorn_conf

    importlib.reload(publisher.gunicorn_conf)  # it reads PUBLISHER_CONFIG when imported
    config = Config()
    for key, value in vars(publisher.gunicorn_conf).items():
        if key in config.settings:
            config.set(key, value)
    return {key: config.settings[key].get() for key in ("worker_class", "workers", "threads", "keepalive")}


def test_gunicorn_runs_one_threaded_process_with_the_embedded_queue_and_more_with_rq(monkeypatch, tmp_path):
    monkeypatch.setenv("PUBLISHER_CONFIG", str(_config_file(tmp_path / "embedded", queue_url=None)))
    embedded = _gunicorn_settings()
    assert (embedded["workers"], embedded["threads"]) == (1, 8)  # the queue, its fork server and schedules: one process
    monkeypatch.setenv("PUBLISHER_CONFIG", str(_config_file(tmp_path / "rq", queue_url="redis://127.0.0.1:1/0")))
    rq = _gunicorn_settings()
    assert rq["workers"] == max(2, os.cpu_count() or 1) and rq["threads"] == 4  # every core, and no more


def test_serve_and_up_with_gunicorn_run_publishers_gunicorn_settings(monkeypatch, tmp_path):
    config = _config_file(tmp_path, queue_url=None)
    started: list[list[str]] = []

    def execv(exe, args):
        started.append(args)
        raise SystemExit(0)  # instead of becoming gunicorn

    monkeypatch.setattr(os, "execv", execv)
    monkeypatch.setenv("PUBLISHER_CONFIG", str(config))  # the command sets it for gunicorn: undone after the test
    monkeypatch.setattr(serve_cli, "build_and_publish", lambda *args: True)  # up's build is not what is tested here
    monkeypatch.setenv("PUBLISHER_ADMIN_PASSWORD", "long enough password")
    runner = CliRunner()
    for command in (["serve", "--gunicorn", "--port", "8123"], ["up", "--gunicorn", "--port", "8123"]):
        done = runner.invoke(cli_main, ["--config", str(config), *command])
        assert done.exit_code == 0, done.output
        assert "one gunicorn process with threads" in done.output
    for args in started:
        assert args[1:3] == ["-c", GUNICORN_CONF] and args[-1] == "publisher.admin:create_app()"
        assert "--workers" not in args and "--threads" not in args  # from the settings, not the command line
        assert args[args.index("--bind") + 1] == "127.0.0.1:8123"
    assert len(started) == 2
