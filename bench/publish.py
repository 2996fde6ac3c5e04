"""How long publishing takes on the sample issue, as an editor does it in the admin.

    .venv/bin/python bench/publish.py [--runs 20]

Builds the sample issue twice into the fast channels (rss, epub, digest: a publish
never depends on how long a build took), the second with one headline changed, then
times through the admin's test client, ``--runs`` times each:

* the confirmation page (``GET /admin/builds/N/publish``: both builds' snapshots read and compared),
* the publish itself (``POST``: the store's transaction, the ``live/`` symlinks, the public cache),
  alternating between the two builds,
* unpublishing and publishing again,
* the first ``/feed.xml`` a reader gets after a publish (the public map rebuilt).

Prints medians and maxima in milliseconds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from publisher import plugins, sample
from publisher.admin import create_app
from publisher.config import Config
from publisher.jobs import make_queue, wait
from publisher.store import Store

SAMPLE_ID = "2025-04-19-1330"
CHANNELS = ("rss", "epub", "digest")


def timed(action, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    print(f"{name:<44} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms   ({len(times)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(sample.CONTENT, root / "content")
        config = Config(content=root / "content", output=root / "out", data=root / "data", base_dir=root)
        store = Store.from_config(config)
        store.create_all()
        store.add_user("editor", "bench-password")
        queue = make_queue(config, store, channels=[plugins.discover()[n].cls for n in CHANNELS])
        app = create_app(config, store=store, queue=queue, testing=True)
        first = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 300)
        article = sorted((root / "content" / "issues" / SAMPLE_ID).glob("0*.md"))[0]
        article.write_text(article.read_text(encoding="utf-8").replace("headline: ", "headline: （更正）", 1), "utf-8")
        second = wait(store, queue.submit(SAMPLE_ID, None, "editor").id, 300)
        assert first.ok and second.ok, (first.errors, second.errors)
        store.publish(first.id, "editor")

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "editor", "password": "bench-password", "csrf_token": csrf})
        builds = (second.id, first.id)

        def confirm(i):
            page = client.get(f"/admin/builds/{second.id}/publish").get_data(as_text=True)
            assert "改动 1 篇" in page

        def publish(i):
            assert client.post(f"/admin/builds/{builds[i % 2]}/publish", data={"csrf_token": csrf}).status_code == 302

        def feed_after_publish(i):
            client.post(f"/admin/builds/{builds[i % 2]}/publish", data={"csrf_token": csrf})
            started = time.perf_counter()
            assert client.get("/feed.xml").status_code == 200
            return time.perf_counter() - started

        def unpublish_and_again(i):
            assert client.post(f"/admin/issues/{SAMPLE_ID}/unpublish", data={"csrf_token": csrf}).status_code == 302
            live = store.withdrawn()[SAMPLE_ID].build_id
            assert client.post(f"/admin/builds/{live}/publish", data={"csrf_token": csrf}).status_code == 302

        report("confirmation page with the diff", timed(confirm, runs))
        report("publish (POST, switch, cache invalidated)", timed(publish, runs))
        report("first /feed.xml after a publish", [feed_after_publish(i) * 1000 for i in range(runs)])
        report("unpublish then publish again (two POSTs)", timed(unpublish_and_again, runs))
        queue.close()


if __name__ == "__main__":
    main()
