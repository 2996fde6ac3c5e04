"""The e-paper (数字报) channel."""

from .channel import EpaperChannel

__all__ = ["EpaperChannel"]
