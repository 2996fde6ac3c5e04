"""The ``digest`` channel: one self-contained mobile page per issue and the archive; templates in ``templates/``."""

from publisher_channels.digest.channel import DigestChannel

__all__ = ["DigestChannel"]
