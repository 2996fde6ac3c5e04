"""Photos uploaded for an article's figures: checked with Pillow, kept in the issue's ``images/`` folder."""

from __future__ import annotations

import io
import re
import secrets

from PIL import Image, UnidentifiedImageError

#: Formats every channel can carry (EPUB readers, browsers, WeasyPrint), by Pillow's name.
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000


class BadImage(ValueError):
    """The upload is not a photo the channels can use; the message says why, in the editor's words."""


def check_image(data: bytes) -> tuple[str, tuple[int, int]]:
    """The file extension and size (width, height) of an acceptable image; else :class:`BadImage`."""
    if not data:
        raise BadImage("上传的文件是空的，请重新选择照片。")
    if len(data) > MAX_BYTES:
        raise BadImage(f"照片超过 {MAX_BYTES // 1024 // 1024} MB，请先缩小再上传。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt, size = probe.format, probe.size
            if size[0] * size[1] > MAX_PIXELS:
                raise BadImage("照片像素太多（超过六千万），请先缩小再上传。")
            probe.verify()
        with Image.open(io.BytesIO(data)) as full:
            full.load()  # verify() does not decode; a truncated file fails here
    except BadImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadImage("这个文件不是能识别的照片（JPEG、PNG、WebP 或 GIF），或者文件已损坏。") from None
    if fmt not in FORMATS:
        raise BadImage(f"不支持 {fmt} 格式的图片，请存为 JPEG 或 PNG 后上传。")
    return FORMATS[fmt], size


def image_name(filename: str | None, extension: str) -> str:
    """A safe file name under images/: the upload's ASCII stem, or a random one, with the real extension."""
    stem = re.sub(r"[^a-z0-9-]+", "-", (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()).strip("-")[:40]
    return f"images/{stem or 'photo'}-{secrets.token_hex(3)}{extension}"
