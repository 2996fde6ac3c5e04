"""Where the print channel's time goes: median wall and CPU seconds per step over several builds.

    .venv/bin/python bench/pdf_split.py [--issue ID] [--runs 5] [--no-fork]

Steps: ``galley`` (pass one, half in a forked child), ``compose``, ``layout``
(pass two), ``write`` (drawing, font subsetting, the PDF file) and
``thumbnails``. CPU is this process only; the forked halves run beside it.
``bench/bench.py`` times the whole channel; :func:`steps` is for it to call.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from publisher import loading, pipeline
from publisher.config import load_config
from publisher_channels.pdf.channel import PdfChannel
from publisher_channels.pdf.fork import NO_FORK_ENV


def steps(issue_id: str | None = None, runs: int = 5, config_path: str | None = None) -> dict:
    """Build the PDF of ``issue_id`` (default: the newest) ``runs`` times; medians of every run after the first."""
    config = load_config(config_path)
    issue_id = issue_id or loading.list_issue_ids(config.content_dir)[-1]
    folder = loading.issue_dir(config.content_dir, issue_id)
    issue = loading.load_issue(folder)
    totals, timings, size = [], [], 0
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            started = time.perf_counter()
            result = pipeline.build_channel(PdfChannel, issue, folder, config, Path(out))
            if not result.ok:
                raise SystemExit(f"pdf failed: {result.error}")
            totals.append(time.perf_counter() - started)
            timings.append(PdfChannel.last_timings)
            size = next(f.bytes for f in result.files if f.media_type == "application/pdf")
    warm = timings[1:] or timings
    return {
        "issue": issue_id,
        "runs": runs,
        "cold": round(totals[0], 3),
        "median": round(statistics.median(totals[1:] or totals), 3),
        "pages": warm[-1].pages,
        "pdf_bytes": size,
        "wall": {k: round(statistics.median(t.wall[k] for t in warm), 3) for k in warm[-1].wall},
        "cpu": {k: round(statistics.median(t.cpu[k] for t in warm), 3) for k in warm[-1].cpu},
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issue", help="issue id (default: the newest)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", help="config.yaml (default: the project's)")
    parser.add_argument("--no-fork", action="store_true", help="render everything in this process")
    args = parser.parse_args(argv)
    if args.no_fork:
        os.environ[NO_FORK_ENV] = "1"
    report = steps(args.issue, args.runs, args.config)
    print(
        f"{report['issue']}: {report['pages']} pages, {report['pdf_bytes'] / 1024:.0f} KiB; "
        f"cold {report['cold']:.2f} s, median {report['median']:.2f} s over {report['runs']} runs; "
        f"peak {report['peak_mb']} MB"
    )
    for step, wall in report["wall"].items():
        print(f"  {step:<11} {wall:6.2f} s   (cpu {report['cpu'][step]:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
