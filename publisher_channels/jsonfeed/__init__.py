"""The ``jsonfeed`` channel: JSON Feed 1.1 of the newest issues, the same items as the RSS feed."""

from publisher_channels.jsonfeed.channel import JsonFeedChannel

__all__ = ["JsonFeedChannel"]
