"""How a large archive weighs on the commands a newsroom runs every day: whole processes, paired runs.

    .venv/bin/python bench/archive.py [--sizes 10,1000,10000] [--runs 5] [--keep DIR]

Makes, in a temporary folder (or in ``--keep DIR``, reused by later runs), content folders of N issues
(copies of the sample issue under successive dates and numbers) and times, as separate processes,
``publisher build -c rss -c digest`` of the newest issue, ``publisher issues`` and ``publisher issues --all``,
each first once to fill the index (as the first build after an upgrade would), then ``--runs`` times, every
size and command in turn. Then, per site in a fresh process, with the newest issue built and published through
the embedded queue and every other one published as a copy of its record: the admin dashboard (``/admin/``),
the public archive (``/issues/``), the OPDS catalogue's first page (``/opds.xml``) and a search in it (``?q=1330``) and the API's issue list
(``/api/v1/issues``), whole requests through Flask's test client (no HTTP server), the first request and the
median of ``--runs`` more.
Prints medians of wall and CPU time, the load average, and the build's ratio to the smallest site (ten issues:
the feed spans ten issues, so smaller sites build shorter feeds and are no fair base).
Targets (issue #17): build ≤ 1.1× the ten-issue time; ``issues`` ≤ 0.5 s; each page ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
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
PAGES = ("/admin/", "/issues/", "/opds.xml", "/opds.xml?q=1330", "/api/v1/issues")
TARGETS = {"issues": 0.5, **{url: 0.2 for url in PAGES}}  # seconds


def make_site(root: Path, count: int) -> Path:
    """A site folder with ``count`` issues: the sample copied under dates counting back from its own (kept from an
    earlier run with ``--keep``: filling the index of 10,000 issues takes half an hour)."""
    site = root / f"site-{count}"
    if (site / "config.yaml").is_file():
        return site
    issues = site / "content" / "issues"
    if issues.exists():
        shutil.rmtree(issues)  # an interrupted copy
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


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``publisher`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "publisher", *args], cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def publish_all(store, content_dir: Path) -> None:
    """Publish every issue not yet live as a copy of the newest issue's live build record (its file names made the
    issue's; no files are written): the OPDS catalogue and the listings read records, never the files."""
    import sqlalchemy as sa

    from publisher import loading
    from publisher.store import schema

    builds = store.live_state().builds
    missing = [i for i in loading.list_issue_ids(content_dir) if i not in builds]
    if not missing:
        return
    newest = max(builds)
    with store.writing() as conn:
        row = dict(conn.execute(sa.select(schema.builds_t).where(schema.builds_t.c.id == builds[newest])).one()._mapping)
        del row["id"]
        results = json.dumps(row["results"])
        for issue_id in missing:
            values = {**row, "issue_id": issue_id, "results": json.loads(results.replace(newest, issue_id))}
            build_id = schema.inserted_id(conn.execute(schema.builds_t.insert().values(**values)))
            live = {"issue_id": issue_id, "build_id": build_id, "published_at": schema.utcnow(), "published_by": "bench"}
            conn.execute(schema.live_t.insert().values(**live))


def pages(site: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """The admin dashboard, the public archive, the OPDS catalogue's first page and the API's issue list, whole
    requests through Flask's test client in this process (a fresh one per site: the first request meets empty
    caches, as a new worker does), with the newest issue built (rss, digest, epub) and every issue published (see
    :func:`publish_all`); wall and CPU seconds of each request, the first one first."""
    from publisher import loading, plugins
    from publisher.admin import create_app
    from publisher.config import load_config
    from publisher.jobs import make_queue, wait
    from publisher.store import Store

    config = load_config(site / "config.yaml")
    store = Store.from_config(config)
    store.create_all()
    if store.get_user("bench") is None:
        store.add_user("bench", "bench-password")
    queue = make_queue(config, store, channels=[plugins.discover()[n].cls for n in ("rss", "digest", "epub")])
    app = create_app(config, store=store, queue=queue, testing=True)
    newest = loading.newest_issue_ids(config.content_dir, "~", 1)[0]  # "~" sorts after every issue id
    if store.live_build(newest) is None:
        record = wait(store, queue.submit(newest, None, "bench").id, 600)
        assert record.ok, record.errors
        store.publish(record.id, "bench")
    publish_all(store, config.content_dir)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": csrf})
    times: dict[str, list[tuple[float, float]]] = {url: [] for url in PAGES}
    for _ in range(runs + 1):
        for url, found in times.items():
            started, cpu = time.perf_counter(), time.process_time()
            assert client.get(url).status_code == 200, url
            found.append((time.perf_counter() - started, time.process_time() - cpu))
    queue.close()
    return times


def median(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="archive sizes, comma-separated (default 10,1000,10000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="make the archives here and reuse them in later runs (default: a temp folder)")
    parser.add_argument("--pages", type=Path, help=argparse.SUPPRESS)  # a child: time the pages of this site, print JSON
    args = parser.parse_args(argv)
    if args.pages:
        print(json.dumps(pages(args.pages, args.runs)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        sites = {count: make_site(args.keep or Path(tmp), count) for count in sizes}
        helped = subprocess.run(
            [sys.executable, "-m", "publisher", "issues", "--help"], cwd=sites[sizes[0]], capture_output=True, text=True
        )
        listing_all = "--all" in helped.stdout  # not before the listing paged
        commands = {
            "build": ["build", "-c", "rss", "-c", "digest"],
            "issues": ["issues"],
            **({"issues --all": ["issues", "--all"]} if listing_all else {}),
        }
        times: dict[tuple[int, str], list[tuple[float, float]]] = {}
        for count, site in sites.items():
            for args_ in commands.values():
                run(args_, site)  # fills the index, as the first build after an upgrade would
        for _ in range(args.runs):  # paired runs: every size and command in turn, so all see the same load
            for count, site in sites.items():
                for name, args_ in commands.items():
                    times.setdefault((count, name), []).append(run(args_, site))
        for count, site in sites.items():
            child = subprocess.run(
                [sys.executable, __file__, "--pages", str(site), "--runs", str(args.runs)],
                check=True,
                capture_output=True,
                text=True,
            )
            for url, found in json.loads(child.stdout).items():
                times[(count, f"{url} first")] = found[:1]
                times[(count, url)] = found[1:]
    load = "/".join(f"{a:.1f}" for a in os.getloadavg())
    print(f"whole processes and whole requests, medians of {args.runs} paired runs: wall s (CPU s); load average {load}")
    base = median(times[(sizes[0], "build")])[0]
    names = [*commands, *(f"{url}{first}" for url in PAGES for first in (" first", ""))]
    print(f"{'issues':>8} {'build ratio':>11} " + " ".join(f"{n:>21}" for n in names))
    for count in sizes:
        figures = {n: median(times[(count, n)]) for n in names}
        ratio = figures["build"][0] / base
        over = [n for n, limit in TARGETS.items() if figures[n][0] > limit] + (["build"] if ratio > BUILD_RATIO_TARGET else [])
        flag = f"  (over target: {', '.join(over)})" if over else ""
        cells = " ".join(f"{f'{w:.3f} ({c:.3f})':>21}" for w, c in figures.values())
        print(f"{count:>8} {ratio:>10.2f}× {cells}{flag}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["PUBLISHER_DAEMON"] = "off"  # every `publisher` command here is a process of its own
    sys.exit(main())
