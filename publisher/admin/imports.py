"""Import an e-paper's text from the admin: the upload form, what may be replaced, the report read back.

The importer (:mod:`publisher.importer`) does all the reading; this module only
guards the content folder (never replace a published issue or one being built,
a draft only when the editor asks) and reads the import report for the review page.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from publisher import loading
from publisher import text as textlib
from publisher.importer import REPORT_JSON, ImportFailure, ImportResult, import_text, known_section_slugs, write_issue
from publisher.pdfimport import PRINT_FILE, import_pdf

#: Largest upload accepted on the import page: a multi-page print PDF with its photos (an issue's text is
#: about 100 KB, a 10-page A3 PDF 1–50 MB); larger ones get 413 with a message in Chinese.
UPLOAD_BYTES = 100 * 1024 * 1024
_writing = threading.Lock()  # check-then-write of one import at a time (threads of one server process)


class ImportForm(FlaskForm):
    text = FileField(
        "Print PDF, or text file (UTF-8, UTF-16 or GB18030)",
        validators=[FileRequired("Choose the paper's print PDF, or the text extracted from the e-paper.")],
    )
    date = DateField("Date (when the masthead does not print it)", validators=[Optional()])
    number = IntegerField(
        "Number, 总第N期 (when the masthead does not print it)", validators=[Optional(), NumberRange(1, 999_999)]
    )
    paper = StringField("Paper name (when the masthead does not print it)", validators=[Optional(), Length(max=40)])
    replace = BooleanField("Replace the existing draft of this issue")
    override_masthead = BooleanField("报头印的与上面填写的不一致时，以填写的为准")


class Refused(Exception):
    """The import would replace an issue it must not; the message says why and what to do."""


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folders the browser sent (shown and kept in history)."""
    name = textlib.clean(Path((filename or "").replace("\\", "/")).name).strip()
    return name[:120] or "upload.txt"


def import_upload(data: bytes, filename: str, form: ImportForm, content_dir: Path, store) -> ImportResult:
    """Import ``data`` and write the issue folder; raise :class:`ImportFailure` or :class:`Refused`."""
    importer = import_pdf if data.lstrip()[:5].startswith(b"%PDF") or filename.lower().endswith(".pdf") else import_text
    result = importer(
        data,
        filename,
        date=form.date.data,
        number=form.number.data,
        paper=(form.paper.data or "").strip() or None,
        known_sections=known_section_slugs(content_dir),
        **({} if importer is import_pdf else {"override_masthead": bool(form.override_masthead.data)}),
    )
    issue_id = result.issue.id
    with _writing:
        if loading.issue_dir(content_dir, issue_id).exists():
            live = store.live_build(issue_id)
            if live is not None:
                raise Refused(
                    f"Issue {issue_id} is published (build #{live.id} is live), so an import never replaces it. "
                    "Check the date and number of this file; to correct the published issue, edit its files "
                    "in the content folder and build again."
                )
            if any(b.active for b in store.builds(issue_id, limit=5)):
                raise Refused(f"Issue {issue_id} is being built right now; wait for the build to finish, then import again.")
            if not form.replace.data:
                raise Refused(
                    f"Issue {issue_id} already exists and was not replaced. Tick “Replace the existing draft” "
                    "to replace it with this import, or check the date and number of this file."
                )
        try:
            write_issue(result, Path(content_dir) / "issues", force=True)
        except OSError as exc:
            raise ImportFailure(
                f"the issue folder could not be written ({exc.strerror}); ask the administrator to check "
                f"that the content folder {content_dir} is writable"
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
                {"kind": "furniture", "label": f"{item['text']}（{item['why']}）", "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
            )
    return pages
