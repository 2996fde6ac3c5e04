"""Load benchmark (not a test): /feed.xml from publisher under gunicorn vs a bare Flask app, while a PDF builds.

    .venv/bin/python bench/load.py [--seconds 5] [--rounds 3] [--connections 64] [--workers N]
                                   [--issues 10000] [--background queue|cli|none] [--json]

Builds and publishes the newest issue into a temp data folder, adds ``--issues`` - 1
older published issues to its database (copies of the live build's record under
earlier issue ids: what the public site looks up per request is the live table and
the build records; /feed.xml needs no other files), starts gunicorn twice on loopback
with the same settings (publisher's app, and a bare app that only ``send_file``s the
same feed.xml; by default the settings of ``publisher.gunicorn_conf`` with RQ workers building, what
``publisher serve --gunicorn`` runs) and runs wrk against each, for 200 answers and
for 304 answers (If-None-Match), while a PDF build of the issue runs over and over
in the background: with ``--background queue`` (the default) through an embedded
build queue in this process, as a server builds (each render forked from the warm
fork server, at the render priority of ``queue.render_nice``/``queue.render_policy``);
with ``cli`` as ``publisher build -c pdf`` processes (at the shell's priority). The
two apps take turns (``--rounds`` times each) so both see the same background load;
the medians are printed: requests per second and p99 latency per case and
publisher's share of the bare app's throughput, with the load average.

wrk's percentiles are corrected for coordinated omission: a connection stalled for
a moment counts as the requests it would have sent meanwhile, so one pause of a
server process shows in the p99 of every request it held up.
Targets (issue #17): at least 0.9x the bare app's throughput, p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_RATIO, TARGET_P99_MS = 0.9, 50.0


def bare_app():
    """The baseline: Flask answering /feed.xml with send_file (ETag, 304) and nothing else."""
    from flask import Flask, send_file

    app = Flask("bare")
    feed = os.environ["BENCH_FEED"]

    @app.get("/feed.xml")
    def feed_xml():
        return send_file(feed, mimetype="application/rss+xml")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def shipped_settings() -> dict:
    """The gunicorn settings publisher ships for several processes (``publisher.gunicorn_conf`` with RQ workers building),
    or what this script used before they existed (4 processes, "sync" with 4 threads, which gunicorn runs as gthread)."""
    try:
        from publisher import gunicorn_conf

        workers, threads = gunicorn_conf.processes("redis://")
    except (ImportError, AttributeError):  # an older publisher (or another checkout's module)
        return {"workers": 4, "worker_class": "sync", "threads": 4, "keepalive": 2}
    return {
        "workers": workers,
        "worker_class": gunicorn_conf.worker_class,
        "threads": threads,
        "keepalive": gunicorn_conf.keepalive,
    }


def gunicorn(target: str, port: int, workers: int, settings: dict, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn serving ``target``; what it logs (warnings and worse: a worker timed out or died) goes to ``log``."""
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            settings["worker_class"],
            "--threads",
            str(settings["threads"]),
            "--keep-alive",
            str(settings["keepalive"]),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT / "bench"),
            "--log-level",
            "warning",
            target,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w", encoding="utf-8"),
        text=True,
    )


def wrk(url: str, seconds: int, connections: int, etag: str | None) -> dict:
    """Requests per second, p99 latency (ms) and non-2xx/3xx count from one wrk run."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if etag:
        args[1:1] = ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p99_ms": round(p99, 2),
        "non_2xx_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def median(runs: list[dict]) -> dict:
    """Median requests per second and p99 over runs; errors added up."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in runs),
        "socket_errors": "; ".join(r["socket_errors"] for r in runs if r["socket_errors"]),
    }


class PdfLoop(threading.Thread):
    """Builds the PDF (every channel when no PDF channel is installed) again and again until stopped.

    ``how`` is ``cli`` (``publisher build`` processes) or ``queue`` (an embedded build queue in this
    process, as a server builds: each render forked from the fork server at the render priority).
    """

    def __init__(self, config: Path, out: Path, channels: list[str], how: str):
        super().__init__(daemon=True)
        self.how, self.config, self.channels = how, config, channels
        self.args = [str(BIN / "publisher"), "--config", str(config), "build", "--out", str(out)]
        self.args += [a for c in channels for a in ("-c", c)]
        self.builds: list[float] = []
        self.failed: list[str] = []
        self.interrupted = 0
        self._halt = threading.Event()
        self._proc: subprocess.Popen | None = None

    def run(self) -> None:
        if self.how == "queue":
            return self._through_queue()
        while not self._halt.is_set():
            started = time.monotonic()
            self._proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._proc.wait() == 0:
                self.builds.append(time.monotonic() - started)

    def _through_queue(self) -> None:
        from publisher.config import load_config
        from publisher.jobs import make_queue, wait
        from publisher.loading import list_issue_ids
        from publisher.store import INTERRUPTED, Store

        config = load_config(self.config)
        store = Store.from_config(config)
        queue = make_queue(config, store, config_path=str(self.config))
        issue = list_issue_ids(config.content_dir)[-1]
        try:
            while not self._halt.is_set():
                started = time.monotonic()
                record = wait(store, queue.submit(issue, self.channels, "bench").id, 3600)
                if record.ok:
                    self.builds.append(time.monotonic() - started)
                elif record.error == INTERRUPTED:  # a gunicorn worker starting late fails the builds of others
                    self.interrupted += 1
                else:
                    self.failed.append("; ".join(record.errors))
        finally:
            queue.close()
            store.close()

    def stop(self) -> None:
        self._halt.set()
        if self._proc and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
        self.join()


