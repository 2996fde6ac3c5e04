"""Time ``publisher import-text`` work on an e-paper text (default: the seed of the sample issue).

    .venv/bin/python bench/importer.py [FILE] [--runs 5]

Prints the first run (cold: imports, regex compilation) and the median of the others.
The target is flagged, never failed: the importer should take well under a second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from publisher.importer import import_text

TARGET = 0.5  # seconds, median, on the 2-core reference machine
SEED = Path(__file__).resolve().parent.parent / "tests" / "data" / "chinalco-news-1330.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", default=str(SEED), help="extracted e-paper text (default: the seed)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    data = Path(args.file).read_bytes()
    times = []
    for _ in range(max(1, args.runs)):
        started = time.perf_counter()
        result = import_text(data, Path(args.file).name)
        times.append(time.perf_counter() - started)
    median = statistics.median(times[1:] or times)
    flag = "" if median <= TARGET else f"  ✗ over the {TARGET} s target"
    print(
        f"import {Path(args.file).name}: {len(data) / 1024:.0f} KiB, {len(result.issue.articles)} articles, "
        f"{len(result.report.decisions)} decisions; cold {times[0]:.3f} s, median {median:.3f} s{flag}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
