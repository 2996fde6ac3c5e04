"""What the build queue adds to a build: a full admin build of the sample against the sum of its channels' renders.

    .venv/bin/python bench/admin_build.py [--runs 3] [--cold]

Builds the sample issue into every channel through the embedded queue (each
channel sandboxed, forked from the warm render process) ``--runs`` times and
prints the wall time of each build beside the sum of its channels' own render
times. ``--cold`` uses a fresh interpreter per channel instead (as RQ work horses
do), for comparison. Target (issue #17): wall ≤ 1.3× the sum.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from publisher import jobs, sample
from publisher.config import Config
from publisher.store import Store

TARGET = 1.3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="a fresh interpreter per channel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample.copy_into(root / "content")
        config = Config(content=root / "content", output=root / "out", data=root / "data", base_dir=root)
        store = Store.from_config(config)
        store.create_all()
        queue = jobs.make_queue(config, store)
        if args.cold:
            queue.renderer = None
        walls, sums = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            record = jobs.wait(store, queue.submit("2025-04-19-1330", None, "bench").id, timeout=600)
            walls.append(time.perf_counter() - started)
            sums.append(sum(r.seconds or 0 for r in record.results.values()))
            if not record.ok:
                print(f"build failed: {record.errors}", file=sys.stderr)
                return 1
        queue.close()
        store.close()
    wall, total = statistics.median(walls), statistics.median(sums)
    print(f"{'renderer':<10} {'wall':>8} {'channels':>9} {'ratio':>6}  target ≤ {TARGET}×")
    print(f"{'fresh' if args.cold else 'prefork':<10} {wall:>6.2f} s {total:>7.2f} s {wall / total:>5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
