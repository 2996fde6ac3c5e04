"""The ``epub`` channel: one EPUB 3 edition per issue; page templates and stylesheet in ``templates/``."""

from publisher_channels.epub.channel import EpubChannel

__all__ = ["EpubChannel"]
