"""Photos for every channel: each figure file checked once, each size made once and cached by content hash.

A channel asks for the size it needs (a phone's ``srcset``, an e-book's 1600 px, print at
250 ppi); the first ask encodes the file into the build's cache folder (named by the source's
SHA-256 and the size asked for), every later ask, in this channel or another of the same build,
reads it back. Every output is upright (EXIF orientation applied) and carries no metadata at
all: GPS positions and camera serials never leave the newsroom.

:func:`readable` decides what readers get: a figure whose file is missing is left out with its
caption (no channel prints a caption for a picture it does not have), an article whose picture
is broken or a decompression bomb is left out with a clear message (the rest of the issue is
built), and a photo story with no picture and no text is not published as an empty item.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from publisher import writer
from publisher.model import Article, Figure, Issue, Kind

#: Pixels a photo may have: a 100-megapixel camera's frame; beyond it, a decompression bomb.
MAX_PIXELS = 100_000_000
#: Bytes a photo file may have.
MAX_FILE_BYTES = 60 * 1024 * 1024
#: Widths of the phone/web renditions (``srcset``); the feeds link the largest JPEG.
WEB_WIDTHS = (480, 800, 1200)
#: Bytes a web rendition may have (phones on slow networks).
WEB_MAX_BYTES = 400 * 1024
#: Pixel density print needs (200–300 ppi).
PRINT_PPI = 250
CSS_PX_PER_INCH = 96
_ORIENTATION = 0x0112
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoError(Exception):
    """A figure file that cannot be published (broken, not a picture, too big); the message says why in Chinese."""


@dataclass(frozen=True)
class Photo:
    """A checked figure file: its content hash and its upright size."""

    src: str
    path: Path
    digest: str  # SHA-256 of the file, hex
    width: int
    height: int

    @property
    def stem(self) -> str:
        """An ASCII name for the renditions, from the file name (``launch-pad`` for images/launch-pad.jpg)."""
        stem = re.sub(r"[^a-z0-9]+", "-", Path(self.src).stem.lower()).strip("-")
        return stem[:40] or "photo"


@dataclass(frozen=True)
class Rendition:
    """One encoded size of a photo: ``name`` is unique per source and size, for media folders and URLs."""

    name: str
    media_type: str
    width: int
    height: int
    data: bytes = field(repr=False)


def check(path: Path, src: str) -> Photo:
    """Open ``path`` fully once (results kept by content hash); raise :class:`PhotoError` when it cannot be used."""
    try:
        size = path.stat().st_size
    except OSError:
        raise PhotoError(f"图片 {src} 不在本期文件夹中") from None
    if size > MAX_FILE_BYTES:
        raise PhotoError(f"图片 {src} 有 {size / 1024 / 1024:.0f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限；请先缩小")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    width, height = _measure(digest, data, src)
    return Photo(src, path, digest, width, height)


#: Upright sizes of the photos checked in this process, by content hash.
_sizes: dict[str, tuple[int, int]] = {}


def _measure(digest: str, data: bytes, src: str) -> tuple[int, int]:
    """Upright width and height after decoding every pixel (a truncated file fails here, not in a channel)."""
    if digest in _sizes:
        return _sizes[digest]
    with _open(data, src) as image:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint turns it on when imported; a check must not be lenient
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise PhotoError(f"图片 {src} 已损坏，无法读取（{exc}）；请重新导出为 JPEG 或 PNG") from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
        width, height = image.size
        if image.getexif().get(_ORIENTATION) in _SWAPPED:
            width, height = height, width
    _sizes[digest] = (width, height)
    return width, height


def _open(data: bytes, src: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(_too_many(src)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError(f"文件 {src} 不是可读的图片；请用 JPEG、PNG 或 WebP 格式") from None
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise PhotoError(_too_many(src))
    return image


def _too_many(src: str) -> str:
    return f"图片 {src} 像素过多（超过 {MAX_PIXELS // 1_000_000} 百万像素，可能是“解压炸弹”）；请缩小到相机原图的尺寸以内"


def fit(photo: Photo, width: int | None = None, side: int | None = None) -> tuple[int, int]:
    """The size at most ``width`` wide and ``side`` on its longest side, never larger than the photo."""
    scale = 1.0
    if width:
        scale = min(scale, width / photo.width)
    if side:
        scale = min(scale, side / max(photo.width, photo.height))
    return max(1, round(photo.width * scale)), max(1, round(photo.height * scale))


@dataclass(frozen=True)
class Ask:
    """One rendition wanted: its pixel size, ``jpeg`` or ``webp``, a byte limit, progressive or baseline JPEG."""

    size: tuple[int, int]
    fmt: str = "jpeg"
    max_bytes: int | None = None
    progressive: bool = True

    @property
    def ext(self) -> str:
        return "webp" if self.fmt == "webp" else "jpg"

    def key(self, photo: Photo) -> str:
        return f"{photo.digest[:24]}-{self.size[0]}x{self.size[1]}-{'p' if self.progressive else 'b'}-{self.max_bytes or 0}.{self.ext}"


def render(photo: Photo, cache: Path, asks: list[Ask]) -> list[Rendition]:
    """``photo`` encoded as each of ``asks``, each made once per cache; the picture is decoded once for all."""
    cache = Path(cache)
    found = {ask: (cache / ask.key(photo)).read_bytes() for ask in asks if (cache / ask.key(photo)).is_file()}
    missing = [ask for ask in asks if ask not in found]
    if missing:
        largest = max((ask.size for ask in missing), key=lambda s: s[0] * s[1])
        picture = _upright(photo, largest)
        for ask in missing:
            sized = picture if picture.size == ask.size else picture.resize(ask.size, Image.Resampling.LANCZOS)
            found[ask] = _encode(sized, ask)
            writer.write_bytes(cache / ask.key(photo), found[ask])
    made = []
    for ask in asks:
        with Image.open(io.BytesIO(found[ask])) as image:
            width, height = image.size
        name = f"{photo.stem}-{photo.digest[:10]}-{width}{'' if ask.progressive else 'b'}.{ask.ext}"
        made.append(Rendition(name, "image/webp" if ask.fmt == "webp" else "image/jpeg", width, height, found[ask]))
    return made


def _upright(photo: Photo, size: tuple[int, int]) -> Image.Image:
    """The decoded picture, upright, in sRGB (or gray), resized to ``size``, with nothing but pixels."""
    with _open(photo.path.read_bytes(), photo.src) as image:
        swapped = image.getexif().get(_ORIENTATION) in _SWAPPED
        if image.format == "JPEG":  # decode at a reduced scale when that still covers the size wanted
            image.draft(image.mode, (size[1], size[0]) if swapped else size)
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    if upright.mode in ("1", "L", "I", "I;16", "F"):
        upright = upright.convert("L")
    else:
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            upright = Image.new("RGB", rgba.size, "white")
            upright.paste(rgba, mask=rgba.getchannel("A"))
        if icc and upright.mode in ("RGB", "CMYK"):
            try:
                profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                converted = ImageCms.profileToProfile(upright, profile, _SRGB, outputMode="RGB")
                assert converted is not None  # None only when converting in place
                upright = converted
            except (ImageCms.PyCMSError, OSError):
                pass  # a broken profile: take the numbers as sRGB
        upright = upright.convert("RGB")
    if upright.size != size:
        upright = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    upright.info = {}  # no EXIF, XMP or profile travels on with the pixels
    return upright


def _encode(image: Image.Image, ask: Ask) -> bytes:
    """Encode, lowering quality (then size) until the file fits ``ask.max_bytes``."""
    while True:
        for quality in (82, 74, 66, 58, 50):
            buffer = io.BytesIO()
            if ask.fmt == "webp":
                image.save(buffer, "WEBP", quality=quality, method=4)
            else:
                image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=ask.progressive)
            if ask.max_bytes is None or buffer.tell() <= ask.max_bytes:
                return buffer.getvalue()
        image = image.resize((max(1, image.width * 4 // 5), max(1, image.height * 4 // 5)), Image.Resampling.LANCZOS)


def print_size(photo: Photo, width_px: float, max_height_px: float | None = None) -> tuple[int, int]:
    """Pixels for printing ``photo`` ``width_px`` CSS px wide (at most ``max_height_px`` high) at :data:`PRINT_PPI`."""
    printed = width_px
    if max_height_px:
        printed = min(printed, max_height_px * photo.width / photo.height)
    return fit(photo, width=round(printed / CSS_PX_PER_INCH * PRINT_PPI))


def web_set(photo: Photo, cache: Path) -> dict[str, list[Rendition]]:
    """The phone/web renditions by format (``webp``, ``jpeg``), narrowest first, each at most :data:`WEB_MAX_BYTES`."""
    sizes = sorted({fit(photo, width=w) for w in WEB_WIDTHS})
    made = render(photo, cache, [Ask(s, fmt, WEB_MAX_BYTES) for fmt in ("webp", "jpeg") for s in sizes])
    return {"webp": made[: len(sizes)], "jpeg": made[len(sizes) :]}


def cache_dir(out: Path) -> Path:
    """The cache folder of a build: beside the channels' folders (``<out root>/<issue>/.images``), shared by all.

    ``out`` is a channel's staging folder, which the pipeline makes inside the issue's output folder.
    """
    return Path(out).parent / ".images"


@dataclass
class Readable:
    """The issue as readers get it, the photos behind its figures (by ``src``), and what was left out and why."""

    issue: Issue
    photos: dict[str, Photo]
    warnings: list[str]


def photo_key(figure: Figure) -> str:
    """The ``src`` of a figure that :func:`readable` kept (it keeps only figures with a file): its photo's key."""
    if figure.src is None:
        raise ValueError("a figure without a file was not left out; pass the issue through images.readable first")
    return figure.src


