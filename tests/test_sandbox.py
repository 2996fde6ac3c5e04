"""The sandbox: a render's time limit counts the render, not the child's start; the answer comes back."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from publisher import sandbox


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
