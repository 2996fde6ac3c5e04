"""Time the script conversion of an issue and the new channels, per edition (default: the sample issue).

    .venv/bin/python bench/editions.py [--runs 5] [--issue ID]

Prints, for the source and a zh-Hant-TW and a zh-Hant-HK edition, the median seconds of
converting the model (once per build) and of each fast channel (rss, jsonfeed, ninjs,
digest, epub) built from it; an edition's channel times include its conversion, done in
``pipeline.build``. The first run (OpenCC loading its dictionaries) is shown apart.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from publisher import editions, loading, pipeline, plugins
from publisher.config import Config, EditionConfig, load_config

CHANNELS = ("rss", "jsonfeed", "ninjs", "digest", "epub")
EDITIONS = (EditionConfig(name="zh-Hant", variant="zh-Hant-TW"), EditionConfig(name="zh-HK", variant="zh-Hant-HK"))


def _median(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:] or times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--issue")
    args = parser.parse_args()
    base = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(content=base.content_dir, output=Path(tmp) / "out", data=Path(tmp) / "data", editions=EDITIONS)
        issue_id = args.issue or loading.list_issue_ids(config.content_dir)[-1]
        issue = loading.load_issue(loading.issue_dir(config.content_dir, issue_id))
        print(f"{issue.title}: {len(issue.articles)} articles, {issue.char_count} characters; {args.runs} runs")
        installed = plugins.discover()
        for edition in (None, *EDITIONS):
            label = edition.name if edition else "zh-Hans (source)"
            if edition:
                cold, warm = _median(lambda e=edition: editions.convert(issue, e), args.runs)
                print(f"{label:<18} convert  first {cold:6.3f} s  median {warm:6.3f} s")
            for name in CHANNELS:
                cls = installed[name].cls
                cold, warm = _median(lambda c=cls, e=edition: pipeline.build(issue, [c], config, edition=e and e.name), args.runs)
                print(f"{label:<18} {name:<8} first {cold:6.3f} s  median {warm:6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
