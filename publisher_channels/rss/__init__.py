"""The ``rss`` channel: full-text RSS 2.0 and Atom feeds; templates and the feed image in ``templates/``."""

from publisher_channels.rss.channel import FeedChannel

__all__ = ["FeedChannel"]
