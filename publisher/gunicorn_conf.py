"""gunicorn's settings for publisher: what ``publisher serve --gunicorn`` (and ``up --gunicorn``) runs, and the
deployment instructions (docs/deployment.md) name::

    gunicorn -c python:publisher.gunicorn_conf 'publisher.admin:create_app()'

with ``PUBLISHER_CONFIG`` set; options on the command line win (``--bind``, ``--workers``, ``--threads``).

* ``gthread`` workers: each process answers on :data:`threads` threads and keeps idle connections
  open (keep-alive) without holding a thread, so a reader's next request, and nginx's over its upstream
  keep-alive connections, skips a new TCP connection. (The sync worker closes the connection after
  every answer and ignores keep-alive.)
* one process with the embedded queue: its build threads, fork server and scheduled publishing live in
  the server process, and several processes would each run their own. With ``queue.url`` set (RQ
  workers build) one process per CPU (at least two), four threads each: Python runs one thread of a
  process at a time, so the public site uses every core, and more processes than cores only make
  them queue for the CPU (the p99 of bench/load.py rose with four processes on two cores).
* keep-alive :data:`keepalive` seconds: longer than nginx keeps an idle upstream connection
  (``keepalive_timeout 4s`` in docs/nginx.conf), so nginx never sends a request on a connection
  gunicorn is just closing.

Builds never compete with the answers for the CPU: their renders run at a lower priority
(``queue.render_nice``, ``queue.render_policy``; see :mod:`publisher.sandbox`).
"""

from __future__ import annotations

import os

from publisher.config import load_config


def processes(queue_url: str | None) -> tuple[int, int]:
    """(worker processes, threads each): one process with the embedded queue, one per CPU with RQ."""
    if queue_url:
        return max(2, os.cpu_count() or 1), 4
    return 1, 8


worker_class = "gthread"
workers, threads = processes(load_config(os.environ.get("PUBLISHER_CONFIG")).queue.url)
keepalive = 5
