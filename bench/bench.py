"""Time loading and each channel on an issue (default: the sample issue).

    .venv/bin/python bench/bench.py [--runs 5] [--issue ID] [--channel NAME]... [--json]

Prints the first (cold: imports, font caches) and the median of the remaining
runs per step, with peak memory of the process. Speed targets live here, never
in timed tests: a step over its target is flagged, not failed.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from publisher import loading, pipeline, plugins
from publisher.config import load_config
from publisher.results import ChannelResult

#: Median seconds each step should stay under on the 2-core reference machine (issues #4–#7).
TARGETS = {"load": 0.25, "rss": 0.5, "epub": 0.5, "pdf": 3.0, "digest": 0.5}


def _time(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    warm = times[1:] or times
    return times[0], statistics.median(warm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per step (default 5)")
    parser.add_argument("--issue", help="issue id (default: the newest)")
    parser.add_argument("--channel", action="append", help="only this channel (repeatable)")
    parser.add_argument("--config", help="config.yaml (default: the project's)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    issue_id = args.issue or loading.list_issue_ids(config.content_dir)[-1]
    folder = loading.issue_dir(config.content_dir, issue_id)
    issue = loading.load_issue(folder)
    rows = []
    cold, median = _time(lambda: loading.load_issue(folder), args.runs)
    rows.append({"step": "load", "cold": cold, "median": median, "bytes": None})

    installed = {n: i.cls for n, i in plugins.discover().items() if i.cls}
    names = args.channel or list(installed)
    with tempfile.TemporaryDirectory() as out:
        for name in names:
            results: list[ChannelResult] = []

            def run(cls=installed[name], results=results) -> None:
                result = pipeline.build_channel(cls, issue, folder, config, Path(out))
                if not result.ok:
                    raise SystemExit(f"{cls.name} failed: {result.error}")
                results.append(result)

            cold, median = _time(run, args.runs)
            size = results[-1].bytes
            rows.append({"step": name, "cold": cold, "median": median, "bytes": size})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.json:
        print(json.dumps({"issue": issue_id, "runs": args.runs, "peak_mb": peak_mb, "steps": rows}, indent=2))
        return 0
    print(f"{issue.title} ({issue_id}), {len(issue.articles)} articles, {issue.char_count} characters; {args.runs} runs")
    print(f"{'step':<8} {'cold s':>8} {'median s':>9} {'target s':>9} {'output':>10}")
    for row in rows:
        target = TARGETS.get(row["step"])
        flag = "" if target is None or row["median"] <= target else "  OVER TARGET"
        size = f"{row['bytes'] / 1024:.0f} KiB" if row["bytes"] else ""
        print(f"{row['step']:<8} {row['cold']:>8.3f} {row['median']:>9.3f} {target or '':>9} {size:>10}{flag}")
    print(f"peak memory of this process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