def publish_copies(config_path: Path, count: int) -> int:
    """Add ``count`` older published issues to the database: copies of the live build's record under earlier ids.

    What the public site reads per request is the live table and the build records (feed.xml is the
    newest issue's file), so this stands for a site with ``count`` more issues published; their files
    are not made. Returns how many issues are published then.
    """
    import datetime as dt

    import sqlalchemy as sa

    from publisher.config import load_config
    from publisher.store import Store, schema

    store = Store.from_config(load_config(config_path))
    try:
        with store.writing() as conn:
            live = conn.execute(sa.select(schema.live_t)).first()
            row = dict(conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.id == live.build_id)).one()._mapping)
            del row["id"]
            day = dt.date.fromisoformat(live.issue_id[:10])
            for start in range(0, count, 500):
                ids = [
                    f"{(day - dt.timedelta(days=n + 1)).isoformat()}-{n + 1:05d}" for n in range(start, min(count, start + 500))
                ]
                for issue_id in ids:
                    build_id = schema.inserted_id(conn.execute(schema.builds_t.insert().values(**{**row, "issue_id": issue_id})))
                    conn.execute(
                        schema.live_t.insert().values(
                            issue_id=issue_id, build_id=build_id, published_at=live.published_at, published_by="bench"
                        )
                    )
            return conn.execute(sa.select(sa.func.count()).select_from(schema.live_t)).scalar_one()
    finally:
        store.close()


