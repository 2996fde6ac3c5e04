"""Read a PDF's pages with pypdfium2: every character with its box, size and weight, and the images.

Coordinates are PDF points with the origin at the page's top left (y grows downwards),
so that "above" means a smaller y everywhere in the importer, on the page as a viewer shows
it (turned by its /Rotate). The page is its trim box: a
PDF for the printer has bleed and a slug around each page (crop marks, colour bars, the
plate's name and time), which :func:`trim` cuts away; what is printed there lies outside
the page and is left out as printer's marks.
"""

from __future__ import annotations

import ctypes
import io
import os
import pickle
import re
import threading
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium_c

from publisher.importer.lines import ImportFailure

#: A drawn strip is at most this share of the page high (a band's frame holds one line of display type).
STRIP = 0.05
#: An image covering more than this share of the page is its background, not a photo (see :func:`_background`).
BACKGROUND = 0.5
#: A page whose characters are this share unreadable (see :func:`unreadable`) gave its font's glyph numbers,
#: not its text: a font embedded without a ToUnicode map. Printed text has next to none (0.0 on the corpus).
GARBLED = 0.15


@dataclass
class Char:
    c: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool


@dataclass
class EmbeddedImage:
    """An embedded image: where it is printed and its encoded bytes (JPEG or PNG)."""

    box: tuple[float, float, float, float]
    data: bytes
    ext: str


