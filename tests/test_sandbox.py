"""The sandbox: a render's time limit counts the render, not the child's start nor its waits for a CPU; the answer
comes back; the child runs below the caller's CPU priority."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher import sandbox

from .conftest import REPO
from .plugins import probes


@pytest.fixture(scope="module")
def slow_start():
    """A fixture module that sleeps at import (here once, and again in every child)."""
    sys.path.insert(0, str(Path(__file__).parent / "plugins"))
    import slow_start

    return slow_start


def test_a_slow_start_does_not_count_against_the_time_limit(slow_start):
    # The child's import of slow_start alone takes longer than the limit; the call itself is instant.
    assert slow_start.IMPORT_SECONDS > 1
    assert sandbox.run(slow_start.answer, (21,), timeout=1, memory_mb=None) == 42


def test_the_render_itself_is_stopped_at_the_limit(slow_start):
    with pytest.raises(sandbox.TimeLimit):
        sandbox.run(slow_start.dawdle, (60,), timeout=1, memory_mb=None)


def test_an_exception_in_the_child_comes_back():
    with pytest.raises(sandbox.ChildRaised) as caught:
        sandbox.run(int, ("not a number",), timeout=30, memory_mb=None)
    assert isinstance(caught.value.exception, ValueError)


PREFORK_PROBE = """
import json, sys
from publisher import sandbox
from tests.plugins import slow_start
renderer = sandbox.Prefork(["tests.plugins.slow_start"])
print(json.dumps([renderer.run(slow_start.imported_in, (), timeout=30, memory_mb=None) for _ in range(2)]))
"""


def test_prefork_children_share_one_import_of_the_heavy_modules():
    """In a process of its own: the fork server is one per process, and its preloads are fixed when it starts."""
    out = subprocess.run([sys.executable, "-c", PREFORK_PROBE], capture_output=True, text=True, cwd=REPO, check=True).stdout
    (first_import, first_pid), (second_import, second_pid) = json.loads(out)
    assert first_import == second_import  # imported once, in the fork server, before either render
    assert first_import[1] not in (first_pid, second_pid) and first_pid != second_pid  # each render its own child


MAIN_SCRIPT = """
import json
from publisher import sandbox
from tests.plugins import slow_start

if __name__ == "__main__":
    renderer = sandbox.Prefork([])  # nothing named: what the script itself imported is preloaded
    print(json.dumps([renderer.run(slow_start.imported_in, (), timeout=30, memory_mb=None) for _ in range(2)]))
"""


def test_prefork_children_do_not_import_the_main_scripts_modules_again(tmp_path):
    """multiprocessing runs a script's main module again in each forked child; its imports come preloaded."""
    script = tmp_path / "probe.py"
    script.write_text(MAIN_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, env=env, check=True).stdout
    (first_import, first_pid), (second_import, second_pid) = json.loads(out)
    assert first_import == second_import and first_import[1] not in (first_pid, second_pid)


def test_prefork_children_keep_the_limits_and_report_failures(slow_start, monkeypatch):
    renderer = sandbox.Prefork(["slow_start"])
    with pytest.raises(sandbox.TimeLimit):
        renderer.run(slow_start.dawdle, (60,), timeout=1, memory_mb=None)
    with pytest.raises(sandbox.ChildRaised) as caught:
        renderer.run(int, ("not a number",), timeout=30, memory_mb=None)
    assert isinstance(caught.value.exception, ValueError)
    with pytest.raises(sandbox.ChildRaised) as caught:
        renderer.run(bytearray, (2 * 1024**3,), timeout=30, memory_mb=300)
    assert isinstance(caught.value.exception, MemoryError)
    monkeypatch.setenv("PUBLISHER_SANDBOX_PROBE", "seen")  # set after the fork server started
    assert renderer.run(os.getenv, ("PUBLISHER_SANDBOX_PROBE",), timeout=30, memory_mb=None) == "seen"


# ---- priority: renders yield the CPU to the server ---------------------------------------------


def _runner(how: str):
    if how == "fresh interpreter":
        return sandbox.run
    return sandbox.Prefork([], "forkserver" if how == "fork server" else "fork").run


@pytest.mark.parametrize("how", ["fresh interpreter", "fork server", "fork"])
def test_a_child_runs_below_the_callers_cpu_priority_and_the_caller_keeps_its_own(how):
    run = _runner(how)
    here = probes.priority_seen()
    seen = run(probes.priority_seen, (), timeout=30, memory_mb=None, priority=sandbox.Priority(10, "batch"))
    assert seen["session"] == seen["pid"] != here["session"]  # a session of its own (so an autogroup of its own)
    assert seen["nice"] == min(19, here["nice"] + 10)
    assert seen["policy"] == os.SCHED_BATCH
    # Where the kernel groups by session, the child's new session has an autogroup of its own (even
    # when the caller's session is the root group, which shows none): it is lowered too, or nice would not count.
    if seen["autogroup"] is not None:
        assert seen["autogroup"] == 10
    idle = run(probes.priority_seen, (), timeout=30, memory_mb=None, priority=sandbox.Priority(0, "idle"))
    assert idle["policy"] == os.SCHED_IDLE and idle["nice"] == here["nice"]
    same = run(probes.priority_seen, (), timeout=30, memory_mb=None, priority=sandbox.SAME)
    assert (same["nice"], same["policy"]) == (here["nice"], here["policy"])
    assert same["autogroup"] in (0, None)  # a group of its own, left at its default
    now = probes.priority_seen()
    assert (now["nice"], now["policy"], now["autogroup"]) == (here["nice"], here["policy"], here["autogroup"])


def test_time_spent_waiting_for_a_cpu_does_not_count_against_the_limit(monkeypatch):
    """At the deadline the limit moves on by what the child waited for a CPU (here said to be 30 s) since it started."""
    looks = iter([0.0, 30.0])
    monkeypatch.setattr(sandbox, "cpu_wait", lambda pid: next(looks, 30.0))
    assert sandbox.run(time.sleep, (2,), timeout=1, memory_mb=None) is None  # 2 s of render, 1 s limit, 30 s waited
    looks = iter([0.0, 30.0])
    assert sandbox.Prefork([]).run(time.sleep, (2,), timeout=1, memory_mb=None) is None


def test_the_wait_for_a_cpu_counts_at_most_its_allowance(monkeypatch):
    looks = iter([0.0])  # nothing waited at the start; 1000 s at every look after
    monkeypatch.setattr(sandbox, "cpu_wait", lambda pid: next(looks, 1000.0))
    with pytest.raises(sandbox.TimeLimit):  # stopped after 0.2 s + 9 × 0.2 s of waiting, not after 1000 s
        sandbox.run(time.sleep, (60,), timeout=0.2, memory_mb=None)


def test_cpu_wait_reads_the_process_groups_schedstat():
    if not Path(f"/proc/{os.getpid()}/schedstat").exists():
        pytest.skip("the kernel keeps no schedstat")
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
    try:
        assert sandbox.cpu_wait(child.pid) >= 0.0
        fields = Path(f"/proc/{child.pid}/schedstat").read_text().split()
        assert sandbox.cpu_wait(child.pid) >= int(fields[1]) / 1e9  # at least what the group's leader waited
    finally:
        child.kill()
        child.wait()
    assert sandbox.cpu_wait(child.pid) == 0.0  # no such group any more
