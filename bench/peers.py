"""publisher side by side with the tools a newsroom would pick instead, as a user waits: whole commands, paired runs.

    .venv/bin/python bench/peers.py [--runs 7] [--pelican PATH]

The same 33 articles of the sample issue go through:

* ``publisher build -c rss -c digest`` and Pelican (site, RSS and Atom feeds) —
  Pelican is AGPL-licensed, so it is no dependency of ours: install it into a
  venv of its own (``python3 -m venv /tmp/pelican-venv && /tmp/pelican-venv/bin/pip
  install pelican markdown``) and pass ``--pelican /tmp/pelican-venv/bin/pelican``;
* ``publisher build -c epub`` and ``pandoc issue.md -o issue.epub --toc``
  (Debian's pandoc, installed by ``./dev setup``).

Runs alternate between the two tools so both see the same machine load. Prints
the medians and the ratios of wall time (what the user waits for) and of CPU
time (steadier on a busy machine); the targets (issue #17) are ≤ 0.5× Pelican and ≤ 3×
pandoc; the rows "libraries alone" time just the imports a cold build cannot do without, the floor
of a process of its own. Each publisher command runs twice over: in a process of its own, and with ``publisher
daemon`` running (started in a temporary folder for the run, stopped at the end). Nothing is
installed or fetched at run time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publisher import loading, sample

SAMPLE_ID = "2025-04-19-1330"
TARGETS = {"feeds + site vs Pelican": 0.5, "EPUB vs pandoc": 3.0}
#: What a cold build must import before it does anything (click, pydantic with one model, Jinja, YAML and the
#: channel's own library): timed alone, it shows how close to the target a process of its own can come here.
_BASE = "import click, jinja2, yaml, pydantic; pydantic.create_model('M', x=(int, ...)); "
FLOORS = {"feeds + site vs Pelican": _BASE + "import feedgen.feed", "EPUB vs pandoc": _BASE + "import ebooklib.epub"}


def site(root: Path) -> Path:
    folder = root / "publisher-site"
    sample.copy_into(folder / "content")
    (folder / "config.yaml").write_text("content: content\noutput: out\ndata: data\n", encoding="utf-8")
    return folder


def pelican_site(root: Path, issue) -> Path:
    """The same articles as Pelican content: one Markdown file each, with its section as category."""
    folder = root / "pelican-site"
    (folder / "content").mkdir(parents=True)
    for n, article in enumerate(issue.articles, start=1):
        body = "\n\n".join(block.text for block in article.body)
        meta = [
            f"Title: {article.headline}",
            f"Date: {issue.date.isoformat()} 06:{n:02d}",
            f"Category: {article.section}",
            f"Slug: {article.slug}",
            f"Author: {', '.join(article.author_names) or issue.paper}",
        ]
        (folder / "content" / f"{n:02d}-{article.slug}.md").write_text("\n".join(meta) + "\n\n" + body + "\n", encoding="utf-8")
    (folder / "pelicanconf.py").write_text(
        "SITENAME = 'sample'\nSITEURL = 'http://127.0.0.1:8000'\nTIMEZONE = 'Asia/Shanghai'\nDEFAULT_LANG = 'zh'\n"
        "FEED_ALL_RSS = 'feed.xml'\nFEED_ALL_ATOM = 'atom.xml'\nCATEGORY_FEED_RSS = 'feeds/{slug}.xml'\n"
        "RSS_FEED_SUMMARY_ONLY = False\nDELETE_OUTPUT_DIRECTORY = True\n",
        encoding="utf-8",
    )
    return folder


def pandoc_source(root: Path, issue) -> Path:
    path = root / "issue.md"
    parts = [f"---\ntitle: {issue.title}\nlang: zh-CN\n---\n"]
    for section, articles in issue.by_section():
        parts.append(f"# {section.name}\n")
        for article in articles:
            parts.append(f"## {article.headline}\n\n" + "\n\n".join(b.text for b in article.body) + "\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired(
    first: list[str], second: list[str], cwd_first: Path, cwd_second: Path, runs: int, env: dict | None = None
) -> tuple[float, float, float, float]:
    """Medians of wall time and of CPU time (user + system, which a busy machine disturbs less), ours then theirs."""
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for side, (command, cwd) in enumerate(((first, cwd_first), (second, cwd_second))):
            started, cpu = time.perf_counter(), children_cpu()
            subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=env if side == 0 else None)
            walls[side].append(time.perf_counter() - started)
            cpus[side].append(children_cpu() - cpu)

    def median(values: list[float]) -> float:
        return statistics.median(values[1:] or values)  # the first run warms caches

    return median(walls[0]), median(walls[1]), median(cpus[0]), median(cpus[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pelican", default=shutil.which("pelican"), help="the pelican command (default: on PATH)")
    args = parser.parse_args(argv)
    publisher = [sys.executable, "-m", "publisher"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ours = site(root)
        issue = loading.load_issue(ours / "content" / "issues" / SAMPLE_ID)
        comparisons = []
        if args.pelican:
            comparisons.append(
                (
                    "feeds + site vs Pelican",
                    ["build", "-c", "rss", "-c", "digest"],
                    [args.pelican, "content", "-s", "pelicanconf.py", "-o", "output"],
                    pelican_site(root, issue),
                )
            )
        else:
            print("Pelican not found: pass --pelican PATH (see this script's docstring)", file=sys.stderr)
        if shutil.which("pandoc"):
            source = pandoc_source(root, issue)
            comparisons.append(
                (
                    "EPUB vs pandoc",
                    ["build", "-c", "epub"],
                    ["pandoc", str(source), "-o", str(root / "issue.epub"), "--toc"],
                    root,
                )
            )
        else:
            print("pandoc not found: run ./dev setup", file=sys.stderr)
        # Each command on its own, then with `publisher daemon` running (its CPU time is the daemon's, not ours).
        cold = {**os.environ, "PUBLISHER_DAEMON": "off"}
        warm = {k: v for k, v in os.environ.items() if k != "PUBLISHER_DAEMON"} | {"PUBLISHER_DAEMON_DIR": str(root / "run")}
        for name, command, peer, peer_cwd in comparisons:
            rows.append((name, *paired([*publisher, *command], peer, ours, peer_cwd, args.runs, cold)))
            floor = paired([sys.executable, "-c", FLOORS[name]], peer, ours, peer_cwd, args.runs, cold)
            rows.append((f"{name} (libraries alone)", *floor))
        subprocess.run([*publisher, "daemon", "start"], cwd=ours, env=warm, check=True, capture_output=True)
        try:
            for name, command, peer, peer_cwd in comparisons:
                mine, theirs, _, peer_cpu = paired([*publisher, *command], peer, ours, peer_cwd, args.runs, warm)
                rows.append((f"{name} (daemon)", mine, theirs, None, peer_cpu))
        finally:
            subprocess.run([*publisher, "daemon", "stop"], cwd=ours, env=warm, capture_output=True)
    print(
        f"{'comparison':<42} {'publisher':>10} {'peer':>8} {'ratio':>7} {'target':>7} {'CPU ours':>9} {'CPU peer':>9} {'ratio':>7}"
    )
    for name, mine, peer, mine_cpu, peer_cpu in rows:
        cpu = (
            f"{mine_cpu:>7.2f} s {peer_cpu:>7.2f} s {mine_cpu / peer_cpu:>6.2f}×"
            if mine_cpu is not None
            else f"{'–':>9} {peer_cpu:>7.2f} s {'–':>7}"
        )
        print(f"{name:<42} {mine:>8.2f} s {peer:>6.2f} s {mine / peer:>6.2f}× {TARGETS[name.split(' (')[0]]:>6.1f}× {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
