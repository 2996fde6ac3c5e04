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
from publisher.importer import REPORT_JSON, ImportFailure, ImportResult, import_text, write_issue

#: Largest upload accepted on the import page (an issue's text is about 100 KB); larger ones get 413.
UPLOAD_BYTES = 2 * 1024 * 1024
_writing = threading.Lock()  # check-then-write of one import at a time (threads of one server process)


class ImportForm(FlaskForm):
    text = FileField(
        "Text file (UTF-8, UTF-16 or GB18030)",
        validators=[FileRequired("Choose the text file extracted from the e-paper (e.g. pdftotext paper.pdf paper.txt).")],
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
    result = import_text(
        data,
        filename,
        date=form.date.data,
        number=form.number.data,
        paper=(form.paper.data or "").strip() or None,
        override_masthead=bool(form.override_masthead.data),
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
