"""nginx benchmark (not a test): the feed and the EPUB through nginx (docs/nginx.conf) vs the app alone, under publish churn.

    .venv/bin/python bench/nginx.py [--seconds 5] [--connections 32] [--json]

Builds the tiny test issue twice (rss, epub) into a temp data folder, serves it with gunicorn
(publisher's settings, ``-c python:publisher.gunicorn_conf``: with the embedded queue one process
with 8 threads) and nginx in front with the documented configuration, and runs wrk against each for
/feed.xml and the EPUB while another thread publishes and rolls back every 0.1 s. For each URL
nginx is measured twice: "cold", the first seconds after its first request for the URL (readers
arriving together while nginx fetches it), then "warm". Prints requests per second, p99 latency and
the non-2xx/3xx answers per case, nginx's share of the app's throughput and the load average.

wrk corrects its percentiles for coordinated omission: a connection held up for half a second
counts as the requests it would have sent meanwhile, so one such wait of every connection at the
start of a run makes its p99 that half second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from load import BIN, free_port, wait_up, wrk  # noqa: E402

from publisher import plugins  # noqa: E402
from publisher.admin import secret_key  # noqa: E402
from publisher.config import load_config  # noqa: E402
from publisher.jobs import make_queue, wait  # noqa: E402
from publisher.store import Store  # noqa: E402
from tests.test_nginx import GUNICORN_CONF, ISSUE, nginx_config  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="publisher-nginx-bench-"))
    procs: list[subprocess.Popen] = []
    stop = threading.Event()
    try:
        content = tmp / "content"
        shutil.copytree(ROOT / "tests" / "roots" / "tiny", content)
        config_path = tmp / "config.yaml"
        config_path.write_text(f"content: {content}\ndata: {tmp / 'data'}\noutput: {tmp / 'out'}\n", encoding="utf-8")
        config = load_config(config_path)
        store = Store.from_config(config)
        store.create_all()
        installed = plugins.discover()
        queue = make_queue(config, store, channels=[installed["rss"].cls, installed["epub"].cls])
        builds = [wait(store, queue.submit(ISSUE, None, "bench").id, 300) for _ in range(2)]
        queue.close()
        store.publish(builds[0].id, "bench")
        secret_key(config)
        epub = next(f.path for f in builds[0].results["epub"].files if f.path.endswith(".epub"))
        app_port, nginx_port = free_port(), free_port()
        env = {**os.environ, "PUBLISHER_CONFIG": str(config_path), "PUBLISHER_PROXIES": "1"}
        procs.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", GUNICORN_CONF, "-b", f"127.0.0.1:{app_port}", "publisher.admin:create_app()"],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_up(f"http://127.0.0.1:{app_port}/healthz", 90)
        nginx_conf = nginx_config(tmp / "nginx", nginx_port, app_port)
        procs.append(
            subprocess.Popen(["/usr/sbin/nginx", "-c", str(nginx_conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        wait_up(f"http://127.0.0.1:{nginx_port}/healthz", 30)

        def churn() -> None:
            n = 0
            while not stop.wait(0.1):
                if n % 2 == 0:
                    store.publish(builds[1].id, "bench")
                else:
                    store.rollback(ISSUE, builds[0].id, "bench")
                n += 1

        switcher = threading.Thread(target=churn, daemon=True)
        switcher.start()
        results = {}
        load_before = os.getloadavg()
        for path in ("/feed.xml", f"/issues/{ISSUE}/{epub}"):
            urllib.request.urlopen(f"http://127.0.0.1:{app_port}{path}").close()  # the app has answered it once
            for name, port in (("nginx cold", nginx_port), ("nginx warm", nginx_port), ("app", app_port)):
                results[f"{name} {path}"] = wrk(f"http://127.0.0.1:{port}{path}", args.seconds, args.connections, None)
        load_after = os.getloadavg()
        stop.set()
        switcher.join()
        store.close()
    finally:
        stop.set()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    loads = [round(x, 2) for x in (*load_before, *load_after)]
    if args.json:
        print(json.dumps({"cases": results, "load_average": loads}, indent=2))
        return 0
    print(f"wrk {args.connections} connections, {args.seconds} s per case, publish/rollback every 0.1 s meanwhile")
    print(f"load average before: {' '.join(map(str, loads[:3]))}  after: {' '.join(map(str, loads[3:]))}")
    for case, r in results.items():
        print(
            f"{case:<60} {r['rps']:>9.0f} req/s  p99 {r['p99_ms']:>7.1f} ms  non-2xx/3xx {r['non_2xx_3xx']}  {r['socket_errors']}"
        )
    for path in ("/feed.xml", f"/issues/{ISSUE}/{epub}"):
        print(f"nginx (warm)/app {path}: {results[f'nginx warm {path}']['rps'] / results[f'app {path}']['rps']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
