"""Search benchmark (not a test): query time with 1,000 issues indexed.

    .venv/bin/python bench/search.py [--issues 1000] [--repeat 20] [--json]

The corpus is the real sample issue (中国铝业报 No. 1330, 33 articles), indexed
once through the store and then copied under 1,000 different issue ids and
dates (33,000 articles, about 25 million characters of body text), so every
query matches as many articles as it would in 1,000 issues of that paper —
the worst case for ranking. Each query runs ``--repeat`` times after a warm-up;
the median and the 95th percentile per query are printed, for public (live)
search. Target: at most 50 ms per query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher import loading, sample, serialize  # noqa: E402
from publisher.store import Store  # noqa: E402
from publisher.store.search import LIVE, rows_of  # noqa: E402

QUERIES = ["铝", "铝业", "何丹", "嘉靖通宝", "中铝集团", "高质量发展", "国家企业技术中心", "没有这个词"]


def build_corpus(store: Store, issues: int) -> None:
    """Index the sample issue, then copy its rows under ``issues - 1`` more ids (one transaction)."""
    issue = loading.load_issue(sample.CONTENT / "issues" / "2025-04-19-1330")
    data = serialize.issue_data(issue)
    with store.writing() as conn:
        store._replace(conn, LIVE, issue.id, rows_of(data))
        raw = conn.connection.driver_connection
        base = [
            tuple(r)
            for r in raw.execute(
                "SELECT id, scope, issue_id, date, slug, position, section, page, headline, meta, body FROM search_docs"
            )
        ]
        fts = {
            t: {r[0]: r[1:] for r in raw.execute(f"SELECT rowid, headline, meta, body FROM {t}")}
            for t in ("search_words_live", "search_chars_live")
        }
        next_id = max(r[0] for r in base) + 1
        for n in range(1, issues):
            day = issue.date - dt.timedelta(days=7 * n)
            issue_id = f"{day.isoformat()}-{issue.number - n}"
            for row in base:
                raw.execute(
                    "INSERT INTO search_docs(id, scope, issue_id, date, slug, position, section, page, headline, meta, body) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (next_id, row[1], issue_id, day.isoformat(), *row[4:]),
                )
                for table, rows in fts.items():
                    raw.execute(f"INSERT INTO {table}(rowid, headline, meta, body) VALUES (?,?,?,?)", (next_id, *rows[row[0]]))
                next_id += 1
    with store.writing() as conn:
        for table in ("search_words_live", "search_chars_live"):
            conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/publisher.db")
        store.create_all()
        started = time.perf_counter()
        build_corpus(store, args.issues)
        indexed = time.perf_counter() - started
        results = {}
        for query in QUERIES:
            store.search(query)  # warm-up
            times, cpu = [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                hits, total = store.search(query)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            times.sort()
            results[query] = {
                "matches": total,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
            }
        size = Path(tmp, "publisher.db").stat().st_size + sum(p.stat().st_size for p in Path(tmp).glob("publisher.db-*"))
        store.close()
    if args.json:
        print(
            json.dumps(
                {"issues": args.issues, "index_seconds": round(indexed, 1), "db_mb": round(size / 1e6), "queries": results},
                ensure_ascii=False,
            )
        )
        return
    print(f"{args.issues} issues ({args.issues * 33} articles) indexed in {indexed:.1f} s; database {size / 1e6:.0f} MB")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (wall times stretch on a busy machine; CPU time does not)")
    for query, r in results.items():
        print(
            f"  {query:<10}\t{r['matches']:>6} matches\tmedian {r['median_ms']:>6.1f} ms\tp95 {r['p95_ms']:>6.1f} ms"
            f"\tCPU {r['cpu_median_ms']:>6.1f} ms"
        )


if __name__ == "__main__":
    main()
