"""Import an e-paper's text from the admin: the upload form, what may be replaced, the report read back.

The importer (:mod:`publisher.importer`) does all the reading; this module only
guards the content folder (never replace a published issue or one being built,
a draft only when the editor asks) and reads the import report for the review page.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from publisher import loading
from publisher import text as textlib
from publisher.importer import REPORT_JSON, ImportFailure, ImportResult, import_text, known_section_slugs, write_issue
from publisher.pdfimport import PRINT_FILE, import_pdf
from publisher.pdfimport.extract import combine, is_pdf

#: Largest upload accepted on the import page: a multi-page print PDF with its photos (an issue's text is
#: about 100 KB, a 10-page A3 PDF 1–50 MB); larger ones get 413 with a message in Chinese.
UPLOAD_BYTES = 100 * 1024 * 1024
_writing = threading.Lock()  # check-then-write of one import at a time (threads of one server process)


class ImportForm(FlaskForm):
    text = MultipleFileField(
        lazy_gettext("印刷版 PDF（整期一个文件，或每版一个文件），或文字文件（UTF-8、UTF-16 或 GB18030 编码）"),
        validators=[FileRequired(lazy_gettext("请选择报纸的印刷版 PDF，或从电子版提取出的文字文件。"))],
    )
    date = DateField(lazy_gettext("出版日期（报头上没有印时填写）"), validators=[Optional()], render_kw={"lang": "zh-CN"})
    number = IntegerField(
        lazy_gettext("总期号，总第N期（报头上没有印时填写）"),
        validators=[Optional(), NumberRange(1, 999_999)],
    )
    paper = StringField(lazy_gettext("报名（报头上没有印时填写）"), validators=[Optional(), Length(max=40)])
    replace = BooleanField(lazy_gettext("替换这一期已有的草稿"))
    override_masthead = BooleanField(lazy_gettext("报头印的与上面填写的不一致时，以填写的为准"))


class Refused(Exception):
    """The import would replace an issue it must not; the message says why and what to do."""


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folders the browser sent (shown and kept in history)."""
    name = textlib.clean(Path((filename or "").replace("\\", "/")).name).strip()
    return name[:120] or "upload.txt"


def uploaded(files: list) -> tuple[bytes, str]:
    """The upload's bytes and the name it goes by: one file, or the pages of one print PDF, a file each
    (taken in the natural order of their names); raise :class:`ImportFailure` for several files that are not all PDFs."""
    chosen = [f for f in files if f and f.filename]
    if len(chosen) == 1:
        return chosen[0].read(), upload_name(chosen[0].filename)
    named = [(f.read(), upload_name(f.filename)) for f in chosen]
    if not all(is_pdf(data) for data, _name in named):
        # in Chinese as the PDF importer's own messages (and combine's), which :func:`failure` passes on
        raise ImportFailure("一次只能导入一个文字文件。选了多个文件时，它们须都是同一期的印刷版 PDF（每版一个文件）。")
    return combine(named)


def import_upload(data: bytes, filename: str, form: ImportForm, content_dir: Path, store) -> ImportResult:
    """Import ``data`` and write the issue folder; raise :class:`ImportFailure` or :class:`Refused`."""
    importer = import_pdf if is_pdf(data) or filename.lower().endswith(".pdf") else import_text
    only_text: dict[str, Any] = {} if importer is import_pdf else {"override_masthead": bool(form.override_masthead.data)}
    result = importer(
        data,
        filename,
        date=form.date.data,
        number=form.number.data,
        paper=(form.paper.data or "").strip() or None,
        known_sections=known_section_slugs(content_dir),
        **only_text,
    )
    issue_id = result.issue.id
    with _writing:
        if loading.issue_dir(content_dir, issue_id).exists():
            live = store.live_build(issue_id)
            if live is not None:
                raise Refused(
                    _(
                        "%(issue)s已经发布（第 %(build)s 次生成在线上），导入不会替换已发布的一期。"
                        "请核对这个文件的日期和期号；要更正已发布的这一期，请修改它的稿件后重新生成。",
                        issue=result.issue.title,
                        build=live.id,
                    )
                )
            if any(b.active for b in store.builds(issue_id, limit=5)):
                raise Refused(_("%(issue)s正在生成，请等生成完成后再导入。", issue=result.issue.title))
            if not form.replace.data:
                raise Refused(
                    _(
                        "%(issue)s已经存在，没有替换。要用这次导入替换它，请勾选“替换这一期已有的草稿”；"
                        "否则请核对这个文件的日期和期号。",
                        issue=result.issue.title,
                    )
                )
        try:
            write_issue(result, Path(content_dir) / "issues", force=True)
        except OSError as exc:
            raise ImportFailure(
                f"the issue folder could not be written ({exc.strerror}); ask the administrator to check "
                "that the content folder is writable"
            ) from None
    return result


def read_report(folder: Path) -> dict | None:
    """The import report kept in an issue folder (``import-report.json``), or None when there is none."""
    try:
        return json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


#: Scale of the page images on the report page (72 dpi × 0.6: an A3 page about 505 px wide).
PAGE_SCALE = 0.6


