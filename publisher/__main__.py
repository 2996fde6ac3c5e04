"""``python -m publisher``: the same command line as ``publisher``."""

from publisher.launch import main

main()
