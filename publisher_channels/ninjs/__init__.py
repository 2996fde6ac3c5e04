"""The ``ninjs`` channel: IPTC ninjs 2.2 documents, one per article and the issue as a package."""

from publisher_channels.ninjs.channel import NinjsChannel

__all__ = ["NinjsChannel"]
