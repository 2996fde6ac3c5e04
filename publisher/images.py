"""Figure images shared by the channels: measure a picture so every ``<img>`` carries its width and height."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError


def measure(path: Path) -> tuple[int, int] | None:
    """The pixel size of the image at ``path``; None when it is missing or not a readable image."""
    if not Path(path).is_file():
        return None
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None


def fit(size: tuple[int, int], width: int) -> tuple[int, int]:
    """``size`` scaled down (never up) to at most ``width`` pixels wide, keeping the aspect ratio."""
    w, h = size
    if w <= width:
        return w, h
    return width, max(1, round(h * width / w))
