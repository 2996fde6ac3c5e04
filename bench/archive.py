"""How a large archive weighs on the commands a newsroom runs every day: whole processes, paired runs.

    .venv/bin/python bench/archive.py [--sizes 10,1000,10000] [--runs 5]

Makes, in a temporary folder, content folders of N issues (copies of the sample
issue under successive dates and numbers) and times, as separate processes,
``publisher build -c rss -c digest`` of the newest issue and ``publisher issues``,
each first once to fill the index (as the first build after an upgrade would),
then ``--runs`` times. Prints medians and the ratio to the smallest site (ten issues:
the feed spans ten issues, so smaller sites build shorter feeds and are no fair base).
Targets (issue #17): build ≤ 1.1× the ten-issue time; ``issues`` ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publisher import sample

SAMPLE_ID = "2025-04-19-1330"
BUILD_RATIO_TARGET = 1.1
ISSUES_TARGET = 0.5


def make_site(root: Path, count: int) -> Path:
    """A site folder with ``count`` issues: the sample copied under dates counting back from its own."""
    site = root / f"site-{count}"
    issues = site / "content" / "issues"
    issues.mkdir(parents=True)
    source = sample.CONTENT / "issues" / SAMPLE_ID
    text = (source / "issue.yaml").read_text(encoding="utf-8")
    day, number = dt.date(2025, 4, 19), 1330 + count  # numbers stay positive however many issues there are
    for n in range(count):
        date = day - dt.timedelta(days=n)
        target = issues / f"{date.isoformat()}-{number - n}"
        shutil.copytree(source, target)
        (target / "issue.yaml").write_text(
            text.replace("date: 2025-04-19", f"date: {date.isoformat()}").replace("number: 1330", f"number: {number - n}"),
            encoding="utf-8",
        )
    (site / "config.yaml").write_text("content: content\noutput: out\ndata: data\n", encoding="utf-8")
    return site


def timed(args: list[str], cwd: Path, runs: int) -> float:
    exe = [sys.executable, "-m", "publisher", *args]
    subprocess.run(exe, cwd=cwd, check=True, capture_output=True)  # fills the index
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(exe, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="archive sizes, comma-separated (default 10,1000,10000)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for count in sizes:
            site = make_site(Path(tmp), count)
            build = timed(["build", "-c", "rss", "-c", "digest"], site, args.runs)
            listing = timed(["issues"], site, args.runs)
            rows.append((count, build, listing))
            shutil.rmtree(site)
    base = rows[0][1]
    print(f"{'issues':>8} {'build rss+digest':>17} {'ratio':>6} {'publisher issues':>17}")
    for count, build, listing in rows:
        flag = "" if build / base <= BUILD_RATIO_TARGET and listing <= ISSUES_TARGET else "  (over target)"
        print(f"{count:>8} {build:>15.2f} s {build / base:>5.2f}× {listing:>15.2f} s{flag}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
