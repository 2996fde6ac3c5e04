"""A module that takes seconds to import, like a channel importing WeasyPrint on a loaded machine (a test fixture)."""

import time

IMPORT_SECONDS = 3
time.sleep(IMPORT_SECONDS)


def answer(value: int) -> int:
    return value * 2


def dawdle(seconds: float) -> None:
    time.sleep(seconds)
