"""A module that takes seconds to import, like a channel importing WeasyPrint on a loaded machine (a test fixture)."""

import os
import time

IMPORT_SECONDS = 3
time.sleep(IMPORT_SECONDS)
#: When and in which process this module was imported.
IMPORTED = (time.time(), os.getpid())


def answer(value: int) -> int:
    return value * 2


def dawdle(seconds: float) -> None:
    time.sleep(seconds)


def imported_in() -> tuple[tuple[float, int], int]:
    """(when and where this module was imported, the process calling)."""
    return IMPORTED, os.getpid()
