"""Photos through every channel: the photo fixture (real photographs, tests/roots/photos) made camera-sized.

The fixture issue's photos come from scikit-image's wheel (see images/SOURCES.md). Here each is
blown up to a camera frame (4000 px on its long side, film grain, JPEG quality 95, EXIF with a
camera make, GPS position and, for the portrait, orientation 6 as a phone held upright writes it),
then the issue is built into every channel once and each channel's limits are measured on what it
wrote: bytes and pixels of every file, ppi as poppler's pdfimages reports it, srcset and sizes on the
page, EXIF gone, pictures upright.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image, ImageOps

from publisher import images, loading, pipeline
from publisher.plugins import usable
from tests.conftest import make_config, root

ISSUE = "2025-05-10-1332"
IMAGES = root("photos") / "issues" / ISSUE / "images"
CAMERA = 4000
GPS_IFD = 0x8825


def camera_jpeg(source: Path, target: Path, orientation: int = 1) -> None:
    """``source`` as a camera would write it: 4000 px long side, grain, EXIF with GPS (and an orientation)."""
    upright = Image.open(source)
    scale = CAMERA / max(upright.size)
    big = upright.resize((round(upright.width * scale), round(upright.height * scale)), Image.Resampling.BICUBIC)
    if orientation == 6:  # the sensor's landscape frame; the tag tells viewers to turn it a quarter clockwise
        big = big.transpose(Image.Transpose.ROTATE_90)
    grain = Image.effect_noise(big.size, 24).convert(big.mode if big.mode == "L" else "RGB")
    big = Image.blend(big.convert(grain.mode), grain, 0.12)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)})
    big.save(target, "JPEG", quality=95, exif=exif)


@pytest.fixture(scope="module")
def camera_root(tmp_path_factory) -> Path:
    """A copy of the photo fixture whose photos are camera-sized originals."""
    content = tmp_path_factory.mktemp("camera") / "photos"
    shutil.copytree(root("photos"), content)
    folder = content / "issues" / ISSUE / "images"
    for path in sorted(IMAGES.glob("*.jpg")):
        camera_jpeg(path, folder / path.name, orientation=6 if path.name == "astronaut.jpg" else 1)
    return content


@pytest.fixture(scope="module")
def built(camera_root, tmp_path_factory):
    """The camera-sized issue built into every channel; (report, output folder of the issue)."""
    tmp = tmp_path_factory.mktemp("built")
    config = make_config(camera_root, tmp)
    issue = loading.load_issue(loading.issue_dir(camera_root, ISSUE))
    report = pipeline.build(issue, list(usable().values()), config)
    assert report.ok, report.errors
    return report, config.output_dir / ISSUE


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def test_the_camera_inputs_are_what_a_camera_writes(camera_root):
    path = camera_root / "issues" / ISSUE / "images" / "astronaut.jpg"
    with Image.open(path) as image:
        assert image.size == (4000, 3000) and image.getexif()[0x0112] == 6
        assert image.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert sum(p.stat().st_size for p in path.parent.glob("*.jpg")) > 6 * 1024 * 1024


# -- digest ---------------------------------------------------------------------------------------


def test_digest_serves_responsive_lazy_pictures_with_captions_as_alt(built):
    _, out = built
    page = lxml_html.fromstring((out / "digest" / "index.html").read_bytes())
    pictures = page.findall(".//figure/picture")
    assert len(pictures) == 6
    captions = [figure.findtext("figcaption") or "" for figure in page.findall(".//figure")]
    for picture, caption in zip(pictures, captions):
        source, img = picture.find(".//source"), picture.find(".//img")
        assert source.get("type") == "image/webp"
        webp = [c.split() for c in source.get("srcset").split(", ")]
        jpeg = [c.split() for c in img.get("srcset").split(", ")]
        assert [w for _, w in webp] == [w for _, w in jpeg] and len(jpeg) == 3  # 480, 800, 1200 px
        assert all(url.endswith(".webp") for url, _ in webp) and all(url.endswith(".jpg") for url, _ in jpeg)
        assert img.get("sizes") and source.get("sizes") == img.get("sizes")
        assert img.get("loading") == "lazy" and int(img.get("width")) == 1200 and int(img.get("height")) > 0
        assert img.get("alt") and (img.get("alt") in caption or img.get("alt") == "图为猎鹰9号火箭在发射台上。")


def test_digest_files_fit_phones_and_carry_no_exif(built):
    _, out = built
    files = sorted((out / "digest" / "media").iterdir())
    assert len(files) == 6 * 2 * 3
    for path in files:
        data = path.read_bytes()
        assert len(data) <= 400 * 1024, path.name
        with Image.open(io.BytesIO(data)) as image:
            assert image.width <= 1200 and image.format in ("JPEG", "WEBP")
            assert not image.getexif() and "exif" not in image.info, path.name
    assert b"GPS" not in b"".join(p.read_bytes() for p in files)


def test_exif_orientation_is_honoured(built, camera_root):
    """The astronaut was stored sideways with orientation 6: every rendition is upright, as the viewer shows it."""
    _, out = built
    source = ImageOps.exif_transpose(Image.open(camera_root / "issues" / ISSUE / "images" / "astronaut.jpg"))
    made = Image.open(next((out / "digest" / "media").glob("astronaut-*-800.jpg")))
    assert made.size == (800, round(800 * source.height / source.width)) and made.height > made.width
    # the same picture, not a turned one: compare 8×8 thumbnails
    a = list(source.convert("L").resize((8, 8)).get_flattened_data())
    b = list(made.convert("L").resize((8, 8)).get_flattened_data())
    assert sum(abs(x - y) for x, y in zip(a, b)) / 64 < 12


# -- EPUB -------------------------------------------------------------------------------------------


def test_epub_photos_fit_e_readers(built):
    _, out = built
    epub = out / "epub" / f"{ISSUE}.epub"
    assert epub.stat().st_size <= 3 * 1024 * 1024
    with zipfile.ZipFile(epub) as book:
        names = [n for n in book.namelist() if n.startswith("EPUB/images/")]
        assert len(names) == 6
        for name in names:
            data = book.read(name)
            assert len(data) <= 600 * 1024, name
            with Image.open(io.BytesIO(data)) as image:
                assert max(image.size) == 1600 and image.format == "JPEG" and not image.info.get("progressive")
            assert not exif_of(data)
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        cover = opf.find(".//{*}item[@properties='cover-image']")
        assert cover.get("media-type") == "image/jpeg"
        with Image.open(io.BytesIO(book.read("EPUB/" + cover.get("href")))) as image:
            assert image.size == (1200, 1600)
            band = image.convert("L").crop((100, 620, 1100, 900))  # the lead photo's box, under the edition line
            assert sum(band.get_flattened_data()) / (band.width * band.height) < 200  # a photograph, not white paper


# -- PDF --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_photos_are_downsampled_to_print_resolution(built, tmp_path):
    _, out = built
    pdf = out / "pdf" / f"{ISSUE}.pdf"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert len(rows) == 6
    for row in rows:
        kind, encoding, color, x_ppi, y_ppi = row[2], row[8], row[5], int(row[12]), int(row[13])
        assert kind == "image" and encoding == "jpeg" and color in ("rgb", "gray"), row
        assert 200 <= x_ppi <= 300 and 200 <= y_ppi <= 300, row
    subprocess.run(["pdfimages", "-j", str(pdf), str(tmp_path / "img")], check=True)
    extracted = sorted(tmp_path.glob("img-*.jpg"))
    assert len(extracted) == 6
    for path in extracted:
        assert not exif_of(path.read_bytes()) and b"Exif" not in path.read_bytes()[:4096]
        with Image.open(path) as image:
            assert not image.info.get("progressive")  # baseline JPEG for the print shop's RIP


@pytest.mark.slow
def test_pdf_prints_each_caption_and_credit_under_its_photo(built):
    _, out = built
    text = subprocess.run(["pdftotext", str(out / "pdf" / f"{ISSUE}.pdf"), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    for caption, credit in (("一杯浓缩咖啡。", "RachelMichetti摄"), ("猫咪切尔西。", "StefanvanderWalt摄")):
        assert caption + credit in flat


# -- feeds ------------------------------------------------------------------------------------------


def test_feed_enclosure_and_media_content_are_the_published_file(built):
    _, out = built
    feed = etree.parse(str(out / "rss" / "feed.xml"))
    items = feed.findall(".//item")
    assert len(items) == 3
    media = "{http://search.yahoo.com/mrss/}content"
    for item in items:
        enclosure, content = item.find("enclosure"), item.find(f".//{media}")
        url = enclosure.get("url")
        name = url.rsplit("/", 1)[1]
        published = out / "digest" / "media" / name
        assert url == f"http://127.0.0.1:8000/issues/{ISSUE}/media/{name}" and published.is_file()
        assert int(enclosure.get("length")) == published.stat().st_size and enclosure.get("type") == "image/jpeg"
        assert content.get("url") == url and int(content.get("fileSize")) == published.stat().st_size
        assert content.get("medium") == "image" and int(content.get("width")) == 1200
        body = lxml_html.fromstring(item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded"))
        for img in body.iter("img"):
            assert img.get("src").startswith("http://127.0.0.1:8000/issues/")
            assert (out / "digest" / "media" / img.get("src").rsplit("/", 1)[1]).is_file()
    atom = etree.parse(str(out / "rss" / "atom.xml"))
    assert len(atom.findall(".//{http://www.w3.org/2005/Atom}link[@rel='enclosure']")) == 3


# -- the cache --------------------------------------------------------------------------------------


def test_each_size_is_made_once_per_build(tmp_path):
    """The digest makes the web sizes; the feed, built after it, reads them back and makes or rewrites nothing."""
    config = make_config(root("photos"), tmp_path)
    issue = loading.load_issue(loading.issue_dir(root("photos"), ISSUE))
    channels = usable()
    assert pipeline.build(issue, [channels["digest"]], config).ok
    cache = config.output_dir / ISSUE / ".images"
    made = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(made) == len(list((config.output_dir / ISSUE / "digest" / "media").iterdir()))
    assert pipeline.build(issue, [channels["rss"]], config).ok
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == made


# -- broken, huge and missing pictures --------------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def build_all(content: Path, tmp_path: Path):
    config = make_config(content, tmp_path)
    issue = loading.load_issue(loading.issue_dir(content, ISSUE))
    return pipeline.build(issue, list(usable().values()), config), config.output_dir / ISSUE


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]), "已损坏"),
        (lambda p: p.write_bytes(png_claiming(30000, 30000)), "像素过多"),
        (lambda p: p.write_bytes(b"GIF89a but not really"), "不是可读的图片"),
    ],
    ids=["truncated", "decompression-bomb", "not-a-picture"],
)
def test_a_bad_picture_fails_its_article_not_the_build(copy_root, tmp_path, damage, reason):
    content = copy_root("photos")
    damage(content / "issues" / ISSUE / "images" / "chelsea.jpg")
    report, out = build_all(content, tmp_path)
    assert report.ok, report.errors  # every channel built
    for result in report.results:
        notes = [w for w in result.warnings if "《突出关键业务 提升价值创造力》未发布" in w]
        assert len(notes) == 1 and reason in notes[0] and "images/chelsea.jpg" in notes[0], result.channel
    digest = (out / "digest" / "index.html").read_text()
    assert "突出关键业务" not in digest and "新一代煤电升级专项行动开启" in digest
    assert "突出关键业务" not in (out / "rss" / "feed.xml").read_text()


def test_a_caption_without_its_picture_is_printed_nowhere(copy_root, tmp_path):
    content = copy_root("photos")
    (content / "issues" / ISSUE / "images" / "coffee.jpg").unlink()
    loaded = loading.load(loading.issue_dir(content, ISSUE))
    assert any("images/coffee.jpg" in p.message for p in loaded.warnings)
    report, out = build_all(content, tmp_path)
    assert report.ok
    assert all(any("images/coffee.jpg" in w for w in r.warnings) for r in report.results)
    assert "一杯浓缩咖啡" not in (out / "digest" / "index.html").read_text()
    assert "一杯浓缩咖啡" not in (out / "rss" / "feed.xml").read_text()
    with zipfile.ZipFile(out / "epub" / f"{ISSUE}.epub") as book:
        assert not any("一杯浓缩咖啡" in book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    pdf = subprocess.run(["pdftotext", str(out / "pdf" / f"{ISSUE}.pdf"), "-"], capture_output=True, text=True).stdout
    assert "一杯浓缩咖啡" not in pdf and "猫咪切尔西" in pdf


def test_a_photo_story_without_its_photo_is_flagged_not_published(copy_root, tmp_path):
    content = copy_root("photos")
    (content / "issues" / ISSUE / "images" / "rocket-portrait.jpg").unlink()
    loaded = loading.load(loading.issue_dir(content, ISSUE))
    assert any("图片报道" in p.message and "02-tupian-huojian.md" in str(p.path) for p in loaded.warnings)
    report, out = build_all(content, tmp_path)
    assert report.ok
    for result in report.results:
        assert any("《图为猎鹰9号火箭在发射台上。》是图片报道，但没有可用的图片，未发布" in w for w in result.warnings)
    assert "猎鹰9号火箭在发射台上" not in (out / "digest" / "index.html").read_text()
    assert "猎鹰9号火箭在发射台上" not in (out / "rss" / "feed.xml").read_text()
    with zipfile.ZipFile(out / "epub" / f"{ISSUE}.epub") as book:
        assert "EPUB/text/tupian-huojian.xhtml" not in book.namelist()


def test_check_warns_of_captions_without_pictures_in_the_sample(sample_issue):
    from tests.conftest import SAMPLE_CONTENT, SAMPLE_ID

    loaded = loading.load(SAMPLE_CONTENT / "issues" / SAMPLE_ID)
    captions = [p for p in loaded.warnings if "图说" in p.message and "没有图片文件" in p.message]
    stories = [p for p in loaded.warnings if "图片报道" in p.message]
    assert {p.path.name for p in stories} == {
        "25-tupian-liuye-yuepao.md",
        "26-tupian-liangshan-kuangye.md",
        "27-tupian-guangxi-changqu.md",
    }
    assert any(p.path.name == "05-yimen-yangjitong.md" and p.line for p in captions)


def test_fit_and_print_size_never_upscale():
    photo = images.Photo("a.jpg", Path("a.jpg"), "0" * 64, 640, 213)
    assert images.fit(photo, width=1200) == (640, 213)
    assert images.fit(photo, side=320) == (320, 106)
    big = images.Photo("b.jpg", Path("b.jpg"), "0" * 64, 4000, 3000)
    width, _ = images.print_size(big, 96 * 2)  # two inches wide
    assert width == 2 * images.PRINT_PPI


@pytest.mark.slow
def test_the_photo_epub_passes_epubcheck(built, tmp_path):
    from tests.test_epub import EPUBCHECKS, run_epubcheck

    _, out = built
    for jar in EPUBCHECKS.values():
        run_epubcheck(jar, out / "epub" / f"{ISSUE}.epub", tmp_path)