def page_image(folder: Path, page: int) -> bytes:
    """PNG of page ``page`` (1-based) of the issue's print PDF; LookupError when there is no such page."""
    import io

    import pypdfium2

    path = Path(folder) / PRINT_FILE
    if not path.is_file():
        raise LookupError(page)
    doc = pypdfium2.PdfDocument(path)
    try:
        if not 1 <= page <= len(doc):
            raise LookupError(page)
        image = doc[page - 1].render(scale=PAGE_SCALE).to_pil()
    finally:
        doc.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def overlay(report: dict, issue) -> list[dict]:
    """Per print page: its size and the recognised blocks to outline (articles by headline, furniture)."""
    if issue is None or issue.print_pdf is None:
        return []
    pages = [{"number": n, "width": w, "height": h, "blocks": []} for n, (w, h) in enumerate(issue.print_pdf.pages, 1)]
    for article in issue.articles:
        for placed in article.print_boxes:
            for x0, y0, x1, y1 in placed.boxes:
                pages[placed.page - 1]["blocks"].append(
                    {"kind": "article", "label": article.headline, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
                )
    for item in report.get("furniture", []):
        box, page = item.get("box"), item.get("page")
        if box and page and 1 <= page <= len(pages):
            x0, y0, x1, y1 = box
            pages[page - 1]["blocks"].append(
                {
                    "kind": "furniture",
                    "label": f"{item['text']}（{LEFT_OUT.get(item['why'], item['why'])}）",
                    "x": x0,
                    "y": y0,
                    "w": x1 - x0,
                    "h": y1 - y0,
                }
            )
    return pages


_MASTHEAD_PARTS = {"paper": lazy_gettext("报名"), "date": lazy_gettext("日期"), "number": lazy_gettext("期号")}


def failure(exc: ImportFailure) -> str:
    """Why the importer gave up, for an editor (the importer's own sentences are for the CLI)."""
    message = str(exc)
    if len(re.findall(r"[\u4e00-\u9fff]", message)) > len(re.findall(r"[A-Za-z]", message)):
        return message  # the PDF importer already speaks to editors, in Chinese
    if "the masthead does not give the" in message:
        missing = re.search(r"does not give the ([a-z, ]+) \(", message)
        parts = [str(_MASTHEAD_PARTS.get(p.strip(), p)) for p in (missing.group(1).split(",") if missing else [])]
        return _("报头上找不到%(what)s；请在下面的表单里填写后再导入。", what="、".join(parts))
    if " is empty" in message:
        return _("文件是空的；请重新从电子版提取文字。")
    if " is a PDF" in message:
        return _("这是 PDF 文件，不是文字；请先提取出文字（例如用 pdftotext）再导入。")
    if "zip/Word/EPUB" in message:
        return _("这是压缩包、Word 或电子书文件，不是纯文字；请另存为 UTF-8 编码的 .txt 文件再导入。")
    if "binary file" in message:
        return _("这不是文字文件；请导入从电子版提取出的文字（UTF-8 或 GB18030 编码）。")
    if "UTF-8" in message or "UTF-16" in message:
        return _("文件的编码无法识别；请另存为 UTF-8 编码后再导入。")
    if "no recognisable headline" in message:
        return _("文件里找不到像标题的行；请确认这是报纸版面提取出的文字。")
    if "could not be written" in message:
        return _("这一期的文件夹无法写入；请联系管理员检查内容文件夹的权限。")
    return _("导入程序读不懂这个文件；请把文件交给技术人员检查。")


#: The importer's decision kinds and reasons for leaving a line out, as the review page names them.
DECISIONS = {
    "headline": lazy_gettext("标题"),
    "orphan-headline": lazy_gettext("没有正文的标题"),
    "headline-after-body": lazy_gettext("正文后面的标题"),
    "no-headline": lazy_gettext("找不到标题"),
    "byline": lazy_gettext("署名"),
    "rejoin": lazy_gettext("断行拼接"),
    "loose-end": lazy_gettext("没有结尾的段落"),
    "jump": lazy_gettext("转版"),
    "editor-note": lazy_gettext("编者按"),
    "series": lazy_gettext("专栏"),
    "label": lazy_gettext("栏目标签"),
}
LEFT_OUT = {
    "masthead": lazy_gettext("报头"),
    "printer's marks outside the trimmed page": lazy_gettext("裁切线以外的印刷标记"),
    "caption marker": lazy_gettext("图片说明标记"),
    "page furniture": lazy_gettext("版面装饰（页眉、版次等）"),
    "page furniture inside a cut sentence": lazy_gettext("断句中间的版面装饰"),
    "a byline with no story to belong to": lazy_gettext("找不到所属文章的署名"),
    "a headline with no story": lazy_gettext("没有正文的标题"),
    "a second byline": lazy_gettext("重复的署名"),
    "a source line with no story to belong to": lazy_gettext("找不到所属文章的来源"),
    "a section label with no story under it": lazy_gettext("下面没有文章的版面标签"),
    "a column label with no story under it": lazy_gettext("下面没有文章的专栏标签"),
    "running head": lazy_gettext("页眉（报名、日期、版名）"),
    "folio": lazy_gettext("版次"),
    "section label": lazy_gettext("版名"),
    "page head beside the section label": lazy_gettext("版名旁的日期等"),
    "jump line": lazy_gettext("转版提示"),
    "repeated headline of a continued story": lazy_gettext("转版后重复的标题"),
    "label decoration": lazy_gettext("栏目标签的装饰符号"),
    "subtitle dash": lazy_gettext("副题前的破折号"),
    "editor's note label": lazy_gettext("“编者按”字样"),
    "bullet": lazy_gettext("项目符号"),
    "导读 (a list of what is inside the issue)": lazy_gettext("导读（本期要目）"),
    "pull quote (a sentence of the story repeated in display type)": lazy_gettext("引语（文中一句话用大字重复）"),
}
