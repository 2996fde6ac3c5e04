"""Time the desk on the sample issue: a save, a preview (digest + PDF page) and a publish (build of every channel, then live).

    .venv/bin/python bench/editing.py [--runs 5]

Works on a copy of the sample in a temp folder. Prints the first run and the median of the others.
A publish is the whole path an editor waits for: queue a build of every channel, wait for it, publish it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from publisher import plugins, sample
from publisher.config import Config
from publisher.editing import Desk
from publisher.editing.preview import make_preview
from publisher.jobs import make_queue, wait
from publisher.store import Store

ISSUE = "2025-04-19-1330"
SLUG = "jishu-zhongxin"


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def report(name: str, times: list[float]) -> None:
    median = statistics.median(times[1:] or times)
    print(f"{name:<8} first {times[0]:.3f} s, median {median:.3f} s over {len(times)} runs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(sample.CONTENT / "issues" / ISSUE, tmp / "content" / "issues" / ISSUE)
        config = Config(content=tmp / "content", output=tmp / "out", data=tmp / "data", base_dir=tmp)
        store = Store.from_config(config)
        store.create_all()
        desk = Desk(config.content_dir, store)
        channels = plugins.usable()

        saves = []
        for n in range(runs):
            current = desk.article(ISSUE, SLUG)
            body = current["body"].replace("近日", "日前" if n % 2 == 0 else "近日", 1)
            fields = {"headline": f"中铝集团新增两家国家企业技术中心{n}", "body": body}
            started = time.perf_counter()
            desk.save_article(ISSUE, SLUG, fields, current["revision"], "bench")
            saves.append(time.perf_counter() - started)
        report("save", saves)

        previews = [timed(lambda: make_preview(desk, config, channels, ISSUE, SLUG, {"headline": "预览"})) for _ in range(runs)]
        report("preview", previews)

        queue = make_queue(config, store)
        publishes = []
        for _ in range(max(1, runs // 2)):

            def publish():
                record = queue.submit(ISSUE, None, "bench")
                done = wait(store, record.id, 600)
                assert done.ok, done.errors
                store.publish(done.id, "bench")

            publishes.append(timed(publish))
        report("publish", publishes)
        queue.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