def _render_settings(args) -> dict:
    """The queue: settings the options ask for (none: publisher's defaults)."""
    chosen = {"render_nice": args.render_nice, "render_policy": args.render_policy}
    return {key: value for key, value in chosen.items() if value is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per app and case, taking turns (default 3)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    shipped = shipped_settings()
    parser.add_argument("--workers", type=int, default=shipped["workers"], help="gunicorn processes for both apps (as shipped)")
    parser.add_argument("--worker-class", default=shipped["worker_class"], help="gunicorn worker class (default: as shipped)")
    parser.add_argument(
        "--threads", type=int, default=shipped["threads"], help="threads per gunicorn worker (default: as shipped)"
    )
    parser.add_argument("--keepalive", type=int, default=shipped["keepalive"], help="gunicorn keep-alive seconds (as shipped)")
    parser.add_argument("--issues", type=int, default=10000, help="issues published in the database (default 10000)")
    parser.add_argument(
        "--background", choices=("queue", "cli", "none"), default="queue", help="how the PDF builds meanwhile (default queue)"
    )
    parser.add_argument("--render-nice", type=int, help="queue.render_nice for the background builds (default: publisher's)")
    parser.add_argument("--render-policy", help="queue.render_policy for the background builds (default: publisher's)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    settings = {"worker_class": args.worker_class, "threads": args.threads, "keepalive": args.keepalive}
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed; run ./dev setup (or apt-get install wrk)")

    from publisher import plugins

    installed = [n for n, i in plugins.discover().items() if i.cls is not None]
    background = ["pdf"] if "pdf" in installed else installed
    with tempfile.TemporaryDirectory(prefix="publisher-load-") as tmp:
        tmp = Path(tmp)
        config = tmp / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "site": {"url": "http://127.0.0.1:8000"},
                    "content": str(ROOT / "content"),
                    "output": str(tmp / "out"),
                    "data": str(tmp / "data"),
                    **({"queue": render} if (render := _render_settings(args)) else {}),
                }
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "PUBLISHER_CONFIG": str(config), "PUBLISHER_ADMIN_PASSWORD": "bench-password"}
        subprocess.run([str(BIN / "publisher"), "up", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
        feed = next((tmp / "data" / "live" / "site").glob("*/rss/feed.xml"))
        env["BENCH_FEED"] = str(feed.resolve())
        published = publish_copies(config, args.issues - 1) if args.issues > 1 else 1

        ours_port, bare_port = free_port(), free_port()
        servers = [
            gunicorn("publisher.admin:create_app()", ours_port, args.workers, settings, env, tmp / "publisher.log"),
            gunicorn("load:bare_app()", bare_port, args.workers, settings, env, tmp / "bare.log"),
        ]
        loop = PdfLoop(config, tmp / "scratch", background, args.background)
        load_before = os.getloadavg()
        try:
            apps = {
                "publisher": f"http://127.0.0.1:{ours_port}/feed.xml",
                "bare send_file": f"http://127.0.0.1:{bare_port}/feed.xml",
            }
            etags = {}
            for name, url in apps.items():
                wait_up(url, 600)  # with many issues published the first answer may take long
                with urllib.request.urlopen(url) as response:
                    etags[name] = response.headers["ETag"]
            if args.background != "none":
                loop.start()
                time.sleep(2 if args.background == "cli" else 8)  # let the first build get going (the fork server starts)
            runs: dict[tuple[str, str], list[dict]] = {}
            for _ in range(args.rounds):
                for case in ("200", "304"):
                    for name, url in apps.items():
                        runs.setdefault((name, case), []).append(
                            wrk(url, args.seconds, args.connections, etags[name] if case == "304" else None)
                        )
            results = {key: median(value) for key, value in runs.items()}
            load_after = os.getloadavg()
        finally:
            if loop.is_alive():
                loop.stop()
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:  # a worker stuck in a request: gunicorn waits for it
                    server.kill()
                    server.wait()
            logged = {
                name: [
                    line
                    for line in (tmp / f"{name}.log").read_text(encoding="utf-8").splitlines()
                    if "Handling signal" not in line
                ]
                for name in ("publisher", "bare")
            }

    rows = []
    for case in ("200", "304"):
        ours, bare = results[("publisher", case)], results[("bare send_file", case)]
        ratio = ours["rps"] / bare["rps"] if bare["rps"] else 0.0
        rows.append(
            {
                "case": case,
                "publisher": ours,
                "bare": bare,
                "ratio": round(ratio, 3),
                "ok": ratio >= TARGET_RATIO and ours["p99_ms"] < TARGET_P99_MS,
            }
        )
    summary = {
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "workers": f"{args.workers} {args.worker_class}, {args.threads} threads, keep-alive {args.keepalive} s",
        "issues": published,
        "background": f"{'+'.join(background)} builds ({args.background}"
        + (f", {' '.join(f'{k}={v}' for k, v in _render_settings(args).items())}" if _render_settings(args) else "")
        + f"), {len(loop.builds)} finished during the run"
        + (f", {len(loop.failed)} failed: {loop.failed[0]}" if loop.failed else "")
        + (f", {loop.interrupted} failed by a gunicorn worker starting (its queue's recovery)" if loop.interrupted else ""),
        "pdf_seconds": round(statistics.median(loop.builds), 2) if loop.builds else None,
        "load_average": [round(x, 2) for x in (*load_before, *load_after)],
        "server_log": {name: lines[:5] for name, lines in logged.items() if lines},
        "cases": rows,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        f"/feed.xml, gunicorn {summary['workers']}, wrk {args.connections} connections, median of {args.rounds} "
        f"runs of {args.seconds} s per app and answer, {published} issues published, while {summary['background']}"
        + (f" (median {summary['pdf_seconds']} s each)" if summary["pdf_seconds"] else "")
    )
    before, after = summary["load_average"][:3], summary["load_average"][3:]
    print(f"load average before: {' '.join(map(str, before))}  after: {' '.join(map(str, after))}")
    for name, lines in summary["server_log"].items():
        print(f"{name}'s gunicorn logged: " + " | ".join(lines))
    print(f"{'answer':<7} {'publisher rps':>14} {'p99 ms':>8} {'bare rps':>10} {'p99 ms':>8} {'ratio':>6}")
    for row in rows:
        flag = "" if row["ok"] else f"  ✗ target: ≥{TARGET_RATIO}x, p99 < {TARGET_P99_MS:.0f} ms"
        print(
            f"{row['case']:<7} {row['publisher']['rps']:>14.0f} {row['publisher']['p99_ms']:>8.1f} "
            f"{row['bare']['rps']:>10.0f} {row['bare']['p99_ms']:>8.1f} {row['ratio']:>6.2f}{flag}"
        )
        for who in ("publisher", "bare"):
            if row[who]["non_2xx_3xx"] or row[who]["socket_errors"]:
                print(f"        {who}: {row[who]['non_2xx_3xx']} non-2xx/3xx; {row[who]['socket_errors']}")
    return 0


if __name__ == "__main__":
    os.environ["PUBLISHER_DAEMON"] = "off"  # every `publisher` command here is a process of its own
    sys.exit(main())
