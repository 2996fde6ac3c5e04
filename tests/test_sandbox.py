"""The sandbox: a render's time limit counts the render, not the child's start; the answer comes back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from publisher import sandbox

from .conftest import REPO


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
