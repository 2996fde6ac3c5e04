"""Turn a newspaper's print PDF into a draft issue folder, its figures and a report for the editor.

    result = import_pdf(path_or_bytes, "paper.pdf")   # ImportResult(issue_files, issue, report, binaries)
    folder = write_issue(result, content_dir / "issues")

Steps: read characters, images and rules (:mod:`.extract`) → lines (:mod:`.textlines`) →
each page's furniture, masthead, section label, heads and story regions (:mod:`.layout`) →
draft articles (:mod:`.stories`, with the text importer's conventions) → the content format
(:mod:`publisher.importer.render`), loaded back with the normal loader.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from publisher.importer import (
    ImportFailure,
    ImportResult,
    apply_known_slugs,
    given_fields,
    load_rendered,
    missing_fields,
    read_source,
    render,
    restored_report,
)
from publisher.importer import lines as L
from publisher.importer import masthead as mast
from publisher.importer.drafts import Assembly
from publisher.importer.render import FlowList
from publisher.importer.report import Report
from publisher.importer.rules import DEFAULT_VOCABULARY, Vocabulary
from publisher.importer.script import Script
from publisher.pdfimport import extract, layout, stories, textlines

__all__ = ["PRINT_FILE", "import_pdf"]

#: The original PDF, kept in the issue folder for the e-paper page view.
PRINT_FILE = "print.pdf"


def import_pdf(
    source: bytes | str | os.PathLike,
    filename: str | None = None,
    *,
    date: dt.date | None = None,
    number: int | None = None,
    paper: str | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    known_sections: dict[str, str] | None = None,
) -> ImportResult:
    """Import a print PDF (bytes, or a path); raise :class:`ImportFailure` (in Chinese) on bad input.

    ``known_sections`` maps section names to the slugs earlier issues gave them.
    """
    started = time.perf_counter()
    data, name = read_source(source, filename, "上传的文件")
    doc = extract.open_pdf(data, name)
    try:
        pages, trimmed = extract.read_pages(doc, name)
        if trimmed:  # a printer's PDF: the kept one shows the pages as trimmed
            data = extract.saved(doc)
    finally:
        doc.close()
    script = Script.of("".join(c.c for p in pages for c in p.chars))
    for page in pages:  # read by the rules in Simplified, written back as printed
        for char in page.chars:
            char.c = script.simplified(char.c)
    page_lines = [textlines.page_lines(p) for p in pages]
    for page, lines in zip(pages, page_lines, strict=True):
        for line in lines:
            line.page = page.number
    everything = [x for lines in page_lines for x in lines]
    issue_body = layout.body_size(everything)
    layouts = []
    for index, (page, lines) in enumerate(zip(pages, page_lines, strict=True)):
        body = layout.body_size(lines) if sum(len(x.text) for x in lines) > 400 else issue_body
        layouts.append(layout.analyse(page, lines, body, vocabulary, first=index == 0))
    head = _masthead(layouts[0])
    fields = {**head.fields, **given_fields(date, number, paper, script)}
    if missing := missing_fields(fields):
        words = {"paper": "报名（--paper）", "date": "日期（--date 2025-04-19）", "number": "总期号（--number 1330）"}
        raise ImportFailure(f"{name} 的报头里找不到{'、'.join(words[k] for k in missing)}。请在导入时填写这些信息后再试。")
    reading = stories.PageReader(vocabulary).read(layouts)
    if not reading.stories:
        raise ImportFailure(f"{name} 里没有找到任何文章（没有标题和正文）。这是报纸的版面PDF吗？")
    assembly = Assembly(
        sections=reading.sections,
        articles=[s.draft for s in reading.stories],
        furniture=[],
        issue_furniture=[],
        decisions=[],
        synthesized=[],
    )
    apply_known_slugs(reading.sections, known_sections, script)
    render.assign_slugs(assembly)
    binaries = _figure_files(reading.stories)
    binaries[PRINT_FILE] = data
    fields["print_pdf"] = {"file": PRINT_FILE, "pages": [FlowList([round(p.width, 2), round(p.height, 2)]) for p in pages]}
    for story in reading.stories:
        story.draft.print_boxes = _placements(story, pages)
    issue_id = f"{fields['date'].isoformat()}-{fields['number']}"
    masthead_furniture = [t for _, t in head.furniture]
    files = script.restored_all(render.files(fields, assembly, masthead_furniture))
    issue, load_warnings = load_rendered(files, issue_id, binaries)
    report = Report(name, "PDF", sum(len(x) for x in page_lines), issue_id, issue.title, warnings=load_warnings)
    report.masthead = [{"page": 1, "line": no, "text": t, "field": f} for no, t, f in head.printed]
    report.sections = [{"slug": s.slug, "name": s.name, "line": s.line, "page": s.page} for s in reading.sections]
    report.articles = [
        {
            "slug": s.draft.slug,
            "headline": s.draft.headline,
            "section": s.draft.section.slug,
            "lines": [s.draft.first_line, s.draft.first_line],
            "pages": sorted({r.page for r in s.regions}),
        }
        for s in reading.stories
    ]
    for d in reading.decisions:
        d["article"] = d["article"].draft.slug if d["article"] is not None else None
        d["lines"] = [d["page"]]
    report.decisions = reading.decisions
    report.furniture = [{"page": 1, "line": no, "text": t, "why": "masthead"} for no, t in head.furniture] + [
        {"page": line.page, "line": line.id, "box": [round(v, 1) for v in line.box], "text": text, "why": why}
        for line, text, why in reading.furniture
    ]
    report.synthesized = [
        {"article": s.draft.slug, "field": "headline", "text": s.synthesized} for s in reading.stories if s.synthesized
    ]
    report.seconds = time.perf_counter() - started
    return ImportResult(files, issue, restored_report(report, script), binaries)


def _placements(story: stories.PrintedStory, pages: list[extract.PdfPage]) -> list[dict]:
    """[{page, boxes}] for a story: its head and text columns (and pictures) on each page it is printed on."""
    out: dict[int, list] = {}
    for region in story.regions:
        page = pages[region.page - 1]
        for x0, y0, x1, y1 in region.boxes:
            box = FlowList(
                [round(max(0.0, x0), 1), round(max(0.0, y0), 1), round(min(page.width, x1), 1), round(min(page.height, y1), 1)]
            )
            if box[0] < box[2] and box[1] < box[3]:
                out.setdefault(region.page, []).append(box)
    return [{"page": page, "boxes": boxes} for page, boxes in sorted(out.items())]


def _figure_files(found: list[stories.PrintedStory]) -> dict[str, bytes]:
    """images/<article slug>-<n>.<jpg|png> for every picture matched to a figure; sets the figure's src."""
    out: dict[str, bytes] = {}
    for story in found:
        for n, (picture, figure) in enumerate(story.pictures, start=1):
            name = f"images/{story.draft.slug}-{n}.{picture.ext}"
            figure.src = name
            out[name] = picture.data
    return out


def _masthead(page: layout.PageLayout) -> mast.Masthead:
    # biggest first: the paper's name and its English name come before the small print that could pass for them
    items = [L.InputLine(x.id, x.text, L.MASTHEAD) for x in sorted(page.masthead, key=lambda x: (-x.size, x.y0, x.x0))]
    return mast.read(items)
