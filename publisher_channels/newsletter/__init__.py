"""The issue as an e-mail newsletter: an HTML part, a plain-text part and the subject."""

from publisher_channels.newsletter.channel import NewsletterChannel

__all__ = ["NewsletterChannel"]