@dataclass
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    pictures: list[EmbeddedImage] = field(default_factory=list)
    #: Drawn strips at least a fifth of the page wide and a few lines high at most: rules, and the frames of
    #: bands (a section label is set between rules); a box's taller frame is not one.
    strips: list[tuple[float, float, float, float]] = field(default_factory=list)
    #: Dark filled boxes a few lines high and under half the page wide: plates that type is printed white on
    #: (a section label in reverse).
    plates: list[tuple[float, float, float, float]] = field(default_factory=list)


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` starts as a PDF does (whatever its file is called)."""
    return data.lstrip()[:5].startswith(b"%PDF")


def open_pdf(data: bytes, name: str) -> pypdfium2.PdfDocument:
    """The document, or an :class:`ImportFailure` that says in Chinese what is wrong with the file."""
    if not is_pdf(data):
        raise ImportFailure(
            f"{name} 不是PDF文件（文件开头没有 %PDF 标记）。请上传排版系统输出的印刷版PDF；纯文本请用“导入文本”。"
        )
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ImportFailure(
                f"{name} 已加密（需要密码才能打开），无法读取。请让排版部门导出一份不加密的PDF后再导入。"
            ) from None
        raise ImportFailure(f"{name} 已损坏，无法打开。请重新从排版系统导出PDF后再导入。") from None


def combine(files: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """Several PDFs of one issue (a layout system exports one 版 a file) as one PDF and a name for messages.

    They are taken in the natural order of their names (``2.pdf`` before ``10.pdf``), as a folder lists
    them; a file that is no PDF, damaged or encrypted fails with its own name.
    """
    ordered = sorted(files, key=lambda file: _natural(file[1]))
    merged = pypdfium2.PdfDocument.new()
    for data, name in ordered:
        doc = open_pdf(data, name)
        try:
            merged.import_pages(doc)
        except pypdfium2.PdfiumError:
            raise ImportFailure(f"{name} 有损坏的页面，无法读取。请重新从排版系统导出PDF后再导入。") from None
        finally:
            doc.close()
    data = saved(merged)
    merged.close()
    return data, f"{ordered[0][1]} 等 {len(ordered)} 个文件"


def _natural(name: str) -> list:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name) if part]


def _trim(page) -> bool:
    """Make the page's crop box its trim box (what a viewer shows and the e-paper renders); True when it changed."""
    trimmed, shown = page.get_trimbox(), page.get_cropbox()
    if any(abs(a - b) > 0.01 for a, b in zip(trimmed, shown, strict=True)):
        page.set_cropbox(*trimmed)
        return True
    return False


def saved(doc: pypdfium2.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def read_pages(doc: pypdfium2.PdfDocument, name: str) -> tuple[list[PdfPage], bool]:
    """Each page's characters, rules and pictures as trimmed (each page is opened once: pdfium parses it then),
    and whether a page's crop box was made its trim box (a printer's PDF, to be saved as trimmed)."""
    try:
        read = _read_all(doc)
    except pypdfium2.PdfiumError:
        raise ImportFailure(f"{name} 有损坏的页面，无法读取。请重新从排版系统导出PDF后再导入。") from None
    pages, trimmed = [page for page, _ in read], any(cut for _, cut in read)
    if not pages:
        raise ImportFailure(f"{name} 没有页面。请重新从排版系统导出PDF后再导入。")
    if sum(len(p.chars) for p in pages) < 20:
        raise ImportFailure(
            f"{name} 里没有可提取的文字（可能是扫描件或把文字转成了曲线）。请从排版系统导出带文字的PDF；扫描件需要先做文字识别（OCR）。"
        )
    garbled = [page.number for page in pages if _garbled(page)]
    if garbled:
        where = "、".join(map(str, garbled))
        raise ImportFailure(
            f"{name} 第 {where} 页的文字提取出来是乱码：PDF 里的字体没有附带文字编码对照表（ToUnicode）。"
            "请在排版系统导出PDF时选择嵌入字体并保留文字信息（可检索的PDF）后再导入；无法重新导出时，请用“导入文本”粘贴校对过的文字。"
        )
    return pages, trimmed


def _read_all(doc: pypdfium2.PdfDocument) -> list[tuple[PdfPage, bool]]:
    """Every page, and whether it was trimmed. pdfium reads one page at a time, most of an import's time; with two
    cores or more a forked copy of this process reads the second half of the pages meanwhile. Not in a process
    with threads (a web server's), which a fork would copy half-way; if the copy fails, its pages are read here."""
    count = len(doc)
    if not _in_two(count):
        return [_read_one(doc, index) for index in range(count)]
    half = (count + 1) // 2
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(reader)
            with open(writer, "wb") as out:
                pickle.dump([_packed(*_read_one(doc, index)) for index in range(half, count)], out)
        finally:
            os._exit(0)
    os.close(writer)
    try:
        first = [_read_one(doc, index) for index in range(half)]
        with open(reader, "rb", closefd=False) as pipe:
            payload = pipe.read()
    finally:
        os.close(reader)  # a copy still writing stops (no one reads), so it never waits on us
        os.waitpid(pid, 0)
    try:
        rest = [_unpacked(*packed) for packed in pickle.loads(payload)]
    except Exception:  # the copy was killed, or its pages would not read: that shows here again
        rest = [_read_one(doc, index) for index in range(half, count)]
    for index, (_, cut) in enumerate(rest, start=half):
        if cut:  # the trim box made the crop box here too, for the PDF the issue keeps
            _trim(doc[index])
    return first + rest


def _in_two(count: int) -> bool:
    return count >= 4 and len(os.sched_getaffinity(0)) >= 2 and threading.active_count() == 1


def _read_one(doc: pypdfium2.PdfDocument, index: int) -> tuple[PdfPage, bool]:
    page = doc[index]
    cut = _trim(page)
    return _read_page(page, index + 1), cut


def _packed(page: PdfPage, cut: bool) -> tuple:
    """A page as a few strings and arrays, which pass between processes ten times faster than its characters."""
    chars, page.chars = page.chars, []
    boxes = array("d", [v for c in chars for v in (c.x0, c.y0, c.x1, c.y1, c.size)])
    return page, "".join(c.c for c in chars), boxes.tobytes(), bytes(c.bold for c in chars), cut


def _unpacked(page: PdfPage, text: str, boxes: bytes, bold: bytes, cut: bool) -> tuple[PdfPage, bool]:
    values = array("d")
    values.frombytes(boxes)
    fields = (values[0::5], values[1::5], values[2::5], values[3::5], values[4::5], bold)
    page.chars = [Char(c, x0, y0, x1, y1, size, b == 1) for c, x0, y0, x1, y1, size, b in zip(text, *fields, strict=True)]
    return page, cut


def unreadable(ch: str) -> bool:
    """A character no printed page shows as text: a control or private-use code, an unassigned one, U+FFFD,
    box drawing, CJK Extension A or Yi, where the glyph numbers of a font without a ToUnicode map land."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
        or code == 0xFFFD
        or 0x2500 <= code <= 0x259F
        or 0x3400 <= code <= 0x4DBF
        or 0xA000 <= code <= 0xA4CF
    )


def _garbled(page: PdfPage) -> bool:
    text = [c.c for c in page.chars if c.c != " "]
    return len(text) >= 50 and sum(map(unreadable, text)) > GARBLED * len(text)


def _viewer(page) -> tuple[float, float, Callable[..., tuple[float, float, float, float]]]:
    """The page as a viewer shows it (its crop box, turned by its /Rotate): its width, its height, and the map
    from a rectangle in page space (y up) to one in ours (origin at the top left, y down)."""
    left, bottom, right, top = page.get_cropbox()
    turn = page.get_rotation() % 360

    def shown(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        if turn == 90:
            return y0 - bottom, x0 - left, y1 - bottom, x1 - left
        if turn == 180:
            return right - x1, y0 - bottom, right - x0, y1 - bottom
        if turn == 270:
            return top - y1, right - x1, top - y0, right - x0
        return x0 - left, top - y1, x1 - left, top - y0

    if turn in (90, 270):
        return top - bottom, right - left, shown
    return right - left, top - bottom, shown


#: FPDFText_GetTextObject giving the object's address (a plain int), so that consecutive characters of one text
#: object, which share its font, size and matrix, are told apart by one call, not by reading their font each.
_TEXT_OBJECT = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int))


def _codes(raw, count: int) -> list[int]:
    """Every character's code point, read in one call (FPDFText_GetText), or one by one where that does not align."""
    buffer = (ctypes.c_ushort * (2 * count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buffer)
    text = bytes(buffer)[: max(0, written - 1) * 2].decode("utf-16-le", errors="replace")
    if len(text) == count:
        return [ord(ch) for ch in text]
    return [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)]


def _read_page(page, number: int) -> PdfPage:
    width, height, shown = _viewer(page)
    out = PdfPage(number, width, height)
    textpage = page.get_textpage()
    raw = textpage.raw
    rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    prect, pmatrix = ctypes.byref(rect), ctypes.byref(matrix)
    generated, loose_box, font_size, font_weight = (
        pdfium_c.FPDFText_IsGenerated,
        pdfium_c.FPDFText_GetLooseCharBox,
        pdfium_c.FPDFText_GetFontSize,
        pdfium_c.FPDFText_GetFontWeight,
    )
    font_info, name, flags = pdfium_c.FPDFText_GetFontInfo, ctypes.create_string_buffer(96), ctypes.c_int()
    pflags = ctypes.byref(flags)
    last_object, size, bold = None, 0.0, False
    chars = out.chars
    for i, code in enumerate(_codes(raw, textpage.count_chars())):
        if code in (0, 10, 13, 0xFFFE, 0xFFFF) or (code == 32 and generated(raw, i)):
            continue  # pdfium makes up line ends and spaces only
        loose_box(raw, i, prect)
        text_object = _TEXT_OBJECT(raw, i)
        if text_object is None or text_object != last_object:  # another run of type: its face and scale
            last_object = text_object
            font_info(raw, i, name, 96, pflags)
            size, bold = _font(raw, i, (font_size(raw, i), font_weight(raw, i), name.value), pmatrix, matrix)
        ch = chr(code)
        chars.append(Char(" " if ch.isspace() else ch, *shown(rect.left, rect.bottom, rect.right, rect.top), size, bold))
    textpage.close()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            x0, y0, x1, y1 = box = shown(*_page_bounds(obj))
            if x1 - x0 >= width / 5 and y1 - y0 <= height * STRIP:
                out.strips.append(box)
            if 10 <= x1 - x0 < width / 2 and 5 <= y1 - y0 <= height * STRIP and _dark_fill(obj):
                out.plates.append(box)
        elif (picture := _picture(obj, shown(*_page_bounds(obj, clipped=True)), width, height)) is not None:
            out.pictures.append(picture)
    return out


def _dark_fill(obj) -> bool:
    """The path is filled with a dark or strong colour (black, a paper's red), one white type stands out on."""
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(mode), ctypes.byref(stroke)) or mode.value == 0:
        return False
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(x) for x in (r, g, b, a))):
        return False
    return a.value > 128 and 0.299 * r.value + 0.587 * g.value + 0.114 * b.value < 160


def _font(raw, i: int, key: tuple[float, int, bytes], pmatrix, matrix) -> tuple[float, bool]:
    """The printed size in points (font size times the text matrix's scale) and whether the face is bold."""
    pdfium_c.FPDFText_GetMatrix(raw, i, pmatrix)
    scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
    size = key[0] * scale
    bold = key[1] >= 600
    face = key[2].lower()
    bold = bold or any(word in face for word in (b"bold", b"heavy", b"black", b"hei", b"demi"))
    return size, bold


def _background(box: tuple[float, float, float, float], width: float, height: float) -> bool:
    """An image over half the page is no article's photo: a scanned page under its recognised text, a tint."""
    x0, y0, x1, y1 = max(box[0], 0), max(box[1], 0), min(box[2], width), min(box[3], height)
    return (x1 - x0) * (y1 - y0) > BACKGROUND * width * height


def _page_bounds(obj, clipped: bool = False) -> tuple[float, float, float, float]:
    """An object's bounds on the page: inside a Form XObject (a placed advert, a page wrapped whole) they are
    in the form's space, which its matrix (and those of the forms around it) maps to the page's. ``clipped``:
    only what its clipping path lets show (a photo cropped to its frame, as layout systems place pictures)."""
    bounds = obj.get_bounds()
    if clipped and (clip := _clip_box(obj)) is not None:
        x0, y0, x1, y1 = max(bounds[0], clip[0]), max(bounds[1], clip[1]), min(bounds[2], clip[2]), min(bounds[3], clip[3])
        if x1 > x0 and y1 > y0:
            bounds = (x0, y0, x1, y1)
    form = obj.container
    while form is not None:
        bounds = form.get_matrix().on_rect(*bounds)
        form = form.container
    return bounds


def _clip_box(obj) -> tuple[float, float, float, float] | None:
    """The box around an object's clipping path (each of its paths narrows what shows), or None when it has none."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj.raw)
    if not clip:
        return None
    box = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for path in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        points = []
        for index in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, path)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, index)
            if segment and pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                points.append((x.value, y.value))
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            here = (min(xs), min(ys), max(xs), max(ys))
            box = (
                here if box is None else (max(box[0], here[0]), max(box[1], here[1]), min(box[2], here[2]), min(box[3], here[3]))
            )
    return box


def _picture(obj, box: tuple[float, float, float, float], width: float, height: float) -> EmbeddedImage | None:
    """The image printed at ``box`` (on the page as shown), decoded; None for an ornament or the page's background."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 20 or y1 - y0 < 20 or _background(box, width, height):
        return None  # a bullet or ornament, or no photo: told apart before anything is decoded
    filters = obj.get_filters()
    try:
        if filters == ["DCTDecode"]:
            data, ext = obj.get_data(decode_simple=False), "jpg"
        else:
            image = obj.get_bitmap(render=False).to_pil()
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            data, ext = buffer.getvalue(), "png"
    except (pypdfium2.PdfiumError, OSError, ValueError):
        return None
    return EmbeddedImage(box, bytes(data), ext)