def readable(issue: Issue, locate: Callable[[Figure], Path | None]) -> Readable:
    """Keep only figures with a usable picture; leave out articles whose picture is broken and empty photo stories.

    ``locate`` gives a figure's file (``BuildContext.figure_file``: resolved again at read time, never outside
    the issue folder), or None when there is none to read."""
    photos: dict[str, Photo] = {}
    notes: list[str] = []
    articles: list[Article] = []
    for article in issue.articles:
        kept: list[Figure] = []
        failed = None
        name = f"《{_short(article.headline, 40)}》"
        for figure in article.figures:
            if not figure.src:
                if figure.caption:
                    notes.append(f"{name}：图说“{_short(figure.caption)}”没有图片文件，不发布；请在 src 中写明图片文件")
                continue
            if figure.src not in photos:
                path = locate(figure)
                if path is None:  # no file inside the issue folder (a symlink out does not count)
                    notes.append(f"{name}：图片 {figure.src} 不在本期文件夹中，这张图和它的图说不发布；请补上文件")
                    continue
                try:
                    photos[figure.src] = check(path, figure.src)
                except PhotoError as exc:
                    failed = str(exc)
                    break
            kept.append(figure)
        if failed:
            notes.append(f"{name}未发布：{failed}")
            continue
        if article.kind is Kind.photo and not kept and not article.body:
            notes.append(f"{name}是图片报道，但没有可用的图片，未发布；请补上图片文件")
            continue
        articles.append(article.model_copy(update={"figures": tuple(kept)}) if len(kept) != len(article.figures) else article)
    used = {f.src for a in articles for f in a.figures}
    photos = {src: photo for src, photo in photos.items() if src in used}
    return Readable(issue.model_copy(update={"articles": tuple(articles)}), photos, notes)


def lead_photo(issue: Issue, photos: dict[str, Photo]) -> Photo | None:
    """The first picture of the issue in reading order (the front page's lead photo), if any."""
    for _, articles in issue.by_section():
        for article in articles:
            for figure in article.figures:
                if figure.src in photos:
                    return photos[figure.src]
    return None


def _short(caption: str, limit: int = 20) -> str:
    return caption if len(caption) <= limit else caption[:limit] + "…"
